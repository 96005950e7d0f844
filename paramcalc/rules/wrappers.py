"""Keras wrappers: Bidirectional, TimeDistributed and RNN (``keras/src/layers/rnn``).

A wrapper holds another layer, given as its ``layer`` argument in any spec form
(``{LSTM: 64}``, ``LSTM(64)`` inline, or ``Flatten``).  Its count is the inner layer's,
computed by the inner layer's own rule, with the weights re-scoped the way Keras paths
them: ``forward_lstm/lstm_cell/kernel`` and ``backward_lstm/...`` in a Bidirectional,
``dense/kernel`` in a TimeDistributed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from paramcalc.errors import LayerError
from paramcalc.report import Shape, Term
from paramcalc.rules import Args, Inner, Outcome, rule, run_inner

_SYMBOL = re.compile(r"[A-Za-z_]\w*")


def _scoped(inner: Inner, scope: str) -> list[Term]:
    """The inner layer's terms under ``scope`` (its own sub-scopes, like ``lstm_cell``, kept)."""
    return [replace(t, scope=f"{scope}/{t.scope}" if t.scope else scope) for t in inner.terms]


def _legend(inner: Inner) -> dict[str, str]:
    return {**inner.outcome.legend, **inner.rule.legend}


def _rename(text: str, mapping: Mapping[str, str]) -> str:
    return _SYMBOL.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)


def _flag(inner: Inner, key: str) -> bool:
    value = inner.args.get(key, False)
    return bool(value)


@rule(
    "Bidirectional",
    "layer",
    ("merge_mode", "concat"),
    ("weights", None),
    ("backward_layer", None),
    layer_args=("layer", "backward_layer"),
    mask="sequences",
    mask_arg=True,
)
def bidirectional(args: Args, x: Shape) -> Outcome:
    """Runs the recurrent layer twice, forwards and backwards over the sequence, with two
    independent copies of its weights: twice the inner layer's count. The outputs are
    merged: concat doubles the last axis, sum/ave/mul keep it, None returns both.
    """
    merge = args.choice("merge_mode", ("sum", "mul", "ave", "concat", None))
    if args["weights"] is not None:
        raise LayerError("'weights' (initial values) cannot be counted from a spec; leave it out")
    forward = run_inner(args, "layer", [x])
    if "go_backwards" not in forward.rule.positional:
        raise LayerError(
            f"Bidirectional wraps a recurrent layer (one with go_backwards), got {forward.rule.name}",
            hint="e.g. Bidirectional(LSTM(64)); use TimeDistributed to apply a layer at every step",
        )
    forward_name = f"forward_{forward.name.removeprefix('forward_')}"
    if args["backward_layer"] is None:
        backward = run_inner(args, "layer", [x], overrides={"go_backwards": True})
        backward_name = f"backward_{forward.name.removeprefix('backward_')}"
    else:
        backward = run_inner(args, "backward_layer", [x])
        backward_name = backward.name
        if "go_backwards" not in backward.rule.positional:
            raise LayerError(f"backward_layer must be a recurrent layer, got {backward.rule.name}")
    if _flag(forward, "go_backwards") == _flag(backward, "go_backwards"):
        raise LayerError(
            "the forward and backward layers must differ in go_backwards, both have "
            f"go_backwards={_flag(forward, 'go_backwards')}",
            hint="give the backward_layer go_backwards=True (and the layer go_backwards=False)",
        )
    for key in ("stateful", "return_sequences", "return_state"):
        if _flag(forward, key) != _flag(backward, key):
            raise LayerError(
                f"the forward and backward layers must agree on {key}: {_flag(forward, key)} and {_flag(backward, key)}"
            )
    outputs = forward.outcome.outputs
    output, states = outputs[0], outputs[1:]
    if merge == "concat":
        last = output[-1]
        output = (*output[:-1], None if last is None else 2 * last)
    merged: tuple[Shape, ...] = (output, output) if merge is None else (output,)
    shapes = (*merged, *states, *states) if _flag(forward, "return_state") else ()
    if merge is None and not shapes:
        shapes = merged
    terms = _scoped(forward, forward_name) + _scoped(backward, backward_name)
    formula, symbols = forward.outcome.formula, dict(forward.outcome.symbols)
    legend = _legend(forward)
    gate_names = forward.outcome.gate_names
    if args["backward_layer"] is None:
        formula = f"2*({formula})" if formula is not None else None
    else:
        mapping = {key: f"{key}_b" for key in backward.outcome.symbols}
        symbols.update({mapping[k]: v for k, v in backward.outcome.symbols.items()})
        back_formula = backward.outcome.formula
        formula = f"({formula})+({_rename(back_formula, mapping)})" if formula and back_formula else None
        count = len(forward.terms)
        terms[count:] = [
            replace(t, dims=tuple(_rename(d, mapping) for d in t.dims) if t.dims else None) for t in terms[count:]
        ]
        legend.update({mapping[k]: f"{v} (backward layer)" for k, v in _legend(backward).items() if k in mapping})
        if backward.outcome.gate_names != gate_names:
            gate_names = ()
    return Outcome(
        shape=None if shapes else output,
        shapes=shapes,
        terms=terms,
        formula=formula,
        symbols=symbols,
        gate_names=gate_names,
        legend=legend,
    )


