"""Property tests: random valid models count consistently; random input never crashes.

Models are drawn layer by layer from the rules that exist, tracking the shape so every
model is valid: Dense, Dropout, Activation and Flatten on any input, the recurrent layers
(SimpleRNN, LSTM, GRU) on sequences, Embedding on integer tokens.  Each model is written
as YAML and as an inline spec, with arguments by position or by name at random.  PyTorch
models chain Linear, norms (BatchNorm1d keeps buffers), activations, Dropout and RNNs.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from paramcalc.cli import main
from paramcalc.engine import analyze
from paramcalc.formula import evaluate
from paramcalc.render.json_out import dumps
from paramcalc.spec import parse_text
from paramcalc.spec.inline_spec import parse_inline


@dataclass
class Model:
    """A drawn model: its input and layers as (class, positional args, keyword args)."""

    input_shape: list[int | None]
    dtype: str = "float32"
    layers: list[tuple[str, list[Any], dict[str, Any]]] = field(default_factory=list)

    def yaml_text(self) -> str:
        entries: list[Any] = []
        for cls, args, kwargs in self.layers:
            if kwargs:
                entries.append({cls: {**dict(zip(POSITIONAL[cls], args, strict=False)), **kwargs}})
            elif len(args) == 1:
                entries.append({cls: args[0]})  # a scalar is the first positional argument
            elif args:
                entries.append({cls: list(args)})
            else:
                entries.append(cls)  # a bare name
        shape: Any = {"shape": self.input_shape, "dtype": self.dtype} if self.dtype != "float32" else self.input_shape
        return yaml.safe_dump({"input": shape, "layers": entries}, sort_keys=False)

    def inline_text(self) -> str:
        shape = ", ".join("None" if d is None else str(d) for d in self.input_shape) + ","
        dtype = f", dtype={self.dtype!r}" if self.dtype != "float32" else ""
        calls = [f"Input(shape=({shape}){dtype})"]
        for cls, args, kwargs in self.layers:
            words = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
            calls.append(f"{cls}({', '.join(words)})")
        return " | ".join(calls)


POSITIONAL = {
    "Dense": ["units"],
    "Embedding": ["input_dim", "output_dim"],
    "SimpleRNN": ["units"],
    "LSTM": ["units"],
    "GRU": ["units"],
    "Dropout": ["rate"],
    "Activation": ["activation"],
    "Flatten": [],
}
sizes = st.integers(1, 48)


@st.composite
def arguments(draw: st.DrawFn, cls: str, values: list[Any], extra: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """The layer's leading arguments, by position or by name, plus keyword-only extras."""
    if draw(st.booleans()):
        kwargs = dict(zip(POSITIONAL[cls], values, strict=True))
        return [], {**kwargs, **extra}
    return list(values), dict(extra)


@st.composite
def models(draw: st.DrawFn, size: st.SearchStrategy[int] = sizes, max_layers: int = 8, flatten: bool = True) -> Model:
    """A valid sequential model, drawn one layer at a time from the current shape."""
    start = draw(st.sampled_from(["flat", "sequence", "tokens"]))
    if start == "flat":
        model = Model([draw(size)])
        shape = list(model.input_shape)
    elif start == "sequence":
        model = Model([draw(st.none() | size), draw(size)])
        shape = list(model.input_shape)
    else:
        model = Model([draw(st.none() | size)], dtype="int32")
        vocab, width = draw(size), draw(size)
        args, kwargs = draw(arguments("Embedding", [vocab, width], {}))
        model.layers.append(("Embedding", args, kwargs))
        shape = [model.input_shape[0], width]
    for _ in range(draw(st.integers(0 if model.layers else 1, max_layers))):
        choices = ["Dense", "Dropout", "Activation"]
        if flatten and None not in shape:
            choices.append("Flatten")
        if len(shape) == 2:
            choices += ["SimpleRNN", "LSTM", "GRU"]
        cls = draw(st.sampled_from(choices))
        extra: dict[str, Any] = {}
        if draw(st.integers(0, 5)) == 0:
            extra["trainable"] = False
        if cls == "Dense":
            units = draw(size)
            if draw(st.booleans()):
                extra["use_bias"] = draw(st.booleans())
            values: list[Any] = [units]
            shape = [*shape[:-1], units]
        elif cls == "Dropout":
            values = [draw(st.sampled_from([0.0, 0.1, 0.25, 0.5]))]
        elif cls == "Activation":
            values = [draw(st.sampled_from(["relu", "tanh", "sigmoid", "linear"]))]
        elif cls == "Flatten":
            values = []
            shape = [math.prod(d for d in shape if d is not None)]
        else:
            units = draw(size)
            sequences = draw(st.booleans())
            extra["return_sequences"] = sequences
            if draw(st.booleans()):
                extra["use_bias"] = draw(st.booleans())
            if cls == "GRU" and draw(st.booleans()):
                extra["reset_after"] = draw(st.booleans())
            values = [units]
            shape = [shape[0], units] if sequences else [units]
        args, kwargs = draw(arguments(cls, values, extra))
        model.layers.append((cls, args, kwargs))
    return model


