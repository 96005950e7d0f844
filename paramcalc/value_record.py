"""Equality and ``repr`` by fields for the slotted dataclasses every run makes at import.

Why not ``@dataclass(eq=True, repr=True)``: on Python 3.11 the dataclass decorator writes each
method it generates as source text and compiles it, about a tenth of a millisecond a method
for a record of twenty fields, paid by every run at import (docs/architecture.md, "Records").
These two are the same for every record, so they are written once here: a record declared
``@dataclass(slots=True, eq=False, repr=False)`` over :class:`ValueRecord` compares and prints
exactly as a dataclass does (the fields with ``compare=True``, in order; those with
``repr=True``), and, like a non-frozen dataclass with ``eq``, is not hashable.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

_COMPARED: dict[type[Any], tuple[str, ...]] = {}
_SHOWN: dict[type[Any], tuple[str, ...]] = {}


def _names(cls: type[Any], table: dict[type[Any], tuple[str, ...]], attribute: str) -> tuple[str, ...]:
    names = table.get(cls)
    if names is None:
        names = table[cls] = tuple(f.name for f in fields(cls) if getattr(f, attribute))
    return names


class ValueRecord:
    """Field-wise ``==`` and ``repr`` for a slotted dataclass declared with ``eq=False, repr=False``."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        names = _names(self.__class__, _COMPARED, "compare")
        return all(getattr(self, name) == getattr(other, name) for name in names)

    __hash__ = None  # type: ignore[assignment]  # mutable in principle, as a dataclass with eq: unhashable

    def __repr__(self) -> str:
        names = _names(self.__class__, _SHOWN, "repr")
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"
