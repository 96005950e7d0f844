"""Functional Keras models that call ``keras.ops`` between layers (for ``tools/keras_apps_golden.py``).

Why: ``model.to_json()`` keeps each ``keras.ops`` call as an operation node; paramcalc must
read every one with its positional and keyword arguments and constants, and compute the
output shape exactly as Keras' ``compute_output_spec`` does.  ``CASES`` are hand-written
models, one or more per op family; :func:`random_cases` draws random graphs that put ops
between random layers (also used by ``tools/keras_fuzz.py --kinds ops``).

Never imported by tests.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
from keras import layers, ops

Builder = Callable[[], Any]


def _model(inputs: Any, outputs: Any, name: str) -> Any:
    return keras.Model(inputs, outputs, name=name)


def elementwise() -> Any:
    """Unary and binary element-wise ops, Python and array constants, keyword arguments."""
    x = keras.Input((6, 8))
    y = keras.Input((8,))
    h = layers.Dense(8)(x)
    a = ops.add(h, y)
    b = ops.subtract(2.0, a)
    c = ops.multiply(b, np.full((8,), 0.5, "float32"))
    d = ops.divide(c, ops.maximum(ops.abs(h), 1e-3))
    e = ops.power(ops.sqrt(ops.square(d)), 2)
    f = ops.where(ops.greater(e, 0.1), e, 0.0)
    g = ops.clip(f, x_min=0.0, x_max=6.0)
    g = ops.cast(g, "float16")
    g = ops.cast(g, dtype="float32")
    k = ops.minimum(ops.exp(g), ops.log1p(ops.relu(g)))
    k = ops.true_divide(k, 3)
    k = ops.floor_divide(k, 2.0)
    k = ops.logical_and(ops.less(k, 1.0), ops.not_equal(k, 0.0))
    k = ops.cast(k, "float32")
    out = layers.Dense(3)(k * 2 + h)
    return _model([x, y], out, "elementwise")


def activations() -> Any:
    """keras.ops.nn activations and keras.activations called on tensors."""
    x = keras.Input((10, 4))
    h = layers.Conv1D(8, 3)(x)
    a = ops.sigmoid(h) * ops.hard_sigmoid(h) + ops.softmax(h, axis=1)
    a = ops.leaky_relu(a, negative_slope=0.1) + ops.elu(a) + ops.gelu(a, approximate=False)
    a = ops.silu(a) + ops.relu6(a) + ops.tanh(a) + ops.softplus(a) + ops.log_softmax(a)
    a = keras.activations.relu(a, max_value=6.0) + ops.hard_silu(a)
    a = ops.glu(ops.concatenate([a, a], axis=-1))
    return _model(x, layers.GlobalAveragePooling1D()(a), "activations")


def reductions() -> Any:
    """mean / sum / max / min / std / var / argmax over axes, keepdims, all axes."""
    x = keras.Input((5, 6, 7))
    h = layers.Dense(4)(x)
    outs = [
        ops.mean(h, axis=1),
        ops.sum(h, axis=(1, 2), keepdims=True),
        ops.max(h, axis=-1),
        ops.min(h, axis=[1, -1]),
        ops.std(h, axis=2, keepdims=True),
        ops.var(h, axis=1),
        ops.argmax(h, axis=-1),
        ops.argmin(h, axis=1, keepdims=True),
        ops.prod(h, axis=1),
        ops.any(ops.greater(h, 0), axis=2),
        ops.all(ops.greater(h, 0), axis=-1, keepdims=True),
        ops.logsumexp(h, axis=1),
        ops.sum(h),
        ops.mean(h, keepdims=True),
        ops.median(h, axis=1),
        ops.count_nonzero(h, axis=1),
        ops.amax(h, axis=1),
        ops.norm(h, axis=-1),
    ]
    return _model(x, outs, "reductions")


def shapes() -> Any:
    """reshape / transpose / expand_dims / squeeze / concatenate / stack / split / tile / repeat."""
    x = keras.Input((4, 6))
    h = layers.Dense(6)(x)
    r = ops.reshape(h, (-1, 2, 12))
    t = ops.transpose(r, (0, 2, 1))
    e = ops.expand_dims(t, axis=-1)
    s = ops.squeeze(e, axis=-1)
    c = ops.concatenate([t, s], axis=1)
    st = ops.stack([h, h, h], axis=1)
    parts = ops.split(h, 3, axis=-1)
    p2 = ops.split(h, [1, 4], axis=-1)
    ti = ops.tile(h, (1, 2, 1))
    rp = ops.repeat(h, 2, axis=1)
    sw = ops.swapaxes(h, 1, 2)
    mv = ops.moveaxis(st, 1, -1)
    fl = ops.reshape(h, (-1, 24))
    bt = ops.broadcast_to(ops.expand_dims(layers.Dense(6)(fl), 1), (1, 4, 6))
    return _model(x, [c, st, *parts, *p2, ti, rp, sw, mv, fl, bt, ops.expand_dims(h, 0), ops.transpose(h)], "shapes")


def joins_and_products() -> Any:
    """matmul (batched, vector), einsum-free attention by hand, slicing with [], one_hot, top_k."""
    q = keras.Input((7, 16))
    k = keras.Input((9, 16))
    qh = layers.Dense(8)(q)
    kh = layers.Dense(8)(k)
    scores = ops.matmul(qh, ops.transpose(kh, (0, 2, 1))) / 8**0.5
    weights = ops.softmax(scores, axis=-1)
    ctx = ops.matmul(weights, kh)
    first = ctx[:, 0]
    window = ctx[:, 1:5, ::2]
    last = ctx[..., -1]
    newaxis = ctx[:, None, 2]
    vec = ops.matmul(ctx, np.ones((8,), "float32"))
    ids = ops.argmax(scores, axis=-1)
    hot = ops.one_hot(ids, 9)
    vals, idx = ops.top_k(scores, 3)
    cs = ops.cumsum(ctx, axis=1)
    srt = ops.sort(ctx, axis=-1)
    return _model([q, k], [first, window, last, newaxis, vec, hot, vals, idx, cs, srt], "joins_and_products")


def residual_cnn() -> Any:
    """A small CNN whose residuals, scalings and pooling are written with ops."""
    x = keras.Input((32, 32, 3))
    h = layers.Conv2D(16, 3, padding="same")(x)
    for i in range(2):
        r = layers.Conv2D(16, 3, padding="same", name=f"res_{i}")(ops.relu(h))
        h = ops.add(h, ops.multiply(r, 0.1))
    gap = ops.mean(h, axis=(1, 2))
    gmp = ops.max(h, axis=[1, 2])
    z = ops.concatenate([gap, gmp], axis=-1)
    z = layers.Dense(10)(z)
    return _model(x, ops.softmax(z), "residual_cnn")


def sequence_model() -> Any:
    """An RNN model with ops: mean over time, masking by where, stacking states."""
    x = keras.Input((12, 5))
    seq = layers.LSTM(16, return_sequences=True)(x)
    pooled = ops.mean(seq, axis=1)
    gated = ops.where(ops.greater_equal(seq, 0.0), seq, ops.zeros_like(seq))
    summed = ops.sum(gated, axis=1)
    both = ops.stack([pooled, summed], axis=1)
    out = layers.Dense(2)(layers.Flatten()(both))
    return _model(x, out, "sequence_model")


def small_convnext() -> Any:
    """keras.applications' ConvNeXt builder with stochastic depth (StochasticDepth layers) on."""
    from keras.src.applications.convnext import ConvNeXt

    return ConvNeXt(
        depths=[1, 2, 1, 1],
        projection_dims=[16, 24, 32, 48],
        drop_path_rate=0.2,
        default_size=64,
        input_shape=(64, 64, 3),
        classes=7,
        name="small_convnext",
    )


