"""Comparing two counted models, layer by layer and weight by weight.

Layers are matched by name first (a layer keeps its name across versions of a spec, and
automatic names such as ``dense_1`` are stable while the layers before them are); the
rest pair up by position, within each stretch between two name-matched layers: layers
of the same class pair in order, and if then as many are left in A as in B, they pair in
order too (each one replaced in place), unless one has weights and the other has none.
Whatever is left is added (only in B) or removed (only in A).
Within a matched pair, weights are matched by their path (``scope/weight``).

Pure data in, pure data out: renderers (table, Markdown, JSON) read a :class:`ModelDiff`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from paramcalc.report import SCHEMA_VERSION, LayerRow, Report, Term

SAME = "same"
CHANGED = "changed"
ADDED = "added"
REMOVED = "removed"
STATUSES = (SAME, CHANGED, ADDED, REMOVED)

T = TypeVar("T", Term, LayerRow)


@dataclass(frozen=True)
class _Sides(Generic[T]):
    """Something as it is in A and in B (None: absent on that side), and its parameters on each."""

    a: T | None
    b: T | None

    def size(self, item: T, in_b: bool) -> int:
        """Parameters of one side's item (``in_b``: B's side)."""
        raise NotImplementedError

    @property
    def count_a(self) -> int:
        """Parameters in A (0 when added)."""
        return self.size(self.a, False) if self.a is not None else 0

    @property
    def count_b(self) -> int:
        """Parameters in B (0 when removed)."""
        return self.size(self.b, True) if self.b is not None else 0

    @property
    def delta(self) -> int:
        """Parameters gained (negative: lost)."""
        return self.count_b - self.count_a

    @property
    def status(self) -> str:
        """``added`` (only in B), ``removed`` (only in A) or ``changed``."""
        if self.a is None:
            return ADDED
        if self.b is None:
            return REMOVED
        return CHANGED


@dataclass(frozen=True)
class TermDiff(_Sides[Term]):
    """One weight that differs (shape, trainability or tying), counted over its layer's copies."""

    path: str = ""
    repeat_a: int = 1
    repeat_b: int = 1

    def size(self, item: Term, in_b: bool) -> int:
        """A weight's parameters in all copies of its layer (0 for a tied alias, counted where defined)."""
        return item.count * (self.repeat_b if in_b else self.repeat_a) if item.counted else 0

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "weight": self.path,
            "weight_a": self.a.path if self.a is not None else None,
            "weight_b": self.b.path if self.b is not None else None,
            "status": self.status,
            "shape_a": list(self.a.shape) if self.a is not None else None,
            "shape_b": list(self.b.shape) if self.b is not None else None,
            "trainable_a": self.a.trainable if self.a is not None else None,
            "trainable_b": self.b.trainable if self.b is not None else None,
            "tied_to_a": (self.a.tied_to or None) if self.a is not None else None,
            "tied_to_b": (self.b.tied_to or None) if self.b is not None else None,
            "count_a": self.count_a,
            "count_b": self.count_b,
            "delta": self.delta,
        }


@dataclass(frozen=True)
class LayerDiff(_Sides[LayerRow]):
    """A layer of A, of B, or of both, and how its weights differ."""

    matched_by: str | None = None
    terms: tuple[TermDiff, ...] = ()

    def size(self, item: LayerRow, in_b: bool) -> int:
        """A layer's parameters, all copies together."""
        return item.params

    @property
    def status(self) -> str:
        """``same``, ``changed`` (class, name, output shape or any weight), ``added`` or ``removed``."""
        a, b = self.a, self.b
        if a is None or b is None:
            return super().status
        if self.terms or (a.name, a.class_name, a.outputs, a.params) != (b.name, b.class_name, b.outputs, b.params):
            return CHANGED
        return SAME

    @property
    def params_a(self) -> int:
        """Parameters in A (0 when added)."""
        return self.count_a

    @property
    def params_b(self) -> int:
        """Parameters in B (0 when removed)."""
        return self.count_b

    def to_dict(self) -> dict[str, Any]:
        """JSON form: both sides' name, class, output shape and params, the delta, the weight changes."""
        a, b = self.a, self.b
        return {
            "status": self.status,
            "matched_by": self.matched_by,
            "name_a": a.name if a else None,
            "name_b": b.name if b else None,
            "class_a": a.class_name if a else None,
            "class_b": b.class_name if b else None,
            "output_shape_a": _outputs(a),
            "output_shape_b": _outputs(b),
            "params_a": self.params_a,
            "params_b": self.params_b,
            "delta": self.delta,
            "terms": [t.to_dict() for t in self.terms],
        }


def _outputs(row: LayerRow | None) -> Any:
    if row is None:
        return None
    return row.to_dict()["output_shape"]


@dataclass(frozen=True)
class ModelDiff:
    """Two models side by side: every layer (in B's order, removed layers where they were) and totals."""

    a: Report
    b: Report
    layers: tuple[LayerDiff, ...]

    @property
    def changes(self) -> tuple[LayerDiff, ...]:
        """The layers that are not the same in both models."""
        return tuple(layer for layer in self.layers if layer.status != SAME)

    @property
    def identical(self) -> bool:
        """True when no layer differs (then the totals agree too)."""
        return not self.changes

    @property
    def delta(self) -> int:
        """Total parameters gained from A to B (negative: lost)."""
        return self.b.total - self.a.total

    @property
    def relative(self) -> float | None:
        """The relative change of the total (0.25 = +25%); None when A has no parameters."""
        return self.delta / self.a.total if self.a.total else None

    def count(self, status: str) -> int:
        """How many layers have ``status``."""
        return sum(1 for layer in self.layers if layer.status == status)

    def to_dict(self) -> dict[str, Any]:
        """The ``paramcalc diff --format json`` document (see README, "JSON output")."""
        return {
            "schema": SCHEMA_VERSION,
            "command": "diff",
            "a": _side(self.a),
            "b": _side(self.b),
            "delta": {
                "total": self.delta,
                "trainable": self.b.trainable - self.a.trainable,
                "non_trainable": self.b.non_trainable - self.a.non_trainable,
                "bytes": self.b.bytes - self.a.bytes,
            },
            "relative_change": self.relative,
            "identical": self.identical,
            "counts": {status: self.count(status) for status in STATUSES},
            "layers": [layer.to_dict() for layer in self.layers],
        }


