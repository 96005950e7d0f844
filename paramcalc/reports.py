"""The report for one command-line SPEC argument: a spec counted, or a checkpoint's header read.

Its own module, not :mod:`paramcalc.api`'s: every command reads its SPEC arguments through it,
and the API module (with the names it binds on the package) is more than a CLI run needs.
"""

from __future__ import annotations

from paramcalc.errors import UsageError
from paramcalc.report import Report


def report_for(
    argument: str, *, framework: str | None = None, dtype: str = "float32", config: str | None = None
) -> Report:
    """The report for one command-line SPEC argument (the CLI's ``summary``, ``diff``, ``memory``, ``check``).

    Unlike :func:`summary` it reads the argument as the CLI always has (``-`` is stdin, an
    existing path a file, anything else an inline spec), and reads a checkpoint header
    only, cross-checked against ``config`` (or the config.json beside it).
    """
    from paramcalc.checkpoint import checkpoint_report, is_checkpoint

    if is_checkpoint(argument):
        return checkpoint_report(argument, config)
    if config is not None:
        raise UsageError("--config cross-checks a checkpoint (.safetensors, .gguf or a model directory)")
    from paramcalc.engine import analyze
    from paramcalc.spec import load_spec

    return analyze(load_spec(argument, framework=framework), dtype=dtype)
