"""Conventions as data: code asks a framework's record, never tests its name."""

from __future__ import annotations

import re
from pathlib import Path

from paramcalc.frameworks import BY_NAME, KERAS, PYTORCH, TRANSFORMERS, framework_of

ROOT = Path(__file__).resolve().parent.parent

NAME_TEST = re.compile(r"""framework\s*(==|!=|(not\s+)?in\s*\()[^\n]*["'](keras|pytorch|transformers|keras\.ops)["']""")

ALLOWED = {
    "paramcalc/compare.py",  # explain --compare pairs a Keras layer with its PyTorch twin: two named sides
    "paramcalc/render/comparison.py",  # the same two sides, labelled
}
"""Modules where a framework's name is the point, not a convention standing in for a field."""


def test_no_module_tests_a_framework_by_name() -> None:
    offenders = []
    for path in sorted((ROOT / "paramcalc").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED or relative == "paramcalc/frameworks.py":
            continue
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if NAME_TEST.search(text):
                offenders.append(f"{relative}:{number}: {text.strip()}")
    assert not offenders, "ask the Framework record (paramcalc/frameworks.py) instead:\n" + "\n".join(offenders)


def test_each_convention_belongs_to_the_framework_that_has_it() -> None:
    assert [f.name for f in BY_NAME.values() if f.first_layer_input] == ["keras"]
    assert [f.name for f in BY_NAME.values() if f.configs] == ["transformers"]
    assert [f.name for f in BY_NAME.values() if f.language_models] == ["transformers"]
    assert (KERAS.ops_prefix, KERAS.ops_framework) == ("keras.ops.", "keras.ops")
    assert KERAS.ops_framework in BY_NAME
    assert (TRANSFORMERS.input_rank, KERAS.input_rank, PYTORCH.input_rank) == (2, None, None)


def test_an_unknown_framework_has_no_conventions() -> None:
    other = framework_of("jax")
    assert (other.masks, other.configs, other.language_models, other.first_layer_input, other.ops_prefix) == (
        False,
        False,
        False,
        False,
        "",
    )


def test_only_keras_reads_the_input_from_the_first_layer(tmp_path: Path) -> None:
    from paramcalc.spec import load_spec

    keras = tmp_path / "keras.yaml"
    keras.write_text("layers:\n  - Dense: {units: 4, input_shape: [8]}\n", encoding="utf-8")
    assert [i.shape for i in load_spec(str(keras)).inputs] == [(8,)]
    torch = tmp_path / "torch.yaml"
    torch.write_text("framework: pytorch\nlayers:\n  - Linear: {in_features: 8, out_features: 4}\n", encoding="utf-8")
    assert load_spec(str(torch)).inputs == ()
