"""The command line: a thin shell over spec -> engine -> render.

Commands parse flags, call the core, and print.  Every user error is a
:class:`~paramcalc.errors.ParamcalcError` (or a click usage error) and is printed as one
line on stderr with exit status 2; nothing is ever printed as a traceback.  Heavy
modules (rich, PyYAML) are imported only by the code paths that need them.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from typing import Any, ClassVar

import click

from paramcalc import __version__
from paramcalc.cli_options import (
    FORMATS_CHECK,
    FORMATS_DIFF,
    FORMATS_SOLVE,
    FORMATS_SUMMARY,
    Command,
    PlainHelp,
    axis_count_flag,
    budget_options,
    config_option,
    count_flag,
    dtype_option,
    emit,
    fit_text,
    flop_size_options,
    flops_budget_options,
    format_option,
    framework_option,
)
from paramcalc.errors import ParamcalcError, UsageError
from paramcalc.frameworks import FRAMEWORKS
from paramcalc.safe_text import OutputClosed, one_line, silence_stdout

EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE, what a shell reports for a program its reader left; never 1, "over budget"."""
TRACEBACK_VARIABLE = "PARAMCALC_TRACEBACK"
"""Set to 1 to print the traceback behind an "internal error" (for maintainers; users see one line)."""


def _print_version(ctx: click.Context) -> None:
    """``paramcalc --version``: the line click's own version option prints."""
    if not ctx.resilient_parsing:
        click.echo(f"paramcalc, version {__version__}")
        ctx.exit()


