"""The Hugging Face family table: its listing, the task heads, the class assumed without
``architectures``, and explain on a table-driven block (counts are checked by test_hf_corpus.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import GOLDEN, RunCli

from paramcalc.spec.hf_families import ARCHS, FAMILIES


def write(tmp_path: Path, doc: object) -> str:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return str(path)


def test_layers_families_lists_every_family_and_model_class(run_cli: RunCli) -> None:
    result = run_cli("layers", "--families")
    assert result.code == 0, result.err
    for model_type, family in FAMILIES.items():
        assert f"{model_type} ({family.config_class})" in result.out
        for name in family.architectures:
            assert f"  {name}  (" in result.out
    assert "  FalconForCausalLM  (causal lm)  [default without 'architectures']" in result.out


def test_layers_families_lists_the_declarative_families_and_their_task_classes(run_cli: RunCli) -> None:
    from paramcalc.spec.hf_recipes_all import RECIPES

    result = run_cli("layers", "--families")
    assert result.code == 0, result.err
    for model_type, recipe in RECIPES.items():
        assert f"{model_type} ({recipe.family.config_class})" in result.out
        for name in recipe.family.architectures:
            assert f"  {name}  (" in result.out
    assert "  ElectraForMultipleChoice  (multiple choice)" in result.out
    assert "  BertForNextSentencePrediction  (next sentence)" in result.out


def test_missing_architectures_says_which_class_was_assumed(run_cli: RunCli, tmp_path: Path) -> None:
    spec = write(tmp_path, {"model_type": "opt", "num_hidden_layers": 1})
    doc = json.loads(run_cli("summary", spec, "--format", "json").out)
    assert doc["hf"] == {"model_type": "opt", "architecture": "OPTForCausalLM", "architecture_assumed": True}
    assert "no 'architectures' in the config: counted as OPTForCausalLM (assumed)" in doc["notes"]
    table = run_cli("summary", spec).out
    assert "counted as OPTForCausalLM (assumed)" in table


def test_named_architecture_is_not_marked_assumed(run_cli: RunCli, tmp_path: Path) -> None:
    spec = write(tmp_path, {"model_type": "opt", "architectures": ["OPTModel"], "num_hidden_layers": 1})
    doc = json.loads(run_cli("summary", spec, "--format", "json").out)
    assert doc["hf"] == {"model_type": "opt", "architecture": "OPTModel"}


@pytest.mark.parametrize(
    ("extra", "labels"),
    [({}, 2), ({"num_labels": 5}, 5), ({"id2label": {"0": "NEG", "1": "NEU", "2": "POS"}}, 3)],
)
def test_sequence_classifier_has_one_output_per_label(
    run_cli: RunCli, tmp_path: Path, extra: dict[str, object], labels: int
) -> None:
    config = {"model_type": "llama", "architectures": ["LlamaForSequenceClassification"], **extra}
    doc = json.loads(run_cli("summary", write(tmp_path, config), "--format", "json").out)
    score = next(row for row in doc["layers"] if row["name"] == "score")
    assert score["params"] == 4096 * labels
    assert any(note.startswith(f"score: {labels} labels") for note in doc["notes"])


def test_num_labels_that_contradicts_id2label_wins_with_a_note_as_in_transformers(
    run_cli: RunCli, tmp_path: Path
) -> None:
    golden = json.loads((GOLDEN / "hf" / "arch.json").read_text(encoding="utf-8"))
    case = next(c for c in golden["cases"] if c["id"] == "arch-falcon-labels-disagree")
    result = run_cli("summary", write(tmp_path, case["config_input"]), "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["total"] == case["total"]
    assert ["classifier.weight", [3, 16]] in case["parameters"]
    assert any("num_labels 3 and the 2 entries of id2label disagree" in note for note in doc["notes"])


def test_head_class_a_family_does_not_define_is_refused_with_the_ones_it_does(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli(
        "summary", write(tmp_path, {"model_type": "cohere", "architectures": ["CohereForQuestionAnswering"]})
    )
    assert result.code == 2
    assert "CohereModel, CohereForCausalLM" in result.err


def test_explain_a_table_driven_block_with_config_sizes(run_cli: RunCli) -> None:
    result = run_cli(
        "explain", "FalconDecoderLayer(hidden_size=64, num_attention_heads=4, new_decoder_architecture=True)"
    )
    assert result.code == 0, result.err
    assert "self_attention.query_key_value.weight" in result.out
    assert "ln_attn.weight" in result.out


def test_every_table_family_registers_its_block_rule() -> None:
    from paramcalc.rules import all_rules

    rules = all_rules("transformers")
    for arch in ARCHS.values():
        for name in arch.block_names or (arch.block_class,):
            assert name in rules
        assert arch.model_type in FAMILIES


def test_jamba_counts_attention_and_mamba_layers_as_separate_records(run_cli: RunCli, tmp_path: Path) -> None:
    config = {"model_type": "jamba", "architectures": ["JambaModel"], "num_hidden_layers": 8}
    doc = json.loads(run_cli("summary", write(tmp_path, config), "--format", "json").out)
    names = [row["name"] for row in doc["layers"]]
    assert "layers.4 (JambaAttentionDecoderLayer)" in [f"{r['name']} ({r['class']})" for r in doc["layers"]]
    assert "layers.{1,3,5,7}" in names
    assert "layers.{0,2,6}" in names
