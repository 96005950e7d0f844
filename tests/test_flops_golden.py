"""paramcalc's FLOPs against torch's FlopCounterMode (tests/golden/flops/*.json, tools/flops_golden.py).

The goldens hold the FLOPs FlopCounterMode counted, per layer, over real forward passes: the
torch corpus (tools/torch_cases.py) at batch 2, the Keras corpus' sequential models under the
torch backend, and tiny random-weight transformers models at batch 2 and 7 tokens.  Every layer
must match exactly; a Keras layer may be unknown (None) only if its class is one paramcalc says
it does not derive (:data:`UNDERIVED_KERAS`), and then it must be None, never a guess.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from paramcalc.engine import analyze
from paramcalc.flops import Sizes, report_flops
from paramcalc.spec import load_spec
from paramcalc.spec.yaml_spec import load_yaml

GOLDEN = Path(__file__).resolve().parent / "golden" / "flops"

UNDERIVED_KERAS = {
    "ConvLSTM1D",
    "ConvLSTM2D",
    "ConvLSTM3D",
    "RNN",  # a generic cell: its call is user code
    "TimeDistributed",  # around a layer other than Dense
    "SpectralNormalization",  # power iteration matmuls
    "ReversibleEmbedding",
    "Dense",  # with lora_rank only (below)
    "EinsumDense",
    "Embedding",
}


@cache
def golden(source: str) -> dict[str, dict[str, Any]]:
    doc = json.loads((GOLDEN / f"{source}.json").read_text(encoding="utf-8"))
    return {case["id"]: case for case in doc["cases"]}


def _per_layer(case: dict[str, Any]) -> list[int | None]:
    report = analyze(load_yaml(yaml.safe_dump(case["spec"], sort_keys=False), case["id"]))
    per_row, _ = report_flops(report, Sizes(batch=case["batch"]))
    return [f for row, f in zip(report.layers, per_row, strict=True) if row.class_name != "InputLayer"]


def test_golden_corpora_are_complete() -> None:
    assert len(golden("torch")) == 534
    assert len(golden("keras")) == 364
    assert len(golden("hf")) == 18


def test_torch_layer_flops_match_flop_counter_mode() -> None:
    """One test over the corpus (534 cases, 627 layers): a parametrized test each costs more than its check."""
    wrong = [case_id for case_id, case in golden("torch").items() if _per_layer(case) != case["flops"]]
    assert wrong == []


def _keras_mismatches(case: dict[str, Any]) -> list[str]:
    got = _per_layer(case)
    if len(got) != len(case["classes"]):
        return [f"{case['id']}: {len(got)} layers"]
    out = []
    for index, (cls, want, have) in enumerate(zip(case["classes"], case["flops"], got, strict=True)):
        where = f"{case['id']} layer {index} ({cls})"
        if have is None:
            lora = "lora_rank" in json.dumps(case["spec"]["layers"][index])
            if cls not in UNDERIVED_KERAS or (cls in ("Dense", "EinsumDense", "Embedding") and not lora):
                out.append(f"{where}: no FLOPs")
        elif have != want:
            out.append(f"{where}: {have} != {want}")
    return out


def test_keras_layer_flops_match_flop_counter_mode_under_torch_backend() -> None:
    wrong = [line for case in golden("keras").values() for line in _keras_mismatches(case)]
    assert wrong == []


def test_keras_underived_layers_are_few() -> None:
    unknown = sum(f is None for case in golden("keras").values() for f in _per_layer(case))
    known = sum(f is not None for case in golden("keras").values() for f in _per_layer(case))
    assert (known, unknown) == (1020, 29)


@pytest.mark.parametrize("case_id", sorted(golden("hf")))
def test_hf_forward_flops_match_flop_counter_mode(case_id: str, tmp_path: Path) -> None:
    case = golden("hf")[case_id]
    path = tmp_path / "config.json"
    path.write_text(json.dumps(case["config"]), encoding="utf-8")
    report = analyze(load_spec(str(path)))
    per_row, total = report_flops(report, Sizes(batch=case["batch"], seq_len=case["seq_len"]))
    assert total == case["total"]
    modules = case["modules"]
    top = next(name for name in modules if "." not in name and name != "Global")
    for row, flops in zip(report.layers, per_row, strict=True):
        names = row.copies or (row.name,)
        want = sum(modules.get(f"{top}.{name}", 0) for name in names)
        assert flops == want, row.name
