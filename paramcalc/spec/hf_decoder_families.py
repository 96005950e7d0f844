"""Decoder LLM families as table rows (:class:`~paramcalc.spec.hf_arch.Arch`), transformers 5.24.

Each row is copied from ``transformers/models/<family>/configuration_<family>.py`` (fields,
defaults, ``attribute_map``, ``__post_init__``) and ``modeling_<family>.py`` (the modules, in
the order ``__init__`` registers them, which is the order of ``named_parameters()``).  The
``derive`` functions do what those two files compute: ``head_dim = hidden // heads`` unless a
``head_dim`` key says otherwise, key/value heads (MQA: 1, GQA: fewer), the MLP width, which
norms exist.  The golden corpus (``tools/hf_golden_arch.py``) checks every row against real
transformers.
"""

from __future__ import annotations

from paramcalc.spec.hf_arch import BASE, CAUSAL_LM, QA, SEQ_CLS, TAGGING, Arch, Heads
from paramcalc.spec.hf_decoders_deepseek import ROWS as _DEEPSEEK
from paramcalc.spec.hf_decoders_gpt import ROWS as _GPT
from paramcalc.spec.hf_decoders_llama import ROWS as _LLAMA
from paramcalc.spec.hf_decoders_ssm import ROWS as _SSM
from paramcalc.spec.hf_derive import NO_QA
from paramcalc.spec.hf_schema_decoders import CHECKED

__all__ = ["CHECKED", "LEGACY_HEADS", "ROWS"]

ROWS: tuple[Arch, ...] = (*_GPT, *_LLAMA, *_DEEPSEEK, *_SSM)
"""The decoder rows, one per ``model_type`` (in ``hf_decoders_gpt.py``, ``hf_decoders_llama.py``,
``hf_decoders_deepseek.py``, ``hf_decoders_ssm.py``)."""

LEGACY_HEADS: dict[str, Heads] = {
    "gpt2": Heads(
        (CAUSAL_LM, BASE, SEQ_CLS, TAGGING, QA),
        base="transformer",
        tagger_name="classifier",
        tie_to="wte",
        class_names={CAUSAL_LM: "GPT2LMHeadModel"},
    ),
    "llama": Heads(qa_base="transformer"),
    "mistral": Heads(),
    "mixtral": Heads(),
    "qwen2": Heads(qa_base="transformer"),
    "qwen2_moe": Heads(),
    "qwen3": Heads(qa_base="transformer"),
    "qwen3_moe": Heads(qa_base="transformer"),
    "gemma": Heads(NO_QA),
    "gemma2": Heads(NO_QA),
    "phi3": Heads(NO_QA),
}
"""The heads of the hand-written Llama-style families (``paramcalc/rules/hf_decoders.py``)."""
