"""Reading a SPEC argument's bytes: a file, a pipe or FIFO, ``-`` for stdin; else it is inline text.

Why a module of its own: "is this argument a file?" has more answers than
``os.path.isfile``.  Process substitution (``<(git show main:m.yaml)``), ``/dev/stdin`` and
FIFOs are pipes, not regular files, and must be read like files, under the same size cap.
``/dev/zero`` or a terminal must be refused before reading ("not a regular file"), or the
read never ends.  A missing file whose argument looks like a path must say "no such file"
rather than the inline parser's syntax error, and a symlink loop must say so.  Every path
is shown with its control characters escaped (:func:`~paramcalc.safe_text.one_line`).
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Any, BinaryIO

from paramcalc.errors import Location, SpecError
from paramcalc.safe_text import has_controls, one_line
from paramcalc.spec.records import ModelSpec

MAX_SPEC_BYTES = 64 * 1024 * 1024
SPEC_EXTENSIONS = (".yaml", ".yml", ".json", ".keras", ".txt")
"""File name endings that make a missing argument a missing file, not an inline spec."""


def looks_like_path(arg: str) -> bool:
    """Whether an argument that names no file was meant as one: a slash or a spec file's extension, no call."""
    if "(" in arg or "|" in arg or "\n" in arg:
        return False
    return "/" in arg or os.sep in arg or arg.lower().endswith(SPEC_EXTENSIONS)


def read_path(arg: str) -> tuple[bytes, str] | None:
    """The bytes of the file ``arg`` names and how to show its name; None when ``arg`` names nothing
    and does not look like a path (it is an inline spec).
    """
    shown = one_line(arg)
    where = Location(shown)
    try:
        info = os.stat(arg)
    except ValueError:  # a NUL in the argument: no file has that name
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SpecError("symlink loop: too many levels of symbolic links", location=where) from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG):
            if looks_like_path(arg):
                raise SpecError(
                    "no such file",
                    location=where,
                    hint='check the path; an inline spec looks like "Dense(4) | Dense(1)"',
                ) from None
            return None
        raise SpecError(f"cannot read the file: {exc.strerror or exc}", location=where) from None
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise SpecError(f"'{shown}' is a directory, not a spec file", location=where)
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
        kind = "a character device" if stat.S_ISCHR(mode) else "a block device" if stat.S_ISBLK(mode) else "a socket"
        raise SpecError(f"not a regular file ({kind})", location=where, hint="pass a spec file, a pipe, or - for stdin")
    try:
        with open(arg, "rb") as handle:
            return read_stream(handle, shown), shown
    except OSError as exc:
        raise SpecError(f"cannot read the file: {exc.strerror or exc}", location=where) from None


def read_stream(stream: BinaryIO, source: str) -> bytes:
    """At most :data:`MAX_SPEC_BYTES` of a stream (a file, a pipe, stdin); more is refused."""
    try:
        data = stream.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise SpecError(f"cannot read the spec: {exc.strerror or exc}", location=Location(source)) from None
    if len(data) > MAX_SPEC_BYTES:
        raise SpecError(f"spec is larger than {MAX_SPEC_BYTES // (1024 * 1024)} MB", location=Location(source))
    return data


def check_names(model: ModelSpec) -> ModelSpec:
    """Refuse a model, input or layer name holding a control character (ESC, BEL, a newline),
    and a model of more than :data:`~paramcalc.limits.MAX_LAYERS` layers
    (:data:`~paramcalc.limits.MAX_GRAPH_LAYERS` for a graph), nested models' layers
    included, whichever reader built it (YAML and inline specs refuse a long list while
    reading; a Keras JSON of 10,001 ``keras.ops`` nodes reached the counting).

    Names are printed in tables, Markdown and CI annotations; a name is an identifier, and
    no framework needs one that moves the cursor or starts a new line, so refusing is
    safer than printing any form of it.  (Output escapes control characters as well.)
    """
    from paramcalc.limits import MAX_GRAPH_LAYERS, MAX_LAYERS

    limit = MAX_GRAPH_LAYERS if model.graph else MAX_LAYERS
    if _layer_count(model, limit) > limit:
        kind = "graph" if model.graph else "spec"
        raise SpecError(
            f"the {kind} has more than {limit:,} layers",
            location=Location(model.source),
            hint="paramcalc's limit (see README, Limits)",
        )
    return _check_names(model)


def refuse_long_keras_model(document: Any, source: str) -> None:
    """Refuse a Keras model JSON whose top-level layer list alone passes the cap of its kind, before
    the reader builds it (100 µs a node: 10,000 ``keras.ops`` nodes took 1.5 s to be refused after).
    :func:`check_names` counts nested models' layers too, once the model is built.
    """
    from paramcalc.limits import MAX_GRAPH_LAYERS, MAX_LAYERS

    config = document.get("config") if isinstance(document, dict) else None
    layers = config.get("layers") if isinstance(config, dict) else None
    if not isinstance(layers, list):
        return
    graph = document.get("class_name") != "Sequential"
    limit = MAX_GRAPH_LAYERS if graph else MAX_LAYERS
    count = sum(1 for entry in layers if not (isinstance(entry, dict) and entry.get("class_name") == "InputLayer"))
    if count > limit:
        raise SpecError(
            f"the {'graph' if graph else 'spec'} has more than {limit:,} layers",
            location=Location(source),
            hint="paramcalc's limit (see README, Limits)",
        )


def _layer_count(model: ModelSpec, limit: int) -> int:
    """Layers of ``model``, each nested model's counted where it is used; stops past ``limit``."""
    count = 0
    for layer in model.layers:
        count += 1 + (_layer_count(layer.model, limit) if isinstance(layer.model, ModelSpec) else 0)
        if count > limit:
            break
    return count


def _check_names(model: ModelSpec) -> ModelSpec:
    if model.name is not None and has_controls(model.name):
        raise SpecError(
            f"the model name '{one_line(model.name)}' holds a control character", location=Location(model.source)
        )
    for spec in model.inputs:
        if has_controls(spec.name):
            raise SpecError(
                f"input name '{one_line(spec.name)}' holds a control character",
                location=spec.location or Location(model.source),
            )
    for layer in model.layers:
        if layer.name is not None and has_controls(layer.name):
            raise SpecError(
                f"layer name '{one_line(layer.name)}' holds a control character",
                location=layer.location,
                hint="names are identifiers: letters, digits, _ . - /",
            )
        if isinstance(layer.model, ModelSpec):
            _check_names(layer.model)
    return model
