"""Write tests/golden/hf/arch.json: the table-driven decoder families, built by real transformers.

Why: every row of paramcalc/spec/hf_decoder_families.py (and the task heads added to the
hand-written Llama-style families) must match what transformers 5.24 builds.  For each family
this builds, on the meta device and offline, with the record format of tools/hf_golden.py
(reusing its ``record()``):

* the config class's defaults, for every head class the family defines;
* published sizes written as explicit configs (OPT-1.3B, Falcon-7B, Phi-2, ...);
* seeded random small variants (sizes, head layouts, every boolean switch, 0-3 layers).

Run (on purpose, never from tests):
    /work/fw/bin/python tools/hf_golden_arch.py
Deterministic: fixed seed, sorted keys, compact separators.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

import hf_golden  # noqa: E402  (sets HF_HUB_OFFLINE before transformers is imported)
import transformers  # noqa: E402
from hf_cases import Case  # noqa: E402
from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES  # noqa: E402

OUT_FILE = hf_golden.OUT_DIR / "arch.json"
SEED = 1212

ROLES = ("Model", "ForCausalLM", "ForSequenceClassification", "ForTokenClassification", "ForQuestionAnswering")

#: model_type -> (class prefix, head roles defined, class-name overrides)
FAMILIES: dict[str, tuple[str, tuple[str, ...], dict[str, str]]] = {
    "opt": ("OPT", ("Model", "ForCausalLM", "ForSequenceClassification", "ForQuestionAnswering"), {}),
    "falcon": ("Falcon", ROLES, {}),
    "phi": ("Phi", ROLES[:4], {}),
    "gpt_neox": ("GPTNeoX", ROLES, {}),
    "gptj": ("GPTJ", ("Model", "ForCausalLM", "ForSequenceClassification", "ForQuestionAnswering"), {}),
    "gpt_bigcode": ("GPTBigCode", ROLES[:4], {}),
    "bloom": ("Bloom", ROLES, {}),
    "starcoder2": ("Starcoder2", ROLES[:4], {}),
    "stablelm": ("StableLm", ROLES[:4], {}),
    "olmo": ("Olmo", ROLES[:3], {}),
    "olmo2": ("Olmo2", ROLES[:3], {}),
    "cohere": ("Cohere", ROLES[:2], {}),
    "granite": ("Granite", ROLES[:2], {}),
    "gemma3_text": (
        "Gemma3",
        ROLES[:3],
        {"Model": "Gemma3TextModel", "ForSequenceClassification": "Gemma3TextForSequenceClassification"},
    ),
    "deepseek_v3": ("DeepseekV3", ROLES[:4], {}),
    "deepseek_v2": ("DeepseekV2", ROLES[:3], {}),
    "phimoe": ("Phimoe", ROLES[:3], {}),
    "granitemoe": ("GraniteMoe", ROLES[:2], {}),
    "mamba": ("Mamba", ROLES[:2], {}),
    "jamba": ("Jamba", ROLES[:3], {}),
    "dbrx": ("Dbrx", ROLES[:2], {}),
    "falcon_mamba": ("FalconMamba", ROLES[:2], {}),
    "mamba2": ("Mamba2", ROLES[:2], {}),
    # hand-written Llama-style families: their task heads
    "gpt2": ("GPT2", (*ROLES[2:], "DoubleHeadsModel"), {}),
    "llama": ("Llama", ROLES[2:], {}),
    "mistral": ("Mistral", ROLES[2:], {}),
    "mixtral": ("Mixtral", ROLES[2:], {}),
    "qwen2": ("Qwen2", ROLES[2:], {}),
    "qwen2_moe": ("Qwen2Moe", ROLES[2:], {}),
    "qwen3": ("Qwen3", ROLES[2:], {}),
    "qwen3_moe": ("Qwen3Moe", ROLES[2:], {}),
    "gemma": ("Gemma", ROLES[2:4], {}),
    "gemma2": ("Gemma2", ROLES[2:4], {}),
    "phi3": ("Phi3", ROLES[2:4], {}),
    # BERT (hand-written rules): every task class but BertModel and BertForMaskedLM (tools/hf_golden.py)
    "bert": (
        "Bert",
        (
            "ForSequenceClassification",
            "ForTokenClassification",
            "ForQuestionAnswering",
            "ForMultipleChoice",
            "ForNextSentencePrediction",
            "ForPreTraining",
            "LMHeadModel",
        ),
        {},
    ),
    "t5": ("T5", ("ForSequenceClassification", "ForTokenClassification", "ForQuestionAnswering"), {}),
}

_STD = ("hidden_size", "num_attention_heads", "num_hidden_layers", "intermediate_size", "num_key_value_heads")

#: model_type -> (config keys: hidden, heads, layers, inner MLP width or None, kv heads or None), booleans to flip
KNOBS: dict[str, tuple[tuple[str, str, str, str | None, str | None], tuple[str, ...]]] = {
    "opt": (
        ("hidden_size", "num_attention_heads", "num_hidden_layers", "ffn_dim", None),
        (
            "do_layer_norm_before",
            "_remove_final_layer_norm",
            "enable_bias",
            "layer_norm_elementwise_affine",
            "tie_word_embeddings",
        ),
    ),
    "falcon": (
        ("hidden_size", "num_attention_heads", "num_hidden_layers", "ffn_hidden_size", "num_kv_heads"),
        ("new_decoder_architecture", "multi_query", "parallel_attn", "bias", "alibi", "tie_word_embeddings"),
    ),
    "phi": (
        ("hidden_size", "num_attention_heads", "num_hidden_layers", "intermediate_size", "num_key_value_heads"),
        ("qk_layernorm", "tie_word_embeddings"),
    ),
    "gpt_neox": (
        ("hidden_size", "num_attention_heads", "num_hidden_layers", "intermediate_size", None),
        ("use_parallel_residual", "attention_bias", "tie_word_embeddings"),
    ),
    "gptj": (("n_embd", "n_head", "n_layer", "n_inner", None), ("tie_word_embeddings",)),
    "gpt_bigcode": (("n_embd", "n_head", "n_layer", "n_inner", None), ("multi_query", "tie_word_embeddings")),
    "bloom": (("hidden_size", "n_head", "n_layer", None, None), ("tie_word_embeddings",)),
    "starcoder2": (
        ("hidden_size", "num_attention_heads", "num_hidden_layers", "intermediate_size", "num_key_value_heads"),
        ("use_bias", "tie_word_embeddings"),
    ),
    "stablelm": (
        ("hidden_size", "num_attention_heads", "num_hidden_layers", "intermediate_size", "num_key_value_heads"),
        ("use_qkv_bias", "qk_layernorm", "use_parallel_residual", "tie_word_embeddings"),
    ),
    "olmo": (
        ("hidden_size", "num_attention_heads", "num_hidden_layers", "intermediate_size", "num_key_value_heads"),
        ("attention_bias", "tie_word_embeddings"),
    ),
    "olmo2": (
        ("hidden_size", "num_attention_heads", "num_hidden_layers", "intermediate_size", "num_key_value_heads"),
        ("attention_bias", "tie_word_embeddings"),
    ),
    "cohere": (
        ("hidden_size", "num_attention_heads", "num_hidden_layers", "intermediate_size", "num_key_value_heads"),
        ("attention_bias", "use_qk_norm", "tie_word_embeddings"),
    ),
    "granite": (
        ("hidden_size", "num_attention_heads", "num_hidden_layers", "intermediate_size", "num_key_value_heads"),
        ("attention_bias", "mlp_bias", "tie_word_embeddings"),
    ),
    "gemma3_text": (
        ("hidden_size", "num_attention_heads", "num_hidden_layers", "intermediate_size", "num_key_value_heads"),
        ("attention_bias", "tie_word_embeddings"),
    ),
    "phimoe": (_STD, ("attention_bias", "lm_head_bias", "tie_word_embeddings")),
    "granitemoe": (_STD, ("attention_bias", "tie_word_embeddings")),
    "deepseek_v3": ((*_STD[:4], None), ("attention_bias", "tie_word_embeddings")),
    "deepseek_v2": ((*_STD[:4], None), ("attention_bias", "mlp_bias", "tie_word_embeddings")),
    "mamba": (
        ("hidden_size", "state_size", "num_hidden_layers", None, None),
        ("use_bias", "use_conv_bias", "tie_word_embeddings"),
    ),
    "jamba": (_STD, ("mamba_conv_bias", "mamba_proj_bias", "tie_word_embeddings")),
    "dbrx": (("d_model", "n_heads", "n_layers", None, None), ("tie_word_embeddings",)),
}

_FALCON_MAMBA_7B: dict[str, Any] = {
    "model_type": "falcon_mamba",
    "hidden_size": 4096,
    "intermediate_size": 8192,
    "num_hidden_layers": 64,
    "state_size": 16,
    "vocab_size": 65024,
    "conv_kernel": 4,
    "expand": 16,
    "time_step_rank": 256,
    "use_bias": False,
    "use_conv_bias": True,
    "tie_word_embeddings": False,
    "layer_norm_epsilon": 1e-5,
    "mixer_rms_eps": 1e-6,
    "pad_token_id": 0,
}
"""tiiuae/falcon-mamba-7b's config.json (its sizes)."""

