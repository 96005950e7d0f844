"""FLOPs of one forward pass, per layer, counted the way ``torch.utils.flop_counter.FlopCounterMode`` counts.

Why this convention: it is the one a user can check with a framework in three lines, and it
says exactly what is counted.  FlopCounterMode counts matrix products and convolutions only:
``mm``/``addmm``/``bmm``/``baddbmm`` (and ``linear``/``matmul``/``einsum``, which lower to
them), ``convolution`` (grouped and transposed) and scaled-dot-product attention, at **2 FLOPs
per multiply-add**.  A bias add, a norm, an activation, a softmax, pooling, dropout and an
embedding look-up count 0; so do they here, and every rendering says so.

Each formula lives in the registry below, keyed by the class name the parameter rules use
(``@flops("Dense")``), beside the same family's other formulas; it reads the counted row (its
terms, input and output shapes, bound arguments) and returns named :class:`FlopTerm` s, so
``explain`` can show the derivation term by term.  A class whose rule does no arithmetic at
all (activations, norms, pooling, reshaping) is listed in :data:`NO_MATMUL_MODULES` and counts
0; any other class without a formula counts ``None`` (unknown), never a silent 0.

The batch (``--batch``, default 1) fills the batch axis; ``--seq-len`` fills an unknown
sequence axis (the tokens of a Hugging Face forward pass).  A shape still unknown gives None.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from math import prod
from typing import TYPE_CHECKING, Any, NamedTuple

from paramcalc.dtypes import quantized_policy_name
from paramcalc.frameworks import framework_of

if TYPE_CHECKING:
    from paramcalc.report import LayerRow, Report, Shape, Term

CONVENTION = (
    "FLOPs as torch.utils.flop_counter.FlopCounterMode counts them: matmuls, convolutions and "
    "attention at 2 per multiply-add; element-wise ops, norms, activations, softmax, pooling and "
    "embedding look-ups count 0"
)


class FlopTerm(NamedTuple):
    """One matmul or convolution of a layer: what it multiplies, its closed form and its value."""

    name: str
    formula: str
    values: str
    flops: int

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"name": self.name, "formula": self.formula, "values": self.values, "flops": self.flops}


class Sizes(NamedTuple):
    """What fills the unknown axes: the batch, and the sequence length (None: unknown)."""

    batch: int = 1
    seq_len: int | None = None
    masked: bool = False
    """Whether the layer's input carries a Keras mask (a fused recurrent kernel refuses one)."""


DEFAULT_SIZES = Sizes()


class Unknown(Exception):  # noqa: N818 - a control-flow signal, not an error shown to users
    """A shape a formula needs is unknown: the layer's FLOPs are None."""


FlopFn = Callable[["LayerRow", Sizes], list[FlopTerm]]
_FLOPS: dict[tuple[str, str], FlopFn] = {}

NO_MATMUL_MODULES = frozenset(
    {
        "activations",
        "normalization",
        "pooling",
        "reshaping",
        "torch_norm",
        "torch_pooling",
        "torch_resampling",
    }
)
"""Rule modules whose layers do no matmul or convolution: their FLOPs are 0 in this convention."""

TORCH_ACTIVATIONS = (
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "ELU",
    "SELU",
    "CELU",
    "GELU",
    "SiLU",
    "Mish",
    "Hardtanh",
    "Hardsigmoid",
    "Hardswish",
    "Softplus",
    "Softsign",
    "Softshrink",
    "Hardshrink",
    "Tanhshrink",
    "Threshold",
    "LogSigmoid",
    "Softmax",
    "LogSoftmax",
    "Softmin",
    "GLU",
    "RReLU",
    "Softmax2d",
    "PReLU",
    "Tanh",
    "Sigmoid",
)
"""torch.nn activations (their rules live in torch_core): element-wise, 0 FLOPs."""

NO_MATMUL = {
    "keras": frozenset(
        {
            "Embedding",
            "Dropout",
            "AlphaDropout",
            "GaussianDropout",
            "GaussianNoise",
            "SpatialDropout1D",
            "SpatialDropout2D",
            "SpatialDropout3D",
            "ActivityRegularization",
            "Masking",
            "Identity",
            "Activation",
            "Flatten",
            "InputLayer",
            "Add",
            "Subtract",
            "Multiply",
            "Average",
            "Maximum",
            "Minimum",
            "Concatenate",
        }
    ),
    "pytorch": frozenset(
        {
            "Embedding",
            "EmbeddingBag",
            "Identity",
            "Flatten",
            "Unflatten",
            "Dropout",
            "Dropout1d",
            "Dropout2d",
            "Dropout3d",
            "AlphaDropout",
            "FeatureAlphaDropout",
            *TORCH_ACTIVATIONS,
            "InputLayer",  # a graph's model inputs
            "Bilinear",  # aten._trilinear: FlopCounterMode has no formula for it and counts 0
        }
    ),
    "transformers": frozenset({"Embedding"}),
}
"""Single classes (outside :data:`NO_MATMUL_MODULES`) that do no counted arithmetic."""


