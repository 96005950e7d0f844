"""Differential fuzzing of paramcalc's Keras support against real Keras 3.

Why: the golden corpus (``tools/keras_golden.py``) pins a few hundred models; hidden
corpora built the same way from other random models (given as YAML specs, inline specs,
``model.to_json()`` documents or ``.keras`` archives) must match too. This script draws
thousands of random models, builds each in real Keras (on the torch ``meta`` device, as
the golden generator does), and compares what paramcalc reports from every form of the
model with what Keras reports: layer order, names, classes, output shapes, each weight's
name, path, shape and trainability, totals and the summary's three total lines.

Run on purpose, from the repository root, with the oracle virtualenv:

    KERAS_BACKEND=torch /work/oracle-venv/bin/python tools/keras_fuzz.py --count 300
    ... tools/keras_fuzz.py --kinds py,none --count 500 --seed 7 --show 5

Kinds of random models:

- ``seq``: random Sequential specs (the golden generator's drawer), read from the YAML spec,
  the inline form, the spec with positional arguments, and Keras' JSON;
- ``func``: random functional graph specs (the golden generator's), from YAML and JSON;
- ``py``: models built directly in Python with what specs cannot say: nested Functional
  and Sequential models (called once or twice), layers shared 2-3 times, several inputs
  and outputs, Bidirectional / TimeDistributed around recurrent, Conv, pooling and
  Dense layers, attention with a separate key, frozen layers, dtype policies; read from
  Keras' JSON and from a ``.keras`` archive (``model.save`` on the CPU for small models);
- ``none``: Sequential specs whose sequence length is unknown (None) all the way through
  Conv1D, pooling, Reshape, Flatten, wrappers and recurrent layers;
- ``names``: graph specs that stress Keras' automatic names (wrappers, attention sublayers,
  nested Sequential models, Repeat blocks);
- ``ops``: functional graphs with ``keras.ops`` calls between layers (``tools/keras_ops_cases.py``):
  element-wise ops with constants, reductions, reshapes, joins and slices; compared row by
  row in the summary's order (ops included, with "Connected to"), from Keras' JSON and
  from the ``.keras`` archive's ``config.json`` as Keras' saving code writes it.
- ``pre``: Sequential specs that start with preprocessing and augmentation layers (images,
  vectors, integer ids, audio spectrograms), from YAML, inline and JSON;
- ``quant``: random Sequential and functional models after ``model.quantize(int8 | int4 |
  float8)`` (on the CPU, up to 2M parameters), read from their JSON as Keras reads it back;
  one in three is a Python-built model (nested models, shared layers, wrappers), also read
  from its ``.keras`` archive; a refusal naming the quantized policy counts as ``refused``.

Every disagreement is printed with its seed so it can be replayed (``--replay KIND:SEED``).
Deterministic: each case draws from ``random.Random(f"{seed}-{kind}-{i}")``.

Never imported by tests.
"""

from __future__ import annotations

import argparse
import copy
import inspect
import io
import json
import os
import random
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import keras_golden as kg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402 - keras_golden sets the backend first

from paramcalc.engine import analyze  # noqa: E402
from paramcalc.errors import ParamcalcError  # noqa: E402
from paramcalc.render.summary_text import totals_lines  # noqa: E402
from paramcalc.report import LayerRow, Report  # noqa: E402
from paramcalc.spec import parse_text  # noqa: E402
from paramcalc.spec.inline_spec import parse_inline  # noqa: E402

Spec = dict[str, Any]
ARCHIVE_LIMIT = 400_000  # model.save on the CPU only for models up to this many parameters


# =========================================================================== comparison
def compare_rows(
    rows: tuple[LayerRow, ...] | list[LayerRow], layers: list[dict[str, Any]], where: str, loaded: bool = False
) -> list[str]:
    """Differences between paramcalc's rows and Keras' layer records (recursing into nested models).

    ``loaded``: Keras' record is of a model rebuilt from its JSON, where a wrapper's inner
    layer is created outside the wrapper's name scope (``dense/kernel``, not
    ``time_distributed/dense/kernel``); its weights then only need the path paramcalc gives.
    """
    got = [r.name for r in rows]
    want = [la["name"] for la in layers]
    if got != want:
        return [f"{where}: layer names/order {got} != keras {want}"]
    diffs: list[str] = []
    for row, la in zip(rows, layers, strict=True):
        at = f"{where}/{la['name']}"
        if row.class_name != la["class"]:
            diffs.append(f"{at}: class {row.class_name} != {la['class']}")
        shapes = [[None, *s] for s in row.outputs]
        shape: Any = shapes if row.multi_output else (shapes[0] if shapes else None)
        if shape != la["output_shape"]:
            diffs.append(f"{at}: output {shape} != {la['output_shape']}")
        if row.params != la["params"]:
            diffs.append(f"{at}: params {row.params} != {la['params']}")
        terms = [t for t in row.terms if not t.buffer]
        mine = [(t.weight, list(t.shape), t.trainable) for t in terms]
        theirs = [(w["name"], w["shape"], w["trainable"]) for w in la["weights"]]
        if mine != theirs:
            diffs.append(f"{at}: weights {mine} != {theirs}")
        else:
            for t, w in zip(terms, la["weights"], strict=True):
                # a layer's weights live under its name; a nested model's under its layers' names
                want = t.path if "layers" in la or loaded else f"{row.name}/{t.path}"
                if not ("/" + w["path"]).endswith("/" + want):
                    diffs.append(f"{at}: path {t.path} vs {w['path']}")
                    break
        if "layers" in la:
            diffs += compare_rows(row.children, la["layers"], at, loaded)
    return diffs


