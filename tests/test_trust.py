"""Trust under attack (issue 11): odd input never gives a wrong answer with exit 0.

Each class of the issue has properties here, drawn by hypothesis, and hostile cases in
``tests/bad_specs/cases.yaml``: YAML 1.1 number forms, weights too large for any
framework, mixture-of-experts routing more experts than exist, dtype policies Keras cannot
load.  Every property would fail on the code before the fix.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import SPECS, RunCli
from hypothesis import given
from hypothesis import strategies as st

from paramcalc.cli import main
from paramcalc.engine import analyze
from paramcalc.errors import ParamcalcError
from paramcalc.spec import parse_text

MAX = 2**63 - 1


def _run(*argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process (hypothesis examples cannot use function-scoped fixtures)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _yaml_total(units: str, features: str = "4") -> int:
    text = f"input: [{features}]\nlayers:\n  - Dense: {units}\n"
    return analyze(parse_text(text.encode(), "t.yaml")).total


def _refusal(text: str) -> str:
    with pytest.raises(ParamcalcError) as info:
        analyze(parse_text(text.encode(), "t.yaml"))
    return info.value.render()


@given(st.integers(1, 10**6))
def test_yaml_sizes_in_hex_binary_and_underscores_mean_what_python_means(n: int) -> None:
    expected = 4 * n + n
    assert _yaml_total(str(n)) == expected
    assert _yaml_total(hex(n)) == expected
    assert _yaml_total(bin(n)) == expected
    assert _yaml_total(f"{n:_}") == expected
    assert _yaml_total(f"+{n}") == expected


@given(st.integers(0, 10**6), st.sampled_from(["0", "00", "0_", "+0", "-0"]))
def test_yaml_size_with_a_leading_zero_is_refused_with_its_line_never_read_as_octal(n: int, prefix: str) -> None:
    written = f"{prefix}{n}"
    error = _refusal(f"input: [4]\nlayers:\n  - Dense: {written}\n")
    assert error.startswith(f"t.yaml:3: '{written}' has a leading zero, which YAML 1.1 reads as octal"), error


@given(st.integers(1, 10**4), st.integers(0, 59), st.booleans())
def test_yaml_sexagesimal_size_is_refused_with_its_line(hours: int, minutes: int, in_input: bool) -> None:
    written = f"{hours}:{minutes:02d}"
    text = (
        f"input: [{written}]\nlayers:\n  - Dense: 4\n" if in_input else f"input: [4]\nlayers:\n  - Dense: {written}\n"
    )
    error = _refusal(text)
    assert error.startswith(f"t.yaml:{1 if in_input else 3}: '{written}' is a base-60 number in YAML 1.1"), error


@given(st.integers(1, 10**4), st.integers(0, 59))
def test_yaml_sexagesimal_float_is_refused_with_its_line(hours: int, minutes: int) -> None:
    written = f"{hours}:{minutes:02d}.5"
    error = _refusal(f"input: [4]\nlayers:\n  - Dense: 4\n  - Dropout: {written}\n")
    assert error.startswith(f"t.yaml:4: '{written}' is a base-60 number in YAML 1.1"), error


def test_yaml_12_directive_does_not_change_how_sizes_are_read() -> None:
    assert _yaml_total("10") == 50
    error = _refusal("%YAML 1.2\n---\ninput: [4]\nlayers:\n  - Dense: 010\n")
    assert error.startswith("t.yaml:5: '010' has a leading zero"), error
    quoted = _refusal("input: [4]\nlayers:\n  - Dense: '010'\n")
    assert "'units' must be an integer" in quoted  # quoted text is a string, never a number


def test_yaml_decimal_floats_with_a_leading_zero_stay_floats() -> None:
    text = "input: [4]\nlayers:\n  - Dense: 4\n  - Dropout: 00.5\n"
    assert analyze(parse_text(text.encode(), "t.yaml")).total == 20


@given(st.integers(1, MAX), st.integers(1, MAX))
def test_a_weight_over_2_pow_63_elements_is_refused_and_any_other_is_counted(m: int, n: int) -> None:
    text = f"input: [{m}]\nlayers:\n  - Dense: {{units: {n}, use_bias: false}}\n"
    if m * n > MAX:
        error = _refusal(text)
        assert "weight 'kernel'" in error
        assert "more than 2**63 - 1" in error
    else:
        assert analyze(parse_text(text.encode(), "t.yaml")).total == m * n


@given(st.integers(1, 9), st.integers(1, 20))
def test_moe_active_parameters_never_exceed_the_total(experts: int, top_k: int) -> None:
    config = {
        "architectures": ["MixtralForCausalLM"],
        "model_type": "mixtral",
        "hidden_size": 16,
        "intermediate_size": 24,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "num_hidden_layers": 2,
        "vocab_size": 50,
        "num_local_experts": experts,
        "num_experts_per_tok": top_k,
    }
    report = analyze(parse_text(json.dumps(config).encode(), "config.json"))
    assert report.active <= report.total
    noted = any("exceeds the" in note for note in report.notes)
    assert noted == (top_k > experts)
    if top_k >= experts:
        assert report.active == report.total


@pytest.mark.parametrize(
    ("policy", "error"),
    [
        ({"class_name": "EvilPolicy", "config": {"name": "float32"}}, "unknown dtype policy class 'EvilPolicy'"),
        ({"class_name": "QuantizedDTypePolicy", "config": {"name": "float32"}}, "is not supported"),
        ({"class_name": 7, "config": {"name": "float32"}}, "unknown dtype policy class 7"),
    ],
)
def test_keras_json_dtype_policy_class_keras_cannot_load_is_refused(policy: dict[str, object], error: str) -> None:
    layer = {"class_name": "Dense", "config": {"units": 2, "name": "d", "dtype": {"module": "keras", **policy}}}
    model = {
        "class_name": "Sequential",
        "config": {
            "name": "s",
            "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [None, 4], "name": "i"}}, layer],
        },
    }
    with pytest.raises(ParamcalcError) as info:
        analyze(parse_text(json.dumps(model).encode(), "m.json"))
    assert error in info.value.render()
    layer["config"]["dtype"] = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}  # type: ignore[index]
    assert analyze(parse_text(json.dumps(model).encode(), "m.json")).total == 10


def _brute_force_kernel(budget: int, size: int) -> int | None:
    """The largest kernel size of ``Conv2D(4, k) | Flatten | Dense(3)`` on size×size×1 within budget, counted one by one."""
    best = None
    for k in range(1, size + 1):
        total = analyze(parse_text(_kernel_spec(size, str(k)).encode(), "k.yaml")).total
        if total <= budget:
            best = k
    return best


def _kernel_spec(size: int, kernel: str) -> str:
    return f"input: [{size}, {size}, 1]\nlayers:\n  - Conv2D: {{filters: 4, kernel_size: {kernel}}}\n  - Flatten\n  - Dense: 3\n"


@given(st.integers(3, 12), st.integers(10, 3000))
def test_solve_without_max_finds_the_range_from_shape_constraints_never_claims_nothing_fits(
    size: int, budget: int
) -> None:
    spec = f"Input(({size}, {size}, 1)) | Conv2D(4, kernel_size=?) | Flatten() | Dense(3)"
    code, out, err = _run("solve", spec, "--max-params", str(budget), "--format", "json")
    expected = _brute_force_kernel(budget, size)
    assert code == (1 if expected is None else 0), err
    assert json.loads(out)["value"] == expected


def test_solve_without_a_bound_on_a_shrinking_argument_says_so_with_exit_2() -> None:
    code, out, err = _run(
        "solve", "Input((28,28,1)) | Conv2D(32, 3, strides=?) | Flatten() | Dense(10)", "--max-params", "1k"
    )
    assert (code, out) == (2, "")
    assert "no shape constraint bounds the search" in err
    assert "pass --max N" in err


@given(st.integers(20, 400))
def test_solve_with_an_astronomical_budget_answers_the_largest_buildable_width(digits: int) -> None:
    code, out, err = _run("solve", "Input(4) | Dense(?)", "--max-params", f"1e{digits}", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["value"] * 4 <= MAX < (doc["value"] + 1) * 4  # the kernel (4, n) is the largest weight
    assert "more than 2**63 - 1" in doc["next"]["error"]


# --- Safe output: nothing from a spec drives the terminal or the CI log --------------------------

CONTROLS = ["\x1b", "\x07", "\x1b]0;t\x07", "\x1b[2J", "\x9b", "\r", "\x08", "\u202e", "\x00"]
SPEC = "input: [3, 8]\nbudget: {max_params: 10}\nlayers:\n  - LSTM: 4\n  - Dense: 1\n"
COMMANDS = [
    ["summary", "{a}"],
    ["summary", "{a}", "--format", "markdown", "--explain"],
    ["summary", "{a}", "--format", "json"],
    ["summary", "{a}", "--explain"],
    ["memory", "{a}"],
    ["memory", "{a}", "--format", "markdown"],
    ["diff", "{a}", "{b}"],
    ["diff", "{a}", "{b}", "--format", "markdown"],
    ["check", "{a}", "{b}"],
    ["check", "{a}", "{b}", "--format", "github"],
    ["check", "{a}", "--format", "json"],
    ["solve", "{a}"],
]


@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\t", "\r", "\x1b", "\x7f", "\x9b", "\u202e", "é"])))
def test_escaping_controls_matches_the_pattern_whatever_shortcut_it_takes(text: str) -> None:
    # escape_controls skips the regex for printable ASCII lines (a big JSON document): same result
    from paramcalc.safe_text import _CONTROL, _CONTROL_OR_NEWLINE, _escape, escape_controls

    assert escape_controls(text) == re.sub(_CONTROL, _escape, text)
    assert escape_controls(text, newlines=False) == re.sub(_CONTROL_OR_NEWLINE, _escape, text)


def _raw_controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"]


@given(st.sampled_from(CONTROLS), st.sampled_from(COMMANDS), st.booleans())
def test_no_command_puts_a_control_character_from_a_path_or_name_on_the_terminal(
    tmp_path_factory: pytest.TempPathFactory, control: str, command: list[str], in_name: bool
) -> None:
    folder = tmp_path_factory.mktemp("ctl")
    if control == "\x00":  # no file name holds a NUL: put it in the spec's name instead
        in_name = True
    a = folder / ("a.yaml" if in_name else f"a{control}.yaml")
    b = folder / f"b{control if not in_name else ''}.yaml"
    name = json.dumps(f"m{control}")
    a.write_text((f"name: {name}\n" if in_name else "") + SPEC, encoding="utf-8")
    b.write_text(SPEC.replace("LSTM: 4", "LSTM: 5"), encoding="utf-8")
    argv = [word.format(a=a, b=b) for word in command]
    code, out, err = _run(*argv)
    assert code in (0, 1, 2), err
    assert _raw_controls(out) == []
    assert _raw_controls(err) == []
    assert "internal error" not in err


@pytest.mark.parametrize("evil", ["x\n::error::pwned.yaml", "::warning::y.yaml", "z\r\n::add-mask::q.yaml"])
def test_check_github_lines_never_start_a_workflow_command_from_a_path(tmp_path: Path, evil: str) -> None:
    ok = tmp_path / evil
    ok.write_text("input: [4]\nbudget: {max_params: 100}\nlayers:\n  - Dense: 2\n", encoding="utf-8")
    over = tmp_path / f"over{evil}"
    over.write_text("input: [4]\nbudget: {max_params: 1}\nlayers:\n  - Dense: 2\n", encoding="utf-8")
    bad = tmp_path / f"bad{evil}"
    bad.write_text("input: [4]\nlayers:\n  - Dense: 010\n", encoding="utf-8")
    nobudget = tmp_path / f"nob{evil}"
    nobudget.write_text("input: [4]\nlayers:\n  - Dense: 2\n", encoding="utf-8")
    code, out, err = _run("check", str(ok), str(over), str(bad), str(nobudget), "--format", "github")
    assert code == 2
    lines = (out + err).splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == 2  # one annotation for the spec over budget, one for the invalid spec
    assert all(line.startswith("::error file=") for line in commands), commands
    assert len(lines) == 6  # ok, over, invalid (annotation + stderr line), no budget, the summary


def _subprocess(*argv: str, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "paramcalc", *argv], capture_output=True, text=True, env=full, timeout=60, **kwargs
    )


ENCODED_COMMANDS = [
    ["summary", "{specs}/lstm.yaml", "--explain"],
    ["summary", "{specs}/lstm.yaml", "--format", "markdown"],
    ["explain", "lstm", "32", "--input", "10000", "--compare"],
    ["explain", "lstm", "32", "--input", "10000", "--format", "latex"],
    ["diff", "{specs}/simple_rnn.yaml", "{specs}/lstm.yaml"],
    ["diff", "{specs}/simple_rnn.yaml", "{specs}/lstm.yaml", "--format", "markdown"],
    ["memory", "{specs}/lstm.yaml"],
    ["layers", "--framework", "pytorch"],
    ["solve", "Input(4) | Dense(?)", "--max-params", "100"],
    ["check", "{specs}/lstm.yaml", "--max-params", "1"],
]


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
@pytest.mark.parametrize("command", ENCODED_COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_every_command_prints_with_ascii_fallbacks_when_stdout_cannot_encode_unicode(
    command: list[str], encoding: str
) -> None:
    argv = [word.replace("{specs}", str(SPECS)) for word in command]
    result = _subprocess(*argv, env={"PYTHONIOENCODING": encoding}, encoding=encoding)
    assert result.returncode in (0, 1), result.stderr
    assert "internal error" not in result.stderr
    assert result.stdout.strip()
    if encoding == "ascii":
        assert result.stdout.isascii()


# --- Inputs that should just work -------------------------------------------------------------


def test_pipes_process_substitution_dev_stdin_and_fifos_read_like_files(tmp_path: Path) -> None:
    lstm = (SPECS / "lstm.yaml").read_text(encoding="utf-8")
    piped = _subprocess("summary", "/dev/stdin", "--format", "json", input=lstm)
    assert json.loads(piped.stdout)["total"] == 1_284_257
    script = f"{sys.executable} -m paramcalc diff <(cat {SPECS / 'lstm.yaml'}) {SPECS / 'lstm.yaml'} --format json"
    substituted = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert substituted.returncode == 0, substituted.stderr
    assert json.loads(substituted.stdout)["a"]["total"] == 1_284_257
    fifo = tmp_path / "spec.fifo"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"cat {SPECS / 'lstm.yaml'} > {fifo}"])
    try:
        from_fifo = _subprocess("summary", str(fifo), "--format", "json")
    finally:
        writer.wait(timeout=30)
    assert json.loads(from_fifo.stdout)["total"] == 1_284_257


def test_devices_loops_and_missing_paths_are_named_in_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    cases = {
        "/dev/zero": "/dev/zero: not a regular file (a character device)",
        "/dev/null": "/dev/null: not a regular file (a character device)",
        str(tmp_path / "a"): f"{tmp_path / 'a'}: symlink loop",
        "models/none.yaml": "models/none.yaml: no such file",
        "none.json": "none.json: no such file",
    }
    for argument, error in cases.items():
        result = run_cli("summary", argument)
        assert result.code == 2
        assert result.err.startswith(f"paramcalc: error: {error}"), result.err
        assert result.err.count("\n") == 1


def test_a_closed_stdout_pipe_is_not_reported_as_over_budget(tmp_path: Path) -> None:
    spec = tmp_path / "wide.yaml"
    spec.write_text("input: [8]\nlayers:\n" + "  - Dense: 8\n" * 3000, encoding="utf-8")
    small = tmp_path / "small.yaml"
    small.write_text("input: [8]\nlayers:\n  - Dense: 8\n", encoding="utf-8")
    over_budget = ["check", *[str(small)] * 200, "--max-params", "1"]
    for argv in (over_budget, ["summary", str(spec), "--format", "json"]):
        errors = tmp_path / "stderr.txt"
        with errors.open("wb") as sink:
            process = subprocess.Popen([sys.executable, "-m", "paramcalc", *argv], stdout=subprocess.PIPE, stderr=sink)
            assert process.stdout is not None
            process.stdout.close()  # before paramcalc writes: its first write meets a closed pipe
            assert process.wait(timeout=60) == 141
        assert errors.read_bytes() == b""


# --- Bounded time and memory ---------------------------------------------------------------------


def test_table_folds_a_long_run_of_identical_layers_as_the_hf_summary_does(run_cli: RunCli) -> None:
    spec = "Input((8,)) | " + " | ".join(["Dense(8)"] * 150) + " | Dense(1)"
    table = run_cli("summary", spec)
    assert table.code == 0, table.err
    assert "dense to dense_149 (Dense × 150)" in table.out
    assert "(72 each)" in table.out
    total = json.loads(run_cli("summary", spec, "--format", "json").out)["total"]
    assert f"Total params: {total:,} (" in table.out
    assert table.out.count("(Dense") == 2  # the folded run and the last layer


def test_short_tables_never_fold(run_cli: RunCli) -> None:
    spec = "Input((8,)) | " + " | ".join(["Dense(8)"] * 99)
    assert "dense_98 (Dense)" in run_cli("summary", spec).out


def test_a_table_past_the_row_cap_is_refused_in_one_line_and_json_still_answers(
    run_cli: RunCli, tmp_path: Path
) -> None:
    spec = tmp_path / "zigzag.yaml"
    spec.write_text("input: [8]\nlayers:\n" + "  - Dense: 8\n  - Dense: 9\n  - Dense: 8\n" * 350, encoding="utf-8")
    table = run_cli("summary", str(spec))
    assert table.code == 2
    assert table.out == ""
    assert table.err.startswith("paramcalc: error: the table would draw 1,050 rows, more than 1,000")
    assert json.loads(run_cli("summary", str(spec), "--format", "json").out)["total"] > 0


def _quadratic_match(names_a: list[str], names_b: list[str], classes_a: list[str], classes_b: list[str]) -> Any:
    """The matching as it was written before it was made linear (the reference)."""
    from paramcalc.diff import _gaps

    index_b = {name: j for j, name in enumerate(names_b)}
    pair_of = {i: index_b[name] for i, name in enumerate(names_a) if name in index_b}
    gaps_b = _gaps(len(names_b), set(pair_of.values()))
    for gap, left_a in _gaps(len(names_a), set(pair_of)).items():
        left_b = gaps_b.get(gap, [])
        for i in list(left_a):
            j = next((j for j in left_b if classes_b[j] == classes_a[i]), None)
            if j is not None:
                pair_of[i] = j
                left_a.remove(i)
                left_b.remove(j)
        if len(left_a) == len(left_b):
            pair_of.update(zip(left_a, left_b, strict=True))
    return pair_of


@given(
    st.lists(st.tuples(st.sampled_from("abcdef"), st.sampled_from("XYZ")), max_size=12),
    st.lists(st.tuples(st.sampled_from("abcdefgh"), st.sampled_from("XYZ")), max_size=12),
)
def test_linear_diff_matching_pairs_layers_as_the_quadratic_one_did(
    a: list[tuple[str, str]], b: list[tuple[str, str]]
) -> None:
    from paramcalc.diff import match_layers
    from paramcalc.report import LayerRow, Term

    def rows(items: list[tuple[str, str]]) -> list[LayerRow]:
        seen: set[str] = set()
        out = []
        for name, cls in items:
            if name in seen:
                continue
            seen.add(name)
            out.append(LayerRow(name=name, class_name=cls, outputs=((4,),), terms=(Term("W", "kernel", (4, 4)),)))
        return out

    rows_a, rows_b = rows(a), rows(b)
    got = {i: j for i, j, how in match_layers(rows_a, rows_b) if i is not None and j is not None}
    expected = _quadratic_match(
        [r.name for r in rows_a],
        [r.name for r in rows_b],
        [r.class_name for r in rows_a],
        [r.class_name for r in rows_b],
    )
    assert got == expected


def test_diff_matching_is_linear_on_ten_thousand_unrelated_layers() -> None:
    import time

    from paramcalc.diff import match_layers
    from paramcalc.report import LayerRow

    rows_a = [LayerRow(name=f"a{i}", class_name="Dense", outputs=((4,),), terms=()) for i in range(10_000)]
    rows_b = [LayerRow(name=f"b{i}", class_name="Dense", outputs=((4,),), terms=()) for i in range(10_000)]
    start = time.perf_counter()
    pairs = match_layers(rows_a, rows_b)
    assert time.perf_counter() - start < 1.0  # the quadratic matching took about 10 s
    assert len(pairs) == 10_000


def test_solve_refuses_a_model_too_big_to_count_once_per_candidate(run_cli: RunCli, tmp_path: Path) -> None:
    spec = tmp_path / "deep.yaml"
    spec.write_text('input: [8]\nlayers:\n  - Repeat: {times: 2001, layers: [{Dense: "?"}]}\n', encoding="utf-8")
    result = run_cli("solve", str(spec), "--max-params", "1G")
    assert result.code == 2
    assert "2,001 layers is more than 2,000" in result.err


CHANNELS_FIRST = [
    ("conv1d", ["8", "3"], 2),
    ("conv2d", ["8", "3"], 3),
    ("conv3d", ["8", "3"], 4),
    ("convtranspose1d", ["8", "3"], 2),
    ("convtranspose2d", ["8", "3"], 3),
    ("convtranspose3d", ["8", "3"], 4),
    ("batchnorm2d", [], 3),
    ("batchnorm3d", [], 4),
    ("instancenorm1d", [], 2),
    ("instancenorm2d", [], 3),
    ("instancenorm3d", [], 4),
    ("groupnorm", ["2"], 2),
]


COMPARED = {"conv1d", "conv2d", "conv3d"}
"""The channels-first modules ``explain --compare`` pairs with a Keras layer."""


@pytest.mark.parametrize(("module", "words", "rank"), CHANNELS_FIRST)
@given(channels=st.integers(1, 64).map(lambda c: 2 * c))
def test_explain_pytorch_shows_channels_first_shapes(module: str, words: list[str], rank: int, channels: int) -> None:
    code, out, err = _run("explain", module, *words, "--input", str(channels), "--framework", "pytorch")
    assert code == 0, err
    shown = out.splitlines()[0].split(": input ")[1].split(" → ")[0]
    assert shown == "(None, " + ", ".join([str(channels)] + ["None"] * (rank - 1)) + ")", shown
    if module in COMPARED:
        code, text, err = _run("explain", module, *words, "--input", str(channels), "--compare")
        assert code == 0, err
        torch_input = next(line for line in text.splitlines() if line.lstrip().startswith("input")).split(")")[1]
        assert f"(None, {channels}," in torch_input


@given(st.integers(1, 40))
def test_solve_without_max_finds_scattered_valid_values(channels: int) -> None:
    code, out, err = _run(
        "solve", f"Input(shape=({channels},)) | GroupNormalization(groups=?)", "--max-params", "1M", "--format", "json"
    )
    assert code == 0, err
    assert json.loads(out)["value"] == channels  # the largest divisor of the channels is the channels


# --- Terminal width ------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    """A captured stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@given(st.integers(40, 120), st.sampled_from(["pytorch_lstm.yaml", "lstm.yaml", "stacked_rnn.yaml"]))
def test_tables_fit_the_terminal_and_never_split_a_number(columns: int, spec: str) -> None:
    import os

    from paramcalc.render.summary_text import params_text
    from paramcalc.render.table import print_table
    from paramcalc.spec import load_spec

    report = analyze(load_spec(str(SPECS / spec)))
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(columns)
    try:
        screen = _Terminal()
        print_table(report, screen, explain=True)
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved
    shown = re.sub(r"\x1b\[[0-9;]*m", "", screen.getvalue())  # rich styles a terminal's text
    assert [line for line in shown.splitlines() if len(line) > columns] == []
    for row in report.layers:
        assert params_text(row).split("\n")[0] in shown