def _side(report: Report) -> dict[str, Any]:
    return {
        "source": report.source,
        "name": report.name,
        "total": report.total,
        "trainable": report.trainable,
        "non_trainable": report.non_trainable,
        "bytes": report.bytes,
        "dtype": report.dtype,
    }


def diff_reports(a: Report, b: Report) -> ModelDiff:
    """Compare two reports: match layers (name, then position), then their weights."""
    pairs = match_layers(a.layers, b.layers)
    diffs = []
    for i, j, how in pairs:
        row_a = a.layers[i] if i is not None else None
        row_b = b.layers[j] if j is not None else None
        terms = diff_terms(row_a, row_b) if row_a is not None and row_b is not None else ()
        diffs.append(LayerDiff(row_a, row_b, how, terms))
    return ModelDiff(a, b, tuple(diffs))


def match_layers(
    rows_a: Sequence[LayerRow], rows_b: Sequence[LayerRow]
) -> list[tuple[int | None, int | None, str | None]]:
    """``(index in A, index in B, "name" | "position" | None)`` for every layer, in display order.

    Display order is B's, each removed layer placed after the B layer that its
    predecessor in A matched.
    """
    index_b = {row.name: j for j, row in enumerate(rows_b)}
    pair_of: dict[int, tuple[int, str]] = {}
    for i, row in enumerate(rows_a):
        if row.name in index_b:
            pair_of[i] = (index_b[row.name], "name")
    named_b = {j for j, _ in pair_of.values()}
    gaps_b = _gaps(len(rows_b), named_b)
    for gap, unmatched_a in _gaps(len(rows_a), set(pair_of)).items():
        unmatched_b = gaps_b.get(gap, [])
        queues: dict[str, deque[int]] = {}  # same class, in order: each A layer takes the first free B of its class
        for j in unmatched_b:
            queues.setdefault(rows_b[j].class_name, deque()).append(j)
        left_a, taken = [], set()
        for i in unmatched_a:
            queue = queues.get(rows_a[i].class_name)
            if queue:
                j = queue.popleft()
                pair_of[i] = (j, "position")
                taken.add(j)
            else:
                left_a.append(i)
        left_b = [j for j in unmatched_b if j not in taken]  # linear: a 20,000-layer gap once took seconds
        if len(left_a) == len(left_b):  # as many on each side: each one replaced in place
            for i, j in zip(left_a, left_b, strict=True):
                if bool(rows_a[i].terms) == bool(rows_b[j].terms):  # a Dropout does not become a Dense
                    pair_of[i] = (j, "position")
    partner = {j: i for i, (j, _) in pair_of.items()}
    keyed: list[tuple[tuple[int, int, int], tuple[int | None, int | None, str | None]]] = []
    for j in range(len(rows_b)):
        i_a = partner.get(j)
        keyed.append(((j, 0, 0), (i_a, j, pair_of[i_a][1] if i_a is not None else None)))
    anchor = -1
    for i in range(len(rows_a)):
        if i in pair_of:
            anchor = pair_of[i][0]
        else:
            keyed.append(((anchor, 1, i), (i, None, None)))
    return [entry for _, entry in sorted(keyed, key=lambda item: item[0])]


def _gaps(size: int, anchored: set[int]) -> dict[int, list[int]]:
    """The unanchored indexes grouped by how many anchored (name-matched) indexes precede them."""
    gaps: dict[int, list[int]] = {}
    seen = 0
    for index in range(size):
        if index in anchored:
            seen += 1
        else:
            gaps.setdefault(seen, []).append(index)
    return gaps


def diff_terms(a: LayerRow, b: LayerRow) -> tuple[TermDiff, ...]:
    """The weights that differ (shape, trainability, tying) between two matched layers; buffers left out.

    Weights pair by path, then by weight name, so a SimpleRNN's ``simple_rnn_cell/kernel``
    meets an LSTM's ``lstm_cell/kernel``.  Order: A's weights, then those only in B.
    """
    terms_a = [t for t in (a.terms if a.counted else ()) if not t.buffer]
    terms_b = [t for t in (b.terms if b.counted else ()) if not t.buffer]
    partner: dict[int, Term] = {}
    free = list(range(len(terms_b)))
    for key in ("path", "weight"):
        for i, term in enumerate(terms_a):
            want = getattr(term, key)
            j = None if i in partner else next((j for j in free if getattr(terms_b[j], key) == want), None)
            if j is not None:
                partner[i] = terms_b[j]
                free.remove(j)
    pairs = [(term, partner.get(i)) for i, term in enumerate(terms_a)] + [(None, terms_b[j]) for j in free]
    out = []
    for ta, tb in pairs:
        if _signature(ta) != _signature(tb):
            shown = tb if tb is not None else ta
            out.append(TermDiff(ta, tb, shown.path if shown is not None else "", a.repeat, b.repeat))
    return tuple(out)


def _signature(term: Term | None) -> tuple[tuple[int, ...], bool, str] | None:
    return (term.shape, term.trainable, term.tied_to) if term is not None else None
