"""Differential fuzzing of paramcalc's Hugging Face config reader against real transformers.

Why: the golden corpus (tools/hf_golden.py, tools/hf_golden_extra.py) pins ~120 hand-picked
configs, but a config.json can set any key, leave any key out, write null, use an alias, or
name another class of the family.  This script draws thousands of seeded random configs for
every supported family and every model class paramcalc accepts, randomising every key the
modelling code reads for a parameter shape (and many it does not, which must change nothing),
builds each one with real transformers on the meta device (nothing allocated, nothing
downloaded), counts it with paramcalc in-process, and compares:

* accept / refuse: transformers raising on a config means paramcalc must refuse it with a
  one-line error, and a config transformers builds must be counted;
* the total, the tied-head flag, the active parameters per token (MoE), and every parameter's
  name and shape in ``named_parameters()`` order, tied aliases included;
* the config as transformers saves it (``to_json_string``) must count the same again.

It also runs a list of real published configs (written from memory, never downloaded) and,
with ``--cli``, runs ``paramcalc summary/memory/explain`` on random configs to check that they
never print a traceback (exit 0 or 2 only).

Run (on purpose, never from tests; prints a summary and writes the disagreements as JSON):
    HF_HUB_OFFLINE=1 /work/oracle-venv/bin/python tools/hf_fuzz.py --count 3000 --seed 1
Deterministic for a given seed and count.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import argparse
import contextlib
import io
import json
import random
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.dont_write_bytecode = True
TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))
sys.path.insert(0, str(TOOLS.parent))

import hf_golden  # noqa: E402  (sets the offline environment before transformers is imported)
import torch  # noqa: E402
import transformers  # noqa: E402
from hf_cases import Case  # noqa: E402

from paramcalc.engine import analyze  # noqa: E402
from paramcalc.errors import ParamcalcError  # noqa: E402
from paramcalc.report import Report  # noqa: E402
from paramcalc.spec.hf_config import spec_from_config  # noqa: E402

warnings.filterwarnings("ignore")
transformers.logging.set_verbosity_error()

#: Every model class paramcalc accepts, per model_type, and the role the reader maps it to.
ARCHITECTURES: dict[str, list[str]] = {
    "gpt2": ["GPT2LMHeadModel", "GPT2Model"],
    "bert": ["BertModel", "BertForMaskedLM"],
    "t5": ["T5ForConditionalGeneration", "T5Model", "T5EncoderModel"],
    **{
        mt: [f"{prefix}ForCausalLM", f"{prefix}Model"]
        for mt, prefix in {
            "llama": "Llama",
            "mistral": "Mistral",
            "mixtral": "Mixtral",
            "qwen2": "Qwen2",
            "qwen2_moe": "Qwen2Moe",
            "qwen3": "Qwen3",
            "qwen3_moe": "Qwen3Moe",
            "gemma": "Gemma",
            "gemma2": "Gemma2",
            "phi3": "Phi3",
        }.items()
    },
}

import hf_golden_arch  # noqa: E402  (the table-driven decoder families and every task head)

for _mt, (_prefix, _roles, _names) in hf_golden_arch.FAMILIES.items():
    _classes = [hf_golden_arch.class_name(_mt, role) for role in _roles]
    if _mt in ARCHITECTURES:  # a hand-written family: its task heads
        ARCHITECTURES[_mt] += [c for c in _classes if c not in ARCHITECTURES[_mt]]
    else:  # the family's default class (ForCausalLM) first
        ARCHITECTURES[_mt] = sorted(_classes, key=lambda c: not c.endswith("ForCausalLM"))

#: Architecture names of another family that the reader maps by role (as the Auto classes do).
FOREIGN = {"ForCausalLM": "MistralForCausalLM", "Model": "FooModel", "LMHeadModel": "BarLMHeadModel"}


def config_class(model_type: str) -> Any:
    """The transformers config class of a model_type."""
    return transformers.CONFIG_MAPPING[model_type]


# --------------------------------------------------------------------------------------------
# Random configs
# --------------------------------------------------------------------------------------------


class Draw:
    """A config.json being drawn: each key is written with some probability, else left out."""

    def __init__(self, rng: random.Random, model_type: str) -> None:
        self.rng = rng
        self.cfg: dict[str, Any] = {"model_type": model_type}

    def maybe(self, key: str, value: Any, p: float = 0.6) -> None:
        """Write ``key`` with probability ``p`` (``value`` may be a callable drawing it)."""
        if self.rng.random() < p:
            self.cfg[key] = value() if callable(value) else value

    def pick(self, *values: Any) -> Any:
        return self.rng.choice(values)


def _heads_and_hidden(rng: random.Random, divisible_p: float = 0.85) -> tuple[int, int]:
    heads = rng.choice([1, 2, 3, 4, 4, 6, 8])
    if rng.random() < divisible_p:
        return heads, heads * rng.choice([2, 3, 4, 5, 8, 16])
    return heads, rng.randint(heads, 64)


def _kv(d: Draw, heads: int, key: str = "num_key_value_heads", allow_null: bool = True) -> None:
    divisors = [k for k in range(1, heads + 1) if heads % k == 0]
    choice = d.rng.random()
    if choice < 0.3:
        return
    if choice < 0.4 and allow_null:
        d.cfg[key] = None
    elif choice < 0.55:
        d.cfg[key] = 1
    elif choice < 0.7:
        d.cfg[key] = heads
    elif choice < 0.95:
        d.cfg[key] = d.rng.choice(divisors)
    else:
        d.cfg[key] = d.rng.randint(1, heads + 2)  # need not divide: transformers does not check


def _head_dim(d: Draw, p_null: float = 0.1) -> None:
    r = d.rng.random()
    if r < 0.5:
        return
    if r < 0.5 + p_null:
        d.cfg["head_dim"] = None
    else:
        d.cfg["head_dim"] = d.rng.choice([2, 3, 4, 5, 7, 8, 12, 16, 32])


def _noise(d: Draw, keys: dict[str, Callable[[], Any]]) -> None:
    """Keys that change no parameter shape (dropouts, rope, windows, ids): must change nothing."""
    for key, value in keys.items():
        d.maybe(key, value, 0.3)


def _common_noise(d: Draw) -> None:
    r = d.rng
    _noise(
        d,
        {
            "attention_dropout": lambda: r.choice([0.0, 0.1, 0]),
            "initializer_range": lambda: r.choice([0.02, 0.01]),
            "use_cache": lambda: r.random() < 0.5,
            "bos_token_id": lambda: r.choice([None, 0, 1]),
            "eos_token_id": lambda: r.choice([None, 1, [1, 2]]),
            "max_position_embeddings": lambda: r.choice([64, 2048, 131072]),
            "transformers_version": lambda: "4.44.0",
            "torch_dtype": lambda: r.choice(["bfloat16", "float16", "float32"]),
            "output_attentions": lambda: False,
            "_name_or_path": lambda: "some/model",
            "custom_unused_key": lambda: r.choice([1, "x", None, [1, 2]]),
        },
    )


def _decoder_sizes(d: Draw, divisible_p: float = 0.85) -> tuple[int, int]:
    r = d.rng
    heads, hidden = _heads_and_hidden(r, divisible_p)
    d.cfg["hidden_size"] = hidden
    d.cfg["num_attention_heads"] = heads
    d.maybe("vocab_size", lambda: r.choice([1, 7, 50, 64, 101, 256]), 0.95)
    d.maybe("intermediate_size", lambda: r.choice([1, 8, 12, 24, 37, 64]), 0.95)
    d.maybe("num_hidden_layers", lambda: r.choice([0, 1, 1, 2, 2, 3, 4]), 0.97)
    d.maybe("rms_norm_eps", lambda: r.choice([1e-5, 1e-6]))
    d.maybe("tie_word_embeddings", lambda: r.random() < 0.5, 0.5)
    d.maybe("hidden_act", lambda: r.choice(["silu", "gelu", "gelu_pytorch_tanh"]), 0.2)
    vocab = d.cfg.get("vocab_size", 1 << 20)
    d.maybe("pad_token_id", lambda: r.choice([None, 0, min(3, vocab - 1), vocab - 1]), 0.3)
    _kv(d, heads)
    _head_dim(d)
    _common_noise(d)
    return heads, hidden


def _layer_types(d: Draw, kinds: tuple[str, ...] = ("full_attention", "sliding_attention")) -> None:
    n = d.cfg.get("num_hidden_layers")
    if n is not None and d.rng.random() < 0.2:
        d.cfg["layer_types"] = [d.rng.choice(kinds) for _ in range(n)]


def draw_llama(d: Draw) -> None:
    _decoder_sizes(d)
    d.maybe("attention_bias", lambda: d.rng.random() < 0.5, 0.5)
    d.maybe("mlp_bias", lambda: d.rng.random() < 0.5, 0.5)
    d.maybe("pretraining_tp", lambda: d.pick(1, 2), 0.2)
    d.maybe("rope_scaling", lambda: {"rope_type": "linear", "factor": 2.0}, 0.1)


def draw_mistral(d: Draw) -> None:
    _decoder_sizes(d, divisible_p=0.75)
    d.maybe("sliding_window", lambda: d.pick(None, 16, 4096), 0.4)
    d.maybe("attention_bias", lambda: d.rng.random() < 0.5, 0.15)  # not read by Mistral


def draw_mixtral(d: Draw) -> None:
    _decoder_sizes(d, divisible_p=0.75)
    experts = d.rng.randint(1, 6)
    key = "num_experts" if d.rng.random() < 0.2 else "num_local_experts"
    d.maybe(key, experts, 0.85)
    d.maybe("num_experts_per_tok", lambda: d.rng.randint(1, experts + 1), 0.8)
    if d.rng.random() < 0.05:
        d.cfg["num_experts"], d.cfg["num_local_experts"] = experts, experts + 1  # which one wins?
    d.maybe("router_jitter_noise", lambda: d.pick(0.0, 0.1), 0.2)
    d.maybe("output_router_logits", lambda: d.rng.random() < 0.5, 0.2)
    d.maybe("router_aux_loss_coef", 0.02, 0.2)
    d.maybe("sliding_window", lambda: d.pick(None, 16), 0.3)


def _qwen_noise(d: Draw) -> None:
    d.maybe("use_sliding_window", lambda: d.rng.random() < 0.5, 0.3)
    d.maybe("sliding_window", lambda: d.pick(None, 16, 4096), 0.3)
    d.maybe("max_window_layers", lambda: d.pick(0, 1, 28), 0.3)
    _layer_types(d)


def draw_qwen2(d: Draw) -> None:
    _decoder_sizes(d, divisible_p=0.75)
    _qwen_noise(d)
    d.maybe("attention_bias", lambda: d.rng.random() < 0.5, 0.1)  # not read by Qwen2


def draw_qwen2_moe(d: Draw) -> None:
    _decoder_sizes(d, divisible_p=0.75)
    _qwen_noise(d)
    n = d.cfg.get("num_hidden_layers", 24)
    experts = d.rng.choice([0, 1, 2, 3, 4, 6])
    d.maybe("num_experts", experts, 0.9)
    d.maybe("num_experts_per_tok", lambda: d.rng.randint(1, max(experts, 1)), 0.8)
    d.maybe("moe_intermediate_size", lambda: d.pick(4, 8, 13), 0.9)
    d.maybe("shared_expert_intermediate_size", lambda: d.pick(4, 8, 20), 0.8)
    d.maybe("decoder_sparse_step", lambda: d.pick(1, 1, 2, 3), 0.5)
    d.maybe("mlp_only_layers", lambda: sorted(d.rng.sample(range(n), d.rng.randint(0, n))) if n else [], 0.4)
    d.maybe("norm_topk_prob", lambda: d.rng.random() < 0.5, 0.3)
    d.maybe("qkv_bias", lambda: d.rng.random() < 0.5, 0.4)


def draw_qwen3(d: Draw) -> None:
    _decoder_sizes(d, divisible_p=0.75)
    _qwen_noise(d)
    d.maybe("attention_bias", lambda: d.rng.random() < 0.5, 0.4)


def draw_qwen3_moe(d: Draw) -> None:
    _decoder_sizes(d, divisible_p=0.75)
    _qwen_noise(d)
    n = d.cfg.get("num_hidden_layers", 48)
    experts = d.rng.choice([1, 2, 3, 4, 8])
    d.maybe(d.pick("num_experts", "num_experts", "num_local_experts"), experts, 0.9)
    d.maybe("num_experts_per_tok", lambda: d.rng.randint(1, experts), 0.8)
    d.maybe("moe_intermediate_size", lambda: d.pick(4, 8, 13), 0.9)
    d.maybe("decoder_sparse_step", lambda: d.pick(1, 1, 2, 3), 0.5)
    d.maybe("mlp_only_layers", lambda: sorted(d.rng.sample(range(n), d.rng.randint(0, n))) if n else [], 0.4)
    d.maybe("norm_topk_prob", lambda: d.rng.random() < 0.5, 0.3)
    d.maybe("attention_bias", lambda: d.rng.random() < 0.5, 0.4)


def draw_gemma(d: Draw) -> None:
    _decoder_sizes(d, divisible_p=0.75)
    d.maybe("attention_bias", lambda: d.rng.random() < 0.5, 0.4)
    d.maybe("hidden_activation", lambda: d.pick("gelu_pytorch_tanh", None), 0.2)


def draw_gemma2(d: Draw) -> None:
    _decoder_sizes(d)
    d.maybe("attention_bias", lambda: d.rng.random() < 0.5, 0.4)
    d.maybe("query_pre_attn_scalar", lambda: d.pick(8, 144, 256), 0.5)
    d.maybe("final_logit_softcapping", lambda: d.pick(None, 30.0), 0.3)
    d.maybe("attn_logit_softcapping", lambda: d.pick(None, 50.0), 0.3)
    d.maybe("sliding_window", lambda: d.pick(16, 4096), 0.3)
    d.maybe("hidden_activation", "gelu_pytorch_tanh", 0.2)
    _layer_types(d)


def draw_phi3(d: Draw) -> None:
    heads, hidden = _decoder_sizes(d, divisible_p=0.8)
    d.maybe("resid_pdrop", 0.1, 0.3)
    d.maybe("embd_pdrop", 0.1, 0.3)
    d.maybe("original_max_position_embeddings", 4096, 0.3)
    d.maybe("sliding_window", lambda: d.pick(None, 2047), 0.3)
    if d.rng.random() < 0.25 and hidden % heads == 0 and "head_dim" not in d.cfg:
        factor = d.pick(0.5, 0.75, 1.0)
        d.cfg["partial_rotary_factor"] = factor
        rot = int(hidden // heads * factor) // 2
        if d.rng.random() < 0.5:
            d.cfg["rope_scaling"] = {"type": "longrope", "short_factor": [1.0] * rot, "long_factor": [2.0] * rot}


def draw_gpt2(d: Draw) -> None:
    r = d.rng
    heads, hidden = _heads_and_hidden(r, 0.85)
    for key, value in (("n_embd", hidden), ("n_head", heads)):
        alias = {"n_embd": "hidden_size", "n_head": "num_attention_heads"}[key]
        c = r.random()
        if c < 0.15:
            d.cfg[alias] = value
        elif c < 0.2:
            d.cfg[alias] = value
            d.cfg[key] = r.choice([value, 8])
        else:
            d.cfg[key] = value
    layers = r.choice([0, 1, 2, 3])
    d.maybe(r.choice(["n_layer", "n_layer", "num_hidden_layers"]), layers, 0.95)
    d.maybe(r.choice(["n_positions", "n_positions", "max_position_embeddings"]), lambda: r.choice([1, 8, 64]), 0.9)
    d.maybe("vocab_size", lambda: r.choice([1, 50, 77]), 0.95)
    d.maybe("n_inner", lambda: r.choice([None, 5, 16, 40]), 0.4)
    d.maybe("n_ctx", lambda: r.choice([8, 1024]), 0.2)
    d.maybe("add_cross_attention", lambda: r.random() < 0.5, 0.4)
    d.maybe("scale_attn_by_inverse_layer_idx", lambda: r.random() < 0.5, 0.3)
    d.maybe("reorder_and_upcast_attn", lambda: r.random() < 0.5, 0.3)
    d.maybe("scale_attn_weights", lambda: r.random() < 0.5, 0.2)
    d.maybe("tie_word_embeddings", lambda: r.random() < 0.5, 0.4)
    d.maybe("activation_function", lambda: r.choice(["gelu_new", "relu"]), 0.2)
    d.maybe("resid_pdrop", 0.0, 0.2)
    d.maybe("summary_type", "cls_index", 0.2)
    d.maybe("summary_use_proj", True, 0.2)
    d.maybe("layer_norm_epsilon", 1e-5, 0.2)
    d.maybe("pad_token_id", lambda: r.choice([None, 0]), 0.2)
    _common_noise(d)


def draw_bert(d: Draw) -> None:
    r = d.rng
    heads, hidden = _heads_and_hidden(r, 0.9)
    d.cfg["hidden_size"] = hidden
    d.cfg["num_attention_heads"] = heads
    d.maybe("vocab_size", lambda: r.choice([1, 50, 99]), 0.95)
    d.maybe("num_hidden_layers", lambda: r.choice([0, 1, 2, 3]), 0.95)
    d.maybe("intermediate_size", lambda: r.choice([1, 16, 37]), 0.95)
    d.maybe("max_position_embeddings", lambda: r.choice([1, 8, 64]), 0.9)
    d.maybe("type_vocab_size", lambda: r.choice([0, 1, 2, 3]), 0.6)
    vocab = d.cfg.get("vocab_size", 30522)
    d.maybe("pad_token_id", lambda: r.choice([None, 0, vocab - 1]), 0.3)
    d.maybe("is_decoder", lambda: r.random() < 0.5, 0.3)
    if d.cfg.get("is_decoder") or r.random() < 0.1:
        d.maybe("add_cross_attention", lambda: r.random() < 0.6, 0.6)
    d.maybe("tie_word_embeddings", lambda: r.random() < 0.5, 0.4)
    d.maybe("hidden_act", lambda: r.choice(["gelu", "relu"]), 0.2)
    d.maybe("hidden_dropout_prob", 0.1, 0.2)
    d.maybe("attention_probs_dropout_prob", 0.1, 0.2)
    d.maybe("classifier_dropout", lambda: r.choice([None, 0.1]), 0.2)
    d.maybe("position_embedding_type", lambda: r.choice(["absolute"]), 0.2)
    d.maybe("layer_norm_eps", 1e-12, 0.2)
    d.maybe("gradient_checkpointing", False, 0.1)
    _common_noise(d)


def draw_t5(d: Draw) -> None:
    r = d.rng
    for key, alias, value in (
        ("d_model", "hidden_size", r.choice([4, 8, 16, 24, 30])),
        ("num_heads", "num_attention_heads", r.choice([1, 2, 3, 4])),
        ("d_kv", "head_dim", r.choice([1, 4, 8, 7])),
    ):
        c = r.random()
        if c < 0.1:
            d.cfg[alias] = value
        elif c < 0.9:
            d.cfg[key] = value
    d.maybe("d_ff", lambda: r.choice([1, 8, 40]), 0.95)
    d.maybe("vocab_size", lambda: r.choice([1, 50, 99]), 0.95)
    d.maybe(r.choice(["num_layers", "num_layers", "num_hidden_layers"]), lambda: r.choice([0, 1, 2, 3]), 0.95)
    d.maybe("num_decoder_layers", lambda: r.choice([None, 0, 1, 2, 4]), 0.5)
    d.maybe(
        "feed_forward_proj",
        lambda: r.choice(["relu", "gelu", "gated-gelu", "gated-silu", "gated-relu", "silu"]),
        0.6,
    )
    d.maybe("relative_attention_num_buckets", lambda: r.choice([1, 8, 32]), 0.5)
    d.maybe("relative_attention_max_distance", lambda: r.choice([16, 128]), 0.3)
    d.maybe("tie_word_embeddings", lambda: r.random() < 0.5, 0.5)
    d.maybe("dropout_rate", 0.1, 0.2)
    d.maybe("is_encoder_decoder", True, 0.2)
    d.maybe("n_positions", 512, 0.2)
    d.maybe("layer_norm_epsilon", 1e-6, 0.2)
    d.maybe("initializer_factor", 1.0, 0.2)
    d.maybe("decoder_start_token_id", 0, 0.2)
    d.maybe("pad_token_id", lambda: r.choice([None, 0]), 0.2)
    _common_noise(d)


def _draw_arch(model_type: str) -> Callable[[Draw], None]:
    """A table-driven family: the golden generator's random sizes and switches, some keys left out."""

    def draw(d: Draw) -> None:
        for key, value in hf_golden_arch._random(model_type, d.rng).items():
            if key in ("model_type", "vocab_size") or d.rng.random() < 0.9:
                d.cfg[key] = value
        _common_noise(d)

    return draw


