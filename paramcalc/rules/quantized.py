"""Keras layers under a quantized dtype policy (``model.quantize("int8" | "int4" | "float8")``).

Why a module of its own: quantizing does not add a layer, it replaces a layer's weights.
``model.quantize(mode)`` sets each supported layer's dtype policy to a quantized one
(``QuantizedDTypePolicy`` int8, ``Int4DTypePolicy`` ``int4/<block size>``,
``QuantizedFloat8DTypePolicy``), and a layer built from that policy (from ``to_json()`` or a
``.keras`` archive) creates, in ``quantized_build`` *before* its bias
(``keras/src/layers/core/dense.py``, ``embedding.py``, ``einsum_dense.py``, Keras 3.15):

- int8: the kernel as int8, non-trainable, and a per-output-unit ``kernel_scale``
  (Embedding: ``embeddings`` int8 and one ``embeddings_scale`` per row);
- int4: the kernel packed two values per int8 byte along its last axis (ceil(n/2)
  columns), a ``kernel_scale`` per output unit, or with a block size b (``int4/128``) one
  scale and one int8 ``kernel_zero`` per block of b inputs and output unit, plus a float32
  ``g_idx`` giving each input's block;
- float8: the float kernel stays, and six float32 scalars/histories come first
  (``inputs_scale``, ``inputs_amax_history`` of ``amax_history_length``, the same for the
  kernel and the output gradients), all *trainable* (Keras overwrites them with their
  gradients), so Keras counts them as trainable parameters.

EinsumDense's int8 scale is the kernel shape with the reduced axes (letters missing from the
output) set to 1, reordered to the output's axes; under int4 the kernel is flattened to
(reduced, other) and packed like Dense's.

Keras lists the variables created trainable before those created frozen, so an int8
layer lists its bias before its kernel.

The engine calls :func:`quantized_outcome` when a Keras layer's ``dtype`` is quantized; the
layers and modes Keras 3.15 quantizes and paramcalc reproduces are Dense (int8, int4,
float8; with LoRA too), Embedding and ReversibleEmbedding (int8, int4) and EinsumDense (int8, int4, float8; not
equations with ``...``, which Keras cannot build quantized).  Anything else under a
quantized policy (GPTQ, AWQ, a policy map, a layer Keras does not quantize) is refused with
one line naming the layer and the policy: never counted as if it were not quantized.
"""

from __future__ import annotations

import re
from dataclasses import replace
from math import prod

from paramcalc.dtypes import quantized_policy_name
from paramcalc.errors import LayerError
from paramcalc.report import Term
from paramcalc.rules import Args, Outcome, Rule
from paramcalc.spec.records import Value

FLOAT8_HISTORY = 1024
"""``QuantizedFloat8DTypePolicy.default_amax_history_length``."""

SUPPORTED = {
    "Dense": ("int8", "int4", "float8"),
    "Embedding": ("int8", "int4"),
    "ReversibleEmbedding": ("int8", "int4"),
    "EinsumDense": ("int8", "int4", "float8"),
}
"""Layer classes and the quantization modes paramcalc counts for them."""


class _Policy:
    """A quantized policy read from a layer's ``dtype``: mode, block size, source and history."""

    def __init__(self, mode: str, source: Value, block: int | None, history: int, name: str) -> None:
        self.mode = mode
        self.source = source
        self.block = block
        self.history = history
        self.name = name


def _parse(policy: Value) -> _Policy:
    """Read a quantized policy, as a string (``int4/64_from_float32``) or as Keras serializes it."""
    name = quantized_policy_name(policy) or str(policy)
    source: Value = "float32"
    history = FLOAT8_HISTORY
    if isinstance(policy, dict):
        config = policy.get("config")
        config = config if isinstance(config, dict) else {}
        if policy.get("class_name") == "DTypePolicyMap":
            raise LayerError(
                "a DTypePolicyMap (one dtype policy per weight path) is not supported",
                hint="count the model before quantizing it",
            )
        mode = str(config.get("mode", ""))
        source = config.get("source_name", "float32")
        raw = config.get("amax_history_length", FLOAT8_HISTORY)
        if not isinstance(raw, int) or isinstance(raw, bool) or raw < 1:
            raise LayerError(f"dtype policy '{name}': 'amax_history_length' must be a positive integer, got {raw!r}")
        history = raw
    else:
        mode, found, source = str(policy).partition("_from_")
        if not found:  # Keras: "Cannot convert `policy` into a valid pair (`mode`, `source_name`)"
            raise LayerError(
                f"'{policy}' is not a dtype policy Keras can read: a quantized one names its source",
                hint=f"write '{policy}_from_float32'",
            )
    base, slash, size = mode.partition("/")
    block: int | None = None
    if slash and base == "int4":  # gptq/awq carry bits and group sizes too: refused below
        try:
            block = int(size)
        except ValueError:
            raise LayerError(f"dtype policy '{name}': the int4 block size must be an integer, got '{size}'") from None
        if block < -1 or block == 0:
            raise LayerError(f"dtype policy '{name}': the int4 block size must be -1 or positive, got {block}")
        if block == -1:
            block = None
    return _Policy(base, source, block, history, name)


