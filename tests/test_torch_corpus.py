"""Every case of the PyTorch conformance corpus (tests/golden/torch/*.json) against paramcalc.

The corpus is written by ``tools/torch_golden.py`` from real torch 2.13.0 (see
tests/golden/torch/README.md).  For each case the spec goes through the YAML reader and the
engine, and every layer must match torch: its class, every parameter's name, shape and
requires_grad in ``named_parameters()`` order, every buffer, the output shape passed on (and
the whole nested tuple output), the model input shape, and the totals.  An unsupported case
fails; nothing is skipped.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from paramcalc.engine import analyze
from paramcalc.report import Report
from paramcalc.spec.yaml_spec import load_yaml

GOLDEN = Path(__file__).resolve().parent / "golden" / "torch"
FAMILIES = ("linear_embedding", "recurrent", "conv", "norm", "attention_transformer", "misc", "lecture")


@cache
def cases() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for family in FAMILIES:
        doc = json.loads((GOLDEN / f"{family}.json").read_text(encoding="utf-8"))
        assert doc["family"] == family
        for case in doc["cases"]:
            assert case["id"] not in out, case["id"]
            out[case["id"]] = case
    return out


def report_for(case: dict[str, Any]) -> Report:
    text = yaml.safe_dump(case["spec"], sort_keys=False)
    return analyze(load_yaml(text, case["id"]))


def test_corpus_is_complete() -> None:
    assert len(cases()) == 588
    classes = {layer["class"] for case in cases().values() for layer in case["layers"]}
    assert len(classes) >= 100


@pytest.mark.parametrize("case_id", sorted(cases()))
def test_case_matches_torch(case_id: str) -> None:
    case = cases()[case_id]
    report = report_for(case)
    assert report.framework == "pytorch"
    assert len(report.layers) == len(case["layers"]), "layer count"
    for row, want in zip(report.layers, case["layers"], strict=True):
        where = f"{case_id} layer {want['index']} ({want['class']})"
        assert row.class_name == want["class"], where
        params = [(t.weight, list(t.shape), t.trainable) for t in row.terms if not t.buffer]
        assert params == [(p["name"], p["shape"], p["requires_grad"]) for p in want["parameters"]], where
        buffers = [(t.weight, list(t.shape)) for t in row.terms if t.buffer]
        assert buffers == [(b["name"], b["shape"]) for b in want["buffers"]], where
        doc = row.to_dict()
        assert doc["output_shape"] == want["output_shape"], where
        assert doc.get("outputs") == want.get("outputs"), where
        if want["output_shape"] is None:
            assert not row.known_outputs, where
    first = report.layers[0]
    got_input = [list(first.input_shapes[0])] if first.input_shapes else [None]
    assert got_input == [case["input_shape"]], f"{case_id}: model input shape"
    assert report.total == case["total"], case_id
    assert report.trainable == case["trainable"], case_id


@pytest.mark.parametrize("case_id", sorted(cases()))
def test_case_formulas_equal_their_terms(case_id: str) -> None:
    from paramcalc.formula import evaluate

    for row in report_for(cases()[case_id]).layers:
        symbols = dict(row.symbols)
        assert row.formula is not None, row.class_name
        assert evaluate(row.formula, symbols) == row.params, f"{case_id}: {row.class_name} {row.formula}"
        for term in row.terms:
            if term.dims is not None:
                assert tuple(evaluate(d, symbols) for d in term.dims) == term.shape, f"{case_id}: {term.weight}"
