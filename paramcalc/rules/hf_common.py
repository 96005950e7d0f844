"""Hugging Face transformers: the plain torch modules and the pieces every block is made of.

Rules for ``framework: transformers`` take the *config attributes* a module reads as their
keyword arguments (``hidden_size``, ``num_key_value_heads``, ...), with the config class's
defaults, and name every term by its transformers parameter name relative to the module
(``self_attn.q_proj.weight``), so a term's full name is the row name plus the term name,
exactly as ``model.named_parameters()`` prints it.

Shapes follow torch: ``nn.Linear(in, out)`` stores ``weight`` as ``(out, in)``; GPT-2's
``Conv1D(nf, nx)`` stores ``(nx, nf)``.  The helpers here return terms together with the
matching piece of the closed-form formula, so a rule's formula is assembled from the same
decisions (bias or not, packed or not) as its terms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from paramcalc.errors import LayerError
from paramcalc.rules import Args, Outcome, Shape, Term, rule

FRAMEWORK = "transformers"

NORM_CLASSES = (
    "LlamaRMSNorm",
    "MistralRMSNorm",
    "MixtralRMSNorm",
    "Qwen2RMSNorm",
    "Qwen2MoeRMSNorm",
    "Qwen3RMSNorm",
    "Qwen3MoeRMSNorm",
    "GemmaRMSNorm",
    "Gemma2RMSNorm",
    "Phi3RMSNorm",
    "T5LayerNorm",
)
"""RMS norms: one scale vector, no bias (T5's LayerNorm is an RMS norm too)."""


@dataclass
class Parts:
    """Terms and formula pieces collected while a rule walks its sub-modules."""

    terms: list[Term] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)

    def add(self, terms: Iterable[Term], piece: str) -> None:
        """Append terms and the formula piece that counts them."""
        self.terms.extend(terms)
        if piece:
            self.pieces.append(piece)

    @property
    def formula(self) -> str:
        """The pieces summed (``0`` when there are none)."""
        return " + ".join(self.pieces) or "0"


def linear(
    path: str, symbol: str, shape: tuple[int, int], dims: tuple[str, str], bias: bool, prefix: str = ""
) -> list[Term]:
    """A torch ``nn.Linear`` at ``path``: ``weight`` (out, in) and, with bias, ``bias`` (out,)."""
    terms = [Term(f"W_{symbol}", join(prefix, path, "weight"), shape, dims)]
    if bias:
        terms.append(Term(f"b_{symbol}", join(prefix, path, "bias"), (shape[0],), (dims[0],)))
    return terms


def norm(path: str, symbol: str, size: int, dim: str, bias: bool = False, prefix: str = "") -> list[Term]:
    """A norm's scale vector (``weight``) and, for LayerNorm, its shift (``bias``)."""
    terms = [Term(f"g_{symbol}", join(prefix, path, "weight"), (size,), (dim,))]
    if bias:
        terms.append(Term(f"β_{symbol}", join(prefix, path, "bias"), (size,), (dim,)))
    return terms


def join(*parts: str) -> str:
    """A dotted parameter name from its non-empty parts (``self_attn.q_proj`` + ``weight``)."""
    return ".".join(part.strip(".") for part in parts if part.strip("."))


def check_hidden(x: Shape, hidden: int, name: str = "hidden_size") -> Shape:
    """The block's output shape, after checking its input's last axis is ``hidden``."""
    if x and x[-1] is not None and x[-1] != hidden:
        raise LayerError(f"input has {x[-1]} features but {name} is {hidden}", hint="check the sizes")
    return (*x[:-1], hidden) if x else (None, hidden)


def check_divisible(
    hidden: int, heads: int, who: str, names: tuple[str, str] = ("hidden_size", "num_attention_heads")
) -> None:
    """Refuse a hidden size that the heads do not divide, as ``who`` (a config class or module) does."""
    if hidden % heads:
        raise LayerError(f"{names[0]} {hidden} is not a multiple of {names[1]} {heads}", hint=f"{who} refuses it")


def heads_layout(args: Args, heads_divide_hidden: bool = False) -> tuple[int, int, int, int]:
    """``(h, heads, kv_heads, head_dim)`` as the Llama-style attention modules read them.

    ``num_key_value_heads`` null means every head has its own keys and values (classic
    multi-head attention); fewer key/value heads than query heads is grouped-query
    attention.  ``head_dim`` null means ``hidden_size // num_attention_heads``; an explicit
    ``head_dim`` wins even when ``heads * head_dim != hidden_size`` (Gemma-7B, Qwen3).
    """
    h = args.positive_int("hidden_size")
    heads = args.positive_int("num_attention_heads")
    kv = args.optional_int("num_key_value_heads") if "num_key_value_heads" in args.values else None
    head_dim = args.optional_int("head_dim") if "head_dim" in args.values else None
    if heads_divide_hidden:
        check_divisible(h, heads, "the config class (validate_architecture)")
    if head_dim is None:
        head_dim = h // heads
        if head_dim == 0:
            raise LayerError(f"hidden_size {h} < num_attention_heads {heads}: head_dim would be 0")
    return h, heads, kv or heads, head_dim


