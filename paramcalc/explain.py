"""``paramcalc explain``: count one layer given on the command line.

The layer is written as a call (``"GRU(32, reset_after=False)"``) or as a name plus
arguments (``lstm 32 return_sequences=True``); both are read by the inline parser, so
nothing is evaluated.  ``--input`` gives the input shape without the batch axis; when it
has fewer axes than the layer needs, unknown (None) axes are put in front, so
``explain lstm 32 --input 10000`` reads 10000 features per time step.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from paramcalc.engine import AutoNamer, run_layer
from paramcalc.errors import ParamcalcError, UsageError
from paramcalc.report import LayerRow, Shape
from paramcalc.rules import find_rule
from paramcalc.spec.inline_spec import parse_layer_calls
from paramcalc.spec.records import LayerSpec

_SHAPE_ITEM = re.compile(r"\d+|none|null|\?", re.IGNORECASE)


def parse_input_shape(text: str) -> Shape:
    """``10000``, ``3,10000``, ``(3, 10000)``, ``[None, 64]`` or ``3x10000`` -> a shape tuple."""
    cleaned = text.strip().strip("()[]").replace("x", ",").replace("×", ",")
    items = [item.strip() for item in cleaned.split(",") if item.strip()]
    if not items or not all(_SHAPE_ITEM.fullmatch(item) for item in items):
        raise UsageError(f"invalid --input shape '{text}'", hint="e.g. --input 10000 or --input 3,10000")
    dims: list[int | None] = [None if not item.isdigit() else int(item) for item in items]
    if any(d == 0 for d in dims):
        raise UsageError(f"invalid --input shape '{text}': sizes must be positive")
    return tuple(dims)


def explain_layer(
    layer: str, args: Sequence[str], input_shape: str | None, framework: str | None = "keras"
) -> LayerRow:
    """Count one layer from command-line words and return its row (with the derivation data).

    With ``framework`` None the layer's class decides: Keras first, then PyTorch, then
    Hugging Face transformers blocks (``LlamaDecoderLayer``).
    """
    spec = _one_call(layer, args)
    framework = framework or guess_framework(spec.class_name)
    found = find_rule(spec.class_name, framework)
    shape: Shape = parse_input_shape(input_shape) if input_shape else ()
    wanted = 2 if framework == "transformers" else max(found.min_rank, 1)
    if len(shape) < wanted:
        shape = (None,) * (wanted - len(shape)) + shape
    name = AutoNamer().auto(found.name)
    count = 2 if found.multi_input else 1
    return run_layer(spec, name, [shape] * count, framework)


def _one_call(layer: str, args: Sequence[str]) -> LayerSpec:
    text = layer if not args else f"{layer}({', '.join(args)})"
    if "(" in layer and args:
        raise UsageError("give arguments either inside the call or after the name, not both")
    calls = parse_layer_calls(text, "<explain>")
    if len(calls) != 1:
        raise UsageError("explain takes one layer", hint="use 'paramcalc summary' for a model")
    return calls[0]


def guess_framework(class_name: str) -> str:
    """The framework whose rules know ``class_name``: Keras first, then PyTorch, then transformers blocks."""
    for framework in ("keras", "pytorch", "transformers"):
        try:
            find_rule(class_name, framework)
        except ParamcalcError:
            continue
        return framework
    return "keras"


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
    from paramcalc.spec.hf_config import family_of, layer_kwargs, resolve

    model = load_spec(config_path)
    if model.framework != "transformers":
        raise UsageError(f"--config needs a Hugging Face config.json, and {config_path} is not one")
    if "(" not in layer and not args and "." in layer:
        report = analyze(model)
        for row in report.expanded().layers:
            if row.name == layer:
                return [row]
        names = ", ".join(row.name for row in report.layers)
        raise UsageError(f"the model has no module '{layer}'", hint=f"its blocks: {names}")
    spec = _one_call(layer, args)
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
    kwargs = layer_kwargs(found.name, cfg) if found.name not in known else {}
    for key in found.positional[: len(spec.args)]:
        kwargs.pop(key, None)
    kwargs.update(spec.kwargs)
    merged = LayerSpec(spec.class_name, args=spec.args, kwargs=kwargs, location=spec.location)
    return [run_layer(merged, AutoNamer().auto(found.name), [(None, None)], "transformers")]
