"""The rule registry: one small pure function per layer class.

A rule reads its layer's bound arguments (:class:`Args`) and input shape and returns an
:class:`Outcome`: the output shape(s) and one :class:`~paramcalc.report.Term` per weight
tensor, named as the framework names it.  Counts are never written by hand: a term's
count is the product of its shape.  Each rule also states its closed-form formula over
named symbols, which ``paramcalc explain`` shows and the tests check against the terms.

Rules register with :func:`rule` under the framework's class name (plus aliases).  Their
signature mirrors the framework constructor, so positional arguments bind in the same
order, unknown keywords are errors with a suggestion, and defaults are the framework's.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field, replace
from functools import cached_property
from math import isfinite
from typing import Any, TypeVar

from paramcalc._fast import record
from paramcalc.dtypes import quantized_policy_name, variable_dtype
from paramcalc.errors import LayerError, ParamcalcError, close_match
from paramcalc.report import Shape, Term, Tree
from paramcalc.shapes import MAX_DIM
from paramcalc.spec.common import describe_value
from paramcalc.spec.records import LayerSpec, Placeholder, Value

__all__ = [
    "REQUIRED",
    "Args",
    "Outcome",
    "Rule",
    "Shape",
    "Term",
    "all_rules",
    "bind",
    "find_rule",
    "rule",
]


class _Required:
    """Sentinel default for a constructor argument that has no default."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

FAMILIES: dict[str, tuple[str, ...]] = {
    "keras": (
        "core",
        "recurrent",
        "convolutional",
        "conv_recurrent",
        "normalization",
        "pooling",
        "reshaping",
        "activations",
        "attention",
        "merging",
        "wrappers",
        "preprocessing",  # keraspre: preprocessing and augmentation layers
        "custom",  # keraspre: Lambda and declared opaque layers
    ),
    "pytorch": ("torch_core", "torch_recurrent", "torch_conv", "torch_pooling", "torch_norm", "torch_attention"),
    "transformers": ("hf_common", "hf_decoders", "hf_gpt2", "hf_bert", "hf_t5"),
}
"""Rule modules per framework, imported on first lookup (``paramcalc.rules.<name>``)."""

FRAMEWORK_NAMES: dict[str, str] = {"keras": "Keras", "pytorch": "PyTorch"}
"""How messages name each framework."""

CASE_SENSITIVE: frozenset[str] = frozenset({"pytorch"})
"""Frameworks whose spec class names must match exactly: ``torch.nn.Conv2D`` does not exist,
so a PyTorch spec saying ``Conv2D`` is an error with a suggestion, not a silent ``Conv2d``.
(Keras specs, and ``paramcalc explain`` for every framework, match names case-insensitively.)"""

KERAS_BASE_KWARGS: dict[str, Value] = {
    "trainable": True,
    "dtype": None,
    "autocast": True,
    "activity_regularizer": None,
    "input_shape": None,
    "batch_input_shape": None,
    "batch_size": None,
    "input_dim": None,
}
"""Keyword arguments every Keras layer accepts (``keras.layers.Layer.__init__``)."""

BASE_KWARGS: dict[str, dict[str, Value]] = {
    "keras": KERAS_BASE_KWARGS,
    "pytorch": {"device": None, "dtype": None},
    "transformers": {},
}


@record(frozen=True)
class Outcome:
    """What a rule returns: output shape(s), the weight terms and the closed form.

    Give ``shape`` for a single output, or ``shapes`` for a layer returning a list of
    tensors (an RNN with ``return_state``).  ``formula`` is an arithmetic expression over
    ``symbols`` (``"4*n*(n+m+1)"``) equal to the sum of the terms' counts.  A torch module
    returning a nested tuple gives ``shapes`` flat (element 0 first, the tensor passed on)
    and their nesting as ``tree`` (``(0, (1, 2))`` for ``nn.LSTM``'s ``(out, (h_n, c_n))``).
    """

    shape: Shape | None = None
    terms: Sequence[Term] = ()
    formula: str | None = None
    symbols: Mapping[str, int] = field(default_factory=dict)
    shapes: tuple[Shape, ...] = ()
    gate_names: tuple[str, ...] = ()
    legend: Mapping[str, str] = field(default_factory=dict)
    """Meanings of symbols the rule's own legend lacks (a wrapper passes on its inner layer's)."""
    tree: Tree | None = None

    @property
    def outputs(self) -> tuple[Shape, ...]:
        """Every output shape, in order; empty when unknown (a PyTorch layer given no input)."""
        if self.shapes:
            return self.shapes
        if self.shape is None:
            return ()
        return (self.shape,)