@dataclass
class TorchModel:
    """A drawn torch.nn Sequential: an optional input and modules with keyword arguments."""

    input_shape: list[int] | None
    layers: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def yaml_text(self) -> str:
        doc: dict[str, Any] = {"framework": "pytorch"}
        if self.input_shape is not None:
            doc["input"] = self.input_shape
        doc["layers"] = [{cls: kwargs} if kwargs else cls for cls, kwargs in self.layers]
        return yaml.safe_dump(doc, sort_keys=False)

    def inline_text(self) -> str:
        calls = [f"{cls}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})" for cls, kwargs in self.layers]
        if self.input_shape is not None:
            calls.insert(0, f"Input(shape=({', '.join(map(str, self.input_shape))},))")
        return " | ".join(calls)


@st.composite
def torch_models(draw: st.DrawFn) -> TorchModel:
    """A valid torch.nn Sequential: Linear chains with norms, activations and dropout; RNNs on sequences."""
    sequence = draw(st.booleans())
    features = draw(sizes)
    shape = [draw(sizes), features] if sequence else [features]
    model = TorchModel(shape if sequence or draw(st.booleans()) else None)
    for _ in range(draw(st.integers(1, 6))):
        choices = ["Linear", "ReLU", "Tanh", "GELU", "Dropout", "LayerNorm"]
        choices += ["LSTM", "GRU", "RNN"] if sequence else ["BatchNorm1d"]
        cls = draw(st.sampled_from(choices))
        kwargs: dict[str, Any] = {}
        if cls == "Linear":
            out = draw(sizes)
            kwargs = {"in_features": features, "out_features": out, "bias": draw(st.booleans())}
            features = out
        elif cls == "Dropout":
            kwargs = {"p": draw(st.sampled_from([0.0, 0.1, 0.5]))}
        elif cls == "LayerNorm":
            kwargs = {"normalized_shape": features, "elementwise_affine": draw(st.booleans())}
        elif cls == "BatchNorm1d":
            kwargs = {"num_features": features, "affine": draw(st.booleans())}
        elif cls in ("LSTM", "GRU", "RNN"):
            hidden, directions = draw(sizes), draw(st.sampled_from([1, 2]))
            kwargs = {
                "input_size": features,
                "hidden_size": hidden,
                "num_layers": draw(st.integers(1, 3)),
                "bias": draw(st.booleans()),
                "batch_first": True,
                "bidirectional": directions == 2,
            }
            features = hidden * directions
        model.layers.append((cls, kwargs))
    return model


