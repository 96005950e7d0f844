"""The KV cache a transformers model keeps after a forward pass over S tokens: exact elements and bytes.

Why exact: the cache is 2 (keys and values) × batch × kv heads × cached tokens × head dim per
layer, and every factor is known from the config.  The family's real layout matters:

* **GQA / MQA**: ``num_key_value_heads`` heads are cached, not ``num_attention_heads``.
* **Sliding windows**: transformers' ``DynamicSlidingWindowLayer`` keeps only the last
  ``sliding_window - 1`` tokens (all of them when fewer), and which layers slide is the
  config's ``layer_types``, or, when the config class has none, every layer once
  ``sliding_window`` is set (``transformers.cache_utils.get_layer_types_and_kwargs``).
  Mistral's config class defaults to a 4096 window; Qwen2/Qwen3 slide only with
  ``use_sliding_window`` (layers from ``max_window_layers`` on); Gemma 2 alternates.
* **Encoder-decoder** (T5): the decoder caches its self-attention over its S tokens and its
  cross-attention over the encoder's tokens (the same S here), per decoder layer.
* GPT-2 caches all ``n_head`` heads of ``n_embd / n_head``; BERT is an encoder and keeps none.

paramcalc reads no DeepSeek (MLA latent cache) or Gemma 3 configs, so those layouts are not here.
Checked against the cache tensors transformers returns with ``use_cache=True``
(tests/golden/flops/hf.json, tools/flops_golden_hf.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from paramcalc.frameworks import framework_of

if TYPE_CHECKING:
    from paramcalc.report import LayerRow, Report

SLIDING_DEFAULTS: dict[str, int | None] = {
    "mistral": 4096,
    "mixtral": None,
    "phi3": None,
    "qwen2": 4096,
    "qwen2_moe": 4096,
    "qwen3": 4096,
    "qwen3_moe": 4096,
    "gemma2": 4096,
}
"""Each config class's ``sliding_window`` default (families not listed have no window)."""


def kv_windows(model_type: str, doc: Mapping[str, Any], depth: int) -> list[int | None]:
    """The sliding window of every decoder layer (None: full attention), as the config class sets it."""
    if model_type not in SLIDING_DEFAULTS:
        return [None] * depth
    window = doc.get("sliding_window", SLIDING_DEFAULTS[model_type])
    use = bool(doc.get("use_sliding_window", False))
    if model_type in ("qwen2", "qwen3", "qwen3_moe"):
        window = window if use else None
    types = doc.get("layer_types")
    if types is None:
        if model_type in ("qwen2", "qwen3"):
            cut = doc.get("max_window_layers", 28)
            types = ["sliding_attention" if window is not None and i >= cut else "full" for i in range(depth)]
        elif model_type == "qwen2_moe":
            cut = doc.get("max_window_layers", 28)
            types = ["sliding_attention" if (i + 1) % 2 and i < cut and use else "full" for i in range(depth)]
        elif model_type == "gemma2":
            types = ["sliding_attention" if (i + 1) % 2 else "full" for i in range(depth)]
        else:  # no layer_types in the config class: every layer slides once a window is set
            types = ["sliding_attention" if window is not None else "full"] * depth
    windowed = window if isinstance(window, int) and window > 0 else None
    return [windowed if t == "sliding_attention" else None for t in types][:depth]


class CacheLayer(NamedTuple):
    """One cached attention of one layer: what it caches, for how many tokens."""

    name: str
    kind: str
    heads: int
    head_dim: int
    tokens: int
    window: int | None

    def elements(self, batch: int) -> int:
        """Keys and values: 2 × batch × heads × tokens × head dim."""
        return 2 * batch * self.heads * self.tokens * self.head_dim


class KVCache(NamedTuple):
    """The whole cache at one batch and sequence length."""

    batch: int
    seq_len: int
    layers: tuple[CacheLayer, ...]

    @property
    def elements(self) -> int:
        """Cached scalars over all layers."""
        return sum(layer.elements(self.batch) for layer in self.layers)

    def bytes(self, bits: int) -> int:
        """Bytes at ``bits`` per element (rounded up to a whole byte)."""
        return -(-self.elements * bits // 8)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the layers grouped by their layout."""
        groups: dict[tuple[str, int, int, int, int | None], int] = {}
        for layer in self.layers:
            key = (layer.kind, layer.heads, layer.head_dim, layer.tokens, layer.window)
            groups[key] = groups.get(key, 0) + 1
        return {
            "batch": self.batch,
            "seq_len": self.seq_len,
            "elements": self.elements,
            "layouts": [
                {
                    "attention": kind,
                    "layers": n,
                    "kv_heads": heads,
                    "head_dim": dim,
                    "cached_tokens": tokens,
                    "sliding_window": window,
                }
                for (kind, heads, dim, tokens, window), n in groups.items()
            ],
        }


def kv_cache(report: Report, batch: int, seq_len: int) -> KVCache | None:
    """The cache of a transformers report after a forward pass over ``seq_len`` tokens (None: it keeps none)."""
    hf = report.extras.get("hf")
    if not framework_of(report.framework).language_models or not isinstance(hf, dict):
        return None
    windows: list[int | None] = list(report.extras.get("_kv_windows") or [])
    layers: list[CacheLayer] = []
    for row in report.layers:
        for name in row.copies or (row.name,):
            layers += _row_cache(row, name, seq_len, windows)
    return KVCache(batch, seq_len, tuple(layers)) if layers else None


_INDEX = re.compile(r"\.(\d+)\Z")


def _row_cache(row: LayerRow, name: str, seq_len: int, windows: list[int | None]) -> list[CacheLayer]:
    symbols = dict(row.symbols)
    args = row.args
    if row.class_name == "GPT2Block":
        heads = int(args["n_head"])
        return [CacheLayer(name, "self", heads, int(args["n_embd"]) // heads, seq_len, None)]
    if row.class_name == "T5Block":
        if not args.get("is_decoder"):
            return []
        heads, dim = int(args["num_heads"]), int(args["d_kv"])
        return [
            CacheLayer(name, "self", heads, dim, seq_len, None),
            CacheLayer(name, "cross", heads, dim, seq_len, None),
        ]
    if row.class_name.endswith("DecoderLayer") and "kv_heads" in symbols:
        match = _INDEX.search(name)
        index = int(match.group(1)) if match else 0
        window = windows[index] if index < len(windows) else None
        tokens = seq_len if window is None or window <= 1 else min(seq_len, window - 1)
        kind = "sliding" if window is not None else "self"
        return [CacheLayer(name, kind, symbols["kv_heads"], symbols["head_dim"], tokens, window)]
    return []
