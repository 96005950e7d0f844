"""Capture real Keras' ``model.summary()`` text for two specs (the layout oracle).

Run: KERAS_BACKEND=torch /work/fw/bin/python tools/keras_summary.py
Writes tests/snapshots/keras_summary_*.txt (specs/lstm.yaml, and the branching graph
tests/snapshots/specs/functional_shared.yaml), which tests/test_snapshots.py compares with
paramcalc's table line by line (borders, header, rows, "Connected to", totals).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ["TERM"] = "dumb"
os.environ["COLUMNS"] = "200"  # Keras caps its width at the terminal's - 4: leave it at its default 88

import keras

SNAPSHOTS = Path(__file__).resolve().parent.parent / "tests" / "snapshots"


def lstm() -> keras.Model:
    return keras.Sequential([keras.Input((3, 10000)), keras.layers.LSTM(32), keras.layers.Dense(1)], name="lstm")


def shared_graph() -> keras.Model:
    a = keras.Input((16,), name="a")
    b = keras.Input((16,), name="b")
    shared = keras.layers.Dense(8, name="shared")
    joined = keras.layers.Concatenate()([shared(a), shared(b)])
    return keras.Model([a, b], keras.layers.Dense(1)(joined), name="shared_graph")


def capture(build: Callable[[], keras.Model], name: str) -> None:
    keras.backend.clear_session()  # automatic names (dense, dense_1) start afresh, as in a new session
    model = build()
    lines: list[str] = []
    model.summary(print_fn=lambda line, **_: lines.append(line))
    buffer = io.StringIO()
    for line in lines:
        buffer.write(line if line.endswith("\n") else line + "\n")
    (SNAPSHOTS / f"keras_summary_{name}.txt").write_text(buffer.getvalue(), encoding="utf-8")
    print(buffer.getvalue())


def main() -> None:
    capture(lstm, "lstm")
    capture(shared_graph, "functional_shared")


if __name__ == "__main__":
    main()
