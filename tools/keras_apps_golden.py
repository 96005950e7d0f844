"""Goldens for Keras models written in Python: every keras.applications model, and graphs with keras.ops.

Why: users hand paramcalc the ``model.to_json()`` or the ``.keras`` archive of the models
they really build: ``keras.applications`` (ConvNeXt's LayerScale, MobileNetV3's ``ops``
calls, InceptionResNetV2's scale layer) and functional models that call ``keras.ops``
between layers.  Such models cannot be written as paramcalc YAML specs, so the spec-driven
generator (``tools/keras_golden.py``) cannot build them; this script builds them in Python
and records, for each:

- the ``model.to_json()`` text (``<id>.json.gz``) and the ``.keras`` archive Keras' own
  saving code writes (``<id>.keras``: ``metadata.json`` and ``config.json`` from
  ``saving_lib._serialize_model_as_json``; the weights file is left out: paramcalc reads
  only ``config.json``, and the models are built on the torch ``meta`` device);
- what ``model.summary()`` shows, layer by layer in Keras' order (``model._operations``,
  ops included): name, class, output shape, parameter count, "Connected to", and each
  weight (name, shape, trainable, path); the totals and the summary's three total lines.

Output (JSON, gzip, sorted keys)::

    tests/golden/keras_apps/applications.json.gz, ops.json.gz:
      {"generator", "keras", "models": [{"id", "call", "backend", "total", "trainable",
        "non_trainable", "summary": {"total", "trainable", "non_trainable"},
        "layers": [[name, class, output_shape, params, [connections], [[weight, shape, trainable, path]]]],
        "keras_json", "keras_archive_config" (ops.json.gz only: the model JSON and the archive's
        config.json inline, the latter without its run-dependent shared_object_id values)}]}
    tests/golden/keras_apps/<id>.json.gz and <id>.keras (applications only)

NASNetMobile does not build with Keras' torch backend: it is built with ``KERAS_BACKEND=jax``
in a child process (``--backend jax``).  Run from the repository root:

    /work/fw/bin/python tools/keras_apps_golden.py            # everything
    /work/fw/bin/python tools/keras_apps_golden.py --verify-save   # also compare with model.save()

Never imported by tests.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import subprocess
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "tests" / "golden" / "keras_apps"
GENERATOR = "tools/keras_apps_golden.py"
JAX_ONLY = ("NASNetMobile",)

if __name__ == "__main__":
    _backend = "jax" if "--backend" in sys.argv and sys.argv[sys.argv.index("--backend") + 1] == "jax" else "torch"
    os.environ["KERAS_BACKEND"] = _backend
    os.environ.setdefault("KERAS_HOME", "/tmp/keras_golden_home")

import keras  # noqa: E402 - the backend is chosen first
from keras.src.saving import saving_lib  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import keras_ops_cases  # noqa: E402
from keras_golden import numel, shapes_of, summary_totals  # noqa: E402 - keras is imported: its backend stays

Builder = Callable[[], Any]


# =========================================================================== the applications
def application_cases() -> list[tuple[str, str]]:
    """(id, Python call) of every keras.applications model and a few variants of them."""
    names = sorted(n for n in dir(keras.applications) if n[:1].isupper())
    cases = [(name, call_text(name, {})) for name in names]
    variants: list[tuple[str, str, dict[str, Any]]] = [
        ("ResNet50_notop_avg", "ResNet50", {"include_top": False, "pooling": "avg"}),
        (
            "ResNet50V2_notop_max_160",
            "ResNet50V2",
            {"include_top": False, "pooling": "max", "input_shape": (160, 160, 3)},
        ),
        ("VGG16_64px_10classes", "VGG16", {"input_shape": (64, 64, 3), "classes": 10}),
        ("VGG19_notop_max", "VGG19", {"include_top": False, "pooling": "max"}),
        ("Xception_notop_avg", "Xception", {"include_top": False, "pooling": "avg"}),
        (
            "InceptionV3_notop_max_139",
            "InceptionV3",
            {"include_top": False, "pooling": "max", "input_shape": (139, 139, 3)},
        ),
        ("InceptionResNetV2_notop_avg", "InceptionResNetV2", {"include_top": False, "pooling": "avg"}),
        (
            "DenseNet121_notop_avg_96",
            "DenseNet121",
            {"include_top": False, "pooling": "avg", "input_shape": (96, 96, 3)},
        ),
        ("MobileNet_alpha050_128", "MobileNet", {"alpha": 0.5, "input_shape": (128, 128, 3)}),
        (
            "MobileNet_alpha075_depth2_notop_avg",
            "MobileNet",
            {"alpha": 0.75, "depth_multiplier": 2, "include_top": False, "pooling": "avg"},
        ),
        ("MobileNetV2_alpha035_96", "MobileNetV2", {"alpha": 0.35, "input_shape": (96, 96, 3)}),
        ("MobileNetV2_alpha140_notop_max", "MobileNetV2", {"alpha": 1.4, "include_top": False, "pooling": "max"}),
        ("MobileNetV3Small_alpha075_minimalistic", "MobileNetV3Small", {"alpha": 0.75, "minimalistic": True}),
        (
            "MobileNetV3Large_notop_avg_160",
            "MobileNetV3Large",
            {"include_top": False, "pooling": "avg", "input_shape": (160, 160, 3)},
        ),
        (
            "MobileNetV3Large_no_preprocessing_10classes",
            "MobileNetV3Large",
            {"include_preprocessing": False, "classes": 10},
        ),
        ("EfficientNetB0_notop_avg", "EfficientNetB0", {"include_top": False, "pooling": "avg"}),
        ("EfficientNetB3_10classes_200", "EfficientNetB3", {"classes": 10, "input_shape": (200, 200, 3)}),
        ("EfficientNetV2B0_notop_max", "EfficientNetV2B0", {"include_top": False, "pooling": "max"}),
        ("EfficientNetV2S_no_preprocessing", "EfficientNetV2S", {"include_preprocessing": False}),
        ("ConvNeXtTiny_notop_avg", "ConvNeXtTiny", {"include_top": False, "pooling": "avg"}),
        ("ConvNeXtSmall_10classes_128", "ConvNeXtSmall", {"classes": 10, "input_shape": (128, 128, 3)}),
        ("ConvNeXtBase_no_preprocessing", "ConvNeXtBase", {"include_preprocessing": False}),
        ("NASNetMobile_notop_avg", "NASNetMobile", {"include_top": False, "pooling": "avg"}),
        ("NASNetLarge_notop_max", "NASNetLarge", {"include_top": False, "pooling": "max"}),
    ]
    return cases + [(case_id, call_text(name, kwargs)) for case_id, name, kwargs in variants]


def backend_of(case_id: str) -> str:
    """NASNetMobile builds only off the torch backend (Keras refuses it there)."""
    return "jax" if case_id.startswith(JAX_ONLY) else "torch"


def call_text(name: str, kwargs: dict[str, Any]) -> str:
    """How the golden names the call: ``ResNet50(weights=None, include_top=False)``."""
    shown = ", ".join(f"{key}={value!r}" for key, value in {"weights": None, **kwargs}.items())
    return f"{name}({shown})"


def build_application(call: str) -> Any:
    """Build the model a :func:`call_text` string names (from this file's own table)."""
    import ast

    tree = ast.parse(call, mode="eval").body
    if not isinstance(tree, ast.Call) or not isinstance(tree.func, ast.Name):
        raise ValueError(call)
    kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in tree.keywords if kw.arg}
    return getattr(keras.applications, tree.func.id)(**kwargs)


