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

MAX_GRAPH_LAYERS = 5_000
"""Layers of a graph (functional) model, ``keras.ops`` nodes included: wiring a graph
costs three times what a sequential list does (10,000 nodes took 2.5-3.5 s); the largest
``keras.applications`` model has about 1,000."""

MAX_YAML_VALUES = 200_000
"""YAML values (scalars, lists, mappings) a spec may hold, estimated from its text before
libyaml composes it (composing costs about 20 µs a value)."""

MAX_JSON_VALUES = 1_000_000
"""Values of a JSON spec (Keras ``model.to_json()``, a config), estimated as for YAML: json
parses at C speed but the readers walk every value in Python (about 1.5 µs each); the
largest ``keras.applications`` model (NASNetLarge) holds about 150,000."""

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


MAX_EXPLAINED_ROWS = 2_000
"""Rows ``summary --explain --format markdown`` derives (the table folds repeated rows and
draws at most :data:`MAX_TABLE_ROWS`): a derivation costs about 0.5 ms, and 10,000 took 10 s."""

MAX_RANK = 64
"""Axes of one tensor (NumPy's ``NPY_MAXDIMS``, which Keras' NumPy and JAX backends share).

Shape rules walk every axis, some once per axis (``einsum``'s layout, broadcasting a
list of shapes): a ``broadcast_to`` onto a million axes took 40 s."""

MAX_COUNT_FLAG = 2**63 - 1
"""``--batch``, ``--seq-len``, ``--lora-r`` and ``--tokens`` (and the API's ``batch=`` and
``seq_len=``): each is the size of a tensor axis, which frameworks index with int64.
Past it a KV cache or activation estimate has hundreds of digits and no longer fits a
float for its "GB" column."""

MAX_CHECKPOINT_TENSORS = 50_000
"""Tensors one checkpoint may hold (all shards of an index together), checked on the raw
header before parsing.  Reading costs 25-45 µs a tensor: 100,000 took 4-5 s (``diff`` of
two, 10 s), 50,000 about 2 s.  Every Llama, Mistral, Mixtral, Qwen3 (235B: about 37,000)
and Gemma checkpoint fits; DeepSeek-V3 and Kimi-K2 (about 92,000 and more with their FP8
scales) do not, until grouping tensors gets cheaper."""

MAX_CHECKPOINT_METADATA = 100_000
"""GGUF metadata entries (llama.cpp writes a few dozen; the vocabulary is one array): a
20 MB file of a million one-byte entries took 6 s."""

MAX_GGUF_ARRAY_ITEMS = 1_000_000
"""Strings (and nested arrays) in a GGUF file's metadata arrays, all arrays together: each is
walked one by one (3 million empty strings took 5 s).  Real files hold a vocabulary and
its merges: Llama 3 about 410,000, Gemma 3 about 262,000 (numeric arrays are skipped whole)."""


def check_count_flag(value: object, flag: str) -> int:
    """``value`` as a positive size no framework axis exceeds; a usage error naming ``flag`` otherwise.

    A bool is refused although Python calls it an int: ``batch=True`` is a mistake, not 1.
    """
    from paramcalc.errors import UsageError

    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"{flag} must be a positive integer, got {type(value).__name__}")
    if not 1 <= value <= MAX_COUNT_FLAG:
        shown = f"about 10**{int(value.bit_length() * 0.30103)}" if value > MAX_COUNT_FLAG else str(value)
        raise UsageError(f"{flag} must be between 1 and 2**63 - 1, got {shown}")
    return value
