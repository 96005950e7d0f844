"""Write the Hugging Face transformers golden corpus: tests/golden/hf/configs.json.

Why: paramcalc counts a transformers model from its config.json alone, without transformers or
torch installed.  The only trustworthy answer is what transformers itself builds, so this script
builds every case of tools/hf_cases.py with the real library and records, per case, the config
(as ``config.to_dict()`` serialises it, i.e. what ``save_pretrained`` writes, plus the
hand-written minimal ``config_input``), the parameter totals, whether the LM head is tied to the
input embedding, the active-per-token count for MoE models, and the parameter names and shapes
in ``named_parameters()`` order.

How it stays cheap and offline:
* HF_HUB_OFFLINE=1 and configs are built from the config classes; nothing is downloaded;
* models are built under ``torch.device("meta")`` with the Auto classes' ``from_config``: no
  memory is allocated, so Llama-2-70B or Mixtral-8x22B build in a fraction of a second;
* published-size cases keep only the parameters outside the repeated layer lists plus the first
  and last layer of each list (``parameters_truncated``), which bounds the file size.

Run (on purpose, never from tests):
    /work/oracle-venv/bin/python tools/hf_golden.py
Output is deterministic: sorted keys, compact separators, fixed seed in hf_cases.py.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import torch
import transformers
from torch import nn

sys.dont_write_bytecode = True  # importing the sibling case table must not leave tools/__pycache__
sys.path.insert(0, str(Path(__file__).resolve().parent))
from hf_cases import Case, all_cases  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "tests" / "golden" / "hf"
OUT_FILE = OUT_DIR / "configs.json"

#: model_type -> config class (explicit, so a renamed class fails loudly instead of guessing).
CONFIG_CLASSES: dict[str, type[transformers.PreTrainedConfig]] = {
    "gpt2": transformers.GPT2Config,
    "bert": transformers.BertConfig,
    "llama": transformers.LlamaConfig,
    "mistral": transformers.MistralConfig,
    "mixtral": transformers.MixtralConfig,
    "qwen2": transformers.Qwen2Config,
    "qwen2_moe": transformers.Qwen2MoeConfig,
    "qwen3": transformers.Qwen3Config,
    "qwen3_moe": transformers.Qwen3MoeConfig,
    "gemma": transformers.GemmaConfig,
    "gemma2": transformers.Gemma2Config,
    "phi3": transformers.Phi3Config,
    "t5": transformers.T5Config,
}

#: model class -> the Auto class whose from_config must resolve to it (as a user would load it).
AUTO_CLASSES: dict[str, Any] = {
    "GPT2LMHeadModel": transformers.AutoModelForCausalLM,
    "BertModel": transformers.AutoModel,
    "BertForMaskedLM": transformers.AutoModelForMaskedLM,
    "LlamaForCausalLM": transformers.AutoModelForCausalLM,
    "MistralForCausalLM": transformers.AutoModelForCausalLM,
    "MixtralForCausalLM": transformers.AutoModelForCausalLM,
    "Qwen2ForCausalLM": transformers.AutoModelForCausalLM,
    "Qwen2MoeForCausalLM": transformers.AutoModelForCausalLM,
    "Qwen3ForCausalLM": transformers.AutoModelForCausalLM,
    "Qwen3MoeForCausalLM": transformers.AutoModelForCausalLM,
    "GemmaForCausalLM": transformers.AutoModelForCausalLM,
    "Gemma2ForCausalLM": transformers.AutoModelForCausalLM,
    "Phi3ForCausalLM": transformers.AutoModelForCausalLM,
    "T5ForConditionalGeneration": transformers.AutoModelForSeq2SeqLM,
}

#: MoE config keys: (number of routed experts, experts used per token).
MOE_KEYS: dict[str, tuple[str, str]] = {
    "mixtral": ("num_local_experts", "num_experts_per_tok"),
    "qwen2_moe": ("num_experts", "num_experts_per_tok"),
    "qwen3_moe": ("num_experts", "num_experts_per_tok"),
}


def build(case: Case) -> tuple[transformers.PreTrainedConfig, nn.Module]:
    """Build the config from its class and the model on the meta device via the Auto class."""
    kwargs = dict(case.config)
    model_type = kwargs.pop("model_type")
    config = CONFIG_CLASSES[model_type](**kwargs)
    if config.model_type != model_type:
        raise AssertionError(f"{case.id}: model_type {config.model_type} != {model_type}")
    with torch.device("meta"):
        model = AUTO_CLASSES[case.model_class].from_config(config)
    if type(model).__name__ != case.model_class:
        raise AssertionError(f"{case.id}: built {type(model).__name__}, not {case.model_class}")
    return config, model


def shape(t: torch.Tensor) -> list[int]:
    """A tensor's shape as a plain list of ints (JSON-friendly)."""
    return [int(d) for d in t.shape]


