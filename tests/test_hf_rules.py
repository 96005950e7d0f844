"""What hand calculators get wrong about transformer configs, each checked on its own.

The numbers here are worked out by hand from the architecture (not from paramcalc's
formulas) for well-known checkpoints; the golden corpus (test_hf_corpus.py) then confirms
paramcalc against transformers on every case.
"""

from __future__ import annotations

from typing import Any

import pytest

from paramcalc.engine import analyze, run_layer
from paramcalc.formula import evaluate
from paramcalc.report import LayerRow, Report
from paramcalc.rules import all_rules, bind
from paramcalc.spec.hf_config import spec_from_config
from paramcalc.spec.records import LayerSpec

LLAMA2_7B: dict[str, Any] = {
    "model_type": "llama",
    "architectures": ["LlamaForCausalLM"],
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 32,
    "vocab_size": 32000,
}


def count(config: dict[str, Any]) -> Report:
    return analyze(spec_from_config(config, "<test>"))


def layer(class_name: str, **kwargs: Any) -> LayerRow:
    return run_layer(LayerSpec(class_name, kwargs=kwargs), "x", [(None, None)], "transformers")


def shapes(row: LayerRow) -> dict[str, tuple[int, ...]]:
    return {t.path: t.shape for t in row.terms}


def row(report: Report, name: str) -> LayerRow:
    return next(r for r in report.layers if r.name == name)


def test_grouped_query_attention_shrinks_only_k_and_v() -> None:
    # Llama-2-70B: 64 query heads, 8 key/value heads of 128
    attn = layer("LlamaAttention", hidden_size=8192, num_attention_heads=64, num_key_value_heads=8)
    assert shapes(attn) == {
        "q_proj.weight": (8192, 8192),
        "k_proj.weight": (1024, 8192),
        "v_proj.weight": (1024, 8192),
        "o_proj.weight": (8192, 8192),
    }
    assert attn.params == 2 * 8192 * 8192 + 2 * 1024 * 8192


def test_missing_num_key_value_heads_is_all_heads_for_llama_but_8_for_mistral() -> None:
    base = {"hidden_size": 64, "intermediate_size": 48, "num_hidden_layers": 1, "num_attention_heads": 16}
    llama = count({"model_type": "llama", **base, "vocab_size": 64})
    mistral = count({"model_type": "mistral", **base, "vocab_size": 64})
    assert shapes(row(llama, "model.layers.0"))["self_attn.k_proj.weight"] == (64, 64)
    assert shapes(row(mistral, "model.layers.0"))["self_attn.k_proj.weight"] == (8 * 4, 64)


@pytest.mark.parametrize(("model_type", "head_dim"), [("gemma", 256), ("gemma2", 256), ("qwen3", 128)])
def test_head_dim_default_is_not_hidden_over_heads(model_type: str, head_dim: int) -> None:
    config = {
        "model_type": model_type,
        "hidden_size": 32,
        "intermediate_size": 48,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "num_key_value_heads": 1,
        "vocab_size": 64,
    }
    block = shapes(row(count(config), "model.layers.0"))
    assert block["self_attn.q_proj.weight"] == (2 * head_dim, 32)
    assert block["self_attn.o_proj.weight"] == (32, 2 * head_dim)


def test_gemma_7b_heads_times_head_dim_exceeds_hidden_size() -> None:
    attn = layer("GemmaAttention", hidden_size=3072, num_attention_heads=16, num_key_value_heads=16, head_dim=256)
    assert shapes(attn)["q_proj.weight"] == (4096, 3072)


def test_qwen2_has_q_k_v_biases_but_no_o_proj_bias() -> None:
    attn = shapes(layer("Qwen2Attention", hidden_size=896, num_attention_heads=14, num_key_value_heads=2))
    assert attn["q_proj.bias"] == (896,)
    assert attn["k_proj.bias"] == (128,)
    assert attn["v_proj.bias"] == (128,)
    assert "o_proj.bias" not in attn


def test_qwen2_moe_biases_follow_qkv_bias_and_llama_follows_attention_bias() -> None:
    off = shapes(layer("Qwen2MoeAttention", hidden_size=64, num_attention_heads=4, qkv_bias=False))
    assert not any(name.endswith("bias") for name in off)
    llama = shapes(layer("LlamaAttention", hidden_size=64, num_attention_heads=4, attention_bias=True))
    assert {name for name in llama if name.endswith("bias")} == {
        "q_proj.bias",
        "k_proj.bias",
        "v_proj.bias",
        "o_proj.bias",
    }


