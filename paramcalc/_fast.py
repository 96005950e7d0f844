"""Frozen dataclasses that import fast and construct fast: :func:`record` and :func:`fast_init`.

paramcalc's records (spec layers, terms, report rows, ...) are frozen dataclasses.  Two
costs of the standard decorator show in a command-line tool:

- At import, ``@dataclass(frozen=True)`` writes and compiles six methods per class
  (``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``)
  one ``exec`` at a time; for the ten records a summary needs that was half of
  paramcalc's own start-up time.
- Per instance, the generated frozen ``__init__`` sets each field with
  ``object.__setattr__``, three times slower than a plain class; paramcalc makes several
  records per layer, and a big spec has a hundred thousand layers.

:func:`record` is ``dataclass(frozen=True)`` to type checkers and to every caller
(``fields``, ``replace``, ``asdict``, equality, hashing, immutability all behave the
same), built with one ``exec`` per class: the field machinery comes from ``dataclasses``,
``__init__`` from :func:`fast_init` (stores fields straight into ``__dict__``), and
``__repr__``/``__eq__``/``__hash__``/``__setattr__``/``__delattr__`` are shared
functions reading a precomputed tuple of field names.  tests/test_fast_init.py checks
the equivalence for every record.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

T = TypeVar("T")

if TYPE_CHECKING:  # type checkers see the standard decorator (mypy's dataclass plugin applies)
    from dataclasses import dataclass as record
else:

    def record(*, frozen: bool = True) -> Callable[[type[T]], type[T]]:
        """``dataclass(frozen=True)``, built with one ``exec`` instead of six (see the module)."""
        if not frozen:
            raise TypeError("record makes frozen dataclasses only")
        return _make_record


def _make_record(cls: type[T]) -> type[T]:
    cls = dataclasses.dataclass(init=False, repr=False, eq=False)(cls)  # fields only: no code generated
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    shown = tuple(f.name for f in fields if f.repr)
    compared = tuple(f.name for f in fields if f.compare)
    hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:  # noqa: N807 - the dunder being defined
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{type(self).__qualname__}({inner})"

    def __eq__(self: Any, other: object) -> Any:  # noqa: N807
        if other.__class__ is self.__class__:
            return tuple(getattr(self, n) for n in compared) == tuple(getattr(other, n) for n in compared)
        return NotImplemented

    def __hash__(self: Any) -> int:  # noqa: N807
        return hash(tuple(getattr(self, name) for name in hashed))

    def __setattr__(self: Any, name: str, value: Any) -> None:  # noqa: N807
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self: Any, name: str) -> None:  # noqa: N807
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    own = cls.__dict__
    methods = [__setattr__, __delattr__]  # a class's own __repr__, __eq__, __hash__ win, as with dataclass
    methods += [m for m in (__repr__, __eq__) if m.__name__ not in own]
    if own.get("__hash__") is None:
        methods.append(__hash__)
    for method in methods:
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        setattr(cls, method.__name__, method)
    return fast_init(cls)


def fast_init(cls: type[T]) -> type[T]:
    """Give a dataclass an ``__init__`` (the dataclass's signature) that writes ``__dict__``."""
    if "__slots__" in cls.__dict__:
        raise TypeError(f"{cls.__name__}: fast_init needs instances with a __dict__")
    namespace: dict[str, Any] = {"_MISSING": dataclasses.MISSING}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    for field in fields:
        name = field.name
        if not field.init:
            if field.default is not dataclasses.MISSING:
                namespace[f"_d_{name}"] = field.default
                body.append(f"    d[{name!r}] = _d_{name}")
            elif field.default_factory is not dataclasses.MISSING:
                namespace[f"_f_{name}"] = field.default_factory
                body.append(f"    d[{name!r}] = _f_{name}()")
            continue
        if field.default is not dataclasses.MISSING:
            namespace[f"_d_{name}"] = field.default
            param = f"{name}=_d_{name}"
            body.append(f"    d[{name!r}] = {name}")
        elif field.default_factory is not dataclasses.MISSING:
            namespace[f"_f_{name}"] = field.default_factory
            param = f"{name}=_MISSING"
            body.append(f"    d[{name!r}] = _f_{name}() if {name} is _MISSING else {name}")
        else:
            param = name
            body.append(f"    d[{name!r}] = {name}")
        (keyword if field.kw_only else positional).append(param)
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    params = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    source = f"def __init__({params}):\n    d = self.__dict__\n" + "\n".join(body) + "\n"
    exec(source, namespace)  # noqa: S102 - code generated from the class's own field names, as dataclasses does
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = {f.name: f.type for f in fields if f.init}
    init.__fast_init__ = True  # marks the classes tests/test_fast_init.py checks
    setattr(cls, "__init__", init)  # noqa: B010 - mypy refuses assigning to a method
    return cls


_SETTABLE: dict[type, frozenset[str]] = {}
"""Per class, the fields :func:`evolve` may set by copying (none when there is a ``__post_init__``)."""


def evolve(obj: T, **changes: Any) -> T:
    """``dataclasses.replace`` for a record without ``__post_init__``: copy its fields, change some.

    ``replace`` goes through ``__init__`` with every field as a keyword; the engine renames
    every layer of a spec, so it copies the instance dictionary instead.
    """
    cls = type(obj)
    settable = _SETTABLE.get(cls)
    if settable is None:
        fields = getattr(cls, "__dataclass_fields__", {})
        settable = _SETTABLE[cls] = (
            frozenset() if hasattr(cls, "__post_init__") else frozenset(n for n, f in fields.items() if f.init)
        )
    if not changes.keys() <= settable:
        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]  # it raises the same errors
    new = object.__new__(cls)
    new.__dict__.update(obj.__dict__)
    new.__dict__.update(changes)
    return new


__all__ = ["evolve", "fast_init", "record"]
