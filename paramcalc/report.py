"""The report: plain, frozen data describing a counted model.

Nothing here computes a parameter count from a formula; rules produce :class:`Term`
objects (one per framework weight tensor) and the engine sums them.  Renderers read a
:class:`Report` and nothing else, so every output format shows the same numbers.
"""

from __future__ import annotations

import re
from dataclasses import field, replace
from math import prod
from typing import Any

from paramcalc._fast import record

SCHEMA_VERSION = 1
"""Version of the JSON document produced by :meth:`Report.to_dict`.  Keys are only ever added."""

Dim = int | None
Shape = tuple[Dim, ...]
"""A tensor shape without the batch axis; ``None`` is an unknown length.

(PyTorch rows hold shapes *with* the batch axis, see :attr:`LayerRow.batch_in_shapes`.)"""

Tree = int | tuple["Tree", ...]
"""The nesting of a module's tuple output: leaves index :attr:`LayerRow.outputs`.
``nn.LSTM`` returns ``(output, (h_n, c_n))``: ``(0, (1, 2))``."""


@record(frozen=True)
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


@record(frozen=True)
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
    _sums: tuple[int, int, int, int, int, int, bool] = field(init=False, repr=False, compare=False)
    """All copies' (params, trainable, buffers, active, tied), one copy's params, and whether
    a term is routed.  Summed once when the row is made: renderers and the totals ask for
    them many times, and a big model has a hundred thousand rows."""

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
        object.__setattr__(self, "_sums", sums)

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
        return self._sums[5]

    @property
    def params(self) -> int:
        """Parameters of this layer, all copies together."""
        return self._sums[0]

    @property
    def trainable(self) -> int:
        """Trainable parameters of this layer, all copies together."""
        return self._sums[1]

    @property
    def active(self) -> int:
        """Parameters one token uses, all copies together (routed experts: only the top-k)."""
        return self._sums[3]

    @property
    def tied(self) -> int:
        """Scalars of tied aliases: shown in the layer, counted where they are first defined."""
        return self._sums[4]

    @property
    def routed(self) -> bool:
        """Whether a term stacks routed experts."""
        return self._sums[6]

    @property
    def non_trainable(self) -> int:
        """Non-trainable parameters (Keras' BatchNormalization moving statistics, frozen layers)."""
        return self._sums[0] - self._sums[1]

    @property
    def buffers(self) -> int:
        """Scalars held in buffers (state that is not a parameter), all copies together."""
        return self._sums[2]

    def to_dict(self, terms: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """JSON form of the layer (see README, "JSON output").

        ``terms`` is the JSON form of :attr:`terms` when the caller has it already: rows of
        identical layers share one terms tuple (see render/json_out.py).
        """
        params, trainable, buffers = self._sums[:3]
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


@record(frozen=True)
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
    notes: tuple[str, ...] = ()
    show_connections: bool = False
    """Whether Keras would print the "Connected to" column: a graph that is not a plain chain."""

    # --- display (API, issue 15): the CLI's renderers, imported only when a report is drawn ---
    def __str__(self) -> str:
        """The table ``paramcalc summary`` prints (``print(report)``)."""
        from paramcalc.render.table import table_text

        return table_text(self)

    def _repr_markdown_(self) -> str:
        """Jupyter and Colab: the summary as a Markdown table (``--format markdown``)."""
        from paramcalc.render.markdown import summary

        return summary(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's terminal: the table."""
        printer.text(str(self))

    def __rich_console__(self, console: Any, options: Any) -> Any:
        """A rich console (``rich.print(report)``): the table with its bold title and totals."""
        from paramcalc.render.table import summary_renderables

        yield from summary_renderables(self)[0]

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

    @property
    def buffers(self) -> int:
        """Scalars held in buffers (torch's BatchNorm running statistics): state, not parameters."""
        return sum(layer.buffers for layer in self.layers)

    @property
    def routed(self) -> bool:
        """Whether the model routes tokens to experts (a mixture of experts)."""
        return any(layer.routed for layer in self.layers)

    @property
    def active(self) -> int:
        """Parameters one token uses: everything but the experts the router did not pick."""
        return sum(layer.active for layer in self.layers)

    @property
    def tied(self) -> int:
        """Scalars of tied aliases (a tied LM head): shown, not counted again."""
        return sum(layer.tied for layer in self.layers)

    @property
    def largest_layer(self) -> LayerRow | None:
        """The row whose single copy has the most parameters (what must fit on one device)."""
        rows = [row for row in self.layers if row.params_each]
        return max(rows, key=lambda row: row.params_each) if rows else None

    def expanded(self) -> Report:
        """The same report with every repeated row written out once per copy, in model order.

        Adjacent repeated rows form one stack (Qwen2-MoE interleaves dense and sparse
        layers as two rows); their copies are merged and put back in layer order.
        """
        rows: list[LayerRow] = []
        stack: list[LayerRow] = []

        def flush() -> None:
            copies = [(name, row) for row in stack for name in row.copies]
            copies.sort(key=lambda item: _natural_key(item[0]))
            rows.extend(replace(row, name=name, copies=()) for name, row in copies)
            stack.clear()

        for row in self.layers:
            if row.copies:
                stack.append(row)
                continue
            flush()
            rows.append(row)
        flush()
        return replace(self, layers=tuple(rows))

    def nbytes(self, count: int) -> int:
        """Bytes that ``count`` parameters take at this report's dtype (rounded up for sub-byte dtypes)."""
        return -(-count * self.dtype_bits // 8)

    def bits(self, trainable: bool | None = None) -> int:
        """Bits of the parameters (all, or only the (non-)trainable ones), each at its own dtype.

        A weight whose layer fixes its dtype (``dtype="bfloat16"``) takes that size, any
        other the report's dtype: what Keras' summary adds up for its byte sizes.
        """
        trainable_bits, frozen_bits = self.bits_split()
        if trainable is None:
            return trainable_bits + frozen_bits
        return trainable_bits if trainable else frozen_bits

    def bits_split(self) -> tuple[int, int]:
        """(trainable, non-trainable) bits, each weight at its own dtype, in one pass over the terms."""
        from paramcalc.dtypes import dtype_bits

        split = [0, 0]
        for row in self.layers:
            if not row.counted:
                continue
            for t in row.terms:
                if t.counted:
                    split[not t.trainable] += (
                        t.count * (dtype_bits(t.dtype) if t.dtype else self.dtype_bits) * row.repeat
                    )
        return split[0], split[1]

    def weight_bytes(self, trainable: bool | None = None) -> int:
        """Bytes of :meth:`bits` (rounded up for sub-byte dtypes)."""
        return -(-self.bits(trainable) // 8)

    @property
    def bytes(self) -> int:
        """Bytes of all parameters, each at its dtype."""
        return self.weight_bytes()

    def to_dict(self, expand_nested: bool = False, *, with_layers: bool = True) -> dict[str, Any]:
        """The JSON document (schema :data:`SCHEMA_VERSION`): stable keys, exact integers.

        With ``expand_nested`` the layers of nested models follow their model's entry,
        each with a ``depth``; totals always count every weight once.  ``with_layers=False``
        leaves ``layers`` empty, for a writer that streams them.
        """
        total = trainable = buffers = active = tied = 0
        routed = False
        for layer in self.layers:  # one pass: a big model has a hundred thousand rows
            sums = layer._sums
            total += sums[0]
            trainable += sums[1]
            buffers += sums[2]
            active += sums[3]
            tied += sums[4]
            routed = routed or sums[6]
        trainable_bits, frozen_bits = self.bits_split()  # one pass for the three byte sizes
        out: dict[str, Any] = {
            "schema": SCHEMA_VERSION,
            "name": self.name,
            "framework": self.framework,
            "total": total,
            "trainable": trainable,
            "non_trainable": total - trainable,
            "bytes": -(-(trainable_bits + frozen_bits) // 8),
            "trainable_bytes": -(-trainable_bits // 8),
            "non_trainable_bytes": -(-frozen_bits // 8),
            "dtype": self.dtype,
            "layers": [layer.to_dict() for layer in self.rows(expand_nested)] if with_layers else [],
        }
        if self.framework == "pytorch" or buffers:
            out["buffers"] = buffers
        if routed:
            out["active_per_token"] = active
        if tied:
            out["tied"] = tied
        if self.notes:
            out["notes"] = list(self.notes)
        out.update(self.extras)
        return out


def _natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts ``layers.9`` before ``layers.10``."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", name) if part)
