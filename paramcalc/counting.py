"""Per-layer counting: one layer's rule run on its input shapes, recorded as a report row.

:func:`run_layer` finds the layer's rule, binds its arguments, inserts the batch axis where
the rule sees one (PyTorch), runs the rule and applies what the spec and the framework add
around it: trainability (``trainable=False`` freezes every weight), the dtype policy (Keras),
and tied weights (a tied LM head).  Errors get the layer's location and name here, so rules
never need to know where they are.

Counting is memoised per analysis (:data:`Memo`): a rule is a pure function of a layer's
class, arguments and input shapes, so a model built from repeated blocks binds and counts
each distinct layer once.  ``analyze(model, memo=False)`` switches this off (the tests
check that it changes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from paramcalc.dtypes import quantized_policy_name, variable_dtype
from paramcalc.errors import LayerError, ParamcalcError
from paramcalc.frameworks import framework_of
from paramcalc.report import LayerRow, Shape, Term
from paramcalc.rules import Args, Outcome, Rule, apply_rule, bind, find_rule, own_dtype
from paramcalc.shapes import check_dims, check_weights
from paramcalc.spec.records import LayerSpec, Value

__all__ = [
    "Memo",
    "check_layer",
    "counts_without_input",
    "frozen",
    "is_model",
    "label",
    "line",
    "memo_key",
    "run_layer",
]


class _Counted:
    """One layer's rule run, ready for its row: what identical layers share (see ``memo``)."""

    __slots__ = ("args", "input_shapes", "legend", "outcome", "rule", "symbols", "terms")

    def __init__(
        self,
        rule: Rule,
        outcome: Outcome,
        terms: tuple[Term, ...],
        symbols: tuple[tuple[str, int], ...],
        legend: tuple[tuple[str, str], ...],
        input_shapes: tuple[Shape, ...],
    ) -> None:
        self.rule = rule
        self.outcome = outcome
        self.terms = terms
        self.symbols = symbols
        self.legend = legend
        self.input_shapes = input_shapes
        self.args: dict[str, Value] = {}  # the bound arguments: FLOP formulas read some the terms do not show


Memo = dict[object, _Counted]
"""Rule runs of one analysis, by :func:`memo_key`."""


def run_layer(
    layer: LayerSpec,
    name: str,
    input_shapes: Sequence[Shape | None],
    framework: str = "keras",
    inputs: tuple[str, ...] = (),
    add_batch: Sequence[bool] = (),
    memo: Memo | None = None,
    found: Rule | None = None,
) -> LayerRow:
    """Apply one layer's rule to its input shape(s) and record the row.

    ``add_batch[i]`` marks input ``i`` as a model input still without its batch axis; a rule
    that sees batch axes (PyTorch) gets it inserted where its ``batch_axis`` says.  A ``None``
    shape (no input at all) is only passed to such rules.  With ``memo``, a layer identical
    to one counted before (class, arguments, input shapes) reuses that run: a rule is a pure
    function of them.  ``found`` is the layer's rule when the caller has resolved it already
    (the engine does, once per layer, when it names the layer).
    """
    key = memo_key(layer, input_shapes, add_batch) if memo is not None else None
    counted = None
    if memo is not None and key is not None:
        try:
            counted = memo.get(key)
        except TypeError:  # a list or mapping argument (YAML lists): count this layer on its own
            key = None
    if counted is None:
        counted = _count(layer, name, input_shapes, framework, add_batch, found)
        if memo is not None and key is not None:
            memo[key] = counted
    found, outcome = counted.rule, counted.outcome
    terms = _tie(counted.terms, dict(layer.tied), layer) if layer.tied else counted.terms
    return LayerRow(
        name=name,
        class_name=_shown_class(found, layer),
        outputs=outcome.outputs,
        terms=terms,
        multi_output=bool(outcome.shapes) and outcome.tree is None,
        inputs=inputs,
        input_shapes=counted.input_shapes,
        formula=outcome.formula,
        symbols=counted.symbols,
        legend=counted.legend,
        gate_names=outcome.gate_names,
        why=outcome.why or found.why,
        line=layer.location.line,
        batch_in_shapes=found.batch_in_shapes,
        output_tree=outcome.tree,
        copies=layer.copies,
        args=counted.args,
    )


def _shown_class(found: Rule, layer: LayerSpec) -> str:
    """The class a row shows: the rule's, or the one a ``Custom`` layer declares."""
    declared = layer.kwargs.get("class_name") if found.name == "Custom" else None
    return declared if isinstance(declared, str) else found.name


