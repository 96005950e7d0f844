"""The Python API: the same pipeline as the command line, for notebooks and scripts.

``import paramcalc`` is as light as the CLI's JSON path: the names below load on first
use (the package's ``__getattr__``), and rich is imported only when a table is drawn.

    >>> import paramcalc
    >>> paramcalc.count("LSTM(32, input_shape=(3, 10000)) | Dense(1)")
    1284257
    >>> report = paramcalc.summary("specs/lstm.yaml")      # a Report; print(report) draws the table
    >>> paramcalc.explain("lstm", 32, input=10000).params  # a Derivation; renders in Jupyter
    1284224

A spec is whatever the CLI reads -- a path (a YAML file, Keras JSON, a ``.keras``
archive, a Hugging Face config.json, a ``.safetensors``/``.gguf`` checkpoint or a model
directory), an inline one-line spec, YAML or JSON text -- or a parsed document: a dict of
the YAML spec format, Keras' ``json.loads(model.to_json())`` or a Hugging Face config
dict.  Every user error raises :class:`paramcalc.ParamcalcError`, whose ``str()`` is the
one line the CLI prints (location, layer, message and hint; also as attributes).

The API follows semantic versioning with the package version (``paramcalc.__version__``):
names documented here are only removed or changed incompatibly in a new major version.
The JSON document (:meth:`Report.to_dict`) has its own ``schema`` number, which only
changes when a key is removed or changes meaning; keys are added freely.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Union

from paramcalc.errors import Location, ParamcalcError, SpecError, UsageError
from paramcalc.frameworks import framework_of
from paramcalc.report import LayerRow, Report
from paramcalc.reports import report_for

if TYPE_CHECKING:
    from paramcalc.spec.records import ModelSpec

SpecLike = Union[str, "os.PathLike[str]", Mapping[str, Any]]
"""What :func:`summary` and :func:`count` accept: a path, spec text, or a parsed document."""

ShapeLike = int | str | Sequence[int | None]
"""An input shape without the batch axis: ``10000``, ``(3, 10000)`` or ``"3,10000"``."""

DICT_SOURCE = "<dict>"
"""The source named in errors about a spec given as a dict."""
TEXT_SOURCE = "<string>"
"""The source named in errors about a spec given as YAML or JSON text."""


def summary(
    spec: SpecLike,
    *,
    framework: str | None = None,
    dtype: str = "float32",
    input: ShapeLike | None = None,
    config: str | os.PathLike[str] | None = None,
) -> Report:
    """Count a model: every layer's output shape and parameter terms, and the totals.

    ``framework`` (``"keras"``, ``"pytorch"``, ``"transformers"``) overrides the spec's own,
    as ``--framework`` does; ``dtype`` sizes the bytes (``"bfloat16"``, ``"int8"``, ...);
    ``input`` gives a sequential spec its input shape (without the batch axis).  A
    checkpoint (``.safetensors``, a sharded index, ``.gguf`` or a model directory) is read
    header only and reports its tensors' dtypes and bytes as stored (``dtype`` is ignored),
    cross-checked against the config.json beside it or ``config`` (as ``--config``): the
    report's ``crosscheck`` says whether it holds exactly the config's tensors.

    The returned :class:`Report` prints as the CLI's table (``print(report)``), renders in
    Jupyter and in a rich console, and gives the JSON document with ``report.to_dict()``.
    """
    from paramcalc.dtypes import canonical_dtype

    if not isinstance(dtype, str):
        raise UsageError(f"dtype= is a dtype name like 'bfloat16', not {type(dtype).__name__}")
    canonical = canonical_dtype(dtype)
    checkpoint = _checkpoint_path(spec)
    if checkpoint is not None:
        if input is not None:
            raise UsageError("a checkpoint has no input to give: input= is for specs")
        from paramcalc.checkpoint import checkpoint_report

        return checkpoint_report(checkpoint, None if config is None else os.fspath(config))
    if config is not None:
        raise UsageError("config= cross-checks a checkpoint (.safetensors, .gguf or a model directory)")
    from paramcalc.engine import analyze

    model = load(spec, framework=framework)
    if input is not None:
        model = with_input(model, input)
    return analyze(model, dtype=canonical)


def count(
    spec: SpecLike,
    *,
    framework: str | None = None,
    input: ShapeLike | None = None,
) -> int:
    """The model's total parameter count (each shared or tied weight once), as an exact int.

    The same number as ``summary(spec).total`` and as the CLI's "Total params": trainable
    and non-trainable parameters together, PyTorch buffers (BatchNorm's running
    statistics) and tied aliases (a tied LM head) not counted.  ``spec``, ``framework``
    and ``input`` are as for :func:`summary`; a checkpoint counts its stored tensors.

    >>> count("Embedding(50, 8, input_length=4) | SimpleRNN(32) | Dense(1)")
    1745
    """
    return summary(spec, framework=framework, input=input).total


def explain(
    layer: str,
    *args: object,
    input: ShapeLike | None = None,
    framework: str | None = None,
    config: str | os.PathLike[str] | None = None,
    batch: int = 1,
    seq_len: int | None = None,
    **kwargs: object,
) -> Derivation:
    """Derive one layer's parameter count term by term, as ``paramcalc explain`` does.

    ``explain("lstm", 32, input=10000)``, ``explain("GRU(32, reset_after=False)", input=10000)``
    or ``explain("lstm", 32, input=10000, framework="pytorch")``; keyword arguments are the
    layer's (``explain("Dense", 4, use_bias=False, input=8)``).  With ``config`` (a Hugging
    Face config.json) ``layer`` names a block of that model (``"LlamaDecoderLayer"``,
    ``"model.layers.5"``).  Without ``framework`` the layer's class decides: Keras, then
    PyTorch, then transformers.  ``batch`` and ``seq_len`` size the forward pass whose FLOPs
    the derivation shows under the parameters (as ``--batch`` and ``--seq-len``).
    """
    from paramcalc.limits import check_count_flag
    from paramcalc.single_layer import explain_layer, explain_with_config

    if not isinstance(layer, str):
        raise UsageError(f"layer must be a layer name or call, not {type(layer).__name__}")
    check_count_flag(batch, "batch=")
    if seq_len is not None:
        check_count_flag(seq_len, "seq_len=")
    if config is not None and not isinstance(config, (str, os.PathLike)):
        raise UsageError(f"config= is the path of a config.json, not {type(config).__name__}")
    words = [_word(arg) for arg in args] + [f"{key}={_word(value)}" for key, value in kwargs.items()]
    if config is not None:
        if input is not None or (framework is not None and not framework_of(framework).configs):
            raise UsageError("config= takes neither input= nor framework=: the config gives the sizes")
        rows = tuple(explain_with_config(layer, words, os.fspath(config)))
        return Derivation(rows, "transformers", batch, seq_len)
    shape = None if input is None else _shape_text(input)
    return Derivation((explain_layer(layer, words, shape, framework),), framework or "keras", batch, seq_len)


@dataclass(slots=True)
class Derivation:
    """Why one layer (or each block of a config) has the parameters it has.

    ``rows`` are the counted layers, each with its terms, closed form and symbols;
    ``framework`` is the one they were counted as and ``batch`` / ``seq_len`` size the forward
    pass whose FLOPs follow the parameters.  ``str()`` is the text ``paramcalc explain``
    prints; in Jupyter it renders as Markdown with LaTeX math; :meth:`latex` gives an
    ``align*`` block for lecture notes.
    """

    rows: tuple[LayerRow, ...]
    framework: str = "keras"
    batch: int = 1
    seq_len: int | None = None

    @property
    def row(self) -> LayerRow:
        """The (first) derived layer."""
        return self.rows[0]

    @property
    def params(self) -> int:
        """Parameters of the derived layer(s), all copies of a repeated block together."""
        return sum(row.params for row in self.rows)

    @property
    def formula(self) -> str | None:
        """The closed form of the (first) layer, over its symbols (``4*n*(n+m+1)``)."""
        return self.row.formula

    @property
    def symbols(self) -> dict[str, int]:
        """The values of the closed form's symbols (``{"m": 10000, "n": 32}``)."""
        return dict(self.row.symbols)

    def text(self) -> str:
        """The terminal text of ``paramcalc explain``: the parameters, then the FLOPs."""
        from paramcalc.render import derivation

        parts = [derivation.text(row).rstrip() + "\n\n" + self._flops_text(row).rstrip() for row in self.rows]
        return "\n\n".join(parts)

    def markdown(self) -> str:
        """Markdown with ``$$`` LaTeX math (``--format markdown``), the FLOPs in a text block."""
        from paramcalc.render import derivation

        parts = [
            derivation.markdown(row).rstrip() + "\n\n```text\n" + self._flops_text(row).strip("\n") + "\n```"
            for row in self.rows
        ]
        return "\n\n".join(parts) + "\n"

    def _flops_text(self, row: LayerRow) -> str:
        from paramcalc.flops import Sizes
        from paramcalc.render import derivation

        return derivation.flops_text(row, self.framework, Sizes(self.batch, self.seq_len))

    def latex(self) -> str:
        """A LaTeX ``align*`` block per layer (``--format latex``)."""
        from paramcalc.flops import Sizes
        from paramcalc.render import derivation

        sizes = Sizes(self.batch, self.seq_len)
        return "\n\n".join(
            derivation.latex(row).rstrip() + "\n\n" + derivation.flops_latex(row, self.framework, sizes)
            for row in self.rows
        )

    def to_dict(self) -> dict[str, Any] | list[dict[str, Any]]:
        """The ``--format json`` document: one layer's dict, or a list for several blocks."""
        from paramcalc.flops import Sizes, layer_flops

        docs = []
        for row in self.rows:
            doc = row.to_dict()
            terms = layer_flops(row, self.framework, Sizes(self.batch, self.seq_len))
            doc["flops"] = None if terms is None else sum(t.flops for t in terms)
            doc["flop_terms"] = None if terms is None else [t.to_dict() for t in terms]
            doc["flops_batch"], doc["flops_seq_len"] = self.batch, self.seq_len
            docs.append(doc)
        return docs[0] if len(docs) == 1 else docs

    def __str__(self) -> str:
        return self.text()

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def __rich__(self) -> Any:
        """A rich console: the text, long lines wrapped to the console's width."""
        from rich.text import Text

        return Text(self.text())