def test_gated_mlp_has_three_matrices() -> None:
    mlp = layer("LlamaMLP", hidden_size=4096, intermediate_size=11008)
    assert mlp.params == 3 * 4096 * 11008
    phi = layer("Phi3MLP", hidden_size=3072, intermediate_size=8192)
    assert shapes(phi) == {"gate_up_proj.weight": (16384, 3072), "down_proj.weight": (3072, 8192)}
    assert phi.params == 3 * 3072 * 8192


def test_llama_2_7b_is_6_738_415_616_with_an_untied_head() -> None:
    report = count(LLAMA2_7B)
    per_layer = 4 * 4096 * 4096 + 3 * 4096 * 11008 + 2 * 4096
    assert report.total == 2 * 32000 * 4096 + 32 * per_layer + 4096 == 6_738_415_616
    assert report.tied == 0


def test_tied_head_is_counted_once() -> None:
    report = count({**LLAMA2_7B, "tie_word_embeddings": True})
    assert report.total == 6_738_415_616 - 32000 * 4096
    head = row(report, "lm_head")
    assert head.params == 0
    assert head.terms[0].tied_to == "model.embed_tokens.weight"
    assert report.tied == 32000 * 4096


@pytest.mark.parametrize(
    ("model_type", "tied"),
    [("gpt2", True), ("gemma", True), ("gemma2", True), ("llama", False), ("mistral", False), ("qwen2", False)],
)
def test_tie_word_embeddings_default_depends_on_the_family(model_type: str, tied: bool) -> None:
    report = count({"model_type": model_type})
    assert bool(row(report, "lm_head").tied) == tied


def test_gpt2_small_conv1d_weights_are_in_by_out() -> None:
    report = count({"model_type": "gpt2"})
    assert report.total == 124_439_808
    block = shapes(row(report, "transformer.h.0-11"))
    assert block["attn.c_attn.weight"] == (768, 2304)
    assert block["mlp.c_fc.weight"] == (768, 3072)


def test_mixtral_8x7b_total_and_active_per_token() -> None:
    config = {
        **LLAMA2_7B,
        "model_type": "mixtral",
        "architectures": ["MixtralForCausalLM"],
        "intermediate_size": 14336,
        "num_key_value_heads": 8,
    }
    report = count(config)
    attention = 2 * 4096 * 4096 + 2 * 1024 * 4096
    expert = 3 * 4096 * 14336
    router = 8 * 4096
    shared = 2 * 32000 * 4096 + 4096 + 32 * (attention + router + 2 * 4096)
    assert report.total == shared + 32 * 8 * expert == 46_702_792_704
    assert report.active == shared + 32 * 2 * expert == 12_879_925_248
    block = row(report, "model.layers.0-31")
    assert shapes(block)["mlp.gate.weight"] == (8, 4096)
    assert "mlp.gate.bias" not in shapes(block)
    assert shapes(block)["mlp.experts.gate_up_proj"] == (8, 2 * 14336, 4096)


def test_qwen2_moe_sparse_layers_follow_sparse_step_and_mlp_only_layers() -> None:
    config = {
        "model_type": "qwen2_moe",
        "hidden_size": 32,
        "intermediate_size": 40,
        "moe_intermediate_size": 8,
        "shared_expert_intermediate_size": 16,
        "num_experts": 4,
        "num_experts_per_tok": 2,
        "num_hidden_layers": 6,
        "decoder_sparse_step": 2,
        "mlp_only_layers": [3],
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "vocab_size": 64,
    }
    report = count(config)
    names = [r.name for r in report.layers]
    assert names[1:3] == ["model.layers.{0,2-4}", "model.layers.{1,5}"]
    sparse = shapes(row(report, "model.layers.{1,5}"))
    assert sparse["mlp.shared_expert_gate.weight"] == (1, 32)
    assert sparse["mlp.shared_expert.gate_proj.weight"] == (16, 32)
    assert "mlp.gate_proj.weight" in shapes(row(report, "model.layers.{0,2-4}"))
    expanded = [r.name for r in report.expanded().layers]
    assert expanded[1:7] == [f"model.layers.{i}" for i in range(6)]


def test_bert_model_has_a_pooler_and_the_mlm_head_has_none() -> None:
    base = count({"model_type": "bert", "architectures": ["BertModel"]})
    mlm = count({"model_type": "bert", "architectures": ["BertForMaskedLM"]})
    assert base.total == 109_482_240
    assert row(base, "pooler").params == 768 * 768 + 768
    assert "pooler" not in [r.name for r in mlm.layers]
    assert mlm.total == base.total - (768 * 768 + 768) + (30522 + 768 * 768 + 768 + 2 * 768) == 109_514_298


