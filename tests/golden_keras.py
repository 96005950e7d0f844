"""Helpers to compare paramcalc with the Keras 3 golden corpus (tests/golden/keras/*.json).

The corpus is written by ``tools/keras_golden.py`` from real Keras; each model holds the
spec (contract form), and for every layer Keras' class, output shape, parameter count and
weights (name, path, shape, trainable).  Tests call :func:`assert_model_matches`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from paramcalc.engine import analyze
from paramcalc.render.summary_text import totals_lines
from paramcalc.report import Report

KERAS_GOLDEN = Path(__file__).resolve().parent / "golden" / "keras"


@cache
def load_family(family: str) -> dict[str, Any]:
    """One golden file (``core``, ``conv``, ...) as parsed JSON."""
    with open(KERAS_GOLDEN / f"{family}.json", encoding="utf-8") as handle:
        return json.load(handle)  # type: ignore[no-any-return]


def model_ids(family: str) -> list[str]:
    """Ids of the models in a family, for pytest parametrisation."""
    return [model["id"] for model in load_family(family)["models"]]


def get_model(family: str, model_id: str) -> dict[str, Any]:
    """One golden model by id."""
    for model in load_family(family)["models"]:
        if model["id"] == model_id:
            return model  # type: ignore[no-any-return]
    raise KeyError(model_id)


def report_for_spec(spec: dict[str, Any], source: str = "<golden>") -> Report:
    """Count a spec given as the dict a YAML file would load to (goes through the YAML reader)."""
    import yaml

    from paramcalc.spec.yaml_spec import load_yaml

    return analyze(load_yaml(yaml.safe_dump(spec, sort_keys=False), source))


def assert_model_matches(case: dict[str, Any], report: Report | None = None) -> None:
    """Every layer's class, output shape, count and weights, and the totals, equal Keras'."""
    report = report or report_for_spec(case["spec"], case["id"])
    got_layers = {row.name: row for row in report.layers}
    want_names = [layer["name"] for layer in case["layers"]]
    assert [row.name for row in report.layers] == want_names, f"{case['id']}: layer names/order differ"
    for want in case["layers"]:
        row = got_layers[want["name"]]
        where = f"{case['id']}/{want['name']}"
        assert row.class_name == want["class"], where
        shapes = [[None, *s] for s in row.outputs]
        got_shape: Any = shapes if row.multi_output else shapes[0]
        assert got_shape == want["output_shape"], f"{where}: output shape {got_shape} != {want['output_shape']}"
        assert row.params == want["params"], f"{where}: params {row.params} != {want['params']}"
        params = [t for t in row.terms if not t.buffer]
        got_weights = [(t.weight, list(t.shape), t.trainable) for t in params]
        want_weights = [(w["name"], w["shape"], w["trainable"]) for w in want["weights"]]
        assert got_weights == want_weights, f"{where}: weights differ"
        for term, weight in zip(params, want["weights"], strict=True):
            assert weight["path"].endswith(term.path), f"{where}: path {weight['path']} vs {term.path}"
    assert report.total == case["total"], case["id"]
    assert report.trainable == case["trainable"], case["id"]
    assert report.non_trainable == case["non_trainable"], case["id"]
    lines = dict(totals_lines(report))
    summary = case["summary"]
    got_summary = [lines["Total params"], lines["Trainable params"], lines["Non-trainable params"]]
    assert got_summary == [summary["total"], summary["trainable"], summary["non_trainable"]], case["id"]
