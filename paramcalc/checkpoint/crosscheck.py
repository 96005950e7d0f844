"""Does a checkpoint hold exactly the parameters its config.json derives?  The conversion check.

paramcalc counts the config (``summary config.json``) and compares tensor for tensor:
every parameter the config's model has must be stored under its name with its shape, and
nothing else may be stored.  Differences are listed by kind:

- ``missing``: the config's model has the tensor and the checkpoint does not (a dropped
  layer, a head that was not saved);
- ``unexpected``: the checkpoint stores a tensor the model does not have (an old buffer
  such as ``attn.bias``, an untied head when the config ties it, extra layers);
- ``shape``: both have it, with different shapes (a resized vocabulary).

A tied weight (``lm_head.weight`` is the embedding) is not expected in the file, and is
``unexpected`` if stored (the difference names what it is tied to); so is a buffer an old
conversion saved (GPT-2's ``attn.bias`` mask, a rotary ``inv_freq``).  The summary line folds the differences by module
(``model.layers.3-5: 27 tensors missing``) so a dropped layer, an untied head and an old
buffer all show in one line.  What transformers itself saves is never a difference
(:func:`compare`: hub names, per-expert layouts, tied pairs stored under the other name;
:data:`BUFFERS`, :data:`NOT_SAVED`).  GGUF files name tensors their own way
(``blk.0.attn_q.weight``), so for them only the totals are compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from math import prod
from typing import Any, Literal

from paramcalc.checkpoint.records import Checkpoint
from paramcalc.frameworks import framework_of

DifferenceKind = Literal["missing", "unexpected", "shape"]
"""How a tensor differs: the config's model has it and the checkpoint does not, the checkpoint
stores one the model does not have, or both have it with different shapes."""

MAX_LISTED = 5
"""Differences named in the summary's note (the JSON lists all)."""