def snake(name: str) -> str:
    out = ""
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out += "_"
        out += ch.lower()
    return out


EVERY_UNARY = (
    "abs absolute arccos arccosh arcsin arcsinh arctan arctanh cbrt ceil conj conjugate copy cos cosh deg2rad exp "
    "exp2 expm1 fabs floor isfinite isinf isnan isneginf isposinf log log10 log1p log2 negative "
    "rad2deg reciprocal sign signbit sin sinc sinh sqrt square tan tanh trunc hard_sigmoid hard_silu hard_tanh "
    "log_sigmoid relu relu6 selu sigmoid silu softplus softsign sparse_plus sparse_sigmoid tanh_shrink erf erfc "
    "erfinv rsqrt round stop_gradient ones_like zeros_like empty_like tril triu fliplr flipud celu elu "
    "leaky_relu gelu squareplus hard_shrink soft_shrink softmax log_softmax sparsemax normalize flip "
    "cumsum cumprod nancumsum nancumprod sort argsort ravel real imag angle isreal i0 nan_to_num"
)
EVERY_BINARY = (
    "add subtract multiply divide true_divide divide_no_nan power maximum minimum fmax fmin mod fmod floor_divide "
    "equal not_equal greater greater_equal less less_equal logical_and logical_or logical_xor arctan2 hypot "
    "logaddexp logaddexp2 heaviside nextafter ldexp isclose"
)
EVERY_INT_BINARY = (
    "gcd lcm bitwise_and bitwise_or bitwise_xor bitwise_left_shift bitwise_right_shift left_shift right_shift"
)
EVERY_REDUCTION = (
    "sum mean std var any all amax amin argmax argmin median ptp nanargmax nanargmin nanmax nanmean nanmedian "
    "nanmin nanstd nansum nanvar logsumexp max min prod nanprod"
)