DRAWS: dict[str, Callable[[Draw], None]] = {
    "gpt2": draw_gpt2,
    "bert": draw_bert,
    "llama": draw_llama,
    "mistral": draw_mistral,
    "mixtral": draw_mixtral,
    "qwen2": draw_qwen2,
    "qwen2_moe": draw_qwen2_moe,
    "qwen3": draw_qwen3,
    "qwen3_moe": draw_qwen3_moe,
    "gemma": draw_gemma,
    "gemma2": draw_gemma2,
    "phi3": draw_phi3,
    "t5": draw_t5,
    **{mt: _draw_arch(mt) for mt in hf_golden_arch.KNOBS},
    **{mt: _draw_arch(mt) for mt in hf_golden_arch.HEAD_KNOBS if mt not in ("bert", "t5")},  # theirs are above
}

import hf_cases_more  # noqa: E402, F401  (fills FAMILY_CLASSES and RANDOM with every declarative family)
from hf_cases_encoders import FAMILY_CLASSES, RANDOM, _labels  # noqa: E402
from hf_cases_heads import ADDED_CLASSES  # noqa: E402

RECIPE_FAMILIES: set[str] = set()
"""The declarative families (encoders, encoder-decoders, vision): their aliases are compared, not a tied flag."""


def _draw_recipe(model_type: str) -> Callable[[Draw], None]:
    """A declarative family: the golden generator's random sizes and labels, some keys left out."""

    def draw(d: Draw) -> None:
        for key, value in {**RANDOM[model_type](d.rng), **_labels(d.rng)}.items():
            if key == "model_type" or d.rng.random() < 0.9:
                d.cfg[key] = value
        _common_noise(d)

    return draw


