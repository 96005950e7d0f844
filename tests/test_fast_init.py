"""paramcalc._fast.fast_init: the same records as the dataclass's own ``__init__``, faster.

Every class in paramcalc that uses it is found by walking the package, so a class that
starts using it (or gains a field) is checked without editing this file.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from typing import Any

import pytest

import paramcalc
from paramcalc._fast import fast_init


def _fast_classes() -> list[type[Any]]:
    found: dict[str, type[Any]] = {}
    for info in pkgutil.walk_packages(paramcalc.__path__, "paramcalc."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if inspect.isclass(value) and hasattr(value.__init__, "__wrapped_dataclass_init__"):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


FAST = _fast_classes()


def test_the_hot_records_use_it() -> None:
    names = {cls.__name__ for cls in FAST}
    assert {"Location", "LayerSpec", "Term", "LayerRow", "Outcome"} <= names


@pytest.mark.parametrize("cls", FAST, ids=lambda cls: cls.__name__)
def test_signature_matches_the_dataclass_init(cls: type[Any]) -> None:
    ours = inspect.signature(cls.__init__)
    theirs = inspect.signature(cls.__init__.__wrapped_dataclass_init__)
    assert list(ours.parameters) == list(theirs.parameters)
    for name, param in ours.parameters.items():
        other = theirs.parameters[name]
        assert param.kind == other.kind, name
        field = next((f for f in dataclasses.fields(cls) if f.name == name), None)
        if field is not None and field.default_factory is dataclasses.MISSING:
            assert param.default == other.default, name


@pytest.mark.parametrize("cls", FAST, ids=lambda cls: cls.__name__)
def test_records_stay_frozen(cls: type[Any]) -> None:
    assert cls.__dataclass_params__.frozen


@fast_init
@dataclasses.dataclass(frozen=True)
class _Sample:
    a: int
    b: list[int] = dataclasses.field(default_factory=list)
    c: str = "c"
    d: int = dataclasses.field(init=False, default=7)
    e: int = dataclasses.field(default=0, kw_only=True)
    total: int = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", self.a + self.e)


def test_defaults_factories_post_init_and_keyword_only_fields() -> None:
    one, two = _Sample(1), _Sample(1)
    assert one == two
    assert one.b == []
    assert one.b is not two.b
    assert (one.c, one.d, one.e, one.total) == ("c", 7, 0, 1)
    assert _Sample(1, [2], "x", e=5).total == 6
    with pytest.raises(TypeError):
        _Sample(1, [2], "x", 5)  # type: ignore[call-arg]  # e is keyword-only
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.a = 2  # type: ignore[misc]
    assert dataclasses.replace(one, a=3).total == 3
    assert repr(one) == "_Sample(a=1, b=[], c='c', d=7, e=0)"


def test_refuses_slotted_classes() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        a: int

    with pytest.raises(TypeError):
        fast_init(Slotted)
