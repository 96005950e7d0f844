"""How much memory a model's parameters take: for inference per dtype, and for training.

Derived from the exact parameter count, not a bare multiplier: every number is
``bytes per parameter × parameters`` with the bytes per parameter spelled out.

* **Weights** at each storage dtype: bits per parameter × parameters / 8, rounded up to a
  whole byte (int4 packs two parameters per byte).
* **Training with Adam** keeps, per trainable parameter, the weight, its gradient and the
  optimizer state: Adam's two moment estimates m and v.

  - full float32: weight 4 + gradient 4 + Adam m 4 + v 4 = **16 B/param**;
  - mixed precision (bf16/fp16 weights and gradients, as in ZeRO / DeepSpeed / most
    trainers): weight 2 + gradient 2 + optimizer 12 (a float32 master copy of the weight
    4 + m 4 + v 4) = **16 B/param** as well: mixed precision saves activation memory and
    time, not parameter memory.

  Non-trainable parameters (frozen layers, BatchNorm statistics) need only their weight.

Not included, and said so in every rendering: activations (they grow with batch size and
sequence length), the KV cache, and framework / CUDA overhead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from paramcalc.dtypes import canonical_dtype, dtype_bits, readable_size
from paramcalc.errors import ParamcalcError
from paramcalc.report import SCHEMA_VERSION, Report

if TYPE_CHECKING:
    from paramcalc.kv_cache import KVCache
    from paramcalc.training import ActivationEstimate, LoraResult, OptimizerRow

DEFAULT_DTYPES = ("float32", "bfloat16", "int8", "int4")
EXCLUDED = ("activations", "KV cache", "framework and CUDA overhead")


@dataclass(frozen=True)
class Part:
    """One component of training memory: what it is, its bytes per parameter and how many parameters."""

    name: str
    what: str
    states: tuple[tuple[str, int], ...]
    params: int

    @property
    def bytes_per_param(self) -> int:
        """Bytes per parameter: the sum of the states (Adam: m 4 + v 4)."""
        return sum(size for _, size in self.states)

    @property
    def bytes(self) -> int:
        """Exact bytes of this component."""
        return self.bytes_per_param * self.params

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "part": self.name,
            "what": self.what,
            "states": dict(self.states),
            "bytes_per_param": self.bytes_per_param,
            "params": self.params,
            "bytes": self.bytes,
            "size": readable_size(self.bytes),
        }


@dataclass(frozen=True)
class Recipe:
    """A training setup with Adam: weights, gradients and optimizer states."""

    key: str
    title: str
    parts: tuple[Part, ...]

    @property
    def bytes(self) -> int:
        """Exact bytes of the whole recipe."""
        return sum(part.bytes for part in self.parts)

    @property
    def per_param(self) -> str:
        """``4 + 4 + 8 = 16`` (bytes per trainable parameter)."""
        sizes = [part.bytes_per_param for part in self.parts]
        return f"{' + '.join(str(s) for s in sizes)} = {sum(sizes)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "recipe": self.key,
            "title": self.title,
            "optimizer": "adam",
            "bytes_per_param": sum(part.bytes_per_param for part in self.parts),
            "parts": [part.to_dict() for part in self.parts],
            "bytes": self.bytes,
            "size": readable_size(self.bytes),
        }


@dataclass(frozen=True)
class Weights:
    """All parameters stored at one dtype."""

    dtype: str
    bits: int
    params: int

    @property
    def bytes(self) -> int:
        """Exact bytes, rounded up to a whole byte for sub-byte dtypes."""
        return -(-self.params * self.bits // 8)

    @property
    def per_param(self) -> str:
        """Bytes per parameter as text: ``4``, ``0.5``."""
        whole, rest = divmod(self.bits, 8)
        return str(whole) if not rest else f"{self.bits / 8:g}"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "dtype": self.dtype,
            "bits_per_param": self.bits,
            "bytes": self.bytes,
            "size": readable_size(self.bytes),
        }


@dataclass(frozen=True)
class Memory:
    """The memory estimate of one model."""

    name: str
    total: int
    trainable: int
    weights: tuple[Weights, ...]
    training: tuple[Recipe, ...]
    largest_layer: tuple[str, str, int] | None = None
    active: int | None = None
    checkpoint_dtype: str | None = None
    beyond: Beyond | None = None
    """KV cache, activations, optimizers and LoRA (``paramcalc.training``), when asked for."""

    @property
    def excluded(self) -> tuple[str, ...]:
        """What no figure includes (the KV cache and activations once shown are not)."""
        shown = set()
        if self.beyond is not None and self.beyond.kv is not None:
            shown.add("KV cache")
        if self.beyond is not None and self.beyond.activations is not None:
            shown.add("activations")
        return tuple(item for item in EXCLUDED if item not in shown)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document: exact integer bytes, human sizes in 1024 steps."""
        out: dict[str, Any] = {
            "schema": SCHEMA_VERSION,
            "name": self.name,
            "total": self.total,
            "trainable": self.trainable,
            "weights": [w.to_dict() for w in self.weights],
            "training": [r.to_dict() for r in self.training],
            "excludes": list(self.excluded),
        }
        if self.largest_layer is not None:
            name, class_name, params = self.largest_layer
            out["largest_layer"] = {
                "name": name,
                "class": class_name,
                "params": params,
                "bytes": {w.dtype: Weights(w.dtype, w.bits, params).bytes for w in self.weights},
            }
        if self.active is not None:
            out["active_per_token"] = self.active
        if self.checkpoint_dtype is not None:
            out["checkpoint_dtype"] = self.checkpoint_dtype
        if self.beyond is not None:
            out.update(self.beyond.to_dict(self.weights))
        return out


