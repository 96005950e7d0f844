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

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from paramcalc.budget import Budget, headroom, violations
from paramcalc.errors import ParamcalcError, UsageError
from paramcalc.report import SCHEMA_VERSION, Report
from paramcalc.spec.records import LayerSpec, ModelSpec, Placeholder, Unread, Value

MAX_VALUE = 2**63 - 1
"""Largest value tried: the largest size a framework allows (int64); beyond it nothing is valid."""

SCAN_LIMIT = 20_000
"""Most candidates counted one by one when the total turns out not to be monotone."""


@dataclass(frozen=True)
class Site:
    """Where a placeholder sits: the top-level layer, the (innermost) layer class and the argument."""

    placeholder: Placeholder
    layer: LayerSpec
    class_name: str
    argument: str

    def describe(self) -> str:
        """``LSTM units`` (plus the wrapper path for nested layers)."""
        return f"{self.class_name} {self.argument}"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "layer": self.layer.index,
            "name": self.layer.name,
            "class": self.class_name,
            "argument": self.argument,
            "location": str(self.placeholder.location),
        }


def find_placeholders(model: ModelSpec) -> list[Site]:
    """Every distinct placeholder of a spec (copies made by ``Repeat`` count once), in order."""
    seen: dict[int, Site] = {}
    for layer in model.layers:
        for site in _sites(layer, layer, model.framework):
            seen.setdefault(site.placeholder.key, site)
    return list(seen.values())


def _sites(top: LayerSpec, layer: LayerSpec, framework: str) -> Iterator[Site]:
    names = _positional_names(layer.class_name, framework)
    for index, value in enumerate(layer.args):
        name = names[index] if index < len(names) else f"argument {index + 1}"
        yield from _walk(top, layer.class_name, name, value, framework)
    for key, value in layer.kwargs.items():
        yield from _walk(top, layer.class_name, key, value, framework)


def _walk(top: LayerSpec, class_name: str, argument: str, value: Value, framework: str) -> Iterator[Site]:
    if isinstance(value, Placeholder):
        yield Site(value, top, class_name, argument)
    elif isinstance(value, Unread):  # an entry the reader could not read, as written
        yield from _walk(top, class_name, argument, value.value, framework)
    elif isinstance(value, LayerSpec):
        yield from _sites(top, value, framework)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _walk(top, class_name, f"{argument}[{index}]", item, framework)
    elif isinstance(value, Mapping):
        nested = _nested_layer(value, top)
        if nested is not None:
            yield from _sites(top, nested, framework)
            return
        for key, item in value.items():
            yield from _walk(top, class_name, f"{argument}.{key}", item, framework)


def _nested_layer(value: Mapping[Any, Value], top: LayerSpec) -> LayerSpec | None:
    """A wrapped layer written as a mapping (``layer: {LSTM: {units: "?"}}``), else None."""
    from paramcalc.spec.common import layer_from_entry

    key = next(iter(value), None)
    if len(value) != 1 or not isinstance(key, str) or not key[:1].isupper():
        return None
    try:
        return layer_from_entry(value, top.location)
    except ParamcalcError:
        return None


def _positional_names(class_name: str, framework: str) -> tuple[str, ...]:
    from paramcalc.rules import find_rule

    try:
        return find_rule(class_name, framework).positional
    except ParamcalcError:
        return ()


def substitute(model: ModelSpec, key: int, value: int) -> ModelSpec:
    """The spec with placeholder ``key`` replaced by ``value`` everywhere (Repeat copies too)."""

    def fill(item: Value) -> Value:
        if isinstance(item, Placeholder):
            return value if item.key == key else item
        if isinstance(item, Unread):  # an entry the reader could not read: the "?" may be why
            return fill(item.value)
        if isinstance(item, LayerSpec):
            filled = replace(
                item, args=tuple(fill(a) for a in item.args), kwargs={k: fill(v) for k, v in item.kwargs.items()}
            )
            if isinstance(item.model, ModelSpec):  # a nested model the reader read
                return replace(filled, model=replace(item.model, layers=tuple(fill(i) for i in item.model.layers)))
            from paramcalc.spec.held import read_layer

            return read_layer(replace(filled, model=None), model.framework)  # read again what it could not
        if isinstance(item, tuple):
            return tuple(fill(i) for i in item)
        if isinstance(item, list):
            return [fill(i) for i in item]
        if isinstance(item, Mapping):
            return {k: fill(v) for k, v in item.items()}
        return item

    return replace(model, layers=tuple(fill(layer) for layer in model.layers))


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
    if first.error is not None and not _any_valid(search, probe, limit):
        error = first.error
        error.message = f"{error.message} (with {site.describe()} = {first.value:,})"
        raise error
    good: int | None = None
    bad: int | None = search.first
    if first.fits:
        good, bad = _bracket(search, probe)
        while bad is not None and bad - good > 1:
            mid = (good + bad) // 2
            if probe(mid).fits:
                good = mid
            else:
                bad = mid
    if bad is not None and bad < search.last_k:
        probe(bad + 1)  # one count past the boundary: a total that shrinks again shows a non-monotone case
    method, notes = "search", list[str]()
    if not _monotone(probes):
        good, bad, method, notes = _rescan(
            search, probes, probe, good, bad, limit, "the total is not monotone in '?' here"
        )
    elif good is None and search.maximum is None and not _is_width(site):
        # The first candidate is over budget, but a kernel size or stride can shrink what follows
        # without the first probes showing it: "nothing fits" must be proven, not assumed.
        why = f"'{site.argument}' is not a width, so the total may shrink as it grows"
        good, bad, method, notes = _rescan(search, probes, probe, good, bad, limit, why)
    elif bad is not None and probes[bad].error is not None and (search.maximum is not None or not _is_width(site)):
        why = f"{probes[bad].value:,} is not valid, but a larger value may be"
        good, bad, method, notes = _rescan(search, probes, probe, good, bad, limit, why)
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
        _monotone(probes),
        method,
        len(probes),
        tuple(notes),
    )


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
"""Arguments that size weights: the total never decreases as they grow (see the module docstring)."""


def _is_width(site: Site) -> bool:
    """Whether the placeholder sizes weights (``units``, ``layer.units``), so a search can trust monotonicity."""
    return site.argument.rsplit(".", 1)[-1] in WIDTH_ARGUMENTS


def _last_valid(search: Search, probes: Mapping[int, Probe], probe: Callable[[int], Probe]) -> int | None:
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


def _any_valid(search: Search, probe: Callable[[int], Probe], limit: int) -> bool:
    """Whether any other candidate of a bounded, small range is valid (the first one is not: groups=5 of 12)."""
    if search.maximum is None or search.last_k - search.first + 1 > limit:
        return False
    return any(probe(k).error is None for k in range(search.first + 1, search.last_k + 1))


def _bracket(search: Search, probe: Callable[[int], Probe]) -> tuple[int, int | None]:
    """Gallop up from the first candidate: the last k that fits and the first that does not (None: --max fits)."""
    good, step, last = search.first, 1, search.last_k
    while True:
        k = min(good + step, last)
        if k == good:
            if search.maximum is None and not _grew(probe(search.first), probe(good)):
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


def _grew(first: Probe, last: Probe) -> bool:
    """Whether the total grew from the first candidate to the last.

    Then the value is a width that fits an astronomical budget up to the largest size a
    framework allows (that is the answer), not an argument that sizes nothing.
    """
    return first.report is not None and last.report is not None and last.report.total > first.report.total


def _monotone(probes: Mapping[int, Probe]) -> bool:
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


def _rescan(
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
    found = search.last_k if bounded else _last_valid(search, probes, probe)
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
