"""Build paramcalc specs in real Keras 3 and record what Keras reports (the Keras goldens).

Why: paramcalc counts parameters without any framework installed, so its truth must come
from the framework itself. This script translates each spec (the paramcalc YAML contract,
as the dict ``yaml.safe_load`` gives) into a real ``keras.Sequential`` / ``keras.Model``
under ``KERAS_BACKEND=torch`` and writes, per family, one JSON file under
``tests/golden/keras/`` with Keras' own totals, per-layer names, classes, output shapes,
parameter counts and weights (name, path, shape, trainable, dtype).

Run on purpose, from the repository root, with the oracle virtualenv:

    /work/oracle-venv/bin/python tools/keras_golden.py            # all families
    /work/oracle-venv/bin/python tools/keras_golden.py --only conv --verify-cpu

Models are built on the torch ``meta`` device (``keras.device("meta")``): Keras' torch
backend honours it, so weights get shapes but no storage and multi-billion-parameter
models cost no RAM. ``--verify-cpu`` rebuilds the small models on the CPU and checks the
record is identical. Specs Keras rejects are built on the CPU so the error text is the
one a user would see.

Golden file (one per family; JSON, sorted keys, compact)::

    {"generator", "keras": version, "backend": "torch",
     "models": [{"id", "spec", "model_class": "Sequential" | "Functional",
                 "keras_json": json.loads(model.to_json()) or null,
                 "total", "trainable", "non_trainable",           # ints
                 "summary": {"total", "trainable", "non_trainable"},  # model.summary() strings
                 "inputs", "outputs": [shape, ...],                 # shape = [null, 4, 8]
                 "layers": [{"name", "class", "output_shape" (a shape, or a list of
                             shapes for multi-output layers), "params", "trainable",
                             "weights": [{"name", "path", "shape", "trainable", "dtype"}],
                             "calls", "call_output_shapes" (shared layers only),
                             "layers" (nested models only)}],
                 "note" (optional), "extensions" (optional: ["Reuse", "Sequential"])}],
     "expected_errors": [{"id", "spec", "keras_error", "keras_error_type",
                          "keras_error_detail" (optional)}]}

Output is deterministic: every random model comes from its own ``random.Random`` seeded
with a fixed string, auto names restart via ``keras.utils.clear_session()`` before each
model, and JSON is written with sorted keys and compact separators.

Never imported by tests.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import gc
import inspect
import json
import math
import os
import random
import re
import sys
import warnings
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

if __name__ == "__main__" and os.environ.get("PYTHONHASHSEED") != "0":
    # Some Keras messages print a set (e.g. {'valid', 'same'}); fix hash order for stable goldens.
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, *sys.argv])

os.environ["KERAS_BACKEND"] = "torch"
os.environ.setdefault("KERAS_HOME", "/tmp/keras_golden_home")  # never write ~/.keras

import keras
from keras.src.utils import summary_utils

sys.path.insert(0, str(Path(__file__).resolve().parent))
import keras_cases

Spec = dict[str, Any]
Entry = Any  # a layer entry: "Name" or {"Name": args}

ANSI = re.compile(r"\x1b\[[0-9;]*m")
ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "tests" / "golden" / "keras"
GENERATOR = "tools/keras_golden.py"

# Layers whose call takes query, value[, key] as separate positional arguments.
MULTI_ARG_CALL = {"MultiHeadAttention", "GroupedQueryAttention", "GroupQueryAttention"}  # class and export names
# Keys of layer arguments whose value is itself a layer entry.
LAYER_VALUED_KWARGS = ("layer", "backward_layer")

N_RANDOM_SEQUENTIAL = 90
N_RANDOM_FUNCTIONAL = 70
CPU_VERIFY_LIMIT = 3_000_000  # --verify-cpu only rebuilds models up to this many params


# =========================================================================== spec -> Keras
def entry_parts(entry: Entry) -> tuple[str, Any]:
    """Split a layer entry into (ClassName, args); a bare string has args None."""
    if isinstance(entry, str):
        return entry, None
    if isinstance(entry, dict) and len(entry) == 1:
        ((name, args),) = entry.items()
        return name, args
    raise ValueError(f"not a layer entry: {entry!r}")


def split_args(args: Any) -> tuple[list[Any], dict[str, Any]]:
    """Contract: mapping = kwargs; list = positional args; scalar = first positional arg."""
    if args is None:
        return [], {}
    if isinstance(args, dict):
        return [], copy.deepcopy(args)
    if isinstance(args, list):
        return copy.deepcopy(args), {}
    return [args], {}


def is_layer_entry(value: Any) -> bool:
    """True if ``value`` looks like a layer entry naming a keras.layers class."""
    try:
        name, _ = entry_parts(value)
    except ValueError:
        return False
    return name[:1].isupper() and hasattr(keras.layers, name)


def input_kwargs(val: Any) -> dict[str, Any]:
    """``input:`` value (short list form or ``{shape, dtype}``) -> keras.Input kwargs."""
    if isinstance(val, list):
        return {"shape": tuple(val)}
    kw = dict(val)
    kw["shape"] = tuple(kw["shape"])
    return kw


def expand_repeats(entries: list[Entry]) -> list[Entry]:
    """Flatten ``Repeat: {times, layers}`` blocks; each copy gets its own weights."""
    out: list[Entry] = []
    for e in entries:
        name, args = entry_parts(e)
        if name == "Repeat":
            for _ in range(int(args["times"])):
                out.extend(expand_repeats(copy.deepcopy(args["layers"])))
        else:
            out.append(e)
    return out


def make_layer(entry: Entry) -> Any:
    """One spec entry -> one Keras layer (wrappers, RNN cells and nested Sequential included)."""
    name, args = entry_parts(entry)
    if name == "Sequential":
        return nested_sequential(args)
    pos, kw = split_args(args)
    kw.pop("inputs", None)  # graph wiring, not a Keras argument
    for key in LAYER_VALUED_KWARGS:
        if key in kw and is_layer_entry(kw[key]):
            kw[key] = make_layer(kw[key])
    if "cell" in kw:
        cell = kw["cell"]
        kw["cell"] = [make_layer(c) for c in cell] if isinstance(cell, list) else make_layer(cell)
    if pos and is_layer_entry(pos[0]):
        pos[0] = make_layer(pos[0])
    trainable = kw.pop("trainable", None)
    cls = getattr(keras.layers, name)
    layer = cls(*pos, **kw)
    if trainable is not None:
        layer.trainable = bool(trainable)
    return layer


def is_graph_spec(spec: Spec) -> bool:
    """A spec is a functional graph if it names inputs/outputs or wires a layer explicitly."""
    if "inputs" in spec or "outputs" in spec:
        return True
    for e in expand_repeats(spec["layers"]):
        name, args = entry_parts(e)
        if name == "Reuse" or (isinstance(args, dict) and "inputs" in args):
            return True
    return False


def build_sequential(spec: Spec, name: str | None = None) -> Any:
    """Sequential spec -> keras.Sequential([keras.Input(shape), layer, ...])."""
    objs: list[Any] = []
    if spec.get("input") is not None:
        objs.append(keras.Input(**input_kwargs(spec["input"])))
    for i, e in enumerate(expand_repeats(spec["layers"])):
        cls_name, args = entry_parts(e)
        if cls_name == "Input":
            pos, kw = split_args(args)
            if pos:
                kw["shape"] = pos[0]
            objs.append(keras.Input(**input_kwargs(kw)))
            continue
        if (
            i == 0
            and not objs
            and cls_name == "Embedding"
            and isinstance(args, dict)
            and args.get("input_length") is not None
            and "input_shape" not in args
        ):
            # Keras 2 semantics of `input_length` (Keras 3 drops it with a warning):
            # the model input is (input_length,), as the contract says.
            e = {cls_name: {**args, "input_shape": [args["input_length"]]}}
        objs.append(make_layer(e))
    return keras.Sequential(objs, name=name)


def nested_sequential(args: dict[str, Any]) -> Any:
    """A ``Sequential:`` entry inside a graph (contract extension): a keras.Sequential used as a layer."""
    model = build_sequential({k: v for k, v in args.items() if k in ("input", "layers")}, name=args.get("name"))
    if args.get("trainable") is not None:
        model.trainable = bool(args["trainable"])
    return model


def as_kwargs(cls_name: str, args: Any) -> dict[str, Any]:
    """Positional/scalar/bare args -> the equivalent kwargs, by the constructor's signature."""
    pos, kw = split_args(args)
    if pos:
        sig = inspect.signature(getattr(keras.layers, cls_name).__init__)
        bound = sig.bind_partial(None, *pos)
        kw = {**{k: v for k, v in bound.arguments.items() if k != "self"}, **kw}
    return kw


