"""Block records for table-driven families (:mod:`paramcalc.spec.hf_arch`) and the task heads.

:func:`build_arch` turns a family record and a resolved config into the model's rows: the
base model's top-level modules in registration order (embeddings, final norm, OPT's
projections), the decoder layers as one row per distinct layer (dense and MoE layers apart),
then the head of the class ``architectures`` names.  :func:`head_rows` is shared with the
hand-written Llama-style families, so every decoder has the same heads:
``...ForCausalLM`` (``lm_head``, tied or not), ``...ForSequenceClassification`` (``score``,
no bias), ``...ForTokenClassification`` (``score`` or ``classifier``, with bias) and
``...ForQuestionAnswering`` (``qa_outputs``, 2 outputs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from paramcalc.errors import SpecError
from paramcalc.spec.common import describe_value
from paramcalc.spec.hf_arch import BASE, CAUSAL_LM, LAYERS, QA, SEQ_CLS, Arch, Emb, Heads, Lin, Norm, on
from paramcalc.spec.records import LayerSpec

if TYPE_CHECKING:
    from paramcalc.spec.hf_config import _Build


def base_prefix(heads: Heads, role: str) -> str:
    """Where the base model sits in a head class (``model.``; ``transformer.`` for some QA classes)."""
    if role == BASE:
        return ""
    if role == QA and heads.qa_base:
        return heads.qa_base + "."
    return heads.base + "."


def num_labels(build: _Build) -> int:
    """The classifier's outputs: ``num_labels``, else ``len(id2label)``, else 2 (PreTrainedConfig).

    transformers 5 sets ``num_labels`` after ``id2label``, so when both are written and disagree it
    only warns and ``num_labels`` wins (it rebuilds ``id2label`` to match).
    """
    doc = build.doc
    id2label, given = doc.get("id2label"), doc.get("num_labels")
    if given is not None and (not isinstance(given, int) or isinstance(given, bool) or given < 0):
        raise SpecError(
            f"'num_labels' must be a count, got {describe_value(given)}", location=build.where.at("num_labels")
        )
    if given is not None:
        if isinstance(id2label, Mapping) and given != len(id2label):
            build.notes.append(
                f"num_labels {given} and the {len(id2label)} entries of id2label disagree: transformers keeps"
                f" num_labels (and warns)"
            )
        return int(given)
    return len(id2label) if isinstance(id2label, Mapping) else 2


def head_rows(build: _Build, heads: Heads, prefix: str, out: int, lm_bias: bool) -> list[LayerSpec]:
    """The head of the model class: its rows after the base model's (none for the base model)."""
    role, cfg = build.role, build.cfg
    if role == CAUSAL_LM:
        tied: tuple[tuple[str, str], ...] = ()
        if cfg["tie_word_embeddings"]:
            target = f"{prefix}{heads.tie_to}.weight"
            tied = (("weight", target),)
            build.tie_note("lm_head.weight", target)
        kwargs = {"in_features": out, "out_features": cfg["vocab_size"], "bias": lm_bias}
        return [LayerSpec("Linear", kwargs=kwargs, name="lm_head", tied=tied)]
    if role == BASE:
        return []
    if role == QA:
        name, labels, bias = "qa_outputs", 2, True
    else:
        labels = num_labels(build)
        name, bias = ("score", False) if role == SEQ_CLS else (heads.tagger_name, True)
        source = "id2label" if isinstance(build.doc.get("id2label"), Mapping) else "num_labels"
        if source not in build.doc:
            source = "the default of 2"
        build.notes.append(f"{name}: {labels} labels ({source})")
    return [LayerSpec("Linear", kwargs={"in_features": out, "out_features": labels, "bias": bias}, name=name)]


def _dims(build: _Build, arch: Arch) -> dict[str, Any]:
    from paramcalc.errors import LayerError
    from paramcalc.spec.hf_dims import dims_of

    try:
        return dims_of(arch, build.cfg)
    except LayerError as exc:
        raise SpecError(
            str(exc), location=build.where.at(), hint=f"{arch.config_class} builds no model with it"
        ) from None


def _validate(build: _Build, arch: Arch) -> None:
    """What the config class refuses whatever the layer count: heads that do not divide the hidden
    size (``validate_architecture``), an odd head size RoPE would rotate whole (``validate_rope``).
    """
    cfg, where = build.cfg, build.where
    for key, why in arch.refused_keys.items():
        if key in build.doc:
            raise SpecError(f"'{key}' cannot be set", location=where.at(key), hint=f"{why}: remove it")
    depth = cfg.get(arch.layers_key)
    for key, why in arch.no_null.items():
        if key in build.doc and build.doc[key] is None and (not isinstance(depth, int) or depth > 0):
            raise SpecError(f"'{key}' must be an integer, got null", location=where.at(key), hint=why)
    hidden, heads = cfg.get("hidden_size"), cfg.get("num_attention_heads")
    if arch.heads_divide_hidden and isinstance(hidden, int) and isinstance(heads, int) and heads > 0 and hidden % heads:
        raise SpecError(
            f"hidden_size {hidden} is not a multiple of num_attention_heads {heads}",
            location=where.at("hidden_size"),
            hint=f"{arch.config_class} refuses it (validate_architecture)",
        )
    if arch.rope_dim is None:
        return
    head_dim = arch.rope_dim({**build.doc, **cfg})  # keys that are no field (head_dim) as written
    factor: Any = build.doc.get("partial_rotary_factor", build.doc.get("rotary_pct", arch.partial_rotary_factor))
    for key in ("rope_parameters", "rope_scaling"):
        rope = build.doc.get(key)
        if isinstance(rope, Mapping) and "partial_rotary_factor" in rope:
            factor = rope["partial_rotary_factor"]
    if head_dim > 4 and head_dim % 2 and isinstance(factor, (int, float)) and int(head_dim * factor) == head_dim:
        raise SpecError(
            f"head_dim {head_dim} is odd, and RoPE rotates it whole: it needs an even rotary dimension",
            location=where.at("hidden_size"),
            hint=f"{arch.config_class} refuses it (validate_rope); "
            "a partial_rotary_factor < 1 or an even head_dim is accepted",
        )


