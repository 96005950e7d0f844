"""JSON output: a document's ``to_dict()`` serialised; exact integers, stable keys (schema 1).

Reports, check runs, diffs and solutions all carry ``schema`` (see README, "JSON output").
"""

from __future__ import annotations

import json
from typing import Any, Protocol


class Document(Protocol):
    """Anything with a JSON form: Report, CheckRun, ModelDiff, Solution."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON document."""
        ...


def dumps(document: Document) -> str:
    """The document as indented JSON text (other tools and CI parse this)."""
    return json.dumps(document.to_dict(), indent=2)