# =========================================================================== recording
@contextlib.contextmanager
def session() -> Iterator[None]:
    """A fresh Keras session (auto names restart), on the torch meta device when torch is the backend."""
    keras.utils.clear_session()
    if keras.config.backend() == "torch":
        with keras.device("meta"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield


def connections(model: Any, op: Any) -> list[str]:
    """Keras' "Connected to" entries (``summary_utils.print_summary``'s ``get_connections``)."""
    relevant = [node for nodes in model._nodes_by_depth.values() for node in nodes]
    out = []
    for node in op._inbound_nodes:
        if node not in relevant:
            continue
        for kt in node.input_tensors:
            history = kt._keras_history
            out.append(f"{history.operation.name}[{history.node_index}][{history.tensor_index}]")
    return out


def layer_row(model: Any, op: Any) -> list[Any]:
    """One summary row: name, class, output shape, params, connections, weights."""
    built = getattr(op, "built", None)
    params = int(op.count_params()) if built else 0
    weights = [[w.name, [int(d) for d in w.shape], bool(w.trainable), w.path] for w in getattr(op, "weights", [])]
    return [op.name, type(op).__name__, shapes_of(op.output), params, connections(model, op), weights]


def model_record(case_id: str, call: str, model: Any) -> dict[str, Any]:
    """The golden record: totals and the summary's rows (``model._operations``, ops included)."""
    trainable = sum(numel(w.shape) for w in model.trainable_weights)
    non_trainable = sum(numel(w.shape) for w in model.non_trainable_weights)
    total = int(model.count_params())
    if total != trainable + non_trainable:
        raise AssertionError(f"{case_id}: {total} != {trainable} + {non_trainable}")
    return {
        "id": case_id,
        "call": call,
        "backend": keras.config.backend(),
        "total": total,
        "trainable": trainable,
        "non_trainable": non_trainable,
        "summary": summary_totals(model),
        "layers": [layer_row(model, op) for op in model._operations],
    }


def archive_bytes(model: Any) -> bytes:
    """A ``.keras`` archive as ``model.save`` writes it, without the weights file."""
    config_json, metadata_json = saving_lib._serialize_model_as_json(model)
    metadata = json.loads(metadata_json)
    metadata["date_saved"] = "2026-01-01@00:00:00"  # deterministic goldens
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in (("metadata.json", json.dumps(metadata)), ("config.json", config_json)):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return buffer.getvalue()


def write_gz(path: Path, text: str) -> None:
    path.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))


