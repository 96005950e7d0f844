"""FLOPs of ``keras.ops`` graph nodes, as FlopCounterMode counts what the torch backend runs.

Why apart: an op node sees whole tensors (batch axis included) and its formula follows the
torch call Keras lowers it to (``keras/src/backend/torch/numpy.py``, ``nn.py``):

* ``matmul`` and ``dot`` -> ``torch.matmul``: an mm / bmm over the broadcast batch axes,
  ``2·batch·M·K·N``; a 1-D operand is a matrix-vector product FlopCounterMode does not count
  the same way: refused;
* ``tensordot`` and ``inner`` -> ``torch.tensordot`` / ``torch.inner``: one mm over the free
  axes, ``2·free(x)·K·free(y)``;
* ``einsum`` (two operands) -> ``torch.einsum``: a bmm when a letter is summed over (2 × the
  sizes of every letter left after one-operand sums); no summed letter is an element-wise
  product, 0;
* ``dot_product_attention`` -> scaled-dot-product attention: Q·Kᵀ and A·V over every query head;
* every other op readable here (element-wise, reductions, shapes, norms) counts 0, except
  ``resize`` (an antialiased resize may multiply by a weight matrix) and ``vdot``: refused.

Checked against FlopCounterMode in tests/golden/flops/ops.json (tools/flops_golden_ops.py).
"""

from __future__ import annotations

from math import prod
from typing import TYPE_CHECKING

from paramcalc.flops import FlopTerm, Sizes, Unknown, _attention, _fill, _times

if TYPE_CHECKING:
    from paramcalc.report import LayerRow

REFUSED = frozenset({"Resize", "Vdot"})


def _shapes(row: LayerRow, sizes: Sizes) -> list[tuple[int, ...]]:
    return [_fill(shape, sizes) for shape in row.input_shapes]


def _broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """Numpy broadcasting of two batch shapes."""
    width = max(len(a), len(b))
    a, b = (1,) * (width - len(a)) + a, (1,) * (width - len(b)) + b
    return tuple(max(x, y) for x, y in zip(a, b, strict=True))


def op_flops(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """The FLOP terms of one op node (empty: no counted arithmetic); :class:`Unknown` when refused."""
    name = row.class_name
    if name in REFUSED:
        raise Unknown
    if name in ("Matmul", "Dot"):
        x, y = _shapes(row, sizes)[:2]
        if not x or not y:
            return []  # a scalar operand: an element-wise product
        if len(x) < 2 or len(y) < 2:
            raise Unknown
        batch = prod(_broadcast(x[:-2], y[:-2]))
        m, k, n = x[-2], x[-1], y[-1]
        return [FlopTerm("x·y (torch.matmul)", "2·batch·M·K·N", _times(2, batch, m, k, n), 2 * batch * m * k * n)]
    if name in ("Tensordot", "Inner"):
        x, y = _shapes(row, sizes)[:2]
        if name == "Inner":
            if len(x) < 2 or len(y) < 2:
                raise Unknown
            x_axes, y_axes = [len(x) - 1], [len(y) - 1]
        else:
            x_axes, y_axes = _tensordot_axes(row, len(x), len(y))
        k = prod(x[i] for i in x_axes)
        free_x = prod(s for i, s in enumerate(x) if i not in x_axes)
        free_y = prod(s for i, s in enumerate(y) if i not in y_axes)
        return [
            FlopTerm(
                f"x·y (torch.{name.lower()})",
                "2·free(x)·K·free(y)",
                _times(2, free_x, k, free_y),
                2 * free_x * k * free_y,
            )
        ]
    if name == "Einsum":
        return _einsum(row, sizes)
    if name == "DotProductAttention":
        query, key, value = _shapes(row, sizes)[:3]
        if len(query) != 4:
            raise Unknown
        return _attention(query[0], query[2], query[1], key[1], query[3], value[3])
    return []


def _tensordot_axes(row: LayerRow, rank_x: int, rank_y: int) -> tuple[list[int], list[int]]:
    axes = row.args.get("axes", 2)
    if isinstance(axes, int):
        return list(range(rank_x - axes, rank_x)), list(range(axes))
    if isinstance(axes, (list, tuple)) and len(axes) == 2:
        first, second = ([a] if isinstance(a, int) else list(a) for a in axes)
        return [int(a) % rank_x for a in first], [int(a) % rank_y for a in second]
    raise Unknown


def _einsum(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    shapes = _shapes(row, sizes)
    equation = str(row.args.get("subscripts", "")).replace(" ", "")
    if "->" not in equation or "..." in equation:
        raise Unknown
    operands, output = equation.split("->")
    names = operands.split(",")
    if len(names) == 1:
        return []  # a sum or a transpose
    if len(names) != 2 or len(shapes) != 2:
        raise Unknown
    letters: dict[str, int] = {}
    for letters_of, shape in zip(names, shapes, strict=True):
        if len(letters_of) != len(shape):
            raise Unknown
        letters.update(zip(letters_of, shape, strict=True))
    left, right = names
    summed = [c for c in letters if c in left and c in right and c not in output]
    if not summed:
        return []  # no letter summed over: torch multiplies element-wise
    kept = [c for c in letters if c in output or (c in left and c in right)]
    total = 2 * prod(letters[c] for c in kept)
    return [FlopTerm(f"einsum {equation}", f"2·{'·'.join(kept)}", _times(2, *(letters[c] for c in kept)), total)]
