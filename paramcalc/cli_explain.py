"""``paramcalc explain``: one layer's derivation, term by term, and its FLOPs.

A command of its own module (registered by :mod:`paramcalc.cli`): it has the most modes
(a layer alone, a block of a Hugging Face config, Keras beside PyTorch) and every format.
"""

from __future__ import annotations

from typing import Any

import click

from paramcalc.cli_options import (
    FORMATS_EXPLAIN,
    Command,
    emit,
    fit_text,
    flop_size_options,
    format_option,
    framework_option,
)
from paramcalc.errors import UsageError
from paramcalc.frameworks import framework_of


@click.command(cls=Command)
@click.argument("layer")
@click.argument("args", nargs=-1)
@click.option(
    "--input", "input_shape", metavar="SHAPE", help="Input shape without the batch axis: 10000, 3,10000 or (3, 10000)."
)
@format_option(FORMATS_EXPLAIN)
@click.option("--compare", is_flag=True, help="Count the layer the Keras way and the PyTorch way, side by side.")
@click.option(
    "--config",
    "config_path",
    metavar="CONFIG_JSON",
    help="A Hugging Face config.json: derive this model's block (LlamaDecoderLayer, model.layers.5, ...).",
)
@flop_size_options
@framework_option
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
    """Derive one layer's parameter count, term by term, and its forward FLOPs.

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
        if config_path is not None or (framework is not None and framework_of(framework).configs):
            raise UsageError(
                "--compare puts Keras and PyTorch side by side: it takes no --config and no --framework transformers"
            )
        explicit = seq_len is not None or batch != 1
        _explain_compare(layer, args, input_shape, fmt, framework or "keras", (batch, seq_len) if explicit else None)
        return
    from paramcalc.api import Derivation
    from paramcalc.single_layer import explain_layer, explain_with_config

    if config_path is not None:
        if input_shape is not None or (framework is not None and not framework_of(framework).configs):
            raise UsageError("--config takes neither --input nor --framework: the config gives the sizes")
        rows = tuple(explain_with_config(layer, args, config_path))
        found = Derivation(rows, "transformers", batch, seq_len)
    else:
        found = Derivation((explain_layer(layer, args, input_shape, framework),), framework or "keras", batch, seq_len)
    emit(
        fmt,
        {
            "json": found.to_dict,
            "text": lambda: fit_text(found.text()) + "\n",
            "markdown": found.markdown,
            "latex": lambda: found.latex() + "\n",
        },
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

    def document() -> Any:
        doc = comparison.to_dict(result)
        if sizes is not None:
            from paramcalc.flops import layer_flops

            for key, row in (("keras", result.keras), ("pytorch", result.torch)):
                terms = layer_flops(row, key, sizes)
                doc[key]["flops"] = None if terms is None else sum(t.flops for t in terms)
        return doc

    def latex() -> str:
        from paramcalc.render import derivation

        return derivation.latex(result.keras) + "\n\n" + derivation.latex(result.torch) + "\n"

    emit(
        fmt,
        {
            "json": document,
            "latex": latex,
            "markdown": lambda: comparison.markdown(result).rstrip() + "\n",
            "text": lambda: comparison.text(result, sizes).rstrip() + "\n",
        },
    )