def build_functional(spec: Spec) -> Any:
    """Graph spec -> keras.Model(inputs, outputs); references resolve to Keras layer names."""
    tensors: dict[str, Any] = {}
    layers: dict[str, Any] = {}
    model_inputs: list[Any] = []
    if "inputs" in spec:
        for key, val in spec["inputs"].items():
            t = keras.Input(name=key, **input_kwargs(val))
            tensors[key] = t
            model_inputs.append(t)
    else:
        t = keras.Input(**input_kwargs(spec["input"]))
        tensors[t._keras_history.operation.name] = t
        model_inputs.append(t)
    prev = model_inputs[0] if len(model_inputs) == 1 else None
    for e in expand_repeats(spec["layers"]):
        cls_name, args = entry_parts(e)
        refs = args.get("inputs") if isinstance(args, dict) else None
        if cls_name == "Reuse":
            layer = layers[args["layer"]]
            out_name = args["name"]
        else:
            layer = make_layer(e)
            out_name = layer.name
        if refs is None:
            if prev is None:
                raise ValueError(f"{cls_name}: no `inputs:` and no single previous tensor")
            x = prev
        else:
            xs = [tensors[r] for r in refs]
            x = xs[0] if len(xs) == 1 else xs
        y = layer(*x) if type(layer).__name__ in MULTI_ARG_CALL and isinstance(x, list) else layer(x)
        tensors[out_name] = y  # a duplicate layer name is left for keras.Model to reject
        layers[layer.name] = layer
        prev = y
    outs = [tensors[n] for n in spec["outputs"]] if "outputs" in spec else [prev]
    return keras.Model(
        inputs=model_inputs[0] if len(model_inputs) == 1 else model_inputs,
        outputs=outs[0] if len(outs) == 1 else outs,
    )


@contextlib.contextmanager
def fresh_session(device: str = "meta") -> Iterator[None]:
    """A new Keras session (auto names restart: dense, dense_1, ...) on ``device``.

    Order matters: ``clear_session()`` also forgets the device scope, so it must run
    before ``keras.device(...)`` is entered, never inside it.
    """
    keras.utils.clear_session(free_memory=False)
    with keras.device(device), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def build_model(spec: Spec) -> Any:
    """Any spec -> a built Keras model, in the current session and device scope."""
    if is_graph_spec(spec):
        return build_functional(spec)
    return build_sequential(spec)


# =========================================================================== recording
def shape_list(shape: Any) -> list[int | None]:
    return [None if d is None else int(d) for d in shape]


def shapes_of(out: Any) -> Any:
    """A tensor -> its shape list; a list/tuple/dict of tensors -> a list of shape lists."""
    if isinstance(out, dict):
        return [shapes_of(out[k]) for k in sorted(out)]
    if isinstance(out, (list, tuple)):
        return [shapes_of(t) for t in out]
    return shape_list(out.shape)


def numel(shape: Any) -> int:
    return int(math.prod(int(d) for d in shape))


def weight_record(w: Any) -> dict[str, Any]:
    return {
        "name": w.name,
        "path": w.path,
        "shape": [int(d) for d in w.shape],
        "trainable": bool(w.trainable),
        "dtype": keras.backend.standardize_dtype(w.dtype),
    }


def layer_record(layer: Any) -> dict[str, Any]:
    """What Keras reports for one entry of ``model.layers``."""
    nodes = layer._inbound_nodes
    rec: dict[str, Any] = {
        "name": layer.name,
        "class": type(layer).__name__,
        "output_shape": shapes_of(layer.output),
        "params": int(layer.count_params()),
        "trainable": bool(layer.trainable),
        "weights": [weight_record(w) for w in layer.weights],
    }
    if len(nodes) > 1:  # a shared layer: one output shape per call
        rec["calls"] = len(nodes)
        rec["call_output_shapes"] = [
            shapes_of(layer._get_node_attribute_at_index(i, "output_tensors", "output")) for i in range(len(nodes))
        ]
    if isinstance(layer, keras.Model):
        rec["layers"] = [layer_record(sub) for sub in layer.layers]
    return rec


def summary_totals(model: Any) -> dict[str, str]:
    """The three 'params' lines of model.summary(), computed with Keras' own helpers."""
    tw, nw = model.trainable_weights, model.non_trainable_weights
    t, n = summary_utils.count_params(tw), summary_utils.count_params(nw)
    tm, nm = summary_utils.weight_memory_size(tw), summary_utils.weight_memory_size(nw)
    r = summary_utils.readable_memory_size
    return {
        "total": f"{t + n:,} ({r(tm + nm)})",
        "trainable": f"{t:,} ({r(tm)})",
        "non_trainable": f"{n:,} ({r(nm)})",
    }


def has_nested_or_shared(model: Any) -> bool:
    return any(isinstance(la, keras.Model) or len(la._inbound_nodes) > 1 for la in model.layers)


def model_record(case_id: str, spec: Spec, model: Any, with_json: bool) -> dict[str, Any]:
    """The golden record of one model."""
    trainable = sum(numel(w.shape) for w in model.trainable_weights)
    non_trainable = sum(numel(w.shape) for w in model.non_trainable_weights)
    total = int(model.count_params())
    if total != trainable + non_trainable:
        raise AssertionError(f"{case_id}: count_params {total} != {trainable}+{non_trainable}")
    return {
        "id": case_id,
        "spec": spec,
        "model_class": type(model).__name__,
        "keras_json": json.loads(model.to_json()) if with_json else None,
        "total": total,
        "trainable": trainable,
        "non_trainable": non_trainable,
        "summary": summary_totals(model),
        "inputs": [shape_list(t.shape) for t in model.inputs],
        "outputs": [shape_list(t.shape) for t in model.outputs],
        "layers": [layer_record(la) for la in model.layers],
    }