RuleFn = Callable[..., Outcome]


@record(frozen=True)
class Rule:
    """A registered rule and its constructor signature.

    ``min_rank``/``max_rank`` are input ranks without the batch axis; the engine checks them
    for Keras rules.  For rules with ``batch_axis`` (PyTorch), ``min_rank`` is only the rank
    ``explain`` pads ``--input`` to, ``batch_axis(args)`` says where the batch axis goes in a
    spec's input when the layer comes first (1 for a sequence-first ``nn.LSTM``), and
    ``from_input`` names constructor arguments ``explain --input`` fills from an input axis
    (``("input_size", -1)``).  ``varargs`` rules accept and ignore any arguments (``nn.Identity``).
    """

    name: str
    fn: RuleFn
    framework: str
    params: tuple[tuple[str, Value], ...]
    legend: Mapping[str, str]
    min_rank: int = 0
    max_rank: int | None = None
    expects: str = ""
    multi_input: bool = False
    aliases: tuple[str, ...] = ()
    layer_args: tuple[str, ...] = ()
    build_names: tuple[str, ...] = ()
    batch_axis: Callable[[Args], int] | None = None
    from_input: tuple[tuple[str, int], ...] = ()
    varargs: bool = False
    max_positional: int | None = None
    sublayers_at_build: bool = False
    mask: str = "none"
    mask_arg: bool = False

    @cached_property
    def batch_in_shapes(self) -> bool:
        """Whether the rule sees shapes *with* the batch axis (PyTorch) and may count without one.

        Keras rules get shapes without the batch axis and always need an input shape.  Rules
        with a ``batch_axis`` (torch.nn modules, which know their sizes from their arguments)
        get the full shape, batch axis included as ``None`` wherever the forward pass puts it,
        or ``None`` for the whole shape when the spec gives no input; they check ranks themselves.
        """
        return self.batch_axis is not None

    @cached_property
    def why(self) -> str:
        """The rule's docstring: why the formula is what it is (shown by ``explain``)."""
        return " ".join((self.fn.__doc__ or "").split())

    @cached_property
    def positional(self) -> tuple[str, ...]:
        """Argument names in constructor order."""
        return tuple(name for name, _ in self.params)

    @cached_property
    def defaults(self) -> dict[str, Value]:
        """Every argument at its default (REQUIRED for those without one); bind copies it."""
        return dict(self.params)

    @cached_property
    def position(self) -> dict[str, int]:
        """Each argument's place in the constructor's order."""
        return {name: i for i, (name, _) in enumerate(self.params)}

    @cached_property
    def legend_pairs(self) -> tuple[tuple[str, str], ...]:
        """The legend as (symbol, meaning) pairs, as report rows keep it."""
        return tuple(self.legend.items())

    @cached_property
    def required(self) -> tuple[str, ...]:
        """Arguments without a default."""
        return tuple(name for name, default in self.params if default is REQUIRED)


_REGISTRY: dict[str, dict[str, Rule]] = {}
_CANONICAL: dict[str, dict[str, str]] = {}
_LOADED: dict[str, int] = {}
"""How many of each framework's rule modules (in FAMILIES order) are imported."""

F = TypeVar("F", bound=RuleFn)


