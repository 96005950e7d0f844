"""paramcalc: count a neural network's parameters, and say why, without a framework.

The Python API (see :mod:`paramcalc.api`)::

    import paramcalc
    report = paramcalc.summary("specs/lstm.yaml")          # a Report: print(report) is the CLI's table
    paramcalc.count("LSTM(32, input_shape=(3, 10000)) | Dense(1)")   # 1284257
    paramcalc.explain("lstm", 32, input=10000)              # a Derivation: renders in Jupyter

Errors raise :class:`ParamcalcError` (its ``str()`` is the CLI's one-line message).

The package is layered so data flows one way, between stages as well as modules: ``spec``
(parse) -> ``engine`` + ``rules`` (shapes and named parameter terms) -> ``report`` (inert
data) -> ``render`` (text, JSON, Markdown, LaTeX).  Parsing finishes before counting
starts: the readers turn held layers and nested models into records too
(``spec.held``), and neither the engine nor the rules import a reader
(tests/test_stage_direction.py).  ``cli`` and ``api`` are thin shells over those pieces.  The engine is
split by job (``naming``, ``counting``, ``graph_build``), the rule registry too
(``rules.registry``, ``rules.binding``, ``rules.nested``, ``rules.masks``), and each
framework's conventions are one record in ``frameworks``; docs/architecture.md has the map.
Importing the package loads nothing else: the API's names are loaded on first use
(``__getattr__``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

if TYPE_CHECKING:  # type checkers and IDEs see the real names; at run time they load lazily
    from paramcalc.api import Derivation, count, explain, summary
    from paramcalc.errors import ParamcalcError
    from paramcalc.report import SCHEMA_VERSION, LayerRow, Report, Term

_LAZY = {
    "summary": "paramcalc.api",
    "count": "paramcalc.api",
    "explain": "paramcalc.api",
    "Derivation": "paramcalc.api",
    "ParamcalcError": "paramcalc.errors",
    "Report": "paramcalc.report",
    "LayerRow": "paramcalc.report",
    "Term": "paramcalc.report",
    "SCHEMA_VERSION": "paramcalc.report",
}


def __getattr__(name: str) -> Any:
    """Load an API name on first use, so ``import paramcalc`` stays as fast as the CLI's JSON path."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'paramcalc' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "SCHEMA_VERSION",
    "Derivation",
    "LayerRow",
    "ParamcalcError",
    "Report",
    "Term",
    "__version__",
    "count",
    "explain",
    "summary",
]