def compare(report: Report, rec: dict[str, Any], form: str) -> list[str]:
    """Everything a hidden corpus compares: rows, totals and the summary's total lines."""
    diffs = compare_rows(report.layers, rec["layers"], form, bool(rec.get("loaded")))
    for key in ("total", "trainable", "non_trainable"):
        if getattr(report, key) != rec[key]:
            diffs.append(f"{form}: {key} {getattr(report, key)} != {rec[key]}")
    lines = dict(totals_lines(report))
    summary = rec["summary"]
    for label, key in (
        ("Total params", "total"),
        ("Trainable params", "trainable"),
        ("Non-trainable params", "non_trainable"),
    ):
        if lines[label] != summary[key]:
            diffs.append(f"{form}: summary {label}: {lines[label]} != {summary[key]}")
    return diffs


def check(form: str, make: Callable[[], Report], rec: dict[str, Any]) -> list[str]:
    """Run one reading of the model; a paramcalc error on a model Keras built is a difference."""
    try:
        report = make()
    except ParamcalcError as exc:
        return [f"{form}: paramcalc refused: {exc.render()}"]
    except Exception as exc:  # noqa: BLE001 - a crash is a finding too
        tb = traceback.format_exc(limit=-3).replace("\n", " | ")
        return [f"{form}: paramcalc crashed: {type(exc).__name__}: {exc} :: {tb}"]
    return compare(report, rec, form)


def from_yaml(spec: Spec) -> Report:
    import yaml

    from paramcalc.spec.yaml_spec import load_yaml

    return analyze(load_yaml(yaml.safe_dump(spec, sort_keys=False), "<fuzz>"))


def from_json(doc: Any) -> Report:
    return analyze(parse_text(json.dumps(doc).encode(), "<fuzz.json>"))


def from_bytes(data: bytes) -> Report:
    return analyze(parse_text(data, "<fuzz.keras>"))


# ----------------------------------------------------------------- other forms of a spec
LAYER_KEYS = ("layer", "backward_layer", "cell")


def inline_call(entry: Any) -> str:
    """A spec entry as an inline call: ``{"LSTM": {"units": 8}}`` -> ``LSTM(units=8)``."""
    if isinstance(entry, str):
        return f"{entry}()"
    ((name, args),) = entry.items()
    if args is None:
        return f"{name}()"
    if isinstance(args, dict):
        parts = [
            f"{k}={inline_call(v) if k in LAYER_KEYS and v is not None else repr_value(v)}" for k, v in args.items()
        ]
    elif isinstance(args, list):
        parts = [inline_call(v) if i == 0 and kg.is_layer_entry(v) else repr_value(v) for i, v in enumerate(args)]
    else:
        parts = [repr_value(args)]
    return f"{name}({', '.join(parts)})"


