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
from conftest import ROOT

from paramcalc.rules import all_rules, find_rule
from paramcalc.spec.held import HELD
from paramcalc.spec.hf_families import ARCHS
from paramcalc.spec.hf_signatures import SIGNATURES, signature

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
        "paramcalc.spec.hf_config",
        "paramcalc.spec.hf_build",
    }
)
"""The modules that parse: everything under ``paramcalc.spec`` but the records and the data
tables the rules share with the readers (Hugging Face families, keras.ops node names)."""
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
    for class_name in [*SIGNATURES, *blocks]:
        assert find_rule(class_name, "transformers").positional == signature(class_name), class_name