def repeated_lists(model: nn.Module) -> list[tuple[str, int]]:
    """Prefixes and lengths of the outermost ModuleLists (the repeated layer stacks).

    Nested lists (T5's ``encoder.block.<i>.layer``: self-attention, cross-attention, FFN) are
    sub-structure of one block, not repetitions, so only lists not inside another list count.
    """
    lists: list[tuple[str, int]] = []
    for name, mod in model.named_modules():
        if not isinstance(mod, nn.ModuleList):
            continue
        if any(name.startswith(prefix + ".") for prefix, _ in lists):
            continue
        lists.append((name, len(mod)))
    return lists


def keep_for_truncation(name: str, lists: list[tuple[str, int]]) -> bool:
    """True unless `name` lies under a repeated list at an index other than the first or last."""
    for prefix, length in lists:
        head = prefix + "."
        if name.startswith(head):
            index = int(name[len(head) :].split(".", 1)[0])
            if index not in (0, length - 1):
                return False
    return True


def persistent_buffers(model: nn.Module) -> list[list[Any]]:
    """Persistent buffers (those a state_dict would save), in named_buffers() order."""
    out: list[list[Any]] = []
    for mod_name, mod in model.named_modules():
        non_persistent = getattr(mod, "_non_persistent_buffers_set", set())
        for buf_name, buf in mod.named_buffers(recurse=False):
            if buf is not None and buf_name not in non_persistent:
                full = f"{mod_name}.{buf_name}" if mod_name else buf_name
                out.append([full, shape(buf)])
    return out


def head_is_tied(model: nn.Module) -> bool:
    """Whether the output projection's weight *is* the input embedding tensor (same object)."""
    out_emb = model.get_output_embeddings()
    in_emb = model.get_input_embeddings()
    if out_emb is None or in_emb is None:
        return False
    return out_emb.weight is in_emb.weight


def moe_summary(case: Case, config: Any, model: nn.Module) -> dict[str, Any] | None:
    """Expert bookkeeping for MoE families; None for dense ones.

    Routed-expert parameters are the fused 3-D tensors under ``.mlp.experts.`` whose first axis
    is the expert index.  Per token only ``top_k`` of the ``num_experts`` slices are used, so the
    unused share is ``numel * (E - k) / E`` for each such tensor.  Everything else (embeddings,
    attention, norms, the router ``mlp.gate``, Qwen2-MoE's shared expert and its
    ``shared_expert_gate``, dense MLP layers, lm_head) is used by every token.
    """
    keys = MOE_KEYS.get(case.config["model_type"])
    if keys is None:
        return None
    n_experts = int(getattr(config, keys[0]))
    if getattr(config, keys[1]) is None:  # DeepSeek-V2's default: no top-k, so no active share
        return None
    top_k = int(getattr(config, keys[1]))
    expert_params = 0
    inactive = 0
    moe_layers: set[str] = set()
    for name, param in model.named_parameters():
        if ".experts." not in name:  # mlp.experts, block_sparse_moe.experts (not shared_experts)
            continue
        if param.shape[0] != n_experts:
            raise AssertionError(f"{case.id}: {name} first axis {param.shape[0]} != {n_experts}")
        n = param.numel()
        expert_params += n
        unused = n * (n_experts - min(top_k, n_experts))  # k > E fails at run time; a token uses E at most
        if unused % n_experts:
            raise AssertionError(f"{case.id}: {name} not evenly divisible by experts")
        inactive += unused // n_experts
        moe_layers.add(name.split(".experts.", 1)[0])
    return {
        "num_experts": n_experts,
        "top_k": top_k,
        "moe_layers": len(moe_layers),
        "expert_parameters": expert_params,
        "inactive_per_token": inactive,
    }


