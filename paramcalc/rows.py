"""Report rows: one :class:`Term` per weight tensor, one :class:`LayerRow` per layer.

Rules produce terms; the engine wraps a layer's terms, shapes and derivation into a row,
summing the row's parameters once (:class:`RowSums`) since renderers and totals ask many
times and a big model has a hundred thousand rows.  :mod:`paramcalc.report` re-exports
everything here.

Both are made once per layer (per distinct layer for terms), so they are slotted
dataclasses left unfrozen (docs/architecture.md, "Records"): a frozen ``__init__`` is three
to four times slower, and a row has two dozen fields.  Nothing assigns to one after it is
made; ``dataclasses.replace`` makes a changed copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod
from typing import Any, NamedTuple

from paramcalc.value_record import ValueRecord

Dim = int | None
Shape = tuple[Dim, ...]
"""A tensor shape without the batch axis; ``None`` is an unknown length.

(PyTorch rows hold shapes *with* the batch axis, see :attr:`LayerRow.batch_in_shapes`.)"""

Tree = int | tuple["Tree", ...]
"""The nesting of a module's tuple output: leaves index :attr:`LayerRow.outputs`.
``nn.LSTM`` returns ``(output, (h_n, c_n))``: ``(0, (1, 2))``."""


class RowSums(NamedTuple):
    """A row's sums, made once when the row is made (all copies together unless named ``_each``)."""

    params: int
    trainable: int
    buffers: int
    active: int
    tied: int
    params_each: int
    routed: bool


_new_sums = tuple.__new__
"""Makes a :class:`RowSums` at C speed (``tuple.__new__(RowSums, values)``): one per row."""


@dataclass(slots=True, eq=False, repr=False)  # ValueRecord: == and repr without generated code
class Term(ValueRecord):
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

    ``tied_to`` names the parameter this tensor *is* (a tied LM head is the input
    embedding): it is shown, never counted again.  ``share = (k, E)`` marks a tensor that
    stacks ``E`` routed experts on its first axis of which each token uses ``k``, so only
    ``count * k / E`` of it is active per token.
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
    tied_to: str = ""
    share: tuple[int, int] | None = None
    dtype: str = ""
    """The weight's dtype when its layer fixes it (a Keras dtype policy, Normalization's int32
    ``count``); "" for the report's dtype (``--dtype``, float32 by default)."""

    @property
    def count(self) -> int:
        """Number of scalars in the tensor: the product of its shape (1 for a scalar)."""
        return prod(self.shape)

    @property
    def counted(self) -> bool:
        """Whether the tensor adds to the parameter count (not a buffer, not a tied alias)."""
        return not self.buffer and not self.tied_to

    @property
    def active(self) -> int:
        """Scalars of this tensor one token uses: all of it, or ``k`` of its ``E`` experts."""
        if self.share is None:
            return self.count
        k, experts = self.share
        return self.count * k // experts

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
        if self.tied_to:
            out["tied_to"] = self.tied_to
        if self.share is not None:
            out["active_share"] = list(self.share)
        if self.dtype:
            out["dtype"] = self.dtype
        return out


