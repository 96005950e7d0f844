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

from paramcalc.render.summary_text import (
    FLOPS_NOTE,
    connected_text,
    flops_lines,
    flops_text,
    fold_rows,
    layer_label,
    note_lines,
    params_text,
    shape_cell,
    shape_header,
    totals_lines,
)
from paramcalc.report import LayerRow, Report
from paramcalc.safe_text import escape_controls
from paramcalc.terminal import fit, wrap_prose

SHARE_WIDTH = 20
"""Width of the ``%`` column: ``100.0%`` and a ten-cell bar, with the table's padding."""

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
    percent: bool = False,
) -> None:
    """Print the summary table of ``report`` to ``file`` as Keras' ``model.summary()`` does.

    The "Connected to" column appears when Keras shows it: for a graph that is not a plain
    chain.  ``expand_nested`` lists the layers of nested models under them (``└ ``).
    """
    parts, line_length = summary_renderables(report, explain, width, expand_nested, flops, tokens, percent, file)
    console = rich.console.Console(
        file=_styled(file), highlight=False, width=max(line_length, 40), soft_wrap=False, emoji=False
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
    flops: FlopReport | None = None,
    tokens: int | None = None,
    percent: bool = False,
    file: TextIO | None = None,
) -> tuple[list[RenderableType], int]:
    """The title, table, totals and notes (and derivations) as rich renderables, and the table's width.

    :func:`print_table` prints them to ``file`` (fitted to its terminal); a report shown in a
    rich console (``__rich_console__``) yields them.
    """
    graph = report.show_connections
    all_rows = report.rows(expand_nested)
    rows = fold_rows(all_rows) if not graph else all_rows
    _refuse_large_table(len(rows), "--format json or --format markdown")
    repeated = any(row.copies for row in rows)
    full = 108 if graph or repeated else 88
    line_length = width or full
    if graph:
        positions = [0.3, 0.56, 0.74, 1.0]
    elif repeated:
        positions = [0.5, 0.76, 1.0]
    else:
        positions = [0.45, 0.80, 1.0]
    header = ["Layer (type)", shape_header(report), "Param #"] + (["Connected to"] if graph else [])
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
        full += 24
        header.insert(3, "FLOPs")
        justify.insert(3, "right")
    if width is None and file is not None:
        line_length = fit(full, file)
    flop_cells = _folded_flops(all_rows, rows, flops.rows) if flops is not None else []
    numbers = {3: ["FLOPs", *(flops_text(cell) for cell in flop_cells)]} if flops is not None else None
    widths = _column_widths(positions, line_length, full, rows, numbers)
    columns = [
        rich.table.Column(name, justify=justify[i], width=w, no_wrap=i == 2)  # type: ignore[arg-type]
        for i, (name, w) in enumerate(zip(header, widths, strict=False))
    ]
    if percent:  # summary --percent: each row's share of the total, with a bar
        columns.append(rich.table.Column("%", justify="left", width=SHARE_WIDTH))
        line_length += SHARE_WIDTH
    table = rich.table.Table(*columns, width=line_length, show_lines=True, box=rich.box.HEAVY_HEAD)
    total = report.total
    for index, row in enumerate(rows):
        cells = [_escape(layer_label(row)), _escape(shape_cell(report, row)), params_text(row)]
        if flops is not None:
            cells.append(flops_text(flop_cells[index]))
        if graph:
            cells.append(_escape(connected_text(row)))
        if percent:
            from paramcalc.breakdown import bar, share  # --percent only

            cells.append(f"{share(row.params, total):>6} {bar(row.params, total)}")
        table.add_row(*cells)
    parts: list[RenderableType] = [f'[bold]Model: "{_escape(report.name)}"[/]', table]
    for label, value in totals_lines(report):
        parts.append(f"[bold] {label}: [/]{_escape(value)}")
    if flops is not None:
        for label, value in flops_lines(flops, tokens):
            parts.append(f"[bold] {label}: [/]{_escape(value)}")
    for note in note_lines(report) + ([FLOPS_NOTE] if flops is not None else []):
        parts.append(f" Note: {_escape(note)}")
    if explain:
        from paramcalc.render import derivation  # only with --explain

        for row in rows:
            parts.append("")
            text = derivation.text(row)
            if flops is not None:
                text = text.rstrip() + "\n" + derivation.flops_text(row, report.framework, flops.sizes)
            shown = wrap_prose(text, file) if file is not None else text
            parts.append(rich.text.Text(escape_controls(shown)))
    return parts, line_length


