"""`paramcalc check`: exact suffixes, budgets from the spec and flags, exit codes, output formats."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SPECS, RunCli

from paramcalc.budget import Budget, budget_from_spec, parse_count, parse_size, resolve_budget
from paramcalc.errors import SpecError, UsageError
from paramcalc.render.github import annotation, escape_data, escape_property
from paramcalc.spec import parse_text

LSTM = str(SPECS / "lstm.yaml")  # 1,284,257 params, budget: {max_params: 2000000} on line 3
LSTM_TOTAL = 1_284_257
ANNOTATION = re.compile(r"::error (?:file=[^,:]+(?:,line=\d+)?,)?title=[^:,]+::[^\r\n]*\Z")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.5M", 1_500_000),
        ("1.5m", 1_500_000),
        ("2G", 2_000_000_000),
        ("7B", 7_000_000_000),
        ("500k", 500_000),
        ("500K", 500_000),
        ("1_000_000", 1_000_000),
        ("1,000,000", 1_000_000),
        ("1e6", 1_000_000),
        ("2.5e3k", 2_500_000),
        ("0.000001T", 1_000_000),
        ("123456789123456789", 123_456_789_123_456_789),
        ("0", 0),
        (" 42 ", 42),
    ],
)
def test_counts_are_read_exactly(text: str, value: int) -> None:
    assert parse_count(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("8MB", 8 * 1024**2),
        ("8MiB", 8 * 1024**2),
        ("8mb", 8 * 1024**2),
        ("1.5GiB", 1_610_612_736),
        ("1.5GB", 1_610_612_736),
        ("512KiB", 524_288),
        ("512KB", 524_288),
        ("2TB", 2 * 1024**4),
        ("1000", 1000),
        ("1000B", 1000),
        ("0.5KB", 512),
    ],
)
def test_sizes_use_1024_steps_as_keras_prints_them(text: str, value: int) -> None:
    assert parse_size(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.5X", "unknown suffix 'X'"),
        ("10Mi", "unknown suffix 'Mi'"),
        ("8MB", "looks like a size, not a parameter count"),
        ("1.0000005M", "is not a whole number (1,000,000.5)"),
        ("0.5", "is not a whole number"),
        ("-3", "is not a parameter count"),
        ("1,5M", "is not a parameter count"),
        ("1,00,000", "is not a parameter count"),
        ("1__000", "is not a parameter count"),
        ("", "is not a parameter count"),
        ("M", "is not a parameter count"),
        ("1 000", "is not a parameter count"),
    ],
)
def test_bad_counts_are_refused(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        parse_count(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [("1.5M", "looks like a count, not a size"), ("8XB", "unknown suffix 'XB'"), ("0.3KB", "not a whole number")],
)
def test_bad_sizes_are_refused(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        parse_size(text)


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--max-params", "1.5X"), ("--max-params", "8MB"), ("--max-bytes", "8XB"), ("--max-params", "-1")],
)
def test_bad_flag_values_exit_2_with_one_line_and_no_stdout(run_cli: RunCli, flag: str, value: str) -> None:
    result = run_cli("check", LSTM, flag, value)
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert f"Invalid value for '{flag}'" in result.err


def spec(text: str, name: str = "m.yaml") -> object:
    return parse_text(text.encode(), name)


def test_budget_from_spec_accepts_numbers_suffixes_and_dtype() -> None:
    model = spec("budget:\n  max_params: 1.5M\n  max_bytes: 8MB\n  dtype: bf16\nlayers: [Dense]\n")
    budget = budget_from_spec(model)  # type: ignore[arg-type]
    assert (budget.max_params, budget.max_bytes, budget.dtype) == (1_500_000, 8 * 1024**2, "bfloat16")
    assert budget.from_spec == {"max_params", "max_bytes", "dtype"}
    assert budget.location is not None
    assert budget.location.line == 2


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        ("{max_parms: 3}", "unknown budget key 'max_parms' — did you mean 'max_params'?"),
        ("{max_params: 1.5X}", "budget unknown suffix 'X' in '1.5X'"),
        ("{max_params: -4}", "budget 'max_params' must not be negative, got -4"),
        ("{max_params: 2.5}", "budget 'max_params' must be a whole number, got 2.5"),
        ("{max_params: true}", "budget 'max_params' must be a number, got True"),
        ("{max_bytes: 8M}", "budget '8M' looks like a count, not a size"),
        ("{dtype: float99}", "budget unknown dtype 'float99'"),
    ],
)
def test_bad_spec_budgets_name_the_budget_line(budget: str, message: str) -> None:
    model = spec(f"name: x\nbudget: {budget}\nlayers: [Dense]\n")
    with pytest.raises(SpecError) as caught:
        budget_from_spec(model)  # type: ignore[arg-type]
    assert caught.value.render().startswith(f"m.yaml:2: {message}")


def test_flags_override_the_spec_budget_field_by_field() -> None:
    model = spec("budget: {max_params: 2M, max_bytes: 8MB, dtype: float16}\nlayers: [Dense]\n")
    budget = resolve_budget(model, Budget(max_params=1000, dtype="float32"))  # type: ignore[arg-type]
    assert (budget.max_params, budget.max_bytes, budget.dtype) == (1000, 8 * 1024**2, "float32")
    assert budget.from_spec == {"max_bytes"}
    assert budget.source_of("max_params") == "--max-params"
    assert budget.source_of("max_bytes") == "max_bytes"


def test_within_budget_exits_0(run_cli: RunCli) -> None:
    result = run_cli("check", LSTM)
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == (
        f"{LSTM}: ok: 1,284,257 params within max_params 2,000,000 (headroom 715,743)"
    )
    assert result.err == ""


def test_over_budget_exits_1_with_spec_line_limit_actual_and_excess(run_cli: RunCli) -> None:
    result = run_cli("check", LSTM, "--max-params", "1M")
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        f"{LSTM}: over budget: 1,284,257 params exceed --max-params 1,000,000 by 284,257 (+28.4%)"
    )


def test_a_spec_budget_violation_points_at_the_budget_line(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(
        "name: big\n# comment\nbudget:\n  max_params: 1M\nlayers:\n  - LSTM: {units: 32, input_shape: [3, 10000]}\n"
    )
    result = run_cli("check", str(path))
    assert result.code == 1
    assert result.out.startswith(f"{path}:4: over budget: 1,284,224 params exceed max_params 1,000,000 by 284,224")


def test_each_violation_gets_its_own_line(run_cli: RunCli) -> None:
    result = run_cli("check", LSTM, "--max-params", "1M", "--max-bytes", "4MB")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0].startswith(f"{LSTM}: over budget: 1,284,257 params exceed --max-params")
    assert lines[1] == (
        f"{LSTM}: over budget: 4.90 MB (5,137,028 bytes at float32) exceed --max-bytes 4.00 MB"
        " (4,194,304 bytes) by 942,724 bytes (+22.5%)"
    )


@pytest.mark.parametrize(("dtype", "code"), [("float32", 1), ("float16", 0), ("int4", 0)])
def test_dtype_decides_the_bytes(run_cli: RunCli, dtype: str, code: int) -> None:
    assert run_cli("check", LSTM, "--max-bytes", "4MB", "--dtype", dtype).code == code


def test_budget_dtype_from_the_spec_applies_unless_a_flag_overrides(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "half.yaml"
    path.write_text(
        "budget: {max_bytes: 4MB, dtype: float16}\nlayers:\n  - LSTM: {units: 32, input_shape: [3, 10000]}\n"
    )
    assert run_cli("check", str(path)).code == 0
    assert run_cli("check", str(path), "--dtype", "float32").code == 1


def test_invalid_spec_exits_2(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("layers:\n  - Dence: 4\n")
    result = run_cli("check", str(bad), "--max-params", "1M")
    assert result.code == 2
    assert result.err == (
        f"paramcalc: error: {bad}:2: layer 1 (Dence): unknown layer 'Dence' for Keras — did you mean 'Dense'?\n"
    )


def test_many_specs_continue_past_failures_and_report_all(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("layers:\n  - Dence: 4\n")
    over = tmp_path / "over.yaml"
    over.write_text("budget: {max_params: 10}\ninput: [4]\nlayers: [{Dense: 8}]\n")
    specs = [str(bad), str(over), LSTM, str(SPECS / "simple_rnn.yaml"), "Dense(?)"]
    result = run_cli("check", *specs, "--format", "json")
    assert result.code == 2  # invalid beats over budget
    doc = json.loads(result.out)
    assert doc["schema"] == 1
    assert doc["command"] == "check"
    assert [r["status"] for r in doc["results"]] == ["error", "over", "ok", "no_budget", "error"]
    assert doc["counts"] == {"ok": 1, "over": 1, "no_budget": 1, "error": 2}
    assert doc["results"][1]["violations"] == [{"limit_name": "max_params", "limit": 10, "actual": 40, "excess": 30}]
    assert doc["results"][0]["error"]["line"] == 2
    assert len(result.err.splitlines()) == 2


def test_over_and_ok_specs_exit_1(run_cli: RunCli, tmp_path: Path) -> None:
    over = tmp_path / "over.yaml"
    over.write_text("budget: {max_params: 10}\ninput: [4]\nlayers: [{Dense: 8}]\n")
    result = run_cli("check", str(over), LSTM)
    assert result.code == 1
    assert result.out.splitlines()[-1] == "2 specs checked: 1 within budget, 1 over budget"


def test_no_budget_anywhere_is_a_usage_error_unless_allowed(run_cli: RunCli) -> None:
    simple = str(SPECS / "simple_rnn.yaml")
    result = run_cli("check", simple)
    assert result.code == 2
    assert result.out == ""
    assert "nothing to check" in result.err
    allowed = run_cli("check", simple, "--allow-no-budget")
    assert allowed.code == 0
    assert "no budget: 321,089 params" in allowed.out


def test_specs_without_budget_pass_beside_checked_ones(run_cli: RunCli) -> None:
    result = run_cli("check", *sorted(str(p) for p in SPECS.glob("*.yaml")))
    assert result.code == 0
    assert result.out.splitlines()[-1] == "8 specs checked: 2 within budget, 6 without a budget"


def test_escaping_follows_the_workflow_command_rules() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    line = annotation("x: 1,2", file="d/a,b.yaml", line=3, title="T: t")
    assert line == "::error file=d/a%2Cb.yaml,line=3,title=T%3A t::x: 1,2"


def test_github_format_annotates_the_budget_line(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("specs").mkdir()
    Path("specs/big.yaml").write_text(
        "name: big\nbudget: {max_params: 1M}\nlayers:\n  - LSTM: {units: 32, input_shape: [3, 10000]}\n"
    )
    result = run_cli("check", "specs/big.yaml", "--format", "github")
    assert result.code == 1
    first = result.out.splitlines()[0]
    assert ANNOTATION.match(first), first
    assert first == (
        "::error file=specs/big.yaml,line=2,title=Parameter budget exceeded::"
        "big: 1,284,224 params exceed max_params 1,000,000 by 284,224 (+28.4%25)"
    )


def test_github_format_points_at_the_file_when_the_limit_is_a_flag(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m.yaml").write_text("input: [4]\nlayers: [{Dense: 8}]\n")
    Path("bad.yaml").write_text("input: [4]\nlayers:\n  - Dense: 0\n")
    result = run_cli("check", "m.yaml", "bad.yaml", "Dense(4)", "--max-bytes", "16", "--format", "github")
    assert result.code == 2
    lines = result.out.splitlines()
    assert all(ANNOTATION.match(line) for line in lines[:-1]), lines
    assert lines[0].startswith("::error file=m.yaml,title=Size budget exceeded::")
    assert lines[1] == (
        "::error file=bad.yaml,line=3,title=Invalid model spec::layer 1 'dense' (Dense): 'units' must be positive, got 0"
    )
    assert lines[2].startswith("::error title=Invalid model spec::Dense(4): ")  # inline: no file to point at
    assert lines[3] == "3 specs checked: 1 over budget, 2 invalid"


def test_check_and_json_paths_never_import_rich() -> None:
    code = (
        "import sys\n"
        "from paramcalc.cli import main\n"
        "codes = [main(['check', sys.argv[1], '--format', f]) for f in ('text', 'github', 'json')]\n"
        "codes += [main(['diff', sys.argv[1], sys.argv[1], '--format', 'json'])]\n"
        "codes += [main(['solve', 'Dense(?, input_shape=(4,))', '--max-params', '100', '--format', f]) for f in ('json', 'text')]\n"
        "codes += [main(['summary', sys.argv[1], '--format', 'json'])]\n"
        "assert codes == [0, 0, 0, 0, 0, 0, 0], codes\n"
        "assert 'rich' not in sys.modules, sorted(m for m in sys.modules if m.startswith('rich'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, LSTM], capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_pre_commit_hook_manifest_runs_check_on_spec_yaml() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "paramcalc-check"
    assert hook["entry"] == "paramcalc check"
    assert hook["language"] == "python"
    files = re.compile(hook["files"])
    assert files.search("specs/lstm.yaml")
    assert files.search("models/specs/encoder.yml")
    assert not files.search(".github/workflows/ci.yml")
    assert not files.search(".pre-commit-config.yaml")


def test_pre_commit_hook_command_passes_on_this_repository_specs(run_cli: RunCli) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    argv = [*hook["entry"].split()[1:], *hook.get("args", []), *sorted(str(p) for p in SPECS.glob("*.yaml"))]
    assert run_cli(*argv).code == 0
    assert run_cli(*argv[:-3]).code == 0  # only budget-less specs touched: still fine for a hook


def _readme_yaml_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)


def test_readme_ci_and_pre_commit_examples_are_valid_and_use_real_options(run_cli: RunCli) -> None:
    blocks = [yaml.safe_load(block) for block in _readme_yaml_blocks()]
    workflow = next(b for b in blocks if isinstance(b, dict) and "jobs" in b)
    steps = workflow["jobs"]["paramcalc"]["steps"]
    check_step = next(s for s in steps if "paramcalc check" in s.get("run", ""))
    assert check_step["run"] == "paramcalc check specs/*.yaml --format github"
    assert (
        run_cli(
            *check_step["run"].split()[1:2], *sorted(str(p) for p in SPECS.glob("*.yaml")), "--format", "github"
        ).code
        == 0
    )
    configs = [b for b in blocks if isinstance(b, dict) and "repos" in b]
    hooks = [hook for config in configs for repo in config["repos"] for hook in repo["hooks"]]
    assert {hook["id"] for hook in hooks} == {"paramcalc-check"}
    local = next(hook for hook in hooks if "entry" in hook)
    assert run_cli(*local["entry"].split()[1:], str(SPECS / "simple_rnn.yaml")).code == 0


@pytest.mark.parametrize("command", ["check", "diff", "solve"])
def test_the_workflow_commands_are_documented_in_the_readme(command: str) -> None:
    from paramcalc.cli import cli

    assert command in cli.list_commands(None)  # type: ignore[arg-type]
    readme = (ROOT / "README.md").read_text()
    assert f"`paramcalc {command}" in readme
