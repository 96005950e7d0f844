"""The command line: a thin shell over spec -> engine -> render.

Commands parse flags, call the core, and print.  Every user error is a
:class:`~paramcalc.errors.ParamcalcError` (or a click usage error) and is printed as one
line on stderr with exit status 2; nothing is ever printed as a traceback.  Heavy
modules (rich, PyYAML) are imported only by the code paths that need them.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from paramcalc import __version__
from paramcalc.errors import ParamcalcError, UsageError

FORMATS_SUMMARY = ("table", "json", "markdown")
FORMATS_EXPLAIN = ("text", "markdown", "latex", "json")
FORMATS_CHECK = ("text", "json", "github")
FORMATS_DIFF = ("table", "json", "markdown")
FORMATS_SOLVE = ("text", "json")
FRAMEWORKS = ("keras", "pytorch", "transformers")
FORMATS_MEMORY = ("text", "json", "markdown")

EXIT_USAGE = 2
EXIT_INTERNAL = 3

_T = TypeVar("_T")


def _dtype_option(function: Any) -> Any:
    return click.option(
        "--dtype",
        default="float32",
        show_default=True,
        callback=_dtype,  # validated before any spec is read, naming the flag
        help="Storage dtype for the byte sizes: float32, float16, bfloat16, int8, int4, ...",
    )(function)


def _framework_option(function: Any) -> Any:
    return click.option(
        "--framework",
        type=click.Choice(FRAMEWORKS, case_sensitive=False),
        default=None,
        help="Layer names and counting conventions (default: the spec's own, else keras).",
    )(function)


def _count(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """Read a count flag (``1.5M``) exactly; a bad value is a usage error (exit 2)."""
    from paramcalc.budget import parse_count

    return _read(parse_count, value, param)


def _size(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """Read a size flag (``8MB``, 1024 steps) exactly."""
    from paramcalc.budget import parse_size

    return _read(parse_size, value, param)


def _dtype(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A dtype flag's canonical name (``bf16`` -> ``bfloat16``); None when not given."""
    from paramcalc.dtypes import canonical_dtype

    return _read(canonical_dtype, value, param)


