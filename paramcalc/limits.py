"""The caps that keep every command within about 2 s and a few hundred MB on a small machine.

A spec is data from anyone: ``Repeat: {times: 1000000}`` is 70 bytes, and a plain list of a
million layers is 12 MB that takes libyaml a minute to compose.  Each cap was sized from
measurements on a 2-core machine (see README, "Limits"): the largest spec each cap admits
answers in about 2 s, and a spec past a cap is refused in well under a second with one
line naming the cap, before the expensive work starts.
"""

from __future__ import annotations

MAX_LAYERS = 10_000
"""Layers of a model after expanding ``Repeat`` blocks (a plain list counts the same)."""

MAX_YAML_VALUES = 200_000
"""YAML values (scalars, lists, mappings) a spec may hold, estimated from its text before
libyaml composes it (composing costs about 20 µs a value)."""

MAX_TENSORS = 20_000
"""Parameter tensors one layer may list (``nn.LSTM(num_layers=...)``, a deep TransformerEncoder)."""

MAX_SOLVE_LAYERS = 2_000
"""Layers ``solve`` accepts: it counts the whole model once per candidate (about 40 times)."""

MAX_SOLVE_WORK = 60_000
"""Layers ``solve`` may count when it scans candidates one by one (20,000 candidates of a
3-layer model take about 1.5 s); a bigger model gets fewer candidates."""

FOLD_ROWS_ABOVE = 100
"""A summary table with more rows folds runs of identical layers into one row (``dense to dense_99 (Dense × 100)``)."""

MAX_TABLE_ROWS = 1_000
"""Rows a table draws (after folding); a larger table is refused in favour of JSON or Markdown."""


def yaml_values_bound(text: str) -> int:
    """An upper bound on the values a YAML text holds, counted at C speed without parsing it.

    Every value but the first is introduced by a separator: a block entry ``-``, a flow
    ``,``, a key's ``:`` or ``?`` (key and value: two), or opens a ``[``/``{``.
    """
    return (
        2 * (text.count(":") + text.count("?"))
        + text.count("-")
        + text.count(",")
        + text.count("[")
        + text.count("{")
        + 1
    )
