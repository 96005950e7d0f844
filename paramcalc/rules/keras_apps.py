"""Layers ``keras.applications`` defines for itself (and saves in its models' JSON).

``model.to_json()`` of ConvNeXt holds ``LayerScale`` (``keras.src.applications.convnext``)
and InceptionResNetV2 holds ``CustomScaleLayer``: small layers written in the application
modules rather than in ``keras.layers``.  Their rules follow those modules' ``build`` and
``call`` line by line.
"""

from __future__ import annotations

from collections.abc import Sequence

from paramcalc.errors import LayerError
from paramcalc.report import Shape, Term
from paramcalc.rules import REQUIRED, Args, Outcome, rule
from paramcalc.rules.binding import between


def _batched(shape: Shape) -> Shape:
    """The output of an op-built ``call`` as a layer output: the batch axis must survive."""
    if not shape or shape[0] is not None:
        raise LayerError("the result lost its batch axis")
    return shape[1:]


@rule("LayerScale", "init_values", "projection_dim", min_rank=1, legend={"p": "projection_dim (channels scaled)"})
def layer_scale(args: Args, x: Shape) -> Outcome:
    """ConvNeXt's layer scale: ``x * gamma`` with one learnt factor per channel, a weight of
    shape (projection_dim,) that Keras names ``variable`` (``add_weight`` without a name).
    """
    p = args.positive_int("projection_dim")
    from paramcalc.rules.keras_ops import broadcast  # lazily: only these two layers broadcast as keras.ops do

    shape = _batched(broadcast((None, *x), (p,)))
    return Outcome(shape=shape, terms=[Term("gamma", "variable", (p,), dims=("p",))], formula="p", symbols={"p": p})


@rule("CustomScaleLayer", ("scale", REQUIRED, Args.number), multi_input=True)
def custom_scale_layer(args: Args, xs: Sequence[Shape]) -> Outcome:
    """InceptionResNetV2's residual join ``inputs[0] + inputs[1] * scale``: no weights, the
    two shapes broadcast together.
    """
    if len(xs) != 2:
        raise LayerError(f"CustomScaleLayer takes two inputs (shortcut, residual), got {len(xs)}")
    from paramcalc.rules.keras_ops import broadcast

    return Outcome(shape=_batched(broadcast((None, *xs[0]), (None, *xs[1]))), formula="0")


@rule("StochasticDepth", ("drop_path_rate", REQUIRED, between(0.0, 1.0)))
def stochastic_depth(args: Args, x: Shape) -> Outcome:
    """ConvNeXt's stochastic depth (``drop_path_rate`` > 0): while training it drops a
    residual branch for the whole batch; the shape is unchanged and there are no weights.
    """
    return Outcome(shape=x, formula="0")
