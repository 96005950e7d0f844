"""The cases of tools/hf_golden_encoders.py: defaults, published sizes, random variants, refusals.

Published sizes are copied from the checkpoints' config.json files (written here by hand,
never downloaded); random variants are drawn from a fixed seed, small enough that every
parameter is listed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from hf_cases import Case

ENCODER_HEADS = ("Model", "ForMaskedLM", "ForSequenceClassification", "ForTokenClassification", "ForQuestionAnswering")

FAMILY_CLASSES: dict[str, tuple[str, tuple[str, ...]]] = {
    "roberta": ("RobertaConfig", tuple(f"Roberta{h}" for h in (*ENCODER_HEADS, "ForCausalLM"))),
    "xlm-roberta": ("XLMRobertaConfig", tuple(f"XLMRoberta{h}" for h in (*ENCODER_HEADS, "ForCausalLM"))),
    "distilbert": ("DistilBertConfig", tuple(f"DistilBert{h}" for h in ENCODER_HEADS)),
    "albert": ("AlbertConfig", tuple(f"Albert{h}" for h in (*ENCODER_HEADS, "ForPreTraining"))),
    "electra": ("ElectraConfig", tuple(f"Electra{h}" for h in (*ENCODER_HEADS, "ForPreTraining", "ForCausalLM"))),
    "mpnet": ("MPNetConfig", tuple(f"MPNet{h}" for h in ENCODER_HEADS)),
}
"""model_type -> (config class, every model class paramcalc counts)."""


def _cfg(model_type: str, model_class: str, **kwargs: Any) -> dict[str, Any]:
    return {"model_type": model_type, "architectures": [model_class], **kwargs}


def defaults() -> list[Case]:
    """Each config class's defaults, once per model class."""
    return [
        Case(f"{mt}-default-{name}", name, _cfg(mt, name), "random", note=f"{config_class}() defaults")
        for mt, (config_class, classes) in FAMILY_CLASSES.items()
        for name in classes
    ]


ROBERTA_BASE = {
    "vocab_size": 50265,
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
    "max_position_embeddings": 514,
    "type_vocab_size": 1,
    "pad_token_id": 1,
    "bos_token_id": 0,
    "eos_token_id": 2,
    "layer_norm_eps": 1e-05,
}
XLMR_BASE = {**ROBERTA_BASE, "vocab_size": 250002}
DISTILBERT = {
    "vocab_size": 30522,
    "dim": 768,
    "n_layers": 6,
    "n_heads": 12,
    "hidden_dim": 3072,
    "max_position_embeddings": 512,
}
ALBERT_BASE = {
    "vocab_size": 30000,
    "embedding_size": 128,
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
    "hidden_act": "gelu_new",
    "max_position_embeddings": 512,
    "type_vocab_size": 2,
}
ELECTRA_SMALL = {
    "vocab_size": 30522,
    "embedding_size": 128,
    "hidden_size": 256,
    "num_hidden_layers": 12,
    "num_attention_heads": 4,
    "intermediate_size": 1024,
}
MPNET_BASE = {
    "vocab_size": 30527,
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
    "max_position_embeddings": 514,
}
SST2 = {"id2label": {"0": "NEGATIVE", "1": "POSITIVE"}, "label2id": {"NEGATIVE": 0, "POSITIVE": 1}}
NER9 = {"id2label": {str(i): f"L{i}" for i in range(9)}}