def build_arch(build: _Build) -> list[LayerSpec]:
    """A table-driven family's rows, in ``named_parameters()`` order."""
    from paramcalc.spec.hf_config import _stack, layer_kwargs
    from paramcalc.spec.hf_families import ARCHS

    arch: Arch = ARCHS[build.family.model_type]
    cfg, role = build.cfg, build.role
    dims = _dims(build, arch)
    _validate(build, arch)
    lookup = {**{k: v for k, v in cfg.items() if isinstance(v, int)}, **dims, "V": cfg["vocab_size"]}
    base = base_prefix(arch.heads, role)
    prefix = base + (arch.inner + "." if arch.inner else "")
    rows: list[LayerSpec] = []
    for part in arch.top:
        if part == LAYERS:
            rows += _layers(build, arch, prefix, _stack, layer_kwargs)
        elif isinstance(part, Emb) and on(part.when, lookup):
            kwargs: dict[str, Any] = {
                "num_embeddings": lookup[part.rows] + part.offset,
                "embedding_dim": lookup[part.cols],
            }
            if part.padding:
                kwargs["padding_idx"] = cfg["pad_token_id"]
            rows.append(LayerSpec("Embedding", kwargs=kwargs, name=prefix + part.name))
        elif isinstance(part, Lin) and on(part.when, lookup):
            kwargs = {"in_features": lookup[part.inp], "out_features": lookup[part.out], "bias": on(part.bias, lookup)}
            rows.append(LayerSpec("Linear", kwargs=kwargs, name=prefix + part.name))
        elif isinstance(part, Norm) and on(part.when, lookup):
            size, bias = lookup[part.size[0]], on(part.bias, lookup)
            if arch.norm_class == "LayerNorm":
                kwargs = {"normalized_shape": size, "bias": bias}
            else:
                kwargs = {"hidden_size": size, "bias": bias}
            rows.append(LayerSpec(arch.norm_class, kwargs=kwargs, name=prefix + part.name))
    lm_bias = on(arch.heads.lm_bias, lookup)
    return rows + head_rows(build, arch.heads, prefix, int(lookup[arch.heads.out]), lm_bias)


def _layers(build: _Build, arch: Arch, prefix: str, stack: Any, layer_kwargs: Any) -> list[LayerSpec]:
    """The decoder layers: one record, or dense and MoE records by the family's ``sparse`` rule."""
    depth = build.count(arch.layers_key)
    cfg = build.cfg
    if arch.layer_kinds is not None:
        return _kinds(arch, arch.layer_kinds, cfg, depth, prefix, stack, layer_kwargs)
    if arch.sparse is None:
        groups = [(list(range(depth)), layer_kwargs(arch.block_class, cfg))]
    else:
        try:
            flags = [arch.sparse(cfg, i) for i in range(depth)]
        except TypeError as exc:  # DeepSeek's first_k_dense_replace: null
            raise SpecError(
                f"which layers are MoE cannot be decided: {exc}",
                location=build.where.at(),
                hint=f"{arch.config_class} builds no layer with it",
            ) from None
        groups = []
        for flag in (False, True):
            indices = [i for i in range(depth) if flags[i] == flag]
            if indices:
                groups.append((indices, layer_kwargs(arch.block_class, cfg, layer_idx=indices[0])))
        groups.sort(key=lambda group: group[0][0])
    rows: list[LayerSpec] = stack(prefix + arch.layers, arch.block_class, groups)
    return rows


def _kinds(
    arch: Arch, kinds: Any, cfg: dict[str, Any], depth: int, prefix: str, stack: Any, layer_kwargs: Any
) -> list[LayerSpec]:
    """Layers of several classes and flags (Jamba): one record per distinct (class, flags), in
    the order of each record's first layer.
    """
    groups: dict[tuple[str, tuple[tuple[str, bool], ...]], list[int]] = {}
    for i in range(depth):
        name, flags = kinds(cfg, i)
        groups.setdefault((name, tuple(sorted(flags.items()))), []).append(i)
    rows: list[LayerSpec] = []
    for (name, _), indices in groups.items():
        kwargs = layer_kwargs(name, cfg, layer_idx=indices[0])
        rows += stack(prefix + arch.layers, name, [(indices, kwargs)])
    return rows
