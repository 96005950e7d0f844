"""The report: plain, frozen data describing a counted model.

Nothing here computes a parameter count from a formula; rules produce :class:`Term`
objects (one per framework weight tensor) and the engine sums them.  Renderers read a
:class:`Report` and nothing else, so every output format shows the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod
from typing import Any

from paramcalc._fast import fast_init

SCHEMA_VERSION = 1
"""Version of the JSON document produced by :meth:`Report.to_dict`.  Keys are only ever added."""

Dim = int | None
Shape = tuple[Dim, ...]
"""A tensor shape without the batch axis; ``None`` is an unknown length."""


@fast_init
@dataclass(frozen=True)
class Term:
    """One parameter tensor, named as the framework names it.

    ``symbol`` is the textbook name used in derivations (``W_x``), ``weight`` the
    framework's weight name (``kernel``), ``shape`` its exact shape.  ``dims`` gives the
    same shape symbolically (``("m", "4*n")``) so a derivation can show *why*.  When
    ``gates`` > 1 the last axis packs that many equal gates side by side, as Keras packs
    the LSTM's four gates into one kernel.  ``scope`` is the sub-layer path for wrapped
    or nested layers (``forward_lstm``).  Buffers (``buffer=True``) are state tensors a
    framework does not count as parameters (torch's BatchNorm running stats).
    """

    symbol: str
    weight: str
    shape: tuple[int, ...]
    dims: tuple[str, ...] | None = None
    trainable: bool = True
    gates: int = 1
    scope: str = ""
    buffer: bool = False

    @property
    def count(self) -> int:
        """Number of scalars in the tensor: the product of its shape (1 for a scalar)."""
        return prod(self.shape)

    @property
    def path(self) -> str:
        """``scope/weight`` (or just the weight name when unscoped)."""
        return f"{self.scope}/{self.weight}" if self.scope else self.weight

    def to_dict(self) -> dict[str, Any]:
        """JSON form: stable keys ``name``, ``weight``, ``shape``, ``count`` plus extras."""
        out: dict[str, Any] = {
            "name": self.symbol,
            "weight": self.weight,
            "shape": list(self.shape),
            "count": self.count,
            "trainable": self.trainable,
        }
        if self.scope:
            out["scope"] = self.scope
        if self.buffer:
            out["buffer"] = True
        return out


@fast_init
@dataclass(frozen=True)
class LayerRow:
    """One counted layer: identity, output shape(s), its terms and how they were derived.

    ``outputs`` holds one shape per output tensor; ``multi_output`` says whether the layer
    returns a list (an RNN with ``return_state``), which is how Keras prints it.
    ``formula`` is the closed form over ``symbols`` (``4*n*(n+m+1)``); ``legend`` says what
    each symbol means; ``why`` is the rule's explanation of the formula.
    """

    name: str
    class_name: str
    outputs: tuple[Shape, ...]
    terms: tuple[Term, ...] = ()
    multi_output: bool = False
    inputs: tuple[str, ...] = ()
    input_shapes: tuple[Shape, ...] = ()
    formula: str | None = None
    symbols: tuple[tuple[str, int], ...] = ()
    legend: tuple[tuple[str, str], ...] = ()
    gate_names: tuple[str, ...] = ()
    why: str = ""
    depth: int = 0
    line: int | None = None
    counted: bool = True

    _sums: tuple[int, int, int] = field(init=False, repr=False, compare=False)
    """(params, trainable, buffers), summed once when the row is made (renderers ask often)."""

    def __post_init__(self) -> None:
        params = trainable = buffers = 0
        for term in self.terms:
            count = term.count
            if term.buffer:
                buffers += count
            else:
                params += count
                if term.trainable:
                    trainable += count
        if not self.counted:
            params = trainable = 0
        object.__setattr__(self, "_sums", (params, trainable, buffers))

    @property
    def params(self) -> int:
        """Parameters of this layer (buffers excluded); 0 for a repeat call of a shared layer."""
        return self._sums[0]

    @property
    def trainable(self) -> int:
        """Trainable parameters of this layer."""
        return self._sums[1]

    @property
    def non_trainable(self) -> int:
        """Non-trainable parameters (Keras' BatchNormalization moving statistics, frozen layers)."""
        return self._sums[0] - self._sums[1]

    @property
    def buffers(self) -> int:
        """Scalars held in buffers (state that is not a parameter)."""
        return self._sums[2]

    def to_dict(self) -> dict[str, Any]:
        """JSON form of the layer (see README, "JSON output")."""
        params, trainable, buffers = self._sums
        # shapes get the batch axis back as None (JSON null), as Keras prints them
        out: dict[str, Any] = {
            "name": self.name,
            "class": self.class_name,
            "output_shape": [[None, *s] for s in self.outputs] if self.multi_output else [None, *self.outputs[0]],
            "params": params,
            "trainable": trainable,
            "non_trainable": params - trainable,
            "terms": [t.to_dict() for t in self.terms],
        }
        if self.inputs:
            out["inputs"] = list(self.inputs)
        if self.formula is not None:
            out["formula"] = self.formula
            out["symbols"] = dict(self.symbols)
        if buffers:
            out["buffers"] = buffers
        if self.depth:
            out["depth"] = self.depth
        return out


@dataclass(frozen=True)
class Report:
    """A whole counted model: its layers and totals, ready for any renderer."""

    name: str
    framework: str
    layers: tuple[LayerRow, ...]
    dtype: str = "float32"
    dtype_bits: int = 32
    graph: bool = False
    source: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """All parameters, each shared weight counted once."""
        return sum(layer.params for layer in self.layers)

    @property
    def trainable(self) -> int:
        """Parameters updated by training."""
        return sum(layer.trainable for layer in self.layers)

    @property
    def non_trainable(self) -> int:
        """Parameters that training does not update (moving statistics, frozen layers)."""
        return self.total - self.trainable

    def nbytes(self, count: int) -> int:
        """Bytes that ``count`` parameters take at this report's dtype (rounded up for sub-byte dtypes)."""
        return -(-count * self.dtype_bits // 8)

    @property
    def bytes(self) -> int:
        """Bytes of all parameters at this report's dtype."""
        return self.nbytes(self.total)

    def to_dict(self, *, with_layers: bool = True) -> dict[str, Any]:
        """The JSON document (schema :data:`SCHEMA_VERSION`): stable keys, exact integers.

        ``with_layers=False`` leaves ``layers`` empty, for a writer that streams them.
        """
        total, trainable = self.total, self.trainable
        out: dict[str, Any] = {
            "schema": SCHEMA_VERSION,
            "name": self.name,
            "framework": self.framework,
            "total": total,
            "trainable": trainable,
            "non_trainable": total - trainable,
            "bytes": self.nbytes(total),
            "trainable_bytes": self.nbytes(trainable),
            "non_trainable_bytes": self.nbytes(total - trainable),
            "dtype": self.dtype,
            "layers": [layer.to_dict() for layer in self.layers] if with_layers else [],
        }
        out.update(self.extras)
        return out
