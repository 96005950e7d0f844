"""A faster ``__init__`` for the frozen dataclasses made once per layer or term.

A frozen dataclass's generated ``__init__`` sets each field with ``object.__setattr__``,
which makes creating one about three times slower than a plain class.  paramcalc makes
several records per layer (spec, location, terms, outcome, row), so on a 100,000-layer
spec that overhead was a fifth of the run.  :func:`fast_init` swaps in an ``__init__``
with the same signature that stores the fields straight into the instance ``__dict__``;
everything else (immutability, ``__eq__``, ``__hash__``, ``__repr__``, ``replace``) is
the dataclass's own.  tests/test_fast_init.py checks the signatures agree.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def fast_init(cls: type[T]) -> type[T]:
    """Replace a frozen dataclass's ``__init__`` by an equivalent one that writes ``__dict__``."""
    if "__slots__" in cls.__dict__:
        raise TypeError(f"{cls.__name__}: fast_init needs instances with a __dict__")
    namespace: dict[str, Any] = {"_MISSING": dataclasses.MISSING}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
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
    generated: Any = cls.__init__
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = generated.__doc__
    init.__annotations__ = dict(generated.__annotations__)
    init.__wrapped_dataclass_init__ = generated  # kept for the signature test
    setattr(cls, "__init__", init)  # noqa: B010 - mypy refuses assigning to a method
    return cls
