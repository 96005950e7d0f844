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

The engine calls :func:`quantized_outcome` when a Keras layer's ``dtype`` is quantized; the
layers and modes Keras 3.15 quantizes and paramcalc reproduces are Dense (int8, int4,
float8), Embedding (int8, int4) and EinsumDense (float8).  Anything else under a quantized
policy (GPTQ, AWQ, an int8 EinsumDense, a policy map) is refused with one line naming the
policy: never counted as if it were not quantized.
"""

from __future__ import annotations

from dataclasses import replace

from paramcalc.dtypes import quantized_policy_name
from paramcalc.errors import LayerError
from paramcalc.report import Term
from paramcalc.rules import Args, Outcome, Rule
from paramcalc.spec.records import Value

FLOAT8_HISTORY = 1024
"""``QuantizedFloat8DTypePolicy.default_amax_history_length``."""

SUPPORTED = {"Dense": ("int8", "int4", "float8"), "Embedding": ("int8", "int4"), "EinsumDense": ("float8",)}
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
    if slash:
        if base != "int4":
            raise LayerError(f"unknown quantization mode '{mode}' in dtype policy '{name}'")
        try:
            block = int(size)
        except ValueError:
            raise LayerError(f"dtype policy '{name}': the int4 block size must be an integer, got '{size}'") from None
        if block < -1 or block == 0:
            raise LayerError(f"dtype policy '{name}': the int4 block size must be -1 or positive, got {block}")
        if block == -1:
            block = None
    return _Policy(base, source, block, history, name)


def quantized_outcome(found: Rule, args: Args, outcome: Outcome, policy: Value) -> tuple[Outcome, Value]:
    """The layer's weights as Keras creates them under a quantized ``policy``.

    Returns the new outcome and the policy the remaining (float) weights take: the
    quantized policy's source (``float32`` in ``int8_from_float32``).
    """
    parsed = _parse(policy)
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
    if args.get("lora_rank"):
        raise LayerError(
            f"the quantized dtype policy '{parsed.name}' together with lora_rank is not supported",
            hint="count the model before quantizing it",
        )
    terms = list(outcome.terms)
    if parsed.mode == "float8":
        new = [*_float8_terms(parsed.history), *terms]
    elif found.name == "Embedding":
        new = _embedding_terms(terms, parsed)
    else:
        new = _dense_terms(terms, parsed)
    # Keras lists a layer's trainable variables before its non-trainable ones, each in
    # creation order: the int8 kernel is created before the bias but listed after it.
    new = [t for t in new if t.trainable] + [t for t in new if not t.trainable]
    new = [t if t.dims is not None else replace(t, dims=tuple(str(d) for d in t.shape)) for t in new]
    formula = "+".join(_count_text(t) for t in new) or "0"
    return replace(outcome, terms=new, formula=formula), parsed.source


def _count_text(term: Term) -> str:
    """A term's count as a product of literal sizes (the closed form of a quantized layer)."""
    return "*".join(str(d) for d in term.shape) or "1"


def _float8_terms(history: int) -> list[Term]:
    """The six float32 scaling weights float8 adds ahead of the kernel (all trainable)."""
    out: list[Term] = []
    for part in ("inputs", "kernel", "outputs_grad"):
        out.append(Term(f"s_{part}", f"{part}_scale", (), (), dtype="float32"))
        out.append(Term(f"h_{part}", f"{part}_amax_history", (history,), (str(history),), dtype="float32"))
    return out


def _int4_blocks(policy: _Policy, reduced: int) -> int | None:
    """Blocks along the reduced axis for sub-channel int4 (None: one scale per channel)."""
    if policy.block is None:
        return None
    return -(-reduced // policy.block)


def _dense_terms(terms: list[Term], policy: _Policy) -> list[Term]:
    """Dense under int8 / int4: the kernel (m, n) quantized per output unit, blocks over inputs."""
    kernel = next(t for t in terms if t.weight == "kernel")
    m, n = kernel.shape
    rest = [t for t in terms if t.weight != "kernel"]
    return [*_integer_table("kernel", m, n, policy, channels=n, reduced=m, channel_first=False), *rest]


def _embedding_terms(terms: list[Term], policy: _Policy) -> list[Term]:
    """Embedding under int8 / int4: the table (v, d) quantized per row, blocks over the row."""
    (table,) = (t for t in terms if t.weight == "embeddings")
    v, d = table.shape
    return _integer_table("embeddings", v, d, policy, channels=v, reduced=d, channel_first=True)


def _integer_table(
    weight: str, rows: int, cols: int, policy: _Policy, *, channels: int, reduced: int, channel_first: bool
) -> list[Term]:
    """An int8 table (int4: packed two per byte along its last axis) and its scales.

    One scale per channel; int4 with a block size b has one scale and one int8 zero point
    per channel and block of b values along the reduced axis, plus ``g_idx``, each reduced
    position's block (float32), as ``_int4_build`` creates them.
    """
    if policy.mode == "int8":
        return [
            Term("Q", weight, (rows, cols), trainable=False, dtype="int8"),
            Term("s", f"{weight}_scale", (channels,), trainable=False),
        ]
    out = [Term("Q", weight, (rows, (cols + 1) // 2), trainable=False, dtype="int8")]
    groups = _int4_blocks(policy, reduced)
    if groups is None:
        return [*out, Term("s", f"{weight}_scale", (channels,), trainable=False)]
    shape = (channels, groups) if channel_first else (groups, channels)
    return [
        *out,
        Term("s", f"{weight}_scale", shape, trainable=False),
        Term("z", f"{weight}_zero", shape, trainable=False, dtype="int8"),
        Term("g", "g_idx", (reduced,), trainable=False, dtype="float32"),
    ]
