"""Pieces of a diff shared by the table and Markdown renderers (rich-free).

Each layer becomes a row of strings: the change, the name and class (``a → b`` where
they differ), the output shape, the parameters on each side and the delta; each changed
weight becomes an indented row under its layer.  Totals come as labelled lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from paramcalc.diff import ADDED, CHANGED, REMOVED, SAME, LayerDiff, ModelDiff, TermDiff
from paramcalc.dtypes import readable_size
from paramcalc.render.summary_text import output_text

HEADER = ("Change", "Layer (type)", "Output Shape", "Params A", "Params B", "Δ")
MARKS = {SAME: "", CHANGED: "changed", ADDED: "added", REMOVED: "removed"}


@dataclass(frozen=True)
class Row:
    """One line of the diff table; ``weight`` rows sit under their layer."""

    cells: tuple[str, str, str, str, str, str]
    weight: bool = False


def signed(value: int) -> str:
    """``+1,234``, ``-56`` or ``0``."""
    return f"{value:+,}" if value else "0"


def percent(delta: int, base: int) -> str:
    """``+25.00%``; ``n/a`` when there is no base to compare with."""
    if not base:
        return "n/a"
    return f"{delta / base:+.2%}" if delta else "0.00%"


def _pair(a: str | None, b: str | None) -> str:
    if a is None:
        return b or ""
    if b is None or a == b:
        return a
    return f"{a} → {b}"


def layer_row(layer: LayerDiff) -> Row:
    """The row of one layer."""
    a, b = layer.a, layer.b
    label = _pair(a.name if a else None, b.name if b else None)
    kind = _pair(a.class_name if a else None, b.class_name if b else None)
    shape = _pair(output_text(a) if a else None, output_text(b) if b else None)
    return Row(
        (
            MARKS[layer.status],
            f"{label} ({kind})",
            shape,
            f"{layer.params_a:,}" if a else "-",
            f"{layer.params_b:,}" if b else "-",
            signed(layer.delta),
        )
    )


def term_row(term: TermDiff) -> Row:
    """The row of one changed weight: its shape on each side and the delta."""
    shape = _pair(str(term.a.shape) if term.a else None, str(term.b.shape) if term.b else None)
    if term.a and term.b and term.a.trainable != term.b.trainable:
        shape += " (now trainable)" if term.b.trainable else " (now frozen)"
    tied_a = term.a.tied_to if term.a else ""
    tied_b = term.b.tied_to if term.b else ""
    if tied_a != tied_b:
        shape += f" (tied to {tied_b})" if tied_b else " (untied)"
    return Row(
        (
            "",
            f"  └ {term.path}",  # B's path (A's when removed); JSON has both
            shape,
            f"{term.count_a:,}" if term.a else "-",
            f"{term.count_b:,}" if term.b else "-",
            signed(term.delta),
        ),
        weight=True,
    )


def rows(diff: ModelDiff) -> list[Row]:
    """Every layer's row, each followed by its changed weights' rows."""
    out = []
    for layer in diff.layers:
        out.append(layer_row(layer))
        if layer.status == CHANGED:
            out.extend(term_row(term) for term in layer.terms)
    return out


def totals_lines(diff: ModelDiff) -> list[tuple[str, str]]:
    """(label, ``A → B (Δ, %)``) for the total, trainable and non-trainable counts and the size."""
    a, b = diff.a, diff.b

    def line(count_a: int, count_b: int) -> str:
        return f"{count_a:,} → {count_b:,} ({signed(count_b - count_a)}, {percent(count_b - count_a, count_a)})"

    dtype = a.dtype if a.dtype == b.dtype else f"{a.dtype} → {b.dtype}"
    return [
        ("Total params", line(a.total, b.total)),
        ("Trainable params", line(a.trainable, b.trainable)),
        ("Non-trainable params", line(a.non_trainable, b.non_trainable)),
        ("Size", f"{readable_size(a.bytes)} → {readable_size(b.bytes)} ({dtype})"),
    ]


def verdict(diff: ModelDiff) -> str:
    """One sentence saying whether anything differs, and how many layers changed, came and went."""
    if diff.identical:
        return f"No differences: both models have {diff.b.total:,} parameters."
    changed, added, removed = (diff.count(s) for s in (CHANGED, ADDED, REMOVED))
    return f"{changed} layer{'s' if changed != 1 else ''} changed, {added} added, {removed} removed."


def title(diff: ModelDiff) -> str:
    """``A: "lstm" (specs/lstm.yaml)  B: "gru" (specs/gru.yaml)``."""
    return f'A: "{diff.a.name}" ({diff.a.source})  B: "{diff.b.name}" ({diff.b.source})'