def test_bert_mlm_untied_gets_its_own_decoder_weight_and_bias() -> None:
    tied = count({"model_type": "bert", "architectures": ["BertForMaskedLM"]})
    untied = count({"model_type": "bert", "architectures": ["BertForMaskedLM"], "tie_word_embeddings": False})
    assert untied.total - tied.total == 30522 * 768 + 30522
    head = row(tied, "cls.predictions")
    assert {t.path: t.tied_to for t in head.terms if t.tied_to} == {
        "decoder.weight": "bert.embeddings.word_embeddings.weight",
        "decoder.bias": "cls.predictions.bias",
    }


def test_t5_relative_attention_bias_only_in_block_0_of_each_stack() -> None:
    report = count({"model_type": "t5"})
    assert report.total == 60_506_624
    owners = [
        f"{r.name}.{t.path}" for r in report.expanded().layers for t in r.terms if "relative_attention_bias" in t.path
    ]
    assert owners == [
        "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
        "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
    ]
    assert [r.name for r in report.layers if r.class_name == "T5Block"] == [
        "encoder.block.0",
        "encoder.block.1-5",
        "decoder.block.0",
        "decoder.block.1-5",
    ]


def test_t5_v1_1_untied_config_counts_its_own_lm_head_and_says_why() -> None:
    config = {
        "model_type": "t5",
        "d_model": 512,
        "d_ff": 1024,
        "num_layers": 8,
        "num_heads": 6,
        "feed_forward_proj": "gated-gelu",
        "tie_word_embeddings": False,
    }
    report = count(config)
    assert report.total == 76_961_152
    assert any("from_config ties lm_head.weight" in note for note in report.notes)
    built = analyze(spec_from_config(config, "<test>", tie_policy="transformers"))
    assert built.total == 60_511_616


def test_architectures_pick_the_model_class_by_role() -> None:
    report = count({**LLAMA2_7B, "architectures": ["MistralForCausalLM"]})
    assert report.name == "LlamaForCausalLM"
    base = count({**LLAMA2_7B, "architectures": ["LlamaModel"]})
    assert base.layers[0].name == "embed_tokens"
    assert base.total == 6_738_415_616 - 32000 * 4096


def _instances() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for name, found in sorted(all_rules("transformers").items()):
        required = {"Embedding": {"num_embeddings": 10, "embedding_dim": 4}}
        required["GemmaTextScaledWordEmbedding"] = required["Gemma2TextScaledWordEmbedding"] = required["Embedding"]
        required["Linear"] = {"in_features": 4, "out_features": 3}
        required["LayerNorm"] = {"normalized_shape": 4}
        required["DbrxBlock"] = {"attn_config": {"kv_n_heads": 4, "rope_theta": 10000.0}}  # no default rope_theta
        if found.name.endswith(("RMSNorm", "LayerNorm")) and found.name != "LayerNorm":
            required[found.name] = {"hidden_size": 4}
        out.append((name, required.get(found.name, {})))
    return out


@pytest.mark.parametrize(("class_name", "kwargs"), _instances())
def test_every_transformers_rule_formula_and_dims_agree_with_its_terms(class_name: str, kwargs: dict[str, Any]) -> None:
    spec = LayerSpec(class_name, kwargs=kwargs)
    bind(all_rules("transformers")[class_name], spec)
    result = run_layer(spec, "x", [(None, None)], "transformers")
    symbols = dict(result.symbols)
    assert result.formula is not None
    assert evaluate(result.formula, symbols) == sum(t.count for t in result.terms)
    for term in result.terms:
        assert term.dims is not None
        assert tuple(evaluate(d, symbols) for d in term.dims) == term.shape, term.path
    assert result.why
    assert_symbols_render(result)


def assert_symbols_render(result: LayerRow) -> None:
    """Derivations name each term once, with at most one subscript (LaTeX: W_{q})."""
    names = [t.symbol for t in result.terms]
    assert len(names) == len(set(names)), names
    assert all(name.count("_") <= 1 for name in names), names


@pytest.mark.parametrize(
    ("class_name", "kwargs"),
    [
        ("GPT2Block", {"add_cross_attention": True}),
        ("BertLayer", {"add_cross_attention": True, "is_decoder": True}),
        ("T5Block", {"is_decoder": True, "has_relative_attention_bias": True, "feed_forward_proj": "gated-gelu"}),
        ("LlamaDecoderLayer", {"attention_bias": True, "mlp_bias": True}),
        ("Qwen3DecoderLayer", {"attention_bias": True}),
        ("Qwen2MoeDecoderLayer", {}),
        ("Gemma2DecoderLayer", {}),
    ],
)
def test_block_variants_keep_term_symbols_distinct(class_name: str, kwargs: dict[str, Any]) -> None:
    result = layer(class_name, **kwargs)
    assert_symbols_render(result)
    assert evaluate(result.formula or "", dict(result.symbols)) == sum(t.count for t in result.terms)
