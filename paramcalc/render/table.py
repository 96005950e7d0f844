"""The Keras-style summary table, drawn with rich (the only module that imports it).

Layout follows ``keras/src/utils/summary_utils.py``: a heavy-headed table with lines
between rows, 88 columns for sequential models (108 with Connected to), then the
Total / Trainable / Non-trainable lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

import rich.box
import rich.console
import rich.markup
import rich.table
import rich.text
from rich.console import RenderableType

from paramcalc.breakdown import bar, share
from paramcalc.render.summary_text import (
    connected_text,
    layer_label,
    note_lines,
    params_text,
    shape_cell,
    shape_header,
    totals_lines,
)
from paramcalc.report import Report

SHARE_WIDTH = 20
"""Width of the ``%`` column: ``100.0%`` and a ten-cell bar, with the table's padding."""

if TYPE_CHECKING:  # the diff modules load with `paramcalc diff`, not with every summary table
    from paramcalc.diff import ModelDiff


def print_table(
    report: Report,
    file: TextIO,
    explain: bool = False,
    width: int | None = None,
    expand_nested: bool = False,
    percent: bool = False,
) -> None:
    """Print the summary table of ``report`` to ``file`` as Keras' ``model.summary()`` does.

    The "Connected to" column appears when Keras shows it: for a graph that is not a plain
    chain.  ``expand_nested`` lists the layers of nested models under them (``└ ``).
    """
    parts, line_length = summary_renderables(report, explain, width, expand_nested, percent)
    console = rich.console.Console(
        file=file, highlight=False, width=max(line_length, 40), soft_wrap=False, emoji=False
    )  # emoji=False: a layer named ":smile:" stays as written (and rich skips loading its emoji table)
    for part in parts:
        console.print(part)


def table_text(report: Report, explain: bool = False, expand_nested: bool = False) -> str:
    """The summary exactly as ``paramcalc summary`` prints it to a file or pipe (no colours): ``str(report)``."""
    import io

    buffer = io.StringIO()
    print_table(report, buffer, explain=explain, expand_nested=expand_nested)
    return buffer.getvalue()


def summary_renderables(
    report: Report,
    explain: bool = False,
    width: int | None = None,
    expand_nested: bool = False,
    percent: bool = False,
) -> tuple[list[RenderableType], int]:
    """The title, table, totals and notes (and derivations) as rich renderables, and the table's width.

    :func:`print_table` prints them; a report shown in a rich console (``__rich_console__``) yields them.
    """
    graph = report.show_connections
    repeated = any(row.copies for row in report.layers)
    line_length = width or (108 if graph or repeated else 88)
    if graph:
        positions = [0.3, 0.56, 0.74, 1.0]
    elif repeated:
        positions = [0.5, 0.76, 1.0]
    else:
        positions = [0.45, 0.80, 1.0]
    header = ["Layer (type)", shape_header(report), "Param #"] + (["Connected to"] if graph else [])
    justify = ["left", "left", "right", "left"]
    columns = []
    current = 0
    for i, (name, pos) in enumerate(zip(header, positions, strict=False)):
        col_width = int(pos * line_length) - current
        current += col_width
        columns.append(rich.table.Column(name, justify=justify[i], width=col_width))  # type: ignore[arg-type]
    if percent:  # summary --percent: each row's share of the total, with a bar (issue 15)
        columns.append(rich.table.Column("%", justify="left", width=SHARE_WIDTH))
        line_length += SHARE_WIDTH
    table = rich.table.Table(*columns, width=line_length, show_lines=True, box=rich.box.HEAVY_HEAD)
    rows = report.rows(expand_nested)
    total = report.total
    for row in rows:
        cells = [rich.markup.escape(layer_label(row)), rich.markup.escape(shape_cell(report, row)), params_text(row)]
        if graph:
            cells.append(rich.markup.escape(connected_text(row)))
        if percent:
            cells.append(f"{share(row.params, total):>6} {bar(row.params, total)}")
        table.add_row(*cells)
    parts: list[RenderableType] = [f'[bold]Model: "{rich.markup.escape(report.name)}"[/]', table]
    for label, value in totals_lines(report):
        parts.append(f"[bold] {label}: [/]{rich.markup.escape(value)}")
    for note in note_lines(report):
        parts.append(f" Note: {rich.markup.escape(note)}")
    if explain:
        from paramcalc.render import derivation  # only with --explain

        for row in rows:
            parts.append("")
            parts.append(rich.text.Text(derivation.text(row)))
    return parts, line_length


def print_diff(diff: ModelDiff, file: TextIO, width: int = 120) -> None:
    """Print two models side by side: each layer's parameters in A and B, the delta, changed weights."""
    from paramcalc.render import diff_text

    justify = ("left", "left", "left", "right", "right", "right")
    table = rich.table.Table(width=width, show_lines=False, box=rich.box.HEAVY_HEAD)
    for name, side in zip(diff_text.HEADER, justify, strict=True):
        table.add_column(name, justify=side)  # type: ignore[arg-type]
    for row in diff_text.rows(diff):
        cells = [rich.markup.escape(cell) for cell in row.cells]
        table.add_row(*cells, style="dim" if row.weight else None)
    console = rich.console.Console(file=file, highlight=False, width=width, soft_wrap=False)
    console.print(f"[bold]{rich.markup.escape(diff_text.title(diff))}[/]", soft_wrap=True)
    console.print(table)
    for label, value in diff_text.totals_lines(diff):
        console.print(f"[bold] {label}: [/]{rich.markup.escape(value)}")
    console.print(rich.markup.escape(diff_text.verdict(diff)))
