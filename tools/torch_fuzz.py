"""Differential fuzzing of paramcalc's ``framework: pytorch`` rules against real torch.

Why: the conformance corpus (tools/torch_cases.py) pins down the cases someone thought of;
paramcalc will also meet specs nobody wrote down.  This script draws random ``torch.nn``
specs -- every registered rule, random argument combinations given by position or by name,
int vs tuple forms, every option, nested Transformer stacks, lazy modules, random
sequential chains with and without ``input:`` -- builds each in real torch with the very
functions that write the goldens (``tools/torch_golden.py``), runs paramcalc in-process on
the same spec as YAML text, and reports every disagreement:

* torch accepts (constructor and, with an input, the forward pass) and paramcalc refuses,
  or the reverse (paramcalc must refuse with a ParamcalcError, i.e. exit 2);
* any difference in class, parameter names/shapes/requires_grad, buffers, output shapes
  (including nested tuple outputs), model input shape or totals;
* any exception from paramcalc that is not a ParamcalcError (a crash);
* ``paramcalc explain ... --framework pytorch`` and ``--compare`` exiting with anything but
  0 or 2, or printing a traceback.

Run on purpose with the oracle venv, never imported by tests:

    /work/oracle-venv/bin/python tools/torch_fuzz.py --seed 1 --cases 2000
    /work/oracle-venv/bin/python tools/torch_fuzz.py --only Conv2d,LSTM --cases 300 -v

The same seed gives the same cases (one ``random.Random`` drives every choice).
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import io
import json
import random
import re
import resource
import sys
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import yaml
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # paramcalc itself, not installed in the oracle venv
from torch_cases import Case
from torch_golden import _call, _case_record, _make_input, build_layer

from paramcalc.cli import main as cli_main
from paramcalc.engine import analyze
from paramcalc.errors import ParamcalcError
from paramcalc.rules import all_rules
from paramcalc.spec import parse_text

Entry = Any  # str | dict[str, Any]
Shape = list[int]  # a full torch shape, batch axis included
Gen = Callable[[random.Random, "Shape | None"], Entry]

# --------------------------------------------------------------------------- helpers
_RNN_ORDER = {
    "RNN": ["input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first", "dropout",
            "bidirectional", "proj_size", "device", "dtype"],
    "LSTM": ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional",
             "proj_size", "device", "dtype"],
    "GRU": ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional",
            "proj_size", "device", "dtype"],
}  # fmt: skip


def _positional_names(name: str) -> list[str]:
    """torch's positional parameter order (RNN/LSTM/GRU take *args: their documented order)."""
    if name in _RNN_ORDER:
        return _RNN_ORDER[name]
    sig = inspect.signature(getattr(nn, name).__init__)
    return [p.name for p in sig.parameters.values() if p.name != "self" and p.kind == p.POSITIONAL_OR_KEYWORD]


def entry(r: random.Random, name: str, kw: dict[str, Any]) -> Entry:
    """A layer entry from keyword arguments, randomly given partly or wholly by position."""
    if not kw:
        return name if r.random() < 0.7 else {name: {}}
    order = _positional_names(name)
    prefix = 0
    while prefix < len(order) and order[prefix] in kw:
        prefix += 1
    take = r.randint(0, prefix) if r.random() < 0.5 else 0
    if take == 0:
        return {name: dict(kw)}
    pos = [kw[k] for k in order[:take]]
    rest = {k: v for k, v in kw.items() if k not in order[:take]}
    if not rest and take == 1 and not isinstance(pos[0], (list, dict)) and r.random() < 0.5:
        return {name: pos[0]}
    if not rest:
        return {name: pos}
    # mixed positional + keyword cannot be written in a spec entry; fall back to keywords
    return {name: dict(kw)}


def maybe(r: random.Random, kw: dict[str, Any], key: str, value: Any, p: float = 0.4) -> None:
    """Set an optional argument with probability p."""
    if r.random() < p:
        kw[key] = value


def size(r: random.Random, lo: int = 1, hi: int = 8) -> int:
    return r.choice([lo, lo, r.randint(lo, hi), r.randint(lo, hi), hi])


def big(r: random.Random) -> int:
    return r.choice([1, 2, 3, 7, 64, 512, 1000, 4096, 32000, 65536])


def ints(r: random.Random, rank: int, lo: int, hi: int) -> int | list[int]:
    """An int, or a list of ``rank`` ints (torch's ``_ntuple`` forms)."""
    if r.random() < 0.5:
        return r.randint(lo, hi)
    return [r.randint(lo, hi) for _ in range(rank)]


def feat(r: random.Random, shape: Shape | None, axis: int, hi: int = 8, big_ok: bool = True) -> int:
    """A size matching ``shape[axis]`` (usually), else random."""
    if shape is not None and len(shape) > (axis if axis >= 0 else -axis - 1) and r.random() < 0.92:
        return shape[axis]
    if shape is None and big_ok and r.random() < 0.25:
        return big(r)
    return size(r, 1, hi)


# --------------------------------------------------------------------------- generators
GENS: dict[str, Gen] = {}
INPUTS: dict[str, Callable[[random.Random], tuple[list[int], str | None]]] = {}


def gen(
    *names: str, inp: Callable[[random.Random], tuple[list[int], str | None]] | None = None
) -> Callable[[Any], Any]:
    def deco(fn: Any) -> Any:
        for n in names:
            GENS[n] = (lambda f, nm: lambda r, s: f(r, s, nm))(fn, n)
            if inp is not None:
                INPUTS[n] = inp
        return fn

    return deco


