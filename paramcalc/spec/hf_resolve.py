"""Hugging Face config.json values as transformers' config classes see them: defaults, strict
types, derived values, aliases, and the configs the classes refuse.

Split from :mod:`paramcalc.spec.hf_config` (the reader) by job: this module turns a parsed
config into the resolved ``cfg`` mapping every builder reads, or a one-line error pointing at
the key's line; it builds no rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from paramcalc.errors import Location, SpecError
from paramcalc.spec.common import describe_value
from paramcalc.spec.hf_families import (
    ARCHS,
    BOOL,
    EXTRA,
    INT,
    INT_LIST,
    MOE_LAYOUT,
    OPT_INT,
    RECIPE_TYPES,
    STR,
    Family,
)
from paramcalc.spec.hf_schema import ACTIVATIONS, CHECKED, LAYER_TYPES, LEGACY_LAYER_TYPES, describe_kind, type_ok


class _Where:
    """Points an error at the line of a key in the JSON text (best effort)."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.text = text

    def at(self, key: str | None = None) -> Location:
        if key and self.text:
            match = re.search(rf'"{re.escape(key)}"\s*:', self.text)
            if match:
                return Location(self.source, self.text.count("\n", 0, match.start()) + 1)
        return Location(self.source)


def resolve(family: Family, doc: Mapping[str, Any], where: _Where | None = None) -> dict[str, Any]:
    """The config as transformers sees it: defaults, the file's values, derived values, aliases.

    Order matters and follows the config classes: fields first, then ``__post_init__``'s
    derived values (``head_dim``, ``num_key_value_heads``, T5's ``num_decoder_layers``),
    then the ``attribute_map`` aliases (set last, as extra keyword arguments are), so T5's
    ``num_hidden_layers`` sets ``num_layers`` but not the already derived decoder depth.
    """
    where = where or _Where("<config>", "")
    schema = CHECKED.get(family.model_type, {})
    for key, value in doc.items():
        kind = schema.get(key)
        if kind and not type_ok(kind, value):
            raise SpecError(
                f"'{key}' must be {describe_kind(kind)}, got {describe_value(value)}",
                location=where.at(key),
                hint=f"{family.config_class} refuses it (a strict field)",
            )
    scale = doc.get("initializer_range")
    if family.model_type == "llama" and isinstance(scale, float) and not 0.0 <= scale <= 1.0:
        raise SpecError(
            f"'initializer_range' must be between 0 and 1, got {scale}",
            location=where.at("initializer_range"),
            hint="LlamaConfig refuses it",
        )
    cfg: dict[str, Any] = {key: default for key, (default, _) in family.fields.items()}
    for key, value in doc.items():
        if key in family.fields:
            cfg[key] = _checked(family, key, value, where)
    _derive(family, cfg)
    for alias, target in family.aliases.items():
        if alias in doc:
            cfg[target] = _checked(family, target, doc[alias], where, alias)
    _validate(family, cfg, doc, where)
    return cfg


KV_NOT_DERIVED = ("qwen2_moe",)
"""Config classes whose ``num_key_value_heads`` may be null but is not derived from the heads:
the attention then divides by None and transformers fails building any layer."""

CHECKS_HEADS = ("llama", "gemma2")
"""Config classes whose ``validate_architecture`` refuses hidden_size % num_attention_heads
(the other families refuse it, if at all, only when an attention module is built)."""

DERIVES_HEAD_DIM = ("llama", "mistral")
"""Config classes that set ``head_dim = hidden_size // num_attention_heads`` when it is null."""


