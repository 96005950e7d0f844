"""``paramcalc memory``: what a model needs to be stored, served (KV cache) and trained.

A command of its own module (registered by :mod:`paramcalc.cli`): serving and fine-tuning
bring many flags of their own (sequence length, KV dtype, optimizers, LoRA).
"""

from __future__ import annotations

from typing import Any

import click

from paramcalc.cli_options import (
    FORMATS_MEMORY,
    Command,
    dtype_callback,
    dtypes_option,
    emit,
    flop_size_options,
    format_option,
    framework_option,
)
from paramcalc.errors import UsageError
from paramcalc.limits import MAX_COUNT_FLAG


@click.command(cls=Command)
@click.argument("spec")
@format_option(FORMATS_MEMORY)
@dtypes_option
@flop_size_options
@click.option(
    "--kv-dtype",
    callback=dtype_callback,
    default=None,
    help="dtype of the KV cache (default: the config's torch_dtype, else float32, as transformers loads it).",
)
@click.option(
    "--optimizer",
    "optimizers",
    multiple=True,
    type=click.Choice(("all", "sgd", "sgd-momentum", "adam", "adamw", "adafactor", "adam8bit")),
    help="Training memory with these optimizers (repeatable; 'all' for every one).",
)
@click.option(
    "--lora-r", type=click.IntRange(min=1, max=MAX_COUNT_FLAG), default=None, metavar="R", help="LoRA rank (peft's r)."
)
@click.option(
    "--lora-targets", default=None, metavar="NAMES", help="Modules LoRA adapts, comma-separated: q_proj,v_proj."
)
@click.option(
    "--base-dtype",
    type=click.Choice(("float32", "bfloat16", "float16", "int8", "nf4", "int4")),
    default="bfloat16",
    show_default=True,
    help="dtype of the frozen base for LoRA fine-tuning (nf4: QLoRA).",
)
@framework_option
def memory(
    spec: str,
    fmt: str,
    dtypes: tuple[str, ...],
    batch: int,
    seq_len: int | None,
    kv_dtype: str | None,
    optimizers: tuple[str, ...],
    lora_r: int | None,
    lora_targets: str | None,
    base_dtype: str,
    framework: str | None,
) -> None:
    """Memory for SPEC's parameters: weights per dtype, and training with Adam.

    Every size is derived: bytes per parameter × parameters. Training counts weights,
    gradients and Adam's optimizer states (full float32: 4 + 4 + 8 = 16 B/param; mixed
    precision: 2 + 2 + 12 = 16 B/param, the 12 being a float32 master copy and Adam's m and
    v). With --seq-len, a Hugging Face config adds the exact KV cache (batch × tokens) and an
    activation estimate; --optimizer adds other optimizers, --lora-r/--lora-targets LoRA.

    \b
    Examples:
      paramcalc memory specs/llama-2-7b.config.json
      paramcalc memory specs/lstm.yaml --dtype float16 --format json
      paramcalc memory specs/llama-3-8b.config.json --batch 8 --seq-len 8192
      paramcalc memory specs/llama-2-7b.config.json --lora-r 8 --lora-targets q_proj,v_proj --base-dtype nf4
    """  # noqa: D301 - \b (backspace) keeps click from rewrapping the examples
    from paramcalc.memory import estimate
    from paramcalc.reports import report_for

    report = report_for(spec, framework=framework)
    beyond = None
    if seq_len is not None or optimizers or lora_r is not None or lora_targets is not None:
        beyond = _beyond(report, batch, seq_len, kv_dtype, optimizers, lora_r, lora_targets, base_dtype)
    result = estimate(report, dtypes or None, beyond)

    def rendered(name: str) -> Any:
        def produce() -> str:
            from paramcalc.render import memory_text

            return str(getattr(memory_text, name)(result)).rstrip() + "\n"

        return produce

    emit(fmt, {"json": result.to_dict, "text": rendered("text"), "markdown": rendered("markdown")})


def _beyond(
    report: Any,
    batch: int,
    seq_len: int | None,
    kv_dtype: str | None,
    optimizers: tuple[str, ...],
    lora_r: int | None,
    lora_targets: str | None,
    base_dtype: str,
) -> Any:
    """The memory figures beyond the parameters the flags ask for."""
    from paramcalc.kv_cache import kv_cache, kv_cache_note
    from paramcalc.memory import Beyond, checkpoint_dtype
    from paramcalc.training import OPTIMIZERS, activation_estimate, lora, optimizer_rows

    if (lora_r is None) != (lora_targets is None):
        raise UsageError(
            "LoRA needs both --lora-r and --lora-targets", hint="e.g. --lora-r 8 --lora-targets q_proj,v_proj"
        )
    kv = activations = None
    if seq_len is not None:
        kv = kv_cache(report, batch, seq_len)
        activations = activation_estimate(report, batch, seq_len)
    names = OPTIMIZERS if "all" in optimizers else tuple(dict.fromkeys(optimizers))
    return Beyond(
        kv=kv,
        kv_dtype=kv_dtype or checkpoint_dtype(report) or "float32",
        activations=activations,
        optimizers=tuple(optimizer_rows(report, names)) if names else (),
        lora=lora(report, lora_r, (lora_targets or "").split(",")) if lora_r is not None else None,
        base_dtype=base_dtype,
        kv_note=kv_cache_note(report) if seq_len is not None and kv is None else None,
    )