def test_piped_tables_keep_keras_width_whatever_columns_says(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    wide = run_cli("summary", str(SPECS / "lstm.yaml")).out
    monkeypatch.setenv("COLUMNS", "50")
    assert run_cli("summary", str(SPECS / "lstm.yaml")).out == wide
    assert max(len(line) for line in wide.splitlines()) == 88


@given(st.integers(40, 100))
def test_prose_wraps_at_words_on_a_terminal_and_not_in_a_pipe(columns: int) -> None:
    import os

    from paramcalc.terminal import wrap_prose

    text = _run("explain", "lstm", "32", "--input", "10000")[1]
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(columns)
    try:
        wrapped = wrap_prose(text, _Terminal())
        piped = wrap_prose(text, io.StringIO())
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved
    assert piped == text
    assert wrapped.split() == text.split()  # the same words, none broken
    long_words = max(len(word) for word in text.split())
    assert all(len(line) <= max(columns, long_words + 6) for line in wrapped.splitlines())


@given(st.integers(1, 1000))
def test_solve_never_says_the_total_does_not_grow_when_it_does(features: int) -> None:
    spec = f"Input({features}) | Dense(?, use_bias=False)"
    code, out, err = _run("solve", spec, "--max-params", "1e300", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["value"] == MAX // features  # the largest kernel a framework can hold