def _validate(family: Family, cfg: Mapping[str, Any], doc: Mapping[str, Any], where: _Where) -> None:
    """Refuse what transformers refuses while building the config (whatever the layer count)."""
    mt = family.model_type
    layers = cfg.get(family.aliases.get("num_hidden_layers", "num_hidden_layers"))
    has_layers = not isinstance(layers, int) or layers > 0  # the attention modules are what fail
    extra_head_dim = family.fields.get("head_dim", (None, ""))[1] == EXTRA
    if has_layers and extra_head_dim and "head_dim" in doc and doc["head_dim"] is None:
        raise SpecError(
            "'head_dim' must be an integer, got null",
            location=where.at("head_dim"),
            hint=f"{family.prefix}Attention reads head_dim as written when the key is present (no default for null)",
        )
    if has_layers and mt in KV_NOT_DERIVED and "num_key_value_heads" in doc and doc["num_key_value_heads"] is None:
        raise SpecError(
            "'num_key_value_heads' must be an integer, got null",
            location=where.at("num_key_value_heads"),
            hint=f"{family.config_class} does not derive it from num_attention_heads",
        )
    heads = cfg.get("num_attention_heads")
    if mt in CHECKS_HEADS and isinstance(heads, int) and heads > 0 and cfg["hidden_size"] % heads:
        raise SpecError(
            f"hidden_size {cfg['hidden_size']} is not a multiple of num_attention_heads {heads}",
            location=where.at("hidden_size"),
            hint=f"{family.config_class} refuses it (validate_architecture)",
        )
    if mt == "t5":
        proj = cfg["feed_forward_proj"]
        parts = proj.split("-")
        if (len(parts) > 1 and parts[0] != "gated") or len(parts) > 2:
            raise SpecError(
                f"feed_forward_proj '{proj}' is not an activation like 'relu' or 'gated-gelu'",
                location=where.at("feed_forward_proj"),
                hint="T5Config refuses it (validate_architecture)",
            )
        if parts[-1] not in ACTIVATIONS:
            raise SpecError(
                f"feed_forward_proj '{proj}' names no activation transformers knows ('{parts[-1]}')",
                location=where.at("feed_forward_proj"),
                hint=f"known: {', '.join(sorted(ACTIVATIONS))}",
            )
    act_key = {"gpt2": "activation_function", "gemma2": "hidden_activation", "t5": ""}.get(mt, "hidden_act")
    act = doc.get(act_key) if act_key else None
    known = act in ACTIVATIONS or (mt == "gemma" and act == "gelu") or mt in RECIPE_TYPES  # recipes check theirs
    if has_layers and isinstance(act, str) and not known:
        raise SpecError(
            f"'{act_key}' {act!r} is no activation transformers knows",
            location=where.at(act_key),
            hint=f"the MLP looks it up in ACT2FN: {', '.join(sorted(ACTIVATIONS))}",
        )
    rotary = getattr(ARCHS.get(mt), "rotary", True)  # table-driven families without rotary tables: no division
    if mt not in ("gpt2", "bert", "t5") and mt not in RECIPE_TYPES and rotary and isinstance(heads, int) and heads <= 0:
        raise SpecError(
            f"'num_attention_heads' must be positive, got {heads}",
            location=where.at("num_attention_heads"),
            hint="the rotary embedding divides hidden_size by it",
        )
    _validate_layer_types(family, cfg, doc, where)
    _validate_rope(family, cfg, doc, where)


def _validate_layer_types(family: Family, cfg: Mapping[str, Any], doc: Mapping[str, Any], where: _Where) -> None:
    """``layer_types`` (one attention kind per layer) changes no shape, but transformers checks
    every entry is a known kind (old names renamed first) and that there is one per layer.
    """
    types = doc.get("layer_types")
    if types is None or family.aliases.get("num_hidden_layers", "num_hidden_layers") not in family.fields:
        return  # validate_layer_type skips configs with no num_hidden_layers (CLIP's and SigLIP's composites)
    depth = cfg.get(family.aliases.get("num_hidden_layers", "num_hidden_layers"))
    entries = (
        [LEGACY_LAYER_TYPES.get(t, t) if isinstance(t, str) else t for t in types] if isinstance(types, list) else []
    )
    if not isinstance(types, list) or not all(t in LAYER_TYPES for t in entries):
        raise SpecError(
            f"'layer_types' must be a list of {', '.join(LAYER_TYPES[:2])}, ..., got {describe_value(types)}",
            location=where.at("layer_types"),
            hint=f"{family.config_class} refuses it (validate_layer_type)",
        )
    if isinstance(depth, int) and len(types) != depth:
        raise SpecError(
            f"'layer_types' has {len(types)} entries for {depth} layers",
            location=where.at("layer_types"),
            hint=f"{family.config_class} refuses it (validate_layer_type): one entry per layer",
        )


ROPE_REQUIRED = {
    "default": (),
    "linear": ("factor",),
    "dynamic": ("factor",),
    "yarn": ("factor",),
    "llama3": ("factor", "low_freq_factor", "high_freq_factor"),
    "longrope": ("short_factor", "long_factor"),
    "proportional": (),
}
"""RoPE types transformers builds, and the keys each needs (``_validate_<type>_rope_parameters``)."""

