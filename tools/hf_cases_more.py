"""The cases of tools/hf_golden_encoders.py, part two: encoder-decoders, vision, T5 variants, DeBERTa.

Extends tools/hf_cases_encoders.py's tables (FAMILY_CLASSES, RANDOM, MORE_RANDOM) for the
families beyond the BERT-style encoders, and assembles every case (:func:`all_cases`).
Published sizes are written from the checkpoints' config.json files, never downloaded.
"""

from __future__ import annotations

import random
from typing import Any

from hf_cases import Case
from hf_cases_encoders import (
    ENCODER_HEADS,
    FAMILY_CLASSES,
    MORE_RANDOM,
    RANDOM,
    _bertish,
    _cfg,
    defaults,
    published,
    random_variants,
    refusals,
)
from hf_cases_heads import added_cases

SEQ2SEQ_HEADS = (
    "Model",
    "ForConditionalGeneration",
    "ForCausalLM",
    "ForSequenceClassification",
    "ForQuestionAnswering",
)
FAMILY_CLASSES.update(
    {
        "bart": ("BartConfig", tuple(f"Bart{h}" for h in SEQ2SEQ_HEADS)),
        "mbart": ("MBartConfig", tuple(f"MBart{h}" for h in SEQ2SEQ_HEADS)),
        "pegasus": ("PegasusConfig", tuple(f"Pegasus{h}" for h in SEQ2SEQ_HEADS[:3])),
    }
)
BART_LARGE = {
    "vocab_size": 50265,
    "d_model": 1024,
    "encoder_layers": 12,
    "decoder_layers": 12,
    "encoder_attention_heads": 16,
    "decoder_attention_heads": 16,
    "encoder_ffn_dim": 4096,
    "decoder_ffn_dim": 4096,
    "max_position_embeddings": 1024,
}
BART_BASE = {**BART_LARGE, "d_model": 768, "encoder_layers": 6, "decoder_layers": 6, "encoder_attention_heads": 12}
BART_BASE.update(decoder_attention_heads=12, encoder_ffn_dim=3072, decoder_ffn_dim=3072)
SEQ2SEQ_PUBLISHED: list[tuple[str, str, str, dict[str, Any]]] = [
    ("bart-large", "facebook/bart-large", "BartForConditionalGeneration", {"model_type": "bart", **BART_LARGE}),
    ("bart-base", "facebook/bart-base", "BartModel", {"model_type": "bart", **BART_BASE}),
    (
        "bart-large-mnli",
        "facebook/bart-large-mnli",
        "BartForSequenceClassification",
        {"model_type": "bart", **BART_LARGE, "id2label": {"0": "contradiction", "1": "neutral", "2": "entailment"}},
    ),
    (
        "mbart-large-50",
        "facebook/mbart-large-50",
        "MBartForConditionalGeneration",
        {"model_type": "mbart", **BART_LARGE, "vocab_size": 250054, "scale_embedding": True},
    ),
    (
        "pegasus-large",
        "google/pegasus-large",
        "PegasusForConditionalGeneration",
        {
            "model_type": "pegasus",
            **BART_LARGE,
            "vocab_size": 96103,
            "encoder_layers": 16,
            "decoder_layers": 16,
            "scale_embedding": True,
            "pad_token_id": 0,
        },
    ),
]


def _seq2seq(rng: random.Random) -> dict[str, Any]:
    heads = rng.choice([1, 2, 4])
    kw: dict[str, Any] = {
        "vocab_size": rng.randint(20, 60),
        "d_model": heads * rng.choice([2, 3, 4]),
        "encoder_attention_heads": heads,
        "decoder_attention_heads": rng.choice([h for h in (1, 2, 4) if h <= heads and heads % h == 0]),
        "encoder_layers": rng.choice([0, 1, 2]),
        "decoder_layers": rng.choice([0, 1, 2]),
        "encoder_ffn_dim": rng.randint(4, 20),
        "decoder_ffn_dim": rng.randint(4, 20),
        "max_position_embeddings": rng.randint(8, 40),
        "pad_token_id": rng.choice([0, 1, None]),
    }
    if rng.random() < 0.3:
        kw["tie_word_embeddings"] = False
    return kw