_BERT_BASE: dict[str, Any] = {
    "model_type": "bert",
    "vocab_size": 30522,
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
    "max_position_embeddings": 512,
    "type_vocab_size": 2,
    "pad_token_id": 0,
}
"""bert-base-uncased's config.json (its sizes; fine-tuned checkpoints add labels)."""

PUBLISHED: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "opt-1.3b",
        "facebook/opt-1.3b",
        "OPTForCausalLM",
        {
            "model_type": "opt",
            "hidden_size": 2048,
            "ffn_dim": 8192,
            "num_attention_heads": 32,
            "num_hidden_layers": 24,
            "word_embed_proj_dim": 2048,
            "vocab_size": 50272,
            "max_position_embeddings": 2048,
        },
    ),
    (
        "opt-350m",
        "facebook/opt-350m",
        "OPTForCausalLM",
        {
            "model_type": "opt",
            "hidden_size": 1024,
            "ffn_dim": 4096,
            "num_attention_heads": 16,
            "num_hidden_layers": 24,
            "word_embed_proj_dim": 512,
            "do_layer_norm_before": False,
            "vocab_size": 50272,
        },
    ),
    (
        "falcon-7b",
        "tiiuae/falcon-7b",
        "FalconForCausalLM",
        {
            "model_type": "falcon",
            "hidden_size": 4544,
            "num_attention_heads": 71,
            "num_hidden_layers": 32,
            "multi_query": True,
            "parallel_attn": True,
            "bias": False,
            "vocab_size": 65024,
            "alibi": False,
            "new_decoder_architecture": False,
        },
    ),
    (
        "falcon-40b",
        "tiiuae/falcon-40b",
        "FalconForCausalLM",
        {
            "model_type": "falcon",
            "hidden_size": 8192,
            "num_attention_heads": 128,
            "num_kv_heads": 8,
            "num_hidden_layers": 60,
            "new_decoder_architecture": True,
            "parallel_attn": True,
            "bias": False,
            "vocab_size": 65024,
        },
    ),
    (
        "phi-2",
        "microsoft/phi-2",
        "PhiForCausalLM",
        {
            "model_type": "phi",
            "hidden_size": 2560,
            "intermediate_size": 10240,
            "num_attention_heads": 32,
            "num_hidden_layers": 32,
            "vocab_size": 51200,
            "partial_rotary_factor": 0.4,
            "tie_word_embeddings": False,
        },
    ),
    (
        "pythia-1.4b",
        "EleutherAI/pythia-1.4b",
        "GPTNeoXForCausalLM",
        {
            "model_type": "gpt_neox",
            "hidden_size": 2048,
            "intermediate_size": 8192,
            "num_attention_heads": 16,
            "num_hidden_layers": 24,
            "vocab_size": 50304,
            "rotary_pct": 0.25,
            "tie_word_embeddings": False,
        },
    ),
    (
        "gpt-j-6b",
        "EleutherAI/gpt-j-6b",
        "GPTJForCausalLM",
        {
            "model_type": "gptj",
            "n_embd": 4096,
            "n_head": 16,
            "n_layer": 28,
            "n_positions": 2048,
            "rotary_dim": 64,
            "vocab_size": 50400,
            "tie_word_embeddings": False,
        },
    ),
    (
        "starcoderbase-1b",
        "bigcode/starcoderbase-1b",
        "GPTBigCodeForCausalLM",
        {
            "model_type": "gpt_bigcode",
            "n_embd": 2048,
            "n_head": 16,
            "n_inner": 8192,
            "n_layer": 24,
            "n_positions": 8192,
            "vocab_size": 49152,
            "multi_query": True,
        },
    ),
    (
        "bloom-560m",
        "bigscience/bloom-560m",
        "BloomForCausalLM",
        {"model_type": "bloom", "hidden_size": 1024, "n_head": 16, "n_layer": 24, "vocab_size": 250880},
    ),
    (
        "starcoder2-3b",
        "bigcode/starcoder2-3b",
        "Starcoder2ForCausalLM",
        {
            "model_type": "starcoder2",
            "hidden_size": 3072,
            "intermediate_size": 12288,
            "num_attention_heads": 24,
            "num_key_value_heads": 2,
            "num_hidden_layers": 30,
            "vocab_size": 49152,
            "use_bias": True,
        },
    ),
    (
        "stablelm-2-1_6b",
        "stabilityai/stablelm-2-1_6b",
        "StableLmForCausalLM",
        {
            "model_type": "stablelm",
            "hidden_size": 2048,
            "intermediate_size": 5632,
            "num_attention_heads": 32,
            "num_key_value_heads": 32,
            "num_hidden_layers": 24,
            "vocab_size": 100352,
            "use_qkv_bias": True,
            "tie_word_embeddings": False,
        },
    ),
    (
        "olmo-1b",
        "allenai/OLMo-1B-hf",
        "OlmoForCausalLM",
        {
            "model_type": "olmo",
            "hidden_size": 2048,
            "intermediate_size": 8192,
            "num_attention_heads": 16,
            "num_hidden_layers": 16,
            "vocab_size": 50304,
            "tie_word_embeddings": True,
        },
    ),
    (
        "olmo2-7b",
        "allenai/OLMo-2-1124-7B",
        "Olmo2ForCausalLM",
        {
            "model_type": "olmo2",
            "hidden_size": 4096,
            "intermediate_size": 11008,
            "num_attention_heads": 32,
            "num_key_value_heads": 32,
            "num_hidden_layers": 32,
            "vocab_size": 100352,
        },
    ),
    (
        "command-r",
        "CohereForAI/c4ai-command-r-v01",
        "CohereForCausalLM",
        {
            "model_type": "cohere",
            "hidden_size": 8192,
            "intermediate_size": 22528,
            "num_attention_heads": 64,
            "num_key_value_heads": 64,
            "num_hidden_layers": 40,
            "vocab_size": 256000,
            "use_qk_norm": False,
        },
    ),
    (
        "granite-3b-code",
        "ibm-granite/granite-3b-code-base",
        "GraniteForCausalLM",
        {
            "model_type": "granite",
            "hidden_size": 2560,
            "intermediate_size": 10240,
            "num_attention_heads": 32,
            "num_key_value_heads": 32,
            "num_hidden_layers": 32,
            "vocab_size": 49152,
            "attention_bias": True,
            "mlp_bias": True,
            "tie_word_embeddings": True,
        },
    ),
    (
        "gemma-3-1b",
        "google/gemma-3-1b-pt",
        "Gemma3ForCausalLM",
        {
            "model_type": "gemma3_text",
            "hidden_size": 1152,
            "intermediate_size": 6912,
            "num_attention_heads": 4,
            "num_key_value_heads": 1,
            "head_dim": 256,
            "num_hidden_layers": 26,
            "vocab_size": 262144,
        },
    ),
    (
        "deepseek-v3",
        "deepseek-ai/DeepSeek-V3",
        "DeepseekV3ForCausalLM",
        {
            "model_type": "deepseek_v3",
            "hidden_size": 7168,
            "intermediate_size": 18432,
            "moe_intermediate_size": 2048,
            "num_hidden_layers": 61,
            "num_attention_heads": 128,
            "num_key_value_heads": 128,
            "n_shared_experts": 1,
            "n_routed_experts": 256,
            "num_experts_per_tok": 8,
            "first_k_dense_replace": 3,
            "q_lora_rank": 1536,
            "kv_lora_rank": 512,
            "vocab_size": 129280,
        },
    ),
    (
        "phi-3.5-moe",
        "microsoft/Phi-3.5-MoE-instruct",
        "PhimoeForCausalLM",
        {
            "model_type": "phimoe",
            "hidden_size": 4096,
            "intermediate_size": 6400,
            "num_attention_heads": 32,
            "num_key_value_heads": 8,
            "num_hidden_layers": 32,
            "num_local_experts": 16,
            "num_experts_per_tok": 2,
            "vocab_size": 32064,
            "attention_bias": True,
            "lm_head_bias": True,
        },
    ),
    (
        "granite-3.0-1b-a400m",
        "ibm-granite/granite-3.0-1b-a400m-base",
        "GraniteMoeForCausalLM",
        {
            "model_type": "granitemoe",
            "hidden_size": 1024,
            "intermediate_size": 512,
            "num_attention_heads": 16,
            "num_key_value_heads": 8,
            "num_hidden_layers": 24,
            "num_local_experts": 32,
            "num_experts_per_tok": 8,
            "vocab_size": 49155,
            "tie_word_embeddings": True,
        },
    ),
    (
        "deepseek-v2-lite",
        "deepseek-ai/DeepSeek-V2-Lite",
        "DeepseekV2ForCausalLM",
        {
            "model_type": "deepseek_v2",
            "hidden_size": 2048,
            "intermediate_size": 10944,
            "moe_intermediate_size": 1408,
            "num_hidden_layers": 27,
            "num_attention_heads": 16,
            "num_key_value_heads": 16,
            "n_shared_experts": 2,
            "n_routed_experts": 64,
            "num_experts_per_tok": 6,
            "first_k_dense_replace": 1,
            "q_lora_rank": None,
            "kv_lora_rank": 512,
            "vocab_size": 102400,
        },
    ),
    (
        "mamba-130m",
        "state-spaces/mamba-130m-hf",
        "MambaForCausalLM",
        {"model_type": "mamba", "hidden_size": 768, "num_hidden_layers": 24, "vocab_size": 50280, "state_size": 16},
    ),
    (
        "jamba-v0.1",
        "ai21labs/Jamba-v0.1",
        "JambaForCausalLM",
        {"model_type": "jamba", "hidden_size": 4096, "num_hidden_layers": 32, "vocab_size": 65536, "num_experts": 16},
    ),
    (
        "dbrx-base",
        "databricks/dbrx-base",
        "DbrxForCausalLM",
        {
            "model_type": "dbrx",
            "d_model": 6144,
            "n_heads": 48,
            "n_layers": 40,
            "max_seq_len": 32768,
            "vocab_size": 100352,
            "attn_config": {"clip_qkv": 8, "kv_n_heads": 8, "rope_theta": 500000},
            "ffn_config": {"ffn_hidden_size": 10752, "moe_num_experts": 16, "moe_top_k": 4},
        },
    ),
    ("falcon-mamba-7b", "tiiuae/falcon-mamba-7b", "FalconMambaForCausalLM", _FALCON_MAMBA_7B),
    (
        "mamba-codestral-7b",
        "mistralai/Mamba-Codestral-7B-v0.1",
        "Mamba2ForCausalLM",
        {
            "model_type": "mamba2",
            "hidden_size": 4096,
            "num_heads": 128,
            "head_dim": 64,
            "n_groups": 8,
            "state_size": 128,
            "num_hidden_layers": 64,
            "vocab_size": 32768,
            "expand": 2,
            "conv_kernel": 4,
            "chunk_size": 256,
            "use_bias": False,
            "use_conv_bias": True,
            "tie_word_embeddings": False,
            "layer_norm_epsilon": 1e-5,
            "pad_token_id": 0,
            "bos_token_id": 0,
            "eos_token_id": 0,
        },
    ),
    (
        "bert-base-uncased-sst2",
        "textattack/bert-base-uncased-SST-2",
        "BertForSequenceClassification",
        {**_BERT_BASE, "id2label": {"0": "negative", "1": "positive"}},
    ),
    (
        "bert-large-uncased-squad",
        "google-bert/bert-large-uncased-whole-word-masking-finetuned-squad",
        "BertForQuestionAnswering",
        {
            **_BERT_BASE,
            "hidden_size": 1024,
            "num_hidden_layers": 24,
            "num_attention_heads": 16,
            "intermediate_size": 4096,
        },
    ),
    (
        "bert-base-cased-pretraining",
        "google-bert/bert-base-cased",
        "BertForPreTraining",
        {**_BERT_BASE, "vocab_size": 28996},
    ),
]


