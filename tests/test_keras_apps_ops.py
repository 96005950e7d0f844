"""Every keras.applications model, and functional graphs with keras.ops, against real Keras 3.

The goldens come from ``tools/keras_apps_golden.py``: each model's ``model.to_json()`` and
its ``.keras`` archive (``config.json`` as Keras' saving code writes it), with what Keras'
summary shows layer by layer in Keras' order, ops included: name, class, output shape,
parameter count, "Connected to", each weight's name, shape, trainability and path, and the
totals.  paramcalc must read both forms and agree on all of it.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli

from paramcalc.engine import analyze
from paramcalc.render.summary_text import totals_lines
from paramcalc.report import LayerRow, Report
from paramcalc.rules import REQUIRED, all_rules
from paramcalc.spec import parse_text
from paramcalc.spec.keras_json import from_document

GOLDEN = Path(__file__).resolve().parent / "golden" / "keras_apps"


@cache
def family(name: str) -> dict[str, Any]:
    """``applications`` or ``ops``: the golden records."""
    return json.loads(gzip.decompress((GOLDEN / f"{name}.json.gz").read_bytes()))  # type: ignore[no-any-return]


def case(name: str, case_id: str) -> dict[str, Any]:
    return next(model for model in family(name)["models"] if model["id"] == case_id)


def ids(name: str) -> list[str]:
    return [model["id"] for model in family(name)["models"]]


def shown_shape(row: LayerRow) -> Any:
    """The output shape(s) as Keras lists them: batch axis included, a list for several outputs."""
    shapes = [list(s) if row.batch_in_shapes else [None, *s] for s in row.outputs]
    return shapes if len(shapes) > 1 or row.multi_output else shapes[0]


def assert_matches(report: Report, want: dict[str, Any]) -> None:
    """Layer by layer (Keras' order, names, classes, shapes, counts, connections, weights), then totals."""
    where = want["id"]
    assert [row.name for row in report.layers] == [layer[0] for layer in want["layers"]], f"{where}: order"
    for row, (name, class_name, shape, params, connections, weights) in zip(report.layers, want["layers"], strict=True):
        at = f"{where}/{name}"
        assert row.class_name == class_name, at
        assert shown_shape(row) == shape, f"{at}: {shown_shape(row)} != {shape}"
        assert row.params == params, at
        assert list(row.connections) == connections, f"{at}: {row.connections} != {connections}"
        terms = [t for t in row.terms if not t.buffer]
        assert [(t.weight, list(t.shape), t.trainable) for t in terms] == [(w[0], w[1], w[2]) for w in weights], at
        for term, weight in zip(terms, weights, strict=True):
            assert weight[3].endswith(term.path), f"{at}: {weight[3]} vs {term.path}"
    assert (report.total, report.trainable, report.non_trainable) == (
        want["total"],
        want["trainable"],
        want["non_trainable"],
    ), where
    lines = dict(totals_lines(report))
    summary = want["summary"]
    got = [lines["Total params"], lines["Trainable params"], lines["Non-trainable params"]]
    assert got == [summary["total"], summary["trainable"], summary["non_trainable"]], where


@pytest.mark.parametrize("case_id", ids("applications"))
def test_application_model_json_matches_keras(case_id: str) -> None:
    text = gzip.decompress((GOLDEN / f"{case_id}.json.gz").read_bytes())
    assert_matches(analyze(parse_text(text, f"{case_id}.json")), case("applications", case_id))


@pytest.mark.parametrize("case_id", ids("applications"))
def test_application_keras_archive_matches_keras(case_id: str) -> None:
    data = (GOLDEN / f"{case_id}.keras").read_bytes()
    assert_matches(analyze(parse_text(data, f"{case_id}.keras")), case("applications", case_id))


def test_every_keras_application_is_in_the_corpus() -> None:
    names = {model["call"].split("(", 1)[0] for model in family("applications")["models"]}
    defaults = {model["id"] for model in family("applications")["models"] if model["call"].endswith("(weights=None)")}
    assert names == defaults  # each application once with its defaults, and only those have variants
    assert len(defaults) >= 40
    assert {"NASNetMobile", "NASNetLarge", "ConvNeXtTiny", "MobileNetV3Small", "InceptionResNetV2"} <= defaults
    assert case("applications", "NASNetMobile")["backend"] == "jax"
    assert len(family("applications")["models"]) >= len(defaults) + 20


@pytest.mark.parametrize("case_id", ids("ops"))
def test_graph_with_keras_ops_matches_keras(case_id: str) -> None:
    want = case("ops", case_id)
    assert_matches(analyze(from_document(want["keras_json"], case_id)), want)


@pytest.mark.parametrize("case_id", ids("ops"))
def test_graph_with_keras_ops_from_a_keras_archive_matches_keras(case_id: str) -> None:
    want = case("ops", case_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("config.json", json.dumps(want["keras_archive_config"]))
    assert_matches(analyze(parse_text(buffer.getvalue(), f"{case_id}.keras")), want)


def test_the_ops_corpus_covers_hand_written_and_random_graphs() -> None:
    all_ids = ids("ops")
    assert sum(i.startswith("ops_random_") for i in all_ids) >= 40
    classes = {layer[1] for model in family("ops")["models"] for layer in model["layers"]}
    wanted = {"Add", "Subtract", "Multiply", "Divide", "Matmul", "Concatenate", "Stack", "Reshape", "Transpose"}
    wanted |= {"ExpandDims", "Squeeze", "Mean", "Sum", "Max", "Min", "Clip", "Where", "Relu", "Sigmoid"}
    wanted |= {"HardSigmoid", "Softmax", "Cast", "GetItem", "Split", "ReLU", "TopK", "OneHot"}
    assert wanted <= classes


SIGNATURES = Path(__file__).resolve().parent / "golden" / "keras_signatures.json"
OP_RULES = all_rules("keras.ops")


@cache
def op_signatures() -> dict[str, Any]:
    """Each keras.ops Operation class's call and constructor parameters, from real Keras."""
    return json.loads(SIGNATURES.read_text(encoding="utf-8"))["ops"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(OP_RULES))
def test_op_rule_takes_the_keras_call_then_constructor_arguments(name: str) -> None:
    want = op_signatures()[name]
    found = OP_RULES[name]
    call = [key.lstrip("*") for key in want["call"]]  # *operands: the reader passes them as one list
    assert list(found.positional) == [*call, *want["init"]], name
    for key, value in found.params:
        default = want["defaults"].get(key, "<required>")
        if value is REQUIRED:
            assert default == "<required>", f"{name}.{key}: Keras has a default"
        else:
            assert default == (list(value) if isinstance(value, tuple) else value), f"{name}.{key}"


def test_most_keras_ops_have_a_rule() -> None:
    assert len(OP_RULES) >= 200
    assert set(OP_RULES) <= set(op_signatures())


NOT_TRACEABLE = {"Abs", "Conj", "Mish"}
"""Op classes no keras.ops function creates on a symbolic tensor (``ops.abs`` makes ``Absolute``,
``ops.conj`` makes ``Conjugate``; ``keras.activations.mish`` cannot take a KerasTensor)."""


def test_every_op_rule_is_checked_against_keras_in_a_graph() -> None:
    seen = {layer[1] for model in family("ops")["models"] for layer in model["layers"]}
    assert set(OP_RULES) - seen == NOT_TRACEABLE


def test_summary_prints_ops_as_keras_does(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(case("ops", "ops_reductions")["keras_json"]), encoding="utf-8")
    result = run_cli("summary", str(path))
    assert result.code == 0, result.err
    rows = [line for line in result.out.splitlines() if "sum_1 (Sum)" in line or "sum (Sum)" in line]
    assert any("(None, 1, 1, 4)" in line for line in rows)
    assert any("()" in line for line in rows)  # ops.sum(x) over every axis, batch included
