"""Vision families as data: ViT (see :mod:`paramcalc.spec.hf_recipes`).

ViT (``transformers.models.vit``, 5.24) cuts the image into patches with a Conv2d
(``hidden_size × num_channels × patch × patch`` plus a bias), adds a learned ``cls_token``
(1×1×h) and a position table of ``num_patches + 1`` rows stored as one ``(1, N+1, h)``
parameter, then runs pre-norm layers (``layernorm_before``/``layernorm_after``, q/k/v/o
projections, ``mlp.fc1``/``fc2``).  ``image_size`` and ``patch_size`` may be ``[h, w]``
pairs: ``num_patches = (H // p_h) · (W // p_w)``.  q/k/v are ``heads · head_dim`` wide,
``head_dim`` being an extra ``head_dim`` key when the config has one, else
``hidden_size // num_attention_heads`` (no divisibility check).  ``ViTModel`` ends with a
pooler of ``pooler_output_size`` (default ``hidden_size``); ``ViTForImageClassification``
has no pooler and a classifier only when ``num_labels > 0``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramcalc.spec.hf_encoder_families import LEGEND, family_record, labels, lin, ln
from paramcalc.spec.hf_families import BOOL, INT, OPT_INT
from paramcalc.spec.hf_recipes import BACKBONE, POOLED, Block, Head, Recipe, Row
from paramcalc.spec.hf_schema import ACTIVATIONS


def pair(value: Any) -> tuple[Any, Any]:
    """``image_size`` / ``patch_size``: an int or an ``[h, w]`` pair."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return value[0], value[1]
    return value, value


