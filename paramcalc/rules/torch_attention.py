"""``torch.nn`` attention and transformer modules: MultiheadAttention, the encoder and decoder
layers, their stacks, and ``nn.Transformer``.

Follows ``torch/nn/modules/activation.py`` (``MultiheadAttention.__init__``) and
``transformer.py``.  MultiheadAttention packs the query, key and value projections into one
``in_proj_weight`` (3E, E) when key and value have the embedding width, and keeps three
separate ``q/k/v_proj_weight`` when ``kdim``/``vdim`` differ; the output projection is a
child Linear, ``out_proj``.  The stacks deep-copy their layer ``num_layers`` times
(``layers.0.``, ``layers.1.``, ...), so every copy has its own weights.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from paramcalc.errors import LayerError, ParamcalcError
from paramcalc.report import Shape, Term
from paramcalc.rules import REQUIRED, Args, Outcome, Param, bind, find_rule
from paramcalc.rules.binding import at_least, between, one_of
from paramcalc.rules.torch_common import (
    FRAMEWORK,
    Maybe,
    check_axis,
    check_rank,
    check_tensor_count,
    child,
    show,
    to_layer,
    torch_rule,
)


def _batch_first_axis(args: Args) -> int:
    """Where a spec's input gets its batch axis: 0 with batch_first, else 1 (L, N, E)."""
    return 0 if args.flag("batch_first") else 1


def _mha_terms(
    e: int, bias: bool, bias_kv: bool, kdim: int, vdim: int, prefix: str = ""
) -> tuple[list[Term], str, dict[str, int]]:
    """MultiheadAttention's parameters in ``named_parameters()`` order, closed form, symbols."""
    symbols = {"E": e}
    if kdim == e and vdim == e:
        terms = [Term("W_qkv", f"{prefix}in_proj_weight", (3 * e, e), ("3*E", "E"))]
        formula = "4*E*E"
    else:
        symbols.update({"E_k": kdim, "E_v": vdim})
        terms = [
            Term("W_q", f"{prefix}q_proj_weight", (e, e), ("E", "E")),
            Term("W_k", f"{prefix}k_proj_weight", (e, kdim), ("E", "E_k")),
            Term("W_v", f"{prefix}v_proj_weight", (e, vdim), ("E", "E_v")),
        ]
        formula = "E*(2*E+E_k+E_v)"
    if bias:
        terms.append(Term("b_qkv", f"{prefix}in_proj_bias", (3 * e,), ("3*E",)))
    if bias_kv:
        terms.append(Term("b_k", f"{prefix}bias_k", (1, 1, e), ("1", "1", "E")))
        terms.append(Term("b_v", f"{prefix}bias_v", (1, 1, e), ("1", "1", "E")))
        formula += "+2*E"
    terms.append(Term("W_o", f"{prefix}out_proj.weight", (e, e), ("E", "E")))
    if bias:
        terms.append(Term("b_o", f"{prefix}out_proj.bias", (e,), ("E",)))
        formula += "+4*E"
    return terms, formula, symbols


def _heads(e: int, heads: int) -> None:
    if e < 1 or heads < 1:
        raise LayerError(f"embed_dim and num_heads must be greater than 0, got embed_dim={e} and num_heads={heads}")
    if e % heads:
        raise LayerError(f"embed_dim must be divisible by num_heads (got embed_dim={e}, num_heads={heads})")


def _num_heads(args: Args, key: str) -> None:
    """MultiheadAttention's num_heads, an int that must split embed_dim (checked after it)."""
    _heads(args.integer("embed_dim", minimum=-(2**31)), args.integer(key, minimum=-(2**31)))


def _nhead(args: Args, key: str) -> None:
    """A transformer layer's nhead, which must split d_model (checked after it)."""
    _heads(args.positive_int("d_model"), args.positive_int(key))


