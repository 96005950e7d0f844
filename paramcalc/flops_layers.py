"""FLOP formulas of the Keras and torch.nn layers (registered with :func:`paramcalc.flops.flops`).

Why a module of its own: the formulas are many, the registry and the walk over a report are
few; each formula says which FlopCounterMode ops its layer runs (see :mod:`paramcalc.flops`).
"""

from __future__ import annotations

from math import prod
from typing import TYPE_CHECKING, Any

from paramcalc.flops import (
    _FLOPS,
    FlopFn,
    FlopTerm,
    Sizes,
    Unknown,
    _attention,
    _fill,
    _input,
    _matmul_terms,
    _matrices,
    _no_matmul,
    _output,
    _rows,
    _times,
    flops,
)

if TYPE_CHECKING:
    from paramcalc.report import LayerRow, Shape


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
