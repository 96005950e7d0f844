"""Two-tower families as data: CLIP and SigLIP (see :mod:`paramcalc.spec.hf_recipes`).

Each comes as three ``model_type``s: the text tower alone (``clip_text_model`` -- the text
encoder of Stable Diffusion), the vision tower alone (``clip_vision_model``), and the pair
(``clip``), whose config.json nests ``text_config`` and ``vision_config``.  The nested
configs are flattened into ``text_*`` / ``vision_*`` keys with each sub-config class's
defaults, and the towers' rows read them through a scope.  What differs (5.24):

* CLIP's vision embeddings have a ``class_embedding`` (h), a bias-free patch Conv2d and
  ``num_patches + 1`` positions, and a ``pre_layrnorm`` (sic) before the layers; its layers
  are attention, ``layer_norm1``, MLP, ``layer_norm2``; ``CLIPModel`` projects both towers
  to ``projection_dim`` without biases and has a scalar ``logit_scale``, listed first;
* SigLIP's patch Conv2d has a bias, its positions are ``num_patches`` (no class token),
  its layers put ``layer_norm1`` first, the text tower ends with a ``head`` (h →
  ``projection_size``) and the vision tower with an attention-pooling head (a probe, a
  ``nn.MultiheadAttention`` with packed ``in_proj_weight``, a LayerNorm and an MLP) when
  ``vision_use_head``; ``SiglipModel`` has ``logit_scale`` and ``logit_bias`` (1 each).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramcalc.spec.hf_encoder_families import LEGEND, emb, family_record, labels, lin, ln
from paramcalc.spec.hf_families import BOOL, INT, OPT_INT
from paramcalc.spec.hf_recipes import Block, Head, Recipe, Row, parse_schema
from paramcalc.spec.hf_schema import ACTIVATIONS, describe_kind, type_ok

SYMBOLS = {
    "V": "vocab_size",
    "h": "hidden_size",
    "I": "intermediate_size",
    "P": "max_position_embeddings",
    "C": "num_channels",
    "p_h": "patch_h",
    "p_w": "patch_w",
    "N": "num_patches",
    "Pj": "projection_dim",
    "Ps": "projection_size",
    "L": "num_labels",
    "m": "in_features",
    "n": "out_features",
}
PATCH_FIELDS: dict[str, tuple[Any, str]] = {
    "patch_h": (16, INT),
    "patch_w": (16, INT),
    "num_patches": (196, INT),
    "in_features": (512, INT),
    "out_features": (512, INT),
}


def _attention() -> tuple[Any, ...]:
    return tuple(lin(f"self_attn.{p}_proj", "h", "h") for p in ("k", "v", "q", "out"))


def _mlp() -> tuple[Any, ...]:
    return (lin("mlp.fc1", "I", "h"), lin("mlp.fc2", "h", "I"))


LAYER_KEYS = ("hidden_size", "num_attention_heads", "intermediate_size")
PATCH_KEYS = ("hidden_size", "num_channels", "patch_h", "patch_w", "num_patches")

BLOCKS: dict[str, Block] = {
    "CLIPTextEmbeddings": Block(
        ("vocab_size", "hidden_size", "max_position_embeddings"),
        (emb("token_embedding", "V"), emb("position_embedding", "P")),
        "token_embedding (V×h) and position_embedding (P×h).",
        out="h",
        source=True,
    ),
    "CLIPVisionEmbeddings": Block(
        PATCH_KEYS,
        (
            ("param", "class_embedding", "h"),
            ("param", "patch_embedding.weight", "h", "C", "p_h", "p_w"),
            emb("position_embedding", "N+1"),
        ),
        "class_embedding (h), a bias-free patch Conv2d (h×C×p_h×p_w), position_embedding ((N+1)×h).",
        out="h",
        source=True,
    ),
    "CLIPEncoderLayer": Block(
        LAYER_KEYS,
        (*_attention(), ln("layer_norm1"), *_mlp(), ln("layer_norm2")),
        "self_attn k, v, q, out (h×h with biases), layer_norm1, mlp fc1 (h→I) and fc2 (I→h), layer_norm2.",
    ),
    "SiglipTextEmbeddings": Block(
        ("vocab_size", "hidden_size", "max_position_embeddings"),
        (emb("token_embedding", "V"), emb("position_embedding", "P")),
        "token_embedding (V×h) and position_embedding (P×h).",
        out="h",
        source=True,
    ),
    "SiglipVisionEmbeddings": Block(
        PATCH_KEYS,
        (
            ("param", "patch_embedding.weight", "h", "C", "p_h", "p_w"),
            ("param", "patch_embedding.bias", "h"),
            emb("position_embedding", "N"),
        ),
        "A patch Conv2d with bias (h×C×p_h×p_w + h) and position_embedding (N×h, no class token).",
        out="h",
        source=True,
    ),
    "SiglipEncoderLayer": Block(
        LAYER_KEYS,
        (ln("layer_norm1"), *_attention(), ln("layer_norm2"), *_mlp()),
        "layer_norm1, self_attn k, v, q, out (h×h with biases), layer_norm2, mlp fc1 (h→I) and fc2 (I→h).",
    ),
    "SiglipMultiheadAttentionPoolingHead": Block(
        ("hidden_size", "intermediate_size"),
        (
            ("param", "probe", "1", "1", "h"),
            ("param", "attention.in_proj_weight", "3*h", "h"),
            ("param", "attention.in_proj_bias", "3*h"),
            lin("attention.out_proj", "h", "h"),
            ln("layernorm"),
            *_mlp(),
        ),
        "A probe (1×1×h) attends over the patches with nn.MultiheadAttention (packed in_proj 3h×h + 3h, "
        "out_proj h×h + h), then a LayerNorm and an MLP (h→I→h).",
    ),
    "CLIPProjection": Block(
        ("in_features", "out_features"),
        (lin("", "n", "m", False),),
        "A projection to the shared embedding space: a bias-free linear m→n (it reads its tower's output, "
        "not the row above).",
        out="n",
    ),
    "LogitScale": Block((), (("param", ""),), "CLIP's learned temperature: one scalar.", out="1"),
    "LogitParameter": Block((), (("param", "", "1"),), "SigLIP's learned temperature or bias: a 1-vector.", out="1"),
}


def _towers(siglip: bool) -> dict[str, tuple[Row, ...]]:
    """The text and vision towers' rows, with ``{t}`` / ``{v}`` for the attribute prefixes."""
    fam = "Siglip" if siglip else "CLIP"
    text = [
        Row("{t}embeddings", f"{fam}TextEmbeddings", scope="{ts}"),
        Row("{t}encoder.layers", f"{fam}EncoderLayer", stack="{ts}num_hidden_layers", scope="{ts}"),
        Row("{t}final_layer_norm", "LayerNorm", args=(("normalized_shape", "{ts}h"),)),
    ]
    vision = [Row("{v}embeddings", f"{fam}VisionEmbeddings", scope="{vs}")]
    if not siglip:
        vision.append(Row("{v}pre_layrnorm", "LayerNorm", args=(("normalized_shape", "{vs}h"),)))
    vision += [
        Row("{v}encoder.layers", f"{fam}EncoderLayer", stack="{vs}num_hidden_layers", scope="{vs}"),
        Row("{v}post_layernorm", "LayerNorm", args=(("normalized_shape", "{vs}h"),)),
    ]
    if siglip:
        text.append(Row("{t}head", "Linear", args=(("in_features", "{ts}h"), ("out_features", "{ts}Ps"))))
        vision.append(Row("{v}head", "SiglipMultiheadAttentionPoolingHead", when="{vs}vision_use_head", scope="{vs}"))
    return {"text": tuple(text), "vision": tuple(vision)}


