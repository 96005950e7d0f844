"""The report: plain, frozen data describing a counted model.

Nothing here computes a parameter count from a formula; rules produce :class:`Term`
objects (one per framework weight tensor) and the engine sums them.  Renderers read a
:class:`Report` and nothing else, so every output format shows the same numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from paramcalc.frameworks import framework_of
from paramcalc.rows import Dim, LayerRow, RowSums, Shape, Term, Tree
from paramcalc.value_record import ValueRecord

__all__ = ["SCHEMA_VERSION", "Dim", "LayerRow", "Report", "RowSums", "Shape", "Term", "Tree"]

SCHEMA_VERSION = 1
"""Version of the JSON document produced by :meth:`Report.to_dict`.  Keys are only ever added."""


@dataclass(slots=True, eq=False, repr=False)  # ValueRecord: == and repr without generated code
class Report(ValueRecord):
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
        from paramcalc.limits import MAX_LAYERS

        written = sum(len(row.copies) for row in self.layers)
        if written > MAX_LAYERS:  # an encoder-decoder config of 10,000 + 10,000 layers: 20,000 rows took 3 s
            from paramcalc.errors import UsageError

            raise UsageError(
                f"--expand-nested would write out {written:,} repeated blocks, more than {MAX_LAYERS:,}",
                hint="drop --expand-nested: repeated blocks stay one row (paramcalc's limit, see README, Limits)",
            )
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
            sums = layer.sums
            total += sums.params
            trainable += sums.trainable
            buffers += sums.buffers
            active += sums.active
            tied += sums.tied
            routed = routed or sums.routed
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
        if framework_of(self.framework).buffers_in_json or buffers:
            out["buffers"] = buffers
        if routed:
            out["active_per_token"] = active
        if tied:
            out["tied"] = tied
        if self.notes:
            out["notes"] = list(self.notes)
        out.update({k: v for k, v in self.extras.items() if not k.startswith("_")})  # "_": internal, not JSON
        return out


def _natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts ``layers.9`` before ``layers.10``."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", name) if part)