def wants_json(case_id: str, spec: Spec, model: Any) -> bool:
    """keras_json for every graph / nested / shared case and for ~1 in 4 of the others."""
    if is_graph_spec(spec) or has_nested_or_shared(model):
        return True
    return zlib.crc32(case_id.encode()) % 4 == 0


EXTENSIONS = ("Reuse", "Sequential")
"""Spec entries beyond the written contract (v1): calling a layer again, a nested Sequential."""


def extensions_used(entries: list[Entry]) -> list[str]:
    """Which contract extensions a spec's layer list uses (searched through Repeat blocks)."""
    found: set[str] = set()
    for e in expand_repeats(entries):
        name, args = entry_parts(e)
        if name in EXTENSIONS:
            found.add(name)
        if name == "Sequential" and isinstance(args, dict):
            found.update(extensions_used(args.get("layers", [])))
    return sorted(found)


def record_case(case_id: str, spec: Spec) -> dict[str, Any]:
    """Build one valid spec on the meta device and return its golden record."""
    with fresh_session("meta"):
        model = build_model(spec)
        if any(w.value.device.type != "meta" for w in model.weights):
            raise AssertionError(f"{case_id}: weights were materialised off the meta device")
        rec = model_record(case_id, copy.deepcopy(spec), model, wants_json(case_id, spec, model))
    del model
    ext = extensions_used(spec["layers"])
    if ext:
        rec["extensions"] = ext
    return rec


def record_error(case_id: str, spec: Spec) -> dict[str, Any]:
    """Build a spec Keras must reject (on the CPU, as a user would) and keep the message."""
    try:
        with fresh_session("cpu"):
            model = build_model(spec)
        del model
    except Exception as exc:  # noqa: BLE001 - any Keras rejection is the datum
        lines = [ANSI.sub("", ln).strip() for ln in str(exc).splitlines()]
        lines = [ln for ln in lines if ln]
        rec = {
            "id": case_id,
            "spec": copy.deepcopy(spec),
            "keras_error": lines[0] if lines else "",
            "keras_error_type": type(exc).__name__,
        }
        if len(lines) > 1 and lines[0].startswith("Exception encountered when calling"):
            rec["keras_error_detail"] = lines[1]  # the wrapped message, for humans
        return rec
    raise AssertionError(f"expected error case {case_id} built without error")


# =========================================================================== random models
SCALES = {
    "small": (1, 256, 10, 2_000, 4),
    "medium": (1, 2048, 10, 60_000, 6),
    "large": (16, 8192, 1000, 500_000, 8),
    "huge": (1024, 16384, 100_000, 500_000, 8),
}
"""scale -> (min width, max width, min vocabulary, max vocabulary, max spatial kernel).

"huge" models reach billions of parameters (wide Dense stacks, 500k-token vocabularies);
they cost nothing to build on the meta device."""
SCALE_CHOICES = ["small"] * 6 + ["medium"] * 6 + ["large"] * 4 + ["huge"] * 4


def log_int(rng: random.Random, lo: int, hi: int) -> int:
    """Integer roughly log-uniform in [lo, hi]."""
    if hi <= lo:
        return lo
    return round(math.exp(rng.uniform(math.log(lo), math.log(hi))))


