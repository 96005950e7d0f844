"""Whole-process wall time of ``paramcalc summary``: start-up against a floor, and scaling.

Why whole processes: paramcalc runs in CI loops and pre-commit hooks, where what counts
is the time from exec to exit, imports included.  The floor is a Python process that
only imports what a table needs anyway (``python -c "import click, yaml, rich.console,
rich.table"``), so the ratios measure paramcalc's own cost on top of its dependencies.

Targets (issue 5):
- ``summary`` (table) within 1.3x of the floor;
- ``summary --format json`` faster than the floor (it never imports rich);
- ``summary --format json`` linear in the number of layers, and its work per layer no more
  than loading the same YAML file alone takes per layer (``python -c "import yaml;
  yaml.load(open(SPEC), Loader=yaml.CSafeLoader)"``): the growth from the 1-layer spec to the
  10,000-layer one, the most a spec may have (``paramcalc/limits.py``), of each, measured in
  the same interleaved rounds -- a ratio that holds on any machine, unlike a number of seconds.
  (It was the whole time of a 100,000-layer spec before issue 11 capped specs at 10,000 layers;
  at 10,000 the start-up of the two processes would dominate a ratio of whole times.)

Measure an installed package (``pip install .`` into a virtualenv, then ``--python`` that
venv's interpreter and ``--installed``, which runs every command outside the source tree
so ``python -m paramcalc`` imports the installed copy).  An editable install (``pip install
-e .``) starts slower: its import hook runs on every import.  From the repository root
without ``--installed``, ``python -m paramcalc`` finds the source tree::

    python bench/bench.py                  # full run: Markdown tables on stdout
    python bench/bench.py --runs 5 --quick    # a quick look (no 100,000-layer spec)
    /tmp/venv/bin/python bench/bench.py --python /tmp/venv/bin/python --installed

Each figure is the median of ``--runs`` runs after one warm-up round (which also writes
the .pyc files); the start-up commands run in interleaved rounds, so load from elsewhere
slows the floor and paramcalc alike.  Next to wall time the tables give CPU time (user +
system, from ``getrusage``): on a busy machine wall time includes waiting for a core.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
FLOOR = "import click, yaml, rich.console, rich.table"
SIZES = (1, 100, 1_000, 10_000)
KINDS = (
    "  - Dense: 8\n",
    "  - Dropout: 0.1\n",
    "  - LSTM: {units: 8, return_sequences: true}\n",
    "  - Activation: relu\n",
)
"""A generated spec cycles through these layers on a (16, 8) input: arguments as scalars and
as mappings, layers with and without weights, so each layer costs what a real one costs."""


YAML_LOAD = "import sys, yaml; yaml.load(open(sys.argv[1]), Loader=yaml.CSafeLoader)"
"""The YAML floor of the scaling target: libyaml building the spec's Python objects, nothing else."""

WORKDIR = {"path": ROOT}
"""Where commands run: the source tree, or (``--installed``) a scratch directory outside it."""


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["TERM"] = "dumb"  # any PYTHONDONTWRITEBYTECODE value, even "0", would recompile every module each run
    return env


