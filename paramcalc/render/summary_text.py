"""Pieces of a summary shared by every renderer: rows as strings and the totals lines.

Kept free of rich so the Markdown and plain renderers reuse exactly the numbers and
wording the table shows (``Total params: 1,745 (6.82 KB)``, as Keras 3 prints it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from paramcalc.dtypes import readable_size
from paramcalc.report import LayerRow, Report, Tree
from paramcalc.shapes import format_shape

if TYPE_CHECKING:
    from paramcalc.flops import FlopReport

FLOPS_NOTE = "FLOPs count matmuls, convolutions and attention (2 per multiply-add), as torch's FlopCounterMode."


def flops_text(value: int | None) -> str:
    """The FLOPs cell: the exact count, or ``?`` when a shape it needs is unknown."""
    return UNKNOWN_SHAPE if value is None else f"{value:,}"


def flops_lines(flops: FlopReport, tokens: int | None = None) -> list[tuple[str, str]]:
    """``Forward FLOPs (batch 1): 7,704,640 (7.70 MFLOPs)`` and, for LLMs, the labeled estimates."""
    from paramcalc.flops import llm_shortcuts, readable_flops, where

    if flops.total is None:
        value = "unknown (see '?': give --seq-len for an unknown length; docs/flops.md)"
    else:
        value = f"{flops.total:,} ({readable_flops(flops.total)})"
    lines = [(f"Forward FLOPs ({where(flops.sizes)})", value)]
    for shortcut in llm_shortcuts(flops, tokens):
        lines.append((shortcut.label, f"{shortcut.value:,} ({shortcut.how})"))
    return lines


def layer_label(row: LayerRow) -> str:
    """``name (Class)`` as in Keras' first column, indented for nested layers.

    A row standing for repeated blocks says how many: ``model.layers.0-31 (LlamaDecoderLayer × 32)``.
    """
    prefix = "   " * row.depth + "└ " if row.depth else ""
    times = f" × {row.repeat}" if row.repeat > 1 else ""
    return f"{prefix}{row.name} ({row.class_name}{times})"


def params_text(row: LayerRow, separator: str = "\n") -> str:
    """The Param # cell: the count, ``0 (tied)`` for a tied alias, the per-copy count for repeats."""
    if row.params == 0 and row.tied:
        return "0 (tied)"
    text = f"{row.params:,}"
    if row.repeat > 1:
        text += f"{separator}({row.params_each:,} each)"
    return text


UNKNOWN_SHAPE = "?"
"""The Output Shape cell of a PyTorch layer counted without an input shape."""


def output_text(row: LayerRow) -> str:
    """Keras' Output Shape cell: ``(None, 32)`` or ``[(None, 32), (None, 32)]``.

    A torch module returning a tuple shows its nesting (``nn.LSTM``:
    ``[(None, 3, 32), [(1, None, 32), (1, None, 32)]]``); unknown shapes show ``?``.
    For a layer called several times Keras prints its last call's shape (its summary
    loops over the calls and keeps the last), so this does too.
    """
    outputs = row.call_outputs[-1] if row.call_outputs else row.outputs
    shapes = [format_shape(s, row.batch_in_shapes) for s in outputs]
    if not shapes:
        return UNKNOWN_SHAPE
    if row.output_tree is not None:
        return _tree_text(row.output_tree, shapes)
    if row.multi_output:
        return "[" + ", ".join(shapes) + "]"
    return shapes[0]


def _tree_text(tree: Tree, shapes: list[str]) -> str:
    if isinstance(tree, int):
        return shapes[tree]
    return "[" + ", ".join(_tree_text(item, shapes) for item in tree) + "]"


SHAPE_HEADER = "Output Shape"
STORED_HEADER = "Stored as"
"""The second column of a checkpoint's summary: its tensors' dtypes and bytes, as stored."""


def shape_header(report: Report) -> str:
    """The second column's title: Keras' Output Shape, or for a checkpoint how its tensors are stored."""
    return STORED_HEADER if report.framework == "checkpoint" else SHAPE_HEADER


