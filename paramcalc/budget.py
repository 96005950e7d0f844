"""Budgets: the limits a model must stay within, the numbers users write for them, violations.

A budget caps the parameter count (``max_params``), the bytes those parameters take
(``max_bytes``, at the budget's ``dtype``), or both.  It comes from a spec's own
``budget:`` mapping and from command-line flags, flags winning field by field.

Numbers are read exactly (:class:`fractions.Fraction`, never a float): ``1.5M`` is
1,500,000, ``2G`` 2,000,000,000, ``500k`` 500,000, ``1_000_000`` and ``1,000,000`` a
million.  Sizes use 1024 steps, as Keras prints them: ``8MB`` is 8·1024² bytes, the
same as ``8MiB``.  A value that is not a whole number (``1.0000005M``) or carries an
unknown suffix is an error, never rounded.

:func:`check_specs` runs ``paramcalc check``: it counts every spec, keeps going past
invalid ones and collects one :class:`CheckResult` per spec.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from paramcalc.dtypes import canonical_dtype, readable_size
from paramcalc.errors import Location, ParamcalcError, SpecError, UsageError, close_match
from paramcalc.report import SCHEMA_VERSION, Report
from paramcalc.spec.records import ModelSpec

COUNT_SUFFIXES: dict[str, int] = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "b": 10**9, "t": 10**12}
"""Count suffixes, case-insensitive: k thousand, M million, G or B billion, T trillion."""

SIZE_UNITS: dict[str, int] = {
    "": 1,
    "b": 1,
    "kb": 1024,
    "mb": 1024**2,
    "gb": 1024**3,
    "tb": 1024**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
"""Size units, case-insensitive, all in 1024 steps (KB = KiB, as Keras' summary prints sizes)."""

BUDGET_KEYS = ("max_params", "max_bytes", "max_flops", "dtype")
DEFAULT_DTYPE = "float32"

_NUMBER = re.compile(
    r"""\s*(?P<number>
        (?:\d{1,3}(?:,\d{3})+ | \d+(?:_\d+)*)(?:\.\d+(?:_\d+)*)?   # 1_000_000, 1,000,000, 1.5
        | \.\d+(?:_\d+)*                                           # .5
    )
    (?P<exponent>[eE][+-]?\d{1,3})?                                 # 1e6, 2.5E3
    \s*(?P<suffix>[A-Za-z]*)\s*\Z""",
    re.VERBOSE,
)

COUNT_HINT = "write a count like 2000000, 1_000_000, 500k, 1.5M or 2G (suffixes k, M, G or B, T)"
SIZE_HINT = "write a size like 8MB, 512KiB or 1.5GiB (KB, MB, GB, TB: 1024 steps, as Keras prints), or bytes"


def parse_count(text: str) -> int:
    """A parameter count: ``2000000``, ``1_000_000``, ``500k``, ``1.5M``, ``2G``, ``1e6``."""
    return _parse_number(text, COUNT_SUFFIXES, "a parameter count", COUNT_HINT, (SIZE_UNITS, "a size"))


def parse_size(text: str) -> int:
    """A size in bytes: ``8MB``, ``1.5GiB``, ``512KiB``, ``1000`` (KB/MB/GB are 1024 steps)."""
    return _parse_number(text, SIZE_UNITS, "a size", SIZE_HINT, (COUNT_SUFFIXES, "a count"))


def _parse_number(
    text: str, units: Mapping[str, int], what: str, hint: str, other: tuple[Mapping[str, int], str]
) -> int:
    if not text.isascii():  # int() reads "١٢" and "１２" as 12: a budget is written in ASCII digits
        raise UsageError(f"'{text}' is not {what}: write it with ASCII digits 0-9", hint=hint)
    match = _NUMBER.match(text)
    if match is None:
        raise UsageError(f"'{text}' is not {what}", hint=f"{hint}; no sign, no spaces inside")
    suffix = match["suffix"]
    if units is SIZE_UNITS and suffix.endswith("b") and not suffix[:-1].islower():  # 8Mb: megabits?
        raise UsageError(
            f"'{text}' is ambiguous: a lowercase b means bits", hint=f"write {text[:-1]}B for bytes; {hint}"
        )
    if suffix.lower() not in units:
        if suffix.lower() in other[0]:
            raise UsageError(f"'{text}' looks like {other[1]}, not {what}", hint=hint)
        raise UsageError(f"unknown suffix '{suffix}' in '{text}'", hint=hint)
    digits = match["number"].replace("_", "").replace(",", "")
    value = Fraction(digits + (match["exponent"] or "")) * units[suffix.lower()]
    if value.denominator != 1:
        raise UsageError(
            f"'{text}' is not a whole number ({float(value):,.12g})", hint="a count or size must come out whole"
        )
    return int(value)


def _limit_value(key: str, value: Any) -> int:
    """A ``budget:`` value from a spec: an integer, a whole float, or a string with a suffix."""
    if isinstance(value, bool):
        raise UsageError(f"'{key}' must be a number, got {value}")
    if isinstance(value, int):
        if value < 0:
            raise UsageError(f"'{key}' must not be negative, got {value}")
        return value
    if isinstance(value, float):
        if not value.is_integer() or value < 0:
            raise UsageError(f"'{key}' must be a whole number, got {value}")
        return int(value)
    if isinstance(value, str):
        return parse_size(value) if key == "max_bytes" else parse_count(value)
    raise UsageError(f"'{key}' must be a number, got {type(value).__name__}")


@dataclass(frozen=True)
class Budget:
    """Limits for one model; ``None`` means no limit of that kind.

    ``from_spec`` names the fields that came from the spec's own ``budget:`` (declared at
    ``location``); the others came from command-line flags.
    """

    max_params: int | None = None
    max_bytes: int | None = None
    dtype: str | None = None
    from_spec: frozenset[str] = frozenset()
    location: Location | None = None
    max_flops: int | None = None
    """Forward-pass FLOPs (paramcalc.flops) at ``batch`` and ``seq_len`` (flags only)."""
    batch: int = 1
    seq_len: int | None = None

    @property
    def empty(self) -> bool:
        """Whether there is nothing to check (no parameter, byte or FLOP limit)."""
        return self.max_params is None and self.max_bytes is None and self.max_flops is None

    @property
    def effective_dtype(self) -> str:
        """The dtype sizes are measured at (float32, as Keras, unless the budget says)."""
        return self.dtype or DEFAULT_DTYPE

    def source_of(self, key: str) -> str:
        """How a limit is named in messages: ``max_params`` (the spec's) or ``--max-params`` (a flag)."""
        return key if key in self.from_spec else "--" + key.replace("_", "-")

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the limits, the dtype, which came from the spec, and its line."""
        return {
            "max_params": self.max_params,
            "max_bytes": self.max_bytes,
            **({"max_flops": self.max_flops, "batch": self.batch, "seq_len": self.seq_len} if self.max_flops else {}),
            "dtype": self.effective_dtype,
            "from_spec": sorted(self.from_spec),
            "line": self.location.line if self.location else None,
        }


def budget_from_spec(spec: ModelSpec) -> Budget:
    """The spec's own ``budget:`` mapping as a :class:`Budget` (empty when it has none)."""
    raw = spec.budget
    if not raw:
        return Budget(location=spec.budget_location)
    where = spec.budget_location or Location(spec.source)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in BUDGET_KEYS:
            close = close_match(str(key), BUDGET_KEYS)
            raise SpecError(
                f"unknown budget key '{key}'",
                location=where,
                hint=f"did you mean '{close}'?" if close else f"a budget takes {', '.join(BUDGET_KEYS)}",
            )
        if value is None:
            continue
        try:
            values[key] = canonical_dtype(str(value)) if key == "dtype" else _limit_value(key, value)
        except UsageError as exc:
            raise SpecError(f"budget {exc.message}", location=where, hint=exc.hint) from None
    return Budget(**values, from_spec=frozenset(values), location=where)


def resolve_budget(spec: ModelSpec, flags: Budget) -> Budget:
    """The budget a spec is checked against: flags where given, the spec's ``budget:`` elsewhere."""
    own = budget_from_spec(spec)
    return Budget(
        max_params=flags.max_params if flags.max_params is not None else own.max_params,
        max_bytes=flags.max_bytes if flags.max_bytes is not None else own.max_bytes,
        max_flops=flags.max_flops if flags.max_flops is not None else own.max_flops,
        batch=flags.batch,
        seq_len=flags.seq_len,
        dtype=flags.dtype or own.dtype,
        from_spec=frozenset(key for key in own.from_spec if getattr(flags, key) is None),
        location=own.location,
    )


@dataclass(frozen=True)
class Violation:
    """One limit a model exceeds: which (``max_params``/``max_bytes``), the limit and the actual value."""

    key: str
    limit: int
    actual: int

    @property
    def excess(self) -> int:
        """How far over the limit."""
        return self.actual - self.limit

    @property
    def unit(self) -> str:
        """``params``, ``bytes`` or ``FLOPs``."""
        return {"max_params": "params", "max_flops": "FLOPs"}.get(self.key, "bytes")

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"limit_name": self.key, "limit": self.limit, "actual": self.actual, "excess": self.excess}


