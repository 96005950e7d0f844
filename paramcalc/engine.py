"""The engine: thread shapes through the rules and collect a :class:`~paramcalc.report.Report`.

``analyze`` walks a :class:`~paramcalc.spec.records.ModelSpec` once, in order: for each
layer it finds the rule, binds the arguments, checks the input rank, calls the rule and
records a :class:`~paramcalc.report.LayerRow`.  Errors raised anywhere below are given
the layer's location and description here, so rules never need to know where they are.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import cast

from paramcalc.dtypes import canonical_dtype, dtype_bits
from paramcalc.errors import LayerError, Location, ParamcalcError, SpecError, close_match
from paramcalc.report import LayerRow, Report, Shape, Term
from paramcalc.rules import Args, Outcome, Rule, bind, find_rule
from paramcalc.shapes import check_dims, format_shape
from paramcalc.spec.records import LayerSpec, ModelSpec

_REF = re.compile(r"(.+)\[(\d+)\]\Z")


@lru_cache(maxsize=1024)
def to_snake_case(name: str) -> str:
    """Keras' automatic layer names: ``SimpleRNN`` -> ``simple_rnn``, ``Conv2D`` -> ``conv2d``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


@lru_cache(maxsize=1024)
def base_name(class_name: str, framework: str = "keras") -> str:
    """A layer's automatic base name: Keras' snake case, or the lowercased torch class name.

    torch modules have no names of their own (``nn.Sequential`` numbers them); paramcalc names
    them ``linear``, ``lstm``, ``batchnorm2d``, ... so tables and errors stay readable.
    """
    return class_name.lower() if framework == "pytorch" else to_snake_case(class_name)


class AutoNamer:
    """Hands out ``dense``, ``dense_1``, ... per base name, skipping names already taken."""

    def __init__(self, framework: str = "keras") -> None:
        self.counts: dict[str, int] = {}
        self.taken: set[str] = set()
        self.framework = framework

    def claim(self, name: str, layer: LayerSpec) -> str:
        """Reserve a user-given name; a duplicate is an error, as in Keras."""
        if name in self.taken:
            raise SpecError(f"layer name '{name}' is used twice", location=layer.location, layer=layer.describe())
        self.taken.add(name)
        return name

    def auto(self, class_name: str) -> str:
        """The next free automatic name for a class."""
        base = base_name(class_name, self.framework)
        while True:
            count = self.counts.get(base, 0)
            self.counts[base] = count + 1
            name = base if count == 0 else f"{base}_{count}"
            if name not in self.taken:
                self.taken.add(name)
                return name


def analyze(model: ModelSpec, dtype: str = "float32") -> Report:
    """Count a model: every layer's output shape and weight terms, and the totals."""
    namer = AutoNamer(model.framework)
    rows = _graph(model, namer) if model.graph else _sequential(model, namer)
    if model.outputs and not model.graph:
        _reachable(rows, model.outputs, model.outputs_location)  # checks the names; a chain keeps every layer
    canonical = canonical_dtype(dtype)
    default_name = "functional" if model.graph else "sequential"
    return Report(
        name=model.name or default_name,
        framework=model.framework,
        layers=tuple(rows),
        dtype=canonical,
        dtype_bits=dtype_bits(canonical),
        graph=model.graph,
        source=model.source,
        extras=dict(model.extras),
        notes=model.notes,
    )


def _sequential(model: ModelSpec, namer: AutoNamer) -> list[LayerRow]:
    """A chain of layers.  The model input has no batch axis yet: the first layer's rule says
    where it goes (PyTorch); without an input, only layers that can count from their arguments
    alone (PyTorch) are counted, and their output shapes stay unknown.
    """
    rows: list[LayerRow] = []
    memo: dict[object, tuple[Rule, Outcome, bool, list[Shape | None]]] = {}
    shape: Shape | None = model.inputs[0].shape if model.inputs else None
    for layer in model.layers:
        if shape is None and not _counts_without_input(layer, model.framework):
            _check_layer(layer, model.framework)
            raise LayerError(
                "no input shape for the first layer",
                location=layer.location,
                layer=layer.describe(),
                hint="add 'input: [3, 10000]' to the spec, or input_shape=(3, 10000) on the first layer",
            )
        name = namer.claim(layer.name, layer) if layer.name else namer.auto(layer.class_name)
        row = run_layer(layer, name, [shape], model.framework, add_batch=(not rows,), memo=memo)
        rows.append(row)
        shape = row.outputs[0] if row.outputs else None
    return rows


def _counts_without_input(layer: LayerSpec, framework: str) -> bool:
    """Whether a layer's rule can count it with no input shape (torch modules can)."""
    try:
        return find_rule(layer.class_name, framework).batch_in_shapes
    except ParamcalcError:
        return False


