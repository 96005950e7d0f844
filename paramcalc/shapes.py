"""Integer shape arithmetic shared by rules: known axes, ranks, products, and the
output lengths of convolutions, transposed convolutions and pooling windows.

Shapes exclude the batch axis; ``None`` marks an unknown length (a variable sequence
length), which propagates instead of being guessed.  The torch-style lengths take
explicit integer paddings; the Keras ones take ``padding="valid"/"same"/"causal"`` and
mirror ``keras/src/ops/operation_utils.py`` and ``backend/common/backend_utils.py``
exactly, in exact integer arithmetic (``//`` floors like ``np.floor``).
"""

from __future__ import annotations

from collections.abc import Iterable
from math import prod

from paramcalc.errors import LayerError
from paramcalc.report import Dim, Shape, Term

MAX_DIM = 2**63 - 1
"""The largest size of one axis or argument: frameworks index tensors with int64.

Bounding every size keeps every count a modest exact integer (a term has a handful of
axes), so nothing downstream meets Python's 4,300-digit limit on int-to-text conversion.
"""


def format_shape(shape: Shape, batch_in_shape: bool = False) -> str:
    """Keras' printed form with the batch axis: ``(None, 4, 8)``.

    ``batch_in_shape``: the shape already holds its batch axis (PyTorch rows), print it as is.
    """
    dims = shape if batch_in_shape else (None, *shape)
    return "(" + ", ".join(str(d) for d in dims) + ")"


def check_dims(shape: Shape, what: str = "output") -> None:
    """Refuse a shape with an axis larger than :data:`MAX_DIM` (a huge Flatten, say), a negative
    axis (``ops.tile(x, (1, -3))``: Keras refuses to build that tensor, so no count exists),
    or more axes than :data:`~paramcalc.limits.MAX_RANK`.
    """
    from paramcalc.limits import MAX_RANK

    if len(shape) > MAX_RANK:
        raise LayerError(
            f"{what} has {len(shape):,} axes, more than {MAX_RANK}",
            hint="paramcalc's limit (see README, Limits), NumPy's as well",
        )
    for dim in shape:
        if dim is not None and dim < 0:
            raise LayerError(
                f"{what} {format_shape(shape, batch_in_shape=True)} has a negative size",
                hint="negative dimensions are not allowed (Keras and NumPy refuse them too)",
            )
        if dim is not None and dim > MAX_DIM:
            raise LayerError(
                f"{what} has an axis of about 10**{int(dim.bit_length() * 0.30103)} elements, more than 2**63 - 1",
                hint="no framework can build a tensor that large",
            )


def check_weights(terms: Iterable[Term]) -> None:
    """Refuse a weight of more than :data:`MAX_DIM` elements: no framework can hold it.

    Each axis is bounded already, but a product of bounded axes is not (``Dense(2**62)`` on
    4 features is a 2**64-element kernel); its count would be a meaningless 20-digit total.
    """
    for term in terms:
        count = term.count
        if count > MAX_DIM:
            raise LayerError(
                f"weight '{term.path}' {term.shape} has about 10**{int(count.bit_length() * 0.30103)} elements,"
                " more than 2**63 - 1",
                hint="no framework can build a tensor that large",
            )


def known_axis(shape: Shape, axis: int, what: str) -> int:
    """The size of ``axis``, which a weight depends on, so it must be known."""
    size = shape[axis]
    if size is None:
        raise LayerError(
            f"needs a known {what} to size its weights, got input {format_shape(shape)}",
            hint="give the input shape with a number for that axis",
        )
    return size


def last_axis(shape: Shape) -> int:
    """The input feature size ``m`` most layers read (the last axis)."""
    if not shape:
        raise LayerError("needs an input with at least one axis besides the batch")
    return known_axis(shape, -1, "last input axis")


def product(shape: Shape) -> int | None:
    """Number of elements per sample, or None if any axis is unknown."""
    if any(d is None for d in shape):
        return None
    return prod(d for d in shape if d is not None)


