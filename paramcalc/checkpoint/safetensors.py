"""safetensors headers, read and validated without touching a byte of tensor data.

The format (https://github.com/huggingface/safetensors): 8 bytes, a little-endian
unsigned length N; N bytes of UTF-8 JSON mapping each tensor name to ``{"dtype",
"shape", "data_offsets": [begin, end]}`` (plus an optional ``__metadata__`` of strings);
then the data.  A file is accepted only as the safetensors library itself would accept
it (other keys of a tensor are ignored, as its reader ignores them): the header at most
100,000,000 bytes, a JSON object with no duplicate names (which safetensors lets the last
win, and paramcalc refuses: which was meant?), known
dtypes, shapes of non-negative integers, each tensor's byte range exactly its size, the
ranges contiguous from 0 and ending at the end of the file.  Anything else is one
:class:`~paramcalc.errors.SpecError` naming the file: a hostile header is a bad input.

A sharded checkpoint's ``model.safetensors.index.json`` maps tensor names to shard
files (``weight_map``) and may declare ``metadata.total_size`` (bytes) and
``total_parameters``; every shard's header is read and must hold exactly its tensors.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from paramcalc.checkpoint.dtypes import SAFETENSORS_BITS
from paramcalc.checkpoint.records import StoredTensor
from paramcalc.errors import Location, SpecError

MAX_HEADER = 100_000_000
"""safetensors' own limit on the JSON header (``MAX_HEADER_SIZE`` in its Rust crate)."""
MAX_INDEX = 64 * 1024 * 1024
"""Largest index.json read (a 1T-parameter model's index is a few MB)."""
MAX_DIMS = 64
"""More axes than any framework makes: a header claiming more is refused."""


def _error(path: str, message: str, hint: str | None = None) -> SpecError:
    return SpecError(message, location=Location(path), hint=hint)


