"""The memory estimate as plain text (terminal) or Markdown, derivation included.

Plain aligned columns, no rich: the numbers are the point, and every line shows how it was
obtained (bytes per parameter × parameters = bytes).
"""

from __future__ import annotations

from paramcalc.dtypes import readable_size
from paramcalc.memory import Beyond, Memory, Part


def _part_line(part: Part) -> tuple[str, str, str, str, str]:
    """``optimizer``, ``fp32 master 4 + m 4 + v 4``, ``= 12 B × 6,738,415,616``, bytes, size."""
    states = " + ".join(f"{name} {size}" for name, size in part.states)
    return (
        part.name,
        states,
        f"= {part.bytes_per_param} B × {part.params:,}",
        f"{part.bytes:,}",
        readable_size(part.bytes),
    )


def _columns(rows: list[tuple[str, ...]], right: set[int], indent: str = "  ") -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        out.append(indent + "  ".join(cells).rstrip())
    return out


def text(memory: Memory) -> str:
    """The estimate for a terminal: weights per dtype, then each Adam recipe term by term."""
    lines = [f'Memory: "{memory.name}", {memory.total:,} parameters ({memory.trainable:,} trainable)', ""]
    lines.append("Weights (inference: the parameters alone)")
    rows: list[tuple[str, ...]] = [("dtype", "bytes/param", "bytes", "size", "")]
    for w in memory.weights:
        mark = "← the checkpoint's dtype" if memory.checkpoint_dtype and w.dtype == memory.checkpoint_dtype else ""
        rows.append((w.dtype, w.per_param, f"{w.bytes:,}", readable_size(w.bytes), mark))
    lines += _columns(rows, {1, 2, 3})
    if memory.largest_layer is not None:
        name, class_name, params = memory.largest_layer
        lines.append(f"  largest layer: {name} ({class_name}), {params:,} parameters")
    if memory.active is not None:
        lines.append(f"  mixture of experts: each token uses {memory.active:,} parameters; all must be loaded")
    lines += ["", "Training with Adam (weights + gradients + optimizer states)"]
    for recipe in memory.training:
        lines.append(f"  {recipe.title}: {recipe.per_param} B per trainable parameter")
        rows = [_part_line(part) for part in recipe.parts]
        rows.append(("total", "", "", f"{recipe.bytes:,}", readable_size(recipe.bytes)))
        lines += _columns(rows, {3, 4}, indent="    ")
    if memory.beyond is not None:
        lines += beyond_lines(memory, memory.beyond)
    lines += ["", f"Not included: {', '.join(memory.excluded)}."]
    return "\n".join(lines)


def markdown(memory: Memory) -> str:
    """The estimate as GitHub Markdown tables."""
    lines = [f'**Memory: "{memory.name}"**, {memory.total:,} parameters ({memory.trainable:,} trainable)', ""]
    lines += ["| dtype | bytes/param | bytes | size |", "|:--|--:|--:|--:|"]
    for w in memory.weights:
        mark = " (checkpoint)" if memory.checkpoint_dtype and w.dtype == memory.checkpoint_dtype else ""
        lines.append(f"| {w.dtype}{mark} | {w.per_param} | {w.bytes:,} | {readable_size(w.bytes)} |")
    lines.append("")
    if memory.active is not None:
        lines += [f"Mixture of experts: each token uses {memory.active:,} parameters; all must be loaded.", ""]
    lines += ["Training with Adam:", "", "| recipe | part | bytes/param × params | bytes | size |"]
    lines.append("|:--|:--|:--|--:|--:|")
    for recipe in memory.training:
        for part in recipe.parts:
            name, states, per, nbytes, size = _part_line(part)
            lines.append(f"| {recipe.title} | {name}: {part.what} | {states} {per} | {nbytes} | {size} |")
        lines.append(
            f"| **{recipe.title}** | **total: {recipe.per_param} B/param** | | **{recipe.bytes:,}** | "
            f"**{readable_size(recipe.bytes)}** |"
        )
    if memory.beyond is not None:
        lines += beyond_lines(memory, memory.beyond)
    lines += ["", f"Not included: {', '.join(memory.excluded)}."]
    return "\n".join(lines) + "\n"


