"""``torch.nn`` recurrent modules: RNN, LSTM, GRU and their cells.

Follows ``torch/nn/modules/rnn.py`` (``RNNBase.__init__``): for every layer k and direction
(``_reverse`` for the backward one) torch registers ``weight_ih_l{k}`` (gates·hidden, input),
``weight_hh_l{k}`` (gates·hidden, h), ``bias_ih_l{k}``, ``bias_hh_l{k}`` and, with
``proj_size``, ``weight_hr_l{k}`` (proj, hidden).  The gates are stacked along the *first*
axis.  Two bias vectors per gate where one would do: the second is "included for CuDNN
compatibility" (torch's own comment), which is why a torch LSTM has 4n more parameters than
the same Keras LSTM.
"""

from __future__ import annotations

from typing import Any

from paramcalc.errors import LayerError
from paramcalc.report import Shape, Term, Tree
from paramcalc.rules import Args, Outcome, Param
from paramcalc.rules.binding import one_of
from paramcalc.rules.torch_common import Maybe, check_axis, check_rank, check_tensor_count, torch_rule

_LEGEND = {
    "m": "input_size, the last input axis",
    "n": "hidden_size, the state size",
    "p": "proj_size, the projected state size",
    "L": "num_layers",
    "D": "directions (2: bidirectional)",
}
_GATES = {
    "RNN": (1, ()),
    "LSTM": (4, ("input", "forget", "cell", "output")),
    "GRU": (3, ("reset", "update", "new")),
}


_NONLINEARITY: Param = ("nonlinearity", "tanh", one_of("tanh", "relu"))  # the first argument RNNs check


def _batch_axis(args: Args) -> int:
    """Where a spec's input gets its batch axis: 0 with batch_first, else 1 (L, N, H_in)."""
    return 0 if args.flag("batch_first") else 1


def _check_common(args: Args, kind: str) -> tuple[int, int, int, bool, int]:
    """Validate as ``RNNBase.__init__`` does; returns (m, n, layers, bias, proj)."""
    m = args.positive_int("input_size")
    n = args.positive_int("hidden_size")
    layers = args.positive_int("num_layers")
    bias = args.flag("bias")
    args.flag("batch_first")
    args.flag("bidirectional")
    value = args["dropout"]
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
        raise LayerError(
            f"dropout should be a number in range [0, 1] representing the probability of an element being zeroed,"
            f" got {value!r}"
        )
    if kind != "LSTM" and "proj_size" in args.layer.kwargs:
        # torch's RNN/GRU refuse the keyword (any value) but pass a 9th positional argument
        # on to RNNBase, which builds the projection weights all the same.
        raise LayerError("proj_size argument is only supported for LSTM, not RNN or GRU")
    proj = args.integer("proj_size", minimum=0)
    if proj >= n:
        raise LayerError(f"proj_size has to be smaller than hidden_size (got proj_size={proj}, hidden_size={n})")
    return m, n, layers, bias, proj


def _formula(gates: int, layers: int, dirs: int, bias: bool, proj: int) -> str:
    """Σ over layers and directions of gates·n·(input + h + 2) (+ p·n with a projection)."""
    h = "p" if proj else "n"
    gn = f"{gates}*n" if gates > 1 else "n"
    extra = "+2" if bias else ""

    def block(inp: str) -> str:
        core = f"{gn}*({inp}+{h}{extra})"
        return f"({core}+p*n)" if proj else core

    d = "D*" if dirs > 1 else ""
    text = f"{d}{block('m')}"
    if layers > 1:
        text += f"+(L-1)*{d}{block(f'D*{h}' if dirs > 1 else h)}"
    return text


def _gated(symbol: str, weight: str, shape: tuple[int, ...], dims: tuple[str, ...], gates: int) -> Term:
    """A term whose first axis stacks the gates (torch's layout)."""
    return Term(symbol, weight, shape, dims, gates=gates, gate_axis=0)