@dataclass(frozen=True, slots=True)
class Difference:
    """One tensor the config and the checkpoint disagree on."""

    tensor: str
    status: DifferenceKind
    expected: tuple[int, ...] | None
    stored: tuple[int, ...] | None
    tied_to: str = ""
    """For an unexpected tensor the config's model ties: the parameter it is there."""

    @property
    def count(self) -> int:
        """Parameters the difference adds (positive) or removes (negative) in the checkpoint."""
        from math import prod

        return (prod(self.stored) if self.stored is not None else 0) - (
            prod(self.expected) if self.expected is not None else 0
        )

    def describe(self) -> str:
        """``lm_head.weight missing (32000, 4096)``."""
        if self.status == "missing":
            return f"{self.tensor} missing {self.expected}"
        if self.status == "unexpected" and self.tied_to:
            return f"{self.tensor} {self.stored} stored, but the config ties it to {self.tied_to}"
        if self.status == "unexpected":
            return f"{self.tensor} {self.stored} not in the config's model"
        return f"{self.tensor} stored {self.stored}, config {self.expected}"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "tensor": self.tensor,
            "status": self.status,
            "expected_shape": None if self.expected is None else list(self.expected),
            "stored_shape": None if self.stored is None else list(self.stored),
            "delta": self.count,
            **({"tied_to": self.tied_to} if self.tied_to else {}),
        }


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """The outcome of comparing a checkpoint with its config."""

    config: str
    architecture: str
    expected: int
    """Parameters the config derives (each tied weight once)."""
    stored: int
    """Parameters the checkpoint stores."""
    differences: tuple[Difference, ...]
    by_name: bool
    """Whether tensors were compared by name (safetensors), or only the totals (GGUF)."""
    renamed: int = 0
    """Stored tensors that are the config's tensors under another name (the same shapes)."""
    regrouped: int = 0
    """Stored tensors holding the config's parameters in another layout (per-expert weights
    where the model fuses them): compared by count only."""
    buffers: int = 0
    """Stored persistent buffers (``final_logits_bias``): not parameters, not in ``stored``."""
    unsaved: int = 0
    """Parameters of the config's model that transformers never saves (Marian's sinusoidal
    positions, its ``_keys_to_ignore_on_save``): in ``expected``, not expected in the file."""

    @property
    def match(self) -> bool:
        """The checkpoint holds exactly the config's parameters."""
        return not self.differences and self.expected == self.stored + self.unsaved

    def lines(self) -> list[str]:
        """The note lines of a summary: the verdict, then the first differences."""
        head = f"{self.config} ({self.architecture}) derives {self.expected:,} parameters"
        if self.match:
            return [f"{head}: matches the checkpoint exactly, {self.how}"]
        delta = self.stored - self.expected
        lines = [f"{head}: the checkpoint does NOT match ({self.stored:,} stored, {delta:+,})"]
        if self.differences:
            groups = folded(self.differences)
            shown = "; ".join(groups[:MAX_LISTED])
            more = len(groups) - MAX_LISTED
            lines.append(
                f"{len(self.differences)} tensor{'s' if len(self.differences) != 1 else ''} differ: {shown}"
                + (f"; and {more} more" if more > 0 else "")
            )
        return lines

    @property
    def how(self) -> str:
        """How the match was established, for the verdict: ``tensor for tensor``, ``in total``."""
        if not self.by_name:
            return "in total (GGUF names are not compared)"
        parts = []
        if self.regrouped:
            parts.append(f"in total, {self.regrouped:,} stored tensors in another layout (fused or split)")
        else:
            parts.append("tensor for tensor")
        if self.renamed:
            parts.append(f"{self.renamed:,} under other names with the same shapes")
        if self.buffers:
            parts.append(f"stored buffers of {self.buffers:,} elements not counted")
        if self.unsaved:
            parts.append(f"{self.unsaved:,} parameters transformers does not save")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``crosscheck`` in the summary document)."""
        return {
            "config": self.config,
            "architecture": self.architecture,
            "match": self.match,
            "expected": self.expected,
            "stored": self.stored,
            "by_name": self.by_name,
            "renamed": self.renamed,
            "regrouped": self.regrouped,
            "buffers": self.buffers,
            "unsaved": self.unsaved,
            "differences": [d.to_dict() for d in self.differences],
        }


def cross_check(checkpoint: Checkpoint) -> tuple[CrossCheck, dict[str, str]]:
    """Compare ``checkpoint`` with its config; also each module's class name, for the table."""
    from paramcalc.engine import analyze
    from paramcalc.errors import SpecError
    from paramcalc.spec import load_spec

    assert checkpoint.config is not None  # noqa: S101 - the caller checks
    model = load_spec(checkpoint.config)
    if not framework_of(model.framework).configs:
        raise SpecError(
            "the config beside a checkpoint must be a Hugging Face config.json", location=_where(checkpoint.config)
        )
    report = analyze(model).expanded()
    expected: dict[str, tuple[int, ...]] = {}
    tied: dict[str, str] = {}
    classes: dict[str, str] = {}
    for row in report.layers:
        classes[row.name] = row.class_name
        for term in row.terms:
            path = term.path.replace("/", ".")
            name = f"{row.name}.{path}" if row.name and path else row.name or path
            if term.counted:
                expected[name] = term.shape
            elif term.tied_to:
                tied[name] = term.tied_to
    buffers = [t for t in checkpoint.tensors if t.name not in expected and t.name.rsplit(".", 1)[-1] in BUFFERS]
    stored = {t.name: t.shape for t in checkpoint.tensors if t not in buffers}
    buffer_total = sum(t.count for t in buffers)
    stored_total = sum(t.count for t in checkpoint.tensors) - buffer_total
    architecture = str(report.extras.get("hf", {}).get("architecture", report.name))
    if checkpoint.format == "gguf":
        result = CrossCheck(checkpoint.config, architecture, report.total, stored_total, (), by_name=False)
        return result, {}
    unsaved = {name: expected.pop(name) for name in NOT_SAVED.get(architecture, ()) if name in expected}
    differences, renamed, regrouped = compare(expected, stored, tied)
    result = CrossCheck(
        checkpoint.config,
        architecture,
        report.total,
        stored_total,
        differences,
        by_name=True,
        renamed=renamed,
        regrouped=regrouped,
        buffers=buffer_total,
        unsaved=sum(prod(shape) for name, shape in unsaved.items() if name not in stored),
    )
    return result, classes


_DIGITS = re.compile(r"(?<=\.)\d+(?=\.)")


def _skeleton(name: str) -> str:
    """``model.layers.N.mlp.up_proj.weight``: a name with its block numbers blanked.

    A stored tensor whose skeleton is a missing one's is a block stored under the wrong
    number (layers 0, 1, 2, 4 for 0-3), never a renaming.
    """
    return _DIGITS.sub("N", name)


NOT_SAVED: dict[str, tuple[str, ...]] = {
    "MarianMTModel": ("model.encoder.embed_positions.weight", "model.decoder.embed_positions.weight"),
}
"""Parameters a transformers class leaves out of its checkpoints (``_keys_to_ignore_on_save``)."""

