"""How the new families' FLOPs and KV caches are shown: LaTeX derivation, MLA latent cache, refusals.

The figures themselves are checked against FlopCounterMode and the returned cache tensors in
test_flops_golden.py (tests/golden/flops/families.json); these tests pin what users see.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import RunCli

GOLDEN = Path(__file__).resolve().parent / "golden" / "flops" / "families.json"


def _config(case_id: str, tmp_path: Path) -> str:
    case: dict[str, Any] = next(c for c in json.loads(GOLDEN.read_text())["cases"] if c["id"] == case_id)
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**case["config"], "architectures": [case["model_class"]]}), encoding="utf-8")
    return str(path)


def test_explain_latex_carries_the_flops_derivation_term_by_term(run_cli: RunCli) -> None:
    out = run_cli("explain", "Conv2D", "filters=8", "kernel_size=3", "--input", "32,32,3", "--format", "latex").out
    flops = out.split("% FLOPs of one forward pass of conv2d (Conv2D), batch 1; 2 per multiply-add\n", 1)[1]
    assert flops.splitlines() == [
        r"\begin{align*}",
        r"\text{W (kernel) over every output position} &= 2 \cdot N \cdot H_{out} \cdot W_{out} \cdot k"
        r" \cdot C_{in}/\mathrm{groups} \cdot C_{out} = 2 \times 1 \times 900 \times 216 = 388{,}800 \\",
        r"F_{\text{conv2d}} &= 388{,}800",
        r"\end{align*}",
    ]


def test_mla_cache_is_the_latent_transformers_stores(run_cli: RunCli, tmp_path: Path) -> None:
    """DeepSeek-V2: kv_lora_rank 4 (keys slot) + qk_rope_head_dim 2 (values slot), one head, 7 tokens, batch 2."""
    config = _config("arch-deepseek_v2-random-4", tmp_path)
    doc = json.loads(run_cli("memory", config, "--batch", "2", "--seq-len", "7", "--format", "json").out)
    assert doc["kv_cache"]["layouts"] == [
        {
            "attention": "latent (MLA)",
            "layers": 3,
            "kv_heads": 1,
            "head_dim": 4,
            "cached_tokens": 7,
            "sliding_window": None,
            "value_dim": 2,
        }
    ]
    assert doc["kv_cache_bytes"] == 3 * 2 * 7 * (4 + 2) * 4
    out = run_cli("memory", config, "--batch", "2", "--seq-len", "7").out
    assert "3 layers (latent (MLA))  2 × 1 × 7 tokens × (keys 4 + values 2) × 3  = 252 values" in out


def test_a_cache_not_derived_is_said_so_not_left_out(run_cli: RunCli, tmp_path: Path) -> None:
    config = _config("bart-random1-BartForConditionalGeneration", tmp_path)
    doc = json.loads(run_cli("memory", config, "--seq-len", "7", "--format", "json").out)
    assert "kv_cache_bytes" not in doc
    assert doc["kv_cache_note"] == "the cache of BartDecoderLayer (self- and cross-attention) is not derived"
    assert "KV cache: the cache of BartDecoderLayer" in run_cli("memory", config, "--seq-len", "7").out


def test_refused_families_show_unknown_flops_not_a_guess(run_cli: RunCli, tmp_path: Path) -> None:
    config = _config("deberta-v2-random2-DebertaV2Model", tmp_path)
    doc = json.loads(run_cli("summary", config, "--format", "json", "--seq-len", "7").out)
    assert doc["flops"] is None
    assert {layer["flops"] for layer in doc["layers"] if layer["class"].endswith("Layer")} == {None}


def test_whisper_encoder_runs_on_its_mel_frames_whatever_seq_len_says(run_cli: RunCli, tmp_path: Path) -> None:
    """max_source_positions 11 (22 mel frames), 7 decoder tokens: FlopCounterMode's 30,832 at batch 2."""
    config = _config("whisper-random1-WhisperForConditionalGeneration", tmp_path)
    doc = json.loads(run_cli("summary", config, "--format", "json", "--batch", "2", "--seq-len", "7").out)
    assert doc["flops"] == 30832


def test_vision_towers_count_their_patches_not_seq_len(run_cli: RunCli, tmp_path: Path) -> None:
    """ViT: 8 patches + the class token, whatever --seq-len says (FlopCounterMode's 5,880 at batch 2)."""
    config = _config("vit-random0-ViTForImageClassification", tmp_path)
    for seq_len in ("7", "100"):
        doc = json.loads(run_cli("summary", config, "--format", "json", "--batch", "2", "--seq-len", seq_len).out)
        assert doc["flops"] == 5880


def test_check_max_flops_budgets_a_new_family_config(run_cli: RunCli, tmp_path: Path) -> None:
    """DeepSeek-V3 with q-LoRA and experts: FlopCounterMode's 173,824 FLOPs at batch 2 × 7 tokens."""
    config = _config("deepseek_v3-q-lora-moe", tmp_path)
    args = ("check", config, "--batch", "2", "--seq-len", "7")
    assert run_cli(*args, "--max-flops", "173824").code == 0
    over = run_cli(*args, "--max-flops", "173823")
    assert over.code == 1
    assert "173,824 FLOPs exceed --max-flops 173,823 by 1" in over.out
