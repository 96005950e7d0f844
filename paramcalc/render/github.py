"""GitHub Actions workflow commands: annotations that show on a pull request's lines.

``::error file=specs/model.yaml,line=3,title=Parameter budget exceeded::message``.  The
runner reads these lines from a step's output.  Escaping follows the runner's rules
(actions/toolkit, ``command.ts``): in the message ``%``, CR and LF become ``%25``,
``%0D``, ``%0A``; in a property value ``:`` and ``,`` also become ``%3A`` and ``%2C``.
"""

from __future__ import annotations


def escape_data(text: str) -> str:
    """Escape an annotation's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    message: str, *, level: str = "error", file: str | None = None, line: int | None = None, title: str | None = None
) -> str:
    """One workflow-command line: ``::error file=…,line=…,title=…::message``."""
    props = [(key, value) for key, value in (("file", file), ("line", line), ("title", title)) if value is not None]
    head = ",".join(f"{key}={escape_property(str(value))}" for key, value in props)
    return f"::{level}{' ' + head if head else ''}::{escape_data(message)}"
