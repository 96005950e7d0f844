"""The checked-in class -> module index of the rule registry is current, and lookups use it."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_the_rules_index_is_what_tools_rules_index_generates() -> None:
    generated = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "rules_index.py"), "--print"],
        capture_output=True,
        text=True,
        check=True,
        encoding="utf-8",
    ).stdout
    checked_in = (ROOT / "paramcalc" / "rules" / "index.py").read_text(encoding="utf-8")
    assert generated == checked_in, "paramcalc/rules/index.py is stale: run python tools/rules_index.py"


def test_finding_a_rule_imports_only_the_module_the_index_names() -> None:
    code = (
        "import sys\n"
        "from paramcalc.rules import find_rule\n"
        "find_rule('Bidirectional'); find_rule('Linear', 'pytorch')\n"
        "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('paramcalc.rules.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['binding', 'index', 'nested', 'registry', 'torch_common', 'torch_core', 'wrappers']"


def test_names_that_differ_only_by_case_are_found_from_a_fresh_start() -> None:
    # The index is keyed by lowercased names and credits a name to the module that first
    # registers it in any case: keras.ops' Relu and ReLU must live in one rule module.
    from collections import defaultdict

    from paramcalc.rules import FAMILIES, all_rules

    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for framework in FAMILIES:
        for name in all_rules(framework):
            groups[(framework, name.lower())].append(name)
    clashes = [(framework, name) for (framework, _), names in groups.items() if len(names) > 1 for name in names]
    assert ("keras.ops", "ReLU") in clashes
    for framework, name in clashes:
        code = f"from paramcalc.rules import find_rule\nprint(find_rule({name!r}, {framework!r}, exact=True).name)\n"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        assert done.stdout.strip() == name, f"{framework} {name} not found: register its case variants in one module"