def _embedding_shape(x: Shape, dim: int) -> Shape:
    """Token ids ``(seq,)`` -> ``(seq, dim)``; position/type tables share the token axis."""
    return ((x[0] if x else None), dim)


@rule(
    "Embedding",
    "num_embeddings",
    "embedding_dim",
    ("padding_idx", None),
    framework=FRAMEWORK,
    base=False,
    legend={"V": "num_embeddings, rows of the table (vocabulary or positions)", "d": "embedding_dim"},
)
def embedding(args: Args, x: Shape) -> Outcome:
    """A lookup table: one learned vector of d numbers per id, V·d parameters. Token,
    position and token-type tables all look like this; a ``padding_idx`` row is still a
    parameter (it is only kept at zero), so it counts.
    """
    vocab = args.integer("num_embeddings", minimum=0)
    dim = args.positive_int("embedding_dim")
    pad = args.get("padding_idx")
    if pad is not None:
        pad = args.integer("padding_idx", minimum=-(2**63))
        if not -vocab <= pad < vocab:
            raise LayerError(
                f"padding_idx {pad} is outside the {vocab} embeddings",
                hint="torch's nn.Embedding refuses it (check pad_token_id against vocab_size)",
            )
    terms = [Term("E", "weight", (vocab, dim), ("V", "d"))]
    return Outcome(shape=_embedding_shape(x, dim), terms=terms, formula="V*d", symbols={"V": vocab, "d": dim})


for _scaled in ("GemmaTextScaledWordEmbedding", "Gemma2TextScaledWordEmbedding"):
    rule(
        _scaled,
        "num_embeddings",
        "embedding_dim",
        ("padding_idx", None),
        ("embed_scale", 1.0),
        framework=FRAMEWORK,
        base=False,
        legend={"V": "num_embeddings, the vocabulary", "d": "embedding_dim, the hidden size"},
    )(embedding)


@rule(
    "Linear",
    "in_features",
    "out_features",
    ("bias", True),
    framework=FRAMEWORK,
    base=False,
    legend={"m": "in_features", "n": "out_features"},
)
def linear_layer(args: Args, x: Shape) -> Outcome:
    """``nn.Linear``: an n×m weight (stored out × in) and, with bias, n biases. As an LM head
    it maps the hidden size to the vocabulary; when the config ties word embeddings the
    weight *is* the input embedding table and is counted once.

    Rows of a transformers model follow ``named_parameters()`` (registration) order, not the
    order the forward pass runs them: OPT registers ``project_out`` (h -> word_embed_proj_dim)
    before its layers but runs it after them, so the row before ``lm_head`` may have another
    width than ``in_features``; the input is therefore not checked against it.
    """
    m = args.positive_int("in_features")
    n = args.integer("out_features")  # torch builds nn.Linear(m, 0): a classifier of num_labels 0
    terms = [Term("W", "weight", (n, m), ("n", "m"))]
    formula = "n*m"
    if args.flag("bias"):
        terms.append(Term("b", "bias", (n,), ("n",)))
        formula = "n*(m + 1)"
    return Outcome(shape=(*x[:-1], n) if x else (None, n), terms=terms, formula=formula, symbols={"m": m, "n": n})


@rule(
    "LayerNorm",
    "normalized_shape",
    ("eps", 1e-5),
    ("elementwise_affine", True),
    ("bias", True),
    framework=FRAMEWORK,
    base=False,
    legend={"h": "normalized_shape, the hidden size"},
)
def layer_norm(args: Args, x: Shape) -> Outcome:
    """``nn.LayerNorm``: a scale and a shift per feature, 2·h."""
    h = args.positive_int("normalized_shape")
    shape = check_hidden(x, h, "normalized_shape")
    if not args.flag("elementwise_affine"):
        return Outcome(shape=shape, formula="0", symbols={"h": h})
    with_bias = args.flag("bias")
    terms = norm("", "ln", h, "h", bias=with_bias)
    return Outcome(shape=shape, terms=terms, formula="2*h" if with_bias else "h", symbols={"h": h})


def rms_norm(args: Args, x: Shape) -> Outcome:
    """An RMS norm: rescales by the root mean square, with one learned scale per feature
    and no shift, so h parameters.
    """
    h = args.positive_int("hidden_size")
    shape = check_hidden(x, h)
    return Outcome(shape=shape, terms=[Term("g", "weight", (h,), ("h",))], formula="h", symbols={"h": h})


for _norm in NORM_CLASSES:
    rule(_norm, "hidden_size", ("eps", 1e-6), framework=FRAMEWORK, base=False, legend={"h": "hidden_size"})(rms_norm)