def print_diff(diff: ModelDiff, file: TextIO, width: int = 120) -> None:
    """Print two models side by side: each layer's parameters in A and B, the delta, changed weights."""
    from paramcalc.render import diff_text

    justify = ("left", "left", "left", "right", "right", "right")
    narrow = fit(width, file) < width  # on a narrower terminal the counts keep their width, the rest wraps
    table = rich.table.Table(width=width, show_lines=False, box=rich.box.HEAVY_HEAD)
    rows = diff_text.rows(diff)
    _refuse_large_table(len(rows), "--format markdown or --format json")
    for i, (name, side) in enumerate(zip(diff_text.HEADER, justify, strict=True)):
        widest = max([len(name), *(len(row.cells[i]) for row in rows)]) if side == "right" else None
        long_number = widest is not None and widest > 20  # a 19-digit count: rich would cut it ("9,223,…")
        table.add_column(
            name,
            justify=side,  # type: ignore[arg-type]
            no_wrap=(narrow or long_number) and side == "right",
            min_width=widest if long_number else None,
        )
    for row in rows:
        cells = [_escape(cell) for cell in row.cells]
        table.add_row(*cells, style="dim" if row.weight else None)
    width = fit(width, file)
    table.width = width
    console = rich.console.Console(file=_styled(file), highlight=False, width=width, soft_wrap=False)
    console.print(f"[bold]{_escape(diff_text.title(diff))}[/]", soft_wrap=True)
    console.print(table)
    for label, value in diff_text.totals_lines(diff):
        console.print(f"[bold] {label}: [/]{_escape(value)}")
    console.print(_escape(diff_text.verdict(diff)))


def _folded_flops(rows: list[LayerRow], folded: list[LayerRow], flops: list[int | None]) -> list[int | None]:
    """Each shown row's FLOPs: a row :func:`fold_rows` made of a run of layers has their sum."""
    out: list[int | None] = []
    at = 0
    for row in folded:
        if at < len(rows) and row is rows[at]:
            out.append(flops[at])
            at += 1
            continue
        run = flops[at : at + len(row.copies)]
        out.append(None if None in run else sum(v for v in run if v is not None))
        at += len(row.copies)
    return out


def _column_widths(
    positions: list[float],
    line_length: int,
    full: int,
    rows: list[LayerRow],
    numbers: dict[int, list[str]] | None = None,
) -> list[int]:
    """Keras' column proportions, with the Param # column (and any other column of ``numbers``:
    FLOPs) wide enough for its widest number when the terminal is narrower or a number is
    longer than Keras' layout holds (a 19-digit count, 10**30 FLOPs): a number is never cut.

    The other columns share the rest: rich wraps names and shapes, never a count.
    """
    widths, current = [], 0
    for pos in positions:
        widths.append(int(pos * line_length) - current)
        current += widths[-1]
    texts = {2: ["Param #", *(line for row in rows for line in params_text(row).split("\n"))], **(numbers or {})}
    needed = {i: max(len(text) for text in column) + 3 for i, column in texts.items()}
    if line_length >= full and all(widths[i] >= n for i, n in needed.items()):
        return widths  # Keras' own layout, byte for byte
    grow = {i: n for i, n in needed.items() if widths[i] < n}
    if grow:
        spare = sum(widths) - sum(grow.values())
        others = [i for i in range(len(widths)) if i not in grow]
        share = sum(widths[i] for i in others)
        for i in others:
            widths[i] = max(6, widths[i] * spare // share)
        for i, n in grow.items():
            widths[i] = n
        first = others[0]
        widths[first] += line_length - sum(widths)  # the name column takes what rounding left
    return widths


def _refuse_large_table(count: int, instead: str) -> None:
    """Rich draws about 2,000 rows a second: a table past :data:`~paramcalc.limits.MAX_TABLE_ROWS` is refused."""
    from paramcalc.errors import UsageError
    from paramcalc.limits import MAX_TABLE_ROWS

    if count > MAX_TABLE_ROWS:
        raise UsageError(
            f"the table would draw {count:,} rows, more than {MAX_TABLE_ROWS:,}",
            hint=f"use {instead} (paramcalc's limit, see README, Limits)",
        )


def _escape(text: str) -> str:
    """Text from a spec as a rich cell: markup and control characters escaped (rich writes around the guard)."""
    return rich.markup.escape(escape_controls(text))


def _styled(file: TextIO) -> TextIO:
    """The stream rich may write its own styling to: beneath the control-character guard, if any."""
    styled: TextIO = getattr(file, "styled", file)
    return styled
