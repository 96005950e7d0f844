"""Helpers for the per-family rule tables: run one layer written as a call on given input shapes."""

from __future__ import annotations

import pytest

from paramcalc.engine import run_layer
from paramcalc.errors import LayerError
from paramcalc.report import LayerRow, Shape
from paramcalc.spec.held import read_layer
from paramcalc.spec.inline_spec import parse_layer_calls

Weight = tuple[str, tuple[int, ...], bool]
Case = tuple[str, Shape, Shape, list[Weight], int]
"""(layer call, input shape, output shape, weights, parameter count)."""


def table(cases: list[Case]) -> pytest.MarkDecorator:
    """Parametrize a test over a rule table, one case per row, named by its call and input."""
    return pytest.mark.parametrize(
        ("call", "shape", "output", "expected", "params"), cases, ids=[f"{c[0]}-{c[1]}" for c in cases]
    )


def run(call: str, *shapes: Shape) -> LayerRow:
    """Count one layer (``"Conv2D(8, 3)"``) on the given input shape(s), batch axis excluded."""
    (layer,) = parse_layer_calls(call)
    return run_layer(read_layer(layer, "keras"), "layer", list(shapes))  # held layers read, as every reader does


def weights(row: LayerRow) -> list[Weight]:
    """Each weight's Keras name, shape and trainability, in Keras' order."""
    return [(t.path, t.shape, t.trainable) for t in row.terms]


def check(call: str, shape: Shape, output: Shape, expected: list[Weight], params: int) -> LayerRow:
    """Assert a layer's output shape, weights and count; returns the row for further checks."""
    row = run(call, shape)
    assert row.outputs == (output,), f"{call}: output {row.outputs[0]} != {output}"
    assert weights(row) == expected, call
    assert row.params == params, f"{call}: {row.params} != {params}"
    assert sum(shape_count(w[1]) for w in expected) == params, f"{call}: the table's own weights do not add up"
    return row


def shape_count(shape: tuple[int, ...]) -> int:
    total = 1
    for d in shape:
        total *= d
    return total


def refuses(call: str, shape: Shape, *needles: str) -> str:
    """Assert the layer refuses the input with a one-line error containing every needle."""
    with pytest.raises(LayerError) as info:
        run(call, shape)
    text = info.value.render()
    assert "\n" not in text
    for needle in needles:
        assert needle in text, f"{needle!r} not in {text!r}"
    return text
