"""Argument kinds declared in a rule's signature are checked before the rule's formula runs."""

from __future__ import annotations

import re

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


# The first error a layer with several bad arguments reports, as before its kinds were
# declared (each was the formula's first check among them): declaring a kind keeps the order.
@pytest.mark.parametrize(
    ("framework", "layer", "shape", "kwargs", "message"),
    [
        ("pytorch", "Embedding", None, {"num_embeddings": 0, "norm_type": "x"}, "'num_embeddings' must be positive"),
        ("pytorch", "EmbeddingBag", None, {"_weight": 1, "include_last_offset": "x"}, "'include_last_offset' must"),
        ("pytorch", "MultiheadAttention", None, {"num_heads": -1, "dropout": 1.5}, "embed_dim and num_heads must"),
        ("pytorch", "TransformerEncoderLayer", None, {"nhead": 3, "dropout": 1.5}, "embed_dim must be divisible"),
        ("pytorch", "LayerNorm", None, {"eps": -1, "bias": "x"}, "'eps' must be between 0.0 and None"),
        ("pytorch", "AvgPool2d", None, {"count_include_pad": "x", "divisor_override": 0}, "'count_include_pad'"),
        ("pytorch", "BatchNorm1d", None, {"num_features": 0, "eps": -1}, "'eps' must be between"),
        ("pytorch", "SyncBatchNorm", None, {"eps": -1, "process_group": 1}, "'process_group' takes a process group"),
        ("pytorch", "RNN", None, {"input_size": "x", "nonlinearity": "x"}, "'nonlinearity' must be one of"),
        ("pytorch", "Hardtanh", None, {"min_val": "x", "max_value": "x"}, "'min_val' must be a finite number"),
        ("keras", "Embedding", (4,), {"mask_zero": "x", "input_length": 0}, "'input_length' must be positive"),
        ("keras", "SpatialDropout2D", (4, 6, 8), {"rate": 1.5, "data_format": "x"}, "'rate' must be between"),
        ("keras", "ConvLSTM2D", (3, 4, 6, 8), {"filters": 0, "dropout": "x"}, "'filters' must be positive"),
        ("keras", "BatchNormalization", (4,), {"axis": 1.5, "center": "x"}, "'axis' must be an integer"),
        ("keras", "GroupNormalization", (4, 6), {"groups": 0, "axis": "x"}, "'groups' must be a positive integer"),
    ],
)
def test_a_layer_with_several_bad_arguments_reports_the_same_first_error(
    framework: str, layer: str, shape: tuple[int | None, ...] | None, kwargs: dict[str, object], message: str
) -> None:
    found = find_rule(layer, framework)
    required = {key: 4 for key in found.required if key not in kwargs}
    args = bind(found, LayerSpec(layer, kwargs={**required, **kwargs}))
    with pytest.raises(LayerError, match=re.escape(message)):
        apply_rule(found, args, [shape])
