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

import pytest
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