def rule(
    name: str,
    *params: tuple[str, Value] | str,
    framework: str = "keras",
    aliases: Sequence[str] = (),
    legend: Mapping[str, str] | None = None,
    min_rank: int = 0,
    max_rank: int | None = None,
    expects: str = "",
    multi_input: bool = False,
    base: bool = True,
    layer_args: Sequence[str] = (),
    build_names: Sequence[str] = (),
    batch_axis: int | Callable[[Args], int] | None = None,
    from_input: Mapping[str, int] | None = None,
    varargs: bool = False,
    sublayers_at_build: bool = False,
    mask: str = "none",
    mask_arg: bool = False,
) -> Callable[[F], F]:
    """Register a rule for ``name``; ``params`` are the constructor's arguments in order.

    A bare string is a required argument; ``(name, default)`` an optional one.  With
    ``base`` the framework's common layer keywords (``trainable``, ``dtype``, ...) are
    accepted too.  Registering a name twice is a programming error and fails loudly.

    ``layer_args`` names the arguments whose value is itself a layer (a wrapper's
    ``layer``); the engine names those inner layers as Keras does, in that order.
    ``build_names`` are automatic names the layer uses up when it is built (Keras'
    MultiHeadAttention creates an unnamed ``Softmax`` and ``Dropout``), so later layers
    get ``dropout_1`` as they do in Keras.

    ``sublayers_at_build``: the layer keeps its weights in sublayers it creates when it is
    built (MultiHeadAttention's ``query``, ``key``, ... EinsumDense layers).  Those start
    trainable whatever the layer's own ``trainable`` was, so ``trainable=False`` given to
    the layer before it is built freezes nothing (Keras counts the weights as trainable).

    ``mask`` says how Keras computes the mask of the layer's output (``compute_mask``) in a
    functional graph, where masks are tensors of hidden graph operations: ``"none"`` (the
    layer drops the mask), ``"keep"`` (its first input's mask), ``"sequences"`` (a recurrent
    layer: the input's mask when it returns sequences), ``"merge"`` (``logical_or`` of all
    inputs' masks), ``"concatenate"`` (``Concatenate``'s own ops, one of them a
    ``concatenate`` op that uses up a ``concatenate`` name), ``"embedding"`` (``not_equal``
    with ``mask_zero``) or ``"masking"`` (``Masking``'s ``not_equal`` and ``any``).
    ``mask_arg``: the layer's ``call()`` takes ``mask``; Keras then records the mask as an
    extra input of the call, which can change the layer order of ``model.layers``.

    ``batch_axis``, ``from_input`` and ``varargs``: see :class:`Rule`.  A ``"*"`` among
    ``params`` makes the arguments after it keyword-only, as in the Python signature.
    """
    max_positional: int | None = None
    if "*" in params:
        max_positional = params.index("*")
        params = tuple(p for p in params if p != "*")
    axis_of: Callable[[Args], int] | None
    if isinstance(batch_axis, int):
        fixed = batch_axis

        def axis_of(_: Args) -> int:
            return fixed

    else:
        axis_of = batch_axis
    ordered: list[tuple[str, Value]] = [(p, REQUIRED) if isinstance(p, str) else p for p in params]
    if base:
        known = {p for p, _ in ordered}
        ordered += [(k, v) for k, v in BASE_KWARGS.get(framework, {}).items() if k not in known]

    def register(fn: F) -> F:
        entry = Rule(
            name=name,
            fn=fn,
            framework=framework,
            params=tuple(ordered),
            legend=dict(legend or {}),
            min_rank=min_rank,
            max_rank=max_rank,
            expects=expects,
            multi_input=multi_input,
            aliases=tuple(aliases),
            layer_args=tuple(layer_args),
            build_names=tuple(build_names),
            batch_axis=axis_of,
            from_input=tuple((from_input or {}).items()),
            varargs=varargs,
            max_positional=max_positional,
            sublayers_at_build=sublayers_at_build,
            mask=mask,
            mask_arg=mask_arg,
        )
        table = _REGISTRY.setdefault(framework, {})
        canonical = _CANONICAL.setdefault(framework, {})
        for key in (name, *aliases):
            if key.lower() in canonical:
                raise RuntimeError(f"rule {key!r} registered twice for {framework}")
            canonical[key.lower()] = key
            table[key] = entry
        return fn

    return register