hf_golden.MOE_KEYS.update(
    {
        "deepseek_v3": ("n_routed_experts", "num_experts_per_tok"),
        "deepseek_v2": ("n_routed_experts", "num_experts_per_tok"),
        "phimoe": ("num_local_experts", "num_experts_per_tok"),
        "granitemoe": ("num_local_experts", "num_experts_per_tok"),
        "jamba": ("num_experts", "num_experts_per_tok"),
    }
)


_moe_summary = hf_golden.moe_summary


def _moe_summary_with_dbrx(case: Case, config: Any, model: Any) -> dict[str, Any] | None:
    """DBRX keeps its experts as (E·F) × h matrices under ``ffn.experts.mlp``: k/E of each is used."""
    if case.config["model_type"] != "dbrx":
        return _moe_summary(case, config, model)
    experts, top_k = config.ffn_config.moe_num_experts, config.ffn_config.moe_top_k
    stacked = [(n, p.numel()) for n, p in model.named_parameters() if ".experts.mlp." in n]
    used = min(top_k, experts)  # k > E builds (the router fails at run time): a token uses E at most
    inactive = sum(numel * (experts - used) // experts for _, numel in stacked)
    layers = {n.split(".experts.mlp.", 1)[0] for n, _ in stacked}
    return {
        "num_experts": experts,
        "top_k": top_k,
        "moe_layers": len(layers),
        "expert_parameters": sum(numel for _, numel in stacked),
        "inactive_per_token": inactive,
    }


hf_golden.moe_summary = _moe_summary_with_dbrx
hf_golden.MOE_KEYS["dbrx"] = ("ffn_config", "ffn_config")


class _Direct:
    """Build a named model class from a config (the Auto classes map several names per role)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def from_config(self, config: Any) -> Any:
        return getattr(transformers, self.name)._from_config(config)


def class_name(model_type: str, role: str) -> str:
    prefix, _, names = FAMILIES[model_type]
    return names.get(role, prefix + role)


def _register(model_type: str, model_class: str) -> None:
    hf_golden.CONFIG_CLASSES.setdefault(model_type, getattr(transformers, CONFIG_MAPPING_NAMES[model_type]))
    hf_golden.AUTO_CLASSES[model_class] = _Direct(model_class)


#: Families whose random variants were added after round 1 (drawn after KNOBS', so theirs stay as they were).
HEAD_KNOBS: dict[str, tuple[tuple[str, str, str, str | None, str | None], tuple[str, ...]]] = {
    "bert": (
        ("hidden_size", "num_attention_heads", "num_hidden_layers", "intermediate_size", None),
        ("tie_word_embeddings", "is_decoder"),
    ),
    "falcon_mamba": (
        ("hidden_size", "num_attention_heads", "num_hidden_layers", None, None),
        ("use_bias", "use_conv_bias", "tie_word_embeddings"),
    ),
    "t5": (("d_model", "num_heads", "num_layers", "d_ff", None), ("is_decoder",)),
    "mamba2": (
        ("hidden_size", "num_heads", "num_hidden_layers", None, None),
        ("use_bias", "use_conv_bias", "tie_word_embeddings"),
    ),
}


def _random(model_type: str, rng: random.Random) -> dict[str, Any]:
    (h_key, heads_key, layers_key, inner_key, kv_key), flags = {**KNOBS, **HEAD_KNOBS}[model_type]
    heads = rng.choice((1, 2, 3, 4))
    head_dim = rng.choice((2, 4, 6, 8, 3, 5))  # odd head sizes: RoPE refuses some
    skew = rng.choice((0, 0, 0, 0, 1))  # now and then a hidden size the heads do not divide
    config: dict[str, Any] = {"model_type": model_type, h_key: heads * head_dim + skew, heads_key: heads}
    config[layers_key] = rng.choice((0, 1, 2, 3))
    config["vocab_size"] = rng.randint(8, 64)
    if inner_key:
        config[inner_key] = rng.randint(1, 40)
    if kv_key:
        config[kv_key] = rng.choice([d for d in range(1, heads + 1) if heads % d == 0])
    for flag in flags:
        config[flag] = rng.random() < 0.5
    if model_type == "falcon" and config["new_decoder_architecture"] and rng.random() < 0.5:
        config["num_ln_in_parallel_attn"] = rng.choice((1, 2))
    if model_type == "gemma3_text":
        config["head_dim"] = rng.choice((2, 4, 8))
    if model_type == "mamba2":  # hidden_size * expand must be num_heads * head_dim (now and then it is not)
        hidden, expand = rng.randint(1, 8), rng.choice((1, 2))
        heads = rng.choice([d for d in range(1, hidden * expand + 1) if hidden * expand % d == 0])
        config |= {"hidden_size": hidden, "expand": expand, "num_heads": heads}
        config["head_dim"] = hidden * expand // heads + (1 if rng.random() < 0.1 else 0)
        config["n_groups"] = rng.choice((1, 2, 4))
        config["state_size"] = rng.choice((1, 2, 4))
        config["conv_kernel"] = rng.choice((2, 4))
        config["time_step_rank"] = rng.choice(("auto", 2))
    if model_type == "t5":
        config["d_kv"] = rng.choice((1, 2, 3, 4))
        config["num_decoder_layers"] = rng.choice((0, 1, 2))
        config["relative_attention_num_buckets"] = rng.choice((2, 8))
        config["feed_forward_proj"] = rng.choice(("relu", "gated-gelu"))
    if model_type in ("mamba", "falcon_mamba"):
        config["expand"] = rng.choice((1, 2, 3))
        config["conv_kernel"] = rng.choice((2, 4))
        config["time_step_rank"] = rng.choice(("auto", 1, 3))
    if model_type == "jamba":
        config["num_hidden_layers"] = rng.randint(0, 6)
        config["num_experts"] = rng.randint(1, 4)
        config["num_experts_per_tok"] = rng.randint(1, config["num_experts"])
        config["attn_layer_period"] = rng.randint(1, 4)
        config["attn_layer_offset"] = rng.randint(0, config["attn_layer_period"] - 1)
        config["expert_layer_period"] = rng.randint(1, 3)
        config["expert_layer_offset"] = rng.randint(0, config["expert_layer_period"] - 1)
        config["mamba_d_state"] = rng.randint(1, 4)
        config["mamba_expand"] = rng.randint(1, 2)
        config["mamba_dt_rank"] = rng.choice(("auto", 2))
    if model_type == "dbrx":
        experts = rng.randint(1, 4)
        config["attn_config"] = {
            "kv_n_heads": rng.choice([d for d in range(1, heads + 1) if heads % d == 0]),
            "rope_theta": 10000.0,
        }
        config["ffn_config"] = {
            "ffn_hidden_size": rng.randint(1, 12),
            "moe_num_experts": experts,
            "moe_top_k": rng.randint(1, experts),
        }
    if model_type in ("phimoe", "granitemoe"):
        config["num_local_experts"] = rng.randint(1, 5)
        config["num_experts_per_tok"] = rng.randint(1, config["num_local_experts"])
    if model_type.startswith("deepseek"):
        config["n_routed_experts"] = rng.randint(1, 5)
        config["n_shared_experts"] = rng.randint(1, 2)
        config["num_experts_per_tok"] = rng.randint(1, config["n_routed_experts"])
        config["moe_intermediate_size"] = rng.randint(1, 12)
        config["first_k_dense_replace"] = rng.randint(0, 2)
        config["q_lora_rank"] = rng.choice((None, 4, 6))
        config["kv_lora_rank"] = rng.choice((2, 4))
        config["qk_rope_head_dim"] = rng.choice((2, 4))
        config["qk_nope_head_dim"] = rng.choice((2, 4))
        config["v_head_dim"] = rng.choice((2, 6))
    if model_type in ("phi", "stablelm"):
        config["partial_rotary_factor"] = 0.5
    if rng.random() < 0.3:
        config["num_labels"] = rng.randint(1, 5)
    return config


_TINY = {"hidden_size": 16, "intermediate_size": 8, "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 32}

#: (case id, model class, config): edge cases the fuzzer or an issue found.  More experts per
#: token than experts (issue 11): transformers builds every MoE family so, and a token can use
#: all experts at most, so active <= total; Mamba's ``intermediate_size: null`` (refused once a
#: layer is built).
EDGE: list[tuple[str, str, dict[str, Any]]] = [
    (
        "phimoe-topk-over-experts",
        "PhimoeForCausalLM",
        {"model_type": "phimoe", **_TINY, "num_key_value_heads": 2, "num_local_experts": 2, "num_experts_per_tok": 4},
    ),
    (
        "granitemoe-topk-over-experts",
        "GraniteMoeForCausalLM",
        {"model_type": "granitemoe", **_TINY, "num_local_experts": 3, "num_experts_per_tok": 5},
    ),
    (
        "jamba-topk-over-experts",
        "JambaForCausalLM",
        {
            "model_type": "jamba",
            **_TINY,
            "num_key_value_heads": 2,
            "num_experts": 2,
            "num_experts_per_tok": 3,
            "expert_layer_period": 1,
            "expert_layer_offset": 0,
            "attn_layer_period": 2,
            "attn_layer_offset": 1,
            "mamba_d_state": 4,
            "mamba_expand": 2,
        },
    ),
    (
        "deepseek_v3-topk-over-experts",
        "DeepseekV3ForCausalLM",
        {
            "model_type": "deepseek_v3",
            **_TINY,
            "moe_intermediate_size": 4,
            "first_k_dense_replace": 1,
            "n_routed_experts": 2,
            "num_experts_per_tok": 4,
            "n_group": 1,
            "topk_group": 1,
            "q_lora_rank": 8,
            "kv_lora_rank": 4,
            "qk_rope_head_dim": 2,
            "qk_nope_head_dim": 2,
            "v_head_dim": 4,
        },
    ),
    (
        "deepseek_v2-topk-over-experts",
        "DeepseekV2ForCausalLM",
        {
            "model_type": "deepseek_v2",
            **_TINY,
            "moe_intermediate_size": 4,
            "first_k_dense_replace": 0,
            "n_routed_experts": 3,
            "num_experts_per_tok": 6,
            "n_group": 1,
            "topk_group": 1,
            "q_lora_rank": None,
            "kv_lora_rank": 4,
            "qk_rope_head_dim": 2,
            "qk_nope_head_dim": 2,
            "v_head_dim": 4,
        },
    ),
    (
        "dbrx-topk-over-experts",
        "DbrxForCausalLM",
        {
            "model_type": "dbrx",
            "d_model": 16,
            "n_heads": 4,
            "n_layers": 2,
            "vocab_size": 32,
            "attn_config": {"kv_n_heads": 2, "rope_theta": 10000.0},
            "ffn_config": {"ffn_hidden_size": 8, "moe_num_experts": 2, "moe_top_k": 3},
        },
    ),
    (
        "mixtral-topk-over-experts",
        "MixtralForCausalLM",
        {"model_type": "mixtral", **_TINY, "num_key_value_heads": 2, "num_local_experts": 2, "num_experts_per_tok": 3},
    ),
    (
        "qwen2_moe-topk-over-experts",
        "Qwen2MoeForCausalLM",
        {
            "model_type": "qwen2_moe",
            **_TINY,
            "num_key_value_heads": 2,
            "moe_intermediate_size": 4,
            "shared_expert_intermediate_size": 8,
            "num_experts": 2,
            "num_experts_per_tok": 4,
        },
    ),
    (
        "qwen3_moe-topk-over-experts",
        "Qwen3MoeForCausalLM",
        {
            "model_type": "qwen3_moe",
            **_TINY,
            "num_key_value_heads": 2,
            "head_dim": 4,
            "moe_intermediate_size": 4,
            "num_experts": 3,
            "num_experts_per_tok": 8,
        },
    ),
    (
        "mamba-null-inner",
        "MambaForCausalLM",
        {
            "model_type": "mamba",
            "hidden_size": 12,
            "num_hidden_layers": 1,
            "vocab_size": 45,
            "expand": 3,
            "intermediate_size": None,
        },
    ),
    (
        "mamba-null-inner-no-layers",
        "MambaModel",
        {"model_type": "mamba", "hidden_size": 12, "num_hidden_layers": 0, "vocab_size": 45, "intermediate_size": None},
    ),
    (
        "falcon-labels-disagree",
        "FalconForTokenClassification",
        {"model_type": "falcon", **_TINY, "num_labels": 3, "id2label": {"0": "A", "1": "B"}},
    ),
    (
        "bert-labels-disagree",
        "BertForSequenceClassification",
        {"model_type": "bert", **_TINY, "num_labels": 4, "id2label": {"0": "A", "1": "B"}},
    ),
    (
        "phimoe-yarn-without-mscale",
        "PhimoeModel",
        {
            "model_type": "phimoe",
            **_TINY,
            "num_key_value_heads": 2,
            "num_local_experts": 2,
            "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096},
        },
    ),
    (
        "phimoe-yarn-with-mscale",
        "PhimoeModel",
        {
            "model_type": "phimoe",
            **_TINY,
            "num_key_value_heads": 2,
            "num_local_experts": 2,
            "rope_scaling": {
                "rope_type": "yarn",
                "factor": 4.0,
                "original_max_position_embeddings": 4096,
                "short_mscale": 1.2,
                "long_mscale": 1.2,
            },
        },
    ),
    (
        "gpt2-double-heads-small",
        "GPT2DoubleHeadsModel",
        {"model_type": "gpt2", "n_embd": 8, "n_head": 2, "n_layer": 1, "vocab_size": 30, "n_positions": 16},
    ),
    (
        "gpt2-double-heads-to-hidden",
        "GPT2DoubleHeadsModel",
        {
            "model_type": "gpt2",
            "n_embd": 8,
            "n_head": 2,
            "n_layer": 1,
            "vocab_size": 30,
            "num_labels": 5,
            "summary_proj_to_labels": False,
            "tie_word_embeddings": False,
        },
    ),
    (
        "gpt2-double-heads-no-proj",
        "GPT2DoubleHeadsModel",
        {"model_type": "gpt2", "n_embd": 8, "n_head": 2, "n_layer": 0, "vocab_size": 30, "summary_use_proj": False},
    ),
    (
        "gpt2-double-heads-attn",
        "GPT2DoubleHeadsModel",
        {"model_type": "gpt2", "n_embd": 8, "n_head": 2, "n_layer": 0, "vocab_size": 30, "summary_type": "attn"},
    ),
    (
        "t5-rope-yarn-without-original",
        "T5ForQuestionAnswering",
        {
            "model_type": "t5",
            "d_model": 8,
            "d_kv": 2,
            "num_heads": 2,
            "num_layers": 1,
            "d_ff": 8,
            "vocab_size": 30,
            "rope_scaling": {"rope_type": "yarn", "factor": 2.0},
        },
    ),
    (
        "bert-rope-llama3-without-theta",
        "BertForSequenceClassification",
        {
            "model_type": "bert",
            **_TINY,
            "rope_scaling": {
                "rope_type": "llama3",
                "factor": 8.0,
                "low_freq_factor": 1.0,
                "high_freq_factor": 4.0,
                "original_max_position_embeddings": 8192,
            },
        },
    ),
    (
        "gpt2-rope-unknown-type",
        "GPT2ForSequenceClassification",
        {
            "model_type": "gpt2",
            "n_embd": 8,
            "n_head": 2,
            "n_layer": 1,
            "vocab_size": 30,
            "rope_scaling": {"rope_type": "foo"},
        },
    ),
    (
        "jamba-layer-types",
        "JambaForCausalLM",
        {"model_type": "jamba", **_TINY, "num_key_value_heads": 2, "num_experts": 2, "layer_types": []},
    ),
    (
        "bloom-rope-yarn",
        "BloomModel",
        {
            "model_type": "bloom",
            "hidden_size": 8,
            "n_head": 2,
            "n_layer": 0,
            "vocab_size": 30,
            "rope_scaling": {"rope_type": "yarn", "factor": 2.0, "original_max_position_embeddings": 64},
        },
    ),
    (
        "jamba-rope-yarn",
        "JambaModel",
        {
            "model_type": "jamba",
            **_TINY,
            "num_key_value_heads": 2,
            "num_experts": 2,
            "rope_scaling": {"rope_type": "yarn", "factor": 2.0, "original_max_position_embeddings": 64},
        },
    ),
    ("bert-qa-three-labels", "BertForQuestionAnswering", {"model_type": "bert", **_TINY, "num_labels": 3}),
    ("bert-nsp-five-labels", "BertForNextSentencePrediction", {"model_type": "bert", **_TINY, "num_labels": 5}),
    (
        "bert-pretraining-untied",
        "BertForPreTraining",
        {"model_type": "bert", **_TINY, "tie_word_embeddings": False},
    ),
]


def _cases() -> list[Case]:
    cases: list[Case] = []
    for model_type, (_, roles, _) in FAMILIES.items():
        for role in roles:
            name = class_name(model_type, role)
            _register(model_type, name)
            cases.append(
                Case(
                    f"arch-{model_type}-defaults-{role}",
                    name,
                    {"model_type": model_type, "architectures": [name]},
                    "defaults",
                )
            )
    for case_id, hub_id, model_class, config in PUBLISHED:
        _register(config["model_type"], model_class)
        # dense-then-MoE stacks are not homogeneous: listed in full, not truncated
        kind = "published-full" if config["model_type"].startswith(("deepseek", "jamba")) else "published"
        cases.append(
            Case(f"arch-{case_id}", model_class, {**config, "architectures": [model_class]}, kind, hub_id=hub_id)
        )
    for case_id, model_class, config in EDGE:
        _register(config["model_type"], model_class)
        cases.append(Case(f"arch-{case_id}", model_class, {**config, "architectures": [model_class]}, "edge"))
    rng = random.Random(SEED)
    for model_type in (*KNOBS, *HEAD_KNOBS):
        _, roles, _ = FAMILIES[model_type]
        for i in range(10):
            config = _random(model_type, rng)
            role = rng.choice(roles)
            name = class_name(model_type, role)
            _register(model_type, name)
            cases.append(Case(f"arch-{model_type}-random-{i}", name, {**config, "architectures": [name]}, "random"))
    return cases


def main() -> int:
    """Build every case and write tests/golden/hf/arch.json."""
    records = []
    refused = []
    for case in _cases():
        try:
            rec = hf_golden.record(case)
        except Exception as exc:  # a variant transformers refuses (DBRX's defaults too): recorded as refused
            if case.kind not in ("random", "defaults", "edge"):
                raise
            refused.append({"id": case.id, "config_input": case.config, "error": f"{type(exc).__name__}: {exc}"[:300]})
            print(f"{case.id:40s} refused: {type(exc).__name__}: {str(exc)[:100]}")
            continue
        rec.pop("buffers", None)
        records.append(rec)
        print(f"{case.id:40s} {case.model_class:40s} total={rec['total']:>16,d} active={rec['active_per_token']:>16,d}")
    golden = {
        "generator": "tools/hf_golden_arch.py",
        "transformers": transformers.__version__,
        "cases": records,
        "refused": refused,
    }
    text = json.dumps(golden, separators=(",", ":"), sort_keys=True, allow_nan=False) + "\n"
    OUT_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {OUT_FILE}: {len(records)} cases, {len(refused)} refused, {len(text):,d} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
