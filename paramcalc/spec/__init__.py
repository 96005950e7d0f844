"""Reading specs: a SPEC argument is a file, ``-`` (stdin) or an inline one-line spec.

:func:`load_spec` decides which, reads the text and hands it to the right reader.  Only
the reader actually needed is imported (PyYAML is not loaded for an inline spec).
"""

from __future__ import annotations

import os
import sys
from typing import BinaryIO

from paramcalc.errors import Location, SpecError
from paramcalc.spec.records import InputSpec, LayerSpec, ModelSpec

MAX_SPEC_BYTES = 64 * 1024 * 1024

__all__ = ["InputSpec", "LayerSpec", "ModelSpec", "load_spec", "parse_text"]


def load_spec(arg: str, *, framework: str | None = None, stdin: BinaryIO | None = None) -> ModelSpec:
    """Read the model a SPEC argument names: ``-`` for stdin, an existing file, else inline text.

    ``framework`` overrides the spec's own framework (``--framework`` on the command line).
    """
    if arg == "-":
        if stdin is None and sys.stdin is None:
            raise SpecError("stdin is closed", location=Location("<stdin>"), hint="pipe a spec in, or pass a file")
        stream = stdin if stdin is not None else sys.stdin.buffer
        return parse_text(_read_stream(stream, "<stdin>"), "<stdin>", framework)
    if os.path.isfile(arg):
        try:
            with open(arg, "rb") as handle:
                data = _read_stream(handle, arg)
        except OSError as exc:
            raise SpecError(f"cannot read the file: {exc.strerror or exc}", location=Location(arg)) from None
        return parse_text(data, arg, framework)
    if os.path.isdir(arg):
        raise SpecError(f"'{arg}' is a directory, not a spec file", location=Location(arg))
    from paramcalc.spec.inline_spec import parse_inline

    try:
        return parse_inline(arg, framework=framework or "keras")
    except SpecError as exc:
        if "(" in arg or "|" in arg:
            raise
        detail = exc.message.removeprefix("invalid inline spec: ")
        raise SpecError(
            f"'{arg}' is neither an existing file nor a valid inline spec ({detail})",
            hint='pass a YAML file, - for stdin, or an inline spec like "Dense(4) | Dense(1)"',
        ) from None


def _read_stream(stream: BinaryIO, source: str) -> bytes:
    try:
        data = stream.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise SpecError(f"cannot read the spec: {exc.strerror or exc}", location=Location(source)) from None
    if len(data) > MAX_SPEC_BYTES:
        raise SpecError(f"spec is larger than {MAX_SPEC_BYTES // (1024 * 1024)} MB", location=Location(source))
    return data


def parse_text(data: bytes, source: str, framework: str | None = None) -> ModelSpec:
    """Parse the bytes of a spec file: Keras JSON, a Hugging Face config, or YAML."""
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
    try:
        if text.lstrip().startswith("{"):
            hf = _hf_config(text, source)
            if hf is not None:
                if framework not in (None, hf.framework):
                    raise SpecError(
                        f"a Hugging Face config is counted as transformers builds it, not with --framework {framework}",
                        location=Location(source),
                    )
                return hf
        from paramcalc.spec.yaml_spec import load_yaml

        return load_yaml(text, source, framework)
    except RecursionError:  # each reader bounds nesting; this is the last line of defence
        raise SpecError("the spec is nested too deeply", location=Location(source)) from None
    except MemoryError:
        raise SpecError("the spec is too large to read", location=Location(source)) from None


def _bounded_int(text: str) -> int:
    """JSON integers, refusing the over-long ones (the YAML reader then reports them with their line)."""
    from paramcalc.spec.common import MAX_INT_DIGITS

    if len(text) > MAX_INT_DIGITS:
        raise ValueError("integer too long")
    return int(text)


def _hf_config(text: str, source: str) -> ModelSpec | None:
    """A Hugging Face config.json (JSON with a ``model_type`` key) as a spec; None for other JSON.

    Text that is not valid JSON is left to the YAML reader (``{layers: [...]}`` is YAML),
    except in a ``.json`` file, where the JSON error is reported.
    """
    import json

    try:
        doc = json.loads(text, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        if source.lower().endswith(".json"):  # a .json file: its JSON error says more than YAML's would
            raise SpecError(f"malformed JSON: {exc.msg}", location=Location(source, exc.lineno)) from None
        return None
    except RecursionError:
        if source.lower().endswith(".json"):
            raise SpecError("JSON nesting is too deep", location=Location(source)) from None
        return None
    except ValueError:  # an integer too long to convert: the YAML reader reports it with its line
        return None
    from paramcalc.spec.hf_config import is_hf_config, spec_from_config

    if not is_hf_config(doc):
        return None
    return spec_from_config(doc, source, text)
