"""The search strategies of ``paramcalc solve``: gallop and bisect, and the fallback scan.

:func:`paramcalc.solve.solve` drives them with ``probe(k)``, which counts the candidate
``k·step`` once (and remembers it).  When every probe is consistent with a total that never
decreases, :func:`bracket` and a bisection find the boundary; when not (see the module
docstring of :mod:`paramcalc.solve`), :func:`rescan` counts every candidate of a bounded range,
after :func:`last_valid` has found where shape constraints end the valid values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from paramcalc.errors import UsageError
from paramcalc.placeholders import Site
from paramcalc.solve import MAX_VALUE, Probe, Search

SCAN_LIMIT = 20_000
"""Most candidates counted one by one when the total turns out not to be monotone."""


WIDTH_ARGUMENTS = frozenset(
    {
        "units",
        "filters",
        "output_dim",
        "input_dim",
        "key_dim",
        "value_dim",
        "num_heads",
        "depth_multiplier",
        "in_features",
        "out_features",
        "in_channels",
        "out_channels",
        "input_size",
        "hidden_size",
        "proj_size",
        "num_embeddings",
        "embedding_dim",
        "embed_dim",
        "num_features",
        "d_model",
        "nhead",
        "dim_feedforward",
        "num_layers",
        "intermediate_size",
        "vocab_size",
    }
)
"""Arguments that size weights: the total never decreases as they grow (see :mod:`paramcalc.solve`)."""


def is_width(site: Site) -> bool:
    """Whether the placeholder sizes weights (``units``, ``layer.units``), so a search can trust monotonicity."""
    return site.argument.rsplit(".", 1)[-1] in WIDTH_ARGUMENTS


def last_valid(search: Search, probes: Mapping[int, Probe], probe: Callable[[int], Probe]) -> int | None:
    """The largest valid candidate (k), found by galloping to an invalid value then bisecting; None when
    every candidate up to :data:`MAX_VALUE` is valid (no shape constraint bounds the range).

    Shape constraints (a kernel larger than its input, a weight over 2**63 - 1 elements) make
    every value past some bound invalid; that bound is the search range ``--max`` would give.
    """
    valid = [k for k, p in probes.items() if p.error is None]
    if not valid:
        return None
    low = max(valid)
    above = [k for k, p in probes.items() if p.error is not None and k > low]
    high = min(above) if above else None
    while high is None:
        k = min(low * 2, search.last_k)
        if k == low:
            return None
        if probe(k).error is None:
            low = k
        else:
            high = k
    while high - low > 1:
        mid = (low + high) // 2
        if probe(mid).error is None:
            low = mid
        else:
            high = mid
    return low


def scan_limit(layers: int) -> int:
    """Most candidates counted one by one for a model of ``layers`` layers.

    :data:`SCAN_LIMIT`, fewer for a big model, so a scan counts at most
    :data:`~paramcalc.limits.MAX_SOLVE_WORK` layers.
    """
    from paramcalc.limits import MAX_SOLVE_WORK

    return max(1, min(SCAN_LIMIT, MAX_SOLVE_WORK // max(1, layers)))


def any_valid(search: Search, probe: Callable[[int], Probe], limit: int) -> bool:
    """Whether any other candidate of a bounded, small range is valid (the first one is not: groups=5 of 12)."""
    if search.maximum is None or search.last_k - search.first + 1 > limit:
        return False
    return any(probe(k).error is None for k in range(search.first + 1, search.last_k + 1))


def bracket(search: Search, probe: Callable[[int], Probe]) -> tuple[int, int | None]:
    """Gallop up from the first candidate: the last k that fits and the first that does not (None: --max fits)."""
    good, step, last = search.first, 1, search.last_k
    while True:
        k = min(good + step, last)
        if k == good:
            if search.maximum is None and not grew(probe(search.first), probe(good)):
                total = probe(good).report
                shown = f"{total.total:,} params at {probe(good).value:,}" if total else "?"
                raise UsageError(
                    f"every value up to {MAX_VALUE:,} fits: the total does not grow with '?' ({shown})",
                    hint="put the '?' on an argument that sizes weights (units, filters, output_dim, ...)",
                )
            return good, None
        if probe(k).fits:
            good = k
            step *= 2
        else:
            return good, k


def grew(first: Probe, last: Probe) -> bool:
    """Whether the total grew from the first candidate to the last.

    Then the value is a width that fits an astronomical budget up to the largest size a
    framework allows (that is the answer), not an argument that sizes nothing.
    """
    return first.report is not None and last.report is not None and last.report.total > first.report.total


def monotone(probes: Mapping[int, Probe]) -> bool:
    """Whether the counted probes are consistent with a non-decreasing total (invalid values last)."""
    previous: tuple[int, int] | None = None
    invalid_seen = False
    for k in sorted(probes):
        report = probes[k].report
        if report is None:
            invalid_seen = True
            continue
        if invalid_seen:
            return False
        current = (report.total, report.bytes)
        if previous is not None and (current[0] < previous[0] or current[1] < previous[1]):
            return False
        previous = current
    return True


def rescan(
    search: Search,
    probes: Mapping[int, Probe],
    probe: Callable[[int], Probe],
    good: int | None,
    bad: int | None,
    limit: int,
    why: str,
) -> tuple[int | None, int | None, str, list[str]]:
    """Count every candidate of a bounded range, if it is small enough (the search cannot be trusted)."""
    bounded = search.maximum is not None
    found = search.last_k if bounded else last_valid(search, probes, probe)
    if found is None:
        raise UsageError(
            f"{why}, and no shape constraint bounds the search: every value up to {MAX_VALUE:,} is valid,"
            " so paramcalc cannot tell which fit",
            hint="pass --max N to count every candidate up to N",
        )
    top = found
    scattered = False
    if not bounded:  # valid values need not be a prefix (groups=? must divide the channels): look past the bound
        beyond = min(search.last_k, max(4 * found, found + 64))
        if beyond - search.first + 1 <= limit and any(probe(k).error is None for k in range(found + 1, beyond + 1)):
            top, scattered = beyond, True
    size = top - search.first + 1
    if size > limit:
        if good is None:
            raise UsageError(
                f"{why}, and the {size:,} candidates up to {top * search.step:,} are too many to count one by one:"
                " cannot tell whether any fits",
                hint="narrow the range with --min/--max",
            )
        return (
            good,
            bad,
            "search",
            [
                f"{why}, and the {size:,} candidates are too many to count one by one: a larger value might fit"
                " too; narrow the range with --min/--max"
            ],
        )
    fitting = [k for k in range(search.first, top + 1) if probe(k).fits]
    note = f"{why}: counted all {size:,} candidates"
    if scattered:
        if not fitting:
            raise UsageError(
                f"{why}, and its valid values are scattered: none of the {size:,} candidates up to"
                f" {top * search.step:,} fits, but a larger one might",
                hint="pass --max N to count every candidate up to N",
            )
        note += f" up to {top * search.step:,} (valid values are scattered); pass --max to count a wider range"
    elif not bounded:
        note += f" up to {probe(top).value:,}, the largest valid value"
    if not fitting:
        return None, search.first, "scan", [note]
    best = max(fitting)
    return best, best + 1 if best < search.last_k else None, "scan", [note]
