"""Whole-output snapshots of every renderer, compared byte for byte.

Each test renders one command at the fixed width the suite uses (``TERM=dumb``, no
``COLUMNS``; the table's width is Keras' own 88/108 columns) and compares the whole output,
exit status and stderr included, with ``tests/snapshots/<test name>.out``.  A change to any
byte of any renderer fails here; ``pytest --update-snapshots`` rewrites the files after an
intended change, and the diff of the files is the review.
"""

from __future__ import annotations

import pytest
from conftest import ROOT, RunCli, Snapshot, render_cli

SNAP_SPECS = "tests/snapshots/specs"


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths in the output (check, errors) are relative to the repository, as a user types them."""
    monkeypatch.chdir(ROOT)


SUMMARIES = {
    "sequential": ["summary", "specs/lstm.yaml"],
    "sequential_embedding": ["summary", "specs/embedding_rnn.yaml"],
    "functional_connected_to": ["summary", f"{SNAP_SPECS}/functional_shared.yaml"],
    "nested": ["summary", f"{SNAP_SPECS}/nested.yaml"],
    "nested_expanded": ["summary", f"{SNAP_SPECS}/nested.yaml", "--expand-nested"],
    "wrappers": ["summary", f"{SNAP_SPECS}/bidirectional.yaml"],
    "torch": ["summary", "specs/pytorch_stacked_rnn.yaml"],
    "torch_lstm": ["summary", "specs/pytorch_lstm.yaml"],
    "hf_repeat_rows": ["summary", "specs/llama-2-7b.config.json"],
    "hf_moe": ["summary", "specs/mixtral-8x7b.config.json"],
    "hf_t5": ["summary", "specs/t5-small.config.json"],
    "keras_json_graph": ["summary", "tests/data/keras_nested_functional.json"],
    "inline": ["summary", "Embedding(50, 8, input_length=4) | SimpleRNN(32) | Dense(1)"],
    "dtype_bf16": ["summary", "specs/lstm.yaml", "--dtype", "bf16"],
    "table_explain": ["summary", "specs/lstm.yaml", "--explain"],
}


@pytest.mark.parametrize("case", list(SUMMARIES))
def test_summary_table_output_is_unchanged(case: str, run_cli: RunCli, snapshot: Snapshot) -> None:
    snapshot.check(render_cli(run_cli, *SUMMARIES[case]))


@pytest.mark.parametrize("fmt", ["json", "markdown"])
@pytest.mark.parametrize(
    "spec",
    ["specs/lstm.yaml", f"{SNAP_SPECS}/functional_shared.yaml", "specs/pytorch_lstm.yaml", "specs/gpt2.config.json"],
)
def test_summary_json_and_markdown_output_is_unchanged(
    spec: str, fmt: str, run_cli: RunCli, snapshot: Snapshot
) -> None:
    snapshot.check(render_cli(run_cli, "summary", spec, "--format", fmt))


def test_summary_markdown_explain_and_expanded_json_are_unchanged(run_cli: RunCli, snapshot: Snapshot) -> None:
    text = render_cli(run_cli, "summary", "specs/lstm.yaml", "--format", "markdown", "--explain")
    text += render_cli(run_cli, "summary", "specs/qwen3-0.6b.config.json", "--format", "json", "--expand-nested")
    snapshot.check(text)


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "json"])
@pytest.mark.parametrize(
    "argv",
    [
        ["lstm", "32", "--input", "10000"],
        ["GRU(32, reset_after=False)", "--input", "10000"],
        ["lstm", "32", "--input", "10000", "--framework", "pytorch"],
        ["conv2d", "16", "3", "--input", "28,28,1"],
        ["LlamaDecoderLayer", "--config", "specs/llama-2-7b.config.json"],
    ],
    ids=["keras_lstm", "keras_gru", "torch_lstm", "keras_conv2d", "hf_config"],
)
def test_explain_output_is_unchanged(argv: list[str], fmt: str, run_cli: RunCli, snapshot: Snapshot) -> None:
    snapshot.check(render_cli(run_cli, "explain", *argv, "--format", fmt))


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "json"])
def test_explain_compare_output_is_unchanged(fmt: str, run_cli: RunCli, snapshot: Snapshot) -> None:
    snapshot.check(render_cli(run_cli, "explain", "lstm", "32", "--input", "10000", "--compare", "--format", fmt))


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_diff_output_is_unchanged(fmt: str, run_cli: RunCli, snapshot: Snapshot) -> None:
    text = render_cli(run_cli, "diff", "specs/lstm.yaml", f"{SNAP_SPECS}/lstm_wider.yaml", "--format", fmt)
    text += render_cli(run_cli, "diff", "specs/simple_rnn.yaml", "specs/stacked_rnn.yaml", "--format", fmt)
    snapshot.check(text)


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_check_output_is_unchanged(fmt: str, run_cli: RunCli, snapshot: Snapshot) -> None:
    text = render_cli(run_cli, "check", "specs/lstm.yaml", f"{SNAP_SPECS}/lstm_wider.yaml", "--format", fmt)
    text += render_cli(
        run_cli, "check", "specs/lstm.yaml", "specs/gpt2.config.json", "--max-bytes", "8MB", "--format", fmt
    )
    text += render_cli(run_cli, "check", "specs/simple_rnn.yaml", "--allow-no-budget", "--format", fmt)
    snapshot.check(text)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_solve_output_is_unchanged(fmt: str, run_cli: RunCli, snapshot: Snapshot) -> None:
    text = render_cli(run_cli, "solve", f"{SNAP_SPECS}/solve_lstm.yaml", "--format", fmt)
    text += render_cli(
        run_cli, "solve", "Embedding(20000, 128) | LSTM(?) | Dense(1)", "--max-bytes", "4MB", "--dtype", "float16",
        "--multiple-of", "8", "--format", fmt,
    )  # fmt: skip
    text += render_cli(run_cli, "solve", "Dense(?)", "--max-params", "10", "--format", fmt)
    snapshot.check(text)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_memory_output_is_unchanged(fmt: str, run_cli: RunCli, snapshot: Snapshot) -> None:
    text = render_cli(run_cli, "memory", "specs/llama-2-7b.config.json", "--format", fmt)
    text += render_cli(run_cli, "memory", "specs/lstm.yaml", "--dtype", "float16", "--format", fmt)
    snapshot.check(text)


@pytest.mark.parametrize("framework", ["keras", "pytorch", "transformers"])
def test_layers_output_is_unchanged(framework: str, run_cli: RunCli, snapshot: Snapshot) -> None:
    snapshot.check(render_cli(run_cli, "layers", "--framework", framework))


def test_error_output_is_unchanged(run_cli: RunCli, snapshot: Snapshot) -> None:
    text = render_cli(run_cli, "summary", "Dense(1, input_shape=(4,)) | LSTN(3)")
    text += render_cli(run_cli, "summary", "tests/snapshots/specs/solve_lstm.yaml")
    text += render_cli(run_cli, "summary", "specs/lstm.yaml", "--dtype", "float7")
    text += render_cli(run_cli, "summary", "specs/no_such_file.yaml")
    text += render_cli(run_cli, "explain", "dense", "1", "--input", "32", "--framework", "pytorch")
    snapshot.check(text)


@pytest.mark.parametrize(
    ("captured", "argv"),
    [
        ("lstm", ["summary", "specs/lstm.yaml"]),
        ("functional_shared", ["summary", f"{SNAP_SPECS}/functional_shared.yaml"]),
    ],
)
def test_table_layout_matches_real_keras_model_summary(captured: str, argv: list[str], run_cli: RunCli) -> None:
    """The table is Keras' own ``model.summary()``, border for border (tools/keras_summary.py captured it)."""
    keras_text = (ROOT / "tests" / "snapshots" / f"keras_summary_{captured}.txt").read_text(encoding="utf-8")
    result = run_cli(*argv)
    assert result.code == 0, result.err
    assert result.out.splitlines() == keras_text.splitlines()
