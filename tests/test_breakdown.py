"""Where the parameters go: ``summary --percent`` and ``summary --by module``."""

from __future__ import annotations

import json
from math import prod
from typing import Any

import pytest
from conftest import GOLDEN, ROOT, SPECS, RunCli, Snapshot, render_cli

import paramcalc
from paramcalc.breakdown import GROUPS, bar, by_module, group_of, share

CONFIGS = sorted(p.name for p in SPECS.glob("*.config.json"))
CHECKPOINTS = ROOT / "tests" / "data" / "checkpoints"


@pytest.mark.parametrize("spec", [*CONFIGS, "lstm.yaml", "pytorch_lstm.yaml"])
def test_groups_sum_to_the_total(spec: str) -> None:
    report = paramcalc.summary(SPECS / spec)
    groups = by_module(report)
    assert list(groups) == list(GROUPS)
    assert sum(groups.values()) == report.total


def test_llama_2_7b_by_module_is_its_closed_form() -> None:
    groups = by_module(paramcalc.summary(SPECS / "llama-2-7b.config.json"))
    h, inter, layers, vocab = 4096, 11008, 32, 32000
    assert groups == {
        "embeddings": vocab * h,
        "attention": layers * 4 * h * h,
        "mlp": layers * 3 * h * inter,
        "norms": (2 * layers + 1) * h,
        "head": vocab * h,
        "other": 0,
        "ssm": 0,
    }


def test_checkpoint_and_its_config_break_down_the_same() -> None:
    checkpoint = by_module(paramcalc.summary(CHECKPOINTS / "llama_tiny"))
    config = by_module(paramcalc.summary(CHECKPOINTS / "llama_tiny" / "config.json"))
    assert checkpoint == config
    assert checkpoint["head"] == checkpoint["embeddings"] == 1024


def test_gguf_names_break_down_like_transformers_names() -> None:
    groups = by_module(paramcalc.summary(CHECKPOINTS / "gguf_llama"))
    assert groups == {
        "embeddings": 1024,
        "attention": 8192,
        "ssm": 0,
        "mlp": 12288,
        "norms": 160,
        "head": 0,
        "other": 0,
    }


@pytest.mark.parametrize(
    ("name", "class_name", "group"),
    [
        ("model.layers.0-31.input_layernorm.weight", "LlamaDecoderLayer", "norms"),
        ("model.layers.0-31.post_attention_layernorm.weight", "LlamaDecoderLayer", "norms"),
        ("transformer.h.0-11.ln_1.weight", "GPT2Block", "norms"),
        ("transformer.wte.weight", "Embedding", "embeddings"),
        ("transformer.h.0-11.attn.c_proj.weight", "GPT2Block", "attention"),
        ("transformer.h.0-11.mlp.c_proj.weight", "GPT2Block", "mlp"),
        ("bert.encoder.layer.0-11.attention.output.dense.weight", "BertLayer", "attention"),
        ("bert.encoder.layer.0-11.output.dense.weight", "BertLayer", "mlp"),
        ("model.layers.0-31.block_sparse_moe.experts.w1", "MixtralDecoderLayer", "mlp"),
        ("model.layers.0-31.block_sparse_moe.gate.weight", "MixtralDecoderLayer", "mlp"),
        ("lm_head.weight", "Linear", "head"),
        ("output.weight", "", "head"),
        ("blk.3.attn_k.weight", "", "attention"),
        ("blk.3.ffn_down.weight", "", "mlp"),
        ("lstm.kernel", "LSTM", "other"),
        ("transformer.blocks.0.norm_attn_norm.attn.Wqkv.weight", "", "attention"),  # DBRX: not a norm
        ("transformer.blocks.0.norm_attn_norm.norm_1.weight", "", "norms"),
        ("model.layers.0.self_attn.q_layernorm.norms.0.weight", "", "norms"),  # StableLM per-head norms
        ("encoder.block.0.layer.1.DenseReluDense.wo.weight", "", "mlp"),  # T5: wo is the MLP's
        ("model.layers.0.self_attn.kv_a_proj_with_mqa.weight", "", "attention"),  # MLA
        ("backbone.layers.0.mixer.in_proj.weight", "", "ssm"),  # Mamba
        ("blk.0.ssm_conv1d.weight", "", "ssm"),
        ("model.encoder.conv1.weight", "", "embeddings"),  # Whisper's stem, as ViT's patch embedding
        ("predictions.decoder.weight", "", "head"),  # ALBERT MLM
        ("visual_projection.weight", "", "head"),  # CLIP
        ("vision_model.head.attention.in_proj_weight", "", "head"),  # SigLIP's pooling head
        ("bert.encoder.layer.0.attention.output.dense.weight", "", "attention"),
    ],
)
def test_parameters_are_grouped_by_their_names(name: str, class_name: str, group: str) -> None:
    assert group_of(name, class_name) == group


