"""The command line: a thin shell over spec -> engine -> render.

Commands parse flags, call the core, and print.  Every user error is a
:class:`~paramcalc.errors.ParamcalcError` (or a click usage error) and is printed as one
line on stderr with exit status 2; nothing is ever printed as a traceback.  Heavy
modules (rich, PyYAML) are imported only by the code paths that need them.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from typing import Any

import click

from paramcalc import __version__
from paramcalc.errors import ParamcalcError, UsageError

FORMATS_SUMMARY = ("table", "json", "markdown")
FORMATS_EXPLAIN = ("text", "markdown", "latex", "json")
FRAMEWORKS = ("keras", "pytorch")

EXIT_USAGE = 2
EXIT_INTERNAL = 3


def _check_dtype(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Validate --dtype before any spec is read, naming the flag in the error."""
    from paramcalc.dtypes import canonical_dtype

    try:
        return canonical_dtype(value)
    except UsageError as exc:
        raise click.BadParameter(exc.render(), ctx=ctx, param=param) from None


def _dtype_option(function: Any) -> Any:
    return click.option(
        "--dtype",
        default="float32",
        show_default=True,
        callback=_check_dtype,
        help="Storage dtype for the byte sizes: float32, float16, bfloat16, int8, int4, ...",
    )(function)


def _framework_option(function: Any) -> Any:
    return click.option(
        "--framework",
        type=click.Choice(FRAMEWORKS, case_sensitive=False),
        default=None,
        help="Layer names and counting conventions (default: the spec's own, else keras).",
    )(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="paramcalc")
def cli() -> None:
    """Count a neural network's parameters, and show why, without any framework installed.

    SPEC is a YAML file, - for stdin, Keras' model.to_json() output, or an inline spec
    such as "Embedding(50, 8, input_length=4) | SimpleRNN(32) | Dense(1)".
    """


@cli.command()
@click.argument("spec")
@click.option("--format", "fmt", type=click.Choice(FORMATS_SUMMARY), default="table", show_default=True)
@click.option("--explain", is_flag=True, help="Print each layer's derivation under the table.")
@_dtype_option
@_framework_option
def summary(spec: str, fmt: str, explain: bool, dtype: str, framework: str | None) -> None:
    """Print a Keras-style summary of SPEC: layers, output shapes, parameter counts."""
    from paramcalc.engine import analyze
    from paramcalc.spec import load_spec

    report = analyze(load_spec(spec, framework=framework), dtype=dtype)
    if fmt == "json":
        from paramcalc.render.json_out import write

        write(report, sys.stdout)
    elif fmt == "markdown":
        from paramcalc.render.markdown import summary as markdown_summary

        click.echo(markdown_summary(report, explain=explain), nl=False)
    else:
        from paramcalc.render.table import print_table

        print_table(report, sys.stdout, explain=explain)


@cli.command()
@click.argument("layer")
@click.argument("args", nargs=-1)
@click.option(
    "--input", "input_shape", metavar="SHAPE", help="Input shape without the batch axis: 10000, 3,10000 or (3, 10000)."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS_EXPLAIN), default="text", show_default=True)
@_framework_option
def explain(layer: str, args: tuple[str, ...], input_shape: str | None, fmt: str, framework: str | None) -> None:
    r"""Derive one layer's parameter count, term by term.

    \b
    Examples:
      paramcalc explain lstm 32 --input 10000
      paramcalc explain "GRU(32, reset_after=False)" --input 10000
      paramcalc explain dense 1 --input 32 --format markdown
    """
    from paramcalc.explain import explain_layer

    row = explain_layer(layer, args, input_shape, framework or "keras")
    if fmt == "json":
        import json

        click.echo(json.dumps(row.to_dict(), indent=2))
        return
    from paramcalc.render import derivation

    render = {"text": derivation.text, "markdown": derivation.markdown, "latex": derivation.latex}[fmt]
    click.echo(render(row).rstrip())


@cli.command(name="layers")
@_framework_option
def list_layers(framework: str | None) -> None:
    """List the layer classes paramcalc knows, with their closed forms."""
    from paramcalc.rules import all_rules

    table = all_rules(framework or "keras")
    for name in sorted(table, key=str.lower):
        entry = table[name]
        alias = f" (alias of {entry.name})" if entry.name != name else ""
        first = entry.why.split(". ")[0]
        click.echo(f"{name}{alias}: {first}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit status; user errors become one line on stderr."""
    args = list(argv) if argv is not None else sys.argv[1:]
    if not args:
        names = ", ".join(sorted(cli.commands))
        click.echo(f"paramcalc: error: missing command: {names} (see 'paramcalc --help')", err=True)
        return EXIT_USAGE
    collecting = gc.isenabled()
    gc.disable()  # a short run that frees by reference counting: cycle collection only costs time
    try:
        result = cli.main(args=args, prog_name="paramcalc", standalone_mode=False)
    except ParamcalcError as exc:
        click.echo(f"paramcalc: error: {exc.render()}", err=True)
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
    except BrokenPipeError:
        return 0
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


__all__ = ["UsageError", "cli", "entry_point", "main"]
