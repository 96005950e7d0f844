"""Keras convolutional recurrent layers: ConvLSTM1D, ConvLSTM2D, ConvLSTM3D.

An LSTM whose four gates are convolutions instead of matrix products
(``keras/src/layers/rnn/conv_lstm.py``).  The cell's weights, named as Keras names
them, pack the gates (i, f, c, o) along the last axis:

- ``kernel`` = kernel_size + (channels, 4·filters): input to gates
- ``recurrent_kernel`` = kernel_size + (filters, 4·filters): state to gates
- ``bias`` = (4·filters,)

The input is a sequence of images, ``(time, *spatial, channels)``; the state is the
input convolution's output, so strides and padding shape it while the recurrent
convolution always pads ``same``.
"""

from __future__ import annotations

from paramcalc.errors import LayerError
from paramcalc.report import Shape, Term
from paramcalc.rules import REQUIRED, Args, Outcome, Param, rule
from paramcalc.rules.convolutional import KERNEL_LEGEND, KERNEL_SYMBOLS, channels_of, conv_spatial, window
from paramcalc.rules.core import check_activation
from paramcalc.rules.recurrent import _CELL_OPTIONS, _REGULARIZERS, _SEQUENCE_OPTIONS
from paramcalc.shapes import format_shape, join_channels

CELL = "conv_lstm_cell"
"""Keras keeps the weights in the layer's cell: ``conv_lstm1d/conv_lstm_cell/kernel``."""

_AXES = {1: "(time, steps, channels)", 2: "(time, rows, cols, channels)", 3: "(time, dim1, dim2, dim3, channels)"}


_FLAGS: tuple[Param, ...] = tuple((k, v) if k == "unroll" else (k, v, Args.flag) for k, v in _SEQUENCE_OPTIONS)
"""The sequence options, all but unroll checked (as flags) before the formula runs."""


def _register(rank: int) -> None:
    @rule(
        f"ConvLSTM{rank}D",
        ("filters", REQUIRED, Args.positive_int),
        "kernel_size",
        ("strides", 1),
        ("padding", "valid"),
        ("data_format", None),
        ("dilation_rate", 1),
        ("activation", "tanh", check_activation),
        ("recurrent_activation", "sigmoid", check_activation),
        ("use_bias", True, Args.flag),
        *_CELL_OPTIONS,
        ("unit_forget_bias", True, Args.flag),
        *_REGULARIZERS,  # dropout and recurrent_dropout: checked by the formula, after the flags below
        ("seed", None),
        *_FLAGS,
        ("zero_output_for_mask", False),
        legend=KERNEL_LEGEND,
        min_rank=rank + 2,
        max_rank=rank + 2,
        expects=_AXES[rank],
        mask="sequences",
        mask_arg=True,
    )
    def conv_lstm(args: Args, x: Shape) -> Outcome:
        """An LSTM whose gates are convolutions. Each of the four gates (input, forget,
        cell, output) convolves the input (a window of k positions over c channels) and
        the previous state (the same window over f channels) into f maps, plus a bias:
        per gate k·c·f + k·f·f + f, so 4·f·(k·c + k·f + 1) for the layer, where k is the
        product of the window's sides.
        """
        filters = args.positive_int("filters")
        args.number("dropout")
        args.number("recurrent_dropout")
        win = window(args, rank)
        step = x[1:]
        channels, spatial = channels_of(step, win.data_format)
        if any(d is None for d in spatial):
            raise LayerError(
                f"needs known spatial sizes, got input {format_shape(x)}",
                hint="ConvLSTM layers only support static spatial shapes; only the time axis may be None",
            )
        state = join_channels(filters, conv_spatial(win, x, spatial), win.data_format)
        ks = KERNEL_SYMBOLS[rank]
        k = "*".join(ks)
        terms = [
            Term("W_x", "kernel", (*win.size, channels, 4 * filters), (*ks, "c", "4*f"), gates=4, scope=CELL),
            Term("W_h", "recurrent_kernel", (*win.size, filters, 4 * filters), (*ks, "f", "4*f"), gates=4, scope=CELL),
        ]
        if args.flag("use_bias"):
            terms.append(Term("b", "bias", (4 * filters,), ("4*f",), gates=4, scope=CELL))
            formula = f"4*f*({k}*c+{k}*f+1)"
        else:
            formula = f"4*f*({k}*c+{k}*f)"
        output: Shape = (x[0], *state) if args.flag("return_sequences") else state
        shapes: tuple[Shape, ...] = (output, state, state) if args.flag("return_state") else ()
        symbols = {**dict(zip(ks, win.size, strict=True)), "c": channels, "f": filters}
        return Outcome(
            shape=output,
            shapes=shapes,
            terms=terms,
            formula=formula,
            symbols=symbols,
            gate_names=("input", "forget", "cell", "output"),
        )


for _rank in (1, 2, 3):
    _register(_rank)
