"""`paramcalc solve`: the `?` placeholder, and answers that agree with brute-force counting."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from conftest import RunCli

from paramcalc.budget import Budget, within
from paramcalc.engine import analyze
from paramcalc.errors import ParamcalcError, SpecError, UsageError
from paramcalc.report import LayerRow, Report, Term
from paramcalc.rules import FAMILIES
from paramcalc.solve import Search, Solution, find_placeholders, solve
from paramcalc.spec import load_spec, parse_text
from paramcalc.spec.inline_spec import parse_inline
from paramcalc.spec.records import ModelSpec, Placeholder

# family module -> specs with one `?` (inline, or YAML with "?"), each checked against brute force.
# Cases of families not registered (yet) are left out; every registered family must have cases.
FAMILY_CASES: dict[str, list[str]] = {
    "core": [
        "Input(shape=(7,)) | Dense(?) | Dense(3)",
        "Input(shape=(7,)) | Dense(units=?, use_bias=False)",
        "Embedding(50, ?, input_length=4) | Flatten() | Dense(2)",
        "Embedding(?, 8) | SimpleRNN(4)",
        'input: [6]\nlayers:\n  - Repeat: {times: 3, layers: [{Dense: "?"}, {Dropout: 0.1}]}\n  - Dense: 1\n',
    ],
    "einsum_dense": [
        "Input(shape=(7,)) | EinsumDense('ab,bc->ac', ?, bias_axes='c') | Dense(2)",
        "Input(shape=(5, 6)) | EinsumDense('abc,cde->abde', (5, ?, 3), bias_axes='de')",
    ],
    "recurrent": [
        "Input(shape=(5, 6)) | SimpleRNN(?) | Dense(1)",
        "Input(shape=(5, 6)) | LSTM(?, return_sequences=True) | LSTM(3)",
        "Input(shape=(5, 6)) | GRU(?) | Dense(2)",
        "Input(shape=(5, 6)) | GRU(units=?, reset_after=False)",
        'input: [5, 6]\nlayers:\n  - LSTM:\n      units: "?"\n      return_sequences: true\n  - SimpleRNN: 2\n',
    ],
    "convolutional": [
        "Input(shape=(12, 3)) | Conv1D(?, 3) | Dense(2)",
        "Input(shape=(9, 9, 2)) | Conv2D(4, ?) | Flatten() | Dense(3)",  # shrinks, then invalid past 9
        "Input(shape=(8, 8, 3)) | Conv2DTranspose(?, 3)",
        "Input(shape=(7, 7, 1)) | Conv2D(2, 3, strides=?) | Flatten() | Dense(2)",
    ],
    "conv_recurrent": ["Input(shape=(3, 8, 8, 2)) | ConvLSTM2D(?, 3)"],
    "normalization": [
        "Input(shape=(6,)) | Dense(?) | BatchNormalization()",
        "Input(shape=(12,)) | GroupNormalization(groups=?)",  # valid only for divisors of 12
    ],
    "pooling": ["Input(shape=(16, 3)) | MaxPooling1D(?) | Flatten() | Dense(2)"],
    "reshaping": ["Input(shape=(6,)) | RepeatVector(?) | Flatten() | Dense(2)"],
    "activations": ["Input(shape=(5,)) | Dense(?) | PReLU()"],
    "keras_apps": ["Input(shape=(5, 8)) | Dense(?) | LayerScale(1e-6, 1) | Dense(2)"],
    "attention": [
        'inputs:\n  x: {shape: [4, 8]}\nlayers:\n  - MultiHeadAttention: {num_heads: 2, key_dim: "?", inputs: [x, x]}\n',
        'inputs:\n  x: {shape: [4, 8]}\nlayers:\n  - MultiHeadAttention: {num_heads: "?", key_dim: 3, inputs: [x, x]}\n',
    ],
    "merging": [
        "inputs:\n  x: {shape: [6]}\nlayers:\n"
        '  - Dense: {units: "?", name: a, inputs: [x]}\n  - Dense: {units: 5, name: b, inputs: [a]}\n'
        "  - Dense: {units: 5, name: c, inputs: [x]}\n  - Add: {inputs: [b, c]}\n",
    ],
    "wrappers": [
        "Input(shape=(5, 6)) | Bidirectional(LSTM(?))",
        "Input(shape=(5, 6)) | TimeDistributed(Dense(?))",
        'input: [5, 6]\nlayers:\n  - Bidirectional: {layer: {GRU: {units: "?"}}}\n',
    ],
    "preprocessing": ["Input(shape=(8, 8, 3)) | Resizing(?, 4) | Flatten() | Dense(2)"],
    "preprocessing_encoders": ["Input(shape=(4,), dtype='int32') | CategoryEncoding(num_tokens=?) | Dense(3)"],
    "preprocessing_audio": ["Input(shape=(400, 1)) | STFTSpectrogram(frame_length=?, frame_step=1, padding='same')"],
    "custom": ["Input(shape=(5,)) | Custom(params=?, output_shape=(4,)) | Dense(2)"],
    "torch_core": [
        'framework: pytorch\ninput: [10]\nlayers:\n  - Linear: [10, "?"]\n',
        'framework: pytorch\ninput: {shape: [4], dtype: int64}\nlayers:\n  - Embedding: ["?", 8]\n',
    ],
    "torch_recurrent": [
        'framework: pytorch\ninput: [5, 6]\nlayers:\n  - LSTM: {input_size: 6, hidden_size: "?", batch_first: true}\n',
        'framework: pytorch\ninput: [5, 6]\nlayers:\n  - GRU: {input_size: 6, hidden_size: "?", num_layers: 2}\n',
    ],
    "torch_conv": ['framework: pytorch\ninput: [3, 8, 8]\nlayers:\n  - Conv2d: [3, "?", 3]\n'],
    "torch_resampling": [
        'framework: pytorch\ninput: [2, 4]\nlayers:\n  - Upsample: {scale_factor: "?"}\n  - Flatten\n'
        "  - LazyLinear: 3\n"
    ],
    "torch_distance": [
        'framework: pytorch\ninput: [5, 8]\nlayers:\n  - Linear: [8, "?"]\n  - CosineSimilarity: {dim: -1}\n'
        "  - LazyLinear: 3\n",
        'framework: pytorch\ninput: [5, 8]\nlayers:\n  - Linear: [8, "?"]\n  - PairwiseDistance: {keepdim: true}\n'
        "  - Flatten\n  - LazyLinear: 3\n",
    ],
    "torch_pooling": [
        'framework: pytorch\ninput: [2, 16]\nlayers:\n  - MaxPool1d: "?"\n  - Flatten\n  - LazyLinear: 3\n'
    ],
    "torch_norm": ['framework: pytorch\ninput: [12, 4]\nlayers:\n  - GroupNorm: {num_groups: "?", num_channels: 12}\n'],
    "torch_attention": [
        "framework: pytorch\ninput: [5, 8]\nlayers:\n"
        '  - TransformerEncoderLayer: {d_model: 8, nhead: 2, dim_feedforward: "?", batch_first: true}\n'
    ],
}
NOT_SOLVABLE = {
    "transformers": "Hugging Face configs are resolved and validated at read time; no '?' there",
    "keras.ops": "keras.ops nodes come only from Keras JSON and have no weights",
}
HI = 24  # brute force counts every value 1..HI


def load(template: str) -> ModelSpec:
    if "\n" in template:
        return parse_text(template.encode(), "t.yaml")
    return load_spec(template)


@cache
def count_at(template: str, value: int, dtype: str = "float32") -> Report | None:
    """Independent of solve: write the number into the text and count the model."""
    text = template.replace('"?"', str(value)) if "\n" in template else template.replace("?", str(value))
    try:
        return analyze(load(text), dtype=dtype)
    except ParamcalcError:
        return None


def brute(template: str, budget: Budget, values: range) -> int | None:
    fitting = [
        v for v in values if (r := count_at(template, v, budget.effective_dtype)) is not None and within(r, budget)
    ]
    return max(fitting, default=None)


def run(template: str, budget: Budget, search: Search) -> Solution:
    return solve(load(template), budget, search, lambda m: analyze(m, dtype=budget.effective_dtype))


def budgets_for(template: str) -> list[Budget]:
    """Budgets right at, just under and between the totals of a few values, in params and in bytes."""
    out = []
    assert count_at(template, 1) is not None, template
    for value in (1, 2, 5, 11, 17, HI):
        report = count_at(template, value)
        if report is None:  # past the values this layer takes (a kernel larger than its input)
            continue
        out += [
            Budget(max_params=report.total),
            Budget(max_params=report.total - 1),
            Budget(max_params=report.total + 7),
        ]
        out += [Budget(max_bytes=report.bytes, dtype="float16"), Budget(max_bytes=report.bytes - 1)]
    return out


REGISTERED = {module for framework, modules in FAMILIES.items() if framework not in NOT_SOLVABLE for module in modules}
CASES = [(family, t) for family, templates in FAMILY_CASES.items() if family in REGISTERED for t in templates]


def test_every_rule_family_has_solve_cases() -> None:
    missing = sorted(REGISTERED - set(FAMILY_CASES))
    assert not missing, f"add solve brute-force cases for the rule families {missing}"


@pytest.mark.parametrize(("family", "template"), CASES)
def test_solve_agrees_with_brute_force(family: str, template: str) -> None:
    for budget in budgets_for(template):
        expected = brute(template, budget, range(1, HI + 1))
        solution = run(template, budget, Search(1, HI, 1))
        assert solution.value == expected, (template, budget)
        assert solution.monotone or solution.method == "scan"
        if expected is None:
            assert solution.exit_code == 1
            continue
        best = count_at(template, expected, budget.effective_dtype)
        assert solution.best is not None
        assert solution.best.report is not None
        assert best is not None
        assert solution.best.report.total == best.total
        assert solution.next is not None
        assert solution.next.value == expected + 1
        if expected < HI:
            assert not solution.next.fits
        if expected < HI and solution.method == "search":
            unbounded = run(template, budget, Search(1, None, 1))  # monotone: no larger value fits either
            assert unbounded.value == expected


@pytest.mark.parametrize(("family", "template"), CASES)
@pytest.mark.parametrize(("minimum", "maximum", "step"), [(1, HI, 3), (4, HI, 4), (5, 13, 1), (6, 20, 2)])
def test_bounds_and_multiples_agree_with_brute_force(
    family: str, template: str, minimum: int, maximum: int, step: int
) -> None:
    candidates = range(-(-minimum // step) * step, maximum + 1, step)
    for budget in budgets_for(template)[::2]:
        expected = brute(template, budget, candidates)
        solution = run(template, budget, Search(minimum, maximum, step))
        assert solution.value == expected, (template, budget, minimum, maximum, step)
        if expected is not None:
            assert expected % step == 0
            assert minimum <= expected <= maximum
            assert solution.next is not None
            assert solution.next.value == expected + step


def test_the_issue_example_and_its_next_value(run_cli: RunCli) -> None:
    result = run_cli("solve", "Embedding(20000, 128) | LSTM(?) | Dense(1)", "--max-params", "3M")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "LSTM units = 273",
        "  total: 2,999,258 params (11.44 MB at float32), within --max-params 3,000,000",
        "  headroom: 742 params",
        "  next: LSTM units = 274 needs 3,001,963 params (11.45 MB at float32): 1,963 params over --max-params",
    ]
    # 20000·128 + 4·n·(n + 128 + 1) + (n + 1) at n = 273 and 274, counted by the closed forms
    assert 20000 * 128 + 4 * 273 * (273 + 129) + 274 == 2_999_258
    assert 20000 * 128 + 4 * 274 * (274 + 129) + 275 == 3_001_963


def test_no_value_fits_exits_1(run_cli: RunCli) -> None:
    result = run_cli("solve", "Embedding(20000, 128) | LSTM(?) | Dense(1)", "--max-params", "1M")
    assert result.code == 1
    assert result.out.splitlines() == [
        "no value fits --max-params 1,000,000",
        "  the smallest candidate, LSTM units = 1, needs 2,560,522 params (9.77 MB at float32):"
        " 1,560,522 params over --max-params",
    ]
    doc = json.loads(run_cli("solve", "Embedding(20000, 128) | LSTM(?)", "--max-params", "1M", "--format", "json").out)
    assert doc["value"] is None
    assert doc["next"]["value"] == 1
    assert doc["next"]["fits"] is False


def test_multiple_of_min_and_max_from_the_command_line(run_cli: RunCli) -> None:
    spec = "Embedding(20000, 128) | LSTM(?) | Dense(1)"
    doc = json.loads(run_cli("solve", spec, "--max-params", "3M", "--multiple-of", "8", "--format", "json").out)
    assert (doc["value"], doc["next"]["value"], doc["search"]["multiple_of"]) == (272, 280, 8)
    capped = run_cli("solve", spec, "--max-params", "3M", "--max", "100")
    assert capped.out.splitlines()[0] == "LSTM units = 100"
    assert "next: 101 is above --max 100" in capped.out
    floor = json.loads(run_cli("solve", spec, "--max-params", "3M", "--min", "300", "--format", "json").out)
    assert floor["value"] is None


def test_json_document(run_cli: RunCli) -> None:
    result = run_cli(
        "solve",
        "Embedding(20000, 128) | LSTM(?) | Dense(1)",
        "--max-bytes",
        "10MB",
        "--dtype",
        "float32",
        "--format",
        "json",
    )
    assert result.code == 0
    doc = json.loads(result.out)
    assert doc["schema"] == 1
    assert doc["command"] == "solve"
    assert doc["placeholder"] == {
        "layer": 2,
        "name": None,
        "class": "LSTM",
        "argument": "units",
        "location": "<inline>:col 30",
    }
    assert doc["budget"]["max_bytes"] == 10 * 1024**2
    assert doc["value"] == 75
    assert doc["bytes"] <= 10 * 1024**2 < doc["next"]["bytes"]
    assert doc["headroom"] == {"bytes": 10 * 1024**2 - doc["bytes"]}
    assert doc["search"]["method"] == "search"
    assert doc["search"]["monotone"] is True
    assert doc["search"]["evaluations"] < 30


def test_yaml_spec_budget_is_used_and_flags_override(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text('budget: {max_params: 1000}\ninput: [10]\nlayers:\n  - Dense: "?"\n  - Dense: 1\n')
    assert run_cli("solve", str(path)).out.splitlines()[0] == "Dense units = 83"  # 11n + n + 1 <= 1000
    assert run_cli("solve", str(path), "--max-params", "100").out.splitlines()[0] == "Dense units = 8"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Dense(4, input_shape=(3,))", "--max-params", "10"], "the spec has no '?' placeholder"),
        (["Input(shape=(3,)) | Dense(?) | Dense(?)", "--max-params", "10"], "the spec has 2 '?' placeholders"),
        (["Input(shape=(3,)) | Dense(?)"], "solve needs a budget"),
        (["Input(shape=(3,)) | Dense(?)", "--max-params", "1.5X"], "unknown suffix 'X'"),
        (
            ["Input(shape=(3,)) | Dense(?)", "--max-params", "99", "--min", "9", "--max", "3"],
            "--max 3 is below --min 9",
        ),
        (
            ["Input(shape=(3,)) | Dense(?)", "--max-params", "99", "--min", "9", "--max", "11", "--multiple-of", "8"],
            "no multiple of 8",
        ),
        (
            ["Input(shape=(3,)) | Dense(?)", "--max-params", "99", "--min", "0"],
            "'units' must be positive, got 0 (with Dense units = 0)",
        ),
        (["Input(shape=(3,)) | Dense(4, seed=?)", "--max-params", "99"], "unknown argument 'seed' for Dense"),
        (["Input(shape=(3, 4)) | LSTM(4, seed=?)", "--max-params", "1000"], "the total does not grow with '?'"),
        (["Input(shape=(3,)) | ?", "--max-params", "99"], "'?' cannot stand for a layer"),
    ],
)
def test_bad_solve_input_exits_2(run_cli: RunCli, args: list[str], message: str) -> None:
    result = run_cli("solve", *args)
    assert result.code == 2, result.out
    assert result.out == ""
    assert message in result.err


def test_a_value_that_makes_the_spec_invalid_counts_as_not_fitting(run_cli: RunCli) -> None:
    result = run_cli("solve", "Input(shape=(4,)) | Dense(3) | Dropout(?)", "--max-params", "1000")
    assert result.code == 0
    assert result.out.splitlines()[0] == "Dropout rate = 1"
    assert "next: Dropout rate = 2 is not valid: layer 2 'dropout' (Dropout): 'rate' must be between" in result.out


def test_other_commands_refuse_a_placeholder(run_cli: RunCli) -> None:
    result = run_cli("summary", "Input(shape=(3,)) | Dense(?)")
    assert result.code == 2
    assert "'units' is the placeholder '?', which only 'paramcalc solve' fills in" in result.err


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("LSTM(?)", [("LSTM", "units", "<inline>:col 6")]),
        ("Dense(units=?)", [("Dense", "units", "<inline>:col 13")]),
        ("Input(shape=(3, 4)) | Dense(4, name='a?') | Dense(?)", [("Dense", "units", "<inline>:col 51")]),
        ("Dense(4) | Dense(2, kernel_size=(?, 3))", [("Dense", "kernel_size[0]", "<inline>:col 34")]),
    ],
)
def test_inline_placeholders_are_found_where_a_value_is_expected(text: str, where: list[tuple[str, str, str]]) -> None:
    sites = find_placeholders(parse_inline(text))
    assert [(s.class_name, s.argument, str(s.placeholder.location)) for s in sites] == where


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Dense(4) | ?", "'?' cannot stand for a layer; it replaces a value"),
        ("?(4)", "'?' cannot stand for a layer"),
        ("layers.?(4)", "'?' cannot stand for a layer name"),
        ("Dense(?5)", "'?' must stand alone"),
        ("Dense(? + 1)", "'?' must stand alone"),
        ("Dense({?: 1})", "'?' cannot stand for a key"),
        ("Dense(_)", "'_' is not a value"),
        ("Dense(5?)", "invalid decimal literal"),
    ],
)
def test_a_question_mark_anywhere_else_is_an_error(text: str, message: str) -> None:
    with pytest.raises(SpecError, match=r"invalid inline spec: .*" + message.replace("(", r"\(").replace("+", r"\+")):
        parse_inline(text)


def test_a_quoted_question_mark_stays_a_string() -> None:
    (layer,) = parse_inline("Dense('?', name='x?')").layers
    assert layer.args == ("?",)
    assert layer.name == "x?"


def test_yaml_placeholders_carry_their_own_line_and_repeat_copies_share_one() -> None:
    text = 'input: [4]\nlayers:\n  - Dense: 2\n  - Repeat:\n      times: 2\n      layers:\n        - Dense:\n            units: "?"\n'
    model = parse_text(text.encode(), "r.yaml")
    values = [layer.kwargs.get("units") for layer in model.layers]
    assert isinstance(values[1], Placeholder)
    assert values[1] == values[2]
    (site,) = find_placeholders(model)
    assert str(site.placeholder.location) == "r.yaml:8"


def test_unquoted_yaml_question_mark_gets_a_hint(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text("input: [4]\nlayers:\n  - Dense: ?\n")
    result = run_cli("solve", str(path), "--max-params", "100")
    assert result.code == 2
    assert 'quote a placeholder: units: "?"' in result.err


def synthetic(totals: dict[int, int | None]) -> tuple[ModelSpec, object]:
    """A one-layer model whose total at each value is given (None: invalid), to exercise the search."""
    model = parse_inline("Dense(?)")

    def count(spec: ModelSpec) -> Report:
        value = spec.layers[0].args[0]
        total = totals.get(value)
        if total is None:
            raise UsageError(f"invalid at {value}")
        row = LayerRow("dense", "Dense", ((1,),), (Term("W", "kernel", (total,)),) if total else ())
        return Report("m", "keras", (row,))

    return model, count


def test_non_monotone_totals_fall_back_to_counting_every_candidate() -> None:
    totals: dict[int, int | None] = {v: (v - 10) ** 2 + 5 for v in range(1, 41)}  # dips around 10
    model, count = synthetic(totals)
    solution = solve(model, Budget(max_params=50), Search(1, 40, 1), count)  # type: ignore[arg-type]
    assert solution.value == 16  # (16 - 10)² + 5 = 41 <= 50 < (17 - 10)² + 5
    assert solution.method == "scan"
    assert not solution.monotone
    assert solution.next is not None
    assert solution.next.value == 17
    assert "not monotone" in solution.notes[0]


def test_a_total_that_dips_then_rises_is_found_when_the_first_value_fits() -> None:
    totals: dict[int, int | None] = {1: 10, 2: 30, 3: 5, 4: 6, 5: 40, 6: 7, 7: 100, 8: 100}
    model, count = synthetic(totals)
    solution = solve(model, Budget(max_params=20), Search(1, 8, 1), count)  # type: ignore[arg-type]
    assert solution.value == 6
    assert solution.method == "scan"


def test_values_that_turn_invalid_then_valid_again_are_rescanned() -> None:
    totals: dict[int, int | None] = {1: 1, 2: 2, 3: None, 4: 4, 5: 5, 6: 60}
    model, count = synthetic(totals)
    solution = solve(model, Budget(max_params=10), Search(1, 6, 1), count)  # type: ignore[arg-type]
    assert solution.value == 5


def test_too_many_candidates_keep_the_search_answer_with_a_note() -> None:
    totals: dict[int, int | None] = {v: 100 - v if v < 50 else v for v in range(1, 100_001)}
    model, count = synthetic(totals)
    solution = solve(model, Budget(max_params=10_000), Search(1, 100_000, 1), count)  # type: ignore[arg-type]
    assert solution.method == "search"
    assert solution.value == 10_000
    assert "too many to count" in solution.notes[0]