def json_safe(value: Any) -> Any:
    """Return `value` with tuples as lists; reject NaN/inf, non-string keys and non-JSON types."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"non-finite float in config: {value}")
    if isinstance(value, dict):
        for k in value:
            if not isinstance(k, str):
                raise ValueError(f"non-string key in config: {k!r}")
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(f"not JSON-serialisable: {type(value).__name__} {value!r}")


def listing_total(params: list[list[Any]], lists: list[tuple[str, int]], truncated: bool) -> int:
    """Rebuild the total from a parameter listing, as a consumer of the golden file would.

    The listing has tied tensors once.  In a truncated listing the kept last layer of each
    repeated stack stands for layers 1..L-1 (layer 0 is kept on its own because it can differ:
    T5's block 0 owns relative_attention_bias).  The generator asserts this equals `total`, so
    the golden file is self-consistent for published (homogeneous-stack) cases.
    """
    total = 0
    for name, dims in params:
        mult = 1
        if truncated:
            for prefix, length in lists:
                head = prefix + "."
                if name.startswith(head) and length > 1:
                    index = int(name[len(head) :].split(".", 1)[0])
                    mult = length - 1 if index == length - 1 else 1
        total += mult * math.prod(dims)
    return total


def record(case: Case) -> dict[str, Any]:
    """Build one case and return its golden record."""
    config, model = build(case)
    named = list(model.named_parameters())
    named_all = list(model.named_parameters(remove_duplicate=False))
    total = sum(p.numel() for p in model.parameters())
    total_dup = sum(p.numel() for _, p in named_all)
    if total != sum(p.numel() for _, p in named):
        raise AssertionError(f"{case.id}: parameters() and named_parameters() disagree")
    num_parameters = model.num_parameters()
    if num_parameters != total:
        raise AssertionError(f"{case.id}: num_parameters() {num_parameters} != sum {total}")
    if case.reference_total is not None and case.reference_total != total:
        raise AssertionError(f"{case.id}: transformers counts {total}, published figure {case.reference_total}")
    moe = moe_summary(case, config, model)
    active = total - (moe["inactive_per_token"] if moe else 0)

    lists = repeated_lists(model)
    truncated = case.kind == "published"
    # named_parameters() order, tied copies listed once (under the first name, e.g. the embedding)
    params = [[n, shape(p)] for n, p in named if not truncated or keep_for_truncation(n, lists)]
    # Extra names that named_parameters(remove_duplicate=False) yields for an already-seen tensor
    # (lm_head.weight -> embed_tokens.weight, ...): [alias, first name].
    first_name: dict[int, str] = {}
    aliases: list[list[str]] = []
    alias_numel = 0
    for n, p in named_all:
        if id(p) in first_name:
            aliases.append([n, first_name[id(p)]])
            alias_numel += p.numel()
        else:
            first_name[id(p)] = n
    if total + alias_numel != total_dup:
        raise AssertionError(f"{case.id}: total + aliases != total_with_duplicates")

    rebuilt = listing_total(params, lists, truncated)
    if rebuilt != total:
        raise AssertionError(f"{case.id}: listing rebuilds {rebuilt}, total is {total}")

    return {
        "id": case.id,
        "kind": case.kind,
        "hub_id": case.hub_id,
        "note": case.note,
        "model_class": case.model_class,
        "config_input": json_safe(case.config),
        # to_dict() serialised the way save_pretrained writes it (id2label keys become strings)
        "config": json_safe(json.loads(config.to_json_string(use_diff=False))),
        "total": total,
        "total_with_duplicates": total_dup,
        "num_parameters": num_parameters,
        "num_parameters_exclude_embeddings": model.num_parameters(exclude_embeddings=True),
        "tied": head_is_tied(model),
        "aliases": aliases,
        "active_per_token": active,
        "moe": moe,
        "parameters": params,
        "parameters_truncated": truncated,
        "repeated": [[prefix, length] for prefix, length in lists],
        "buffers": persistent_buffers(model),
    }


def main() -> int:
    """Build every case, write tests/golden/hf/configs.json, print a one-line summary per case."""
    torch.manual_seed(0)
    start = time.monotonic()
    cases = all_cases()
    records = []
    for case in cases:
        t0 = time.monotonic()
        rec = record(case)
        records.append(rec)
        print(
            f"{case.id:34s} {case.model_class:28s} total={rec['total']:>15,d} "
            f"active={rec['active_per_token']:>15,d} tied={rec['tied']!s:5s} "
            f"({time.monotonic() - t0:.2f}s)",
            flush=True,
        )
    golden = {
        "generator": "tools/hf_golden.py",
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "cases": records,
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    text = json.dumps(golden, separators=(",", ":"), sort_keys=True, allow_nan=False) + "\n"
    OUT_FILE.write_text(text, encoding="utf-8")
    print(
        f"wrote {OUT_FILE.relative_to(ROOT)}: {len(records)} cases, {len(text):,d} bytes, "
        f"{time.monotonic() - start:.1f}s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
