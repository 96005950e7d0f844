"""The Keras-style summary table, drawn with rich (the only module that imports it).

Layout follows ``keras/src/utils/summary_utils.py``: a heavy-headed table with lines
between rows, 88 columns for sequential models (108 with Connected to), then the
Total / Trainable / Non-trainable lines.
"""

from __future__ import annotations

from typing import TextIO

import rich.box
import rich.console
import rich.markup
import rich.table

from paramcalc.render import derivation
from paramcalc.render.summary_text import connected_text, layer_label, output_text, totals_lines
from paramcalc.report import Report


def print_table(report: Report, file: TextIO, explain: bool = False, width: int | None = None) -> None:
    """Print the summary table of ``report`` to ``file`` as Keras' ``model.summary()`` does."""
    graph = report.graph
    line_length = width or (108 if graph else 88)
    positions = [0.3, 0.56, 0.74, 1.0] if graph else [0.45, 0.80, 1.0]
    header = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if graph else [])
    justify = ["left", "left", "right", "left"]
    columns = []
    current = 0
    for i, (name, pos) in enumerate(zip(header, positions, strict=False)):
        col_width = int(pos * line_length) - current
        current += col_width
        columns.append(rich.table.Column(name, justify=justify[i], width=col_width))  # type: ignore[arg-type]
    table = rich.table.Table(*columns, width=line_length, show_lines=True, box=rich.box.HEAVY_HEAD)
    for row in report.layers:
        cells = [rich.markup.escape(layer_label(row)), output_text(row), f"{row.params:,}"]
        if graph:
            cells.append(rich.markup.escape(connected_text(row)))
        table.add_row(*cells)
    console = rich.console.Console(
        file=file, highlight=False, width=max(line_length, 40), soft_wrap=False, emoji=False
    )  # emoji=False: a layer named ":smile:" stays as written (and rich skips loading its emoji table)
    console.print(f'[bold]Model: "{rich.markup.escape(report.name)}"[/]')
    console.print(table)
    for label, value in totals_lines(report):
        console.print(f"[bold] {label}: [/]{value}")
    if explain:
        for row in report.layers:
            console.print()
            console.print(rich.markup.escape(derivation.text(row)), highlight=False)
