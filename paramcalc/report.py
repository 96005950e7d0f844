"""The report: plain, frozen data describing a counted model.

Nothing here computes a parameter count from a formula; rules produce :class:`Term`
objects (one per framework weight tensor) and the engine sums them.  Renderers read a
:class:`Report` and nothing else, so every output format shows the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod
from typing import Any

SCHEMA_VERSION = 1
"""Version of the JSON document produced by :meth:`Report.to_dict`.  Keys are only ever added."""

Dim = int | None
Shape = tuple[Dim, ...]
"""A tensor shape without the batch axis; ``None`` is an unknown length.

(PyTorch rows hold shapes *with* the batch axis, see :attr:`LayerRow.batch_in_shapes`.)"""

Tree = int | tuple["Tree", ...]
"""The nesting of a module's tuple output: leaves index :attr:`LayerRow.outputs`.
``nn.LSTM`` returns ``(output, (h_n, c_n))``: ``(0, (1, 2))``."""


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
    ``gate_axis`` is the axis that packs the gates: Keras packs them along the last axis,
    torch along the first (``weight_ih_l0`` is ``(4·hidden, input)``).
    """

    symbol: str
    weight: str
    shape: tuple[int, ...]
    dims: tuple[str, ...] | None = None
    trainable: bool = True
    gates: int = 1
    scope: str = ""
    buffer: bool = False
    gate_axis: int = -1

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

    PyTorch rows differ in three ways: ``batch_in_shapes`` (shapes include the batch axis,
    ``None``, wherever torch puts it: ``(5, None, 8)`` out of a sequence-first LSTM);
    ``outputs`` is empty when the spec has no input, so the shapes are unknown; and a module
    returning a tuple keeps its nesting in ``output_tree`` while ``outputs[0]`` is the tensor
    passed on to the next layer.
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
    batch_in_shapes: bool = False
    output_tree: Tree | None = None

    @property
    def known_outputs(self) -> bool:
        """Whether the output shapes are known (they are not for a PyTorch spec without input)."""
        return bool(self.outputs)

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
        shapes = [_shape_list(s, self.batch_in_shapes) for s in self.outputs]
        output: Any = None
        if shapes:
            output = shapes if self.multi_output else shapes[0]
        out: dict[str, Any] = {
            "name": self.name,
            "class": self.class_name,
            "output_shape": output,
            "params": self.params,
            "trainable": self.trainable,
            "non_trainable": self.non_trainable,
            "terms": [t.to_dict() for t in self.terms],
        }
        if self.output_tree is not None and shapes:
            out["outputs"] = _tree_list(self.output_tree, shapes)
        if self.inputs:
            out["inputs"] = list(self.inputs)
        if self.formula is not None:
            out["formula"] = self.formula
            out["symbols"] = dict(self.symbols)
        if self.buffers:
            out["buffers"] = self.buffers
        if self.depth:
            out["depth"] = self.depth
        return out


def _shape_list(shape: Shape, batch_in_shape: bool = False) -> list[Dim]:
    """A shape with the batch axis put back as ``None`` (JSON ``null``), as Keras prints it."""
    return list(shape) if batch_in_shape else [None, *shape]


def _tree_list(tree: Tree, shapes: list[list[Dim]]) -> Any:
    """A tuple output as nested JSON lists of shapes."""
    if isinstance(tree, int):
        return shapes[tree]
    return [_tree_list(item, shapes) for item in tree]


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

    @property
    def buffers(self) -> int:
        """Scalars held in buffers (torch's BatchNorm running statistics): state, not parameters."""
        return sum(layer.buffers for layer in self.layers)

    def nbytes(self, count: int) -> int:
        """Bytes that ``count`` parameters take at this report's dtype (rounded up for sub-byte dtypes)."""
        return -(-count * self.dtype_bits // 8)

    @property
    def bytes(self) -> int:
        """Bytes of all parameters at this report's dtype."""
        return self.nbytes(self.total)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (schema :data:`SCHEMA_VERSION`): stable keys, exact integers."""
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
            "layers": [layer.to_dict() for layer in self.layers],
        }
        if self.framework == "pytorch" or self.buffers:
            out["buffers"] = self.buffers
        out.update(self.extras)
        return out