@dataclass(slots=True, eq=False, repr=False)  # ValueRecord: == and repr without generated code
class LayerRow(ValueRecord):
    """One counted layer: identity, output shape(s), its terms and how they were derived.

    ``outputs`` holds one shape per output tensor; ``multi_output`` says whether the layer
    returns a list (an RNN with ``return_state``), which is how Keras prints it.
    ``formula`` is the closed form over ``symbols`` (``4*n*(n+m+1)``); ``legend`` says what
    each symbol means; ``why`` is the rule's explanation of the formula.

    In a graph, a layer called more than once (a shared layer) is one row: ``outputs``
    are its first call's, ``call_outputs`` every call's, and its weights count once.
    ``connections`` are Keras' "Connected to" entries (``emb[0][0]``) over all calls.
    A nested model's row holds its layers as ``children`` (one level deeper).

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
    calls: int = 1
    call_outputs: tuple[tuple[Shape, ...], ...] = ()
    connections: tuple[str, ...] = ()
    children: tuple[LayerRow, ...] = ()
    batch_in_shapes: bool = False
    output_tree: Tree | None = None
    copies: tuple[str, ...] = ()
    args: dict[str, Any] = field(default_factory=dict, repr=False, compare=False, hash=False)
    """The layer's bound arguments (read by :mod:`paramcalc.flops`; not part of the JSON)."""
    sums: RowSums = field(init=False, repr=False, compare=False)
    """The row's parameter sums, made once when the row is made: renderers and the totals
    ask for them many times, and a big model has a hundred thousand rows."""

    def __post_init__(self) -> None:
        params = trainable = buffers = active = tied = 0
        routed = False
        for term in self.terms:
            count = term.count
            if term.share is not None:
                routed = True
            if term.buffer:
                buffers += count
            elif term.tied_to:
                tied += count
            else:
                params += count
                if term.trainable:
                    trainable += count
                active += count if term.share is None else term.active
        if not self.counted:  # a shared layer's repeat call: shown, its parameters counted once elsewhere
            params = trainable = active = 0
        n = len(self.copies) or 1
        sums = (params * n, trainable * n, buffers * n, active * n, tied * n, params, routed)
        self.sums = _new_sums(RowSums, sums)

    @property
    def known_outputs(self) -> bool:
        """Whether the output shapes are known (they are not for a PyTorch spec without input)."""
        return bool(self.outputs)

    @property
    def repeat(self) -> int:
        """How many identical copies this row stands for (``LlamaDecoderLayer`` × 32)."""
        return len(self.copies) or 1

    @property
    def params_each(self) -> int:
        """Parameters of one copy (buffers and tied aliases excluded); 0 for a shared layer's repeat call."""
        return self.sums.params_each

    @property
    def params(self) -> int:
        """Parameters of this layer, all copies together."""
        return self.sums.params

    @property
    def trainable(self) -> int:
        """Trainable parameters of this layer, all copies together."""
        return self.sums.trainable

    @property
    def active(self) -> int:
        """Parameters one token uses, all copies together (routed experts: only the top-k)."""
        return self.sums.active

    @property
    def tied(self) -> int:
        """Scalars of tied aliases: shown in the layer, counted where they are first defined."""
        return self.sums.tied

    @property
    def routed(self) -> bool:
        """Whether a term stacks routed experts."""
        return self.sums.routed

    @property
    def non_trainable(self) -> int:
        """Non-trainable parameters (Keras' BatchNormalization moving statistics, frozen layers)."""
        return self.sums.params - self.sums.trainable

    @property
    def buffers(self) -> int:
        """Scalars held in buffers (state that is not a parameter), all copies together."""
        return self.sums.buffers

    def to_dict(self, terms: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """JSON form of the layer (see README, "JSON output").

        ``terms`` is the JSON form of :attr:`terms` when the caller has it already: rows of
        identical layers share one terms tuple (see render/json_out.py).
        """
        sums = self.sums
        params, trainable, buffers = sums.params, sums.trainable, sums.buffers
        out: dict[str, Any] = {
            "name": self.name,
            "class": self.class_name,
            "output_shape": _outputs_json(self.outputs, self.multi_output, self.batch_in_shapes),
            "params": params,
            "trainable": trainable,
            "non_trainable": params - trainable,
            "terms": [t.to_dict() for t in self.terms] if terms is None else terms,
        }
        if self.output_tree is not None and self.outputs:
            shapes = [_shape_list(s, self.batch_in_shapes) for s in self.outputs]
            out["outputs"] = _tree_list(self.output_tree, shapes)
        if self.inputs:
            out["inputs"] = list(self.inputs)
        if self.connections:
            out["connected_to"] = list(self.connections)
        if self.calls > 1:
            out["calls"] = self.calls
            out["call_output_shapes"] = [
                _outputs_json(shapes, self.multi_output, self.batch_in_shapes) for shapes in self.call_outputs
            ]
        if self.formula is not None:
            out["formula"] = self.formula
            out["symbols"] = dict(self.symbols)
        if buffers:
            out["buffers"] = buffers
        if self.depth:
            out["depth"] = self.depth
        if self.copies:
            out["repeat"] = self.repeat
            out["params_each"] = self.params_each
            out["copies"] = list(self.copies)
        if self.routed:
            out["active"] = self.active
        return out


def _outputs_json(shapes: tuple[Shape, ...], multi: bool, batch_in_shapes: bool = False) -> Any:
    """Output shape(s) as JSON: a list, a list of lists (several outputs), or null (unknown)."""
    lists = [_shape_list(s, batch_in_shapes) for s in shapes]
    if not lists:
        return None
    return lists if multi else lists[0]


def _shape_list(shape: Shape, batch_in_shape: bool = False) -> list[Dim]:
    """A shape with the batch axis put back as ``None`` (JSON ``null``), as Keras prints it."""
    return list(shape) if batch_in_shape else [None, *shape]


def _tree_list(tree: Tree, shapes: list[list[Dim]]) -> Any:
    """A tuple output as nested JSON lists of shapes."""
    if isinstance(tree, int):
        return shapes[tree]
    return [_tree_list(item, shapes) for item in tree]
