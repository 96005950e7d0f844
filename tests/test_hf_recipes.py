"""The declarative Hugging Face families (encoders, encoder-decoders, vision) equal transformers.

tests/golden/hf/encoders.json (tools/hf_golden_encoders.py) holds, per case, a config.json
and what transformers 5.24 built from it on the meta device: totals, every parameter's name
and shape in ``named_parameters()`` order, the tied aliases -- or the exception it raised.
paramcalc must reproduce the counts exactly and refuse exactly the refused configs.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from conftest import GOLDEN, SPECS, RunCli
from test_hf_corpus import truncate

from paramcalc.engine import analyze
from paramcalc.errors import SpecError
from paramcalc.formula import evaluate
from paramcalc.report import Report
from paramcalc.spec.hf_config import spec_from_config
from paramcalc.spec.hf_families import FAMILIES, RECIPE_TYPES
from paramcalc.spec.hf_recipes_all import RECIPES

FILES = ("encoders.json",)
OUTPUT_ROWS = ("lm_head.", "generator_lm_head.", "vocab_projector.", "predictions.decoder.", "proj_out.")
OUTPUT_ROWS += ("cls.predictions.decoder.",)
"""Where the output embedding (``get_output_embeddings()``) lives, in each family."""


@cache
def golden(name: str) -> dict[str, Any]:
    with open(GOLDEN / "hf" / name, encoding="utf-8") as handle:
        return json.load(handle)  # type: ignore[no-any-return]


CASES = {case["id"]: case for name in FILES for case in golden(name)["cases"]}
BUILT = sorted(c for c in CASES if "refused" not in CASES[c])
REFUSED = sorted(c for c in CASES if "refused" in CASES[c])


def written_out(report: Report) -> tuple[list[list[Any]], list[list[str]]]:
    """(parameters, aliases) with full names; a row that is one bare parameter (Whisper's
    ``layer_weights``) has a term with an empty path: the row's name is the parameter's.
    """
    params: list[list[Any]] = []
    aliases: list[list[str]] = []
    for row in report.expanded().layers:
        for term in row.terms:
            name = f"{row.name}.{term.path}" if term.path else row.name
            if term.tied_to:
                aliases.append([name, term.tied_to])
            elif term.counted:
                params.append([name, list(term.shape)])
    return params, aliases


def count(config: dict[str, Any], case_id: str, tie_policy: str = "checkpoint") -> Report:
    return analyze(spec_from_config(config, case_id, tie_policy=tie_policy))


def checkpoint_lm_head(case: dict[str, Any]) -> int:
    """The parameters a T5-family checkpoint's own lm_head adds to what from_config builds (see
    docs/hf-notes.md): mT5 / UMT5 configs saying tie_word_embeddings false.
    """
    config = case["config_input"]
    untied = config["model_type"] in ("mt5", "umt5") and config.get("tie_word_embeddings") is False
    if untied and case["model_class"].endswith("ForConditionalGeneration"):
        return int(case["config"]["vocab_size"] * case["config"]["d_model"])
    return 0


@pytest.mark.parametrize("case_id", BUILT)
def test_recipe_family_config_counts_exactly_what_transformers_builds(case_id: str) -> None:
    case = CASES[case_id]
    report = count(case["config_input"], case_id, tie_policy="transformers")
    assert report.total == case["total"]
    assert report.total + report.tied == case["total_with_duplicates"]
    params, aliases = written_out(report)
    if case["parameters_truncated"]:
        params = truncate(params, case["repeated"])
    assert params == case["parameters"]
    assert sorted(aliases) == sorted(case["aliases"])
    weight_tied = any(name.startswith(OUTPUT_ROWS) and name.endswith("weight") for pair in aliases for name in pair)
    # Marian without a shared table: lm_head is the decoder's table, not get_input_embeddings() (the encoder's)
    assert weight_tied == case["tied"] or (weight_tied and case["model_class"] == "MarianMTModel")


@pytest.mark.parametrize("case_id", BUILT)
def test_frozen_parameters_are_counted_but_not_trainable(case_id: str) -> None:
    case = CASES[case_id]
    report = count(case["config_input"], case_id, tie_policy="transformers")
    frozen = [
        f"{row.name}.{term.path}" if term.path else row.name
        for row in report.expanded().layers
        for term in row.terms
        if term.counted and not term.trainable
    ]
    if case["parameters_truncated"]:
        frozen = [name for name, _ in truncate([[n, []] for n in frozen], case["repeated"])]
        expected = [name for name, _ in truncate([[n, []] for n in case["frozen"]], case["repeated"])]
    else:
        expected = case["frozen"]
    assert frozen == expected


@pytest.mark.parametrize("case_id", BUILT)
def test_recipe_family_config_as_transformers_saves_it_counts_the_same(case_id: str) -> None:
    case = CASES[case_id]
    assert count(case["config"], case_id).total == case["total"]


@pytest.mark.parametrize("case_id", BUILT)
def test_default_count_is_the_checkpoint(case_id: str) -> None:
    case = CASES[case_id]
    report = count(case["config_input"], case_id)
    assert report.total == case["total"] + checkpoint_lm_head(case)
    if checkpoint_lm_head(case):
        assert any("from_config ties lm_head.weight" in note for note in report.notes)


@pytest.mark.parametrize("case_id", REFUSED)
def test_config_transformers_refuses_is_refused_with_a_reason(case_id: str) -> None:
    case = CASES[case_id]
    with pytest.raises(SpecError) as caught:
        count(case["config_input"], case_id)
    assert "\n" not in caught.value.message


@pytest.mark.parametrize("case_id", [c for c in BUILT if CASES[c]["kind"] == "published"])
def test_every_row_formula_equals_its_terms(case_id: str) -> None:
    report = count(CASES[case_id]["config_input"], case_id)
    for row in report.layers:
        assert row.formula is not None
        assert evaluate(row.formula, dict(row.symbols)) * row.repeat == row.params + row.tied, row.name


def test_every_recipe_family_and_model_class_has_goldens() -> None:
    classes = {
        (case["config_input"]["model_type"], case["model_class"]) for case in CASES.values() if "refused" not in case
    }
    expected = {(mt, name) for mt, recipe in RECIPES.items() for name in recipe.heads}
    assert expected <= classes
    kinds = {(case["config_input"]["model_type"], case["kind"]) for case in CASES.values()}
    for mt in RECIPES:
        assert {(mt, "published"), (mt, "random")} <= kinds, mt


def test_recipe_types_listed_for_lazy_loading_are_the_recipes() -> None:
    assert set(RECIPES) == RECIPE_TYPES
    assert not RECIPE_TYPES & set(FAMILIES)


def test_missing_architectures_names_the_class_assumed() -> None:
    report = count({"model_type": "roberta", "num_hidden_layers": 1}, "<test>")
    assert any("counted as RobertaModel" in note for note in report.notes)


def test_albert_counts_its_shared_layers_once() -> None:
    config = {"model_type": "albert", "architectures": ["AlbertModel"], "num_hidden_layers": 12}
    deeper = count({**config, "num_hidden_layers": 48}, "<test>")
    assert count(config, "<test>").total == deeper.total
    assert any("counted once" in note for note in deeper.notes)


def _spec_cases() -> list[tuple[str, str]]:
    out = []
    for path in sorted(SPECS.glob("*.config.json")):
        config = json.loads(path.read_text(encoding="utf-8"))
        matches = [c for c in BUILT if CASES[c]["config_input"] == config]
        if config.get("model_type") in RECIPES:
            assert matches, f"{path.name} is not a golden config_input"  # a published size may equal the defaults
            out.append((path.name, matches[0]))
    return out


@pytest.mark.parametrize(("spec", "case_id"), _spec_cases())
def test_example_configs_count_as_their_golden(run_cli: RunCli, spec: str, case_id: str) -> None:
    result = run_cli("summary", str(SPECS / spec), "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["total"] == CASES[case_id]["total"] + checkpoint_lm_head(CASES[case_id])
    assert doc["name"] == CASES[case_id]["model_class"]


FOREIGN = sorted(c for c in CASES if "-foreign-" in c)


@pytest.mark.parametrize("case_id", FOREIGN)
def test_architectures_naming_another_familys_class_counts_this_familys_class_for_that_task(case_id: str) -> None:
    case = CASES[case_id]
    spec = spec_from_config(case["config_input"], case_id)
    assert spec.name == case["model_class"]
    assert analyze(spec).total == case["total"]
    named = case["config_input"]["architectures"][0]
    assert any(note.startswith(f"architectures names {named}, not a ") for note in spec.notes)


def test_architectures_naming_an_unknown_task_is_refused_with_the_familys_classes() -> None:
    with pytest.raises(SpecError, match="architecture FooBar is not supported for model_type 'distilbert'") as info:
        spec_from_config({"model_type": "distilbert", "architectures": ["FooBar"]}, "config.json")
    assert "DistilBertForMultipleChoice" in str(info.value.hint)