def _load(framework: str, until: str | None = None) -> dict[str, Rule]:
    """The framework's rules, importing its rule modules in order as far as needed.

    With ``until`` (a class name), importing stops once that name is registered (in any
    case): a summary of Dense and LSTM layers needs two modules, not a dozen.
    """
    modules = FAMILIES.get(framework, ())
    done = _LOADED.get(framework, 0)
    while done < len(modules):
        if until is not None and (
            until in _REGISTRY.get(framework, {}) or until.lower() in _CANONICAL.get(framework, {})
        ):
            break
        importlib.import_module(f"paramcalc.rules.{modules[done]}")
        done = _LOADED[framework] = done + 1
    return _REGISTRY.get(framework, {})


def all_rules(framework: str = "keras") -> dict[str, Rule]:
    """Every registered class name (aliases included) for a framework."""
    return dict(_load(framework))


def find_rule(class_name: str, framework: str = "keras", exact: bool | None = None) -> Rule:
    """The rule for a class name; LayerError with a suggestion if unknown.

    Names match case-insensitively unless ``exact`` (default: the framework is in
    :data:`CASE_SENSITIVE`); a near miss, case included, is suggested.
    """
    found = _REGISTRY.get(framework, {}).get(class_name)  # the common case: already registered, exact name
    if found is not None:
        return found
    table = _load(framework, class_name)
    found = table.get(class_name)
    if found is not None:
        return found
    canonical = _CANONICAL.get(framework, {})
    if class_name.lower() not in canonical:  # unknown: every rule is needed for the suggestion
        table = _load(framework)
    key = canonical.get(class_name.lower())
    strict = framework in CASE_SENSITIVE if exact is None else exact
    if key is not None and not strict:
        return table[key]
    close = class_name.lower() if key is not None else close_match(class_name.lower(), canonical)
    hint = f"did you mean '{canonical[close]}'?" if close else "run 'paramcalc layers' to list the known layers"
    where = FRAMEWORK_NAMES.get(framework, framework)
    raise LayerError(f"unknown layer '{class_name}' for {where}", hint=hint)


def bind(found: Rule, layer: LayerSpec) -> Args:
    """Bind a layer's positional and keyword arguments to the rule's signature."""
    names = found.positional
    given = len(layer.args)
    if found.varargs:
        _refuse_placeholders({f"argument {i + 1}": v for i, v in enumerate(layer.args)} | dict(layer.kwargs))
        return Args(found, layer, dict(found.params))
    if found.max_positional is not None and given > found.max_positional:
        shown = ", ".join(names[: found.max_positional])
        raise LayerError(
            f"{found.name} takes at most {found.max_positional} positional arguments, got {given}",
            hint=f"in order: {shown}; give the others by name",
        )
    if given > len(names):
        raise LayerError(
            f"{found.name} takes at most {len(names)} positional arguments, got {given}",
            hint=f"in order: {', '.join(names[:4])}{', ...' if len(names) > 4 else ''}",
        )
    values = dict(found.defaults)  # runs once per layer: copy a prepared dict, then overwrite
    if given:
        values.update(zip(names, layer.args, strict=False))
    position = found.position
    for key, value in layer.kwargs.items():
        if key not in position:
            close = close_match(key, names)
            hint = f"did you mean '{close}'?" if close else f"{found.name} takes: {', '.join(_shown(found))}"
            raise LayerError(f"unknown argument '{key}' for {found.name}", hint=hint)
        if position[key] < given:
            raise LayerError(f"argument '{key}' given both by position and by name")
        values[key] = value
    for key in found.required:
        if values[key] is REQUIRED:
            raise LayerError(f"{found.name} needs '{key}'", hint=f"e.g. {found.name}({key}=...)")
    for value in (*layer.args, *layer.kwargs.values()):  # defaults are never placeholders
        if isinstance(value, (Placeholder, list, tuple)):  # only these can be or hold one
            _refuse_placeholders({key: values[key] for key in (*names[:given], *layer.kwargs)})
            break
    return Args(found, layer, values)


def _refuse_placeholders(values: Mapping[str, Value]) -> None:
    """A ``?`` left in a layer's arguments is an error everywhere but ``paramcalc solve``."""
    for key, value in values.items():
        if _holds_placeholder(value):
            raise LayerError(
                f"'{key}' is the placeholder '?', which only 'paramcalc solve' fills in",
                hint="give a number to count this model, or run 'paramcalc solve' to find one",
            )