RANDOM.update({"bart": _seq2seq, "mbart": _seq2seq, "pegasus": _seq2seq})


FAMILY_CLASSES["vit"] = ("ViTConfig", ("ViTModel", "ViTForImageClassification"))
IMAGENET = {"id2label": {str(i): f"class_{i}" for i in range(1000)}}
SEQ2SEQ_PUBLISHED += [
    (
        "vit-base-patch16-224",
        "google/vit-base-patch16-224",
        "ViTForImageClassification",
        {"model_type": "vit", **IMAGENET},
    ),
    (
        "vit-large-patch16-224",
        "google/vit-large-patch16-224",
        "ViTForImageClassification",
        {
            "model_type": "vit",
            "hidden_size": 1024,
            "num_hidden_layers": 24,
            "num_attention_heads": 16,
            "intermediate_size": 4096,
            **IMAGENET,
        },
    ),
    ("vit-base-patch16-224-in21k", "google/vit-base-patch16-224-in21k", "ViTModel", {"model_type": "vit"}),
    (
        "vit-base-patch32-384",
        "google/vit-base-patch32-384",
        "ViTForImageClassification",
        {"model_type": "vit", "image_size": 384, "patch_size": 32, **IMAGENET},
    ),
]


def _vit(rng: random.Random) -> dict[str, Any]:
    heads = rng.choice([1, 2, 3])
    kw: dict[str, Any] = {
        "hidden_size": heads * rng.choice([2, 4]) + rng.choice([0, 0, 1]),
        "num_attention_heads": heads,
        "num_hidden_layers": rng.choice([0, 1, 2]),
        "intermediate_size": rng.randint(4, 20),
        "num_channels": rng.choice([1, 3, 4]),
        "image_size": rng.choice([8, 12, [8, 12]]),
        "patch_size": rng.choice([2, 4, [2, 4]]),
        "qkv_bias": rng.random() < 0.7,
    }
    if rng.random() < 0.3:
        kw["pooler_output_size"] = rng.randint(2, 9)
    if rng.random() < 0.3:
        kw["num_labels"] = rng.choice([0, 1, 5])
    return kw


RANDOM["vit"] = _vit


FAMILY_CLASSES["whisper"] = (
    "WhisperConfig",
    ("WhisperModel", "WhisperForConditionalGeneration", "WhisperForCausalLM", "WhisperForAudioClassification"),
)
WHISPER_LARGE = {
    "vocab_size": 51866,
    "num_mel_bins": 128,
    "d_model": 1280,
    "encoder_layers": 32,
    "decoder_layers": 32,
    "encoder_attention_heads": 20,
    "decoder_attention_heads": 20,
    "encoder_ffn_dim": 5120,
    "decoder_ffn_dim": 5120,
    "max_source_positions": 1500,
    "max_target_positions": 448,
    "pad_token_id": 50256,
}
WHISPER_SMALL = {**WHISPER_LARGE, "vocab_size": 51865, "num_mel_bins": 80, "d_model": 768, "encoder_layers": 12}
WHISPER_SMALL.update(decoder_layers=12, encoder_attention_heads=12, decoder_attention_heads=12)
WHISPER_SMALL.update(encoder_ffn_dim=3072, decoder_ffn_dim=3072)
SEQ2SEQ_PUBLISHED += [
    (
        "whisper-large-v3",
        "openai/whisper-large-v3",
        "WhisperForConditionalGeneration",
        {"model_type": "whisper", **WHISPER_LARGE},
    ),
    (
        "whisper-small",
        "openai/whisper-small",
        "WhisperForConditionalGeneration",
        {"model_type": "whisper", **WHISPER_SMALL},
    ),
]