def _terms(gates: int, m: int, n: int, layers: int, dirs: int, bias: bool, proj: int) -> list[Term]:
    h_dim = "p" if proj else "n"
    g_dim = f"{gates}*n" if gates > 1 else "n"
    h = proj or n
    terms = []
    for layer in range(layers):
        width, w_dim = (m, "m") if layer == 0 else (h * dirs, f"D*{h_dim}" if dirs > 1 else h_dim)
        for direction in range(dirs):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            terms.append(_gated("W_ih", f"weight_ih{suffix}", (gates * n, width), (g_dim, w_dim), gates))
            terms.append(_gated("W_hh", f"weight_hh{suffix}", (gates * n, h), (g_dim, h_dim), gates))
            if bias:
                terms.append(_gated("b_ih", f"bias_ih{suffix}", (gates * n,), (g_dim,), gates))
                terms.append(_gated("b_hh", f"bias_hh{suffix}", (gates * n,), (g_dim,), gates))
            if proj:
                terms.append(Term("W_hr", f"weight_hr{suffix}", (proj, n), ("p", "n")))
    return terms


def _sequence(kind: str, args: Args, x: Maybe) -> Outcome:
    gates, names = _GATES[kind]
    m, n, layers, bias, proj = _check_common(args, kind)
    dirs = 2 if args.flag("bidirectional") else 1
    check_tensor_count(5 * layers * dirs, kind)
    terms = _terms(gates, m, n, layers, dirs, bias, proj)
    symbols = {"m": m, "n": n}
    if proj:
        symbols["p"] = proj
    if layers > 1:
        symbols["L"] = layers
    if dirs > 1:
        symbols["D"] = dirs
    formula = _formula(gates, layers, dirs, bias, proj)
    if x is None:
        return Outcome(shape=None, terms=terms, formula=formula, symbols=symbols, gate_names=names)
    if proj and kind != "LSTM":
        raise LayerError(
            f"{kind} with proj_size={proj} cannot run forward: its state would be {proj} wide but"
            f" torch's {kind} expects hidden_size={n} (torch raises 'Expected hidden size')",
            hint="only LSTM supports proj_size",
        )
    check_rank(x, kind, {2: "(L, H_in) unbatched", 3: "(L, N, H_in) or (N, L, H_in)"})
    check_axis(x, -1, m, kind, "input_size")
    h_out = proj or n
    stack = layers * dirs
    if len(x) == 2:
        output: Shape = (x[0], dirs * h_out)
        h_n: Shape = (stack, h_out)
        c_n: Shape = (stack, n)
    else:
        batch = x[0] if args.flag("batch_first") else x[1]
        output = (*x[:2], dirs * h_out)
        h_n = (stack, batch, h_out)
        c_n = (stack, batch, n)
    shapes: tuple[Shape, ...] = (output, h_n, c_n) if kind == "LSTM" else (output, h_n)
    tree: Tree = (0, (1, 2)) if kind == "LSTM" else (0, 1)
    return Outcome(shapes=shapes, tree=tree, terms=terms, formula=formula, symbols=symbols, gate_names=names)


_SHARED = (("bias", True), ("batch_first", False), ("dropout", 0.0), ("bidirectional", False))


@torch_rule(
    "RNN",
    "input_size",
    "hidden_size",
    ("num_layers", 1),
    _NONLINEARITY,
    *_SHARED,
    ("proj_size", 0),
    legend=_LEGEND,
    min_rank=2,
    batch_axis=_batch_axis,
    from_input={"input_size": -1},
)
def rnn(args: Args, x: Maybe) -> Outcome:
    """The new state is tanh(W_ih·x + b_ih + W_hh·h + b_hh): the input weights (n·m), the state feeding
    back into itself (n·n) and two bias vectors where Keras has one, so n·(m+n+2). Each of
    num_layers layers reads the one below (D·n wide); bidirectional doubles every layer.
    Returns (output, h_n). Note torch's positional order: nonlinearity is the 4th argument.
    """
    return _sequence("RNN", args, x)


