"""memory --seq-len / --optimizer / --lora-*: KV cache, activation estimate, optimizers, LoRA fine-tuning."""

from __future__ import annotations

import json

import pytest

from paramcalc.training import EIGHT_BIT_MIN_SIZE, state_bytes
from tests.conftest import SPECS, RunCli

LLAMA3 = str(SPECS / "llama-3-8b.config.json")
LLAMA2 = str(SPECS / "llama-2-7b.config.json")
GEMMA2 = str(SPECS / "gemma-2-2b.config.json")


def test_kv_cache_of_a_gqa_model_is_two_by_layers_heads_tokens_head_dim(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("memory", LLAMA3, "--batch", "8", "--seq-len", "8192", "--format", "json").out)
    # Llama-3-8B: 32 layers, 8 kv heads of 128; the config names no dtype: float32, as transformers loads it
    assert doc["kv_cache_bytes"] == 2 * 32 * 8 * 128 * 8192 * 8 * 4
    assert doc["kv_cache"]["dtype"] == "float32"
    weights = {w["dtype"]: w["bytes"] for w in doc["weights"]}
    assert doc["weights_plus_kv_cache"]["bfloat16"] == weights["bfloat16"] + doc["kv_cache_bytes"]


def test_kv_cache_dtype_can_be_chosen(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("memory", LLAMA2, "--seq-len", "4096", "--kv-dtype", "fp8", "--format", "json").out)
    assert doc["kv_cache_bytes"] == 2 * 32 * 32 * 128 * 4096


def test_gemma2_sliding_layers_keep_only_the_window(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("memory", GEMMA2, "--seq-len", "8192", "--format", "json").out)
    layouts = {(x["attention"], x["cached_tokens"], x["layers"]) for x in doc["kv_cache"]["layouts"]}
    assert layouts == {("sliding", 4095, 13), ("self", 8192, 13)}


def test_memory_text_shows_the_kv_derivation_and_the_estimate_label(run_cli: RunCli) -> None:
    out = run_cli("memory", LLAMA2, "--seq-len", "4096").out
    assert "32 layers (self)  2 × 1 × 32 kv heads × 4,096 tokens × 128 × 32  = 1,073,741,824 values" in out
    assert "Activations for training (ESTIMATE, Korthikanti et al. 2022" in out
    assert "Not included: framework and CUDA overhead." in out


def test_activation_estimate_follows_korthikanti(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("memory", LLAMA2, "--seq-len", "4096", "--format", "json").out)
    act = doc["activations_estimate"]
    s, b, h, a, layers = 4096, 1, 4096, 32, 32
    assert act["none"] == layers * s * b * h * (34 + 5 * a * s // h)
    assert act["selective"] == layers * 34 * s * b * h
    assert act["full"] == layers * 2 * s * b * h
    assert act["estimate"] is True


def test_memory_without_new_flags_is_unchanged(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("memory", LLAMA2, "--format", "json").out)
    assert "kv_cache_bytes" not in doc
    assert doc["excludes"] == ["activations", "KV cache", "framework and CUDA overhead"]


def test_optimizer_rows_are_bytes_per_parameter_times_parameters(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("memory", str(SPECS / "lstm.yaml"), "--optimizer", "all", "--format", "json").out)
    rows = {(r["optimizer"], r["precision"]): r for r in doc["optimizers"]}
    n = 1_284_257
    assert rows[("sgd", "float32")]["total"] == 8 * n
    assert rows[("sgd-momentum", "float32")]["total"] == 12 * n
    assert rows[("adamw", "mixed")]["total"] == 16 * n
    # Adafactor: kernel (10000, 128) -> 10000 + 128, recurrent (32, 128) -> 32 + 128, bias 128, Dense (32, 1) -> 33, 1
    assert rows[("adafactor", "float32")]["states"] == 4 * (10000 + 128 + 32 + 128 + 128 + 32 + 1 + 1)


@pytest.mark.parametrize(
    ("shape", "expected"),
    [((4096,), 2 * 4096 + 8 * 16), ((4095,), 8 * 4095), ((300, 20), 2 * 6000 + 8 * 24)],
)
def test_eight_bit_adam_keeps_small_tensors_in_32_bit(shape: tuple[int, ...], expected: int) -> None:
    assert EIGHT_BIT_MIN_SIZE == 4096
    assert state_bytes("adam8bit", [(shape, 1)]) == expected


def test_lora_prints_what_peft_prints(run_cli: RunCli) -> None:
    out = run_cli("memory", LLAMA2, "--lora-r", "8", "--lora-targets", "q_proj,v_proj").out
    assert "trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622" in out


def test_qlora_keeps_the_base_in_four_bits(run_cli: RunCli) -> None:
    doc = json.loads(
        run_cli(
            "memory",
            LLAMA2,
            "--lora-r",
            "8",
            "--lora-targets",
            "q_proj,v_proj",
            "--base-dtype",
            "nf4",
            "--format",
            "json",
        ).out
    )
    tune = doc["lora"]["finetune"]
    assert tune["base"] == 6_738_415_616 // 2
    assert tune["adapters_weights_grads_adam"] == 16 * 4_194_304


def test_lora_needs_rank_and_targets(run_cli: RunCli) -> None:
    result = run_cli("memory", LLAMA2, "--lora-r", "8")
    assert result.code == 2
    assert "needs both --lora-r and --lora-targets" in result.err


def test_lora_targets_that_match_nothing_are_an_error(run_cli: RunCli) -> None:
    result = run_cli("memory", LLAMA2, "--lora-r", "8", "--lora-targets", "qproj")
    assert result.code == 2
    assert "no module matches --lora-targets qproj" in result.err


def test_memory_markdown_carries_the_kv_cache(run_cli: RunCli) -> None:
    out = run_cli("memory", LLAMA2, "--seq-len", "16", "--format", "markdown").out
    assert "KV cache after a forward pass (batch 1, 16 tokens, float32; exact)" in out
    assert "Not included: framework and CUDA overhead." in out


def test_a_keras_spec_has_no_kv_cache(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("memory", str(SPECS / "lstm.yaml"), "--seq-len", "16", "--format", "json").out)
    assert "kv_cache_bytes" not in doc
    assert "activations_estimate" not in doc