def test_share_and_bar_are_exact() -> None:
    assert share(1, 3) == "33.3%"
    assert share(1, 100_000) == "<0.1%"
    assert share(0, 10) == "0.0%"
    assert bar(1, 1) == "█" * 10
    assert bar(1, 2) == "█" * 5
    assert bar(1, 16) == "▋"  # 10/16 of a cell = 5 eighths
    assert bar(0, 5) == ""


def test_by_module_text(run_cli: RunCli) -> None:
    result = run_cli("summary", str(SPECS / "llama-2-7b.config.json"), "--by", "module")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == 'Where the parameters go: "LlamaForCausalLM", 6,738,415,616 params'
    assert lines[3] == "  mlp         4,328,521,728   64.2%  ████████████▊"
    assert [line.split()[0] for line in lines[1:]] == ["embeddings", "attention", "mlp", "norms", "head"]
    llama = run_cli("summary", str(ROOT / "tests" / "data" / "checkpoints" / "gguf_llama"), "--by", "module").out
    assert "ssm" not in llama  # groups without parameters are left out of the text
    assert "other" not in llama


def test_by_module_json_and_markdown(run_cli: RunCli) -> None:
    spec = str(SPECS / "gpt2.config.json")
    doc = json.loads(run_cli("summary", spec, "--by", "module", "--format", "json").out)
    assert doc["by"] == "module"
    assert doc["total"] == 124_439_808
    assert sum(g["params"] for g in doc["groups"]) == doc["total"]
    assert [g["group"] for g in doc["groups"]] == list(GROUPS)
    markdown = run_cli("summary", spec, "--by", "module", "--format", "markdown").out
    assert "| attention | 28,348,416 | 22.8% |" in markdown


def test_percent_adds_a_column_with_bars(run_cli: RunCli) -> None:
    result = run_cli("summary", str(SPECS / "llama-2-7b.config.json"), "--percent")
    assert result.code == 0, result.err
    assert "┃ %" in result.out
    assert "│  96.1% █████████▌ │" in result.out
    markdown = run_cli("summary", str(SPECS / "lstm.yaml"), "--percent", "--format", "markdown").out
    assert "| lstm (LSTM) | `(None, 32)` | 1,284,224 | 100.0% |" in markdown
    assert "| dense (Dense) | `(None, 1)` | 33 | <0.1% |" in markdown


def test_percent_in_json_gives_each_layer_its_share(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("summary", str(SPECS / "lstm.yaml"), "--percent", "--format", "json").out)
    assert [(row["name"], row["share"]) for row in doc["layers"]] == [("lstm", 0.999974), ("dense", 2.6e-05)]
    assert "share" not in json.loads(run_cli("summary", str(SPECS / "lstm.yaml"), "--format", "json").out)["layers"][0]


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_default_output_has_no_share_column(run_cli: RunCli, fmt: str) -> None:
    out = run_cli("summary", str(SPECS / "llama-2-7b.config.json"), "--format", fmt).out
    assert "%" not in out
    assert "Where the parameters go" not in out


def _hf_golden_cases() -> list[dict[str, Any]]:
    """One golden case per transformers class (every family: decoders, MoE, MLA, SSM, encoders,
    encoder-decoders, vision), with transformers' own parameter names."""
    seen: dict[str, dict[str, Any]] = {}
    for name in ("arch", "configs", "encoders", "extra"):
        document = json.loads((GOLDEN / "hf" / f"{name}.json").read_text(encoding="utf-8"))
        cases = document["cases"] if isinstance(document, dict) else document
        for case in cases.values() if isinstance(cases, dict) else cases:
            if isinstance(case, dict) and case.get("parameters") and not case.get("parameters_truncated"):
                seen.setdefault(str(case.get("model_class") or case.get("id")), case)
    return [seen[key] for key in sorted(seen)]


