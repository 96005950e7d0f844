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
    CAUSAL_LM,
    ENCODER,
    FAMILIES,
    MASKED_LM,
    RECIPE_TYPES,
    SEQ2SEQ,
    SUPPORTED,
    Family,
)
from paramcalc.spec.hf_resolve import _Where, resolve
from paramcalc.spec.records import InputSpec, LayerSpec, ModelSpec

__all__ = [
    "TIE_POLICIES",
    "family_of",
    "is_hf_config",
    "layer_kwargs",
    "nearest_families",
    "resolve",
    "spec_from_config",
]

TIE_POLICIES = ("checkpoint", "transformers")

_ROLE_SUFFIXES = (
    ("ForConditionalGeneration", SEQ2SEQ),
    ("ForCausalLM", CAUSAL_LM),
    ("LMHeadModel", CAUSAL_LM),
    ("ForMaskedLM", MASKED_LM),
    ("EncoderModel", ENCODER),
    ("ForSequenceClassification", SEQ_CLS),  # task heads of decoder families
    ("ForTokenClassification", TAGGING),
    ("ForQuestionAnswering", QA),
    ("ForMultipleChoice", "multiple_choice"),
    ("ForNextSentencePrediction", "next_sentence"),
    ("ForPreTraining", "pretraining"),
    ("Model", BASE),
)