def forward_flops(report: Report, budget: Budget) -> int:
    """The model's forward FLOPs at the budget's batch and sequence length; an error if unknown."""
    from paramcalc.flops import Sizes, report_flops

    per_row, total = report_flops(report, Sizes(budget.batch, budget.seq_len))
    if total is None:
        row = next(r for r, f in zip(report.layers, per_row, strict=True) if f is None)
        raise UsageError(
            f"the FLOPs of layer '{row.name}' ({row.class_name}) are unknown, so max_flops cannot be checked",
            hint="give --seq-len N for an unknown sequence length; docs/flops.md lists the layers without a formula",
        )
    return total


def violations(report: Report, budget: Budget) -> list[Violation]:
    """Every limit of ``budget`` that ``report`` exceeds (bytes at the report's dtype)."""
    found = []
    if budget.max_flops is not None:
        flops = forward_flops(report, budget)
        if flops > budget.max_flops:
            found.append(Violation("max_flops", budget.max_flops, flops))
    if budget.max_params is not None and report.total > budget.max_params:
        found.append(Violation("max_params", budget.max_params, report.total))
    if budget.max_bytes is not None and report.bytes > budget.max_bytes:
        found.append(Violation("max_bytes", budget.max_bytes, report.bytes))
    return found


def within(report: Report, budget: Budget) -> bool:
    """Whether ``report`` stays within every limit of ``budget``."""
    return not violations(report, budget)


