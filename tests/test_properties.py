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

import pytest
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


# ---------------------------------------------------------------------------- trust, round 2 (issue 11)
# The inputs main gained after round 1 (checkpoint headers, keras.ops nodes, FLOPs / KV cache /
# LoRA flags, --percent, the Python API), attacked as in round 1: never a wrong answer with
# exit 0, never a crash, never a control character or a forged CI line in the output.

_SAFE_LINE_STARTS = ("::error file=", "::warning file=", "::notice file=")
"""The only lines that may start with '::': check --format github's own annotations."""


def _forged_lines(text: str) -> list[str]:
    """Lines a CI log would read as workflow commands, other than paramcalc's own annotations."""
    return [line for line in text.split("\n") if line.startswith("::") and not line.startswith(_SAFE_LINE_STARTS)]


def _raw_controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]


def _safetensors(names: list[str]) -> bytes:
    """A valid safetensors file: one F32 [1] tensor per name."""
    header = {name: {"dtype": "F32", "shape": [1], "data_offsets": [4 * i, 4 * i + 4]} for i, name in enumerate(names)}
    raw = json.dumps(header).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    return len(raw).to_bytes(8, "little") + raw + bytes(4 * len(names))


def _gguf_string(text: str) -> bytes:
    data = text.encode("utf-8")
    return len(data).to_bytes(8, "little") + data


def _gguf(model_name: str, tensor: str) -> bytes:
    """A valid GGUF v3 file by hand (no gguf package): general.name and one F32 [1] tensor."""
    head = b"GGUF" + (3).to_bytes(4, "little") + (1).to_bytes(8, "little") + (1).to_bytes(8, "little")
    kv = _gguf_string("general.name") + (8).to_bytes(4, "little") + _gguf_string(model_name)  # 8: string
    info = _gguf_string(tensor) + (1).to_bytes(4, "little") + (1).to_bytes(8, "little")  # one axis of 1
    info += (0).to_bytes(4, "little") + (0).to_bytes(8, "little")  # ggml type F32, offset 0
    body = head + kv + info
    return body + bytes(-len(body) % 32) + bytes(4)


CHECKPOINT_COMMANDS = [
    ["summary"],
    ["summary", "--format", "markdown"],
    ["summary", "--format", "json"],
    ["summary", "--percent", "--format", "markdown"],
    ["summary", "--by", "module"],
    ["summary", "--by", "module", "--format", "markdown"],
    ["memory"],
    ["memory", "--format", "markdown"],
    ["check", "--max-params", "0"],
    ["check", "--max-params", "0", "--format", "github"],
]

hostile_names = st.lists(
    st.sampled_from(["a", ".", "0", "\n", "\r", "\x1b", "]", "\x07", "\u202e", ":", "::error::", "\x85", " "]),
    min_size=1,
    max_size=12,
).map("".join)


@settings(max_examples=25, deadline=None)
@given(names=st.lists(hostile_names, min_size=1, max_size=3, unique=True), model=hostile_names)
def test_checkpoint_names_never_drive_the_terminal_or_forge_a_ci_line(
    tmp_path_factory: Any, names: list[str], model: str
) -> None:
    tmp = tmp_path_factory.mktemp("ckpt")
    files = [_write(tmp, "model.safetensors", _safetensors(names)), _write(tmp, "model.gguf", _gguf(model, names[0]))]
    for path in files:
        for command in CHECKPOINT_COMMANDS:
            code, out, err = _run([command[0], path, *command[1:]])
            assert code in (0, 1), err
            assert _raw_controls(out + err) == [], (command, out)
            assert _forged_lines(out + err) == [], (command, out)
        code, out, err = _run(["diff", files[0], files[1], "--format", "markdown"])
        assert code == 0, err
        assert _raw_controls(out) == []
        assert _forged_lines(out) == []


def test_checkpoint_paths_with_a_newline_forge_no_ci_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "x\n::error::pwned.safetensors", _safetensors(["w"]))
    spec = _write(tmp_path, "s\n::error::pwned.yaml", "input: [4]\nlayers: [Dense: 2]\n")
    for argv in (
        ["diff", path, spec],
        ["diff", path, spec, "--format", "markdown"],
        ["summary", path, "--by", "module"],
    ):
        code, out, err = _run(argv)
        assert code == 0, err
        assert _forged_lines(out + err) == [], out