def load(spec: SpecLike, *, framework: str | None = None) -> ModelSpec:
    """Read a spec (any form :func:`summary` takes, except checkpoints) into a :class:`ModelSpec`."""
    from paramcalc.frameworks import FRAMEWORKS
    from paramcalc.spec import load_spec, parse_text

    if framework is not None and framework not in FRAMEWORKS:
        raise UsageError(f"unknown framework {framework!r}", hint=f"use one of {', '.join(FRAMEWORKS)}")
    if isinstance(spec, Mapping):
        return parse_text(_json_text(spec), DICT_SOURCE, framework)
    if not isinstance(spec, (str, os.PathLike)):
        raise UsageError(f"a spec is a path, a string or a dict, not {type(spec).__name__}")
    text = os.fspath(spec)
    if not isinstance(text, str):
        raise UsageError("a spec path must be text, not bytes")
    if isinstance(spec, str) and not os.path.exists(text) and ("\n" in text or text.lstrip().startswith("{")):
        return parse_text(text.encode("utf-8"), TEXT_SOURCE, framework)
    return load_spec(text, framework=framework)


def with_input(model: ModelSpec, shape: ShapeLike) -> ModelSpec:
    """``model`` fed ``shape`` (without the batch axis) as its one input, as a spec's ``input:``."""
    from paramcalc.single_layer import parse_input_shape
    from paramcalc.spec.records import InputSpec

    if model.graph or len(model.inputs) > 1:
        raise UsageError("input= gives a sequential model its input; a graph names its inputs in the spec")
    dims = parse_input_shape(_shape_text(shape))
    name = model.inputs[0].name if model.inputs else "input_layer"
    return replace(model, inputs=(InputSpec(name, dims),))


