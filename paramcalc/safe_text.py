r"""Safe output: text from a spec never drives the terminal, and any console can print every command.

A spec comes from anyone: a layer named ``"\\x1b]0;pwned\\x07"`` would retitle the
terminal (OSC), ``"\\x1b[2J"`` clear it, a path holding a newline and ``::error::`` would
start a GitHub workflow command.  Rather than trusting each renderer to escape each name,
:func:`guarded_output` wraps stdout and stderr for the whole run: every control character
(C0 but tab and newline, DEL, C1, and the bidirectional overrides of "Trojan Source") is
written as ``\\u001b``, which is also a valid JSON escape, so JSON output stays valid and
decodes to the same text.  The summary table is the only styled output: rich writes its
own SGR codes to :attr:`GuardedStream.styled`, and its cells are escaped with
:func:`escape_controls` before rich sees them.

The same wrapper makes a console that cannot encode Unicode (a Windows console,
``PYTHONIOENCODING=cp1252``) print ASCII fallbacks (``->``, ``x``) instead of failing.
"""

from __future__ import annotations

import codecs
import re
import reprlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, TextIO

_CONTROL = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
_CONTROL_OR_NEWLINE = "[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
"""Characters escaped, as patterns compiled on first use (``re`` caches them): every one is
outside :meth:`str.isprintable`, so a printable text, nearly every name, needs no regex at all."""
_ASCII_KEPT = bytes(range(0x20, 0x7F)) + b"\t\n"
"""The ASCII characters :data:`_CONTROL` leaves alone: ``summary --format json`` writes megabytes
of them on a large spec (newlines make :meth:`str.isprintable` false), and deleting them with
``bytes.translate`` checks a text ten times faster than the regex scans it."""

FALLBACKS = {
    "→": "->",
    "←": "<-",
    "×": "x",
    "·": "*",
    "…": "...",
    "—": "--",
    "–": "-",
    "Δ": "d",
    "└": "`-",
    "├": "|-",
    "│": "|",
    "─": "-",
    "≤": "<=",
    "≥": ">=",
    "≈": "~",
    "≠": "!=",
    "²": "^2",
    "³": "^3",
    "⁶": "^6",
    "₂": "2",
    "√": "sqrt",
    "∑": "sum",
    "Σ": "sum",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "•": "*",
    "━": "-",
    "┃": "|",
    "┏": "+",
    "┓": "+",
    "┗": "+",
    "┛": "+",
    "┡": "+",
    "┩": "+",
    "╇": "+",
    "┳": "+",
    "┻": "+",
    "┼": "+",
    "┌": "+",
    "┐": "+",
    "┘": "+",
    "┤": "+",
    "┬": "+",
    "┴": "+",
    "╭": "+",
    "╮": "+",
    "╰": "+",
    "╯": "+",
}
"""ASCII stand-ins for the non-ASCII characters paramcalc prints (arrows, ×, ·, box drawing)."""

ERROR_HANDLER = "paramcalc-ascii"


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_controls(text: str, newlines: bool = True) -> str:
    r"""``text`` with every control character shown as ``\\u001b`` (keeping tab and, if ``newlines``, LF)."""
    if text.isprintable():
        return text
    if newlines and text.isascii() and not text.encode("ascii").translate(None, _ASCII_KEPT):
        return text  # lines of printable ASCII (JSON, tables): nothing for the regex to escape
    pattern = _CONTROL if newlines else _CONTROL_OR_NEWLINE
    return re.sub(pattern, _escape, text)


def has_controls(text: str) -> bool:
    """Whether ``text`` holds a control character (newlines included)."""
    return not text.isprintable() and re.search(_CONTROL_OR_NEWLINE, text) is not None


def one_line(text: str) -> str:
    """``text`` safe to print as one line: newlines and every other control character escaped."""
    return escape_controls(text, newlines=False)