for _mt, (_config_class, _classes) in FAMILY_CLASSES.items():
    if _mt not in DRAWS:
        from paramcalc.spec.hf_recipes_all import RECIPES

        _default = RECIPES[_mt].family.default_architecture  # first: the class counted without 'architectures'
        DRAWS[_mt] = _draw_recipe(_mt)
        ARCHITECTURES[_mt] = sorted([*_classes, *ADDED_CLASSES.get(_mt, ())], key=lambda c, d=_default: c != d)
        RECIPE_FAMILIES.add(_mt)


#: Edge values written over one key of a drawn config: zeros, negatives, wrong types, nulls,
#: out-of-range ids, rope variants, odd layer lists.  transformers builds some and refuses others.
EDGES: list[tuple[str, Callable[[random.Random, dict[str, Any]], Any]]] = [
    ("intermediate_size", lambda r, c: r.choice([0, None, 8.0, "8", True])),
    ("vocab_size", lambda r, c: r.choice([0, None, 2.5])),
    ("hidden_size", lambda r, c: r.choice([0, None, 16.0, True])),
    ("num_attention_heads", lambda r, c: r.choice([0, None])),
    ("num_key_value_heads", lambda r, c: r.choice([0, -1, 2.0])),
    ("head_dim", lambda r, c: r.choice([0, 1, 3, 9, -2, 4.0])),
    ("num_hidden_layers", lambda r, c: r.choice([-1, None, 2.0])),
    ("tie_word_embeddings", lambda r, c: r.choice([None, 0, 1, "true"])),
    ("pad_token_id", lambda r, c: r.choice([-1, 10**6, c.get("vocab_size", 0), 1.0])),
    ("attention_bias", lambda r, c: r.choice([None, 1, "yes"])),
    ("mlp_bias", lambda r, c: r.choice([None, 0])),
    ("qkv_bias", lambda r, c: r.choice([None, 0])),
    ("num_experts_per_tok", lambda r, c: r.choice([0, 5, 9, 200, None])),
    ("num_local_experts", lambda r, c: r.choice([0, 1, 3])),
    ("num_experts", lambda r, c: r.choice([0, 1, 3, None])),
    ("moe_intermediate_size", lambda r, c: r.choice([0, 3])),
    ("shared_expert_intermediate_size", lambda r, c: r.choice([0, 3])),
    ("decoder_sparse_step", lambda r, c: r.choice([0, -1, 2, 5])),
    ("mlp_only_layers", lambda r, c: r.choice([[7, 100], [-1], [0, 0], None, [True]])),
    ("partial_rotary_factor", lambda r, c: r.choice([0.5, 0.25, 1.0])),
    (
        "rope_scaling",
        lambda r, c: r.choice(
            [
                {"type": "dynamic", "factor": 2.0},
                {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096},
                {"rope_type": "default", "partial_rotary_factor": 0.5},
                {"rope_type": "linear"},
                {"rope_type": "nonsense", "factor": 2.0},
                None,
            ]
        ),
    ),
    ("rope_theta", lambda r, c: r.choice([500000.0, 10000])),
    (
        "layer_types",
        lambda r, c: r.choice([["full_attention"] * 9, ["foo"] * max(c.get("num_hidden_layers", 1), 0), []]),
    ),
    ("n_inner", lambda r, c: r.choice([0, -1, 8.0])),
    ("n_embd", lambda r, c: r.choice([0, 7])),
    ("n_head", lambda r, c: r.choice([0, 5])),
    ("n_positions", lambda r, c: r.choice([0, None])),
    ("type_vocab_size", lambda r, c: r.choice([0, -1, None])),
    ("max_position_embeddings", lambda r, c: r.choice([0, None])),
    ("is_decoder", lambda r, c: r.choice([True, None])),
    ("add_cross_attention", lambda r, c: r.choice([True, None, 1])),
    ("d_kv", lambda r, c: r.choice([0, None, 3])),
    ("d_ff", lambda r, c: r.choice([0, None])),
    ("num_heads", lambda r, c: r.choice([0, None])),
    ("num_decoder_layers", lambda r, c: r.choice([-1, 2.0])),
    ("relative_attention_num_buckets", lambda r, c: r.choice([0, None])),
    ("feed_forward_proj", lambda r, c: r.choice(["gated-gelu-x", "x-gelu", "gated", "", None, "gated-"])),
    ("architectures", lambda r, c: r.choice([[], None, "LlamaForCausalLM", ["Nope"], [1]])),
    ("query_pre_attn_scalar", lambda r, c: r.choice([None, 1.5])),
    ("sliding_window", lambda r, c: r.choice([0, -1])),
]


