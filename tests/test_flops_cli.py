"""FLOPs on the command line: summary --flops / JSON, explain's FLOP derivation, check --max-flops.

The numbers themselves are checked against FlopCounterMode in test_flops_golden.py; these
tests pin how they are shown and that the default table does not change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paramcalc.flops import Sizes, llm_shortcuts, readable_flops, summarize
from tests.conftest import SPECS, RunCli

LSTM = str(SPECS / "lstm.yaml")
LLAMA = str(SPECS / "llama-2-7b.config.json")
# the lecture LSTM: Keras' fused LSTM loop, 3 steps: 2·3·(10000·128 + 32·128), Dense 2·32
LSTM_FLOPS = 2 * 3 * (10000 * 128 + 32 * 128) + 2 * 32


def test_default_table_has_no_flops_column(run_cli: RunCli) -> None:
    out = run_cli("summary", LSTM).out
    assert "FLOPs" not in out
    assert out.splitlines()[2].count("┃") == 4


def test_summary_flops_adds_a_column_and_a_total(run_cli: RunCli) -> None:
    out = run_cli("summary", LSTM, "--flops").out
    assert "┃                 FLOPs ┃" in out
    assert "│             7,704,576 │" in out
    assert f" Forward FLOPs (batch 1): {LSTM_FLOPS:,} (7.70 MFLOPs)" in out


def test_flops_scale_with_batch(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("summary", LSTM, "--format", "json", "--batch", "4").out)
    assert doc["flops"] == 4 * LSTM_FLOPS
    assert doc["flops_batch"] == 4
    assert [layer["flops"] for layer in doc["layers"]] == [4 * (LSTM_FLOPS - 64), 4 * 64]


def test_json_always_carries_flops_null_when_a_length_is_unknown(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("summary", LLAMA, "--format", "json").out)
    assert doc["flops"] is None
    assert [layer["flops"] for layer in doc["layers"]] == [0, None, 0, None]
    doc = json.loads(run_cli("summary", LLAMA, "--format", "json", "--seq-len", "2048").out)
    assert doc["flops"] == sum(layer["flops"] for layer in doc["layers"])
    assert doc["flops_seq_len"] == 2048


def test_llm_estimates_are_derived_from_the_exact_counts(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("summary", LLAMA, "--format", "json", "--seq-len", "2048", "--tokens", "2T").out)
    est = doc["llm_estimates"]
    # Llama-2-7B: every weight but the embedding and the 65 RMSNorm vectors is multiplied by every token
    assert est["matmul_params_per_token"] == 6_738_415_616 - 32000 * 4096 - 65 * 4096
    assert est["attention_flops_per_token"] == 32 * 4 * 32 * 2048 * 128
    assert est["forward_flops_per_token"] == 2 * est["matmul_params_per_token"] + est["attention_flops_per_token"]
    assert est["training_flops_6nd"] == 6 * est["matmul_params_per_token"] * 2 * 10**12


def test_no_llm_estimates_without_a_sequence_length() -> None:
    from paramcalc.engine import analyze
    from paramcalc.spec import load_spec

    report = analyze(load_spec(LSTM))
    assert llm_shortcuts(summarize(report, Sizes(1)), tokens=10) == []


def test_explain_shows_the_flop_derivation_under_the_parameters(run_cli: RunCli) -> None:
    out = run_cli("explain", "dense", "1", "--input", "32", "--batch", "3").out
    lines = out.splitlines()
    at = lines.index("  FLOPs of one forward pass (batch 3; 2 per multiply-add, as torch's FlopCounterMode):")
    assert lines[at + 1].split() == ["x·W", "(kernel)", "2·rows·m·n", "=", "2", "×", "3", "×", "32", "×", "1", "192"]
    assert "closed form" in "\n".join(lines[:at])


def test_explain_names_the_attention_matmuls_with_their_lengths(run_cli: RunCli) -> None:
    out = run_cli("explain", "LlamaDecoderLayer", "--config", LLAMA, "--seq-len", "16").out
    line = next(line for line in out.splitlines() if line.strip().startswith("Q·Kᵀ"))
    assert " ".join(line.split()[3:]) == "2·N·heads·L_q·L_k·d_k = 2 × 1 × 32 × 16 × 16 × 128 2,097,152"


def test_explain_json_carries_flop_terms(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("explain", "conv2d", "8", "3", "--input", "28,28,1", "--format", "json").out)
    assert doc["flops"] == 2 * 26 * 26 * 3 * 3 * 1 * 8
    assert [t["name"] for t in doc["flop_terms"]] == ["W (kernel) over every output position"]


def test_explain_says_when_flops_are_unknown(run_cli: RunCli) -> None:
    out = run_cli("explain", "lstm", "32", "--input", "10000").out
    assert "unknown: a shape is unknown" in out


def test_check_max_flops_fails_over_budget(run_cli: RunCli) -> None:
    result = run_cli("check", LSTM, "--max-flops", "5M")
    assert result.code == 1
    assert f"{LSTM_FLOPS:,} FLOPs exceed --max-flops 5,000,000 by {LSTM_FLOPS - 5_000_000:,}" in result.out


def test_check_max_flops_passes_within_budget_at_a_batch(run_cli: RunCli) -> None:
    result = run_cli("check", LSTM, "--max-flops", "1G", "--batch", "8")
    assert result.code == 0
    assert f"{8 * LSTM_FLOPS:,} FLOPs (batch 8) within --max-flops 1,000,000,000" in result.out


def test_check_max_flops_needs_a_sequence_length_for_configs(run_cli: RunCli) -> None:
    result = run_cli("check", LLAMA, "--max-flops", "1T")
    assert result.code == 2
    assert "give --seq-len N" in result.err


def test_flops_read_in_decimal_steps() -> None:
    assert readable_flops(7_704_640) == "7.70 MFLOPs"
    assert readable_flops(999) == "999 FLOPs"


def _readme_examples() -> list[tuple[str, str]]:
    """Every ``$ paramcalc ...`` block of the README's compute-and-memory section, with its output."""
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Compute and memory beyond parameters")
    section = readme[start : readme.index("\n## ", start + 10)]
    blocks = []
    for block in section.split("```console\n")[1:]:
        text = block[: block.index("```")]
        command, _, output = text.partition("\n")
        blocks.append((command.removeprefix("$ paramcalc "), output))
    return blocks