HF_CASES = _hf_golden_cases()


def _real_names_by_module(case: dict[str, Any]) -> dict[str, int]:
    """transformers' named parameters by group; a tied pair where its embedding side is."""
    embedded = set()
    for first, second in case.get("aliases") or []:
        if "embeddings" in (group_of(first), group_of(second)):
            embedded |= {first, second}
    out = dict.fromkeys(GROUPS, 0)
    for name, shape in case["parameters"]:
        out["embeddings" if name in embedded else group_of(name)] += prod(shape)
    return out


@pytest.mark.parametrize("case", HF_CASES, ids=[str(c.get("model_class") or c.get("id")) for c in HF_CASES])
def test_a_checkpoint_of_the_real_names_breaks_down_as_the_config_does(case: dict[str, Any]) -> None:
    """transformers' parameter names (what a checkpoint stores) and paramcalc's rows group alike."""
    report = paramcalc.summary(case["config"])
    assert by_module(report) == _real_names_by_module(case)


def test_every_family_kind_lands_in_its_groups() -> None:
    """No golden model leaves more than a sliver in ``other``; MoE, MLA, SSM and encoders land where named."""
    classes = {str(case.get("model_class")): _real_names_by_module(case) for case in HF_CASES}
    for model_class, groups in classes.items():
        assert groups["other"] * 20 <= sum(groups.values()), model_class  # DeBERTa-v2's conv layer is other
    assert classes["MixtralForCausalLM"]["mlp"] > classes["MixtralForCausalLM"]["attention"] > 0
    assert classes["DeepseekV3ForCausalLM"]["attention"] > 0  # MLA's q_a/kv_a/kv_b projections
    assert classes["MambaForCausalLM"]["ssm"] > 0
    assert classes["MambaForCausalLM"]["attention"] == 0
    assert classes["T5ForConditionalGeneration"]["mlp"] > 0
    assert classes["BertForMaskedLM"]["head"] > 0
    assert classes["CLIPModel"]["head"] > 0
    assert classes["ViTForImageClassification"]["embeddings"] > 0
    assert classes["WhisperForConditionalGeneration"]["embeddings"] > 0


SAVED = json.loads((GOLDEN / "checkpoint" / "save_pretrained.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("model_class", sorted(SAVED))
def test_what_save_pretrained_stores_breaks_down_as_its_config(model_class: str) -> None:
    """The names transformers 5 writes (hub names, per-expert weights, either side of a tie) group
    as the config's rows do; persistent buffers and parameters a class never saves aside."""
    from paramcalc.checkpoint.crosscheck import BUFFERS, NOT_SAVED

    case = SAVED[model_class]
    stored = dict.fromkeys(GROUPS, 0)
    for header in case["files"].values():
        for name, info in header.items():
            if name != "__metadata__" and name.rsplit(".", 1)[-1] not in BUFFERS:
                stored[group_of(name)] += prod(info["shape"])
    report = paramcalc.summary(case["config"])
    config = by_module(report)
    unsaved = set(NOT_SAVED.get(model_class, ()))  # Marian's sinusoidal positions: not in the file
    config["embeddings"] -= sum(
        term.count
        for row in report.expanded().layers
        for term in row.terms
        if f"{row.name}.{term.path.replace('/', '.')}" in unsaved
    )
    assert stored == config


BREAKDOWN_RUNS = {
    "by_module_table": ["summary", "specs/deepseek-v3.config.json", "--by", "module"],
    "by_module_markdown": ["summary", "specs/whisper-large-v3.config.json", "--by", "module", "--format", "markdown"],
    "by_module_json": ["summary", "specs/t5-small.config.json", "--by", "module", "--format", "json"],
    "percent_table": ["summary", "specs/mixtral-8x7b.config.json", "--percent"],
    "percent_json": ["summary", "specs/stacked_rnn.yaml", "--percent", "--format", "json"],
}


@pytest.mark.parametrize("case", list(BREAKDOWN_RUNS))
def test_breakdown_output_is_unchanged(
    case: str, run_cli: RunCli, snapshot: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    snapshot.check(render_cli(run_cli, *BREAKDOWN_RUNS[case]))
