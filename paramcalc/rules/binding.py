"""Argument binding: a layer's arguments bound to its rule's signature, with typed accessors.

:func:`bind` binds positional and keyword arguments as the framework constructor would
(unknown keywords are errors with a suggestion, defaults are the framework's);
:class:`Args` gives rules validating accessors (``args.positive_int("units")``);
:func:`apply_rule` checks the input count and ranks the rule declares, then calls it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import isfinite

from paramcalc.errors import LayerError, close_match
from paramcalc.report import Shape
from paramcalc.rules.registry import BASE_KWARGS, CASE_SENSITIVE, REQUIRED, Kind, Outcome, Rule
from paramcalc.safe_text import describe_value
from paramcalc.shapes import MAX_DIM
from paramcalc.spec.records import LayerSpec, Placeholder, Value


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


# -- kinds with bounds, for signatures: ``("rate", 0.0, between(0, 1))`` ------------------------
# ``Args.flag``, ``Args.number``, ``Args.positive_int`` and ``Args.string`` are kinds as they are;
# these make the accessors that take bounds or options into kinds, so a rule declares
# ``("padding", "valid", one_of("valid", "same"))`` instead of calling ``args.choice`` for
# its side effect.  Each checks exactly what the accessor checks, with the same message.


def between(low: float | None = None, high: float | None = None) -> Kind:
    """A real number within [low, high] (:meth:`Args.number`): a dropout rate is ``between(0, 1)``."""

    def kind(args: Args, key: str) -> float:
        return args.number(key, low, high)

    return kind


def at_least(minimum: int, maximum: int = MAX_DIM) -> Kind:
    """An integer in [minimum, maximum] (:meth:`Args.integer`): a torch ``dim`` is ``at_least(-(2**31))``."""

    def kind(args: Args, key: str) -> int:
        return args.integer(key, minimum, maximum)

    return kind


def optional_int(minimum: int = 1) -> Kind:
    """An integer of at least ``minimum``, or None (:meth:`Args.optional_int`)."""

    def kind(args: Args, key: str) -> int | None:
        return args.optional_int(key, minimum)

    return kind


def one_of(*options: str | None) -> Kind:
    """One of fixed strings (:meth:`Args.choice`: case-insensitive unless the framework is case-sensitive)."""

    def kind(args: Args, key: str) -> str | None:
        return args.choice(key, options)

    return kind


def ints_of(rank: int, minimum: int = 1) -> Kind:
    """An int or ``rank`` ints, each at least ``minimum`` (:meth:`Args.ints`): ``kernel_size``."""

    def kind(args: Args, key: str) -> tuple[int, ...]:
        return args.ints(key, rank, minimum)

    return kind


def apply_rule(found: Rule, args: Args, input_shapes: Sequence[Shape | None]) -> Outcome:
    """Check the input count and ranks, and the declared argument kinds, then call the rule.

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
            from paramcalc.teach import rank_hint  # the usual causes of a rank error, when there is one

            raise LayerError(
                f"{found.name} expects {need}{axes}, got {_format_shape(shape)}",
                hint=rank_hint(found, shape) or "check the input shape and the layer before it",
            )
    for key, kind in found.kinds:  # arguments the signature declares a kind for
        kind(args, key)
    x = input_shapes if found.multi_input else input_shapes[0]
    return found.fn(args, x)


def _format_shape(shape: Shape) -> str:
    from paramcalc.shapes import format_shape

    return format_shape(shape)