def _sequence_input(x: Shape, name: str, batch_first: bool, width: int, what: str) -> tuple[int, int | None]:
    """Check a (L, N, E) / (N, L, E) / unbatched (L, E) input; return (seq axis, batch size)."""
    check_rank(x, name, {2: "(L, E) unbatched", 3: "(N, L, E)" if batch_first else "(L, N, E)"})
    check_axis(x, -1, width, name, what)
    if len(x) == 2:
        return 0, None
    return (1, x[0]) if batch_first else (0, x[1])


@torch_rule(
    "MultiheadAttention",
    ("embed_dim", REQUIRED, at_least(-(2**31))),
    ("num_heads", REQUIRED, _num_heads),
    ("dropout", 0.0, between(0.0, 1.0)),
    ("bias", True),
    ("add_bias_kv", False),
    ("add_zero_attn", False),
    ("kdim", None),
    ("vdim", None),
    ("batch_first", False),
    legend={"E": "embed_dim", "E_k": "kdim, the key width", "E_v": "vdim, the value width"},
    min_rank=2,
    multi_input=True,
    batch_axis=_batch_first_axis,
    from_input={"embed_dim": -1},
)
def multihead_attention(args: Args, xs: list[Maybe]) -> Outcome:
    """Query, key and value projections (E·E each) and an output projection (E·E), each with
    an E bias: 4·E·E + 4·E. torch packs q, k, v into one in_proj_weight (3E, E) and
    in_proj_bias (3E); with kdim/vdim different from E it keeps q_proj_weight (E, E),
    k_proj_weight (E, kdim) and v_proj_weight (E, vdim) instead. add_bias_kv adds bias_k and
    bias_v (1, 1, E). The number of heads splits E; it does not change the count. Returns
    (output, averaged attention weights (N, L, S)).
    """
    e = args.integer("embed_dim", minimum=-(2**31))
    bias_kv = args.flag("add_bias_kv")
    zero_attn = args.flag("add_zero_attn")
    kdim = e if args["kdim"] is None else args.positive_int("kdim")
    vdim = e if args["vdim"] is None else args.positive_int("vdim")
    terms, formula, symbols = _mha_terms(e, args.flag("bias"), bias_kv, kdim, vdim)
    batch_first = args.flag("batch_first")
    if len(xs) > 3:
        raise LayerError(f"MultiheadAttention takes (query, key, value), got {len(xs)} inputs")
    query, key, value = xs[0], xs[min(1, len(xs) - 1)], xs[-1]
    if query is None or key is None or value is None:
        return Outcome(shape=None, terms=terms, formula=formula, symbols=symbols)
    seq_axis, batch = _sequence_input(query, "MultiheadAttention", batch_first, e, "embed_dim")
    key_axis, _ = _sequence_input(key, "MultiheadAttention", batch_first, kdim, "kdim")
    _sequence_input(value, "MultiheadAttention", batch_first, vdim, "vdim")
    source = key[key_axis]
    if source is not None:
        source += int(bias_kv) + int(zero_attn)
    weights: Shape = (query[seq_axis], source) if len(query) == 2 else (batch, query[seq_axis], source)
    return Outcome(shapes=(query, weights), tree=(0, 1), terms=terms, formula=formula, symbols=symbols)


# --------------------------------------------------------------------------- transformer layers
_LAYER_PARAMS: tuple[Param, ...] = (  # batch_first is checked later, by the formula
    ("dim_feedforward", 2048, Args.positive_int),
    ("dropout", 0.1, between(0.0, 1.0)),
    ("activation", "relu", one_of("relu", "gelu")),
    ("layer_norm_eps", 1e-5, between(0.0)),
    ("batch_first", False),
    ("norm_first", False, Args.flag),
    ("bias", True, Args.flag),
)
_LAYER_LEGEND = {"E": "d_model", "F": "dim_feedforward"}