def run_once(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``argv`` (output discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        argv, cwd=WORKDIR["path"], env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode(errors='replace')}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def measure(commands: dict[str, list[str]], runs: int) -> dict[str, dict[str, float]]:
    """Median wall and CPU seconds of each command, run in interleaved rounds.

    Each round runs every command once, so a burst of load from elsewhere slows the floor
    and the commands alike; the first round only warms caches and writes .pyc files.
    """
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for attempt in range(runs + 1):
        for name, argv in commands.items():
            wall, cpu = run_once(argv)
            if attempt:
                samples[name].append((wall, cpu))
    return {
        name: {"wall": statistics.median(w for w, _ in got), "cpu": statistics.median(c for _, c in got)}
        for name, got in samples.items()
    }


def generate(directory: Path, layers: int, distinct: bool = False) -> Path:
    """A sequential spec of ``layers`` layers (YAML, one entry per line, as a person writes it).

    ``distinct`` gives every Dense and LSTM its own width, so no two layers see the same
    arguments and input: paramcalc counts identical layers once, and this is the spec
    where that cannot help.
    """
    path = directory / f"generated_{layers}{'_distinct' if distinct else ''}.yaml"
    if distinct:
        kinds = [
            f"  - Dense: {8 + i}\n"
            if i % 4 == 0
            else f"  - LSTM: {{units: {8 + i}, return_sequences: true}}\n"
            if i % 4 == 2
            else KINDS[i % len(KINDS)]
            for i in range(layers)
        ]
        body = "".join(kinds)
    else:
        body = "".join(KINDS[i % len(KINDS)] for i in range(layers))
    path.write_text(f"name: generated-{layers}\ninput: [16, 8]\nlayers:\n{body}", encoding="utf-8")
    return path


def startup(python: str, runs: int) -> dict[str, Any]:
    """The floor, and table / JSON summaries of every example spec (interleaved rounds)."""
    summary = [python, "-m", "paramcalc", "summary"]
    commands = {"floor": [python, "-c", FLOOR]}
    for spec in SPECS:
        commands[f"{spec.name} table"] = [*summary, str(spec)]
        commands[f"{spec.name} json"] = [*summary, str(spec), "--format", "json"]
    times = measure(commands, runs)
    rows = [
        {"spec": spec.name, "table": times[f"{spec.name} table"], "json": times[f"{spec.name} json"]} for spec in SPECS
    ]
    return {"floor": times["floor"], "specs": rows}


def scaling(python: str, runs: int, sizes: tuple[int, ...], distinct: bool = False) -> list[dict[str, Any]]:
    """``summary --format json`` on generated specs of each size (big ones get fewer runs)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="paramcalc-bench-") as tmp:
        for layers in sizes:
            spec = generate(Path(tmp), layers, distinct)
            argv = [python, "-m", "paramcalc", "summary", str(spec), "--format", "json"]
            commands = {"spec": argv}
            if layers in (1, max(sizes)):  # the YAML floor, in the same interleaved rounds
                commands["yaml"] = [python, "-c", YAML_LOAD, str(spec)]
            times = measure(commands, max(3, runs // (1 + layers // 10_000)))
            rows.append({"layers": layers, **times["spec"], **({"yaml": times["yaml"]} if "yaml" in times else {})})
    return rows


def markdown(result: dict[str, Any]) -> str:
    """The figures as the Markdown tables of bench/README.md."""
    floor = result["startup"]["floor"]
    lines = [
        f"Python {result['python']}, {result['machine']}; medians of {result['runs']} runs.",
        "",
        "| command | wall | vs floor | CPU | vs floor | target |",
        "|---|--:|--:|--:|--:|---|",
        f'| floor: `python -c "{FLOOR}"` | {floor["wall"] * 1000:.0f} ms | 1.00x '
        f"| {floor['cpu'] * 1000:.0f} ms | 1.00x | |",
    ]
    for row in result["startup"]["specs"]:
        for fmt, label, target in (("table", "", "<= 1.30x"), ("json", " --format json", "< 1.00x")):
            t = row[fmt]
            lines.append(
                f"| `summary {row['spec']}{label}` | {t['wall'] * 1000:.0f} ms | {t['wall'] / floor['wall']:.2f}x "
                f"| {t['cpu'] * 1000:.0f} ms | {t['cpu'] / floor['cpu']:.2f}x | {target} |"
            )
    for title, rows in (("layers", result["scaling"]), ("distinct layers", result["distinct"])):
        base = rows[0]  # each table's 1-layer spec: its start-up, subtracted from every row's growth
        lines += [
            "",
            f"| {title} | wall | CPU | CPU per layer | YAML load alone (wall) | growth vs YAML load's | target |",
            "|--:|--:|--:|--:|--:|--:|---|",
        ]
        for row in rows:
            # below a few thousand layers the difference is start-up noise, not per-layer work
            per_layer = (row["cpu"] - base["cpu"]) / (row["layers"] - 1) * 1e6 if row["layers"] >= 1000 else None
            target = "<= 1.00x YAML load" if row is rows[-1] and title == "layers" else ""
            shown = f"{per_layer:.1f} µs" if per_layer is not None else ""
            yaml_wall = row.get("yaml", {}).get("wall")
            base_yaml = base.get("yaml", {}).get("wall")
            vs_yaml = ""
            if yaml_wall and base_yaml and row["layers"] > 1 and yaml_wall > base_yaml:  # growth over 1 layer
                vs_yaml = f"{(row['wall'] - base['wall']) / (yaml_wall - base_yaml):.2f}x"
            yaml_shown = f"{yaml_wall:.3f} s" if yaml_wall else ""
            lines.append(
                f"| {row['layers']:,} | {row['wall']:.3f} s | {row['cpu']:.3f} s | {shown} | {yaml_shown} "
                f"| {vs_yaml} | {target} |"
            )
    return "\n".join(lines)


def main() -> None:
    """Measure, then print Markdown tables (or the raw figures with --json)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs per command (median reported)")
    parser.add_argument("--python", default=sys.executable, help="interpreter with paramcalc installed")
    parser.add_argument("--quick", action="store_true", help="fewer sizes and runs of the scaling specs")
    parser.add_argument("--json", dest="as_json", action="store_true", help="print the raw figures as JSON")
    parser.add_argument(
        "--installed", action="store_true", help="run outside the source tree: measure the installed package"
    )
    options = parser.parse_args()
    scratch = tempfile.TemporaryDirectory(prefix="paramcalc-bench-cwd-")
    if options.installed:
        WORKDIR["path"] = Path(scratch.name)
    result = {
        "python": sys.version.split()[0],
        "machine": f"{os.cpu_count()} CPUs, {sys.platform}, load average {os.getloadavg()[0]:.1f}",
        "runs": options.runs,
        "startup": startup(options.python, options.runs),
        "scaling": scaling(options.python, options.runs, (1, 10_000) if options.quick else SIZES),
        "distinct": scaling(options.python, options.runs, (1, 10_000) if options.quick else (1, 1_000, 10_000), True),
    }
    print(json.dumps(result, indent=2) if options.as_json else markdown(result))


if __name__ == "__main__":
    main()
