"""The memory estimate as plain text (terminal) or Markdown, derivation included.

Plain aligned columns, no rich: the numbers are the point, and every line shows how it was
obtained (bytes per parameter × parameters = bytes).
"""

from __future__ import annotations

from paramcalc.dtypes import readable_size
from paramcalc.memory import EXCLUDED, Memory, Part


def _part_line(part: Part) -> tuple[str, str, str, str, str]:
    """``optimizer``, ``fp32 master 4 + m 4 + v 4``, ``= 12 B × 6,738,415,616``, bytes, size."""
    states = " + ".join(f"{name} {size}" for name, size in part.states)
    return (
        part.name,
        states,
        f"= {part.bytes_per_param} B × {part.params:,}",
        f"{part.bytes:,}",
        readable_size(part.bytes),
    )


def _columns(rows: list[tuple[str, ...]], right: set[int], indent: str = "  ") -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        out.append(indent + "  ".join(cells).rstrip())
    return out


def text(memory: Memory) -> str:
    """The estimate for a terminal: weights per dtype, then each Adam recipe term by term."""
    lines = [f'Memory: "{memory.name}", {memory.total:,} parameters ({memory.trainable:,} trainable)', ""]
    lines.append("Weights (inference: the parameters alone)")
    rows: list[tuple[str, ...]] = [("dtype", "bytes/param", "bytes", "size", "")]
    for w in memory.weights:
        mark = "← the checkpoint's dtype" if memory.checkpoint_dtype and w.dtype == memory.checkpoint_dtype else ""
        rows.append((w.dtype, w.per_param, f"{w.bytes:,}", readable_size(w.bytes), mark))
    lines += _columns(rows, {1, 2, 3})
    if memory.largest_layer is not None:
        name, class_name, params = memory.largest_layer
        lines.append(f"  largest layer: {name} ({class_name}), {params:,} parameters")
    if memory.active is not None:
        lines.append(f"  mixture of experts: each token uses {memory.active:,} parameters; all must be loaded")
    lines += ["", "Training with Adam (weights + gradients + optimizer states)"]
    for recipe in memory.training:
        lines.append(f"  {recipe.title}: {recipe.per_param} B per trainable parameter")
        rows = [_part_line(part) for part in recipe.parts]
        rows.append(("total", "", "", f"{recipe.bytes:,}", readable_size(recipe.bytes)))
        lines += _columns(rows, {3, 4}, indent="    ")
    lines += ["", f"Not included: {', '.join(EXCLUDED)}."]
    return "\n".join(lines)


def markdown(memory: Memory) -> str:
    """The estimate as GitHub Markdown tables."""
    lines = [f'**Memory: "{memory.name}"**, {memory.total:,} parameters ({memory.trainable:,} trainable)', ""]
    lines += ["| dtype | bytes/param | bytes | size |", "|:--|--:|--:|--:|"]
    for w in memory.weights:
        mark = " (checkpoint)" if memory.checkpoint_dtype and w.dtype == memory.checkpoint_dtype else ""
        lines.append(f"| {w.dtype}{mark} | {w.per_param} | {w.bytes:,} | {readable_size(w.bytes)} |")
    lines.append("")
    if memory.active is not None:
        lines += [f"Mixture of experts: each token uses {memory.active:,} parameters; all must be loaded.", ""]
    lines += ["Training with Adam:", "", "| recipe | part | bytes/param × params | bytes | size |"]
    lines.append("|:--|:--|:--|--:|--:|")
    for recipe in memory.training:
        for part in recipe.parts:
            name, states, per, nbytes, size = _part_line(part)
            lines.append(f"| {recipe.title} | {name}: {part.what} | {states} {per} | {nbytes} | {size} |")
        lines.append(
            f"| **{recipe.title}** | **total: {recipe.per_param} B/param** | | **{recipe.bytes:,}** | "
            f"**{readable_size(recipe.bytes)}** |"
        )
    lines += ["", f"Not included: {', '.join(EXCLUDED)}."]
    return "\n".join(lines) + "\n"
