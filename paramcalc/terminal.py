"""Fitting output to the terminal it is printed to, and keeping a stable width when piped.

A table drawn 88 columns wide on an 80-column terminal wraps every line into a mess.  On a
terminal, tables shrink their name and shape columns (the Param # column keeps the width
of its widest number: a number is never split), and prose lines (a layer's explanation,
``paramcalc layers``) wrap at word boundaries.  Piped or redirected output keeps the fixed
widths, so a file or a CI log is the same on every machine, whatever ``COLUMNS`` says.
"""

from __future__ import annotations

from typing import TextIO

MIN_WIDTH = 40
"""Narrowest width drawn: below it a table cannot hold a name, a shape and a number."""


def terminal_columns(file: TextIO) -> int | None:
    """The width of the terminal ``file`` writes to; None when it is not a terminal (a pipe, a file)."""
    try:
        if not file.isatty():
            return None
    except (AttributeError, ValueError, OSError):
        return None
    import shutil  # a terminal only: piped output (every CI run) never loads it, nor its compression modules

    return max(MIN_WIDTH, shutil.get_terminal_size((80, 24)).columns)


def fit(width: int, file: TextIO) -> int:
    """``width``, or the terminal's width when that is narrower."""
    columns = terminal_columns(file)
    return min(width, columns) if columns is not None else width


def wrap_prose(text: str, file: TextIO) -> str:
    """Wrap lines wider than the terminal at spaces, keeping each line's indent; unchanged when piped.

    Words are never broken (``break_long_words=False``), so a number or a shape stays whole.
    """
    columns = terminal_columns(file)
    if columns is None:
        return text
    import textwrap

    out = []
    for line in text.split("\n"):
        if len(line) <= columns:
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip(" "))]
        out.extend(
            textwrap.wrap(
                line,
                width=columns,
                subsequent_indent=indent + "  ",
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [line]
        )
    return "\n".join(out)
