"""``summary --by module`` and ``summary --percent``: where the parameters go, in every format.

Plain text (no rich: the breakdown is a few aligned lines), Markdown and JSON; the
``--percent`` table is the summary table with one more column.  Text and Markdown list
the groups that hold parameters (a Llama has no ``ssm`` row); JSON lists every group, so
its keys never depend on the model.
"""

from __future__ import annotations

import json
from typing import TextIO

from paramcalc.breakdown import bar, by_module, share, to_dict
from paramcalc.report import Report


def text(report: Report) -> str:
    """Aligned lines: group, parameters, share of the total, a bar."""
    groups = _held(report)
    total = report.total
    width = max(len(f"{total:,}"), 6)
    lines = [f'Where the parameters go: "{report.name}", {total:,} params']
    for name, params in groups.items():
        lines.append(f"  {name:<10}  {params:>{width},}  {share(params, total):>6}  {bar(params, total, 20)}".rstrip())
    return "\n".join(lines) + "\n"


def markdown(report: Report) -> str:
    """A Markdown table of the groups."""
    groups = _held(report)
    total = report.total
    lines = [
        f'**Where the parameters go: "{report.name}"** ({total:,} params)',
        "",
        "| Group | Params | % |",
        "|:--|--:|--:|",
    ]
    lines += [f"| {name} | {params:,} | {share(params, total)} |" for name, params in groups.items()]
    return "\n".join(lines) + "\n"


def _held(report: Report) -> dict[str, int]:
    """The groups holding parameters (all of them for a model without any)."""
    groups = by_module(report)
    return {name: params for name, params in groups.items() if params} or groups


def print_breakdown(report: Report, fmt: str, file: TextIO) -> None:
    """``summary --by module`` in ``fmt`` (``text`` prints the table)."""
    if fmt == "json":
        file.write(json.dumps(to_dict(report), indent=2) + "\n")
    elif fmt == "markdown":
        file.write(markdown(report))
    else:
        file.write(text(report))


__all__ = ["markdown", "print_breakdown", "text"]
