"""Families part of tools/flops_golden.py: FLOPs and KV cache of every other transformers family.

Why: round 1's goldens (tools/flops_golden_hf.py) cover the Llama-style families; main since
gained table-driven decoders (OPT, Falcon, Phi, GPT-NeoX, BLOOM, DeepSeek-V2/V3 with MLA,
Gemma 3, Jamba, Mamba, DBRX, ...) and recipe families (encoders, encoder-decoders, ViT, CLIP,
SigLIP, Whisper).  Each family's parameter goldens (tests/golden/hf/arch.json and
encoders.json) already hold small seeded random configs that transformers builds; this script
takes the few smallest of each family (the config.json text paramcalc reads, ``config_input``),
builds the model with random weights on the CPU, runs one forward pass at batch 2 on 7 tokens
(vision towers: one image of the config's size; Whisper: the mel frames its encoder expects)
with ``use_cache=True`` and records FlopCounterMode's per-module counts and the cache tensors.

A config transformers cannot run forward (a tokenizer-only head, an input this script does not
build) is left out with the reason printed, never recorded.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

import torch
import transformers
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flops_golden import BATCH, REPO
from flops_golden_hf import SEQ

PER_FAMILY = 3
FAMILIES = tuple(
    " ".join(
        (
            "opt falcon phi gpt_neox gptj gpt_bigcode bloom starcoder2 stablelm olmo olmo2 cohere granite gemma3_text",
            "deepseek_v3 deepseek_v2 phimoe granitemoe mamba jamba dbrx roberta xlm-roberta distilbert albert",
            "electra mpnet bart mbart pegasus vit whisper clip_text_model clip_vision_model siglip_text_model",
            "siglip_vision_model mt5 umt5 marian deberta-v2",
        )
    ).split(" ")
)
LAYER_KEYS = ("num_hidden_layers", "n_layer", "num_layers", "encoder_layers", "decoder_layers", "n_layers")
SKIP_CLASSES = ("ForMultipleChoice", "ForPreTraining", "ForAudioClassification", "CLIPModel", "SiglipModel")
"""Heads whose forward needs inputs other than ids / pixels / mel frames of one layout."""


def _candidates() -> list[dict[str, Any]]:
    """The smallest random configs of each family (different head classes first)."""
    cases = []
    for name in ("arch", "encoders"):
        doc = json.loads((REPO / "tests" / "golden" / "hf" / f"{name}.json").read_text(encoding="utf-8"))
        cases += [c for c in doc["cases"] if c.get("config") and c.get("kind") == "random" and not c.get("refused")]
    out = []
    for family in FAMILIES:
        mine = sorted(
            (
                c
                for c in cases
                if c["config"]["model_type"] == family
                and not c["model_class"].endswith(SKIP_CLASSES)
                and _has_layers(c["config"])
            ),
            key=lambda c: (c["total"], c["id"]),
        )
        seen: set[str] = set()
        picked = [c for c in mine if not (c["model_class"] in seen or seen.add(c["model_class"]))][:PER_FAMILY]
        out += picked
    return out + [
        {**case, "config_input": {"architectures": [case["model_class"]], **case["config_input"]}} for case in EXTRA
    ]


#: hand-written configs for layouts the smallest random ones miss: windows shorter than the 7 tokens,
#: MLA with a low-rank query and routed experts, Jamba's Mamba layers
EXTRA: list[dict[str, Any]] = [
    {
        "id": "gemma3-window-pattern",
        "model_class": "Gemma3ForCausalLM",
        "config_input": {
            "model_type": "gemma3_text",
            "hidden_size": 16,
            "intermediate_size": 24,
            "num_hidden_layers": 4,
            "num_attention_heads": 2,
            "num_key_value_heads": 1,
            "head_dim": 8,
            "vocab_size": 32,
            "sliding_window": 4,
            "sliding_window_pattern": 3,
        },
    },
    {
        "id": "gemma3-layer-types-bidirectional",
        "model_class": "Gemma3TextModel",
        "config_input": {
            "model_type": "gemma3_text",
            "hidden_size": 16,
            "intermediate_size": 24,
            "num_hidden_layers": 3,
            "num_attention_heads": 2,
            "num_key_value_heads": 2,
            "head_dim": 8,
            "vocab_size": 32,
            "sliding_window": 6,
            "use_bidirectional_attention": True,
            "layer_types": ["sliding_attention", "full_attention", "sliding_attention"],
        },
    },
    {
        "id": "deepseek_v3-q-lora-moe",
        "model_class": "DeepseekV3ForCausalLM",
        "config_input": {
            "model_type": "deepseek_v3",
            "hidden_size": 16,
            "intermediate_size": 24,
            "moe_intermediate_size": 8,
            "num_hidden_layers": 3,
            "first_k_dense_replace": 1,
            "num_attention_heads": 2,
            "q_lora_rank": 6,
            "kv_lora_rank": 4,
            "qk_nope_head_dim": 4,
            "qk_rope_head_dim": 2,
            "v_head_dim": 6,
            "n_routed_experts": 4,
            "num_experts_per_tok": 2,
            "n_shared_experts": 1,
            "n_group": 1,
            "topk_group": 1,
            "vocab_size": 32,
        },
    },
    {
        "id": "deepseek_v2-moe",
        "model_class": "DeepseekV2ForCausalLM",
        "config_input": {
            "model_type": "deepseek_v2",
            "hidden_size": 16,
            "intermediate_size": 24,
            "moe_intermediate_size": 8,
            "num_hidden_layers": 2,
            "first_k_dense_replace": 1,
            "num_attention_heads": 2,
            "q_lora_rank": None,
            "kv_lora_rank": 4,
            "qk_nope_head_dim": 4,
            "qk_rope_head_dim": 2,
            "v_head_dim": 4,
            "n_routed_experts": 4,
            "num_experts_per_tok": 2,
            "n_shared_experts": 2,
            "vocab_size": 32,
        },
    },
    {
        "id": "starcoder2-sliding",
        "model_class": "Starcoder2ForCausalLM",
        "config_input": {
            "model_type": "starcoder2",
            "hidden_size": 16,
            "intermediate_size": 24,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "vocab_size": 32,
            "sliding_window": 3,
        },
    },
    {
        "id": "phimoe-sliding",
        "model_class": "PhimoeForCausalLM",
        "config_input": {
            "model_type": "phimoe",
            "hidden_size": 16,
            "intermediate_size": 24,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "num_local_experts": 4,
            "num_experts_per_tok": 2,
            "vocab_size": 32,
            "sliding_window": 5,
        },
    },
    {
        "id": "jamba-mamba-layers",
        "model_class": "JambaForCausalLM",
        "config_input": {
            "model_type": "jamba",
            "hidden_size": 16,
            "intermediate_size": 24,
            "num_hidden_layers": 4,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "num_experts": 2,
            "num_experts_per_tok": 1,
            "attn_layer_period": 2,
            "attn_layer_offset": 1,
            "expert_layer_period": 2,
            "expert_layer_offset": 0,
            "mamba_d_state": 4,
            "mamba_dt_rank": 2,
            "mamba_expand": 2,
            "vocab_size": 32,
        },
    },
    {
        "id": "stablelm-rotary-default",
        "model_class": "StableLmForCausalLM",
        "config_input": {
            "model_type": "stablelm",
            "hidden_size": 32,
            "intermediate_size": 24,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "num_key_value_heads": 1,
            "vocab_size": 32,
        },
    },
    {
        "id": "phi-rotary-one",
        "model_class": "PhiForCausalLM",
        "config_input": {
            "model_type": "phi",
            "hidden_size": 12,
            "intermediate_size": 24,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "vocab_size": 32,
        },
    },
]


def _has_layers(config: dict[str, Any]) -> bool:
    """Whether a config builds any layer (a 0-layer model's FLOPs are its head's only)."""
    counts = [config[k] for k in LAYER_KEYS if isinstance(config.get(k), int)]
    counts += [_has_layers(v) for v in config.values() if isinstance(v, dict) and "model_type" in v]
    return not counts or any(counts)


def _inputs(config: Any, model_class: str) -> dict[str, Any]:
    """The forward's inputs: token ids, an image, or mel frames; decoder ids for an encoder-decoder."""
    kind = config.model_type
    if kind == "whisper" and not model_class.endswith("ForCausalLM"):
        frames = 2 * config.max_source_positions
        out: dict[str, Any] = {"input_features": torch.randn(BATCH, config.num_mel_bins, frames)}
        if not model_class.endswith("Encoder"):
            out["decoder_input_ids"] = torch.randint(0, config.vocab_size, (BATCH, SEQ))
        return out
    if kind in ("vit", "clip_vision_model", "siglip_vision_model") or model_class.startswith(
        ("CLIPForImage", "SiglipForImage")
    ):
        vision = getattr(config, "vision_config", config)
        size = vision.image_size
        return {"pixel_values": torch.randn(BATCH, vision.num_channels, size, size)}
    vocab = getattr(config, "vocab_size", None) or config.text_config.vocab_size
    ids = torch.randint(3, vocab, (BATCH, SEQ))
    out = {"input_ids": ids}
    if getattr(config, "is_encoder_decoder", False) and not model_class.endswith(("EncoderModel", "ForCausalLM")):
        out["decoder_input_ids"] = torch.randint(3, vocab, (BATCH, SEQ))
    return out


