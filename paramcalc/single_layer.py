"""``paramcalc explain``: count one layer given on the command line.

The layer is written as a call (``"GRU(32, reset_after=False)"``) or as a name plus
arguments (``lstm 32 return_sequences=True``); both are read by the inline parser, so
nothing is evaluated.  Names match case-insensitively.  ``--input`` gives the input shape
without the batch axis; when it has fewer axes than the layer needs, unknown (None) axes are
put in front, so ``explain lstm 32 --input 10000`` reads 10000 features per time step.

PyTorch modules take their input size as a constructor argument (``nn.LSTM(input_size,
hidden_size)``).  So that the same words explain both frameworks, ``--input`` fills those
arguments (the rule's ``from_input``: ``input_size``, ``in_features``, ``in_channels``,
``num_features``, ``embed_dim``, ``d_model``, ...) and the words fill the remaining ones in
constructor order: with ``--framework pytorch``, ``explain lstm 32 --input 10000`` is
``LSTM(input_size=10000, hidden_size=32)`` and ``explain linear 1 --input 32`` is
``Linear(32, 1)``.  When the words already give every required argument they are read as
torch's own call (``explain "LSTM(10000, 32)" --input 10000``), and an argument given by name
is never overridden.  Without ``--input`` a
PyTorch layer is counted from its arguments alone (``explain lstm 10000 32``) and its output
shape is unknown.

Without ``--framework`` the layer's class decides (:func:`guess_framework`): Keras first,
then PyTorch, then Hugging Face transformers blocks (``LlamaDecoderLayer``).  ``--config``
derives a block of a Hugging Face model from its config.json (:func:`explain_with_config`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from paramcalc.engine import AutoNamer, run_layer
from paramcalc.errors import ParamcalcError, UsageError
from paramcalc.frameworks import FRAMEWORKS, framework_of
from paramcalc.report import LayerRow, Shape
from paramcalc.rules import REQUIRED, Rule, find_rule
from paramcalc.safe_text import describe_value
from paramcalc.shapes import MAX_DIM
from paramcalc.spec.inline_spec import parse_layer_calls
from paramcalc.spec.records import LayerSpec

_SHAPE_ITEM = re.compile(r"\d+|none|null|\?", re.IGNORECASE)


def parse_input_shape(text: str) -> Shape:
    """``10000``, ``3,10000``, ``(3, 10000)``, ``[None, 64]`` or ``3x10000`` -> a shape tuple."""
    cleaned = text.strip().strip("()[]").replace("x", ",").replace("×", ",")
    items = [item.strip() for item in cleaned.split(",")]
    if len(items) > 1 and not items[-1]:
        items.pop()  # a trailing comma, as in a Python tuple: (10000,)
    shown = describe_value(text)
    if not all(_SHAPE_ITEM.fullmatch(item) for item in items):
        raise UsageError(f"invalid --input shape {shown}", hint="e.g. --input 10000 or --input 3,10000")
    if any(item.isdigit() and (len(item.lstrip("0")) > 19 or int(item) > MAX_DIM) for item in items):
        raise UsageError(f"invalid --input shape {shown}: sizes must be at most 2**63 - 1")
    dims: list[int | None] = [None if not item.isdigit() else int(item) for item in items]
    if any(d == 0 for d in dims):
        raise UsageError(f"invalid --input shape {shown}: sizes must be positive")
    return tuple(dims)


def parse_layer(layer: str, args: Sequence[str]) -> LayerSpec:
    """The one layer written as ``name arg ...`` or as one call."""
    text = layer if not args else f"{layer}({', '.join(args)})"
    if "(" in layer and args:
        raise UsageError("give arguments either inside the call or after the name, not both")
    calls = parse_layer_calls(text, "<explain>")
    if len(calls) != 1:
        raise UsageError("explain takes one layer", hint="use 'paramcalc summary' for a model")
    return calls[0]


def explain_layer(
    layer: str, args: Sequence[str], input_shape: str | None, framework: str | None = "keras"
) -> LayerRow:
    """Count one layer from command-line words and return its row (with the derivation data).

    With ``framework`` None the layer's class decides: see :func:`guess_framework`.
    """
    spec = parse_layer(layer, args)
    shape = parse_input_shape(input_shape) if input_shape is not None else None
    return explain_spec(spec, shape, framework or guess_framework(spec.class_name))


def guess_framework(class_name: str) -> str:
    """The framework whose rules know ``class_name`` (any case): Keras first, then PyTorch,
    then transformers blocks; Keras when none does (its error suggests a near miss).
    """
    for framework in FRAMEWORKS:
        try:
            find_rule(class_name, framework, exact=False)
        except ParamcalcError:
            continue
        return framework
    return "keras"


def explain_spec(spec: LayerSpec, shape: Shape | None, framework: str) -> LayerRow:
    """Count one parsed layer on an input shape (without the batch axis), or on none."""
    from paramcalc.spec.held import read_layer

    found = find_rule(spec.class_name, framework, exact=False)
    spec = read_layer(replace(spec, class_name=found.name), framework)  # its held layers, as a reader reads them
    name = AutoNamer(framework).auto(found.name)
    count = 2 if found.multi_input else 1
    if found.batch_in_shapes:
        spec = fill_from_input(found, spec, shape)
        if shape is not None:
            missing = (None,) * (max(found.min_rank, 1) - len(shape))
            if shape and any(axis == 0 for _, axis in found.from_input):
                # channels-first (Conv2d, BatchNorm2d, GroupNorm read C from axis 0): --input 3 is
                # (3, None, None), torch's (None, C, H, W) with the batch axis, never channels-last
                shape = (shape[0], *missing, *shape[1:])
            else:
                shape = missing + shape
        return run_layer(spec, name, [shape] * count, framework, add_batch=(True,) * count)
    shape = shape or ()
    wanted = framework_of(framework).input_rank or max(found.min_rank, 1)
    if len(shape) < wanted:
        shape = (None,) * (wanted - len(shape)) + shape
    return run_layer(spec, name, [shape] * count, framework)


def fill_from_input(found: Rule, spec: LayerSpec, shape: Shape | None) -> LayerSpec:
    """Give a torch module the sizes it reads from ``--input``; the words fill the others."""
    if shape is None or not found.from_input:
        return spec
    filled = {}
    for key, axis in found.from_input:
        if key in spec.kwargs or not -len(shape) <= axis < len(shape):
            continue
        size = shape[axis]
        if size is not None:
            filled[key] = size
    if not filled:
        return spec
    required = [key for key, default in found.params if default is REQUIRED]
    if len(spec.args) >= len(required):
        # Every required argument is given: the words are torch's own call, read literally;
        # only sizes they leave out are taken from --input (Transformer(d_model=512, ...)).
        filled = {key: v for key, v in filled.items() if found.positional.index(key) >= len(spec.args)}
        return replace(spec, kwargs={**filled, **spec.kwargs}) if filled else spec
    # Fewer words than required arguments: the sizes come from --input, the words fill the rest.
    order = [key for key in found.positional if key not in filled]
    given = dict(zip(order, spec.args, strict=False))
    for key in given:
        if key in spec.kwargs:
            raise UsageError(f"argument '{key}' given both by position and by name")
    return replace(spec, args=(), kwargs={**filled, **given, **spec.kwargs})


ROW_ONLY_ARGS = frozenset({"layer_idx", "is_decoder", "has_relative_attention_bias", "is_cross_attention"})
"""Rule arguments that are not config keys: which block of the model, not how big."""


def explain_with_config(layer: str, args: Sequence[str], config_path: str) -> list[LayerRow]:
    """Derive a block of a Hugging Face model from its config.json.

    ``layer`` is a block class (``LlamaDecoderLayer``: every distinct such block of the
    model, e.g. T5's block 0 with the relative attention bias and the others), a module path
    (``model.layers.5``, ``encoder.block.0``), or any class of the family with keyword
    arguments that override the config's values (``"LlamaMLP(intermediate_size=8192)"``).
    """
    from paramcalc.engine import analyze
    from paramcalc.spec import load_spec
    from paramcalc.spec.hf_config import family_of, resolve

    model = load_spec(config_path)
    if not framework_of(model.framework).configs:
        raise UsageError(f"--config needs a Hugging Face config.json, and {config_path} is not one")
    if "(" not in layer and not args and "." in layer:
        report = analyze(model)
        for row in report.expanded().layers:
            if row.name == layer:
                return [row]
        names = ", ".join(row.name for row in report.layers)
        raise UsageError(f"the model has no module '{layer}'", hint=f"its blocks: {names}")
    spec = parse_layer(layer, args)
    found = find_rule(spec.class_name, "transformers")
    if not spec.args and not spec.kwargs:
        rows = [row for row in analyze(model).layers if row.class_name == found.name]
        if rows:
            return rows
    import json

    with open(config_path, encoding="utf-8-sig") as handle:
        doc = json.load(handle)
    cfg = resolve(family_of(doc), doc)
    missing = [key for key in found.positional if key not in cfg and key not in ROW_ONLY_ARGS]
    known = {"Embedding", "Linear", "LayerNorm"}
    if missing and found.name not in known:
        raise UsageError(
            f"{found.name} is not part of a {doc['model_type']} model (its config has no {missing[0]})",
            hint="name a block of this model, or drop --config and give the sizes",
        )
    kwargs = {key: cfg[key] for key in found.positional if key in cfg} if found.name not in known else {}
    for key in found.positional[: len(spec.args)]:
        kwargs.pop(key, None)
    kwargs.update(spec.kwargs)
    merged = LayerSpec(spec.class_name, args=spec.args, kwargs=kwargs, location=spec.location)
    return [run_layer(merged, AutoNamer("transformers").auto(found.name), [(None, None)], "transformers")]