def _scoped(rows: tuple[Row, ...], t: str = "", v: str = "", ts: str = "", vs: str = "") -> tuple[Row, ...]:
    """Rows with their prefixes filled in (``text_model.`` / ``text_`` ...)."""

    def fill(text: str) -> str:
        return text.replace("{t}", t).replace("{v}", v).replace("{ts}", ts).replace("{vs}", vs)

    return tuple(
        Row(
            fill(r.name),
            r.block,
            stack=fill(r.stack),
            when=fill(r.when),
            scope=fill(r.scope),
            args=tuple((k, fill(e) if isinstance(e, str) else e) for k, e in r.args),
        )
        for r in rows
    )


TEXT_FIELDS: dict[str, dict[str, tuple[Any, str]]] = {
    "clip": {
        "vocab_size": (49408, INT),
        "hidden_size": (512, INT),
        "intermediate_size": (2048, INT),
        "projection_dim": (512, OPT_INT),
        "num_hidden_layers": (12, INT),
        "num_attention_heads": (8, INT),
        "max_position_embeddings": (77, INT),
        "hidden_act": ("quick_gelu", "str"),
    },
    "siglip": {
        "vocab_size": (32000, INT),
        "hidden_size": (768, INT),
        "intermediate_size": (3072, INT),
        "num_hidden_layers": (12, INT),
        "num_attention_heads": (12, INT),
        "max_position_embeddings": (64, INT),
        "projection_size": (None, OPT_INT),
        "hidden_act": ("gelu_pytorch_tanh", "str"),
    },
}
VISION_FIELDS: dict[str, dict[str, tuple[Any, str]]] = {
    "clip": {
        "hidden_size": (768, INT),
        "intermediate_size": (3072, INT),
        "projection_dim": (512, INT),
        "num_hidden_layers": (12, INT),
        "num_attention_heads": (12, INT),
        "num_channels": (3, INT),
        "image_size": (224, "any"),
        "patch_size": (32, "any"),
        "hidden_act": ("quick_gelu", "str"),
    },
    "siglip": {
        "hidden_size": (768, INT),
        "intermediate_size": (3072, INT),
        "num_hidden_layers": (12, INT),
        "num_attention_heads": (12, INT),
        "num_channels": (3, INT),
        "image_size": (224, "any"),
        "patch_size": (16, "any"),
        "hidden_act": ("gelu_pytorch_tanh", "str"),
        "vision_use_head": (True, BOOL),
    },
}
SUB_SCHEMA = {
    ("clip", "text"): "vocab_size:int hidden_size:int intermediate_size:int projection_dim:int? num_hidden_layers:int "
    "num_attention_heads:int max_position_embeddings:int hidden_act:str layer_norm_eps:float? "
    "attention_dropout:num? initializer_range:float initializer_factor:float? pad_token_id:int? bos_token_id:int? "
    "eos_token_id:ids",
    ("clip", "vision"): "hidden_size:int intermediate_size:int projection_dim:int num_hidden_layers:int "
    "num_attention_heads:int num_channels:int hidden_act:str layer_norm_eps:float attention_dropout:num? "
    "initializer_range:float initializer_factor:float",
    ("siglip", "text"): "vocab_size:int hidden_size:int intermediate_size:int num_hidden_layers:int "
    "num_attention_heads:int max_position_embeddings:int hidden_act:str layer_norm_eps:float attention_dropout:num "
    "pad_token_id:int? bos_token_id:int? eos_token_id:ids projection_size:int?",
    ("siglip", "vision"): "hidden_size:int intermediate_size:int num_hidden_layers:int num_attention_heads:int "
    "num_channels:int hidden_act:str layer_norm_eps:float attention_dropout:num vision_use_head:bool",
}


