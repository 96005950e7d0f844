"""FLOPs of a whole report: the walk over its rows, totals, renderings and LLM shortcuts.

Why apart from the formulas: this is what the CLI and the renderers call; it reads a report
once, derives each distinct layer once and sums.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from paramcalc.flops import DEFAULT_SIZES, Sizes, layer_flops
from paramcalc.frameworks import framework_of

if TYPE_CHECKING:
    from paramcalc.report import LayerRow, Report


def _mask_after(row: LayerRow, in_masks: Sequence[bool]) -> bool:
    """Whether a Keras layer's output carries a mask, from its rule's mask kind (the engine's ``_output_mask``)."""
    from paramcalc.rules import find_rule

    try:
        kind = find_rule(row.class_name).mask
    except Exception:  # noqa: BLE001 - a nested model or unknown class: no mask after it
        return False
    first = bool(in_masks) and in_masks[0]
    if kind == "embedding":
        return bool(row.args.get("mask_zero"))
    if kind == "masking":
        return True
    if kind == "keep":
        return first
    if kind == "sequences":
        return (
            first and bool(row.outputs) and bool(row.input_shapes) and len(row.outputs[0]) == len(row.input_shapes[0])
        )
    if kind == "merge":
        return bool(in_masks) and all(in_masks)
    if kind == "concatenate":
        return any(in_masks)
    return False


def _ref_name(ref: str) -> str:
    """``lstm`` of a graph reference ``lstm``, ``lstm[1]`` or ``lstm[0][1]``."""
    return ref.split("[", 1)[0]


def row_total(row: LayerRow, framework: str, sizes: Sizes = DEFAULT_SIZES) -> int | None:
    """FLOPs of a row, all its copies (``LlamaDecoderLayer × 32``) and calls; None when unknown.

    A shared layer called twice computes twice (its weights count once); its calls are
    assumed to see its first call's shapes.
    """
    terms = layer_flops(row, framework, sizes)
    return None if terms is None else sum(t.flops for t in terms) * row.repeat * max(row.calls, 1)


def report_flops(report: Report, sizes: Sizes = DEFAULT_SIZES) -> tuple[list[int | None], int | None]:
    """Per-row FLOPs and the model's total (None if any layer is unknown)."""
    per_row, total, _ = _walk(report, sizes)
    return per_row, total


def _walk(report: Report, sizes: Sizes) -> tuple[list[int | None], int | None, int | None]:
    """One pass over the rows: each row's FLOPs, the total and the attention part (None: unknown).

    Rows of identical layers share their bound arguments (the engine counts each distinct
    layer once), so each distinct (arguments, shapes, mask) is derived once: a generated
    100,000-layer spec costs a handful of derivations.
    """
    memo: dict[tuple[object, ...], tuple[tuple[int, int] | None, bool]] = {}
    per_row: list[int | None] = []
    total: int | None = 0
    attention: int | None = 0
    masked = False
    keras = framework_of(report.framework).masks
    masks: dict[str, bool] = {}  # graphs: whether each layer's output carries a Keras mask
    from paramcalc.flops_hf import refused_report

    refused = refused_report(report)
    ctx = None
    if refused:  # a transformers family counted by recipe: the recipes module is loaded only for it
        from paramcalc.flops_recipes import context, recipe_row

        ctx = context(report, sizes)
    if isinstance(report.extras.get("_rotary_factor"), float):
        sizes = sizes._replace(rotary=report.extras["_rotary_factor"])
    refused = refused and ctx is None
    for row in report.layers:
        in_masks = (masks.get(_ref_name(ref), False) for ref in row.inputs) if report.graph else (masked,)
        mask_key = tuple(in_masks)
        key: tuple[object, ...] = (
            id(row.args),
            row.class_name,
            row.input_shapes,
            row.outputs,
            id(row.terms),
            mask_key,
            row.children,
        )
        try:
            entry = memo.get(key)
        except TypeError:  # an unhashable shape or child: derive this row on its own
            entry, key = None, ()
        if entry is None:
            masked = bool(mask_key) and mask_key[0]
            terms = (
                recipe_row(ctx, row, sizes)
                if ctx is not None
                else layer_flops(row, report.framework, sizes._replace(masked=masked))
            )
            sums = (
                None
                if terms is None
                else (sum(t.flops for t in terms), sum(t.flops for t in terms if t.name.startswith(("Q·Kᵀ", "A·V"))))
            )
            entry = (sums, _mask_after(row, mask_key) if keras else False)
            if key:
                memo[key] = entry
        found, masked = entry
        if refused and found is not None and found[0]:
            found = None  # a recipe family whose multiplying rows are not verified (flops_hf.refused_report)
        if keras and report.graph:
            masks[row.name] = masked
        if found is None:
            per_row.append(None)
            total = attention = None
        else:
            times = row.repeat * max(row.calls, 1)
            per_row.append(found[0] * times)
            if total is not None and attention is not None:
                total += found[0] * times
                attention += found[1] * times
    return per_row, total, attention


class FlopReport(NamedTuple):
    """A model's FLOPs for one rendering: one value per row shown (None: unknown), the total, the sizes."""

    rows: list[int | None]
    total: int | None
    sizes: Sizes
    attention: int | None
    """FLOPs of the attention matmuls (Q·Kᵀ, A·V) in the total: the part that grows with L²."""
    llm: bool = False
    """A transformers model: the per-token LLM estimates apply."""


def summarize(report: Report, sizes: Sizes = DEFAULT_SIZES, expand_nested: bool = False) -> FlopReport:
    """FLOPs of every row ``report.rows(expand_nested)`` shows, and of the whole model."""
    per_top, total, attention = _walk(report, sizes)
    llm = framework_of(report.framework).language_models
    if not expand_nested:
        return FlopReport(per_top, total, sizes, attention, llm)
    by_id = {id(row): f for row, f in zip(report.layers, per_top, strict=True)}
    from paramcalc.flops_hf import refused_report

    refused = refused_report(report)
    rows = [
        by_id[id(row)] if id(row) in by_id else None if refused else row_total(row, report.framework, sizes)
        for row in report.rows(expand_nested)
    ]
    return FlopReport(rows, total, sizes, attention, llm)


def readable_flops(value: int) -> str:
    """``7.70 MFLOPs``: decimal steps (k, M, G, T, P), as FLOP rates are quoted."""
    for unit, step in (("P", 10**15), ("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if value >= step:
            return f"{value / step:.2f} {unit}FLOPs"
    return f"{value} FLOPs"


def where(sizes: Sizes) -> str:
    """``batch 1`` or ``batch 1 × 2048 tokens``."""
    return f"batch {sizes.batch}" + (f" × {sizes.seq_len:,} tokens" if sizes.seq_len is not None else "")


class Shortcut(NamedTuple):
    """One LLM rule of thumb, derived from the exact counts and labeled: key, label, value, how."""

    key: str
    label: str
    value: int
    how: str


def llm_shortcuts(flops: FlopReport, tokens: int | None = None) -> list[Shortcut]:
    """Forward FLOPs per token, and training compute ≈ 6·N·D, with and without attention.

    N is the number of weights each token multiplies by (the matmul FLOPs per token / 2:
    routed experts count k of E; an embedding look-up multiplies nothing).  Training is the
    forward pass plus a backward pass of twice its FLOPs: 3 × forward = 6·N per token, plus
    3 × the attention FLOPs per token, which grow with the sequence length (Kaplan et al. 2020,
    "Scaling Laws for Neural Language Models", §2.1).
    """
    sizes = flops.sizes
    if not flops.llm or flops.total is None or flops.attention is None or sizes.seq_len is None:
        return []
    per = sizes.batch * sizes.seq_len
    forward = flops.total // per
    attention = flops.attention // per
    n = (flops.total - flops.attention) // (2 * per)
    out = [
        Shortcut(
            "forward_flops_per_token",
            "Forward FLOPs per token",
            forward,
            f"{flops.total:,} / ({sizes.batch} × {sizes.seq_len:,} tokens)",
        ),
        Shortcut(
            "matmul_params_per_token", "Weights each token multiplies (N)", n, "(forward − attention) / 2 per token"
        ),
        Shortcut(
            "attention_flops_per_token",
            "Attention FLOPs per token",
            attention,
            f"Q·Kᵀ and A·V at {sizes.seq_len:,} tokens",
        ),
    ]
    if tokens is not None:
        out.append(
            Shortcut(
                "training_flops_6nd",
                "Training FLOPs ≈ 6·N·D",
                6 * n * tokens,
                "6 × N × D, an estimate: backward = 2 × forward",
            )
        )
        out.append(
            Shortcut(
                "training_flops_with_attention",
                "Training FLOPs ≈ 6·N·D + 3·attention·D",
                (6 * n + 3 * attention) * tokens,
                "(6 × N + 3 × attention per token) × D, an estimate",
            )
        )
    return out
