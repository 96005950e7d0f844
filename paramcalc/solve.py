"""Solving for the largest value of a ``?`` that keeps a model within its budget.

``Embedding(20000, 128) | LSTM(?) | Dense(1)`` within 1M parameters: which is the
widest LSTM?  The answer is found by *counting*: each candidate value is substituted
into the spec and the whole model is counted by the engine, exactly as ``summary``
counts it, so no closed form is ever inverted and no float is involved.

Why a search works.  For the arguments that set a layer's width (``units``,
``filters``, ``output_dim``, ``input_dim``, ``key_dim``, ``num_heads``, hidden sizes)
every weight tensor's shape is non-decreasing in the value, and later layers only see
inputs that are no smaller, so the model's total is non-decreasing in it.  Then the
values that fit form a prefix, and an exponential search (1, 2, 4, ... steps) followed
by a binary search finds its end with about 2·log2(answer) counts.  The answer and the
next candidate are both counted (the answer fits, the next value does not), and so is
the value after the next, as a check that the total keeps growing past the boundary.

Not every integer argument is monotone: a larger ``kernel_size``, ``strides`` or
``pool_size`` shrinks what follows, so a Dense after a Flatten gets smaller; large values
stop being valid at all ("kernel larger than input"); some are valid only now and then
(``groups`` must divide the channels).  A value that makes the spec invalid counts as not
fitting.  Every probe is checked against monotonicity.  When a total decreases (or a
valid value follows an invalid one), or the search stopped at an invalid value within
``--max``, paramcalc counts every candidate of the range instead, when the range is
bounded (``--max``, or the probes so far) and small enough, and says so in the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from paramcalc.budget import Budget, headroom, violations
from paramcalc.errors import ParamcalcError, UsageError
from paramcalc.placeholders import Site, find_placeholders, substitute
from paramcalc.report import SCHEMA_VERSION, Report
from paramcalc.spec.records import ModelSpec

MAX_VALUE = 2**63 - 1
"""Largest value tried: the largest size a framework allows (int64); beyond it nothing is valid."""


@dataclass(frozen=True)
class Probe:
    """One counted candidate: its value, the report (or the error that made it invalid), whether it fits."""

    value: int
    report: Report | None
    error: ParamcalcError | None
    fits: bool

    def to_dict(self, budget: Budget) -> dict[str, Any]:
        """JSON form."""
        report = self.report
        return {
            "value": self.value,
            "fits": self.fits,
            "total": report.total if report else None,
            "bytes": report.bytes if report else None,
            "over": {v.unit: v.excess for v in violations(report, budget)} if report else None,
            "error": self.error.render(location=False) if self.error else None,
        }


@dataclass(frozen=True)
class Search:
    """The bounds of a search: values ``minimum``..``maximum`` (None: unbounded) that are multiples of ``step``."""

    minimum: int = 1
    maximum: int | None = None
    step: int = 1

    def __post_init__(self) -> None:
        if self.minimum < 0:
            raise UsageError(f"--min must not be negative, got {self.minimum}")
        if self.step < 1:
            raise UsageError(f"--multiple-of must be at least 1, got {self.step}")
        if self.maximum is not None and self.maximum < self.minimum:
            raise UsageError(f"--max {self.maximum:,} is below --min {self.minimum:,}")
        if self.maximum is not None and self.first > self.last_k:
            raise UsageError(
                f"no multiple of {self.step} lies between --min {self.minimum:,} and --max {self.maximum:,}"
            )

    @property
    def first(self) -> int:
        """The smallest candidate, as a multiple count k (value = k·step)."""
        return -(-self.minimum // self.step)

    @property
    def last_k(self) -> int:
        """The largest candidate's k (the value cap when unbounded)."""
        top = self.maximum if self.maximum is not None else MAX_VALUE
        return top // self.step


@dataclass(frozen=True)
class Solution:
    """The largest value that fits (None: none does) and the evidence: its count and the next candidate's."""

    site: Site
    budget: Budget
    search: Search
    value: int | None
    best: Probe | None
    next: Probe | None
    monotone: bool
    method: str
    evaluations: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def exit_code(self) -> int:
        """0 when a value fits, 1 when none does."""
        return 0 if self.value is not None else 1

    @property
    def next_above_max(self) -> bool:
        """Whether the next candidate lies beyond ``--max`` (the bound, not the budget, stopped it)."""
        return self.next is not None and self.search.maximum is not None and self.next.value > self.search.maximum

    def to_dict(self) -> dict[str, Any]:
        """The ``paramcalc solve --format json`` document (see README, "JSON output")."""
        best = self.best.report if self.best else None
        return {
            "schema": SCHEMA_VERSION,
            "command": "solve",
            "placeholder": self.site.to_dict(),
            "budget": self.budget.to_dict(),
            "search": {
                "min": self.search.minimum,
                "max": self.search.maximum,
                "multiple_of": self.search.step,
                "method": self.method,
                "monotone": self.monotone,
                "evaluations": self.evaluations,
            },
            "value": self.value,
            "total": best.total if best else None,
            "bytes": best.bytes if best else None,
            "headroom": headroom(best, self.budget) if best else None,
            "next": dict(self.next.to_dict(self.budget), above_max=self.next_above_max) if self.next else None,
            "notes": list(self.notes),
        }


