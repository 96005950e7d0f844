"""Keras' own model files give the same reports as the YAML and inline specs of the model.

For every corpus model with a ``keras_json`` (the text of ``model.to_json()``), the
report read from that JSON equals the report of the model's YAML spec and both match
Keras (totals, per-layer counts, weights, output shapes, layer order).  Sequential models
are also written inline (``"Input(shape=(10, 8)) | Bidirectional(LSTM(16))"``) and must
give the same report again.  A ``.keras`` archive is a zip holding the same JSON.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli
from golden_keras import KERAS_GOLDEN, assert_model_matches, load_family, report_for_spec

from paramcalc.engine import analyze
from paramcalc.errors import ParamcalcError
from paramcalc.report import Report
from paramcalc.spec import parse_text
from paramcalc.spec.inline_spec import parse_inline
from paramcalc.spec.keras_json import from_document

FAMILIES = sorted(path.stem for path in KERAS_GOLDEN.glob("*.json"))


def json_cases() -> list[tuple[str, str]]:
    return [(f, m["id"]) for f in FAMILIES for m in load_family(f)["models"] if m["keras_json"] is not None]


def sequential_cases() -> list[tuple[str, str]]:
    return [(f, m["id"]) for f in FAMILIES for m in load_family(f)["models"] if m["model_class"] == "Sequential"]


def case_of(family: str, model_id: str) -> dict[str, Any]:
    return next(m for m in load_family(family)["models"] if m["id"] == model_id)


def layout(report: Report) -> list[tuple[Any, ...]]:
    """What must agree between two readings of one model (not the names given to refs)."""
    rows = []
    for row in report.rows(expand_nested=True):
        weights = [(t.path, t.shape, t.trainable) for t in row.terms]
        rows.append(
            (row.depth, row.name, row.class_name, row.outputs, row.multi_output, row.params, weights, row.calls)
        )
    return [*rows, ("totals", report.total, report.trainable, report.non_trainable, report.show_connections)]


def from_keras_json(document: dict[str, Any], source: str) -> Report:
    return analyze(parse_text(json.dumps(document).encode(), source))


JSON_CASES = json_cases()


@pytest.mark.parametrize(("family", "model_id"), JSON_CASES, ids=[f"{f}/{m}" for f, m in JSON_CASES])
def test_keras_json_report_equals_the_yaml_report_and_keras(family: str, model_id: str) -> None:
    case = case_of(family, model_id)
    from_json = from_keras_json(case["keras_json"], f"{model_id}.json")
    assert_model_matches(case, from_json)
    from_yaml = report_for_spec(case["spec"], model_id)
    assert layout(from_json) == layout(from_yaml)
    connections = [row.connections for row in from_json.layers]
    assert connections == [row.connections for row in from_yaml.layers]


def test_every_graph_and_nested_model_has_keras_json() -> None:
    families = {family for family, _ in JSON_CASES}
    assert {"attention", "merging", "graphs", "random_functional", "recurrent"} <= families
    assert len(JSON_CASES) >= 200


# ---------------------------------------------------------------------------- inline form
LAYER_KEYS = ("layer", "backward_layer", "cell")


def inline_call(entry: Any) -> str:
    """A spec layer entry as an inline call: ``{"LSTM": {"units": 8}}`` -> ``LSTM(units=8)``."""
    if isinstance(entry, str):
        return f"{entry}()"
    ((name, args),) = entry.items()
    if args is None:
        return f"{name}()"
    if isinstance(args, dict):
        parts = [f"{key}={inline_value(value, key in LAYER_KEYS)}" for key, value in args.items()]
    elif isinstance(args, list):
        parts = [inline_value(value, i == 0 and is_entry(value)) for i, value in enumerate(args)]
    else:
        parts = [inline_value(args, False)]
    return f"{name}({', '.join(parts)})"


def is_entry(value: Any) -> bool:
    return (isinstance(value, dict) and len(value) == 1 and re.fullmatch(r"[A-Z]\w*", next(iter(value)))) or (
        isinstance(value, str) and bool(re.fullmatch(r"[A-Z]\w*", value))
    )


def inline_value(value: Any, layer: bool) -> str:
    if layer and isinstance(value, list):
        return "[" + ", ".join(inline_call(item) for item in value) + "]"
    if layer and value is not None:
        return inline_call(value)
    return repr(value)


def expand(entries: list[Any]) -> list[Any] | None:
    """Repeat blocks copied out (None when a copy would need renamed layers)."""
    out: list[Any] = []
    for entry in entries:
        if isinstance(entry, dict) and "Repeat" in entry:
            block = entry["Repeat"]
            if "name" in json.dumps(block["layers"]):
                return None
            inner = expand(block["layers"])
            if inner is None:
                return None
            out += inner * block["times"]
        else:
            out.append(entry)
    return out


def inline_text(spec: dict[str, Any]) -> str | None:
    layers = expand(spec["layers"])
    if layers is None:
        return None
    calls = [inline_call(entry) for entry in layers]
    given = spec.get("input")
    if given is not None:
        shape, dtype = (given, None) if isinstance(given, list) else (given["shape"], given.get("dtype"))
        extra = f", dtype={dtype!r}" if dtype else ""
        calls.insert(0, f"Input(shape={tuple(shape)!r}{extra})")
    return " | ".join(calls)


INLINE_CASES = sequential_cases()


@pytest.mark.parametrize(("family", "model_id"), INLINE_CASES, ids=[f"{f}/{m}" for f, m in INLINE_CASES])
def test_inline_form_of_a_sequential_model_gives_the_same_report(family: str, model_id: str) -> None:
    case = case_of(family, model_id)
    text = inline_text(case["spec"])
    if text is None:  # named layers inside a Repeat block: inline has no Repeat
        assert "Repeat" in json.dumps(case["spec"])
        return
    from_inline = analyze(parse_inline(text))
    assert_model_matches(case, from_inline)
    assert layout(from_inline) == layout(report_for_spec(case["spec"], model_id))


def test_inline_wrappers_nest_layer_calls() -> None:
    report = analyze(parse_inline("Input(shape=(10, 8)) | Bidirectional(LSTM(16), merge_mode='sum') | Dense(1)"))
    assert [(row.name, row.params, row.outputs) for row in report.layers] == [
        ("bidirectional", 3200, ((16,),)),
        ("dense", 17, ((1,),)),
    ]
    paths = [t.path for t in report.layers[0].terms]
    assert paths[0] == "forward_lstm/lstm_cell/kernel"
    assert paths[3] == "backward_lstm/lstm_cell/kernel"


# ---------------------------------------------------------------------------- files and archives
def keras_archive(document: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        archive.writestr("config.json", json.dumps(document))
        archive.writestr("model.weights.h5", b"\x89HDF\r\n")
    return buffer.getvalue()


def test_keras_archive_is_read_like_its_json(tmp_path: Path, run_cli: RunCli) -> None:
    case = case_of("graphs", "nested_sequential_shared")
    path = tmp_path / "model.keras"
    path.write_bytes(keras_archive(case["keras_json"]))
    result = run_cli("summary", str(path), "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["total"] == case["total"]
    assert [layer["name"] for layer in doc["layers"]] == [layer["name"] for layer in case["layers"]]


def test_summary_of_keras_json_file_prints_connected_to(tmp_path: Path, run_cli: RunCli) -> None:
    case = case_of("graphs", "shared_dense_twice")
    path = tmp_path / "model.json"
    path.write_text(json.dumps(case["keras_json"]))
    result = run_cli("summary", str(path))
    assert result.code == 0, result.err
    assert "Connected to" in result.out
    assert "shared[0][0], shared[1][0]" in result.out
    assert "Total params: 153 (612.00 B)" in result.out


# ---------------------------------------------------------------------------- Keras 2 style
KERAS2_SEQUENTIAL = {
    "class_name": "Sequential",
    "config": {
        "name": "sequential",
        "layers": [
            {
                "class_name": "Embedding",
                "config": {
                    "name": "embedding",
                    "trainable": True,
                    "batch_input_shape": [None, 4],
                    "dtype": "float32",
                    "input_dim": 50,
                    "output_dim": 8,
                    "embeddings_initializer": {"class_name": "RandomUniform", "config": {"seed": None}},
                    "mask_zero": False,
                    "input_length": 4,
                },
            },
            {
                "class_name": "LSTM",
                "config": {"name": "lstm", "units": 32, "implementation": 2, "time_major": False, "dtype": "float32"},
            },
            {"class_name": "Dense", "config": {"name": "dense", "units": 1, "trainable": False}},
        ],
    },
    "keras_version": "2.13.1",
    "backend": "tensorflow",
}

KERAS2_FUNCTIONAL = {
    "class_name": "Functional",
    "config": {
        "name": "model",
        "layers": [
            {
                "class_name": "InputLayer",
                "name": "a",
                "config": {"batch_input_shape": [None, 16], "dtype": "float32", "name": "a"},
                "inbound_nodes": [],
            },
            {
                "class_name": "InputLayer",
                "name": "b",
                "config": {"batch_input_shape": [None, 16], "dtype": "float32", "name": "b"},
                "inbound_nodes": [],
            },
            {
                "class_name": "Dense",
                "name": "shared",
                "config": {"name": "shared", "units": 8},
                "inbound_nodes": [[["a", 0, 0, {}]], [["b", 0, 0, {}]]],
            },
            {
                "class_name": "Concatenate",
                "name": "concatenate",
                "config": {"name": "concatenate", "axis": -1},
                "inbound_nodes": [[["shared", 0, 0, {}], ["shared", 1, 0, {}]]],
            },
        ],
        "input_layers": [["a", 0, 0], ["b", 0, 0]],
        "output_layers": [["concatenate", 0, 0]],
    },
    "keras_version": "2.13.1",
}


def test_keras2_sequential_json_with_batch_input_shape_and_frozen_layer() -> None:
    report = analyze(parse_text(json.dumps(KERAS2_SEQUENTIAL).encode(), "k2.json"))
    assert [(row.name, row.params) for row in report.layers] == [("embedding", 400), ("lstm", 5248), ("dense", 33)]
    assert report.layers[1].outputs == ((32,),)
    assert report.non_trainable == 33


def test_keras2_functional_json_with_a_shared_layer() -> None:
    report = analyze(parse_text(json.dumps(KERAS2_FUNCTIONAL).encode(), "k2.json"))
    assert [row.name for row in report.layers] == ["a", "b", "shared", "concatenate"]
    assert report.total == 16 * 8 + 8
    shared = report.layers[2]
    assert shared.calls == 2
    assert shared.connections == ("a[0][0]", "b[0][0]")
    assert report.layers[3].outputs == ((16,),)


# ---------------------------------------------------------------------------- errors
def keras_error(document: Any) -> str:
    text = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(ParamcalcError) as info:
        analyze(parse_text(text.encode(), "m.json"))
    rendered = info.value.render()
    assert "\n" not in rendered
    return rendered


def test_malformed_keras_json_names_line_and_column() -> None:
    text = keras_error('{"class_name": "Sequential", "config": {"layers": [}\n')
    assert text.startswith("m.json:1: malformed JSON: ")
    assert "column" in text


def test_unknown_layer_in_keras_json_names_the_layer() -> None:
    doc = json.loads(json.dumps(KERAS2_SEQUENTIAL))
    doc["config"]["layers"][1] = {"class_name": "LSTM2", "config": {"name": "rnn", "units": 4}}
    text = keras_error(doc)
    assert text.startswith("m.json: layer 2 'rnn' (LSTM2): unknown layer 'LSTM2'")
    assert "did you mean 'LSTM'?" in text


def test_unknown_argument_in_keras_json_names_the_layer() -> None:
    doc = json.loads(json.dumps(KERAS2_SEQUENTIAL))
    doc["config"]["layers"][2]["config"]["unitz"] = 3
    assert keras_error(doc).startswith("m.json: layer 3 'dense' (Dense): unknown argument 'unitz' for Dense")


def test_subclassed_model_json_is_refused() -> None:
    text = keras_error({"class_name": "MyModel", "config": {"name": "m"}})
    assert "has no 'layers' list" in text


def test_functional_json_with_a_dangling_reference_is_refused() -> None:
    doc = json.loads(json.dumps(KERAS2_FUNCTIONAL))
    doc["config"]["layers"][3]["inbound_nodes"] = [[["shared", 2, 0, {}]]]
    assert "layer 4 'concatenate' (Concatenate): the graph has a cycle" in keras_error(doc)


def _with_op(class_name: str) -> Any:
    """The shared-Dense graph with a keras.ops node of ``class_name`` between input and last Dense."""
    doc = json.loads(json.dumps(case_of("graphs", "shared_dense_twice")["keras_json"]))
    layers = doc["config"]["layers"]
    op = {"module": "keras.src.ops.numpy", "class_name": class_name, "config": {"name": "op"}, "name": "op"}
    op["inbound_nodes"] = [{"args": [layers[2]["inbound_nodes"][0]["args"][0]], "kwargs": {}}]
    dense = layers[-1]
    dense["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["op", 0, 0]
    layers.insert(3, op)
    return doc


def test_keras_ops_between_layers_are_graph_nodes_without_weights() -> None:
    report = analyze(from_document(_with_op("Absolute"), "ops"))
    row = next(row for row in report.layers if row.name == "op")
    assert (row.class_name, row.params, row.batch_in_shapes, row.outputs) == ("Absolute", 0, True, ((None, 16),))
    assert any("op[0][0]" in other.connections for other in report.layers)


def test_a_keras_op_paramcalc_does_not_know_is_refused_naming_it() -> None:
    text = keras_error(_with_op("Nonzero"))
    assert "'op' (keras.ops.Nonzero)" in text
    assert "unknown layer 'Nonzero' for keras.ops" in text


def test_zip_without_config_json_is_refused(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "weights.keras"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model.weights.h5", b"")
    path.write_bytes(buffer.getvalue())
    result = run_cli("summary", str(path))
    assert result.code == 2
    assert result.out == ""
    assert result.err.strip().endswith("the zip file has no config.json; is it a .keras model archive?")


# ---------------------------------------------------------------------------- nested functional model
NESTED_FUNCTIONAL = Path(__file__).resolve().parent / "data" / "keras_nested_functional.json"
"""Saved by Keras 3.15.1 (torch backend) from:

    i = keras.Input((8,), name="ii"); inner = keras.Model(i, layers.Dense(4, name="inner_d")(i), name="enc")
    a, b = keras.Input((8,), name="a"), keras.Input((8,), name="b")
    ya, yb = inner(a), inner(b)
    z = layers.Dense(2)(layers.Add()([ya, yb]))
    model = keras.Model([a, b], [z, yb])