def headroom(report: Report, budget: Budget) -> dict[str, int]:
    """How much is left under each limit (negative when over): ``{"params": ..., "bytes": ...}``."""
    out = {}
    if budget.max_params is not None:
        out["params"] = budget.max_params - report.total
    if budget.max_bytes is not None:
        out["bytes"] = budget.max_bytes - report.bytes
    if budget.max_flops is not None:
        out["flops"] = budget.max_flops - forward_flops(report, budget)
    return out


def describe_violation(violation: Violation, budget: Budget, report: Report) -> str:
    """``2,500,033 params exceed max_params 2,000,000 by 500,033 (+25.0%)``, bytes with Keras sizes."""
    if violation.key == CONFIG_KEY:
        crosscheck = getattr(report, "crosscheck", None)
        lines = crosscheck.lines() if crosscheck is not None else []
        return "; ".join(lines) or f"{violation.actual:,} params stored, the config derives {violation.limit:,}"
    name = budget.source_of(violation.key)
    percent = f" (+{violation.excess / violation.limit:.1%})" if violation.limit else ""
    if violation.key in ("max_params", "max_flops"):
        return (
            f"{violation.actual:,} {violation.unit} exceed {name} {violation.limit:,} by {violation.excess:,}{percent}"
        )
    return (
        f"{readable_size(violation.actual)} ({violation.actual:,} bytes at {report.dtype}) exceed {name}"
        f" {readable_size(violation.limit)} ({violation.limit:,} bytes) by {violation.excess:,} bytes{percent}"
    )


