"""Preprocessing and augmentation layers, Lambda, declared Custom layers, constant arithmetic.

The preprocessing layers themselves are compared with real Keras model by model in
``tests/golden/keras/preprocessing.json`` and ``preprocessing_tf.json`` (the lookup layers
need TensorFlow), by test_keras_corpus_complete.py (YAML) and test_keras_json.py (the
models' ``to_json()``); this file checks that the corpus covers every such rule, and the
behaviour around layers paramcalc cannot look inside.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from conftest import RunCli
from golden_keras import load_family

from paramcalc.engine import analyze
from paramcalc.errors import ParamcalcError
from paramcalc.report import Report
from paramcalc.rules import all_rules
from paramcalc.spec.inline_spec import parse_inline

DATA = Path(__file__).resolve().parent / "data"


def inline(text: str) -> Report:
    return analyze(parse_inline(text))


PREPROCESSING_FAMILIES = ("preprocessing", "preprocessing_tf", "preprocessing_more", "lookup_files")


def test_every_preprocessing_layer_is_compared_with_keras() -> None:
    ours = {
        rule.name
        for rule in all_rules("keras").values()
        if rule.fn.__module__.rsplit(".", 1)[-1].startswith("preprocessing")
    }
    seen = {
        layer["class"]
        for family in PREPROCESSING_FAMILIES
        for model in load_family(family)["models"]
        for layer in model["layers"]
    }
    assert len(ours) >= 40
    assert ours <= seen, sorted(ours - seen)
    assert load_family("preprocessing_tf")["backend"] == "tensorflow"
    assert load_family("lookup_files")["backend"] == "tensorflow"


def test_every_public_keras_layer_class_has_a_rule_or_a_stated_refusal(run_cli: RunCli) -> None:
    """keras_signatures.json lists every class of keras.layers (Keras 3.15); none is merely unknown."""
    from paramcalc.rules.keras_refused import REFUSED

    classes = json.loads((Path(__file__).resolve().parent / "golden" / "keras_signatures.json").read_text())["classes"]
    rules = all_rules("keras")
    without = sorted(name for name in classes if name not in rules)
    assert without == sorted(REFUSED)
    for name in without:
        result = run_cli("summary", f"Input(shape=(4,)) | {name}()")
        assert result.code == 2
        (line,) = result.err.strip().splitlines()
        assert f"{name} is not counted by paramcalc: it {REFUSED[name][0]}" in line
        assert "unknown layer" not in line


def test_max_num_bounding_boxes_keeps_the_image_shape() -> None:
    report = inline("Input(shape=(24, 24, 3)) | MaxNumBoundingBoxes(10, fill_value=0) | Flatten()")
    assert report.layers[0].outputs == ((24, 24, 3),)
    assert report.layers[0].params == 0


def test_lookup_vocabulary_file_is_never_read_and_its_size_is_asked_for_where_it_matters(run_cli: RunCli) -> None:
    """The golden ``lookup_files`` family: Keras built from vocab.txt saves vocabulary null and
    vocabulary_size; a spec naming the file counts in int mode and with vocabulary_size."""
    case = next(m for m in load_family("lookup_files")["models"] if m["id"] == "string_lookup_file_multi_hot")
    saved = next(e for e in case["keras_json"]["config"]["layers"] if e["class_name"] == "StringLookup")["config"]
    assert (saved["vocabulary"], saved["vocabulary_size"]) == (None, 6)
    base = "Input(shape=(4,), dtype='string') | StringLookup(vocabulary='vocab.txt'{})"
    assert inline(base.format("")).layers[0].outputs == ((4,),)  # int mode: the size does not matter
    assert inline(base.format(", output_mode='count', vocabulary_size=9")).layers[0].outputs == ((9,),)
    for extra, message in (
        (", output_mode='multi_hot', num_oov_indices=2", "the file's lines + 2 (the OOV indices)"),
        (", output_mode='tf_idf'", "does not support a vocabulary file"),
    ):
        result = run_cli("summary", base.format(extra))
        assert result.code == 2
        (line,) = result.err.strip().splitlines()
        assert "layer 1 'string_lookup' (StringLookup)" in line
        assert message in line


LOOKUP_ARCHIVES = sorted((DATA / "keras_lookup").glob("*.keras"))


@pytest.mark.parametrize("path", LOOKUP_ARCHIVES, ids=[p.stem for p in LOOKUP_ARCHIVES])
def test_keras_archive_of_a_lookup_built_from_a_file_matches_keras(path: Path) -> None:
    from golden_keras import assert_model_matches

    from paramcalc.spec import parse_text

    case = next(m for m in load_family("lookup_files")["models"] if m["id"] == path.stem)
    assert case["archive"] == f"tests/data/keras_lookup/{path.name}"
    assert_model_matches(case, analyze(parse_text(path.read_bytes(), str(path))))


def test_an_operation_made_in_a_constructor_uses_up_its_automatic_name() -> None:
    report = inline("Input(shape=(8, 8, 3)) | RandAugment() | RandomShear(x_factor=0.1) | AugMix(all_ops=False)")
    assert [row.name for row in report.layers] == ["rand_augment", "random_shear_1", "aug_mix"]
    report = inline("Input(shape=(8, 8, 3)) | RandomColorJitter(hue_factor=0.1) | RandomHue(0.1) | RandomContrast(0.1)")
    assert [row.name for row in report.layers] == ["random_color_jitter", "random_hue_1", "random_contrast"]


def test_stft_spectrogram_kernels_are_trainable_parameters() -> None:
    report = inline("Input(shape=(16000, 1)) | STFTSpectrogram()")
    assert report.total == report.trainable == 2 * 256 * 129
    assert [t.weight for t in report.layers[0].terms] == ["real_kernel", "imag_kernel"]


def test_lookup_depth_is_the_vocabulary_with_oov_and_mask() -> None:
    spec = (
        "Input(shape=(4,), dtype='string') | StringLookup(vocabulary=['a', 'b'], num_oov_indices=2, output_mode='{}')"
    )
    assert inline(spec.format("count")).layers[0].outputs == ((4,),)  # the mask counts in int mode only
    adapted = "Input(shape=(4,), dtype='int32') | IntegerLookup(output_mode='multi_hot', vocabulary_size=17)"
    assert inline(adapted).layers[0].outputs == ((17,),)  # an adapted layer's JSON keeps only the size


def test_normalization_axis_none_reads_from_keras_json_as_scalar_statistics() -> None:
    case = next(m for m in load_family("preprocessing")["models"] if m["id"] == "normalization_axis_none")
    normalization = next(e for e in case["keras_json"]["config"]["layers"] if e["class_name"] == "Normalization")
    assert normalization["config"]["axis"] == []  # how Keras saves axis=None
    assert case["layers"][0]["params"] == 3


def test_constant_arithmetic_in_inline_specs_is_folded() -> None:
    folded = inline("Input(shape=(8,)) | Rescaling(1./255) | Dense(4*32) | Dense(2**3 - 1) | Dense(-(-3))")
    plain = inline("Input(shape=(8,)) | Rescaling(0.00392156862745098) | Dense(128) | Dense(7) | Dense(3)")
    assert folded.to_dict()["layers"] == plain.to_dict()["layers"]
    assert parse_inline("Input(shape=(8,)) | Rescaling(1./255)").layers[-1].args == (1 / 255,)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("Input(shape=(4,)) | Dense(2 ** 10 ** 9)", "beyond 2**256"),
        ("Input(shape=(4,)) | Dense(10 ** 10 ** 10 // 7)", "beyond 2**256"),
        ("Input(shape=(4,)) | Dense(9 ** 9 * 9 ** 9 ** 9)", "beyond 2**256"),
        ("Input(shape=(4,)) | Dense(2.0 ** 99999)", "beyond 2**256"),
        ("Input(shape=(4,)) | Rescaling(1 % 0)", "division by zero"),
        ("Input(shape=(4,)) | Rescaling((-8) ** 0.5)", "complex"),
        ("Input(shape=(4,)) | Dense(4 << 2)", "arithmetic expression"),
        ("Input(shape=(4,)) | Dense('a' * 3)", "arithmetic expression"),
    ],
)
def test_constant_arithmetic_is_bounded_and_never_evaluated_as_code(spec: str, message: str, run_cli: RunCli) -> None:
    started = time.perf_counter()
    result = run_cli("summary", spec)
    assert time.perf_counter() - started < 3  # bounded before computing, never slow
    assert result.code == 2
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_custom_layer_declares_its_count_and_output_shape(run_cli: RunCli) -> None:
    spec = (
        "input: {shape: [200], dtype: int32}\n"
        "layers:\n"
        "  - Custom: {name: tokpos, params: 2560000, output_shape: [200, 32]}\n"
        "  - GlobalAveragePooling1D\n"
        "  - Dense: 2\n"
    )
    report = analyze(_yaml(spec))
    assert report.layers[0].name == "tokpos"
    assert report.layers[0].outputs == ((200, 32),)
    assert report.total == 2_560_000 + 66
    assert report.layers[0].class_name == "Custom"
    shown = analyze(_yaml(spec.replace("name: tokpos", "name: tokpos, class_name: TokenAndPositionEmbedding")))
    assert shown.layers[0].class_name == "TokenAndPositionEmbedding"
    split = analyze(_yaml(spec.replace("params: 2560000", "params: 2560000, non_trainable_params: 6400")))
    assert (split.trainable, split.non_trainable) == (2_553_600 + 66, 6400)
    with pytest.raises(ParamcalcError, match="does not equal"):
        analyze(_yaml(spec.replace("params: 2560000", "params: 10, trainable_params: 3, non_trainable_params: 3")))


def _yaml(text: str) -> object:
    from paramcalc.spec.yaml_spec import load_yaml

    return load_yaml(text, "spec.yaml")


def test_lambda_needs_a_stated_output_shape() -> None:
    assert inline("Input(shape=(8,)) | Lambda('f', output_shape=(2, 4))").layers[0].outputs == ((2, 4),)
    with pytest.raises(ParamcalcError, match="needs 'output_shape'"):
        inline("Input(shape=(8,)) | Lambda('f')")


def test_registered_custom_class_in_keras_json_is_named_with_a_way_forward(run_cli: RunCli) -> None:
    path = DATA / "keras_custom_layer.json"
    assert json.loads(path.read_text())["config"]["layers"][1]["registered_name"] == "MyPkg>TokPos"
    result = run_cli("summary", str(path))
    assert result.code == 2
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    assert "layer 2 'tokpos' (TokPos)" in lines[0]
    assert "registered as 'MyPkg>TokPos'" in lines[0]
    assert "Custom: {name: tokpos, params: N" in lines[0]


def test_readme_example_of_arithmetic_and_a_quantized_dense_is_true(run_cli: RunCli) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    command = next(line for line in readme.splitlines() if "Dense(4*32, dtype='int8_from_float32')" in line)
    spec = command.split('"')[1]
    result = run_cli("summary", spec)
    assert result.code == 0, result.err
    for line in ("Total params: 101,898 (104.04 KB)", "Non-trainable params: 100,480 (98.50 KB)", "100,608"):
        assert line in result.out
        assert line in readme