def _layer_terms(e: int, ff: int, bias: bool, decoder: bool, prefix: str = "") -> tuple[list[Term], str]:
    """An encoder (decoder) layer: self-attention (+ cross-attention), the two feed-forward
    Linears and two (three) LayerNorms, in ``named_parameters()`` order.
    """
    terms, _, _ = _mha_terms(e, bias, False, e, e, f"{prefix}self_attn.")
    if decoder:
        terms += _mha_terms(e, bias, False, e, e, f"{prefix}multihead_attn.")[0]
    terms.append(Term("W_1", f"{prefix}linear1.weight", (ff, e), ("F", "E")))
    if bias:
        terms.append(Term("b_1", f"{prefix}linear1.bias", (ff,), ("F",)))
    terms.append(Term("W_2", f"{prefix}linear2.weight", (e, ff), ("E", "F")))
    if bias:
        terms.append(Term("b_2", f"{prefix}linear2.bias", (e,), ("E",)))
    for i in range(1, 4 if decoder else 3):
        terms.append(Term("gamma", f"{prefix}norm{i}.weight", (e,), ("E",)))
        if bias:
            terms.append(Term("beta", f"{prefix}norm{i}.bias", (e,), ("E",)))
    attention = 8 if decoder else 4
    if bias:
        formula = f"{attention}*E*E+2*E*F+{15 if decoder else 9}*E+F"
    else:
        formula = f"{attention}*E*E+2*E*F+{3 if decoder else 2}*E"
    return terms, formula


def _layer_options(args: Args) -> tuple[int, int, bool]:
    """d_model, dim_feedforward and bias, which the signature's kinds checked (with the rest)."""
    return args.positive_int("d_model"), args.positive_int("dim_feedforward"), args.flag("bias")


def _layer(decoder: bool, args: Args, xs: Sequence[Maybe]) -> Outcome:
    name = "TransformerDecoderLayer" if decoder else "TransformerEncoderLayer"
    e, ff, bias = _layer_options(args)
    terms, formula = _layer_terms(e, ff, bias, decoder)
    symbols = {"E": e, "F": ff}
    if len(xs) > (2 if decoder else 1):
        raise LayerError(f"{name} takes {'(tgt, memory)' if decoder else 'one input (src)'}, got {len(xs)} inputs")
    x = xs[0]
    if x is None:
        return Outcome(shape=None, terms=terms, formula=formula, symbols=symbols)
    batch_first = args.flag("batch_first")
    _sequence_input(x, name, batch_first, e, "d_model")
    if decoder and xs[-1] is not None:
        _sequence_input(xs[-1], name, batch_first, e, "d_model")
    return Outcome(shape=x, terms=terms, formula=formula, symbols=symbols)


@torch_rule(
    "TransformerEncoderLayer",
    ("d_model", REQUIRED, Args.positive_int),
    ("nhead", REQUIRED, _nhead),
    *_LAYER_PARAMS,
    legend=_LAYER_LEGEND,
    min_rank=2,
    batch_axis=_batch_first_axis,
    from_input={"d_model": -1},
)
def transformer_encoder_layer(args: Args, x: Maybe) -> Outcome:
    """Self-attention (4·E·E + 4·E), a feed-forward block Linear(E, F) + Linear(F, E)
    (2·E·F + F + E) and two LayerNorms (4·E): 4·E·E + 2·E·F + 9·E + F. nhead, dropout,
    activation and norm_first do not change the count; bias=False drops every bias (and the
    LayerNorm shifts).
    """
    return _layer(False, args, [x])


