"""FLOPs of the declarative (recipe) transformers families: encoders, encoder-decoders, vision towers.

Why a report-level pass: a recipe row's shapes do not carry the forward pass's token counts.
The tokens a block sees depend on the model, not the row: ``--seq-len`` tokens for a text
encoder or decoder, the patches (plus the class token of ViT and CLIP) for a vision tower, and a
pooled head reads one token per sample.  So each row is derived from its weights and the model's
token counts, the way FlopCounterMode sees the forward pass:

* every projection of a block on each of its tokens (``2·N·L·out·in``); a cross-attention's key
  and value projections on the encoder's tokens;
* attention in full (masks hide products, they skip none): ``2·N·L_q·L_k·width`` for the scores
  and for the weighted values, where width = heads × head dim is the query (value) projection's
  output: the head count cancels out;
* a vision tower's patch embedding: one convolution, ``2·N·patches·h·C·p_h·p_w``;
* heads: a pooler, a CLIP projection and a sequence classifier read one token per sample (N rows),
  the others every token.

Whisper's encoder runs on its mel frames: the stem's two convolutions, then ``max_source_positions``
tokens, whatever ``--seq-len`` says (the decoder's tokens).  Families not listed in :data:`TOKENS`
(ALBERT shares its layers across calls, DeBERTa adds disentangled-attention matmuls) and heads
not derived are refused: their multiplying rows get None, never a guess.  Checked against FlopCounterMode in
tests/golden/flops/families.json (tools/flops_golden_families.py).
"""

from __future__ import annotations

import re
from math import prod
from typing import TYPE_CHECKING, NamedTuple

from paramcalc.flops import FlopTerm, Sizes, Unknown, _matmul_terms, _matrices, _times

if TYPE_CHECKING:
    from paramcalc.report import LayerRow, Report, Term

TEXT = frozenset({"roberta", "xlm-roberta", "distilbert", "electra", "mpnet", "bart", "mbart", "pegasus", "marian"})
VISION = {"vit": 1, "clip_vision_model": 1, "siglip_vision_model": 0}
"""Vision towers and their extra (class) tokens beyond the patches."""
TOKENS = TEXT | {"clip_text_model", "whisper"} | set(VISION)
"""Recipe families derived here."""

POOLED_CLASSES = ("ForSequenceClassification", "ForImageClassification")
ENCODER_DECODER = frozenset({"bart", "mbart", "pegasus", "marian", "whisper"})
LOOKUPS = ("Embedding", "Positions", "RelativeBias")
"""Classes that only look rows up (token, position, relative-bias tables): 0 FLOPs."""
POOLED_NAMES = re.compile(r"(^|\.)(pooler|text_projection|visual_projection)(\.|$)")
_Q = re.compile(r"(^|\.)(query|q_proj|q_lin|q)\.weight$")
_V = re.compile(r"(^|\.)(value|v_proj|v_lin|v)\.weight$")
_CROSS = ("encoder_attn.", "crossattention.")


class Context(NamedTuple):
    """What a recipe model's rows see: its class, batch, and the tokens of each stack."""

    model_class: str
    cross: bool
    """Whether cross-attention runs: an encoder-decoder model; a decoder alone (``ForCausalLM``), or an
    encoder built with ``add_cross_attention``, gets no encoder states and skips it."""
    batch: int
    tokens: int
    """Tokens of the (text or vision) encoder, and of a decoder."""
    encoder_tokens: int | None = None
    """An audio encoder's own length (Whisper: ``max_source_positions``), when not ``tokens``."""


def context(report: Report, sizes: Sizes) -> Context | None:
    """The token counts of a recipe report (None: a family not derived, or no --seq-len for text)."""
    hf = report.extras.get("hf")
    kind = hf.get("model_type") if isinstance(hf, dict) else None
    if kind not in TOKENS or not isinstance(hf, dict):
        return None
    if kind in VISION:
        patches = next((dict(r.symbols).get("N") for r in report.layers if r.class_name.endswith("Embeddings")), None)
        if not isinstance(patches, int):
            return None
        return Context(str(hf.get("architecture", "")), False, sizes.batch, patches + VISION[kind])
    if sizes.seq_len is None:
        return None
    model_class = str(hf.get("architecture", ""))
    cross = kind in ENCODER_DECODER and not model_class.endswith("ForCausalLM")
    audio = None
    if kind == "whisper":  # the encoder runs on the mel frames' max_source_positions, whatever --seq-len says
        stem = next((r for r in report.layers if r.class_name == "WhisperAudioStem"), None)
        audio = dict(stem.symbols).get("S") if stem is not None else None
        if stem is not None and not isinstance(audio, int):
            return None
    return Context(model_class, cross, sizes.batch, sizes.seq_len, audio)


