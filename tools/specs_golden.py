"""Build every Keras example spec in specs/ in real Keras 3 and write their golden file.

Why: the example specs are what a new user runs first (the README's Quickstart), so each
of their counts, output shapes and weights must be Keras' own.  This reads each
``specs/*.yaml`` whose framework is Keras, builds it with the same spec -> Keras
translation as the conformance corpus (``tools/keras_golden.py``) and writes
``tests/golden/keras_specs.json`` in the corpus format (``tests/golden_keras.py`` reads it).

    KERAS_BACKEND=torch /work/oracle-venv/bin/python tools/specs_golden.py

Never imported by tests.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import keras
import keras_golden

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "golden" / "keras_specs.json"


def main() -> int:
    models = []
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        if spec.get("framework", "keras") != "keras":
            continue
        record = keras_golden.record_case(path.name, spec)
        models.append(record)
        print(f"{path.name}: {record['total']:,} parameters")
    document = {"generator": "tools/specs_golden.py", "keras": keras.__version__, "backend": "torch", "models": models}
    OUT.write_text(json.dumps(document, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(models)} specs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
