"""Training memory beyond Adam: optimizers, activations (an estimate) and LoRA fine-tuning.

Every figure is bytes per parameter × parameters, derived from the counted tensors:

* **Optimizers** (per trainable tensor, so factored states are exact): SGD keeps nothing,
  SGD with momentum one buffer (4 B), Adam/AdamW two moments (8 B), Adafactor (transformers'
  ``Adafactor``, ``beta1=None``) a row and a column second-moment vector for every tensor of
  rank ≥ 2 (``exp_avg_sq_row`` of shape[:-1], ``exp_avg_sq_col`` of shape[:-2] + shape[-1:])
  and a full one for vectors, 8-bit Adam (bitsandbytes' defaults: two uint8 states plus one
  float32 absmax per block of 256 for tensors of ≥ 4096 elements, 32-bit states below that).
  Full precision keeps float32 weights and gradients; mixed precision 16-bit weights and
  gradients plus a float32 master copy.
* **Activations** (an estimate, labeled so): Korthikanti et al. 2022, "Reducing Activation
  Recomputation in Large Transformer Models", §4: a transformer layer stores
  s·b·h·(34 + 5·a·s/h) bytes of 16-bit activations without recomputation, 34·s·b·h with
  selective recomputation (the attention scores recomputed), and its input alone, 2·s·b·h,
  with full recomputation.  The paper's layer is GPT's (4h MLP, full heads); for other
  blocks it is an approximation.
* **LoRA**: peft's ``LoraConfig(r, target_modules)`` adds ``lora_A`` (r × in) and ``lora_B``
  (out × r) beside every targeted linear layer (a targeted Embedding: ``lora_embedding_A``
  r × num_embeddings and ``lora_embedding_B`` dim × r); bias="none" adds nothing, alpha only
  scales.  Trainable / all / percent are what ``print_trainable_parameters()`` prints
  (checked against peft: tests/golden/flops/lora.json).  Fine-tuning memory keeps the base
  frozen at a chosen dtype and trains the adapters in float32 with Adam.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from math import prod
from typing import TYPE_CHECKING, Any, NamedTuple

from paramcalc.errors import UsageError
from paramcalc.frameworks import framework_of
from paramcalc.shapes import MAX_DIM

if TYPE_CHECKING:
    from paramcalc.report import LayerRow, Report, Term

OPTIMIZERS = ("sgd", "sgd-momentum", "adam", "adamw", "adafactor", "adam8bit")
EIGHT_BIT_BLOCK = 256
EIGHT_BIT_MIN_SIZE = 4096


def _tensors(report: Report, trainable_only: bool = True) -> Iterator[tuple[Term, int]]:
    """Every counted parameter tensor with how many copies of it the model holds."""
    for row in report.layers:
        yield from _row_tensors(row, trainable_only)


def _row_tensors(row: LayerRow, trainable_only: bool) -> Iterator[tuple[Term, int]]:
    if not row.counted:
        return
    for term in row.terms:
        if term.counted and (term.trainable or not trainable_only):
            yield term, row.repeat


def state_bytes(optimizer: str, shapes: Sequence[tuple[tuple[int, ...], int]]) -> int:
    """Optimizer state bytes for tensors given as (shape, copies)."""
    total = 0
    for shape, copies in shapes:
        n = prod(shape)
        if optimizer in ("sgd",):
            each = 0
        elif optimizer == "sgd-momentum":
            each = 4 * n
        elif optimizer in ("adam", "adamw"):
            each = 8 * n
        elif optimizer == "adafactor":
            each = 4 * (prod(shape[:-1]) + prod(shape[:-2]) * shape[-1]) if len(shape) >= 2 else 4 * n
        elif optimizer == "adam8bit":
            blocks = -(-n // EIGHT_BIT_BLOCK)
            each = 2 * n + 2 * 4 * blocks if n >= EIGHT_BIT_MIN_SIZE else 8 * n
        else:
            raise UsageError(f"unknown optimizer '{optimizer}'", hint=f"one of {', '.join(OPTIMIZERS)}")
        total += each * copies
    return total


class OptimizerRow(NamedTuple):
    """Training memory with one optimizer at one precision: weights + gradients + master + states."""

    optimizer: str
    precision: str
    weights: int
    gradients: int
    master: int
    states: int

    @property
    def total(self) -> int:
        """All of it, in bytes."""
        return self.weights + self.gradients + self.master + self.states

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {**self._asdict(), "total": self.total}


def optimizer_rows(report: Report, optimizers: Sequence[str] = OPTIMIZERS) -> list[OptimizerRow]:
    """Each optimizer in full float32 and in mixed precision (16-bit weights and gradients, fp32 master)."""
    shapes = [(t.shape, copies) for t, copies in _tensors(report)]
    total, trainable = report.total, report.trainable
    rows = []
    for name in optimizers:
        states = state_bytes(name, shapes)
        rows.append(OptimizerRow(name, "float32", 4 * total, 4 * trainable, 0, states))
        rows.append(OptimizerRow(name, "mixed", 2 * total, 2 * trainable, 4 * trainable, states))
    return rows


# --------------------------------------------------------------------------- activations
class ActivationEstimate(NamedTuple):
    """Korthikanti et al.'s per-layer activation bytes, three recomputation policies, all layers."""

    layers: int
    seq_len: int
    batch: int
    hidden: int
    heads: int
    none: int
    selective: int
    full: int

    def per_layer(self) -> dict[str, int]:
        """One layer's bytes under each policy."""
        return {
            "none": self.none // self.layers,
            "selective": self.selective // self.layers,
            "full": self.full // self.layers,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON form (an estimate: the key says so)."""
        return {
            **self._asdict(),
            "per_layer": self.per_layer(),
            "estimate": True,
            "formula": "s·b·h·(34 + 5·a·s/h) per layer; selective 34·s·b·h; full 2·s·b·h",
            "source": "Korthikanti et al. 2022, Reducing Activation Recomputation in Large Transformer Models",
        }


def activation_estimate(report: Report, batch: int, seq_len: int) -> ActivationEstimate | None:
    """The estimate for a transformers model's blocks (None for other models)."""
    if not framework_of(report.framework).language_models:
        return None
    layers = 0
    hidden = heads = 0
    for row in report.layers:
        args, symbols = row.args, dict(row.symbols)
        h = symbols.get("h") or args.get("n_embd") or args.get("hidden_size") or args.get("d_model")
        a = symbols.get("heads") or args.get("n_head") or args.get("num_attention_heads") or args.get("num_heads")
        if row.class_name.endswith(("Layer", "Block")) and isinstance(h, int) and isinstance(a, int):
            layers += row.repeat
            hidden, heads = h, a
    if not layers:
        return None
    sbh = seq_len * batch * hidden
    per_layer = sbh * 34 + 5 * heads * seq_len * seq_len * batch
    return ActivationEstimate(
        layers, seq_len, batch, hidden, heads, layers * per_layer, layers * 34 * sbh, layers * 2 * sbh
    )


# --------------------------------------------------------------------------- LoRA
class Adapter(NamedTuple):
    """One targeted module: its path, its (in, out) sizes, and the adapter's parameters."""

    module: str
    kind: str
    fan_in: int
    fan_out: int
    params: int
    copies: int


class LoraResult(NamedTuple):
    """What peft's print_trainable_parameters() prints, and the adapters behind it."""

    rank: int
    targets: tuple[str, ...]
    adapters: tuple[Adapter, ...]
    base: int

    @property
    def trainable(self) -> int:
        """Adapter parameters (the base is frozen)."""
        return sum(a.params * a.copies for a in self.adapters)

    @property
    def all(self) -> int:
        """Base plus adapters, as peft counts ``model.parameters()``."""
        return self.base + self.trainable

    @property
    def percent(self) -> float:
        """``100 * trainable / all`` (peft prints it with 4 decimals)."""
        return 100 * self.trainable / self.all if self.all else 0.0

    def line(self) -> str:
        """Peft's own line."""
        return f"trainable params: {self.trainable:,} || all params: {self.all:,} || trainable%: {self.percent:.4f}"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "r": self.rank,
            "target_modules": list(self.targets),
            "trainable": self.trainable,
            "all": self.all,
            "trainable_percent": round(self.percent, 4),
            "adapters": [a._asdict() for a in self.adapters],
        }


