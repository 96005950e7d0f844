"""Keras' EinsumDense: a Dense layer written as an einsum equation.

Weight shapes follow ``keras/src/layers/core/einsum_dense.py``: ``_analyze_einsum_string``
reads the equation (no ellipsis, a leading or a trailing one), sizes the kernel from the
input's contracted axes and ``output_shape``'s new ones, and the bias from ``bias_axes``.
Its own module because the equation analysis is a job of its own, beside the plain Dense
of :mod:`paramcalc.rules.core` (whose LoRA and activation helpers it shares).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from paramcalc.errors import LayerError
from paramcalc.report import Shape, Term
from paramcalc.rules import Args, Outcome, rule
from paramcalc.rules.core import LORA_LEGEND, check_activation, lora_rank, with_lora
from paramcalc.shapes import format_shape

_EINSUM_FORMS = (
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)\Z"), ""),
    (re.compile(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)\Z"), "left"),
    (re.compile(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0\Z"), "right"),
)
"""Keras' three equation forms, ``...`` written as ``0``: no ellipsis, leading, trailing."""


def _split_equation(equation: str) -> tuple[tuple[str, str, str], str]:
    """The input, weight and output letters, and where the ellipsis is ("", "left", "right")."""
    replaced = equation.replace("...", "0")
    for pattern, ellipsis in _EINSUM_FORMS:
        found = pattern.match(replaced)
        if found:
            input_spec, weight_spec, output_spec = found.groups()
            return (input_spec, weight_spec, output_spec), ellipsis
    raise LayerError(
        f"invalid einsum equation '{equation}'",
        hint="equations look like 'ab,bc->ac', '...b,bc->...c' or 'ab...,bc->ac...'",
    )


def einsum_shapes(
    equation: str, bias_axes: str | None, x: Shape, partial: Sequence[int | None]
) -> tuple[list[int | None], list[int] | None, Shape, str, str]:
    """Keras' ``_analyze_einsum_string`` on a batchless shape.

    Returns the kernel shape, the bias shape (None without ``bias_axes``), the output
    shape (batchless), the weight spec and the output spec letters.  Keras matches its
    patterns with ``re.match`` (anchored at the start only); the full match here is the
    same for any equation Keras can then run.
    """
    (input_spec, weight_spec, output_spec), ellipsis = _split_equation(equation)
    left = ellipsis == "left"
    full: list[int | None] = [None, *x]  # with the batch axis, as Keras indexes it
    elided = len(full) - len(input_spec)
    if elided < 0:
        # Keras indexes past the input's axes: it refuses the layer.  (More axes than letters
        # and no '...' is built as if the equation ended in '...': Keras builds that layer,
        # and only running it fails.)
        raise LayerError(
            f"equation '{equation}' names {len(input_spec)} input axes (batch included), "
            f"but the input {format_shape(x)} has {len(full)}",
            hint="one letter per input axis, or '...' for the axes in between",
        )
    wanted = len(output_spec) - (0 if left else 1)  # the batch letter is not in output_shape
    if len(partial) != wanted:
        raise LayerError(
            f"output_shape {tuple(partial)} has {len(partial)} axes, but the output '{output_spec}' of "
            f"'{equation}' needs {wanted} (the batch axis left out)",
            hint="give one output_shape entry per output letter after the batch",
        )
    out: list[int | None] = [None, *partial]
    if elided > 0 and left:
        for i in range(1, elided):
            out.insert(1, full[i])  # Keras inserts each at position 1: the leading axes end up reversed
    elif elided > 0:
        out.extend(full[len(full) - elided :])
    if left:
        in_map = {d: (i + elided) - len(full) for i, d in enumerate(input_spec)}
        out_map = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        in_map = {d: i for i, d in enumerate(input_spec)}
        out_map = {d: i for i, d in enumerate(output_spec)}
    for dim in input_spec:
        if dim in out_map and out[out_map[dim]] is not None and out[out_map[dim]] != full[in_map[dim]]:
            raise LayerError(
                f"input {format_shape(x)} and output_shape {tuple(partial)} disagree on the shared axis '{dim}': "
                f"{full[in_map[dim]]} vs {out[out_map[dim]]}",
                hint="an axis named in both the input and the output keeps its size",
            )
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise LayerError(
                f"axis '{dim}' of the output '{output_spec}' is in neither the input '{input_spec}' "
                f"nor the weight '{weight_spec}' of '{equation}'",
                hint="every output axis must come from the input or the kernel",
            )
    kernel: list[int | None] = []
    for dim in weight_spec:
        if dim in out_map:
            kernel.append(out[out_map[dim]])
        elif dim in in_map:
            kernel.append(full[in_map[dim]])
        else:
            raise LayerError(
                f"kernel axis '{dim}' of '{equation}' is in neither the input '{input_spec}' "
                f"nor the output '{output_spec}'",
                hint="EinsumDense's kernel must be fully determined by the input and output",
            )
    bias: list[int] | None = None
    if bias_axes is not None:
        offset = elided if left else 0
        sizes = {c: out[i + offset] for i, c in enumerate(output_spec)}
        for char in bias_axes:
            if char not in output_spec:
                raise LayerError(f"bias axis '{char}' is not in the output '{output_spec}' of '{equation}'")
        first = min(output_spec.find(c) for c in bias_axes)
        bias = [_sized(sizes[c], c) if c in bias_axes else 1 for c in output_spec[first:]]
        if not left:
            bias += [1] * max(elided, 0)
    return kernel, bias, tuple(out[1:]), weight_spec, output_spec


