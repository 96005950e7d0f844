"""Functional graphs as Keras builds them: layer order, shared layers, nested models, names.

The golden corpus checks whole models against Keras; these tests pin the behaviours one
at a time, and the summary's "Connected to" column and ``--expand-nested``.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import RunCli

from paramcalc.engine import analyze
from paramcalc.errors import ParamcalcError
from paramcalc.report import Report
from paramcalc.spec import parse_text


def report(yaml_text: str) -> Report:
    return analyze(parse_text(textwrap.dedent(yaml_text).encode(), "g.yaml"))


def refused(yaml_text: str) -> str:
    with pytest.raises(ParamcalcError) as info:
        report(yaml_text)
    text = info.value.render()
    assert "\n" not in text
    return text


SHARED = """
inputs: {a: [16], b: [16]}
layers:
  - Dense: {units: 8, name: shared, inputs: [a]}
  - Reuse: {layer: shared, inputs: [b], name: shared_b}
  - Concatenate: {inputs: [shared, shared_b]}
  - Dense: 1
"""

NESTED = """
inputs: {x: [32]}
layers:
  - Dense: {units: 16, name: pre}
  - Sequential: {name: mlp, layers: [{Dense: 8}, {Dropout: 0.1}, {Dense: 4}]}
  - Dense: 1
