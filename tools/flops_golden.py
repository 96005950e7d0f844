"""Write tests/golden/flops/*.json: forward-pass FLOPs counted by torch's FlopCounterMode.

Why: paramcalc's FLOP formulas (paramcalc/flops.py) claim to count exactly what
``torch.utils.flop_counter.FlopCounterMode`` counts.  This script runs real forward passes and
records, per layer (per top-level module), the FLOPs FlopCounterMode attributes to it.

* torch: every case of the torch corpus (tools/torch_cases.py) that has an input shape, run at
  batch 2 (the batch is written into the golden so the test uses the same one).
* keras: small Keras models under the torch backend (KERAS_BACKEND=torch), same counter.
* hf: tiny random-weight transformers models of each family paramcalc reads, at batch 2 and a
  short sequence (real tensors: MoE routing is data-dependent, meta tensors cannot run it).

Run on purpose, never imported by tests:

    KERAS_BACKEND=torch /work/fw/bin/python tools/flops_golden.py [--only SOURCE]

SOURCE: torch, keras, hf, lora, families, ops, lora_families.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "tests" / "golden" / "flops"
GENERATOR = "tools/flops_golden.py"
BATCH = 2


def _count(fn: Callable[[], Any]) -> int:
    """FLOPs FlopCounterMode counts while ``fn`` runs."""
    counter = FlopCounterMode(display=False)
    # oneDNN's fused RNN kernel is one op FlopCounterMode does not count: run torch's own
    # matmul implementation, the arithmetic paramcalc derives.
    # Likewise SDPA's CPU flash kernel (FlopCounterMode has no formula for it): the math backend.
    from torch.nn.attention import SDPBackend, sdpa_kernel

    with torch.backends.mkldnn.flags(enabled=False), sdpa_kernel(SDPBackend.MATH), counter:
        fn()
    return int(counter.get_total_flops())


# --------------------------------------------------------------------------- torch
def _run_torch_case(case: Any, training: bool) -> tuple[list[int], list[str]]:
    """Per-layer FLOPs of one corpus case at batch 2, and the module classes."""
    from torch_golden import _call, _make_input, build_layer

    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layers = [build_layer(e) for e in case.layers]
        classes = [type(m).__name__ for m in layers]
        for m in layers:
            m.train(training)
        x, _ = _make_input(case, layers[0], BATCH)
        per_layer = []
        for m in layers:
            holder: dict[str, Any] = {}

            def run(m: torch.nn.Module = m, x: Any = x, holder: dict[str, Any] = holder) -> None:
                holder["out"] = _call(m, x)

            per_layer.append(_count(run))
            out = holder["out"]
            x = out[0] if isinstance(out, tuple) else out
    return per_layer, classes


def torch_records() -> list[dict[str, Any]]:
    """Every torch corpus case with an input shape: per-layer FLOPs at batch 2."""
    from torch_cases import all_cases

    records = []
    for case in all_cases():
        if case.shape is None:
            continue
        per_layer: list[int] | None = None
        for training in (True, False):  # training mode has no inference fast path hiding matmuls
            try:
                per_layer, classes = _run_torch_case(case, training)
                break
            except Exception as exc:  # noqa: BLE001 - BatchNorm eps=0 only runs in eval mode
                print(f"{case.id} (training={training}): {exc}", file=sys.stderr)
        if per_layer is None:
            continue
        records.append(
            {
                "id": case.id,
                "spec": case.spec(),
                "batch": BATCH,
                "classes": classes,
                "flops": per_layer,
                "total": sum(per_layer),
            }
        )
    return records


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    """Write the golden files (one per source)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sources_known = ("torch", "keras", "hf", "lora", "families", "ops", "lora_families")
    parser.add_argument("--only", choices=sources_known, default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    sources: dict[str, Callable[[], list[dict[str, Any]]]] = {"torch": torch_records}
    try:
        from flops_golden_keras import keras_records
        from flops_golden_ops import ops_records

        sources["keras"] = keras_records
        sources["ops"] = ops_records
    except ImportError:
        pass
    try:
        from flops_golden_hf import hf_records, lora_records

        sources["hf"] = hf_records
        sources["lora"] = lora_records
        from flops_golden_families import family_lora_records, family_records

        sources["families"] = family_records
        sources["lora_families"] = family_lora_records
    except ImportError:
        pass
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, make in sources.items():
        if args.only and name != args.only:
            continue
        records = make()
        doc = {"generator": GENERATOR, "torch": torch.__version__, "source": name, "cases": records}
        (OUT_DIR / f"{name}.json").write_text(json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n")
        print(f"wrote {len(records)} {name} cases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
