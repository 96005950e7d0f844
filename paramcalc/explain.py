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
from paramcalc.errors import UsageError
from paramcalc.report import LayerRow, Shape
from paramcalc.rules import find_rule
from paramcalc.shapes import MAX_DIM
from paramcalc.spec.common import describe_value
from paramcalc.spec.inline_spec import parse_layer_calls

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


def explain_layer(layer: str, args: Sequence[str], input_shape: str | None, framework: str = "keras") -> LayerRow:
    """Count one layer from command-line words and return its row (with the derivation data)."""
    text = layer if not args else f"{layer}({', '.join(args)})"
    if "(" in layer and args:
        raise UsageError("give arguments either inside the call or after the name, not both")
    calls = parse_layer_calls(text, "<explain>")
    if len(calls) != 1:
        raise UsageError("explain takes one layer", hint="use 'paramcalc summary' for a model")
    spec = calls[0]
    found = find_rule(spec.class_name, framework)
    shape: Shape = parse_input_shape(input_shape) if input_shape is not None else ()
    wanted = max(found.min_rank, 1)
    if len(shape) < wanted:
        shape = (None,) * (wanted - len(shape)) + shape
    name = AutoNamer().auto(found.name)
    count = 2 if found.multi_input else 1
    return run_layer(spec, name, [shape] * count, framework)
