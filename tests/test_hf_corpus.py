"""Every Hugging Face golden config, counted by paramcalc, equals what transformers builds.

The goldens (tests/golden/hf/configs.json from tools/hf_golden.py, extra.json from
tools/hf_golden_extra.py) hold, per case, the config.json a user has (``config_input``), the
full saved config (``config``), and what transformers 5.24 built from it on the meta device:
totals, tying, active parameters per token for MoE, and every parameter's name and shape in
``named_parameters()`` order (published sizes keep only the first and last layer of each
repeated stack; ``repeated`` says which).  Here paramcalc's terms, written out layer by layer,
must reproduce all of it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest
from conftest import GOLDEN, SPECS, RunCli

from paramcalc.engine import analyze
from paramcalc.errors import ParamcalcError
from paramcalc.report import Report
from paramcalc.spec.hf_config import spec_from_config
from paramcalc.spec.hf_families import ARCHS, FAMILIES, RECIPE_TYPES

FILES = ("configs.json", "extra.json", "arch.json")
OUTPUT_ROWS = ("lm_head", "cls.predictions")
"""Rows holding a model's output embedding (what transformers' ``get_output_embeddings`` returns)."""


@cache
def golden(name: str) -> dict[str, Any]:
    with open(GOLDEN / "hf" / name, encoding="utf-8") as handle:
        return json.load(handle)  # type: ignore[no-any-return]


def all_cases() -> list[dict[str, Any]]:
    return [case for name in FILES for case in golden(name)["cases"]]


CASES = {case["id"]: case for case in all_cases()}


def count(config: dict[str, Any], case_id: str, tie_policy: str = "checkpoint") -> Report:
    return analyze(spec_from_config(config, case_id, tie_policy=tie_policy))


def written_out(report: Report) -> tuple[list[list[Any]], list[list[str]]]:
    """(parameters, aliases) as transformers lists them: full names, shapes, tied copies apart."""
    params: list[list[Any]] = []
    aliases: list[list[str]] = []
    for row in report.expanded().layers:
        for term in row.terms:
            name = f"{row.name}.{term.path}"
            if term.tied_to:
                aliases.append([name, term.tied_to])
            elif term.counted:
                params.append([name, list(term.shape)])
    return params, aliases


def truncate(params: list[list[Any]], repeated: list[list[Any]]) -> list[list[Any]]:
    """Keep what the golden keeps for published sizes: layers 0 and L-1 of each repeated stack."""

    def keep(name: str) -> bool:
        for prefix, length in repeated:
            if name.startswith(prefix + "."):
                index = int(name[len(prefix) + 1 :].split(".", 1)[0])
                if index not in (0, length - 1):
                    return False
        return True

    return [p for p in params if keep(p[0])]


def head_is_tied(report: Report) -> bool:
    return any(
        term.tied_to and term.path.endswith("weight")
        for row in report.layers
        if row.name in OUTPUT_ROWS
        for term in row.terms
    )


def t5_untied(case: dict[str, Any]) -> bool:
    """T5 v1.1-style config: says untied, but transformers 5 builds it tied (see docs/hf-notes.md)."""
    config = case["config_input"]
    return config["model_type"] == "t5" and config.get("tie_word_embeddings") is False


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_golden_config_matches_transformers_exactly(case_id: str) -> None:
    case = CASES[case_id]
    report = count(case["config_input"], case_id, tie_policy="transformers")
    assert report.total == case["total"]
    assert report.total + report.tied == case["total_with_duplicates"]
    assert head_is_tied(report) == case["tied"]
    assert report.active == case["active_per_token"]
    assert report.routed == bool(case["moe"] and case["moe"]["moe_layers"])
    params, aliases = written_out(report)
    if case["parameters_truncated"]:
        params = truncate(params, case["repeated"])
    assert params == case["parameters"]
    assert aliases == case["aliases"]


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_config_as_transformers_saves_it_counts_the_same(case_id: str) -> None:
    case = CASES[case_id]
    assert count(case["config"], case_id).total == case["total"]


@pytest.mark.parametrize("case_id", sorted(c for c in CASES if not t5_untied(CASES[c])))
def test_default_count_is_what_transformers_builds(case_id: str) -> None:
    case = CASES[case_id]
    assert count(case["config_input"], case_id).total == case["total"]


@pytest.mark.parametrize("case_id", sorted(c for c in CASES if t5_untied(CASES[c])))
def test_t5_untied_config_counts_the_checkpoint_lm_head(case_id: str) -> None:
    case = CASES[case_id]
    report = count(case["config_input"], case_id)
    config = case["config"]
    lm_head = config["vocab_size"] * config["d_model"]
    has_lm_head = case["model_class"] == "T5ForConditionalGeneration"
    assert report.total == case["total"] + (lm_head if has_lm_head else 0)
    assert not head_is_tied(report)
    checkpoint = re.search(r"\(([\d,]+) parameters in the checkpoint\)", case["note"] or "")
    if checkpoint:
        assert report.total == int(checkpoint.group(1).replace(",", ""))
    if has_lm_head:
        assert any("from_config ties lm_head.weight" in note for note in report.notes)


def test_corpus_covers_every_family_and_class() -> None:
    classes = {case["model_class"] for case in all_cases()}
    families = {case["config_input"]["model_type"] for case in all_cases()}
    assert families == set(FAMILIES)
    named = {name for family in FAMILIES.values() for name in family.architectures}
    assert named <= classes, f"no golden case for {sorted(named - classes)}"
    assert len(golden("configs.json")["cases"]) == 107


def test_every_table_family_has_defaults_published_and_random_goldens() -> None:
    kinds: dict[str, set[str]] = {}
    for case in golden("arch.json")["cases"] + golden("arch.json")["refused"]:
        kind = case.get("kind") or ("defaults" if "-defaults-" in case["id"] else "refused")
        kinds.setdefault(case["config_input"]["model_type"], set()).add(kind.split("-")[0])
    for model_type in ARCHS:
        assert {"defaults", "published", "random"} <= kinds[model_type], model_type


def _spec_cases() -> list[tuple[str, str]]:
    out = []
    for path in sorted(SPECS.glob("*.config.json")):
        config = json.loads(path.read_text(encoding="utf-8"))
        if config.get("model_type") in RECIPE_TYPES:  # checked by test_hf_recipes.py
            continue
        matches = [c["id"] for c in all_cases() if c["config_input"] == config]
        assert len(matches) == 1, f"{path.name} is not a golden config_input"
        out.append((path.name, matches[0]))
    return out


@pytest.mark.parametrize(("spec", "case_id"), _spec_cases())
def test_example_configs_in_specs_match_their_golden(run_cli: RunCli, spec: str, case_id: str) -> None:
    case = CASES[case_id]
    result = run_cli("summary", str(SPECS / spec), "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    expected = case["total"]
    if t5_untied(case):
        expected += case["config"]["vocab_size"] * case["config"]["d_model"]
    assert doc["total"] == expected
    assert doc["framework"] == "transformers"
    assert doc["name"] == case["model_class"]
    if case["moe"] is not None:
        assert doc["active_per_token"] == case["active_per_token"]


REFUSED = {case["id"]: case for case in golden("arch.json")["refused"]}


@pytest.mark.parametrize("case_id", sorted(REFUSED))
def test_config_transformers_refuses_is_refused(case_id: str) -> None:
    with pytest.raises(ParamcalcError):
        count(REFUSED[case_id]["config_input"], case_id)


TOP_K_OVER_EXPERTS = sorted(c for c in CASES if c.endswith("-topk-over-experts"))


@pytest.mark.parametrize("case_id", TOP_K_OVER_EXPERTS)
def test_more_experts_per_token_than_experts_counts_every_expert_active_with_a_note(case_id: str) -> None:
    case = CASES[case_id]
    spec = spec_from_config(case["config_input"], case_id)
    report = analyze(spec)
    assert report.active == case["active_per_token"] == case["total"]
    assert any("exceeds the" in note and "active parameters count all" in note for note in spec.notes)


def test_every_moe_family_has_a_case_with_more_experts_per_token_than_experts() -> None:
    moe = {CASES[c]["config_input"]["model_type"] for c in CASES if CASES[c]["moe"] is not None}
    covered = {CASES[c]["config_input"]["model_type"] for c in TOP_K_OVER_EXPERTS}
    assert moe <= covered, sorted(moe - covered)


def test_active_per_token_never_exceeds_the_total_in_any_golden() -> None:
    for case_id, case in CASES.items():
        report = count(case["config_input"], case_id)
        assert report.active <= report.total, case_id