@dataclass(frozen=True)
class Beyond:
    """Memory beyond the parameters: the KV cache (exact), activations (estimate), optimizers, LoRA."""

    kv: KVCache | None = None
    kv_dtype: str = "float32"
    activations: ActivationEstimate | None = None
    optimizers: tuple[OptimizerRow, ...] = ()
    lora: LoraResult | None = None
    base_dtype: str = "bfloat16"
    kv_note: str | None = None
    """Why a model that keeps a cache has no KV figure (refused, not guessed)."""

    @property
    def kv_bytes(self) -> int | None:
        """Exact bytes of the cache at its dtype."""
        return None if self.kv is None else self.kv.bytes(dtype_bits(self.kv_dtype))

    def finetune(self) -> dict[str, int] | None:
        """LoRA fine-tuning bytes: frozen base at ``base_dtype`` plus float32 adapters with Adam."""
        from paramcalc.training import BASE_BITS, finetune_bytes

        return None if self.lora is None else finetune_bytes(self.lora, BASE_BITS[self.base_dtype])

    def to_dict(self, weights: tuple[Weights, ...]) -> dict[str, Any]:
        """The extra JSON keys: ``kv_cache_bytes``, ``kv_cache``, ``weights_plus_kv_cache``, ..."""
        out: dict[str, Any] = {}
        if self.kv is not None and self.kv_bytes is not None:
            out["kv_cache_bytes"] = self.kv_bytes
            out["kv_cache"] = {**self.kv.to_dict(), "dtype": self.kv_dtype, "bytes": self.kv_bytes}
            out["weights_plus_kv_cache"] = {w.dtype: w.bytes + self.kv_bytes for w in weights}
        elif self.kv_note is not None:
            out["kv_cache_note"] = self.kv_note
        if self.activations is not None:
            out["activations_estimate"] = self.activations.to_dict()
        if self.optimizers:
            out["optimizers"] = [row.to_dict() for row in self.optimizers]
        if self.lora is not None:
            out["lora"] = {
                **self.lora.to_dict(),
                "finetune": {"base_dtype": self.base_dtype, **(self.finetune() or {})},
            }
        return out


def training_recipes(total: int, trainable: int) -> tuple[Recipe, ...]:
    """Adam in full float32 and in mixed precision (16-bit weights and gradients, fp32 master)."""
    full = Recipe(
        "float32",
        "full float32",
        (
            Part("weights", "float32 weights", (("float32", 4),), total),
            Part("gradients", "float32 gradients", (("float32", 4),), trainable),
            Part("optimizer", "Adam m and v in float32", (("m", 4), ("v", 4)), trainable),
        ),
    )
    mixed = Recipe(
        "mixed",
        "mixed precision (bf16/fp16)",
        (
            Part("weights", "bf16/fp16 weights", (("16-bit", 2),), total),
            Part("gradients", "bf16/fp16 gradients", (("16-bit", 2),), trainable),
            Part(
                "optimizer",
                "float32 master weights, Adam m and v",
                (("fp32 master", 4), ("m", 4), ("v", 4)),
                trainable,
            ),
        ),
    )
    return full, mixed


def estimate(report: Report, dtypes: tuple[str, ...] | None = None, beyond: Beyond | None = None) -> Memory:
    """The memory of a counted model: weights per dtype and Adam training recipes.

    Without ``dtypes``: float32, bfloat16, int8 and int4, plus the checkpoint's own dtype
    when a Hugging Face config names one (``torch_dtype: float16``).
    """
    checkpoint = checkpoint_dtype(report)
    wanted = dtypes if dtypes else (*DEFAULT_DTYPES, *([checkpoint] if checkpoint else []))
    seen: list[str] = []
    for name in wanted:
        canonical = canonical_dtype(name)
        if canonical not in seen:
            seen.append(canonical)
    weights = tuple(Weights(d, dtype_bits(d), report.total) for d in seen)
    largest = report.largest_layer
    return Memory(
        name=report.name,
        total=report.total,
        trainable=report.trainable,
        weights=weights,
        training=training_recipes(report.total, report.trainable),
        largest_layer=(largest.copies[0] if largest.copies else largest.name, largest.class_name, largest.params_each)
        if largest is not None
        else None,
        active=report.active if report.routed else None,
        checkpoint_dtype=checkpoint,
        beyond=beyond,
    )


def checkpoint_dtype(report: Report) -> str | None:
    """The dtype a Hugging Face config says its weights are stored in, if paramcalc knows it."""
    hf = report.extras.get("hf")
    name = hf.get("checkpoint_dtype") if isinstance(hf, dict) else None
    if not isinstance(name, str):
        return None
    try:
        return canonical_dtype(name)
    except ParamcalcError:
        return None