def vec(r: random.Random, lo: int = 1, hi: int = 4) -> tuple[list[int], None]:
    """A random float input shape of rank lo..hi (no batch axis), small sizes."""
    return [size(r, 1, 6) for _ in range(r.randint(lo, hi))], None


def spatial_input(rank: int) -> Callable[[random.Random], tuple[list[int], None]]:
    def make(r: random.Random) -> tuple[list[int], None]:
        shape = [size(r, 1, 6)] + [r.randint(1, 10) for _ in range(rank)]
        if r.random() < 0.15:
            shape = shape[1:]  # unbatched-looking: the batch becomes the channels
        return shape, None

    return make


def tokens(r: random.Random) -> tuple[list[int], str]:
    return [size(r, 1, 6) for _ in range(r.randint(1, 2))], "int64"


def seq_input(r: random.Random) -> tuple[list[int], None]:
    return [size(r, 1, 5), size(r, 1, 8)], None


@gen("Linear", inp=lambda r: vec(r, 1, 3))
def g_linear(r: random.Random, s: Shape | None, name: str) -> Entry:
    kw: dict[str, Any] = {"in_features": feat(r, s, -1), "out_features": size(r, 1, 9) if s else big(r)}
    maybe(r, kw, "bias", r.random() < 0.5)
    return entry(r, name, kw)


@gen("LazyLinear", inp=lambda r: vec(r, 1, 3))
def g_lazy_linear(r: random.Random, s: Shape | None, name: str) -> Entry:
    kw: dict[str, Any] = {"out_features": size(r, 1, 9)}
    maybe(r, kw, "bias", r.random() < 0.5)
    return entry(r, name, kw)


@gen("Bilinear", inp=lambda r: vec(r, 1, 3))
def g_bilinear(r: random.Random, s: Shape | None, name: str) -> Entry:
    m = feat(r, s, -1)
    kw: dict[str, Any] = {
        "in1_features": m,
        "in2_features": m if s or r.random() < 0.5 else size(r),
        "out_features": size(r),
    }
    maybe(r, kw, "bias", r.random() < 0.5)
    return entry(r, name, kw)


@gen("Embedding", inp=tokens)
def g_embedding(r: random.Random, s: Shape | None, name: str) -> Entry:
    v = size(r, 1, 50) if s else big(r)
    kw: dict[str, Any] = {"num_embeddings": v, "embedding_dim": size(r, 1, 8) if s else big(r)}
    maybe(r, kw, "padding_idx", r.choice([0, v - 1, -1, -v, None, v, -v - 1]))
    maybe(r, kw, "max_norm", r.choice([None, 1.0, 2.5]), 0.2)
    maybe(r, kw, "norm_type", r.choice([1.0, 2.0, 3]), 0.2)
    maybe(r, kw, "scale_grad_by_freq", r.random() < 0.5, 0.2)
    maybe(r, kw, "sparse", r.random() < 0.5, 0.2)
    maybe(r, kw, "_freeze", r.random() < 0.5, 0.2)
    return entry(r, name, kw)


@gen("EmbeddingBag", inp=lambda r: ([size(r, 1, 6)], "int64"))
def g_embedding_bag(r: random.Random, s: Shape | None, name: str) -> Entry:
    v = size(r, 1, 50) if s else big(r)
    kw: dict[str, Any] = {"num_embeddings": v, "embedding_dim": size(r, 1, 8)}
    maybe(r, kw, "mode", r.choice(["sum", "mean", "max"]))
    maybe(r, kw, "padding_idx", r.choice([0, v - 1, -1, None, v]), 0.3)
    maybe(r, kw, "max_norm", r.choice([None, 1.0]), 0.2)
    maybe(r, kw, "include_last_offset", r.random() < 0.5, 0.2)
    maybe(r, kw, "scale_grad_by_freq", r.random() < 0.5, 0.2)
    maybe(r, kw, "sparse", r.random() < 0.5, 0.2)
    return entry(r, name, kw)


@gen("PReLU", inp=lambda r: vec(r, 1, 4))
def g_prelu(r: random.Random, s: Shape | None, name: str) -> Entry:
    kw: dict[str, Any] = {}
    if r.random() < 0.6:
        kw["num_parameters"] = r.choice([1, feat(r, s, 1) if s and len(s) > 1 else size(r)])
    maybe(r, kw, "init", r.choice([0.1, 0.25, 1]))
    return entry(r, name, kw)


_ACT_ARGS: dict[str, Callable[[random.Random], dict[str, Any]]] = {
    "ReLU": lambda r: {},
    "ReLU6": lambda r: {},
    "SELU": lambda r: {},
    "SiLU": lambda r: {},
    "Mish": lambda r: {},
    "Hardsigmoid": lambda r: {},
    "Hardswish": lambda r: {},
    "LeakyReLU": lambda r: {"negative_slope": r.choice([0.01, 0.2, 1])},
    "ELU": lambda r: {"alpha": r.choice([1.0, 0.5, 2])},
    "CELU": lambda r: {"alpha": r.choice([1.0, 0.5, 2])},
    "Softplus": lambda r: {"beta": r.choice([1.0, 2]), "threshold": r.choice([20.0, 10])},
    "Softshrink": lambda r: {"lambd": r.choice([0.5, 1])},
    "Hardshrink": lambda r: {"lambd": r.choice([0.5, 1])},
    "Threshold": lambda r: {"threshold": r.choice([0.1, 1]), "value": r.choice([0.0, 2])},
    "Hardtanh": lambda r: {"min_val": r.choice([-1.0, -2]), "max_val": r.choice([1.0, 2])},
    "RReLU": lambda r: {"lower": r.choice([0.125, 0.1]), "upper": r.choice([0.3333, 0.5])},
    "GELU": lambda r: {"approximate": r.choice(["none", "tanh"])},
}
_INPLACE_ACTS = {"ReLU", "ReLU6", "SELU", "SiLU", "Mish", "Hardsigmoid", "Hardswish", "LeakyReLU", "ELU", "CELU",
                 "Threshold", "Hardtanh", "RReLU"}  # fmt: skip


