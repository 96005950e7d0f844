"""Helpers shared by the ``torch.nn`` rules (``framework: pytorch``).

torch modules differ from Keras layers in two ways that shape every rule here:

* A module's weights are fixed by its constructor arguments (``nn.Linear(10000, 32)``), so
  it can be counted with no input at all; the rules take ``x: Shape | None`` and return
  ``shape=None`` (unknown) when there is no input.
* A shape includes the batch axis (``None``), which torch puts at axis 0 -- or at axis 1 for
  a sequence-first ``nn.LSTM`` -- and most modules also accept *unbatched* inputs, so each
  rule checks the ranks torch's ``forward`` accepts, with torch's wording.

Parameters keep torch's ``named_parameters()`` names and order; a nested module's
parameters are prefixed with its attribute path (``out_proj.weight``), as torch prints them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from paramcalc.errors import LayerError, ParamcalcError
from paramcalc.limits import MAX_TENSORS  # parameter tensors one module may list: data, not a bomb
from paramcalc.report import Shape, Term
from paramcalc.rules import Args, Kind, Outcome, Param, Rule, count_held, rule
from paramcalc.shapes import format_shape
from paramcalc.spec.records import LayerSpec, Unread, Value

FRAMEWORK = "pytorch"

F = TypeVar("F", bound=Callable[..., Outcome])

Maybe = Shape | None
"""An input shape with its batch axis, or None when the spec gives no input."""


def check_tensor_count(count: int, name: str, key: str = "num_layers") -> None:
    """Refuse a module that would list more than :data:`MAX_TENSORS` parameter tensors."""
    if count > MAX_TENSORS:
        raise LayerError(f"{name} would hold {count:,} parameter tensors", hint=f"{key} is too large")


def torch_rule(
    name: str,
    *params: Param,
    weights: bool = True,
    batch_axis: int | Callable[[Args], int] = 0,
    **options: Any,
) -> Callable[[F], F]:
    """Register a ``torch.nn`` rule.  ``weights``: the constructor takes ``device``/``dtype``
    (modules with parameters do; ``nn.ReLU(device=...)`` is a TypeError in torch).
    """
    return rule(name, *params, framework=FRAMEWORK, base=weights, batch_axis=batch_axis, **options)


def show(shape: Shape) -> str:
    """A full torch shape as printed in messages: ``(None, 3, 32)``."""
    return format_shape(shape, batch_in_shape=True)


def check_rank(x: Shape, name: str, forms: Mapping[int, str]) -> None:
    """Refuse an input whose rank torch's forward refuses; ``forms`` maps rank to axes."""
    if len(x) in forms:
        return
    wanted = " or ".join(f"a {rank}-D {axes}" for rank, axes in sorted(forms.items()))
    raise LayerError(
        f"{name} expects {wanted} input, got {show(x)}", hint="check the input shape and the layer before it"
    )


def check_min_rank(x: Shape, name: str, rank: int, axes: str) -> None:
    """Refuse an input with fewer than ``rank`` axes (batch axis included)."""
    if len(x) < rank:
        raise LayerError(
            f"{name} expects an input of at least {rank} dimensions {axes}, got {show(x)}",
            hint="check the input shape and the layer before it",
        )


def check_axis(x: Shape, axis: int, expected: int, name: str, what: str) -> None:
    """An input axis must equal a constructor argument (unknown sizes pass: torch checks at run time)."""
    size = x[axis]
    if size is not None and size != expected:
        raise LayerError(
            f"{name} was built for {what}={expected} but its input {show(x)} has {size} on axis {axis % len(x)}",
            hint=f"set {what}={size}, or fix the layer before it",
        )


def nonempty(x: Shape, name: str) -> None:
    """Convolutions, pools, reflection/replication pads and resampling refuse an empty axis
    (ATen: "tensor with optional 0 dim batch size"); the batch axis here is never 0.
    """
    if 0 in x:
        raise LayerError(f"{name} expects every non-batch axis of its input to be non-empty, got {show(x)}")


def known(x: Shape, axis: int, name: str, what: str) -> int:
    """An axis a lazy module reads its size from: it must be known."""
    size = x[axis]
    if size is None:
        raise LayerError(f"{name} infers {what} from its input, but axis {axis % len(x)} of {show(x)} is unknown")
    return size


def need_input(x: Maybe, name: str, what: str) -> Shape:
    """Lazy modules size their weights from the first input: without one they cannot be counted."""
    if x is None:
        raise LayerError(
            f"{name} infers {what} from its first input, and the spec gives no input",
            hint="add 'input: [...]' to the spec, or use the non-lazy module with explicit sizes",
        )
    return x


def normalize_dim(dim: int, rank: int, name: str, key: str = "dim") -> int:
    """A torch dim index (negative counts from the end) as a position; out of range is an error."""
    if not -rank <= dim < rank:
        raise LayerError(
            f"{name}: {key}={dim} is out of range for a {rank}-D input (expected [{-rank}, {rank - 1}])",
        )
    return dim % rank


def sizes(args: Args, key: str, minimum: int = 1) -> tuple[int, ...]:
    """An int or a non-empty sequence of ints (``normalized_shape``, ``unflattened_size``)."""
    value = args[key]
    items = [value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(items, (list, tuple)) or not items:
        raise LayerError(f"'{key}' must be an integer or a list of integers, got {_short(value)}")
    for item in items:
        if not isinstance(item, int) or isinstance(item, bool) or item < minimum:
            raise LayerError(f"'{key}' values must be integers >= {minimum}, got {_short(value)}")
    return tuple(items)


def optional_number(args: Args, key: str, low: float | None = None) -> float | None:
    """A number or None (``max_norm``, ``momentum``)."""
    if args[key] is None:
        return None
    return args.number(key, low)


def maybe_number(low: float | None = None) -> Kind:
    """The kind of a number-or-None argument (:func:`optional_number`), for a signature."""

    def kind(args: Args, key: str) -> float | None:
        return optional_number(args, key, low)

    return kind


def no_tensor(args: Args, key: str) -> None:
    """Arguments that take a tensor (``_weight``) cannot be given in a spec."""
    if args[key] is not None:
        raise LayerError(f"'{key}' takes a tensor; a spec cannot give one", hint=f"leave '{key}' out")


def _short(value: Value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def scoped(terms: Sequence[Term], prefix: str) -> list[Term]:
    """A child module's terms under its attribute path: ``weight`` -> ``out_proj.weight``."""
    return [replace(t, weight=f"{prefix}.{t.weight}") for t in terms]


def to_layer(value: Value, key: str) -> LayerSpec:
    """A nested module argument (``encoder_layer: {TransformerEncoderLayer: {...}}``), as the reader read it."""
    if isinstance(value, LayerSpec):
        return value
    if isinstance(value, Unread):
        raise value.fresh_error()
    raise LayerError(
        f"'{key}' must be a module such as {{LayerNorm: 512}}, got {_short(value)}",
        hint=f"{key}: {{ClassName: args}}",
    )


def child(value: Value, args: Args, key: str, x: Maybe) -> tuple[Rule, Args, Outcome]:
    """Count a nested module on input ``x``; its errors name the argument it came from."""
    layer = to_layer(value, key)
    try:
        return count_held(layer, FRAMEWORK, [x])
    except ParamcalcError as exc:
        raise LayerError(f"{key} ({layer.class_name}): {exc.message}", hint=exc.hint) from None