def conv_length(size: int | None, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int | None:
    """Output length of a convolution or pooling window along one axis (floor division).

    ``floor((size + 2·padding - dilation·(kernel-1) - 1) / stride) + 1``, as torch's
    ``Conv*d`` shape docs and Keras' ``compute_conv_output_shape`` with explicit padding.
    """
    if size is None:
        return None
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def pool_length(
    size: int | None,
    kernel: int,
    stride: int,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int | None:
    """Output length of torch's max/avg pooling (``pooling_output_shape`` in ATen).

    With ``ceil_mode`` the division rounds up, but a last window that would start in the
    right padding is dropped.
    """
    if size is None:
        return None
    span = size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = span // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def transposed_length(
    size: int | None,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int | None:
    """Output length of a transposed convolution (torch ``ConvTranspose*d`` shape docs):
    ``(size-1)·stride - 2·padding + dilation·(kernel-1) + output_padding + 1``.
    """
    if size is None:
        return None
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def data_format_axes(rank: int, data_format: str) -> tuple[int, tuple[int, ...]]:
    """The channel axis and the spatial axes of an input with ``rank`` non-batch axes.

    ``channels_last`` is ``(*spatial, channels)``, ``channels_first`` is
    ``(channels, *spatial)`` (Keras' ``data_format``).
    """
    if data_format == "channels_first":
        return 0, tuple(range(1, rank))
    return rank - 1, tuple(range(rank - 1))


def split_channels(shape: Shape, data_format: str) -> tuple[Dim, Shape]:
    """``(channels, spatial)`` of a shape laid out as ``data_format`` says."""
    channel, spatial = data_format_axes(len(shape), data_format)
    return shape[channel], tuple(shape[i] for i in spatial)


def join_channels(channels: Dim, spatial: Shape, data_format: str) -> Shape:
    """The inverse of :func:`split_channels`."""
    if data_format == "channels_first":
        return (channels, *spatial)
    return (*spatial, channels)


def conv_output_length(size: Dim, kernel: int, stride: int, padding: str, dilation: int = 1) -> Dim:
    """Output length of a convolution along one axis (``compute_conv_output_shape``).

    ``valid``: ``floor((n - d·(k-1) - 1) / s) + 1``, the positions where the dilated
    kernel fits entirely; ``same`` and ``causal`` pad so that ``floor((n - 1) / s) + 1``
    windows start inside the input.  May be zero or negative for ``valid``: callers
    decide how to report that.  ``None`` (unknown length) stays ``None``.
    """
    if padding == "valid":
        return conv_length(size, kernel, stride, 0, dilation)
    return None if size is None else (size - 1) // stride + 1


def pool_output_length(size: Dim, pool: int, stride: int, padding: str) -> Dim:
    """Output length of a pooling window along one axis (``compute_pooling_output_shape``).

    ``valid``: ``floor((n - p) / s) + 1``; ``same``: ``floor((n - 1) / s) + 1``.
    """
    return conv_output_length(size, pool, stride, padding)


def conv_transpose_output_length(
    size: Dim, kernel: int, stride: int, padding: str, output_padding: int | None, dilation: int = 1
) -> Dim:
    """Output length of a transposed convolution along one axis.

    Mirrors Keras' ``_get_output_shape_given_tf_padding``: with the dilated kernel
    ``k' = (k-1)·d + 1``, ``valid`` gives ``(n-1)·s + k' + p`` where the output padding
    ``p`` defaults to ``max(k', s) - k'``; ``same`` gives ``n·s`` without an output
    padding and ``(n-1)·s + k' mod 2 + p`` with one.
    """
    span = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(span, stride) - span if output_padding is None else output_padding
        return transposed_length(size, kernel, stride, 0, extra, dilation)
    if size is None:
        return None
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + span % 2 + output_padding
