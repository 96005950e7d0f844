"""Argument kinds declared in a rule's signature are checked before the rule's formula runs."""

from __future__ import annotations

import pytest

from paramcalc.errors import LayerError
from paramcalc.rules import Args, Outcome, apply_rule, bind, find_rule
from paramcalc.rules.binding import at_least, between, ints_of, one_of, optional_int
from paramcalc.rules.registry import Kind, Rule
from paramcalc.spec.records import LayerSpec


def _count(class_name: str, **kwargs: object) -> Outcome:
    found = find_rule(class_name, "pytorch")
    return apply_rule(found, bind(found, LayerSpec(class_name, kwargs=dict(kwargs))), [(None, 3, 8)])


def test_a_declared_kind_refuses_a_bad_value_naming_the_argument() -> None:
    with pytest.raises(LayerError, match="'keepdim' must be true or false, got 'yes'"):
        _count("PairwiseDistance", keepdim="yes")


def test_declared_kinds_are_checked_in_signature_order() -> None:
    with pytest.raises(LayerError, match="'p' must be a finite number"):
        _count("PairwiseDistance", p="two", eps="tiny", keepdim="yes")
    with pytest.raises(LayerError, match=r"'dim' must be an integer, got 1\.5"):
        _count("CosineSimilarity", dim=1.5, eps="x")


def test_the_formula_reads_declared_arguments_already_checked() -> None:
    found: Rule = find_rule("PairwiseDistance", "pytorch")
    assert [key for key, _ in found.kinds] == ["p", "eps", "keepdim"]
    assert found.kinds[2][1] is Args.flag
    assert _count("PairwiseDistance", keepdim=True).outputs == ((None, 3, 1),)
    assert _count("CosineSimilarity", dim=-1).outputs == ((None, 3),)


@pytest.mark.parametrize(
    ("kind", "value", "accessor"),
    [
        (between(0, 1), 1.5, lambda a, k: a.number(k, 0, 1)),
        (between(0, 1), 0.25, lambda a, k: a.number(k, 0, 1)),
        (at_least(-(2**31)), -3, lambda a, k: a.integer(k, -(2**31))),
        (at_least(1), 0, lambda a, k: a.integer(k, 1)),
        (optional_int(), None, lambda a, k: a.optional_int(k)),
        (optional_int(2), 1, lambda a, k: a.optional_int(k, 2)),
        (one_of("valid", "same"), "SAME", lambda a, k: a.choice(k, ("valid", "same"))),
        (one_of("valid", "same"), "full", lambda a, k: a.choice(k, ("valid", "same"))),
        (ints_of(2), (3, 3), lambda a, k: a.ints(k, 2)),
        (ints_of(2), (3,), lambda a, k: a.ints(k, 2)),
    ],
)
def test_kinds_with_bounds_check_what_their_accessor_checks(kind: Kind, value: object, accessor: Kind) -> None:
    found = find_rule("Dense")
    args = Args(found, LayerSpec("Dense"), {"x": value})

    def outcome(check: Kind) -> object:
        try:
            return check(args, "x")
        except LayerError as exc:
            return exc.message

    assert outcome(kind) == outcome(accessor)