def _block_from_config(policy: _Policy, config: Value) -> None:
    """An ``Int4QuantizationConfig`` saved with the layer wins over the policy's block size.

    Keras builds the layer with ``quantized_build(config=self.quantization_config)``, and
    ``get_block_size_for_layer`` reads the config first (None or -1: one scale per channel).
    """
    if policy.mode != "int4" or not isinstance(config, dict) or config.get("class_name") != "Int4QuantizationConfig":
        return
    inner = config.get("config")
    size = inner.get("block_size") if isinstance(inner, dict) else None
    if size is None or size == -1:
        policy.block = None
    elif isinstance(size, int) and not isinstance(size, bool) and size > 0:
        policy.block = size
    else:
        raise LayerError(f"quantization_config: 'block_size' must be a positive integer or -1, got {size!r}")


def quantized_outcome(found: Rule, args: Args, outcome: Outcome, policy: Value) -> tuple[Outcome, Value]:
    """The layer's weights as Keras creates them under a quantized ``policy``.

    Returns the new outcome and the policy the remaining (float) weights take: the
    quantized policy's source (``float32`` in ``int8_from_float32``).
    """
    parsed = _parse(policy)
    _block_from_config(parsed, args.get("quantization_config"))
    modes = SUPPORTED.get(found.name, ())
    if parsed.mode not in modes:
        if modes:
            why = f"{found.name} is counted under {', '.join(modes)} only"
        else:
            why = f"Keras 3.15 does not quantize {found.name}, or paramcalc does not count it"
        raise LayerError(
            f"the quantized dtype policy '{parsed.name}' is not supported for {found.name}: {why}",
            hint="count the model before quantizing it",
        )
    if args.get("lora_rank") and found.name != "Dense":
        raise LayerError(
            f"the quantized dtype policy '{parsed.name}' together with lora_rank is not supported",
            hint="count the model before quantizing it",
        )
    terms = [t if t.dims is not None else replace(t, dims=tuple(str(d) for d in t.shape)) for t in outcome.terms]
    symbols = dict(outcome.symbols)
    if parsed.mode == "float8":
        symbols[HISTORY] = parsed.history
        new = [*_float8_terms(parsed.history), *terms]
    elif found.name == "Embedding":
        new = _embedding_terms(terms, parsed, symbols)
    elif found.name == "ReversibleEmbedding":
        new = _reversible_terms(terms, parsed, symbols)
    elif found.name == "EinsumDense":
        new = _einsum_terms(terms, parsed, str(args["equation"]), symbols)
    else:
        new = _dense_terms(terms, parsed, symbols)
    if parsed.mode != "float8":
        # Keras lists the variables created trainable before those created frozen, each in
        # creation order: the int8 kernel is created before the bias but listed after it.
        # (LoRA freezes the float8 kernel afterwards, which leaves it in its place.)
        new = [t for t in new if t.trainable] + [t for t in new if not t.trainable]
    if parsed.mode == "float8" and outcome.formula:
        formula = f"3*(1+{HISTORY})+{outcome.formula}"
    else:
        formula = "+".join(_count_text(t) for t in new) or "0"
    legend = {k: v for k, v in LEGEND.items() if k in symbols}
    why = f"{found.why} {WHY[parsed.mode]}".replace("POLICY", parsed.name)
    return outcome._replace(terms=new, formula=formula, symbols=symbols, legend=legend, why=why), parsed.source


HISTORY, PACKED, BLOCK, BLOCKS = "h_a", "c_p", "k_b", "g_b"
"""Symbols of quantized derivations: with underscores, so they never clash with the
single letters of an EinsumDense equation, which name that layer's symbols."""

LEGEND = {
    HISTORY: "amax history length (float8)",
    PACKED: "int4 columns: two 4-bit values per int8 byte, so half the axis rounded up",
    BLOCK: "int4 block size: inputs that share one scale and zero point",
    BLOCKS: "int4 blocks along the quantized axis: that axis divided by the block size, rounded up",
}

