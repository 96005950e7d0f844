"""The engine: thread shapes through the rules and collect a :class:`~paramcalc.report.Report`.

``analyze`` walks a :class:`~paramcalc.spec.records.ModelSpec` once, in order: it names
each layer and finds its rule once (:meth:`_Engine.resolve`), then counts it on its input
shapes and records a :class:`~paramcalc.report.LayerRow`.  The jobs live beside it:

- :mod:`paramcalc.naming`: Keras' automatic names (``dense_1``), from per-class counters
  shared by the whole session, so layers held by wrappers (``TimeDistributed(Dense(8))``
  uses up ``dense``), layers of nested models and layers created while another layer is
  built (MultiHeadAttention's ``dropout``) all count;
- :mod:`paramcalc.counting`: one layer's rule run (memo, batch axes, trainability, dtype
  policy, tied weights); errors get the layer's location and name there, so rules never
  need to know where they are;
- :mod:`paramcalc.graph_build`: functional models, recorded as Keras records them (a layer
  called twice is one row whose weights count once; rows in ``model.layers`` order), with
  Keras masks from :mod:`paramcalc.rules.masks`.

A sequential model constructs every layer before it builds any; a graph constructs and
calls them one by one.  This module keeps the order of work and nested models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from paramcalc.counting import Memo, check_layer, counts_without_input, frozen, is_model, label, line, run_layer
from paramcalc.dtypes import canonical_dtype, dtype_bits
from paramcalc.errors import LayerError, ParamcalcError, SpecError
from paramcalc.graph_build import GraphBuilder
from paramcalc.naming import AutoNamer, base_name, name_variables, to_snake_case
from paramcalc.report import LayerRow, Report, Shape
from paramcalc.rules import Rule, apply_rule, bind, find_rule, held_layer
from paramcalc.shapes import format_shape
from paramcalc.spec.records import InputSpec, LayerSpec, ModelSpec, Value
from paramcalc.teach import blame_previous

__all__ = ["AutoNamer", "Memo", "analyze", "apply_rule", "base_name", "run_layer", "to_snake_case"]


def analyze(model: ModelSpec, dtype: str = "float32", *, memo: bool = True) -> Report:
    """Count a model: every layer's output shape and weight terms, and the totals.

    ``memo``: count each distinct (layer, input shapes) once and share the result between
    identical layers (:mod:`paramcalc.counting`); ``memo=False`` counts every layer on its
    own, which gives the same report more slowly (the tests compare the two).
    """
    engine = _Engine(model.framework, memo)
    canonical = canonical_dtype(dtype)
    if model.graph:
        result = engine.graph(model, AutoNamer(model.framework))
        rows, show = result.rows, result.show_connections
    else:
        rows, show = engine.sequential(model, AutoNamer(model.framework))[0], False
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
        show_connections=show,
    )


class _Engine(GraphBuilder):
    """Runs models for one framework; sequential and graph models share layer handling."""

    def __init__(self, framework: str, memo: bool = True) -> None:
        self.framework = framework
        self.memo: Memo | None = {} if memo else None  # each distinct (layer, input) is counted once per analysis

    # ------------------------------------------------------------------ naming
    def construct(self, layer: LayerSpec, namer: AutoNamer, reserve: bool = True) -> LayerSpec:
        """Name a layer, after the layers it holds (Keras builds arguments first)."""
        return self.resolve(layer, namer, reserve)[0]

    def resolve(self, layer: LayerSpec, namer: AutoNamer, reserve: bool = True) -> tuple[LayerSpec, Rule | None]:
        """:meth:`construct`, and the layer's rule (None for a nested model), found once and carried."""
        if is_model(layer):
            sub = layer.model
            if not isinstance(sub, ModelSpec):  # the reader could not read it: its error, raised in order
                error = sub.fresh_error() if sub is not None else LayerError("a nested model must be read by a reader")
                raise error.with_context(location=layer.location, layer=layer.describe()) from None
            inner = namer.child()
            sub = replace(sub, layers=tuple(self.construct(item, inner) for item in sub.layers))
            name = self._name(layer, namer, "Sequential" if not sub.graph else "Functional", reserve)
            return replace(layer, model=replace(sub, name=name), name=name), None
        try:
            found = find_rule(layer.class_name, self.framework)
            if not found.layer_args:  # nearly every layer: no layer among its arguments to name first
                name = self._name(layer, namer, found.name, reserve)
                made = getattr(found.fn, "construct_names", None)  # sublayers a constructor makes (RandAugment)
                if made is not None:
                    for base in made(bind(found, layer)):
                        namer.auto(base, reserve=False)
                return (layer if name == layer.name else layer.renamed(name)), found
            args = list(layer.args)
            kwargs = dict(layer.kwargs)
            for key in found.layer_args:
                position = found.positional.index(key)
                if key in kwargs and kwargs[key] is not None:
                    kwargs[key] = self._construct_value(kwargs[key], key, namer)
                elif position < len(args) and args[position] is not None:
                    args[position] = self._construct_value(args[position], key, namer)
        except ParamcalcError as exc:
            raise exc.with_context(location=layer.location, layer=layer.describe()) from None
        name = self._name(layer, namer, found.name, reserve)
        return replace(layer, args=tuple(args), kwargs=kwargs, name=name), found

    def _construct_value(self, value: Value, key: str, namer: AutoNamer) -> Value:
        """A layer-valued argument (read by the reader), named: one layer, or a list of them (a Pipeline's)."""
        if isinstance(value, (list, tuple)) and key != "cell":
            return [self.construct(held_layer(item, key), namer, reserve=False) for item in value]
        return self.construct(held_layer(value, key), namer, reserve=False)

    @staticmethod
    def _name(layer: LayerSpec, namer: AutoNamer, class_name: str, reserve: bool) -> str:
        if layer.name:
            return namer.claim(layer.name, layer) if reserve else layer.name
        return namer.auto(class_name, reserve)

    # ------------------------------------------------------------------ sequential
    def sequential(
        self, model: ModelSpec, namer: AutoNamer, named: bool = False
    ) -> tuple[list[LayerRow], Shape | None]:
        """A chain: every layer reads the previous one's (first) output.

        The model input has no batch axis yet: the first layer's rule says where it goes
        (PyTorch); without an input, only layers that can count from their arguments alone
        (PyTorch) are counted, and their output shapes stay unknown.
        """
        shape: Shape | None = model.inputs[0].shape if model.inputs else None
        layers = list(model.layers)
        if shape is None and layers and not counts_without_input(layers[0], model.framework):
            self._no_input(layers[0], model.framework)
        # named: a nested model's layers, named with it (their rules are found when they are counted)
        resolved = (
            [self.resolve(layer, namer) for layer in layers] if not named else [(layer, None) for layer in layers]
        )
        rows: list[LayerRow] = []
        for layer, found in resolved:
            if layer.class_name == "Reuse":
                raise SpecError(
                    "Reuse calls an earlier layer again, which needs a graph",
                    location=layer.location,
                    hint="give the Reuse entry 'inputs:' (and the model 'inputs:')",
                )
            if shape is None and not counts_without_input(layer, model.framework, found):
                self._no_input(layer, model.framework)
            try:
                row = name_variables(self.run(layer, [shape], namer, add_batch=(not rows,), found=found), namer)
            except LayerError as exc:  # name the layer before when it is the usual cause (a missing time axis)
                raise blame_previous(exc, rows[-1] if rows else None) from None
            rows.append(row)
            shape = row.outputs[0] if row.outputs else None
        return rows, shape

    @staticmethod
    def _no_input(layer: LayerSpec, framework: str) -> None:
        check_layer(layer, framework)
        raise LayerError(
            "no input shape for the first layer",
            location=layer.location,
            layer=layer.describe(),
            hint="add 'input: [3, 10000]' to the spec, or input_shape=(3, 10000) on the first layer",
        )

    # ------------------------------------------------------------------ one layer
    def run(
        self,
        layer: LayerSpec,
        shapes: Sequence[Shape | None],
        namer: AutoNamer,
        refs: tuple[str, ...] = (),
        add_batch: Sequence[bool] = (),
        found: Rule | None = None,
    ) -> LayerRow:
        """Count one (named) layer or nested model on its input shapes (``found``: its rule, if resolved)."""
        name = layer.name or base_name(layer.class_name, self.framework)
        if is_model(layer):
            known = [s for s in shapes if s is not None]
            if len(known) != len(shapes):
                raise LayerError("a nested model needs its input shape", location=layer.location)
            return self.nested(layer, name, known, namer, refs)
        return run_layer(
            layer, name, shapes, self.framework, inputs=refs, add_batch=add_batch, memo=self.memo, found=found
        )

    def nested(
        self, layer: LayerSpec, name: str, shapes: Sequence[Shape], namer: AutoNamer, refs: tuple[str, ...]
    ) -> LayerRow:
        """A model used as a layer: its layers' rows become children, their weights its own."""
        sub = layer.model
        assert isinstance(sub, ModelSpec)  # noqa: S101 - construct() checked it
        trainable = layer.kwargs.get("trainable", True)
        if not isinstance(trainable, bool):
            raise LayerError(f"'trainable' must be true or false, got {trainable!r}", location=layer.location)
        inner = namer.child()
        try:
            sub = _with_input_shapes(sub, shapes)
            if sub.graph:
                result = self.graph(sub, inner, named=True)
                children, outputs = result.rows, result.outputs
            else:
                children, last = self.sequential(sub, inner, named=True)
                outputs = (last,) if last is not None else ()
        except ParamcalcError as exc:
            raise exc.with_context(location=layer.location, layer=label(layer)) from None
        if not trainable:
            children = [frozen(child) for child in children]
        # Keras prints "-" as the connections of a nested model's layers: their calls are
        # not calls of the outer model.
        children = [replace(child, connections=(), depth=1) for child in children]
        # Each layer has its own symbols (m, n) and gates: the nested row shows plain sizes.
        terms = tuple(
            replace(t, scope=f"{child.name}/{t.scope}" if t.scope else child.name, dims=None, gates=1)
            for child in children
            for t in child.terms
        )
        return LayerRow(
            name=name,
            class_name="Functional" if sub.graph and layer.class_name != "Sequential" else layer.class_name,
            outputs=outputs,
            terms=terms,
            multi_output=len(outputs) > 1,
            inputs=refs,
            input_shapes=tuple(shapes),
            why="A model used as a layer: its parameters are those of its layers, each counted once.",
            line=line(layer.location),
            children=tuple(children),
        )