def random_config(rng: random.Random, model_type: str, edge_p: float = 0.0) -> tuple[dict[str, Any], str]:
    """A random config.json of ``model_type`` and the model class transformers should build for it
    (with probability ``edge_p``, one key is then overwritten with an edge value from EDGES)."""
    d = Draw(rng, model_type)
    DRAWS[model_type](d)
    if rng.random() < edge_p:
        key, value = rng.choice(EDGES)
        d.cfg[key] = value(rng, d.cfg)
    archs = ARCHITECTURES[model_type]
    arch = rng.choice(archs)
    r = rng.random()
    if "architectures" in d.cfg:
        arch = "?"  # an edge value: whatever transformers makes of it, paramcalc must agree or refuse
    elif r < 0.1:
        arch = archs[0]  # no architectures key: the family's default class
    elif (
        r < 0.15
        and model_type not in ("gpt2", "bert", "t5", *RECIPE_FAMILIES)
        and arch.endswith(("ForCausalLM", "Model"))
    ):
        d.cfg["architectures"] = [FOREIGN["ForCausalLM"] if arch.endswith("ForCausalLM") else FOREIGN["Model"]]
    else:
        d.cfg["architectures"] = [arch]
    if arch == "?":
        arch = archs[0]
    keys = list(d.cfg)
    rng.shuffle(keys)
    return {k: d.cfg[k] for k in keys}, arch