def every_op() -> Any:
    """Each op paramcalc has a rule for, called once on a tensor after a Dense layer."""
    x = keras.Input((3, 4))
    h = layers.Dense(4)(x)
    hi = ops.cast(h, "int32")
    outs: list[Any] = []

    def attempt(fn: Callable[[], Any]) -> None:
        try:
            out = fn()
        except Exception:  # noqa: BLE001 - an op Keras cannot trace here is left out
            return
        outs.extend(out if isinstance(out, (list, tuple)) else [out])

    for name in EVERY_UNARY.split():
        attempt(lambda name=name: getattr(ops, name)(h))
    attempt(lambda: ops.roll(h, 1, axis=1))
    attempt(lambda: ops.logical_not(ops.greater(h, 0)))
    attempt(lambda: ops.bitwise_invert(hi))
    attempt(lambda: ops.bitwise_not(hi))
    attempt(lambda: ops.cast(h, "float16"))
    attempt(lambda: ops.saturate_cast(h, "int8"))
    attempt(lambda: ops.clip(h, -1, 1))
    attempt(lambda: ops.threshold(h, 0.1, 0.0))
    attempt(lambda: ops.full_like(h, 3.0))
    attempt(lambda: ops.glu(h))
    attempt(lambda: keras.activations.relu(h, negative_slope=0.1))
    attempt(lambda: keras.activations.mish(h))
    for name in EVERY_BINARY.split():
        attempt(lambda name=name: getattr(ops, name)(h, ops.mean(h, axis=1, keepdims=True)))
    for name in EVERY_INT_BINARY.split():
        attempt(lambda name=name: getattr(ops, name)(hi, hi))
    for name in EVERY_REDUCTION.split():
        attempt(lambda name=name: getattr(ops, name)(h, axis=1))
        attempt(lambda name=name: getattr(ops, name)(h, axis=-1, keepdims=True))
    square = ops.reshape(layers.Dense(16)(layers.Flatten()(x)), (-1, 4, 4))
    for name in ("inv", "det", "logdet", "cholesky", "cholesky_inverse"):
        attempt(lambda name=name: getattr(ops, name)(square))
    attempt(lambda: ops.count_nonzero(h, axis=1))
    attempt(lambda: ops.norm(h, axis=-1, keepdims=True))
    attempt(lambda: ops.moments(h, axes=[1]))
    attempt(lambda: ops.average(h, axis=1))
    attempt(lambda: ops.where(ops.greater(h, 0), h, 1.0))
    attempt(lambda: ops.unstack(h, axis=1))
    attempt(lambda: ops.take(h, np.array([0, 2]), axis=1))
    attempt(lambda: ops.slice(h, (0, 0, 1), (1, 2, 2)))
    attempt(lambda: ops.convert_to_tensor(h))
    # contractions, padding, normalisation, attention
    attempt(lambda: ops.einsum("bij,bkj->bik", h, h))
    attempt(lambda: ops.einsum("...ij,jk->...ik", h, np.ones((4, 5), "float32")))
    attempt(lambda: ops.einsum("bij->bj", h))
    attempt(lambda: ops.einsum("bij,bij", h, h))
    attempt(lambda: ops.dot(h, np.ones((4, 2), "float32")))
    attempt(lambda: ops.dot(h, np.ones((4,), "float32")))
    attempt(lambda: ops.tensordot(h, np.ones((4, 2), "float32"), axes=1))
    attempt(lambda: ops.tensordot(h, np.ones((3, 4, 2), "float32"), axes=([1, 2], [0, 1])))
    attempt(lambda: ops.outer(h, h))
    attempt(lambda: ops.hstack([h, h]))
    attempt(lambda: ops.vstack([h, h]))
    attempt(lambda: ops.diff(h, n=2, axis=1))
    attempt(lambda: ops.diff(h))
    attempt(lambda: ops.trace(h, axis1=1, axis2=2))
    attempt(lambda: ops.vdot(h, h))
    attempt(lambda: ops.inner(h, h))
    attempt(lambda: ops.inner(h, np.ones((5, 4), "float32")))
    attempt(lambda: ops.pad(h, ((0, 0), (1, 2), (0, 1))))
    attempt(lambda: ops.pad(h, ((1, 1),)))
    attempt(lambda: ops.layer_normalization(h, axis=-1))
    attempt(lambda: ops.rms_normalization(h, axis=-1))
    attempt(lambda: ops.batch_normalization(h, ops.mean(h, axis=(0, 1)), ops.var(h, axis=(0, 1)), axis=-1))
    q = ops.reshape(layers.Dense(8)(x), (-1, 3, 2, 4))
    attempt(lambda: ops.dot_product_attention(q, q, q))
    attempt(lambda: ops.dot_product_attention(q, q, q, is_causal=True))
    attempt(lambda: ops.dot_product_attention(q, q, q, mask=ops.greater(ops.sum(q, axis=-1, keepdims=True), 0)))
    attempt(lambda: ops.add(x1=h, x2=ops.mean(h, axis=1, keepdims=True)))
    attempt(lambda: ops.where(condition=ops.greater(h, 0), x1=h, x2=ops.negative(h)))
    img = ops.reshape(layers.Dense(96)(layers.Flatten()(x)), (-1, 4, 2, 12))
    attempt(lambda: ops.image.resize(img, (8, 6)))
    attempt(lambda: ops.image.resize(img, (3, 3), interpolation="nearest"))
    rgb = ops.reshape(img, (-1, 4, 8, 3))
    attempt(lambda: ops.image.rgb_to_grayscale(rgb))
    attempt(lambda: ops.image.rgb_to_hsv(rgb))
    attempt(lambda: ops.image.hsv_to_rgb(rgb))
    attempt(lambda: ops.max_pool(img, 2))
    attempt(lambda: ops.max_pool(img, (2, 1), strides=1, padding="same"))
    attempt(lambda: ops.average_pool(img, 3, strides=(1, 2), padding="same"))
    attempt(lambda: ops.average_pool(h, 2))
    attempt(lambda: ops.depth_to_space(img, 2))
    attempt(lambda: ops.space_to_depth(ops.reshape(img, (-1, 4, 4, 6)), 2))
    return _model(x, outs, "every_op")


