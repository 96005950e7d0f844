"""Write the save_pretrained corpus: what transformers really stores for every class paramcalc counts.

Run with the frameworks' venv (torch, transformers):

    /work/fw/bin/python tools/checkpoint_corpus.py

For one small golden case of every transformers class in ``tests/golden/hf/*.json`` (the
configs the HF goldens were built from, under 3M parameters), the real model is built and
saved with ``save_pretrained``; ``tests/golden/checkpoint/save_pretrained.json`` keeps, per
class, the config.json it wrote, every safetensors file's header (names, dtypes, shapes,
offsets: the data is not kept), the index if any, and the model's parameter count
(``model.parameters()``, each tied weight once).  transformers 5 saves some models under
their hub names or layouts (ViT's ``encoder.layer``, GPT-NeoX's ``embed_out``, per-expert
MoE weights) and with persistent buffers (``final_logits_bias``): the cross-check must
still say they match their config.  tests/test_checkpoints.py rebuilds each file as a
sparse file from its header.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import torch
import transformers

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
LIMIT = 3_000_000


def _cases() -> dict[str, dict[str, Any]]:
    """One golden case per model class: the first under ``LIMIT`` parameters."""
    out: dict[str, dict[str, Any]] = {}
    for name in ("arch", "configs", "encoders", "extra"):
        document = json.loads((GOLDEN / "hf" / f"{name}.json").read_text(encoding="utf-8"))
        cases = document["cases"] if isinstance(document, dict) else document
        for case in cases.values() if isinstance(cases, dict) else cases:
            if not isinstance(case, dict) or not case.get("config") or not case.get("model_class"):
                continue
            if case.get("error") or not 0 < (case.get("num_parameters") or 0) < LIMIT:
                continue
            out.setdefault(case["model_class"], case)
    return dict(sorted(out.items()))


def _headers(folder: Path) -> dict[str, Any]:
    files = {}
    for path in sorted(folder.glob("*.safetensors")):
        raw = path.read_bytes()
        length = int.from_bytes(raw[:8], "little")
        files[path.name] = json.loads(raw[8 : 8 + length])
    return files


def main() -> None:
    warnings.filterwarnings("ignore")
    transformers.logging.set_verbosity_error()
    corpus = {}
    with tempfile.TemporaryDirectory() as tmp:
        for model_class, case in _cases().items():
            config = transformers.AutoConfig.for_model(**case["config"])
            torch.manual_seed(0)
            model = getattr(transformers, model_class)(config)
            folder = Path(tmp) / model_class
            model.save_pretrained(folder)
            index = folder / "model.safetensors.index.json"
            corpus[model_class] = {
                "case": case["id"],
                "config": json.loads((folder / "config.json").read_text()),
                "files": _headers(folder),
                "index": json.loads(index.read_text()) if index.exists() else None,
                "parameters": sum(p.numel() for p in model.parameters()),
                "state_dict_only": sorted(set(model.state_dict()) - {n for n, _ in model.named_parameters()}),
            }
            shutil.rmtree(folder)
    document = {"generator": "tools/checkpoint_corpus.py", "transformers": transformers.__version__, "cases": corpus}
    (GOLDEN / "checkpoint" / "save_pretrained.json").write_text(json.dumps(document, indent=None) + "\n")
    print(len(corpus), "classes")


if __name__ == "__main__":
    main()
