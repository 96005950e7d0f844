"""The rule registry: which rule counts a layer class, and how rules declare themselves.

A rule registers with :func:`rule` under the framework's class name (plus aliases); its
signature mirrors the framework constructor.  :func:`find_rule` looks a class name up,
importing only the rule module that defines it (:mod:`paramcalc.rules.index`, a checked-in
class -> module table), so a summary of Dense and LSTM layers imports one or two modules.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

from paramcalc._fast import record
from paramcalc.errors import LayerError, close_match
from paramcalc.frameworks import BY_NAME, OPS_PREFIX
from paramcalc.report import Shape, Term, Tree
from paramcalc.spec.records import Value

if TYPE_CHECKING:
    from paramcalc.rules.binding import Args

Kind = Callable[["Args", str], object]
"""An argument's kind, declared in a rule's signature: an :class:`~paramcalc.rules.binding.Args`
accessor such as ``Args.flag`` or ``Args.number`` (or any function of the bound arguments and
the key) that raises :class:`LayerError` for a bad value."""

Param: TypeAlias = tuple[str, Value] | tuple[str, Value, Kind] | str
"""One constructor argument of ``@rule``: ``"name"`` (required), ``(name, default)``, or
``(name, default, kind)``, whose value is checked before the rule's formula runs."""

MaskKind = Literal["none", "keep", "sequences", "merge", "concatenate", "embedding", "masking"]
"""How Keras computes the mask of a layer's output in a functional graph (see :func:`rule`)."""


class _Required:
    """Sentinel default for a constructor argument that has no default."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

FAMILIES: dict[str, tuple[str, ...]] = {f.name: f.rule_modules for f in BY_NAME.values()}
"""Rule modules per framework, imported on first lookup (``paramcalc.rules.<name>``)."""

FRAMEWORK_NAMES: dict[str, str] = {f.name: f.display for f in BY_NAME.values()}
"""How messages name each framework."""

CASE_SENSITIVE: frozenset[str] = frozenset(f.name for f in BY_NAME.values() if f.case_sensitive)
"""Frameworks whose spec class names must match exactly (see :class:`~paramcalc.frameworks.Framework`)."""

BASE_KWARGS: dict[str, Mapping[str, Value]] = {f.name: f.base_kwargs for f in BY_NAME.values()}
"""Keyword arguments every layer of a framework accepts."""


@record(frozen=True)
class Outcome:
    """What a rule returns: output shape(s), the weight terms and the closed form.

    Give ``shape`` for a single output, or ``shapes`` for a layer returning a list of
    tensors (an RNN with ``return_state``).  ``formula`` is an arithmetic expression over
    ``symbols`` (``"4*n*(n+m+1)"``) equal to the sum of the terms' counts.  A torch module
    returning a nested tuple gives ``shapes`` flat (element 0 first, the tensor passed on)
    and their nesting as ``tree`` (``(0, (1, 2))`` for ``nn.LSTM``'s ``(out, (h_n, c_n))``).
    """

    shape: Shape | None = None
    terms: Sequence[Term] = ()
    formula: str | None = None
    symbols: Mapping[str, int] = field(default_factory=dict)
    shapes: tuple[Shape, ...] = ()
    gate_names: tuple[str, ...] = ()
    legend: Mapping[str, str] = field(default_factory=dict)
    """Meanings of symbols the rule's own legend lacks (a wrapper passes on its inner layer's)."""
    tree: Tree | None = None

    @property
    def outputs(self) -> tuple[Shape, ...]:
        """Every output shape, in order; empty when unknown (a PyTorch layer given no input)."""
        if self.shapes:
            return self.shapes
        if self.shape is None:
            return ()
        return (self.shape,)


RuleFn = Callable[..., Outcome]


@record(frozen=True)
class Rule:
    """A registered rule and its constructor signature.

    ``min_rank``/``max_rank`` are input ranks without the batch axis; the engine checks them
    for Keras rules.  For rules with ``batch_axis`` (PyTorch), ``min_rank`` is only the rank
    ``explain`` pads ``--input`` to, ``batch_axis(args)`` says where the batch axis goes in a
    spec's input when the layer comes first (1 for a sequence-first ``nn.LSTM``), and
    ``from_input`` names constructor arguments ``explain --input`` fills from an input axis
    (``("input_size", -1)``).  ``varargs`` rules accept and ignore any arguments (``nn.Identity``).
    """

    name: str
    fn: RuleFn
    framework: str
    params: tuple[tuple[str, Value], ...]
    legend: Mapping[str, str]
    min_rank: int = 0
    max_rank: int | None = None
    expects: str = ""
    multi_input: bool = False
    aliases: tuple[str, ...] = ()
    layer_args: tuple[str, ...] = ()
    build_names: tuple[str, ...] = ()
    batch_axis: Callable[[Args], int] | None = None
    from_input: tuple[tuple[str, int], ...] = ()
    varargs: bool = False
    max_positional: int | None = None
    sublayers_at_build: bool = False
    mask: MaskKind = "none"
    mask_arg: bool = False
    kinds: tuple[tuple[str, Kind], ...] = ()
    """Arguments whose kind the signature declares, in signature order (see :data:`Param`)."""

    @cached_property
    def batch_in_shapes(self) -> bool:
        """Whether the rule sees shapes *with* the batch axis (PyTorch) and may count without one.

        Keras rules get shapes without the batch axis and always need an input shape.  Rules
        with a ``batch_axis`` (torch.nn modules, which know their sizes from their arguments)
        get the full shape, batch axis included as ``None`` wherever the forward pass puts it,
        or ``None`` for the whole shape when the spec gives no input; they check ranks themselves.
        """
        return self.batch_axis is not None

    @cached_property
    def why(self) -> str:
        """The rule's docstring: why the formula is what it is (shown by ``explain``)."""
        return " ".join((self.fn.__doc__ or "").split())

    @cached_property
    def positional(self) -> tuple[str, ...]:
        """Argument names in constructor order."""
        return tuple(name for name, _ in self.params)

    @cached_property
    def defaults(self) -> dict[str, Value]:
        """Every argument at its default (REQUIRED for those without one); bind copies it."""
        return dict(self.params)

    @cached_property
    def position(self) -> dict[str, int]:
        """Each argument's place in the constructor's order."""
        return {name: i for i, (name, _) in enumerate(self.params)}

    @cached_property
    def legend_pairs(self) -> tuple[tuple[str, str], ...]:
        """The legend as (symbol, meaning) pairs, as report rows keep it."""
        return tuple(self.legend.items())

    @cached_property
    def required(self) -> tuple[str, ...]:
        """Arguments without a default."""
        return tuple(name for name, default in self.params if default is REQUIRED)