def published(more: tuple[tuple[str, str, str, dict[str, Any]], ...] = ()) -> list[Case]:
    """Published checkpoints' sizes (their config.json, written out)."""
    rows: list[tuple[str, str, str, dict[str, Any]]] = [
        ("roberta-base", "FacebookAI/roberta-base", "RobertaForMaskedLM", {"model_type": "roberta", **ROBERTA_BASE}),
        (
            "roberta-large",
            "FacebookAI/roberta-large",
            "RobertaForMaskedLM",
            {
                "model_type": "roberta",
                **ROBERTA_BASE,
                "hidden_size": 1024,
                "num_hidden_layers": 24,
                "num_attention_heads": 16,
                "intermediate_size": 4096,
            },
        ),
        (
            "roberta-base-squad2",
            "deepset/roberta-base-squad2",
            "RobertaForQuestionAnswering",
            {"model_type": "roberta", **ROBERTA_BASE},
        ),
        (
            "roberta-sentiment",
            "cardiffnlp/twitter-roberta-base-sentiment-latest",
            "RobertaForSequenceClassification",
            {"model_type": "roberta", **ROBERTA_BASE, "id2label": {"0": "negative", "1": "neutral", "2": "positive"}},
        ),
        (
            "xlm-roberta-base",
            "FacebookAI/xlm-roberta-base",
            "XLMRobertaForMaskedLM",
            {"model_type": "xlm-roberta", **XLMR_BASE},
        ),
        (
            "xlm-roberta-large",
            "FacebookAI/xlm-roberta-large",
            "XLMRobertaForMaskedLM",
            {
                "model_type": "xlm-roberta",
                **XLMR_BASE,
                "hidden_size": 1024,
                "num_hidden_layers": 24,
                "num_attention_heads": 16,
                "intermediate_size": 4096,
            },
        ),
        (
            "xlm-roberta-ner",
            "Davlan/xlm-roberta-base-ner-hrl",
            "XLMRobertaForTokenClassification",
            {"model_type": "xlm-roberta", **XLMR_BASE, **NER9},
        ),
        (
            "distilbert-base-uncased",
            "distilbert/distilbert-base-uncased",
            "DistilBertForMaskedLM",
            {"model_type": "distilbert", **DISTILBERT},
        ),
        (
            "distilbert-sst2",
            "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
            "DistilBertForSequenceClassification",
            {"model_type": "distilbert", **DISTILBERT, **SST2},
        ),
        (
            "distilbert-squad",
            "distilbert/distilbert-base-cased-distilled-squad",
            "DistilBertForQuestionAnswering",
            {"model_type": "distilbert", **DISTILBERT, "vocab_size": 28996},
        ),
        ("albert-base-v2", "albert/albert-base-v2", "AlbertForMaskedLM", {"model_type": "albert", **ALBERT_BASE}),
        (
            "albert-xxlarge-v2",
            "albert/albert-xxlarge-v2",
            "AlbertForMaskedLM",
            {
                "model_type": "albert",
                **ALBERT_BASE,
                "hidden_size": 4096,
                "num_attention_heads": 64,
                "intermediate_size": 16384,
            },
        ),
        (
            "electra-small-discriminator",
            "google/electra-small-discriminator",
            "ElectraForPreTraining",
            {"model_type": "electra", **ELECTRA_SMALL},
        ),
        (
            "electra-base-generator",
            "google/electra-base-generator",
            "ElectraForMaskedLM",
            {
                "model_type": "electra",
                **ELECTRA_SMALL,
                "embedding_size": 768,
                "hidden_size": 256,
                "num_attention_heads": 4,
                "intermediate_size": 1024,
            },
        ),
        (
            "electra-base-discriminator",
            "google/electra-base-discriminator",
            "ElectraForPreTraining",
            {
                "model_type": "electra",
                **ELECTRA_SMALL,
                "embedding_size": 768,
                "hidden_size": 768,
                "num_attention_heads": 12,
                "intermediate_size": 3072,
            },
        ),
        ("mpnet-base", "microsoft/mpnet-base", "MPNetForMaskedLM", {"model_type": "mpnet", **MPNET_BASE}),
        (
            "all-mpnet-base-v2",
            "sentence-transformers/all-mpnet-base-v2",
            "MPNetModel",
            {"model_type": "mpnet", **MPNET_BASE},
        ),
    ]
    rows += more
    return [
        Case(
            case_id,
            model_class,
            {"model_type": cfg["model_type"], "architectures": [model_class], **cfg},
            "published",
            hub_id=hub,
        )
        for case_id, hub, model_class, cfg in rows
    ]


def _labels(rng: random.Random) -> dict[str, Any]:
    pick = rng.random()
    if pick < 0.3:
        return {"num_labels": rng.randint(1, 7)}
    if pick < 0.6:
        return {"id2label": {str(i): f"L{i}" for i in range(rng.randint(1, 7))}}
    return {}


def _bertish(rng: random.Random, factorised: bool) -> dict[str, Any]:
    heads = rng.choice([1, 2, 3, 4])
    head_dim = rng.choice([2, 3, 4])
    kw: dict[str, Any] = {
        "vocab_size": rng.randint(20, 60),
        "hidden_size": heads * head_dim + (rng.choice([0, 0, 1]) if factorised else 0),
        "num_attention_heads": heads,
        "num_hidden_layers": rng.choice([0, 1, 2, 3]),
        "intermediate_size": rng.randint(4, 20),
        "max_position_embeddings": rng.randint(8, 40),
    }
    if rng.random() < 0.5:
        kw["type_vocab_size"] = rng.choice([0, 1, 3])
    if rng.random() < 0.3:
        kw["tie_word_embeddings"] = False
    if rng.random() < 0.2:
        kw["pad_token_id"] = None
    return kw


def _roberta(rng: random.Random) -> dict[str, Any]:
    kw = _bertish(rng, False)
    if rng.random() < 0.3:
        kw.update(is_decoder=True, add_cross_attention=rng.random() < 0.7)
    return kw


