"""Keras masks in functional graphs: hidden mask operations change auto names and layer order."""

from __future__ import annotations

from paramcalc.engine import analyze
from paramcalc.spec import parse_text

_MASKED = """
inputs:
  t: {shape: [6], dtype: int32}
  b: [6, 8]
layers:
  - Embedding: {input_dim: 50, output_dim: 8, mask_zero: true, inputs: [t]}
  - Concatenate: {inputs: [embedding, b]}
  - LSTM: {units: 4, inputs: [concatenate]}
  - Concatenate: {inputs: [embedding, embedding]}
outputs: [lstm, concatenate_2]
"""


def _names(text: str) -> list[str]:
    return [row.name for row in analyze(parse_text(text.encode(), "m.yaml")).layers]


def test_concatenate_on_a_masked_tensor_uses_up_a_concatenate_name() -> None:
    assert "concatenate_2" in _names(_MASKED)


def test_mask_consumer_reads_the_mask_ops_so_inputs_move_deeper() -> None:
    assert _names(_MASKED)[:3] == ["t", "embedding", "b"]


def test_without_mask_zero_names_and_order_are_plain() -> None:
    text = _MASKED.replace("mask_zero: true", "mask_zero: false").replace("concatenate_2", "concatenate_1")
    names = _names(text)
    assert "concatenate_1" in names
    assert names.index("b") > names.index("embedding")
