"""Keras recurrent layers: SimpleRNN, LSTM, GRU.

Keras 3 keeps the weights in the layer's cell (``keras/src/layers/rnn``), a sub-layer
named ``lstm_cell`` (``gru_cell``, ``simple_rnn_cell``), which is the terms' scope: ``kernel``
(input to gates), ``recurrent_kernel`` (state to gates) and ``bias``, with the gates of
an LSTM (i, f, c, o) or GRU (z, r, h) packed side by side along the last axis.  A GRU
with ``reset_after=True`` (the Keras 3 default, the cuDNN-compatible variant) keeps two
biases, input and recurrent, as a bias of shape (2, 3n).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from paramcalc.report import Shape, Term
from paramcalc.rules import Args, Outcome, Param, RuleFn, rule
from paramcalc.rules.binding import between
from paramcalc.shapes import last_axis

_CELL_OPTIONS: tuple[tuple[str, object], ...] = (
    ("kernel_initializer", "glorot_uniform"),
    ("recurrent_initializer", "orthogonal"),
    ("bias_initializer", "zeros"),
)
_REGULARIZERS: tuple[tuple[str, object], ...] = (
    ("kernel_regularizer", None),
    ("recurrent_regularizer", None),
    ("bias_regularizer", None),
    ("activity_regularizer", None),
    ("kernel_constraint", None),
    ("recurrent_constraint", None),
    ("bias_constraint", None),
    ("dropout", 0.0),
    ("recurrent_dropout", 0.0),
)
_SEQUENCE_OPTIONS: tuple[tuple[str, object], ...] = (
    ("return_sequences", False),
    ("return_state", False),
    ("go_backwards", False),
    ("stateful", False),
    ("unroll", False),
)
_MASK_OUTPUT: tuple[str | tuple[str, object], ...] = ("*", ("zero_output_for_mask", False))
"""keras.layers.RNN's argument, reached through ``**kwargs`` (keyword only); in every saved config."""
_LEGEND = {"m": "input features, the last input axis", "n": "units, the state size"}
_LSTM_GATES = ("input", "forget", "cell", "output")
_GRU_GATES = ("update", "reset", "candidate")
_EXPECTS = "(timesteps, features)"


def _outputs(args: Args, x: Shape, n: int, states: int) -> tuple[Shape, tuple[Shape, ...]]:
    """Output shape and, with ``return_state``, the list [output, *states] (``RNN.compute_output_shape``)."""
    for key in ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "use_bias"):
        if key in args.values:
            args.flag(key)
    args.number("dropout", 0.0, 1.0)
    args.number("recurrent_dropout", 0.0, 1.0)
    output: Shape = (x[0], n) if args.flag("return_sequences") else (n,)
    if args.flag("return_state"):
        return output, (output, *([(n,)] * states))
    return output, ()


@rule(
    "SimpleRNN",
    "units",
    ("activation", "tanh"),
    ("use_bias", True),
    *_CELL_OPTIONS,
    *_REGULARIZERS,
    *_SEQUENCE_OPTIONS,
    ("seed", None),
    *_MASK_OUTPUT,
    legend=_LEGEND,
    min_rank=2,
    max_rank=2,
    expects=_EXPECTS,
    mask="sequences",
    mask_arg=True,
)
def simple_rnn(args: Args, x: Shape) -> Outcome:
    """The new state is tanh(W_x·x + W_h·h + b): the input weights (m·n), the state
    feeding back into itself (n·n) and a bias (n), so n·(n+m+1).
    """
    n = args.positive_int("units")
    terms, formula = _simple_rnn_terms(args, last_axis(x), n, "simple_rnn_cell")
    shape, shapes = _outputs(args, x, n, 1)
    return Outcome(shape=shape, shapes=shapes, terms=terms, formula=formula, symbols={"m": last_axis(x), "n": n})