def nested_with_ops() -> Any:
    """A functional model whose output is an op, used as a layer of another model (twice)."""
    i = keras.Input((6, 5))
    inner = keras.Model(i, ops.mean(ops.relu(layers.Dense(4)(i)), axis=1), name="inner")
    a = keras.Input((6, 5))
    b = keras.Input((6, 5))
    joined = ops.concatenate([inner(a), inner(b)], axis=-1)
    return _model([a, b], layers.Dense(2)(joined), "nested_with_ops")


CASES: list[tuple[str, Builder]] = [
    ("ops_nested_model", nested_with_ops),
    ("ops_every_op", every_op),
    ("apps_small_convnext_drop_path", small_convnext),
    ("ops_elementwise", elementwise),
    ("ops_activations", activations),
    ("ops_reductions", reductions),
    ("ops_shapes", shapes),
    ("ops_joins_and_products", joins_and_products),
    ("ops_residual_cnn", residual_cnn),
    ("ops_sequence_model", sequence_model),
]


# =========================================================================== random graphs with ops
UNARY = ["relu", "sigmoid", "tanh", "abs", "exp", "square", "negative", "silu", "softplus", "hard_sigmoid", "sign"]
BINARY = ["add", "subtract", "multiply", "maximum", "minimum", "divide"]
REDUCE = ["mean", "sum", "max", "min", "std", "var"]