def _count(
    layer: LayerSpec,
    name: str,
    input_shapes: Sequence[Shape | None],
    framework: str,
    add_batch: Sequence[bool],
    resolved: Rule | None = None,
) -> _Counted:
    """Find (unless ``resolved``), bind and run the layer's rule; errors get the layer's location and name."""
    found: Rule | None = resolved
    try:
        if found is None:
            found = find_rule(layer.class_name, framework)
        args = bind(found, layer)
        input_shapes = _with_batch(found, args, input_shapes, add_batch)
        outcome = apply_rule(found, args, input_shapes)
        for shape in outcome.outputs:
            if shape:
                check_dims(shape)
        check_weights(outcome.terms)  # no weight over 2**63 - 1 elements (issue 11)
        trainable = bool(args.flag("trainable")) if "trainable" in args.values else True
        trainable = trainable or found.sublayers_at_build  # its sublayers do not exist yet to be frozen
        # the rule's framework, not the spec's: a keras.ops node's dtype is the cast's target, not a policy
        policy = args.get("dtype") if framework_of(found.framework).dtype_policy else None
        if policy is not None and quantized_policy_name(policy) is not None:  # int8 / int4 / float8 layers
            from paramcalc.rules.quantized import quantized_outcome

            outcome, policy = quantized_outcome(found, args, outcome, policy)
        dtype = variable_dtype(policy) if policy is not None else ""
    except ParamcalcError as exc:
        # Name the layer as the user will find it: by its (auto) name once its class is known.
        label = layer.describe() if found is None or not layer.index else f"layer {layer.index} '{name}' ({found.name})"
        raise exc.with_context(location=layer.location, layer=label) from None
    terms: tuple[Term, ...] = tuple(outcome.terms)
    if not trainable:
        terms = tuple(replace(t, trainable=False) for t in terms)
    if any(t.dtype or dtype for t in terms):
        terms = tuple(replace(t, dtype=own_dtype(t.dtype, dtype)) for t in terms)
    symbols = outcome.symbols
    if outcome.legend:
        legend = tuple((k, v) for k, v in {**outcome.legend, **found.legend}.items() if k in symbols)
    elif found.legend.keys() <= symbols.keys():  # the usual case: the rule explains every symbol
        legend = found.legend_pairs
    else:
        legend = tuple((k, v) for k, v in found.legend_pairs if k in symbols)
    known = tuple(input_shapes)
    if None in known:
        known = tuple(s for s in known if s is not None)
    counted = _Counted(found, outcome, terms, tuple(symbols.items()), legend, known)  # type: ignore[arg-type]
    counted.args = args.values
    return counted


def memo_key(layer: LayerSpec, input_shapes: Sequence[Shape | None], add_batch: Sequence[bool]) -> object:
    """What a rule's outcome depends on: class, arguments and input shapes (None: not memoised).

    A model built from repeated blocks (or a generated one) has many identical layers; a
    rule is a pure function of these, so each distinct one is bound and counted once.  The
    key may be unhashable (a list argument): :func:`run_layer` then counts the layer on its
    own, learning so from the one hash the memo's look-up computes.
    """
    return (layer.class_name, layer.args, tuple(layer.kwargs.items()), tuple(input_shapes), tuple(add_batch))


def _with_batch(
    found: Rule, args: Args, shapes: Sequence[Shape | None], add_batch: Sequence[bool]
) -> list[Shape | None]:
    """Insert the batch axis (``None``) into model inputs for rules that see it (PyTorch)."""
    if found.batch_axis is None or not any(add_batch):
        return list(shapes)
    axis = found.batch_axis(args)
    out: list[Shape | None] = []
    for shape, add in zip(shapes, [*add_batch, *[False] * len(shapes)], strict=False):
        if shape is not None and add:
            at = min(axis, len(shape))
            shape = (*shape[:at], None, *shape[at:])
        out.append(shape)
    return out


def counts_without_input(layer: LayerSpec, framework: str, found: Rule | None = None) -> bool:
    """Whether a layer's rule can count it with no input shape (torch modules can)."""
    if is_model(layer) or layer.class_name == "Reuse":
        return False
    if found is not None:
        return found.batch_in_shapes
    try:
        return find_rule(layer.class_name, framework).batch_in_shapes
    except ParamcalcError:
        return False


def _tie(terms: tuple[Term, ...], tied: dict[str, str], layer: LayerSpec) -> tuple[Term, ...]:
    """Mark the weights a spec says are aliases of another parameter (a tied LM head)."""
    known = {t.path for t in terms}
    for path in tied:
        if path not in known:
            raise LayerError(f"cannot tie '{path}': the layer has no such weight", layer=layer.describe())
    return tuple(replace(t, tied_to=tied[t.path]) if t.path in tied else t for t in terms)


def check_layer(layer: LayerSpec, framework: str) -> None:
    """Validate a layer's class and arguments alone (before reporting a missing input)."""
    if is_model(layer) or layer.class_name == "Reuse":
        return
    try:
        bind(find_rule(layer.class_name, framework), layer)
    except ParamcalcError as exc:
        raise exc.with_context(location=layer.location, layer=layer.describe()) from None


def line(location: object) -> int | None:
    """The spec line a record came from, when it has one (inline specs have columns only)."""
    return getattr(location, "line", None)


def is_model(layer: LayerSpec) -> bool:
    """Whether a spec entry is a model used as a layer (``Sequential: {layers: ...}``), not a rule's layer.

    The reader gave every such entry its model (or, when it could not read it, an ``Unread``).
    """
    return layer.model is not None


def label(layer: LayerSpec) -> str:
    """How errors name a layer: by its place and (auto) name once it has one."""
    return f"layer {layer.index} '{layer.name}' ({layer.class_name})" if layer.index else layer.describe()


def frozen(row: LayerRow) -> LayerRow:
    """A row (and its nested rows) with every weight non-trainable: a ``trainable=False`` nested model."""
    return replace(
        row,
        terms=tuple(replace(t, trainable=False) for t in row.terms),
        children=tuple(frozen(child) for child in row.children),
    )
