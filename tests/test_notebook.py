"""examples/lecture.ipynb: every code cell runs, and every stored output is what paramcalc gives now.

The notebook is read with the json module and its cells executed here, as a kernel would
(printed text, and the value of a cell's last bare expression shown through
``_repr_pretty_`` / ``_repr_markdown_`` as IPython does); no Jupyter is needed.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
from typing import Any

import pytest
from conftest import ROOT

NOTEBOOK = ROOT / "examples" / "lecture.ipynb"


def _cells() -> list[dict[str, Any]]:
    return [cell for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code"]


def _run(source: str, namespace: dict[str, Any]) -> tuple[str, Any]:
    tree = ast.parse(source)
    last = ast.Expression(tree.body.pop().value) if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(tree, str(NOTEBOOK), "exec"), namespace)  # noqa: S102 - running our own notebook is the test
        value = eval(compile(last, str(NOTEBOOK), "eval"), namespace) if last is not None else None  # noqa: S307
    return out.getvalue(), value


def _shown(value: Any) -> dict[str, str]:
    text: list[str] = []

    class Printer:
        def text(self, part: str) -> None:
            text.append(part)

    if hasattr(value, "_repr_pretty_"):
        value._repr_pretty_(Printer(), False)
    else:
        text.append(repr(value))
    data = {"text/plain": "".join(text)}
    if hasattr(value, "_repr_markdown_"):
        data["text/markdown"] = value._repr_markdown_()
    return data


def _stored(cell: dict[str, Any]) -> tuple[str, dict[str, str] | None]:
    printed = "".join("".join(o["text"]) for o in cell["outputs"] if o["output_type"] == "stream")
    results = [o for o in cell["outputs"] if o["output_type"] == "execute_result"]
    data = {mime: "".join(lines) for mime, lines in results[0]["data"].items()} if results else None
    return printed, data


def test_notebook_cells_run_and_their_stored_outputs_match() -> None:
    namespace: dict[str, Any] = {}
    cells = _cells()
    assert len(cells) >= 8
    for number, cell in enumerate(cells, start=1):
        printed, value = _run("".join(cell["source"]), namespace)
        stored_text, stored_data = _stored(cell)
        assert printed == stored_text, f"cell {number} printed something else"
        assert (None if value is None else _shown(value)) == stored_data, f"cell {number} shows something else"


@pytest.mark.parametrize("total", ["321,089", "1,745", "323,169", "1,284,257"])
def test_notebook_shows_the_four_lecture_totals(total: str) -> None:
    outputs = json.dumps([cell["outputs"] for cell in _cells()], ensure_ascii=False)
    assert f"Total params: {total}" in outputs


def test_notebook_renders_reports_as_markdown_and_derivations_with_math() -> None:
    bundles = [o["data"] for cell in _cells() for o in cell["outputs"] if o["output_type"] == "execute_result"]
    markdown = ["".join(b["text/markdown"]) for b in bundles if "text/markdown" in b]
    assert any(m.startswith('**Model: "sequential"**') for m in markdown)
    assert any("$$" in m and "P = 4" in m for m in markdown)