@torch_rule(
    "LSTM",
    "input_size",
    "hidden_size",
    ("num_layers", 1),
    *_SHARED,
    ("proj_size", 0),
    legend=_LEGEND,
    min_rank=2,
    batch_axis=_batch_axis,
    from_input={"input_size": -1},
)
def lstm(args: Args, x: Maybe) -> Outcome:
    """Four gates (input, forget, cell, output), each reading the input (m) and the previous
    state (n). torch gives every gate two bias vectors, b_ih and b_hh (the second only for
    cuDNN compatibility), so a gate holds n·m + n·n + 2n and the layer 4·n·(m+n+2): 4n more
    than Keras. Gates are stacked along the first axis (weight_ih_l0 is (4n, m)). Stacked
    layers read the layer below (D·h wide); bidirectional doubles every layer; proj_size
    adds weight_hr (p, n) and makes the state h = p wide. Returns (output, (h_n, c_n)).
    """
    return _sequence("LSTM", args, x)


@torch_rule(
    "GRU",
    "input_size",
    "hidden_size",
    ("num_layers", 1),
    *_SHARED,
    ("proj_size", 0),
    legend=_LEGEND,
    min_rank=2,
    batch_axis=_batch_axis,
    from_input={"input_size": -1},
)
def gru(args: Args, x: Maybe) -> Outcome:
    """Three gates (reset, update, new), each reading the input (m) and the previous state
    (n) with two bias vectors, so 3·n·(m+n+2) -- the same count as Keras 3's default GRU
    (reset_after=True), whose bias is (2, 3n). Stacked layers read the layer below;
    bidirectional doubles every layer. Returns (output, h_n).
    """
    return _sequence("GRU", args, x)


def _cell(kind: str, args: Args, x: Maybe) -> Outcome:
    gates, names = _GATES[kind.removesuffix("Cell")]
    m = args.positive_int("input_size")
    n = args.positive_int("hidden_size")
    bias = args.flag("bias")
    g_dim = f"{gates}*n" if gates > 1 else "n"
    terms = [
        _gated("W_ih", "weight_ih", (gates * n, m), (g_dim, "m"), gates),
        _gated("W_hh", "weight_hh", (gates * n, n), (g_dim, "n"), gates),
    ]
    if bias:
        terms.append(_gated("b_ih", "bias_ih", (gates * n,), (g_dim,), gates))
        terms.append(_gated("b_hh", "bias_hh", (gates * n,), (g_dim,), gates))
    formula = f"{g_dim}*(m+n{'+2' if bias else ''})"
    symbols = {"m": m, "n": n}
    if x is None:
        return Outcome(shape=None, terms=terms, formula=formula, symbols=symbols, gate_names=names)
    check_rank(x, kind, {1: "(H_in) unbatched", 2: "(N, H_in)"})
    check_axis(x, -1, m, kind, "input_size")
    state: Shape = (*x[:-1], n)
    if kind == "LSTMCell":
        return Outcome(
            shapes=(state, state), tree=(0, 1), terms=terms, formula=formula, symbols=symbols, gate_names=names
        )
    return Outcome(shape=state, terms=terms, formula=formula, symbols=symbols, gate_names=names)


_CELL: dict[str, Any] = {"legend": _LEGEND, "min_rank": 1, "from_input": {"input_size": -1}}


@torch_rule("RNNCell", "input_size", "hidden_size", ("bias", True), _NONLINEARITY, **_CELL)
def rnn_cell(args: Args, x: Maybe) -> Outcome:
    """One step of an RNN: n·m input weights, n·n recurrent weights and two biases, n·(m+n+2)."""
    return _cell("RNNCell", args, x)


@torch_rule("LSTMCell", "input_size", "hidden_size", ("bias", True), **_CELL)
def lstm_cell(args: Args, x: Maybe) -> Outcome:
    """One step of an LSTM: four gates of n·m + n·n + 2n, so 4·n·(m+n+2); returns (h', c')."""
    return _cell("LSTMCell", args, x)


@torch_rule("GRUCell", "input_size", "hidden_size", ("bias", True), **_CELL)
def gru_cell(args: Args, x: Maybe) -> Outcome:
    """One step of a GRU: three gates of n·m + n·n + 2n, so 3·n·(m+n+2)."""
    return _cell("GRUCell", args, x)
