"""Keras part of tools/flops_golden.py: FLOPs of the Keras corpus' sequential models under the torch backend.

Why: Keras executes some layers differently from torch (its RNN cells loop over time steps
with ``ops.matmul``; MultiHeadAttention is four EinsumDense einsums and two attention einsums);
FlopCounterMode sees whatever torch ops Keras lowers to.  Every sequential model of
tests/golden/keras/*.json whose input shape is fully known is run at batch 2, layer by layer,
on real CPU tensors (ints for a first Embedding), and each layer's FLOPs are recorded.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flops_golden import BATCH, REPO, _count
from keras_golden import build_model, fresh_session, is_graph_spec


def _input_tensor(model: Any) -> Any:
    shape = (BATCH, *model.inputs[0].shape[1:])
    first = model.layers[0]
    if isinstance(first, keras.layers.Embedding):
        return torch.from_numpy(np.random.default_rng(0).integers(0, first.input_dim, shape))
    return torch.from_numpy(np.random.default_rng(0).standard_normal(shape).astype("float32"))


def _graph_record(family: str, model_doc: dict[str, Any]) -> dict[str, Any] | None:
    """A functional model: the FLOPs of one call on real inputs (the total only, no per-layer split)."""
    try:
        with fresh_session("cpu"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = build_model(model_doc["spec"])
            rng = np.random.default_rng(0)
            xs = []
            for tensor in model.inputs:
                shape = (BATCH, *tensor.shape[1:])
                if "int" in str(tensor.dtype):
                    xs.append(torch.from_numpy(rng.integers(0, 2, shape)))
                else:
                    xs.append(torch.from_numpy(rng.standard_normal(shape).astype("float32")))
            total = _count(lambda: model(xs if len(xs) > 1 else xs[0]))
    except Exception as exc:  # noqa: BLE001 - a model that cannot run eagerly is left out, said so
        print(f"skip keras graph {model_doc['id']}: {type(exc).__name__}: {exc}"[:200], file=sys.stderr)
        return None
    return {
        "id": f"{family}/{model_doc['id']}",
        "spec": model_doc["spec"],
        "batch": BATCH,
        "classes": None,
        "flops": None,
        "total": total,
    }


def keras_records() -> list[dict[str, Any]]:
    """Per-layer FLOPs of every runnable sequential model of the Keras corpus."""
    records = []
    for path in sorted((REPO / "tests" / "golden" / "keras").glob("*.json")):
        for model_doc in json.loads(path.read_text())["models"]:
            spec = model_doc["spec"]
            if any(d is None for shape in model_doc["inputs"] for d in shape[1:]) or model_doc["total"] > 2_000_000:
                continue
            if is_graph_spec(spec):
                record = _graph_record(path.stem, model_doc)
                if record is not None:
                    records.append(record)
                continue
            if len(model_doc["inputs"]) != 1 or model_doc["total"] > 2_000_000:
                continue  # one input; small models only (the generator runs real tensors)
            try:
                with fresh_session("cpu"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model = build_model(spec)
                    x = _input_tensor(model)
                    per_layer, classes = [], []
                    for layer in model.layers:
                        holder: dict[str, Any] = {}

                        def run(layer: Any = layer, x: Any = x, holder: dict[str, Any] = holder) -> None:
                            holder["out"] = layer(x)

                        per_layer.append(_count(run))
                        classes.append(type(layer).__name__)
                        out = holder["out"]
                        x = out[0] if isinstance(out, (list, tuple)) else out
            except Exception as exc:  # noqa: BLE001 - a model that cannot run eagerly is left out, said so
                print(f"skip keras {model_doc['id']}: {type(exc).__name__}: {exc}"[:200], file=sys.stderr)
                continue
            records.append(
                {
                    "id": f"{path.stem}/{model_doc['id']}",
                    "spec": spec,
                    "batch": BATCH,
                    "classes": classes,
                    "flops": per_layer,
                    "total": sum(per_layer),
                }
            )
    return records