def _checkpoint_path(spec: SpecLike) -> str | None:
    """The path when ``spec`` names a checkpoint (safetensors, GGUF, a model directory), else None."""
    if isinstance(spec, Mapping) or not isinstance(spec, (str, os.PathLike)):
        return None
    path = os.fspath(spec)
    if not isinstance(path, str):
        return None
    from paramcalc.checkpoint import is_checkpoint

    return path if is_checkpoint(path) else None


def _json_text(document: Mapping[str, Any]) -> bytes:
    """A dict spec as JSON text (JSON is YAML): every reader then sees what a file would give it."""
    import json

    try:
        return json.dumps(document, indent=1).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise SpecError(f"the spec dict is not plain data: {exc}", location=Location(DICT_SOURCE)) from None


def _word(value: object) -> str:
    """An explain argument as the inline parser reads it: ``32``, ``(3, 3)``, ``'relu'``, ``False``."""
    if isinstance(value, str):
        return value if _is_number(value) else repr(value)
    if isinstance(value, int) and value.bit_length() > 256:  # repr of a 4,300-digit int raises
        raise UsageError(f"an argument of {value.bit_length():,} bits is no size", hint="sizes are at most 2**63 - 1")
    return repr(value)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _shape_text(shape: ShapeLike) -> str:
    """``10000`` / ``(3, 10000)`` / ``"3,10000"`` as the ``--input`` text the CLI parses."""
    if isinstance(shape, str):
        return shape
    if isinstance(shape, bool):
        raise UsageError(f"an input shape is a size or a tuple of sizes, not {shape!r}")
    if isinstance(shape, int):
        return str(shape)
    if isinstance(shape, Sequence):
        parts = []
        for dim in shape:
            if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int)):
                raise UsageError(f"an input shape holds sizes (ints or None), not {dim!r}")
            parts.append("None" if dim is None else str(dim))
        return ",".join(parts) or "()"
    raise UsageError(f"an input shape is a size or a tuple of sizes, not {type(shape).__name__}")


__all__ = [
    "Derivation",
    "ParamcalcError",
    "Report",
    "ShapeLike",
    "SpecLike",
    "count",
    "explain",
    "load",
    "report_for",
    "summary",
    "with_input",
]
