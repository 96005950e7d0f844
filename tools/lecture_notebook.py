"""Write examples/lecture.ipynb: its cells, and their outputs as paramcalc computes them.

Run from the repository root with paramcalc and IPython installed:

    pip install ipython && python tools/lecture_notebook.py

Each code cell runs in a real IPython shell, and the value of its last expression is
shown as IPython's own display formatter shows it (the mime bundle Jupyter and Colab
render: ``text/plain`` and ``text/markdown`` for a Report or a Derivation), so the stored
outputs are the oracle; tests/test_notebook.py runs every cell again, without IPython,
and checks them.
"""

import ast
import contextlib
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

CELLS = [
    (
        "markdown",
        """# The lecture's four models, in a notebook

paramcalc counts a network's parameters from a spec, without Keras or PyTorch installed, and shows *why*.
These are the four recurrent models of the classic lecture (input: 3 time steps of 10,000 features,
or an embedding of 50 words); every number below is checked against real Keras 3 and PyTorch by the
tests.  In Jupyter and Colab a report renders as a table and a derivation as LaTeX math.

```
pip install paramcalc   # or: pip install -e . in a clone
```""",
    ),
    ("code", "import paramcalc\n\nparamcalc.__version__"),
    ("markdown", "## 1. A simple RNN: `SimpleRNN(32)` on 3 × 10,000, then `Dense(1)`"),
    ("code", 'paramcalc.summary("SimpleRNN(32, input_shape=(3, 10000)) | Dense(1)")'),
    (
        "markdown",
        "Why 321,056? Each of the n = 32 units reads the m = 10,000 inputs and the 32 previous states, plus a bias:",
    ),
    ("code", 'paramcalc.explain("simplernn", 32, input=10000)'),
    ("markdown", "## 2. An embedding of 50 words in 8 dimensions, sequences of 4, then the RNN"),
    ("code", 'paramcalc.summary("Embedding(50, 8, input_length=4) | SimpleRNN(32) | Dense(1)")'),
    ("markdown", "## 3. Two stacked RNNs (the first returns the whole sequence)"),
    (
        "code",
        'stacked = paramcalc.summary("Input(shape=(3, 10000)) | SimpleRNN(32, return_sequences=True) | SimpleRNN(32) | Dense(1)")\nstacked',
    ),
    ("markdown", "## 4. An LSTM: four gates, so four times the simple RNN's weights"),
    ("code", 'lstm = paramcalc.summary("LSTM(32, input_shape=(3, 10000)) | Dense(1)")\nlstm'),
    ("code", 'paramcalc.explain("lstm", 32, input=10000)'),
    (
        "markdown",
        "The derivation also counts the FLOPs of a forward pass, once it knows how many time steps (`seq_len`):",
    ),
    ("code", 'paramcalc.explain("lstm", 32, input=10000, seq_len=3)'),
    ("markdown", "`print()` gives exactly the table the command line prints, and `count` just the number:"),
    ("code", 'print(lstm)\nprint(paramcalc.count("LSTM(32) | Dense(1)", input=(3, 10000)))'),
    (
        "markdown",
        "## The same models in PyTorch\n\ntorch keeps a second bias vector per gate, so each recurrent layer has a few more parameters:",
    ),
    (
        "code",
        'models = {\n    "SimpleRNN": ("SimpleRNN(32, input_shape=(3, 10000)) | Dense(1)", "RNN(10000, 32) | Linear(32, 1)"),\n    "LSTM": ("LSTM(32, input_shape=(3, 10000)) | Dense(1)", "LSTM(10000, 32) | Linear(32, 1)"),\n}\nfor name, (keras, torch) in models.items():\n    k, t = paramcalc.count(keras), paramcalc.count(torch, framework="pytorch")\n    print(f"{name:<10} Keras {k:>9,}   PyTorch {t:>9,}   +{t - k}")',
    ),
    ("markdown", "## Errors\n\nA bad spec raises `paramcalc.ParamcalcError`, with the line and hint the CLI prints:"),
    (
        "code",
        'try:\n    paramcalc.summary("SimpleRNN(32, input_shape=(3, 10000)) | Dence(1)")\nexcept paramcalc.ParamcalcError as error:\n    print(error)',
    ),
]


def run(source: str, shell: "InteractiveShell") -> tuple[str, object]:
    """Run a cell in the IPython shell: its printed text, and the value of a last bare expression."""
    tree = ast.parse(source)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.unparse(tree.body.pop().value)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        if tree.body:
            result = shell.run_cell(ast.unparse(tree), silent=True)
            result.raise_error()
        value = shell.ev(last) if last else None
    return out.getvalue(), value


def data_of(value: object, shell: "InteractiveShell") -> dict:
    """The mime bundle IPython's display formatter makes of ``value`` (what a notebook renders)."""
    data, _ = shell.display_formatter.format(value)
    return {mime: text.splitlines(keepends=True) for mime, text in sorted(data.items())}


def main() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    cells = []
    count = 0
    for kind, source in CELLS:
        lines = source.splitlines(keepends=True)
        if kind == "markdown":
            cells.append({"cell_type": "markdown", "metadata": {}, "source": lines})
            continue
        count += 1
        text, value = run(source, shell)
        outputs: list[dict] = []
        if text:
            outputs.append({"name": "stdout", "output_type": "stream", "text": text.splitlines(keepends=True)})
        if value is not None:
            result = {"data": data_of(value, shell), "execution_count": count, "metadata": {}}
            outputs.append({**result, "output_type": "execute_result"})
        cells.append(
            {"cell_type": "code", "execution_count": count, "metadata": {}, "outputs": outputs, "source": lines}
        )
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i}"
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = Path(__file__).resolve().parent.parent / "examples" / "lecture.ipynb"
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