CountFn = Callable[[ModelSpec], Report]


def solve(model: ModelSpec, budget: Budget, search: Search, count: CountFn) -> Solution:
    """Find the largest candidate value of the spec's one placeholder that keeps it within ``budget``.

    ``count`` turns a (substituted) spec into a report: ``engine.analyze`` at the budget's dtype.
    """
    from paramcalc.limits import MAX_SOLVE_LAYERS
    from paramcalc.solve_search import any_valid, bracket, is_width, monotone, rescan, scan_limit

    if len(model.layers) > MAX_SOLVE_LAYERS:  # every candidate counts the whole model: about 40 counts
        raise UsageError(
            f"solve counts the model once per candidate: {len(model.layers):,} layers"
            f" is more than {MAX_SOLVE_LAYERS:,}",
            hint="solve a smaller Repeat count, then scale (paramcalc's limit, see README, Limits)",
        )
    sites = find_placeholders(model)
    if not sites:
        count(model)  # an invalid spec first says what is wrong with it
        raise UsageError("the spec has no '?' placeholder to solve for", hint='write one, e.g. "LSTM(?)" or units: "?"')
    if len(sites) > 1:
        where = ", ".join(f"{s.describe()} ({s.placeholder.location})" for s in sites[:4])
        raise UsageError(f"the spec has {len(sites)} '?' placeholders ({where}); solve takes exactly one")
    site = sites[0]
    if budget.empty:
        count(substitute(model, site.placeholder.key, search.first * search.step))  # invalid: say why first
        raise UsageError(
            "solve needs a budget", hint="pass --max-params N or --max-bytes SIZE, or declare 'budget:' in the spec"
        )
    probes: dict[int, Probe] = {}

    def probe(k: int) -> Probe:
        if k not in probes:
            value = k * search.step
            try:
                report = count(substitute(model, site.placeholder.key, value))
            except ParamcalcError as exc:
                probes[k] = Probe(value, None, exc, False)
            else:
                probes[k] = Probe(value, report, None, not violations(report, budget))
        return probes[k]

    first = probe(search.first)
    limit = scan_limit(len(model.layers))
    if first.error is not None and not any_valid(search, probe, limit):
        error = first.error
        error.message = f"{error.message} (with {site.describe()} = {first.value:,})"
        raise error
    good: int | None = None
    bad: int | None = search.first
    if first.fits:
        good, bad = bracket(search, probe)
        while bad is not None and bad - good > 1:
            mid = (good + bad) // 2
            if probe(mid).fits:
                good = mid
            else:
                bad = mid
    if bad is not None and bad < search.last_k:
        probe(bad + 1)  # one count past the boundary: a total that shrinks again shows a non-monotone case
    method, notes = "search", list[str]()
    if not monotone(probes):
        good, bad, method, notes = rescan(
            search, probes, probe, good, bad, limit, "the total is not monotone in '?' here"
        )
    elif good is None and search.maximum is None and not is_width(site):
        # The first candidate is over budget, but a kernel size or stride can shrink what follows
        # without the first probes showing it: "nothing fits" must be proven, not assumed.
        why = f"'{site.argument}' is not a width, so the total may shrink as it grows"
        good, bad, method, notes = rescan(search, probes, probe, good, bad, limit, why)
    elif bad is not None and probes[bad].error is not None and (search.maximum is not None or not is_width(site)):
        why = f"{probes[bad].value:,} is not valid, but a larger value may be"
        good, bad, method, notes = rescan(search, probes, probe, good, bad, limit, why)
    if good is None:
        best, following = None, probes[bad if bad is not None else search.first]
    else:
        best, following = probes[good], probe(good + 1) if bad is None else probes[bad]
    return Solution(
        site,
        budget,
        search,
        best.value if best else None,
        best,
        following,
        monotone(probes),
        method,
        len(probes),
        tuple(notes),
    )
