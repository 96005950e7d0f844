"""Quantized Keras models are counted as Keras counts them, or refused with one line.

``tests/golden/keras_quantized/quantized.json`` (``tools/keras_golden_preprocessing.py``)
holds corpus models after ``model.quantize("int8" | "int4" | "float8")``: their
``to_json()`` and the layers Keras builds back from it (packed int4 kernels, scales, zero
points, float8 amax histories; Keras' trainable split and variable order), and models
whose layers are given a quantized ``dtype`` policy in the spec itself.  Six of them are
also real ``.keras`` archives under ``tests/data/keras_quantized``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli
from golden_keras import assert_model_matches, report_for_spec

from paramcalc.engine import analyze
from paramcalc.report import Report
from paramcalc.spec import parse_text

TESTS = Path(__file__).resolve().parent
GOLDEN = TESTS / "golden" / "keras_quantized" / "quantized.json"


@cache
def models() -> list[dict[str, Any]]:
    with open(GOLDEN, encoding="utf-8") as handle:
        return json.load(handle)["models"]  # type: ignore[no-any-return]


def from_json(document: dict[str, Any], source: str) -> Report:
    return analyze(parse_text(json.dumps(document).encode(), source))


QUANTIZED = [m["id"] for m in models() if "quantize" in m]
DTYPE_SPECS = [m["id"] for m in models() if "quantize" not in m]


def case(model_id: str) -> dict[str, Any]:
    return next(m for m in models() if m["id"] == model_id)


def test_corpus_covers_every_mode_and_each_quantized_layer_class() -> None:
    modes = {case(i)["quantize"] for i in QUANTIZED}
    assert modes == {"int8", "int4", "float8"}
    classes = {
        layer["class"]
        for m in models()
        for layer in m["layers"]
        if any(w["name"].endswith(("_scale", "_amax_history")) for w in layer["weights"])
    }
    assert classes == {"Dense", "Embedding", "ReversibleEmbedding", "EinsumDense", "TimeDistributed", "Sequential"}
    assert len(models()) >= 60


@pytest.mark.parametrize("model_id", QUANTIZED)
def test_quantized_model_json_is_counted_as_keras_builds_it(model_id: str) -> None:
    record = case(model_id)
    assert_model_matches(record, from_json(record["keras_json"], f"{model_id}.json"))


@pytest.mark.parametrize("model_id", DTYPE_SPECS)
def test_quantized_dtype_policy_in_a_spec_is_counted_as_keras_builds_it(model_id: str) -> None:
    record = case(model_id)
    assert_model_matches(record)  # from the YAML spec
    assert_model_matches(record, from_json(record["keras_json"], f"{model_id}.json"))


def test_quantized_counts_differ_from_the_float_model() -> None:
    """Never counted as if unquantized: int8 adds scales but stores 1 byte per weight,
    int4 packs two weights in a byte (fewer stored elements than the float model)."""
    float_report = report_for_spec(case("mlp_int8")["spec"])  # the spec is the model before quantize()
    int8 = from_json(case("mlp_int8")["keras_json"], "mlp_int8.json")
    int4 = from_json(case("mlp_int4")["keras_json"], "mlp_int4.json")
    assert int4.total < float_report.total < int8.total
    assert int8.non_trainable > 0
    assert float_report.non_trainable == 0
    assert int8.bytes < float_report.bytes


ARCHIVES = sorted((TESTS / "data" / "keras_quantized").glob("*.keras"))


@pytest.mark.parametrize("path", ARCHIVES, ids=[p.stem for p in ARCHIVES])
def test_quantized_keras_archive_is_counted_as_keras_loads_it(path: Path, run_cli: RunCli) -> None:
    record = case(path.stem)
    assert record["archive"] == f"tests/data/keras_quantized/{path.name}"
    result = run_cli("summary", str(path), "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert (doc["total"], doc["trainable"], doc["non_trainable"]) == (
        record["total"],
        record["trainable"],
        record["non_trainable"],
    )
    assert_model_matches(record, analyze(parse_text(path.read_bytes(), str(path))))


def _policy(class_name: str, config: dict[str, Any]) -> dict[str, Any]:
    return {"module": "keras.dtype_policies", "class_name": class_name, "config": config, "registered_name": None}


def _with_policy(model_id: str, layer: str, policy: Any, **config: Any) -> dict[str, Any]:
    document = json.loads(json.dumps(case(model_id)["keras_json"]))
    for entry in document["config"]["layers"]:
        if entry["config"].get("name") == layer:
            entry["config"]["dtype"] = policy
            entry["config"].update(config)
    return document


REFUSED = {
    "gptq": (
        _with_policy(
            "tiny_dense_int8", "dense", _policy("GPTQDTypePolicy", {"mode": "gptq/4/128", "source_name": "float32"})
        ),
        "'gptq/4/128_from_float32' is not supported for Dense",
    ),
    "awq": (
        _with_policy(
            "tiny_dense_int8", "dense", _policy("AWQDTypePolicy", {"mode": "awq/4/128", "source_name": "float32"})
        ),
        "'awq/4/128_from_float32' is not supported for Dense",
    ),
    "policy_map": (
        _with_policy("tiny_dense_int8", "dense", {"module": "keras", "class_name": "DTypePolicyMap", "config": {}}),
        "DTypePolicyMap",
    ),
    "conv_int8": (
        _with_policy(
            "conv_dense_int8", "conv2d", _policy("QuantizedDTypePolicy", {"mode": "int8", "source_name": "float32"})
        ),
        "'int8_from_float32' is not supported for Conv2D",
    ),
    "embedding_float8": (
        _with_policy(
            "tiny_embedding_int8",
            "embedding",
            _policy("QuantizedFloat8DTypePolicy", {"mode": "float8", "source_name": "float32"}),
        ),
        "'float8_from_float32' is not supported for Embedding",
    ),
    "einsum_ellipsis": (
        _with_policy(
            "einsum_dense_int8",
            "einsum_dense",
            _policy("QuantizedDTypePolicy", {"mode": "int8", "source_name": "float32"}),
            equation="...b,bc->...c",
            output_shape=[64],
            bias_axes="c",
        ),
        "only equations without '...'",
    ),
    "string_without_source": (
        _with_policy("tiny_dense_int8", "dense", "int8"),
        "is not a dtype policy Keras can read",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_quantized_policy_paramcalc_cannot_count_is_refused_naming_layer_and_policy(
    name: str, run_cli: RunCli, tmp_path: Path
) -> None:
    document, message = REFUSED[name]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document))
    result = run_cli("summary", str(path))
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert message in result.err
    assert "layer " in result.err  # names the layer by position and name


def test_quantized_dtype_string_needs_a_source(run_cli: RunCli) -> None:
    result = run_cli("summary", "Input(shape=(4,)) | Dense(3, dtype='float8')")
    assert result.code == 2
    assert "write 'float8_from_float32'" in result.err


def test_wrapped_quantized_layer_keeps_its_quantized_weights() -> None:
    from paramcalc.spec.inline_spec import parse_inline

    report = analyze(parse_inline("Input(shape=(5, 4)) | TimeDistributed(Dense(3, dtype='int8_from_float32'))"))
    terms = [(t.weight, t.shape, t.trainable, t.dtype) for t in report.layers[0].terms]
    assert terms == [
        ("bias", (3,), True, "float32"),
        ("kernel", (4, 3), False, "int8"),
        ("kernel_scale", (3,), False, "float32"),
    ]


NESTED_GOLDEN = TESTS / "golden" / "keras_quantized" / "quantized_nested.json"
NESTED_ARCHIVES = sorted((TESTS / "data" / "keras_quantized_nested").glob("*.keras"))


@cache
def nested_models() -> dict[str, dict[str, Any]]:
    with open(NESTED_GOLDEN, encoding="utf-8") as handle:
        return {m["id"]: m for m in json.load(handle)["models"]}


def test_nested_corpus_quantizes_inside_wrappers_and_nested_models() -> None:
    """The layers holding quantized weights include wrappers and nested models of both kinds."""
    holders = {
        layer["class"]
        for m in nested_models().values()
        for layer in m["layers"]
        if any(w["name"].endswith("_scale") for w in layer["weights"])
    }
    assert {"TimeDistributed", "Sequential", "Functional"} <= holders
    assert len(NESTED_ARCHIVES) == len(nested_models()) == 11


@pytest.mark.parametrize("path", NESTED_ARCHIVES, ids=[p.stem for p in NESTED_ARCHIVES])
def test_quantized_layers_in_wrappers_and_nested_models_from_a_keras_archive(path: Path, run_cli: RunCli) -> None:
    """Keras' record is the model it loads back from this archive (``load_model``)."""
    record = nested_models()[path.stem]
    assert record["archive"] == f"tests/data/keras_quantized_nested/{path.name}"
    assert_model_matches(record, analyze(parse_text(path.read_bytes(), str(path))))
    assert_model_matches(record, from_json(record["keras_json"], f"{path.stem}.json"))
    result = run_cli("summary", str(path), "--expand-nested")
    assert result.code == 0, result.err
    assert f"Trainable params: {record['summary']['trainable']}" in result.out
    assert f"Non-trainable params: {record['summary']['non_trainable']}" in result.out