# --------------------------------------------------------------------------------------------
# Both sides
# --------------------------------------------------------------------------------------------


def oracle(config: dict[str, Any], arch: str) -> dict[str, Any]:
    """What transformers builds from ``config`` as class ``arch``, or the error it raises."""
    kwargs = {k: v for k, v in config.items() if k != "model_type"}
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            cfg = config_class(config["model_type"])(**kwargs)
            with torch.device("meta"):
                model = getattr(transformers, arch)._from_config(cfg)
    except Exception as exc:  # noqa: BLE001  (transformers refuses the config: paramcalc must too)
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}
    named = [(n, p) for n, p in model.named_parameters()]
    first: dict[int, str] = {}
    aliases: list[list[str]] = []
    for n, p in model.named_parameters(remove_duplicate=False):
        if id(p) in first:
            aliases.append([n, first[id(p)]])
        else:
            first[id(p)] = n
    case = Case(id="fuzz", model_class=arch, config=config, kind="random")
    try:
        moe = hf_golden.moe_summary(case, cfg, model) if config["model_type"] in hf_golden.MOE_KEYS else None
    except (ZeroDivisionError, AssertionError, TypeError) as exc:  # zero experts: nothing is routed
        moe = None
        if not isinstance(exc, ZeroDivisionError) or getattr(cfg, "num_experts_per_tok", 0) == 0:
            return {"error": f"moe bookkeeping: {exc}"}
    total = sum(p.numel() for _, p in named)
    return {
        "total": total,
        "tied": _head_is_tied(model),
        "active": total - (moe["inactive_per_token"] if moe else 0),
        "params": [[n, [int(s) for s in p.shape]] for n, p in named],
        "aliases": aliases,
        "saved": json.loads(cfg.to_json_string(use_diff=False)),
    }


