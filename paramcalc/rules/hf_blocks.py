"""The generic builder of table-driven Hugging Face families (:mod:`paramcalc.spec.hf_arch`).

One function walks a family's parts (:class:`~paramcalc.spec.hf_arch.Lin`, ``Norm``,
``Experts``, ``Sub``) with the values its ``derive`` computed from the config, and returns
the terms, named as ``named_parameters()`` names them, with the formula assembled from the
same decisions.  Every table-driven family registers ``<Prefix>DecoderLayer`` here (its
signature: the config keys, with the config class's defaults), and its norm class when
transformers has one of its own, so ``paramcalc explain FalconDecoderLayer`` works like the
hand-written rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from paramcalc.errors import LayerError
from paramcalc.rules import Args, Outcome, Shape, Term, rule
from paramcalc.rules.hf_common import FRAMEWORK, Parts, check_hidden, join
from paramcalc.spec.hf_arch import Arch, Experts, Lin, Norm, Param, Part, Sub, on
from paramcalc.spec.hf_dims import dims_of
from paramcalc.spec.hf_families import ARCHS
from paramcalc.spec.hf_signatures import arch_signature

LEGEND = {
    "h": "hidden_size",
    "heads": "num_attention_heads, query heads",
    "kv_heads": "key/value heads (fewer than heads: grouped- or multi-query attention)",
    "head_dim": "the size of one head",
    "I": "the MLP's inner width",
    "E": "routed experts per MoE layer",
    "k": "experts each token is routed to",
    "I_e": "one routed expert's inner width",
    "I_s": "the shared experts' inner width (moe_intermediate_size × n_shared_experts)",
    "q_width": "query width, heads × head_dim",
    "kv_width": "key (and value) width, kv_heads × head_dim",
    "qkv_width": "the fused q, k, v projection's width",
    "kv2": "keys and values of the cross-attention, 2·h",
    "W": "word_embed_proj_dim, the embedding width",
    "q_lora": "q_lora_rank, the low-rank query width",
    "kv_lora": "kv_lora_rank, the compressed key/value width",
    "kv_a": "kv_lora_rank + qk_rope_head_dim",
    "kv_b": "heads × (qk_nope_head_dim + v_head_dim)",
    "o_in": "heads × v_head_dim",
    "N": "state_size, the SSM state per channel",
    "K": "conv_kernel, the depthwise convolution's width",
    "R": "time_step_rank (auto: ceil(hidden_size / 16))",
    "one": "1 (a depthwise convolution has one input channel per group)",
}


def symbol(kind: str, path: str, taken: set[str]) -> str:
    """A short derivation symbol with one subscript, unique in the block: ``query_key_value`` -> ``W_qkv``."""
    names = [n for n in path.split(".") if n not in ("weight", "bias")]

    def short(name: str) -> str:
        return "".join(w[0] for w in name.split("_") if w) if "_" in name else name

    candidate = f"{kind}_{short(names[-1]) if names else ''}"
    if candidate in taken and len(names) > 1:
        candidate = f"{kind}_{short(names[-2])}{short(names[-1])}"
    base, n = candidate, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    taken.add(candidate)
    return candidate


def walk(
    parts: tuple[Part, ...], dims: Mapping[str, Any], out: Parts, prefix: str = "", taken: set[str] | None = None
) -> None:
    """Append the terms of ``parts`` (under ``prefix``) and their formula pieces to ``out``."""
    taken = set() if taken is None else taken
    for part in parts:
        if not on(part.when, dims):
            continue
        if isinstance(part, Lin):
            size = (dims[part.out], dims[part.inp])
            path = join(prefix, part.name)
            terms = [Term(symbol("W", path, taken), join(path, "weight"), size, (part.out, part.inp))]
            piece = f"{part.out}*{part.inp}"
            if on(part.bias, dims):
                terms.append(Term(symbol("b", path, taken), join(path, "bias"), (size[0],), (part.out,)))
                piece += f" + {part.out}"
            out.add(terms, piece)
        elif isinstance(part, Norm):
            shape = tuple(int(dims[s]) for s in part.size)
            path = join(prefix, part.name)
            terms = [Term(symbol("g", path, taken), join(path, "weight"), shape, part.size)]
            piece = "*".join(part.size)
            if on(part.bias, dims):
                terms.append(Term(symbol("β", path, taken), join(path, "bias"), shape, part.size))
                piece = f"2*{piece}"
            out.add(terms, piece)
        elif isinstance(part, Param):
            path = join(prefix, part.name)
            shape = tuple(int(dims[d]) for d in part.shape)
            routed = part.routed and dims.get("k") is not None and dims["E"] > 0
            share = (min(dims["k"], dims["E"]), dims["E"]) if routed else None  # k > E: a token uses E at most
            out.add([Term(symbol("P", path, taken), path, shape, part.shape, share=share)], "*".join(part.shape))
        elif isinstance(part, Experts):
            experts, inner, h = dims["E"], dims[part.inner], dims["h"]
            # DeepSeek-V2 has no top-k by default, and with no experts nothing is routed
            # k > E builds (the router fails at the first forward): a token uses E experts at most
            share = None if dims.get("k") is None or experts == 0 else (min(dims["k"], experts), experts)
            gate_up = Term(
                symbol("E", "gateup", taken),
                join(prefix, part.path, "gate_up_proj"),
                (experts, 2 * inner, h),
                ("E", f"2*{part.inner}", "h"),
                share=share,
            )
            down = Term(
                "E_down", join(prefix, part.path, "down_proj"), (experts, h, inner), ("E", "h", part.inner), share=share
            )
            out.add([gate_up, down], f"3*E*h*{part.inner}")
        elif isinstance(part, Sub) and part.repeat:
            for i in range(int(dims[part.repeat])):
                walk(part.parts, dims, out, join(prefix, part.path, str(i)), taken)
        elif isinstance(part, Sub):
            walk(part.parts, dims, out, join(prefix, part.path), taken)


def _block_rule(arch: Arch) -> Callable[[Args, Shape], Outcome]:
    def block(args: Args, x: Shape) -> Outcome:
        dims = dims_of(arch, args.values)
        if dims.get("attn") and "attn_refuse" in dims:  # Jamba: a refusal of its attention layers only
            dims["refuse"] = dims["attn_refuse"]
        if "refuse" in dims:
            raise LayerError(dims["refuse"], hint=f"{arch.prefix}Attention refuses it")
        for key, value in dims.items():
            if isinstance(value, int) and not isinstance(value, bool) and value < 0:
                raise LayerError(f"{key} would be {value}", hint=f"{arch.config_class} cannot build such a layer")
        parts = Parts()
        walk(arch.block, dims, parts)
        symbols = {k: v for k, v in dims.items() if isinstance(v, int) and not isinstance(v, bool)}
        return Outcome(shape=check_hidden(x, dims["h"]), terms=parts.terms, formula=parts.formula, symbols=symbols)

    summary = ", ".join(f"{k}: {v}" for k, v in arch.summary.items())
    block.__doc__ = (
        f"{arch.block_class}: one decoder layer of {arch.config_class} ({summary}), "
        "counted from the family's record (paramcalc/spec/hf_decoders_*.py)."
    )
    return block


def norm_rule(args: Args, x: Shape) -> Outcome:
    """A norm over the hidden size: a scale per feature and, when ``bias``, a shift."""
    h = args.positive_int("hidden_size")
    shape = check_hidden(x, h)
    terms = [Term("g", "weight", (h,), ("h",))]
    if args.flag("bias"):
        terms.append(Term("β", "bias", (h,), ("h",)))
        return Outcome(shape=shape, terms=terms, formula="2*h", symbols={"h": h})
    return Outcome(shape=shape, terms=terms, formula="h", symbols={"h": h})


def _register(arch: Arch) -> None:
    common: dict[str, Any] = {"framework": FRAMEWORK, "base": False, "legend": LEGEND, "min_rank": 1}
    params = [(key, arch.fields[key][0]) if key != "layer_idx" else (key, 0) for key in arch_signature(arch)]
    for name in arch.block_names or (arch.block_class,):
        rule(name, *params, **common)(_block_rule(arch))
    if arch.norm_class != "LayerNorm":
        rule(arch.norm_class, "hidden_size", ("bias", False), ("eps", 1e-5), **common)(norm_rule)


for _arch in ARCHS.values():
    _register(_arch)
