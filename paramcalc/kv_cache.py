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

* **MLA** (DeepSeek-V2/V3): transformers 5.24 caches the compressed latent, not the
  decompressed keys and values: per layer one "head" of ``kv_lora_rank`` (keys slot) and one
  of ``qk_rope_head_dim`` (values slot), expanded by ``kv_b_proj`` at every step.
* **Gemma 3**: ``layer_types``, or every ``sliding_window_pattern``-th (6th) layer global; a
  bidirectional config halves the window (``window // 2 + 1``), as its config class does.
* **Mamba** (and Jamba's Mamba layers) keep a convolution and SSM state, not keys and values:
  not counted here (no KV cache).
Checked against the cache tensors transformers returns with ``use_cache=True``
(tests/golden/flops/hf.json and families.json, tools/flops_golden_hf.py and
flops_golden_families.py).  What is not derived is refused with its reason
(:func:`kv_cache_note`), never guessed.
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
    "gemma3_text": 4096,
    "starcoder2": None,
    "phimoe": None,
}
"""Each config class's ``sliding_window`` default (families not listed have no window)."""


def kv_windows(model_type: str, doc: Mapping[str, Any], depth: int) -> list[int | None]:
    """The sliding window of every decoder layer (None: full attention), as the config class sets it."""
    if model_type not in SLIDING_DEFAULTS:
        return [None] * depth
    window = doc.get("sliding_window", SLIDING_DEFAULTS[model_type])
    use = bool(doc.get("use_sliding_window", False))
    if model_type == "gemma3_text" and doc.get("use_bidirectional_attention") and isinstance(window, int):
        window = window // 2 + 1  # Gemma3TextConfig.__post_init__: exclusive bounds for bidirectional attention
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
        elif model_type == "gemma3_text":  # every sliding_window_pattern-th layer is global
            pattern = doc.get("sliding_window_pattern", 6)
            types = ["sliding_attention" if (i + 1) % pattern else "full" for i in range(depth)]
        else:  # no layer_types in the config class: every layer slides once a window is set
            types = ["sliding_attention" if window is not None else "full"] * depth
    windowed = window if isinstance(window, int) and window > 0 else None
    return [windowed if t == "sliding_attention" else None for t in types][:depth]


def rotary_factor(model_type: str, doc: Mapping[str, Any]) -> float | None:
    """The share of head_dim a partial-rotary family rotates, as its config class resolves it (None: whole)."""
    from paramcalc.spec.hf_families import ARCHS

    arch = ARCHS.get(model_type)
    if arch is None or arch.partial_rotary_factor >= 1:
        return None
    factor = doc.get("partial_rotary_factor", doc.get("rotary_pct", arch.partial_rotary_factor))
    for key in ("rope_parameters", "rope_scaling"):
        rope = doc.get(key)
        if isinstance(rope, Mapping) and "partial_rotary_factor" in rope:
            factor = rope["partial_rotary_factor"]
    return float(factor) if isinstance(factor, (int, float)) else None


class Refused(Exception):  # noqa: N818 - a control-flow signal: the cache is not derived
    """A layer whose cache layout paramcalc cannot be sure of: no figure rather than a wrong one."""


class CacheLayer(NamedTuple):
    """One cached attention of one layer: what it caches, for how many tokens."""

    name: str
    kind: str
    heads: int
    head_dim: int
    tokens: int
    window: int | None
    value_dim: int | None = None
    """The values' last dimension when it differs from the keys' (MLA: the rotary key part)."""

    def elements(self, batch: int) -> int:
        """Keys and values: batch × heads × tokens × (key dim + value dim)."""
        values = self.head_dim if self.value_dim is None else self.value_dim
        return batch * self.heads * self.tokens * (self.head_dim + values)


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
        groups: dict[tuple[str, int, int, int, int | None, int | None], int] = {}
        for layer in self.layers:
            key = (layer.kind, layer.heads, layer.head_dim, layer.tokens, layer.window, layer.value_dim)
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
                    **({} if value_dim is None else {"value_dim": value_dim}),
                }
                for (kind, heads, dim, tokens, window, value_dim), n in groups.items()
            ],
        }