@pytest.mark.parametrize(("command", "output"), _readme_examples())
def test_readme_compute_and_memory_examples_are_current(run_cli: RunCli, command: str, output: str) -> None:
    from tests.conftest import ROOT

    argv = [str(ROOT / word) if word.startswith("specs/") else word for word in command.split()]
    assert run_cli(*argv).out == output


def test_markdown_summary_gets_a_flops_column(run_cli: RunCli) -> None:
    out = run_cli("summary", LSTM, "--flops", "--format", "markdown").out
    assert "| Layer (type) | Output Shape | Param # | FLOPs |" in out
    assert "| lstm (LSTM) | `(None, 32)` | 1,284,224 | 7,704,576 |" in out
    assert f"- **Forward FLOPs (batch 1):** {LSTM_FLOPS:,} (7.70 MFLOPs)" in out


def test_expanded_blocks_each_show_their_flops(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("summary", LLAMA, "--format", "json", "--seq-len", "8", "--expand-nested").out)
    blocks = [layer["flops"] for layer in doc["layers"] if layer["class"] == "LlamaDecoderLayer"]
    assert len(blocks) == 32
    assert len(set(blocks)) == 1
    assert sum(layer["flops"] for layer in doc["layers"]) == doc["flops"]


def test_a_spec_budget_can_cap_flops(run_cli: RunCli, tmp_path: Path) -> None:
    spec = tmp_path / "model.yaml"
    spec.write_text("budget: {max_flops: 100}\ninput: [32]\nlayers: [{Dense: 4}]\n", encoding="utf-8")
    result = run_cli("check", str(spec))
    assert result.code == 1
    assert "256 FLOPs exceed max_flops 100 by 156" in result.out


def test_compare_shows_where_keras_and_torch_execute_differently(run_cli: RunCli) -> None:
    out = run_cli("explain", "simplernn", "32", "--input", "10000", "--compare", "--seq-len", "3").out
    # Keras' generic loop runs the cell T + 1 = 4 times, torch's RNN 3 times
    assert f"    Keras    {2 * 4 * (10000 * 32 + 32 * 32):,}" in out
    assert f"    PyTorch  {2 * 3 * (10000 * 32 + 32 * 32):,}" in out