Its summary (expand_nested=True) lists a, b, enc (36 params, connected to a[0][0], b[0][0]),
└ ii, └ inner_d (connected to "-"), add (enc[0][0], enc[1][0]) and dense: 46 params.
``output_layers`` names the second call of ``enc`` as ``["enc", 2, 0]``.
"""


def test_nested_functional_model_from_keras_json() -> None:
    got = analyze(parse_text(NESTED_FUNCTIONAL.read_bytes(), "nested.json"))
    rows = [(row.depth, row.name, row.class_name, row.params, row.connections) for row in got.rows(expand_nested=True)]
    assert rows == [
        (0, "a", "InputLayer", 0, ()),
        (0, "b", "InputLayer", 0, ()),
        (0, "enc", "Functional", 36, ("a[0][0]", "b[0][0]")),
        (1, "ii", "InputLayer", 0, ()),
        (1, "inner_d", "Dense", 36, ()),
        (0, "add", "Add", 0, ("enc[0][0]", "enc[1][0]")),
        (0, "dense", "Dense", 10, ("add[0][0]",)),
    ]
    assert got.total == 46
    assert [t.path for t in got.layers[2].terms] == ["inner_d/kernel", "inner_d/bias"]


SEQ2SEQ = Path(__file__).resolve().parent / "data" / "keras_seq2seq.json"
"""Saved by Keras 3.15.1 (torch backend) from an encoder-decoder whose decoder LSTM is
called with ``initial_state=[h, c]`` of the encoder (``return_state=True``)::

    ee = Embedding(1000, 32)(enc_in); _, h, c = LSTM(64, return_state=True, name="enc")(ee)
    de = Embedding(1200, 32)(dec_in); do = LSTM(64, return_sequences=True, name="dec")(de, initial_state=[h, c])
    out = TimeDistributed(Dense(1200))(do)