def _dtypes(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """A repeatable dtype flag's canonical names."""
    from paramcalc.dtypes import canonical_dtype

    return tuple(_read(canonical_dtype, value, param) or value for value in values)


def _read(parse: Callable[[str], _T], value: str | None, param: click.Parameter) -> _T | None:
    if value is None:
        return None
    try:
        return parse(value)
    except UsageError as exc:
        raise click.BadParameter(exc.render(), param=param) from None


def _echo_json(document: dict[str, Any]) -> None:
    """Print a JSON document (schema 1, see README) the way ``summary --format json`` does."""
    import json

    click.echo(json.dumps(document, indent=2))


def _config_option(function: Any) -> Any:
    return click.option(
        "--config",
        "config",
        metavar="CONFIG_JSON",
        help="Cross-check a checkpoint against this Hugging Face config.json (default: the config.json beside it).",
    )(function)


def _budget_options(function: Any) -> Any:
    function = click.option(
        "--dtype",
        default=None,
        callback=_dtype,
        help="Dtype the --max-bytes size is measured at (default: the budget's own, else float32).",
    )(function)
    function = click.option(
        "--max-bytes",
        callback=_size,
        metavar="SIZE",
        help="Size limit of the parameters at --dtype: 8MB, 512KiB, 1.5GiB or bytes. KB, MB, GB are"
        " 1024 steps, as Keras prints sizes (the same as KiB, MiB, GiB).",
    )(function)
    return click.option(
        "--max-params",
        callback=_count,
        metavar="N",
        help="Parameter limit: 2000000, 1_000_000, 500k, 1.5M, 2G (k=10³, M=10⁶, G=B=10⁹; exact).",
    )(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="paramcalc")
def cli() -> None:
    """Count a neural network's parameters, and show why, without any framework installed.

    SPEC is a YAML file, - for stdin, Keras' model.to_json() output, a Hugging Face
    config.json, or an inline spec such as "Embedding(50, 8, input_length=4) | SimpleRNN(32) | Dense(1)".
    """


@cli.command()
@click.argument("spec")
@click.option("--format", "fmt", type=click.Choice(FORMATS_SUMMARY), default="table", show_default=True)
@click.option("--explain", is_flag=True, help="Print each layer's derivation under the table.")
@click.option(
    "--expand-nested",
    is_flag=True,
    help="One row per layer: write out repeated blocks (model.layers.0, .1, ...) and the layers of nested models.",
)
@_dtype_option
@_framework_option
@_config_option
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
    A checkpoint (model.safetensors, model.safetensors.index.json, model.gguf or a model
    directory) is read header only: its tensors grouped into modules, dtypes and bytes as
    stored, cross-checked against the config.json beside it (or --config).
    """  # noqa: D301 - \b (backspace) keeps click from rewrapping the examples
    from paramcalc.api import report_for

    report = report_for(spec, framework=framework, dtype=dtype, config=config)
    if expand_nested:
        report = report.expanded()
    if by is not None:  # issue 15: where the parameters go
        from paramcalc.render.breakdown import print_breakdown

        print_breakdown(report, fmt, sys.stdout)
        return
    if percent and fmt != "json":  # the JSON gives every row's params and the total already
        from paramcalc.render.breakdown import print_with_shares

        print_with_shares(report, fmt, sys.stdout, explain=explain, expand_nested=expand_nested)
        return
    if fmt == "json":
        from paramcalc.render.json_out import write

        write(report, sys.stdout, expand_nested)
    elif fmt == "markdown":
        from paramcalc.render.markdown import summary as markdown_summary

        click.echo(markdown_summary(report, explain=explain, expand_nested=expand_nested), nl=False)
    else:
        from paramcalc.render.table import print_table

        print_table(report, sys.stdout, explain=explain, expand_nested=expand_nested)


@cli.command()
@click.argument("layer")
@click.argument("args", nargs=-1)
@click.option(
    "--input", "input_shape", metavar="SHAPE", help="Input shape without the batch axis: 10000, 3,10000 or (3, 10000)."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS_EXPLAIN), default="text", show_default=True)
@click.option("--compare", is_flag=True, help="Count the layer the Keras way and the PyTorch way, side by side.")
@click.option(
    "--config",
    "config_path",
    metavar="CONFIG_JSON",
    help="A Hugging Face config.json: derive this model's block (LlamaDecoderLayer, model.layers.5, ...).",
)
@_framework_option
def explain(
    layer: str,
    args: tuple[str, ...],
    input_shape: str | None,
    fmt: str,
    compare: bool,
    config_path: str | None,
    framework: str | None,
) -> None:
    """Derive one layer's parameter count, term by term.

    With --framework pytorch, --input fills the module's size argument (input_size,
    in_features, in_channels, ...) and the words fill the others in torch's order.

    \b
    Examples:
      paramcalc explain lstm 32 --input 10000
      paramcalc explain "GRU(32, reset_after=False)" --input 10000
      paramcalc explain dense 1 --input 32 --format markdown
      paramcalc explain lstm 32 --input 10000 --framework pytorch
      paramcalc explain lstm 32 --input 10000 --compare
      paramcalc explain LlamaDecoderLayer --config specs/llama-2-7b.config.json
      paramcalc explain "LlamaDecoderLayer(hidden_size=4096, intermediate_size=11008, num_key_value_heads=8)"
    """  # noqa: D301 - \b (backspace) keeps click from rewrapping the examples
    if compare:
        if config_path is not None or framework == "transformers":
            raise UsageError(
                "--compare puts Keras and PyTorch side by side: it takes no --config and no --framework transformers"
            )
        _explain_compare(layer, args, input_shape, fmt, framework or "keras")
        return
    from paramcalc.explain import explain_layer, explain_with_config

    if config_path is not None:
        if input_shape is not None or framework not in (None, "transformers"):
            raise UsageError("--config takes neither --input nor --framework: the config gives the sizes")
        rows = explain_with_config(layer, args, config_path)
    else:
        rows = [explain_layer(layer, args, input_shape, framework)]
    if fmt == "json":
        import json

        docs = [row.to_dict() for row in rows]
        click.echo(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2))
        return
    from paramcalc.render import derivation

    render = {"text": derivation.text, "markdown": derivation.markdown, "latex": derivation.latex}[fmt]
    click.echo("\n\n".join(render(row).rstrip() for row in rows))


@cli.command()
@click.argument("spec")
@click.option("--format", "fmt", type=click.Choice(FORMATS_MEMORY), default="text", show_default=True)
@click.option(
    "--dtype",
    "dtypes",
    multiple=True,
    metavar="DTYPE",
    callback=_dtypes,
    help="Weight dtypes to list (repeatable; default float32, bfloat16, int8, int4 and a config's torch_dtype).",
)
@_framework_option
def memory(spec: str, fmt: str, dtypes: tuple[str, ...], framework: str | None) -> None:
    """Memory for SPEC's parameters: weights per dtype, and training with Adam.

    Every size is derived: bytes per parameter × parameters. Training counts weights,
    gradients and Adam's optimizer states (full float32: 4 + 4 + 8 = 16 B/param; mixed
    precision: 2 + 2 + 12 = 16 B/param, the 12 being a float32 master copy and Adam's m and
    v). Activations, the KV cache and framework overhead are not included.

    \b
    Examples:
      paramcalc memory specs/llama-2-7b.config.json
      paramcalc memory specs/lstm.yaml --dtype float16 --format json
    """  # noqa: D301 - \b (backspace) keeps click from rewrapping the examples
    from paramcalc.api import report_for
    from paramcalc.memory import estimate

    result = estimate(report_for(spec, framework=framework), dtypes or None)
    if fmt == "json":
        import json

        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    from paramcalc.render import memory_text

    click.echo((memory_text.markdown if fmt == "markdown" else memory_text.text)(result).rstrip())


def _explain_compare(layer: str, args: tuple[str, ...], input_shape: str | None, fmt: str, framework: str) -> None:
    from paramcalc.compare import compare_layer
    from paramcalc.render import comparison

    result = compare_layer(layer, args, input_shape, framework)
    if fmt == "json":
        import json

        click.echo(json.dumps(comparison.to_dict(result), indent=2))
    elif fmt == "latex":
        from paramcalc.render import derivation

        click.echo(derivation.latex(result.keras) + "\n\n" + derivation.latex(result.torch))
    else:
        render = comparison.markdown if fmt == "markdown" else comparison.text
        click.echo(render(result).rstrip())


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


@cli.command()
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...")
@_budget_options
@_config_option
@click.option("--format", "fmt", type=click.Choice(FORMATS_CHECK), default="text", show_default=True)
@click.option(
    "--allow-no-budget",
    is_flag=True,
    help="Pass when no spec has a budget (for hooks handed whichever specs changed); they are still validated.",
)
@_framework_option
def check(
    specs: tuple[str, ...],
    max_params: int | None,
    max_bytes: int | None,
    dtype: str | None,
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

    flags = Budget(max_params, max_bytes, dtype)
    run = check_specs(specs, flags, framework, allow_no_budget=allow_no_budget, config=config)
    if run.nothing_checked:
        raise UsageError(
            "nothing to check: no spec declares a 'budget:' and no --max-params/--max-bytes was given",
            hint="add 'budget: {max_params: 2M}' to the spec or pass --max-params 2M",
        )
    for line in render_check.error_lines(run):
        click.echo(line, err=True)
    if fmt == "json":
        _echo_json(run.to_dict())
    else:
        click.echo(render_check.github(run) if fmt == "github" else render_check.text(run))
    return run.exit_code


@cli.command()
@click.argument("spec_a", metavar="A")
@click.argument("spec_b", metavar="B")
@click.option("--format", "fmt", type=click.Choice(FORMATS_DIFF), default="table", show_default=True)
@click.option("--fail-on-increase", is_flag=True, help="Exit 1 when B has more parameters than A.")
@_dtype_option
@_framework_option
def diff(spec_a: str, spec_b: str, fmt: str, fail_on_increase: bool, dtype: str, framework: str | None) -> int:
    """Compare two models layer by layer: parameters in A and B, per-layer and per-weight deltas.

    Layers are matched by name, then by position; layers only in B are 'added', only in
    A 'removed'.  --format markdown fits a pull-request comment.  Exit 0 (1 with
    --fail-on-increase when the total grew; 2 when a spec is invalid).
    """
    from paramcalc.api import report_for
    from paramcalc.diff import diff_reports

    if spec_a == "-" and spec_b == "-":
        raise UsageError("only one of A and B can be read from stdin")
    result = diff_reports(
        report_for(spec_a, framework=framework, dtype=dtype),
        report_for(spec_b, framework=framework, dtype=dtype),
    )
    if fmt == "json":
        _echo_json(result.to_dict())
    elif fmt == "markdown":
        from paramcalc.render.markdown import diff as markdown_diff

        click.echo(markdown_diff(result), nl=False)
    else:
        from paramcalc.render.table import print_diff

        print_diff(result, sys.stdout)
    return 1 if fail_on_increase and result.delta > 0 else 0


@cli.command()
@click.argument("spec")
@_budget_options
@click.option("--min", "minimum", callback=_count, metavar="N", help="Smallest value to consider (default 1).")
@click.option("--max", "maximum", callback=_count, metavar="N", help="Largest value to consider.")
@click.option("--multiple-of", "step", callback=_count, metavar="K", help="Only multiples of K (8 for fast kernels).")
@click.option("--format", "fmt", type=click.Choice(FORMATS_SOLVE), default="text", show_default=True)
@_framework_option
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
    if fmt == "json":
        _echo_json(solution.to_dict())
    else:
        from paramcalc.render.solve import text

        click.echo(text(solution))
    return solution.exit_code


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
