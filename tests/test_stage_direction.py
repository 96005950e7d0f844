"""Stages flow one way: readers finish parsing before counting starts, and never ask the rules.

The readers (``paramcalc.spec``) turn text into records, nested models and held layers
included (``paramcalc.spec.held``); the engine and the rules count records and never import a
reader.  These tests read the import statements of every module (function-level imports
included, so a lazy call-back counts too).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT, RunCli

from paramcalc.engine import analyze
from paramcalc.errors import Location, ParamcalcError
from paramcalc.rules import all_rules, find_rule
from paramcalc.spec import parse_text
from paramcalc.spec.held import HELD
from paramcalc.spec.hf_families import ARCHS
from paramcalc.spec.hf_signatures import SIGNATURES, signature
from paramcalc.spec.inline_spec import parse_inline
from paramcalc.spec.records import LayerSpec, ModelSpec

PACKAGE = ROOT / "paramcalc"
READERS = frozenset(
    {
        "paramcalc.spec",
        "paramcalc.spec.common",
        "paramcalc.spec.held",
        "paramcalc.spec.reader",
        "paramcalc.spec.yaml_spec",
        "paramcalc.spec.yaml_values",
        "paramcalc.spec.inline_spec",
        "paramcalc.spec.keras_json",
        "paramcalc.spec.keras_ops_nodes",
        "paramcalc.spec.hf_config",
        "paramcalc.spec.hf_build",
    }
)
"""The modules that parse: everything under ``paramcalc.spec`` but the records and the data
the rules share with the readers (Hugging Face families, block signatures, derived sizes)."""
COUNTING = ("paramcalc/engine.py", "paramcalc/counting.py", "paramcalc/graph_build.py", "paramcalc/naming.py")
RULES = tuple(str(p.relative_to(ROOT)) for p in sorted((PACKAGE / "rules").glob("*.py")))


def imported(path: Path) -> set[str]:
    """Every module a file imports, at any depth of its code (``from a import b`` gives ``a`` and ``a.b``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("module", COUNTING + RULES)
def test_the_engine_and_the_rules_never_import_a_spec_reader(module: str) -> None:
    readers = sorted(imported(ROOT / module) & READERS)
    assert not readers, f"{module} imports {readers}: readers finish before counting (paramcalc/spec/held.py)"


def test_the_readers_never_ask_the_rule_registry() -> None:
    """What a reader keeps is data of its own (HELD, the families' keys), not the rules' signatures."""
    for name in sorted(READERS):
        path = PACKAGE.joinpath(*name.split(".")[1:])
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        if not path.exists():
            continue
        asked = sorted(m for m in imported(path) if m.startswith(("paramcalc.rules", "paramcalc.engine")))
        assert not asked, f"{name} imports {asked}"


@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_the_readers_know_every_argument_a_rule_reads_as_a_layer(framework: str) -> None:
    rules = {rule.name: rule for rule in all_rules(framework).values()}
    for class_name, held in HELD[framework].items():
        found = rules[class_name]
        for key, position in held:
            assert found.positional[position] == key, f"{class_name}: '{key}' is not argument {position}"
    declared = {name: rule.layer_args for name, rule in rules.items() if rule.layer_args}
    assert declared == {k: tuple(key for key, _ in v) for k, v in HELD[framework].items() if k in declared}
    assert set(declared) <= set(HELD[framework])


def test_the_config_reader_keeps_the_keys_each_block_rule_takes() -> None:
    blocks = [name for arch in ARCHS.values() for name in (arch.block_names or (arch.block_class,))]
    assert len(blocks) > 10
    for class_name in [*SIGNATURES, *blocks, "T5Block"]:
        assert find_rule(class_name, "transformers").positional == signature(class_name), class_name


def test_readers_hand_the_engine_held_layers_and_nested_models_as_records() -> None:
    yaml_model = parse_text(
        b"input: [10, 8]\nlayers:\n  - Bidirectional: {layer: {LSTM: 4}}\n  - RNN: {cell: [{LSTMCell: 3}, GRUCell]}\n"
        b"  - Sequential: {name: mlp, layers: [{TimeDistributed: Dense}]}\n",
        "m.yaml",
    )
    bidirectional, rnn, nested = yaml_model.layers
    assert bidirectional.kwargs["layer"] == LayerSpec("LSTM", (4,), location=Location("m.yaml", 3))
    stacked = rnn.kwargs["cell"]
    assert stacked.class_name == "StackedRNNCells"
    assert [cell.class_name for cell in stacked.kwargs["cells"]] == ["LSTMCell", "GRUCell"]
    assert isinstance(nested.model, ModelSpec)
    assert nested.model.layers[0].args == (LayerSpec("Dense", location=Location("m.yaml", 5)),)
    torch_model = parse_inline("TransformerEncoder({'TransformerEncoderLayer': [16, 2]}, 2)", framework="pytorch")
    assert torch_model.layers[0].args[0].class_name == "TransformerEncoderLayer"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (  # the unknown layer before it is still reported first
            "input: [10, 8]\nlayers:\n  - Foo: 3\n  - Bidirectional: {layer: {'bad name': 3}}\n",
            "m.yaml:3: layer 1 (Foo): unknown layer 'Foo' for Keras",
        ),
        (
            "input: [10, 8]\nlayers:\n  - Dense: 4\n  - Bidirectional: {layer: {'bad name': 3}}\n",
            "m.yaml:4: layer 2 (Bidirectional): 'layer': layer class must be a name like 'Dense', got 'bad name'",
        ),
        (  # a graph builds layer by layer: Dense's bad argument comes first
            "inputs: {x: [10, 8]}\nlayers:\n  - Dense: {units: 4, foo: 1, inputs: x}\n"
            "  - Sequential: {layers: [], inputs: dense}\n",
            "m.yaml:3: layer 1 'dense' (Dense): unknown argument 'foo' for Dense",
        ),
        (
            "input: [8]\nlayers:\n  - Dense: 4\n  - Sequential: {name: mlp, layerz: [{Dense: 3}]}\n",
            "m.yaml:4: layer 2 'mlp' (Sequential): unknown key 'layerz' in a nested Sequential",
        ),
        (  # named as the engine names it, when the rule runs
            "framework: pytorch\ninput: [10, 16]\nlayers:\n  - TransformerEncoder: {encoder_layer: {'bad x': 5}, num_layers: 2}\n",
            "m.yaml:4: layer 1 'transformerencoder' (TransformerEncoder): 'encoder_layer': layer class must be a name",
        ),
    ],
)
def test_an_entry_the_reader_cannot_read_is_reported_where_the_engine_reaches_it(text: str, message: str) -> None:
    model = parse_text(text.encode(), "m.yaml")  # reading succeeds: the error waits for its layer
    with pytest.raises(ParamcalcError) as info:
        analyze(model)
    assert info.value.render().startswith(message)


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        ('  - Sequential: {layers: [{Repeat: {times: "?", layers: [{Dense: 2}]}}]}\n', "Repeat times = 47"),
        (
            '  - Bidirectional: {layer: "?"}\n',
            "'layer' must be a layer such as {LSTM: 64}, got 1 (with Bidirectional layer = 1)",
        ),
        (
            '  - Sequential: {input: ["?"], layers: [{Dense: 3}]}\n',
            "the nested model expects (None, 1), got (None, 8) (with Sequential input[0] = 1)",
        ),
    ],
)
def test_solve_reads_again_what_a_placeholder_kept_the_reader_from_reading(
    layers: str, expected: str, tmp_path: Path, run_cli: RunCli
) -> None:
    spec = tmp_path / "m.yaml"
    spec.write_text(f"input: [8]\nlayers:\n{layers}  - Dense: 1\nbudget: {{max_params: 300}}\n", encoding="utf-8")
    result = run_cli("solve", str(spec))
    assert expected in result.out + result.err
