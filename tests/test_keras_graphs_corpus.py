"""Graphs, attention, merging and wrappers against real Keras 3 (the golden corpus).

Every model of the attention, merging, graphs and random_functional families, and every
recurrent model that uses Bidirectional or TimeDistributed, must match what Keras
reported: layer names in ``model.layers`` order, classes, output shapes, counts, each
weight's name, path, shape and trainability, and the totals.  A model with a layer
paramcalc does not know fails here; nothing is skipped.  The specs Keras itself refuses
must be refused too, with a one-line error.
"""

from __future__ import annotations

from typing import Any

import pytest
from golden_keras import assert_model_matches, get_model, load_family, model_ids, report_for_spec

from paramcalc.errors import ParamcalcError

GRAPH_FAMILIES = ("attention", "merging", "graphs", "random_functional")
WRAPPERS = frozenset({"Bidirectional", "TimeDistributed"})


def uses(value: Any, classes: frozenset[str]) -> bool:
    """Whether a spec (or any part of it) has a layer entry of one of ``classes``."""
    if isinstance(value, dict):
        return any(key in classes or uses(item, classes) for key, item in value.items())
    if isinstance(value, list):
        return any(uses(item, classes) for item in value)
    return isinstance(value, str) and value in classes


def corpus_cases() -> list[tuple[str, str]]:
    cases = [(family, model_id) for family in GRAPH_FAMILIES for model_id in model_ids(family)]
    cases += [
        ("recurrent", model["id"]) for model in load_family("recurrent")["models"] if uses(model["spec"], WRAPPERS)
    ]
    return cases


def error_cases() -> list[tuple[str, str]]:
    cases = []
    for family in (*GRAPH_FAMILIES, "recurrent"):
        for case in load_family(family)["expected_errors"]:
            if family != "recurrent" or uses(case["spec"], WRAPPERS):
                cases.append((family, case["id"]))
    return cases


CASES = corpus_cases()
ERRORS = error_cases()


@pytest.mark.parametrize(("family", "model_id"), CASES, ids=[f"{f}/{m}" for f, m in CASES])
def test_model_matches_keras(family: str, model_id: str) -> None:
    assert_model_matches(get_model(family, model_id))


def test_the_corpus_covers_every_family_of_this_part() -> None:
    families = {family for family, _ in CASES}
    assert families == {*GRAPH_FAMILIES, "recurrent"}
    assert sum(family == "recurrent" for family, _ in CASES) >= 20  # the Bidirectional/TimeDistributed models
    assert len(CASES) >= 160


@pytest.mark.parametrize(("family", "case_id"), ERRORS, ids=[f"{f}/{c}" for f, c in ERRORS])
def test_specs_keras_refuses_are_refused_in_one_line(family: str, case_id: str) -> None:
    case = next(c for c in load_family(family)["expected_errors"] if c["id"] == case_id)
    with pytest.raises(ParamcalcError) as info:
        report_for_spec(case["spec"], case_id)
    text = info.value.render()
    assert "\n" not in text
    assert text.startswith(f"{case_id}:")