BUFFERS = frozenset({"final_logits_bias", "e_score_correction_bias"})
"""Persistent buffers transformers saves beside the parameters (BART-family generation heads'
``final_logits_bias``, DeepSeek-V3's router ``e_score_correction_bias``): stored, never counted."""


def compare(
    expected: dict[str, tuple[int, ...]], stored: dict[str, tuple[int, ...]], tied: dict[str, str]
) -> tuple[tuple[Difference, ...], int, int]:
    """The differences by name, less those that are only naming or layout; and how many were.

    transformers saves some models under their hub names, not the names of the model it
    builds (ViT's ``encoder.layer.0.attention.attention.query`` for ``layers.0.attention.q_proj``,
    GPT-NeoX's ``embed_out`` for ``lm_head``), or in another layout (a mixture of experts'
    per-expert weights for the fused ``experts.gate_up_proj``), and a tied pair may be stored
    under either name.  So, in turn: a stored tensor the config ties to a missing one of the
    same shape is that one; unexpected and missing tensors of the same shape pair up as
    renamed; and what is left counts as regrouped when its parameters add up exactly --
    unless a stored name is a missing one with other block numbers: a misnumbered block.
    """
    shapes = [Difference(n, "shape", s, stored[n]) for n, s in expected.items() if n in stored and stored[n] != s]
    missing = {name: shape for name, shape in expected.items() if name not in stored}
    unexpected = {name: shape for name, shape in stored.items() if name not in expected}
    for name, shape in list(unexpected.items()):
        partner = tied.get(name)
        if partner is not None and missing.get(partner) == shape:
            del unexpected[name], missing[partner]
    misnumbered = {_skeleton(name) for name in missing} & {_skeleton(name) for name in unexpected}
    pool: dict[tuple[int, ...], list[str]] = {}
    for name, shape in missing.items():
        if _skeleton(name) not in misnumbered:
            pool.setdefault(shape, []).append(name)
    renamed = 0
    for name, shape in list(unexpected.items()):
        if pool.get(shape) and _skeleton(name) not in misnumbered:
            del missing[pool[shape].pop(0)], unexpected[name]
            renamed += 1
    stored_left = sum(prod(shape) for shape in unexpected.values())
    if (
        not shapes
        and not misnumbered
        and unexpected
        and missing
        and stored_left == sum(prod(shape) for shape in missing.values())
    ):
        return (), renamed, len(unexpected)
    differences = shapes + [Difference(n, "unexpected", None, s, tied.get(n, "")) for n, s in unexpected.items()]
    differences += [Difference(name, "missing", shape, None) for name, shape in missing.items()]
    return tuple(differences), renamed, 0


def folded(differences: tuple[Difference, ...]) -> list[str]:
    """The differences for one line: a module's several tensors of one kind folded, blocks in ranges.

    ``model.layers.3-5: 27 tensors missing (5,856 params)``, then single tensors described
    one by one (``lm_head.weight (64, 16) stored, but the config ties it to ...``).
    """
    from paramcalc.checkpoint.group import module_of
    from paramcalc.spec.hf_config import compress

    by_module: dict[tuple[str, str], list[Difference]] = {}
    for difference in differences:
        module = module_of(difference.tensor)[0]
        by_module.setdefault((difference.status, module), []).append(difference)
    # blocks of one stack missing (or extra) the same tensors fold into a range
    ranges: dict[tuple[str, str, tuple[str, ...]], list[int]] = {}
    out: list[tuple[tuple[str, str, tuple[str, ...]], list[Difference]]] = []
    for (status, module), found in by_module.items():
        _, stack, index, _ = module_of(found[0].tensor)
        if len(found) == 1 or status == "shape":
            out.extend(((status, d.tensor, ()), [d]) for d in found)
            continue
        key = (status, stack if index is not None else module, tuple(module_of(d.tensor)[3] for d in found))
        if index is not None and key in ranges:
            ranges[key].append(index)
            next(diffs for k, diffs in out if k == key).extend(found)
            continue
        ranges[key] = [] if index is None else [index]
        out.append((key, list(found)))
    lines = []
    for key, found in out:
        if len(found) == 1:
            lines.append(found[0].describe())
            continue
        status, name, _ = key
        indices = ranges.get(key, [])
        where = compress(name, indices) if indices else name
        what = "missing" if status == "missing" else "not in the config's model"
        params = sum(abs(d.count) for d in found)
        lines.append(f"{where}: {len(found)} tensors {what} ({params:,} params)")
    return lines


def _where(path: str) -> Any:
    from paramcalc.errors import Location

    return Location(path)


__all__ = ["BUFFERS", "CrossCheck", "Difference", "compare", "cross_check", "folded"]
