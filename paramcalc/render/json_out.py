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
from typing import Any, TextIO

from paramcalc.report import LayerRow, Report, Term

_SEPARATORS = (", ", ": ")
_CHUNK = 1000
"""Layers written per ``file.write``."""


def dumps(report: Report, expand_nested: bool = False) -> str:
    """The report as JSON text (other tools and CI parse this)."""
    buffer = io.StringIO()
    write(report, buffer, expand_nested)
    return buffer.getvalue().removesuffix("\n")


def write(report: Report, file: TextIO, expand_nested: bool = False) -> None:
    """Write the report as JSON (and a final newline) to ``file``, a chunk of layers at a time.

    With ``expand_nested`` the layers of nested models follow their model's entry.
    """
    doc = report.to_dict(expand_nested, with_layers=False)
    write_document(doc, file, {"layers": _rows_json(report.rows(expand_nested), _encoder())})


def _rows_json(rows: Iterable[LayerRow], encode: Callable[[Any], str]) -> Iterator[str]:
    """Each row's ``to_dict()`` encoded, its ``terms`` list encoded once per terms tuple.

    Rows of identical layers share the tuple of their one counted outcome; a 100,000-layer
    model has a handful of them.  The cache keeps each tuple alive, so an ``id`` is never
    reused while the cache exists, and lives for one document only.
    """
    terms_json: dict[int, tuple[tuple[Term, ...], str]] = {}
    for row in rows:
        cached = terms_json.get(id(row.terms))
        if cached is None:
            cached = terms_json[id(row.terms)] = (row.terms, encode([t.to_dict() for t in row.terms]))
        head, tail = row.json_parts()
        text = encode(head)[:-1] + ', "terms": ' + cached[1]
        yield text + (", " + encode(tail)[1:] if tail else "}")


def write_document(doc: dict[str, Any], file: TextIO, streams: dict[str, Iterable[str]] | None = None) -> None:
    """A JSON object with one line per key, and one line per item of a list of objects.

    ``streams`` gives the items of some keys lazily, already encoded as JSON text (the
    value in ``doc`` only fixes the key's place).
    """
    encode = _encoder()
    file.write("{")
    for position, (key, value) in enumerate(doc.items()):
        file.write(",\n  " if position else "\n  ")
        file.write(encode(key) + ": ")
        items = streams.get(key) if streams else None
        if items is None and isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            items = (encode(v) for v in value)
        if items is None:
            file.write(encode(value))
        else:
            _write_items(items, file)
    file.write("\n}\n")


def _write_items(items: Iterable[str], file: TextIO) -> None:
    """A list of encoded items, one per line, written ``_CHUNK`` at a time."""
    chunk: list[str] = []
    first = True
    for item in items:
        chunk.append(item)
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
