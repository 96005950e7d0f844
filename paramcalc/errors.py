"""Errors that know where they happened and render themselves as one line.

Every problem a user can cause (a bad spec, a bad flag, a layer that cannot take its
input) is a :class:`ParamcalcError`.  The CLI prints ``error.render()`` to stderr and
exits with ``error.exit_code`` (2), so no traceback ever reaches a user.  Errors are
raised deep in the rules without context; the engine and the spec readers add the
location and layer on the way out (:meth:`ParamcalcError.with_context`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

MAX_LINE = 1000
"""Longest error line: a message quoting a user's value is cut, never spread over a screen."""


class Location(NamedTuple):
    """Where a piece of a spec came from: a file (or ``<inline>``/``<stdin>``) and a position.

    A small immutable value that never sits among a layer's arguments, so a ``NamedTuple``
    (docs/architecture.md, "Records"): a reader makes one or two per layer.
    """

    source: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.source}:{self.line}"
        if self.column is not None:
            return f"{self.source}:col {self.column}"
        return self.source


class ParamcalcError(Exception):
    """A user-facing error: message, optional location, layer description and hint."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        layer: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.layer = layer
        self.hint = hint

    def with_context(self, *, location: Location | None = None, layer: str | None = None) -> ParamcalcError:
        """Fill in the location and layer if the raiser did not know them (inner wins)."""
        if self.location is None:
            self.location = location
        if self.layer is None:
            self.layer = layer
        return self

    def render(self, *, location: bool = True) -> str:
        """One line: ``where: layer: message — hint``, with newlines flattened.

        ``location=False`` leaves out ``where`` (for outputs that carry it separately,
        such as a GitHub annotation's ``file=`` and ``line=``).
        """
        parts = []
        if location and self.location is not None:
            parts.append(str(self.location))
        if self.layer:
            parts.append(self.layer)
        text = self.message
        if self.hint:
            text = f"{text} — {self.hint}"
        parts.append(text)
        line = " ".join(": ".join(parts).split())
        return line if len(line) <= MAX_LINE else line[: MAX_LINE - 3] + "..."

    def __str__(self) -> str:
        return self.render()


class SpecError(ParamcalcError):
    """The spec text itself is malformed: bad YAML, bad inline syntax, wrong entry shape."""


class LayerError(ParamcalcError):
    """A layer's arguments or input shape are not acceptable to its rule."""


class UsageError(ParamcalcError):
    """A command-line flag or argument is wrong (a bad --input shape, an unknown dtype)."""


def close_match(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice closest to ``word`` for a "did you mean" hint, or None.

    difflib is imported here, on the error path, not at start-up.
    """
    from difflib import get_close_matches

    found = get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return found[0] if found else None
