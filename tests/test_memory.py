"""``paramcalc memory``: weights per dtype and Adam training, derived and exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SPECS, RunCli

from paramcalc.memory import Weights, training_recipes

LLAMA = str(SPECS / "llama-2-7b.config.json")
P = 6_738_415_616


@pytest.mark.parametrize(
    ("dtype", "bits", "expected"), [("float32", 32, 4 * P), ("bfloat16", 16, 2 * P), ("int4", 4, P // 2)]
)
def test_weight_bytes_are_bits_times_parameters(dtype: str, bits: int, expected: int) -> None:
    assert Weights(dtype, bits, P).bytes == expected


def test_int4_rounds_an_odd_count_up_to_a_whole_byte() -> None:
    assert Weights("int4", 4, 7).bytes == 4
    assert Weights("int4", 4, 7).per_param == "0.5"


def test_adam_recipes_are_16_bytes_per_parameter_both_ways() -> None:
    full, mixed = training_recipes(P, P)
    assert [p.bytes_per_param for p in full.parts] == [4, 4, 8]
    assert [p.bytes_per_param for p in mixed.parts] == [2, 2, 12]
    assert full.per_param == "4 + 4 + 8 = 16"
    assert mixed.per_param == "2 + 2 + 12 = 16"
    assert full.bytes == mixed.bytes == 16 * P
    assert dict(mixed.parts[2].states) == {"fp32 master": 4, "m": 4, "v": 4}


def test_frozen_parameters_need_no_gradient_or_optimizer_state() -> None:
    full, mixed = training_recipes(total=21, trainable=5)
    assert full.bytes == 4 * 21 + 4 * 5 + 8 * 5
    assert mixed.bytes == 2 * 21 + 2 * 5 + 12 * 5


def test_memory_json_is_exact_and_complete(run_cli: RunCli) -> None:
    result = run_cli("memory", LLAMA, "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["total"] == doc["trainable"] == P
    weights = {w["dtype"]: w for w in doc["weights"]}
    assert list(weights) == ["float32", "bfloat16", "int8", "int4"]
    assert weights["float32"]["bytes"] == 26_953_662_464
    assert weights["float32"]["size"] == "25.10 GB"
    assert weights["int4"]["bits_per_param"] == 4
    recipes = {r["recipe"]: r for r in doc["training"]}
    assert recipes["mixed"]["bytes_per_param"] == 16
    assert recipes["mixed"]["bytes"] == 16 * P
    optimizer = recipes["mixed"]["parts"][2]
    assert optimizer["states"] == {"fp32 master": 4, "m": 4, "v": 4}
    assert optimizer["bytes"] == 12 * P
    assert doc["largest_layer"] == {
        "name": "model.layers.0",
        "class": "LlamaDecoderLayer",
        "params": 202_383_360,
        "bytes": {"float32": 4 * 202_383_360, "bfloat16": 2 * 202_383_360, "int8": 202_383_360, "int4": 101_191_680},
    }
    assert "activations" in doc["excludes"]


def test_memory_text_spells_out_the_derivation(run_cli: RunCli) -> None:
    out = run_cli("memory", LLAMA).out
    assert "float32             4  26,953,662,464  25.10 GB" in out
    assert "int4              0.5   3,369,207,808   3.14 GB" in out
    assert "mixed precision (bf16/fp16): 2 + 2 + 12 = 16 B per trainable parameter" in out
    assert "fp32 master 4 + m 4 + v 4  = 12 B × 6,738,415,616" in out
    assert "full float32: 4 + 4 + 8 = 16 B per trainable parameter" in out
    assert "Not included: activations, KV cache" in out


def test_memory_works_for_any_spec_and_takes_dtypes(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("memory", str(SPECS / "lstm.yaml"), "--dtype", "fp16", "--format", "json").out)
    assert doc["weights"] == [{"dtype": "float16", "bits_per_param": 16, "bytes": 2 * 1_284_257, "size": "2.45 MB"}]
    frozen = json.loads(
        run_cli("memory", "Input(shape=(3,)) | Dense(4, trainable=False) | Dense(1)", "--format", "json").out
    )
    assert frozen["total"] == 21
    assert frozen["trainable"] == 5
    assert frozen["training"][0]["bytes"] == 4 * 21 + 4 * 5 + 8 * 5


def test_memory_marks_moe_and_markdown(run_cli: RunCli) -> None:
    out = run_cli("memory", str(SPECS / "mixtral-8x7b.config.json"), "--format", "markdown").out
    assert "| float32 | 4 | 186,811,170,816 | 173.98 GB |" in out
    assert "each token uses 12,879,925,248 parameters" in out


def test_memory_bad_dtype_is_a_usage_error(run_cli: RunCli) -> None:
    result = run_cli("memory", LLAMA, "--dtype", "float7")
    assert result.code == 2
    assert "unknown dtype 'float7'" in result.err


def test_a_configs_torch_dtype_is_listed_and_marked(run_cli: RunCli, tmp_path: Path) -> None:
    config = json.loads((SPECS / "qwen2-0.5b.config.json").read_text(encoding="utf-8"))
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**config, "torch_dtype": "float16"}), encoding="utf-8")
    doc = json.loads(run_cli("memory", str(path), "--format", "json").out)
    assert [w["dtype"] for w in doc["weights"]] == ["float32", "bfloat16", "int8", "int4", "float16"]
    assert doc["checkpoint_dtype"] == "float16"
    assert (
        "float16             2    988,065,536  942.29 MB  ← the checkpoint's dtype" in run_cli("memory", str(path)).out
    )
