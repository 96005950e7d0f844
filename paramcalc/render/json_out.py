"""JSON output: ``Report.to_dict()`` serialised; exact integers, stable keys (schema 1)."""

from __future__ import annotations

import json

from paramcalc.report import Report


def dumps(report: Report) -> str:
    """The report as indented JSON text (other tools and CI parse this)."""
    return json.dumps(report.to_dict(), indent=2)
