"""Every Keras example spec in specs/ agrees with real Keras (tests/golden/keras_specs.json).

The golden file is written by tools/specs_golden.py from Keras 3 itself: per layer the
class, output shape, parameter count and every weight's name, shape and trainability,
and the summary's total lines.  This test needs no Keras.
"""

from __future__ import annotations

import json

import pytest
from conftest import GOLDEN, SPECS, RunCli
from golden_keras import assert_model_matches

from paramcalc.engine import analyze
from paramcalc.spec import load_spec

CASES = json.loads((GOLDEN / "keras_specs.json").read_text(encoding="utf-8"))["models"]


def test_every_keras_example_spec_has_a_golden() -> None:
    keras_specs = sorted(p.name for p in SPECS.glob("*.yaml") if load_spec(str(p)).framework == "keras")
    assert sorted(case["id"] for case in CASES) == keras_specs


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_example_spec_matches_keras_layer_by_layer(case: dict[str, object]) -> None:
    assert_model_matches(case, analyze(load_spec(str(SPECS / str(case["id"])))))


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_summary_total_lines_match_keras(run_cli: RunCli, case: dict[str, dict[str, str]]) -> None:
    out = run_cli("summary", str(SPECS / str(case["id"]))).out
    assert f"Total params: {case['summary']['total']}" in out
    assert f"Trainable params: {case['summary']['trainable']}" in out
    assert f"Non-trainable params: {case['summary']['non_trainable']}" in out