def _holds_placeholder(value: Value) -> bool:
    """Whether a bound value is, or contains, a ``?`` (nested layers check their own)."""
    if isinstance(value, Placeholder):
        return True
    if isinstance(value, (list, tuple)):
        return any(_holds_placeholder(item) for item in value)
    if isinstance(value, Mapping):
        return any(_holds_placeholder(item) for item in value.values())
    return False


def _shown(found: Rule) -> list[str]:
    """Arguments worth listing in a hint: the rule's own, without the common base keywords."""
    base = BASE_KWARGS.get(found.framework, {})
    return [name for name, _ in found.params if name not in base][:8]


class Args:
    """A layer's bound arguments with typed, validating accessors.

    Accessors raise :class:`LayerError` naming the argument and what was wrong, so rules
    stay short: ``n = args.positive_int("units")``.
    """

    def __init__(self, found: Rule, layer: LayerSpec, values: dict[str, Value]) -> None:
        self.rule = found
        self.layer = layer
        self.values = values

    def __getitem__(self, key: str) -> Value:
        return self.values[key]

    def get(self, key: str, default: Value = None) -> Value:
        """The value of an argument (``default`` when it is not in the signature)."""
        return self.values.get(key, default)

    def positive_int(self, key: str) -> int:
        """A strictly positive integer (``units``, ``filters``, ``input_dim``)."""
        return self.integer(key, minimum=1)

    def integer(self, key: str, minimum: int = 0, maximum: int = MAX_DIM) -> int:
        """An integer in [minimum, maximum]; booleans and floats are refused (Keras refuses them too).

        The default maximum, 2**63 - 1, is the largest size a framework can index.
        """
        value = self.values[key]
        if not isinstance(value, int) or isinstance(value, bool):
            raise LayerError(f"'{key}' must be an integer, got {_show(value)}")
        if value < minimum:
            need = "positive" if minimum == 1 else f">= {minimum}"
            raise LayerError(f"'{key}' must be {need}, got {_show(value)}")
        if value > maximum:
            limit = "2**63 - 1" if maximum == MAX_DIM else str(maximum)
            raise LayerError(f"'{key}' must be at most {limit}, got {_show(value)}")
        return value

    def optional_int(self, key: str, minimum: int = 1) -> int | None:
        """An integer argument that may be None."""
        if self.values[key] is None:
            return None
        return self.integer(key, minimum)

    def flag(self, key: str) -> bool:
        """A boolean argument; only true/false are accepted."""
        value = self.values[key]
        if not isinstance(value, bool):
            raise LayerError(f"'{key}' must be true or false, got {_show(value)}")
        return value

    def number(self, key: str, low: float | None = None, high: float | None = None) -> float:
        """A real number within [low, high] (a dropout rate)."""
        value = self.values[key]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not isfinite(value):
            raise LayerError(f"'{key}' must be a finite number, got {_show(value)}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise LayerError(f"'{key}' must be between {low} and {high}, got {_show(value)}")
        return float(value)

    def choice(self, key: str, options: Sequence[str | None]) -> str | None:
        """One of a fixed set of strings (``padding``: valid/same); case-insensitive like Keras,
        exact for case-sensitive frameworks (torch compares ``padding == "same"``).
        """
        value = self.values[key]
        exact = self.rule.framework in CASE_SENSITIVE
        probe = value.lower() if isinstance(value, str) and not exact else value
        if probe not in options:
            shown = ", ".join(str(o) for o in options)
            raise LayerError(f"'{key}' must be one of {shown}, got {_show(value)}")
        return probe

    def ints(self, key: str, rank: int, minimum: int = 1) -> tuple[int, ...]:
        """An int or a sequence of ``rank`` ints (``kernel_size=3`` or ``(3, 3)``)."""
        value = self.values[key]
        if isinstance(value, int) and not isinstance(value, bool):
            items: list[Value] = [value] * rank
        elif isinstance(value, (list, tuple)) and len(value) == rank:
            items = list(value)
        else:
            raise LayerError(f"'{key}' must be an integer or {rank} integers, got {_show(value)}")
        for item in items:
            if not isinstance(item, int) or isinstance(item, bool) or item < minimum:
                raise LayerError(f"'{key}' values must be integers >= {minimum}, got {_show(value)}")
            if item > MAX_DIM:
                raise LayerError(f"'{key}' values must be at most 2**63 - 1, got {_show(value)}")
        return tuple(items)

    def string(self, key: str) -> str:
        """A string argument."""
        value = self.values[key]
        if not isinstance(value, str):
            raise LayerError(f"'{key}' must be a string, got {_show(value)}")
        return value


def _show(value: Value) -> str:
    return describe_value(value)


def apply_rule(found: Rule, args: Args, input_shapes: Sequence[Shape | None]) -> Outcome:
    """Check the input count and ranks against the rule's declaration, then call it.

    Rules that see the batch axis (PyTorch) check ranks themselves: torch modules accept
    batched and unbatched inputs, and may get no shape at all.
    """
    if not found.multi_input and len(input_shapes) != 1:
        raise LayerError(f"{found.name} takes one input, got {len(input_shapes)}")
    for shape in input_shapes:
        if shape is None or found.batch_in_shapes:
            continue
        rank = len(shape)
        too_low = rank < found.min_rank
        too_high = found.max_rank is not None and rank > found.max_rank
        if too_low or too_high:
            want = found.min_rank + 1 if found.max_rank == found.min_rank else None
            if want is not None:
                need = f"a {want}-D input"
            elif too_low:
                need = f"an input of at least {found.min_rank + 1} dimensions"
            else:
                need = f"an input of at most {(found.max_rank or 0) + 1} dimensions"
            axes = f" (batch, {found.expects[1:]}" if found.expects else ""
            raise LayerError(
                f"{found.name} expects {need}{axes}, got {_format_shape(shape)}",
                hint="check the input shape and the layer before it",
            )
    x = input_shapes if found.multi_input else input_shapes[0]
    return found.fn(args, x)


def _format_shape(shape: Shape) -> str:
    from paramcalc.shapes import format_shape

    return format_shape(shape)


@record(frozen=True)
class Inner:
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
        dtype = variable_dtype(self.args.get("dtype")) if self.rule.framework == "keras" else ""
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


def inner_spec(value: Value, key: str, outer: LayerSpec) -> LayerSpec:
    """A layer-valued argument as a record: ``{"LSTM": {...}}``, ``"Flatten"`` or a LayerSpec.

    A list of cells given as an RNN's ``cell`` is, as in Keras, one ``StackedRNNCells``.
    """
    from paramcalc.spec.common import layer_from_entry

    if key == "cell" and isinstance(value, (list, tuple)):
        return LayerSpec("StackedRNNCells", kwargs={"cells": list(value)}, location=outer.location)
    if value is None or isinstance(value, (int, float, bool, list, tuple)):
        raise LayerError(f"'{key}' must be a layer such as {{LSTM: 64}}, got {describe_value(value)}")
    try:
        return layer_from_entry(value, outer.location)
    except ParamcalcError as exc:
        raise LayerError(f"'{key}': {exc.message}", hint=exc.hint) from None


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
    from paramcalc.spec.common import to_snake_case

    spec = inner_spec(args[key] if value is None else value, key, args.layer)
    found = find_rule(spec.class_name, args.rule.framework)
    if overrides:
        unknown = [k for k in overrides if k not in found.positional]
        if unknown:
            raise LayerError(f"{args.rule.name} cannot wrap {found.name}: it has no '{unknown[0]}' argument")
        bind(found, spec)  # report the inner layer's own argument errors first
        spec = _positional_to_kwargs(spec, found, overrides)
    inner_args = bind(found, spec)
    outcome = apply_rule(found, inner_args, input_shapes)
    policy = inner_args.get("dtype") if found.framework == "keras" else None
    if policy is not None and quantized_policy_name(policy) is not None:  # keraspre: a wrapped quantized layer
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