@rule(
    "LSTM",
    "units",
    ("activation", "tanh"),
    ("recurrent_activation", "sigmoid"),
    ("use_bias", True),
    *_CELL_OPTIONS,
    ("unit_forget_bias", True),
    *_REGULARIZERS,
    ("seed", None),
    *_SEQUENCE_OPTIONS,
    ("use_cudnn", "auto"),
    *_MASK_OUTPUT,
    legend=_LEGEND,
    min_rank=2,
    max_rank=2,
    expects=_EXPECTS,
    mask="sequences",
    mask_arg=True,
)
def lstm(args: Args, x: Shape) -> Outcome:
    """Four gates (input, forget, cell, output); each reads the input (m) and the previous
    state (n) and has a bias, so each gate holds m·n + n·n + n and the layer 4·n·(n+m+1).
    Keras packs the four gates side by side: kernel (m, 4n), recurrent_kernel (n, 4n).
    """
    n = args.positive_int("units")
    terms, formula = _lstm_terms(args, last_axis(x), n, "lstm_cell")
    shape, shapes = _outputs(args, x, n, 2)
    return Outcome(
        shape=shape,
        shapes=shapes,
        terms=terms,
        formula=formula,
        symbols={"m": last_axis(x), "n": n},
        gate_names=_LSTM_GATES,
    )


@rule(
    "GRU",
    "units",
    ("activation", "tanh"),
    ("recurrent_activation", "sigmoid"),
    ("use_bias", True),
    *_CELL_OPTIONS,
    *_REGULARIZERS,
    ("seed", None),
    *_SEQUENCE_OPTIONS,
    ("reset_after", True),
    ("use_cudnn", "auto"),
    *_MASK_OUTPUT,
    legend=_LEGEND,
    min_rank=2,
    max_rank=2,
    expects=_EXPECTS,
    mask="sequences",
    mask_arg=True,
)
def gru(args: Args, x: Shape) -> Outcome:
    """Three gates (update, reset, candidate), each reading the input (m) and the previous
    state (n). With reset_after=True (the Keras 3 default) the reset gate is applied after
    the recurrent product, so the input and recurrent parts keep separate biases: bias
    (2, 3n) and 3·n·(n+m+2). With reset_after=False one bias: 3·n·(n+m+1).
    """
    n = args.positive_int("units")
    terms, formula = _gru_terms(args, last_axis(x), n, "gru_cell")
    shape, shapes = _outputs(args, x, n, 1)
    return Outcome(
        shape=shape,
        shapes=shapes,
        terms=terms,
        formula=formula,
        symbols={"m": last_axis(x), "n": n},
        gate_names=_GRU_GATES,
    )


def _simple_rnn_terms(args: Args, m: int, n: int, scope: str) -> tuple[list[Term], str]:
    terms = [
        Term("W_x", "kernel", (m, n), ("m", "n"), scope=scope),
        Term("W_h", "recurrent_kernel", (n, n), ("n", "n"), scope=scope),
    ]
    if args.flag("use_bias"):
        terms.append(Term("b", "bias", (n,), ("n",), scope=scope))
        return terms, "n*(n+m+1)"
    return terms, "n*(n+m)"


def _lstm_terms(args: Args, m: int, n: int, scope: str) -> tuple[list[Term], str]:
    terms = [
        Term("W_x", "kernel", (m, 4 * n), ("m", "4*n"), gates=4, scope=scope),
        Term("W_h", "recurrent_kernel", (n, 4 * n), ("n", "4*n"), gates=4, scope=scope),
    ]
    args.flag("unit_forget_bias")
    if args.flag("use_bias"):
        terms.append(Term("b", "bias", (4 * n,), ("4*n",), gates=4, scope=scope))
        return terms, "4*n*(n+m+1)"
    return terms, "4*n*(n+m)"


