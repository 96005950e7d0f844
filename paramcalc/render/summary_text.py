"""Pieces of a summary shared by every renderer: rows as strings and the totals lines.

Kept free of rich so the Markdown and plain renderers reuse exactly the numbers and
wording the table shows (``Total params: 1,745 (6.82 KB)``, as Keras 3 prints it).
"""

from __future__ import annotations

from paramcalc.dtypes import readable_size
from paramcalc.report import LayerRow, Report
from paramcalc.shapes import format_shape


def layer_label(row: LayerRow) -> str:
    """``name (Class)`` as in Keras' first column, indented for nested layers."""
    prefix = "   " * row.depth + "└ " if row.depth else ""
    return f"{prefix}{row.name} ({row.class_name})"


def output_text(row: LayerRow) -> str:
    """Keras' Output Shape cell: ``(None, 32)`` or ``[(None, 32), (None, 32)]``.

    For a layer called several times Keras prints its last call's shape (its summary
    loops over the calls and keeps the last), so this does too.
    """
    outputs = row.call_outputs[-1] if row.call_outputs else row.outputs
    shapes = [format_shape(s) for s in outputs]
    if row.multi_output:
        return "[" + ", ".join(shapes) + "]"
    return shapes[0]


def connected_text(row: LayerRow) -> str:
    """Keras' Connected to cell: ``emb[0][0], mha[0][0]`` over every call (``-`` for inputs
    and for the layers of an expanded nested model, as Keras prints them).
    """
    return ", ".join(row.connections) or "-"


def totals_lines(report: Report) -> list[tuple[str, str]]:
    """(label, value) pairs for the lines under the table, with Keras' byte formatting."""
    return [
        ("Total params", _count(report, report.total)),
        ("Trainable params", _count(report, report.trainable)),
        ("Non-trainable params", _count(report, report.non_trainable)),
    ]


def _count(report: Report, count: int) -> str:
    return f"{count:,} ({readable_size(count * report.dtype_bits / 8)})"