WHY = {
    "int8": "Under the quantized policy 'POLICY' (model.quantize('int8')) Keras stores the kernel as int8 "
    "(1 byte per weight), frozen, with one float scale per output (non-trainable); the rest stays float and "
    "trainable, listed first.",
    "int4": "Under the quantized policy 'POLICY' (model.quantize('int4')) Keras packs two 4-bit kernel values "
    "into each int8 byte, frozen, with one float scale per output, or, with blocks, a scale and an int8 zero "
    "point per block and output plus g_idx (each input's block); the rest stays float and trainable, listed first.",
    "float8": "Under the quantized policy 'POLICY' (model.quantize('float8')) the float kernel stays, and six float32 "
    "weights come first: a scale and an amax history for the inputs, the kernel and the output gradient. Keras "
    "counts them as trainable (it overwrites them with their 'gradients').",
}
"""What each quantization mode does to the weights, appended to the layer's own explanation."""


def _count_text(term: Term) -> str:
    """A term's count as the product of its symbolic sizes (the closed form of a quantized layer)."""
    dims = term.dims if term.dims is not None else tuple(str(d) for d in term.shape)
    return "*".join(d if d.isidentifier() or d.isdigit() else f"({d})" for d in dims) or "1"


def _float8_terms(history: int) -> list[Term]:
    """The six float32 scaling weights float8 adds ahead of the kernel (all trainable)."""
    out: list[Term] = []
    for part in ("inputs", "kernel", "outputs_grad"):
        out.append(Term(f"s_{part}", f"{part}_scale", (), (), dtype="float32"))
        out.append(Term(f"h_{part}", f"{part}_amax_history", (history,), (HISTORY,), dtype="float32"))
    return out


Dim = tuple[int, str]
"""A size and its symbolic form (``(784, "m")``)."""


def _dim(term: Term, axis: int) -> Dim:
    """A term's size along an axis with its symbol (the rule's dims; literal if it has none)."""
    dims = term.dims if term.dims is not None else tuple(str(d) for d in term.shape)
    return term.shape[axis], dims[axis]


def _product(dims: list[Dim]) -> Dim:
    """The product of sizes, symbolically (``c*d``)."""
    return prod(d for d, _ in dims), "*".join(t for _, t in dims) or "1"


def _packed(size: Dim, symbols: dict[str, int]) -> Dim:
    """Half of an axis rounded up (int4's packing), named by the symbol ``c_p``."""
    symbols[PACKED] = (size[0] + 1) // 2
    return symbols[PACKED], PACKED