def _quantized_rows(rows: Any) -> list[Any]:
    """The rows under a quantized policy, nested models' layers included."""
    from paramcalc.dtypes import quantized_policy_name

    out = []
    for row in rows:
        out += _quantized_rows(row.children)
        if quantized_policy_name(row.args.get("dtype")) is not None:
            out.append(row)
    return out


@pytest.mark.parametrize("model_id", QUANTIZED + DTYPE_SPECS)
def test_quantized_closed_form_and_symbolic_sizes_equal_the_weights(model_id: str) -> None:
    """explain's closed form of a quantized layer sums its weights; each size reads symbolically."""
    from paramcalc.formula import evaluate

    rows = _quantized_rows(from_json(case(model_id)["keras_json"], f"{model_id}.json").layers)
    assert rows or model_id.endswith("_float8"), model_id  # float8 leaves embeddings as they are
    for row in rows:
        symbols = dict(row.symbols)
        assert row.formula is not None
        assert evaluate(row.formula, symbols) == sum(t.count for t in row.terms), (row.name, row.formula)
        for term in row.terms:
            assert term.dims is not None, term
            assert len(term.dims) == len(term.shape), term
            assert tuple(evaluate(d, symbols) for d in term.dims) == term.shape, (row.name, term.weight, term.dims)
        assert set(dict(row.legend)) <= set(symbols)
        assert "Under the quantized policy" in row.why


def test_explain_of_a_quantized_dense_shows_its_terms_and_keras_trainable_split(run_cli: RunCli) -> None:
    record = case("dense_int8_dtype")  # Dense(7, dtype='int8_from_float32') on 10 inputs
    result = run_cli("explain", "Dense(7, dtype='int8_from_float32')", "--input", "10")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert "Under the quantized policy 'int8_from_float32'" in result.out
    assert [line.split()[:3] for line in lines if line.strip().startswith(("b ", "Q ", "s "))] == [
        ["b", "bias", "n"],
        ["Q", "kernel", "m"],
        ["s", "kernel_scale", "n"],
    ]
    assert f"  trainable       {record['trainable']}  b" in lines
    assert f"  non-trainable  {record['non_trainable']}  Q (int8), s" in lines
    packed = run_cli("explain", "Dense(7, dtype='int4/4_from_float32')", "--input", "10").out
    for symbol in ("c_p = 4", "g_b = 3", "k_b = 4"):
        assert symbol in packed
    assert "kernel        m × c_p = 10 × 4" in packed
    assert "closed form: n + m·c_p + g_b·n + g_b·n + m" in packed