def repr_value(value: Any) -> str:
    if isinstance(value, list):  # tuples, as a user would write them, half of the time
        inner = ", ".join(repr_value(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def inline_text(spec: Spec) -> str:
    calls = [inline_call(e) for e in kg.expand_repeats(spec["layers"])]
    given = spec.get("input")
    if given is not None:
        shape, dtype = (given, None) if isinstance(given, list) else (given["shape"], given.get("dtype"))
        extra = f", dtype={dtype!r}" if dtype else ""
        calls.insert(0, f"Input(shape={tuple(shape)!r}{extra})")
    return " | ".join(calls)


def positional_entry(entry: Any, rng: random.Random) -> Any:
    """Keyword arguments -> positional ones (a prefix of the Keras constructor's order)."""
    name, args = kg.entry_parts(entry)
    if name in ("Repeat", "Reuse", "Sequential") or not hasattr(keras.layers, name):
        return entry
    kw = kg.as_kwargs(name, args)
    for key in kg.LAYER_VALUED_KWARGS:
        if key in kw and kg.is_layer_entry(kw[key]):
            kw[key] = positional_entry(kw[key], rng)
    params = list(inspect.signature(getattr(keras.layers, name).__init__).parameters.values())[1:]
    pos: list[Any] = []
    for p in params:
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY) or p.name not in kw:
            break
        if pos and rng.random() < 0.2:
            break
        pos.append(kw.pop(p.name))
    if not pos:
        return {name: kw} if kw else name
    if kw:  # the contract has no mixed form: keep keywords when some are left
        return {name: {**dict(zip([p.name for p in params], pos, strict=False)), **kw}}
    single = len(pos) == 1 and pos[0] is not None and not isinstance(pos[0], (list, dict))  # `Name: null` is no args
    return {name: pos[0] if single else pos}


# =========================================================================== Python-built models
DTYPES = ["mixed_float16", "mixed_bfloat16", "bfloat16", "float16", "float32", "float64"]


class PyGen:
    """Random functional models built with the Keras API (what YAML specs cannot say)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.drawer = kg.Drawer(rng, rng.choice(["small", "small", "medium"]), False)
        self.tensors: list[Any] = []
        self.used: set[int] = set()

    # ------------------------------------------------------------------ helpers
    def shape(self, t: Any) -> list[int | None]:
        return kg.shape_list(t.shape)

    def kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {}
        if self.rng.random() < 0.12:
            kw["dtype"] = self.rng.choice(DTYPES)
        if self.rng.random() < 0.1:
            kw["trainable"] = False
        return kw

    def layer(self, entry: Any) -> Any:
        name, args = kg.entry_parts(entry)
        _, kw = kg.split_args(args)
        kw.update(self.kwargs())
        return kg.make_layer({name: {**kg.as_kwargs(name, args), **kw}} if kw else entry)

    def add(self, fn: Callable[[], Any]) -> bool:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                y = fn()
        except Exception:  # noqa: BLE001 - Keras refused the proposal: draw again
            return False
        ys = list(y) if isinstance(y, (list, tuple)) else [y]
        for t in ys:
            if any(d is not None and d <= 0 for d in t.shape[1:]):
                return False
        self.tensors.extend(ys)
        return True

    def pick(self, rank: int | None = None) -> Any | None:
        cands = [t for t in self.tensors[-8:] if rank is None or len(t.shape) == rank]
        if not cands:
            return None
        t = self.rng.choice(cands)
        self.used.add(id(t))
        return t

    # ------------------------------------------------------------------ inputs
    def new_input(self, i: int) -> Any:
        r = self.rng
        kind = r.choice(["vector", "seq", "seq", "image", "tokens"])
        name = f"in{i}" if r.random() < 0.7 else None
        if kind == "vector":
            return keras.Input(shape=(kg.log_int(r, 2, 300),), name=name)
        if kind == "seq":
            return keras.Input(shape=(r.choice([None, r.randint(4, 40)]), kg.log_int(r, 2, 128)), name=name)
        if kind == "image":
            h = r.choice([8, 16, 28])
            return keras.Input(shape=(h, h, r.choice([1, 3, 8])), name=name)
        return keras.Input(shape=(r.choice([None, 12]),), dtype="int32", name=name)

    # ------------------------------------------------------------------ steps
    def plain(self) -> None:
        t = self.pick()
        if t is None:
            return
        shape = self.shape(t)
        if shape[-1] is None or len(shape) > 5:
            return
        if t.dtype == "int32" and len(shape) == 2:
            entry: Any = {
                "Embedding": {"input_dim": kg.log_int(self.rng, 10, 5000), "output_dim": kg.log_int(self.rng, 2, 64)}
            }
            if self.rng.random() < 0.3:
                entry["Embedding"]["mask_zero"] = True
        else:
            entry = self.drawer.draw(shape)
        self.add(lambda: self.layer(entry)(t))

    def shared(self) -> None:
        """One layer called on 2-3 tensors of the same shape (siamese towers)."""
        t = self.pick()
        if t is None or t.dtype == "int32" or self.shape(t)[-1] is None:
            return
        shape = self.shape(t)
        r = self.rng
        others = [x for x in self.tensors if x is not t and self.shape(x) == shape and x.dtype == t.dtype]
        while len(others) < r.randint(1, 2):
            prep = r.choice([keras.layers.Dropout(0.1), keras.layers.Activation("tanh"), keras.layers.Identity()])
            x = prep(t)
            self.tensors.append(x)
            others.append(x)
        entry = self.drawer.draw(shape)
        name = r.choice([None, "shared"]) if not any(la.name == "shared" for la in self.layers()) else None

        def go() -> list[Any]:
            layer = self.layer(entry)
            if name:
                layer.name = name
            outs = [layer(t)]
            outs += [layer(x) for x in others[: r.randint(1, 2)]]
            return outs

        self.add(go)

    def layers(self) -> list[Any]:
        out = []
        for t in self.tensors:
            hist = getattr(t, "_keras_history", None)
            if hist is not None:
                out.append(hist.operation)
        return out

    def wrapper(self) -> None:
        r = self.rng
        t = self.pick()
        if t is None or t.dtype == "int32":
            return
        shape = self.shape(t)
        if len(shape) == 3 and shape[-1] is not None and r.random() < 0.5:
            cls = r.choice(["LSTM", "GRU", "SimpleRNN"])
            inner: dict[str, Any] = {"units": kg.log_int(r, 1, 64), "return_sequences": r.random() < 0.6}
            if r.random() < 0.2:
                inner["return_state"] = True
            kw: dict[str, Any] = {"merge_mode": r.choice(["concat", "sum", "ave", "mul", "concat", None])}
            if r.random() < 0.2:
                back = dict(inner, units=kg.log_int(r, 1, 64) if kw["merge_mode"] == "concat" else inner["units"])
                back["go_backwards"] = True
                kw["backward_layer"] = kg.make_layer({cls: back})
            self.add(lambda: self.layer({"Bidirectional": {"layer": kg.make_layer({cls: inner}), **kw}})(t))
            return
        if len(shape) < 3:
            return
        sub = [None, *shape[2:]]
        if any(d is None for d in shape[2:]):
            return
        entry = self.drawer.draw(sub)
        if r.random() < 0.3:
            entry = r.choice(
                ["Flatten", {"Dense": kg.log_int(r, 1, 64)}, "GlobalAveragePooling1D" if len(sub) == 3 else "Flatten"]
            )
        self.add(lambda: self.layer({"TimeDistributed": {"layer": kg.make_layer(entry)}})(t))

    def attention(self) -> None:
        r = self.rng
        seqs = [t for t in self.tensors[-10:] if len(t.shape) == 3 and t.shape[-1] is not None and t.dtype != "int32"]
        if not seqs:
            return
        q = r.choice(seqs)
        v = r.choice(seqs)
        k = r.choice([x for x in seqs if x.shape[1] == v.shape[1]] or [v])
        kind = r.choice(
            ["MultiHeadAttention", "MultiHeadAttention", "GroupQueryAttention", "Attention", "AdditiveAttention"]
        )
        use_key = r.random() < 0.6
        if kind == "MultiHeadAttention":
            kw: dict[str, Any] = {"num_heads": r.choice([1, 2, 4]), "key_dim": kg.log_int(r, 2, 64)}
            if r.random() < 0.2:
                kw["value_dim"] = kg.log_int(r, 2, 64)
            if r.random() < 0.15:
                kw["output_shape"] = kg.log_int(r, 2, 64)
            layer = self.layer({kind: kw})
            self.add(lambda: layer(q, v, k) if use_key else layer(q, v))
        elif kind == "GroupQueryAttention":
            n = r.choice([1, 2])
            layer = self.layer(
                {kind: {"head_dim": kg.log_int(r, 2, 32), "num_query_heads": 2 * n, "num_key_value_heads": n}}
            )
            self.add(lambda: layer(q, v, k) if use_key else layer(q, v))
        else:
            layer = self.layer({kind: {"use_scale": r.random() < 0.5}})
            self.add(lambda: layer([q, v, k] if use_key else [q, v]))

    def merge(self) -> None:
        r = self.rng
        groups: dict[str, list[Any]] = {}
        for t in self.tensors[-10:]:
            s = self.shape(t)
            if None not in s[1:] and t.dtype != "int32":
                groups.setdefault(json.dumps(s), []).append(t)
        cands = [g for g in groups.values() if len(g) >= 2]
        if not cands:
            return
        g = r.choice(cands)
        refs = r.sample(g, min(len(g), r.choice([2, 3])))
        cls = r.choice(["Add", "Concatenate", "Multiply", "Average", "Maximum"])
        self.add(lambda: self.layer(cls)(refs))

    def nested(self) -> None:
        """A Functional or Sequential model used as a layer (sometimes called twice)."""
        r = self.rng
        t = self.pick()
        if t is None or t.dtype == "int32":
            return
        shape = self.shape(t)
        if shape[-1] is None and len(shape) == 2:
            return

        def body(x: Any, depth: int) -> Any:
            for _ in range(r.randint(1, 3)):
                entry = self.drawer.draw(self.shape(x))
                try:
                    y = self.layer(entry)(x)
                except Exception:  # noqa: BLE001
                    continue
                if isinstance(y, (list, tuple)):
                    continue
                x = y
            return x

        def go() -> Any:
            if r.random() < 0.55:
                inp = keras.Input(shape=tuple(shape[1:]), name=r.choice([None, "inner_in"]))
                out = body(inp, 0)
                if out is inp:
                    out = keras.layers.Dense(4)(inp)
                if r.random() < 0.3:
                    model = keras.Model(
                        inp, [out, keras.layers.Activation("relu")(out)], name=r.choice([None, "encoder"])
                    )
                else:
                    model = keras.Model(inp, out, name=r.choice([None, "encoder"]))
            else:
                layers = []
                x = keras.Input(shape=tuple(shape[1:]))
                for _ in range(r.randint(1, 3)):
                    entry = self.drawer.draw(self.shape(x))
                    try:
                        la = kg.make_layer(entry)
                        y = la(x)
                    except Exception:  # noqa: BLE001
                        continue
                    if isinstance(y, (list, tuple)):
                        continue
                    layers.append(kg.make_layer(entry))
                    x = y
                if not layers:
                    layers = [keras.layers.Dense(3)]
                with_input = r.random() < 0.6
                model = keras.Sequential(
                    ([keras.Input(shape=tuple(shape[1:]))] if with_input else []) + layers,
                    name=r.choice([None, "tower"]),
                )
            if r.random() < 0.2:
                model.trainable = False
            y = model(t)
            if r.random() < 0.25:
                twin = [x for x in self.tensors if x is not t and self.shape(x) == shape and x.dtype == t.dtype]
                if twin:
                    y2 = model(twin[0])
                    return [*(y if isinstance(y, list) else [y]), *(y2 if isinstance(y2, list) else [y2])]
            return y

        self.add(go)

    def generate(self) -> Any:
        r = self.rng
        inputs = [self.new_input(i) for i in range(r.choice([1, 1, 2, 2, 3]))]
        names = [t.name for t in inputs]
        if len(set(names)) != len(names):
            inputs = [self.new_input(i) for i in range(1)]
        self.tensors = list(inputs)
        for t in inputs:  # consume every input once
            if t.dtype == "int32":
                self.add(lambda t=t: self.layer({"Embedding": {"input_dim": 100, "output_dim": r.randint(2, 32)}})(t))
        steps = [self.plain] * 5 + [
            self.shared,
            self.wrapper,
            self.wrapper,
            self.attention,
            self.merge,
            self.nested,
            self.nested,
        ]
        for _ in range(r.randint(2, 14)):
            r.choice(steps)()
        leaves = [t for t in self.tensors if id(t) not in self.used and t not in inputs] or [self.tensors[-1]]
        outs = leaves[-r.randint(1, 3) :]
        return keras.Model(
            inputs if len(inputs) > 1 else inputs[0], outs if len(outs) > 1 else outs[0], name=r.choice([None, "net"])
        )


# =========================================================================== None lengths
NONE_LAYERS: list[Callable[[random.Random, int], Any]] = [
    lambda r, c: {
        "Conv1D": {
            "filters": r.randint(1, 16),
            "kernel_size": r.randint(1, 5),
            "strides": r.choice([1, 2]),
            "padding": r.choice(["valid", "same", "causal"]),
        }
    },
    lambda r, c: {"Conv1D": {"filters": r.randint(1, 16), "kernel_size": 3, "dilation_rate": 2}},
    lambda r, c: {"SeparableConv1D": [r.randint(1, 8), r.randint(1, 4)]},
    lambda r, c: {"DepthwiseConv1D": {"kernel_size": r.randint(1, 4), "depth_multiplier": r.choice([1, 2])}},
    lambda r, c: {
        "Conv1DTranspose": {
            "filters": r.randint(1, 8),
            "kernel_size": r.randint(1, 4),
            "strides": r.choice([1, 2]),
            "padding": r.choice(["valid", "same"]),
        }
    },
    lambda r, c: {
        r.choice(["MaxPooling1D", "AveragePooling1D"]): {
            "pool_size": r.randint(1, 3),
            "strides": r.choice([None, 1, 2]),
            "padding": r.choice(["valid", "same"]),
        }
    },
    lambda r, c: r.choice(
        ["GlobalMaxPooling1D", "GlobalAveragePooling1D", {"GlobalAveragePooling1D": {"keepdims": True}}]
    ),
    lambda r, c: r.choice(
        [{"UpSampling1D": 2}, {"ZeroPadding1D": [[1, 2]]}, {"Cropping1D": [[1, 0]]}, {"RepeatVector": 3}]
    ),
    lambda r, c: {"Reshape": [r.choice([[-1, c], [-1, 1, c], [1, -1, c], [-1]])]},
    lambda r, c: "Flatten",
    lambda r, c: {"Permute": [[2, 1]]},
    lambda r, c: {
        r.choice(["LSTM", "GRU", "SimpleRNN"]): {"units": r.randint(1, 16), "return_sequences": r.random() < 0.7}
    },
    lambda r, c: {"Bidirectional": {"layer": {"GRU": {"units": r.randint(1, 8), "return_sequences": True}}}},
    lambda r, c: {"TimeDistributed": {"layer": {"Dense": r.randint(1, 8)}}},
    lambda r, c: {"Dense": r.randint(1, 32)},
    lambda r, c: {
        "EinsumDense": {"equation": "abc,cd->abd", "output_shape": [None, r.randint(1, 8)], "bias_axes": "d"}
    },
    lambda r, c: r.choice(
        ["LayerNormalization", "BatchNormalization", {"GroupNormalization": {"groups": 1}}, "UnitNormalization"]
    ),
    lambda r, c: {"PReLU": {"shared_axes": [1]}},
    lambda r, c: {"SpatialDropout1D": 0.1},
    lambda r, c: {"ConvLSTM1D": {"filters": 2, "kernel_size": 1}},
    lambda r, c: {"Masking": {}},
    lambda r, c: {"Conv2D": {"filters": 2, "kernel_size": 1}},
    lambda r, c: {"MaxPooling2D": {"pool_size": [1, 1]}},
    lambda r, c: {"Cropping2D": [[[0, 0], [0, 0]]]},
    lambda r, c: {"UpSampling2D": [[2, 1]]},
    lambda r, c: {"GlobalAveragePooling2D": {}},
    lambda r, c: {"Normalization": {"axis": -1}},
]


def none_sequential(rng: random.Random) -> Spec:
    """A Sequential spec whose leading length is None (and sometimes more None axes)."""
    shape: list[int | None] = rng.choice(
        [[None, rng.randint(1, 16)], [None, None, rng.randint(1, 8)], [rng.randint(3, 9), None, 3], [None, 4, 2]]
    )
    entries: list[Any] = []
    with kg.fresh_session("meta"):
        x = keras.Input(shape=tuple(shape))
        for _ in range(rng.randint(1, 8) * 4):
            if len(entries) >= 8:
                break
            s = kg.shape_list(x.shape)
            c = s[-1] if s[-1] is not None else 1
            entry = rng.choice(NONE_LAYERS)(rng, c)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    y = kg.make_layer(entry)(x)
            except Exception:  # noqa: BLE001
                continue
            if isinstance(y, (list, tuple)) or any(d is not None and d <= 0 for d in y.shape[1:]):
                continue
            entries.append(entry)
            x = y
    return {"input": {"shape": shape}, "layers": entries or ["Flatten"]}


# =========================================================================== naming stress
def naming_graph(rng: random.Random) -> Spec:
    """A graph spec with wrappers, attention sublayers, nested Sequential and Repeat blocks, all auto-named."""
    r = rng
    d = r.choice([8, 16])
    layers: list[Any] = []
    pool: list[Callable[[], Any]] = [
        lambda: {"Dense": d},
        lambda: {"Dropout": 0.1},
        lambda: "Softmax",
        lambda: {"TimeDistributed": {"layer": {"Dense": d}}},
        lambda: {"Bidirectional": {"layer": {"LSTM": {"units": d // 2, "return_sequences": True}}}},
        lambda: {
            "Bidirectional": {
                "layer": {"GRU": {"units": d // 2, "return_sequences": True}},
                "backward_layer": {"GRU": {"units": d // 2, "return_sequences": True, "go_backwards": True}},
            }
        },
        lambda: {"Sequential": {"layers": [{"Dense": d}, {"Dropout": 0.2}]}},
        lambda: {
            "Repeat": {
                "times": r.randint(1, 3),
                "layers": [{"Dense": d}, r.choice(["LayerNormalization", {"Dropout": 0.1}])],
            }
        },
        lambda: "LayerNormalization",
        lambda: {"Conv1D": {"filters": d, "kernel_size": 3, "padding": "same"}},
        lambda: {"RNN": {"cell": [{"SimpleRNNCell": d}, {"GRUCell": d}], "return_sequences": True}},
        lambda: {"RNN": {"cell": {"LSTMCell": d}, "return_sequences": True}},
    ]
    prev = "x"
    for i in range(r.randint(2, 7)):
        if r.random() < 0.3:
            kind = r.choice(["MultiHeadAttention", "GroupQueryAttention", "Attention"])
            if not prev:  # attention needs a named query: an explicitly named Identity
                prev = f"id{i}"
                layers.append({"Identity": {"name": prev}})
            if kind == "MultiHeadAttention":
                kw: dict[str, Any] = {"num_heads": 2, "key_dim": 4}
            elif kind == "GroupQueryAttention":
                kw = {"head_dim": 4, "num_query_heads": 2, "num_key_value_heads": 1}
            else:
                kw = {}
            if r.random() < 0.5:
                kw["name"] = f"att{i}"
            layers.append({kind: {**kw, "inputs": [prev, prev]}})
            prev = kw.get("name", "")
        else:
            layers.append(r.choice(pool)())
            prev = ""
    return {"inputs": {"x": {"shape": [r.choice([None, 6]), d]}}, "layers": layers}


# =========================================================================== preprocessing
def _image_layers(r: random.Random, h: int, w: int) -> list[Callable[[], Any]]:
    """Preprocessing/augmentation proposals for an image of h x w (Keras decides what is valid)."""
    f = lambda: round(r.uniform(0.05, 0.4), 2)  # noqa: E731
    return [
        lambda: r.choice(["RandomFlip", {"RandomFlip": r.choice(["horizontal", "vertical"])}]),
        lambda: {"RandomRotation": {"factor": f(), "fill_mode": r.choice(["reflect", "nearest", "constant"])}},
        lambda: {"RandomZoom": [f(), f()]},
        lambda: {"RandomTranslation": [f(), f()]},
        lambda: {r.choice(["RandomContrast", "RandomBrightness", "RandomHue", "RandomSaturation"]): f()},
        lambda: {r.choice(["RandomSharpness", "RandomColorDegeneration"]): f()},
        lambda: {"RandomPosterization": r.randint(1, 8)},
        lambda: r.choice(["AutoContrast", "Solarization", "RandomGrayscale", "RandomInvert", "MixUp", "CutMix"]),
        lambda: r.choice(["RandAugment", {"RandAugment": {"num_ops": r.randint(1, 3)}}, "AugMix"]),
        lambda: {"AugMix": {"all_ops": r.random() < 0.5}},
        lambda: {"RandomColorJitter": {k: f() for k in ("brightness_factor", "hue_factor") if r.random() < 0.6}},
        lambda: r.choice(["RandomErasing", "RandomGaussianBlur", "RandomPerspective", "RandomElasticTransform"]),
        lambda: {"RandomShear": {"x_factor": f(), "y_factor": f()}},
        lambda: {"Resizing": [r.randint(4, 48), r.randint(4, 48)]},
        lambda: {"Resizing": {"height": r.randint(4, 48), "width": r.randint(4, 48), "crop_to_aspect_ratio": True}},
        lambda: {"CenterCrop": [r.randint(2, 48), r.randint(2, 48)]},
        lambda: {"RandomCrop": [r.randint(2, h), r.randint(2, w)]},
        lambda: {"Rescaling": r.choice([1 / 255, 2.0, {"scale": 1 / 127.5, "offset": -1}])},
        lambda: {"Normalization": {"axis": r.choice([-1, None, [1, 2], 3])}},
        lambda: "ContrastLimitedAdaptiveHistogramEqualization",
        lambda: {"MaxNumBoundingBoxes": {"max_number": r.randint(1, 20), "fill_value": r.choice([-1, 0])}},
    ]


def preprocessing_sequential(rng: random.Random) -> Spec:
    """A Sequential spec that starts with preprocessing layers, as keras.io examples do.

    Images get augmentation, resizing, cropping and normalization, then a small CNN head;
    vectors get Normalization/Discretization/CategoryEncoding; audio gets a spectrogram.
    (Equalization is left out: mid-chain, Keras' own graph has a cycle.)
    """
    r = rng
    kind = r.choice(["image", "image", "image", "vector", "ids", "audio"])
    entries: list[Any] = []
    if kind == "image":
        h, w, c = r.randint(8, 40), r.randint(8, 40), r.choice([1, 3])
        shape: list[int | None] = [h, w, c]
        pool = _image_layers(r, h, w)
        entries = [r.choice(pool)() for _ in range(r.randint(1, 5))]
        entries += [{"Conv2D": [r.randint(1, 16), r.randint(1, 3)]}, r.choice(["Flatten", "GlobalAveragePooling2D"])]
    elif kind == "vector":
        n = r.randint(1, 12)
        shape = [n] if r.random() < 0.7 else [r.randint(1, 4), n]
        pool = [
            lambda: {"Normalization": {"axis": r.choice([-1, None])}},
            lambda: {"Normalization": {"mean": 0.5, "variance": 2.0}},
            lambda: {"Discretization": {"bin_boundaries": sorted(r.sample(range(10), r.randint(1, 4)))}},
            lambda: {"Discretization": {"num_bins": r.randint(2, 9), "output_mode": r.choice(["one_hot", "count"])}},
            lambda: {"Rescaling": 0.5},
        ]
        entries = [r.choice(pool)() for _ in range(r.randint(1, 3))]
    elif kind == "ids":
        shape = [r.choice([1, r.randint(2, 6)])]
        mode = r.choice(["one_hot", "multi_hot", "count"])
        entries = [{"CategoryEncoding": {"num_tokens": r.randint(2, 50), "output_mode": mode}}]
        return {
            "input": {"shape": shape, "dtype": "int32"},
            "layers": [*entries, "Flatten", {"Dense": r.randint(1, 8)}],
        }
    else:
        if r.random() < 0.5:
            shape = [r.randint(500, 8000)]
            stride = r.choice([64, 128, 160, 256])
            entries = [
                {"MelSpectrogram": {"fft_length": 512, "sequence_stride": stride, "num_mel_bins": r.randint(8, 64)}}
            ]
        else:
            shape = [r.randint(500, 4000), r.randint(1, 3)]
            kw: dict[str, Any] = {"frame_length": r.randint(16, 128), "padding": r.choice(["valid", "same"])}
            kw["mode"] = r.choice(["log", "magnitude", "real", "imag", "stft"])
            kw["expand_dims"] = r.random() < 0.3
            entries = [{"STFTSpectrogram": kw}]
    return {"input": {"shape": shape}, "layers": [*entries, {"Dense": r.randint(1, 8)}]}


# =========================================================================== quantized
QUANT_LIMIT = 2_000_000  # quantize() reads the weights: built on the CPU, small models only


def run_quant_case(seed: str) -> tuple[list[str], dict[str, Any]]:
    """A random Sequential or functional model, quantized, read from its JSON as Keras reads it.

    One case in three is a Python-built model (``PyGen``: nested models called once or twice,
    shared layers, wrappers), also read from its ``.keras`` archive (``model.save``).
    A refusal that names a quantized policy is what paramcalc promises for what it does not
    count; it is reported as ``quant refused`` (not a wrong count) so it can be told apart.
    """
    rng = random.Random(seed)
    spec: Spec = {}
    if rng.random() < 1 / 3:
        make: Callable[[], Any] = lambda: PyGen(random.Random(seed + "-py")).generate()  # noqa: E731
    else:
        spec = kg.random_sequential(rng) if rng.random() < 0.6 else kg.GraphGen(rng).generate()
        make = lambda: kg.build_model(spec)  # noqa: E731
    mode = rng.choice(["int8", "int4", "float8"])
    with kg.fresh_session("meta"):
        if make().count_params() > QUANT_LIMIT:
            raise RuntimeError("too large to quantize on the CPU")
    archive = b""
    with kg.fresh_session("cpu"):
        model = make()
        model.quantize(mode)
        text = model.to_json()
        if not spec:
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "m.keras")
                model.save(path)
                archive = Path(path).read_bytes()
        keras.utils.clear_session(free_memory=False)
        rec = kg.model_record(seed, copy.deepcopy(spec), keras.models.model_from_json(text), False)
    rec["keras_json"] = json.loads(text)
    rec["loaded"] = True
    diffs = check("json", lambda: from_json(rec["keras_json"]), rec)
    if archive:
        diffs += check("archive", lambda: from_bytes(archive), rec)
    return [d.replace(": paramcalc refused", ": quant refused", 1) if "quantized" in d else d for d in diffs], rec


# =========================================================================== driver
def record_of(case_id: str, spec: Spec, model: Any) -> dict[str, Any]:
    return kg.model_record(case_id, copy.deepcopy(spec), model, True)


def run_spec_case(kind: str, case_id: str, spec: Spec, rng: random.Random) -> tuple[list[str], dict[str, Any]]:
    with kg.fresh_session("meta"):
        model = kg.build_model(spec)
        rec = record_of(case_id, spec, model)
    diffs = check("yaml", lambda: from_yaml(spec), rec)
    diffs += check("json", lambda: from_json(rec["keras_json"]), rec)
    if not kg.is_graph_spec(spec):
        text = inline_text(spec)
        diffs += check("inline", lambda: analyze(parse_inline(text)), rec)
        pos = {**spec, "layers": [positional_entry(e, rng) for e in kg.expand_repeats(spec["layers"])]}
        diffs += check("positional", lambda: from_yaml(pos), rec)
    return diffs, rec


def run_py_case(case_id: str, seed: str) -> tuple[list[str], dict[str, Any]]:
    with kg.fresh_session("meta"):
        model = PyGen(random.Random(seed)).generate()
        rec = record_of(case_id, {}, model)
    diffs = check("json", lambda: from_json(rec["keras_json"]), rec)
    if not diffs and rec["total"] <= ARCHIVE_LIMIT and random.Random(seed + "-save").random() < 0.15:
        with kg.fresh_session("cpu"):  # the CPU may refuse what meta built (float16 init): own record
            model = PyGen(random.Random(seed)).generate()
            cpu_rec = record_of(case_id, {}, model)
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "m.keras")
                model.save(path)
                data = Path(path).read_bytes()
        diffs += check("archive", lambda: from_bytes(data), cpu_rec)
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("config.json", json.dumps(rec["keras_json"]))
        diffs += check("zip", lambda: from_bytes(buf.getvalue()), rec)
    return diffs, rec


def compare_summary(report: Report, rec: dict[str, Any], form: str) -> list[str]:
    """Differences from a ``keras_apps_golden`` record: summary rows (ops included) and totals."""
    got = [row.name for row in report.layers]
    want = [layer[0] for layer in rec["layers"]]
    if got != want:
        return [f"{form}: layer names/order {got} != keras {want}"]
    diffs = []
    for row, (name, class_name, shape, params, connections, weights) in zip(report.layers, rec["layers"], strict=True):
        shapes = [list(s) if row.batch_in_shapes else [None, *s] for s in row.outputs]
        mine = shapes if len(shapes) > 1 or row.multi_output else shapes[0]
        terms = [(t.weight, list(t.shape), t.trainable) for t in row.terms if not t.buffer]
        checks = [
            ("class", row.class_name, class_name),
            ("output", mine, shape),
            ("params", row.params, params),
            ("connections", list(row.connections), connections),
            ("weights", terms, [tuple(w[:3]) for w in weights]),
        ]
        diffs += [f"{form}/{name}: {what} {a} != {b}" for what, a, b in checks if a != b]
    for key in ("total", "trainable", "non_trainable"):
        if getattr(report, key) != rec[key]:
            diffs.append(f"{form}: {key} {getattr(report, key)} != {rec[key]}")
    return diffs


def run_ops_case(case_id: str, seed: str) -> tuple[list[str], dict[str, Any]]:
    """A random graph with keras.ops nodes, read from its JSON and from its .keras archive."""
    import keras_apps_golden as kag
    import keras_ops_cases

    with kg.fresh_session("meta"):
        model = keras_ops_cases.random_model(seed, 0)
        rec = kag.model_record(case_id, "", model)
        doc = rec["keras_json"] = json.loads(model.to_json())
        archive = kag.archive_bytes(model)
    diffs: list[str] = []
    for form, make in (("json", lambda: from_json(doc)), ("archive", lambda: from_bytes(archive))):
        try:
            diffs += compare_summary(make(), rec, form)
        except ParamcalcError as exc:
            diffs.append(f"{form}: paramcalc refused: {exc.render()}")
    return diffs, rec


def make_spec(kind: str, rng: random.Random) -> Spec:
    if kind == "seq":
        return kg.random_sequential(rng)
    if kind == "func":
        return kg.GraphGen(rng).generate()
    if kind == "none":
        return none_sequential(rng)
    if kind == "names":
        return naming_graph(rng)
    if kind == "pre":
        return preprocessing_sequential(rng)
    raise ValueError(kind)


def run_case(kind: str, seed: str) -> tuple[list[str], dict[str, Any] | None, Spec | None]:
    """One case: (differences, Keras record, spec); a model Keras refuses is skipped (no record)."""
    if kind == "quant":
        try:
            diffs, rec = run_quant_case(seed)
        except Exception:  # noqa: BLE001 - Keras refused, or too large to quantize
            return [], None, None
        return diffs, rec, None
    if kind in ("py", "ops"):
        try:
            diffs, rec = (run_py_case if kind == "py" else run_ops_case)(seed, seed)
        except Exception:  # noqa: BLE001 - the generator proposed a model Keras refuses
            return [], None, None
        return diffs, rec, None
    rng = random.Random(seed)
    try:
        spec = make_spec(kind, rng)
        with kg.fresh_session("meta"):
            kg.build_model(spec)
    except Exception:  # noqa: BLE001
        return [], None, None
    diffs, rec = run_spec_case(kind, seed, spec, rng)
    return diffs, rec, spec


def classify(diff: str) -> str:
    """A coarse bucket for a difference, to count classes of bugs."""
    form, _, rest = diff.partition(": ")
    head = rest.split(":")[0] if "paramcalc" in rest else rest.split(" ")[0]
    for key in (
        "summary",
        "layer names/order",
        "output",
        "weights",
        "path",
        "class",
        "params",
        "total",
        "refused",
        "crashed",
    ):
        if key in rest[:40]:
            head = key
            break
    return f"{form.split('/')[0]} {head}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kinds", default="seq,func,py,none,names,ops,pre,quant")
    ap.add_argument("--count", type=int, default=100, help="cases per kind")
    ap.add_argument("--seed", default="fuzz")
    ap.add_argument("--show", type=int, default=3, help="examples printed per class of difference")
    ap.add_argument("--replay", help="KIND:SEED, print everything about one case")
    ns = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    keras.config.disable_interactive_logging()
    if ns.replay:
        kind, seed = ns.replay.split(":", 1)
        diffs, rec, spec = run_case(kind, seed)
        print(json.dumps(spec))
        if rec:
            print(json.dumps(rec["keras_json"]))
            for la in rec["layers"]:
                if isinstance(la, list):  # an ops case: summary rows
                    print(*la)
                    continue
                print(
                    la["name"],
                    la["class"],
                    la["output_shape"],
                    la["params"],
                    [(w["path"], w["shape"], w["trainable"], w["dtype"]) for w in la["weights"]],
                )
            print(rec["summary"])
        print("\n".join(diffs) or "no differences")
        return 0
    classes: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    ran = skipped = bad = 0
    start = time.time()
    for kind in ns.kinds.split(","):
        for i in range(ns.count):
            seed = f"{ns.seed}-{kind}-{i}"
            diffs, rec, _ = run_case(kind, seed)
            if rec is None:
                skipped += 1
                continue
            ran += 1
            if diffs:
                bad += 1
            for d in diffs[:3]:
                c = classify(d)
                classes[c] += 1
                ex = examples.setdefault(c, [])
                if len(ex) < ns.show:
                    ex.append(f"[{kind}:{seed}] {d[:400]}")
        print(f"{kind}: done ({time.time() - start:.0f}s)", file=sys.stderr)
    print(f"cases run: {ran}, Keras refused: {skipped}, with differences: {bad}")
    for c, n in classes.most_common():
        print(f"{n:5d}  {c}")
        for ex in examples[c]:
            print(f"        {ex}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