class Drawer:
    """Draws a random layer entry suited to the rank of the current tensor.

    The drawer only proposes; Keras decides. Every proposal is called on the actual
    KerasTensor and rejected (then redrawn with the same RNG) if Keras raises.
    """

    def __init__(self, rng: random.Random, scale: str, channels_first: bool) -> None:
        self.rng = rng
        self.min_w, self.max_w, _, _, self.max_k = SCALES[scale]
        self.cf = channels_first

    def units(self) -> int:
        return log_int(self.rng, self.min_w, self.max_w)

    def df(self, kw: dict[str, Any]) -> dict[str, Any]:
        if self.cf:
            kw["data_format"] = "channels_first"
        return kw

    def spatial(self, shape: list[int | None]) -> list[int | None]:
        return shape[2:] if self.cf else shape[1:-1]

    def kernel(self, rank: int, shape: list[int | None]) -> Any:
        sp = [d if d is not None else 99 for d in self.spatial(shape)]
        lim = max(1, min(self.max_k, *sp))
        if rank > 1 and self.rng.random() < 0.3:
            return [self.rng.randint(1, max(1, min(self.max_k, d))) for d in sp]
        k = self.rng.randint(1, lim)
        return k if self.rng.random() < 0.7 else [k] * rank

    def conv_common(self, rank: int, shape: list[int | None], kw: dict[str, Any]) -> dict[str, Any]:
        r = self.rng
        kw["kernel_size"] = self.kernel(rank, shape)
        if r.random() < 0.3:
            kw["strides"] = r.choice([2, 2, 3] if rank == 1 else [2, [2, 1], [1, 2]] if rank == 2 else [2, [1, 2, 2]])
        elif r.random() < 0.15:
            kw["dilation_rate"] = 2
        if r.random() < 0.5:
            kw["padding"] = "same"
        if r.random() < 0.2:
            kw["use_bias"] = False
        if r.random() < 0.3:
            kw["activation"] = r.choice(["relu", "gelu", "tanh"])
        return self.df(kw)

    def channels(self, shape: list[int | None]) -> int:
        c = shape[1] if self.cf else shape[-1]
        return int(c) if c is not None else 1

    # ---------------------------------------------------------------- by rank
    def rank2(self, shape: list[int | None]) -> Entry:
        r = self.rng
        if shape[-1] is None:  # e.g. Flatten of a variable-length sequence: only shape-agnostic layers
            return r.choice(["ReLU", {"Dropout": 0.1}, "Identity", {"Activation": "tanh"}, "UnitNormalization"])
        w = int(shape[-1])
        choices: list[tuple[int, Callable[[], Entry]]] = [
            (
                30,
                lambda: (
                    {"Dense": self.units()}
                    if r.random() < 0.4
                    else {
                        "Dense": {
                            "units": self.units(),
                            "use_bias": r.random() < 0.85,
                            "activation": r.choice(["relu", "linear", "tanh", "sigmoid"]),
                        }
                    }
                ),
            ),
            (5, lambda: {"Dropout": r.choice([0.1, 0.2, 0.5])}),
            (
                5,
                lambda: r.choice(
                    [
                        "BatchNormalization",
                        {"BatchNormalization": {"center": r.random() < 0.5, "scale": r.random() < 0.5}},
                    ]
                ),
            ),
            (
                4,
                lambda: r.choice(["LayerNormalization", {"LayerNormalization": {"center": False}}, "RMSNormalization"]),
            ),
            (4, lambda: r.choice(["ReLU", "PReLU", "LeakyReLU", "ELU", "Softmax", {"Activation": "relu"}, "Identity"])),
            (
                2,
                lambda: r.choice(
                    [
                        {"GaussianNoise": 0.1},
                        {"ActivityRegularization": {"l2": 0.01}},
                        "UnitNormalization",
                        {"GaussianDropout": 0.2},
                    ]
                ),
            ),
            (
                2,
                lambda: {
                    "EinsumDense": {
                        "equation": "ab,bc->ac",
                        "output_shape": self.units(),
                        "bias_axes": r.choice(["c", None]),
                    }
                },
            ),
            (2, lambda: {"RepeatVector": r.randint(2, 32)}),
            (2, lambda: self._reshape2(w)),
            (1, lambda: {"GroupNormalization": {"groups": r.choice([d for d in (1, 2, 4, 8) if w % d == 0])}}),
            (1, lambda: "Normalization"),
        ]
        return self._pick(choices)

    def _reshape2(self, w: int) -> Entry:
        divs = [d for d in range(2, min(w, 512) + 1) if w % d == 0]
        if not divs:
            return {"Reshape": [[w, 1]]}
        d = self.rng.choice(divs)
        if self.rng.random() < 0.5:
            return {"Reshape": {"target_shape": [d, -1]}}
        return {"Reshape": {"target_shape": [w // d, d]}}

    def rnn(self, shape: list[int | None], last: bool) -> Entry:
        r = self.rng
        cls = r.choice(["LSTM", "GRU", "SimpleRNN"])
        kw: dict[str, Any] = {"units": log_int(r, 1, min(self.max_w, 2048))}
        if not last or r.random() < 0.5:
            kw["return_sequences"] = True
        if r.random() < 0.15:
            kw["use_bias"] = False
        if cls == "GRU" and r.random() < 0.4:
            kw["reset_after"] = False
        if r.random() < 0.1:
            kw["go_backwards"] = True
        inner = {cls: kw}
        if r.random() < 0.3:
            bi: dict[str, Any] = {"layer": inner}
            mm = r.choice(["concat", "concat", "sum", "ave", "mul"])
            if mm != "concat":
                bi["merge_mode"] = mm
            return {"Bidirectional": bi}
        return inner

    def rank3(self, shape: list[int | None], last: bool) -> Entry:
        r = self.rng
        c = self.channels(shape)
        choices: list[tuple[int, Callable[[], Entry]]] = [
            (14, lambda: self.rnn(shape, last)),
            (10, lambda: {"Conv1D": self.conv_common(1, shape, {"filters": self.units()})}),
            (
                3,
                lambda: {
                    "SeparableConv1D": self.conv_common(
                        1, shape, {"filters": self.units(), "depth_multiplier": r.choice([1, 1, 2])}
                    )
                },
            ),
            (3, lambda: {"DepthwiseConv1D": self.conv_common(1, shape, {"depth_multiplier": r.choice([1, 2])})}),
            (2, lambda: {"Conv1DTranspose": self.conv_common(1, shape, {"filters": self.units()})}),
            (
                3,
                lambda: {
                    r.choice(["MaxPooling1D", "AveragePooling1D", "MaxPool1D"]): self.df(
                        {"pool_size": r.randint(2, 3), "padding": r.choice(["valid", "same"])}
                    )
                },
            ),
            (
                3,
                lambda: r.choice(
                    ["GlobalMaxPooling1D", "GlobalAveragePooling1D", {"GlobalAveragePooling1D": self.df({})}]
                ),
            ),
            (3, lambda: "Flatten"),
            (6, lambda: {"Dense": self.units()}),
            (3, lambda: {"TimeDistributed": {"layer": {"Dense": self.units()}}}),
            (
                4,
                lambda: r.choice(
                    [
                        "LayerNormalization",
                        "BatchNormalization",
                        {"LayerNormalization": {"axis": [-2, -1]}},
                        {"RMSNormalization": {"axis": -1}},
                    ]
                ),
            ),
            (
                2,
                lambda: {
                    "GroupNormalization": {
                        "groups": r.choice([d for d in (1, 2, 4) if c % d == 0]),
                        "axis": 1 if self.cf else -1,
                    }
                },
            ),
            (
                3,
                lambda: r.choice(
                    [{"ZeroPadding1D": r.randint(1, 3)}, {"Cropping1D": {"cropping": [1, 1]}}, {"UpSampling1D": 2}]
                ),
            ),
            (
                2,
                lambda: r.choice(
                    [{"SpatialDropout1D": 0.1}, {"Dropout": 0.2}, "PReLU", {"PReLU": {"shared_axes": [1]}}]
                ),
            ),
            # output_shape repeats the length: with None, Keras forgets a known length
            (
                2,
                lambda: {
                    "EinsumDense": {
                        "equation": "abc,cd->abd",
                        "output_shape": [shape[1], self.units()],
                        "bias_axes": "d",
                    }
                },
            ),
            (1, lambda: {"Permute": [[2, 1]]}),
        ]
        return self._pick(choices)

    def rank4(self, shape: list[int | None]) -> Entry:
        r = self.rng
        c = self.channels(shape)
        f = lambda: log_int(r, 1, min(self.max_w, 1024))  # noqa: E731
        choices: list[tuple[int, Callable[[], Entry]]] = [
            (
                16,
                lambda: {r.choice(["Conv2D", "Conv2D", "Convolution2D"]): self.conv_common(2, shape, {"filters": f()})},
            ),
            (
                3,
                lambda: {
                    "Conv2D": self.conv_common(
                        2,
                        shape,
                        {"filters": c * r.choice([1, 2]), "groups": r.choice([g for g in (1, 2, 4) if c % g == 0])},
                    )
                },
            ),
            (
                4,
                lambda: {
                    "SeparableConv2D": self.conv_common(
                        2, shape, {"filters": f(), "depth_multiplier": r.choice([1, 1, 2])}
                    )
                },
            ),
            (4, lambda: {"DepthwiseConv2D": self.conv_common(2, shape, {"depth_multiplier": r.choice([1, 1, 2])})}),
            (
                3,
                lambda: {
                    r.choice(["Conv2DTranspose", "Convolution2DTranspose"]): self.conv_common(
                        2, shape, {"filters": f()}
                    )
                },
            ),
            (
                6,
                lambda: {
                    r.choice(["MaxPooling2D", "AveragePooling2D", "MaxPool2D", "AvgPool2D"]): self.df(
                        {"pool_size": r.choice([2, 2, 3, [2, 1]]), "padding": r.choice(["valid", "same"])}
                    )
                },
            ),
            (
                3,
                lambda: r.choice(
                    [
                        "GlobalAveragePooling2D",
                        "GlobalMaxPooling2D",
                        {"GlobalAveragePooling2D": self.df({})},
                        {"GlobalMaxPool2D": self.df({})},
                    ]
                ),
            ),
            (2, lambda: "Flatten" if not self.cf else {"Flatten": {"data_format": "channels_first"}}),
            (5, lambda: {"BatchNormalization": {"axis": 1}} if self.cf else "BatchNormalization"),
            (
                2,
                lambda: {
                    "GroupNormalization": {
                        "groups": r.choice([d for d in (1, 2, 4, 8) if c % d == 0]),
                        "axis": 1 if self.cf else -1,
                    }
                },
            ),
            (
                3,
                lambda: r.choice(
                    [
                        {"ZeroPadding2D": self.df({"padding": r.randint(1, 2)})},
                        {"Cropping2D": self.df({"cropping": 1})},
                        {"UpSampling2D": self.df({"size": 2})},
                    ]
                ),
            ),
            (
                2,
                lambda: r.choice(
                    [
                        {"SpatialDropout2D": self.df({"rate": 0.1})},
                        "ReLU",
                        {"PReLU": {"shared_axes": [2, 3] if self.cf else [1, 2]}},
                        {"Activation": "relu"},
                    ]
                ),
            ),
            (1, lambda: {"Dense": f()}),
            (
                1,
                lambda: {
                    "ConvLSTM1D": self.conv_common(
                        1, [shape[0], *shape[2:]], {"filters": log_int(r, 1, 64), "return_sequences": r.random() < 0.5}
                    )
                },
            ),
        ]
        return self._pick(choices)

    def rank5(self, shape: list[int | None]) -> Entry:
        r = self.rng
        f = lambda: log_int(r, 1, min(self.max_w, 256))  # noqa: E731
        choices: list[tuple[int, Callable[[], Entry]]] = [
            (10, lambda: {r.choice(["Conv3D", "Convolution3D"]): self.conv_common(3, shape, {"filters": f()})}),
            (2, lambda: {"Conv3DTranspose": self.conv_common(3, shape, {"filters": f()})}),
            (
                4,
                lambda: {
                    r.choice(["MaxPooling3D", "AveragePooling3D", "MaxPool3D"]): self.df(
                        {"pool_size": r.choice([2, [1, 2, 2]]), "padding": r.choice(["valid", "same"])}
                    )
                },
            ),
            (
                3,
                lambda: r.choice(
                    ["GlobalAveragePooling3D", "GlobalMaxPooling3D", {"GlobalAvgPool3D": self.df({"keepdims": True})}]
                ),
            ),
            (2, lambda: "Flatten"),
            (3, lambda: {"BatchNormalization": {"axis": 1}} if self.cf else "BatchNormalization"),
            (
                2,
                lambda: r.choice(
                    [
                        {"ZeroPadding3D": self.df({"padding": 1})},
                        {"Cropping3D": self.df({"cropping": 1})},
                        {"UpSampling3D": self.df({"size": [1, 2, 2]})},
                    ]
                ),
            ),
            (
                2,
                lambda: {
                    "ConvLSTM2D": self.conv_common(
                        2, [shape[0], *shape[2:]], {"filters": log_int(r, 1, 64), "return_sequences": r.random() < 0.5}
                    )
                },
            ),
            (
                1,
                lambda: {
                    "TimeDistributed": {
                        "layer": {"Conv2D": self.conv_common(2, [shape[0], *shape[2:]], {"filters": f()})}
                    }
                },
            ),
        ]
        return self._pick(choices)

    def _pick(self, choices: list[tuple[int, Callable[[], Entry]]]) -> Entry:
        total = sum(w for w, _ in choices)
        x = self.rng.uniform(0, total)
        for w, fn in choices:
            x -= w
            if x <= 0:
                return fn()
        return choices[-1][1]()

    def draw(self, shape: list[int | None], last: bool = False) -> Entry:
        rank = len(shape)
        if rank == 2:
            return self.rank2(shape)
        if rank == 3:
            return self.rank3(shape, last)
        if rank == 4:
            return self.rank4(shape)
        if rank == 5:
            return self.rank5(shape)
        return "Flatten"


MAX_ACTIVATION = 2_000_000  # per-sample elements; Keras' torch backend may re-trace on CPU with batch 83
MAX_LAYER_PARAMS = 6_000_000_000


def output_ok(y: Any, layer: Any) -> bool:
    """A proposal is kept only if it yields one tensor of sane size and not-absurd weights."""
    if isinstance(y, (list, tuple)):
        return False
    dims = list(y.shape[1:])
    if any(d is not None and d <= 0 for d in dims):
        return False
    if numel(d if d is not None else 50 for d in dims) > MAX_ACTIVATION:
        return False
    return bool(layer.count_params() <= MAX_LAYER_PARAMS)


def try_layer(entry: Entry, x: Any) -> Any | None:
    """Call a proposed layer on the current tensor; None if Keras rejects it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layer = make_layer(entry)
            y = layer(x)
    except Exception:  # noqa: BLE001 - a rejection just means: redraw
        return None
    return y if output_ok(y, layer) else None


def random_input(
    rng: random.Random, scale: str, cf: bool, kinds: list[str]
) -> tuple[str, dict[str, Any], Entry | None]:
    """(kind, input description, an Embedding to put first for token inputs or None)."""
    if scale == "huge":  # billions come from wide vectors and big vocabularies, not images
        kinds = [k for k in kinds if k in ("vector", "tokens", "sequence")]
    kind = rng.choice(kinds)
    min_w, max_w, min_vocab, max_vocab, _ = SCALES[scale]
    if kind == "vector":
        return kind, {"shape": [log_int(rng, min_w, max_w * 4)]}, None
    if kind == "tokens":
        dim = log_int(rng, max(2, min_w), min(max_w, 8192))
        length = rng.choice([None, log_int(rng, 4, max(4, min(512, MAX_ACTIVATION // dim)))])
        emb = {"Embedding": {"input_dim": log_int(rng, min_vocab, max_vocab), "output_dim": dim}}
        if rng.random() < 0.2:
            emb["Embedding"]["mask_zero"] = True
        return kind, {"shape": [length], "dtype": "int32"}, emb
    if kind == "sequence":
        return kind, {"shape": [rng.choice([None, log_int(rng, 2, 200)]), log_int(rng, min_w, max_w)]}, None
    if kind == "image":
        h = rng.choice([8, 16, 28, 32, 64, 96, 128])
        ch = rng.choice([1, 3, 3, 8, 16])
        return kind, {"shape": [ch, h, h] if cf else [h, h, ch]}, None
    d = rng.choice([4, 8, 16])
    ch = rng.choice([1, 2, 3])
    return kind, {"shape": [ch, d, d, d] if cf else [d, d, d, ch]}, None


def random_sequential(rng: random.Random) -> Spec:
    """One valid random Sequential spec; proposals Keras rejects are redrawn."""
    scale = rng.choice(SCALE_CHOICES)
    kinds = ["vector", "vector", "tokens", "tokens", "sequence", "image", "image", "volume"]
    cf = rng.random() < 0.2
    _, inp, first = random_input(rng, scale, cf, kinds)
    cf = cf and len(inp["shape"]) >= 3 and "dtype" not in inp
    drawer = Drawer(rng, scale, cf)
    depth = rng.randint(2, 30)
    entries: list[Entry] = []
    with fresh_session("meta"):
        x = keras.Input(**input_kwargs(inp))
        if first is not None:
            y = try_layer(first, x)
            if y is None:
                raise RuntimeError(f"first layer rejected: {first}")
            entries.append(first)
            x = y
        failures = 0
        while len(entries) < depth and failures < 60:
            entry = drawer.draw(shape_list(x.shape), last=len(entries) == depth - 1)
            y = try_layer(entry, x)
            if y is None:
                failures += 1
                continue
            entries.append(entry)
            x = y
        if len(x.shape) > 2 and rng.random() < 0.7:  # most tutorials end with a vector head
            for head in ("Flatten", {"Dense": log_int(rng, 1, 1000)}):
                y = try_layer(head, x)
                if y is not None:
                    entries.append(head)
                    x = y
    spec: Spec = {"input": inp, "layers": entries}
    return spec


class GraphGen:
    """Grows a random functional graph; wiring uses temporary ids resolved at the end."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.scale = rng.choice(SCALE_CHOICES)
        self.drawer = Drawer(rng, self.scale, False)
        self.entries: list[tuple[str, str, Any, list[str]]] = []  # (tid, cls, args, refs)
        self.tensors: dict[str, Any] = {}
        self.layers: dict[str, Any] = {}
        self.layer_input_shape: dict[str, list[int | None]] = {}
        self.consumed: set[str] = set()
        self.order: list[str] = []  # tensor ids in creation order
        self.prev: str | None = None
        self.n = 0
        self.expected_total = -1

    def tid(self) -> str:
        self.n += 1
        return f"@{self.n}"

    def add(self, entry: Entry, refs: list[str]) -> str | None:
        cls, args = entry_parts(entry)
        xs = [self.tensors[r] for r in refs]
        x = xs[0] if len(xs) == 1 else xs
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                layer = self.layers[args["layer"]] if cls == "Reuse" else make_layer(entry)
                y = layer(*x) if cls in MULTI_ARG_CALL and isinstance(x, list) else layer(x)
        except Exception:  # noqa: BLE001
            return None
        if not output_ok(y, layer):
            return None
        t = self.tid()
        self.entries.append((t, cls, copy.deepcopy(args), list(refs)))
        self.tensors[t] = y
        if cls != "Reuse":
            self.layers[t] = layer
            if len(refs) == 1:
                self.layer_input_shape[t] = shape_list(xs[0].shape)
        self.consumed.update(refs)
        self.order.append(t)
        self.prev = t
        return t

    def pick_tensor(self) -> str:
        """Prefer recent tensors (deep graphs), sometimes any earlier one (skip edges)."""
        if self.prev is not None and self.rng.random() < 0.55:
            return self.prev
        recent = self.order[-6:]
        return self.rng.choice(recent)

    def step(self) -> None:
        r = self.rng
        op = r.random()
        if op < 0.55:
            src = self.pick_tensor()
            shape = shape_list(self.tensors[src].shape)
            self.add(self.drawer.draw(shape), [src])
        elif op < 0.72:
            self.merge()
        elif op < 0.82:
            self.attention()
        elif op < 0.92:
            self.residual()
        elif op < 0.98:
            self.reuse()
        else:
            self.nested()

    def static_shape(self, t: str) -> list[int] | None:
        """The non-batch shape of a tensor if fully known, else None.

        Keras accepts merging two tensors whose lengths are both None, but nothing
        guarantees they agree when the model runs; merges use static shapes only.
        """
        shape = shape_list(self.tensors[t].shape)[1:]
        known = [d for d in shape if d is not None]
        return known if len(known) == len(shape) else None

    def same_shape_groups(self) -> list[list[str]]:
        groups: dict[str, list[str]] = {}
        for t in self.order[-10:]:
            shape = self.static_shape(t)
            if shape is not None:
                groups.setdefault(json.dumps(shape), []).append(t)
        return [g for g in groups.values() if len(g) >= 2]

    def merge(self) -> None:
        r = self.rng
        groups = self.same_shape_groups()
        if groups and r.random() < 0.7:
            g = r.choice(groups)
            k = min(len(g), r.choice([2, 2, 3]))
            refs = r.sample(g, k)
            cls = r.choice(["Add", "Add", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Subtract"])
            if cls == "Subtract":
                refs = refs[:2]
            kw: dict[str, Any] = {}
            if cls == "Concatenate" and r.random() < 0.3:
                kw["axis"] = r.choice([1, -1])
            if len(refs) == 2 and len(shape_list(self.tensors[refs[0]].shape)) == 2 and r.random() < 0.2:
                cls, kw = "Dot", {"axes": 1, "normalize": r.random() < 0.5}
            self.add({cls: {**kw, "inputs": refs}}, refs)
            return
        # concatenate two tensors that agree on every axis but the last
        rank_groups: dict[str, list[str]] = {}
        for t in self.order[-10:]:
            shape = self.static_shape(t)
            if shape is not None:
                rank_groups.setdefault(json.dumps(shape[:-1]), []).append(t)
        cands = [g for g in rank_groups.values() if len(g) >= 2]
        if cands:
            refs = r.sample(r.choice(cands), 2)
            self.add({"Concatenate": {"inputs": refs}}, refs)

    def attention(self) -> None:
        r = self.rng
        seqs = [t for t in self.order[-10:] if len(self.tensors[t].shape) == 3]
        if not seqs:
            return
        q = r.choice(seqs)
        kind = r.choice(
            ["MultiHeadAttention", "MultiHeadAttention", "GroupQueryAttention", "Attention", "AdditiveAttention"]
        )
        if kind != "MultiHeadAttention":  # these need query and value of the same width
            seqs = [t for t in seqs if self.tensors[t].shape[-1] == self.tensors[q].shape[-1]]
        v = r.choice(seqs)
        refs = [q, v]
        if kind == "MultiHeadAttention":
            kw: dict[str, Any] = {"num_heads": r.choice([1, 2, 4, 8, 16]), "key_dim": log_int(r, 4, 128)}
            if r.random() < 0.2:
                kw["value_dim"] = log_int(r, 4, 128)
            if r.random() < 0.15:
                kw["use_bias"] = False
            if r.random() < 0.15:
                kw["output_shape"] = log_int(r, 4, 512)
        elif kind == "GroupQueryAttention":
            kv = r.choice([1, 2, 4])
            kw = {
                "head_dim": log_int(r, 4, 128),
                "num_query_heads": kv * r.choice([1, 2, 4]),
                "num_key_value_heads": kv,
            }
        else:
            kw = {"use_scale": r.random() < 0.5}
            if kind == "Attention" and r.random() < 0.3:
                kw["score_mode"] = "concat"
        self.add({kind: {**kw, "inputs": refs}}, refs)

    def residual(self) -> None:
        """A shape-preserving branch added back onto its start (a residual block)."""
        r = self.rng
        start = self.pick_tensor()
        shape = shape_list(self.tensors[start].shape)
        if shape[-1] is None:
            return
        cur = start
        for _ in range(r.randint(1, 3)):
            if len(shape) == 4:
                entry: Entry = {
                    "Conv2D": {"filters": int(shape[-1]), "kernel_size": 3, "padding": "same", "activation": "relu"}
                }
            elif len(shape) == 3 and r.random() < 0.4:
                entry = {"Conv1D": {"filters": int(shape[-1]), "kernel_size": 3, "padding": "same"}}
            else:
                entry = r.choice(
                    [
                        {"Dense": int(shape[-1])},
                        "LayerNormalization",
                        {"Dense": {"units": int(shape[-1]), "activation": "relu"}},
                        "BatchNormalization",
                        {"Dropout": 0.1},
                    ]
                )
            nxt = self.add(entry, [cur])
            if nxt is None:
                return
            cur = nxt
        self.add({"Add": {"inputs": [start, cur]}}, [start, cur])

    def reuse(self) -> None:
        """Call an earlier single-input layer again on another tensor of the same shape."""
        r = self.rng
        cands = []
        for lt, in_shape in self.layer_input_shape.items():
            for t in self.order:
                if t != lt and shape_list(self.tensors[t].shape) == in_shape and t not in self._inputs_of(lt):
                    cands.append((lt, t))
        if not cands:
            return
        lt, t = r.choice(cands)
        self.add({"Reuse": {"layer": lt, "inputs": [t]}}, [t])

    def _inputs_of(self, t: str) -> list[str]:
        for tid, _, _, refs in self.entries:
            if tid == t:
                return refs
        return []

    def nested(self) -> None:
        r = self.rng
        src = self.pick_tensor()
        shape = shape_list(self.tensors[src].shape)
        if len(shape) not in (2, 3):
            return
        inner = [{"Dense": log_int(r, 2, 512)}, r.choice([{"Dropout": 0.1}, "LayerNormalization", {"Dense": 64}])]
        self.add({"Sequential": {"layers": inner}}, [src])

    def generate(self) -> Spec:
        r = self.rng
        n_inputs = r.choice([1, 1, 2, 2, 3])
        inputs: dict[str, Any] = {}
        with fresh_session("meta"):
            firsts: list[tuple[str, Entry | None]] = []
            for i in range(n_inputs):
                kind, inp, first = random_input(r, self.scale, False, ["vector", "tokens", "sequence", "image"])
                name = {"vector": "x", "tokens": "tokens", "sequence": "seq", "image": "img"}[kind] + str(i)
                inputs[name] = inp
                self.tensors[name] = keras.Input(name=name, **input_kwargs(inp))
                self.order.append(name)
                firsts.append((name, first))
            for name, first in firsts:  # every input is consumed at least once
                self.prev = name
                entry = first if first is not None else self.drawer.draw(shape_list(self.tensors[name].shape))
                for _ in range(30):
                    if self.add(entry, [name]) is not None:
                        break
                    entry = self.drawer.draw(shape_list(self.tensors[name].shape))
                else:
                    raise RuntimeError("could not consume input")
            target = r.randint(3, 30)
            guard = 0
            while len(self.entries) < target and guard < 400:
                guard += 1
                self.step()
            if r.random() < 0.8:
                self.join_leaves()
            leaves = [t for t in self.order if t not in self.consumed]
            ins = [self.tensors[k] for k in inputs]
            outs = [self.tensors[t] for t in leaves]
            self.expected_total = int(keras.Model(ins, outs).count_params())
        return self.finalize(inputs, leaves)

    def join_leaves(self) -> None:
        """Most real graphs end in one head: pool/flatten the dangling branches, concatenate, Dense."""
        leaves = [t for t in self.order if t not in self.consumed and t in self.layers]
        if len(leaves) < 2:
            return
        pool = {3: "GlobalAveragePooling1D", 4: "GlobalAveragePooling2D", 5: "GlobalAveragePooling3D"}
        flat: list[str] = []
        for t in leaves:
            shape = shape_list(self.tensors[t].shape)
            if len(shape) == 2 and shape[-1] is not None:
                flat.append(t)
                continue
            for cand in (pool.get(len(shape), "Flatten"), "Flatten"):
                nt = self.add(cand, [t])
                if nt is not None:
                    out = shape_list(self.tensors[nt].shape)
                    if len(out) == 2 and out[-1] is not None:
                        flat.append(nt)
                    break
        if len(flat) >= 2:
            cat = self.add({"Concatenate": {"inputs": flat}}, flat)
            if cat is not None:
                self.add({"Dense": log_int(self.rng, 1, 1000)}, [cat])

    def finalize(self, inputs: dict[str, Any], leaves: list[str]) -> Spec:
        """Temporary ids -> spec names.

        Layers a later entry references (other than through default "previous layer"
        wiring) get an explicit ``name`` 40% of the time; the rest are referenced by the
        auto name Keras gives them, learned by constructing the layers in build order.
        """
        r = self.rng
        referenced: set[str] = set(leaves)
        prev: str | None = None
        for tid, cls, args, refs in self.entries:
            if cls == "Reuse" or not (len(refs) == 1 and refs[0] == prev):
                referenced.update(refs)
            if cls == "Reuse":
                referenced.add(args["layer"])
            prev = tid
        explicit: dict[str, str] = {}
        for tid, cls, _, _ in self.entries:
            if cls == "Reuse":
                explicit[tid] = f"call{tid[1:]}"
            elif cls == "Sequential":
                explicit[tid] = f"block{tid[1:]}"
            elif tid in referenced and r.random() < 0.4:
                explicit[tid] = f"h{tid[1:]}"
        kwargs_of: dict[str, dict[str, Any]] = {}
        for tid, cls, args, _ in self.entries:
            if cls != "Reuse":
                kw = as_kwargs(cls, args) if cls != "Sequential" else copy.deepcopy(args)
                kw.pop("inputs", None)
                if tid in explicit:
                    kw["name"] = explicit[tid]
                kwargs_of[tid] = kw
        # Auto names depend on construction *and build* order (MultiHeadAttention, for
        # one, creates its Dropout and Softmax sublayers when built), so replay the
        # graph in a fresh session exactly as build_functional will, and read the names.
        names: dict[str, str] = {k: k for k in inputs}
        with fresh_session("meta"):
            tensors = {k: keras.Input(name=k, **input_kwargs(v)) for k, v in inputs.items()}
            built: dict[str, Any] = {}
            for tid, cls, args, refs in self.entries:
                xs = [tensors[x] for x in refs]
                x = xs[0] if len(xs) == 1 else xs
                if cls == "Reuse":
                    layer = built[args["layer"]]
                    names[tid] = explicit[tid]
                else:
                    layer = make_layer({cls: kwargs_of[tid]})
                    built[tid] = layer
                    names[tid] = layer.name
                tensors[tid] = layer(*x) if cls in MULTI_ARG_CALL and isinstance(x, list) else layer(x)
        layers: list[Entry] = []
        prev = None
        for tid, cls, args, refs in self.entries:
            wired = not (len(refs) == 1 and refs[0] == prev)
            prev = tid
            if cls == "Reuse":
                layers.append(
                    {"Reuse": {"layer": names[args["layer"]], "inputs": [names[x] for x in refs], "name": names[tid]}}
                )
                continue
            if tid not in explicit and not wired and not isinstance(args, dict):
                layers.append(cls if args is None else {cls: copy.deepcopy(args)})  # keep the short form
                continue
            kw = copy.deepcopy(kwargs_of[tid])
            if wired:
                kw["inputs"] = [names[x] for x in refs]
            layers.append({cls: kw})
        spec: Spec = {"inputs": inputs, "layers": layers}
        outs = [names[t] for t in leaves]
        if outs != [names[self.entries[-1][0]]]:
            spec["outputs"] = outs
        return spec


def random_models(kind: str, count: int) -> Iterator[tuple[str, Spec]]:
    """Yield ``count`` valid random specs; a spec Keras cannot rebuild is redrawn (same RNG)."""
    for i in range(count):
        rng = random.Random(f"paramcalc-keras-{kind}-{i}")
        for _attempt in range(20):
            try:
                expected = -1
                if kind == "sequential":
                    spec = random_sequential(rng)
                else:
                    gen = GraphGen(rng)
                    spec = gen.generate()
                    expected = gen.expected_total
                with fresh_session("meta"):
                    model = build_model(spec)
                    got = int(model.count_params())
                    del model
                if expected >= 0 and got != expected:
                    raise RuntimeError(f"rebuilt graph has {got} params, generated one {expected}")
            except Exception as exc:  # noqa: BLE001 - redraw
                print(f"  redraw {kind} {i}: {type(exc).__name__}: {str(exc)[:120]}", file=sys.stderr)
                continue
            yield f"random_{kind}_{i:03d}", spec
            break
        else:
            raise RuntimeError(f"could not draw a valid random {kind} model #{i}")


# =========================================================================== main
def verify_on_cpu(rec: dict[str, Any]) -> None:
    """Rebuild a small model on the CPU and check it gives the same record as on meta."""
    if rec["total"] > CPU_VERIFY_LIMIT:
        return
    with fresh_session("cpu"):
        model = build_model(rec["spec"])
    again = model_record(rec["id"], rec["spec"], model, rec["keras_json"] is not None)
    if again != rec:
        raise AssertionError(f"{rec['id']}: CPU build differs from meta build")


def write_family(name: str, models: list[dict[str, Any]], errors: list[dict[str, Any]]) -> Path:
    doc = {
        "generator": GENERATOR,
        "keras": keras.__version__,
        "backend": keras.config.backend(),
        "models": models,
        "expected_errors": errors,
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    path.write_text(json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n")
    return path


def check_case_list() -> None:
    """Ids are unique across all families, and every note names an existing case."""
    ids = [cid for cases, errs in keras_cases.FAMILIES.values() for cid, _ in cases + errs]
    dupes = sorted({cid for cid in ids if ids.count(cid) > 1})
    if dupes:
        raise AssertionError(f"duplicate case ids: {dupes}")
    unknown = sorted(set(keras_cases.NOTES) - set(ids))
    if unknown:
        raise AssertionError(f"notes for unknown cases: {unknown}")


SIGNATURES_PATH = ROOT / "tests" / "golden" / "keras_signatures.json"
SIGNATURE_NAMES = sorted(
    {
        name
        for name in dir(keras.layers)
        if name[:1].isupper()
        and isinstance(getattr(keras.layers, name), type)
        and issubclass(getattr(keras.layers, name), keras.layers.Layer)
    }
)


def application_layers() -> list[type]:
    """Layer classes defined in ``keras.src.applications`` modules (ConvNeXt's LayerScale, ...)."""
    import importlib
    import pkgutil

    import keras.src.applications as apps

    found: dict[str, type] = {}
    for info in pkgutil.iter_modules(apps.__path__):
        if info.name.endswith("_test"):
            continue
        module = importlib.import_module(f"keras.src.applications.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, keras.layers.Layer)
                and value.__module__ == module.__name__
            ):
                found[value.__name__] = value
    return [found[name] for name in sorted(found)]


OP_MODULES = (
    "keras.src.ops.numpy",
    "keras.src.ops.nn",
    "keras.src.ops.core",
    "keras.src.ops.math",
    "keras.src.ops.image",
    "keras.src.ops.linalg",
    "keras.src.activations.activations",
)


def op_signatures() -> dict[str, Any]:
    """Every ``keras.ops`` Operation class: its ``call`` parameters and its constructor's (with defaults).

    Keras writes an op node's constructor arguments as its JSON ``config`` and its call
    arguments as the node's ``args``/``kwargs``; paramcalc's op rules take both, call first.
    """
    import importlib

    from keras.src.ops.operation import Operation

    out: dict[str, Any] = {}
    for name in OP_MODULES:
        module = importlib.import_module(name)
        for cls_name, cls in sorted(vars(module).items()):
            if not (isinstance(cls, type) and issubclass(cls, Operation) and cls.__module__ == name):
                continue
            call = [p for p in list(inspect.signature(cls.call).parameters.values())[1:] if p.kind < 3]
            init = [
                p
                for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
                if p.kind < 3 and p.name != "name"
            ]
            out[cls_name if cls_name not in out else f"{name}.{cls_name}"] = {
                "module": name,
                "call": [f"*{p.name}" if p.kind == p.VAR_POSITIONAL else p.name for p in call],
                "init": [p.name for p in init],
                "defaults": json_defaults([*call, *init]),
            }
    return out


def json_defaults(params: list[inspect.Parameter]) -> dict[str, Any]:
    """Each parameter's default as JSON ("<required>" without one, ``repr`` if not JSON)."""
    defaults: dict[str, Any] = {}
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        value = "<required>" if p.default is p.empty else p.default
        try:
            json.dumps(value)
        except TypeError:
            value = repr(value)
        defaults[p.name] = value
    return defaults


def constructor_signature(cls: type) -> dict[str, Any]:
    """A layer class's constructor parameters: positional, keyword-only, defaults."""
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    return {
        "class": cls.__name__,
        "positional": [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD],
        "keyword_only": [p.name for p in params if p.kind == p.KEYWORD_ONLY],
        "defaults": json_defaults(params),
    }


def write_signatures() -> Path:
    """Every ``keras.layers`` class's constructor arguments, in order (tests/golden/keras_signatures.json).

    Why: a spec may give arguments by position (``Conv2D: [8, 3]``); paramcalc's rules must
    list the constructor's parameters in Keras' order, aliases included, and stop positional
    binding where Keras' keyword-only arguments begin.  Format::

        {"generator", "keras", "classes": {export name: {"class": class name,
            "positional": [names of positional-or-keyword params, self excluded],
            "keyword_only": [names], "defaults": {name: JSON default or "<required>"}}}}
    """
    classes: dict[str, Any] = {}
    for name in SIGNATURE_NAMES:
        cls = getattr(keras.layers, name)
        classes[name] = constructor_signature(cls)
    for cls in application_layers():  # the layers keras.applications defines for itself
        classes[cls.__name__] = {**constructor_signature(cls), "module": cls.__module__}
    doc = {"generator": GENERATOR, "keras": keras.__version__, "classes": classes, "ops": op_signatures()}
    SIGNATURES_PATH.write_text(json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n")
    return SIGNATURES_PATH


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", help="family to (re)generate; repeatable")
    ap.add_argument("--verify-cpu", action="store_true", help="also rebuild small models on the CPU and compare")
    ap.add_argument("--signatures", action="store_true", help="only write tests/golden/keras_signatures.json")
    ns = ap.parse_args(argv)
    if ns.signatures:
        print(f"signatures of {len(SIGNATURE_NAMES)} classes -> {write_signatures().relative_to(ROOT)}")
        return 0
    warnings.filterwarnings("ignore")
    keras.config.disable_interactive_logging()

    check_case_list()
    fams = keras_cases.FAMILIES
    names = [*fams, "random_sequential", "random_functional"]
    wanted = ns.only or names
    if set(wanted) - set(names):
        ap.error(f"unknown family; choose from {names}")
    for fam in names:
        if fam not in wanted:
            continue
        if fam in fams:
            cases, err_cases = fams[fam]
        elif fam == "random_sequential":
            cases, err_cases = list(random_models("sequential", N_RANDOM_SEQUENTIAL)), []
        else:
            cases, err_cases = list(random_models("functional", N_RANDOM_FUNCTIONAL)), []
        models = []
        for cid, spec in cases:
            try:
                rec = record_case(cid, spec)
            except Exception as exc:
                raise RuntimeError(f"case {cid} failed in Keras: {type(exc).__name__}: {exc}") from exc
            if ns.verify_cpu:
                verify_on_cpu(rec)
            if cid in keras_cases.NOTES:
                rec["note"] = keras_cases.NOTES[cid]
            models.append(rec)
            gc.collect()
        errors = [record_error(cid, spec) for cid, spec in err_cases]
        path = write_family(fam, models, errors)
        size = path.stat().st_size // 1024
        print(f"{fam}: {len(models)} models, {len(errors)} expected errors -> {path.relative_to(ROOT)} ({size} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
