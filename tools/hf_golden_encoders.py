"""Write tests/golden/hf/encoders.json: the declarative families built by real transformers.

Why: paramcalc counts RoBERTa, XLM-RoBERTa, DistilBERT, ALBERT, ELECTRA, MPNet (and the
other families of ``paramcalc/spec/hf_recipes_all.py``) from a config.json alone; the truth
is what transformers 5.24 builds.  For every family this script builds, on the meta device
and without downloading anything:

* the config class's defaults, once per model class (``...Model``, ``...ForMaskedLM``,
  ``...ForSequenceClassification``, ...);
* published sizes written out as explicit configs (roberta-base, distilbert-base-uncased,
  albert-base-v2, ...), recorded truncated to the first and last layer of each stack;
* seeded random variants (sizes, flags, ties, labels), one or more per model class;
* configs transformers refuses, recorded with the exception it raised (``refused``).

Each record has the same format as tools/hf_golden.py's (it reuses its ``record()``), plus
``frozen`` (the parameters built with requires_grad false).  Cases: tools/hf_cases_encoders.py
(BERT-style encoders) and tools/hf_cases_more.py (the other families; ``all_cases()``).

Run (on purpose, never from tests):
    /work/fw/bin/python tools/hf_golden_encoders.py
Deterministic: fixed seed, sorted keys, compact separators.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

import hf_golden  # noqa: E402  (sets the offline environment before transformers is imported)
import torch  # noqa: E402
import transformers  # noqa: E402
from hf_cases import Case  # noqa: E402
from hf_cases_encoders import FAMILY_CLASSES  # noqa: E402
from hf_cases_heads import ADDED_CLASSES  # noqa: E402
from hf_cases_more import all_cases  # noqa: E402
from hf_golden_extra import _Direct  # noqa: E402

OUT_FILE = hf_golden.OUT_DIR / "encoders.json"


def _head_is_tied(model: Any) -> bool:
    """hf_golden's tie check, for models without input embeddings (CLIPModel raises): untied."""
    try:
        return HEAD_IS_TIED(model)
    except NotImplementedError:
        return False


HEAD_IS_TIED = hf_golden.head_is_tied
hf_golden.head_is_tied = _head_is_tied


def _register() -> None:
    for model_type, (config_class, classes) in FAMILY_CLASSES.items():
        hf_golden.CONFIG_CLASSES[model_type] = getattr(transformers, config_class)
        for name in classes:
            hf_golden.AUTO_CLASSES[name] = _Direct(getattr(transformers, name))
    for classes in ADDED_CLASSES.values():
        for name in classes:
            hf_golden.AUTO_CLASSES[name] = _Direct(getattr(transformers, name))


def refused(case: Case) -> dict[str, Any] | None:
    """The exception transformers raises building the case, or None when it builds."""
    try:
        hf_golden.build(case)
    except Exception as exc:  # noqa: BLE001 - any refusal is the answer we record
        return {"error": type(exc).__name__, "message": str(exc).splitlines()[0][:300] if str(exc) else ""}
    return None


def main() -> int:
    """Build every case and write the golden file."""
    _register()
    torch.manual_seed(0)
    random.seed(0)
    start = time.monotonic()
    records = []
    for case in all_cases():
        error = refused(case) if case.kind == "refused" else None
        if case.kind == "refused":
            if error is None:
                raise AssertionError(f"{case.id}: transformers builds it, but the case says refused")
            records.append(
                {
                    "id": case.id,
                    "kind": case.kind,
                    "model_class": case.model_class,
                    "config_input": case.config,
                    "refused": error,
                    "note": case.note,
                }
            )
            print(f"{case.id:44s} refused: {error['error']}: {error['message'][:80]}", flush=True)
            continue
        rec = hf_golden.record(case)
        _, model = hf_golden.build(case)
        rec["frozen"] = [name for name, param in model.named_parameters() if not param.requires_grad]
        records.append(rec)
        print(f"{case.id:44s} {case.model_class:36s} total={rec['total']:>14,d} tied={rec['tied']!s:5s}", flush=True)
    golden = {
        "generator": "tools/hf_golden_encoders.py",
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "cases": records,
    }
    text = json.dumps(golden, separators=(",", ":"), sort_keys=True, allow_nan=False) + "\n"
    OUT_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {OUT_FILE.name}: {len(records)} cases, {len(text):,d} bytes, {time.monotonic() - start:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
