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
``unexpected`` if stored.  GGUF files name tensors their own way (``blk.0.attn_q.weight``),
so for them only the totals are compared.
"""

from __future__ import annotations

from dataclasses import dataclass
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

    @property
    def match(self) -> bool:
        """The checkpoint holds exactly the config's parameters."""
        return not self.differences and self.expected == self.stored

    def lines(self) -> list[str]:
        """The note lines of a summary: the verdict, then the first differences."""
        head = f"{self.config} ({self.architecture}) derives {self.expected:,} parameters"
        if self.match:
            how = "tensor for tensor" if self.by_name else "in total (GGUF names are not compared)"
            return [f"{head}: matches the checkpoint exactly, {how}"]
        delta = self.stored - self.expected
        lines = [f"{head}: the checkpoint does NOT match ({self.stored:,} stored, {delta:+,})"]
        if self.differences:
            shown = "; ".join(d.describe() for d in self.differences[:MAX_LISTED])
            more = len(self.differences) - MAX_LISTED
            lines.append(
                f"{len(self.differences)} tensor{'s' if len(self.differences) != 1 else ''} differ: {shown}"
                + (f"; and {more} more" if more > 0 else "")
            )
        return lines

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``crosscheck`` in the summary document)."""
        return {
            "config": self.config,
            "architecture": self.architecture,
            "match": self.match,
            "expected": self.expected,
            "stored": self.stored,
            "by_name": self.by_name,
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
    classes: dict[str, str] = {}
    for row in report.layers:
        classes[row.name] = row.class_name
        for term in row.terms:
            if term.counted:
                expected[f"{row.name}.{term.path.replace('/', '.')}" if row.name else term.path] = term.shape
    stored = {t.name: t.shape for t in checkpoint.tensors}
    stored_total = sum(t.count for t in checkpoint.tensors)
    architecture = str(report.extras.get("hf", {}).get("architecture", report.name))
    if checkpoint.format == "gguf":
        result = CrossCheck(checkpoint.config, architecture, report.total, stored_total, (), by_name=False)
        return result, {}
    differences = []
    for name, shape in expected.items():
        if name not in stored:
            differences.append(Difference(name, "missing", shape, None))
        elif stored[name] != shape:
            differences.append(Difference(name, "shape", shape, stored[name]))
    differences += [
        Difference(name, "unexpected", None, shape) for name, shape in stored.items() if name not in expected
    ]
    result = CrossCheck(checkpoint.config, architecture, report.total, stored_total, tuple(differences), by_name=True)
    return result, classes


def _where(path: str) -> Any:
    from paramcalc.errors import Location

    return Location(path)


__all__ = ["CrossCheck", "Difference", "cross_check"]