def flops(*names: str, framework: str = "keras") -> Callable[[FlopFn], FlopFn]:
    """Register a FLOP formula for one or more class names of a framework (duplicates fail loudly)."""

    def register(fn: FlopFn) -> FlopFn:
        for name in names:
            if (framework, name) in _FLOPS:
                raise ValueError(f"FLOP formula for {framework} {name} registered twice")
            _FLOPS[(framework, name)] = fn
        return fn

    return register


# --------------------------------------------------------------------------- shapes
def _fill(shape: Shape, sizes: Sizes) -> tuple[int, ...]:
    """A shape with the batch axis (the first unknown) and a sequence axis (the second) filled."""
    out: list[int] = []
    batch_done = False
    for dim in shape:
        if dim is None:
            if not batch_done:
                out.append(sizes.batch)
                batch_done = True
            elif sizes.seq_len is not None:
                out.append(sizes.seq_len)
            else:
                raise Unknown
        else:
            out.append(dim)
    return tuple(out)


def _batched(row: LayerRow, shape: Shape) -> Shape:
    """A row's shape with its batch axis: Keras and transformers rows leave it out (torch's keep it)."""
    return shape if row.batch_in_shapes else (None, *shape)


def _input(row: LayerRow, sizes: Sizes, index: int = 0) -> tuple[int, ...]:
    if len(row.input_shapes) <= index:
        raise Unknown
    return _fill(_batched(row, row.input_shapes[index]), sizes)


def _output(row: LayerRow, sizes: Sizes) -> tuple[int, ...]:
    if not row.outputs or not row.outputs[0]:
        raise Unknown
    return _fill(_batched(row, row.outputs[0]), sizes)


def _times(*factors: int) -> str:
    return " × ".join(str(f) for f in factors)


def _matrices(row: LayerRow) -> list[Term]:
    """The weight matrices a layer multiplies by (biases, buffers and 1-D vectors excluded)."""
    return [t for t in row.terms if len(t.shape) >= 2 and not t.buffer and "bias" not in t.weight.rsplit(".", 1)[-1]]


def _matmul_terms(row: LayerRow, rows: int, what: str, terms: Sequence[Term] | None = None) -> list[FlopTerm]:
    """``2·rows·prod(W)`` for every weight matrix: each row of the input meets each weight once."""
    out = []
    for term in _matrices(row) if terms is None else terms:
        size = prod(term.shape)
        names = term.dims if term.dims and len(term.dims) == len(term.shape) else tuple(map(str, term.shape))
        dims = "·".join(_factor(name) for name in names)
        if term.share is not None:  # routed experts: each token meets k of the E stacked matrices
            k, experts = term.share
            each = size // experts
            inner = "·".join(_factor(name) for name in names[1:])
            out.append(
                FlopTerm(
                    f"x·{term.symbol} ({term.path}, k of E experts)",
                    f"2·{what}·k·{inner}",
                    _times(2, rows, k, *term.shape[1:]),
                    2 * rows * k * each,
                )
            )
            continue
        out.append(
            FlopTerm(
                f"x·{term.symbol} ({term.path})", f"2·{what}·{dims}", _times(2, rows, *term.shape), 2 * rows * size
            )
        )
    return out


def _factor(name: str) -> str:
    """A symbolic dimension as a factor: ``4*n`` reads ``4n``, a sum gets parentheses."""
    text = re.sub(r"(\d)\*", r"\1", name).replace("*", "·")
    return f"({text})" if any(op in text for op in "+-") else text


def _rows(shape: tuple[int, ...]) -> int:
    """Rows a matmul over the last axis processes: every axis but the last."""
    return prod(shape[:-1])


