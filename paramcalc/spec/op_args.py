"""The records a ``keras.ops`` node's call holds in place of tensors and array constants.

A module of their own, apart from the reader that makes them (:mod:`paramcalc.spec.keras_ops_nodes`):
the op rules read them, and rules never import a reader (tests/test_stage_direction.py); and
off the start-up path of every summary that has no ``keras.ops`` node.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TensorArg:
    """A tensor in a ``keras.ops`` call's arguments: input ``index`` of the call, in Keras' order.

    A Keras JSON operation node mixes tensors and constants in its arguments
    (``multiply(x, 0.5)``); the reader keeps the constants and puts a ``TensorArg`` where a
    tensor was, so the op's rule sees the call as written and gets the tensors' shapes.
    """

    index: int


@dataclass(frozen=True, slots=True)
class ConstantArg:
    """A constant array in a ``keras.ops`` call (Keras writes it as ``__numpy__``): only its shape matters."""

    shape: tuple[int, ...]
