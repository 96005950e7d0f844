# ruff: noqa: E501
"""Goldens for issue 13's second round: MaxNumBoundingBoxes, lookup layers with a vocabulary
file, and quantized layers inside wrappers and nested models saved as ``.keras`` archives.

Why a generator of its own: each family needs something the others do not (a vocabulary
file on disk while the model is built, under the tensorflow backend; ``model.quantize`` then
``model.save`` of Python-built nested models), and the round-1 generators rewrite their whole
files, which must stay as they are.

Run from the repository root:

    KERAS_BACKEND=torch /work/fw/bin/python tools/keras_golden_more.py                  # preprocessing_more, quantized_nested
    KERAS_BACKEND=tensorflow /work/venvs/keraspre-tf/bin/python tools/keras_golden_more.py --only lookup_files

Writes ``tests/golden/keras/preprocessing_more.json``, ``tests/golden/keras/lookup_files.json``
(records in ``tools/keras_golden.py``'s format; the lookup ones' specs name ``vocab.txt``,
which the build reads from a temporary directory) with ``tests/data/keras_lookup/*.keras``,
and ``tests/golden/keras_quantized/quantized_nested.json`` with
``tests/data/keras_quantized_nested/<id>.keras`` (archives without their weights file:
paramcalc reads only ``config.json``). Never imported by tests.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import os
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("KERAS_HOME", "/tmp/keras_golden_home")

import keras

sys.path.insert(0, str(Path(__file__).resolve().parent))
import keras_golden as kg
import keras_golden_preprocessing as kgp
from keras_cases import INT, graph, seq

kgp.GENERATOR = "tools/keras_golden_more.py"

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = "tools/keras_golden_more.py"
LOOKUP_ARCHIVES = ROOT / "tests" / "data" / "keras_lookup"
NESTED_ARCHIVES = ROOT / "tests" / "data" / "keras_quantized_nested"
VOCAB = ["the", "cat", "sat", "on", "mat"]
"""vocab.txt: five tokens, one per line (Keras reads each whole line as a token)."""
IMG = [24, 24, 3]

# fmt: off
PREPROCESSING_MORE: list[tuple[str, dict[str, Any]]] = [
    ("max_num_bounding_boxes_images", seq(IMG, [{"MaxNumBoundingBoxes": 10}, {"Conv2D": [4, 3]}, "Flatten", {"Dense": 2}])),
    ("max_num_bounding_boxes_args", seq([3, 16, 16], [{"MaxNumBoundingBoxes": {"max_number": 4, "fill_value": 0, "data_format": "channels_first", "bounding_box_format": "xyxy"}}])),
    ("max_num_bounding_boxes_in_graph", graph({"img": IMG}, [
        {"MaxNumBoundingBoxes": {"max_number": 3, "inputs": ["img"], "name": "boxes"}},
        {"RandomFlip": {"inputs": ["boxes"], "name": "flip"}},
        {"Conv2D": {"filters": 2, "kernel_size": 3, "inputs": ["flip"], "name": "conv"}},
    ], ["conv"])),
]

LOOKUP_FILES: list[tuple[str, dict[str, Any]]] = [
    ("string_lookup_file_int", seq([4], [{"StringLookup": {"vocabulary": "vocab.txt"}}, {"Embedding": [6, 3]}], "string")),
    ("string_lookup_file_multi_hot", seq([4], [{"StringLookup": {"vocabulary": "vocab.txt", "output_mode": "multi_hot", "vocabulary_size": 6}}, {"Dense": 2}], "string")),
    ("string_lookup_file_one_hot_oov2", seq([3], [{"StringLookup": {"vocabulary": "vocab.txt", "output_mode": "one_hot", "num_oov_indices": 2, "vocabulary_size": 7}}], "string")),
    ("string_lookup_file_count_pad", seq([4], [{"StringLookup": {"vocabulary": "vocab.txt", "output_mode": "count", "max_tokens": 12, "pad_to_max_tokens": True}}], "string")),
    ("text_vectorization_file_int", seq([1], [{"TextVectorization": {"vocabulary": "vocab.txt", "output_sequence_length": 8}}, {"Embedding": [7, 4]}, "GlobalAveragePooling1D", {"Dense": 1}], "string")),
    ("text_vectorization_file_multi_hot", seq([1], [{"TextVectorization": {"vocabulary": "vocab.txt", "output_mode": "multi_hot", "vocabulary_size": 6}}, {"Dense": 2}], "string")),
]
"""Specs naming ``vocab.txt``; the multi-hot ones give ``vocabulary_size`` as Keras saves it
(the file's lines + OOV indices; TextVectorization's mask "" adds one in ``int`` mode only)."""

INT_VOCAB = ["3", "5", "7", "9"]
LOOKUP_FILES += [
    ("integer_lookup_file_multi_hot", seq([3], [{"IntegerLookup": {"vocabulary": "ints.txt", "output_mode": "multi_hot", "vocabulary_size": 5}}], INT)),
]
# fmt: on
ARCHIVED_LOOKUPS = {"string_lookup_file_multi_hot", "text_vectorization_file_int"}


def without_weights(path: Path) -> bytes:
    """The archive ``model.save`` wrote, minus ``model.weights.h5`` (paramcalc reads only
    ``config.json``; the repository stays small), with a fixed save date and file times."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist()):
            if name.endswith(".weights.h5"):
                continue
            data = source.read(name)
            if name == "metadata.json":
                meta = json.loads(data)
                meta["date_saved"] = "2026-01-01@00:00:00"
                data = json.dumps(meta).encode()
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return out.getvalue()