def family_records() -> list[dict[str, Any]]:
    """One record per config that runs: per-module FLOPs, total, cache tensors (None: no cache)."""
    records = []
    for case in _candidates():
        text = case["config_input"]
        keys = dict(text)
        keys.pop("architectures", None)
        try:
            config = transformers.AutoConfig.for_model(keys.pop("model_type"), **keys)
            if getattr(config, "pad_token_id", None) is None and case["model_class"].endswith("SequenceClassification"):
                continue
            torch.manual_seed(0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = getattr(transformers, case["model_class"])(config).eval()
                if hasattr(model, "set_experts_implementation") and any(
                    "experts" in n for n, _ in model.named_modules()
                ):
                    model.set_experts_implementation("eager")
                inputs = _inputs(config, case["model_class"])
                base = getattr(model, "base_model", model)
                seen: list[Any] = []
                if base is not model:  # a head drops the cache its base model built: keep it
                    base.register_forward_hook(_keeper(seen))
                counter = FlopCounterMode(display=False)
                with sdpa_kernel(SDPBackend.MATH), counter, torch.no_grad():
                    out = model(**inputs, use_cache=True) if _takes_cache(model) else model(**inputs)
        except Exception as exc:  # noqa: BLE001 - a config this script cannot run is left out, said why
            print(f"skip {case['id']}: {type(exc).__name__}: {str(exc)[:120]}", file=sys.stderr)
            continue
        cache = getattr(out, "past_key_values", None) or next((c for c in seen if c is not None), None)
        record = {
            "id": case["id"],
            "config": text,
            "model_class": case["model_class"],
            "batch": BATCH,
            "seq_len": SEQ,
            "inputs": {k: list(v.shape) for k, v in inputs.items()},
            "total": int(counter.get_total_flops()),
            "modules": {name: int(sum(ops.values())) for name, ops in counter.get_flop_counts().items()},
            "cache": _cache_layers(cache),
            "cache_dtype": str(next(model.parameters()).dtype),
        }
        records.append(record)
        print(f"families {case['id']}: {record['total']}", file=sys.stderr)
    return records


def _keeper(seen: list[Any]) -> Any:
    """A forward hook that keeps the cache a base model returns."""

    def hook(_module: Any, _inputs: Any, out: Any) -> None:
        seen.append(getattr(out, "past_key_values", None))

    return hook


def _takes_cache(model: Any) -> bool:
    import inspect

    return "use_cache" in inspect.signature(model.forward).parameters


def _cache_layers(cache: Any) -> list[dict[str, Any]] | None:
    """Per cache layer: keys/values shapes and bytes, or a state layer's tensors (Mamba: conv and SSM states)."""
    if cache is None:
        return None
    caches = (
        [cache.self_attention_cache, cache.cross_attention_cache] if hasattr(cache, "self_attention_cache") else [cache]
    )
    out = []
    for layer in [layer for c in caches for layer in c.layers]:
        keys, values = getattr(layer, "keys", None), getattr(layer, "values", None)
        if isinstance(keys, torch.Tensor) and isinstance(values, torch.Tensor):
            size = keys.numel() * keys.element_size() + values.numel() * values.element_size()
            out.append({"keys": list(keys.shape), "values": list(values.shape), "bytes": size})
            continue
        states = {k: v for k, v in vars(layer).items() if isinstance(v, torch.Tensor) and v.dim() > 1}
        out.append(
            {
                "state": {k: list(v.shape) for k, v in sorted(states.items())},
                "bytes": sum(v.numel() * v.element_size() for v in states.values()),
                "keys": None,
                "values": None,
            }
        )
    return out


#: id of a families case -> LoRA target lists (r = 8 and r = 3), peft's own matching
LORA_TARGETS: dict[str, list[list[str]]] = {
    "arch-opt-random-8": [["q_proj", "v_proj"], ["fc1", "fc2"]],
    "arch-bloom-random-9": [["query_key_value"], ["dense_h_to_4h", "dense_4h_to_h"]],
    "arch-gpt_neox-random-3": [["query_key_value", "dense"]],
    "deepseek_v3-q-lora-moe": [["q_a_proj", "q_b_proj", "kv_a_proj_with_mqa", "kv_b_proj"], ["gate_proj", "up_proj"]],
    "deepseek_v2-moe": [["kv_b_proj", "o_proj"]],
    "gemma3-window-pattern": [["q_proj", "k_proj", "v_proj", "o_proj"]],
    "phimoe-sliding": [["q_proj", "v_proj"], ["gate"]],
    "jamba-mamba-layers": [["in_proj", "out_proj"], ["q_proj", "v_proj"]],
    "bart-random1-BartForConditionalGeneration": [["q_proj", "v_proj"], ["fc1", "fc2"]],
    "roberta-random1-RobertaForMaskedLM": [["query", "value"]],
    "vit-random0-ViTForImageClassification": [["q_proj", "v_proj"]],
}


def family_lora_records() -> list[dict[str, Any]]:
    """peft's get_nb_trainable_parameters() for LoRA on meta-device models of the families above."""
    import peft

    cases = {c["id"]: c for c in _candidates()}
    records = []
    for case_id, target_lists in LORA_TARGETS.items():
        case = cases[case_id]
        for targets in target_lists:
            for rank in (8, 3):
                keys = dict(case["config_input"])
                keys.pop("architectures", None)
                try:
                    config = transformers.AutoConfig.for_model(keys.pop("model_type"), **keys)
                    with warnings.catch_warnings(), torch.device("meta"):
                        warnings.simplefilter("ignore")
                        model = getattr(transformers, case["model_class"])(config)
                        lora = peft.LoraConfig(r=rank, lora_alpha=16, target_modules=targets, bias="none")
                        trainable, total = peft.get_peft_model(model, lora).get_nb_trainable_parameters()
                except Exception as exc:  # noqa: BLE001 - a target peft cannot wrap is left out, said why
                    print(f"skip lora {case_id} {targets}: {type(exc).__name__}: {str(exc)[:120]}", file=sys.stderr)
                    continue
                records.append(
                    {
                        "id": f"{case_id}/{'+'.join(targets)}/r{rank}",
                        "config": case["config_input"],
                        "model_class": case["model_class"],
                        "r": rank,
                        "targets": targets,
                        "trainable": int(trainable),
                        "all": int(total),
                    }
                )
    return records
