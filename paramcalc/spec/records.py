"""Plain records every spec reader produces: the engine never sees YAML, text or JSON.

A reader turns its input into a :class:`ModelSpec` of :class:`LayerSpec` records, each
with the :class:`~paramcalc.errors.Location` it came from, so any later error can point
at the right line.  Argument values are plain Python literals (int, float, str, bool,
None, lists/tuples, dicts) or nested :class:`LayerSpec` for wrapped layers.

Records are declared one way (docs/architecture.md, "Records"): a frozen, slotted dataclass,
except the few made once per layer of a big spec (:class:`LayerSpec` here), which are
slotted dataclasses left unfrozen because a frozen ``__init__`` is four times slower; no
code assigns to them after construction (``dataclasses.replace`` makes changed copies).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, NamedTuple

from paramcalc.errors import Location, ParamcalcError
from paramcalc.value_record import ValueRecord

Value = Any
"""A literal argument value (or a nested LayerSpec); kept loose on purpose: rules validate."""

NOWHERE = Location("<spec>")
"""Where a record made in code (not read from a spec) comes from."""


@dataclass(slots=True, repr=False, unsafe_hash=True)
class Placeholder:
    """A ``?`` written where a value is expected: the unknown ``paramcalc solve`` searches for.

    ``key`` tells placeholders of one spec apart (copies made by ``Repeat`` share it);
    ``location`` is where the ``?`` was written.  Only ``solve`` substitutes a value; any
    other command refuses a spec that still holds one.
    """

    key: int
    location: Location = NOWHERE

    def __repr__(self) -> str:
        return "?"


@dataclass(slots=True, eq=False, repr=False)  # ValueRecord: == and repr without generated code
class LayerSpec(ValueRecord):
    """One layer as written: class name, positional and keyword arguments, where it came from.

    ``name`` is the user's explicit layer name, if any (else the engine assigns Keras-style
    automatic names).  ``inputs`` names the earlier layers or model inputs it reads, for
    graphs; ``None`` means "the previous layer".  ``links`` lists every tensor the call
    receives in Keras' order when that differs from ``inputs`` (a Keras JSON node that
    also passes ``initial_state``): they are graph edges but do not shape the layer.
    ``model`` holds a nested model (a Sequential used as a layer), read by the reader; an
    :class:`Unread` when the reader could not read it.

    ``copies`` names every identical copy of a repeated block (``model.layers.0`` ...
    ``model.layers.31``), each with its own weights: the record stands for all of them.
    ``tied`` maps a weight of this layer to the full name of the parameter it *is*
    (``("weight", "model.embed_tokens.weight")`` for a tied LM head): such a weight is
    shown but counted once, where it is first defined.
    """

    class_name: str
    args: tuple[Value, ...] = ()
    kwargs: Mapping[str, Value] = field(default_factory=dict)
    location: Location = NOWHERE
    name: str | None = None
    inputs: tuple[str, ...] | None = None
    index: int = 0
    links: tuple[str, ...] | None = None
    model: ModelSpec | Unread | None = None
    copies: tuple[str, ...] = ()
    tied: tuple[tuple[str, str], ...] = ()

    def renamed(self, name: str) -> LayerSpec:
        """A copy under another name: ``dataclasses.replace(self, name=name)``, faster.

        The engine names every layer of a spec (Keras' automatic names), a hundred thousand
        in a big one; ``replace`` binds every field as a keyword, this copies them in one go.
        """
        copy = LayerSpec(*_LAYER_FIELDS(self))
        copy.name = name  # the copy's one change, before anyone sees it
        return copy

    def describe(self) -> str:
        """How errors name this layer: ``layer 2 'dense_1' (Dense)``."""
        label = f"layer {self.index}" if self.index else "layer"
        if self.name:
            return f"{label} '{self.name}' ({self.class_name})"
        return f"{label} ({self.class_name})"


_LAYER_FIELDS = attrgetter(*LayerSpec.__match_args__)
"""Every field of a :class:`LayerSpec`, in constructor order, as one tuple (for :meth:`LayerSpec.renamed`)."""


@dataclass(frozen=True)
class Unread:
    """A held layer or nested model the reader could not read, kept with the reader's error.

    Readers resolve every layer-valued argument and nested model before counting starts, but
    a bad one must be reported where it always was: when the engine reaches the layer that
    holds it (after the errors of earlier layers, named as the engine names that layer).  So
    the reader keeps ``value`` as written and its ``error``; the engine or rule that needs the
    layer raises :meth:`fresh_error`.
    """

    value: Value
    error: ParamcalcError

    def fresh_error(self) -> ParamcalcError:
        """A copy of the error to raise (raising fills in its context; the record stays as read)."""
        import copy

        return copy.copy(self.error)


class InputSpec(NamedTuple):
    """A model input: its name, shape without the batch axis, and dtype.

    A ``NamedTuple`` (docs/architecture.md, "Records"): never among a layer's arguments;
    ``spec._replace(shape=...)`` makes a changed copy.
    """

    name: str
    shape: tuple[int | None, ...]
    dtype: str = "float32"
    location: Location | None = None


@dataclass(slots=True, eq=False, repr=False)  # ValueRecord: == and repr without generated code
class ModelSpec(ValueRecord):
    """A whole model as read from a spec.

    ``inputs`` is empty when the spec gives no input shape.  ``graph`` is true for a
    functional model (named inputs, or layers that name their ``inputs:``); a sequential
    model is a chain in the order written.  ``notes`` are remarks the reader wants shown
    with the result (a Hugging Face config's tying conventions); ``extras`` are added to
    the JSON report as they are.
    """

    layers: tuple[LayerSpec, ...]
    inputs: tuple[InputSpec, ...] = ()
    name: str | None = None
    framework: str = "keras"
    outputs: tuple[str, ...] | None = None
    budget: Mapping[str, Value] | None = None
    source: str = "<spec>"
    graph: bool = False
    budget_location: Location | None = None
    notes: tuple[str, ...] = ()
    extras: Mapping[str, Value] = field(default_factory=dict)
    outputs_location: Location | None = None