def _run(argv: list[str], stdin: bytes | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        sys.stdin = saved
    return code, out.getvalue(), err.getvalue()


def _summary_json(spec: str) -> dict[str, Any]:
    code, out, err = _run(["summary", spec, "--format", "json"])
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def _write(tmp: Path, name: str, text: str | bytes) -> str:
    path = tmp / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


@given(model=models())
def test_totals_are_sums_of_layers_and_terms(tmp_path_factory: Any, model: Model) -> None:
    doc = _summary_json(_write(tmp_path_factory.mktemp("m"), "model.yaml", model.yaml_text()))
    assert doc["total"] == sum(layer["params"] for layer in doc["layers"])
    assert doc["total"] == sum(term["count"] for layer in doc["layers"] for term in layer["terms"])
    assert doc["trainable"] + doc["non_trainable"] == doc["total"]
    assert doc["trainable"] == sum(layer["trainable"] for layer in doc["layers"])
    for layer in doc["layers"]:
        assert layer["trainable"] + layer["non_trainable"] == layer["params"]
        assert layer["params"] == sum(term["count"] for term in layer["terms"])
        assert layer["trainable"] == sum(term["count"] for term in layer["terms"] if term["trainable"])
        for term in layer["terms"]:
            assert term["count"] == math.prod(term["shape"])
        assert evaluate(layer["formula"], layer["symbols"]) == layer["params"]


@given(model=torch_models())
def test_torch_totals_are_sums_of_layers_and_terms_buffers_apart(tmp_path_factory: Any, model: TorchModel) -> None:
    doc = _summary_json(_write(tmp_path_factory.mktemp("t"), "model.yaml", model.yaml_text()))
    params = [term for layer in doc["layers"] for term in layer["terms"] if not term.get("buffer")]
    buffers = [term for layer in doc["layers"] for term in layer["terms"] if term.get("buffer")]
    assert doc["total"] == sum(layer["params"] for layer in doc["layers"]) == sum(t["count"] for t in params)
    assert doc["buffers"] == sum(t["count"] for t in buffers)
    assert doc["trainable"] + doc["non_trainable"] == doc["total"]
    for layer in doc["layers"]:
        for term in layer["terms"]:
            assert term["count"] == math.prod(term["shape"])
        if layer.get("formula") is not None:
            assert evaluate(layer["formula"], layer["symbols"]) == layer["params"]


@given(model=torch_models())
def test_torch_yaml_and_inline_forms_agree(tmp_path_factory: Any, model: TorchModel) -> None:
    from_yaml = _summary_json(_write(tmp_path_factory.mktemp("t"), "model.yaml", model.yaml_text()))
    code, out, err = _run(["summary", model.inline_text(), "--framework", "pytorch", "--format", "json"])
    assert code == 0, err
    assert json.loads(out) == from_yaml


@given(model=models())
def test_yaml_and_inline_forms_of_a_model_agree(tmp_path_factory: Any, model: Model) -> None:
    from_yaml = _summary_json(_write(tmp_path_factory.mktemp("m"), "model.yaml", model.yaml_text()))
    from_inline = _summary_json(model.inline_text())
    assert from_inline == from_yaml


@given(model=models())
def test_json_output_round_trips_to_the_report(model: Model) -> None:
    report = analyze(parse_text(model.yaml_text().encode(), "model.yaml"))
    assert json.loads(dumps(report)) == report.to_dict()
    inline = analyze(parse_inline(model.inline_text()))
    assert json.loads(dumps(inline)) == inline.to_dict()


@settings(max_examples=20)
@given(
    model=models(size=st.integers(2**20, 2**29), max_layers=3, flatten=False)
)  # 4·n·(n + m + 1) < 2**63: every weight fits int64
def test_counts_stay_exact_beyond_two_to_the_53(model: Model) -> None:
    report = analyze(parse_inline(model.inline_text()))
    doc = json.loads(dumps(report))
    expected = sum(math.prod(term.shape) for row in report.layers for term in row.terms)
    assert doc["total"] == report.total == expected
    for row in doc["layers"]:
        assert evaluate(row["formula"], row["symbols"]) == row["params"]


def test_an_embedding_of_two_to_the_60_is_counted_exactly() -> None:
    total = 2**40 * 2**20
    folded = _summary_json("Input(shape=(7,), dtype='int32') | Embedding(2**40, 2**20)")  # constant arithmetic
    assert folded["total"] == total
    doc = _summary_json(f"Input(shape=(7,), dtype='int32') | Embedding({2**40}, {2**20})")
    assert type(doc["total"]) is int
    assert doc["total"] == total
    assert float(total + 1) == float(total)  # the count is beyond what a double holds ...
    assert doc["total"] + 1 != total  # ... yet every unit of it is kept
    with_head = total + (2**20 + 1) * 3
    doc = _summary_json(f"Input(shape=(7,), dtype='int32') | Embedding({2**40}, {2**20}) | Dense(3)")
    assert doc["total"] == with_head
    assert [layer["params"] for layer in doc["layers"]] == [total, (2**20 + 1) * 3]
    code, out, err = _run(["summary", f"Input(shape=(7,), dtype='int32') | Embedding({2**40}, {2**20}) | Dense(3)"])
    assert (code, err) == (0, "")
    assert f"Total params: {with_head:,} (" in out
    assert f"Trainable params: {with_head:,} (" in out


def _assert_no_crash(code: int, out: str, err: str) -> None:
    assert code in (0, 2), err
    assert "Traceback" not in err
    assert "internal error" not in err
    if code == 2:
        assert out == ""
        assert err.startswith("paramcalc: error: ")
        assert err.count("\n") == 1


@settings(max_examples=60)
@given(data=st.binary(max_size=300))
def test_random_bytes_never_crash(tmp_path_factory: Any, data: bytes) -> None:
    path = _write(tmp_path_factory.mktemp("b"), "spec.yaml", data)
    _assert_no_crash(*_run(["summary", path, "--format", "json"]))
    _assert_no_crash(*_run(["summary", "-"], stdin=data))


yaml_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.sampled_from(["Dense", "LSTM", "Repeat", "units", "layers", "input", "times", "inputs", "name"])
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(yaml_scalars, inner, max_size=4),
    max_leaves=20,
)
spec_like = st.fixed_dictionaries(
    {"layers": st.lists(st.dictionaries(st.sampled_from(sorted(POSITIONAL)), yaml_values, max_size=2), max_size=4)},
    optional={"input": yaml_values, "name": yaml_scalars, "outputs": yaml_values, "inputs": yaml_values},
)