class _Commands(PlainHelp, click.Group):
    """The command group; commands defined in modules of their own load only when they run.

    ``explain`` and ``memory`` have many options of their own: declaring them costs
    start-up time in every ``summary`` or ``check`` run, which never uses them.
    """

    command_class = Command
    LAZY: ClassVar[dict[str, str]] = {"explain": "paramcalc.cli_explain", "memory": "paramcalc.cli_memory"}
    """Command name -> the module defining it (as a function of that name)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = self.LAZY.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            import importlib

            self.add_command(getattr(importlib.import_module(module), cmd_name))
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-V",
    "--version",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=lambda ctx, _param, value: _print_version(ctx) if value else None,
    help="Show the version and exit.",
)  # not click.version_option, which looks its texts up with gettext (see cli_options.PlainHelp)
def cli() -> None:
    """Count a neural network's parameters, and show why, without any framework installed.

    SPEC is a YAML file, - for stdin, Keras' model.to_json() output, a Hugging Face
    config.json, or an inline spec such as "Embedding(50, 8, input_length=4) | SimpleRNN(32) | Dense(1)".
    """


@cli.command()
@click.argument("spec")
@format_option(FORMATS_SUMMARY)
@click.option("--explain", is_flag=True, help="Print each layer's derivation under the table.")
@click.option(
    "--expand-nested",
    is_flag=True,
    help="One row per layer: write out repeated blocks (model.layers.0, .1, ...) and the layers of nested models.",
)
@click.option("--flops", "show_flops", is_flag=True, help="Add a FLOPs column: one forward pass (docs/flops.md).")
@flop_size_options
@click.option(
    "--tokens",
    callback=axis_count_flag,
    metavar="D",
    help="Training tokens for the LLM estimates (training FLOPs ≈ 6·N·D); needs --seq-len.",
)
@dtype_option
@framework_option
@config_option
@click.option("--percent", is_flag=True, help="Add a % column: each row's share of the total, with a bar.")
@click.option(
    "--by",
    type=click.Choice(("module",)),
    default=None,
    help="Instead of the layers, where the parameters go: embeddings, attention, MLP, norms, head, other.",
)
def summary(
    spec: str,
    fmt: str,
    explain: bool,
    expand_nested: bool,
    show_flops: bool,
    batch: int,
    seq_len: int | None,
    tokens: int | None,
    dtype: str,
    framework: str | None,
    config: str | None,
    percent: bool,
    by: str | None,
) -> None:
    """Print a Keras-style summary of SPEC: layers, output shapes, parameter counts.

    \b
    A Hugging Face config.json shows one row per distinct block with its repeat count
    (model.layers.0-31 (LlamaDecoderLayer × 32)); --expand-nested shows every layer.
    --flops adds each layer's forward FLOPs at --batch (and --seq-len tokens), counted as
    torch's FlopCounterMode counts them; JSON always carries them.
    A checkpoint (model.safetensors, model.safetensors.index.json, model.gguf or a model
    directory) is read header only: its tensors grouped into modules, dtypes and bytes as
    stored, cross-checked against the config.json beside it (or --config).
    """  # noqa: D301 - \b (backspace) keeps click from rewrapping the examples
    from paramcalc.reports import report_for

    report = report_for(spec, framework=framework, dtype=dtype, config=config)
    if expand_nested:
        report = report.expanded()
    if by is not None:  # where the parameters go
        from paramcalc.render.breakdown import print_breakdown

        print_breakdown(report, fmt, sys.stdout)
        return
    flop_report = None
    if show_flops or fmt == "json" or tokens is not None:
        from paramcalc.flops import Sizes, summarize

        flop_report = summarize(report, Sizes(batch, seq_len), expand_nested)

    def json_doc() -> Any:
        from paramcalc.render.json_out import write

        return lambda file: write(report, file, expand_nested, flops=flop_report, tokens=tokens, percent=percent)

    def markdown() -> str:
        from paramcalc.render.markdown import summary as markdown_summary

        return markdown_summary(
            report, explain=explain, expand_nested=expand_nested, flops=flop_report, tokens=tokens, percent=percent
        )

    def table() -> Any:
        from paramcalc.render.table import print_table

        return lambda file: print_table(
            report,
            file,
            explain=explain,
            expand_nested=expand_nested,
            flops=flop_report,
            tokens=tokens,
            percent=percent,
        )

    emit(fmt, {"json": json_doc, "markdown": markdown, "text": table})


@cli.command(name="layers")
@framework_option
@click.option("--families", is_flag=True, help="List the Hugging Face model_types and the model classes of each.")
def list_layers(framework: str | None, families: bool) -> None:
    """List the layer classes paramcalc knows, with their closed forms."""
    from paramcalc.rules import all_rules

    if families:  # the Hugging Face family table
        from paramcalc.spec.hf_listing import family_lines

        click.echo("\n".join(family_lines()))
        return

    table = all_rules(framework or "keras")
    lines = []
    for name in sorted(table, key=str.lower):
        entry = table[name]
        alias = f" (alias of {entry.name})" if entry.name != name else ""
        first = entry.why.split(". ")[0]
        lines.append(f"{name}{alias}: {first}")
    emit("text", {"text": lambda: fit_text("\n".join(lines)) + "\n"})


@cli.command()
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...")
@budget_options
@flops_budget_options
@config_option
@format_option(FORMATS_CHECK)
@click.option(
    "--allow-no-budget",
    is_flag=True,
    help="Pass when no spec has a budget (for hooks handed whichever specs changed); they are still validated.",
)
@framework_option
def check(
    specs: tuple[str, ...],
    max_params: int | None,
    max_bytes: int | None,
    dtype: str | None,
    max_flops: int | None,
    batch: int,
    seq_len: int | None,
    fmt: str,
    allow_no_budget: bool,
    framework: str | None,
    config: str | None,
) -> int:
    """Check that every SPEC stays within its budget: exit 0 if all do, 1 if any is over.

    A spec's own 'budget: {max_params: 2M, max_bytes: 8MB, dtype: float16}' is used; the
    flags override it field by field.  Every spec is checked, past failures.  Exit 2 when
    a spec is invalid, or when no spec has a budget at all.  Specs without a budget are
    listed and pass.  --format github prints violations as GitHub Actions annotations on
    the line that declares the budget.  A checkpoint (.safetensors, an index, .gguf, a
    model directory) with a config.json beside it (or --config) must hold exactly the
    tensors the config derives: exit 1 when it does not (a conversion gone wrong).

    \b
    Examples:
      paramcalc check specs/*.yaml
      paramcalc check path/to/model_dir
      paramcalc check model.yaml --max-params 1.5M --format github
      paramcalc check model.yaml --max-bytes 8MB --dtype float16
    """  # noqa: D301 - a real \b keeps the examples unwrapped
    from paramcalc.budget import Budget, check_specs
    from paramcalc.render import check as render_check

    if specs.count("-") > 1:
        raise UsageError("stdin can be read only once: pass - at most once")

    flags = Budget(max_params, max_bytes, dtype, max_flops=max_flops, batch=batch, seq_len=seq_len)
    run = check_specs(specs, flags, framework, allow_no_budget=allow_no_budget, config=config)
    if run.nothing_checked:
        raise UsageError(
            "nothing to check: no spec declares a 'budget:' and no --max-params/--max-bytes/--max-flops was given",
            hint="add 'budget: {max_params: 2M}' to the spec or pass --max-params 2M",
        )
    for line in render_check.error_lines(run):
        click.echo(line, err=True)
    emit(
        fmt,
        {
            "json": run.to_dict,
            "github": lambda: render_check.github(run) + "\n",
            "text": lambda: render_check.text(run) + "\n",
        },
    )
    return run.exit_code


@cli.command()
@click.argument("spec_a", metavar="A")
@click.argument("spec_b", metavar="B")
@format_option(FORMATS_DIFF)
@click.option("--fail-on-increase", is_flag=True, help="Exit 1 when B has more parameters than A.")
@dtype_option
@framework_option
def diff(spec_a: str, spec_b: str, fmt: str, fail_on_increase: bool, dtype: str, framework: str | None) -> int:
    """Compare two models layer by layer: parameters in A and B, per-layer and per-weight deltas.

    Layers are matched by name, then by position; layers only in B are 'added', only in
    A 'removed'.  --format markdown fits a pull-request comment.  Exit 0 (1 with
    --fail-on-increase when the total grew; 2 when a spec is invalid).
    """
    from paramcalc.diff import diff_reports
    from paramcalc.reports import report_for

    if spec_a == "-" and spec_b == "-":
        raise UsageError("only one of A and B can be read from stdin")
    result = diff_reports(
        report_for(spec_a, framework=framework, dtype=dtype),
        report_for(spec_b, framework=framework, dtype=dtype),
    )

    def markdown() -> str:
        from paramcalc.render.markdown import diff as markdown_diff

        return markdown_diff(result)

    def table() -> Any:
        from paramcalc.render.table import print_diff

        return lambda file: print_diff(result, file)

    emit(fmt, {"json": result.to_dict, "markdown": markdown, "text": table})
    return 1 if fail_on_increase and result.delta > 0 else 0


@cli.command()
@click.argument("spec")
@budget_options
@click.option("--min", "minimum", callback=count_flag, metavar="N", help="Smallest value to consider (default 1).")
@click.option("--max", "maximum", callback=count_flag, metavar="N", help="Largest value to consider.")
@click.option(
    "--multiple-of", "step", callback=count_flag, metavar="K", help="Only multiples of K (8 for fast kernels)."
)
@format_option(FORMATS_SOLVE)
@framework_option
def solve(
    spec: str,
    max_params: int | None,
    max_bytes: int | None,
    minimum: int | None,
    maximum: int | None,
    step: int | None,
    dtype: str | None,
    fmt: str,
    framework: str | None,
) -> int:
    """Find the largest value for the '?' in SPEC that keeps the model within budget.

    The '?' stands for one integer argument: "LSTM(?)", "Dense(units=?)", or units: "?"
    in YAML.  Each candidate is counted exactly; prints the value, the total, the
    headroom and the next value, which does not fit.  Exit 1 when no value fits.

    \b
    Examples:
      paramcalc solve "Embedding(20000, 128) | LSTM(?) | Dense(1)" --max-params 3M
      paramcalc solve model.yaml --max-bytes 4MB --dtype float16 --multiple-of 8
    """  # noqa: D301 - a real \b keeps the examples unwrapped
    from paramcalc.budget import Budget, resolve_budget
    from paramcalc.engine import analyze
    from paramcalc.solve import Search
    from paramcalc.solve import solve as solve_spec
    from paramcalc.spec import load_spec

    model = load_spec(spec, framework=framework)
    budget = resolve_budget(model, Budget(max_params, max_bytes, dtype))
    search = Search(1 if minimum is None else minimum, maximum, 1 if step is None else step)
    solution = solve_spec(model, budget, search, lambda m: analyze(m, dtype=budget.effective_dtype))

    def text() -> str:
        from paramcalc.render.solve import text

        return text(solution) + "\n"

    emit(fmt, {"json": solution.to_dict, "text": text})
    return solution.exit_code


def all_commands() -> dict[str, click.Command]:
    """Every command by name, those of their own modules loaded too (for listings and tests)."""
    ctx = click.Context(cli)
    found = {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}
    return {name: command for name, command in found.items() if command is not None}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit status; user errors become one line on stderr."""
    args = list(argv) if argv is not None else sys.argv[1:]
    if not args:
        names = ", ".join(all_commands())
        click.echo(f"paramcalc: error: missing command: {names} (see 'paramcalc --help')", err=True)
        return EXIT_USAGE
    from paramcalc.safe_text import guarded_output

    with guarded_output():  # no control characters from a spec reach the terminal (issue 11)
        return _main(args)


def _main(args: list[str]) -> int:
    collecting = gc.isenabled()
    gc.disable()  # a short run that frees by reference counting: cycle collection only costs time
    try:
        result = cli.main(args=args, prog_name="paramcalc", standalone_mode=False)
    except ParamcalcError as exc:
        click.echo(f"paramcalc: error: {one_line(exc.render())}", err=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        message = " ".join(exc.format_message().split())
        click.echo(f"paramcalc: error: {message} (see 'paramcalc --help')", err=True)
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("paramcalc: aborted", err=True)
        return 130
    except (BrokenPipeError, OutputClosed):  # the reader went away (| head): not "over budget" (1), not an error (2)
        silence_stdout()
        return EXIT_BROKEN_PIPE
    except RecursionError:
        click.echo("paramcalc: error: input nested too deeply", err=True)
        return EXIT_USAGE
    except MemoryError:
        click.echo("paramcalc: error: out of memory: the spec is too large", err=True)
        return EXIT_USAGE
    except OSError as exc:  # writing the output failed: a full disk, a closed stream
        click.echo(f"paramcalc: error: cannot write the output: {exc.strerror or exc}", err=True)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - last line of defence: never show a traceback
        if os.environ.get(TRACEBACK_VARIABLE) == "1":  # a maintainer asked to see where it happened
            import traceback

            traceback.print_exc(file=sys.stderr)
        click.echo(
            f"paramcalc: internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:200]} (please report)",
            err=True,
        )
        return EXIT_INTERNAL
    finally:
        if collecting:
            gc.enable()
    return int(result) if isinstance(result, int) else 0


def entry_point() -> None:
    """Console-script entry: exit with :func:`main`'s status."""
    sys.exit(main())


__all__ = ["FRAMEWORKS", "UsageError", "all_commands", "cli", "entry_point", "main"]
