"""The whole Keras corpus, every family, every model: nothing is left to a family's own test.

Family tests (test_keras_layers_corpus.py, test_keras_graphs_corpus.py) check their models
with focused ids; this one walks every golden file so a model no family claims (generic
RNN cells, the lecture classics) is still compared with real Keras, from its YAML form.
"""

from __future__ import annotations

import pytest
from golden_keras import KERAS_GOLDEN, assert_model_matches, load_family

FAMILIES = sorted(path.stem for path in KERAS_GOLDEN.glob("*.json"))
CASES = [(family, model) for family in FAMILIES for model in load_family(family)["models"]]


def test_corpus_is_at_least_400_models() -> None:
    assert len(CASES) >= 400


@pytest.mark.parametrize(("family", "case"), CASES, ids=[f"{f}/{m['id']}" for f, m in CASES])
def test_every_corpus_model_matches_keras(family: str, case: dict[str, object]) -> None:
    assert_model_matches(case)
