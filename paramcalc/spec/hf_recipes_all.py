"""Every declarative Hugging Face family (:mod:`paramcalc.spec.hf_recipes`), by ``model_type``."""

from __future__ import annotations

from paramcalc.spec.hf_deberta import deberta_v2
from paramcalc.spec.hf_encoder_families import distilbert, roberta_like
from paramcalc.spec.hf_encoder_families_more import albert, electra, mpnet
from paramcalc.spec.hf_marian import marian
from paramcalc.spec.hf_recipes import Recipe, parse_schema
from paramcalc.spec.hf_schema import CHECKED
from paramcalc.spec.hf_seq2seq_families import bart_like, whisper
from paramcalc.spec.hf_t5_families import t5_like
from paramcalc.spec.hf_tower_families import pair_model, tower
from paramcalc.spec.hf_vision_families import vit

RECIPES: dict[str, Recipe] = {
    "roberta": roberta_like("roberta", "RobertaConfig", "Roberta", 50265, head_first=False),
    "xlm-roberta": roberta_like("xlm-roberta", "XLMRobertaConfig", "XLMRoberta", 30522, head_first=True),
    "distilbert": distilbert(),
    "albert": albert(),
    "electra": electra(),
    "mpnet": mpnet(),
    "deberta-v2": deberta_v2(),
    "bart": bart_like("bart", "BartConfig", "Bart", offset=2, embedding_norm=True, final_norm=False, pad=1),
    "mbart": bart_like("mbart", "MBartConfig", "MBart", offset=2, embedding_norm=True, final_norm=True, pad=1),
    "pegasus": bart_like("pegasus", "PegasusConfig", "Pegasus", offset=0, embedding_norm=False, final_norm=True, pad=0),
    "marian": marian(),
    "whisper": whisper(),
    "mt5": t5_like("mt5", "MT5", every_block_bias=False),
    "umt5": t5_like("umt5", "UMT5", every_block_bias=True),
    "vit": vit(),
    "clip_text_model": tower("clip", "text"),
    "clip_vision_model": tower("clip", "vision"),
    "clip": pair_model("clip"),
    "siglip_text_model": tower("siglip", "text"),
    "siglip_vision_model": tower("siglip", "vision"),
    "siglip": pair_model("siglip"),
}
"""Every declarative family, by model_type."""

CHECKED.update({model_type: parse_schema(recipe.schema) for model_type, recipe in RECIPES.items()})
