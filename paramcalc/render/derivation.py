"""Per-layer derivations: why a layer has the parameters it has, term by term.

The same :class:`Step` list feeds the terminal text, the Markdown (with ``$$`` LaTeX
math, for GitHub and Jupyter) and the LaTeX renderings, so all three always agree.
Gated layers (LSTM, GRU) are shown per gate, then multiplied out, as a lecture would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from paramcalc.formula import evaluate, render
from paramcalc.render.summary_text import UNKNOWN_SHAPE, output_text
from paramcalc.report import LayerRow, Term
from paramcalc.shapes import format_shape

if TYPE_CHECKING:
    from paramcalc.flops import Sizes


@dataclass(frozen=True)
class Step:
    """One line of a derivation: a term's symbol, weight, symbolic and numeric size."""

    symbol: str
    weight: str
    dims: tuple[str, ...]
    values: tuple[int, ...]
    count: int
    scope: str = ""
    tied_to: str = ""
    share: tuple[int, int] | None = None

    @property
    def note(self) -> str:
        """Why this step's count is special: a tied alias, or experts of which a token uses k."""
        if self.tied_to:
            return f"tied: is {self.tied_to}, counted there"
        if self.share is not None:
            k, experts = self.share
            return f"{k} of {experts} experts active per token"
        return ""