"""


def test_layers_come_in_keras_order_deepest_first() -> None:
    got = report(
        """
        inputs: {img: [8, 8, 4]}
        layers:
          - Dense: {units: 2, name: b1}
          - Dense: {units: 3, inputs: [img], name: b3r}
          - Dense: {units: 2, name: b3}
          - Concatenate: {inputs: [b1, b3]}
        """
    )
    assert [row.name for row in got.layers] == ["img", "b3r", "b1", "b3", "concatenate"]
    assert got.show_connections


def test_a_shared_layer_is_one_row_counted_once() -> None:
    got = report(SHARED)
    assert [row.name for row in got.layers] == ["a", "b", "shared", "concatenate", "dense"]
    shared = got.layers[2]
    assert (shared.calls, shared.params, shared.connections) == (2, 136, ("a[0][0]", "b[0][0]"))
    assert got.layers[3].connections == ("shared[0][0]", "shared[1][0]")
    assert got.total == 136 + 17
    doc = got.to_dict()["layers"][2]
    assert doc["calls"] == 2
    assert doc["call_output_shapes"] == [[None, 8], [None, 8]]


def test_keras_form_references_name_a_call_and_an_output() -> None:
    got = report(
        """
        inputs: {a: [16], b: [16]}
        layers:
          - Dense: {units: 8, name: shared, inputs: [a]}
          - Reuse: {layer: shared, inputs: [b]}
          - Add: {inputs: ["shared[0][0]", "shared[1][0]"]}
        """
    )
    assert got.layers[-1].connections == ("shared[0][0]", "shared[1][0]")


def test_a_shared_layer_must_fit_its_second_input() -> None:
    text = refused(
        """
        inputs: {a: [16], b: [12]}
        layers:
          - Dense: {units: 8, name: shared, inputs: [a]}
          - Reuse: {layer: shared, inputs: [b]}
        """
    )
    assert "shared layer 'shared' was built for input (None, 16) and cannot take (None, 12)" in text


def test_reuse_names_an_earlier_layer() -> None:
    text = refused(SHARED.replace("layer: shared,", "layer: shraed,"))
    assert "Reuse names no earlier layer: 'shraed'" in text
    assert "did you mean 'shared'?" in text


def test_unknown_input_reference_suggests_a_name() -> None:
    text = refused(SHARED.replace("inputs: [shared, shared_b]", "inputs: [shared, sharedb]"))
    assert text.startswith("g.yaml:6: layer 3 (Concatenate): input 'sharedb' names no earlier layer or model input")
    assert "did you mean 'shared_b'?" in text


def test_a_multi_output_layer_feeds_a_merge_whole_and_a_dense_by_index() -> None:
    got = report(
        """
        inputs: {x: [10, 8]}
        layers:
          - LSTM: {units: 16, return_state: true, name: enc}
          - Concatenate: {inputs: [enc]}
          - Dense: {units: 2, inputs: ["enc[1]"]}
        outputs: [concatenate, dense]
        """
    )
    assert got.layers[2].outputs == ((48,),)
    assert got.layers[2].connections == ("enc[0][0]", "enc[0][1]", "enc[0][2]")
    assert got.layers[3].connections == ("enc[0][1]",)
    text = refused(
        """
        inputs: {x: [10, 8]}
        layers:
          - LSTM: {units: 16, return_state: true, name: enc}
          - Dense: 2
        """
    )
    assert "takes one input tensor, got 3 (enc[0][0], enc[0][1], enc[0][2])" in text


def test_several_model_inputs_need_explicit_inputs() -> None:
    text = refused("inputs: {a: [4], b: [4]}\nlayers:\n  - Dense: 2\n")
    assert "no input for this layer" in text


def test_a_nested_sequential_is_one_layer_with_its_layers_inside() -> None:
    got = report(NESTED)
    assert [row.name for row in got.layers] == ["x", "pre", "mlp", "dense_2"]
    mlp = got.layers[2]
    assert (mlp.class_name, mlp.params, mlp.outputs) == ("Sequential", 172, ((4,),))
    assert [t.path for t in mlp.terms] == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]
    assert [(row.name, row.depth) for row in got.rows(expand_nested=True)][2:6] == [
        ("mlp", 0),
        ("dense", 1),
        ("dropout", 1),
        ("dense_1", 1),
    ]
    assert not got.show_connections  # a chain: Keras prints no "Connected to"


def test_a_frozen_nested_model_freezes_every_weight() -> None:
    got = report(NESTED.replace("name: mlp,", "name: mlp, trainable: false,"))
    assert got.non_trainable == 172
    assert all(not t.trainable for row in got.layers[2].children for t in row.terms)


def test_a_nested_model_declared_input_must_fit() -> None:
    text = refused(NESTED.replace("name: mlp,", "name: mlp, input: [31],"))
    assert "the nested model expects (None, 31), got (None, 16)" in text


def test_layers_created_while_building_use_up_automatic_names() -> None:
    got = report(
        """
        inputs: {x: [10, 16]}
        layers:
          - MultiHeadAttention: {num_heads: 2, key_dim: 8, inputs: [x, x]}
          - Dropout: 0.1
          - TimeDistributed: {layer: {Dense: 8}}
          - Dense: 8
          - Bidirectional: {layer: {LSTM: {units: 4, return_sequences: true}}}
          - LSTM: 2
        """
    )
    names = [row.name for row in got.layers]
    assert names == ["x", "multi_head_attention", "dropout_1", "time_distributed", "dense_1", "bidirectional", "lstm_1"]
    assert got.layers[-2].terms[0].path == "forward_lstm/lstm_cell/kernel"


def test_unused_model_inputs_stay_and_dangling_layers_go() -> None:
    got = report(
        """
        inputs: {x: [16], unused: [3]}
        layers:
          - Dense: {units: 8, name: used, inputs: [x]}
          - Dense: {units: 1000, name: dangling, inputs: [x]}
          - Dense: {units: 1, name: out, inputs: [used]}
        outputs: [out]
        """
    )
    assert [row.name for row in got.layers] == ["x", "used", "unused", "out"]
    assert got.total == 136 + 9


# ---------------------------------------------------------------------------- summary output
def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "model.yaml"
    path.write_text(textwrap.dedent(text))
    return str(path)


def test_table_shows_connected_to_for_a_branching_graph(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("summary", write(tmp_path, SHARED))
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert "Connected to" in lines[2]
    assert any("│ shared (Dense)" in line and "a[0][0], b[0][0]" in line for line in lines)
    assert any(
        "│ a (InputLayer)" in line and line.rstrip().endswith("│ -                          │") for line in lines
    )
    assert len(lines[1]) == 108


def test_table_of_a_chain_graph_has_no_connected_to(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("summary", write(tmp_path, NESTED))
    assert result.code == 0, result.err
    assert "Connected to" not in result.out
    assert "x (InputLayer)" in result.out
    assert "└ dense" not in result.out


def test_expand_nested_indents_the_layers_of_nested_models(tmp_path: Path, run_cli: RunCli) -> None:
    path = write(tmp_path, NESTED)
    table = run_cli("summary", path, "--expand-nested").out
    assert "│    └ dense (Dense)" in table
    assert "│    └ dropout (Dropout)" in table
    assert "Total params: 705 (2.75 KB)" in table
    markdown = run_cli("summary", path, "--expand-nested", "--format", "markdown").out
    assert "| └ dense_1 (Dense) | `(None, 4)` | 36 |" in markdown
    doc = json.loads(run_cli("summary", path, "--expand-nested", "--format", "json").out)
    assert [(layer["name"], layer.get("depth", 0)) for layer in doc["layers"]][2:6] == [
        ("mlp", 0),
        ("dense", 1),
        ("dropout", 1),
        ("dense_1", 1),
    ]
    assert doc["total"] == sum(layer["params"] for layer in doc["layers"] if "depth" not in layer) == 705
    plain = json.loads(run_cli("summary", path, "--format", "json").out)
    assert [layer["name"] for layer in plain["layers"]] == ["x", "pre", "mlp", "dense_2"]


def test_json_lists_connections_of_graph_layers(tmp_path: Path, run_cli: RunCli) -> None:
    doc = json.loads(run_cli("summary", write(tmp_path, SHARED), "--format", "json").out)
    assert doc["layers"][3]["connected_to"] == ["shared[0][0]", "shared[1][0]"]


def test_table_prints_a_shared_layer_last_output_shape(tmp_path: Path, run_cli: RunCli) -> None:
    spec = """
    inputs: {a: [5, 16], b: [7, 16]}
    layers:
      - Dense: {units: 8, name: shared, inputs: [a]}
      - Reuse: {layer: shared, inputs: [b]}
    outputs: ["shared[0][0]", "shared[1][0]"]
    """
    got = report(spec)
    assert got.layers[2].outputs == ((5, 8),)  # model.layers[i].output: the first call
    out = run_cli("summary", write(tmp_path, spec)).out
    assert "(None, 7, 8)" in out  # Keras' summary shows the last call


SIAMESE = """
inputs: {left: {shape: [20, 8]}, right: {shape: [20, 8]}}
layers:
  - LSTM: {units: 16, name: encoder, inputs: [left]}
  - Reuse: {layer: encoder, inputs: [right], name: encoder_right}
  - Subtract: {inputs: [encoder, encoder_right]}
  - Dense: {units: 1, activation: sigmoid}
"""


def test_the_readme_siamese_example_counts_its_shared_encoder_once(tmp_path: Path, run_cli: RunCli) -> None:
    doc = json.loads(run_cli("summary", write(tmp_path, SIAMESE), "--format", "json").out)
    assert doc["total"] == 1_617
    assert [(layer["name"], layer.get("calls", 1)) for layer in doc["layers"]] == [
        ("left", 1),
        ("right", 1),
        ("encoder", 2),
        ("subtract", 1),
        ("dense", 1),
    ]


def test_a_wrapped_layer_uses_up_its_automatic_name_in_a_sequential_model() -> None:
    # Keras 3.15: [SpectralNormalization(Dense(8)), Dense(4)] names the second Dense dense_1,
    # and the wrapped kernel is spectral_normalization/dense/kernel.
    got = report("input: [16]\nlayers:\n  - SpectralNormalization: {layer: {Dense: 8}}\n  - Dense: 4\n")
    assert [row.name for row in got.layers] == ["spectral_normalization", "dense_1"]
    assert got.layers[0].terms[0].path == "dense/kernel"