@rule(
    "TimeDistributed",
    "layer",
    layer_args=("layer",),
    min_rank=2,
    expects="(timesteps, ...)",
    mask="keep",
    mask_arg=True,
)
def time_distributed(args: Args, x: Shape) -> Outcome:
    """Applies the same inner layer at every time step: one set of weights shared by all
    steps, so exactly the inner layer's count. The inner layer sees one step, the input
    without its time axis.
    """
    inner = run_inner(args, "layer", [x[1:]])
    if len(inner.outcome.outputs) != 1:
        raise LayerError(f"TimeDistributed cannot wrap {inner.rule.name} returning several outputs")
    step = inner.outcome.outputs[0]
    return Outcome(
        shape=(x[0], *step),
        terms=_scoped(inner, inner.name),
        formula=inner.outcome.formula,
        symbols=dict(inner.outcome.symbols),
        gate_names=inner.outcome.gate_names,
        legend=_legend(inner),
    )


@rule(
    "RNN",
    "cell",
    ("return_sequences", False, Args.flag),
    ("return_state", False, Args.flag),
    ("go_backwards", False, Args.flag),
    ("stateful", False, Args.flag),
    ("unroll", False, Args.flag),
    ("zero_output_for_mask", False, Args.flag),
    layer_args=("cell",),
    min_rank=2,
    max_rank=2,
    expects="(timesteps, features)",
    mask="sequences",
    mask_arg=True,
)
def rnn(args: Args, x: Shape) -> Outcome:
    """Runs a cell (LSTMCell, GRUCell, SimpleRNNCell, or a list of them stacked) over the
    time steps with one set of weights: exactly the cell's count. LSTM(n) is RNN(LSTMCell(n)).
    """
    cell = run_inner(args, "cell", [x[1:]])
    if not cell.rule.name.endswith(("Cell", "Cells")):
        raise LayerError(
            f"RNN runs a recurrent cell such as LSTMCell(64), got {cell.rule.name}",
            hint="for a whole recurrent layer write LSTM(64) directly",
        )
    output, *states = cell.outcome.outputs
    if args.flag("return_sequences"):
        output = (x[0], *output)
    return Outcome(
        shape=None if args.flag("return_state") else output,
        shapes=(output, *states) if args.flag("return_state") else (),
        terms=_scoped(cell, cell.name),
        formula=cell.outcome.formula,
        symbols=dict(cell.outcome.symbols),
        gate_names=cell.outcome.gate_names,
        legend=_legend(cell),
    )


@rule("StackedRNNCells", "cells", layer_args=("cells",), min_rank=1, max_rank=1, expects="(features,)")
def stacked_rnn_cells(args: Args, x: Shape) -> Outcome:
    """Cells run one after the other at each step, each reading the previous one's output:
    the sum of the cells' counts. Its output is the last cell's; its states all the cells'.
    """
    cells = args["cells"]
    if not isinstance(cells, (list, tuple)) or not cells:
        raise LayerError("'cells' must be a non-empty list of cells such as [LSTMCell(32), LSTMCell(32)]")
    shape, terms, states, formulas, symbols = x, [], [], [], {}
    for position, value in enumerate(cells):
        cell = run_inner(args, "cells", [shape], value=value)
        mapping = {key: f"{key}_{position + 1}" for key in cell.outcome.symbols}
        symbols.update({mapping[k]: v for k, v in cell.outcome.symbols.items()})
        formulas.append(f"({_rename(cell.outcome.formula, mapping)})" if cell.outcome.formula else None)
        terms += [
            replace(t, dims=tuple(_rename(d, mapping) for d in t.dims) if t.dims else None)
            for t in _scoped(cell, cell.name)
        ]
        shape, *cell_states = cell.outcome.outputs
        states += cell_states
    formula = "+".join(f for f in formulas if f) if all(formulas) else None
    return Outcome(shapes=(shape, *states), terms=terms, formula=formula, symbols=symbols)