STATUS_OK = "ok"
STATUS_OVER = "over"
STATUS_NO_BUDGET = "no_budget"
STATUS_ERROR = "error"
STATUS_MISMATCH = "mismatch"
"""A checkpoint whose tensors differ from what its config.json derives (issue 15)."""
CONFIG_KEY = "config"
"""The violation of a checkpoint that does not match its config: limit = derived, actual = stored."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome for one spec argument: counted and within budget, over it, without one, or invalid."""

    spec: str
    report: Report | None = None
    budget: Budget | None = None
    violations: tuple[Violation, ...] = ()
    error: ParamcalcError | None = None
    checked_config: bool = False
    """Whether a checkpoint was cross-checked against its config.json (a check even without a budget)."""

    @property
    def status(self) -> str:
        """``ok``, ``over``, ``mismatch``, ``no_budget`` or ``error``."""
        if self.error is not None:
            return STATUS_ERROR
        if self.violations:
            if all(v.key == CONFIG_KEY for v in self.violations):
                return STATUS_MISMATCH
            return STATUS_OVER
        if (self.budget is None or self.budget.empty) and not self.checked_config:
            return STATUS_NO_BUDGET
        return STATUS_OK

    def to_dict(self) -> dict[str, Any]:
        """JSON form of one spec's result."""
        out: dict[str, Any] = {"spec": self.spec, "status": self.status}
        if self.report is not None:
            report = self.report
            out.update(name=report.name, total=report.total, bytes=report.bytes, dtype=report.dtype)
        if self.budget is not None:
            out["budget"] = self.budget.to_dict()
            if self.report is not None:
                out["headroom"] = headroom(self.report, self.budget)
        out["violations"] = [v.to_dict() for v in self.violations]
        if self.error is not None:
            location = self.error.location
            out["error"] = {
                "message": self.error.render(location=False),
                "source": location.source if location else self.spec,
                "line": location.line if location else None,
            }
        return out


@dataclass(frozen=True)
class CheckRun:
    """Results for every spec of one ``paramcalc check``, in the order given."""

    results: tuple[CheckResult, ...] = field(default_factory=tuple)
    allow_no_budget: bool = False
    """Whether a run where no spec has a budget passes (a hook handed only budget-less specs)."""

    def count(self, status: str) -> int:
        """How many results have ``status``."""
        return sum(1 for r in self.results if r.status == status)

    @property
    def nothing_checked(self) -> bool:
        """True when no spec had a budget (and none was invalid): a usage mistake, unless allowed."""
        return not self.allow_no_budget and all(r.status == STATUS_NO_BUDGET for r in self.results)

    @property
    def exit_code(self) -> int:
        """2 if any spec is invalid (or nothing had a budget), else 1 if any is over budget, else 0."""
        if self.count(STATUS_ERROR) or self.nothing_checked:
            return 2
        return 1 if self.count(STATUS_OVER) or self.count(STATUS_MISMATCH) else 0

    def to_dict(self) -> dict[str, Any]:
        """The ``paramcalc check --format json`` document (see README, "JSON output")."""
        statuses = (STATUS_OK, STATUS_OVER, STATUS_NO_BUDGET, STATUS_ERROR)
        counts = {status: self.count(status) for status in statuses}
        if self.count(STATUS_MISMATCH):  # checkpoints against their config (added in 0.2.0, only when present)
            counts[STATUS_MISMATCH] = self.count(STATUS_MISMATCH)
        return {
            "schema": SCHEMA_VERSION,
            "command": "check",
            "exit_code": self.exit_code,
            "counts": counts,
            "results": [r.to_dict() for r in self.results],
        }


def check_spec(arg: str, flags: Budget, framework: str | None = None, config: str | None = None) -> CheckResult:
    """Count one spec and hold it against its budget; a bad spec becomes a result, not an exception.

    A checkpoint (issue 15) is held against the flags' limits at its stored bytes, and
    against its config.json (``config``, or the one beside it): a mismatch is a violation.
    """
    from paramcalc.checkpoint import checkpoint_report, is_checkpoint
    from paramcalc.engine import analyze
    from paramcalc.spec import load_spec

    try:
        if is_checkpoint(arg):
            report = checkpoint_report(arg, config)
            stored = list(violations(report, flags))
            crosscheck = getattr(report, "crosscheck", None)
            if crosscheck is not None and not crosscheck.match:
                stored.append(Violation(CONFIG_KEY, crosscheck.expected, crosscheck.stored))
            return CheckResult(arg, report, flags, tuple(stored), checked_config=crosscheck is not None)
        spec = load_spec(arg, framework=framework)
        budget = resolve_budget(spec, flags)
        report = analyze(spec, dtype=budget.effective_dtype)
        found = tuple(violations(report, budget))
    except ParamcalcError as exc:
        if exc.location is None:
            exc.with_context(location=Location(arg))
        return CheckResult(arg, error=exc)
    return CheckResult(arg, report, budget, found)


def check_specs(
    args: Sequence[str],
    flags: Budget,
    framework: str | None = None,
    *,
    allow_no_budget: bool = False,
    config: str | None = None,
) -> CheckRun:
    """Check every spec, continuing past invalid and over-budget ones."""
    return CheckRun(tuple(check_spec(arg, flags, framework, config) for arg in args), allow_no_budget)