Keras' summary: 198,064 parameters; dec is connected to embedding_1[0][0], enc[0][1], enc[0][2].
"""


def test_call_keywords_carrying_tensors_are_connections_not_inputs() -> None:
    got = analyze(parse_text(SEQ2SEQ.read_bytes(), "seq2seq.json"))
    assert [row.name for row in got.layers] == [
        "enc_in",
        "dec_in",
        "embedding",
        "embedding_1",
        "enc",
        "dec",
        "time_distributed",
    ]
    dec = got.layers[5]
    assert dec.connections == ("embedding_1[0][0]", "enc[0][1]", "enc[0][2]")
    assert dec.input_shapes == ((None, 32),)
    assert got.total == 198_064


def test_an_identity_model_is_its_input_with_no_parameters() -> None:
    """``keras.Model(x, x)``: Keras saves just the InputLayer, which is also the output."""
    layer = {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "config": {"batch_shape": [None, 28, 28, 3], "dtype": "float32", "name": "in0"},
        "name": "in0",
        "inbound_nodes": [],
    }
    config = {"name": "net", "layers": [layer], "input_layers": ["in0", 0, 0], "output_layers": ["in0", 0, 0]}
    report = analyze(from_document({"class_name": "Functional", "config": config}, "identity.json"))
    assert [(row.name, row.class_name, row.outputs) for row in report.layers] == [("in0", "InputLayer", ((28, 28, 3),))]
    assert report.total == 0