def vit() -> Recipe:
    """ViT: patch embedding, cls token, positions, pre-norm layers, final layernorm, head."""
    fields = {
        "hidden_size": (768, INT),
        "num_hidden_layers": (12, INT),
        "num_attention_heads": (12, INT),
        "intermediate_size": (3072, INT),
        "num_channels": (3, INT),
        "qkv_bias": (True, BOOL),
        "pooler_output_size": (None, OPT_INT),
        "encoder_stride": (16, INT),
        "num_labels": (2, INT),
    }
    extra = {"patch_h": (16, INT), "patch_w": (16, INT), "num_patches": (196, INT), "head_dim": (None, OPT_INT)}
    extra["pooler_output_size"] = (768, INT)  # the rule's default: ViTConfig derives it from hidden_size
    extra["use_mask_token"] = (False, BOOL)  # ViTModel(use_mask_token=True) in ViTForMaskedImageModeling only
    blocks = {
        "ViTEmbeddings": Block(
            ("hidden_size", "num_channels", "patch_h", "patch_w", "num_patches", "use_mask_token"),
            (
                ("param", "cls_token", "1", "1", "h"),
                ("when", "use_mask_token", (("param", "mask_token", "1", "1", "h"),)),
                ("param", "position_embeddings", "1", "N+1", "h"),
                ("param", "patch_embeddings.projection.weight", "h", "C", "p_h", "p_w"),
                ("param", "patch_embeddings.projection.bias", "h"),
            ),
            "cls_token (1×1×h), mask_token (1×1×h, masked image modelling only), the position table "
            "(1×(N+1)×h, N patches), and the patch embedding: a "
            "Conv2d of h filters of C×p_h×p_w with a bias.",
            out="h",
            source=True,
        ),
        "ViTLayer": Block(
            ("hidden_size", "num_attention_heads", "head_dim", "intermediate_size", "qkv_bias"),
            (
                lin("attention.q_proj", "a", "h", "qkv_bias"),
                lin("attention.k_proj", "a", "h", "qkv_bias"),
                lin("attention.v_proj", "a", "h", "qkv_bias"),
                lin("attention.o_proj", "h", "a"),
                ln("layernorm_before"),
                ln("layernorm_after"),
                lin("mlp.fc1", "I", "h"),
                lin("mlp.fc2", "h", "I"),
            ),
            "q/k/v (h→heads·head_dim, biases when qkv_bias), o_proj with bias, layernorm_before and "
            "layernorm_after, mlp.fc1 (h→I) and mlp.fc2 (I→h).",
        ),
        "Conv2d": Block(
            ("hidden_size", "encoder_stride", "num_channels"),
            (("param", "weight", "S", "h", "1", "1"), ("param", "bias", "S")),
            "ViTForMaskedImageModeling's decoder.0: a 1×1 nn.Conv2d from h to encoder_stride²·C channels "
            "with a bias (decoder.1, a PixelShuffle, has no parameters).",
            out="S",
        ),
        "ViTPooler": Block(
            ("hidden_size", "pooler_output_size"), (lin("dense", "O", "h"),), "dense h→pooler_output_size.", out="O"
        ),
    }
    backbone = (
        Row("{base}embeddings", "ViTEmbeddings"),
        Row("{base}layers", "ViTLayer", stack="num_hidden_layers"),
        Row("{base}layernorm", "LayerNorm", args=(("normalized_shape", "h"),)),
        Row("{base}pooler", "ViTPooler", pooler=True),
    )
    classifier = Row("classifier", "Linear", when="num_labels", args=(("in_features", "h"), ("out_features", "L")))
    heads = {
        "ViTModel": Head((POOLED,)),
        "ViTForImageClassification": Head((BACKBONE, classifier), base=True),
        "ViTForMaskedImageModeling": Head(
            (
                Row("{base}embeddings", "ViTEmbeddings", fixed=(("use_mask_token", True),)),
                *backbone[1:3],
                Row("decoder.0", "Conv2d"),
            ),
            base=True,
        ),
    }

    def derive(cfg: dict[str, Any], doc: Mapping[str, Any]) -> None:
        labels(cfg, doc)
        cfg["use_mask_token"] = False
        image_h, image_w = pair(doc.get("image_size", 224))
        cfg["patch_h"], cfg["patch_w"] = pair(doc.get("patch_size", 16))
        cfg["image_h"], cfg["image_w"] = image_h, image_w
        if cfg["pooler_output_size"] is None or cfg["pooler_output_size"] == 0:
            cfg["pooler_output_size"] = cfg["hidden_size"]
        heads = cfg["num_attention_heads"]
        cfg["head_dim"] = doc.get("head_dim", cfg["hidden_size"] // heads if heads > 0 else 0)

    def check(cfg: Mapping[str, Any], doc: Mapping[str, Any], arch: str) -> tuple[str, str, str] | None:
        for key in ("image_h", "image_w", "patch_h", "patch_w"):
            value = cfg[key]
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                what = "image_size" if key.startswith("image") else "patch_size"
                return (
                    what,
                    f"'{what}' must be a positive integer or a pair of them",
                    "ViTConfig / nn.Conv2d refuse it",
                )
        act = doc.get("hidden_act", "gelu")
        if cfg["num_hidden_layers"] > 0:
            if cfg["num_attention_heads"] <= 0:
                return ("num_attention_heads", "'num_attention_heads' must be positive", "the attention divides by it")
            if not isinstance(cfg["head_dim"], int) or cfg["head_dim"] <= 0:
                return (
                    "num_attention_heads",
                    f"head_dim {cfg['head_dim']} (hidden_size // num_attention_heads unless given): the attention "
                    "scales by head_dim ** -0.5",
                    "ViTAttention fails building it (a zero division)",
                )
            if isinstance(act, str) and act not in ACTIVATIONS:
                return ("hidden_act", f"'hidden_act' {act!r} is no activation transformers knows", "")
        return None

    def derived_patches(cfg: dict[str, Any], doc: Mapping[str, Any]) -> None:
        derive(cfg, doc)
        sizes = ("patch_h", "patch_w", "image_h", "image_w")
        if all(isinstance(cfg[k], int) and not isinstance(cfg[k], bool) and cfg[k] > 0 for k in sizes):
            cfg["num_patches"] = (cfg["image_h"] // cfg["patch_h"]) * (cfg["image_w"] // cfg["patch_w"])

    return Recipe(
        family=family_record("vit", "ViTConfig", "ViT", fields, heads),
        symbols={
            "h": "hidden_size",
            "heads": "num_attention_heads",
            "hd": "head_dim|h//heads",
            "I": "intermediate_size",
            "C": "num_channels",
            "p_h": "patch_h",
            "p_w": "patch_w",
            "N": "num_patches",
            "O": "pooler_output_size",
            "L": "num_labels",
            "a": "=heads*hd",
            "es": "encoder_stride",
            "S": "=es*es*C",
        },
        legend={**LEGEND, "N": "(image_h // p_h)·(image_w // p_w) patches"},
        blocks=blocks,
        backbone=backbone,
        heads=heads,
        base="vit.",
        schema=(
            "hidden_size:int num_hidden_layers:int num_attention_heads:int intermediate_size:int hidden_act:str "
            "hidden_dropout_prob:num attention_probs_dropout_prob:num initializer_range:float layer_norm_eps:float "
            "num_channels:int qkv_bias:bool encoder_stride:int pooler_output_size:int? pooler_act:str"
        ),
        derive=derived_patches,
        check=check,
        extra_fields=extra,
    )
