"""Write a long list of words as a dict entry of one space-separated string, as ruff format keeps it.

Why: generated tables (paramcalc/rules/index.py, paramcalc/spec/hf_schema_decoders.py) would need
one line per entry as dict literals and outgrow the 450-line budget of a module; a string of words
per key, expanded at import, takes a few lines per key and imports faster than the literal did.
The text is what ``ruff format`` leaves unchanged, so CI's format check passes on regenerated files:
one line when the entry fits, else an implicitly concatenated string in parentheses, one line per
part (ruff joins the parts only when the whole string fits on one line, which greedy packing rules out).
"""

from __future__ import annotations

LINE_LENGTH = 120
"""ruff's line length (pyproject.toml)."""


def chunks(words: list[str], width: int) -> list[str]:
    """Space-separated words packed greedily into strings of at most ``width`` characters,
    each but the last ending with the space before the next word."""
    out: list[str] = []
    line = ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            out.append(line)
            line = ""
        line += word + " "
    return [*out, line.rstrip()]


def entry(key: str, words: list[str], indent: int) -> str:
    """The dict entry ``"key": "word word ...",`` (with its newline) at ``indent`` spaces."""
    pad = " " * indent
    single = f'{pad}"{key}": "{" ".join(words)}",'
    if len(single) <= LINE_LENGTH:
        return single + "\n"
    inner = pad + "    "
    parts = chunks(words, LINE_LENGTH - len(inner) - 2)
    body = "".join(f'{inner}"{part}"\n' for part in parts)
    return f'{pad}"{key}": (\n{body}{pad}),\n'
