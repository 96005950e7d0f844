"""``paramcalc solve`` as text: the value, the total it gives, the headroom, the next value's excess."""

from __future__ import annotations

from paramcalc.budget import Budget, headroom, violations
from paramcalc.dtypes import readable_size
from paramcalc.report import Report
from paramcalc.solve import Probe, Solution


def _limits(budget: Budget) -> str:
    parts = []
    if budget.max_params is not None:
        parts.append(f"{budget.source_of('max_params')} {budget.max_params:,}")
    if budget.max_bytes is not None:
        parts.append(f"{budget.source_of('max_bytes')} {readable_size(budget.max_bytes)}")
    return " and ".join(parts)


def _usage(report: Report) -> str:
    return f"{report.total:,} params ({readable_size(report.bytes)} at {report.dtype})"


def _over(probe: Probe, budget: Budget) -> str:
    if probe.error is not None:
        return f"is not valid: {probe.error.render(location=False)}"
    report = probe.report
    if report is None:  # pragma: no cover - a probe has a report or an error
        return "was not counted"
    excess = []
    for violation in violations(report, budget):
        excess.append(f"{violation.excess:,} {violation.unit} over {budget.source_of(violation.key)}")
    verdict = ", ".join(excess) if excess else "within budget"
    return f"needs {_usage(report)}: {verdict}"


def text(solution: Solution) -> str:
    """The answer and its evidence, one fact per line."""
    site, budget = solution.site, solution.budget
    name = site.describe()
    step = solution.search.step
    lines = []
    if solution.value is None or solution.best is None or solution.best.report is None:
        first = solution.next
        lines.append(f"no value fits {_limits(budget)}")
        if first is not None:
            lines.append(f"  the smallest candidate, {name} = {first.value:,}, {_over(first, budget)}")
    else:
        report = solution.best.report
        lines.append(f"{name} = {solution.value:,}")
        lines.append(f"  total: {_usage(report)}, within {_limits(budget)}")
        room = headroom(report, budget)
        lines.append("  headroom: " + ", ".join(f"{left:,} {unit}" for unit, left in room.items()))
        following = solution.next
        if following is not None:
            label = f"next multiple of {step}" if step > 1 else "next"
            if solution.next_above_max:
                lines.append(
                    f"  {label}: {following.value:,} is above --max {solution.search.maximum:,}"
                    f" (it {_over(following, budget)})"
                )
            else:
                lines.append(f"  {label}: {name} = {following.value:,} {_over(following, budget)}")
    lines.extend(f"  note: {note}" for note in solution.notes)
    return "\n".join(lines)