ROPE_NUMBERS = {"phimoe": ("short_mscale", "long_mscale")}
"""Families whose config class also wants these rope keys as numbers for any rope_type but default."""


NO_ROPE_REQUIRED = {
    "default": (),
    "linear": ("factor",),
    "dynamic": ("factor",),
    "yarn": ("factor", "original_max_position_embeddings"),
    "llama3": ("factor", "low_freq_factor", "high_freq_factor", "rope_theta", "original_max_position_embeddings"),
    "longrope": ("short_factor", "long_factor", "original_max_position_embeddings"),
    "proportional": ("rope_theta",),
}
"""The keys PreTrainedConfig wants in a ``rope_scaling`` of a config class with no RoPE defaults (no
``rope_theta``, no ``max_position_embeddings`` to derive from: BERT, GPT-2, T5, the encoders, ViT,
CLIP); an unknown ``rope_type`` is not checked there."""


def _validate_rope_keys(family: Family, doc: Mapping[str, Any], where: _Where) -> None:
    """A RoPE dict in a config whose model has no rotary embedding: only missing required keys are refused."""
    key = "rope_parameters" if isinstance(doc.get("rope_parameters"), Mapping) else "rope_scaling"
    rope = doc.get(key)
    if not isinstance(rope, Mapping) or not rope:
        return
    kind = rope.get("rope_type", rope.get("type", "default"))
    missing = [k for k in NO_ROPE_REQUIRED.get(str(kind), ()) if k not in rope]
    if kind == "yarn" and not missing and "max_position_embeddings" not in {*family.fields, *family.aliases}:
        raise SpecError(
            f"'{key}' of rope_type 'yarn' needs max_position_embeddings, which {family.config_class} has not",
            location=where.at(key),
            hint=f"{family.config_class} refuses it (the yarn check reads config.max_position_embeddings)",
        )
    if missing:
        raise SpecError(
            f"'{key}' of rope_type '{kind}' lacks {', '.join(missing)}",
            location=where.at(key),
            hint=f"{family.config_class} refuses it (PreTrainedConfig validates rope parameters)",
        )


def _validate_rope(family: Family, cfg: Mapping[str, Any], doc: Mapping[str, Any], where: _Where) -> None:
    """The RoPE settings transformers refuses: an unknown ``rope_type``, a missing required key,
    Phi-3 with anything but default / longrope, and an odd rotary dimension (below).
    """
    if ("head_dim" not in family.fields and family.model_type not in ARCHS) or family.model_type == "t5":
        _validate_rope_keys(family, doc, where)  # no rotary model, but PreTrainedConfig still checks the keys
        return
    key = "rope_parameters" if isinstance(doc.get("rope_parameters"), Mapping) else "rope_scaling"
    rope = doc.get(key)
    if key == "rope_scaling" and not getattr(ARCHS.get(family.model_type), "reads_rope_scaling", True):
        rope = None  # Gemma 3 ignores rope_scaling
    if isinstance(rope, Mapping) and rope:
        kind = rope.get("rope_type", rope.get("type", "default"))
        rotary = getattr(ARCHS.get(family.model_type), "rotary", True)
        if kind == "yarn" and not rotary and "max_position_embeddings" not in {*family.fields, *family.aliases}:
            raise SpecError(  # BLOOM, Mamba, Mamba-2, Falcon-Mamba: the yarn check reads a key they have not
                f"'{key}' of rope_type 'yarn' needs max_position_embeddings, which {family.config_class} has not",
                location=where.at(key),
                hint=f"{family.config_class} refuses it (the yarn check reads config.max_position_embeddings)",
            )
        if family.model_type == "phi3" and kind in ("su", "yarn"):
            kind = "longrope"  # Phi3Config renames them
        allowed = ("default", "longrope") if family.model_type == "phi3" else tuple(ROPE_REQUIRED)
        if kind not in ROPE_REQUIRED and not getattr(ARCHS.get(family.model_type), "rotary", True):
            return  # no rotary tables, so an unknown rope_type is only a warning
        if kind not in allowed:
            raise SpecError(
                f"'{key}' has rope_type {describe_value(kind)}, which {family.config_class} cannot build",
                location=where.at(key),
                hint=f"rope types: {', '.join(allowed)}",
            )
        missing = [k for k in ROPE_REQUIRED[str(kind)] if k not in rope]
        if kind != "default":  # PhimoeConfig.validate_rope: numeric short_mscale / long_mscale
            numbers = (int, float)
            missing += [k for k in ROPE_NUMBERS.get(family.model_type, ()) if not isinstance(rope.get(k), numbers)]
        if missing:
            raise SpecError(
                f"'{key}' of rope_type '{kind}' lacks {', '.join(missing)}",
                location=where.at(key),
                hint=f"{family.config_class} refuses it (validate_rope)",
            )
    _validate_rotary_dim(family, cfg, doc, where)