def beyond_lines(memory: Memory, beyond: Beyond) -> list[str]:
    """KV cache (exact), activations (estimate), optimizers and LoRA, each derived on its line."""
    lines: list[str] = []
    kv = beyond.kv
    if kv is None and beyond.kv_note is not None:
        lines += ["", f"KV cache: {beyond.kv_note}"]
    if kv is not None and beyond.kv_bytes is not None:
        lines += [
            "",
            f"KV cache after a forward pass (batch {kv.batch}, {kv.seq_len:,} tokens, {beyond.kv_dtype}; exact)",
        ]
        groups: dict[tuple[str, int, int, int, int | None], int] = {}
        for layer in kv.layers:
            key = (layer.kind, layer.heads, layer.head_dim, layer.tokens, layer.value_dim)
            groups[key] = groups.get(key, 0) + 1
        rows: list[tuple[str, ...]] = []
        for (kind, heads, dim, tokens, value_dim), n in groups.items():
            if value_dim is None:  # keys and values alike
                elements = 2 * kv.batch * heads * tokens * dim * n
                how = f"2 × {kv.batch} × {heads} kv heads × {tokens:,} tokens × {dim} × {n}"
            else:  # keys and values of different widths (MLA's latent and rotary key)
                elements = kv.batch * heads * tokens * (dim + value_dim) * n
                how = f"{kv.batch} × {heads} × {tokens:,} tokens × (keys {dim} + values {value_dim}) × {n}"
            rows.append((f"{n} layers ({kind})", how, f"= {elements:,} values"))
        lines += _columns(rows, {2})
        lines.append(
            f"  total: {kv.elements:,} values × {beyond.kv_dtype} = {beyond.kv_bytes:,} bytes"
            f" ({readable_size(beyond.kv_bytes)})"
        )
        lines += ["", "Weights + KV cache"]
        sums: list[tuple[str, ...]] = [
            (
                w.dtype,
                f"{w.bytes:,} + {beyond.kv_bytes:,}",
                f"= {w.bytes + beyond.kv_bytes:,}",
                readable_size(w.bytes + beyond.kv_bytes),
            )
            for w in memory.weights
        ]
        lines += _columns(sums, {1, 2, 3})
    act = beyond.activations
    if act is not None:
        lines += [
            "",
            f"Activations for training (ESTIMATE, Korthikanti et al. 2022; batch {act.batch}, {act.seq_len:,} tokens,"
            f" {act.layers} layers, h = {act.hidden}, a = {act.heads}, 16-bit)",
        ]
        each = act.per_layer()
        lines.append(f"  per layer: {each['none']:,} bytes without recomputation (s·b·h·(34 + 5·a·s/h))")
        rows = [
            ("no recomputation", "L·s·b·h·(34 + 5·a·s/h)", f"{act.none:,}", readable_size(act.none)),
            ("selective recomputation", "L·34·s·b·h", f"{act.selective:,}", readable_size(act.selective)),
            ("full recomputation", "L·2·s·b·h (layer inputs)", f"{act.full:,}", readable_size(act.full)),
        ]
        lines += _columns(rows, {2, 3})
    if beyond.optimizers:
        lines += ["", "Training memory per optimizer (weights + gradients + fp32 master + optimizer states)"]
        rows = [("optimizer", "precision", "weights", "gradients", "master", "states", "total", "")]
        for row in beyond.optimizers:
            rows.append(
                (
                    row.optimizer,
                    row.precision,
                    f"{row.weights:,}",
                    f"{row.gradients:,}",
                    f"{row.master:,}",
                    f"{row.states:,}",
                    f"{row.total:,}",
                    readable_size(row.total),
                )
            )
        lines += _columns(rows, {2, 3, 4, 5, 6, 7})
    if beyond.lora is not None:
        result = beyond.lora
        tune = beyond.finetune() or {}
        lines += ["", f"LoRA r={result.rank} on {', '.join(result.targets)} (peft, bias none)", f"  {result.line()}"]
        by_kind: dict[tuple[str, int, int], int] = {}
        for a in result.adapters:
            which = (a.module.rsplit(".", 1)[-1], a.fan_in, a.fan_out)
            by_kind[which] = by_kind.get(which, 0) + a.copies
        rows = [
            (
                f"{name} × {n}",
                f"r·(in + out) = {result.rank} × ({fin} + {fout})",
                f"= {result.rank * (fin + fout) * n:,}",
            )
            for (name, fin, fout), n in by_kind.items()
        ]
        lines += _columns(rows, {2})
        lines.append(
            f"  fine-tuning: base frozen at {beyond.base_dtype} {tune['base']:,} + adapters 16 B × "
            f"{result.trainable:,} = {tune['total']:,} bytes ({readable_size(tune['total'])})"
            + (
                " (4-bit base: an estimate, quantization constants not included)"
                if beyond.base_dtype in ("nf4", "int4")
                else ""
            )
        )
    return lines
