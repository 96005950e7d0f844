"""Llama-style decoder blocks of Hugging Face transformers: Llama, Mistral, Mixtral, Qwen2,
Qwen2-MoE, Qwen3, Qwen3-MoE, Gemma, Gemma 2 and Phi-3.

All ten share one skeleton (pre-norm attention, pre-norm MLP, RMS norms without bias) and
differ in exactly the places hand calculators get wrong, each read from the family's own
modelling code:

* attention biases: none (Mistral, Mixtral, Phi-3), all four projections when
  ``attention_bias`` (Llama, Qwen3, Gemma, Gemma 2), q/k/v only and always (Qwen2), q/k/v
  only when ``qkv_bias`` (Qwen2-MoE);
* grouped-query attention: k and v have ``num_key_value_heads`` heads, q and o have
  ``num_attention_heads``;
* ``head_dim`` can differ from hidden/heads (Gemma's default is 256, Qwen3's 128);
* Qwen3 normalises q and k per head (``q_norm``/``k_norm``, head_dim each);
* Phi-3 packs q, k, v into ``qkv_proj`` and gate/up into ``gate_up_proj``;
* the MLP is gated (gate, up and down: three matrices, not two); Mixtral replaces it with a
  router and fused experts, Qwen2-MoE adds a gated shared expert and keeps dense layers by
  ``decoder_sparse_step`` / ``mlp_only_layers``; Qwen3-MoE keeps that layout but has no shared
  expert (and lists its experts before the router);
* Gemma 2 has four norms per layer instead of two.

Each family registers ``<Family>Attention``, its MLP or MoE block, ``<Family>DecoderLayer``
(``paramcalc explain`` takes any of them), with the config class's defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paramcalc.errors import LayerError
from paramcalc.rules import Args, Outcome, Shape, Term, rule
from paramcalc.rules.hf_common import FRAMEWORK, Parts, check_hidden, heads_layout, join, linear, norm
from paramcalc.spec.hf_families import defaults, qwen2_moe_is_sparse
from paramcalc.spec.hf_signatures import KINDS, Kind

LEGEND = {
    "h": "hidden_size",
    "heads": "num_attention_heads, query heads",
    "kv_heads": "num_key_value_heads, key/value heads (fewer than heads: grouped-query attention)",
    "head_dim": "head_dim, size of one head (default hidden_size // num_attention_heads)",
    "I": "intermediate_size, the MLP's inner width",
    "E": "num_local_experts (Mixtral) or num_experts (Qwen2-MoE, Qwen3-MoE), routed experts per MoE layer",
    "k": "num_experts_per_tok, the experts each token is routed to",
    "I_e": "moe_intermediate_size, one routed expert's inner width",
    "I_s": "shared_expert_intermediate_size, the shared expert's inner width",
}


def _attention(kind: Kind, args: Args, parts: Parts, symbols: dict[str, int], prefix: str = "") -> None:
    """q, k, v, o projections (or Phi-3's packed qkv_proj), their biases and Qwen3's q/k norms."""
    h, heads, kv, hd = heads_layout(args, kind.divides)
    symbols.update({"h": h, "heads": heads, "kv_heads": kv, "head_dim": hd})
    all_bias = kind.bias == "all" and args.flag("attention_bias")
    qkv_bias = all_bias or kind.bias == "qkv" or (kind.bias == "qkv_key" and args.flag("qkv_bias"))
    q, kvw = heads * hd, kv * hd
    if kind.packed:
        o = linear("o_proj", "o", (h, q), ("h", "heads*head_dim"), False, prefix)
        packed = linear("qkv_proj", "qkv", (q + 2 * kvw, h), ("head_dim*(heads + 2*kv_heads)", "h"), False, prefix)
        parts.add(o + packed, "2*h*head_dim*(heads + kv_heads)")
        return
    terms = linear("q_proj", "q", (q, h), ("heads*head_dim", "h"), qkv_bias, prefix)
    terms += linear("k_proj", "k", (kvw, h), ("kv_heads*head_dim", "h"), qkv_bias, prefix)
    terms += linear("v_proj", "v", (kvw, h), ("kv_heads*head_dim", "h"), qkv_bias, prefix)
    terms += linear("o_proj", "o", (h, q), ("h", "heads*head_dim"), all_bias, prefix)
    parts.add(terms, "2*h*head_dim*(heads + kv_heads)")
    if all_bias:
        parts.add((), "head_dim*(heads + 2*kv_heads) + h")
    elif qkv_bias:
        parts.add((), "head_dim*(heads + 2*kv_heads)")
    if kind.qk_norm:
        qn = norm("q_norm", "qn", hd, "head_dim", prefix=prefix)
        kn = norm("k_norm", "kn", hd, "head_dim", prefix=prefix)
        parts.add(qn + kn, "2*head_dim")


def _gated_mlp(
    parts: Parts, sizes: tuple[int, int], dims: tuple[str, str], bias: bool, prefix: str = "", tag: str = ""
) -> None:
    """gate_proj and up_proj (h -> I) and down_proj (I -> h): the gated MLP's three matrices."""
    h, inner = sizes
    hd, idim = dims
    terms = linear("gate_proj", f"{tag}gate", (inner, h), (idim, hd), bias, prefix)
    terms += linear("up_proj", f"{tag}up", (inner, h), (idim, hd), bias, prefix)
    terms += linear("down_proj", f"{tag}down", (h, inner), (hd, idim), bias, prefix)
    parts.add(terms, f"3*{hd}*{idim}" + (f" + 2*{idim} + {hd}" if bias else ""))


def _experts(args: Args, key_e: str, key_i: str) -> tuple[int, int, int]:
    """(E, k, I): transformers builds k > E too (its router's ``torch.topk`` fails only at the
    first forward), so it counts; the active share is clamped to E/E, as no token can use more
    experts than there are (active <= total always), and the config reader notes it.
    """
    experts = args.integer(key_e, minimum=1)
    top_k = args.positive_int("num_experts_per_tok")
    return experts, top_k, args.positive_int(key_i)


def _routed(
    parts: Parts, h: int, experts: int, top_k: int, inner: int, idim: str, prefix: str, router_first: bool = True
) -> None:
    """The router (``gate``, E×h, no bias) and the fused expert tensors (E × 2I × h, E × h × I),
    in the module's order (Qwen3-MoE builds its experts before its router).
    """
    share = (min(top_k, experts), experts)  # k > E: transformers builds it, a token can use E at most
    gate_up = Term(
        "E_gateup",
        join(prefix, "experts", "gate_up_proj"),
        (experts, 2 * inner, h),
        ("E", f"2*{idim}", "h"),
        share=share,
    )
    down = Term("E_down", join(prefix, "experts", "down_proj"), (experts, h, inner), ("E", "h", idim), share=share)
    router = linear("gate", "router", (experts, h), ("E", "h"), False, prefix)
    if router_first:
        parts.add(router, "E*h")
    parts.add([gate_up, down], f"3*E*h*{idim}")
    if not router_first:
        parts.add(router, "E*h")


def _mlp(kind: Kind, args: Args, parts: Parts, symbols: dict[str, int], prefix: str = "", sparse: bool = True) -> None:
    """The family's MLP: gated, packed, Mixtral's MoE or Qwen2-MoE's sparse/dense block."""
    h = args.positive_int("hidden_size")
    symbols["h"] = h
    if kind.mlp in ("gated", "gated_bias"):
        inner = args.positive_int("intermediate_size")
        symbols["I"] = inner
        bias = kind.mlp == "gated_bias" and args.flag("mlp_bias")
        _gated_mlp(parts, (h, inner), ("h", "I"), bias, prefix)
    elif kind.mlp == "packed":
        inner = args.positive_int("intermediate_size")
        symbols["I"] = inner
        terms = linear("gate_up_proj", "gateup", (2 * inner, h), ("2*I", "h"), False, prefix)
        terms += linear("down_proj", "down", (h, inner), ("h", "I"), False, prefix)
        parts.add(terms, "3*h*I")
    elif kind.mlp == "mixtral":
        experts, top_k, inner = _experts(args, "num_local_experts", "intermediate_size")
        symbols.update({"I": inner, "E": experts, "k": top_k})
        _routed(parts, h, experts, top_k, inner, "I", prefix)
    elif not sparse:
        inner = args.positive_int("intermediate_size")
        symbols["I"] = inner
        _gated_mlp(parts, (h, inner), ("h", "I"), False, prefix)
    elif kind.mlp == "qwen3_moe":
        experts, top_k, inner = _experts(args, "num_experts", "moe_intermediate_size")
        symbols.update({"E": experts, "k": top_k, "I_e": inner})
        _routed(parts, h, experts, top_k, inner, "I_e", prefix, router_first=False)
    else:
        experts, top_k, inner = _experts(args, "num_experts", "moe_intermediate_size")
        shared = args.positive_int("shared_expert_intermediate_size")
        symbols.update({"E": experts, "k": top_k, "I_e": inner, "I_s": shared})
        _routed(parts, h, experts, top_k, inner, "I_e", prefix)
        _gated_mlp(parts, (h, shared), ("h", "I_s"), False, f"{prefix}shared_expert.", tag="s")
        parts.add(linear("shared_expert_gate", "sig", (1, h), ("1", "h"), False, prefix), "h")


def _is_sparse(args: Args) -> bool:
    """Whether this Qwen2-MoE / Qwen3-MoE layer (``layer_idx``) gets experts or a dense MLP."""
    layer_idx = args.integer("layer_idx")
    only = args.get("mlp_only_layers") or []
    if not isinstance(only, (list, tuple)) or not all(isinstance(i, int) and not isinstance(i, bool) for i in only):
        raise LayerError(f"'mlp_only_layers' must be a list of layer indices, got {only!r}")
    step = args.integer("decoder_sparse_step", minimum=-(2**63))
    experts = args.integer("num_experts")
    try:
        return qwen2_moe_is_sparse(layer_idx, experts, step, list(only))
    except ZeroDivisionError:
        raise LayerError(
            "decoder_sparse_step 0: which layers are sparse is (layer_idx + 1) % decoder_sparse_step",
            hint="transformers builds no such layer (a modulo by zero)",
        ) from None


def _attention_rule(kind: Kind) -> Callable[[Args, Shape], Outcome]:
    def attention(args: Args, x: Shape) -> Outcome:
        parts, symbols = Parts(), dict[str, int]()
        _attention(kind, args, parts, symbols)
        return Outcome(shape=check_hidden(x, symbols["h"]), terms=parts.terms, formula=parts.formula, symbols=symbols)

    packed = "packed into one qkv_proj" if kind.packed else "q_proj, k_proj, v_proj, o_proj"
    attention.__doc__ = (
        f"{kind.prefix}Attention: queries have num_attention_heads heads, keys and values "
        f"num_key_value_heads (grouped-query attention when fewer), each head_dim wide; "
        f"projections {packed}. {_bias_text(kind)}"
    )
    return attention


def _bias_text(kind: Kind) -> str:
    return {
        "none": "No biases.",
        "all": "Biases on all four projections only when attention_bias is true.",
        "qkv": "q, k and v always have biases, o_proj never.",
        "qkv_key": "q, k and v have biases when qkv_bias is true, o_proj never.",
    }[kind.bias] + (" q_norm and k_norm rescale each head (head_dim each)." if kind.qk_norm else "")


def _mlp_rule(kind: Kind) -> Callable[[Args, Shape], Outcome]:
    def mlp(args: Args, x: Shape) -> Outcome:
        parts, symbols = Parts(), dict[str, int]()
        _mlp(kind, args, parts, symbols)
        return Outcome(shape=check_hidden(x, symbols["h"]), terms=parts.terms, formula=parts.formula, symbols=symbols)

    mlp.__doc__ = _mlp_text(kind)
    return mlp


def _mlp_text(kind: Kind) -> str:
    return {
        "gated": "A gated MLP: act(gate_proj(x)) * up_proj(x), then down_proj: three h×I matrices, 3·h·I.",
        "gated_bias": "A gated MLP: act(gate_proj(x)) * up_proj(x), then down_proj: three h×I matrices, "
        "3·h·I, plus biases when mlp_bias is true.",
        "packed": "A gated MLP with gate and up packed into one gate_up_proj (2I×h), then down_proj: 3·h·I.",
        "mixtral": "A sparse mixture of experts: a router (gate, E×h, no bias) picks k of E experts per token; "
        "the experts are two fused 3-D tensors, gate_up_proj (E×2I×h) and down_proj (E×h×I), 3·E·h·I in "
        "all but only k/E of it active per token.",
        "qwen3_moe": "A sparse mixture of experts: the experts as two fused tensors, gate_up_proj (E×2I_e×h) "
        "and down_proj (E×h×I_e), only k/E of them active per token, then the router (gate, E×h, no bias); "
        "no shared expert.",
        "qwen2_moe": "A sparse mixture of experts plus a shared expert: a router (gate, E×h) picks k of E "
        "routed experts (fused gate_up_proj E×2I_e×h and down_proj E×h×I_e, only k/E active per token), and "
        "every token also goes through a gated shared expert (3·h·I_s) scaled by a sigmoid "
        "shared_expert_gate (1×h).",
    }[kind.mlp]


def _layer_rule(kind: Kind) -> Callable[[Args, Shape], Outcome]:
    def layer(args: Args, x: Shape) -> Outcome:
        parts, symbols = Parts(), dict[str, int]()
        _attention(kind, args, parts, symbols, "self_attn.")
        sparse = _is_sparse(args) if kind.layout else True
        _mlp(kind, args, parts, symbols, "mlp.", sparse=sparse)
        h = symbols["h"]
        names = ["input_layernorm", "post_attention_layernorm"]
        if kind.four_norms:
            names += ["pre_feedforward_layernorm", "post_feedforward_layernorm"]
        short = {"input": "in", "post_attention": "post", "pre_feedforward": "preff", "post_feedforward": "postff"}
        terms = [t for n in names for t in norm(n, short[n.removesuffix("_layernorm")], h, "h")]
        parts.add(terms, f"{len(names)}*h")
        return Outcome(shape=check_hidden(x, h), terms=parts.terms, formula=parts.formula, symbols=symbols)

    extra = " Four RMS norms (before and after attention and the MLP)." if kind.four_norms else " Two RMS norms."
    sparse = (
        " Layer layer_idx is a sparse MoE block iff it is not in mlp_only_layers, num_experts > 0 and "
        "(layer_idx + 1) % decoder_sparse_step == 0; otherwise a dense gated MLP of intermediate_size."
        if kind.layout
        else ""
    )
    layer.__doc__ = (
        f"{kind.prefix}DecoderLayer: self-attention then an MLP, each after an RMS norm (h scales, no "
        f"bias).{extra} {_attention_rule(kind).__doc__} {_mlp_text(kind)}{sparse}"
    )
    return layer


def _register(kind: Kind) -> None:
    prefix, mt = kind.prefix, kind.model_type
    common: dict[str, Any] = {"framework": FRAMEWORK, "base": False, "legend": LEGEND, "min_rank": 1}
    rule(f"{prefix}Attention", *defaults(mt, *kind.attention_keys), **common)(_attention_rule(kind))
    mlp_name = f"{prefix}SparseMoeBlock" if kind.mlp in ("mixtral", "qwen2_moe", "qwen3_moe") else f"{prefix}MLP"
    rule(mlp_name, *defaults(mt, *kind.mlp_keys), **common)(_mlp_rule(kind))
    extra = [("layer_idx", 0)] if kind.layout else []
    rule(f"{prefix}DecoderLayer", *defaults(mt, *kind.layer_keys), *extra, **common)(_layer_rule(kind))
    if kind.layout:
        dense = Kind(mt, mlp="gated")
        rule(f"{prefix}MLP", *defaults(mt, *dense.mlp_keys), **common)(_mlp_rule(dense))


for _kind in KINDS:
    _register(_kind)