OUTPUT_ROWS = ("lm_head", "cls.predictions")


def _head_is_tied(model: Any) -> bool:
    """hf_golden's tie check; models without input embeddings (CLIPModel raises) are untied."""
    try:
        return bool(hf_golden.head_is_tied(model))
    except NotImplementedError:
        return False


def counted(config: dict[str, Any]) -> dict[str, Any]:
    """What paramcalc counts for ``config`` (as transformers builds it), or its one-line error."""
    try:
        report = analyze(spec_from_config(config, "fuzz.json", tie_policy="transformers"))
    except ParamcalcError as exc:
        return {"error": exc.render() if hasattr(exc, "render") else str(exc)}
    params, aliases = written_out(report)
    tied = any(
        t.tied_to and t.path.endswith("weight") for row in report.layers if row.name in OUTPUT_ROWS for t in row.terms
    )
    return {
        "total": report.total,
        "tied": tied,
        "active": report.active,
        "params": params,
        "aliases": aliases,
    }


def written_out(report: Report) -> tuple[list[list[Any]], list[list[str]]]:
    """(parameters, aliases) as transformers lists them: full names, shapes, tied copies apart."""
    params: list[list[Any]] = []
    aliases: list[list[str]] = []
    for row in report.expanded().layers:
        for term in row.terms:
            name = f"{row.name}.{term.path}" if term.path else row.name  # a bare parameter row (logit_scale)
            if term.tied_to:
                aliases.append([name, term.tied_to])
            elif term.counted:
                params.append([name, list(term.shape)])
    return params, aliases


def compare(config: dict[str, Any], arch: str) -> list[str]:
    """The disagreements between transformers and paramcalc on one config (empty: they agree)."""
    want = oracle(config, arch)
    try:
        got = counted(config)
    except Exception:  # noqa: BLE001  (a crash in paramcalc is always a bug)
        return ["paramcalc crashed: " + traceback.format_exc().strip().splitlines()[-1]]
    if "error" in want or "error" in got:
        if "error" in want and "error" in got:
            return []
        if "error" in want:
            return [f"transformers refuses ({want['error']}) but paramcalc counts {got['total']:,}"]
        if "architecture" in got["error"] and config.get("architectures") not in (None, [], [arch]):
            return []  # from_config ignores the key; paramcalc needs a class name it knows to pick the class
        return [f"paramcalc refuses ({got['error']}) but transformers builds {want['total']:,}"]
    problems = []
    for key in ("total", "tied", "active"):
        if key == "tied" and config["model_type"] in RECIPE_FAMILIES:
            continue  # their output rows have other names; the aliases below say what is tied
        if want[key] != got[key]:
            problems.append(f"{key}: transformers {want[key]} paramcalc {got[key]}")
    if want["params"] != got["params"]:
        w, g = want["params"], got["params"]
        i = next((i for i, (a, b) in enumerate(zip(w, g, strict=False)) if a != b), min(len(w), len(g)))
        first, second = (w[i] if i < len(w) else None), (g[i] if i < len(g) else None)
        problems.append(f"params differ at #{i}: transformers {first} paramcalc {second}")
    if want["aliases"] != got["aliases"]:
        problems.append(f"aliases: transformers {want['aliases']} paramcalc {got['aliases']}")
    if not problems:
        try:
            again = analyze(spec_from_config(want["saved"], "saved.json")).total
        except ParamcalcError as exc:
            return [f"saved config refused: {exc}"]
        if again != want["total"]:
            problems.append(f"saved config counts {again}, transformers {want['total']}")
    return problems


# --------------------------------------------------------------------------------------------
# Published configs (from memory; nothing is downloaded)
# --------------------------------------------------------------------------------------------