def without_ids(value: Any) -> Any:
    """A config without ``shared_object_id`` (Python ``id()`` values: they differ from run to run)."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "shared_object_id"}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def verify_save(case_id: str, call: str) -> None:
    """Build on the CPU, ``model.save`` for real, and check its config.json is the one stored."""
    keras.utils.clear_session()
    model = build_application(call)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.keras"
        model.save(path)
        with zipfile.ZipFile(path) as real:
            saved = json.loads(real.read("config.json"))
    with zipfile.ZipFile(OUT_DIR / f"{case_id}.keras") as stored:
        if without_ids(json.loads(stored.read("config.json"))) != without_ids(saved):
            raise AssertionError(f"{case_id}: model.save() config.json differs from the stored archive")
    print(f"  {case_id}: model.save() config.json matches")


def record_applications(ids: set[str] | None) -> list[dict[str, Any]]:
    records = []
    for case_id, call in application_cases():
        if ids is not None and case_id not in ids:
            continue
        if backend_of(case_id) != keras.config.backend():
            continue
        with session():
            model = build_application(call)
            records.append(model_record(case_id, call, model))
            write_gz(OUT_DIR / f"{case_id}.json.gz", model.to_json())
            (OUT_DIR / f"{case_id}.keras").write_bytes(archive_bytes(model))
        print(f"  {case_id}: {records[-1]['total']:,} params, {len(records[-1]['layers'])} rows", file=sys.stderr)
        del model
    return records


def record_ops() -> list[dict[str, Any]]:
    records = []
    for case_id, build in [*keras_ops_cases.CASES, *keras_ops_cases.random_cases()]:
        with session():
            model = build()
            rec = model_record(case_id, "", model)
            rec["keras_json"] = json.loads(model.to_json())
            config_json, _ = saving_lib._serialize_model_as_json(model)
            rec["keras_archive_config"] = without_ids(json.loads(config_json))
            records.append(rec)
    return records


def write_family(name: str, models: list[dict[str, Any]]) -> Path:
    doc = {"generator": GENERATOR, "keras": keras.__version__, "models": models}
    path = OUT_DIR / f"{name}.json.gz"
    write_gz(path, json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=["torch", "jax"], default="torch")
    ap.add_argument("--only", choices=["applications", "ops"], help="one of the two families")
    ap.add_argument("--partial", help="(child process) write the records of this backend's models here")
    ap.add_argument("--verify-save", action="store_true", help="compare small archives with a real model.save()")
    ap.add_argument("--verify-only", action="store_true", help="only compare stored archives with model.save()")
    ns = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    keras.config.disable_interactive_logging()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    if ns.verify_only:
        for case_id in ("MobileNetV3Small", "ConvNeXtTiny", "InceptionResNetV2"):
            verify_save(case_id, dict(application_cases())[case_id])
        return 0
    if ns.partial:
        Path(ns.partial).write_text(json.dumps(record_applications(None)))
        return 0
    if ns.only in (None, "applications"):
        records = record_applications(None)
        with tempfile.TemporaryDirectory() as tmp:
            part = Path(tmp) / "jax.json"
            env = {**os.environ, "KERAS_BACKEND": "jax"}
            subprocess.run(  # this very script, with fixed arguments
                [sys.executable, __file__, "--backend", "jax", "--partial", str(part)], check=True, env=env
            )
            records += json.loads(part.read_text())
        order = [case_id for case_id, _ in application_cases()]
        records.sort(key=lambda rec: order.index(rec["id"]))
        path = write_family("applications", records)
        print(f"applications: {len(records)} models -> {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")
        if ns.verify_save:
            for case_id in ("MobileNetV3Small", "ConvNeXtTiny", "InceptionResNetV2"):
                verify_save(case_id, dict(application_cases())[case_id])
    if ns.only in (None, "ops"):
        records = record_ops()
        path = write_family("ops", records)
        print(f"ops: {len(records)} models -> {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
