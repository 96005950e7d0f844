"""docs/flops.md lists every key ``memory --format json`` can write (so a new key cannot go undocumented)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import SPECS, RunCli

DOCS = Path(__file__).resolve().parent.parent / "docs" / "flops.md"


def test_every_memory_json_key_is_documented(run_cli: RunCli) -> None:
    config = str(SPECS / "llama-2-7b.config.json")
    args = ("--seq-len", "16", "--optimizer", "adam", "--lora-r", "4", "--lora-targets", "q_proj", "--format", "json")
    doc = json.loads(run_cli("memory", config, *args).out)
    table = DOCS.read_text(encoding="utf-8").split("### `memory --format json` keys", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([a-z_]+)`", table))
    assert set(doc) - documented == set()
    for key in ("kv_cache", "activations_estimate", "lora"):
        assert set(doc[key]) - documented == set(), key