@settings(max_examples=60)
@given(doc=yaml_values | spec_like)
def test_random_yaml_documents_never_crash(tmp_path_factory: Any, doc: Any) -> None:
    try:
        text = yaml.safe_dump(doc)
    except yaml.YAMLError:
        assume(False)
        return
    path = _write(tmp_path_factory.mktemp("y"), "spec.yaml", text)
    _assert_no_crash(*_run(["summary", path, "--format", "json"]))


yaml_chars = st.sampled_from(list("-:[]{},&*!|>'\"#%@`? \n\t.0123456789aDenslyrLSTMu_=<()"))


@settings(max_examples=60)
@given(text=st.text(yaml_chars, max_size=120))
def test_random_yaml_text_never_crashes(tmp_path_factory: Any, text: str) -> None:
    path = _write(tmp_path_factory.mktemp("t"), "spec.yaml", "layers:\n" + text)
    _assert_no_crash(*_run(["summary", path, "--format", "json"]))
    _assert_no_crash(*_run(["summary", text]))  # the same text as an inline spec


@settings(max_examples=60)
@given(model=models(), cut=st.integers(0, 400), junk=st.text(yaml_chars, max_size=3))
def test_mangled_specs_never_crash(tmp_path_factory: Any, model: Model, cut: int, junk: str) -> None:
    for text in (model.yaml_text(), model.inline_text()):
        mangled = text[:cut] + junk + text[cut + len(junk) :]
        path = _write(tmp_path_factory.mktemp("x"), "spec.yaml", mangled)
        _assert_no_crash(*_run(["summary", path, "--format", "json"]))
        _assert_no_crash(*_run(["summary", mangled]))


@given(model=models(max_layers=12))
def test_counting_each_distinct_layer_once_changes_nothing(model: Model) -> None:
    """The engine binds and counts each distinct (layer, input) once; rows must not change."""
    spec = parse_inline(model.inline_text())
    assert analyze(spec).to_dict() == analyze(spec, memo=False).to_dict()


def test_repeated_blocks_share_the_work_but_not_the_rows() -> None:
    block = ["Dense(8)", "Dropout(0.1)", "LSTM(8, return_sequences=True)", "Dense(8, trainable=False)"]
    spec = parse_inline(" | ".join(["Input(shape=(5, 8))", *block * 6]))
    report = analyze(spec)
    assert report.to_dict() == analyze(spec, memo=False).to_dict()
    names = [row.name for row in report.layers]
    assert len(set(names)) == len(names) == 24
    assert names[:5] == ["dense", "dropout", "lstm", "dense_1", "dense_2"]
    assert report.non_trainable == 6 * (8 + 1) * 8


def test_the_memo_switch_shares_one_counted_outcome_between_identical_layers() -> None:
    spec = parse_inline(" | ".join(["Input(shape=(5, 8))", *["Dense(8)"] * 4]))
    shared = analyze(spec).layers
    alone = analyze(spec, memo=False).layers
    assert all(row.terms is shared[1].terms for row in shared[1:])  # one rule run for three identical layers
    assert len({id(row.terms) for row in alone}) == len(alone)  # memo=False: every layer counted on its own
