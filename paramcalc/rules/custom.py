"""Layers paramcalc cannot look inside: ``Lambda`` and declared opaque (``Custom``) layers.

Why: a real model often has one subclassed layer (a token-and-position embedding, a
patch encoder) whose weights only its own code knows.  Rather than refuse the whole model,
a spec may declare such a layer with the numbers the user knows
(``Custom: {name: tokpos, params: 2560000, output_shape: [200, 32]}``, the count as
``layer.count_params()`` prints it), and the rest of the model is counted exactly.
``Lambda`` runs a function and has no weights; its output shape is the ``output_shape``
given (without the batch axis), which Keras itself needs when it cannot trace the function.
"""

from __future__ import annotations

from collections.abc import Sequence

from paramcalc.errors import LayerError
from paramcalc.report import Shape, Term
from paramcalc.rules import Args, Outcome, rule
from paramcalc.shapes import MAX_DIM
from paramcalc.spec.records import Value


def _shape(value: Value, key: str) -> Shape:
    """A declared output shape without the batch axis: a list of sizes or None."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise LayerError(f"'{key}' must be a list of sizes without the batch axis, got {value!r}")
    out: list[int | None] = []
    for item in value:
        if item is not None and (not isinstance(item, int) or isinstance(item, bool) or not 1 <= item <= MAX_DIM):
            raise LayerError(f"'{key}' sizes must be positive integers or None, got {value!r}")
        out.append(item)
    return tuple(out)


@rule("Lambda", "function", ("output_shape", None), ("mask", None), ("arguments", None), multi_input=True)
def lambda_layer(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Applies a Python function (never run by paramcalc): no weights; the output shape is
    the given output_shape after the batch axis, as Keras' Lambda.compute_output_shape.
    """
    declared = args["output_shape"]
    if declared is None:
        raise LayerError(
            "a Lambda needs 'output_shape': paramcalc never runs its function",
            hint="give output_shape without the batch axis, e.g. Lambda(..., output_shape=(4,))",
        )
    if isinstance(declared, dict):
        raise LayerError(
            "this Lambda's output_shape is a function, which paramcalc never runs",
            hint="give output_shape as a tuple of sizes",
        )
    return Outcome(shape=_shape(declared, "output_shape"), formula="0")


@rule(
    "Custom",
    ("params", 0),
    ("output_shape", None),
    ("trainable_params", None),
    ("non_trainable_params", None),
    ("class_name", None),
    multi_input=True,
    legend={"p": "trainable parameters declared", "q": "non-trainable parameters declared"},
)
def custom_layer(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A layer whose weights only its own code knows (a subclassed layer), declared with
    its parameter count (optionally split into trainable and non-trainable) and output
    shape; without output_shape it keeps its input's shape. Counted as declared: p + q.
    class_name (optional) is the class the summary shows.
    """
    shown = args["class_name"]
    if shown is not None and (not isinstance(shown, str) or not shown.isidentifier()):
        raise LayerError(f"'class_name' must be a Python class name, got {shown!r}")
    total = args.integer("params")
    trainable = args.get("trainable_params")
    frozen = args.get("non_trainable_params")
    if trainable is None and frozen is None:
        p, q = total, 0
    elif frozen is None:
        p = args.integer("trainable_params")
        q = total - p if total else 0
    elif trainable is None:
        q = args.integer("non_trainable_params")
        p = total - q if total else 0
    else:
        p, q = args.integer("trainable_params"), args.integer("non_trainable_params")
    if p < 0 or q < 0 or (total and p + q != total):
        raise LayerError(
            f"'params' {total} does not equal trainable_params + non_trainable_params ({p} + {q})",
            hint="give params, or the two parts, or all three consistently",
        )
    declared = args["output_shape"]
    if declared is not None:
        shape = _shape(declared, "output_shape")
    elif len(xs) == 1:
        shape = xs[0]
    else:
        raise LayerError("a Custom layer with several inputs needs 'output_shape'")
    terms = []
    if p:
        terms.append(Term("p", "weights", (p,), ("p",)))
    if q:
        terms.append(Term("q", "non_trainable_weights", (q,), ("q",), trainable=False))
    formula = "+".join(t.symbol for t in terms) or "0"
    return Outcome(shape=shape, terms=terms, formula=formula, symbols={"p": p, "q": q} if terms else {})