def recipe_row(ctx: Context, row: LayerRow, sizes: Sizes) -> list[FlopTerm] | None:
    """One row of a derived recipe family: block, patch embedding, head, or 0 for look-ups and norms."""
    try:
        return _recipe_row(ctx, row)
    except (Unknown, KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None


def _recipe_row(ctx: Context, row: LayerRow) -> list[FlopTerm] | None:
    if row.class_name.endswith(LOOKUPS):
        return []
    matrices = [t for t in _matrices(row) if "embedding" not in t.weight.rsplit(".", 1)[0].lower()]
    if not ctx.cross:
        matrices = [t for t in matrices if not t.weight.startswith(_CROSS)]
    n = ctx.batch
    conv = [t for t in row.terms if len(t.shape) == 4 and not t.buffer]
    if row.class_name.endswith("Embeddings") and conv:
        patches = dict(row.symbols).get("N")
        if len(conv) != 1 or not isinstance(patches, int):
            return None
        size = prod(conv[0].shape)
        return [
            FlopTerm(
                f"patch convolution ({conv[0].path}) over every patch",
                "2·N·patches·h·C·p_h·p_w",
                _times(2, n, patches, size),
                2 * n * patches * size,
            )
        ]
    if row.class_name == "WhisperAudioStem":
        return _audio_stem(ctx, row)
    if row.class_name.endswith("MultiheadAttentionPoolingHead"):
        return _probe_head(ctx, row, matrices)
    if not matrices:
        return []
    q = [t for t in matrices if _Q.search(t.weight)]
    if not q:  # a head: pooled ones read one token per sample
        pooled = POOLED_NAMES.search(row.name) or (
            ctx.model_class.endswith(POOLED_CLASSES) and ("classifier" in row.name or row.class_name.endswith("Head"))
        )
        if row.class_name.endswith(("Head", "Pooler")) and not pooled and "LMHead" not in row.class_name:
            return None  # an attention-pooling or other head not derived
        return _matmul_terms(row, n if pooled else n * ctx.tokens, "N" if pooled else "tokens", matrices)
    length = ctx.tokens
    encoder = ctx.encoder_tokens if ctx.encoder_tokens is not None else ctx.tokens
    if "Encoder" in row.class_name:
        length = encoder
    out: list[FlopTerm] = []
    for term in matrices:
        cross_kv = term.weight.startswith(_CROSS) and not _Q.search(term.weight) and "out" not in term.weight
        out += _matmul_terms(row, n * (encoder if cross_kv else length), "tokens", [term])
    v = [t for t in matrices if _V.search(t.weight)]
    for query in q:
        cross = query.weight.startswith(_CROSS)
        value = next((t for t in v if t.weight.startswith(_CROSS) == cross), None)
        if value is None:
            return None
        where = " (cross-attention)" if cross else ""
        widths = _widths(n, length, encoder if cross else length, query.shape[0], value.shape[0])
        out += [t._replace(name=t.name + where) for t in widths]
    return out


def _audio_stem(ctx: Context, row: LayerRow) -> list[FlopTerm] | None:
    """Whisper's two convolutions: conv1 (kernel 3, padding 1) on the 2·S mel frames, conv2 (stride 2) to S."""
    frames = ctx.encoder_tokens
    kernels = [t for t in row.terms if len(t.shape) == 3 and not t.buffer]
    if frames is None or len(kernels) != 2:
        return None
    out = []
    for term, positions in zip(kernels, (2 * frames, frames), strict=True):
        size = prod(term.shape)
        out.append(
            FlopTerm(
                f"{term.path} over every output frame",
                "2·N·frames·C_out·C_in·3",
                _times(2, ctx.batch, positions, size),
                2 * ctx.batch * positions * size,
            )
        )
    return out


def _probe_head(ctx: Context, row: LayerRow, matrices: list[Term]) -> list[FlopTerm] | None:
    """SigLIP's pooling head: one learned probe query attends over every token, then an MLP on it.

    ``nn.MultiheadAttention(probe, x, x)``: the packed in-projection makes the query on 1 row and
    the keys and values on the L rows (per sample), attention 1 × L, the out-projection and the
    MLP on the 1 pooled row.
    """
    n, length = ctx.batch, ctx.tokens
    packed = next((t for t in matrices if t.weight.endswith("in_proj_weight")), None)
    if packed is None or packed.shape[0] % 3:
        return None
    width, h = packed.shape[0] // 3, packed.shape[1]
    out = [
        FlopTerm("probe·W_q (in_proj_weight[:E])", "2·N·E·E", _times(2, n, width, h), 2 * n * width * h),
        FlopTerm(
            "x·W_kv (in_proj_weight[E:])", "2·N·L·2E·E", _times(2, n, length, 2 * width, h), 4 * n * length * width * h
        ),
        *_widths(n, 1, length, width, width),
    ]
    for term in matrices:
        if term is not packed and term.weight != "probe":  # the probe is the query, not a weight it meets
            out += _matmul_terms(row, n, "N", [term])
    return out


def _widths(n: int, q_len: int, k_len: int, q_width: int, v_width: int) -> list[FlopTerm]:
    """Q·Kᵀ and A·V by projection widths (heads × head dim): the head count cancels out."""
    out = []
    for name, width, symbol in (("Q·Kᵀ (attention scores)", q_width, "q"), ("A·V (weighted values)", v_width, "v")):
        out.append(
            FlopTerm(
                name,
                f"2·N·L_q·L_k·width_{symbol}",
                _times(2, n, q_len, k_len, width),
                2 * n * q_len * k_len * width,
            )
        )
    return out