def test_compare_json_carries_both_flops(run_cli: RunCli) -> None:
    doc = json.loads(
        run_cli("explain", "dense", "4", "--input", "8", "--compare", "--batch", "2", "--format", "json").out
    )
    assert (doc["keras"]["flops"], doc["pytorch"]["flops"]) == (2 * 2 * 8 * 4, 2 * 2 * 8 * 4)


def test_compare_without_sizes_is_unchanged(run_cli: RunCli) -> None:
    assert "FLOPs" not in run_cli("explain", "lstm", "32", "--input", "10000", "--compare").out


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_summary_explain_with_flops_derives_each_layer(run_cli: RunCli, fmt: str) -> None:
    out = run_cli("summary", LSTM, "--flops", "--explain", "--format", fmt).out
    assert out.count("FLOPs of one forward pass (batch 1; 2 per multiply-add") == 2
    assert "x·W (kernel)  2·rows·m·n  = 2 × 1 × 32 × 1  64" in out


def test_torch_graph_with_a_longer_key_splits_the_packed_projection(run_cli: RunCli, tmp_path: Path) -> None:
    """torch.nn.MultiheadAttention(8, 2)(q of 5, k of 7, k): FlopCounterMode counts 8,384 at batch 2."""
    spec = tmp_path / "mha.yaml"
    spec.write_text(
        "framework: pytorch\ninputs:\n  q: {shape: [5, 8]}\n  k: {shape: [7, 8]}\nlayers:\n"
        "  - MultiheadAttention: {embed_dim: 8, num_heads: 2, batch_first: true, inputs: [q, k, k]}\n",
        encoding="utf-8",
    )
    doc = json.loads(run_cli("summary", str(spec), "--format", "json", "--batch", "2").out)
    assert doc["flops"] == 8384
    assert [layer["flops"] for layer in doc["layers"]] == [0, 0, 8384]


def test_llm_estimates_are_for_transformers_configs_only(run_cli: RunCli) -> None:
    doc = json.loads(
        run_cli(
            "summary",
            "Embedding(50, 8) | SimpleRNN(32) | Dense(1)",
            "--format",
            "json",
            "--seq-len",
            "4",
            "--tokens",
            "1M",
        ).out
    )
    assert doc["flops"] == 12864
    assert "llm_estimates" not in doc


def test_torch_decoders_attend_to_a_memory_of_another_length(run_cli: RunCli, tmp_path: Path) -> None:
    """FlopCounterMode at batch 2, target 5 and memory (source) 9 tokens, d_model 16, 2 heads, ff 32:
    TransformerDecoderLayer(tgt, mem) 78,592; TransformerDecoder × 2 157,184; Transformer(src, tgt) 241,280."""
    layer = "{d_model: 16, nhead: 2, dim_feedforward: 32, batch_first: true}"
    spec = tmp_path / "decoders.yaml"
    spec.write_text(
        "framework: pytorch\ninputs:\n  tgt: {shape: [5, 16]}\n  mem: {shape: [9, 16]}\nlayers:\n"
        f"  - TransformerDecoderLayer: {{d_model: 16, nhead: 2, dim_feedforward: 32, batch_first: true,"
        " inputs: [tgt, mem], name: declayer}\n"
        f"  - TransformerDecoder: {{decoder_layer: {{TransformerDecoderLayer: {layer}}}, num_layers: 2,"
        " inputs: [tgt, mem], name: decoder}\n"
        "  - Transformer: {d_model: 16, nhead: 2, num_encoder_layers: 1, num_decoder_layers: 2,"
        " dim_feedforward: 32, batch_first: true, inputs: [mem, tgt], name: transformer}\n"
        "outputs: [declayer, decoder, transformer]\n",
        encoding="utf-8",
    )
    doc = json.loads(run_cli("summary", str(spec), "--format", "json", "--batch", "2").out)
    assert [layer["flops"] for layer in doc["layers"]] == [0, 0, 78592, 157184, 241280]
