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
from paramcalc.spec.common import describe_value
from paramcalc.spec.hf_families import (
    BASE,
    BOOL,
    CAUSAL_LM,
    ENCODER,
    EXTRA,
    FAMILIES,
    INT,
    INT_LIST,
    MASKED_LM,
    OPT_INT,
    SEQ2SEQ,
    STR,
    SUPPORTED,
    Family,
    qwen2_moe_is_sparse,
)
from paramcalc.spec.records import InputSpec, LayerSpec, ModelSpec

TIE_POLICIES = ("checkpoint", "transformers")
MAX_LAYERS = 100_000
"""Upper bound on num_hidden_layers: a config is data, not a bomb."""

_ROLE_SUFFIXES = (
    ("ForConditionalGeneration", SEQ2SEQ),
    ("ForCausalLM", CAUSAL_LM),
    ("LMHeadModel", CAUSAL_LM),
    ("ForMaskedLM", MASKED_LM),
    ("EncoderModel", ENCODER),
    ("Model", BASE),
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
    build = _Build(family, cfg, role, doc, where, tie_policy)
    if "architectures" not in doc:
        build.notes.append(f"no 'architectures' in the config: counted as {architecture}")
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
    location = where.at("model_type") if where else None
    raise SpecError(
        f"unsupported model_type {describe_value(model_type)}",
        location=location,
        hint=f"paramcalc counts these Hugging Face families: {', '.join(SUPPORTED)}",
    )


def resolve(family: Family, doc: Mapping[str, Any], where: _Where | None = None) -> dict[str, Any]:
    """The config as transformers sees it: defaults, the file's values, derived values, aliases.

    Order matters and follows the config classes: fields first, then ``__post_init__``'s
    derived values (``head_dim``, ``num_key_value_heads``, T5's ``num_decoder_layers``),
    then the ``attribute_map`` aliases (set last, as extra keyword arguments are), so T5's
    ``num_hidden_layers`` sets ``num_layers`` but not the already derived decoder depth.
    """
    where = where or _Where("<config>", "")
    cfg: dict[str, Any] = {key: default for key, (default, _) in family.fields.items()}
    for key, value in doc.items():
        if key in family.fields:
            cfg[key] = _checked(family, key, value, where)
    _derive(family, cfg)
    for alias, target in family.aliases.items():
        if alias in doc:
            cfg[target] = _checked(family, target, doc[alias], where, alias)
    return cfg


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
    if family.model_type == "qwen2_moe" and cfg["mlp_only_layers"] is None:
        cfg["mlp_only_layers"] = []
    if family.model_type == "t5" and cfg["num_decoder_layers"] is None:
        cfg["num_decoder_layers"] = cfg["num_layers"]


def _architecture(family: Family, doc: Mapping[str, Any], where: _Where) -> tuple[str, str]:
    """The model class to count: the first of ``architectures`` this family supports."""
    names = doc.get("architectures")
    if names is None:
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
    """The config values a transformers rule reads: its signature's keys, taken from ``cfg``."""
    from paramcalc.rules import find_rule

    found = find_rule(class_name, "transformers")
    kwargs = {key: cfg[key] for key in found.positional if key in cfg}
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
    base = "model." if role == CAUSAL_LM else ""
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
    if family.model_type == "qwen2_moe":
        sparse = [
            qwen2_moe_is_sparse(i, cfg["num_experts"], max(cfg["decoder_sparse_step"], 1), cfg["mlp_only_layers"])
            for i in range(depth)
        ]
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
    if role == CAUSAL_LM:
        tied: tuple[tuple[str, str], ...] = ()
        if cfg["tie_word_embeddings"]:
            tied = (("weight", "model.embed_tokens.weight"),)
            build.tie_note("lm_head.weight", "model.embed_tokens.weight")
        layers.append(_lm_head(cfg["hidden_size"], cfg["vocab_size"], tied))
    return layers


def _lm_head(hidden: int, vocab: int, tied: tuple[tuple[str, str], ...]) -> LayerSpec:
    kwargs = {"in_features": hidden, "out_features": vocab, "bias": False}
    return LayerSpec("Linear", kwargs=kwargs, name="lm_head", tied=tied)


def _gpt2(build: _Build) -> list[LayerSpec]:
    """GPT-2: token and position tables, the blocks, ln_f, lm_head."""
    cfg, role = build.cfg, build.role
    base = "transformer." if role == CAUSAL_LM else ""
    h = cfg["n_embd"]
    layers = [
        LayerSpec("Embedding", kwargs={"num_embeddings": cfg["vocab_size"], "embedding_dim": h}, name=f"{base}wte"),
        LayerSpec("Embedding", kwargs={"num_embeddings": cfg["n_positions"], "embedding_dim": h}, name=f"{base}wpe"),
    ]
    depth = build.count("n_layer")
    layers += _stack(f"{base}h", "GPT2Block", [(list(range(depth)), layer_kwargs("GPT2Block", cfg))])
    eps = cfg["layer_norm_epsilon"]
    layers.append(LayerSpec("LayerNorm", kwargs={"normalized_shape": h, "eps": eps}, name=f"{base}ln_f"))
    if role == CAUSAL_LM:
        tied: tuple[tuple[str, str], ...] = ()
        if cfg["tie_word_embeddings"]:
            tied = (("weight", "transformer.wte.weight"),)
            build.tie_note("lm_head.weight", "transformer.wte.weight")
        layers.append(_lm_head(h, cfg["vocab_size"], tied))
    return layers


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
    stacks = [("encoder", False, build.count("num_layers"))]
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