@gen(*_ACT_ARGS, inp=lambda r: vec(r, 1, 4))
def g_act(r: random.Random, s: Shape | None, name: str) -> Entry:
    full = _ACT_ARGS[name](r)
    kw = {k: v for k, v in full.items() if r.random() < 0.5 or name == "Threshold"}
    if name in _INPLACE_ACTS:
        maybe(r, kw, "inplace", r.random() < 0.5, 0.2)
    return entry(r, name, kw)


@gen("Tanh", "Sigmoid", "LogSigmoid", "Softsign", "Tanhshrink", "Identity", inp=lambda r: vec(r, 1, 4))
def g_plain(r: random.Random, s: Shape | None, name: str) -> Entry:
    if name == "Identity" and r.random() < 0.3:
        return {name: r.choice([[54], {"foo": 1}, [1, "a"]])}
    return name if r.random() < 0.8 else {name: {}}


@gen(
    "Dropout", "AlphaDropout", "FeatureAlphaDropout", "Dropout1d", "Dropout2d", "Dropout3d", inp=lambda r: vec(r, 1, 4)
)
def g_dropout(r: random.Random, s: Shape | None, name: str) -> Entry:
    kw: dict[str, Any] = {}
    maybe(r, kw, "p", r.choice([0.0, 0.1, 0.5, 1, 1.0]))
    maybe(r, kw, "inplace", r.random() < 0.5, 0.2)
    return entry(r, name, kw)


@gen("Softmax", "LogSoftmax", "Softmin", inp=lambda r: vec(r, 1, 4))
def g_softmax(r: random.Random, s: Shape | None, name: str) -> Entry:
    kw: dict[str, Any] = {}
    rank = len(s) if s else 3
    maybe(r, kw, "dim", r.choice([None, r.randint(-rank, rank - 1)]), 0.8)
    return entry(r, name, kw)


@gen("Softmax2d", inp=lambda r: vec(r, 2, 3))
def g_softmax2d(r: random.Random, s: Shape | None, name: str) -> Entry:
    return name


@gen("GLU", inp=lambda r: ([2 * size(r, 1, 4) for _ in range(r.randint(1, 3))], None))
def g_glu(r: random.Random, s: Shape | None, name: str) -> Entry:
    kw: dict[str, Any] = {}
    rank = len(s) if s else 3
    maybe(r, kw, "dim", r.randint(-rank, rank - 1), 0.6)
    return entry(r, name, kw)


@gen("Flatten", inp=lambda r: vec(r, 1, 4))
def g_flatten(r: random.Random, s: Shape | None, name: str) -> Entry:
    kw: dict[str, Any] = {}
    rank = len(s) if s else 3
    maybe(r, kw, "start_dim", r.randint(-rank, rank - 1), 0.5)
    maybe(r, kw, "end_dim", r.randint(-rank, rank - 1), 0.5)
    return entry(r, name, kw)