def _graph(model: ModelSpec, namer: AutoNamer) -> list[LayerRow]:
    rows: list[LayerRow] = []
    memo: dict[object, tuple[Rule, Outcome, bool, list[Shape | None]]] = {}
    tensors: dict[str, tuple[Shape | None, ...]] = {}
    previous: str | None = None
    for spec in model.inputs:
        name = spec.name
        if name in tensors:
            raise SpecError(f"model input '{name}' is defined twice", location=spec.location)
        namer.taken.add(name)
        tensors[name] = (spec.shape,)
        rows.append(LayerRow(name=name, class_name="InputLayer", outputs=(spec.shape,), line=_line(spec.location)))
        previous = name
    model_inputs = {spec.name for spec in model.inputs}
    for layer in model.layers:
        name = namer.claim(layer.name, layer) if layer.name else namer.auto(layer.class_name)
        refs = layer.inputs if layer.inputs is not None else ((previous,) if previous else ())
        if not refs:
            raise LayerError(
                "no input for the first layer",
                location=layer.location,
                layer=layer.describe(),
                hint="declare the model's 'inputs:' or add an Input layer",
            )
        shapes = [_resolve(ref, tensors, layer) for ref in refs]
        fresh = tuple(_split_ref(ref, tensors)[0] in model_inputs for ref in refs)
        row = run_layer(layer, name, shapes, model.framework, inputs=tuple(refs), add_batch=fresh, memo=memo)
        tensors[name] = row.outputs or (None,)
        rows.append(row)
        previous = name
    if model.outputs:
        return _reachable(rows, model.outputs, model.outputs_location)
    return rows


def _split_ref(ref: str, known: Container[str]) -> tuple[str, int]:
    """``lstm[1]`` -> (``lstm``, 1) when ``lstm`` is known; else the whole ref, output 0."""
    match = _REF.match(ref)
    if match and match.group(1) in known:
        return match.group(1), int(match.group(2))
    return ref, 0


def _resolve(ref: str, tensors: dict[str, tuple[Shape | None, ...]], layer: LayerSpec) -> Shape | None:
    """The shape a reference names: ``lstm`` (first output) or ``lstm[1]`` (second output)."""
    base, index = _split_ref(ref, tensors)
    if base not in tensors:
        close = close_match(base, tensors)
        raise SpecError(
            f"input '{ref}' names no earlier layer or model input",
            location=layer.location,
            layer=layer.describe(),
            hint=f"did you mean '{close}'?" if close else "inputs: must name layers defined above",
        )
    outputs = tensors[base]
    if index >= len(outputs):
        raise SpecError(
            f"'{base}' has {len(outputs)} outputs, no [{index}]", location=layer.location, layer=layer.describe()
        )
    return outputs[index]


def _reachable(rows: list[LayerRow], outputs: Sequence[str], location: Location | None = None) -> list[LayerRow]:
    """Keep the layers that feed the declared outputs, as a Keras functional model does."""
    by_name = {row.name: row for row in rows}
    stack: list[str] = []
    for out in outputs:
        base, _ = _split_ref(out, by_name)
        if base not in by_name:
            close = close_match(base, by_name)
            raise SpecError(
                f"output '{out}' names no layer",
                location=location,
                hint=f"did you mean '{close}'?" if close else "outputs: must name layers of the model",
            )
        stack.append(base)
    keep: set[str] = set()
    while stack:
        name = stack.pop()
        if name not in keep:
            keep.add(name)
            stack.extend(_split_ref(ref, by_name)[0] for ref in by_name[name].inputs)
    return [row for row in rows if row.name in keep]