def _int4_blocks(policy: _Policy, reduced: int, symbols: dict[str, int]) -> Dim | None:
    """Blocks along the reduced axis for sub-channel int4 (None: one scale per channel)."""
    if policy.block is None:
        return None
    symbols[BLOCK] = policy.block
    symbols[BLOCKS] = -(-reduced // policy.block)
    return symbols[BLOCKS], BLOCKS


def _term(symbol: str, weight: str, dims: list[Dim], dtype: str = "") -> Term:
    """A frozen quantized weight with its shape and symbolic dims."""
    return Term(symbol, weight, tuple(d for d, _ in dims), tuple(t for _, t in dims), trainable=False, dtype=dtype)


def _dense_terms(terms: list[Term], policy: _Policy, symbols: dict[str, int]) -> list[Term]:
    """Dense under int8 / int4: the kernel (m, n) quantized per output unit, blocks over inputs."""
    kernel = next(t for t in terms if t.weight == "kernel")
    m, n = _dim(kernel, 0), _dim(kernel, 1)
    rest = [t for t in terms if t.weight != "kernel"]  # the bias; LoRA's factors stay float
    table = _integer_table("kernel", m, n, policy, symbols, channels=n, reduced=m, channel_first=False)
    return [*table, *rest]


def _embedding_terms(terms: list[Term], policy: _Policy, symbols: dict[str, int]) -> list[Term]:
    """Embedding under int8 / int4: the table (v, d) quantized per row, blocks over the row."""
    (table,) = (t for t in terms if t.weight == "embeddings")
    v, d = _dim(table, 0), _dim(table, 1)
    return _integer_table("embeddings", v, d, policy, symbols, channels=v, reduced=d, channel_first=True)


def _integer_table(
    weight: str,
    rows: Dim,
    cols: Dim,
    policy: _Policy,
    symbols: dict[str, int],
    *,
    channels: Dim,
    reduced: Dim,
    channel_first: bool,
) -> list[Term]:
    """An int8 table (int4: packed two per byte along its last axis) and its scales.

    One scale per channel; int4 with a block size b has one scale and one int8 zero point
    per channel and block of b values along the reduced axis, plus ``g_idx``, each reduced
    position's block (float32), as ``_int4_build`` creates them.
    """
    if policy.mode == "int8":
        return [_term("Q", weight, [rows, cols], "int8"), _term("s", f"{weight}_scale", [channels])]
    out = [_term("Q", weight, [rows, _packed(cols, symbols)], "int8")]
    groups = _int4_blocks(policy, reduced[0], symbols)
    if groups is None:
        return [*out, _term("s", f"{weight}_scale", [channels])]
    shape = [channels, groups] if channel_first else [groups, channels]
    return [
        *out,
        _term("s", f"{weight}_scale", shape),
        _term("z", f"{weight}_zero", shape, "int8"),
        _term("g", "g_idx", [reduced], "float32"),
    ]


def _einsum_axes(equation: str) -> tuple[list[int], list[int], list[int], list[int]]:
    """The kernel's reduced, transpose, expand and squeeze axes (``_analyze_quantization_info``).

    Keras reads them from the equation's letters: a kernel axis whose letter is not in the
    output is reduced (quantized over); the scale keeps the other axes in output order,
    with the reduced ones put back where output-only letters are, or squeezed out.
    Equations with ``...`` are refused: Keras 3.15 passes the input rank where it wants a
    shape there, and cannot build them quantized.
    """
    found = re.match(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", equation)
    if found is None:
        raise LayerError(
            f"EinsumDense '{equation}' cannot be built quantized by Keras 3.15 (only equations without '...')",
            hint="count the model before quantizing it",
        )
    _, weight, output = found.groups()
    reduced = [i for i, letter in enumerate(weight) if output.find(letter) == -1]
    expand = [i for i, letter in enumerate(output) if weight.find(letter) == -1]
    transpose = [weight.find(letter) for letter in output if weight.find(letter) != -1]
    squeeze: list[int] = []
    index: int | None = None
    for axis in reduced:
        if expand:
            index = expand.pop(0)
        else:
            squeeze.append(axis)
            if index is None:  # Keras reuses the previous position; with none it fails
                raise LayerError(f"EinsumDense '{equation}' cannot be built quantized by Keras 3.15")
        transpose.insert(index, axis)
    return reduced, transpose, expand, squeeze


def _einsum_terms(terms: list[Term], policy: _Policy, equation: str, symbols: dict[str, int]) -> list[Term]:
    """EinsumDense under int8 (the kernel as int8, a scale shaped like the kernel reduced
    and transposed to the output's axes) or int4 (the kernel flattened to (reduced, other)
    and packed, with per-column or per-block scales).
    """
    kernel = next(t for t in terms if t.weight == "kernel")
    rest = [t for t in terms if t.weight != "kernel"]
    reduced, transpose, expand, squeeze = _einsum_axes(equation)
    dims = [_dim(kernel, i) for i in range(len(kernel.shape))]
    if policy.mode == "int8":
        scale = [(1, "1") if i in reduced else d for i, d in enumerate(dims)]
        scale = [scale[a] for a in transpose]
        for axis in sorted(expand):
            scale.insert(axis, (1, "1"))
        for axis in sorted(squeeze, reverse=True):
            scale.pop(axis)
        return [_term("Q", "kernel", dims, "int8"), _term("s", "kernel_scale", scale), *rest]
    rows = _product([d for i, d in enumerate(dims) if i in reduced])
    columns = _product([d for i, d in enumerate(dims) if i not in reduced])
    table = _integer_table(
        "kernel", rows, columns, policy, symbols, channels=columns, reduced=rows, channel_first=False
    )
    return [*table, *rest]


def _reversible_terms(terms: list[Term], policy: _Policy, symbols: dict[str, int]) -> list[Term]:
    """ReversibleEmbedding: the Embedding's table, and an untied ``reverse_embeddings`` (d, v)
    quantized per vocabulary column (int4: packed along its first axis, blocks over d, a
    zero point in the layer's float dtype and no ``g_idx``).
    """
    table = [t for t in terms if t.weight == "embeddings"]
    out = _embedding_terms(table, policy, symbols)
    if not any(t.weight == "reverse_embeddings" for t in terms):
        return out
    v, d = _dim(table[0], 0), _dim(table[0], 1)
    if policy.mode == "int8":
        return [
            *out,
            _term("R_q", "reverse_embeddings", [d, v], "int8"),
            _term("r", "reverse_embeddings_scale", [v]),
        ]
    out.append(_term("R_q", "reverse_embeddings", [_packed(d, symbols), v], "int8"))
    groups = _int4_blocks(policy, d[0], symbols)
    if groups is None:
        return [*out, _term("r", "reverse_embeddings_scale", [v])]
    return [
        *out,
        _term("r", "reverse_embeddings_scale", [groups, v]),
        _term("z_r", "reverse_embeddings_zero", [groups, v]),
    ]
