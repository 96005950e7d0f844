"""The report: plain, frozen data describing a counted model.

Nothing here computes a parameter count from a formula; rules produce :class:`Term`
objects (one per framework weight tensor) and the engine sums them.  Renderers read a
:class:`Report` and nothing else, so every output format shows the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from math import prod
from typing import Any

SCHEMA_VERSION = 1
"""Version of the JSON document produced by :meth:`Report.to_dict`.  Keys are only ever added."""

Dim = int | None
Shape = tuple[Dim, ...]
"""A tensor shape without the batch axis; ``None`` is an unknown length."""


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


@dataclass(frozen=True)
class LayerRow:
    """One counted layer: identity, output shape(s), its terms and how they were derived.

    ``outputs`` holds one shape per output tensor; ``multi_output`` says whether the layer
    returns a list (an RNN with ``return_state``), which is how Keras prints it.
    ``formula`` is the closed form over ``symbols`` (``4*n*(n+m+1)``); ``legend`` says what
    each symbol means; ``why`` is the rule's explanation of the formula.

    In a graph, a layer called more than once (a shared layer) is one row: ``outputs``
    are its first call's, ``call_outputs`` every call's, and its weights count once.
    ``connections`` are Keras' "Connected to" entries (``emb[0][0]``) over all calls.
    A nested model's row holds its layers as ``children`` (one level deeper).
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
    calls: int = 1
    call_outputs: tuple[tuple[Shape, ...], ...] = ()
    connections: tuple[str, ...] = ()
    children: tuple[LayerRow, ...] = ()

    @property
    def params(self) -> int:
        """Parameters of this layer (buffers excluded); 0 for a repeat call of a shared layer."""
        if not self.counted:
            return 0
        return sum(t.count for t in self.terms if not t.buffer)

    @property
    def trainable(self) -> int:
        """Trainable parameters of this layer."""
        if not self.counted:
            return 0
        return sum(t.count for t in self.terms if t.trainable and not t.buffer)

    @property
    def non_trainable(self) -> int:
        """Non-trainable parameters (Keras' BatchNormalization moving statistics, frozen layers)."""
        return self.params - self.trainable

    @property
    def buffers(self) -> int:
        """Scalars held in buffers (state that is not a parameter)."""
        return sum(t.count for t in self.terms if t.buffer)

    def to_dict(self) -> dict[str, Any]:
        """JSON form of the layer (see README, "JSON output")."""
        out: dict[str, Any] = {
            "name": self.name,
            "class": self.class_name,
            "output_shape": _outputs_json(self.outputs, self.multi_output),
            "params": self.params,
            "trainable": self.trainable,
            "non_trainable": self.non_trainable,
            "terms": [t.to_dict() for t in self.terms],
        }
        if self.inputs:
            out["inputs"] = list(self.inputs)
        if self.connections:
            out["connected_to"] = list(self.connections)
        if self.calls > 1:
            out["calls"] = self.calls
            out["call_output_shapes"] = [_outputs_json(shapes, self.multi_output) for shapes in self.call_outputs]
        if self.formula is not None:
            out["formula"] = self.formula
            out["symbols"] = dict(self.symbols)
        if self.buffers:
            out["buffers"] = self.buffers
        if self.depth:
            out["depth"] = self.depth
        return out


def _outputs_json(shapes: tuple[Shape, ...], multi: bool) -> Any:
    lists = [_shape_list(s) for s in shapes]
    return lists if multi else lists[0]


def _shape_list(shape: Shape) -> list[Dim]:
    """A shape with the batch axis put back as ``None`` (JSON ``null``), as Keras prints it."""
    return [None, *shape]


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
    show_connections: bool = False
    """Whether Keras would print the "Connected to" column: a graph that is not a plain chain."""

    def rows(self, expand_nested: bool = False) -> list[LayerRow]:
        """The rows to show: top-level layers, and with ``expand_nested`` each nested model's
        layers right after it (``depth`` one deeper), as ``model.summary(expand_nested=True)``.
        """
        if not expand_nested:
            return list(self.layers)
        out: list[LayerRow] = []

        def add(row: LayerRow, depth: int) -> None:
            out.append(row if row.depth == depth else replace(row, depth=depth))
            for child in row.children:
                add(child, depth + 1)

        for row in self.layers:
            add(row, 0)
        return out

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

    def to_dict(self, expand_nested: bool = False) -> dict[str, Any]:
        """The JSON document (schema :data:`SCHEMA_VERSION`): stable keys, exact integers.

        With ``expand_nested`` the layers of nested models follow their model's entry,
        each with a ``depth``; totals always count every weight once.
        """
        out: dict[str, Any] = {
            "schema": SCHEMA_VERSION,
            "name": self.name,
            "framework": self.framework,
            "total": self.total,
            "trainable": self.trainable,
            "non_trainable": self.non_trainable,
            "bytes": self.bytes,
            "trainable_bytes": self.nbytes(self.trainable),
            "non_trainable_bytes": self.nbytes(self.non_trainable),
            "dtype": self.dtype,
            "layers": [layer.to_dict() for layer in self.rows(expand_nested)],
        }
        out.update(self.extras)
        return out
