"""HF part of tools/flops_golden.py: FLOPs and KV-cache tensors of tiny random transformers models.

Why: a decoder's forward FLOPs depend on its layout (GQA, fused projections, routed experts,
the rotary matmul) and its KV cache on the cache class transformers builds (a sliding-window
layer keeps only the window).  For each family paramcalc reads, a scaled-down config of the
same layout is built with random weights on the CPU, run at batch 2 on a short sequence with
``use_cache=True``; FlopCounterMode's per-module counts and the cache tensors' shapes and
bytes are recorded.  Tests compare paramcalc's formulas with them, framework-free.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import torch
import transformers
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flops_golden import BATCH

SEQ = 7
SMALL = {
    "hidden_size": 64,
    "intermediate_size": 96,
    "num_hidden_layers": 3,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 101,
    "max_position_embeddings": 64,
}

#: id -> (architecture, config keys).  Sliding windows are shorter than SEQ so the cache shows them.
CONFIGS: dict[str, tuple[str, dict[str, Any]]] = {
    "llama-gqa": ("LlamaForCausalLM", {"model_type": "llama", **SMALL}),
    "llama-mha-tied": (
        "LlamaForCausalLM",
        {"model_type": "llama", **SMALL, "num_key_value_heads": 4, "tie_word_embeddings": True},
    ),
    "llama-mqa": ("LlamaForCausalLM", {"model_type": "llama", **SMALL, "num_key_value_heads": 1}),
    "mistral-sliding": ("MistralForCausalLM", {"model_type": "mistral", **SMALL, "sliding_window": 4}),
    "mistral-window-longer": ("MistralForCausalLM", {"model_type": "mistral", **SMALL, "sliding_window": 16}),
    "mixtral-sliding": (
        "MixtralForCausalLM",
        {"model_type": "mixtral", **SMALL, "num_local_experts": 4, "num_experts_per_tok": 2, "sliding_window": 3},
    ),
    "phi3-sliding": ("Phi3ForCausalLM", {"model_type": "phi3", **SMALL, "pad_token_id": 0, "sliding_window": 5}),
    "qwen2-sliding-upper": (
        "Qwen2ForCausalLM",
        {"model_type": "qwen2", **SMALL, "use_sliding_window": True, "sliding_window": 4, "max_window_layers": 1},
    ),
    "qwen2-window-unused": ("Qwen2ForCausalLM", {"model_type": "qwen2", **SMALL, "sliding_window": 4}),
    "qwen3-sliding": (
        "Qwen3ForCausalLM",
        {"model_type": "qwen3", **SMALL, "use_sliding_window": True, "sliding_window": 5, "max_window_layers": 2},
    ),
    "qwen3_moe-sliding": (
        "Qwen3MoeForCausalLM",
        {
            "model_type": "qwen3_moe",
            **SMALL,
            "num_experts": 4,
            "num_experts_per_tok": 2,
            "moe_intermediate_size": 32,
            "use_sliding_window": True,
            "sliding_window": 4,
        },
    ),
    "gemma2-layer-types": (
        "Gemma2ForCausalLM",
        {
            "model_type": "gemma2",
            **SMALL,
            "head_dim": 16,
            "sliding_window": 3,
            "layer_types": ["full_attention", "full_attention", "sliding_attention"],
        },
    ),
    "llama-biases-head-dim": (
        "LlamaForCausalLM",
        {"model_type": "llama", **SMALL, "attention_bias": True, "mlp_bias": True, "head_dim": 32},
    ),
    "gpt2-inner": (
        "GPT2LMHeadModel",
        {
            "model_type": "gpt2",
            "n_embd": 48,
            "n_layer": 2,
            "n_head": 3,
            "n_inner": 80,
            "vocab_size": 101,
            "n_positions": 64,
        },
    ),
    "qwen2_moe-sparse-step": (
        "Qwen2MoeForCausalLM",
        {
            "model_type": "qwen2_moe",
            **SMALL,
            "num_experts": 4,
            "num_experts_per_tok": 3,
            "moe_intermediate_size": 32,
            "shared_expert_intermediate_size": 48,
            "decoder_sparse_step": 2,
            "mlp_only_layers": [0],
        },
    ),
    "qwen3_moe-mlp-only": (
        "Qwen3MoeForCausalLM",
        {
            "model_type": "qwen3_moe",
            **SMALL,
            "num_experts": 8,
            "num_experts_per_tok": 1,
            "moe_intermediate_size": 16,
            "mlp_only_layers": [1],
            "head_dim": 16,
        },
    ),
    "mistral-nowindow": ("MistralForCausalLM", {"model_type": "mistral", **SMALL, "sliding_window": None}),
    "qwen2": ("Qwen2ForCausalLM", {"model_type": "qwen2", **SMALL}),
    "qwen3": ("Qwen3ForCausalLM", {"model_type": "qwen3", **SMALL, "head_dim": 32}),
    "gemma": ("GemmaForCausalLM", {"model_type": "gemma", **SMALL, "head_dim": 24}),
    "gemma2-sliding": ("Gemma2ForCausalLM", {"model_type": "gemma2", **SMALL, "head_dim": 16, "sliding_window": 4}),
    "phi3": ("Phi3ForCausalLM", {"model_type": "phi3", **SMALL, "pad_token_id": 0}),
    "mixtral": (
        "MixtralForCausalLM",
        {"model_type": "mixtral", **SMALL, "num_local_experts": 4, "num_experts_per_tok": 2},
    ),
    "qwen2_moe": (
        "Qwen2MoeForCausalLM",
        {
            "model_type": "qwen2_moe",
            **SMALL,
            "num_experts": 4,
            "num_experts_per_tok": 2,
            "moe_intermediate_size": 32,
            "shared_expert_intermediate_size": 48,
        },
    ),
    "qwen3_moe": (
        "Qwen3MoeForCausalLM",
        {
            "model_type": "qwen3_moe",
            **SMALL,
            "num_experts": 4,
            "num_experts_per_tok": 2,
            "moe_intermediate_size": 32,
            "head_dim": 16,
        },
    ),
    "bert-mlm": (
        "BertForMaskedLM",
        {
            "model_type": "bert",
            "hidden_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "intermediate_size": 96,
            "vocab_size": 101,
        },
    ),
    "bert-pooler": (
        "BertModel",
        {
            "model_type": "bert",
            "hidden_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "intermediate_size": 96,
            "vocab_size": 101,
        },
    ),
    "t5": (
        "T5ForConditionalGeneration",
        {
            "model_type": "t5",
            "d_model": 64,
            "d_kv": 16,
            "d_ff": 96,
            "num_layers": 2,
            "num_decoder_layers": 2,
            "num_heads": 4,
            "vocab_size": 101,
        },
    ),
    "t5-gated": (
        "T5ForConditionalGeneration",
        {
            "model_type": "t5",
            "d_model": 64,
            "d_kv": 8,
            "d_ff": 96,
            "num_layers": 2,
            "num_decoder_layers": 3,
            "num_heads": 6,
            "vocab_size": 101,
            "feed_forward_proj": "gated-gelu",
            "tie_word_embeddings": False,
        },
    ),
    "gpt2": (
        "GPT2LMHeadModel",
        {"model_type": "gpt2", "n_embd": 64, "n_layer": 3, "n_head": 4, "vocab_size": 101, "n_positions": 64},
    ),
}


def _cache_record(cache: Any) -> list[dict[str, Any]]:
    """Per layer: the key and value tensors' shapes and bytes (latent / sliding layouts included)."""
    caches = [cache]
    if hasattr(cache, "self_attention_cache"):  # encoder-decoder: self-attention, then cross-attention
        caches = [cache.self_attention_cache, cache.cross_attention_cache]
    out = []
    for layer in [layer for c in caches for layer in c.layers]:
        keys, values = layer.keys, layer.values
        out.append(
            {
                "keys": list(keys.shape),
                "values": list(values.shape),
                "bytes": keys.numel() * keys.element_size() + values.numel() * values.element_size(),
            }
        )
    return out


