"""Hugging Face config.json files: a model's block structure from its config alone.

A JSON document with a ``model_type`` key is a transformers config.  This reader fills the
keys the file leaves out from the family's config-class defaults
(:mod:`paramcalc.spec.hf_families`), validates types the way transformers' strict config
classes do, picks the model class from ``architectures`` and writes the model as block-level
records, in ``named_parameters()`` order:

* embeddings (``model.embed_tokens``, GPT-2's ``wte``/``wpe``, ``BertEmbeddings``, T5's
  ``shared``);
* one record per *distinct* block with the names of all its copies
  (``model.layers.0-31``: 32 × ``LlamaDecoderLayer``); T5's block 0 owns the relative
  attention bias and so is its own record, and Qwen2-MoE's dense and sparse layers are
  two records;
* the final norm, then the head: ``lm_head`` (tied to the input embedding when the config
  says so: shown, counted once), BERT's pooler or masked-LM head.

Each record's arguments are the config values its rule reads (the rule's signature), so
``paramcalc explain LlamaDecoderLayer --config config.json`` shows the same numbers.

T5 is special: transformers 5 forces ``tie_word_embeddings=True`` for every T5 config, but
T5 v1.1 / Flan-T5 checkpoints say ``false`` and ship their own ``lm_head``, which
``from_pretrained`` keeps.  paramcalc follows the config as written (the checkpoint), and
says so in a note; ``tie_policy="transformers"`` counts what ``from_config`` builds instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from paramcalc.errors import Location, SpecError
from paramcalc.limits import MAX_LAYERS  # upper bound on num_hidden_layers: a config is data, not a bomb
from paramcalc.spec.common import describe_value
from paramcalc.spec.hf_arch import QA, SEQ_CLS, TAGGING
from paramcalc.spec.hf_families import (
    ARCHS,
    BASE,
    BOOL,
    CAUSAL_LM,
    ENCODER,
    EXTRA,
    FAMILIES,
    INT,
    INT_LIST,
    LEGACY_HEADS,
    MASKED_LM,
    MOE_LAYOUT,
    OPT_INT,
    RECIPE_TYPES,
    SEQ2SEQ,
    STR,
    SUPPORTED,
    Family,
    qwen2_moe_is_sparse,
)
from paramcalc.spec.hf_schema import ACTIVATIONS, CHECKED, LAYER_TYPES, LEGACY_LAYER_TYPES, describe_kind, type_ok
from paramcalc.spec.records import InputSpec, LayerSpec, ModelSpec

TIE_POLICIES = ("checkpoint", "transformers")

_ROLE_SUFFIXES = (
    ("ForConditionalGeneration", SEQ2SEQ),
    ("ForCausalLM", CAUSAL_LM),
    ("LMHeadModel", CAUSAL_LM),
    ("ForMaskedLM", MASKED_LM),
    ("EncoderModel", ENCODER),
    ("ForSequenceClassification", SEQ_CLS),  # hfdec: task heads of decoder families
    ("ForTokenClassification", TAGGING),
    ("ForQuestionAnswering", QA),
    ("Model", BASE),
)


def _note_top_k(cfg: Mapping[str, Any], notes: list[str]) -> None:
    """Say so when ``num_experts_per_tok`` exceeds the experts: the counts stand, the active share is clamped."""
    top_k = cfg.get("num_experts_per_tok")
    experts = cfg.get("num_local_experts", cfg.get("num_experts"))
    if isinstance(top_k, int) and isinstance(experts, int) and 0 < experts < top_k:
        notes.append(
            f"num_experts_per_tok {top_k} exceeds the {experts} experts: transformers builds this model but its"
            f" router fails at the first forward; active parameters count all {experts} experts"
        )


def is_hf_config(doc: object) -> bool:
    """Whether a parsed JSON document is a transformers config (it has a ``model_type``)."""
    return isinstance(doc, Mapping) and "model_type" in doc


def spec_from_config(doc: Mapping[str, Any], source: str, text: str = "", tie_policy: str = "checkpoint") -> ModelSpec:
    """The :class:`ModelSpec` of a config.json (``text`` is used to point errors at lines)."""
    where = _Where(source, text)
    family = family_of(doc, where)
    cfg = resolve(family, doc, where)
    architecture, role = _architecture(family, doc, where)
    builder = {"gpt2": _gpt2, "bert": _bert, "t5": _t5}.get(family.model_type, _decoder)
    if family.model_type in ARCHS:  # hfdec: table-driven families (paramcalc/spec/hf_arch.py)
        from paramcalc.spec.hf_build import build_arch as builder
    build = _Build(family, cfg, role, doc, where, tie_policy)
    if "architectures" not in doc or not doc["architectures"]:
        build.notes.append(f"no 'architectures' in the config: counted as {architecture} (assumed)")
    _note_top_k(cfg, build.notes)
    if family.model_type in RECIPE_TYPES:  # declarative encoder / encoder-decoder / vision families
        from paramcalc.spec.hf_recipe_build import build_rows
        from paramcalc.spec.hf_recipes_all import RECIPES

        layers = build_rows(RECIPES[family.model_type], build, architecture)
    else:
        layers = builder(build)
    notes = build.notes
    location = Location(source)
    indexed = tuple(
        LayerSpec(
            layer.class_name,
            kwargs=layer.kwargs,
            location=location,
            name=layer.name,
            index=i,
            copies=layer.copies,
            tied=layer.tied,
        )
        for i, layer in enumerate(layers, start=1)
    )
    extras: dict[str, Any] = {"hf": {"model_type": family.model_type, "architecture": architecture}}
    if "architectures" not in doc or not doc["architectures"]:  # hfdec: say which class was assumed
        extras["hf"]["architecture_assumed"] = True
    if family.model_type not in RECIPE_TYPES and "num_hidden_layers" in cfg:  # sliding-window KV layers (kv_cache)
        from paramcalc.kv_cache import kv_windows, rotary_factor

        extras["_kv_windows"] = kv_windows(family.model_type, doc, cfg["num_hidden_layers"])
        extras["_rotary_factor"] = rotary_factor(family.model_type, doc)
    dtype = doc.get("torch_dtype", doc.get("dtype"))
    if isinstance(dtype, str):
        extras["hf"]["checkpoint_dtype"] = dtype
    return ModelSpec(
        layers=indexed,
        inputs=(InputSpec("input_ids", (None,), "int64"),),
        name=architecture,
        framework="transformers",
        source=source,
        notes=tuple(notes),
        extras=extras,
    )


@dataclass
class _Build:
    """What a family's builder reads (the resolved config, the model class's role) and the notes it writes."""

    family: Family
    cfg: dict[str, Any]
    role: str
    doc: Mapping[str, Any]
    where: _Where
    tie_policy: str
    notes: list[str] = field(default_factory=list)

    def count(self, key: str) -> int:
        """A layer count from the config, within reason."""
        value = self.cfg[key]
        if value < 0 or value > MAX_LAYERS:
            raise SpecError(f"'{key}' must be between 0 and {MAX_LAYERS:,}, got {value}", location=self.where.at(key))
        return int(value)

    def tie_note(self, head: str, source: str) -> None:
        """Say that ``head`` is ``source`` and why (the config, or the family's default)."""
        why = "the config says so" if "tie_word_embeddings" in self.doc else f"the {self.family.config_class} default"
        self.notes.append(f"{head} is tied to {source} (tie_word_embeddings true, {why}): counted once")


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


def family_of(doc: Mapping[str, Any], where: _Where | None = None) -> Family:
    """The supported family of a config's ``model_type``, or a one-line error listing them."""
    model_type = doc.get("model_type")
    if isinstance(model_type, str) and model_type in FAMILIES:
        return FAMILIES[model_type]
    if isinstance(model_type, str) and model_type in RECIPE_TYPES:  # hfenc: loaded on first use
        from paramcalc.spec.hf_recipes_all import RECIPES

        return RECIPES[model_type].family
    location = where.at("model_type") if where else None
    near = nearest_families(model_type) if isinstance(model_type, str) else []
    closest = f"; nearest known: {', '.join(near)}" if near else ""
    raise SpecError(
        f"unsupported model_type {describe_value(model_type)}{closest}",
        location=location,
        hint=f"paramcalc counts these Hugging Face families: {', '.join(SUPPORTED)}; to count another, "
        "write its blocks as a 'framework: pytorch' spec (docs/pytorch-notes.md)",
    )


def nearest_families(model_type: str) -> list[str]:
    """Up to three known families whose name is closest (``qwen2_5_vl`` -> ``qwen2``, ``falcon_h1`` -> ``falcon``)."""
    from difflib import get_close_matches  # the error path only

    key = model_type.lower().replace("-", "_")
    prefixed = [name for name in SUPPORTED if key.startswith(name) or name.startswith(key)]
    prefixed.sort(key=len, reverse=True)
    similar = get_close_matches(key, SUPPORTED, n=3, cutoff=0.6)
    return list(dict.fromkeys([*prefixed, *similar]))[:3]


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
    known = act in ACTIVATIONS or (mt == "gemma" and act == "gelu") or mt in RECIPE_TYPES  # hfenc: recipes check theirs
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
    if types is None:
        return
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


def _validate_rope(family: Family, cfg: Mapping[str, Any], doc: Mapping[str, Any], where: _Where) -> None:
    """The RoPE settings transformers refuses: an unknown ``rope_type``, a missing required key,
    Phi-3 with anything but default / longrope, and an odd rotary dimension (below).
    """
    if ("head_dim" not in family.fields and family.model_type not in ARCHS) or family.model_type == "t5":
        return  # hfdec: table-driven families validate rope_parameters too
    key = "rope_parameters" if isinstance(doc.get("rope_parameters"), Mapping) else "rope_scaling"
    rope = doc.get(key)
    if key == "rope_scaling" and not getattr(ARCHS.get(family.model_type), "reads_rope_scaling", True):
        rope = None  # hfdec: Gemma 3 ignores rope_scaling
    if isinstance(rope, Mapping) and rope:
        kind = rope.get("rope_type", rope.get("type", "default"))
        if family.model_type == "phi3" and kind in ("su", "yarn"):
            kind = "longrope"  # Phi3Config renames them
        allowed = ("default", "longrope") if family.model_type == "phi3" else tuple(ROPE_REQUIRED)
        if kind not in ROPE_REQUIRED and not getattr(ARCHS.get(family.model_type), "rotary", True):
            return  # hfdec: no rotary tables, so an unknown rope_type is only a warning
        if kind not in allowed:
            raise SpecError(
                f"'{key}' has rope_type {describe_value(kind)}, which {family.config_class} cannot build",
                location=where.at(key),
                hint=f"rope types: {', '.join(allowed)}",
            )
        missing = [k for k in ROPE_REQUIRED[str(kind)] if k not in rope]
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
    if head_dim is None and family.model_type in DERIVES_HEAD_DIM:
        heads = cfg["num_attention_heads"]
        head_dim = cfg["hidden_size"] // heads if isinstance(heads, int) and heads > 0 else None
    if not isinstance(head_dim, int) or head_dim <= 4 or head_dim % 2 == 0:
        return
    default = getattr(ARCHS.get(family.model_type), "partial_rotary_factor", 1.0)  # hfdec: Phi 0.5, ...
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


def _architecture(family: Family, doc: Mapping[str, Any], where: _Where) -> tuple[str, str]:
    """The model class to count: the first of ``architectures`` this family supports."""
    names = doc.get("architectures")
    if names is None or names == []:
        return family.default_architecture, family.architectures[family.default_architecture]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise SpecError(
            f"'architectures' must be a list of class names, got {describe_value(names)}",
            location=where.at("architectures"),
        )
    by_role = {role: name for name, role in family.architectures.items()}
    for name in names:
        if name in family.architectures:
            return name, family.architectures[name]
        for suffix, role in _ROLE_SUFFIXES:
            if name.endswith(suffix):
                if role in by_role:
                    return by_role[role], role
                break
    supported = ", ".join(family.architectures)
    raise SpecError(
        f"architecture {names[0]} is not supported for model_type '{family.model_type}'",
        location=where.at("architectures"),
        hint=f"paramcalc counts {supported}",
    )


def layer_kwargs(class_name: str, cfg: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """The config values a block's rule reads: its signature's keys (data: :mod:`~paramcalc.spec.hf_signatures`)."""
    from paramcalc.spec.hf_signatures import signature

    kwargs = {key: cfg[key] for key in signature(class_name) if key in cfg}
    kwargs.update(extra)
    return kwargs


def compress(prefix: str, indices: list[int]) -> str:
    """``model.layers.0-31`` / ``model.layers.{1,5}`` / ``model.layers.{0,2-4}`` / ``model.layers.3``."""
    runs: list[str] = []
    start = prev = indices[0]
    for i in [*indices[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        if i is not None:
            start = prev = i
    body = runs[0] if len(runs) == 1 else "{" + ",".join(runs) + "}"
    return f"{prefix}.{body}"


def _stack(prefix: str, class_name: str, groups: list[tuple[list[int], dict[str, Any]]]) -> list[LayerSpec]:
    """One record per distinct block, naming every copy (in layer order inside each record)."""
    return [
        LayerSpec(
            class_name,
            kwargs=kwargs,
            name=compress(prefix, indices),
            copies=tuple(f"{prefix}.{i}" for i in indices),
        )
        for indices, kwargs in groups
        if indices
    ]


def _decoder(build: _Build) -> list[LayerSpec]:
    """Llama-style decoders: embed_tokens, the layers, the final norm, lm_head."""
    family, cfg, role = build.family, build.cfg, build.role
    from paramcalc.spec.hf_build import base_prefix, head_rows

    heads = LEGACY_HEADS[family.model_type]
    base = base_prefix(heads, role)
    prefix = family.prefix
    embed = f"{prefix}TextScaledWordEmbedding" if family.model_type in ("gemma", "gemma2") else "Embedding"
    layers = [
        LayerSpec(
            embed,
            kwargs={
                "num_embeddings": cfg["vocab_size"],
                "embedding_dim": cfg["hidden_size"],
                "padding_idx": cfg["pad_token_id"],
            },
            name=f"{base}embed_tokens",
        )
    ]
    depth = build.count("num_hidden_layers")
    block = f"{prefix}DecoderLayer"
    if family.model_type in MOE_LAYOUT:
        try:
            sparse = [
                qwen2_moe_is_sparse(i, cfg["num_experts"], cfg["decoder_sparse_step"], cfg["mlp_only_layers"])
                for i in range(depth)
            ]
        except ZeroDivisionError:
            raise SpecError(
                "decoder_sparse_step 0 with experts: which layers are sparse is (layer + 1) % decoder_sparse_step",
                location=build.where.at("decoder_sparse_step"),
                hint=f"{family.config_class} builds no model with it (a modulo by zero); use 1",
            ) from None
        groups = []
        for flag in (False, True):
            indices = [i for i in range(depth) if sparse[i] == flag]
            if indices:
                groups.append((indices, layer_kwargs(block, cfg, layer_idx=indices[0])))
        groups.sort(key=lambda group: group[0][0])
    else:
        groups = [(list(range(depth)), layer_kwargs(block, cfg))]
    layers += _stack(f"{base}layers", block, groups)
    layers.append(
        LayerSpec(
            f"{prefix}RMSNorm",
            kwargs={"hidden_size": cfg["hidden_size"], "eps": cfg["rms_norm_eps"]},
            name=f"{base}norm",
        )
    )
    return layers + head_rows(build, heads, base, cfg["hidden_size"], False)


def _lm_head(hidden: int, vocab: int, tied: tuple[tuple[str, str], ...]) -> LayerSpec:
    kwargs = {"in_features": hidden, "out_features": vocab, "bias": False}
    return LayerSpec("Linear", kwargs=kwargs, name="lm_head", tied=tied)


def _gpt2(build: _Build) -> list[LayerSpec]:
    """GPT-2: token and position tables, the blocks, ln_f, lm_head."""
    cfg, role = build.cfg, build.role
    from paramcalc.spec.hf_build import base_prefix, head_rows

    heads = LEGACY_HEADS["gpt2"]
    base = base_prefix(heads, role)
    h = cfg["n_embd"]
    layers = [
        LayerSpec("Embedding", kwargs={"num_embeddings": cfg["vocab_size"], "embedding_dim": h}, name=f"{base}wte"),
        LayerSpec("Embedding", kwargs={"num_embeddings": cfg["n_positions"], "embedding_dim": h}, name=f"{base}wpe"),
    ]
    depth = build.count("n_layer")
    layers += _stack(f"{base}h", "GPT2Block", [(list(range(depth)), layer_kwargs("GPT2Block", cfg))])
    eps = cfg["layer_norm_epsilon"]
    layers.append(LayerSpec("LayerNorm", kwargs={"normalized_shape": h, "eps": eps}, name=f"{base}ln_f"))
    return layers + head_rows(build, heads, base, h, False)


def _bert(build: _Build) -> list[LayerSpec]:
    """BERT: embeddings, the encoder layers, then the pooler (BertModel) or the MLM head."""
    cfg, role = build.cfg, build.role
    base = "bert." if role == MASKED_LM else ""
    layers = [LayerSpec("BertEmbeddings", kwargs=layer_kwargs("BertEmbeddings", cfg), name=f"{base}embeddings")]
    depth = build.count("num_hidden_layers")
    layers += _stack(f"{base}encoder.layer", "BertLayer", [(list(range(depth)), layer_kwargs("BertLayer", cfg))])
    if role == BASE:
        layers.append(LayerSpec("BertPooler", kwargs=layer_kwargs("BertPooler", cfg), name="pooler"))
        return layers
    tied: tuple[tuple[str, str], ...] = ()
    if cfg["tie_word_embeddings"]:
        tied = (("decoder.weight", "bert.embeddings.word_embeddings.weight"), ("decoder.bias", "cls.predictions.bias"))
        build.tie_note("cls.predictions.decoder.weight", "bert.embeddings.word_embeddings.weight")
        build.notes[-1] += "; its decoder.bias is cls.predictions.bias"
    else:
        build.notes.append(
            "tie_word_embeddings false: the MLM decoder has its own weight and its own bias "
            "(cls.predictions.decoder.bias, besides cls.predictions.bias)"
        )
    kwargs = layer_kwargs("BertLMPredictionHead", cfg)
    layers.append(LayerSpec("BertLMPredictionHead", kwargs=kwargs, name="cls.predictions", tied=tied))
    return layers


def _t5(build: _Build) -> list[LayerSpec]:
    """T5: the shared table, encoder (and decoder) stacks with block 0 apart, lm_head."""
    cfg, role, doc = build.cfg, build.role, build.doc
    d, vocab = cfg["d_model"], cfg["vocab_size"]
    layers = [LayerSpec("Embedding", kwargs={"num_embeddings": vocab, "embedding_dim": d}, name="shared")]
    # T5Model and T5ForConditionalGeneration set is_decoder false on their encoder; T5EncoderModel
    # keeps the config's, so "is_decoder": true gives its blocks a cross-attention each
    as_decoder = role == ENCODER and bool(cfg["is_decoder"])
    if as_decoder:
        build.notes.append(
            "is_decoder true: T5EncoderModel builds its stack from the config as is, so every encoder block "
            "also has a cross-attention (layer.1.EncDecAttention), as transformers does"
        )
    stacks = [("encoder", as_decoder, build.count("num_layers"))]
    if role != ENCODER:
        stacks.append(("decoder", True, build.count("num_decoder_layers")))
    for stack, is_decoder, depth in stacks:
        layers.append(
            LayerSpec(
                "Embedding",
                kwargs={"num_embeddings": vocab, "embedding_dim": d},
                name=f"{stack}.embed_tokens",
                tied=(("weight", "shared.weight"),),
            )
        )
        groups = [
            ([0][:depth], layer_kwargs("T5Block", cfg, is_decoder=is_decoder, has_relative_attention_bias=True)),
            (list(range(1, depth)), layer_kwargs("T5Block", cfg, is_decoder=is_decoder)),
        ]
        layers += _stack(f"{stack}.block", "T5Block", groups)
        kwargs = {"hidden_size": d, "eps": cfg["layer_norm_epsilon"]}
        layers.append(LayerSpec("T5LayerNorm", kwargs=kwargs, name=f"{stack}.final_layer_norm"))
    if role != SEQ2SEQ:
        return layers
    written = doc.get("tie_word_embeddings", True)
    untied = written is False and build.tie_policy == "checkpoint"
    if written is False:
        lost = vocab * d
        build.notes.append(
            "tie_word_embeddings false (T5 v1.1 / Flan-T5 style): "
            + (
                "counted as the checkpoint is, with its own lm_head; "
                if untied
                else "counted as transformers builds it; "
            )
            + "transformers 5 forces T5Config.tie_word_embeddings=True, so from_config ties lm_head.weight to "
            + f"shared.weight ({lost:,} fewer parameters) while from_pretrained on such a checkpoint unties them again"
        )
    elif doc.get("scale_decoder_outputs") is False:
        build.notes.append(
            "scale_decoder_outputs false with tie_word_embeddings true: a config saved by transformers 5 from a "
            "T5 v1.1-style model; if its checkpoint holds a separate lm_head, the model has "
            f"{vocab * d:,} more parameters than counted here"
        )
    tied: tuple[tuple[str, str], ...] = () if untied else (("weight", "shared.weight"),)
    layers.append(_lm_head(d, vocab, tied))
    return layers
