"""Write tests/golden/hf/extra.json: transformers cases beyond the main corpus (tools/hf_golden.py).

Why: paramcalc also counts the base model classes (``LlamaModel``, ``GPT2Model``, ``T5Model``,
``T5EncoderModel`` -- the text encoder of many diffusion pipelines), reads the config classes'
``attribute_map`` aliases (GPT-2's ``hidden_size``, T5's ``num_hidden_layers``, Mixtral's
``num_experts``) and explicit nulls (``head_dim: null``).  None of these is in the main corpus,
so this script builds them with real transformers, exactly as hf_golden.py builds its cases
(meta device, nothing downloaded, same record format), by reusing its ``record()``.

Run (on purpose, never from tests):
    /work/oracle-venv/bin/python tools/hf_golden_extra.py
Deterministic: fixed configs, sorted keys, compact separators.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

import hf_golden  # noqa: E402  (sets HF_HUB_OFFLINE before transformers is imported)
import transformers  # noqa: E402
from hf_cases import Case  # noqa: E402

OUT_FILE = hf_golden.OUT_DIR / "extra.json"


class _Direct:
    """A stand-in for an Auto class where none resolves to the wanted class (T5EncoderModel)."""

    def __init__(self, cls: Any) -> None:
        self.cls = cls

    def from_config(self, config: Any) -> Any:
        return self.cls._from_config(config)


BASE_CLASSES: dict[str, Any] = {
    "GPT2Model": transformers.AutoModel,
    "LlamaModel": transformers.AutoModel,
    "MistralModel": transformers.AutoModel,
    "MixtralModel": transformers.AutoModel,
    "Qwen2Model": transformers.AutoModel,
    "Qwen2MoeModel": transformers.AutoModel,
    "Qwen3Model": transformers.AutoModel,
    "Qwen3MoeModel": transformers.AutoModel,
    "GemmaModel": transformers.AutoModel,
    "Gemma2Model": transformers.AutoModel,
    "Phi3Model": transformers.AutoModel,
    "T5Model": transformers.AutoModel,
    "T5EncoderModel": _Direct(transformers.T5EncoderModel),
}

SMALL: dict[str, Any] = {
    "hidden_size": 16,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "num_hidden_layers": 2,
    "intermediate_size": 24,
    "vocab_size": 50,
}


def _case(case_id: str, model_class: str, model_type: str, note: str, kind: str = "random", **kw: Any) -> Case:
    return Case(
        id=case_id,
        model_class=model_class,
        config={"model_type": model_type, "architectures": [model_class], **kw},
        kind=kind,
        note=note,
    )


def cases() -> list[Case]:
    """Every extra case, in file order."""
    return [
        _case("gpt2_base_model", "GPT2Model", "gpt2", "no lm_head", n_embd=16, n_head=2, n_layer=2, vocab_size=50),
        _case(
            "llama_base_model", "LlamaModel", "llama", "no lm_head, no 'model.' prefix", attention_bias=True, **SMALL
        ),
        _case("mistral_base_model", "MistralModel", "mistral", "no lm_head", **SMALL),
        _case("mixtral_base_model", "MixtralModel", "mixtral", "no lm_head", num_local_experts=3, **SMALL),
        _case("qwen2_base_model", "Qwen2Model", "qwen2", "no lm_head", **SMALL),
        _case(
            "qwen2_moe_base_model",
            "Qwen2MoeModel",
            "qwen2_moe",
            "no lm_head",
            num_experts=3,
            num_experts_per_tok=2,
            moe_intermediate_size=8,
            shared_expert_intermediate_size=12,
            **SMALL,
        ),
        _case("qwen3_base_model", "Qwen3Model", "qwen3", "no lm_head", head_dim=8, **SMALL),
        _case("gemma_base_model", "GemmaModel", "gemma", "no lm_head", head_dim=8, **SMALL),
        _case("gemma2_base_model", "Gemma2Model", "gemma2", "no lm_head", head_dim=8, **SMALL),
        _case("phi3_base_model", "Phi3Model", "phi3", "no lm_head", pad_token_id=1, **SMALL),
        _case(
            "t5_base_model",
            "T5Model",
            "t5",
            "encoder and decoder, no lm_head",
            d_model=16,
            d_kv=4,
            num_heads=2,
            d_ff=24,
            num_layers=2,
            num_decoder_layers=3,
            vocab_size=50,
        ),
        _case(
            "t5_encoder_model",
            "T5EncoderModel",
            "t5",
            "encoder only",
            d_model=16,
            d_kv=4,
            num_heads=2,
            d_ff=24,
            num_layers=2,
            vocab_size=50,
            feed_forward_proj="gated-gelu",
        ),
        _case(
            "t5_v1_1_xxl_encoder",
            "T5EncoderModel",
            "t5",
            "the T5-XXL text encoder of Flux / Stable Diffusion 3 (google/t5-v1_1-xxl sizes)",
            kind="published",
            vocab_size=32128,
            d_model=4096,
            d_kv=64,
            d_ff=10240,
            num_layers=24,
            num_heads=64,
            feed_forward_proj="gated-gelu",
            tie_word_embeddings=False,
        ),
        _case(
            "t5_alias_num_hidden_layers",
            "T5ForConditionalGeneration",
            "t5",
            "num_hidden_layers is an alias of num_layers, set after num_decoder_layers was derived (stays 6)",
            d_model=16,
            d_kv=4,
            num_heads=2,
            d_ff=24,
            num_hidden_layers=3,
            vocab_size=50,
        ),
        _case(
            "gpt2_alias_hidden_size",
            "GPT2LMHeadModel",
            "gpt2",
            "hidden_size is an alias of n_embd and wins over it",
            hidden_size=24,
            n_embd=16,
            n_head=2,
            n_layer=2,
            vocab_size=50,
            n_positions=8,
        ),
        _case(
            "mixtral_alias_num_experts",
            "MixtralForCausalLM",
            "mixtral",
            "num_experts is an alias of num_local_experts",
            num_experts=3,
            **SMALL,
        ),
        # ---- Qwen3-MoE (model_type qwen3_moe): Qwen3 attention, routed experts, no shared expert
        _case(
            "qwen3_moe_30b_a3b",
            "Qwen3MoeForCausalLM",
            "qwen3_moe",
            "Qwen/Qwen3-30B-A3B sizes; experts are listed before the router (mlp.gate)",
            kind="published",
            vocab_size=151936,
            hidden_size=2048,
            intermediate_size=6144,
            num_hidden_layers=48,
            num_attention_heads=32,
            num_key_value_heads=4,
            head_dim=128,
            num_experts=128,
            num_experts_per_tok=8,
            moe_intermediate_size=768,
            decoder_sparse_step=1,
            mlp_only_layers=[],
            norm_topk_prob=True,
            tie_word_embeddings=False,
            max_position_embeddings=40960,
            rope_theta=1000000.0,
            rms_norm_eps=1e-06,
        ),
        _case(
            "qwen3_moe_layout",
            "Qwen3MoeForCausalLM",
            "qwen3_moe",
            "dense layers by mlp_only_layers and decoder_sparse_step; attention_bias; tied head",
            num_experts=3,
            num_experts_per_tok=2,
            moe_intermediate_size=8,
            decoder_sparse_step=2,
            mlp_only_layers=[3],
            attention_bias=True,
            tie_word_embeddings=True,
            **{**SMALL, "num_hidden_layers": 5},
        ),
        _case(
            "qwen3_moe_base_model",
            "Qwen3MoeModel",
            "qwen3_moe",
            "no lm_head; num_local_experts overrides num_experts (set after the fields); head_dim read as written",
            num_experts=2,
            num_local_experts=4,
            moe_intermediate_size=6,
            head_dim=6,
            **SMALL,
        ),
        _case(
            "qwen3_moe_defaults",
            "Qwen3MoeForCausalLM",
            "qwen3_moe",
            "only sizes written: 128 experts, 8 per token, 4 key/value heads, head_dim hidden/heads",
            hidden_size=32,
            num_attention_heads=4,
            num_hidden_layers=1,
            intermediate_size=8,
            moe_intermediate_size=4,
            vocab_size=50,
        ),
        # ---- regressions found by tools/hf_fuzz.py
        _case(
            "mixtral_top_k_above_experts",
            "MixtralForCausalLM",
            "mixtral",
            "num_experts_per_tok 3 > 2 experts: transformers builds it (routing fails only at run time)",
            num_local_experts=2,
            num_experts_per_tok=3,
            **SMALL,
        ),
        _case(
            "t5_encoder_is_decoder",
            "T5EncoderModel",
            "t5",
            "is_decoder true: T5EncoderModel keeps it, so its blocks get a cross-attention (EncDecAttention)",
            d_model=16,
            d_kv=4,
            num_heads=2,
            d_ff=24,
            num_layers=2,
            vocab_size=50,
            is_decoder=True,
        ),
        _case(
            "t5_tie_null",
            "T5ForConditionalGeneration",
            "t5",
            "tie_word_embeddings null: not a T5Config field (popped, only false counts), so any value goes",
            d_model=16,
            d_kv=4,
            num_heads=2,
            d_ff=24,
            num_layers=1,
            vocab_size=50,
            tie_word_embeddings=None,
        ),
        _case(
            "llama_odd_head_dim_partial_rotary",
            "LlamaForCausalLM",
            "llama",
            "head_dim 5 is odd: accepted because only half of it is rotated (partial_rotary_factor 0.5)",
            partial_rotary_factor=0.5,
            **{**SMALL, "hidden_size": 20},
        ),
        _case(
            "qwen3_odd_head_dim_small",
            "Qwen3ForCausalLM",
            "qwen3",
            "head_dim 3 is odd but <= 4: transformers lets it through",
            head_dim=3,
            **SMALL,
        ),
        _case(
            "qwen2_moe_sparse_step_zero_no_experts",
            "Qwen2MoeForCausalLM",
            "qwen2_moe",
            "decoder_sparse_step 0 is fine with num_experts 0: the modulo is never reached",
            num_experts=0,
            decoder_sparse_step=0,
            **SMALL,
        ),
        _case(
            "qwen2_head_dim_null_no_layers",
            "Qwen2ForCausalLM",
            "qwen2",
            "head_dim null fails only in an attention module: with 0 layers transformers builds the model",
            head_dim=None,
            **{**SMALL, "num_hidden_layers": 0},
        ),
        _case(
            "llama_explicit_nulls",
            "LlamaForCausalLM",
            "llama",
            "head_dim and num_key_value_heads null: derived (hidden/heads, all heads)",
            head_dim=None,
            **{**SMALL, "num_key_value_heads": None},
        ),
    ]


def main() -> int:
    """Build every extra case and write the golden file."""
    hf_golden.AUTO_CLASSES.update(BASE_CLASSES)
    records = []
    for case in cases():
        rec = hf_golden.record(case)
        records.append(rec)
        print(f"{case.id:30s} {case.model_class:28s} total={rec['total']:>15,d}", flush=True)
    golden = {
        "generator": "tools/hf_golden_extra.py",
        "transformers": transformers.__version__,
        "torch": hf_golden.torch.__version__,
        "cases": records,
    }
    text = json.dumps(golden, separators=(",", ":"), sort_keys=True, allow_nan=False) + "\n"
    OUT_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {OUT_FILE.relative_to(hf_golden.ROOT)}: {len(records)} cases, {len(text):,d} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