EXPERT_TARGETS = frozenset({"gate_proj", "up_proj", "down_proj", "gate_up_proj", "w1", "w2", "w3", "experts"})
"""MLP names peft 0.21 redirects to fused MoE expert tensors (checked: lora_families.json refuses them)."""


def lora(report: Report, rank: int, targets: Sequence[str]) -> LoraResult:
    """LoRA adapters on every module whose name ends with a target (peft's suffix match)."""
    if rank < 1:
        raise UsageError(f"--lora-r must be positive, got {rank}")
    wanted = tuple(t.strip() for t in targets if t.strip())
    if not wanted:
        raise UsageError("--lora-targets names no module", hint="e.g. --lora-targets q_proj,v_proj")
    routed = any(term.share is not None for row in report.layers for term in row.terms)
    if routed and set(wanted) & EXPERT_TARGETS:
        raise UsageError(
            f"--lora-targets {','.join(sorted(set(wanted) & EXPERT_TARGETS))} in a model with fused routed experts: "
            "peft maps these names onto the experts' fused tensors (transformers' weight conversion), not derived",
            hint="target the attention projections (q_proj, v_proj, ...), or a dense model's MLP",
        )
    adapters: list[Adapter] = []
    for row in report.layers:
        if not row.counted:
            continue
        for term in row.terms:
            local, _, leaf = term.weight.rpartition(".")
            if leaf != "weight" or len(term.shape) != 2 or term.buffer:
                continue
            module = f"{row.name}.{local}" if local else row.name
            if not any(module == t or module.endswith("." + t) for t in wanted):
                continue
            if rank * max(term.shape) > MAX_DIM:  # lora_A (r, in) / lora_B (out, r): no framework holds it
                raise UsageError(f"--lora-r {rank:,} makes an adapter of more than 2**63 - 1 elements on {module}")
            kind = _module_kind(row, term)
            if kind == "embedding":
                num, dim = term.shape
                adapters.append(Adapter(module, kind, num, dim, rank * (num + dim), row.repeat))
            else:
                fan_in, fan_out = term.shape if kind == "conv1d" else (term.shape[1], term.shape[0])
                adapters.append(Adapter(module, kind, fan_in, fan_out, rank * (fan_in + fan_out), row.repeat))
    if not adapters:
        raise UsageError(
            f"no module matches --lora-targets {','.join(wanted)}",
            hint="name linear layers as transformers does: q_proj, v_proj, c_attn, query, ... (peft raises too)",
        )
    return LoraResult(rank, wanted, tuple(adapters), report.total)


def _module_kind(row: LayerRow, term: Term) -> str:
    """``linear``, ``conv1d`` (GPT-2's Conv1D keeps (in, out)) or ``embedding``."""
    if row.class_name.endswith(("Embedding", "Embeddings")):
        return "embedding"
    if row.class_name == "GPT2Block":
        return "conv1d"
    return "linear"


BASE_BITS = {"float32": 32, "bfloat16": 16, "float16": 16, "int8": 8, "nf4": 4, "int4": 4}


def finetune_bytes(result: LoraResult, base_bits: int) -> dict[str, int]:
    """LoRA fine-tuning memory: the frozen base at ``base_bits``, adapters trained in float32 with Adam.

    The adapters: weight 4 + gradient 4 + Adam m 4 + v 4 = 16 B per adapter parameter.  A
    4-bit base (QLoRA) is an estimate: bitsandbytes adds its quantization constants, and
    keeps embeddings and the LM head in 16 bits.
    """
    base = -(-result.base * base_bits // 8)
    adapters = 16 * result.trainable
    return {"base": base, "adapters_weights_grads_adam": adapters, "total": base + adapters}
