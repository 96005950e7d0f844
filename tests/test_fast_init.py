"""paramcalc._fast: records behave as ``dataclass(frozen=True)`` ones, built faster.

Every class in paramcalc that uses ``record`` or ``fast_init`` is found by walking the
package, so a class that starts using them (or gains a field) is checked without editing
this file.  Each is compared with a twin made by the standard decorator.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from typing import Any

import pytest

import paramcalc
from paramcalc._fast import fast_init, record


def _fast_classes() -> list[type[Any]]:
    found: dict[str, type[Any]] = {}
    for info in pkgutil.walk_packages(paramcalc.__path__, "paramcalc."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if inspect.isclass(value) and getattr(value.__init__, "__fast_init__", False):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


FAST = _fast_classes()


def _twin(cls: type[Any]) -> type[Any]:
    """The same fields under the standard ``@dataclass(frozen=True)``."""
    namespace: dict[str, Any] = {"__annotations__": {f.name: f.type for f in dataclasses.fields(cls)}}
    for f in dataclasses.fields(cls):
        namespace[f.name] = dataclasses.field(
            default=f.default,
            default_factory=f.default_factory,
            init=f.init,
            repr=f.repr,
            hash=f.hash,
            compare=f.compare,
            kw_only=f.kw_only,
        )
    return dataclasses.dataclass(frozen=True)(type(cls.__name__, (), namespace))


def test_the_hot_records_use_it() -> None:
    names = {cls.__name__ for cls in FAST}
    assert {"Location", "LayerSpec", "Term", "LayerRow", "Outcome", "Report", "ModelSpec"} <= names


@pytest.mark.parametrize("cls", FAST, ids=lambda cls: cls.__name__)
def test_signature_matches_the_standard_dataclass(cls: type[Any]) -> None:
    ours = inspect.signature(cls.__init__)
    theirs = inspect.signature(_twin(cls).__init__)
    assert list(ours.parameters) == list(theirs.parameters)
    for name, param in ours.parameters.items():
        other = theirs.parameters[name]
        assert param.kind == other.kind, name
        field = next((f for f in dataclasses.fields(cls) if f.name == name), None)
        if field is not None and field.default_factory is dataclasses.MISSING:
            assert param.default == other.default, name


@pytest.mark.parametrize("cls", FAST, ids=lambda cls: cls.__name__)
def test_records_refuse_assignment(cls: type[Any]) -> None:
    instance = object.__new__(cls)
    with pytest.raises(dataclasses.FrozenInstanceError):
        instance.anything = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        del instance.anything


def _sample(decorate: Any) -> Any:
    """One class body under a given decorator: ``record`` or the standard ``dataclass``."""

    @decorate
    class Sample:
        a: int
        b: list[int] = dataclasses.field(default_factory=list)
        c: str = "c"
        d: int = dataclasses.field(init=False, default=7)
        e: int = dataclasses.field(default=0, kw_only=True)
        total: int = dataclasses.field(init=False, repr=False, compare=False)

        def __post_init__(self) -> None:
            object.__setattr__(self, "total", self.a + self.e)

    return Sample


_Sample = _sample(record(frozen=True))
_Standard = _sample(dataclasses.dataclass(frozen=True))


@record(frozen=True)
class _Hashable:
    a: int
    b: str = "x"
    c: tuple[int, ...] = dataclasses.field(default=(), hash=False)


def test_behaves_like_a_standard_frozen_dataclass() -> None:
    one, two = _Sample(1), _Sample(1)
    assert one == two
    assert one != _Sample(2)
    assert one.b == []
    assert one.b is not two.b
    assert (one.c, one.d, one.e, one.total) == ("c", 7, 0, 1)
    assert _Sample(1, [2], "x", e=5).total == 6
    with pytest.raises(TypeError):
        _Sample(1, [2], "x", 5)  # type: ignore[misc]  # e is keyword-only
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.a = 2  # type: ignore[misc]
    assert dataclasses.replace(one, a=3).total == 3
    assert repr(one) == repr(_Standard(1))
    assert dataclasses.asdict(one) == dataclasses.asdict(_Standard(1))
    assert (one == _Standard(1)) is False  # other classes never compare equal, as with dataclass
    assert hash(_Hashable(1, "y", (2,))) == hash(_Hashable(1, "y", (3,)))  # hash=False fields left out
    assert _Hashable(1) in {_Hashable(1)}


def test_a_class_keeps_its_own_repr() -> None:
    @record(frozen=True)
    class Question:
        key: int

        def __repr__(self) -> str:
            return "?"

    assert repr(Question(1)) == "?"
    assert Question(1) == Question(1)


def test_fast_init_refuses_slotted_classes() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        a: int

    with pytest.raises(TypeError):
        fast_init(Slotted)


def test_evolve_is_replace_without_the_init() -> None:
    from paramcalc._fast import evolve
    from paramcalc.errors import Location
    from paramcalc.spec.records import LayerSpec

    layer = LayerSpec("Dense", (4,), {"use_bias": False}, Location("x.yaml", 3), None, None, 2)
    assert evolve(layer, name="d") == dataclasses.replace(layer, name="d")
    assert evolve(layer, name="d").kwargs is layer.kwargs
    assert layer.name is None
    sample = _Sample(1)
    assert evolve(sample, a=5).total == 5  # has __post_init__: goes through replace
    with pytest.raises(TypeError):
        evolve(layer, colour="red")
