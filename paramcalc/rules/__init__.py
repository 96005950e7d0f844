"""The rule registry: one small pure function per layer class.

A rule reads its layer's bound arguments (:class:`Args`) and input shape and returns an
:class:`Outcome`: the output shape(s) and one :class:`~paramcalc.report.Term` per weight
tensor, named as the framework names it.  Counts are never written by hand: a term's
count is the product of its shape.  Each rule also states its closed-form formula over
named symbols, which ``paramcalc explain`` shows and the tests check against the terms.

Rules register with :func:`rule` under the framework's class name (plus aliases).  Their
signature mirrors the framework constructor, so positional arguments bind in the same
order, unknown keywords are errors with a suggestion, and defaults are the framework's.

The package is split by job; this module re-exports the names rule modules use:

- :mod:`~paramcalc.rules.registry`: :func:`rule`, :class:`Rule`, :class:`Outcome`, :func:`find_rule`;
- :mod:`~paramcalc.rules.index`: the generated class -> module table ``find_rule`` imports by;
- :mod:`~paramcalc.rules.binding`: :func:`bind`, :class:`Args` and :func:`apply_rule`;
- :mod:`~paramcalc.rules.nested`: :func:`count_held`, the one way a rule counts a layer it holds
  (Keras wrappers through :func:`run_inner`, torch containers through ``torch_common.child``);
- the rule modules (``core``, ``torch_core``, ``hf_decoders``, ...), one family each.
"""

from __future__ import annotations

from paramcalc.frameworks import KERAS_BASE_KWARGS
from paramcalc.report import Shape, Term
from paramcalc.rules.binding import Args, apply_rule, bind
from paramcalc.rules.nested import DEFAULT_DTYPE, Inner, count_held, held_layer, own_dtype, run_inner
from paramcalc.rules.registry import (
    BASE_KWARGS,
    CASE_SENSITIVE,
    FAMILIES,
    FRAMEWORK_NAMES,
    REQUIRED,
    Kind,
    MaskKind,
    Outcome,
    Param,
    Rule,
    RuleFn,
    all_rules,
    find_rule,
    rule,
)

__all__ = [
    "BASE_KWARGS",
    "CASE_SENSITIVE",
    "DEFAULT_DTYPE",
    "FAMILIES",
    "FRAMEWORK_NAMES",
    "KERAS_BASE_KWARGS",
    "REQUIRED",
    "Args",
    "Inner",
    "Kind",
    "MaskKind",
    "Outcome",
    "Param",
    "Rule",
    "RuleFn",
    "Shape",
    "Term",
    "all_rules",
    "apply_rule",
    "bind",
    "count_held",
    "find_rule",
    "held_layer",
    "own_dtype",
    "rule",
    "run_inner",
]

_MOVED: dict[str, str] = {
    "_Required": "paramcalc.rules.registry",
    "_REGISTRY": "paramcalc.rules.registry",
    "_CANONICAL": "paramcalc.rules.registry",
    "_LOADED": "paramcalc.rules.registry",
    "_load": "paramcalc.rules.registry",
    "F": "paramcalc.rules.registry",
    "_refuse_placeholders": "paramcalc.rules.binding",
    "_holds_placeholder": "paramcalc.rules.binding",
    "_shown": "paramcalc.rules.binding",
    "_show": "paramcalc.rules.binding",
    "_format_shape": "paramcalc.rules.binding",
    "_positional_to_kwargs": "paramcalc.rules.nested",
    "inner_spec": "paramcalc.spec.held",
}
"""Names this module had before the split, and the module that holds them now (``inner_spec``
reads a layer entry: the readers' job, so it lives with them)."""


def __getattr__(name: str) -> object:
    """The old private names (see :data:`_MOVED`), read from their new modules."""
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
