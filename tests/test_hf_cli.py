"""Hugging Face configs on the command line: summary, --expand-nested, explain --config, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SPECS, RunCli

from paramcalc.spec.hf_families import SUPPORTED

LLAMA = str(SPECS / "llama-2-7b.config.json")
MIXTRAL = str(SPECS / "mixtral-8x7b.config.json")
T5 = str(SPECS / "t5-small.config.json")


def write(tmp_path: Path, doc: object, name: str = "config.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return str(path)


def test_summary_shows_one_row_per_distinct_block_with_its_repeat_count(run_cli: RunCli) -> None:
    result = run_cli("summary", LLAMA)
    assert result.code == 0, result.err
    assert "model.layers.0-31 (LlamaDecoderLayer × 32)" in result.out
    assert "6,476,267,520" in result.out
    assert "(202,383,360 each)" in result.out
    assert "Total params: 6,738,415,616 (25.10 GB)" in result.out
    assert "model.layers.5" not in result.out


def test_expand_nested_writes_out_every_layer(run_cli: RunCli) -> None:
    table = run_cli("summary", LLAMA, "--expand-nested").out
    assert "model.layers.31 (LlamaDecoderLayer)" in table
    assert "× 32" not in table
    doc = json.loads(run_cli("summary", LLAMA, "--expand-nested", "--format", "json").out)
    names = [layer["name"] for layer in doc["layers"]]
    assert names == ["model.embed_tokens", *[f"model.layers.{i}" for i in range(32)], "model.norm", "lm_head"]
    assert doc["total"] == 6_738_415_616


def test_json_rows_carry_repeat_and_the_layers_sum_to_the_total(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("summary", MIXTRAL, "--format", "json").out)
    block = doc["layers"][1]
    assert block["repeat"] == 32
    assert block["params"] == 32 * block["params_each"]
    assert block["copies"][0] == "model.layers.0"
    assert sum(term["count"] for term in block["terms"]) == block["params_each"]
    assert sum(layer["params"] for layer in doc["layers"]) == doc["total"] == 46_702_792_704
    assert doc["active_per_token"] == 12_879_925_248
    experts = [t for t in block["terms"] if "experts" in t["weight"]]
    assert all(t["active_share"] == [2, 8] for t in experts)
    assert doc["hf"] == {"model_type": "mixtral", "architecture": "MixtralForCausalLM"}


def test_moe_footer_shows_active_parameters(run_cli: RunCli) -> None:
    out = run_cli("summary", MIXTRAL).out
    assert "Active params per token: 12,879,925,248 (47.98 GB): top-2 of 8 experts in 32 layers" in out


def test_tied_rows_say_so_and_count_nothing(run_cli: RunCli) -> None:
    out = run_cli("summary", T5).out
    assert out.count("0 (tied)") == 3
    assert "Total params: 60,506,624" in out
    doc = json.loads(run_cli("summary", T5, "--format", "json").out)
    head = next(layer for layer in doc["layers"] if layer["name"] == "lm_head")
    assert head["params"] == 0
    assert head["terms"][0]["tied_to"] == "shared.weight"
    assert doc["tied"] == 3 * 32128 * 512


def test_markdown_summary_of_a_config(run_cli: RunCli) -> None:
    out = run_cli("summary", LLAMA, "--format", "markdown").out
    assert (
        "| model.layers.0-31 (LlamaDecoderLayer × 32) | `(None, None, 4096)` | 6,476,267,520 (202,383,360 each) |"
        in out
    )


def test_unsupported_model_type_lists_the_supported_families(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("summary", write(tmp_path, {"model_type": "rwkv", "hidden_size": 768}))
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert "unsupported model_type 'rwkv'" in result.err
    assert ", ".join(SUPPORTED) in result.err
    assert "config.json:2: unsupported" in result.err
    assert "'framework: pytorch' spec" in result.err


@pytest.mark.parametrize(
    ("model_type", "nearest"),
    [
        ("qwen2_5_vl", "qwen2"),
        ("falcon_h1", "falcon"),
        ("gemma3", "gemma3_text, gemma, gemma2"),
        ("olmoe", "olmo"),
        ("camembert", "roberta"),
        ("blenderbot", "bart"),
        ("deit", "vit"),
        ("longt5", "t5"),
        ("modernbert", "bert"),
    ],
)
def test_unsupported_model_type_names_the_nearest_families(
    run_cli: RunCli, tmp_path: Path, model_type: str, nearest: str
) -> None:
    result = run_cli("summary", write(tmp_path, {"model_type": model_type}))
    assert result.code == 2
    assert f"nearest known: {nearest}" in result.err


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"model_type": "llama", "hidden_size": "4096"}, "config.json:3: 'hidden_size' must be an integer, got '4096'"),
        ({"model_type": "llama", "attention_bias": 1}, "'attention_bias' must be true or false"),
        ({"model_type": "mistral", "num_key_value_heads": None}, "'num_key_value_heads' must be an integer, got None"),
        ({"model_type": "bert", "architectures": ["BertForImageClassification"]}, "not supported"),
        (
            {"model_type": "llama", "hidden_size": 100, "num_attention_heads": 3},
            "not a multiple of num_attention_heads",
        ),
        ({"model_type": "phi3", "vocab_size": 32000}, "padding_idx 32000 is outside the 32000 embeddings"),
        ({"model_type": "t5", "feed_forward_proj": "gated-gelu-x"}, "is not an activation like"),
        ({"model_type": "bert", "add_cross_attention": True}, "add_cross_attention needs is_decoder"),
        ({"model_type": "qwen2", "head_dim": None}, "'head_dim' must be an integer, got null"),
        (
            {"model_type": "qwen2_moe", "num_key_value_heads": None},
            "'num_key_value_heads' must be an integer, got null",
        ),
        ({"model_type": "mistral", "hidden_size": 40, "num_attention_heads": 8}, "head_dim 5 is odd"),
        ({"model_type": "qwen3", "head_dim": 7, "num_hidden_layers": 0}, "head_dim 7 is odd"),
        (
            {"model_type": "llama", "hidden_size": 100, "num_attention_heads": 3, "num_hidden_layers": 0},
            "not a multiple of num_attention_heads",
        ),
        ({"model_type": "t5", "feed_forward_proj": "a-b", "num_layers": 0}, "is not an activation like"),
        ({"model_type": "qwen2_moe", "decoder_sparse_step": 0}, "decoder_sparse_step 0"),
    ],
)
def test_configs_transformers_refuses_are_one_line_errors(
    run_cli: RunCli, tmp_path: Path, doc: dict[str, object], message: str
) -> None:
    result = run_cli("summary", write(tmp_path, doc))
    assert result.code == 2
    assert result.out == ""
    assert message in result.err
    assert result.err.count("\n") == 1


def test_json_without_model_type_is_still_read_as_yaml(run_cli: RunCli, tmp_path: Path) -> None:
    path = write(tmp_path, {"input": [3, 10000], "layers": [{"SimpleRNN": 32}, {"Dense": 1}]}, "spec.json")
    result = run_cli("summary", path, "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["total"] == 321_089


def test_framework_flag_cannot_recount_a_config(run_cli: RunCli) -> None:
    result = run_cli("summary", LLAMA, "--framework", "keras")
    assert result.code == 2
    assert "counted as transformers builds it" in result.err


def test_explain_block_from_config_shows_every_term_and_the_repeat(run_cli: RunCli) -> None:
    result = run_cli("explain", "LlamaDecoderLayer", "--config", LLAMA)
    assert result.code == 0, result.err
    out = result.out
    assert "self_attn.k_proj.weight" in out
    assert "kv_heads·head_dim × h = 4096 × 4096" in out
    assert "× 32 copies (model.layers.0 … model.layers.31) = 6,476,267,520" in out
    assert "closed form: 2·h·head_dim·(heads + kv_heads) + 3·h·I + 2·h" in out


def test_explain_with_sizes_as_keyword_arguments(run_cli: RunCli) -> None:
    result = run_cli(
        "explain",
        "LlamaDecoderLayer(hidden_size=4096, intermediate_size=11008, num_attention_heads=32, num_key_value_heads=8)",
    )
    assert result.code == 0, result.err
    assert "kv_heads·head_dim × h = 1024 × 4096" in result.out
    assert "177,217,536" in result.out


def test_explain_attention_block_alone(run_cli: RunCli) -> None:
    doc = json.loads(
        run_cli("explain", "Qwen2Attention(hidden_size=896, num_attention_heads=14)", "--format", "json").out
    )
    assert doc["class"] == "Qwen2Attention"
    assert [t["weight"] for t in doc["terms"]] == [
        "q_proj.weight",
        "q_proj.bias",
        "k_proj.weight",
        "k_proj.bias",
        "v_proj.weight",
        "v_proj.bias",
        "o_proj.weight",
    ]


def test_explain_t5_block_shows_block_0_and_the_others(run_cli: RunCli) -> None:
    out = run_cli("explain", "T5Block", "--config", T5).out
    assert out.count("(T5Block)") == 4
    assert "relative_attention_bias.weight" in out


def test_explain_module_path_and_overrides_with_config(run_cli: RunCli) -> None:
    one = run_cli("explain", "model.layers.7", "--config", LLAMA)
    assert one.code == 0, one.err
    assert one.out.startswith("model.layers.7 (LlamaDecoderLayer)")
    smaller = json.loads(
        run_cli("explain", "LlamaMLP(intermediate_size=8192)", "--config", LLAMA, "--format", "json").out
    )
    assert smaller["params"] == 3 * 4096 * 8192
    wrong = run_cli("explain", "GPT2Block", "--config", LLAMA)
    assert wrong.code == 2
    assert "not part of a llama model" in wrong.err


def test_layers_lists_transformers_blocks(run_cli: RunCli) -> None:
    out = run_cli("layers", "--framework", "transformers").out
    assert "LlamaDecoderLayer: LlamaDecoderLayer: self-attention then an MLP" in out
    assert "T5Block:" in out


def test_json_summary_of_a_config_does_not_import_rich() -> None:
    code = (
        "import sys; from paramcalc.cli import main; "
        f"main(['summary', {LLAMA!r}, '--format', 'json']); "
        "print('RICH' if 'rich' in sys.modules else 'NO-RICH', file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stderr.strip() == "NO-RICH"


@pytest.mark.parametrize("command", ["summary", "memory"])
def test_readme_shows_the_current_llama_output(run_cli: RunCli, command: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    prompt = f"$ paramcalc {command} specs/llama-2-7b.config.json\n"
    start = readme.index(prompt) + len(prompt)
    shown = readme[start : readme.index("```", start)]
    result = run_cli(command, str(SPECS / "llama-2-7b.config.json"))
    assert result.out == shown


def test_every_relative_named_in_the_hint_is_a_supported_family() -> None:
    from paramcalc.spec.hf_config import RELATIVES

    assert set(RELATIVES.values()) <= set(SUPPORTED)
    assert not set(RELATIVES) & set(SUPPORTED)


def test_unsupported_wrapper_whose_text_config_is_supported_says_to_count_that_alone(
    run_cli: RunCli, tmp_path: Path
) -> None:
    doc = {
        "model_type": "mistral3",
        "text_config": {"model_type": "mistral"},
        "vision_config": {"model_type": "pixtral"},
    }
    result = run_cli("summary", write(tmp_path, doc))
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert (
        "its 'text_config' is a 'mistral' config, which paramcalc counts: save it as a config.json alone" in result.err
    )
