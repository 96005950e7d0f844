"""Positional arguments bind as in Keras: every rule lists its constructor's parameters in order.

``tests/golden/keras_signatures.json`` (written by ``tools/keras_golden.py --signatures``
from real Keras) holds each ``keras.layers`` class's constructor parameters.  For every
Keras rule and alias, the rule's parameters must start with Keras' positional-or-keyword
parameters, in Keras' order, so ``Conv2D: [8, 3]`` or ``Dense(8, 'relu')`` means what it
means in Keras; Keras' keyword-only parameters must not be reachable by position.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from paramcalc.rules import KERAS_BASE_KWARGS, REQUIRED, all_rules

SIGNATURES = Path(__file__).resolve().parent / "golden" / "keras_signatures.json"
PARAMCALC_ONLY = frozenset({"Custom"})
"""Spec entries with no Keras class: ``Custom`` declares an opaque (subclassed) layer."""
RULES = all_rules("keras")
NAMES = sorted(name for name in RULES if name not in PARAMCALC_ONLY)


@cache
def signatures() -> dict[str, Any]:
    """By export name, and by class name (``GroupedQueryAttention`` is exported as ``GroupQueryAttention``)."""
    with open(SIGNATURES, encoding="utf-8") as handle:
        classes: dict[str, Any] = json.load(handle)["classes"]
    by_class = {entry["class"]: entry for entry in classes.values()}
    return {**by_class, **classes}


def test_every_keras_rule_and_alias_is_a_keras_class() -> None:
    missing = [name for name in NAMES if name not in signatures()]
    assert missing == []


@pytest.mark.parametrize("name", NAMES)
def test_positional_arguments_follow_the_keras_constructor(name: str) -> None:
    want = signatures()[name]
    found = RULES[name]
    positional = [p for p in want["positional"] if p not in ("args", "kwargs")]
    assert list(found.positional[: len(positional)]) == positional, name
    limit = found.max_positional if found.max_positional is not None else len(found.positional)
    assert limit >= len(positional), name
    reachable = found.positional[:limit]
    assert not set(want["keyword_only"]) & set(reachable), f"{name}: keyword-only arguments bind by position"


@pytest.mark.parametrize("name", NAMES)
def test_required_arguments_and_defaults_match_keras(name: str) -> None:
    defaults = signatures()[name]["defaults"]
    for key, value in RULES[name].params:
        if key not in defaults or key in KERAS_BASE_KWARGS:
            continue
        if value is REQUIRED:
            assert defaults[key] == "<required>", f"{name}.{key}: Keras has a default"
        elif defaults[key] == "<required>":
            pytest.fail(f"{name}.{key}: required in Keras, default {value!r} in paramcalc")