def _note_top_k(cfg: Mapping[str, Any], notes: list[str]) -> None:
    """Say so when the experts per token exceed the experts: the counts stand, the active share is clamped.

    Every MoE family names them its own way: ``num_experts_per_tok`` of ``num_local_experts``
    (Mixtral, Phi-MoE, Granite-MoE), ``num_experts`` (Qwen-MoE, Jamba), ``n_routed_experts``
    (DeepSeek), or DBRX's nested ``ffn_config.moe_top_k`` of ``ffn_config.moe_num_experts``.
    """
    ffn = cfg.get("ffn_config")
    if isinstance(ffn, Mapping):
        key, top_k, experts = "ffn_config.moe_top_k", ffn.get("moe_top_k", 1), ffn.get("moe_num_experts", 4)
    else:
        key, top_k = "num_experts_per_tok", cfg.get("num_experts_per_tok")
        experts = next((cfg[k] for k in ("num_local_experts", "num_experts", "n_routed_experts") if k in cfg), None)
    if isinstance(top_k, int) and isinstance(experts, int) and 0 < experts < top_k:
        notes.append(
            f"{key} {top_k} exceeds the {experts} experts: transformers builds this model but its"
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
    build = _Build(family, cfg, role, doc, where, tie_policy)
    assumed = not doc.get("architectures")
    if assumed:
        build.notes.append(f"no 'architectures' in the config: counted as {architecture} (assumed)")
    elif architecture not in doc["architectures"]:
        build.notes.append(
            f"architectures names {doc['architectures'][0]}, not a {family.model_type} class: counted as"
            f" {architecture}, what the Auto classes build for model_type '{family.model_type}' and that task"
        )
    _note_top_k(cfg, build.notes)
    if family.model_type in RECIPE_TYPES:  # declarative encoder / encoder-decoder / vision families
        from paramcalc.spec.hf_recipe_build import build_rows
        from paramcalc.spec.hf_recipes_all import RECIPES

        layers = build_rows(RECIPES[family.model_type], build, architecture)
    elif family.model_type in ARCHS:  # table-driven decoder families (paramcalc/spec/hf_arch.py)
        from paramcalc.spec.hf_build import build_arch

        layers = build_arch(build)
    else:  # the hand-written families
        from paramcalc.spec.hf_legacy import _bert, _decoder, _gpt2, _t5

        layers = {"gpt2": _gpt2, "bert": _bert, "t5": _t5}.get(family.model_type, _decoder)(build)
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
    if assumed:  # say which class was assumed
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


def family_of(doc: Mapping[str, Any], where: _Where | None = None) -> Family:
    """The supported family of a config's ``model_type``, or a one-line error listing them."""
    model_type = doc.get("model_type")
    if isinstance(model_type, str) and model_type in FAMILIES:
        return FAMILIES[model_type]
    if isinstance(model_type, str) and model_type in RECIPE_TYPES:  # recipes load on first use
        from paramcalc.spec.hf_recipes_all import RECIPES

        return RECIPES[model_type].family
    location = where.at("model_type") if where else None
    near = nearest_families(model_type) if isinstance(model_type, str) else []
    closest = f"; nearest known: {', '.join(near)}" if near else ""
    towers = [
        f"its '{key}' is a '{doc[key]['model_type']}' config, which paramcalc counts: save it as a config.json alone"
        for key in ("text_config", "vision_config")
        if isinstance(doc.get(key), Mapping) and doc[key].get("model_type") in SUPPORTED
    ]
    raise SpecError(
        f"unsupported model_type {describe_value(model_type)}{closest}",
        location=location,
        hint="; ".join(towers)
        or f"paramcalc counts these Hugging Face families: {', '.join(SUPPORTED)}; to count "
        "another, write its blocks as a 'framework: pytorch' spec (docs/pytorch-notes.md)",
    )


RELATIVES = {
    "camembert": "roberta",
    "data2vec-text": "roberta",
    "roberta-prelayernorm": "roberta",
    "xlm-roberta-xl": "xlm-roberta",
    "deberta": "deberta-v2",
    "ernie": "bert",
    "megatron-bert": "bert",
    "modernbert": "bert",
    "blenderbot": "bart",
    "blenderbot-small": "bart",
    "led": "bart",
    "mvp": "bart",
    "plbart": "bart",
    "longt5": "t5",
    "switch_transformers": "t5",
    "deit": "vit",
    "dinov2": "vit",
    "vit_mae": "vit",
    "siglip2": "siglip",
    "gpt_neo": "gpt2",
    "codegen": "gptj",
    "llava": "llama",
    "mistral3": "mistral",
    "qwen2_vl": "qwen2",
    "qwen2_5_vl": "qwen2",
    "olmoe": "olmo2",
    "qwen3_next": "qwen3_moe",
    "falcon_h1": "falcon",
    "granitemoehybrid": "granitemoe",
    "gemma3": "gemma3_text",
    "gemma3n": "gemma3_text",
    "phi4_multimodal": "phi3",
}
"""Unsupported ``model_type``s whose modelling code transformers derives from a supported family's
(``# Copied from`` / modular files): named first in the hint, whatever the spelling distance."""


def nearest_families(model_type: str) -> list[str]:
    """Up to three known families closest to ``model_type``: its relative (``camembert`` -> ``roberta``),
    then by name (``qwen2_5_vl`` -> ``qwen2``, ``falcon_h1`` -> ``falcon``).
    """
    from difflib import get_close_matches  # the error path only

    key = model_type.lower().replace("-", "_")
    relative = [RELATIVES[model_type]] if model_type in RELATIVES else []
    prefixed = [name for name in SUPPORTED if key.startswith(name) or name.startswith(key)]
    prefixed.sort(key=len, reverse=True)
    similar = get_close_matches(key, SUPPORTED, n=3, cutoff=0.6)
    return list(dict.fromkeys([*relative, *prefixed, *similar]))[:3]


def _architecture(family: Family, doc: Mapping[str, Any], where: _Where) -> tuple[str, str]:
    """The model class to count: the first of ``architectures`` this family has, else the first
    that names a task this family has a class for (``MistralForCausalLM`` in a ``llama`` config,
    ``BertForSequenceClassification`` in a ``roberta`` one): the class the Auto classes build for
    the config's ``model_type`` and that task.  Neither: a one-line refusal listing the classes.
    """
    names = doc.get("architectures")
    if names is None or names == []:
        return family.default_architecture, family.architectures[family.default_architecture]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise SpecError(
            f"'architectures' must be a list of class names, got {describe_value(names)}",
            location=where.at("architectures"),
        )
    for name in names:
        found = name if name in family.architectures else _same_task(family, name)
        if found is not None:
            return found, family.architectures[found]
    supported = ", ".join(family.architectures)
    raise SpecError(
        f"architecture {names[0]} is not supported for model_type '{family.model_type}'",
        location=where.at("architectures"),
        hint=f"paramcalc counts {supported}",
    )


def _same_task(family: Family, name: str) -> str | None:
    """The family's class for the task another family's class ``name`` does, or None.

    The task is read from the class name's ending: the role suffixes (``LMHeadModel`` and
    ``ForCausalLM`` are one task), else the longest ending shared with one of this family's
    class names (``ForMultipleChoice``, ``ForImageClassification``).
    """
    by_role = {role: cls for cls, role in family.architectures.items()}
    for suffix, role in _ROLE_SUFFIXES:
        if name.endswith(suffix) and role in by_role:
            return by_role[role]
    endings = {cls[len(family.prefix) :]: cls for cls in family.architectures if cls.startswith(family.prefix)}
    if name.endswith("ForConditionalGeneration") and "MTModel" in endings:
        return endings["MTModel"]  # Marian's sequence-to-sequence LM (AutoModelForSeq2SeqLM)
    shared = [ending for ending in endings if ending.startswith("For") and name.endswith(ending)]
    return endings[max(shared, key=len)] if shared else None


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
