"""Keras masks in functional graphs: the hidden ops a layer's ``compute_mask`` creates.

In a Keras functional model a mask is a tensor computed by graph operations of its own
(``not_equal``, ``any``, ``logical_or``, ...).  Those ops use up automatic names and can
change the order of ``model.layers``, so paramcalc records them as hidden graph ops.  A
rule declares its layer's behaviour as a :data:`~paramcalc.rules.registry.MaskKind`
(``@rule(..., mask="embedding")``); :data:`MASKS` holds what each kind does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from paramcalc.report import Shape
from paramcalc.rules.binding import bind
from paramcalc.rules.registry import MaskKind, find_rule
from paramcalc.spec.records import LayerSpec

if TYPE_CHECKING:
    from paramcalc.graph import Tensor
    from paramcalc.naming import AutoNamer

__all__ = ["MASKS", "MaskCall", "MaskFn", "output_mask"]


class MaskCall(NamedTuple):
    """One call of a layer in a Keras graph, as its ``compute_mask`` sees it."""

    spec: LayerSpec
    inputs: Sequence[Tensor]
    in_masks: Sequence[Tensor | None]
    outputs: tuple[Shape, ...]
    namer: AutoNamer


MaskFn = Callable[[MaskCall], "Tensor | None"]
"""What a mask kind computes: the mask of the call's (first) output, or None."""


def _mask_op(name: str, inputs: Sequence[Tensor], shape: Shape) -> Tensor:
    """A hidden graph operation Keras creates to compute a mask (``not_equal``, ``any``, ...)."""
    from paramcalc.graph import Op, Tensor, call

    op = Op(name, hidden=True)
    call(op, inputs, (shape,))
    return Tensor(op, 0, 0)


def _none(call: MaskCall) -> Tensor | None:
    """The layer drops the mask (Keras' default ``compute_mask`` for layers without ``supports_masking``)."""
    return None


def _keep(call: MaskCall) -> Tensor | None:
    """The first input's mask passes through (``supports_masking``)."""
    return call.in_masks[0] if call.in_masks else None


def _sequences(call: MaskCall) -> Tensor | None:
    """Recurrent: the input's mask, if the output is still a sequence."""
    first = call.in_masks[0] if call.in_masks else None
    outputs, inputs = call.outputs, call.inputs
    return first if outputs and inputs and len(outputs[0]) == len(inputs[0].shape) else None


def _embedding(call: MaskCall) -> Tensor | None:
    """``Embedding(mask_zero=True)``: ``not_equal(inputs, 0)``."""
    args = bind(find_rule(call.spec.class_name), call.spec)
    return _mask_op("not_equal", call.inputs[:1], call.inputs[0].shape) if args.flag("mask_zero") else None


def _masking(call: MaskCall) -> Tensor | None:
    """``Masking``: ``any(not_equal(inputs, mask_value), axis=-1)``."""
    shape = call.inputs[0].shape
    return _mask_op("any", [_mask_op("not_equal", call.inputs[:1], shape)], shape[:-1])


def _merge(call: MaskCall) -> Tensor | None:
    """BaseMerge: ``logical_or`` of all masks, none if one is missing."""
    in_masks = call.in_masks
    if any(m is None for m in in_masks) or not in_masks:
        return None
    out = in_masks[0]
    for m in in_masks[1:]:
        out = _mask_op("logical_or", [out, m], out.shape)  # type: ignore[list-item,union-attr]
    return out


def _concatenate(call: MaskCall) -> Tensor | None:
    """``Concatenate``'s own ops, one of them a ``concatenate`` op that uses up a ``concatenate`` name."""
    if not any(m is not None for m in call.in_masks):
        return None
    parts: list[Tensor] = []
    for tensor, m in zip(call.inputs, call.in_masks, strict=True):
        if m is None:
            parts.append(_mask_op("ones_like", [tensor], tensor.shape))
        elif len(m.shape) < len(tensor.shape):
            expanded = _mask_op("expand_dims", [m], (*m.shape, 1))
            zeros = _mask_op("zeros_like", [tensor], tensor.shape)
            parts.append(_mask_op("logical_or", [expanded, zeros], tensor.shape))
        else:
            parts.append(m)
    # the `concatenate` op takes its name from the same counter as Concatenate layers
    joined = _mask_op(call.namer.auto("Concatenate", reserve=False), parts, call.outputs[0] if call.outputs else ())
    return _mask_op("any", [joined], joined.shape[:-1])


MASKS: dict[MaskKind, MaskFn] = {
    "none": _none,
    "keep": _keep,
    "sequences": _sequences,
    "embedding": _embedding,
    "masking": _masking,
    "merge": _merge,
    "concatenate": _concatenate,
}
"""What each mask kind computes; every :data:`MaskKind` has one (mypy checks the keys)."""


def output_mask(
    kind: MaskKind,
    spec: LayerSpec,
    inputs: Sequence[Tensor],
    in_masks: Sequence[Tensor | None],
    outputs: tuple[Shape, ...],
    namer: AutoNamer,
) -> Tensor | None:
    """The mask Keras attaches to a layer's (first) output, built from the ops its compute_mask calls."""
    return MASKS[kind](MaskCall(spec, inputs, in_masks, outputs, namer))