ODD_API_CALLS: list[tuple[str, Any]] = [
    ("a set as the spec", lambda api: api.count({"Dense(4)"})),
    ("bytes as the spec", lambda api: api.count(b"Dense(4)")),
    ("an int as the spec", lambda api: api.count(5)),
    ("None as the spec", lambda api: api.count(None)),
    ("a list as the spec", lambda api: api.count(["Dense(4)"])),
    ("a float input", lambda api: api.count("Dense(4)", input=4.0)),
    ("a bool input", lambda api: api.count("Dense(4)", input=True)),
    ("a set in a dict spec", lambda api: api.count({"input": [4], "layers": [{"Dense": {4}}]})),
    ("bytes in a dict spec", lambda api: api.count({"input": [4], "layers": [{"Dense": b"4"}]})),
    ("a float size in a dict spec", lambda api: api.count({"input": [4], "layers": [{"Dense": 4.0}]})),
    ("a bool size in a dict spec", lambda api: api.count({"input": [4], "layers": [{"Dense": True}]})),
    ("a 5,000-digit size in a dict spec", lambda api: api.count({"input": [4], "layers": [{"Dense": 10**5000}]})),
    ("an int dtype", lambda api: api.summary("Input(shape=(4,)) | Dense(4)", dtype=5)),
    ("a bytes dtype", lambda api: api.summary("Input(shape=(4,)) | Dense(4)", dtype=b"float32")),
    ("an int framework", lambda api: api.summary("Input(shape=(4,)) | Dense(4)", framework=5)),
    ("an unknown framework", lambda api: api.summary("Input(shape=(4,)) | Dense(4)", framework="jax")),
    ("an int layer", lambda api: api.explain(5)),
    ("a set argument", lambda api: api.explain("Dense", {4}, input=4)),
    ("a bytes argument", lambda api: api.explain("Dense", b"4", input=4)),
    ("a float argument", lambda api: api.explain("Dense", 4.0, input=4)),
    ("a bool argument", lambda api: api.explain("Dense", True, input=4)),
    ("an object argument", lambda api: api.explain("Dense", object(), input=4)),
    ("a 5,000-digit argument", lambda api: api.explain("Dense", 10**5000, input=4)),
    ("batch=True", lambda api: api.explain("Dense", 4, input=4, batch=True)),
    ("batch=2.5", lambda api: api.explain("Dense", 4, input=4, batch=2.5)),
    ("batch=0", lambda api: api.explain("Dense", 4, input=4, batch=0)),
    ("batch=-3", lambda api: api.explain("Dense", 4, input=4, batch=-3)),
    ("batch=10**30", lambda api: api.explain("Dense", 4, input=4, batch=10**30)),
    ("seq_len='x'", lambda api: api.explain("Dense", 4, input=(None, 4), seq_len="x")),
    ("seq_len=0", lambda api: api.explain("Dense", 4, input=(None, 4), seq_len=0)),
    ("config=bytes", lambda api: api.explain("LlamaDecoderLayer", config=b"config.json")),
    ("config=dict", lambda api: api.explain("LlamaDecoderLayer", config={"model_type": "llama"})),
]


@pytest.mark.parametrize("call", [c for _, c in ODD_API_CALLS], ids=[n for n, _ in ODD_API_CALLS])
def test_the_api_refuses_odd_python_objects_with_its_own_error(call: Any) -> None:
    """A set, bytes, a float size, a bool: a ParamcalcError saying what is wrong, never another exception
    and never an answer (``batch=True`` once gave FLOPs "at batch True")."""
    import paramcalc

    with pytest.raises(paramcalc.ParamcalcError):
        call(paramcalc)


LLAMA_2 = str(Path(__file__).resolve().parent.parent / "specs" / "llama-2-7b.config.json")


@settings(max_examples=15, deadline=None)
@given(batch=st.integers(1, 2**63 - 1), seq=st.integers(1, 2**63 - 1))
def test_forward_pass_sizes_up_to_two_to_the_63_give_the_exact_kv_cache(batch: int, seq: int) -> None:
    """Every size up to 2**63 - 1 answers exactly (KV cache: 2 × layers × kv heads × head_dim ×
    batch × tokens, transformers' DynamicCache); 10**200 once crashed the GB column's float."""
    code, out, err = _run(["memory", LLAMA_2, "--batch", str(batch), "--seq-len", str(seq), "--format", "json"])
    assert code == 0, err
    kv = json.loads(out)["kv_cache"]
    assert kv["elements"] == 2 * 32 * 32 * 128 * batch * seq
    code, out, err = _run(["memory", LLAMA_2, "--batch", str(batch), "--seq-len", str(seq)])
    assert code == 0, err
    assert f"{2 * 32 * 32 * 128 * batch * seq:,} values" in out