def _with_input_shapes(model: ModelSpec, shapes: Sequence[Shape]) -> ModelSpec:
    """A nested model called on ``shapes``: they must fit the inputs it declares."""
    if model.inputs and len(model.inputs) != len(shapes):
        raise LayerError(f"the nested model takes {len(model.inputs)} inputs, got {len(shapes)}")
    new_inputs = []
    for position, shape in enumerate(shapes):
        if position < len(model.inputs):
            declared = model.inputs[position]
            fits = len(declared.shape) == len(shape) and all(
                a is None or b is None or a == b for a, b in zip(declared.shape, shape, strict=True)
            )
            if not fits:
                raise LayerError(
                    f"the nested model expects {format_shape(declared.shape)}, got {format_shape(shape)}",
                    hint="check the shape of the tensor the nested model is called on",
                )
            new_inputs.append(declared._replace(shape=shape))
        else:
            new_inputs.append(InputSpec("input_layer", shape))
    return replace(model, inputs=tuple(new_inputs))


_MOVED: dict[str, tuple[str, str]] = {
    "_NODE_REF": ("paramcalc.graph_build", "_NODE_REF"),
    "_REF": ("paramcalc.graph_build", "_REF"),
    "_GraphResult": ("paramcalc.graph_build", "GraphResult"),
    "_Layer": ("paramcalc.graph_build", "_Layer"),
    "_resolve": ("paramcalc.graph_build", "_resolve"),
    "_ref_error": ("paramcalc.graph_build", "_ref_error"),
    "_output": ("paramcalc.graph_build", "_output"),
    "_takes_many": ("paramcalc.graph_build", "_takes_many"),
    "_mask_op": ("paramcalc.rules.masks", "_mask_op"),
    "_output_mask": ("paramcalc.rules.masks", "output_mask"),
    "_Counted": ("paramcalc.counting", "_Counted"),
    "_count": ("paramcalc.counting", "_count"),
    "_memo_key": ("paramcalc.counting", "memo_key"),
    "_with_batch": ("paramcalc.counting", "_with_batch"),
    "_counts_without_input": ("paramcalc.counting", "counts_without_input"),
    "_tie": ("paramcalc.counting", "_tie"),
    "_check_layer": ("paramcalc.counting", "check_layer"),
    "_is_model": ("paramcalc.counting", "is_model"),
    "_label": ("paramcalc.counting", "label"),
    "_frozen": ("paramcalc.counting", "frozen"),
    "_line": ("paramcalc.counting", "line"),
}
"""Names this module had before it was split by job, and where they live now (read lazily, so
code written against the old layout keeps importing them; new code imports the new module)."""


def __getattr__(name: str) -> object:
    """The old private names (see :data:`_MOVED`), imported from their new modules on first use."""
    if name in _MOVED:
        import importlib

        module, attribute = _MOVED[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