def _validate_rotary_dim(family: Family, cfg: Mapping[str, Any], doc: Mapping[str, Any], where: _Where) -> None:
    """RoPE needs an even rotary dimension: transformers refuses an odd ``head_dim`` above 4
    that is rotated whole (``partial_rotary_factor`` 1), when the config has a ``head_dim``
    (a field, derived or written) -- hidden/heads computed by the attention is not checked.
    """
    head_dim = cfg.get("head_dim")
    if family.fields.get("head_dim", (None, EXTRA))[1] == EXTRA and "head_dim" not in doc:
        return
    if not getattr(ARCHS.get(family.model_type), "rotary", True):
        return  # no rotary tables (Mamba-2's head_dim is an SSM head's width)
    if head_dim is None and family.model_type in DERIVES_HEAD_DIM:
        heads = cfg["num_attention_heads"]
        head_dim = cfg["hidden_size"] // heads if isinstance(heads, int) and heads > 0 else None
    if not isinstance(head_dim, int) or head_dim <= 4 or head_dim % 2 == 0:
        return
    default = getattr(ARCHS.get(family.model_type), "partial_rotary_factor", 1.0)  # Phi 0.5, ...
    factor: Any = doc.get("partial_rotary_factor", doc.get("rotary_pct", default))
    for key in ("rope_parameters", "rope_scaling"):
        rope = doc.get(key)
        if isinstance(rope, Mapping) and "partial_rotary_factor" in rope:
            factor = rope["partial_rotary_factor"]
            break
    if isinstance(factor, (int, float)) and not isinstance(factor, bool) and int(head_dim * factor) == head_dim:
        raise SpecError(
            f"head_dim {head_dim} is odd, and RoPE rotates it whole: it needs an even rotary dimension",
            location=where.at("head_dim" if "head_dim" in doc else "hidden_size"),
            hint=f"{family.config_class} refuses it (validate_rope); "
            "a partial_rotary_factor < 1 or an even head_dim is accepted",
        )


def _checked(family: Family, key: str, value: Any, where: _Where, written: str | None = None) -> Any:
    """A config value of the right type, as the strict config class would accept it."""
    kind = family.fields[key][1]
    is_int = isinstance(value, int) and not isinstance(value, bool)
    ok = {
        INT: is_int,
        OPT_INT: is_int or value is None,
        EXTRA: is_int or value is None,
        BOOL: isinstance(value, bool),
        STR: isinstance(value, str),
        INT_LIST: value is None
        or (isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)),
    }.get(kind, True)
    if not ok:
        want = {
            INT: "an integer",
            OPT_INT: "an integer or null",
            EXTRA: "an integer or null",
            BOOL: "true or false",
            STR: "a string",
            INT_LIST: "a list of integers or null",
        }[kind]
        name = written or key
        raise SpecError(
            f"'{name}' must be {want}, got {describe_value(value)}",
            location=where.at(name),
            hint=f"{family.config_class} refuses it",
        )
    return value


def _derive(family: Family, cfg: dict[str, Any]) -> None:
    """The values the config classes' ``__post_init__`` fill in."""
    if "num_key_value_heads" in cfg and cfg["num_key_value_heads"] is None:
        cfg["num_key_value_heads"] = cfg["num_attention_heads"]
    if family.model_type in ("llama", "mistral") and cfg["head_dim"] is None:
        heads = cfg["num_attention_heads"]
        cfg["head_dim"] = cfg["hidden_size"] // heads if heads > 0 else None
    if family.model_type in MOE_LAYOUT and cfg["mlp_only_layers"] is None:
        cfg["mlp_only_layers"] = []
    if family.model_type == "t5" and cfg["num_decoder_layers"] is None:
        cfg["num_decoder_layers"] = cfg["num_layers"]