def _gru_terms(args: Args, m: int, n: int, scope: str) -> tuple[list[Term], str]:
    terms = [
        Term("W_x", "kernel", (m, 3 * n), ("m", "3*n"), gates=3, scope=scope),
        Term("W_h", "recurrent_kernel", (n, 3 * n), ("n", "3*n"), gates=3, scope=scope),
    ]
    bias = args.flag("use_bias")
    reset_after = args.flag("reset_after")
    if bias and reset_after:
        terms.append(Term("b", "bias", (2, 3 * n), ("2", "3*n"), gates=3, scope=scope))
        return terms, "3*n*(n+m+2)"
    if bias:
        terms.append(Term("b", "bias", (3 * n,), ("3*n",), gates=3, scope=scope))
        return terms, "3*n*(n+m+1)"
    return terms, "3*n*(n+m)"


# ---------------------------------------------------------------------------- cells
# The cells hold the weights; keras.layers.RNN (rules/wrappers.py) runs one over time.
# A cell reads one step, (features,), and returns its output and its new states.
_CELL_REGULARIZERS: tuple[Param, ...] = (
    ("kernel_regularizer", None),
    ("recurrent_regularizer", None),
    ("bias_regularizer", None),
    ("kernel_constraint", None),
    ("recurrent_constraint", None),
    ("bias_constraint", None),
    ("dropout", 0.0, between(0.0, 1.0)),  # a cell checks these first, before units
    ("recurrent_dropout", 0.0, between(0.0, 1.0)),
)
_CELL_LEGEND = {"m": "input features of one step", "n": "units, the state size"}
F = TypeVar("F", bound=RuleFn)
_GATED_HEAD: tuple[tuple[str, object], ...] = (
    ("activation", "tanh"),
    ("recurrent_activation", "sigmoid"),
    ("use_bias", True),
    *_CELL_OPTIONS,
)


def _cell_rule(name: str, *params: Param) -> Callable[[F], F]:
    """Register a cell: its constructor's arguments, one step (features,) as input."""
    return rule(
        name, "units", *params, ("seed", None), legend=_CELL_LEGEND, min_rank=1, max_rank=1, expects="(features,)"
    )


def _cell(args: Args, x: Shape, states: int) -> tuple[int, int, tuple[Shape, ...]]:
    """(m, n, outputs): a cell returns its output then each of its ``states``, all (n,)."""
    n = args.positive_int("units")
    return last_axis(x), n, ((n,),) * (1 + states)


@_cell_rule("SimpleRNNCell", ("activation", "tanh"), ("use_bias", True), *_CELL_OPTIONS, *_CELL_REGULARIZERS)
def simple_rnn_cell(args: Args, x: Shape) -> Outcome:
    """The cell of SimpleRNN (one step): input weights (m·n), recurrent weights (n·n) and a
    bias (n), so n·(n+m+1).
    """
    m, n, shapes = _cell(args, x, 1)
    terms, formula = _simple_rnn_terms(args, m, n, "")
    return Outcome(shapes=shapes, terms=terms, formula=formula, symbols={"m": m, "n": n})


@_cell_rule("LSTMCell", *_GATED_HEAD, ("unit_forget_bias", True), *_CELL_REGULARIZERS)
def lstm_cell(args: Args, x: Shape) -> Outcome:
    """The cell of LSTM (one step): four gates, each m·n + n·n + n, so 4·n·(n+m+1); its
    states are the output h and the carry c.
    """
    m, n, shapes = _cell(args, x, 2)
    terms, formula = _lstm_terms(args, m, n, "")
    return Outcome(shapes=shapes, terms=terms, formula=formula, symbols={"m": m, "n": n}, gate_names=_LSTM_GATES)


@_cell_rule("GRUCell", *_GATED_HEAD, *_CELL_REGULARIZERS, ("reset_after", True))
def gru_cell(args: Args, x: Shape) -> Outcome:
    """The cell of GRU (one step): three gates; with reset_after (the default) two biases,
    3·n·(n+m+2), else 3·n·(n+m+1).
    """
    m, n, shapes = _cell(args, x, 1)
    terms, formula = _gru_terms(args, m, n, "")
    return Outcome(shapes=shapes, terms=terms, formula=formula, symbols={"m": m, "n": n}, gate_names=_GRU_GATES)