def published() -> list[tuple[str, dict[str, Any], str]]:
    """Real checkpoints' config values, as their config.json files write them."""
    out: list[tuple[str, dict[str, Any], str]] = []

    def add(name: str, arch: str, model_type: str, **kw: Any) -> None:
        out.append((name, {"model_type": model_type, "architectures": [arch], **kw}, arch))

    llama3 = {"vocab_size": 128256, "rms_norm_eps": 1e-5, "max_position_embeddings": 131072, "rope_theta": 500000.0}
    rope31 = {
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
        "rope_type": "llama3",
    }
    for name, h, i, n, heads in (
        ("Llama-3.1-8B", 4096, 14336, 32, 32),
        ("Llama-3.1-70B", 8192, 28672, 80, 64),
        ("Llama-3.1-405B", 16384, 53248, 126, 128),
    ):
        add(
            name,
            "LlamaForCausalLM",
            "llama",
            hidden_size=h,
            intermediate_size=i,
            num_hidden_layers=n,
            num_attention_heads=heads,
            num_key_value_heads=8,
            rope_scaling=rope31,
            tie_word_embeddings=False,
            attention_bias=False,
            mlp_bias=False,
            **llama3,
        )
    add(
        "Llama-3.2-1B",
        "LlamaForCausalLM",
        "llama",
        hidden_size=2048,
        intermediate_size=8192,
        num_hidden_layers=16,
        num_attention_heads=32,
        num_key_value_heads=8,
        head_dim=64,
        tie_word_embeddings=True,
        rope_scaling={**rope31, "factor": 32.0},
        **llama3,
    )
    add(
        "Mistral-Small-24B-2501",
        "MistralForCausalLM",
        "mistral",
        vocab_size=131072,
        hidden_size=5120,
        intermediate_size=32768,
        num_hidden_layers=40,
        num_attention_heads=32,
        num_key_value_heads=8,
        head_dim=128,
        sliding_window=None,
        rope_theta=100000000.0,
        max_position_embeddings=32768,
        rms_norm_eps=1e-5,
        tie_word_embeddings=False,
    )
    add(
        "Mistral-7B-v0.3",
        "MistralForCausalLM",
        "mistral",
        vocab_size=32768,
        hidden_size=4096,
        intermediate_size=14336,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=8,
        head_dim=128,
        sliding_window=None,
        rms_norm_eps=1e-5,
    )
    add(
        "Mixtral-8x22B",
        "MixtralForCausalLM",
        "mixtral",
        vocab_size=32768,
        hidden_size=6144,
        intermediate_size=16384,
        num_hidden_layers=56,
        num_attention_heads=48,
        num_key_value_heads=8,
        num_local_experts=8,
        num_experts_per_tok=2,
        rope_theta=1000000.0,
        max_position_embeddings=65536,
    )
    for name, h, i, n, heads, kv, tie, vocab in (
        ("Qwen2.5-0.5B", 896, 4864, 24, 14, 2, True, 151936),
        ("Qwen2.5-1.5B", 1536, 8960, 28, 12, 2, True, 151936),
        ("Qwen2.5-3B", 2048, 11008, 36, 16, 2, True, 151936),
        ("Qwen2.5-7B", 3584, 18944, 28, 28, 4, False, 152064),
        ("Qwen2.5-14B", 5120, 13824, 48, 40, 8, False, 152064),
        ("Qwen2.5-32B", 5120, 27648, 64, 40, 8, False, 152064),
        ("Qwen2.5-72B", 8192, 29568, 80, 64, 8, False, 152064),
    ):
        add(
            name,
            "Qwen2ForCausalLM",
            "qwen2",
            vocab_size=vocab,
            hidden_size=h,
            intermediate_size=i,
            num_hidden_layers=n,
            num_attention_heads=heads,
            num_key_value_heads=kv,
            tie_word_embeddings=tie,
            use_sliding_window=False,
            sliding_window=131072,
            max_window_layers=n,
            rms_norm_eps=1e-6,
            rope_theta=1000000.0,
        )
    add(
        "Qwen1.5-MoE-A2.7B",
        "Qwen2MoeForCausalLM",
        "qwen2_moe",
        vocab_size=151936,
        hidden_size=2048,
        intermediate_size=5632,
        num_hidden_layers=24,
        num_attention_heads=16,
        num_key_value_heads=16,
        num_experts=60,
        num_experts_per_tok=4,
        moe_intermediate_size=1408,
        shared_expert_intermediate_size=5632,
        decoder_sparse_step=1,
        norm_topk_prob=False,
    )
    add(
        "Qwen3-235B-A22B",
        "Qwen3MoeForCausalLM",
        "qwen3_moe",
        vocab_size=151936,
        hidden_size=4096,
        intermediate_size=12288,
        num_hidden_layers=94,
        num_attention_heads=64,
        num_key_value_heads=4,
        head_dim=128,
        num_experts=128,
        num_experts_per_tok=8,
        moe_intermediate_size=1536,
        norm_topk_prob=True,
        tie_word_embeddings=False,
    )
    add(
        "Qwen3-8B",
        "Qwen3ForCausalLM",
        "qwen3",
        vocab_size=151936,
        hidden_size=4096,
        intermediate_size=12288,
        num_hidden_layers=36,
        num_attention_heads=32,
        num_key_value_heads=8,
        head_dim=128,
        tie_word_embeddings=False,
    )
    add(
        "Gemma-2-27B",
        "Gemma2ForCausalLM",
        "gemma2",
        vocab_size=256000,
        hidden_size=4608,
        intermediate_size=36864,
        num_hidden_layers=46,
        num_attention_heads=32,
        num_key_value_heads=16,
        head_dim=128,
        query_pre_attn_scalar=144,
        sliding_window=4096,
        final_logit_softcapping=30.0,
        attn_logit_softcapping=50.0,
        hidden_activation="gelu_pytorch_tanh",
    )
    add(
        "Gemma-2-9B",
        "Gemma2ForCausalLM",
        "gemma2",
        vocab_size=256000,
        hidden_size=3584,
        intermediate_size=14336,
        num_hidden_layers=42,
        num_attention_heads=16,
        num_key_value_heads=8,
        head_dim=256,
        query_pre_attn_scalar=256,
    )
    add(
        "Phi-3-medium-4k",
        "Phi3ForCausalLM",
        "phi3",
        vocab_size=32064,
        hidden_size=5120,
        intermediate_size=17920,
        num_hidden_layers=40,
        num_attention_heads=40,
        num_key_value_heads=10,
        max_position_embeddings=4096,
        original_max_position_embeddings=4096,
    )
    add(
        "Phi-3.5-mini",
        "Phi3ForCausalLM",
        "phi3",
        vocab_size=32064,
        hidden_size=3072,
        intermediate_size=8192,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=32,
        max_position_embeddings=131072,
        original_max_position_embeddings=4096,
        rope_scaling={"type": "longrope", "short_factor": [1.0] * 48, "long_factor": [1.5] * 48},
    )
    add(
        "Phi-4-mini",
        "Phi3ForCausalLM",
        "phi3",
        vocab_size=200064,
        hidden_size=3072,
        intermediate_size=8192,
        num_hidden_layers=32,
        num_attention_heads=24,
        num_key_value_heads=8,
        partial_rotary_factor=0.75,
        tie_word_embeddings=True,
        pad_token_id=199999,
        max_position_embeddings=131072,
        original_max_position_embeddings=4096,
        rope_scaling={"type": "longrope", "short_factor": [1.0] * 48, "long_factor": [1.5] * 48},
    )
    add(
        "bert-large-uncased",
        "BertForMaskedLM",
        "bert",
        hidden_size=1024,
        num_hidden_layers=24,
        num_attention_heads=16,
        intermediate_size=4096,
        vocab_size=30522,
        max_position_embeddings=512,
        type_vocab_size=2,
    )
    add(
        "bert-base-multilingual-cased",
        "BertModel",
        "bert",
        vocab_size=119547,
        directionality="bidi",
        pooler_fc_size=768,
        pooler_num_attention_heads=12,
        pooler_num_fc_layers=3,
        pooler_size_per_head=128,
        pooler_type="first_token_transform",
    )
    add("distilgpt2", "GPT2LMHeadModel", "gpt2", n_layer=6, n_ctx=1024, n_embd=768, n_head=12, vocab_size=50257)
    for name, d_model, d_ff, layers, heads, d_kv, proj, tie in (
        ("t5-3b", 1024, 16384, 24, 32, 128, "relu", True),
        ("t5-11b", 1024, 65536, 24, 128, 128, "relu", True),
        ("flan-t5-base", 768, 2048, 12, 12, 64, "gated-gelu", False),
        ("flan-t5-xl", 2048, 5120, 24, 32, 64, "gated-gelu", False),
        ("flan-t5-xxl", 4096, 10240, 24, 64, 64, "gated-gelu", False),
    ):
        add(
            name,
            "T5ForConditionalGeneration",
            "t5",
            d_model=d_model,
            d_ff=d_ff,
            num_layers=layers,
            num_decoder_layers=layers,
            num_heads=heads,
            d_kv=d_kv,
            feed_forward_proj=proj,
            tie_word_embeddings=tie,
            vocab_size=32128,
        )
    return out