def build_in(tmp: str, spec: dict[str, Any]) -> Any:
    """Build with the working directory holding vocab.txt and ints.txt (the specs' relative paths)."""
    Path(tmp, "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    Path(tmp, "ints.txt").write_text("\n".join(INT_VOCAB) + "\n", encoding="utf-8")
    here = os.getcwd()
    os.chdir(tmp)
    try:
        return kg.build_model(spec)
    finally:
        os.chdir(here)


def record_lookup(case_id: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A lookup layer built from a vocabulary file; its JSON keeps only ``vocabulary_size``."""
    keras.utils.clear_session(free_memory=False)
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = build_in(tmp, spec)
        rec = kg.model_record(case_id, copy.deepcopy(spec), model, True)
        if case_id in ARCHIVED_LOOKUPS:
            LOOKUP_ARCHIVES.mkdir(parents=True, exist_ok=True)
            path = Path(tmp) / "m.keras"
            model.save(path)
            (LOOKUP_ARCHIVES / f"{case_id}.keras").write_bytes(without_weights(path))
            rec["archive"] = f"tests/data/keras_lookup/{case_id}.keras"
    return rec


def nested_functional() -> Any:
    """A Sequential holding a functional block (Dense + EinsumDense), then a Dense head."""
    x = keras.Input((6, 8))
    h = keras.layers.Dense(5, name="inner_dense")(x)
    h = keras.layers.EinsumDense("abc,cd->abd", output_shape=(6, 4), bias_axes="d", name="inner_einsum")(h)
    block = keras.Model(x, h, name="block")
    return keras.Sequential([keras.Input((6, 8)), block, keras.layers.Flatten(), keras.layers.Dense(3)], name="outer")


def shared_nested() -> Any:
    """A nested Sequential encoder called on two inputs (one row, its Dense layers quantized)."""
    enc = keras.Sequential([keras.Input((10,)), keras.layers.Dense(6), keras.layers.Dense(4)], name="enc")
    a, b = keras.Input((10,), name="a"), keras.Input((10,), name="b")
    joined = keras.layers.Concatenate()([enc(a), enc(b)])
    return keras.Model([a, b], keras.layers.Dense(1, name="head")(joined))


def wrapped() -> Any:
    """TimeDistributed(Dense) and Bidirectional(LSTM) (only the Dense is quantized)."""
    x = keras.Input((5, 7))
    h = keras.layers.TimeDistributed(keras.layers.Dense(6))(x)
    h = keras.layers.Bidirectional(keras.layers.LSTM(3, return_sequences=True))(h)
    h = keras.layers.TimeDistributed(keras.layers.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c"))(h)
    return keras.Model(x, h)


def embedding_in_nested() -> Any:
    """An Embedding inside a nested Sequential (int8/int4 only: float8 skips Embedding)."""
    inner = keras.Sequential(
        [keras.Input((4,), dtype="int32"), keras.layers.Embedding(30, 9), keras.layers.Flatten()], name="embed"
    )
    x = keras.Input((4,), dtype="int32")
    return keras.Model(x, keras.layers.Dense(2)(inner(x)))


NESTED: dict[str, Any] = {
    "nested_functional": nested_functional,
    "shared_nested": shared_nested,
    "wrapped": wrapped,
    "embedding_in_nested": embedding_in_nested,
}


def record_nested(case_id: str, make: Any, mode: str) -> dict[str, Any]:
    """Quantize a Python-built model, save it; record what Keras loads back from the archive.

    The archive's config.json is also checked to load like ``model_from_json(to_json())``.
    """
    keras.utils.clear_session(free_memory=False)
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make()
        model.quantize(mode)
        text = model.to_json()
        path = Path(tmp) / "m.keras"
        model.save(path)
        keras.utils.clear_session(free_memory=False)
        loaded = keras.saving.load_model(path)
        rec = kg.model_record(f"{case_id}_{mode}", None, loaded, False)
        keras.utils.clear_session(free_memory=False)
        again = kg.model_record(rec["id"], None, keras.models.model_from_json(text), False)
        if (again["total"], again["trainable"]) != (rec["total"], rec["trainable"]):
            raise AssertionError(f"{rec['id']}: the archive loads differently from the JSON")
        NESTED_ARCHIVES.mkdir(parents=True, exist_ok=True)
        (NESTED_ARCHIVES / f"{rec['id']}.keras").write_bytes(without_weights(path))
    rec["keras_json"] = json.loads(text)
    rec["quantize"] = mode
    rec["archive"] = f"tests/data/keras_quantized_nested/{rec['id']}.keras"
    return rec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=["preprocessing_more", "quantized_nested", "lookup_files"], action="append")
    wanted = parser.parse_args().only or ["preprocessing_more", "quantized_nested"]
    if "preprocessing_more" in wanted:
        kgp.write("preprocessing_more", [kgp.record_built(i, s) for i, s in PREPROCESSING_MORE])
    if "quantized_nested" in wanted:
        models = [
            record_nested(case_id, make, mode)
            for case_id, make in NESTED.items()
            for mode in ("int8", "int4", "float8")
            if not (case_id == "embedding_in_nested" and mode == "float8")
        ]
        kgp.write("quantized_nested", models, kgp.QUANTIZED_DIR)
    if "lookup_files" in wanted:
        if keras.backend.backend() != "tensorflow":
            raise SystemExit("lookup_files needs KERAS_BACKEND=tensorflow (the lookup layers need TensorFlow)")
        kgp.write("lookup_files", [record_lookup(i, s) for i, s in LOOKUP_FILES])


if __name__ == "__main__":
    main()