@settings(max_examples=15, deadline=None)
@given(flag=st.sampled_from(["--batch", "--seq-len"]), size=st.integers(2**63, 2**700))
def test_forward_pass_sizes_past_two_to_the_63_are_refused_naming_the_flag(flag: str, size: int) -> None:
    for argv in (["memory", LLAMA_2], ["summary", LLAMA_2, "--flops"], ["check", LLAMA_2, "--max-flops", "1T"]):
        code, out, err = _run([*argv, flag, str(size)])
        _assert_no_crash(code, out, err)
        assert code == 2
        assert flag in err


@settings(max_examples=25, deadline=None)
@given(counts=st.lists(st.integers(1, 2**63 - 1), min_size=1, max_size=3))
def test_tables_print_every_count_whole(counts: list[int]) -> None:
    """Param #, FLOPs and diff columns never cut a number to '9,223,372,036,…'."""
    spec = "Input(shape=(4,)) | " + " | ".join(f"Custom(params={n})" for n in counts)
    code, out, err = _run(["summary", spec])
    assert code == 0, err
    assert "…" not in out
    for n in counts:
        assert f"{n:,}" in out
    code, out, err = _run(["diff", spec, "Input(shape=(4,)) | Custom(params=1)"])
    assert code == 0, err
    assert f"{counts[0]:,}" in out
    code, out, err = _run(["summary", "Input(shape=(None, 768)) | Dense(768)", "--flops", "--batch", str(counts[0])])
    assert code == 0, err
    flops = 2 * counts[0] * 7 * 768 * 768  # 2·N·rows·m·n at --seq-len 7
    code, out, err = _run(
        ["summary", "Input(shape=(None, 768)) | Dense(768)", "--flops", "--batch", str(counts[0]), "--seq-len", "7"]
    )
    assert code == 0, err
    assert f"{flops:,}" in out


def _tile_model(repeats: list[int]) -> str:
    tensor = {"class_name": "__keras_tensor__", "config": {"shape": [None, 4, 6], "keras_history": ["x", 0, 0]}}
    layers = [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 4, 6], "name": "x"}, "name": "x"},
        {
            "module": "keras.src.ops.numpy",
            "class_name": "Tile",
            "config": {"name": "tile", "repeats": repeats},
            "name": "tile",
            "inbound_nodes": [{"args": [tensor], "kwargs": {}}],
        },
    ]
    config = {"name": "f", "layers": layers, "input_layers": ["x", 0, 0], "output_layers": ["tile", 0, 0]}
    return json.dumps({"module": "keras.src.models.functional", "class_name": "Functional", "config": config})


@settings(max_examples=30, deadline=None)
@given(repeats=st.lists(st.integers(-5, 5), min_size=3, max_size=3))
def test_keras_ops_shapes_are_never_negative(tmp_path_factory: Any, repeats: list[int]) -> None:
    """ops.tile by a negative count: Keras refuses the tensor ('Negative dimensions are not allowed');
    the unknown batch axis stays unknown whatever its count, as in Keras' symbolic shape."""
    path = _write(tmp_path_factory.mktemp("ops"), "m.json", _tile_model(repeats))
    code, out, err = _run(["summary", path, "--format", "json"])
    _assert_no_crash(code, out, err)
    expected = [None, 4 * repeats[1], 6 * repeats[2]]
    if any(d is not None and d < 0 for d in expected):
        assert code == 2
        assert "negative size" in err
    else:
        assert code == 0, err
        assert json.loads(out)["layers"][-1]["output_shape"] == expected


@settings(max_examples=10, deadline=None)
@given(rank=st.integers(65, 3000))
def test_shapes_past_64_axes_are_refused_quickly(tmp_path_factory: Any, rank: int) -> None:
    import time

    path = _write(tmp_path_factory.mktemp("ops"), "m.json", _tile_model([1] * rank))
    start = time.perf_counter()
    code, _out, err = _run(["summary", path])
    assert code == 2
    assert f"output has {rank:,} axes, more than 64" in err
    assert time.perf_counter() - start < 2.0  # well under: the 1,000,000-axis broadcast took 40 s