def read_header(path: str) -> tuple[list[StoredTensor], dict[str, str]]:
    """The tensors (in data order) and ``__metadata__`` of one ``.safetensors`` file."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            head = handle.read(8)
            if len(head) < 8:
                raise _error(path, f"not a safetensors file: {size} bytes, less than the 8-byte header length")
            length = int.from_bytes(head, "little")
            if length > MAX_HEADER:
                raise _error(
                    path,
                    f"safetensors header length {length:,} bytes exceeds the limit of {MAX_HEADER:,}",
                    hint="the file is corrupt or not a safetensors file",
                )
            if 8 + length > size:
                raise _error(path, f"safetensors header length {length:,} runs past the end of the {size:,}-byte file")
            raw = handle.read(length)
    except OSError as exc:
        raise _error(path, f"cannot read the checkpoint: {exc.strerror or exc}") from None
    _check_tensor_count(raw.count(b'"data_offsets"'), path)  # before parsing: 30 µs a tensor
    header = _parse_json(raw, path, "safetensors header")
    metadata = header.pop("__metadata__", None)
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise _error(path, "safetensors '__metadata__' must map names to strings")
    tensors = [_tensor(path, name, info) for name, info in header.items()]
    tensors.sort(key=lambda t: (t.begin, t.end))
    expected = 0
    for tensor in tensors:
        if tensor.begin != expected:
            what = "overlaps the tensor before it" if tensor.begin < expected else "leaves a gap before it"
            raise _error(
                path,
                f"tensor '{tensor.name}' at bytes {tensor.begin:,}-{tensor.end:,} {what} (ends at {expected:,})",
                hint="safetensors data ranges are contiguous and do not overlap",
            )
        expected = tensor.end
    data = size - 8 - length
    if expected != data:
        raise _error(
            path,
            f"the tensors cover {expected:,} bytes but the file holds {data:,} bytes of data",
            hint="the file is truncated" if expected > data else "the file has bytes no tensor covers",
        )
    return tensors, dict(metadata)


def _check_tensor_count(count: int, path: str) -> None:
    """Refuse a checkpoint of more tensors than :data:`~paramcalc.limits.MAX_CHECKPOINT_TENSORS`."""
    from paramcalc.limits import MAX_CHECKPOINT_TENSORS

    if count > MAX_CHECKPOINT_TENSORS:
        raise _error(
            path,
            f"the checkpoint lists {count:,} tensors, more than {MAX_CHECKPOINT_TENSORS:,}",
            hint="paramcalc's limit (see README, Limits)",
        )


def _parse_json(raw: bytes, path: str, what: str) -> dict[str, Any]:
    import json

    from paramcalc.spec.common import json_int

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _error(path, f"{what} is not UTF-8 (byte {exc.start})") from None
    if not text.startswith("{"):
        raise _error(path, f"{what} is not a JSON object")
    from paramcalc.limits import MAX_CHECKPOINT_METADATA, MAX_CHECKPOINT_TENSORS

    values = MAX_CHECKPOINT_METADATA + 16 * MAX_CHECKPOINT_TENSORS  # a tensor: about 10 keys, sizes and offsets
    if raw.count(b",") + raw.count(b":") > values:  # counted before parsing: 1.5 million metadata keys took 4 s
        raise _error(
            path, f"{what} holds more than {values:,} JSON values", hint="paramcalc's limit (see README, Limits)"
        )

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise _error(path, f"{what} names '{key[:200]}' twice")
            out[key] = value
        return out

    try:
        document = json.loads(text, object_pairs_hook=unique, parse_int=json_int)
    except json.JSONDecodeError as exc:
        raise _error(path, f"{what} is malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise _error(path, f"{what} nests too deeply") from None
    except ValueError as exc:
        raise _error(path, f"{what} is malformed JSON: {exc}") from None
    if not isinstance(document, dict):
        raise _error(path, f"{what} is not a JSON object")
    return document


def _tensor(path: str, name: str, info: Any) -> StoredTensor:
    shown = name[:200]
    if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= set(info):
        raise _error(path, f"tensor '{shown}' must have 'dtype', 'shape' and 'data_offsets'")
    dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if not isinstance(dtype, str) or dtype not in SAFETENSORS_BITS:
        raise _error(
            path,
            f"tensor '{shown}' has unknown dtype {str(dtype)[:40]!r}",
            hint=f"safetensors dtypes: {', '.join(SAFETENSORS_BITS)}",
        )
    if (
        not isinstance(shape, list)
        or len(shape) > MAX_DIMS
        or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
    ):
        raise _error(path, f"tensor '{shown}' has an invalid shape: sizes must be non-negative integers")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
        or not 0 <= offsets[0] <= offsets[1]
    ):
        raise _error(path, f"tensor '{shown}' has invalid data_offsets: two integers 0 <= begin <= end")
    count = 1
    for dim in shape:
        count *= dim
    bits = count * SAFETENSORS_BITS[dtype]
    if bits % 8:
        raise _error(path, f"tensor '{shown}': {count:,} {dtype} elements do not fill whole bytes")
    begin, end = offsets
    if end - begin != bits // 8:
        raise _error(
            path,
            f"tensor '{shown}' holds {end - begin:,} bytes but {dtype} {shape} needs {bits // 8:,}",
        )
    return StoredTensor(name, dtype, tuple(shape), bits // 8, os.path.basename(path), begin, end)


def read_index(path: str) -> tuple[list[StoredTensor], dict[str, Any], list[str]]:
    """A sharded checkpoint: every shard's tensors (shard by shard), the index's metadata, the shard paths."""
    try:
        if os.path.getsize(path) > MAX_INDEX:
            raise _error(path, f"the index is larger than {MAX_INDEX // (1024 * 1024)} MB")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_INDEX + 1)
    except OSError as exc:
        raise _error(path, f"cannot read the index: {exc.strerror or exc}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    _check_tensor_count(raw.count(b'.safetensors"'), path)  # each weight_map entry names its shard
    document = _parse_json(raw, path, "the index")
    weight_map = document.get("weight_map")
    metadata = document.get("metadata", {})
    if not isinstance(weight_map, dict) or not weight_map:
        raise _error(path, "the index has no 'weight_map' of tensor names to shard files")
    if not isinstance(metadata, dict):
        raise _error(path, "the index's 'metadata' must be a mapping")
    shards: dict[str, list[str]] = {}
    for name, shard in weight_map.items():
        if not isinstance(shard, str) or not _plain_file_name(shard):
            raise _error(
                path,
                f"tensor '{name[:200]}' maps to {str(shard)[:80]!r}, not a file name beside the index",
                hint="shards are files in the index's directory",
            )
        shards.setdefault(shard, []).append(name)
    folder = os.path.dirname(path)
    tensors: list[StoredTensor] = []
    paths = []
    for shard, names in shards.items():
        shard_path = os.path.join(folder, shard)
        if not os.path.isfile(shard_path):
            raise _error(path, f"shard '{shard}' (holding '{names[0][:200]}') is not beside the index")
        found, _ = read_header(shard_path)
        listed = set(names)
        held = {t.name for t in found}
        missing = sorted(listed - held)
        if missing:
            raise _error(path, f"tensor '{missing[0][:200]}' is listed in shard '{shard}' but not stored in it")
        extra = sorted(held - listed)
        if extra:
            raise _error(path, f"shard '{shard}' stores tensor '{extra[0][:200]}' that the index does not list")
        tensors.extend(found)
        paths.append(shard_path)
    return tensors, dict(metadata), paths


def _plain_file_name(name: str) -> bool:
    """A file name in the same directory: no separators, not ``.``/``..``, no NUL."""
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and "\x00" not in name


def declared_totals(metadata: Mapping[str, Any], path: str) -> dict[str, int]:
    """``total_size`` / ``total_parameters`` an index declares (integers, or integer strings)."""
    out: dict[str, int] = {}
    for key in ("total_size", "total_parameters"):
        value = metadata.get(key)
        if value is None:
            continue
        if isinstance(value, str) and value.isdigit() and len(value) < 40:
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _error(path, f"metadata '{key}' must be a non-negative integer, got {str(value)[:40]!r}")
        out[key] = value
    return out


__all__ = ["MAX_HEADER", "declared_totals", "read_header", "read_index"]
