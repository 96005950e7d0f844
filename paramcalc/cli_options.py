"""What every command of the CLI shares: option declarations, flag parsing and the one output path.

:func:`emit` is the only place a command's result reaches stdout: a command maps each of
its ``--format`` names to a function producing the output, and ``emit`` prints it the same
way for every command (JSON documents with ``indent=2``, text exactly as rendered, or a
writer that streams to stdout).  Options with the same name mean the same thing everywhere:
``--dtype`` is always the dtype the weights are stored at, which sets every byte size.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO, TypeAlias, TypeVar

import click

from paramcalc.errors import UsageError
from paramcalc.frameworks import FRAMEWORKS
from paramcalc.limits import MAX_COUNT_FLAG

FORMATS_SUMMARY = ("text", "json", "markdown")
FORMATS_EXPLAIN = ("text", "markdown", "latex", "json")
FORMATS_CHECK = ("text", "json", "github")
FORMATS_DIFF = ("text", "json", "markdown")
FORMATS_SOLVE = ("text", "json")
FORMATS_MEMORY = ("text", "json", "markdown")
"""Each command's ``--format`` names, its default first: ``text`` everywhere, what a person reads
in a terminal (for ``summary`` and ``diff`` that text is a table)."""

FORMAT_ALIASES = {"table": "text"}
"""Names ``--format`` still accepts for another: ``table`` was the name of ``summary``'s and
``diff``'s text before every command's default became ``text``, and scripts keep working."""

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])

Output: TypeAlias = str | Mapping[str, Any] | Sequence[Any] | Callable[[TextIO], None]
"""What a format's producer returns: the whole text (final newline included), a JSON
document, or a writer that streams the output to the file it is given."""


def emit(fmt: str, producers: Mapping[str, Callable[[], Output]]) -> None:
    """Print a command's output in format ``fmt``, the same way for every command."""
    produced = producers[fmt]()
    if isinstance(produced, str):
        click.echo(produced, nl=False)
    elif callable(produced):
        produced(sys.stdout)
    else:
        import json  # the JSON path never loads rich; json itself only when a document is printed

        click.echo(json.dumps(produced, indent=2))


class _FormatChoice(click.Choice):  # type: ignore[type-arg]  # generic only in click >= 8.2
    """A format name, or an alias of one (:data:`FORMAT_ALIASES`); help lists only the names."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        alias = FORMAT_ALIASES.get(value) if isinstance(value, str) else None
        return super().convert(alias if alias in self.choices else value, param, ctx)


def format_option(formats: Sequence[str]) -> Callable[[_F], _F]:
    """``--format``, defaulting to the command's first format (``text``)."""
    return click.option("--format", "fmt", type=_FormatChoice(formats), default=formats[0], show_default=True)


DTYPE_MEANING = (
    "Dtype the weights are stored at, which sets every byte size: float32, float16, bfloat16, int8, int4, ..."
)


def dtype_option(function: _F) -> _F:
    """``--dtype`` of the commands that size one model (``summary``, ``diff``)."""
    return click.option("--dtype", default="float32", show_default=True, callback=_dtype, help=DTYPE_MEANING)(function)


def framework_option(function: _F) -> _F:
    """``--framework``: the naming and counting conventions to read a spec with."""
    return click.option(
        "--framework",
        type=click.Choice(FRAMEWORKS, case_sensitive=False),
        default=None,
        help="Layer names and counting conventions (default: the spec's own, else keras).",
    )(function)


def budget_options(function: _F) -> _F:
    """``--max-params``, ``--max-bytes`` and the ``--dtype`` the size is measured at."""
    function = click.option(
        "--dtype",
        default=None,
        metavar="DTYPE",
        callback=_dtype,
        help=f"{DTYPE_MEANING} (default: the budget's own, else float32).",
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
        callback=count_flag,
        metavar="N",
        help="Parameter limit: 2000000, 1_000_000, 500k, 1.5M, 2G (k=10³, M=10⁶, G=B=10⁹; exact).",
    )(function)


def dtypes_option(function: _F) -> _F:
    """A repeatable ``--dtype`` (``memory``: one line per dtype)."""
    return click.option(
        "--dtype",
        "dtypes",
        multiple=True,
        metavar="DTYPE",
        callback=_dtypes,
        help=f"{DTYPE_MEANING} Repeatable; default float32, bfloat16, int8, int4 and a config's torch_dtype.",
    )(function)


def config_option(function: _F) -> _F:
    """``--config``: the config.json a checkpoint is cross-checked against."""
    return click.option(
        "--config",
        "config",
        metavar="CONFIG_JSON",
        help="Cross-check a checkpoint against this Hugging Face config.json (default: the config.json beside it).",
    )(function)


def flop_size_options(function: _F) -> _F:
    """``--batch`` and ``--seq-len``: what fills the unknown axes of a FLOP count."""
    function = click.option(
        "--seq-len",
        type=click.IntRange(min=1, max=MAX_COUNT_FLAG),
        default=None,
        metavar="N",
        help="Tokens in the forward pass (Hugging Face configs), or any unknown sequence axis.",
    )(function)
    return click.option(
        "--batch",
        type=click.IntRange(min=1, max=MAX_COUNT_FLAG),
        default=1,
        show_default=True,
        metavar="N",
        help="Batch size for FLOPs.",
    )(function)


def flops_budget_options(function: _F) -> _F:
    """``--max-flops`` with the ``--batch`` and ``--seq-len`` it is measured at."""
    function = flop_size_options(function)
    return click.option(
        "--max-flops",
        callback=count_flag,
        metavar="N",
        help="Forward-pass FLOP limit at --batch (and --seq-len): 2G, 1.5T, ... (FlopCounterMode's convention).",
    )(function)


def count_flag(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """Read a count flag (``1.5M``) exactly; a bad value is a usage error (exit 2)."""
    if value is None:  # not given: no need to load the budget module
        return None
    from paramcalc.budget import parse_count

    return _read(parse_count, value, param)


def axis_count_flag(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """A count flag that sizes a tensor axis (``--tokens 15T``): at most 2**63 - 1, as every axis."""
    count = count_flag(ctx, param, value)
    if count is not None and count > MAX_COUNT_FLAG:
        raise click.BadParameter(f"{value!r} is more than 2**63 - 1", param=param)
    return count


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


dtype_callback = _dtype
"""A dtype flag's callback, for commands that declare their own dtype options (``--kv-dtype``)."""


def fit_text(text: str) -> str:
    """Prose wrapped to the terminal (words never split); unchanged when piped."""
    from paramcalc.terminal import wrap_prose

    return wrap_prose(text, sys.stdout)


def _show_help(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(ctx.get_help(), color=ctx.color)
        ctx.exit()


class PlainHelp:
    """``-h``/``--help`` declared with its text written out.

    click's own help option looks its text up with :mod:`gettext` each time a command
    parses its arguments, and the look-up imports :mod:`locale` (about 1 ms of every run,
    for an English text paramcalc never translates).
    """

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """The help option, made once per command (click orders eager callbacks by identity)."""
        names = self.get_help_option_names(ctx)  # type: ignore[attr-defined]
        if not names or not self.add_help_option:  # type: ignore[attr-defined]
            return None
        option: click.Option | None = getattr(self, "_plain_help", None)
        if option is None:
            option = click.Option(
                names,
                is_flag=True,
                is_eager=True,
                expose_value=False,
                callback=_show_help,
                help="Show this message and exit.",
            )
            self._plain_help = option
        return option


class Command(PlainHelp, click.Command):
    """Every paramcalc command (see :class:`PlainHelp`)."""