def _fill(cfg: dict[str, Any], sub: Mapping[str, Any], fields: Mapping[str, tuple[Any, str]], scope: str) -> None:
    """A sub-config's values (or its class defaults) as ``scope + key``, with the derived ones."""
    for key, (default, _) in fields.items():
        cfg[scope + key] = sub.get(key, default)
    if "image_size" in fields:  # the embeddings compute (image_size // patch_size) ** 2: integers only
        image, patch = cfg[scope + "image_size"], cfg[scope + "patch_size"]
        cfg[scope + "patch_h"] = cfg[scope + "patch_w"] = patch
        ints = all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (image, patch))
        cfg[scope + "num_patches"] = (image // patch) ** 2 if ints else None
    if "projection_size" in fields and cfg[scope + "projection_size"] is None:
        cfg[scope + "projection_size"] = cfg[scope + "hidden_size"]


def _refuse(
    kind: str, tower: str, cfg: Mapping[str, Any], sub: Mapping[str, Any], scope: str, where: str, built: bool = True
) -> Any:
    """What the sub-config class refuses (always) and the tower's modules refuse (when ``built``)."""
    for key, kind_of in parse_schema(SUB_SCHEMA[(kind, tower)]).items():
        if key in sub and not type_ok(kind_of, sub[key]):
            return (f"{where}{key}", f"'{where}{key}' must be {describe_kind(kind_of)}, got {sub[key]!r}", "")
    heads, hidden = cfg[scope + "num_attention_heads"], cfg[scope + "hidden_size"]
    if kind == "clip" and (heads <= 0 or hidden % heads):  # CLIP's sub-config classes check it, built or not
        return (
            f"{where}num_attention_heads",
            f"{where}hidden_size {hidden} is not a multiple of num_attention_heads {heads}",
            f"CLIP{tower.title()}Config refuses it (validate_architecture)",
        )
    if not built:
        return None
    if tower == "vision" and cfg[scope + "num_patches"] is None:
        return (
            f"{where}patch_size",
            f"'{where}image_size' and '{where}patch_size' must be positive integers",
            "the vision embeddings compute (image_size // patch_size) ** 2 (a pair fails)",
        )
    pooling_head = tower == "vision" and kind == "siglip" and cfg[scope + "vision_use_head"]
    if cfg[scope + "num_hidden_layers"] > 0 or pooling_head:
        if heads <= 0 or hidden % heads:
            return (
                f"{where}num_attention_heads",
                f"{where}hidden_size {hidden} is not a multiple of heads {heads}",
                "",
            )
        act = cfg[scope + "hidden_act"]
        if act not in ACTIVATIONS:
            return (f"{where}hidden_act", f"'{where}hidden_act' {act!r} is no activation transformers knows", "")
    return None


def tower(kind: str, side: str) -> Recipe:
    """One tower alone: ``clip_text_model``, ``clip_vision_model``, ``siglip_text_model`` ..."""
    fam = "Siglip" if kind == "siglip" else "CLIP"
    prefix = f"{fam}{side.title()}"
    fields = dict((TEXT_FIELDS if side == "text" else VISION_FIELDS)[kind])
    rows = _towers(kind == "siglip")[side]
    attr = f"{side}_model."
    projection = "text_projection" if side == "text" else "visual_projection"
    heads = {f"{prefix}Model": Head(_scoped(rows))}
    if kind == "clip":
        proj = Row(projection, "Linear", args=(("in_features", "h"), ("out_features", "Pj"), ("bias", False)))
        heads[f"{prefix}ModelWithProjection"] = Head((*_scoped(rows, t=attr, v=attr), proj))

    def derive(cfg: dict[str, Any], doc: Mapping[str, Any]) -> None:
        _fill(cfg, doc, fields, "")

    return Recipe(
        family=family_record(f"{kind}_{side}_model", f"{prefix}Config", prefix, fields, heads),
        symbols=SYMBOLS,
        legend=LEGEND,
        blocks=BLOCKS,
        backbone=(),
        heads=heads,
        base="",
        schema=SUB_SCHEMA[(kind, side)],
        derive=derive,
        check=lambda cfg, doc, arch: _refuse(kind, side, cfg, doc, "", ""),
        extra_fields={**PATCH_FIELDS, **(TEXT_FIELDS if side == "vision" else VISION_FIELDS)[kind], **fields},
    )


def pair_model(kind: str) -> Recipe:
    """CLIPModel / SiglipModel (both towers) and ...ForImageClassification (the vision tower)."""
    fam = "Siglip" if kind == "siglip" else "CLIP"
    fields: dict[str, tuple[Any, str]] = {"num_labels": (2, INT)}
    if kind == "clip":
        fields["projection_dim"] = (512, OPT_INT)
    towers = _towers(kind == "siglip")
    text = _scoped(towers["text"], t="text_model.", ts="text_")
    vision = _scoped(towers["vision"], v="vision_model.", vs="vision_")
    if kind == "clip":
        first: tuple[Row, ...] = (Row("logit_scale", "LogitScale"),)
        last: tuple[Row, ...] = tuple(
            Row(name, "CLIPProjection", args=(("in_features", f"{side}_h"), ("out_features", "Pj")))
            for name, side in (("visual_projection", "vision"), ("text_projection", "text"))
        )
    else:
        first, last = (Row("logit_scale", "LogitParameter"), Row("logit_bias", "LogitParameter")), ()
    classifier = Row(
        "classifier", "Linear", when="num_labels", args=(("in_features", "vision_h"), ("out_features", "L"))
    )
    heads = {
        f"{fam}Model": Head((*first, *text, *vision, *last)),
        f"{fam}ForImageClassification": Head((*vision, classifier)),
    }
    symbols = {"Pj": "projection_dim", "L": "num_labels"}
    for side in ("text", "vision"):
        symbols.update({f"{side}_{s}": f"{side}_{k}" for s, k in SYMBOLS.items() if s not in ("L", "Pj")})

    def derive(cfg: dict[str, Any], doc: Mapping[str, Any]) -> None:
        labels(cfg, doc)
        for side, table in (("text", TEXT_FIELDS), ("vision", VISION_FIELDS)):
            sub = doc.get(f"{side}_config")
            _fill(cfg, sub if isinstance(sub, Mapping) else {}, table[kind], f"{side}_")

    def check(cfg: Mapping[str, Any], doc: Mapping[str, Any], arch: str) -> Any:
        for side in ("text", "vision"):
            built = not (arch.endswith("ForImageClassification") and side == "text")
            sub = doc.get(f"{side}_config")
            if sub is not None and not isinstance(sub, Mapping):
                return (f"{side}_config", f"'{side}_config' must be an object, got {sub!r}", "")
            refused = _refuse(kind, side, cfg, sub or {}, f"{side}_", f"{side}_config.", built)
            if refused:
                return refused
        return None

    return Recipe(
        family=family_record(kind, f"{fam}Config", fam, fields, heads, default=f"{fam}Model"),
        symbols=symbols,
        legend=LEGEND,
        blocks=BLOCKS,
        backbone=(),
        heads=heads,
        base="",
        schema=(
            "projection_dim:int? logit_scale_init_value:num? initializer_factor:float?"
            if kind == "clip"
            else "initializer_factor:float"
        ),
        derive=derive,
        check=check,
    )
