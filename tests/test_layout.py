"""The package layout stays navigable: modules stay small, and old import paths keep working."""

from __future__ import annotations

import importlib

import pytest
from conftest import ROOT

MAX_LINES = 450
MODULES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "paramcalc").rglob("*.py"))


@pytest.mark.parametrize("module", MODULES)
def test_every_module_stays_under_the_line_budget(module: str) -> None:
    lines = (ROOT / module).read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it by job (docs/architecture.md)"


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("paramcalc.engine", ["AutoNamer", "analyze", "apply_rule", "base_name", "run_layer", "to_snake_case"]),
        (
            "paramcalc.rules",
            [
                "REQUIRED",
                "Args",
                "Outcome",
                "Rule",
                "Shape",
                "Term",
                "all_rules",
                "bind",
                "find_rule",
                "rule",
                "run_inner",
                "inner_spec",
                "own_dtype",
                "Inner",
                "DEFAULT_DTYPE",
                "FAMILIES",
                "FRAMEWORK_NAMES",
                "CASE_SENSITIVE",
                "KERAS_BASE_KWARGS",
                "BASE_KWARGS",
                "RuleFn",
            ],
        ),
        ("paramcalc.report", ["Dim", "LayerRow", "Report", "SCHEMA_VERSION", "Shape", "Term", "Tree"]),
        ("paramcalc.cli", ["FRAMEWORKS", "UsageError", "cli", "entry_point", "main"]),
    ],
)
def test_names_imported_before_the_split_still_import(module: str, names: list[str]) -> None:
    loaded = importlib.import_module(module)
    for name in names:
        assert getattr(loaded, name) is not None, name


@pytest.mark.parametrize("module", ["paramcalc.engine", "paramcalc.rules"])
def test_private_names_that_moved_are_read_from_their_new_modules(module: str) -> None:
    loaded = importlib.import_module(module)
    for name in loaded._MOVED:
        assert getattr(loaded, name) is not None, name
    with pytest.raises(AttributeError):
        _ = loaded.no_such_name
