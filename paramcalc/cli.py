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
    if value is None:  # not given: no need to load the budget module
        return None
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


def _flop_size_options(function: Any) -> Any:
    """--batch and --seq-len: what fills the unknown axes of a FLOP count."""
    function = click.option(
        "--seq-len",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help="Tokens in the forward pass (Hugging Face configs), or any unknown sequence axis.",
    )(function)
    return click.option(
        "--batch", type=click.IntRange(min=1), default=1, show_default=True, metavar="N", help="Batch size for FLOPs."
    )(function)


def _flops_budget_options(function: Any) -> Any:
    function = _flop_size_options(function)
    return click.option(
        "--max-flops",
        callback=_count,
        metavar="N",
        help="Forward-pass FLOP limit at --batch (and --seq-len): 2G, 1.5T, ... (FlopCounterMode's convention).",
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
@click.option("--flops", "show_flops", is_flag=True, help="Add a FLOPs column: one forward pass (docs/flops.md).")
@_flop_size_options
@click.option(
    "--tokens",
    callback=_count,
    metavar="D",
    help="Training tokens for the LLM estimates (training FLOPs ≈ 6·N·D); needs --seq-len.",
)
@_dtype_option
@_framework_option
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
) -> None:
    """Print a Keras-style summary of SPEC: layers, output shapes, parameter counts.

    \b
    A Hugging Face config.json shows one row per distinct block with its repeat count
    (model.layers.0-31 (LlamaDecoderLayer × 32)); --expand-nested shows every layer.
    --flops adds each layer's forward FLOPs at --batch (and --seq-len tokens), counted as
    torch's FlopCounterMode counts them; JSON always carries them.
    """  # noqa: D301 - \b (backspace) keeps click from rewrapping the examples
    from paramcalc.engine import analyze
    from paramcalc.spec import load_spec

    report = analyze(load_spec(spec, framework=framework), dtype=dtype)
    if expand_nested:
        report = report.expanded()
    flop_report = None
    if show_flops or fmt == "json" or tokens is not None:
        from paramcalc.flops import Sizes, summarize

        flop_report = summarize(report, Sizes(batch, seq_len), expand_nested)
    if fmt == "json":
        from paramcalc.render.json_out import write

        write(report, sys.stdout, expand_nested, flops=flop_report, tokens=tokens)
    elif fmt == "markdown":
        from paramcalc.render.markdown import summary as markdown_summary

        click.echo(
            markdown_summary(report, explain=explain, expand_nested=expand_nested, flops=flop_report, tokens=tokens),
            nl=False,
        )
    else:
        from paramcalc.render.table import print_table

        print_table(report, sys.stdout, explain=explain, expand_nested=expand_nested, flops=flop_report, tokens=tokens)


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
@_flop_size_options
@_framework_option
def explain(
    layer: str,
    args: tuple[str, ...],
    input_shape: str | None,
    fmt: str,
    compare: bool,
    config_path: str | None,
    batch: int,
    seq_len: int | None,
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
        explicit = seq_len is not None or batch != 1
        _explain_compare(layer, args, input_shape, fmt, framework or "keras", (batch, seq_len) if explicit else None)
        return
    from paramcalc.explain import explain_layer, explain_with_config
    from paramcalc.flops import Sizes, layer_flops

    if config_path is not None:
        if input_shape is not None or framework not in (None, "transformers"):
            raise UsageError("--config takes neither --input nor --framework: the config gives the sizes")
        rows = explain_with_config(layer, args, config_path)
        counted_as = "transformers"
    else:
        rows = [explain_layer(layer, args, input_shape, framework)]
        counted_as = framework or "keras"
    sizes = Sizes(batch, seq_len)
    if fmt == "json":
        import json

        docs = []
        for row in rows:
            doc = row.to_dict()
            terms = layer_flops(row, counted_as, sizes)
            doc["flops"] = None if terms is None else sum(t.flops for t in terms)
            doc["flop_terms"] = None if terms is None else [t.to_dict() for t in terms]
            doc["flops_batch"], doc["flops_seq_len"] = batch, seq_len
            docs.append(doc)
        click.echo(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2))
        return
    from paramcalc.render import derivation

    render = {"text": derivation.text, "markdown": derivation.markdown, "latex": derivation.latex}[fmt]
    parts = []
    for row in rows:
        text = render(row).rstrip()
        if fmt == "text":
            text += "\n\n" + derivation.flops_text(row, counted_as, sizes)
        elif fmt == "markdown":
            text += "\n\n```text\n" + derivation.flops_text(row, counted_as, sizes).strip("\n") + "\n```"
        parts.append(text)
    click.echo("\n\n".join(parts))


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
@_flop_size_options
@click.option(
    "--kv-dtype",
    callback=_dtype,
    default=None,
    help="dtype of the KV cache (default: the config's torch_dtype, else float32, as transformers loads it).",
)
@click.option(
    "--optimizer",
    "optimizers",
    multiple=True,
    type=click.Choice(("all", "sgd", "sgd-momentum", "adam", "adamw", "adafactor", "adam8bit")),
    help="Training memory with these optimizers (repeatable; 'all' for every one).",
)
@click.option("--lora-r", type=click.IntRange(min=1), default=None, metavar="R", help="LoRA rank (peft's r).")
@click.option(
    "--lora-targets", default=None, metavar="NAMES", help="Modules LoRA adapts, comma-separated: q_proj,v_proj."
)
@click.option(
    "--base-dtype",
    type=click.Choice(("float32", "bfloat16", "float16", "int8", "nf4", "int4")),
    default="bfloat16",
    show_default=True,
    help="dtype of the frozen base for LoRA fine-tuning (nf4: QLoRA).",
)
@_framework_option
def memory(
    spec: str,
    fmt: str,
    dtypes: tuple[str, ...],
    batch: int,
    seq_len: int | None,
    kv_dtype: str | None,
    optimizers: tuple[str, ...],
    lora_r: int | None,
    lora_targets: str | None,
    base_dtype: str,
    framework: str | None,
) -> None:
    """Memory for SPEC's parameters: weights per dtype, and training with Adam.

    Every size is derived: bytes per parameter × parameters. Training counts weights,
    gradients and Adam's optimizer states (full float32: 4 + 4 + 8 = 16 B/param; mixed
    precision: 2 + 2 + 12 = 16 B/param, the 12 being a float32 master copy and Adam's m and
    v). With --seq-len, a Hugging Face config adds the exact KV cache (batch × tokens) and an
    activation estimate; --optimizer adds other optimizers, --lora-r/--lora-targets LoRA.

    \b
    Examples:
      paramcalc memory specs/llama-2-7b.config.json
      paramcalc memory specs/lstm.yaml --dtype float16 --format json
      paramcalc memory specs/llama-3-8b.config.json --batch 8 --seq-len 8192
      paramcalc memory specs/llama-2-7b.config.json --lora-r 8 --lora-targets q_proj,v_proj --base-dtype nf4
    """  # noqa: D301 - \b (backspace) keeps click from rewrapping the examples
    from paramcalc.engine import analyze
    from paramcalc.memory import estimate
    from paramcalc.spec import load_spec

    report = analyze(load_spec(spec, framework=framework))
    beyond = None
    if seq_len is not None or optimizers or lora_r is not None or lora_targets is not None:
        beyond = _beyond(report, batch, seq_len, kv_dtype, optimizers, lora_r, lora_targets, base_dtype)
    result = estimate(report, dtypes or None, beyond)
    if fmt == "json":
        import json

        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    from paramcalc.render import memory_text

    click.echo((memory_text.markdown if fmt == "markdown" else memory_text.text)(result).rstrip())


