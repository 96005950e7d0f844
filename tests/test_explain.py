"""`paramcalc explain`: one layer's derivation in text, Markdown, LaTeX and JSON."""

from __future__ import annotations

import json

import pytest
from conftest import RunCli


def test_lstm_derivation_shows_four_gates_and_closed_form(run_cli: RunCli) -> None:
    result = run_cli("explain", "lstm", "32", "--input", "10000")
    assert result.code == 0, result.err
    out = result.out
    assert "each of the 4 gates (input, forget, cell, output):" in out
    assert "m × n = 10000 × 32" in out
    assert "320,000" in out
    assert "n × n = 32 × 32" in out
    assert "1,024" in out
    assert "per gate" in out
    assert "321,056" in out
    assert "× 4 gates" in out
    assert "1,284,224" in out
    assert "closed form: 4·n·(n + m + 1) = 4 × 32 × (32 + 10000 + 1) = 1,284,224" in out
    assert "m = 10,000" in out
    assert "n = 32" in out


def test_explain_takes_a_call_with_keras_kwargs(run_cli: RunCli) -> None:
    out = run_cli("explain", "GRU(32, reset_after=False)", "--input", "10000").out
    assert "3·n·(n + m + 1) = 3 × 32 × (32 + 10000 + 1) = 963,168" in out
    default = run_cli("explain", "gru", "32", "--input", "10000").out
    assert "3·n·(n + m + 2) = 3 × 32 × (32 + 10000 + 2) = 963,264" in default
    assert "2 × n = 2 × 32" in default


@pytest.mark.parametrize(
    ("words", "closed_form"),
    [
        (["dense", "1", "--input", "32"], "(m + 1)·n = (32 + 1) × 1 = 33"),
        (["Dense", "4", "use_bias=False", "--input", "3"], "m·n = 3 × 4 = 12"),
        (["embedding", "50", "8"], "V·d = 50 × 8 = 400"),
        (["SIMPLERNN", "32", "--input", "3,10000"], "n·(n + m + 1) = 32 × (32 + 10000 + 1) = 321,056"),
        (["lstm", "32", "use_bias=False", "--input", "(3, 10000)"], "4·n·(n + m) = 4 × 32 × (32 + 10000) = 1,284,096"),
    ],
)
def test_every_rule_states_its_closed_form(run_cli: RunCli, words: list[str], closed_form: str) -> None:
    result = run_cli("explain", *words)
    assert result.code == 0, result.err
    assert f"closed form: {closed_form}" in result.out


def test_markdown_derivation_uses_display_math(run_cli: RunCli) -> None:
    out = run_cli("explain", "lstm", "32", "--input", "10000", "--format", "markdown").out
    assert out.startswith("### `lstm` (LSTM): 1,284,224 parameters")
    assert "| $W_{x}$ | `kernel` | $m \\times n = 10000 \\times 32$ | 320,000 |" in out
    assert "| **× 4 gates** | | | **1,284,224** |" in out
    math = out.split("$$")
    assert len(math) == 3
    assert "P = 4 \\cdot n \\cdot \\left(n + m + 1\\right)" in math[1]
    assert "= 1{,}284{,}224" in math[1]


def test_latex_derivation_is_an_align_block(run_cli: RunCli) -> None:
    out = run_cli("explain", "dense", "1", "--input", "32", "--format", "latex").out
    assert "\\begin{align*}" in out
    assert "\\end{align*}" in out
    assert "W &= m \\times n = 32 \\times 1 = 32 \\\\" in out


def test_json_derivation_has_terms_formula_and_symbols(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("explain", "lstm", "32", "--input", "10000", "--format", "json").out)
    assert doc["params"] == 1_284_224
    assert doc["formula"] == "4*n*(n+m+1)"
    assert doc["symbols"] == {"m": 10000, "n": 32}
    assert [t["weight"] for t in doc["terms"]] == ["kernel", "recurrent_kernel", "bias"]


def test_weightless_layer_explains_zero(run_cli: RunCli) -> None:
    out = run_cli("explain", "dropout", "0.5", "--input", "3,4").out
    assert "no weights: 0 parameters" in out


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["Dence", "4", "--input", "3"], "unknown layer 'Dence' for Keras — did you mean 'Dense'?"),
        (["lstm", "32", "--input", "ten"], "invalid --input shape 'ten'"),
        (["lstm", "32", "--input", "0,5"], "sizes must be positive"),
        (["Dense(4)", "5", "--input", "3"], "not both"),
        (["Dense(4) | Dense(2)"], "explain takes one layer"),
        (["dense", "4"], "needs a known last input axis"),
    ],
)
def test_explain_errors_are_one_line_exit_2(run_cli: RunCli, words: list[str], message: str) -> None:
    result = run_cli("explain", *words)
    assert result.code == 2
    assert result.out == ""
    assert message in result.err
    assert result.err.count("\n") == 1