@torch_rule(
    "TransformerDecoderLayer",
    ("d_model", REQUIRED, Args.positive_int),
    ("nhead", REQUIRED, _nhead),
    *_LAYER_PARAMS,
    legend=_LAYER_LEGEND,
    min_rank=2,
    multi_input=True,
    batch_axis=_batch_first_axis,
    from_input={"d_model": -1},
)
def transformer_decoder_layer(args: Args, xs: list[Maybe]) -> Outcome:
    """Self-attention and cross-attention over the encoder's memory (2 × (4·E·E + 4·E)), the
    feed-forward block (2·E·F + F + E) and three LayerNorms (6·E): 8·E·E + 2·E·F + 15·E + F.
    Called (tgt, memory); in a sequential spec memory is the same tensor.
    """
    return _layer(True, args, xs)


# --------------------------------------------------------------------------- stacks
def _nested_batch_axis(key: str) -> Callable[[Args], int]:
    """A stack's batch axis is its layer's (``TransformerEncoder`` reads ``layers[0]``'s)."""

    def axis(args: Args) -> int:
        try:
            inner = to_layer(args[key], key)
            found = find_rule(inner.class_name, FRAMEWORK)
            return found.batch_axis(bind(found, inner)) if found.batch_axis else 0
        except ParamcalcError:
            return 0  # the rule itself reports the bad nested layer, naming the argument

    return axis


def _stack(args: Args, key: str, xs: Sequence[Maybe], decoder: bool) -> Outcome:
    name = "TransformerDecoder" if decoder else "TransformerEncoder"
    count = args.integer("num_layers")
    if len(xs) > (2 if decoder else 1):
        raise LayerError(f"{name} takes {'(tgt, memory)' if decoder else 'one input (src)'}, got {len(xs)} inputs")
    x = xs[0]
    if x is not None and count == 0:
        raise LayerError(f"{name} with num_layers=0 has no layer to run (torch raises IndexError in forward)")
    _, _, inner = child(args[key], args, key, x)
    check_tensor_count(count * len(inner.terms), name)
    symbols = dict(inner.symbols)
    terms: list[Term] = []
    for i in range(count):
        terms += [replace(t, weight=f"layers.{i}.{t.weight}") for t in inner.terms]
    shape = inner.outputs[0] if inner.outputs else None
    if inner.formula and "L" not in symbols:
        formula = f"L*({inner.formula})"
    else:
        formula = f"L*{sum(t.count for t in inner.terms if not t.buffer)}"
    symbols["L"] = count
    if args["norm"] is not None:
        _, _, norm = child(args["norm"], args, "norm", shape)
        terms += [replace(t, weight=f"norm.{t.weight}", dims=None) for t in norm.terms]
        formula += f"+{sum(t.count for t in norm.terms if not t.buffer)}"
        shape = norm.outputs[0] if norm.outputs else shape
    return Outcome(shape=shape if x is not None else None, terms=terms, formula=formula, symbols=symbols)


_STACK_LEGEND = {"L": "num_layers", "E": "d_model", "F": "dim_feedforward"}


@torch_rule(
    "TransformerEncoder",
    "encoder_layer",
    "num_layers",
    ("norm", None),
    ("enable_nested_tensor", True, Args.flag),
    ("mask_check", True, Args.flag),
    weights=False,
    legend=_STACK_LEGEND,
    min_rank=2,
    batch_axis=_nested_batch_axis("encoder_layer"),
)
def transformer_encoder(args: Args, x: Maybe) -> Outcome:
    """num_layers deep copies of encoder_layer, each with its own weights (layers.0., ...),
    then the optional final norm: L × (one layer) + norm.
    """
    return _stack(args, "encoder_layer", [x], decoder=False)


@torch_rule(
    "TransformerDecoder",
    "decoder_layer",
    "num_layers",
    ("norm", None),
    weights=False,
    legend=_STACK_LEGEND,
    min_rank=2,
    multi_input=True,
    batch_axis=_nested_batch_axis("decoder_layer"),
)
def transformer_decoder(args: Args, xs: list[Maybe]) -> Outcome:
    """num_layers deep copies of decoder_layer, each with its own weights, then the optional
    final norm: L × (one layer) + norm. Called (tgt, memory).
    """
    return _stack(args, "decoder_layer", xs, decoder=True)


