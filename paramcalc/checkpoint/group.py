"""A checkpoint's tensors as a :class:`~paramcalc.report.Report`: modules, folded blocks, stored bytes.

Grouping follows the Hugging Face summary (``paramcalc summary config.json``): a tensor
under a numbered block (``model.layers.5.self_attn.q_proj.weight``) belongs to that block
(``model.layers.5``), any other to its parent module (``model.embed_tokens``), and the
blocks of one stack holding the same tensors (names, shapes, dtypes) fold into one row
(``model.layers.0-31`` × 32), so a block that differs (T5's first block, a dense layer in
a mixture of experts) gets its own row.  GGUF names (``blk.5.attn_q.weight``) group the
same way.  Bytes are as stored, whole quantization blocks included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from paramcalc.checkpoint.dtypes import BLOCKS, SAFETENSORS_BITS, stored_bits
from paramcalc.checkpoint.records import Checkpoint, StoredTensor
from paramcalc.dtypes import readable_size
from paramcalc.report import LayerRow, Report, Term


@dataclass(slots=True)
class CheckpointReport(Report):
    """A report whose bytes are the tensors' stored bytes, each at its own stored dtype."""

    crosscheck: Any = field(default=None, compare=False)
    """The :class:`~paramcalc.checkpoint.crosscheck.CrossCheck` against a config.json, if one was found."""

    def bits_split(self) -> tuple[int, int]:
        """(all, 0): a checkpoint's tensors are all counted as trainable parameters, at their stored size."""
        bits = 0
        for row in self.layers:
            for term in row.terms:
                if term.counted:
                    bits += stored_bits(term.dtype, term.count) * row.repeat
        return bits, 0


def module_of(name: str) -> tuple[str, str, int | None, str]:
    """(module, stack, index, tensor name inside the module) of a tensor name.

    ``model.layers.5.mlp.up_proj.weight`` -> (``model.layers.5``, ``model.layers``, 5,
    ``mlp.up_proj.weight``); ``model.norm.weight`` -> (``model.norm``, "", None, ``weight``).
    """
    parts = name.split(".")
    for i, part in enumerate(parts[:-1]):
        if part.isdigit() and len(part) < 10:
            return ".".join(parts[: i + 1]), ".".join(parts[:i]), int(part), ".".join(parts[i + 1 :])
    if len(parts) == 1:
        return name, "", None, name
    return ".".join(parts[:-1]), "", None, parts[-1]


def report_of(checkpoint: Checkpoint) -> CheckpointReport:
    """Group a checkpoint's tensors into rows (see the module) and attach the cross-check."""
    classes: dict[str, str] = {}
    crosscheck = None
    if checkpoint.config is not None:
        from paramcalc.checkpoint.crosscheck import cross_check

        crosscheck, classes = cross_check(checkpoint)
    modules: dict[str, list[tuple[str, StoredTensor]]] = {}
    stacks: dict[str, tuple[str, int | None]] = {}
    for tensor in checkpoint.tensors:
        module, stack, index, inner = module_of(tensor.name)
        modules.setdefault(module, []).append((inner, tensor))
        stacks[module] = (stack, index)
    if classes:  # the model's own order (embeddings, blocks, norm, head), as the config's summary lists it
        order = {name: i for i, name in enumerate(classes)}
        modules = dict(sorted(modules.items(), key=lambda item: order.get(item[0], len(order))))
    rows: list[LayerRow] = []
    folded: dict[tuple[str, tuple[Any, ...]], int] = {}
    members: list[list[int]] = []
    for module, tensors in modules.items():
        stack, index = stacks[module]
        terms = tuple(Term(inner, inner, t.shape, dtype=t.dtype) for inner, t in tensors)
        label = f"{len(tensors)} tensor{'s' if len(tensors) != 1 else ''}"
        if index is not None:
            key = (stack, tuple((t.weight, t.shape, t.dtype) for t in terms))
            if key in folded:
                members[folded[key]].append(index)
                continue
            folded[key] = len(rows)
        members.append([] if index is None else [index])
        rows.append(LayerRow(module, classes.get(module, label), (), terms))
    final = []
    for row, indices in zip(rows, members, strict=True):
        if len(indices) > 1:
            from paramcalc.spec.hf_config import compress

            stack = stacks[row.name][0]
            copies = tuple(f"{stack}.{i}" if stack else str(i) for i in indices)
            name = compress(stack, indices) if stack else compress("", indices)[1:]
            row = LayerRow(name, row.class_name, (), row.terms, copies=copies)
        final.append(row)
    return _report(checkpoint, tuple(final), crosscheck)


def _report(checkpoint: Checkpoint, rows: tuple[LayerRow, ...], crosscheck: Any) -> CheckpointReport:
    per_dtype: dict[str, dict[str, int]] = {}
    for tensor in checkpoint.tensors:
        entry = per_dtype.setdefault(tensor.dtype, {"tensors": 0, "params": 0, "bytes": 0})
        entry["tensors"] += 1
        entry["params"] += tensor.count
        entry["bytes"] += tensor.nbytes
    main = max(per_dtype, key=lambda d: per_dtype[d]["bytes"]) if per_dtype else "F32"
    stored_bytes = sum(t.nbytes for t in checkpoint.tensors)
    params = sum(t.count for t in checkpoint.tensors)
    info: dict[str, Any] = {
        "format": checkpoint.format,
        "files": [f.replace("\\", "/") for f in checkpoint.files],
        "tensors": len(checkpoint.tensors),
        "dtypes": per_dtype,
    }
    notes = []
    if len(per_dtype) > 1:
        parts = [f"{d} {e['params']:,} params in {readable_size(e['bytes'])}" for d, e in per_dtype.items()]
        notes.append("stored as " + "; ".join(parts))
    if checkpoint.declared:
        info["declared"] = dict(checkpoint.declared)
        actual = {"total_size": stored_bytes, "total_parameters": params}
        for key, value in checkpoint.declared.items():
            unit = "bytes" if key == "total_size" else "parameters"
            if value == actual[key]:
                notes.append(f"index metadata {key} {value:,}: matches the {unit} the shards hold")
            else:
                notes.append(
                    f"index metadata {key} {value:,} does not match the {actual[key]:,} {unit} the shards hold"
                )
    if checkpoint.format == "gguf":
        arch = checkpoint.metadata.get("general.architecture")
        if isinstance(arch, str):
            info["architecture"] = arch
    extras: dict[str, Any] = {"checkpoint": info}
    if crosscheck is not None:
        extras["crosscheck"] = crosscheck.to_dict()
        notes.extend(crosscheck.lines())
    bits = SAFETENSORS_BITS.get(main)
    if bits is None:
        block, size = BLOCKS[main]
        bits = -(-size * 8 // block)
    return CheckpointReport(
        name=checkpoint.name,
        framework="checkpoint",
        layers=rows,
        dtype=main if len(per_dtype) <= 1 else "mixed",
        dtype_bits=bits,
        source=checkpoint.source,
        extras=extras,
        notes=tuple(notes),
        crosscheck=crosscheck,
    )


__all__ = ["CheckpointReport", "module_of", "report_of"]