# --------------------------------------------------------------------------------------------
# CLI: never a traceback
# --------------------------------------------------------------------------------------------


def cli_check(configs: list[dict[str, Any]]) -> list[str]:
    """``paramcalc summary/memory/explain`` on each config: exit 0 or 2, one line on stderr when 2."""
    from paramcalc.cli import main

    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.json"
        for i, config in enumerate(configs):
            path.write_text(json.dumps(config), encoding="utf-8")
            block = config["model_type"].replace("_moe", "Moe").replace("qwen", "Qwen").capitalize()
            commands = [
                ["summary", str(path)],
                ["summary", str(path), "--format", "json"],
                ["summary", str(path), "--expand-nested"],
                ["memory", str(path)],
                ["explain", "model.layers.0", "--config", str(path)],
                ["explain", f"{block}DecoderLayer", "--config", str(path)],
            ]
            for argv in commands:
                out, err = io.StringIO(), io.StringIO()
                try:
                    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                        code = main(argv)
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
                except Exception:  # noqa: BLE001  (a traceback is what this looks for)
                    problems.append(f"#{i} {argv[0]}: traceback {traceback.format_exc().splitlines()[-1]}")
                    continue
                text = err.getvalue().strip()
                if code not in (0, 2):
                    problems.append(f"#{i} {' '.join(argv[:2])}: exit {code}")
                elif code == 2 and (len(text.splitlines()) > 2 or "Traceback" in text or out.getvalue()):
                    problems.append(f"#{i} {' '.join(argv[:2])}: error output not one line: {text[:200]!r}")
    return problems


def main() -> int:
    """Run the fuzzer and print a summary; exit 1 when anything disagrees."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="random configs in all")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--families", default=",".join(DRAWS))
    parser.add_argument("--cli", type=int, default=0, help="also run the CLI on this many random configs")
    parser.add_argument("--edge", type=float, default=0.3, help="share of configs with one edge value")
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "hf_fuzz_failures.json"))
    args = parser.parse_args()
    torch.manual_seed(0)
    rng = random.Random(args.seed)
    families = args.families.split(",")
    failures: list[dict[str, Any]] = []
    stats: Counter[str] = Counter()
    start = time.monotonic()

    for name, config, arch in published():
        if config["model_type"] not in families:
            continue
        problems = compare(config, arch)
        stats["published"] += 1
        if problems:
            failures.append({"id": name, "arch": arch, "config": config, "problems": problems})
            print(f"PUBLISHED {name}: {problems}", flush=True)

    for i in range(args.count):
        model_type = families[i % len(families)]
        config, arch = random_config(rng, model_type, args.edge)
        problems = compare(config, arch)
        stats[model_type] += 1
        if problems:
            stats[f"{model_type} FAIL"] += 1
            failures.append({"id": f"random-{i}", "arch": arch, "config": config, "problems": problems})
    cli_problems = cli_check([random_config(rng, families[i % len(families)], args.edge)[0] for i in range(args.cli)])

    kinds = Counter(p.split(":")[0].split("(")[0].strip() for f in failures for p in f["problems"])
    Path(args.out).write_text(json.dumps(failures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{sum(v for k, v in stats.items() if 'FAIL' not in k)} configs in {time.monotonic() - start:.0f}s")
    for key in sorted(stats):
        print(f"  {key:20s} {stats[key]}")
    for kind, n in kinds.most_common():
        print(f"  {n:5d} x {kind}")
    for problem in cli_problems[:30]:
        print("CLI", problem)
    print(f"{len(failures)} disagreements, {len(cli_problems)} CLI problems; details in {args.out}")
    return 1 if failures or cli_problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