@pytest.mark.parametrize(
    "argv",
    [
        ["summary", "--percent"],
        ["summary", "--percent", "--format", "markdown"],
        ["summary", "--by", "module"],
        ["summary", "--by", "module", "--format", "json"],
        ["summary", "--by", "module", "--format", "markdown"],
        ["memory", "--format", "json"],
    ],
)
def test_a_model_of_zero_parameters_has_shares_of_zero(argv: list[str]) -> None:
    """--percent and --by module divide by the total: 0 parameters is 0.0%, not a ZeroDivisionError."""
    code, out, err = _run([argv[0], "Input(shape=(4,)) | Dropout(0.5)", *argv[1:]])
    assert code == 0, err
    assert "nan" not in out.lower()
    assert "inf" not in out.lower()


def test_markdown_percent_sums_the_total_once(tmp_path: Path) -> None:
    """--percent --format markdown once summed every row for every row: 10,000 rows took minutes."""
    import time

    path = _write(tmp_path, "wide.yaml", "input: [8]\nlayers:\n" + "  - Dense: 8\n" * 10_000)
    start = time.perf_counter()
    code, _, err = _run(["summary", path, "--format", "markdown"])
    plain = time.perf_counter() - start
    assert code == 0, err
    start = time.perf_counter()
    code, out, err = _run(["summary", path, "--format", "markdown", "--percent"])
    assert code == 0, err
    assert time.perf_counter() - start < 2 * plain + 0.5
    assert out.count("| 0.0% |") + out.count("| 0.01% |") > 0 or "%" in out


def test_checkpoint_and_explain_caps_refuse_before_the_work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The caps of paramcalc/limits.py, lowered to test sizes: one line naming the limit."""
    import paramcalc.limits

    monkeypatch.setattr(paramcalc.limits, "MAX_CHECKPOINT_TENSORS", 3)
    monkeypatch.setattr(paramcalc.limits, "MAX_EXPLAINED_ROWS", 5)
    fits = _write(tmp_path, "three.safetensors", _safetensors(["a", "b", "c"]))
    assert _run(["summary", fits])[0] == 0
    over = _write(tmp_path, "four.safetensors", _safetensors(["a", "b", "c", "d"]))
    code, out, err = _run(["summary", over])
    _assert_no_crash(code, out, err)
    assert code == 2
    assert "the checkpoint lists 4 tensors, more than 3" in err
    index = {"weight_map": dict.fromkeys("abcd", "four.safetensors")}
    path = _write(tmp_path, "model.safetensors.index.json", json.dumps(index))
    code, out, err = _run(["summary", path])
    assert code == 2
    assert "more than 3" in err
    spec = "Input(shape=(4,))" + " | Dense(4)" * 6
    code, out, err = _run(["summary", spec, "--explain", "--format", "markdown"])
    _assert_no_crash(code, out, err)
    assert code == 2
    assert "--explain would derive 6 rows, more than 5" in err
    assert _run(["summary", spec, "--explain"])[0] == 0  # the table folds and caps its rows itself


def test_a_keras_json_graph_past_the_layer_cap_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keras JSON bypassed the YAML reader's layer cap: 10,001 keras.ops nodes were counted (3 s)."""
    import paramcalc.limits

    monkeypatch.setattr(paramcalc.limits, "MAX_GRAPH_LAYERS", 1)
    path = _write(tmp_path, "m.json", _tile_model([1, 1, 2]))
    assert _run(["summary", path])[0] == 0
    tensor = {"class_name": "__keras_tensor__", "config": {"shape": [None, 4, 12], "keras_history": ["tile", 0, 0]}}
    document = json.loads(_tile_model([1, 1, 2]))
    second = {**document["config"]["layers"][1], "name": "tile_1", "inbound_nodes": [{"args": [tensor], "kwargs": {}}]}
    document["config"]["layers"].append({**second, "config": {"name": "tile_1", "repeats": [1, 1, 1]}})
    document["config"]["output_layers"] = ["tile_1", 0, 0]
    code, out, err = _run(["summary", _write(tmp_path, "two.json", json.dumps(document))])
    _assert_no_crash(code, out, err)
    assert code == 2
    assert "the graph has more than 1 layers" in err


