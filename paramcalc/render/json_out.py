"""JSON output: ``Report.to_dict()`` serialised; exact integers, stable keys (schema 1).

The layout puts each top-level key on its own line and each layer on one line::

    {
      "schema": 1,
      ...
      "layers": [
        {"name": "lstm", "class": "LSTM", ...},
        {"name": "dense", "class": "Dense", ...}
      ]
    }

so a diff shows which layers changed and ``grep`` finds a layer.  Every piece goes through
json's C encoder (indenting the whole document would run the pure-Python encoder over
every term of every layer, ten times slower on a big model), and :func:`write` streams
the layers, so a 100,000-layer report never exists as one string or one dict.
"""

from __future__ import annotations

import io
import json
import json.encoder
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

from paramcalc.report import LayerRow, Report, Term

if TYPE_CHECKING:
    from paramcalc.flops import FlopReport

_SEPARATORS = (", ", ": ")
_CHUNK = 1000
"""Layers written per ``file.write``."""


def dumps(report: Report, expand_nested: bool = False) -> str:
    """The report as JSON text (other tools and CI parse this)."""
    buffer = io.StringIO()
    write(report, buffer, expand_nested)
    return buffer.getvalue().removesuffix("\n")


def write(
    report: Report,
    file: TextIO,
    expand_nested: bool = False,
    flops: FlopReport | None = None,
    tokens: int | None = None,
    percent: bool = False,
) -> None:
    """Write the report as JSON (and a final newline) to ``file``, a chunk of layers at a time.

    With ``expand_nested`` the layers of nested models follow their model's entry.  With
    ``flops``, each layer gets ``flops`` (null when unknown) and the document a top-level
    ``flops`` with what it was counted at (``flops_batch``, ``flops_seq_len``).  With
    ``percent`` (``summary --percent``) each layer gets ``share``, its fraction of the total.
    """
    doc = report.to_dict(expand_nested, with_layers=False)
    rows: Iterable[dict[str, Any]] = _row_dicts(report.rows(expand_nested))
    if flops is not None:
        from paramcalc.flops import CONVENTION, llm_shortcuts

        doc["flops"] = flops.total
        doc["flops_batch"] = flops.sizes.batch
        doc["flops_seq_len"] = flops.sizes.seq_len
        doc["flops_convention"] = CONVENTION
        shortcuts = llm_shortcuts(flops, tokens)
        if shortcuts:
            doc["llm_estimates"] = {s.key: s.value for s in shortcuts}
        rows = _with_flops(rows, flops.rows)
    if percent:
        from paramcalc.breakdown import with_shares

        rows = with_shares(rows, report.total)
    write_document(doc, file, {"layers": rows})


def _with_flops(rows: Iterable[dict[str, Any]], values: list[int | None]) -> Iterator[dict[str, Any]]:
    for row, value in zip(rows, values, strict=True):
        row["flops"] = value
        yield row


def _row_dicts(rows: Iterable[LayerRow]) -> Iterator[dict[str, Any]]:
    """Each row's ``to_dict()``; the JSON form of a terms tuple seen before is made once.

    Rows of identical layers share the terms tuple of their one counted outcome (a
    100,000-layer model may have a handful).  A tuple's term dicts are kept from its second
    row on, so a model whose layers all differ keeps nothing.  Each row dict is encoded as
    soon as it is made, so sharing its terms list is safe; the cache keeps each tuple alive
    (an ``id`` is not reused while it lives), for one document only.
    """
    term_dicts: dict[int, tuple[tuple[Term, ...], list[dict[str, Any]] | None]] = {}
    for row in rows:
        terms = row.terms
        cached = term_dicts.get(id(terms))
        if cached is None:  # first row with these terms
            term_dicts[id(terms)] = (terms, None)
            yield row.to_dict()
            continue
        dicts = cached[1]
        if dicts is None:
            dicts = [t.to_dict() for t in terms]
            term_dicts[id(terms)] = (terms, dicts)
        yield row.to_dict(dicts)


def write_document(doc: dict[str, Any], file: TextIO, streams: dict[str, Iterable[Any]] | None = None) -> None:
    """A JSON object with one line per key, and one line per item of a list of objects.

    ``streams`` gives the items of some keys lazily (the value in ``doc`` only fixes the
    key's place).
    """
    encode = _encoder()
    file.write("{")
    for position, (key, value) in enumerate(doc.items()):
        file.write(",\n  " if position else "\n  ")
        file.write(encode(key) + ": ")
        items = streams.get(key) if streams else None
        if items is None and isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            items = value
        if items is None:
            file.write(encode(value))
        else:
            _write_items(items, file, encode)
    file.write("\n}\n")


def _write_items(items: Iterable[Any], file: TextIO, encode: Callable[[Any], str]) -> None:
    chunk: list[str] = []
    first = True
    for item in items:
        chunk.append(encode(item))
        if len(chunk) == _CHUNK:
            file.write(("[\n    " if first else ",\n    ") + ",\n    ".join(chunk))
            chunk, first = [], False
    if chunk:
        file.write(("[\n    " if first else ",\n    ") + ",\n    ".join(chunk))
        first = False
    file.write("[]" if first else "\n  ]")


def _encoder() -> Callable[[Any], str]:
    """``json.dumps`` with our separators, made once: per call, json builds its C encoder anew."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator
        return json.JSONEncoder(separators=_SEPARATORS).encode
    chunks = make(
        None, None, json.encoder.encode_basestring_ascii, None, _SEPARATORS[1], _SEPARATORS[0], False, False, True
    )

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return json.encoder.encode_basestring_ascii(value)
        return "".join(chunks(value, 0))

    return encode
