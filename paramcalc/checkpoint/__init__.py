"""Real checkpoints, read header only: safetensors (single, sharded, a model directory) and GGUF.

:func:`load_checkpoint` reads the headers (never the tensor data) into a
:class:`~paramcalc.checkpoint.records.Checkpoint`; :func:`checkpoint_report` turns it into
the same :class:`~paramcalc.report.Report` every renderer reads: tensors grouped into
modules as a Hugging Face summary groups them (numbered blocks with the same tensors
folded into one row, ``model.layers.0-31``), each tensor a term with its stored dtype,
and the bytes as stored.  With a config.json beside the weights (or given), the report
also says whether the config's derived count matches the checkpoint tensor for tensor
(:mod:`paramcalc.checkpoint.crosscheck`).
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING

from paramcalc.errors import Location, SpecError
from paramcalc.report import Report

if TYPE_CHECKING:  # imported when a checkpoint is read: every summary imports this module
    from paramcalc.checkpoint.records import Checkpoint

SUFFIXES = (".safetensors", ".gguf", ".safetensors.index.json")
"""File names read as checkpoints (a directory is one when it holds such files)."""
INDEX_NAME = "model.safetensors.index.json"
CONFIG_NAME = "config.json"


def is_checkpoint(path: str) -> bool:
    """Whether a SPEC argument names a checkpoint: a weights file, an index, or a directory."""
    if os.path.isdir(path):
        return True
    if not os.path.isfile(path):
        return False
    if path.lower().endswith(SUFFIXES):
        return True
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"GGUF"
    except OSError:
        return False


def load_checkpoint(path: str, config: str | None = None) -> Checkpoint:
    """Read a checkpoint's headers: a ``.safetensors`` file, an index, a ``.gguf`` file or a directory.

    A directory is read through its ``model.safetensors.index.json``, else its one
    ``.safetensors`` (or ``.gguf``) file; its ``config.json`` is used for the cross-check
    unless ``config`` names another.
    """
    from paramcalc.checkpoint import gguf, safetensors
    from paramcalc.checkpoint.records import Checkpoint

    source = path
    if os.path.isdir(path):
        path, beside = _in_directory(path)
        config = config or beside
    elif config is None:
        candidate = os.path.join(os.path.dirname(path) or ".", CONFIG_NAME)
        config = candidate if os.path.isfile(candidate) else None
    lower = path.lower()
    declared: dict[str, int] = {}
    if lower.endswith(".json"):
        tensors, metadata, files = safetensors.read_index(path)
        declared = safetensors.declared_totals(metadata, path)
        fmt = "safetensors"
    elif lower.endswith(".safetensors"):
        tensors, strings = safetensors.read_header(path)
        metadata = dict(strings)
        files = [path]
        fmt = "safetensors"
    else:
        tensors, metadata = gguf.read_gguf(path)
        files = [path]
        fmt = "gguf"
    if fmt == "safetensors":
        from paramcalc.report import _natural_key

        tensors = sorted(tensors, key=lambda t: _natural_key(t.name))
    from paramcalc.safe_text import has_controls, one_line

    # names from a stranger's header reach tables, Markdown and CI logs: no newline may start a line there
    tensors = [replace(t, name=one_line(t.name)) if has_controls(t.name) else t for t in tensors]
    name = metadata.get("general.name") if fmt == "gguf" else None
    return Checkpoint(
        source=one_line(source),  # shown in headings (diff); the files are read by path
        format=fmt,
        tensors=tuple(tensors),
        files=tuple(files),
        metadata=metadata,
        declared=declared,
        config=config,
        name=one_line(name if isinstance(name, str) else os.path.basename(os.path.normpath(source))),
    )


def _in_directory(folder: str) -> tuple[str, str | None]:
    """The weights file of a model directory, and its config.json (None when there is none)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise SpecError(f"cannot list the directory: {exc.strerror or exc}", location=Location(folder)) from None
    config = os.path.join(folder, CONFIG_NAME) if CONFIG_NAME in names else None
    if INDEX_NAME in names:
        return os.path.join(folder, INDEX_NAME), config
    indexes = [n for n in names if n.endswith(".safetensors.index.json")]
    weights = [n for n in names if n.endswith(".safetensors")]
    ggufs = [n for n in names if n.endswith(".gguf")]
    for found in (indexes, weights, ggufs):
        if len(found) == 1:
            return os.path.join(folder, found[0]), config
        if len(found) > 1:
            raise SpecError(
                f"the directory holds {len(found)} weight files ({', '.join(found[:3])}, ...) and no index",
                location=Location(folder),
                hint="name one file, or add the model.safetensors.index.json that lists the shards",
            )
    raise SpecError(
        "is a directory, not a spec file, and holds no .safetensors, .safetensors.index.json or .gguf file",
        location=Location(folder),
        hint="a directory is read as a model checkpoint",
    )


def checkpoint_report(path: str, config: str | None = None) -> Report:
    """Read a checkpoint header only and report its tensors, grouped into modules (see the module)."""
    from paramcalc.checkpoint.group import report_of

    return report_of(load_checkpoint(path, config))


__all__ = ["checkpoint_report", "is_checkpoint", "load_checkpoint"]