class OpsGraph:
    """Random functional graphs: Dense/Conv1D layers with keras.ops between them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.tensors: list[Any] = []

    def pick(self) -> Any:
        return self.rng.choice(self.tensors[-4:])

    def step(self) -> None:
        rng = self.rng
        t = self.pick()
        rank = len(t.shape)
        kind = rng.choice(["unary", "binary", "const", "reduce", "layer", "shape", "join", "slice", "product", "norm"])
        if kind == "unary":
            self.tensors.append(getattr(ops, rng.choice(UNARY))(t))
        elif kind == "binary":
            same = [u for u in self.tensors if tuple(u.shape) == tuple(t.shape)]
            other = rng.choice(same)
            if rng.random() < 0.3 and rank > 1:  # broadcast against a reduced copy
                other = ops.mean(other, axis=rng.randrange(1, rank), keepdims=True)
            self.tensors.append(getattr(ops, rng.choice(BINARY))(t, other))
        elif kind == "const":
            value: Any = rng.choice([0.5, 2, np.ones((int(t.shape[-1]),), "float32")])
            fn = getattr(ops, rng.choice(["add", "multiply", "subtract"]))
            self.tensors.append(fn(value, t) if rng.random() < 0.5 else fn(t, value))
        elif kind == "reduce" and rank > 2:
            axis = rng.randrange(1, rank)
            self.tensors.append(getattr(ops, rng.choice(REDUCE))(t, axis=axis, keepdims=rng.random() < 0.4))
        elif kind == "layer":
            if rank == 3 and rng.random() < 0.5 and t.shape[1] >= 3:
                self.tensors.append(layers.Conv1D(rng.randint(2, 12), 3, padding=rng.choice(["same", "valid"]))(t))
            else:
                self.tensors.append(layers.Dense(rng.randint(2, 16))(t))
        elif kind == "shape" and rank == 3:
            choice = rng.randrange(3)
            if choice == 0:
                self.tensors.append(ops.transpose(t, (0, 2, 1)))
            elif choice == 1:
                self.tensors.append(ops.reshape(t, (-1, int(t.shape[1]) * int(t.shape[2]))))
            else:
                self.tensors.append(ops.squeeze(ops.expand_dims(t, 1), axis=1))
        elif kind == "join":
            same = [u for u in self.tensors if tuple(u.shape[:-1]) == tuple(t.shape[:-1])]
            parts = [t, rng.choice(same)]
            if rng.random() < 0.5:
                self.tensors.append(ops.concatenate(parts, axis=-1))
            elif tuple(parts[0].shape) == tuple(parts[1].shape):
                self.tensors.append(ops.stack(parts, axis=rng.randrange(1, rank + 1)))
        elif kind == "slice" and rank >= 2 and (t.shape[-1] or 0) >= 2:
            choice = rng.randrange(3)
            if choice == 0:
                self.tensors.append(t[..., : int(t.shape[-1]) // 2 + 1])
            elif choice == 1 and rank == 3:
                self.tensors.append(t[:, rng.randrange(int(t.shape[1]))])
            elif (t.shape[-1] or 0) % 2 == 0:
                self.tensors.extend(ops.split(t, 2, axis=-1))
        elif kind == "product" and rank == 3:
            choice = rng.randrange(3)
            if choice == 0:
                self.tensors.append(ops.matmul(t, ops.transpose(t, (0, 2, 1))))
            elif choice == 1:
                self.tensors.append(ops.einsum("bij,bkj->bik", t, t))
            else:
                self.tensors.append(ops.matmul(t, np.ones((int(t.shape[-1]), rng.randint(1, 6)), "float32")))
        elif kind == "norm":
            choice = rng.randrange(4)
            if choice == 0:
                self.tensors.append(layers.LayerNormalization()(t))
            elif choice == 1:
                self.tensors.append(layers.BatchNormalization()(t))
            elif choice == 2 and rank == 3:
                self.tensors.append(layers.LSTM(rng.randint(2, 8), return_sequences=True)(t))
            else:
                self.tensors.append(ops.softmax(t, axis=rng.choice([-1, 1])))

    def generate(self, index: int) -> Any:
        rng = self.rng
        rank = rng.choice([2, 3])
        shape = (rng.randint(2, 12),) if rank == 2 else (rng.randint(3, 10), rng.randint(2, 12))
        x = keras.Input(shape)
        self.tensors = [x]
        for _ in range(rng.randint(4, 14)):
            self.step()
        outs = [self.tensors[-1]]
        if rng.random() < 0.3 and len(self.tensors) > 3:
            outs.append(self.tensors[-3])
        return keras.Model(x, outs, name=f"ops_random_{index}")


N_RANDOM = 40


def random_model(seed: str, index: int) -> Any:
    """One random ops graph (deterministic for a seed string)."""
    return OpsGraph(random.Random(seed)).generate(index)


def random_cases(count: int = N_RANDOM) -> list[tuple[str, Builder]]:
    """``count`` random ops graphs, each from its own seed."""
    cases: list[tuple[str, Builder]] = []
    for i in range(count):

        def build(i: int = i) -> Any:
            return random_model(f"paramcalc-keras-ops-{i}", i)

        cases.append((f"ops_random_{i:03d}", build))
    return cases
