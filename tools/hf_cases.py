"""Case table for the Hugging Face transformers conformance corpus (used by tools/hf_golden.py).

Why a separate module: the generator script (hf_golden.py) is about *how* transformers is asked
(meta-device builds, tying, truncation); this module is about *what* is asked.  It holds

* the published sizes of real checkpoints, written out by hand from their config.json files
  (nothing is downloaded: the generator builds every model from these keyword arguments), and
* a seeded generator of small random variants per family, which exercise the options that the
  published checkpoints leave at their defaults (explicit head_dim, GQA ratios, biases, untied
  heads, expert counts, sparse-step MoE layouts, ...).

Each case's ``config`` mapping is what a user's config.json would hold: it always carries
``model_type`` and ``architectures``, plus only the keys the real checkpoint sets that matter (or
the random knobs).  Keys a real config.json leaves out fall back to the family's config-class
defaults, which is exactly what paramcalc has to reproduce.

This module imports nothing from transformers or torch, and tests never import it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

#: Fixed seed: regenerating the corpus must give byte-identical golden files.
SEED = 20240607

#: How many random variants to draw per (family, model class).
RANDOM_PER_CLASS = 4


@dataclass(frozen=True)
class Case:
    """One model to build: a config.json-like mapping plus the class it is built with."""

    id: str
    model_class: str
    config: dict[str, Any]
    kind: str  # "published" (a real checkpoint's sizes) or "random" (seeded small variant)
    hub_id: str | None = None  # the checkpoint whose published sizes these are (never downloaded)
    reference_total: int | None = None  # widely reported count, checked by the generator
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _cfg(model_type: str, model_class: str, **kwargs: Any) -> dict[str, Any]:
    """A config.json-like mapping: model_type and architectures first, then the given keys."""
    return {"model_type": model_type, "architectures": [model_class], **kwargs}


# --------------------------------------------------------------------------------------------
# Published checkpoints (sizes from their config.json; totals are the counts usually reported)
# --------------------------------------------------------------------------------------------


def _published() -> list[Case]:
    cases: list[Case] = []

    def add(
        case_id: str,
        model_class: str,
        model_type: str,
        hub_id: str,
        reference_total: int | None,
        note: str | None = None,
        **kwargs: Any,
    ) -> None:
        cases.append(
            Case(
                id=case_id,
                model_class=model_class,
                config=_cfg(model_type, model_class, **kwargs),
                kind="published",
                hub_id=hub_id,
                reference_total=reference_total,
                note=note,
            )
        )

    # ---- GPT-2 (Conv1D weights are stored [in, out]; lm_head tied to wte by default)
    gpt2: dict[str, Any] = {"vocab_size": 50257, "n_positions": 1024, "n_ctx": 1024}
    add(
        "gpt2_small",
        "GPT2LMHeadModel",
        "gpt2",
        "openai-community/gpt2",
        124439808,
        n_embd=768,
        n_layer=12,
        n_head=12,
        **gpt2,
    )
    add(
        "gpt2_medium",
        "GPT2LMHeadModel",
        "gpt2",
        "openai-community/gpt2-medium",
        354823168,
        n_embd=1024,
        n_layer=24,
        n_head=16,
        **gpt2,
    )
    add(
        "gpt2_large",
        "GPT2LMHeadModel",
        "gpt2",
        "openai-community/gpt2-large",
        774030080,
        n_embd=1280,
        n_layer=36,
        n_head=20,
        **gpt2,
    )
    add(
        "gpt2_xl",
        "GPT2LMHeadModel",
        "gpt2",
        "openai-community/gpt2-xl",
        1557611200,
        n_embd=1600,
        n_layer=48,
        n_head=25,
        **gpt2,
    )
    add(
        "distilgpt2",
        "GPT2LMHeadModel",
        "gpt2",
        "distilbert/distilgpt2",
        81912576,
        n_embd=768,
        n_layer=6,
        n_head=12,
        **gpt2,
    )

    # ---- BERT (BertModel has the pooler; BertForMaskedLM drops it and adds the MLM head)
    bert: dict[str, Any] = {"max_position_embeddings": 512, "type_vocab_size": 2, "hidden_act": "gelu"}
    base: dict[str, Any] = {
        "hidden_size": 768,
        "num_hidden_layers": 12,
        "num_attention_heads": 12,
        "intermediate_size": 3072,
    }
    large: dict[str, Any] = {
        "hidden_size": 1024,
        "num_hidden_layers": 24,
        "num_attention_heads": 16,
        "intermediate_size": 4096,
    }
    add(
        "bert_base_uncased",
        "BertModel",
        "bert",
        "google-bert/bert-base-uncased",
        109482240,
        vocab_size=30522,
        **base,
        **bert,
    )
    add(
        "bert_base_uncased_mlm",
        "BertForMaskedLM",
        "bert",
        "google-bert/bert-base-uncased",
        109514298,
        vocab_size=30522,
        **base,
        **bert,
    )
    add(
        "bert_base_cased",
        "BertModel",
        "bert",
        "google-bert/bert-base-cased",
        108310272,
        vocab_size=28996,
        **base,
        **bert,
    )
    add(
        "bert_large_uncased",
        "BertModel",
        "bert",
        "google-bert/bert-large-uncased",
        335141888,
        vocab_size=30522,
        **large,
        **bert,
    )
    add(
        "bert_large_uncased_mlm",
        "BertForMaskedLM",
        "bert",
        "google-bert/bert-large-uncased",
        None,
        vocab_size=30522,
        **large,
        **bert,
    )
    add(
        "bert_base_multilingual_cased",
        "BertModel",
        "bert",
        "google-bert/bert-base-multilingual-cased",
        177853440,
        vocab_size=119547,
        **base,
        **bert,
    )

    # ---- Llama
    add(
        "llama2_7b",
        "LlamaForCausalLM",
        "llama",
        "meta-llama/Llama-2-7b-hf",
        6738415616,
        hidden_size=4096,
        intermediate_size=11008,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=32,
        vocab_size=32000,
        max_position_embeddings=4096,
        rms_norm_eps=1e-5,
        tie_word_embeddings=False,
    )
    add(
        "llama2_13b",
        "LlamaForCausalLM",
        "llama",
        "meta-llama/Llama-2-13b-hf",
        13015864320,
        hidden_size=5120,
        intermediate_size=13824,
        num_hidden_layers=40,
        num_attention_heads=40,
        num_key_value_heads=40,
        vocab_size=32000,
        max_position_embeddings=4096,
        rms_norm_eps=1e-5,
        tie_word_embeddings=False,
    )
    add(
        "llama2_70b",
        "LlamaForCausalLM",
        "llama",
        "meta-llama/Llama-2-70b-hf",
        68976648192,
        hidden_size=8192,
        intermediate_size=28672,
        num_hidden_layers=80,
        num_attention_heads=64,
        num_key_value_heads=8,
        vocab_size=32000,
        max_position_embeddings=4096,
        rms_norm_eps=1e-5,
        tie_word_embeddings=False,
    )
    add(
        "llama3_8b",
        "LlamaForCausalLM",
        "llama",
        "meta-llama/Meta-Llama-3-8B",
        8030261248,
        hidden_size=4096,
        intermediate_size=14336,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=8,
        vocab_size=128256,
        max_position_embeddings=8192,
        rms_norm_eps=1e-5,
        rope_theta=500000.0,
        bos_token_id=128000,
        eos_token_id=128001,
        tie_word_embeddings=False,
    )
    add(
        "llama3_70b",
        "LlamaForCausalLM",
        "llama",
        "meta-llama/Meta-Llama-3-70B",
        70553706496,
        hidden_size=8192,
        intermediate_size=28672,
        num_hidden_layers=80,
        num_attention_heads=64,
        num_key_value_heads=8,
        vocab_size=128256,
        max_position_embeddings=8192,
        rms_norm_eps=1e-5,
        rope_theta=500000.0,
        bos_token_id=128000,
        eos_token_id=128001,
        tie_word_embeddings=False,
    )
    add(
        "llama32_1b",
        "LlamaForCausalLM",
        "llama",
        "meta-llama/Llama-3.2-1B",
        1235814400,
        note="tie_word_embeddings true: lm_head is embed_tokens, counted once",
        hidden_size=2048,
        intermediate_size=8192,
        num_hidden_layers=16,
        num_attention_heads=32,
        num_key_value_heads=8,
        head_dim=64,
        vocab_size=128256,
        max_position_embeddings=131072,
        rms_norm_eps=1e-5,
        rope_theta=500000.0,
        bos_token_id=128000,
        eos_token_id=128001,
        tie_word_embeddings=True,
    )
    add(
        "llama32_3b",
        "LlamaForCausalLM",
        "llama",
        "meta-llama/Llama-3.2-3B",
        3212749824,
        note="tie_word_embeddings true; head_dim 128 = 3072/24",
        hidden_size=3072,
        intermediate_size=8192,
        num_hidden_layers=28,
        num_attention_heads=24,
        num_key_value_heads=8,
        head_dim=128,
        vocab_size=128256,
        max_position_embeddings=131072,
        rms_norm_eps=1e-5,
        rope_theta=500000.0,
        bos_token_id=128000,
        eos_token_id=128001,
        tie_word_embeddings=True,
    )
    add(
        "tinyllama_1_1b",
        "LlamaForCausalLM",
        "llama",
        "TinyLlama/TinyLlama-1.1B-Chat-v1.0",
        1100048384,
        hidden_size=2048,
        intermediate_size=5632,
        num_hidden_layers=22,
        num_attention_heads=32,
        num_key_value_heads=4,
        vocab_size=32000,
        max_position_embeddings=2048,
        rms_norm_eps=1e-5,
        tie_word_embeddings=False,
    )

    # ---- Mistral
    add(
        "mistral_7b_v01",
        "MistralForCausalLM",
        "mistral",
        "mistralai/Mistral-7B-v0.1",
        7241732096,
        hidden_size=4096,
        intermediate_size=14336,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=8,
        vocab_size=32000,
        max_position_embeddings=32768,
        rms_norm_eps=1e-5,
        rope_theta=10000.0,
        sliding_window=4096,
        tie_word_embeddings=False,
    )
    add(
        "mistral_7b_v03",
        "MistralForCausalLM",
        "mistral",
        "mistralai/Mistral-7B-v0.3",
        7248023552,
        hidden_size=4096,
        intermediate_size=14336,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=8,
        vocab_size=32768,
        max_position_embeddings=32768,
        rms_norm_eps=1e-5,
        rope_theta=1000000.0,
        sliding_window=None,
        tie_word_embeddings=False,
    )
    add(
        "mistral_nemo_12b",
        "MistralForCausalLM",
        "mistral",
        "mistralai/Mistral-Nemo-Base-2407",
        12247782400,
        note="head_dim 128 although hidden_size/num_attention_heads = 160",
        hidden_size=5120,
        intermediate_size=14336,
        num_hidden_layers=40,
        num_attention_heads=32,
        num_key_value_heads=8,
        head_dim=128,
        vocab_size=131072,
        max_position_embeddings=1024000,
        rms_norm_eps=1e-5,
        rope_theta=1000000.0,
        sliding_window=None,
        tie_word_embeddings=False,
    )

    # ---- Mixtral (MoE: 8 experts, top-2, router without bias)
    add(
        "mixtral_8x7b",
        "MixtralForCausalLM",
        "mixtral",
        "mistralai/Mixtral-8x7B-v0.1",
        46702792704,
        hidden_size=4096,
        intermediate_size=14336,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=8,
        vocab_size=32000,
        max_position_embeddings=32768,
        rms_norm_eps=1e-5,
        rope_theta=1000000.0,
        num_local_experts=8,
        num_experts_per_tok=2,
        tie_word_embeddings=False,
    )
    add(
        "mixtral_8x22b",
        "MixtralForCausalLM",
        "mixtral",
        "mistralai/Mixtral-8x22B-v0.1",
        None,
        hidden_size=6144,
        intermediate_size=16384,
        num_hidden_layers=56,
        num_attention_heads=48,
        num_key_value_heads=8,
        vocab_size=32000,
        max_position_embeddings=65536,
        rms_norm_eps=1e-5,
        rope_theta=1000000.0,
        num_local_experts=8,
        num_experts_per_tok=2,
        tie_word_embeddings=False,
    )

    # ---- Qwen2 (q/k/v biases, o_proj without)
    add(
        "qwen2_0_5b",
        "Qwen2ForCausalLM",
        "qwen2",
        "Qwen/Qwen2-0.5B",
        494032768,
        hidden_size=896,
        intermediate_size=4864,
        num_hidden_layers=24,
        num_attention_heads=14,
        num_key_value_heads=2,
        vocab_size=151936,
        max_position_embeddings=131072,
        rms_norm_eps=1e-6,
        rope_theta=1000000.0,
        tie_word_embeddings=True,
    )
    add(
        "qwen2_1_5b",
        "Qwen2ForCausalLM",
        "qwen2",
        "Qwen/Qwen2-1.5B",
        1543714304,
        hidden_size=1536,
        intermediate_size=8960,
        num_hidden_layers=28,
        num_attention_heads=12,
        num_key_value_heads=2,
        vocab_size=151936,
        max_position_embeddings=131072,
        rms_norm_eps=1e-6,
        rope_theta=1000000.0,
        tie_word_embeddings=True,
    )
    add(
        "qwen2_7b",
        "Qwen2ForCausalLM",
        "qwen2",
        "Qwen/Qwen2-7B",
        7615616512,
        hidden_size=3584,
        intermediate_size=18944,
        num_hidden_layers=28,
        num_attention_heads=28,
        num_key_value_heads=4,
        vocab_size=152064,
        max_position_embeddings=131072,
        rms_norm_eps=1e-6,
        rope_theta=1000000.0,
        tie_word_embeddings=False,
    )

    # ---- Qwen2-MoE (60/64 routed experts + one gated shared expert per layer)
    add(
        "qwen15_moe_a2_7b",
        "Qwen2MoeForCausalLM",
        "qwen2_moe",
        "Qwen/Qwen1.5-MoE-A2.7B",
        14315784192,
        hidden_size=2048,
        intermediate_size=5632,
        moe_intermediate_size=1408,
        shared_expert_intermediate_size=5632,
        num_experts=60,
        num_experts_per_tok=4,
        num_hidden_layers=24,
        num_attention_heads=16,
        num_key_value_heads=16,
        vocab_size=151936,
        max_position_embeddings=8192,
        rms_norm_eps=1e-6,
        decoder_sparse_step=1,
        norm_topk_prob=False,
        tie_word_embeddings=False,
    )
    add(
        "qwen2_57b_a14b",
        "Qwen2MoeForCausalLM",
        "qwen2_moe",
        "Qwen/Qwen2-57B-A14B",
        None,
        hidden_size=3584,
        intermediate_size=18944,
        moe_intermediate_size=2560,
        shared_expert_intermediate_size=20480,
        num_experts=64,
        num_experts_per_tok=8,
        num_hidden_layers=28,
        num_attention_heads=28,
        num_key_value_heads=4,
        vocab_size=151936,
        max_position_embeddings=131072,
        rms_norm_eps=1e-6,
        rope_theta=1000000.0,
        decoder_sparse_step=1,
        norm_topk_prob=False,
        tie_word_embeddings=False,
    )

    # ---- Qwen3 (head_dim 128 regardless of hidden_size; per-head q_norm/k_norm)
    qwen3: dict[str, Any] = {
        "vocab_size": 151936,
        "max_position_embeddings": 40960,
        "rms_norm_eps": 1e-6,
        "rope_theta": 1000000.0,
        "head_dim": 128,
        "attention_bias": False,
    }
    add(
        "qwen3_0_6b",
        "Qwen3ForCausalLM",
        "qwen3",
        "Qwen/Qwen3-0.6B",
        596049920,
        note="head_dim 128 although hidden_size/num_attention_heads = 64; tied",
        hidden_size=1024,
        intermediate_size=3072,
        num_hidden_layers=28,
        num_attention_heads=16,
        num_key_value_heads=8,
        tie_word_embeddings=True,
        **qwen3,
    )
    add(
        "qwen3_1_7b",
        "Qwen3ForCausalLM",
        "qwen3",
        "Qwen/Qwen3-1.7B",
        1720574976,
        hidden_size=2048,
        intermediate_size=6144,
        num_hidden_layers=28,
        num_attention_heads=16,
        num_key_value_heads=8,
        tie_word_embeddings=True,
        **qwen3,
    )
    add(
        "qwen3_4b",
        "Qwen3ForCausalLM",
        "qwen3",
        "Qwen/Qwen3-4B",
        4022468096,
        hidden_size=2560,
        intermediate_size=9728,
        num_hidden_layers=36,
        num_attention_heads=32,
        num_key_value_heads=8,
        tie_word_embeddings=True,
        **qwen3,
    )
    add(
        "qwen3_8b",
        "Qwen3ForCausalLM",
        "qwen3",
        "Qwen/Qwen3-8B",
        8190735360,
        hidden_size=4096,
        intermediate_size=12288,
        num_hidden_layers=36,
        num_attention_heads=32,
        num_key_value_heads=8,
        tie_word_embeddings=False,
        **qwen3,
    )

    # ---- Gemma (head_dim 256; tied by default)
    gemma: dict[str, Any] = {
        "vocab_size": 256000,
        "max_position_embeddings": 8192,
        "rms_norm_eps": 1e-6,
        "head_dim": 256,
        "hidden_act": "gelu",
        "pad_token_id": 0,
        "eos_token_id": 1,
        "bos_token_id": 2,
    }
    add(
        "gemma_2b",
        "GemmaForCausalLM",
        "gemma",
        "google/gemma-2b",
        2506172416,
        note="multi-query attention: one k/v head",
        hidden_size=2048,
        intermediate_size=16384,
        num_hidden_layers=18,
        num_attention_heads=8,
        num_key_value_heads=1,
        **gemma,
    )
    add(
        "gemma_7b",
        "GemmaForCausalLM",
        "gemma",
        "google/gemma-7b",
        8537680896,
        note="16 heads x head_dim 256 = 4096 != hidden_size 3072",
        hidden_size=3072,
        intermediate_size=24576,
        num_hidden_layers=28,
        num_attention_heads=16,
        num_key_value_heads=16,
        **gemma,
    )

    # ---- Gemma 2 (four norms per layer)
    gemma2: dict[str, Any] = {
        "vocab_size": 256000,
        "max_position_embeddings": 8192,
        "rms_norm_eps": 1e-6,
        "hidden_activation": "gelu_pytorch_tanh",
        "sliding_window": 4096,
        "final_logit_softcapping": 30.0,
        "attn_logit_softcapping": 50.0,
        "pad_token_id": 0,
        "eos_token_id": 1,
        "bos_token_id": 2,
    }
    add(
        "gemma2_2b",
        "Gemma2ForCausalLM",
        "gemma2",
        "google/gemma-2-2b",
        2614341888,
        hidden_size=2304,
        intermediate_size=9216,
        num_hidden_layers=26,
        num_attention_heads=8,
        num_key_value_heads=4,
        head_dim=256,
        query_pre_attn_scalar=256,
        **gemma2,
    )
    add(
        "gemma2_9b",
        "Gemma2ForCausalLM",
        "gemma2",
        "google/gemma-2-9b",
        9241705984,
        hidden_size=3584,
        intermediate_size=14336,
        num_hidden_layers=42,
        num_attention_heads=16,
        num_key_value_heads=8,
        head_dim=256,
        query_pre_attn_scalar=256,
        **gemma2,
    )
    add(
        "gemma2_27b",
        "Gemma2ForCausalLM",
        "gemma2",
        "google/gemma-2-27b",
        27227128320,
        hidden_size=4608,
        intermediate_size=36864,
        num_hidden_layers=46,
        num_attention_heads=32,
        num_key_value_heads=16,
        head_dim=128,
        query_pre_attn_scalar=144,
        **gemma2,
    )

    # ---- Phi-3 (packed qkv_proj and gate_up_proj)
    phi3: dict[str, Any] = {
        "vocab_size": 32064,
        "max_position_embeddings": 4096,
        "original_max_position_embeddings": 4096,
        "rms_norm_eps": 1e-5,
        "bos_token_id": 1,
        "eos_token_id": 32000,
        "pad_token_id": 32000,
        "sliding_window": 2047,
        "tie_word_embeddings": False,
    }
    add(
        "phi3_mini_4k",
        "Phi3ForCausalLM",
        "phi3",
        "microsoft/Phi-3-mini-4k-instruct",
        3821079552,
        hidden_size=3072,
        intermediate_size=8192,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=32,
        **phi3,
    )
    add(
        "phi3_medium_4k",
        "Phi3ForCausalLM",
        "phi3",
        "microsoft/Phi-3-medium-4k-instruct",
        13960238080,
        hidden_size=5120,
        intermediate_size=17920,
        num_hidden_layers=40,
        num_attention_heads=40,
        num_key_value_heads=10,
        **phi3,
    )

    # ---- T5 (original: relu, tied + decoder output scaling; v1.1: gated-gelu, "untied")
    t5: dict[str, Any] = {
        "vocab_size": 32128,
        "relative_attention_num_buckets": 32,
        "relative_attention_max_distance": 128,
        "layer_norm_epsilon": 1e-6,
    }
    add(
        "t5_small",
        "T5ForConditionalGeneration",
        "t5",
        "google-t5/t5-small",
        60506624,
        d_model=512,
        d_ff=2048,
        d_kv=64,
        num_layers=6,
        num_heads=8,
        feed_forward_proj="relu",
        **t5,
    )
    add(
        "t5_base",
        "T5ForConditionalGeneration",
        "t5",
        "google-t5/t5-base",
        222903552,
        d_model=768,
        d_ff=3072,
        d_kv=64,
        num_layers=12,
        num_heads=12,
        feed_forward_proj="relu",
        **t5,
    )
    add(
        "t5_large",
        "T5ForConditionalGeneration",
        "t5",
        "google-t5/t5-large",
        737668096,
        d_model=1024,
        d_ff=4096,
        d_kv=64,
        num_layers=24,
        num_heads=16,
        feed_forward_proj="relu",
        **t5,
    )
    v11_note = (
        "T5 v1.1: config.json says tie_word_embeddings false and the checkpoint has its "
        "own lm_head ({} parameters in the checkpoint), but T5Config in transformers 5.x "
        "forces tie_word_embeddings=True (the flag survives only as "
        "scale_decoder_outputs=False), so a model built from the config (from_config, "
        "meta device) ties lm_head to shared and counts it once. from_pretrained on a "
        "checkpoint whose lm_head differs from shared unties them again (with a warning) "
        "and then counts the checkpoint figure"
    )
    add(
        "t5_v1_1_small",
        "T5ForConditionalGeneration",
        "t5",
        "google/t5-v1_1-small",
        None,
        note=v11_note.format("76,961,152"),
        d_model=512,
        d_ff=1024,
        d_kv=64,
        num_layers=8,
        num_heads=6,
        feed_forward_proj="gated-gelu",
        tie_word_embeddings=False,
        **t5,
    )
    add(
        "t5_v1_1_base",
        "T5ForConditionalGeneration",
        "t5",
        "google/t5-v1_1-base",
        None,
        note=v11_note.format("247,577,856"),
        d_model=768,
        d_ff=2048,
        d_kv=64,
        num_layers=12,
        num_heads=12,
        feed_forward_proj="gated-gelu",
        tie_word_embeddings=False,
        **t5,
    )
    return cases


# --------------------------------------------------------------------------------------------
# Seeded random small variants
# --------------------------------------------------------------------------------------------


def _heads(rng: random.Random) -> tuple[int, int]:
    """(num_attention_heads, num_key_value_heads) with kv dividing heads (MHA, GQA or MQA)."""
    heads = rng.choice([1, 2, 3, 4, 6, 8])
    kv = rng.choice([d for d in range(1, heads + 1) if heads % d == 0])
    return heads, kv


def _decoder_common(rng: random.Random, *, allow_head_dim: bool) -> dict[str, Any]:
    """Sizes shared by the Llama-like decoders; head_dim sometimes != hidden/heads."""
    heads, kv = _heads(rng)
    per_head = rng.choice([4, 8, 12, 16])
    kw: dict[str, Any] = {
        "hidden_size": heads * per_head,
        "num_attention_heads": heads,
        "num_key_value_heads": kv,
        "num_hidden_layers": rng.randint(1, 4),
        "intermediate_size": rng.choice([16, 24, 40, 64, 96]),
        "vocab_size": rng.choice([64, 97, 128, 257, 500]),
    }
    if allow_head_dim and rng.random() < 0.6:
        kw["head_dim"] = rng.choice([4, 6, 10, 16, 24])
    return kw


def _random_cases() -> list[Case]:
    rng = random.Random(SEED)
    cases: list[Case] = []

    def add(prefix: str, model_type: str, model_class: str, kw: dict[str, Any]) -> None:
        idx = sum(1 for c in cases if c.id.startswith(prefix + "_r"))
        cases.append(
            Case(
                id=f"{prefix}_r{idx}",
                model_class=model_class,
                config=_cfg(model_type, model_class, **kw),
                kind="random",
            )
        )

    for _ in range(RANDOM_PER_CLASS):
        heads = rng.choice([1, 2, 3, 4])
        vocab = rng.choice([50, 97, 256, 300])
        kw: dict[str, Any] = {
            "n_embd": heads * rng.choice([4, 8, 16]),
            "n_head": heads,
            "n_layer": rng.randint(1, 4),
            "n_positions": rng.choice([16, 32, 64]),
            "vocab_size": vocab,
            "bos_token_id": vocab - 1,
            "eos_token_id": vocab - 1,
            "tie_word_embeddings": rng.random() < 0.6,
            "add_cross_attention": rng.random() < 0.3,
        }
        if rng.random() < 0.5:
            kw["n_inner"] = rng.choice([8, 24, 50])
        add("gpt2", "gpt2", "GPT2LMHeadModel", kw)

    for model_class, prefix in (("BertModel", "bert"), ("BertForMaskedLM", "bert_mlm")):
        for _ in range(RANDOM_PER_CLASS):
            heads = rng.choice([1, 2, 4])
            kw = {
                "hidden_size": heads * rng.choice([4, 8, 16]),
                "num_attention_heads": heads,
                "num_hidden_layers": rng.randint(1, 3),
                "intermediate_size": rng.choice([16, 32, 48]),
                "vocab_size": rng.choice([40, 99, 200]),
                "max_position_embeddings": rng.choice([16, 64]),
                "type_vocab_size": rng.choice([1, 2, 3]),
            }
            if model_class == "BertModel":
                if rng.random() < 0.4:
                    kw["is_decoder"] = True
                    kw["add_cross_attention"] = True
            else:
                kw["tie_word_embeddings"] = rng.random() < 0.5
            add(prefix, "bert", model_class, kw)

    for _ in range(RANDOM_PER_CLASS):
        kw = _decoder_common(rng, allow_head_dim=True)
        kw["attention_bias"] = rng.random() < 0.5
        kw["mlp_bias"] = rng.random() < 0.5
        kw["tie_word_embeddings"] = rng.random() < 0.5
        add("llama", "llama", "LlamaForCausalLM", kw)

    for _ in range(RANDOM_PER_CLASS):
        kw = _decoder_common(rng, allow_head_dim=True)
        kw["tie_word_embeddings"] = rng.random() < 0.5
        add("mistral", "mistral", "MistralForCausalLM", kw)

    for _ in range(RANDOM_PER_CLASS):
        kw = _decoder_common(rng, allow_head_dim=True)
        experts = rng.randint(2, 8)
        kw["num_local_experts"] = experts
        kw["num_experts_per_tok"] = rng.randint(1, min(experts, 4))
        kw["tie_word_embeddings"] = rng.random() < 0.5
        add("mixtral", "mixtral", "MixtralForCausalLM", kw)

    for _ in range(RANDOM_PER_CLASS):
        kw = _decoder_common(rng, allow_head_dim=False)
        kw["tie_word_embeddings"] = rng.random() < 0.5
        add("qwen2", "qwen2", "Qwen2ForCausalLM", kw)

    for _ in range(RANDOM_PER_CLASS):
        kw = _decoder_common(rng, allow_head_dim=False)
        kw["num_hidden_layers"] = rng.randint(2, 5)
        experts = rng.randint(2, 8)
        kw["num_experts"] = experts
        kw["num_experts_per_tok"] = rng.randint(1, min(experts, 4))
        kw["moe_intermediate_size"] = rng.choice([8, 12, 20])
        kw["shared_expert_intermediate_size"] = rng.choice([8, 16, 36])
        kw["decoder_sparse_step"] = rng.choice([1, 1, 2, 3])
        layers = kw["num_hidden_layers"]
        kw["mlp_only_layers"] = sorted(rng.sample(range(layers), rng.randint(0, layers // 2)))
        kw["qkv_bias"] = rng.random() < 0.7
        kw["tie_word_embeddings"] = rng.random() < 0.5
        add("qwen2_moe", "qwen2_moe", "Qwen2MoeForCausalLM", kw)

    for _ in range(RANDOM_PER_CLASS):
        kw = _decoder_common(rng, allow_head_dim=True)
        kw.setdefault("head_dim", kw["hidden_size"] // kw["num_attention_heads"])
        kw["attention_bias"] = rng.random() < 0.5
        kw["tie_word_embeddings"] = rng.random() < 0.5
        add("qwen3", "qwen3", "Qwen3ForCausalLM", kw)

    for model_type, model_class in (("gemma", "GemmaForCausalLM"), ("gemma2", "Gemma2ForCausalLM")):
        for _ in range(RANDOM_PER_CLASS):
            kw = _decoder_common(rng, allow_head_dim=True)
            kw.setdefault("head_dim", kw["hidden_size"] // kw["num_attention_heads"])
            kw["attention_bias"] = rng.random() < 0.4
            kw["tie_word_embeddings"] = rng.random() < 0.6
            add(model_type, model_type, model_class, kw)

    for _ in range(RANDOM_PER_CLASS):
        kw = _decoder_common(rng, allow_head_dim=False)
        kw["tie_word_embeddings"] = rng.random() < 0.4
        kw["bos_token_id"] = 1
        kw["eos_token_id"] = kw["vocab_size"] - 1
        kw["pad_token_id"] = kw["vocab_size"] - 1
        add("phi3", "phi3", "Phi3ForCausalLM", kw)

    for _ in range(RANDOM_PER_CLASS):
        layers = rng.randint(1, 4)
        kw = {
            "d_model": rng.choice([16, 24, 32]),
            "d_kv": rng.choice([4, 8, 10]),
            "num_heads": rng.choice([1, 2, 3, 4]),
            "d_ff": rng.choice([16, 40, 64]),
            "num_layers": layers,
            "num_decoder_layers": rng.choice([layers, rng.randint(1, 4)]),
            "relative_attention_num_buckets": rng.choice([8, 16, 32]),
            "feed_forward_proj": rng.choice(["relu", "gated-gelu", "gated-silu", "gelu"]),
            "tie_word_embeddings": rng.random() < 0.5,
            "vocab_size": rng.choice([64, 100, 128]),
        }
        add("t5", "t5", "T5ForConditionalGeneration", kw)

    return cases


def _special_cases() -> list[Case]:
    """Hand-picked edge cases that the random draw might miss."""
    return [
        Case(
            id="phi3_extra_head_dim",
            model_class="Phi3ForCausalLM",
            config=_cfg(
                "phi3",
                "Phi3ForCausalLM",
                hidden_size=64,
                intermediate_size=48,
                num_hidden_layers=2,
                num_attention_heads=4,
                num_key_value_heads=2,
                head_dim=8,
                vocab_size=100,
                bos_token_id=1,
                eos_token_id=99,
                pad_token_id=99,
                tie_word_embeddings=False,
            ),
            kind="random",
            note="Phi3Config declares no head_dim, but an extra head_dim key is kept as an "
            "attribute and Phi3Attention reads it (getattr(config, 'head_dim', ...)): "
            "qkv_proj is (4+2*2)*8 x 64, o_proj 64 x 32",
        ),
        Case(
            id="qwen2_moe_no_experts",
            model_class="Qwen2MoeForCausalLM",
            config=_cfg(
                "qwen2_moe",
                "Qwen2MoeForCausalLM",
                hidden_size=32,
                intermediate_size=40,
                moe_intermediate_size=8,
                shared_expert_intermediate_size=16,
                num_experts=0,
                num_experts_per_tok=1,
                num_hidden_layers=2,
                num_attention_heads=4,
                num_key_value_heads=2,
                vocab_size=64,
                tie_word_embeddings=False,
            ),
            kind="random",
            note="num_experts 0: every layer is a dense Qwen2MoeMLP of intermediate_size",
        ),
        Case(
            id="qwen2_moe_sparse_step2_mlp_only",
            model_class="Qwen2MoeForCausalLM",
            config=_cfg(
                "qwen2_moe",
                "Qwen2MoeForCausalLM",
                hidden_size=32,
                intermediate_size=40,
                moe_intermediate_size=8,
                shared_expert_intermediate_size=16,
                num_experts=4,
                num_experts_per_tok=2,
                num_hidden_layers=6,
                decoder_sparse_step=2,
                mlp_only_layers=[3],
                num_attention_heads=4,
                num_key_value_heads=2,
                vocab_size=64,
                tie_word_embeddings=False,
            ),
            kind="random",
            note="layer i is sparse iff i not in mlp_only_layers and (i+1) % decoder_sparse_step "
            "== 0: here layers 1 and 5 are MoE, 0, 2, 3, 4 are dense",
        ),
        Case(
            id="qwen2_extra_head_dim",
            model_class="Qwen2ForCausalLM",
            config=_cfg(
                "qwen2",
                "Qwen2ForCausalLM",
                hidden_size=32,
                intermediate_size=40,
                num_hidden_layers=2,
                num_attention_heads=4,
                num_key_value_heads=2,
                head_dim=12,
                vocab_size=64,
                tie_word_embeddings=False,
            ),
            kind="random",
            note="Qwen2Config declares no head_dim, but Qwen2Attention reads "
            "getattr(config, 'head_dim', hidden/heads), so an extra key changes the shapes",
        ),
        Case(
            id="gemma_default_head_dim",
            model_class="GemmaForCausalLM",
            config=_cfg(
                "gemma",
                "GemmaForCausalLM",
                hidden_size=32,
                intermediate_size=48,
                num_hidden_layers=1,
                num_attention_heads=2,
                num_key_value_heads=1,
                vocab_size=64,
            ),
            kind="random",
            note="no head_dim key: GemmaConfig's default head_dim is 256, not hidden/heads = 16",
        ),
        Case(
            id="gemma2_default_head_dim",
            model_class="Gemma2ForCausalLM",
            config=_cfg(
                "gemma2",
                "Gemma2ForCausalLM",
                hidden_size=32,
                intermediate_size=48,
                num_hidden_layers=2,
                num_attention_heads=2,
                num_key_value_heads=1,
                vocab_size=64,
            ),
            kind="random",
            note="no head_dim key: Gemma2Config's default head_dim is 256, not hidden/heads = 16",
        ),
        Case(
            id="qwen3_default_head_dim",
            model_class="Qwen3ForCausalLM",
            config=_cfg(
                "qwen3",
                "Qwen3ForCausalLM",
                hidden_size=32,
                intermediate_size=48,
                num_hidden_layers=1,
                num_attention_heads=2,
                num_key_value_heads=1,
                vocab_size=64,
            ),
            kind="random",
            note="no head_dim key: Qwen3Config's default head_dim is 128, not hidden/heads = 16",
        ),
        Case(
            id="llama_defaults_kv_heads",
            model_class="LlamaForCausalLM",
            config=_cfg(
                "llama",
                "LlamaForCausalLM",
                hidden_size=32,
                intermediate_size=48,
                num_hidden_layers=1,
                num_attention_heads=4,
                vocab_size=64,
            ),
            kind="random",
            note="no num_key_value_heads: Llama falls back to num_attention_heads (MHA); "
            "Mistral/Mixtral's class default is 8 instead",
        ),
        Case(
            id="mistral_defaults_kv_heads",
            model_class="MistralForCausalLM",
            config=_cfg(
                "mistral",
                "MistralForCausalLM",
                hidden_size=64,
                intermediate_size=48,
                num_hidden_layers=1,
                num_attention_heads=16,
                vocab_size=64,
            ),
            kind="random",
            note="no num_key_value_heads: MistralConfig's default is 8 (GQA), not num_attention_heads",
        ),
        Case(
            id="bert_mlm_untied",
            model_class="BertForMaskedLM",
            config=_cfg(
                "bert",
                "BertForMaskedLM",
                hidden_size=32,
                num_hidden_layers=1,
                num_attention_heads=2,
                intermediate_size=48,
                vocab_size=50,
                max_position_embeddings=16,
                tie_word_embeddings=False,
            ),
            kind="random",
            note="tie_word_embeddings false unties BOTH the decoder weight and the decoder "
            "bias (cls.predictions.decoder.bias becomes a second vocab-sized bias)",
        ),
    ]


def all_cases() -> list[Case]:
    """Every case, in golden-file order: published first, then random, then special."""
    cases = _published() + _random_cases() + _special_cases()
    ids = [c.id for c in cases]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate case ids")
    return cases