def shape_cell(report: Report, row: LayerRow) -> str:
    """The second column's cell: :func:`output_text`, or for a checkpoint ``BF16, 1.95 KB`` (all copies)."""
    if report.framework != "checkpoint":
        return output_text(row)
    from paramcalc.checkpoint.dtypes import stored_bits

    dtypes = ", ".join(dict.fromkeys(t.dtype for t in row.terms))
    bits = sum(stored_bits(t.dtype, t.count) for t in row.terms if t.counted) * row.repeat
    return f"{dtypes}: {readable_size(bits / 8)}"


def connected_text(row: LayerRow) -> str:
    """Keras' Connected to cell: ``emb[0][0], mha[0][0]`` over every call (``-`` for inputs
    and for the layers of an expanded nested model, as Keras prints them).
    """
    return ", ".join(row.connections) or "-"


def totals_lines(report: Report) -> list[tuple[str, str]]:
    """(label, value) pairs for the lines under the table, with Keras' byte formatting.

    A mixture of experts adds the parameters one token uses; tied weights say how much
    they would add if they were (wrongly) counted twice.  torch buffers (BatchNorm running
    statistics) get their own line: they are saved with the model but are not parameters,
    so they are not in the totals.
    """
    lines = [
        ("Total params", f"{report.total:,} ({readable_size(report.bits() / 8)})"),
        ("Trainable params", f"{report.trainable:,} ({readable_size(report.bits(trainable=True) / 8)})"),
        ("Non-trainable params", f"{report.non_trainable:,} ({readable_size(report.bits(trainable=False) / 8)})"),
    ]
    if report.routed:
        lines.append(("Active params per token", f"{_count(report, report.active)}: {_routing(report)}"))
    if report.tied:
        lines.append(("Tied params (shown, counted once)", f"{report.tied:,}"))
    if report.buffers:
        lines.append(("Buffers (not parameters)", f"{report.buffers:,}"))
    return lines


def _routing(report: Report) -> str:
    """``top-2 of 8 experts in 32 layers`` (each distinct routing, all copies counted)."""
    layers: dict[tuple[int, int], int] = {}
    for row in report.layers:
        shares = {t.share for t in row.terms if t.share is not None and t.counted}
        for share in shares:
            if share is not None:
                layers[share] = layers.get(share, 0) + row.repeat
    parts = [f"top-{k} of {e} experts in {n} layer{'s' if n != 1 else ''}" for (k, e), n in sorted(layers.items())]
    return "; ".join(parts) + ", shared parts always"


def note_lines(report: Report) -> list[str]:
    """Remarks the spec reader attached (tying conventions, defaults it assumed)."""
    return list(report.notes)


def _count(report: Report, count: int) -> str:
    return f"{count:,} ({readable_size(count * report.dtype_bits / 8)})"


def fold_rows(rows: list[LayerRow]) -> list[LayerRow]:
    """Runs of identical layers as one row each, as a Hugging Face summary shows repeated blocks.

    Only tables of more than :data:`~paramcalc.limits.FOLD_ROWS_ABOVE` rows fold (ordinary
    tables stay as Keras prints them): ``Repeat: {times: 1000, layers: [Dense: 8]}`` is one
    row ``dense to dense_999 (Dense × 1000)`` with the parameters of all copies.  A run is
    consecutive plain layers with the same class, output shapes and weights.
    """
    from paramcalc.limits import FOLD_ROWS_ABOVE

    if len(rows) <= FOLD_ROWS_ABOVE:
        return rows
    out: list[LayerRow] = []
    run: list[LayerRow] = []

    def key(row: LayerRow) -> object:
        if row.copies or row.children or row.depth or row.calls != 1 or not row.counted or row.connections:
            return None
        return (row.class_name, row.outputs, tuple((t.path, t.shape, t.trainable, t.dtype) for t in row.terms))

    def flush() -> None:
        if len(run) > 1:
            first, last = run[0], run[-1]
            out.append(replace(first, name=f"{first.name} to {last.name}", copies=tuple(r.name for r in run)))
        else:
            out.extend(run)
        run.clear()

    previous: object = None
    for row in rows:
        current = key(row)
        if current is None or current != previous:
            flush()
        if current is None:
            out.append(row)
        else:
            run.append(row)
        previous = current
    flush()
    return out