def kv_cache(report: Report, batch: int, seq_len: int) -> KVCache | None:
    """The cache of a transformers report after a forward pass over ``seq_len`` tokens (None: it keeps none)."""
    hf = report.extras.get("hf")
    if not framework_of(report.framework).language_models or not isinstance(hf, dict):
        return None
    windows: list[int | None] = list(report.extras.get("_kv_windows") or [])
    factor = report.extras.get("_rotary_factor")
    rotary = factor if isinstance(factor, float) else None
    layers: list[CacheLayer] = []
    try:
        for row in report.layers:
            for name in row.copies or (row.name,):
                layers += _row_cache(row, name, seq_len, windows, rotary)
    except Refused:
        return None
    return KVCache(batch, seq_len, tuple(layers)) if layers else None


def kv_cache_note(report: Report) -> str | None:
    """Why a transformers model that keeps a cache gets no KV figure (None: it has one, or keeps none).

    The cache is refused rather than guessed where paramcalc does not derive its layout.
    """
    hf = report.extras.get("hf")
    if not framework_of(report.framework).configs or not isinstance(hf, dict):
        return None
    classes = {row.class_name for row in report.layers}
    if any("Mamba" in name for name in classes):
        return "Mamba layers keep a convolution and SSM state, not keys and values: not derived"
    decoders = sorted(name for name in classes if name.endswith("DecoderLayer") and name != "T5Block")
    from paramcalc.spec.hf_families import RECIPE_TYPES

    if hf.get("model_type") in RECIPE_TYPES and decoders:
        return f"the cache of {', '.join(decoders)} (self- and cross-attention) is not derived"
    if any(row.args.get("is_decoder") for row in report.layers if row.class_name != "T5Block"):
        return "an encoder built as a decoder caches its attention: not derived"
    if any(name.endswith("DecoderLayer") for name in classes):
        return "a rotary part of odd width transformers cannot run: not derived"
    return None


_INDEX = re.compile(r"\.(\d+)\Z")


def _row_cache(
    row: LayerRow, name: str, seq_len: int, windows: list[int | None], rotary: float | None = None
) -> list[CacheLayer]:
    symbols = dict(row.symbols)
    args = row.args
    if row.class_name == "GPT2Block":
        heads = int(args["n_head"])
        return [CacheLayer(name, "self", heads, int(args["n_embd"]) // heads, seq_len, None)]
    if row.class_name == "T5Block":
        if not args.get("is_decoder") or "decoder" not in name.split("."):
            return []
        heads, dim = int(args["num_heads"]), int(args["d_kv"])
        return [
            CacheLayer(name, "self", heads, dim, seq_len, None),
            CacheLayer(name, "cross", heads, dim, seq_len, None),
        ]
    if "kv_lora" in symbols:  # MLA: the latent (kv_lora_rank) and the rotary key (qk_rope_head_dim), one head
        rope = int(args.get("qk_rope_head_dim", symbols["kv_a"] - symbols["kv_lora"]))
        return [CacheLayer(name, "latent (MLA)", 1, symbols["kv_lora"], seq_len, None, rope)]
    if "Mamba" in row.class_name:
        return []  # a state cache (conv and SSM states), not keys and values
    if row.class_name.endswith("DecoderLayer") and "kv_heads" in symbols:
        from paramcalc.flops import Unknown
        from paramcalc.flops_hf import rotated_head_dim

        try:
            key_dim = rotated_head_dim(row.class_name, symbols["head_dim"], rotary)
        except Unknown:
            raise Refused(row.class_name) from None
        match = _INDEX.search(name)
        index = int(match.group(1)) if match else 0
        window = windows[index] if index < len(windows) else None
        tokens = seq_len if window is None or window <= 1 else min(seq_len, window - 1)
        kind = "sliding" if window is not None else "self"
        value_dim = None if key_dim == symbols["head_dim"] else symbols["head_dim"]
        return [CacheLayer(name, kind, symbols["kv_heads"], key_dim, tokens, window, value_dim)]
    return []
