"""The summary as a Markdown table (for READMEs, pull requests and lecture notes)."""

from __future__ import annotations

from paramcalc.render import derivation
from paramcalc.render.summary_text import (
    connected_text,
    layer_label,
    note_lines,
    output_text,
    params_text,
    totals_lines,
)
from paramcalc.report import Report


def _cell(text: str) -> str:
    return text.replace("|", r"\|")


def summary(report: Report, explain: bool = False) -> str:
    """Keras' summary columns as a GitHub Markdown table, totals as a list, derivations after."""
    header = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if report.graph else [])
    align = [":--", ":--", "--:"] + ([":--"] if report.graph else [])
    lines = [f'**Model: "{report.name}"**', "", "| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    for row in report.layers:
        cells = [layer_label(row).strip(), f"`{output_text(row)}`", params_text(row, " ")]
        if report.graph:
            cells.append(connected_text(row))
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines.append("")
    for label, value in totals_lines(report):
        lines.append(f"- **{label}:** {value}")
    for note in note_lines(report):
        lines.append(f"- *Note:* {note}")
    if explain:
        for row in report.layers:
            lines += ["", derivation.markdown(row).rstrip()]
    return "\n".join(lines) + "\n"
