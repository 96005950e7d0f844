"""Reading specs: a SPEC argument is a file, ``-`` (stdin) or an inline one-line spec.

:func:`load_spec` decides which, reads the text and hands it to the right reader.  Only
the reader actually needed is imported (PyYAML is not loaded for an inline spec).
"""

from __future__ import annotations

import sys
from typing import Any, BinaryIO

from paramcalc.errors import Location, SpecError
from paramcalc.spec.reader import MAX_SPEC_BYTES
from paramcalc.spec.records import InputSpec, LayerSpec, ModelSpec

__all__ = ["MAX_SPEC_BYTES", "InputSpec", "LayerSpec", "ModelSpec", "load_spec", "parse_text"]


def load_spec(arg: str, *, framework: str | None = None, stdin: BinaryIO | None = None) -> ModelSpec:
    """Read the model a SPEC argument names: ``-`` for stdin, an existing file, else inline text.

    ``framework`` overrides the spec's own framework (``--framework`` on the command line).
    """
    from paramcalc.spec.reader import check_names, read_path, read_stream

    if arg == "-":
        if stdin is None and sys.stdin is None:
            raise SpecError("stdin is closed", location=Location("<stdin>"), hint="pipe a spec in, or pass a file")
        stream = stdin if stdin is not None else sys.stdin.buffer
        return parse_text(read_stream(stream, "<stdin>"), "<stdin>", framework)
    from paramcalc.checkpoint import is_checkpoint

    if is_checkpoint(arg):  # checkpoints are reports (paramcalc.reports.report_for), never specs
        from paramcalc.checkpoint import load_checkpoint

        load_checkpoint(arg)  # a broken or hostile checkpoint is reported as such
        raise SpecError(
            "a checkpoint holds tensors, not layers: this command needs a spec",
            location=Location(arg),
            hint="summary, check, diff and memory read checkpoints",
        )
    found = read_path(arg)
    if found is not None:
        return parse_text(found[0], found[1], framework)
    from paramcalc.spec.inline_spec import parse_inline

    try:
        return check_names(parse_inline(arg, framework=framework or "keras"))
    except SpecError as exc:
        if "(" in arg or "|" in arg:
            raise
        detail = exc.message.removeprefix("invalid inline spec: ")
        raise SpecError(
            f"'{arg}' is neither an existing file nor a valid inline spec ({detail})",
            hint='pass a YAML file, - for stdin, or an inline spec like "Dense(4) | Dense(1)"',
        ) from None


def _keras_json(document: Any, text: str, source: str) -> ModelSpec | None:
    """A Keras model JSON document (``model.to_json()``), else None (read it as YAML)."""
    if not text.lstrip().startswith("{"):
        return None
    from paramcalc.spec import keras_json

    if document is None:
        if '"class_name"' in text[:4096]:
            return keras_json.load_keras_json(text, source)  # one line naming the JSON error
        return None
    if not keras_json.is_keras_document(document):
        return None
    from paramcalc.spec.reader import refuse_long_keras_model

    refuse_long_keras_model(document, source)  # before building 100 µs a node
    return keras_json.from_document(document, source)


def parse_text(data: bytes, source: str, framework: str | None = None) -> ModelSpec:
    """Parse the bytes of a spec file: a ``.keras`` archive, Keras JSON, a Hugging Face config, or YAML."""
    if data.startswith(b"PK\x03\x04"):
        from paramcalc.spec.keras_json import read_archive

        data = read_archive(data, source)
        source = f"{source}:config.json"
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark (decode("utf-8-sig") loads a codec module)
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(
            f"not UTF-8 text (byte {exc.start}); is this a binary file?",
            location=Location(source, data.count(b"\n", 0, exc.start) + 1),
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise SpecError("the file contains NUL bytes; is this a binary file?", location=Location(source, line))
    from paramcalc.spec.reader import check_names

    try:
        return check_names(_read(text, source, framework))
    except RecursionError:  # each reader bounds nesting; this is the last line of defence
        raise SpecError("the spec is nested too deeply", location=Location(source)) from None
    except MemoryError:
        raise SpecError("the spec is too large to read", location=Location(source)) from None


def _read(text: str, source: str, framework: str | None) -> ModelSpec:
    document = _json_document(text, source)
    if document is not None:
        hf = _hf_config(document, text, source)
        if hf is not None:
            if framework not in (None, hf.framework):
                raise SpecError(
                    f"a Hugging Face config is counted as transformers builds it, not with --framework {framework}",
                    location=Location(source),
                )
            return hf
    spec = _keras_json(document, text, source)
    if spec is None:
        from paramcalc.spec.yaml_spec import load_yaml

        return load_yaml(text, source, framework)
    if framework not in (None, spec.framework):
        raise SpecError(
            f"a Keras model file is counted as Keras builds it, not with --framework {framework}",
            location=Location(source),
        )
    return spec


def _json_document(text: str, source: str) -> Any:
    """The parsed JSON of a text that is a JSON object, else None (YAML is read later).

    A ``.json`` file that is not valid JSON (or nests too deeply for it) gets the JSON
    error, which says more than YAML's would; an over-long integer is left to the YAML
    reader, which reports it with its line.
    """
    if not text.lstrip().startswith("{"):
        return None
    import json

    from paramcalc.limits import MAX_JSON_VALUES, yaml_values_bound
    from paramcalc.spec.common import json_int

    if len(text) > MAX_JSON_VALUES and yaml_values_bound(text) > MAX_JSON_VALUES:  # readers walk every value
        raise SpecError(
            f"the spec holds more than {MAX_JSON_VALUES:,} JSON values",
            location=Location(source),
            hint="paramcalc's limit (see README, Limits)",
        )

    try:
        return json.loads(text, parse_int=json_int)
    except json.JSONDecodeError as exc:
        if source.lower().endswith(".json"):
            raise SpecError(
                f"malformed JSON: {exc.msg} (column {exc.colno})", location=Location(source, exc.lineno)
            ) from None
        return None
    except RecursionError:
        if source.lower().endswith(".json"):
            raise SpecError("JSON nesting is too deep", location=Location(source)) from None
        return None
    except ValueError:
        return None


def _hf_config(document: Any, text: str, source: str) -> ModelSpec | None:
    """A Hugging Face config.json (JSON with a ``model_type`` key) as a spec; None for other JSON.

    Text that is not valid JSON is left to the YAML reader (``{layers: [...]}`` is YAML).
    """
    if document is None:
        return None
    from paramcalc.spec.hf_config import is_hf_config, spec_from_config

    if not is_hf_config(document):
        return None
    return spec_from_config(document, source, text)