_REGISTRY: dict[str, dict[str, Rule]] = {}
_CANONICAL: dict[str, dict[str, str]] = {}
_LOADED: dict[str, int] = {}
"""How many of each framework's rule modules (in FAMILIES order) are imported."""

F = TypeVar("F", bound=RuleFn)


def rule(
    name: str,
    *params: Param,
    framework: str = "keras",
    aliases: Sequence[str] = (),
    legend: Mapping[str, str] | None = None,
    min_rank: int = 0,
    max_rank: int | None = None,
    expects: str = "",
    multi_input: bool = False,
    base: bool = True,
    layer_args: Sequence[str] = (),
    build_names: Sequence[str] = (),
    batch_axis: int | Callable[[Args], int] | None = None,
    from_input: Mapping[str, int] | None = None,
    varargs: bool = False,
    sublayers_at_build: bool = False,
    mask: MaskKind = "none",
    mask_arg: bool = False,
) -> Callable[[F], F]:
    """Register a rule for ``name``; ``params`` are the constructor's arguments in order.

    A bare string is a required argument; ``(name, default)`` an optional one.  With
    ``base`` the framework's common layer keywords (``trainable``, ``dtype``, ...) are
    accepted too.  Registering a name twice is a programming error and fails loudly.

    ``layer_args`` names the arguments whose value is itself a layer (a wrapper's
    ``layer``); the engine names those inner layers as Keras does, in that order.
    ``build_names`` are automatic names the layer uses up when it is built (Keras'
    MultiHeadAttention creates an unnamed ``Softmax`` and ``Dropout``), so later layers
    get ``dropout_1`` as they do in Keras.

    ``sublayers_at_build``: the layer keeps its weights in sublayers it creates when it is
    built (MultiHeadAttention's ``query``, ``key``, ... EinsumDense layers).  Those start
    trainable whatever the layer's own ``trainable`` was, so ``trainable=False`` given to
    the layer before it is built freezes nothing (Keras counts the weights as trainable).

    ``mask`` says how Keras computes the mask of the layer's output (``compute_mask``) in a
    functional graph, where masks are tensors of hidden graph operations: ``"none"`` (the
    layer drops the mask), ``"keep"`` (its first input's mask), ``"sequences"`` (a recurrent
    layer: the input's mask when it returns sequences), ``"merge"`` (``logical_or`` of all
    inputs' masks), ``"concatenate"`` (``Concatenate``'s own ops, one of them a
    ``concatenate`` op that uses up a ``concatenate`` name), ``"embedding"`` (``not_equal``
    with ``mask_zero``) or ``"masking"`` (``Masking``'s ``not_equal`` and ``any``).
    ``mask_arg``: the layer's ``call()`` takes ``mask``; Keras then records the mask as an
    extra input of the call, which can change the layer order of ``model.layers``.

    ``batch_axis``, ``from_input`` and ``varargs``: see :class:`Rule`.  A ``"*"`` among
    ``params`` makes the arguments after it keyword-only, as in the Python signature.  A
    parameter given as ``(name, default, kind)`` declares its kind (``("eps", 1e-8,
    Args.number)``): the value is checked, in signature order, before the rule runs, so the
    formula code reads ``args["eps"]`` instead of calling a validator for its side effect.
    """
    max_positional: int | None = None
    if "*" in params:
        max_positional = params.index("*")
        params = tuple(p for p in params if p != "*")
    axis_of: Callable[[Args], int] | None
    if isinstance(batch_axis, int):
        fixed = batch_axis

        def axis_of(_: Args) -> int:
            return fixed

    else:
        axis_of = batch_axis
    ordered: list[tuple[str, Value]] = [(p, REQUIRED) if isinstance(p, str) else (p[0], p[1]) for p in params]
    kinds = tuple((p[0], p[2]) for p in params if not isinstance(p, str) and len(p) == 3)
    if base:
        known = {p for p, _ in ordered}
        ordered += [(k, v) for k, v in BASE_KWARGS.get(framework, {}).items() if k not in known]

    def register(fn: F) -> F:
        entry = Rule(
            name=name,
            fn=fn,
            framework=framework,
            params=tuple(ordered),
            legend=dict(legend or {}),
            min_rank=min_rank,
            max_rank=max_rank,
            expects=expects,
            multi_input=multi_input,
            aliases=tuple(aliases),
            layer_args=tuple(layer_args),
            build_names=tuple(build_names),
            batch_axis=axis_of,
            from_input=tuple((from_input or {}).items()),
            varargs=varargs,
            max_positional=max_positional,
            sublayers_at_build=sublayers_at_build,
            mask=mask,
            mask_arg=mask_arg,
            kinds=kinds,
        )
        table = _REGISTRY.setdefault(framework, {})
        canonical = _CANONICAL.setdefault(framework, {})
        for key in (name, *aliases):
            if key in table or (key.lower() in canonical and framework not in CASE_SENSITIVE):
                raise RuntimeError(f"rule {key!r} registered twice for {framework}")
            canonical[key.lower()] = key
            table[key] = entry
        return fn

    return register


