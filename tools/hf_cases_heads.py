"""Cases for the task-head classes added in round 2 (``...ForMultipleChoice`` and friends).

Kept apart from tools/hf_cases_encoders.py so that the random variants drawn there (one seeded
stream over FAMILY_CLASSES) stay as they were: these classes get their own stream.  Each added
class gets its config class's defaults, a few seeded random variants built from the family's
own random drawer, and the edge cases its head has (ELECTRA's sequence summary).
"""

from __future__ import annotations

import random
from typing import Any

from hf_cases import Case
from hf_cases_encoders import RANDOM, _cfg, _labels

ADDED_CLASSES: dict[str, tuple[str, ...]] = {
    "roberta": ("RobertaForMultipleChoice",),
    "xlm-roberta": ("XLMRobertaForMultipleChoice",),
    "distilbert": ("DistilBertForMultipleChoice",),
    "albert": ("AlbertForMultipleChoice",),
    "electra": ("ElectraForMultipleChoice",),
    "deberta-v2": ("DebertaV2ForMultipleChoice",),
    "mpnet": ("MPNetForMultipleChoice",),
    "vit": ("ViTForMaskedImageModeling",),
}
"""model_type -> the classes added after round 1 (registered by tools/hf_golden_encoders.py)."""

SEED = 1224


def added_cases(per_class: int = 4) -> list[Case]:
    """Defaults, seeded random variants and edge cases of every added class."""
    rng = random.Random(SEED)
    cases = []
    for mt, classes in ADDED_CLASSES.items():
        for name in classes:
            cases.append(Case(f"{mt}-default-{name}", name, _cfg(mt, name), "random", note="config class defaults"))
            for i in range(per_class):
                kw = {**RANDOM[mt](rng), **_labels(rng)}
                cases.append(Case(f"{mt}-random{i}-{name}", name, _cfg(mt, name, **kw), "random"))
    small: dict[str, Any] = {
        "vocab_size": 30,
        "embedding_size": 6,
        "hidden_size": 8,
        "num_attention_heads": 2,
        "num_hidden_layers": 1,
        "intermediate_size": 12,
    }
    mc = "ElectraForMultipleChoice"
    edges = [
        ("summary-to-labels", {**small, "summary_proj_to_labels": True, "num_labels": 3}, "random"),
        ("summary-to-labels-zero", {**small, "summary_proj_to_labels": True, "num_labels": 0}, "random"),
        ("summary-no-proj", {**small, "summary_use_proj": False}, "random"),
        ("summary-attn", {**small, "summary_type": "attn"}, "refused"),
    ]
    cases += [Case(f"electra-edge-{tag}-{mc}", mc, _cfg("electra", mc, **kw), kind) for tag, kw, kind in edges]
    return cases + foreign_cases() + fuzz_found()


def fuzz_found() -> list[Case]:
    """What the round-2 fuzzer run over the declarative families found: ``layer_types`` is checked
    only by configs with a ``num_hidden_layers`` (not CLIP's or SigLIP's composite config), and
    BART's ``is_decoder`` may be null (mBART's may not), and a config with no rotary embedding still
    has its ``rope_scaling`` keys checked (an unknown ``rope_type`` is not).
    """
    tower = {"hidden_size": 8, "intermediate_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1}
    text = {**tower, "vocab_size": 30, "max_position_embeddings": 8}
    vision = {**tower, "image_size": 8, "patch_size": 4}
    small = {"vocab_size": 30, "hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1}
    seq = {"vocab_size": 30, "d_model": 8, "encoder_layers": 1, "decoder_layers": 1, "encoder_attention_heads": 2}
    seq |= {"decoder_attention_heads": 2, "encoder_ffn_dim": 8, "decoder_ffn_dim": 8, "max_position_embeddings": 16}
    yarn = {"rope_type": "yarn", "factor": 2.0, "original_max_position_embeddings": 8}
    t5 = {"vocab_size": 30, "d_model": 6, "d_kv": 2, "num_heads": 2, "d_ff": 8}
    rows = [
        ("clip", "CLIPModel", {"text_config": text, "vision_config": vision, "layer_types": ["foo"]}, "random"),
        ("siglip", "SiglipModel", {"text_config": text, "vision_config": vision, "layer_types": ["x"]}, "random"),
        ("roberta", "RobertaModel", {**small, "intermediate_size": 8, "layer_types": ["foo"]}, "refused"),
        ("bart", "BartForSequenceClassification", {**seq, "is_decoder": None}, "random"),
        ("mbart", "MBartForConditionalGeneration", {**seq, "is_decoder": None}, "refused"),
        ("albert", "AlbertModel", {**small, "rope_scaling": {"rope_type": "linear"}}, "refused"),
        ("bart", "BartModel", {**seq, "rope_scaling": {"rope_type": "yarn", "factor": 2.0}}, "refused"),
        (
            "clip_vision_model",
            "CLIPVisionModel",
            {**vision, "rope_scaling": {"type": "linear", "factor": 2.0}},
            "random",
        ),
        ("roberta", "RobertaModel", {**small, "rope_scaling": {"rope_type": "foo"}}, "random"),
        ("vit", "ViTForMaskedImageModeling", {**vision, "encoder_stride": 2, "num_channels": 1}, "random"),
        ("vit", "ViTModel", {**vision, "rope_scaling": yarn}, "refused"),
        ("roberta", "RobertaModel", {**small, "intermediate_size": 8, "rope_scaling": yarn}, "random"),
        ("mt5", "MT5ForConditionalGeneration", {**t5, "num_layers": 0, "feed_forward_proj": "gated"}, "random"),
        ("mt5", "MT5ForConditionalGeneration", {**t5, "num_layers": 1, "feed_forward_proj": "gated"}, "refused"),
        (
            "umt5",
            "UMT5EncoderModel",
            {**t5, "num_layers": 0, "num_decoder_layers": 1, "feed_forward_proj": "x"},
            "random",
        ),
    ]
    return [
        Case(f"{mt}-fuzz2-{i}-{name}", name, _cfg(mt, name, **kw), kind) for i, (mt, name, kw, kind) in enumerate(rows)
    ]


#: (model_type, the class ``architectures`` names, the class the Auto classes build for that task)
FOREIGN: list[tuple[str, str, str]] = [
    ("roberta", "BertForSequenceClassification", "RobertaForSequenceClassification"),
    ("xlm-roberta", "RobertaForMaskedLM", "XLMRobertaForMaskedLM"),
    ("distilbert", "BertForMultipleChoice", "DistilBertForMultipleChoice"),
    ("electra", "BertForPreTraining", "ElectraForPreTraining"),
    ("albert", "BertForQuestionAnswering", "AlbertForQuestionAnswering"),
    ("bart", "T5ForConditionalGeneration", "BartForConditionalGeneration"),
    ("marian", "BartForConditionalGeneration", "MarianMTModel"),
    ("vit", "DeiTForImageClassification", "ViTForImageClassification"),
    ("whisper", "Wav2Vec2ForAudioClassification", "WhisperForAudioClassification"),
]


def foreign_cases() -> list[Case]:
    """``architectures`` naming another family's class: the golden builds this family's class for that task."""
    rng = random.Random(SEED + 1)
    cases = []
    for mt, named, built in FOREIGN:
        kw = {**RANDOM[mt](rng), "architectures": [named]}
        cases.append(Case(f"{mt}-foreign-{named}", built, {"model_type": mt, **kw}, "random"))
    return cases
