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

from paramcalc.render.summary_text import (
    FLOPS_NOTE,
    connected_text,
    flops_lines,
    flops_text,
    layer_label,
    note_lines,
    output_text,
    params_text,
    totals_lines,
)
from paramcalc.report import Report

if TYPE_CHECKING:  # the diff modules load with `paramcalc diff`, not with every summary table
    from paramcalc.diff import ModelDiff
    from paramcalc.flops import FlopReport


def print_table(
    report: Report,
    file: TextIO,
    explain: bool = False,
    width: int | None = None,
    expand_nested: bool = False,
    flops: FlopReport | None = None,
    tokens: int | None = None,
) -> None:
    """Print the summary table of ``report`` to ``file`` as Keras' ``model.summary()`` does.

    The "Connected to" column appears when Keras shows it: for a graph that is not a plain
    chain.  ``expand_nested`` lists the layers of nested models under them (``└ ``).
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
    header = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if graph else [])
    justify = ["left", "left", "right", "left"]
    if flops is not None:  # a FLOPs column after Param #, the table 24 columns wider
        wider = line_length + 24
        positions = [p * line_length / wider for p in positions]
        positions.insert(3, positions[2] + 24 / wider)
        if graph:
            positions[-1] = 1.0
        else:
            positions[3] = 1.0
        line_length = wider
        header.insert(3, "FLOPs")
        justify.insert(3, "right")
    columns = []
    current = 0
    for i, (name, pos) in enumerate(zip(header, positions, strict=False)):
        col_width = int(pos * line_length) - current
        current += col_width
        columns.append(rich.table.Column(name, justify=justify[i], width=col_width))  # type: ignore[arg-type]
    table = rich.table.Table(*columns, width=line_length, show_lines=True, box=rich.box.HEAVY_HEAD)
    rows = report.rows(expand_nested)
    for index, row in enumerate(rows):
        cells = [rich.markup.escape(layer_label(row)), output_text(row), params_text(row)]
        if flops is not None:
            cells.append(flops_text(flops.rows[index]))
        if graph:
            cells.append(rich.markup.escape(connected_text(row)))
        table.add_row(*cells)
    console = rich.console.Console(
        file=file, highlight=False, width=max(line_length, 40), soft_wrap=False, emoji=False
    )  # emoji=False: a layer named ":smile:" stays as written (and rich skips loading its emoji table)
    console.print(f'[bold]Model: "{rich.markup.escape(report.name)}"[/]')
    console.print(table)
    for label, value in totals_lines(report):
        console.print(f"[bold] {label}: [/]{rich.markup.escape(value)}")
    if flops is not None:
        for label, value in flops_lines(flops, tokens):
            console.print(f"[bold] {label}: [/]{rich.markup.escape(value)}")
    for note in note_lines(report) + ([FLOPS_NOTE] if flops is not None else []):
        console.print(f" Note: {rich.markup.escape(note)}")
    if explain:
        from paramcalc.render import derivation  # only with --explain

        for row in rows:
            console.print()
            text = derivation.text(row)
            if flops is not None:
                text = text.rstrip() + "\n" + derivation.flops_text(row, report.framework, flops.sizes)
            console.print(rich.markup.escape(text), highlight=False)


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