def run_layer(
    layer: LayerSpec,
    name: str,
    input_shapes: Sequence[Shape | None],
    framework: str = "keras",
    inputs: tuple[str, ...] = (),
    add_batch: Sequence[bool] = (),
    memo: dict[object, tuple[Rule, Outcome, bool, list[Shape | None]]] | None = None,
) -> LayerRow:
    """Apply one layer's rule to its input shape(s) and record the row.

    ``add_batch[i]`` marks input ``i`` as a model input still without its batch axis; a rule
    that sees batch axes (PyTorch) gets it inserted where its ``batch_axis`` says.  A ``None``
    shape (no input at all) is only passed to such rules.
    """
    found: Rule | None = None
    key = _memo_key(layer, input_shapes, add_batch) if memo is not None else None
    done = memo.get(key) if memo is not None and key is not None else None
    if done is not None:  # an identical layer on an identical input: rules are pure functions
        found, outcome, trainable, input_shapes = done
    else:
        try:
            found = find_rule(layer.class_name, framework)
            args = bind(found, layer)
            input_shapes = _with_batch(found, args, input_shapes, add_batch)
            outcome = apply_rule(found, args, input_shapes)
            for shape in outcome.outputs:
                if shape:
                    check_dims(shape)
            trainable = bool(args.flag("trainable")) if "trainable" in args.values else True
        except ParamcalcError as exc:
            # Name the layer as the user will find it: by its (auto) name once its class is known.
            label = (
                layer.describe() if found is None or not layer.index else f"layer {layer.index} '{name}' ({found.name})"
            )
            raise exc.with_context(location=layer.location, layer=label) from None
        if memo is not None and key is not None:
            memo[key] = (found, outcome, trainable, list(input_shapes))
    outputs = outcome.outputs
    terms = tuple(outcome.terms)
    if not trainable:
        terms = tuple(replace(t, trainable=False) for t in terms)
    if layer.tied:
        terms = _tie(terms, dict(layer.tied), layer)
    known: tuple[Shape | None, ...] = tuple(input_shapes)
    if None in known:
        known = tuple(s for s in known if s is not None)
    symbols = outcome.symbols
    legend = found.legend_pairs
    if not found.legend.keys() <= symbols.keys():
        legend = tuple((k, v) for k, v in legend if k in symbols)
    return LayerRow(
        name=name,
        class_name=found.name,
        outputs=outputs,
        terms=terms,
        multi_output=bool(outcome.shapes) and outcome.tree is None,
        inputs=inputs,
        input_shapes=cast("tuple[Shape, ...]", known),
        formula=outcome.formula,
        symbols=tuple(symbols.items()),
        legend=legend,
        gate_names=outcome.gate_names,
        why=found.why,
        line=layer.location.line,
        batch_in_shapes=found.batch_in_shapes,
        output_tree=outcome.tree,
        copies=layer.copies,
    )


def _memo_key(layer: LayerSpec, input_shapes: Sequence[Shape | None], add_batch: Sequence[bool]) -> object:
    """What a rule's outcome depends on: class, arguments and input shapes; None when unhashable.

    A model built from repeated blocks (or a generated one) has many identical layers; a
    rule is a pure function of these, so each distinct one is bound and counted once.
    """
    key = (layer.class_name, layer.args, tuple(layer.kwargs.items()), tuple(input_shapes), tuple(add_batch))
    try:
        hash(key)
    except TypeError:  # a list or mapping argument (YAML lists): count this layer on its own
        return None
    return key


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


def _tie(terms: tuple[Term, ...], tied: dict[str, str], layer: LayerSpec) -> tuple[Term, ...]:
    """Mark the weights a spec says are aliases of another parameter (a tied LM head)."""
    known = {t.path for t in terms}
    for path in tied:
        if path not in known:
            raise LayerError(f"cannot tie '{path}': the layer has no such weight", layer=layer.describe())
    return tuple(replace(t, tied_to=tied[t.path]) if t.path in tied else t for t in terms)


def _check_layer(layer: LayerSpec, framework: str) -> None:
    """Validate a layer's class and arguments alone (before reporting a missing input)."""
    try:
        bind(find_rule(layer.class_name, framework), layer)
    except ParamcalcError as exc:
        raise exc.with_context(location=layer.location, layer=layer.describe()) from None


def apply_rule(found: Rule, args: object, input_shapes: Sequence[Shape | None]) -> Outcome:
    """Check the input count and ranks against the rule's declaration, then call it.

    Rules that see the batch axis (PyTorch) check ranks themselves: torch modules accept
    batched and unbatched inputs, and may get no shape at all.
    """
    if not found.multi_input and len(input_shapes) != 1:
        raise LayerError(f"{found.name} takes one input, got {len(input_shapes)}")
    for shape in input_shapes:
        if shape is None or found.batch_in_shapes:
            continue
        rank = len(shape)
        too_low = rank < found.min_rank
        too_high = found.max_rank is not None and rank > found.max_rank
        if too_low or too_high:
            want = found.min_rank + 1 if found.max_rank == found.min_rank else None
            if want is not None:
                need = f"a {want}-D input"
            elif too_low:
                need = f"an input of at least {found.min_rank + 1} dimensions"
            else:
                need = f"an input of at most {(found.max_rank or 0) + 1} dimensions"
            axes = f" (batch, {found.expects[1:]}" if found.expects else ""
            raise LayerError(
                f"{found.name} expects {need}{axes}, got {format_shape(shape)}",
                hint="check the input shape and the layer before it",
            )
    x = input_shapes if found.multi_input else input_shapes[0]
    return found.fn(args, x)


def _line(location: object) -> int | None:
    return getattr(location, "line", None)
