"""Every declarative Hugging Face family (:mod:`paramcalc.spec.hf_recipes`), by ``model_type``."""

from __future__ import annotations

from paramcalc.spec.hf_encoder_families import distilbert, roberta_like
from paramcalc.spec.hf_encoder_families_more import albert, electra, mpnet
from paramcalc.spec.hf_recipes import Recipe, parse_schema
from paramcalc.spec.hf_schema import CHECKED

RECIPES: dict[str, Recipe] = {
    "roberta": roberta_like("roberta", "RobertaConfig", "Roberta", 50265, head_first=False),
    "xlm-roberta": roberta_like("xlm-roberta", "XLMRobertaConfig", "XLMRoberta", 30522, head_first=True),
    "distilbert": distilbert(),
    "albert": albert(),
    "electra": electra(),
    "mpnet": mpnet(),
}
"""Every declarative family, by model_type."""

CHECKED.update({model_type: parse_schema(recipe.schema) for model_type, recipe in RECIPES.items()})
