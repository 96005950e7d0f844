"""FLOPs, KV cache and LoRA counts against the frameworks (tests/golden/flops/*.json, tools/flops_golden.py).

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
from paramcalc.kv_cache import kv_cache
from paramcalc.spec import load_spec
from paramcalc.spec.yaml_spec import load_yaml
from paramcalc.training import lora

GOLDEN = Path(__file__).resolve().parent / "golden" / "flops"

UNDERIVED_KERAS = {
    "RNN",  # over StackedRNNCells only
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
    assert len(golden("keras")) == 467
    assert len(golden("hf")) == 30
    assert len(golden("families")) == 78


def test_torch_layer_flops_match_flop_counter_mode() -> None:
    """One test over the corpus (534 cases, 627 layers): a parametrized test each costs more than its check."""
    wrong = [case_id for case_id, case in golden("torch").items() if _per_layer(case) != case["flops"]]
    assert wrong == []


def _underived(rows: Any) -> set[str]:
    return {row.class_name for row in rows} | {c for row in rows for c in _underived(row.children)}


def _keras_graph_mismatches(case: dict[str, Any]) -> list[str]:
    """A functional model: its total, or None when (and only when) a layer is one paramcalc does not derive."""
    report = analyze(load_yaml(yaml.safe_dump(case["spec"], sort_keys=False), case["id"]))
    per_row, total = report_flops(report, Sizes(batch=case["batch"]))
    if total is None:
        unknown = {row.class_name for row, f in zip(report.layers, per_row, strict=True) if f is None}
        if not _underived([r for r in report.layers if r.class_name in unknown]) & UNDERIVED_KERAS:
            return [f"{case['id']}: unknown FLOPs in {sorted(unknown)}"]
        return []
    return [] if total == case["total"] else [f"{case['id']}: {total} != {case['total']}"]


def _keras_mismatches(case: dict[str, Any]) -> list[str]:
    if case["classes"] is None:
        return _keras_graph_mismatches(case)
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
    sequential = [case for case in golden("keras").values() if case["classes"] is not None]
    flops = [f for case in sequential for f in _per_layer(case)]
    assert (len(sequential), sum(f is not None for f in flops), sum(f is None for f in flops)) == (364, 1041, 8)
    graphs = [case for case in golden("keras").values() if case["classes"] is None]
    totals = [report_flops(analyze(load_yaml(yaml.safe_dump(c["spec"]), c["id"])), Sizes(2))[1] for c in graphs]
    assert (len(graphs), sum(t is not None for t in totals)) == (103, 103)


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


def _hf_report(config: dict[str, Any], tmp_path: Path) -> Any:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return analyze(load_spec(str(path)))


def test_kv_cache_matches_the_cache_transformers_returns(tmp_path: Path) -> None:
    """30 configs: GQA, MQA, sliding windows (all layers, upper layers, alternating, layer_types), T5, GPT-2, BERT."""
    wrong = []
    for case_id, case in golden("hf").items():
        cache = kv_cache(_hf_report(case["config"], tmp_path), case["batch"], case["seq_len"])
        want = None if case["cache"] is None else sum(layer["bytes"] for layer in case["cache"])
        got = None if cache is None else cache.bytes(32)
        if got != want:
            wrong.append(f"{case_id}: {got} != {want}")
        elif cache is not None:
            tokens = sorted(layer["keys"][2] for layer in case["cache"])
            if sorted(layer.tokens for layer in cache.layers) != tokens:
                wrong.append(f"{case_id}: cached tokens per layer")
    assert wrong == []


def test_lora_counts_match_peft_print_trainable_parameters(tmp_path: Path) -> None:
    doc = json.loads((GOLDEN / "lora.json").read_text(encoding="utf-8"))
    assert len(doc["cases"]) == 40
    wrong = []
    for case in doc["cases"]:
        result = lora(_hf_report(case["config"], tmp_path), case["r"], case["targets"])
        if (result.trainable, result.all) != (case["trainable"], case["all"]):
            wrong.append(f"{case['id']}: {(result.trainable, result.all)} != {(case['trainable'], case['all'])}")
    assert wrong == []


SUBMODULES = [
    ("hf", "llama-gqa", "LlamaAttention", "model.layers.0.self_attn"),
    ("hf", "llama-gqa", "LlamaMLP", "model.layers.0.mlp"),
    ("hf", "mixtral", "MixtralSparseMoeBlock", "model.layers.0.mlp"),
    ("hf", "qwen2_moe", "Qwen2MoeSparseMoeBlock", "model.layers.0.mlp"),
    ("hf", "gemma2-sliding", "Gemma2Attention", "model.layers.0.self_attn"),
    ("hf", "gpt2", "GPT2Attention", "transformer.h.0.attn"),
    ("hf", "gpt2", "GPT2MLP", "transformer.h.0.mlp"),
    ("hf", "bert-mlm", "BertAttention", "bert.encoder.layer.0.attention"),
    ("families", "roberta-random1-RobertaForMaskedLM", "RobertaLayer", "roberta.encoder.layer.0"),
    ("families", "bart-random1-BartForConditionalGeneration", "BartEncoderLayer", "model.encoder.layers.0"),
    ("families", "bart-random1-BartForConditionalGeneration", "BartDecoderLayer", "model.decoder.layers.0"),
    ("families", "marian-random4-MarianMTModel", "MarianDecoderLayer", "model.decoder.layers.0"),
    ("families", "distilbert-random0-DistilBertModel", "DistilBertTransformerBlock", "transformer.layer.0"),
]


@pytest.mark.parametrize(("source", "case_id", "block", "module"), SUBMODULES)
def test_explained_submodules_match_their_flop_counter_mode_module(
    source: str, case_id: str, block: str, module: str, tmp_path: Path
) -> None:
    """A block explained on its own (``explain X --config``), recipe encoder/decoder blocks too."""
    from paramcalc.flops import layer_flops
    from paramcalc.single_layer import explain_with_config

    case = golden(source)[case_id]
    path = tmp_path / "config.json"
    config = case["config"] if source == "hf" else {**case["config"], "architectures": [case["model_class"]]}
    path.write_text(json.dumps(config), encoding="utf-8")
    (row, *_) = explain_with_config(block, (), str(path))
    terms = layer_flops(row, "transformers", Sizes(case["batch"], case["seq_len"]))
    assert terms is not None
    top = next(name for name in case["modules"] if "." not in name and name != "Global")
    assert sum(t.flops for t in terms) == case["modules"][f"{top}.{module}"]


def _family_report(case: dict[str, Any], tmp_path: Path) -> Any:
    return _hf_report({**case["config"], "architectures": [case["model_class"]]}, tmp_path)


def _family_check(case: dict[str, Any], tmp_path: Path) -> tuple[list[str], bool, bool]:
    """Mismatches of one families.json case, whether its total is derived, whether its KV cache is."""
    report = _family_report(case, tmp_path)
    per_row, total = report_flops(report, Sizes(batch=case["batch"], seq_len=case["seq_len"]))
    modules = case["modules"]
    top = next((name for name in modules if "." not in name and name != "Global"), "")
    wrong = []
    names = [name for row in report.layers for name in row.copies or (row.name,)]
    for row, flops in zip(report.layers, per_row, strict=True):
        want = sum(modules.get(f"{top}.{name}", 0) for name in row.copies or (row.name,))
        # a row named as its parent module (Whisper's stem is "model.encoder"): the module's count less its children's
        want -= sum(modules.get(f"{top}.{other}", 0) for other in names if other.startswith(row.name + "."))
        if flops is not None and flops != want:
            wrong.append(f"{case['id']} {row.name}: {flops} != {want}")
    if total is not None and total != case["total"]:
        wrong.append(f"{case['id']} total: {total} != {case['total']}")
    cache = kv_cache(report, case["batch"], case["seq_len"])
    kv_layers = [layer for layer in case["cache"] or () if layer["keys"] is not None]
    want_kv = sum(layer["bytes"] for layer in kv_layers) if kv_layers else None
    got_kv = None if cache is None else cache.bytes(32)
    if got_kv != want_kv and got_kv is not None:
        wrong.append(f"{case['id']} KV cache: {got_kv} != {want_kv}")
    return wrong, total is not None, got_kv == want_kv


def test_family_flops_and_kv_cache_are_exact_or_refused(tmp_path: Path) -> None:
    """Every other transformers family (tools/flops_golden_families.py): each layer's FLOPs and the
    KV cache either match FlopCounterMode / the returned cache tensors exactly or are None (refused)."""
    cases = list(golden("families").values())
    results = [_family_check(case, tmp_path) for case in cases]
    assert [line for wrong, _, _ in results for line in wrong] == []
    assert len(cases) == 78
    # refused: Mamba (Jamba's too), ALBERT, DeBERTa
    assert sum(derived for _, derived, _ in results) == 73
    assert sum(kv for _, _, kv in results) == 68  # refused: the recipe decoders' caches (BART-style, Whisper)


def test_keras_ops_nodes_match_flop_counter_mode(tmp_path: Path) -> None:
    """keras.ops nodes read from model JSON: matmul, dot, einsum, tensordot, inner, attention; 0 for the rest."""
    wrong = []
    cases = list(golden("ops").values())
    for case in cases:
        path = tmp_path / "model.json"
        path.write_text(case["model_json"], encoding="utf-8")
        _, total = report_flops(analyze(load_spec(str(path))), Sizes(batch=case["batch"]))
        if total != case["total"]:
            wrong.append(f"{case['id']}: {total} != {case['total']}")
    assert (wrong, len(cases)) == ([], 18)


def test_lora_on_the_new_families_matches_peft_or_is_refused(tmp_path: Path) -> None:
    """OPT, BLOOM, GPT-NeoX, DeepSeek (MLA projections), Gemma 3, PhiMoE, Jamba (Mamba projections),
    BART, RoBERTa, ViT: peft's counts exactly; expert projections of a fused-MoE model: refused."""
    from paramcalc.errors import UsageError

    cases = list(golden("lora_families").values())
    wrong, refused = [], 0
    for case in cases:
        report = _hf_report(case["config"], tmp_path)
        try:
            result = lora(report, case["r"], case["targets"])
        except UsageError:
            refused += 1
            continue
        if (result.trainable, result.all) != (case["trainable"], case["all"]):
            wrong.append(f"{case['id']}: {(result.trainable, result.all)} != {(case['trainable'], case['all'])}")
    assert (wrong, len(cases), refused) == ([], 32, 2)
