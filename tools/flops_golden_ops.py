"""keras.ops part of tools/flops_golden.py: FLOPs of single ``keras.ops`` calls under the torch backend.

Why: a functional model's ``keras.ops`` nodes (``ops.matmul``, ``ops.einsum``, ...) are graph
nodes paramcalc reads from model JSON; the ones that multiply matrices count FLOPs, the
others (element-wise, reductions, reshapes) count 0, exactly as FlopCounterMode sees what the
torch backend lowers them to.  Each case is a model of Input(s) -> one op (plus a 0-FLOP
element-wise op for contrast) with no layers, run at batch 2 on real CPU tensors: the whole
count is the op's.  The golden keeps ``model.to_json()``, the text paramcalc reads.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras
import numpy as np
import torch
from keras import ops

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flops_golden import BATCH, _count

Inputs = tuple[tuple[int, ...], ...]
OpFn = Callable[..., Any]

#: id -> (input shapes without the batch axis, the op applied to the inputs)
CASES: dict[str, tuple[Inputs, OpFn]] = {
    "matmul-batched": (((5, 6), (6, 3)), ops.matmul),
    "matmul-4d": (((2, 5, 6), (2, 6, 3)), ops.matmul),
    "matmul-transposed": (((5, 6),), lambda x: ops.matmul(x, ops.swapaxes(x, -1, -2))),
    "dot-2d": (((6,), (6,)), lambda x, y: ops.dot(x, ops.transpose(y))),
    "dot-3d": (((5, 6), (6, 3)), ops.dot),
    "einsum-bij-bjk": (((5, 6), (6, 3)), lambda x, y: ops.einsum("bij,bjk->bik", x, y)),
    "einsum-attention": (((4, 5, 8), (4, 7, 8)), lambda q, k: ops.einsum("bhqd,bhkd->bhqk", q, k)),
    "einsum-elementwise": (((5, 6), (5, 6)), lambda x, y: ops.einsum("bij,bij->bij", x, y)),
    "einsum-sum": (((5, 6),), lambda x: ops.einsum("bij->bj", x)),
    "einsum-outer": (((5,), (6,)), lambda x, y: ops.einsum("bi,bj->bij", x, y)),
    "tensordot-last": (((5, 6), (5, 6)), lambda x, y: ops.tensordot(x, y, axes=[[1, 2], [1, 2]])),
    "inner": (((5, 6), (4, 6)), ops.inner),
    "outer": (((5,), (6,)), ops.outer),
    "dot-product-attention": (
        ((7, 2, 8), (9, 2, 8), (9, 2, 8)),
        lambda q, k, v: ops.dot_product_attention(q, k, v),
    ),
    "dot-product-attention-gqa": (
        ((7, 4, 8), (9, 2, 8), (9, 2, 8)),
        lambda q, k, v: ops.dot_product_attention(q, k, v, is_causal=False),
    ),
    "elementwise-add": (((5, 6), (5, 6)), ops.add),
    "softmax": (((5, 6),), lambda x: ops.softmax(x, axis=-1)),
    "reduction": (((5, 6),), lambda x: ops.mean(x, axis=1)),
}


def ops_records() -> list[dict[str, Any]]:
    """One record per op case that Keras can serialize and run: its model JSON and FLOPs."""
    records = []
    for case_id, (shapes, fn) in CASES.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                keras.backend.clear_session()
                inputs = [keras.Input(shape) for shape in shapes]
                model = keras.Model(inputs, fn(*inputs), name=case_id.replace("-", "_"))
                rng = np.random.default_rng(0)
                xs = [torch.from_numpy(rng.standard_normal((BATCH, *s)).astype("float32")) for s in shapes]
                total = _count(lambda model=model, xs=xs: model(xs if len(xs) > 1 else xs[0]))
                text = model.to_json()
        except Exception as exc:  # noqa: BLE001 - an op Keras cannot build or run here is left out, said why
            print(f"skip ops {case_id}: {type(exc).__name__}: {str(exc)[:150]}", file=sys.stderr)
            continue
        records.append({"id": case_id, "model_json": text, "batch": BATCH, "total": total})
        print(f"ops {case_id}: {total}", file=sys.stderr)
    return records
