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
    from paramcalc.report import LayerRow, Shape, Term

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
    rotary: float | None = None
    """A partial-rotary transformers family's ``partial_rotary_factor`` (its report's, set by the walk)."""


DEFAULT_SIZES: Sizes = Sizes()


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
        return None  # a packed int4 kernel's terms are not the matmul's sizes
    _load_formulas()
    fn = _FLOPS.get((framework, row.class_name))
    if framework_of(framework).ops_framework and row.batch_in_shapes:  # a keras.ops node (whole tensors)
        from paramcalc.flops_ops import op_flops

        fn = op_flops
    if fn is None and framework_of(framework).language_models:
        from paramcalc.flops_hf import fallback, recipe_class

        try:
            return recipe_class(row, sizes)
        except LookupError:
            fn = fallback(row.class_name)
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


def _load_formulas() -> None:
    """Import the formula modules once: they register themselves with :func:`flops`."""
    if not _LOADED:
        import paramcalc.flops_hf
        import paramcalc.flops_layers  # noqa: F401

        _LOADED.append(True)


_LOADED: list[bool] = []


from paramcalc.flops_report import (  # noqa: E402 - re-exported: callers import them from here
    FlopReport,
    Shortcut,
    llm_shortcuts,
    readable_flops,
    report_flops,
    row_total,
    summarize,
    where,
)

__all__ = [
    "CONVENTION",
    "DEFAULT_SIZES",
    "FlopReport",
    "FlopTerm",
    "Shortcut",
    "Sizes",
    "layer_flops",
    "llm_shortcuts",
    "readable_flops",
    "report_flops",
    "row_total",
    "summarize",
    "where",
]