def _gate_dims(term: Term) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """A gated term's per-gate slice: the gate axis divided by the number of gates."""
    dims = term.dims or tuple(str(d) for d in term.shape)
    values = term.shape
    if term.gates > 1:
        axis = term.gate_axis % len(values)
        prefix = f"{term.gates}*"
        sliced = dims[axis][len(prefix) :] if dims[axis].startswith(prefix) else f"{dims[axis]}/{term.gates}"
        dims = (*dims[:axis], sliced, *dims[axis + 1 :])
        values = (*values[:axis], values[axis] // term.gates, *values[axis + 1 :])
    return dims, values


def steps(row: LayerRow) -> tuple[list[Step], int]:
    """The derivation steps of a layer and the gate multiplier (1 when not gated).

    Gated terms come first, per gate; terms outside the gates (an LSTM projection
    ``weight_hr_l0``) follow whole: see :func:`split`.
    """
    gated, rest, gates = split(row)
    return gated + rest, gates


def short_scopes(terms: tuple[Term, ...]) -> list[str]:
    """Each term's scope cut to what tells it apart from the layer's other weights.

    An LSTM's weights live in ``lstm_cell/``, which adds nothing when the layer has one
    ``kernel``; a Bidirectional layer keeps ``forward_lstm/`` and ``backward_lstm/``.
    """
    paths = [t.path.split("/") for t in terms]
    out = []
    for parts in paths:
        keep = 1
        while keep < len(parts) and sum(p[-keep:] == parts[-keep:] for p in paths) > 1:
            keep += 1
        out.append("/".join(parts[-keep:-1]))
    return out


def split(row: LayerRow) -> tuple[list[Step], list[Step], int]:
    """Per-gate steps, whole steps, and the gate count; buffers are not parameters, left out."""
    gates = max((t.gates for t in row.terms if not t.buffer), default=1)
    gated: list[Step] = []
    rest: list[Step] = []
    params = tuple(t for t in row.terms if not t.buffer)
    for term, scope in zip(params, short_scopes(params), strict=True):
        if gates > 1 and term.gates == gates:
            dims, values = _gate_dims(term)
            gated.append(Step(term.symbol, term.weight, dims, values, term.count // gates, scope))
        else:
            dims = term.dims or tuple(str(d) for d in term.shape)
            step = Step(term.symbol, term.weight, dims, term.shape, term.count, scope, term.tied_to, term.share)
            rest.append(step)
    if gates > 1:
        return gated, rest, gates
    return rest, [], 1


def _counted(items: list[Step]) -> int:
    """The steps' sum without tied aliases (they are counted where first defined)."""
    return sum(s.count for s in items if not s.tied_to)


def _per_copy(gated: list[Step], rest: list[Step], gates: int) -> int:
    """One copy's total from the steps: the gated terms times the gates plus the whole terms."""
    return _counted(gated) * gates + _counted(rest)


def _extra_lines(row: LayerRow) -> list[str]:
    """Repeats and routed experts: what a single copy's total becomes for the whole row."""
    lines = []
    if row.repeat > 1:
        lines.append(f"× {row.repeat} copies ({row.copies[0]} … {row.copies[-1]}) = {row.params:,}")
    if any(t.share is not None for t in row.terms):
        lines.append(f"active per token (routed experts: only the top-k): {row.active // row.repeat:,} per copy")
    return lines


def _dims_text(dims: tuple[str, ...], latex: bool = False) -> str:
    if not dims:
        return "1"
    sep = r" \times " if latex else " × "
    return sep.join(render(d, latex=latex) if _is_expr(d) else d for d in dims)


def _values_text(values: tuple[int, ...], latex: bool = False) -> str:
    sep = r" \times " if latex else " × "
    return sep.join(str(v) for v in values) if values else "1"


def _is_expr(text: str) -> bool:
    try:
        render(text)
    except (ValueError, SyntaxError):
        return False
    return True


def _symbol_tex(symbol: str) -> str:
    head, _, tail = symbol.partition("_")
    return f"{head}_{{{tail}}}" if tail else head


def _num_tex(value: int) -> str:
    return f"{value:,}".replace(",", "{,}")


def inputs_text(row: LayerRow) -> str:
    """The input shape(s) as printed: ``(None, 3, 10000)``, or ``?`` when unknown."""
    return ", ".join(format_shape(s, row.batch_in_shapes) for s in row.input_shapes) or UNKNOWN_SHAPE


def _io_line(row: LayerRow) -> str:
    return f"input {inputs_text(row)} → output {output_text(row)}"


def text(row: LayerRow) -> str:
    """The derivation for a terminal: aligned columns, plain Unicode."""
    lines = [f"{row.name} ({row.class_name}): {_io_line(row)}"]
    if row.why:
        lines.append(f"  {row.why}")
    if row.symbols:
        lines.append("")
        width = max(len(k) for k, _ in row.symbols)
        value_width = max(len(f"{v:,}") for _, v in row.symbols)
        legend = dict(row.legend)
        for key, value in row.symbols:
            lines.append(f"  {key:<{width}} = {value:<{value_width},}  {legend.get(key, '')}".rstrip())
    gated, rest, gates = split(row)
    buffers = [t for t in row.terms if t.buffer]
    if not gated and not rest:
        lines.append("  no weights: 0 parameters")
    else:
        lines.append("")
        lines += _text_table(row, gated, rest, gates)
        lines += [f"  {line}" for line in _extra_lines(row)]
    lines += _split_lines(row)
    if buffers:
        lines.append("")
        lines.append("  buffers (saved with the model, not parameters):")
        width = max(len(t.path) for t in buffers)
        for term in buffers:
            lines.append(f"    {term.path:<{width}}  {term.shape!s:<14}  {term.count:,}")
    if not gated and not rest:
        return "\n".join(lines)
    if row.formula:
        symbols = dict(row.symbols)
        value = evaluate(row.formula, symbols)
        lines.append("")
        lines.append(f"  closed form: {render(row.formula)} = {render(row.formula, symbols)} = {value:,}")
    return "\n".join(lines)


def _split_parts(row: LayerRow) -> list[tuple[str, str, str]]:
    """Keras' trainable / non-trainable split (label, count, symbols with their stored dtypes)
    when the layer has frozen weights (BatchNormalization's statistics, a quantized kernel);
    nothing when every weight trains.
    """
    params = [t for t in row.terms if not t.buffer and not t.tied_to]
    if all(t.trainable for t in params):
        return []
    parts = []
    for label, trainable in (("trainable", True), ("non-trainable", False)):
        chosen = [t for t in params if t.trainable == trainable]
        names = ", ".join(f"{t.symbol} ({t.dtype})" if t.dtype not in ("", "float32") else t.symbol for t in chosen)
        parts.append((label, f"{sum(t.count for t in chosen):,}", names or "-"))
    return parts


def _split_lines(row: LayerRow) -> list[str]:
    """The split as aligned terminal lines after a blank one."""
    parts = _split_parts(row)
    if not parts:
        return []
    width = max(len(p[1]) for p in parts)
    return [""] + [f"  {label:<13}  {count:>{width}}  {names}" for label, count, names in parts]


def _text_table(row: LayerRow, gated: list[Step], rest: list[Step], gates: int) -> list[str]:
    """The term table: per-gate terms (then × gates), then whole terms, then the total (one copy)."""
    table = []
    for step in [*gated, *rest]:
        weight = f"{step.scope}/{step.weight}" if step.scope else step.weight
        size = f"{_dims_text(step.dims)} = {_values_text(step.values)}"
        table.append((step.symbol, weight, size, f"{step.count:,}", step.note))
    total = _per_copy(gated, rest, gates)
    w0 = max(len(r[0]) for r in table)
    w1 = max(len(r[1]) for r in table)
    w2 = max(len(r[2]) for r in table)
    w3 = max(len(r[3]) for r in [*table, ("", "", "", f"{total:,}", "")])
    label = w0 + w1 + w2 + 4
    lines = []
    if gates > 1:
        names = f" ({', '.join(row.gate_names)})" if row.gate_names else ""
        lines.append(f"  each of the {gates} gates{names}:")
        for sym, weight, size, count, note in table[: len(gated)]:
            lines.append(f"    {sym:<{w0}}  {weight:<{w1}}  {size:<{w2}}  {count:>{w3}}  {note}".rstrip())
        per = _counted(gated)
        lines.append(f"    {'per gate':<{label}}  {per:>{w3},}")
        lines.append(f"  {'× ' + str(gates) + ' gates':<{label + 2}}  {per * gates:>{w3},}")
        for sym, weight, size, count, note in table[len(gated) :]:
            lines.append(f"  {sym:<{w0}}  {weight:<{w1}}  {size:<{w2 + 2}}  {count:>{w3}}  {note}".rstrip())
        if rest:
            lines.append(f"  {'total':<{label + 2}}  {total:>{w3},}")
        axis = "first" if all(t.gate_axis == 0 for t in row.terms if t.gates > 1) else "last"
        lines.append("")
        lines.append(f"  framework weights (gates packed along the {axis} axis):")
        params = tuple(t for t in row.terms if not t.buffer)
        for term, scope in zip(params, short_scopes(params), strict=True):
            path = f"{scope}/{term.weight}" if scope else term.weight
            lines.append(f"    {path:<{w1 + 8}}  {term.shape!s:<14}  {term.count:>{w3},}")
    else:
        for sym, weight, size, count, note in table:
            lines.append(f"  {sym:<{w0}}  {weight:<{w1}}  {size:<{w2}}  {count:>{w3}}  {note}".rstrip())
        name = "total (tied weights not counted again)" if any(s.tied_to for s in [*gated, *rest]) else "total"
        lines.append(f"  {name:<{label}}  {total:>{w3},}")
    return lines


def markdown(row: LayerRow) -> str:
    """The derivation as Markdown with ``$$`` LaTeX math (renders on GitHub and in Jupyter)."""
    out = [f"### `{row.name}` ({row.class_name}): {row.params:,} parameters", ""]
    if row.why:
        out += [row.why, ""]
    out.append(f"Input `{inputs_text(row)}` → output `{output_text(row)}`.")
    if row.symbols:
        legend = dict(row.legend)
        parts = [f"${k} = {v}$ ({legend[k]})" if k in legend else f"${k} = {v}$" for k, v in row.symbols]
        out[-1] += " With " + ", ".join(parts) + ":"
    out.append("")
    gated, rest, gates = split(row)
    if gated or rest:
        if gates > 1 and row.gate_names:
            out += [f"Each of the {gates} gates ({', '.join(row.gate_names)}):", ""]
        out += ["| term | weight | size | count |", "|:--|:--|:--|--:|"]
        out += [_markdown_step(step) for step in gated]
        if gates > 1:
            per = _counted(gated)
            out.append(f"| **per gate** | | | **{per:,}** |")
            out.append(f"| **× {gates} gates** | | | **{per * gates:,}** |")
        out += [_markdown_step(step) for step in rest]
        if gates == 1 or rest:
            out.append(f"| **total** | | | **{_per_copy(gated, rest, gates):,}** |")
        out.append("")
        out += [f"{line}\n" for line in _extra_lines(row)]
        frozen = _split_parts(row)
        if frozen:
            sentence = "; ".join(f"{label}: {count} ({names})" for label, count, names in frozen)
            out += [f"{sentence[0].upper()}{sentence[1:]}.", ""]
    buffers = [t for t in row.terms if t.buffer]
    if buffers:
        shown = ", ".join(f"`{t.path}` {tuple(t.shape)}" for t in buffers)
        out += [f"Buffers (saved with the model, not parameters): {shown}.", ""]
    if row.formula:
        symbols = dict(row.symbols)
        value = evaluate(row.formula, symbols)
        out += [
            "$$",
            f"P = {render(row.formula, latex=True)} = {render(row.formula, symbols, latex=True)} = {_num_tex(value)}",
            "$$",
            "",
        ]
    return "\n".join(out)


def _markdown_step(step: Step) -> str:
    weight = f"{step.scope}/{step.weight}" if step.scope else step.weight
    size = f"${_dims_text(step.dims, True)} = {_values_text(step.values, True)}$"
    note = f" ({step.note})" if step.note else ""
    return f"| ${_symbol_tex(step.symbol)}$ | `{weight}` | {size} | {step.count:,}{note} |"


def latex(row: LayerRow) -> str:
    """The derivation as a LaTeX ``align*`` block, ready for lecture notes."""
    gated, rest, gates = split(row)
    name = row.name.replace("_", r"\_")
    out = [f"% {row.name} ({row.class_name}): {row.params:,} parameters", r"\begin{align*}"]
    if row.symbols:
        out.append(r"&" + r",\quad ".join(f"{_symbol_tex(k)} = {v}" for k, v in row.symbols) + r" \\")
    for step in gated:
        out.append(_latex_step(step))
    if gates > 1:
        per = sum(s.count for s in gated)
        out.append(rf"\text{{per gate}} &= {_num_tex(per)}, \quad \times {gates} = {_num_tex(per * gates)} \\")
    for step in rest:
        out.append(_latex_step(step))
    if row.formula:
        symbols = dict(row.symbols)
        value = evaluate(row.formula, symbols)
        out.append(
            rf"P_{{\text{{{name}}}}} &= {render(row.formula, latex=True)} = {render(row.formula, symbols, latex=True)}"
            f" = {_num_tex(value)}"
        )
    else:
        out.append(rf"P_{{\text{{{name}}}}} &= {_num_tex(row.params_each)}")
    if row.repeat > 1:
        out[-1] += r" \\"
        out.append(rf"&\times {row.repeat} = {_num_tex(row.params)}")
    out.append(r"\end{align*}")
    return "\n".join(out)


def _latex_step(step: Step) -> str:
    return (
        f"{_symbol_tex(step.symbol)} &= {_dims_text(step.dims, True)} = {_values_text(step.values, True)}"
        f" = {_num_tex(step.count)} \\\\"
    )


def flops_text(row: LayerRow, framework: str, sizes: Sizes | None = None) -> str:
    """The FLOPs derivation shown under the parameter one: each matmul or convolution, then the sum.

    Plain text; FlopCounterMode's convention (docs/flops.md): 2 FLOPs per multiply-add,
    element-wise work not counted.
    """
    from paramcalc.flops import DEFAULT_SIZES, layer_flops, where

    sizes = sizes or DEFAULT_SIZES
    terms = layer_flops(row, framework, sizes)
    head = f"  FLOPs of one forward pass ({where(sizes)}; 2 per multiply-add, as torch's FlopCounterMode):"
    if terms is None:
        return head + "\n    unknown: a shape is unknown (give --batch/--seq-len) or no FLOP formula for this layer"
    if not terms:
        return head + "\n    0: no matmul or convolution (element-wise work is not counted)"
    rows = [(t.name, t.formula, f"= {t.values}", f"{t.flops:,}") for t in terms]
    total = sum(t.flops for t in terms)
    rows.append(("total" + (f" per copy (× {row.repeat} copies)" if row.repeat > 1 else ""), "", "", f"{total:,}"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [head]
    for r in rows:
        cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].ljust(widths[2]), r[3].rjust(widths[3])]
        lines.append(("    " + "  ".join(cells)).rstrip())
    return "\n".join(lines)


_TEX = {"·": r" \cdot ", "×": r" \times ", "ᵀ": r"^{\top}", "…": r"\ldots ", "_": r"\_", "%": r"\%", "&": r"\&"}


def _flop_tex(text: str, math: bool) -> str:
    r"""A FLOP term's name (``math=False``: inside ``\text{}``) or formula in LaTeX."""
    out = []
    for char in text:
        if char == "_" and math:
            out.append("_")
        elif char in ("·", "×", "ᵀ", "…") and not math:
            out.append(f"${_TEX[char].strip()}$")
        else:
            out.append(_TEX.get(char, char))
    return "".join(out)


def _flop_formula_tex(formula: str) -> str:
    r"""``2·N·H_out·W_out`` -> ``2 \cdot N \cdot H_{out} \cdot W_{out}`` (multi-letter subscripts braced)."""
    import re

    braced = re.sub(r"_([A-Za-z]{2,})", r"_{\1}", formula)
    words = re.sub(r"(?<![_{A-Za-z])([A-Za-z]{2,})", r"\\mathrm{\1}", braced)  # tokens, heads, groups
    return _flop_tex(words, math=True)


def flops_latex(row: LayerRow, framework: str, sizes: Sizes | None = None) -> str:
    """The FLOPs derivation as a LaTeX ``align*`` block (``explain --format latex``), term by term.

    The same terms as :func:`flops_text` (FlopCounterMode's convention: 2 per multiply-add,
    element-wise work not counted); an unknown layer says so in a comment rather than a figure.
    """
    from paramcalc.flops import DEFAULT_SIZES, layer_flops, where

    sizes = sizes or DEFAULT_SIZES
    terms = layer_flops(row, framework, sizes)
    head = f"% FLOPs of one forward pass of {row.name} ({row.class_name}), {where(sizes)}; 2 per multiply-add"
    if terms is None:
        return head + "\n% unknown: a shape is unknown (give --batch/--seq-len) or no FLOP formula for this layer"
    name = row.name.replace("_", r"\_")
    out = [head, r"\begin{align*}"]
    times = r"\times"
    for t in terms:
        out.append(
            rf"\text{{{_flop_tex(t.name, False)}}} &= {_flop_formula_tex(t.formula)}"
            rf" = {t.values.replace('×', times)} = {_num_tex(t.flops)} \\"
        )
    total = sum(t.flops for t in terms)
    out.append(rf"F_{{\text{{{name}}}}} &= {_num_tex(total)}")
    if row.repeat > 1:
        out[-1] += rf" \text{{ per copy}}, \quad \times {row.repeat} = {_num_tex(total * row.repeat)}"
    out.append(r"\end{align*}")
    return "\n".join(out)