# --------------------------------------------------------------------------- dense / recurrent
def _dense(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """Dense / Linear, and recurrent layers: ``2·rows·m·n`` for every weight matrix.

    A recurrent layer multiplies its input kernel with every time step and its recurrent
    kernel with the state of every step: ``rows`` is batch × time for both (torch runs its
    own matmul loop; Keras' cell calls ``ops.matmul`` per step under the torch backend).
    """
    return _matmul_terms(row, _rows(_input(row, sizes)), "rows")


flops("Dense")(_dense)


@flops("SimpleRNN", "LSTM", "GRU", "Bidirectional", "RNN")
def _keras_rnn(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """Keras' recurrent layers under the torch backend: T or T + 1 cell steps.

    ``keras.src.backend.torch.rnn``: LSTM, and GRU with ``reset_after=True``, run a fused
    loop of T steps when nothing forces the generic one (no ``recurrent_dropout``, no input
    mask, ``use_cudnn`` not False).  The generic loop (SimpleRNN always) first calls the step
    function once on time step 0 to learn the output structure, then runs all T steps: T + 1
    (``unroll=True`` skips the extra call).  Every weight matrix meets N rows per step.
    """
    shape = _input(row, sizes)
    steps = prod(shape[1:-1])
    if row.class_name == "RNN" and getattr(row.args.get("cell"), "class_name", "") == "StackedRNNCells":
        raise Unknown  # StackedRNNCells: Keras runs one step more than T + 1; not derived
    args = _inner_args(row) if row.class_name == "Bidirectional" else (row.class_name, row.args)
    class_name, values = args
    fused = (
        class_name in ("LSTM", "GRU")
        and not values.get("recurrent_dropout")
        and values.get("use_cudnn", "auto") is not False
        and not sizes.masked
        and (class_name == "LSTM" or values.get("reset_after", True))
    )
    calls = steps if fused or values.get("unroll") else steps + 1
    return _matmul_terms(row, shape[0] * calls, "N·T" if calls == steps else "N·(T+1)")


def _inner_args(row: LayerRow) -> tuple[str, dict[str, Any]]:
    """The class and bound arguments of the layer a wrapper holds."""
    inner = row.args.get("layer")
    if inner is None or not hasattr(inner, "class_name"):
        raise Unknown
    from paramcalc.rules import bind, find_rule

    return inner.class_name, bind(find_rule(inner.class_name), inner).values


for _name in ("Linear", "LazyLinear", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"):
    flops(_name, framework="pytorch")(_dense)


@flops("EinsumDense")
def _einsum_dense(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """``einsum(equation, x, kernel)``: 2 × the product of the sizes of the letters it multiplies over.

    torch.einsum first sums away a letter only one operand has and the output lacks (a sum,
    not counted), then runs one bmm over the rest: every remaining letter's size once, ×2.
    """
    equation = str(row.args["equation"]).replace(" ", "")
    operands, output = equation.split("->")
    left, right = operands.split(",")
    shape = _input(row, sizes)
    kernel = next(t for t in row.terms if t.weight == "kernel")
    letters: dict[str, int] = {}
    if "..." in left:
        before, after = left.split("...")
        extra = len(shape) - len(before) - len(after)
        for i, size in enumerate(shape[len(before) : len(before) + extra]):
            letters[f"...{i}"] = size
        left_letters = before + after
        left_sizes = shape[: len(before)] + shape[len(before) + extra :]
        output = output.replace("...", "")
    else:
        left_letters, left_sizes = left, shape
    if len(left_letters) != len(left_sizes) or len(right) != len(kernel.shape):
        raise Unknown
    letters.update(zip(left_letters, left_sizes, strict=True))
    letters.update(zip(right, kernel.shape, strict=True))
    kept = [k for k in letters if k.startswith("...") or k in output or (k in left_letters and k in right)]
    total = 2 * prod(letters[k] for k in kept)
    names = "·".join(k if not k.startswith("...") else "…" for k in kept)
    return [
        FlopTerm(
            f"einsum {row.args['equation']} (x · kernel)", f"2·{names}", _times(2, *(letters[k] for k in kept)), total
        )
    ]


@flops("TimeDistributed")
def _time_distributed(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """The wrapped layer on every time step: Keras folds time into the batch (N·T samples)."""
    from dataclasses import replace

    class_name, values = _inner_args(row)
    inner = _FLOPS.get(("keras", class_name))
    if inner is None or inner is _time_distributed:
        if _no_matmul(class_name, "keras"):
            return []
        raise Unknown
    return inner(replace(row, class_name=class_name, args=values), sizes)


# --------------------------------------------------------------------------- convolution
def _conv(transposed: bool, channels_first: bool) -> FlopFn:
    """``2·N·spatial·prod(W)``: each output (transposed: input) position meets the whole kernel.

    This is FlopCounterMode's ``conv_flop_count``: ``prod(conv_shape)·prod(filter)·N·C_out·C_in/groups·2``,
    with ``conv_shape`` the output's spatial size, or the input's for a transposed convolution.
    """

    def count(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
        kernels = _matrices(row)
        if not kernels:
            raise Unknown
        rank = len(kernels[0].shape) - 2
        shape = _input(row, sizes) if transposed else _output(row, sizes)
        first = row.args.get("data_format") == "channels_first" if not channels_first else True
        spatial = shape[-rank:] if first else shape[-rank - 1 : -1]
        batch = prod(shape[: -rank - 1])
        where = "H_in·W_in" if transposed else "H_out·W_out"
        out = []
        for term in kernels:
            size = prod(term.shape)
            out.append(
                FlopTerm(
                    f"{term.symbol} ({term.path}) over every {'input' if transposed else 'output'} position",
                    f"2·N·{where}·k·C_in/groups·C_out",
                    _times(2, batch, prod(spatial), size),
                    2 * batch * prod(spatial) * size,
                )
            )
        return out

    return count


for _name in ("Conv1D", "Conv2D", "Conv3D", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D"):
    flops(_name)(_conv(transposed=False, channels_first=False))
for _name in ("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"):
    flops(_name)(_conv(transposed=True, channels_first=False))
for _name in ("Conv1d", "Conv2d", "Conv3d", "LazyConv1d", "LazyConv2d", "LazyConv3d"):
    flops(_name, framework="pytorch")(_conv(transposed=False, channels_first=True))
for _name in (
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "LazyConvTranspose1d",
    "LazyConvTranspose2d",
    "LazyConvTranspose3d",
):
    flops(_name, framework="pytorch")(_conv(transposed=True, channels_first=True))


@flops("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")
def _conv_lstm(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """Two convolutions per cell step, on the input and on the state; Keras' generic loop: T + 1 steps.

    Both produce the output's spatial size (the recurrent one is "same"-padded on the state).
    """
    kernels = _matrices(row)
    rank = len(kernels[0].shape) - 2
    shape, out = _input(row, sizes), _output(row, sizes)
    first = row.args.get("data_format") == "channels_first"
    spatial = prod(out[-rank:] if first else out[-rank - 1 : -1])
    steps = shape[1] if row.args.get("unroll") else shape[1] + 1
    rows = shape[0] * steps * spatial
    return [
        FlopTerm(
            f"{t.symbol} ({t.path}) per step and position",
            "2·N·(T+1)·H_out·W_out·k·C_in·4·filters",
            _times(2, shape[0], steps, spatial, prod(t.shape)),
            2 * rows * prod(t.shape),
        )
        for t in kernels
    ]


# --------------------------------------------------------------------------- attention
def _attention(batch: int, heads: int, q_len: int, k_len: int, d_qk: int, d_v: int) -> list[FlopTerm]:
    """The two batched matmuls of attention: scores Q·Kᵀ and the weighted sum A·V."""
    return [
        FlopTerm(
            "Q·Kᵀ (attention scores)",
            "2·N·heads·L_q·L_k·d_k",
            _times(2, batch, heads, q_len, k_len, d_qk),
            2 * batch * heads * q_len * k_len * d_qk,
        ),
        FlopTerm(
            "A·V (weighted values)",
            "2·N·heads·L_q·L_k·d_v",
            _times(2, batch, heads, q_len, k_len, d_v),
            2 * batch * heads * q_len * k_len * d_v,
        ),
    ]


def _seq_axes(shape: Shape, sizes: Sizes) -> tuple[int, int]:
    """(batch, length) of a torch sequence, batch-first or not: the unknown axis is the batch."""
    filled = _fill(shape, sizes)
    if None not in shape:  # unbatched (L, E)
        return 1, prod(filled[:-1])
    at = shape.index(None)
    return filled[at], prod(filled[:at] + filled[at + 1 : -1])


@flops("MultiheadAttention", framework="pytorch")
def _torch_mha(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """Projections on the query (L rows) and key/value (S rows), attention, output projection.

    ``add_bias_kv`` and ``add_zero_attn`` each append one key/value position (S + 1).
    """
    if not row.input_shapes:
        raise Unknown
    query = row.input_shapes[0]
    key = row.input_shapes[1] if len(row.input_shapes) > 1 else query
    n, q_len = _seq_axes(query, sizes)
    _, k_len = _seq_axes(key, sizes)
    heads = int(row.args["num_heads"])
    embed = int(row.args["embed_dim"])
    out = []
    for term in _matrices(row):
        if term.weight == "in_proj_weight" and k_len != q_len:  # split: q on L rows, k and v on S rows
            q_flops, kv_flops = 2 * n * q_len * embed * embed, 2 * n * k_len * 2 * embed * embed
            out.append(FlopTerm("x·W_q (in_proj_weight[:E])", "2·N·L·E·E", _times(2, n, q_len, embed, embed), q_flops))
            out.append(
                FlopTerm("x·W_kv (in_proj_weight[E:])", "2·N·S·2E·E", _times(2, n, k_len, 2 * embed, embed), kv_flops)
            )
            continue
        rows = n * (q_len if term.weight in ("in_proj_weight", "q_proj_weight", "out_proj.weight") else k_len)
        out += _matmul_terms(row, rows, "rows", [term])
    extra = int(bool(row.args.get("add_bias_kv"))) + int(bool(row.args.get("add_zero_attn")))
    return out + _attention(n, heads, q_len, k_len + extra, embed // heads, embed // heads)


def _torch_transformer(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """Every linear on its sequence's rows, and each attention over its lengths.

    An encoder (``nn.Transformer``'s ``encoder.*``) works on the source (S); a decoder on the
    target (L), its self-attention L × L and its cross-attention (``multihead_attn``) L × S
    with the keys and values projected from the memory's S rows.  A decoder layer or stack is
    called ``(tgt, memory)``, ``nn.Transformer`` ``(src, tgt)``.
    """
    if not row.input_shapes:
        raise Unknown
    n, first = _seq_axes(row.input_shapes[0], sizes)
    second = _seq_axes(row.input_shapes[1], sizes)[1] if len(row.input_shapes) > 1 else first
    if row.class_name == "Transformer":
        source, target = first, second
    elif row.class_name.startswith("TransformerDecoder"):
        source, target = second, first  # (tgt, memory): memory plays the encoder output
    else:
        source = target = first
    heads = _heads_of(row)
    out: list[FlopTerm] = []
    for term in _matrices(row):
        encoder = row.class_name.startswith("TransformerEncoder") or term.path.startswith("encoder.")
        length = source if encoder else target
        where = term.path.rsplit(".", 1)[0]
        if term.weight.endswith("multihead_attn.in_proj_weight"):
            embed = term.shape[1]
            out.append(
                FlopTerm(
                    f"x·W_q ({term.path}[:E])",
                    "2·N·L·E·E",
                    _times(2, n, target, embed, embed),
                    2 * n * target * embed * embed,
                )
            )
            out.append(
                FlopTerm(
                    f"m·W_kv ({term.path}[E:])",
                    "2·N·S·2E·E",
                    _times(2, n, source, 2 * embed, embed),
                    2 * n * source * 2 * embed * embed,
                )
            )
            keys = source
        else:
            out += _matmul_terms(row, n * length, "N·S" if encoder else "N·L", [term])
            keys = length
        if term.weight.endswith("in_proj_weight"):
            embed = term.shape[1]
            for item in _attention(n, heads, length, keys, embed // heads, embed // heads):
                out.append(item._replace(name=f"{item.name} in {where}"))
    return out


def _heads_of(row: LayerRow) -> int:
    """``nhead`` of a transformer layer, or of the layer spec a stack repeats."""
    if "nhead" in row.args:
        return int(row.args["nhead"])
    from paramcalc.spec.records import LayerSpec

    inner = row.args.get("encoder_layer") or row.args.get("decoder_layer")
    if isinstance(inner, LayerSpec):  # read by the reader (paramcalc.spec.held)
        if "nhead" in inner.kwargs:
            return int(inner.kwargs["nhead"])
        if len(inner.args) > 1:
            return int(inner.args[1])
    raise Unknown


for _name in (
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerDecoder",
    "Transformer",
):
    flops(_name, framework="pytorch")(_torch_transformer)


@flops("MultiHeadAttention", "GroupedQueryAttention")
def _keras_mha(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """Keras' EinsumDense projections (query on its rows, key/value on theirs), attention, output.

    ``attention_axes`` picks the axes attended over; the others (and the batch) index
    independent attentions.  GroupedQueryAttention repeats its key/value heads to the query
    heads before the products, so the products count every query head.
    """
    query = _input(row, sizes)
    value = _input(row, sizes, 1) if len(row.input_shapes) > 1 else query
    key = _input(row, sizes, 2) if len(row.input_shapes) > 2 else value
    if row.class_name == "GroupedQueryAttention":
        heads = int(row.args["num_query_heads"])
        d_k = d_v = int(row.args["head_dim"])
    else:
        heads = int(row.args["num_heads"])
        d_k = int(row.args["key_dim"])
        d_v = int(row.args.get("value_dim") or d_k)
    rank = len(query)
    axes_arg = row.args.get("attention_axes")
    if axes_arg is None:
        axes = list(range(1, rank - 1))
    else:
        listed = [axes_arg] if isinstance(axes_arg, int) else list(axes_arg)
        axes = sorted(a % rank for a in listed)
    groups = prod(query[i] for i in range(1, rank - 1) if i not in axes)
    q_len, k_len = prod(query[i] for i in axes), prod(key[i] for i in axes)
    out = []
    for term in _matrices(row):
        scope = term.scope or term.weight
        source = (
            query if scope.startswith(("query", "attention_output", "output")) else key if "key" in scope else value
        )
        out += _matmul_terms(row, prod(source[:-1]), "rows", [term])
    return out + _attention(query[0] * groups, heads, q_len, k_len, d_k, d_v)


@flops("Dot")
def _keras_dot(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """``batch_dot`` over one axis of each input: one bmm, 2·N·(x's sizes)·(y's sizes but the summed axis)."""
    x, y = _input(row, sizes), _input(row, sizes, 1)
    axes = row.args.get("axes")
    pair = [axes, axes] if isinstance(axes, int) else list(axes)  # type: ignore[arg-type]
    y_axis = int(pair[1]) % len(y)
    free = prod(y[1:]) // y[y_axis]
    n, width = x[0], prod(x[1:])
    return [FlopTerm("x·y (batch_dot)", "2·N·x·y/summed", _times(2, n, width, free), 2 * n * width * free)]


@flops("Attention", "AdditiveAttention")
def _keras_attention(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """Keras' Luong (``score_mode="dot"``: Q·Kᵀ by matmul) and Bahdanau attention, then A·V.

    AdditiveAttention and ``score_mode="concat"`` build the scores by broadcasting, tanh and
    a sum (not counted); the weighted sum of the values is one matmul.
    """
    query = _input(row, sizes)
    value = _input(row, sizes, 1)
    key = _input(row, sizes, 2) if len(row.input_shapes) > 2 else value
    n, q_len, k_len = query[0], prod(query[1:-1]), prod(key[1:-1])
    scores, weighted = _attention(n, 1, q_len, k_len, query[-1], value[-1])
    dot = row.class_name == "Attention" and row.args.get("score_mode", "dot") == "dot"
    return [scores, weighted] if dot else [weighted]


# --------------------------------------------------------------------------- transformers (HF)
def _hf_block(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """A transformer block: every projection on every token, and attention computed in full.

    transformers' attention (eager, or SDPA's math) multiplies the whole L × L score matrix
    and masks it: a causal or sliding-window mask hides products, it does not skip them.  A
    T5 decoder block (and a block with ``add_cross_attention``) attends twice: to itself and
    to the encoder's tokens, which ``--seq-len`` sets to the same length.
    """
    shape = _input(row, sizes)
    tokens = _rows(shape)
    n, length = shape[0], prod(shape[1:-1])
    symbols = dict(row.symbols)
    args = row.args
    matrices = [t for t in _matrices(row) if "relative_attention_bias" not in t.weight]
    out = _matmul_terms(row, tokens, "tokens", matrices)
    heads = symbols.get("heads") or args.get("n_head") or args.get("num_attention_heads") or args.get("num_heads")
    width = symbols.get("h") or args.get("n_embd") or args.get("hidden_size") or args.get("d_model")
    if not isinstance(heads, int) or not isinstance(width, int):
        raise Unknown
    d = symbols.get("head_dim") or symbols.get("d_kv") or args.get("d_kv") or width // heads
    attentions = 1 + int(bool(args.get("add_cross_attention")))
    if row.class_name == "T5Block" and args.get("is_decoder"):
        attentions += 1
    for index in range(attentions):
        where = " (cross-attention)" if index else ""
        out += [t._replace(name=t.name + where) for t in _attention(n, heads, length, length, d, d)]
    return out


def _hf_mlp(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """A transformers MLP or mixture of experts alone: its projections on every token (routed: k of E)."""
    return _matmul_terms(row, _rows(_input(row, sizes)), "tokens")


@flops("BertPooler", framework="transformers")
def _bert_pooler(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """BERT's pooler reads the first token only: one row per sequence."""
    return _matmul_terms(row, _input(row, sizes)[0], "N")


@flops("Linear", "BertLMPredictionHead", framework="transformers")
def _hf_linear(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """The LM head (BERT's: a dense transform, then the decoder): matmuls on every token."""
    return _matmul_terms(row, _rows(_input(row, sizes)), "tokens")


# --------------------------------------------------------------------------- public
def layer_flops(row: LayerRow, framework: str, sizes: Sizes = DEFAULT_SIZES) -> list[FlopTerm] | None:
    """A layer's FLOP terms (empty: no counted arithmetic), or None when unknown.

    Nested models sum their layers; a row standing for ``copies`` counts one copy here
    (:func:`row_total` multiplies).
    """
    if row.children:
        parts: list[FlopTerm] = []
        for child in row.children:
            inner = layer_flops(child, framework, sizes)
            if inner is None:
                return None
            parts += [t._replace(name=f"{child.name}: {t.name}") for t in inner]
        return parts
    if row.args.get("lora_rank"):
        return None  # Keras' built-in LoRA adds two matmuls not derived here
    if str(quantized_policy_name(row.args.get("dtype")) or "").startswith("int4"):
        return None  # keras2: a packed int4 kernel's terms are not the matmul's sizes
    fn = _FLOPS.get((framework, row.class_name))
    if fn is None and framework_of(framework).language_models:
        if row.class_name.endswith(("MLP", "LayerFF", "SparseMoeBlock")):
            fn = _hf_mlp
        elif row.class_name.endswith(("Layer", "Block", "Attention")):
            fn = _hf_block
    if fn is None:
        return [] if _no_matmul(row.class_name, framework) else None
    try:
        return fn(row, sizes)
    except (Unknown, KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


def _no_matmul(class_name: str, framework: str) -> bool:
    if class_name in NO_MATMUL.get(framework, ()):
        return True
    if framework_of(framework).language_models:
        return class_name.endswith(("RMSNorm", "LayerNorm", "Embedding", "Embeddings")) or class_name == "LayerNorm"
    from paramcalc.rules import find_rule

    try:
        module = find_rule(class_name, framework).fn.__module__.rsplit(".", 1)[-1]
    except Exception:  # noqa: BLE001 - an unknown class has no known FLOPs
        return False
    return module in NO_MATMUL_MODULES and class_name not in HAS_MATMUL


HAS_MATMUL = frozenset({"SpectralNormalization"})
"""Classes of a no-matmul module that do multiply (spectral norm's power iteration): unknown."""


def _mask_after(row: LayerRow, in_masks: Sequence[bool]) -> bool:
    """Whether a Keras layer's output carries a mask, from its rule's mask kind (the engine's ``_output_mask``)."""
    from paramcalc.rules import find_rule

    try:
        kind = find_rule(row.class_name).mask
    except Exception:  # noqa: BLE001 - a nested model or unknown class: no mask after it
        return False
    first = bool(in_masks) and in_masks[0]
    if kind == "embedding":
        return bool(row.args.get("mask_zero"))
    if kind == "masking":
        return True
    if kind == "keep":
        return first
    if kind == "sequences":
        return (
            first and bool(row.outputs) and bool(row.input_shapes) and len(row.outputs[0]) == len(row.input_shapes[0])
        )
    if kind == "merge":
        return bool(in_masks) and all(in_masks)
    if kind == "concatenate":
        return any(in_masks)
    return False


def _ref_name(ref: str) -> str:
    """``lstm`` of a graph reference ``lstm``, ``lstm[1]`` or ``lstm[0][1]``."""
    return ref.split("[", 1)[0]


def row_total(row: LayerRow, framework: str, sizes: Sizes = DEFAULT_SIZES) -> int | None:
    """FLOPs of a row, all its copies (``LlamaDecoderLayer × 32``) and calls; None when unknown.

    A shared layer called twice computes twice (its weights count once); its calls are
    assumed to see its first call's shapes.
    """
    terms = layer_flops(row, framework, sizes)
    return None if terms is None else sum(t.flops for t in terms) * row.repeat * max(row.calls, 1)


def report_flops(report: Report, sizes: Sizes = DEFAULT_SIZES) -> tuple[list[int | None], int | None]:
    """Per-row FLOPs and the model's total (None if any layer is unknown)."""
    per_row, total, _ = _walk(report, sizes)
    return per_row, total


def _walk(report: Report, sizes: Sizes) -> tuple[list[int | None], int | None, int | None]:
    """One pass over the rows: each row's FLOPs, the total and the attention part (None: unknown).

    Rows of identical layers share their bound arguments (the engine counts each distinct
    layer once), so each distinct (arguments, shapes, mask) is derived once: a generated
    100,000-layer spec costs a handful of derivations.
    """
    memo: dict[tuple[object, ...], tuple[tuple[int, int] | None, bool]] = {}
    per_row: list[int | None] = []
    total: int | None = 0
    attention: int | None = 0
    masked = False
    keras = framework_of(report.framework).masks
    masks: dict[str, bool] = {}  # graphs: whether each layer's output carries a Keras mask
    for row in report.layers:
        in_masks = (masks.get(_ref_name(ref), False) for ref in row.inputs) if report.graph else (masked,)
        mask_key = tuple(in_masks)
        key: tuple[object, ...] = (
            id(row.args),
            row.class_name,
            row.input_shapes,
            row.outputs,
            id(row.terms),
            mask_key,
            row.children,
        )
        try:
            entry = memo.get(key)
        except TypeError:  # an unhashable shape or child: derive this row on its own
            entry, key = None, ()
        if entry is None:
            masked = bool(mask_key) and mask_key[0]
            terms = layer_flops(row, report.framework, sizes._replace(masked=masked))
            sums = (
                None
                if terms is None
                else (sum(t.flops for t in terms), sum(t.flops for t in terms if t.name.startswith(("Q·Kᵀ", "A·V"))))
            )
            entry = (sums, _mask_after(row, mask_key) if keras else False)
            if key:
                memo[key] = entry
        found, masked = entry
        if keras and report.graph:
            masks[row.name] = masked
        if found is None:
            per_row.append(None)
            total = attention = None
        else:
            times = row.repeat * max(row.calls, 1)
            per_row.append(found[0] * times)
            if total is not None and attention is not None:
                total += found[0] * times
                attention += found[1] * times
    return per_row, total, attention


class FlopReport(NamedTuple):
    """A model's FLOPs for one rendering: one value per row shown (None: unknown), the total, the sizes."""

    rows: list[int | None]
    total: int | None
    sizes: Sizes
    attention: int | None
    """FLOPs of the attention matmuls (Q·Kᵀ, A·V) in the total: the part that grows with L²."""
    llm: bool = False
    """A transformers model: the per-token LLM estimates apply."""


def summarize(report: Report, sizes: Sizes = DEFAULT_SIZES, expand_nested: bool = False) -> FlopReport:
    """FLOPs of every row ``report.rows(expand_nested)`` shows, and of the whole model."""
    per_top, total, attention = _walk(report, sizes)
    llm = framework_of(report.framework).language_models
    if not expand_nested:
        return FlopReport(per_top, total, sizes, attention, llm)
    by_id = {id(row): f for row, f in zip(report.layers, per_top, strict=True)}
    rows = [
        by_id[id(row)] if id(row) in by_id else row_total(row, report.framework, sizes)
        for row in report.rows(expand_nested)
    ]
    return FlopReport(rows, total, sizes, attention, llm)


def readable_flops(value: int) -> str:
    """``7.70 MFLOPs``: decimal steps (k, M, G, T, P), as FLOP rates are quoted."""
    for unit, step in (("P", 10**15), ("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if value >= step:
            return f"{value / step:.2f} {unit}FLOPs"
    return f"{value} FLOPs"


def where(sizes: Sizes) -> str:
    """``batch 1`` or ``batch 1 × 2048 tokens``."""
    return f"batch {sizes.batch}" + (f" × {sizes.seq_len:,} tokens" if sizes.seq_len is not None else "")


class Shortcut(NamedTuple):
    """One LLM rule of thumb, derived from the exact counts and labeled: key, label, value, how."""

    key: str
    label: str
    value: int
    how: str


def llm_shortcuts(flops: FlopReport, tokens: int | None = None) -> list[Shortcut]:
    """Forward FLOPs per token, and training compute ≈ 6·N·D, with and without attention.

    N is the number of weights each token multiplies by (the matmul FLOPs per token / 2:
    routed experts count k of E; an embedding look-up multiplies nothing).  Training is the
    forward pass plus a backward pass of twice its FLOPs: 3 × forward = 6·N per token, plus
    3 × the attention FLOPs per token, which grow with the sequence length (Kaplan et al. 2020,
    "Scaling Laws for Neural Language Models", §2.1).
    """
    sizes = flops.sizes
    if not flops.llm or flops.total is None or flops.attention is None or sizes.seq_len is None:
        return []
    per = sizes.batch * sizes.seq_len
    forward = flops.total // per
    attention = flops.attention // per
    n = (flops.total - flops.attention) // (2 * per)
    out = [
        Shortcut(
            "forward_flops_per_token",
            "Forward FLOPs per token",
            forward,
            f"{flops.total:,} / ({sizes.batch} × {sizes.seq_len:,} tokens)",
        ),
        Shortcut(
            "matmul_params_per_token", "Weights each token multiplies (N)", n, "(forward − attention) / 2 per token"
        ),
        Shortcut(
            "attention_flops_per_token",
            "Attention FLOPs per token",
            attention,
            f"Q·Kᵀ and A·V at {sizes.seq_len:,} tokens",
        ),
    ]
    if tokens is not None:
        out.append(
            Shortcut(
                "training_flops_6nd",
                "Training FLOPs ≈ 6·N·D",
                6 * n * tokens,
                "6 × N × D, an estimate: backward = 2 × forward",
            )
        )
        out.append(
            Shortcut(
                "training_flops_with_attention",
                "Training FLOPs ≈ 6·N·D + 3·attention·D",
                (6 * n + 3 * attention) * tokens,
                "(6 × N + 3 × attention per token) × D, an estimate",
            )
        )
    return out
