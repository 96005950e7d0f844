"""Records are declared one way (docs/architecture.md, "Records"), and behave as dataclasses do.

Every dataclass in paramcalc is found by walking the package, so a record added later is held
to the same rule without editing this file.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from typing import Any

import pytest

import paramcalc
from paramcalc.errors import Location
from paramcalc.report import LayerRow, Report, Term
from paramcalc.rules.registry import Outcome, find_rule
from paramcalc.spec.records import NOWHERE, LayerSpec, ModelSpec, Placeholder

START_UP = {
    "paramcalc.spec.records.LayerSpec",
    "paramcalc.spec.records.ModelSpec",
    "paramcalc.spec.records.Placeholder",
    "paramcalc.rows.Term",
    "paramcalc.rows.LayerRow",
    "paramcalc.report.Report",
    "paramcalc.checkpoint.group.CheckpointReport",
    "paramcalc.api.Derivation",
}
"""Records made per layer or imported by every ``summary``: slotted, not frozen (a frozen
dataclass costs three more generated methods at import and a slower ``__init__``)."""

IDENTITY = {"paramcalc.rules.registry.Rule"}
"""Compared by identity: one object per registration, with ``cached_property`` values."""

BUILDERS = {
    "paramcalc.graph.Op",
    "paramcalc.graph.Node",
    "paramcalc.spec.hf_config._Build",
    "paramcalc.rules.hf_common.Parts",
}
"""Mutable working state of one computation (a graph being built, terms being collected): not records."""


def _dataclasses() -> dict[str, type[Any]]:
    found: dict[str, type[Any]] = {}
    for info in pkgutil.walk_packages(paramcalc.__path__, "paramcalc."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if inspect.isclass(value) and dataclasses.is_dataclass(value) and value.__module__ == info.name:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


DATACLASSES = _dataclasses()


def test_every_record_is_declared_the_one_way() -> None:
    wrong = []
    for name, cls in DATACLASSES.items():
        params = cls.__dataclass_params__  # type: ignore[attr-defined]
        slotted = "__slots__" in cls.__dict__
        if name in START_UP:
            ok = slotted and not params.frozen
        elif name in IDENTITY:
            ok = not params.eq
        elif name in BUILDERS:
            ok = not params.frozen
        else:
            ok = params.frozen
        if not ok:
            wrong.append(name)
    assert not wrong, f"declare these as docs/architecture.md ('Records') says: {wrong}"
    assert set(DATACLASSES) >= START_UP | IDENTITY | BUILDERS  # the lists name real classes


def test_no_module_generates_its_own_record_code() -> None:
    assert importlib.util.find_spec("paramcalc._fast") is None
    for info in pkgutil.walk_packages(paramcalc.__path__, "paramcalc."):
        source = inspect.getsource(importlib.import_module(info.name))
        assert "exec(" not in source, info.name


@pytest.mark.parametrize("name", sorted(START_UP))
def test_start_up_records_have_no_instance_dictionary(name: str) -> None:
    cls = DATACLASSES[name]
    required = [f for f in dataclasses.fields(cls) if f.init and f.default is dataclasses.MISSING]
    required = [f for f in required if f.default_factory is dataclasses.MISSING]
    instance = cls(*[() if "tuple" in str(f.type) else "x" for f in required])
    assert not hasattr(instance, "__dict__")


def test_renamed_copies_every_field_and_changes_the_name() -> None:
    values = {f.name: object() for f in dataclasses.fields(LayerSpec)}
    layer = LayerSpec(**values)
    copy = layer.renamed("dense_7")
    assert copy is not layer
    assert copy.name == "dense_7"
    assert values["name"] is layer.name  # the original is untouched
    for f in dataclasses.fields(LayerSpec):
        if f.name != "name":
            assert getattr(copy, f.name) is values[f.name], f.name
    real = LayerSpec("Dense", (4,), {"use_bias": False}, Location("x.yaml", 3), None, None, 2)
    assert real.renamed("d") == dataclasses.replace(real, name="d")


def test_records_compare_by_value_and_replace_makes_changed_copies() -> None:
    term = Term("W", "kernel", (3, 4))
    assert term == Term("W", "kernel", (3, 4))
    assert dataclasses.replace(term, trainable=False) == Term("W", "kernel", (3, 4), trainable=False)
    row = LayerRow("dense", "Dense", ((4,),), (term, Term("b", "bias", (4,))), args={"units": 4})
    assert (row.params, row.trainable, row.sums.params_each) == (16, 16, 16)
    assert row == LayerRow("dense", "Dense", ((4,),), row.terms)  # args and sums are not compared
    frozen = dataclasses.replace(row, terms=tuple(dataclasses.replace(t, trainable=False) for t in row.terms))
    assert (frozen.params, frozen.trainable) == (16, 0)  # replace recomputes the sums
    copies = dataclasses.replace(row, copies=("a", "b", "c"))
    assert (copies.params, copies.params_each) == (48, 16)
    report = Report("m", "keras", (row,))
    assert report == Report("m", "keras", (row,))
    assert ModelSpec((LayerSpec("Dense"),)) == ModelSpec((LayerSpec("Dense"),))


def test_small_values_are_named_tuples_and_hash_by_value() -> None:
    assert Location("x.yaml", 3) == Location("x.yaml", 3)
    assert str(Location("x.yaml", 3)) == "x.yaml:3"
    assert str(Location("x.yaml", column=4)) == "x.yaml:col 4"
    assert LayerSpec("Dense").location == NOWHERE == Location("<spec>")
    assert {Placeholder(1, Location("a", 2)), Placeholder(1, Location("a", 2))} == {Placeholder(1, Location("a", 2))}
    assert repr(Placeholder(1)) == "?"
    outcome = Outcome((4,))
    assert outcome.outputs == ((4,),)
    assert outcome._replace(formula="n").formula == "n"
    with pytest.raises(TypeError):
        outcome.symbols["n"] = 1  # type: ignore[index]  # the shared default is read-only


def test_rules_are_compared_by_identity_and_show_their_name() -> None:
    dense = find_rule("Dense")
    assert dense is find_rule("dense")
    assert repr(dense) == "Rule('Dense', framework='keras')"
    assert dense.positional[0] == "units"