def _beyond(
    report: Any,
    batch: int,
    seq_len: int | None,
    kv_dtype: str | None,
    optimizers: tuple[str, ...],
    lora_r: int | None,
    lora_targets: str | None,
    base_dtype: str,
) -> Any:
    """The memory figures beyond the parameters the flags ask for."""
    from paramcalc.kv_cache import kv_cache
    from paramcalc.memory import Beyond, _checkpoint_dtype
    from paramcalc.training import OPTIMIZERS, activation_estimate, lora, optimizer_rows

    if (lora_r is None) != (lora_targets is None):
        raise UsageError(
            "LoRA needs both --lora-r and --lora-targets", hint="e.g. --lora-r 8 --lora-targets q_proj,v_proj"
        )
    kv = activations = None
    if seq_len is not None:
        kv = kv_cache(report, batch, seq_len)
        activations = activation_estimate(report, batch, seq_len)
    names = OPTIMIZERS if "all" in optimizers else tuple(dict.fromkeys(optimizers))
    return Beyond(
        kv=kv,
        kv_dtype=kv_dtype or _checkpoint_dtype(report) or "float32",
        activations=activations,
        optimizers=tuple(optimizer_rows(report, names)) if names else (),
        lora=lora(report, lora_r, (lora_targets or "").split(",")) if lora_r is not None else None,
        base_dtype=base_dtype,
    )