def test_gguf_string_arrays_past_the_cap_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each string of a GGUF metadata array is walked: 3 million empty strings took 5 s."""
    import paramcalc.limits

    def with_tokens(count: int) -> bytes:
        head = b"GGUF" + (3).to_bytes(4, "little") + (1).to_bytes(8, "little") + (1).to_bytes(8, "little")
        kv = _gguf_string("tokenizer.ggml.tokens") + (9).to_bytes(4, "little")  # 9: array
        kv += (
            (8).to_bytes(4, "little") + count.to_bytes(8, "little") + b"".join(_gguf_string("t") for _ in range(count))
        )
        info = _gguf_string("w") + (1).to_bytes(4, "little") + (1).to_bytes(8, "little")
        info += (0).to_bytes(4, "little") + (0).to_bytes(8, "little")
        body = head + kv + info
        return body + bytes(-len(body) % 32) + bytes(4)

    monkeypatch.setattr(paramcalc.limits, "MAX_GGUF_ARRAY_ITEMS", 3)
    assert _run(["summary", _write(tmp_path, "three.gguf", with_tokens(3))])[0] == 0
    code, out, err = _run(["summary", _write(tmp_path, "four.gguf", with_tokens(4))])
    _assert_no_crash(code, out, err)
    assert code == 2
    assert "brings the metadata to more than 3 strings and arrays" in err


def test_safetensors_headers_past_the_json_value_cap_are_refused_before_parsing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """1.5 million ``__metadata__`` keys (or index ``metadata`` keys) took 4 s and 440 MB to parse."""
    import paramcalc.limits

    monkeypatch.setattr(paramcalc.limits, "MAX_CHECKPOINT_TENSORS", 1)
    monkeypatch.setattr(paramcalc.limits, "MAX_CHECKPOINT_METADATA", 8)  # 8 + 16 * 1 values
    header = {
        "__metadata__": {f"k{i}": "v" for i in range(30)},
        "w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
    }
    raw = json.dumps(header).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    path = _write(tmp_path, "meta.safetensors", len(raw).to_bytes(8, "little") + raw + bytes(4))
    code, out, err = _run(["summary", path])
    _assert_no_crash(code, out, err)
    assert code == 2
    assert "safetensors header holds more than 24 JSON values" in err
    assert _run(["summary", _write(tmp_path, "one.safetensors", _safetensors(["w"]))])[0] == 0


def test_json_specs_past_the_value_cap_are_refused_before_reading(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A keras.ops node with 3 million constants in its arguments took 5 s to read (JSON parses
    fast, the readers walk every value); NumPy constants are no longer walked at all."""
    import paramcalc.limits

    document = json.loads(_tile_model([1, 1, 2]))
    document["config"]["layers"][1]["inbound_nodes"][0]["kwargs"] = {
        "extra": {"class_name": "__numpy__", "config": {"value": [1.0] * 50}}
    }
    path = _write(tmp_path, "m.json", json.dumps(document))
    assert _run(["summary", path])[0] in (0, 2)  # read either way, without walking the constant
    monkeypatch.setattr(paramcalc.limits, "MAX_JSON_VALUES", 40)
    code, out, err = _run(["summary", path])
    _assert_no_crash(code, out, err)
    assert code == 2
    assert "the spec holds more than 40 JSON values" in err


def test_expand_nested_writes_out_at_most_the_layer_cap(tmp_path: Path) -> None:
    """Each layer count of a config is capped at 10,000, but an encoder-decoder has two:
    --expand-nested wrote 20,000 rows in 3 s.  Folded, the same config answers."""
    config = json.loads((Path(LLAMA_2).parent / "bart-large.config.json").read_text(encoding="utf-8"))
    path = _write(tmp_path, "bart.json", json.dumps({**config, "encoder_layers": 10_000, "decoder_layers": 10_000}))
    code, out, err = _run(["summary", path, "--expand-nested", "--format", "json"])
    _assert_no_crash(code, out, err)
    assert code == 2
    assert "--expand-nested would write out 20,000 repeated blocks, more than 10,000" in err
    assert _run(["summary", path, "--format", "json"])[0] == 0
    llama = json.loads(Path(LLAMA_2).read_text(encoding="utf-8"))
    path = _write(tmp_path, "llama.json", json.dumps({**llama, "num_hidden_layers": 10_000}))
    assert _run(["summary", path, "--expand-nested", "--format", "json"])[0] == 0
