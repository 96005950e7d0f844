"""Layers held by other layers (a wrapper's ``layer``, an RNN's ``cell``, a torch stack's
``encoder_layer``), counted through the registry by :func:`count_held`.

The spec readers have already read a held layer into a record
(:mod:`paramcalc.spec.held`); :func:`held_layer` takes it from the holder's arguments.  A
Keras rule that holds a layer calls :func:`run_inner`, which counts the record and returns
an :class:`Inner`; torch containers call ``count_held`` through ``torch_common.child``,
which names the argument in errors.  The weights keep the held layer's own trainability
and dtype policy (:func:`own_dtype`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import NamedTuple

from paramcalc.dtypes import quantized_policy_name, variable_dtype
from paramcalc.errors import LayerError
from paramcalc.frameworks import framework_of
from paramcalc.report import Shape, Term
from paramcalc.rules.binding import Args, apply_rule, bind
from paramcalc.rules.registry import Outcome, Rule, find_rule
from paramcalc.safe_text import describe_value
from paramcalc.spec.records import LayerSpec, Unread, Value


class Inner(NamedTuple):
    """A layer held by another layer (a wrapper's ``layer``), counted through the registry."""

    spec: LayerSpec
    rule: Rule
    args: Args
    outcome: Outcome
    name: str
    trainable: bool

    @property
    def terms(self) -> list[Term]:
        """The inner layer's terms; all frozen when the inner layer is ``trainable=False``.

        They take the inner layer's dtype policy, never the wrapper's: Keras creates the
        inner layer's weights with its own policy.
        """
        dtype = variable_dtype(self.args.get("dtype")) if framework_of(self.rule.framework).dtype_policy else ""
        terms = [replace(t, dtype=t.dtype or dtype or DEFAULT_DTYPE) for t in self.outcome.terms]
        if self.trainable:
            return terms
        return [replace(t, trainable=False) for t in terms]


DEFAULT_DTYPE = "default"
"""A term's dtype while a wrapper is counted: the inner layer had no policy of its own, so the
weight takes the model's default dtype, not the wrapper's policy (:func:`own_dtype`)."""


def own_dtype(term_dtype: str, layer_dtype: str) -> str:
    """A weight's dtype once its layer (with policy ``layer_dtype``) is counted.

    The engine calls this once per top-level layer.  A weight whose dtype is already fixed
    keeps it; one held by a wrapped layer without a policy (:data:`DEFAULT_DTYPE`) ends as ""
    (the report's dtype), as do the weights of a layer without a policy.
    """
    if term_dtype == DEFAULT_DTYPE:
        return ""
    return term_dtype or layer_dtype


def held_layer(value: Value, key: str) -> LayerSpec:
    """The layer a layer-valued argument holds, as the reader read it.

    An entry the reader could not read raises the reader's error; a value that is no layer
    entry at all (``layer: 5``) is refused here.
    """
    if isinstance(value, LayerSpec):
        return value
    if isinstance(value, Unread):
        raise value.fresh_error()
    raise LayerError(f"'{key}' must be a layer such as {{LSTM: 64}}, got {describe_value(value)}")


def count_held(spec: LayerSpec, framework: str, input_shapes: Sequence[Shape | None]) -> tuple[Rule, Args, Outcome]:
    """Count a layer another layer holds: its rule, its bound arguments, and the rule's outcome.

    The one way a rule counts a held layer, for Keras wrappers (:func:`run_inner`) and torch
    containers (``TransformerEncoder``'s ``encoder_layer``) alike; input counts and ranks are
    checked as for any layer (:func:`~paramcalc.rules.binding.apply_rule`).
    """
    found = find_rule(spec.class_name, framework)
    bound = bind(found, spec)
    return found, bound, apply_rule(found, bound, input_shapes)


def run_inner(
    args: Args,
    key: str,
    input_shapes: Sequence[Shape],
    overrides: Mapping[str, Value] | None = None,
    value: Value = None,
) -> Inner:
    """Count the layer held in argument ``key`` (or ``value``, one item of it) with its own rule.

    ``overrides`` replaces some of its arguments first (Bidirectional sets the backward
    copy's ``go_backwards``).  The inner layer's name is the one the engine gave it, else
    Keras' automatic base name (``lstm``).
    """
    from paramcalc.naming import to_snake_case

    spec = held_layer(args[key] if value is None else value, key)
    if overrides:
        found = find_rule(spec.class_name, args.rule.framework)
        unknown = [k for k in overrides if k not in found.positional]
        if unknown:
            raise LayerError(f"{args.rule.name} cannot wrap {found.name}: it has no '{unknown[0]}' argument")
        bind(found, spec)  # report the inner layer's own argument errors first
        spec = _positional_to_kwargs(spec, found, overrides)
    found, inner_args, outcome = count_held(spec, args.rule.framework, input_shapes)
    policy = inner_args.get("dtype") if framework_of(found.framework).dtype_policy else None
    if policy is not None and quantized_policy_name(policy) is not None:  # a wrapped quantized layer
        from paramcalc.rules.quantized import quantized_outcome

        outcome, source = quantized_outcome(found, inner_args, outcome, policy)
        inner_args = Args(found, inner_args.layer, {**inner_args.values, "dtype": source})
    trainable = inner_args.flag("trainable") if "trainable" in inner_args.values else True
    return Inner(spec, found, inner_args, outcome, spec.name or to_snake_case(found.name), trainable)


def _positional_to_kwargs(spec: LayerSpec, found: Rule, overrides: Mapping[str, Value]) -> LayerSpec:
    """Rebind positional arguments by name so ``overrides`` can replace any of them."""
    kwargs = dict(zip(found.positional, spec.args, strict=False))  # bind() checked the count
    kwargs.update(spec.kwargs)
    kwargs.update(overrides)
    return replace(spec, args=(), kwargs=kwargs)