def _distilbert(rng: random.Random) -> dict[str, Any]:
    kw = _bertish(rng, False)
    out = {
        "vocab_size": kw["vocab_size"],
        "dim": kw["hidden_size"],
        "n_heads": kw["num_attention_heads"],
        "n_layers": kw["num_hidden_layers"],
        "hidden_dim": kw["intermediate_size"],
        "max_position_embeddings": kw["max_position_embeddings"],
    }
    if rng.random() < 0.3:
        out["sinusoidal_pos_embds"] = True
    if rng.random() < 0.3:
        out["tie_word_embeddings"] = False
    if rng.random() < 0.2:  # the attribute_map aliases
        out["hidden_size"] = out.pop("dim")
    return out


def _albert(rng: random.Random) -> dict[str, Any]:
    kw = _bertish(rng, True)
    kw.update(
        embedding_size=rng.randint(2, 10),
        num_hidden_groups=rng.choice([1, 1, 2, 3]),
        inner_group_num=rng.choice([1, 1, 2]),
    )
    return kw


def _electra(rng: random.Random) -> dict[str, Any]:
    kw = _bertish(rng, True)
    kw["embedding_size"] = kw["hidden_size"] if rng.random() < 0.4 else rng.randint(2, 10)
    if rng.random() < 0.2:
        kw.update(is_decoder=True, add_cross_attention=True)
    return kw


def _mpnet(rng: random.Random) -> dict[str, Any]:
    kw = _bertish(rng, False)
    kw.pop("type_vocab_size", None)
    kw["relative_attention_num_buckets"] = rng.randint(2, 40)
    if "pad_token_id" in kw:
        kw.pop("pad_token_id")
    return kw


RANDOM: dict[str, Callable[[random.Random], dict[str, Any]]] = {
    "roberta": _roberta,
    "xlm-roberta": _roberta,
    "distilbert": _distilbert,
    "albert": _albert,
    "electra": _electra,
    "mpnet": _mpnet,
}


MORE_RANDOM = {"marian": 8, "albert": 5, "electra": 5}
"""Families with more branches (vocabularies, groups, projections) get more random variants."""


def random_variants(per_class: int = 3, seed: int = 12) -> list[Case]:
    """``per_class`` seeded random configs per model class of every family."""
    rng = random.Random(seed)
    cases = []
    for mt, (_, classes) in FAMILY_CLASSES.items():
        for name in classes:
            for i in range(MORE_RANDOM.get(mt, per_class)):
                kw = {**RANDOM[mt](rng), **_labels(rng)}
                if name.endswith("QuestionAnswering") and mt == "distilbert":
                    kw.pop("num_labels", None)
                    kw.pop("id2label", None)
                cases.append(Case(f"{mt}-random{i}-{name}", name, _cfg(mt, name, **kw), "random"))
    return cases


def refusals(more: tuple[tuple[str, str, dict[str, Any]], ...] = ()) -> list[Case]:
    """Configs transformers refuses (the golden records the error; paramcalc must refuse too)."""
    small = {"vocab_size": 30, "num_hidden_layers": 1, "intermediate_size": 12}
    rows = [
        ("roberta", "RobertaModel", {**small, "hidden_size": 10, "num_attention_heads": 3}),
        ("roberta", "RobertaModel", {**small, "hidden_size": 8, "num_attention_heads": 2, "add_cross_attention": True}),
        ("roberta", "RobertaModel", {**small, "hidden_size": 8, "num_attention_heads": 2, "pad_token_id": 40}),
        ("roberta", "RobertaModel", {**small, "hidden_size": 8, "num_attention_heads": 2, "hidden_act": "swishy"}),
        ("roberta", "RobertaModel", {**small, "hidden_size": 8, "num_attention_heads": 2, "layer_norm_eps": 1}),
        (
            "xlm-roberta",
            "XLMRobertaModel",
            {**small, "hidden_size": 8, "num_attention_heads": 2, "max_position_embeddings": 1},
        ),
        ("distilbert", "DistilBertModel", {"vocab_size": 30, "dim": 10, "n_heads": 4, "n_layers": 1}),
        (
            "distilbert",
            "DistilBertForQuestionAnswering",
            {"vocab_size": 30, "dim": 8, "n_heads": 2, "n_layers": 1, "num_labels": 3},
        ),
        (
            "distilbert",
            "DistilBertModel",
            {"vocab_size": 30, "dim": 8, "n_heads": 2, "n_layers": 1, "dim_typo": 3, "activation": "nope"},
        ),
        ("albert", "AlbertModel", {**small, "hidden_size": 8, "num_attention_heads": 2, "initializer_range": 1}),
        ("electra", "ElectraModel", {**small, "hidden_size": 8, "num_attention_heads": 2, "embedding_size": None}),
        ("mpnet", "MPNetModel", {**small, "hidden_size": 9, "num_attention_heads": 2}),
    ]
    rows += more
    return [
        Case(f"{mt}-refused{i}-{name}", name, _cfg(mt, name, **kw), "refused") for i, (mt, name, kw) in enumerate(rows)
    ]