def _sized(size: int | None, axis: str) -> int:
    if size is None:
        raise LayerError(
            f"needs a known size for axis '{axis}' to size its weights",
            hint="give that axis in output_shape (or a known input size)",
        )
    return size


@rule(
    "EinsumDense",
    "equation",
    "output_shape",
    ("activation", None),
    ("bias_axes", None),
    ("kernel_initializer", "glorot_uniform"),
    ("bias_initializer", "zeros"),
    ("kernel_regularizer", None),
    ("bias_regularizer", None),
    ("kernel_constraint", None),
    ("bias_constraint", None),
    ("lora_rank", None),
    ("lora_alpha", None),
    ("gptq_unpacked_column_size", None),
    ("quantization_config", None),
    min_rank=1,
    legend=LORA_LEGEND,
)
def einsum_dense(args: Args, x: Shape) -> Outcome:
    """A Dense layer written as an einsum: the kernel has one axis per letter of the
    equation's weight part, sized from the input (contracted axes) or from output_shape
    (new axes); the bias spans the output axes from the first bias axis on, size 1 on the
    others. The count is the product of the kernel axes plus that of the bias axes.
    Keras puts the batch axis back in front of output_shape, so an axis given as None
    there stays None in the output even when the input knows it.
    """
    equation = args.string("equation")
    check_activation(args)
    raw = args["output_shape"]
    partial: list[int | None]
    if isinstance(raw, int) and not isinstance(raw, bool):
        partial = [raw]
    elif isinstance(raw, (list, tuple)) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0) for d in raw
    ):
        partial = list(raw)
    else:
        raise LayerError(f"'output_shape' must be an integer or a list of integers/None, got {raw!r}")
    bias_axes = args["bias_axes"]
    if bias_axes is not None:
        bias_axes = args.string("bias_axes")
    kernel, bias, out, weight_spec, output_spec = einsum_shapes(equation, bias_axes, x, partial)
    kernel_shape = tuple(_sized(size, dim) for size, dim in zip(kernel, weight_spec, strict=True))
    symbols = dict(zip(weight_spec, kernel_shape, strict=True))
    terms = [Term("W", "kernel", kernel_shape, tuple(weight_spec))]
    formula = "*".join(weight_spec)
    if bias is not None:
        first = min(output_spec.find(c) for c in bias_axes or "")
        letters = output_spec[first:]
        dims = [c if c in (bias_axes or "") else "1" for c in letters]
        dims += ["1"] * (len(bias) - len(dims))
        for char, size in zip(letters, bias, strict=False):
            if char in (bias_axes or ""):
                symbols[char] = size
        terms.append(Term("b", "bias", tuple(bias), tuple(dims)))
        formula += "+" + ("*".join(d for d in dims if d != "1") or "1")
    input_spec = equation.replace("...", "").split(",", 1)[0]
    legend = {c: _einsum_axis(c, input_spec, output_spec) for c in symbols}
    rank = lora_rank(args)
    terms, extra = with_lora(terms, rank)
    if rank:
        symbols["r"] = rank
    return Outcome(shape=out, terms=terms, formula=formula + extra, symbols=symbols, legend=legend)


def _einsum_axis(letter: str, input_spec: str, output_spec: str) -> str:
    """What an equation letter sizes: a contracted input axis, a kept one, or a new output axis."""
    if letter in input_spec and letter in output_spec:
        return f"axis '{letter}', kept from the input"
    if letter in input_spec:
        return f"axis '{letter}' of the input, summed over"
    return f"axis '{letter}' of output_shape"