def hf_records() -> list[dict[str, Any]]:
    """One record per config: per-module FLOPs of a forward pass and the cache it returns."""
    records = []
    for case_id, (arch, config_keys) in CONFIGS.items():
        keys = dict(config_keys)
        config = transformers.AutoConfig.for_model(keys.pop("model_type"), **keys)
        torch.manual_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = getattr(transformers, arch)(config).eval()
            if hasattr(model, "set_experts_implementation") and any("experts" in n for n, _ in model.named_modules()):
                # the default kernel, torch._grouped_mm, is one op FlopCounterMode has no formula for
                model.set_experts_implementation("eager")
            ids = torch.randint(0, config.vocab_size, (BATCH, SEQ))
            counter = FlopCounterMode(display=False)
            # SDPA's CPU flash kernel is not counted by FlopCounterMode either: the math backend
            with sdpa_kernel(SDPBackend.MATH), counter, torch.no_grad():
                extra = {"decoder_input_ids": ids} if config.is_encoder_decoder else {}
                out = model(input_ids=ids, use_cache=not arch.startswith("Bert"), **extra)
        per_module = {name: int(sum(ops.values())) for name, ops in counter.get_flop_counts().items()}
        records.append(
            {
                "id": case_id,
                "config": {"architectures": [arch], **config_keys},
                "batch": BATCH,
                "seq_len": SEQ,
                "total": int(counter.get_total_flops()),
                "modules": per_module,
                "cache": _cache_record(out.past_key_values)
                if getattr(out, "past_key_values", None) is not None
                else None,
                "cache_dtype": str(next(model.parameters()).dtype),
            }
        )
        print(f"hf {case_id}: {records[-1]['total']}", file=sys.stderr)
    return records