@gen("Unflatten", inp=lambda r: vec(r, 1, 3))
def g_unflatten(r: random.Random, s: Shape | None, name: str) -> Entry:
    rank = len(s) if s else 3
    dim = r.randint(-rank, rank - 1) if s is None or rank < 2 or r.random() < 0.3 else r.randint(1, rank - 1)
    n = s[dim] if s else r.randint(1, 12)
    divisors = [d for d in range(1, n + 1) if n % d == 0] or [1]
    a = r.choice(divisors)
    parts: list[int] = [a, n // a]
    if r.random() < 0.3:
        parts[r.randint(0, 1)] = -1
    if r.random() < 0.1:
        parts = [n]
    return entry(r, name, {"dim": dim, "unflattened_size": parts})


@gen("RNN", "LSTM", "GRU", inp=seq_input)
def g_rnn(r: random.Random, s: Shape | None, name: str) -> Entry:
    n = size(r, 1, 8) if s else r.choice([1, 4, 64, 1024])
    kw: dict[str, Any] = {"input_size": feat(r, s, -1), "hidden_size": n}
    maybe(r, kw, "num_layers", r.choice([1, 2, 3]))
    if name == "RNN":
        maybe(r, kw, "nonlinearity", r.choice(["tanh", "relu"]))
    maybe(r, kw, "bias", r.random() < 0.5)
    maybe(r, kw, "batch_first", r.random() < 0.5)
    maybe(r, kw, "dropout", r.choice([0.0, 0.2, 1]), 0.2)
    maybe(r, kw, "bidirectional", r.random() < 0.5)
    if name == "LSTM":
        maybe(r, kw, "proj_size", r.randint(0, n), 0.4)
    return entry(r, name, kw)


@gen("RNNCell", "LSTMCell", "GRUCell", inp=lambda r: vec(r, 1, 1))
def g_cell(r: random.Random, s: Shape | None, name: str) -> Entry:
    kw: dict[str, Any] = {"input_size": feat(r, s, -1), "hidden_size": size(r, 1, 8)}
    maybe(r, kw, "bias", r.random() < 0.5)
    if name == "RNNCell":
        maybe(r, kw, "nonlinearity", r.choice(["tanh", "relu"]))
    return entry(r, name, kw)


def _conv(r: random.Random, s: Shape | None, name: str) -> Entry:
    rank = int(name.rstrip("d")[-1])
    lazy = name.startswith("Lazy")
    transposed = "Transpose" in name
    c_in = feat(r, s, -rank - 1)
    groups = r.choice([1, 1, 1, 2, c_in]) if r.random() < 0.4 else 1
    c_out = size(r, 1, 8) if s else r.choice([1, 8, 64, 256])
    if groups > 1 and r.random() < 0.8:
        c_out = groups * r.randint(1, 3)
    kw: dict[str, Any] = {} if lazy else {"in_channels": c_in}
    kw["out_channels"] = c_out
    kw["kernel_size"] = ints(r, rank, 1, 4)
    maybe(r, kw, "stride", ints(r, rank, 1, 3))
    if transposed:
        maybe(r, kw, "padding", ints(r, rank, 0, 2))
        maybe(r, kw, "output_padding", ints(r, rank, 0, 2), 0.3)
    else:
        maybe(r, kw, "padding", r.choice([ints(r, rank, 0, 2), "same", "valid", "SAME"]))
    maybe(r, kw, "dilation", ints(r, rank, 1, 3), 0.3)
    maybe(r, kw, "groups", groups, 0.9 if groups > 1 else 0.1)
    maybe(r, kw, "bias", r.random() < 0.5, 0.3)
    modes = ["zeros", "reflect", "replicate", "circular"]
    maybe(r, kw, "padding_mode", r.choice(modes), 0.1 if transposed else 0.3)
    return entry(r, name, kw)


_CONVS = [f"{lazy}{kind}{rank}d" for lazy in ("", "Lazy") for kind in ("Conv", "ConvTranspose") for rank in (1, 2, 3)]
for _n in _CONVS:
    gen(_n, inp=spatial_input(int(_n[-2])))(_conv)


def _pool_args(r: random.Random, name: str, rank: int) -> dict[str, Any]:
    k = ints(r, rank, 1, 4)
    kw: dict[str, Any] = {"kernel_size": k}
    maybe(r, kw, "stride", r.choice([None, ints(r, rank, 1, 3)]))
    if not name.startswith("LP"):
        maybe(r, kw, "padding", ints(r, rank, 0, 2))
        maybe(r, kw, "ceil_mode", r.random() < 0.5)
    else:
        maybe(r, kw, "ceil_mode", r.random() < 0.5)
    if name.startswith("Max"):
        maybe(r, kw, "dilation", ints(r, rank, 1, 3), 0.3)
        maybe(r, kw, "return_indices", r.random() < 0.5, 0.3)
    if name.startswith("Avg"):
        maybe(r, kw, "count_include_pad", r.random() < 0.5, 0.3)
        if rank > 1:
            maybe(r, kw, "divisor_override", r.choice([None, 1, 3]), 0.2)
    return kw


def _pool(r: random.Random, s: Shape | None, name: str) -> Entry:
    rank = int(name[-2])
    if name.startswith("LP"):
        kw = {"norm_type": r.choice([1, 2, 2.0, 3.5]), **_pool_args(r, name, rank)}
    elif name.startswith("Adaptive"):
        kw = {"output_size": r.choice([r.randint(1, 4), [r.choice([None, r.randint(1, 5)]) for _ in range(rank)]])}
        if "Max" in name:
            maybe(r, kw, "return_indices", r.random() < 0.5, 0.3)
    elif name.startswith("Fractional"):
        kw = {"kernel_size": ints(r, rank, 1, 3)}
        if r.random() < 0.5:
            kw["output_size"] = ints(r, rank, 1, 4)
        else:
            kw["output_ratio"] = r.choice([0.5, [0.5] * rank, 0.7, 0.3])
        maybe(r, kw, "return_indices", r.random() < 0.5, 0.3)
    else:
        kw = _pool_args(r, name, rank)
    return entry(r, name, kw)


_POOLS = [f"{k}Pool{rank}d" for k in ("Max", "Avg", "LP", "AdaptiveMax", "AdaptiveAvg") for rank in (1, 2, 3)]
_POOLS += ["FractionalMaxPool2d", "FractionalMaxPool3d"]
for _n in _POOLS:
    gen(_n, inp=spatial_input(int(_n[-2])))(_pool)


def _pad(r: random.Random, s: Shape | None, name: str) -> Entry:
    rank = int(name[-2])
    pad = r.randint(0, 3) if r.random() < 0.5 else [r.randint(-1, 3) for _ in range(2 * rank)]
    kw: dict[str, Any] = {"padding": pad}
    if name.startswith("Constant"):
        kw["value"] = r.choice([0.0, 1, -2.5])
    return entry(r, name, kw)


_PADS = [f"{k}Pad{rank}d" for k in ("Zero", "Constant", "Reflection", "Replication", "Circular") for rank in (1, 2, 3)]
for _n in _PADS:
    gen(_n, inp=spatial_input(int(_n[-2])))(_pad)


@gen("Upsample", inp=lambda r: spatial_input(r.randint(1, 3))(r))
def g_upsample(r: random.Random, s: Shape | None, name: str) -> Entry:
    rank = len(s) - 2 if s and len(s) >= 3 else r.randint(1, 3)
    kw: dict[str, Any] = {}
    if r.random() < 0.5:
        kw["size"] = ints(r, rank, 1, 9)
    else:
        kw["scale_factor"] = r.choice([2, 1.5, 0.5, [2.0] * rank, 3, 0.7])
    modes = {1: ["nearest", "linear", "area", "nearest-exact"], 2: ["nearest", "bilinear", "bicubic", "area"],
             3: ["nearest", "trilinear", "area"]}  # fmt: skip
    maybe(r, kw, "mode", r.choice(modes[rank]), 0.7)
    if kw.get("mode") in ("linear", "bilinear", "bicubic", "trilinear"):
        maybe(r, kw, "align_corners", r.random() < 0.5)
    maybe(r, kw, "recompute_scale_factor", r.choice([None, True, False]), 0.2)
    return entry(r, name, kw)


@gen("UpsamplingNearest2d", "UpsamplingBilinear2d", inp=spatial_input(2))
def g_upsampling(r: random.Random, s: Shape | None, name: str) -> Entry:
    if r.random() < 0.5:
        return entry(r, name, {"size": ints(r, 2, 1, 9)})
    return entry(r, name, {"scale_factor": r.choice([2, 1.5, 2.0, [2.0, 3.0]])})


@gen("PixelShuffle", inp=lambda r: ([4 * size(r, 1, 3), r.randint(1, 5), r.randint(1, 5)], None))
def g_pixel_shuffle(r: random.Random, s: Shape | None, name: str) -> Entry:
    return entry(r, name, {"upscale_factor": r.choice([1, 2, 2, 3])})


@gen("PixelUnshuffle", inp=lambda r: ([size(r, 1, 3), 2 * r.randint(1, 4), 2 * r.randint(1, 4)], None))
def g_pixel_unshuffle(r: random.Random, s: Shape | None, name: str) -> Entry:
    return entry(r, name, {"downscale_factor": r.choice([1, 2, 2, 3])})


@gen("ChannelShuffle", inp=lambda r: spatial_input(r.randint(1, 2))(r))
def g_channel_shuffle(r: random.Random, s: Shape | None, name: str) -> Entry:
    c = s[1] if s and len(s) > 1 else 6
    return entry(r, name, {"groups": r.choice([1, 2, 3, c])})


@gen("Unfold", inp=spatial_input(2))
def g_unfold(r: random.Random, s: Shape | None, name: str) -> Entry:
    kw: dict[str, Any] = {"kernel_size": ints(r, 2, 1, 3)}
    maybe(r, kw, "dilation", ints(r, 2, 1, 2))
    maybe(r, kw, "padding", ints(r, 2, 0, 2))
    maybe(r, kw, "stride", ints(r, 2, 1, 3))
    return entry(r, name, kw)


@gen("Fold", inp=lambda r: ([r.choice([4, 8, 12]), r.choice([9, 16, 4, 12])], None))
def g_fold(r: random.Random, s: Shape | None, name: str) -> Entry:
    kw: dict[str, Any] = {
        "output_size": r.choice([[4, 4], [3, 4], 4, [5, 5]]),
        "kernel_size": r.choice([1, 2, [2, 2], [1, 2]]),
    }
    maybe(r, kw, "stride", ints(r, 2, 1, 2), 0.3)
    maybe(r, kw, "padding", ints(r, 2, 0, 1), 0.3)
    maybe(r, kw, "dilation", ints(r, 2, 1, 2), 0.2)
    return entry(r, name, kw)


def _norm(r: random.Random, s: Shape | None, name: str) -> Entry:
    lazy = name.startswith("Lazy")
    kw: dict[str, Any] = (
        {}
        if lazy
        else {
            "num_features": feat(r, s, 1)
            if "Batch" in name
            else feat(r, s, -int(name[-2]) - 1 if name[-2].isdigit() else 1)
        }
    )
    maybe(r, kw, "eps", r.choice([1e-5, 1e-3, 0.0]), 0.2)
    maybe(r, kw, "momentum", r.choice([0.1, None, 0.5]), 0.3)
    maybe(r, kw, "affine", r.random() < 0.5)
    maybe(r, kw, "track_running_stats", r.random() < 0.5)
    maybe(r, kw, "bias", r.random() < 0.5, 0.3)
    return entry(r, name, kw)


_NORMS = [f"{lazy}{k}Norm{rank}d" for lazy in ("", "Lazy") for k in ("Batch", "Instance") for rank in (1, 2, 3)]
for _n in _NORMS:
    _rank = int(_n[-2])
    gen(_n, inp=spatial_input(_rank) if _rank > 1 or "Instance" in _n else (lambda r: vec(r, 1, 2)))(_norm)
gen("SyncBatchNorm", inp=lambda r: vec(r, 1, 4))(_norm)


@gen("LayerNorm", "RMSNorm", inp=lambda r: vec(r, 1, 3))
def g_layer_norm(r: random.Random, s: Shape | None, name: str) -> Entry:
    if s is not None and r.random() < 0.9:
        k = r.randint(1, len(s))
        shape: Any = s[len(s) - k :]
        if k == 1 and r.random() < 0.5:
            shape = shape[0]
    else:
        shape = r.choice([size(r), [size(r), size(r)], big(r)])
    kw: dict[str, Any] = {"normalized_shape": shape}
    maybe(r, kw, "eps", r.choice([1e-5, None, 1e-6]) if name == "RMSNorm" else r.choice([1e-5, 1e-6]), 0.2)
    maybe(r, kw, "elementwise_affine", r.random() < 0.5)
    if name == "LayerNorm":
        maybe(r, kw, "bias", r.random() < 0.5)
    return entry(r, name, kw)


@gen("GroupNorm", inp=lambda r: spatial_input(r.randint(1, 2))(r))
def g_group_norm(r: random.Random, s: Shape | None, name: str) -> Entry:
    c = feat(r, s, 1)
    g = r.choice(
        [d for d in range(1, min(c, 64) + 1) if c % d == 0] + [1] + ([r.randint(1, 4)] if r.random() < 0.1 else [])
    )
    kw: dict[str, Any] = {"num_groups": g, "num_channels": c}
    maybe(r, kw, "eps", 1e-3, 0.1)
    maybe(r, kw, "affine", r.random() < 0.5)
    maybe(r, kw, "bias", r.random() < 0.5, 0.3)
    return entry(r, name, kw)


@gen("LocalResponseNorm", "CrossMapLRN2d", inp=lambda r: spatial_input(r.randint(1, 3))(r))
def g_lrn(r: random.Random, s: Shape | None, name: str) -> Entry:
    kw: dict[str, Any] = {"size": r.randint(1, 5)}
    maybe(r, kw, "alpha", 1e-3, 0.3)
    maybe(r, kw, "beta", 0.5, 0.3)
    maybe(r, kw, "k", r.choice([1, 2.0]), 0.3)
    return entry(r, name, kw)


def _heads(r: random.Random, e: int) -> int:
    return r.choice([d for d in range(1, min(e, 64) + 1) if e % d == 0] or [1])


@gen("MultiheadAttention", inp=seq_input)
def g_mha(r: random.Random, s: Shape | None, name: str) -> Entry:
    e = feat(r, s, -1)
    kw: dict[str, Any] = {"embed_dim": e, "num_heads": _heads(r, e)}
    maybe(r, kw, "dropout", r.choice([0.0, 0.1]), 0.2)
    maybe(r, kw, "bias", r.random() < 0.5)
    maybe(r, kw, "add_bias_kv", r.random() < 0.5)
    maybe(r, kw, "add_zero_attn", r.random() < 0.5)
    maybe(r, kw, "kdim", r.choice([None, e, size(r)]), 0.3 if s else 0.5)
    maybe(r, kw, "vdim", r.choice([None, e, size(r)]), 0.3 if s else 0.5)
    maybe(r, kw, "batch_first", r.random() < 0.5)
    return entry(r, name, kw)


def _layer_kw(r: random.Random, e: int) -> dict[str, Any]:
    kw: dict[str, Any] = {"d_model": e, "nhead": _heads(r, e)}
    maybe(r, kw, "dim_feedforward", size(r, 1, 16))
    maybe(r, kw, "dropout", r.choice([0.0, 0.1]), 0.2)
    maybe(r, kw, "activation", r.choice(["relu", "gelu"]), 0.3)
    maybe(r, kw, "layer_norm_eps", 1e-6, 0.2)
    maybe(r, kw, "batch_first", r.random() < 0.5)
    maybe(r, kw, "norm_first", r.random() < 0.5)
    maybe(r, kw, "bias", r.random() < 0.5)
    return kw


@gen("TransformerEncoderLayer", "TransformerDecoderLayer", inp=seq_input)
def g_tlayer(r: random.Random, s: Shape | None, name: str) -> Entry:
    e = feat(r, s, -1, big_ok=False)
    return entry(r, name, _layer_kw(r, e))


def _final_norm(r: random.Random, e: int) -> Entry:
    choice = r.random()
    if choice < 0.5:
        return {"LayerNorm": r.choice([e, [e], {"normalized_shape": e, "bias": r.random() < 0.5}])}
    if choice < 0.7:
        return {"RMSNorm": e}
    if choice < 0.8:
        return {"Identity": {}}  # torch_golden builds nested layers from mappings only
    return {"LayerNorm": {"normalized_shape": e, "elementwise_affine": r.random() < 0.5}}


@gen("TransformerEncoder", "TransformerDecoder", inp=seq_input)
def g_tstack(r: random.Random, s: Shape | None, name: str) -> Entry:
    e = feat(r, s, -1, big_ok=False)
    inner = "TransformerEncoderLayer" if name == "TransformerEncoder" else "TransformerDecoderLayer"
    key = "encoder_layer" if inner.endswith("EncoderLayer") else "decoder_layer"
    kw: dict[str, Any] = {
        key: entry(r, inner, _layer_kw(r, e)),
        "num_layers": r.choice([1, 2, 3, 0] if s is None else [1, 2, 3]),
    }
    if r.random() < 0.5:
        kw["norm"] = _final_norm(r, e)
    if name == "TransformerEncoder":
        maybe(r, kw, "enable_nested_tensor", r.random() < 0.5, 0.2)
        maybe(r, kw, "mask_check", r.random() < 0.5, 0.2)
    return entry(r, name, kw)


@gen("Transformer", inp=seq_input)
def g_transformer(r: random.Random, s: Shape | None, name: str) -> Entry:
    if s is None and r.random() < 0.15:
        return name  # the default 44M model, on meta
    e = feat(r, s, -1, big_ok=False)
    kw = _layer_kw(r, e)
    kw["num_encoder_layers"] = r.choice([1, 2] if s else [0, 1, 2])
    kw["num_decoder_layers"] = r.choice([1, 2] if s else [0, 1, 2])
    for side in ("Encoder", "Decoder"):
        if r.random() < 0.15:  # a custom stack must agree with batch_first, as torch passes inputs through
            layer = _layer_kw(r, e) | {"batch_first": kw.get("batch_first", False)}
            stack = {f"{side.lower()}_layer": {f"Transformer{side}Layer": layer}, "num_layers": 1}
            kw[f"custom_{side.lower()}"] = {f"Transformer{side}": stack}
    return entry(r, name, kw)


# --------------------------------------------------------------------------- torch side
def torch_record(case: Case) -> tuple[dict[str, Any] | None, str | None]:
    """The golden record torch gives, or the exception it raises."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _case_record(case), None
    except Exception as exc:  # noqa: BLE001 - any torch refusal is data here
        cause = exc.__cause__ or exc
        return None, f"{type(cause).__name__}: {str(cause).splitlines()[0] if str(cause) else ''}"[:200]


def next_shape(layers: list[Entry], shape: list[int], dtype: str | None, batch: int = 2) -> Shape | None:
    """The full shape the chain produces (at ``batch``), or None if torch fails."""
    case = Case("fuzz", "x", layers, shape, dtype)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            mods = [build_layer(e) for e in layers]
            for m in mods:
                m.eval()
            x, _ = _make_input(case, mods[0], batch)
            for m in mods:
                out = _call(m, x)
                x = out[0] if isinstance(out, tuple) else out
            return list(x.shape)
    except Exception:  # noqa: BLE001
        return None


# --------------------------------------------------------------------------- paramcalc side
def paramcalc_compare(case: Case, want: dict[str, Any] | None) -> tuple[str, str | None]:
    """('ok'|'refused'|'crash'|'differs', detail)."""
    text = yaml.safe_dump(case.spec(), sort_keys=False)
    try:
        report = analyze(parse_text(text.encode(), "fuzz.yaml"))
    except ParamcalcError as exc:
        return "refused", exc.message
    except Exception as exc:  # noqa: BLE001
        return "crash", "".join(traceback.format_exception(exc)[-3:])
    if want is None:
        return "ok", None
    try:
        if len(report.layers) != len(want["layers"]):
            return "differs", "layer count"
        for row, w in zip(report.layers, want["layers"], strict=True):
            where = f"layer {w['index']} ({w['class']})"
            if row.class_name != w["class"]:
                return "differs", f"{where}: class {row.class_name}"
            params = [(t.weight, list(t.shape), t.trainable) for t in row.terms if not t.buffer]
            wp = [(p["name"], p["shape"], p["requires_grad"]) for p in w["parameters"]]
            if params != wp:
                return "differs", f"{where}: params\n  pc:    {params}\n  torch: {wp}"
            bufs = [(t.weight, list(t.shape)) for t in row.terms if t.buffer]
            wb = [(b["name"], b["shape"]) for b in w["buffers"]]
            if bufs != wb:
                return "differs", f"{where}: buffers\n  pc:    {bufs}\n  torch: {wb}"
            doc = row.to_dict()
            for key in ("output_shape", "outputs"):
                got, exp = doc.get(key), w.get(key)
                if got != exp:
                    # paramcalc's null where torch has a size: a data axis that came from the batch axis
                    status = "batch-unknown" if _covers(got, exp) else "differs"
                    return status, f"{where}: {key} pc={got} torch={exp}"
            from paramcalc.formula import evaluate

            if row.formula is None or evaluate(row.formula, dict(row.symbols)) != row.params:
                return "differs", f"{where}: formula {row.formula} != {row.params}"
            for t in row.terms:
                if t.dims is not None and tuple(evaluate(d, dict(row.symbols)) for d in t.dims) != t.shape:
                    return "differs", f"{where}: dims of {t.weight}"
        first = report.layers[0]
        got_input = list(first.input_shapes[0]) if first.input_shapes else None
        if got_input != want["input_shape"]:
            return "differs", f"input_shape pc={got_input} torch={want['input_shape']}"
        if report.total != want["total"] or report.trainable != want["trainable"]:
            return "differs", f"total pc={report.total}/{report.trainable} torch={want['total']}/{want['trainable']}"
    except Exception as exc:  # noqa: BLE001
        return "crash", "".join(traceback.format_exception(exc)[-3:])
    return "ok", None


def _covers(got: Any, want: Any) -> bool:
    """Whether ``got`` equals ``want`` but for nulls standing in for some of its sizes."""
    if got is None:
        return True
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        return all(_covers(g, w) for g, w in zip(got, want, strict=True))
    return bool(got == want)


def inline(e: Entry) -> str:
    """A layer entry as inline call syntax: ``Linear(8, 4, bias=False)``."""

    def lit(v: Any) -> str:
        if isinstance(v, dict) and len(v) == 1 and isinstance(next(iter(v)), str) and next(iter(v))[:1].isupper():
            return inline(v)
        if isinstance(v, list):
            return "(" + ", ".join(lit(x) for x in v) + ("," if len(v) == 1 else "") + ")"
        return repr(v)

    if isinstance(e, str):
        return f"{e}()"
    ((name, args),) = e.items()
    if args is None:
        return f"{name}()"
    if isinstance(args, dict):
        return f"{name}(" + ", ".join(f"{k}={lit(v)}" for k, v in args.items()) + ")"
    if isinstance(args, list):
        return f"{name}(" + ", ".join(lit(v) for v in args) + ")"
    return f"{name}({lit(args)})"


def explain_check(r: random.Random, e: Entry, shape: list[int] | None) -> str | None:
    """Run ``paramcalc explain`` on a layer; a problem description, or None if it behaved."""
    argv = ["explain", inline(e), "--framework", "pytorch"]
    if shape is not None and r.random() < 0.5:
        argv += ["--input", ",".join(map(str, shape))]
    if r.random() < 0.3:
        argv.append("--compare")
    if r.random() < 0.3:
        argv += ["--format", r.choice(["markdown", "json", "latex"])]
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli_main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:  # noqa: BLE001
        return f"{argv}: raised {type(exc).__name__}: {exc}"
    if code not in (0, 2) or "Traceback" in err.getvalue():
        return f"{argv}: exit {code}: {err.getvalue()[-400:]}"
    if code == 2 and out.getvalue():
        return f"{argv}: exit 2 with stdout"
    return None


# --------------------------------------------------------------------------- driver
CHAINABLE = [n for n in GENS if n not in ("Embedding", "EmbeddingBag")]


_ODD_VALUES: list[Any] = [0, -1, 1, 2, 1.5, 0.0, True, False, None, "x", [], [1], [1, 2], [1, 2, 3]]


MUTATED: set[int] = set()
"""ids of the entries ``mutate`` changed (so a case knows it holds an odd value)."""

STRICT = re.compile(
    r"must be (true or false|an integer|a number|a finite number|one of|positive|integers|>=)|values must be"
)
"""paramcalc's type checks: stricter than torch's duck typing (``bias=1.5`` is truthy to torch);
a refusal worded so, of a case holding an odd value, is by design, not a disagreement."""


def mutate(r: random.Random, e: Entry, p: float, device: bool = True) -> Entry:
    """With probability p, one argument gets an odd value (or a ``device``): accept/refuse must agree.
    ``device`` is False for specs built on meta (an explicit device: cpu would allocate them).
    """
    if r.random() >= p or not isinstance(e, dict):
        return e
    out = _mutated(r, e, device)
    MUTATED.add(id(out))
    return out


def _mutated(r: random.Random, e: dict[str, Any], device: bool) -> Entry:
    ((name, args),) = e.items()
    if isinstance(args, dict):
        args = dict(args)
        if args and (r.random() < 0.8 or not device):
            args[r.choice(sorted(args))] = r.choice(_ODD_VALUES)
        elif device:
            args["device"] = "cpu"
        return {name: args}
    if isinstance(args, list) and args:
        args = list(args)
        args[r.randrange(len(args))] = r.choice(_ODD_VALUES)
        return {name: args}
    return {name: r.choice(_ODD_VALUES)}


def random_case(r: random.Random, i: int, only: list[str] | None, odd: float = 0.0) -> Case:
    names = only or sorted(GENS)
    first = r.choice(names)
    with_input = r.random() < 0.7
    if not with_input:
        layers = [mutate(r, GENS[first](r, None), odd, device=False)]
        for _ in range(r.choice([0, 0, 0, 1, 2])):
            layers.append(mutate(r, GENS[r.choice(only or CHAINABLE)](r, None), odd, device=False))
        return Case("fuzz", f"fuzz/{i}", layers)
    shape, dtype = INPUTS[first](r)
    layers = [mutate(r, GENS[first](r, _with_batch(first, shape)), odd)]
    for _ in range(r.choice([0, 0, 1, 1, 2, 3])):
        cur = next_shape(layers, shape, dtype)
        if cur is None:
            break
        layers.append(mutate(r, GENS[r.choice(only or CHAINABLE)](r, cur), odd))
    return Case("fuzz", f"fuzz/{i}", layers, shape, dtype)


def _with_batch(name: str, shape: list[int]) -> Shape:
    """A guess of the full shape a first layer sees (batch 2 at axis 0, or 1 if sequence-first)."""
    if name in ("RNN", "LSTM", "GRU", "MultiheadAttention") or name.startswith("Transformer"):
        return [shape[0], 2, *shape[1:]]
    return [2, *shape]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--only", default="", help="comma-separated classes to draw from")
    parser.add_argument("--explain", type=float, default=0.15, help="fraction of cases also run through explain")
    parser.add_argument("--odd", type=float, default=0.0, help="chance a layer gets one odd argument value")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--json", type=Path, help="write every disagreement here")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))  # a shared machine: fail, never swap
    missing = sorted(set(all_rules("pytorch")) - set(GENS))
    if missing and not args.only:
        print(f"no generator for: {', '.join(missing)}")
    only = [n for n in args.only.split(",") if n] or None
    r = random.Random(args.seed)
    stats: Counter[str] = Counter()
    problems: list[dict[str, Any]] = []
    start = time.time()
    for i in range(args.cases):
        try:
            case = random_case(r, i, only, args.odd)
        except Exception:  # noqa: BLE001 - a generator bug must not end a long run
            stats["generator-error"] += 1
            continue
        want, torch_err = torch_record(case)
        status, detail = paramcalc_compare(case, want)
        kind = None
        if status == "crash":
            kind = "crash"
        elif want is not None and status == "refused":
            kind = "pc-refuses-torch-accepts"
            if any(id(e) in MUTATED for e in case.layers) and STRICT.search(detail or ""):
                kind = None
                stats["strict-types"] += 1
        elif want is None and status == "ok":
            kind = "pc-accepts-torch-refuses"
            if case.shape is not None and any(
                next_shape(case.layers, case.shape, case.dtype, b) for b in {1, 2, 3, 4, 5, 6, 8, 10, *case.shape}
            ):
                kind = None  # the batch size decides (the batch axis used as a data axis): not paramcalc's to know
                stats["batch-dependent"] += 1
        elif status == "differs":
            kind = "differs"
        elif status == "batch-unknown":
            stats["batch-dependent"] += 1
        stats["torch-ok" if want else "torch-refuses"] += 1
        if kind:
            stats[kind] += 1
            problems.append({"kind": kind, "spec": case.spec(), "torch": torch_err, "paramcalc": detail})
            if args.verbose:
                print(f"--- {kind}: {json.dumps(case.spec())}\n    torch: {torch_err}\n    paramcalc: {detail}")
        if r.random() < args.explain:
            e = case.layers[0]
            bad = explain_check(r, e, case.shape)
            if bad:
                stats["explain"] += 1
                problems.append({"kind": "explain", "detail": bad})
                if args.verbose:
                    print(f"--- explain: {bad}")
    elapsed = time.time() - start
    print(f"{args.cases} cases in {elapsed:.0f}s (seed {args.seed}): {dict(sorted(stats.items()))}")
    by_class: Counter[str] = Counter()
    for p in problems:
        if "spec" in p:
            layer = p["spec"]["layers"][0]
            by_class[f"{p['kind']}:{layer if isinstance(layer, str) else next(iter(layer))}"] += 1
    for key, n in by_class.most_common():
        print(f"  {n:4d} {key}")
    if args.json:
        args.json.write_text(json.dumps(problems, indent=1, default=str) + "\n")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