def _ascii_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: a character the console cannot encode becomes its ASCII stand-in."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start : error.end]
    out = "".join(FALLBACKS.get(char) or char.encode("ascii", "backslashreplace").decode("ascii") for char in chunk)
    return out, error.end


codecs.register_error(ERROR_HANDLER, _ascii_fallback)


class OutputClosed(Exception):  # noqa: N818 - an event, not an error of the user's
    """The reader of stdout went away (``| head``).

    Not an ``OSError``: click turns a broken pipe into exit status 1, which ``check`` uses
    for "over budget"; the CLI answers this one with 141, as a shell would.
    """


class GuardedStream:
    """A text stream that escapes control characters before they reach ``target``.

    ``styled`` writes unescaped, for rich's own styling (its cells are escaped first).
    """

    def __init__(self, target: TextIO, escape: bool = True) -> None:
        self._target = target
        self._escape = escape
        self.styled = GuardedStream(target, escape=False) if escape else self

    def write(self, text: str) -> int:
        """Write ``text``, its control characters escaped (unless this is the styled side)."""
        try:
            self._target.write(escape_controls(text) if self._escape else text)
        except BrokenPipeError:
            raise OutputClosed from None
        return len(text)

    def flush(self) -> None:
        """Flush the stream beneath; a closed pipe becomes :class:`OutputClosed`."""
        try:
            self._target.flush()
        except BrokenPipeError:
            raise OutputClosed from None

    def __getattr__(self, name: str) -> Any:  # encoding, isatty, fileno, ...
        if name == "buffer":  # click must write through this stream, not around it to the bytes beneath
            raise AttributeError(name)
        return getattr(self._target, name)


def _with_fallbacks(stream: Any) -> str | None:
    """Switch a real text stream to ASCII fallbacks for what its encoding cannot hold; the old setting."""
    reconfigure = getattr(stream, "reconfigure", None)
    errors = getattr(stream, "errors", None)
    encoding = str(getattr(stream, "encoding", "") or "").lower().replace("_", "-")
    if reconfigure is None or not isinstance(errors, str) or encoding in ("utf-8", "utf8"):
        return None
    try:
        stream.flush()
        reconfigure(errors=ERROR_HANDLER)
    except (OSError, ValueError):
        return None
    return errors


@contextmanager
def guarded_output() -> Iterator[None]:
    """For one CLI run: stdout and stderr escape control characters and fall back to ASCII."""
    import sys

    saved = sys.stdout, sys.stderr
    restore = [(stream, _with_fallbacks(stream)) for stream in saved if stream is not None]
    if sys.stdout is not None:
        sys.stdout = GuardedStream(sys.stdout)
    if sys.stderr is not None:
        sys.stderr = GuardedStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
        for stream, errors in restore:
            if errors is not None:
                with suppress(OSError, ValueError):
                    getattr(stream, "reconfigure")(errors=errors)  # noqa: B009 - TextIO does not declare it


def silence_stdout() -> None:
    """Point stdout's descriptor at /dev/null, so the interpreter's last flush meets no closed pipe."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ is not None else 1)
        os.close(devnull)
    except (OSError, ValueError):
        pass


class _ShortRepr(reprlib.Repr):
    """``repr`` bounded in depth, length and integer size, so any value is safe to show."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxstring = 40
        self.maxother = 40

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:  # str() of a huge int is slow, and refused past 4300 digits
            return f"<{x.bit_length()}-bit integer>"
        return repr(x)

    def repr_LayerSpec(self, x: Any, level: int) -> str:  # noqa: N802 - reprlib's naming scheme
        return f"{x.class_name}(...)"


_SHORT_REPR = _ShortRepr()


def describe_value(value: object) -> str:
    """A short, safe description of a value for error messages (never its whole repr).

    Here, not in a spec reader, because every stage quotes user values: readers, the rules'
    argument checks and the engine.
    """
    text = _SHORT_REPR.repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