def _whisper(rng: random.Random) -> dict[str, Any]:
    kw = _seq2seq(rng)
    kw.pop("max_position_embeddings")
    kw.update(
        num_mel_bins=rng.randint(2, 9),
        max_source_positions=rng.randint(4, 20),
        max_target_positions=rng.randint(4, 20),
        pad_token_id=rng.choice([0, 1, None]),
        classifier_proj_size=rng.randint(2, 9),
    )
    if rng.random() < 0.3:
        kw["use_weighted_layer_sum"] = True
    return kw


RANDOM["whisper"] = _whisper


FAMILY_CLASSES.update(
    {
        "clip_text_model": ("CLIPTextConfig", ("CLIPTextModel", "CLIPTextModelWithProjection")),
        "clip_vision_model": ("CLIPVisionConfig", ("CLIPVisionModel", "CLIPVisionModelWithProjection")),
        "clip": ("CLIPConfig", ("CLIPModel", "CLIPForImageClassification")),
        "siglip_text_model": ("SiglipTextConfig", ("SiglipTextModel",)),
        "siglip_vision_model": ("SiglipVisionConfig", ("SiglipVisionModel",)),
        "siglip": ("SiglipConfig", ("SiglipModel", "SiglipForImageClassification")),
    }
)
CLIP_L_TEXT = {"hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12, "projection_dim": 768}
CLIP_L_VISION = {"hidden_size": 1024, "intermediate_size": 4096, "num_attention_heads": 16, "num_hidden_layers": 24}
CLIP_L_VISION.update(patch_size=14, projection_dim=768)
SO400M = {"hidden_size": 1152, "intermediate_size": 4304, "num_hidden_layers": 27, "num_attention_heads": 16}
SEQ2SEQ_PUBLISHED += [
    ("clip-vit-base-patch32", "openai/clip-vit-base-patch32", "CLIPModel", {"model_type": "clip"}),
    (
        "clip-vit-large-patch14",
        "openai/clip-vit-large-patch14",
        "CLIPModel",
        {"model_type": "clip", "projection_dim": 768, "text_config": CLIP_L_TEXT, "vision_config": CLIP_L_VISION},
    ),
    (
        "sd-text-encoder",
        "stable-diffusion-v1-5 text_encoder",
        "CLIPTextModel",
        {"model_type": "clip_text_model", **CLIP_L_TEXT},
    ),
    (
        "clip-l-image-encoder",
        "h94/IP-Adapter image_encoder",
        "CLIPVisionModelWithProjection",
        {"model_type": "clip_vision_model", **CLIP_L_VISION},
    ),
    ("siglip-base-patch16-224", "google/siglip-base-patch16-224", "SiglipModel", {"model_type": "siglip"}),
    (
        "siglip-so400m-patch14-384",
        "google/siglip-so400m-patch14-384",
        "SiglipModel",
        {
            "model_type": "siglip",
            "text_config": {**SO400M, "projection_size": 1152},
            "vision_config": {**SO400M, "image_size": 384, "patch_size": 14},
        },
    ),
    (
        "siglip-so400m-text",
        "google/siglip-so400m-patch14-384 text",
        "SiglipTextModel",
        {"model_type": "siglip_text_model", **SO400M},
    ),
    (
        "siglip-so400m-vision",
        "google/siglip-so400m-patch14-384 vision",
        "SiglipVisionModel",
        {"model_type": "siglip_vision_model", **SO400M, "image_size": 384, "patch_size": 14},
    ),
]


def _tower_text(rng: random.Random) -> dict[str, Any]:
    heads = rng.choice([1, 2, 3])
    return {
        "vocab_size": rng.randint(10, 40),
        "hidden_size": heads * rng.choice([2, 4]),
        "num_attention_heads": heads,
        "num_hidden_layers": rng.choice([0, 1, 2]),
        "intermediate_size": rng.randint(4, 20),
        "max_position_embeddings": rng.randint(4, 20),
    }


def _tower_vision(rng: random.Random) -> dict[str, Any]:
    kw = _tower_text(rng)
    del kw["vocab_size"], kw["max_position_embeddings"]
    kw.update(num_channels=rng.choice([1, 3]), image_size=rng.choice([8, 12, 13]), patch_size=rng.choice([2, 4, 5]))
    return kw


def _clip_text(rng: random.Random) -> dict[str, Any]:
    return {**_tower_text(rng), "projection_dim": rng.randint(2, 9)}


def _clip_vision(rng: random.Random) -> dict[str, Any]:
    return {**_tower_vision(rng), "projection_dim": rng.randint(2, 9)}


def _siglip_text(rng: random.Random) -> dict[str, Any]:
    kw = _tower_text(rng)
    if rng.random() < 0.5:
        kw["projection_size"] = rng.randint(2, 9)
    return kw


def _siglip_vision(rng: random.Random) -> dict[str, Any]:
    kw = _tower_vision(rng)
    if rng.random() < 0.4:
        kw["vision_use_head"] = False
    return kw


def _clip(rng: random.Random) -> dict[str, Any]:
    kw: dict[str, Any] = {"text_config": _clip_text(rng), "vision_config": _clip_vision(rng)}
    if rng.random() < 0.7:
        kw["projection_dim"] = rng.randint(2, 9)
    if rng.random() < 0.3:
        kw["num_labels"] = rng.choice([0, 1, 4])
    return kw


def _siglip(rng: random.Random) -> dict[str, Any]:
    kw: dict[str, Any] = {"text_config": _siglip_text(rng), "vision_config": _siglip_vision(rng)}
    if rng.random() < 0.3:
        kw["num_labels"] = rng.choice([0, 1, 4])
    return kw


RANDOM.update(
    {
        "clip_text_model": _clip_text,
        "clip_vision_model": _clip_vision,
        "clip": _clip,
        "siglip_text_model": _siglip_text,
        "siglip_vision_model": _siglip_vision,
        "siglip": _siglip,
    }
)


T5_HEADS = ("Model", "ForConditionalGeneration", "EncoderModel", "ForSequenceClassification")
T5_HEADS += ("ForTokenClassification", "ForQuestionAnswering")
FAMILY_CLASSES["mt5"] = ("MT5Config", tuple(f"MT5{h}" for h in T5_HEADS))
FAMILY_CLASSES["umt5"] = ("UMT5Config", tuple(f"UMT5{h}" for h in T5_HEADS))
MT5_SMALL = {"vocab_size": 250112, "d_model": 512, "d_ff": 1024, "d_kv": 64, "num_layers": 8, "num_heads": 6}
MT5_SMALL.update(feed_forward_proj="gated-gelu", tie_word_embeddings=False)
MT5_BASE = {**MT5_SMALL, "d_model": 768, "d_ff": 2048, "num_layers": 12, "num_heads": 12}
SEQ2SEQ_PUBLISHED += [
    ("mt5-small", "google/mt5-small", "MT5ForConditionalGeneration", {"model_type": "mt5", **MT5_SMALL}),
    ("mt5-base", "google/mt5-base", "MT5ForConditionalGeneration", {"model_type": "mt5", **MT5_BASE}),
    ("umt5-small", "google/umt5-small", "UMT5ForConditionalGeneration", {"model_type": "umt5", **MT5_SMALL}),
]


def _t5(rng: random.Random) -> dict[str, Any]:
    kw: dict[str, Any] = {
        "vocab_size": rng.randint(10, 40),
        "d_model": rng.randint(2, 12),
        "d_kv": rng.randint(1, 5),
        "num_heads": rng.randint(1, 3),
        "d_ff": rng.randint(2, 16),
        "num_layers": rng.choice([0, 1, 2, 3]),
        "relative_attention_num_buckets": rng.randint(2, 40),
        "feed_forward_proj": rng.choice(["relu", "gated-gelu", "gated-silu"]),
    }
    if rng.random() < 0.4:
        kw["num_decoder_layers"] = rng.choice([0, 1, 2])
    if rng.random() < 0.3:
        kw["tie_word_embeddings"] = False
    return kw


RANDOM.update({"mt5": _t5, "umt5": _t5})


FAMILY_CLASSES["marian"] = ("MarianConfig", ("MarianModel", "MarianMTModel", "MarianForCausalLM"))
OPUS_EN_DE = {**BART_BASE, "vocab_size": 58101, "decoder_vocab_size": 58101, "d_model": 512, "encoder_ffn_dim": 2048}
OPUS_EN_DE.update(
    decoder_ffn_dim=2048, encoder_attention_heads=8, decoder_attention_heads=8, max_position_embeddings=512
)
OPUS_EN_DE.update(pad_token_id=58100, scale_embedding=True)
SEQ2SEQ_PUBLISHED += [
    ("opus-mt-en-de", "Helsinki-NLP/opus-mt-en-de", "MarianMTModel", {"model_type": "marian", **OPUS_EN_DE}),
]


def _marian(rng: random.Random) -> dict[str, Any]:
    kw = _seq2seq(rng)
    if rng.random() < 0.5:
        kw["decoder_vocab_size"] = rng.randint(10, 60)
        kw["pad_token_id"] = rng.choice([0, 1, None])
    if rng.random() < 0.4:
        kw["share_encoder_decoder_embeddings"] = False
    return kw


RANDOM["marian"] = _marian


FAMILY_CLASSES["deberta-v2"] = ("DebertaV2Config", tuple(f"DebertaV2{h}" for h in ENCODER_HEADS))
DEBERTA_V3_BASE = {"vocab_size": 128100, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12}
DEBERTA_V3_BASE.update(intermediate_size=3072, relative_attention=True, position_buckets=256, norm_rel_ebd="layer_norm")
DEBERTA_V3_BASE.update(share_att_key=True, pos_att_type="p2c|c2p", layer_norm_eps=1e-7, max_relative_positions=-1)
DEBERTA_V3_BASE.update(position_biased_input=False, type_vocab_size=0, max_position_embeddings=512)
DEBERTA_V2_XLARGE = {**DEBERTA_V3_BASE, "hidden_size": 1536, "num_hidden_layers": 24, "num_attention_heads": 24}
DEBERTA_V2_XLARGE.update(intermediate_size=6144, conv_kernel_size=3, conv_act="gelu", attention_head_size=64)
SEQ2SEQ_PUBLISHED += [
    ("deberta-v3-base", "microsoft/deberta-v3-base", "DebertaV2Model", {"model_type": "deberta-v2", **DEBERTA_V3_BASE}),
    (
        "deberta-v2-xlarge",
        "microsoft/deberta-v2-xlarge",
        "DebertaV2ForMaskedLM",
        {"model_type": "deberta-v2", **DEBERTA_V2_XLARGE},
    ),
]


def _deberta(rng: random.Random) -> dict[str, Any]:
    kw = _bertish(rng, False)
    kw.pop("pad_token_id", None)
    if rng.random() < 0.6:
        kw.update(relative_attention=True, pos_att_type=rng.choice(["p2c|c2p", ["c2p"], ["p2c"], None, "c2p"]))
        if rng.random() < 0.5:
            kw["position_buckets"] = rng.randint(2, 10)
        if rng.random() < 0.4:
            kw["share_att_key"] = True
        if rng.random() < 0.4:
            kw["max_relative_positions"] = rng.randint(1, 9)
    if rng.random() < 0.4:
        kw["norm_rel_ebd"] = "layer_norm"
    if rng.random() < 0.3:
        kw["conv_kernel_size"] = rng.choice([1, 3])
        kw["conv_groups"] = rng.choice([1, kw["num_attention_heads"]])
    if rng.random() < 0.4:
        kw["position_biased_input"] = False
    if rng.random() < 0.4:
        kw["embedding_size"] = rng.randint(2, 10)
    if rng.random() < 0.3:
        kw["attention_head_size"] = rng.randint(1, 4)
    if rng.random() < 0.3:
        kw["pooler_hidden_size"] = rng.randint(2, 10)
    if rng.random() < 0.3:
        kw["legacy"] = False
    return kw


RANDOM["deberta-v2"] = _deberta
MORE_RANDOM["deberta-v2"] = 8


SEQ_SMALL = {"vocab_size": 30, "d_model": 8, "encoder_layers": 1, "decoder_layers": 1, "encoder_ffn_dim": 12}
SEQ_SMALL.update(decoder_ffn_dim=12, encoder_attention_heads=2, decoder_attention_heads=2, max_position_embeddings=16)
MORE_REFUSALS: list[tuple[str, str, dict[str, Any]]] = [
    ("bart", "BartModel", {**SEQ_SMALL, "decoder_attention_heads": 3}),
    ("bart", "BartModel", {**SEQ_SMALL, "activation_function": "nope"}),
    ("mbart", "MBartModel", {**SEQ_SMALL, "pad_token_id": 30}),
    ("pegasus", "PegasusModel", {**SEQ_SMALL, "d_model": 8.0}),
    ("marian", "MarianModel", {**SEQ_SMALL, "decoder_vocab_size": 10, "pad_token_id": 20}),
    ("whisper", "WhisperModel", {**SEQ_SMALL, "pad_token_id": 40}),
    ("mt5", "MT5Model", {"vocab_size": 30, "d_model": 8, "num_layers": 1, "feed_forward_proj": "gated-gelu-x"}),
    ("umt5", "UMT5Model", {"vocab_size": 30, "d_model": 8, "num_layers": 1, "feed_forward_proj": "nope"}),
    (
        "deberta-v2",
        "DebertaV2Model",
        {"vocab_size": 30, "hidden_size": 9, "num_attention_heads": 2, "num_hidden_layers": 1},
    ),
    (
        "deberta-v2",
        "DebertaV2Model",
        {"vocab_size": 30, "hidden_size": 8, "num_attention_heads": 2, "conv_kernel_size": 3, "conv_groups": 3},
    ),
    ("vit", "ViTModel", {"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "hidden_act": "nope"}),
    ("clip", "CLIPModel", {"vision_config": {"hidden_size": 8, "num_attention_heads": 3}}),
    (
        "clip_vision_model",
        "CLIPVisionModel",
        {"hidden_size": 8, "num_attention_heads": 2, "image_size": [8, 12], "patch_size": 4},
    ),
    ("siglip", "SiglipModel", {"text_config": {"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": "2"}}),
]
"""Refusals in the encoder-decoder and vision families."""


def labels_cases() -> list[Case]:
    """num_labels and id2label both written (num_labels wins), found by a wider seeded run."""
    both = {"num_labels": 1, "id2label": {str(i): f"L{i}" for i in range(7)}}
    small = {"hidden_size": 4, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 6}
    rows = [
        ("vit", "ViTForImageClassification", {**small, "image_size": 8, "patch_size": 4, **both}),
        ("vit", "ViTForImageClassification", {**small, "image_size": 8, "patch_size": 4, **both, "num_labels": 0}),
        ("roberta", "RobertaForSequenceClassification", {**small, "vocab_size": 20, **both}),
        ("bart", "BartForSequenceClassification", {**SEQ_SMALL, **both}),
    ]
    return [
        Case(f"{mt}-labels{i}-{name}", name, _cfg(mt, name, **kw), "random") for i, (mt, name, kw) in enumerate(rows)
    ]


def fuzz_found() -> list[Case]:
    """Edge cases a wider perturbing seeded run found (each was once counted or refused wrongly)."""
    small = {
        "vocab_size": 30,
        "hidden_size": 4,
        "num_attention_heads": 1,
        "num_hidden_layers": 1,
        "intermediate_size": 8,
    }
    seq = {**SEQ_SMALL, "d_model": 4, "encoder_attention_heads": 1, "decoder_attention_heads": 1}
    t5 = {"vocab_size": 25, "d_model": 6, "d_kv": 2, "num_heads": 1, "d_ff": 8, "num_layers": 1}
    text = {
        "vocab_size": 16,
        "hidden_size": 4,
        "num_attention_heads": 1,
        "num_hidden_layers": 0,
        "intermediate_size": 6,
    }
    vision = {"hidden_size": 4, "num_attention_heads": 1, "num_hidden_layers": 0, "intermediate_size": 6}
    vision.update(image_size=8, patch_size=4)
    rows: list[tuple[str, str, dict[str, Any], str]] = [
        ("roberta", "RobertaForQuestionAnswering", {**small, "num_labels": 0}, "random"),
        ("distilbert", "DistilBertForSequenceClassification", {"dim": 4, "n_heads": 1, "num_labels": 0}, "random"),
        ("distilbert", "DistilBertModel", {"dim": 4, "n_heads": 1, "n_layers": 1, "hidden_act": "nope"}, "random"),
        ("mpnet", "MPNetModel", {**small, "hidden_size": 16, "num_attention_heads": 3, "embedding_size": 8}, "random"),
        (
            "roberta",
            "RobertaModel",
            {**small, "hidden_size": 10, "num_attention_heads": 3, "embedding_size": 8},
            "random",
        ),
        ("mbart", "MBartForCausalLM", {**seq, "num_attention_heads": 5}, "random"),
        ("whisper", "WhisperForAudioClassification", {**seq, "pad_token_id": 1000}, "random"),
        ("mt5", "MT5ForConditionalGeneration", {**t5, "num_hidden_layers": 0}, "random"),
        ("mt5", "MT5ForTokenClassification", {**t5, "is_decoder": True}, "random"),
        ("umt5", "UMT5EncoderModel", {**t5, "is_decoder": True}, "random"),
        ("umt5", "UMT5Model", {**t5, "hidden_act": "nope"}, "random"),
        (
            "siglip_vision_model",
            "SiglipVisionModel",
            {**vision, "num_attention_heads": 5, "vision_use_head": False},
            "random",
        ),
        (
            "clip",
            "CLIPForImageClassification",
            {"text_config": {**text, "layer_norm_eps": 1}, "vision_config": vision},
            "refused",
        ),
        ("clip_text_model", "CLIPTextModel", {**text, "num_attention_heads": 3}, "refused"),
        ("vit", "ViTModel", {**vision, "num_attention_heads": 5, "num_hidden_layers": 1}, "refused"),
        ("albert", "AlbertForMaskedLM", {"num_hidden_groups": 0, "hidden_act": "nope"}, "refused"),
        ("electra", "ElectraForPreTraining", {"num_hidden_layers": 0, "hidden_act": "nope"}, "refused"),
        ("deberta-v2", "DebertaV2ForMaskedLM", {"num_hidden_layers": 0, "hidden_act": "nope"}, "refused"),
        ("distilbert", "DistilBertForMaskedLM", {"n_layers": 0, "activation": "nope"}, "refused"),
        ("roberta", "RobertaForMaskedLM", {"num_hidden_layers": 0, "hidden_act": "nope"}, "random"),
        (
            "roberta",
            "RobertaForSequenceClassification",
            {**small, "num_labels": 1, "problem_type": "single_label_classification"},
            "refused",
        ),
    ]
    return [
        Case(f"{mt}-edge{i}-{name}", name, _cfg(mt, name, **kw), kind) for i, (mt, name, kw, kind) in enumerate(rows)
    ]


def all_cases() -> list[Case]:
    """Every case, in file order."""
    return [
        *defaults(),
        *published(tuple(SEQ2SEQ_PUBLISHED)),
        *random_variants(),
        *labels_cases(),
        *fuzz_found(),
        *refusals(tuple(MORE_REFUSALS)),
        *added_cases(),
    ]