#: id of a CONFIGS entry -> LoRA target lists to apply (r = 8 and r = 3).
LORA_TARGETS: dict[str, list[list[str]]] = {
    "llama-gqa": [
        ["q_proj", "v_proj"],
        ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
        ["lm_head"],
        ["embed_tokens"],
    ],
    "llama-mha-tied": [["q_proj", "v_proj"], ["lm_head"]],
    "phi3": [["qkv_proj", "o_proj"], ["gate_up_proj", "down_proj"]],
    "mixtral": [["q_proj", "v_proj"], ["gate"]],
    "qwen2_moe": [["q_proj", "v_proj"], ["shared_expert_gate"]],
    "gemma2-sliding": [["q_proj", "k_proj", "v_proj", "o_proj"]],
    "gpt2": [["c_attn"], ["c_attn", "c_proj", "c_fc"], ["wte"]],
    "bert-mlm": [["query", "value"], ["dense"]],
    "t5": [["q", "v"], ["wi", "wo"]],
}


def lora_records() -> list[dict[str, Any]]:
    """peft's get_nb_trainable_parameters() for LoRA on meta-device models (bias none; alpha irrelevant)."""
    import peft

    records = []
    for case_id, target_lists in LORA_TARGETS.items():
        arch, config_keys = CONFIGS[case_id]
        for targets in target_lists:
            for rank in (8, 3):
                keys = dict(config_keys)
                config = transformers.AutoConfig.for_model(keys.pop("model_type"), **keys)
                with warnings.catch_warnings(), torch.device("meta"):
                    warnings.simplefilter("ignore")
                    model = getattr(transformers, arch)(config)
                    lora = peft.LoraConfig(r=rank, lora_alpha=16, target_modules=targets, bias="none")
                    wrapped = peft.get_peft_model(model, lora)
                trainable, total = wrapped.get_nb_trainable_parameters()
                records.append(
                    {
                        "id": f"{case_id}/{'+'.join(targets)}/r{rank}",
                        "config": {"architectures": [arch], **config_keys},
                        "r": rank,
                        "targets": targets,
                        "trainable": int(trainable),
                        "all": int(total),
                    }
                )
    return records