@torch_rule(
    "Transformer",
    ("d_model", 512, Args.positive_int),
    ("nhead", 8, _nhead),
    ("num_encoder_layers", 6),
    ("num_decoder_layers", 6),
    *_LAYER_PARAMS[:3],
    ("custom_encoder", None),
    ("custom_decoder", None),
    *_LAYER_PARAMS[3:],
    legend={"E": "d_model", "F": "dim_feedforward", "N_e": "num_encoder_layers", "N_d": "num_decoder_layers"},
    min_rank=2,
    multi_input=True,
    batch_axis=_batch_first_axis,
    from_input={"d_model": -1},
)
def transformer(args: Args, xs: list[Maybe]) -> Outcome:
    """An encoder (N_e encoder layers + a final LayerNorm) and a decoder (N_d decoder layers
    + a final LayerNorm): N_e·(4·E·E + 2·E·F + 9·E + F) + N_d·(8·E·E + 2·E·F + 15·E + F) + 4·E.
    The defaults (512, 8 heads, 6 + 6 layers, 2048) are the "Attention Is All You Need"
    model without its embeddings: 44,140,544 parameters. Called (src, tgt).
    """
    e, ff, bias = _layer_options(args)
    n_enc = args.integer("num_encoder_layers")
    n_dec = args.integer("num_decoder_layers")
    check_tensor_count(26 * (n_enc + n_dec), "Transformer", "num_encoder_layers/num_decoder_layers")
    if len(xs) > 2:
        raise LayerError(f"Transformer takes (src, tgt), got {len(xs)} inputs")
    src, tgt = xs[0], xs[-1]
    norm_terms = [Term("gamma", "norm.weight", (e,), ("E",))]
    if bias:
        norm_terms.append(Term("beta", "norm.bias", (e,), ("E",)))
    symbols = {"E": e, "F": ff}
    parts: list[str] = []
    terms: list[Term] = []
    for side, count, decoder, symbol in (("encoder", n_enc, False, "N_e"), ("decoder", n_dec, True, "N_d")):
        custom = args[f"custom_{side}"]
        if custom is not None:
            _, _, inner = child(custom, args, f"custom_{side}", src if not decoder else tgt)
            terms += [replace(t, weight=f"{side}.{t.weight}", dims=None) for t in inner.terms]
            parts.append(str(sum(t.count for t in inner.terms if not t.buffer)))
            continue
        layer, formula = _layer_terms(e, ff, bias, decoder)
        for i in range(count):
            terms += [replace(t, weight=f"{side}.layers.{i}.{t.weight}") for t in layer]
        terms += [replace(t, weight=f"{side}.{t.weight}") for t in norm_terms]
        if count:
            parts.append(f"{symbol}*({formula})")
            symbols[symbol] = count
        parts.append("2*E" if bias else "E")
    outcome_formula = "+".join(parts)
    if src is None or tgt is None:
        return Outcome(shape=None, terms=terms, formula=outcome_formula, symbols=symbols)
    if (n_enc == 0 and args["custom_encoder"] is None) or (n_dec == 0 and args["custom_decoder"] is None):
        raise LayerError("a Transformer with 0 encoder or decoder layers cannot run forward (torch raises IndexError)")
    batch_first = args.flag("batch_first")
    _, src_batch = _sequence_input(src, "Transformer", batch_first, e, "d_model")
    _, tgt_batch = _sequence_input(tgt, "Transformer", batch_first, e, "d_model")
    if len(src) != len(tgt):
        raise LayerError(f"Transformer: src {show(src)} and tgt {show(tgt)} must have the same rank")
    if src_batch is not None and tgt_batch is not None and src_batch != tgt_batch:
        raise LayerError("the batch number of src and tgt must be equal")
    return Outcome(shape=tgt, terms=terms, formula=outcome_formula, symbols=symbols)
