"""Write the generated members of the bad-spec corpus (too big or too regular to type).

Run from anywhere: ``python tests/bad_specs/generate.py``.  Deterministic, so a rerun
rewrites identical files; the files are committed and the tests never run this script.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def alias_bomb(levels: int = 12, fanout: int = 10) -> str:
    """Nested anchors: level k lists level k-1 ten times, so the top expands to 10**12 items."""
    lines = ["input: [4]", "bomb:", "  a0: &a0 [Dense, Dense, Dense, Dense, Dense, Dense, Dense, Dense, Dense, Dense]"]
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * fanout)
        lines.append(f"  a{level}: &a{level} [{refs}]")
    lines.append(f"layers: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def alias_bomb_in_argument() -> str:
    """The same bomb hidden in a layer argument, where an error message might try to print it."""
    lines = ["input: [4]", "layers:", "  - Dense:", "      units: 4", "      kernel_initializer:"]
    lines.append("        a0: &a0 [x, x, x, x, x, x, x, x, x, x]")
    for level in range(1, 12):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"        a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


LLAMA = {
    "model_type": "llama",
    "vocab_size": 32000,
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
}
"""A valid Hugging Face config; the hf_*.json cases break one value of it."""

HF_CASES = {
    "hf_negative_size.json": {"hidden_size": -4096},
    "hf_bool_size.json": {"hidden_size": True},
    "hf_float_size.json": {"hidden_size": 4096.5},
    "hf_string_size.json": {"hidden_size": "4096"},
    "hf_null_size.json": {"hidden_size": None},
    "hf_list_size.json": {"hidden_size": [4096]},
    "hf_size_2_pow_70.json": {"hidden_size": 2**70},
    "hf_layers_10_pow_12.json": {"num_hidden_layers": 10**12},
    "hf_heads_not_dividing.json": {"num_attention_heads": 7},
    "hf_unknown_model_type.json": {"model_type": "frobnicator"},
    "hf_model_type_number.json": {"model_type": 5},
}


def json_cases() -> dict[str, str]:
    """Broken JSON documents: configs with bad values, bombs, and JSON that is neither kind."""
    out = {name: json.dumps({**LLAMA, **change}) + "\n" for name, change in HF_CASES.items()}
    out["hf_nan_size.json"] = json.dumps({**LLAMA, "hidden_size": float("nan")}) + "\n"  # json writes NaN
    out["hf_deep.json"] = '{"model_type": "llama", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    out["hf_int_5000_digits.json"] = '{"model_type": "llama", "hidden_size": ' + "9" * 5000 + "}\n"
    out["json_truncated.json"] = '{"model_type": "llama", "hidden_size": 8,\n'
    out["json_neither.json"] = json.dumps({"model": "resnet", "layers": 50}) + "\n"
    out["json_list_of_numbers.json"] = "[1, 2, 3]\n"
    out["json_python_literals.json"] = '{"layers": [{"Dense": True}], "input": [None]}\n'
    return out


def _keras(layers: list[object], class_name: str = "Sequential") -> dict[str, object]:
    return {"class_name": class_name, "config": {"name": "model", "layers": layers}}


_INPUT = {"class_name": "InputLayer", "config": {"batch_shape": [None, 4], "dtype": "float32", "name": "input"}}


def _dense(units: object) -> dict[str, object]:
    return {"class_name": "Dense", "config": {"name": "dense", "units": units}}


def keras_cases() -> dict[str, str]:
    """Broken Keras model JSON (``model.to_json()``); run once the Keras JSON reader exists."""
    cycle = [
        {"class_name": "Dense", "name": "a", "config": {"units": 3, "name": "a"}, "inbound_nodes": [[["b", 0, 0, {}]]]},
        {"class_name": "Dense", "name": "b", "config": {"units": 3, "name": "b"}, "inbound_nodes": [[["a", 0, 0, {}]]]},
    ]
    deep: dict[str, object] = _dense(3)
    for _ in range(300):
        deep = _keras([deep])
    docs: dict[str, object] = {
        "keras_units_string.json": _keras([_INPUT, _dense("4")]),
        "keras_units_negative.json": _keras([_INPUT, _dense(-4)]),
        "keras_units_2_pow_70.json": _keras([_INPUT, _dense(2**70)]),
        "keras_layer_not_object.json": _keras([_INPUT, 5]),
        "keras_class_name_number.json": _keras([_INPUT, {"class_name": 7, "config": {}}]),
        "keras_class_name_import.json": _keras([_INPUT, {"class_name": "__import__", "config": {}}]),
        "keras_config_not_object.json": {"class_name": "Sequential", "config": [1]},
        "keras_batch_shape_string.json": _keras([{"class_name": "InputLayer", "config": {"batch_shape": "x"}}]),
        "keras_inbound_nodes_string.json": {
            "class_name": "Functional",
            "config": {
                "name": "f",
                "layers": [{"class_name": "Dense", "name": "x", "config": {"units": 3}, "inbound_nodes": "oops"}],
                "input_layers": 3,
                "output_layers": None,
            },
        },
        "keras_graph_cycle.json": {
            "class_name": "Functional",
            "config": {"name": "f", "layers": cycle, "input_layers": [], "output_layers": [["b", 0, 0]]},
        },
        "keras_300_nested_models.json": _keras([_INPUT, deep]),
    }
    return {name: json.dumps(doc) + "\n" for name, doc in docs.items()}


def keras_archives() -> dict[str, bytes]:
    """.keras archives: no config.json, a truncated zip, and a 70 MB config compressed to 70 KB."""
    out = {"keras_truncated.keras": b"PK\x03\x04garbage"}
    for name, member, text in (
        ("keras_no_config.keras", "other.txt", "x"),
        ("keras_zip_bomb.keras", "config.json", "{" + " " * (70 * 1024 * 1024) + "}"),
    ):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            info = zipfile.ZipInfo(member, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
        out[name] = buffer.getvalue()
    return out


def _op_model(class_name: str, config: dict[str, object], operands: int = 1) -> dict[str, object]:
    """A functional model (as ``model.to_json()`` writes it) whose output is one ``keras.ops`` node on a
    (None, 4, 6) input, called with ``operands`` copies of the input tensor."""
    tensor = {
        "class_name": "__keras_tensor__",
        "config": {"shape": [None, 4, 6], "dtype": "float32", "keras_history": ["input_layer", 0, 0]},
    }
    name = config["name"]
    layers = [
        {
            "module": "keras.layers",
            "class_name": "InputLayer",
            "config": {"batch_shape": [None, 4, 6], "dtype": "float32", "name": "input_layer"},
            "name": "input_layer",
            "inbound_nodes": [],
        },
        {
            "module": "keras.src.ops.numpy",
            "class_name": class_name,
            "config": config,
            "registered_name": class_name,
            "name": name,
            "inbound_nodes": [{"args": [tensor] * operands, "kwargs": {}}],
        },
    ]
    return {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": {
            "name": "functional",
            "layers": layers,
            "input_layers": ["input_layer", 0, 0],
            "output_layers": [name, 0, 0],
        },
    }


def trust_round_2() -> dict[str, bytes]:
    """keras.ops nodes and checkpoint headers an adversary writes (issue 11, round 2)."""
    docs = {
        "keras_ops_tile_negative.json": _op_model("Tile", {"name": "tile", "repeats": [1, 1, -3]}),
        "keras_ops_repeat_negative.json": _op_model("Repeat", {"name": "repeat", "repeats": -2, "axis": 1}),
        "keras_ops_broadcast_1001_axes.json": _op_model(
            "BroadcastTo", {"name": "broadcast_to", "shape": [1] * 998 + [2, 4, 6]}
        ),
        "keras_ops_einsum_stray_dot.json": _op_model("Einsum", {"name": "einsum", "subscripts": "bij->bij."}),
        "keras_ops_einsum_more_axes.json": _op_model("Einsum", {"name": "einsum", "subscripts": "abcd...->a"}),
        "keras_ops_einsum_100k_output.json": _op_model(
            "Einsum", {"name": "einsum", "subscripts": "bij->" + "..." * 33_000}
        ),
    }
    out = {name: (json.dumps(doc) + "\n").encode("utf-8") for name, doc in docs.items()}
    gguf = b"GGUF" + struct.pack("<I", 3)
    out["gguf_50001_tensors.gguf"] = gguf + struct.pack("<QQ", 50_001, 0) + bytes(64)
    out["gguf_100001_metadata.gguf"] = gguf + struct.pack("<QQ", 1, 100_001) + bytes(64)
    return out


def write(name: str, text: str) -> None:
    (HERE / name).write_text(text, encoding="utf-8")


def main() -> None:
    for name, text in {**json_cases(), **keras_cases()}.items():
        write(name, text)
    for name, data in {**keras_archives(), **trust_round_2()}.items():
        (HERE / name).write_bytes(data)
    write("alias_bomb.yaml", alias_bomb())
    write("alias_bomb_in_argument.yaml", alias_bomb_in_argument())
    write("deep_flow_list.yaml", "input: [4]\nlayers: " + "[" * 5000 + "]" * 5000 + "\n")
    write("deep_flow_map.yaml", "input: [4]\nlayers:\n  - Dense: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n")
    write("deep_block.yaml", "input: [4]\nlayers:\n" + "".join("  " * (i + 1) + "- \n" for i in range(300)))
    write("deep_500.yaml", "input: [4]\nlayers:\n  - Dense: " + "[" * 500 + "]" * 500 + "\n")
    write("deep.json", '{"input": [4], "layers": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    write("deep_object.json", '{"input": [4], "layers": [{"Dense": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}]}\n")
    write("int_5000_digits.yaml", "input: [4]\nlayers:\n  - Dense: " + "9" * 5000 + "\n")
    write("int_5000_digits_input.yaml", "input: [" + "7" * 5000 + "]\nlayers:\n  - Dense: 4\n")
    write("int_5000_digits.json", '{"input": [4], "layers": [{"Dense": ' + "8" * 5000 + "}]}\n")
    write("int_hex_20000_bits.yaml", "input: [4]\nlayers:\n  - Dense: 0x" + "f" * 5000 + "\n")
    write("int_2_pow_64.yaml", "input: [4]\nlayers:\n  - Dense: 18446744073709551616\n")
    # trust (issue 11): past the caps of paramcalc/limits.py, refused before the expensive work
    write("layers_10001.yaml", "input: [8]\nlayers:\n" + "  - Dense: 8\n" * 10_001)
    write(
        "graph_5001_layers.yaml",
        "inputs: {x: [8]}\nlayers:\n  - Dense: {units: 8, name: d0, inputs: [x]}\n"
        + "".join(f"  - Dense: {{units: 8, name: d{i}, inputs: [d{i - 1}]}}\n" for i in range(1, 5001))
        + "outputs: [d5000]\n",
    )
    write("yaml_200001_values.yaml", "input: [8]\nlayers:\n  - Dense: {units: 8, x: [" + "1," * 200_000 + "1]}\n")
    write(
        "flatten_overflow.yaml",
        "input: [" + ", ".join(["4611686018427387904"] * 100) + "]\nlayers: [Flatten, Dense: 1]\n",
    )
    write("deep_inline_lists.txt", "Input(shape=(4,)) | Dense(4, kernel_initializer=" + "[" * 150 + "]" * 150 + ")\n")
    write("deep_inline_calls.txt", "Input(shape=(3, 4)) | " + "Bidirectional(" * 150 + "LSTM(4)" + ")" * 150 + "\n")
    write("deep_inline_parens.txt", "Input(shape=(4,)) | Dense(" + "(" * 300 + "4" + ")" * 300 + ")\n")
    write("long_inline.txt", "Input(shape=(4,))" + " | Dense(4)" * 10_000 + "\n")
    write("int_literal_5000_digits.txt", "Input(shape=(4,)) | Dense(" + "9" * 5000 + ")\n")
    write(
        "repeat_times_huge_int.yaml",
        "input: [4]\nlayers:\n  - Repeat: {times: 0x" + "f" * 400 + ", layers: [Dense: 4]}\n",
    )


if __name__ == "__main__":
    main()
