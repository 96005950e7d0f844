"""The summary as a Markdown table (for READMEs, pull requests and lecture notes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paramcalc.breakdown import share
from paramcalc.diff import ModelDiff
from paramcalc.render import derivation, diff_text
from paramcalc.render.summary_text import (
    FLOPS_NOTE,
    connected_text,
    flops_lines,
    flops_text,
    layer_label,
    note_lines,
    params_text,
    shape_cell,
    shape_header,
    totals_lines,
)
from paramcalc.report import Report

if TYPE_CHECKING:
    from paramcalc.flops import FlopReport


def _cell(text: str) -> str:
    return text.replace("|", r"\|")


def summary(
    report: Report,
    explain: bool = False,
    expand_nested: bool = False,
    flops: FlopReport | None = None,
    tokens: int | None = None,
    percent: bool = False,
) -> str:
    """Keras' summary columns as a GitHub Markdown table, totals as a list, derivations after.

    ``flops`` adds a FLOPs column (``summary --flops``), ``percent`` a ``%`` column, each
    row's share of the total (``summary --percent``).
    """
    graph = report.show_connections
    header = (
        ["Layer (type)", shape_header(report), "Param #"]
        + (["FLOPs"] if flops else [])
        + (["Connected to"] if graph else [])
    )
    align = [":--", ":--", "--:"] + (["--:"] if flops else []) + ([":--"] if graph else [])
    if percent:
        header.append("%")
        align.append("--:")
    lines = [f'**Model: "{report.name}"**', "", "| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    rows = report.rows(expand_nested)
    if explain:
        _refuse_many_derivations(len(rows))
    total = report.total  # a property summing every row: once, not once a row (10,000 rows took minutes)
    for index, row in enumerate(rows):
        cells = [layer_label(row).strip(), f"`{shape_cell(report, row)}`", params_text(row, " ")]
        if flops is not None:
            cells.append(flops_text(flops.rows[index]))
        if graph:
            cells.append(connected_text(row))
        if percent:
            cells.append(share(row.params, total))
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines.append("")
    for label, value in totals_lines(report):
        lines.append(f"- **{label}:** {value}")
    if flops is not None:
        for label, value in flops_lines(flops, tokens):
            lines.append(f"- **{label}:** {value}")
    for note in note_lines(report) + ([FLOPS_NOTE] if flops is not None else []):
        lines.append(f"- *Note:* {note}")
    if explain:
        for row in rows:
            lines += ["", derivation.markdown(row).rstrip()]
            if flops is not None:
                text = derivation.flops_text(row, report.framework, flops.sizes).strip("\n")
                lines += ["", "```text", text, "```"]
    return "\n".join(lines) + "\n"


def _refuse_many_derivations(count: int) -> None:
    """A derivation costs about 0.5 ms: past :data:`~paramcalc.limits.MAX_EXPLAINED_ROWS` rows, refuse."""
    from paramcalc.errors import UsageError
    from paramcalc.limits import MAX_EXPLAINED_ROWS

    if count > MAX_EXPLAINED_ROWS:
        raise UsageError(
            f"--explain would derive {count:,} rows, more than {MAX_EXPLAINED_ROWS:,}",
            hint="drop --expand-nested, or use the table, which folds repeated rows (paramcalc's limit, see README)",
        )


def diff(model_diff: ModelDiff) -> str:
    """A diff for a pull-request comment: the totals first, then the layers side by side."""
    a, b = model_diff.a, model_diff.b
    lines = [
        f"**paramcalc diff**: `{a.source}` → `{b.source}`: {a.total:,} → {b.total:,} parameters"
        f" ({diff_text.signed(model_diff.delta)}, {diff_text.percent(model_diff.delta, a.total)})",
        "",
        diff_text.verdict(model_diff),
        "",
        "| " + " | ".join(diff_text.HEADER) + " |",
        "|:--|:--|:--|--:|--:|--:|",
    ]
    for row in diff_text.rows(model_diff):
        cells = [_cell(c) for c in row.cells]
        if not row.weight:
            cells[1] = f"`{cells[1]}`" if cells[1] else ""
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for label, value in diff_text.totals_lines(model_diff):
        lines.append(f"- **{label}:** {value}")
    return "\n".join(lines) + "\n"