def _explain_compare(
    layer: str,
    args: tuple[str, ...],
    input_shape: str | None,
    fmt: str,
    framework: str,
    flop_sizes: tuple[int, int | None] | None = None,
) -> None:
    """``explain --compare``; with ``flop_sizes`` (--batch/--seq-len given) both layers' FLOPs too."""
    from paramcalc.compare import compare_layer
    from paramcalc.flops import Sizes
    from paramcalc.render import comparison

    result = compare_layer(layer, args, input_shape, framework)
    sizes = Sizes(*flop_sizes) if flop_sizes is not None else None
    if fmt == "json":
        import json

        doc = comparison.to_dict(result)
        if sizes is not None:
            from paramcalc.flops import layer_flops

            for key, row in (("keras", result.keras), ("pytorch", result.torch)):
                terms = layer_flops(row, key, sizes)
                doc[key]["flops"] = None if terms is None else sum(t.flops for t in terms)
        click.echo(json.dumps(doc, indent=2))
    elif fmt == "latex":
        from paramcalc.render import derivation

        click.echo(derivation.latex(result.keras) + "\n\n" + derivation.latex(result.torch))
    else:
        if fmt == "markdown":
            click.echo(comparison.markdown(result).rstrip())
        else:
            click.echo(comparison.text(result, sizes).rstrip())


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
@_flops_budget_options
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
    max_flops: int | None,
    batch: int,
    seq_len: int | None,
    dtype: str | None,
    fmt: str,
    allow_no_budget: bool,
    framework: str | None,
) -> int:
    """Check that every SPEC stays within its budget: exit 0 if all do, 1 if any is over.

    A spec's own 'budget: {max_params: 2M, max_bytes: 8MB, dtype: float16}' is used; the
    flags override it field by field.  Every spec is checked, past failures.  Exit 2 when
    a spec is invalid, or when no spec has a budget at all.  Specs without a budget are
    listed and pass.  --format github prints violations as GitHub Actions annotations on
    the line that declares the budget.

    \b
    Examples:
      paramcalc check specs/*.yaml
      paramcalc check model.yaml --max-params 1.5M --format github
      paramcalc check model.yaml --max-bytes 8MB --dtype float16
    """  # noqa: D301 - a real \b keeps the examples unwrapped
    from paramcalc.budget import Budget, check_specs
    from paramcalc.render import check as render_check

    flags = Budget(max_params, max_bytes, dtype, max_flops=max_flops, batch=batch, seq_len=seq_len)
    run = check_specs(specs, flags, framework, allow_no_budget=allow_no_budget)
    if run.nothing_checked:
        raise UsageError(
            "nothing to check: no spec declares a 'budget:' and no --max-params/--max-bytes/--max-flops was given",
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
    from paramcalc.diff import diff_reports
    from paramcalc.engine import analyze
    from paramcalc.spec import load_spec

    if spec_a == "-" and spec_b == "-":
        raise UsageError("only one of A and B can be read from stdin")
    result = diff_reports(
        analyze(load_spec(spec_a, framework=framework), dtype=dtype),
        analyze(load_spec(spec_b, framework=framework), dtype=dtype),
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
