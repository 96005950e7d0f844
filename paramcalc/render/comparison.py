"""Renderings of ``explain --compare``: Keras and PyTorch side by side, then both derivations.

The side-by-side table lines up what a reader compares: the closed forms, every weight
tensor with its shape and count, the totals; the difference and its reason follow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from paramcalc.compare import Comparison
from paramcalc.formula import render
from paramcalc.render import derivation
from paramcalc.render.derivation import inputs_text
from paramcalc.render.summary_text import output_text
from paramcalc.report import LayerRow

if TYPE_CHECKING:
    from paramcalc.flops import Sizes


def _column(row: LayerRow) -> dict[str, list[str]]:
    weights = [f"{t.path} {tuple(t.shape)}  {t.count:,}" for t in row.terms if not t.buffer]
    buffers = [f"{t.path} {tuple(t.shape)}" for t in row.terms if t.buffer]
    return {
        "layer": [f"{row.name} ({row.class_name})"],
        "input": [inputs_text(row)],
        "output": [output_text(row)],
        "closed form": [render(row.formula) if row.formula else "-"],
        "weights": weights or ["(none)"],
        "buffers": buffers,
        "parameters": [f"{row.params:,}"],
    }


def _difference(comparison: Comparison) -> str:
    delta = comparison.difference
    if delta == 0:
        return comparison.why
    return f"PyTorch {delta:+,} ({comparison.keras.params:,} → {comparison.torch.params:,}). {comparison.why}"


def flops_lines(comparison: Comparison, sizes: Sizes) -> list[str]:
    """Both layers' forward FLOPs (FlopCounterMode's convention) and their FLOP derivations."""
    from paramcalc.flops import layer_flops, where

    lines = [f"  FLOPs ({where(sizes)}):"]
    for label, row, framework in (("Keras", comparison.keras, "keras"), ("PyTorch", comparison.torch, "pytorch")):
        terms = layer_flops(row, framework, sizes)
        value = "unknown (give --seq-len for the time axis)" if terms is None else f"{sum(t.flops for t in terms):,}"
        lines.append(f"    {label:<8} {value}")
    return lines


def text(comparison: Comparison, sizes: Sizes | None = None) -> str:
    """The side-by-side table, the difference, then the two derivations (and FLOPs with ``sizes``)."""
    left, right = _column(comparison.keras), _column(comparison.torch)
    labels = [key for key in left if left[key] or right[key]]
    width = max(len(line) for key in labels for line in left[key])
    lines = [f"{comparison.keras.class_name} (Keras) vs {comparison.torch.class_name} (PyTorch)", ""]
    lines.append(f"  {'':<12}  {'Keras':<{width}}  PyTorch")
    for key in labels:
        a, b = left[key], right[key]
        for i in range(max(len(a), len(b))):
            label = key if i == 0 else ""
            cell_a = a[i] if i < len(a) else ""
            cell_b = b[i] if i < len(b) else ""
            lines.append(f"  {label:<12}  {cell_a:<{width}}  {cell_b}".rstrip())
    lines += ["", f"  difference: {_difference(comparison)}", ""]
    if sizes is not None:
        lines += [*flops_lines(comparison, sizes), ""]
    lines += ["Keras:", derivation.text(comparison.keras), "", "PyTorch:", derivation.text(comparison.torch)]
    if sizes is not None:
        lines[-3] += "\n\n" + derivation.flops_text(comparison.keras, "keras", sizes)
        lines[-1] += "\n\n" + derivation.flops_text(comparison.torch, "pytorch", sizes)
    return "\n".join(lines)


def markdown(comparison: Comparison) -> str:
    """A Markdown table (Keras | PyTorch), the difference, then both derivations."""
    left, right = _column(comparison.keras), _column(comparison.torch)
    out = [
        f"## {comparison.keras.class_name} (Keras) vs {comparison.torch.class_name} (PyTorch)",
        "",
        "| | Keras | PyTorch |",
        "|:--|:--|:--|",
    ]
    for key in left:
        if left[key] or right[key]:
            cells = ["<br>".join(f"`{c}`" for c in col[key]) or "-" for col in (left, right)]
            out.append(f"| {key} | {cells[0]} | {cells[1]} |")
    out += ["", f"**Difference:** {_difference(comparison)}", ""]
    out += [derivation.markdown(comparison.keras).rstrip(), "", derivation.markdown(comparison.torch).rstrip(), ""]
    return "\n".join(out)


def to_dict(comparison: Comparison) -> dict[str, Any]:
    """JSON form: both layer rows, the difference (PyTorch - Keras) and why."""
    return {
        "keras": comparison.keras.to_dict(),
        "pytorch": comparison.torch.to_dict(),
        "difference": comparison.difference,
        "why": comparison.why,
    }