def _load(framework: str, until: str | None = None) -> dict[str, Rule]:
    """The framework's rules, importing rule modules as needed.

    With ``until`` (a class name, any case), only the module the checked-in index
    (:mod:`paramcalc.rules.index`) names for it is imported: a summary of Dense and LSTM
    layers imports two modules, not a dozen.  A name the index does not know (a misspelt
    class, or a rule added without regenerating the index) loads every module, in order.
    """
    if until is not None:
        from paramcalc.rules.index import INDEX

        module = INDEX.get(framework, {}).get(until.lower())
        if module is not None:
            importlib.import_module(f"paramcalc.rules.{module}")
            if until.lower() in _CANONICAL.get(framework, {}):
                return _REGISTRY.get(framework, {})
    modules = FAMILIES.get(framework, ())
    done = _LOADED.get(framework, 0)
    while done < len(modules):
        if until is not None and (
            until in _REGISTRY.get(framework, {}) or until.lower() in _CANONICAL.get(framework, {})
        ):
            break
        importlib.import_module(f"paramcalc.rules.{modules[done]}")
        done = _LOADED[framework] = done + 1
    return _REGISTRY.get(framework, {})


def build_index() -> dict[str, dict[str, str]]:
    """Which rule module registers each class name (lowercased), per framework.

    Run in a fresh interpreter (``tools/rules_index.py``): modules are imported one at a
    time, in :data:`FAMILIES` order, and each name is credited to the import that registered it.
    """
    index: dict[str, dict[str, str]] = {}
    for framework, modules in FAMILIES.items():
        table = index.setdefault(framework, {})
        for module in modules:
            before = set(_CANONICAL.get(framework, {}))
            importlib.import_module(f"paramcalc.rules.{module}")
            for name in sorted(set(_CANONICAL.get(framework, {})) - before):
                table[name] = module
    return index


def all_rules(framework: str = "keras") -> dict[str, Rule]:
    """Every registered class name (aliases included) for a framework."""
    return dict(_load(framework))


def find_rule(class_name: str, framework: str = "keras", exact: bool | None = None) -> Rule:
    """The rule for a class name; LayerError with a suggestion if unknown.

    Names match case-insensitively unless ``exact`` (default: the framework is in
    :data:`CASE_SENSITIVE`); a near miss, case included, is suggested.
    """
    found = _REGISTRY.get(framework, {}).get(class_name)  # the common case: already registered, exact name
    if found is not None:
        return found
    if framework == "keras" and class_name.startswith(OPS_PREFIX):  # a keras.ops node of a functional graph
        return find_rule(class_name[len(OPS_PREFIX) :], "keras.ops", exact=True)
    table = _load(framework, class_name)
    found = table.get(class_name)
    if found is not None:
        return found
    canonical = _CANONICAL.get(framework, {})
    if class_name.lower() not in canonical:  # unknown: every rule is needed for the suggestion
        table = _load(framework)
    key = canonical.get(class_name.lower())
    strict = framework in CASE_SENSITIVE if exact is None else exact
    if key is not None and not strict:
        return table[key]
    close = class_name.lower() if key is not None else close_match(class_name.lower(), canonical)
    hint = f"did you mean '{canonical[close]}'?" if close else "run 'paramcalc layers' to list the known layers"
    where = FRAMEWORK_NAMES.get(framework, framework)
    raise LayerError(f"unknown layer '{class_name}' for {where}", hint=hint)
