"""``paramcalc check`` output: plain text lines, or GitHub annotations on the budget's line.

Text: one line per spec within budget, one line per violation (the spec and the line
declaring the budget, the limit, the actual value, the excess), then a count.  Invalid
specs are reported by the CLI on stderr.  The ``github`` format prints the same lines,
but violations and invalid specs as ``::error`` workflow commands so they show on the
pull request, on the line that declares the budget (or the spec file, when the limit
came from a flag).
"""

from __future__ import annotations

import os

from paramcalc.budget import (
    STATUS_ERROR,
    STATUS_MISMATCH,
    STATUS_NO_BUDGET,
    STATUS_OK,
    STATUS_OVER,
    Budget,
    CheckResult,
    CheckRun,
    Violation,
    describe_violation,
    headroom,
)
from paramcalc.dtypes import readable_size
from paramcalc.errors import ParamcalcError
from paramcalc.render.github import annotation, escape_data
from paramcalc.report import Report
from paramcalc.safe_text import one_line

TITLES = {
    "max_params": "Parameter budget exceeded",
    "max_bytes": "Size budget exceeded",
    "max_flops": "FLOP budget exceeded",
    "config": "Checkpoint does not match its config",
}


def _where(result: CheckResult, key: str | None = None) -> str:
    """``spec:line`` when the limit ``key`` was declared in the spec, else the spec argument."""
    budget = result.budget
    if key and budget and key in budget.from_spec and budget.location and budget.location.line:
        return f"{result.spec}:{budget.location.line}"
    return result.spec


def _ok_line(result: CheckResult, report: Report, budget: Budget) -> str:
    left = headroom(report, budget)
    parts = []
    if budget.max_params is not None:
        parts.append(
            f"{report.total:,} params within {budget.source_of('max_params')} {budget.max_params:,}"
            f" (headroom {left['params']:,})"
        )
    if budget.max_bytes is not None:
        parts.append(
            f"{readable_size(report.bytes)} at {report.dtype} within {budget.source_of('max_bytes')}"
            f" {readable_size(budget.max_bytes)} (headroom {left['bytes']:,} bytes)"
        )
    if budget.max_flops is not None:
        parts.append(
            f"{budget.max_flops - left['flops']:,} FLOPs (batch {budget.batch}) within"
            f" {budget.source_of('max_flops')} {budget.max_flops:,} (headroom {left['flops']:,})"
        )
    crosscheck = getattr(report, "crosscheck", None)
    if crosscheck is not None:  # a checkpoint that matches its config.json
        parts.append(f"matches {crosscheck.config} ({crosscheck.expected:,} params, {crosscheck.how})")
    return f"{result.spec}: ok: " + "; ".join(parts)


def _no_budget_line(result: CheckResult, report: Report) -> str:
    return (
        f"{result.spec}: no budget: {report.total:,} params ({readable_size(report.bytes)});"
        " declare 'budget:' in the spec or pass --max-params/--max-bytes"
    )


def _violation_line(result: CheckResult, violation: Violation, report: Report, budget: Budget) -> str:
    what = "does not match its config" if violation.key == "config" else "over budget"
    return f"{_where(result, violation.key)}: {what}: {describe_violation(violation, budget, report)}"


def summary_line(run: CheckRun) -> str:
    """``3 specs checked: 1 within budget, 1 over budget, 1 invalid``."""
    labels = (
        (STATUS_OK, "within budget"),
        (STATUS_OVER, "over budget"),
        (STATUS_MISMATCH, "not matching its config"),
        (STATUS_NO_BUDGET, "without a budget"),
        (STATUS_ERROR, "invalid"),
    )
    parts = [f"{run.count(status)} {label}" for status, label in labels if run.count(status)]
    total = len(run.results)
    return f"{total} spec{'s' if total != 1 else ''} checked: " + ", ".join(parts)


def _lines(run: CheckRun, github: bool) -> list[str]:
    lines = []
    for result in run.results:
        report, budget = result.report, result.budget
        if result.error is not None:
            if github:
                lines.append(_error_annotation(result.spec, result.error))
            continue
        if report is None or budget is None:
            continue
        if result.status == STATUS_OK:
            lines.append(_ok_line(result, report, budget))
        elif result.status == STATUS_NO_BUDGET:
            lines.append(_no_budget_line(result, report))
        for violation in result.violations:
            if github:
                lines.append(_violation_annotation(result, violation, report, budget))
            else:
                lines.append(_violation_line(result, violation, report, budget))
    lines.append(summary_line(run))
    return lines


def text(run: CheckRun) -> str:
    """The plain-text report (stdout); invalid specs are left to :func:`error_lines`."""
    return "\n".join(one_line(line) for line in _lines(run, github=False))


def github(run: CheckRun) -> str:
    """The report with violations and invalid specs as GitHub ``::error`` annotations.

    Every other line carries a path too, so it is escaped as an annotation's message is
    (a newline in a file name cannot start a line), and a line that would still start with
    ``::`` (a file named ``::error::x.yaml``) gets ``./`` before its path: the runner reads
    any line starting with ``::`` as a workflow command.
    """
    out = []
    for line in _lines(run, github=True):
        if not line.startswith("::"):
            line = escape_data(one_line(line))
            if line.startswith("::"):
                line = "./" + line
        out.append(line)
    return "\n".join(out)


def error_lines(run: CheckRun) -> list[str]:
    """One stderr line per invalid spec, in the CLI's usual ``paramcalc: error: …`` form."""
    return [f"paramcalc: error: {one_line(r.error.render())}" for r in run.results if r.error is not None]


def _annotation_file(path: str | None) -> str | None:
    """The path GitHub should annotate: a real file, relative to the workspace; None otherwise."""
    if not path or not os.path.isfile(path):
        return None
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if os.path.isabs(path) and workspace and os.path.abspath(path).startswith(os.path.abspath(workspace) + os.sep):
        return os.path.relpath(path, workspace)
    return os.path.normpath(path)


def _violation_annotation(result: CheckResult, violation: Violation, report: Report, budget: Budget) -> str:
    file = _annotation_file(result.spec)
    line = None
    if violation.key in budget.from_spec and budget.location is not None:
        line = budget.location.line
    subject = report.name if file else f"{result.spec} ({report.name})"
    return annotation(
        f"{subject}: {describe_violation(violation, budget, report)}",
        file=file,
        line=line if file else None,
        title=TITLES[violation.key],
    )


def _error_annotation(spec: str, error: ParamcalcError) -> str:
    location = error.location
    file = _annotation_file(location.source if location else None) or _annotation_file(spec)
    message = error.render(location=False)
    if file is None:
        message = f"{spec}: {message}"
    line = location.line if file and location is not None else None
    return annotation(message, file=file, line=line, title="Invalid model spec")
