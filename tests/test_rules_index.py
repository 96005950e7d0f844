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
