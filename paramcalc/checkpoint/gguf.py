"""GGUF (llama.cpp) headers: metadata and tensor infos, read without touching tensor data.

The layout (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md), little-endian:
``GGUF``, a uint32 version (2 or 3), uint64 tensor count, uint64 key-value count; the
key-values (a string key, a uint32 value type, the value; arrays hold a type, a uint64
length and the items); the tensor infos (a string name, uint32 axis count, that many
uint64 sizes innermost first, a uint32 ggml type, a uint64 offset into the data); then
padding to ``general.alignment`` (32 by default) and the data.

Every count and length is checked against the bytes that remain before it is used, so a
hostile header (a tensor count of 2**63, a string longer than the file, a truncated file)
is one :class:`~paramcalc.errors.SpecError` naming the file, read in bounded time: at most
100,000 metadata entries and tensors, and 2**21 strings and arrays inside metadata arrays
(a vocabulary's strings are skipped a megabyte at a time, never kept).  A
tensor's bytes are its elements in whole quantization blocks (``Q4_K``: 256 elements in
144 bytes); its data range must be aligned, inside the file, and not overlap another.
"""

from __future__ import annotations

import os
import struct
from typing import Any, BinaryIO

from paramcalc.checkpoint.dtypes import GGML_TYPES
from paramcalc.checkpoint.records import StoredTensor
from paramcalc.errors import Location, SpecError

MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32
MAX_DIMS = 4
"""``GGML_MAX_DIMS``: ggml tensors have at most four axes."""
MAX_DEPTH = 8
"""Deepest nesting of arrays inside arrays read (real files use one level)."""
MAX_STRING = 1 << 26
"""Longest single string read into memory (64 MB; a chat template is a few KB)."""
KEEP_STRING = 512
"""Metadata strings longer than this are kept as their length only."""
CHUNK = 1 << 20

_SCALARS: dict[int, tuple[str, int]] = {
    0: ("<B", 1),
    1: ("<b", 1),
    2: ("<H", 2),
    3: ("<h", 2),
    4: ("<I", 4),
    5: ("<i", 4),
    6: ("<f", 4),
    7: ("<?", 1),
    10: ("<Q", 8),
    11: ("<q", 8),
    12: ("<d", 8),
}
"""GGUF value types with a fixed size: struct format and bytes (8 is a string, 9 an array)."""
STRING, ARRAY = 8, 9
_U64 = struct.Struct("<Q")


class _Reader:
    """Bounded reads from the header: every length is checked against the bytes left."""

    def __init__(self, handle: BinaryIO, size: int, path: str) -> None:
        self.handle = handle
        self.size = size
        self.path = path
        self.pos = 0
        self.items = 0

    def error(self, message: str, hint: str | None = None) -> SpecError:
        return SpecError(f"GGUF header: {message}", location=Location(self.path), hint=hint)

    def left(self) -> int:
        return self.size - self.pos

    def read(self, n: int, what: str) -> bytes:
        if n > self.left():
            raise self.error(
                f"truncated: {what} needs {n:,} bytes at offset {self.pos:,} of a {self.size:,}-byte file",
                hint="the file is cut short or not a GGUF file",
            )
        data = self.handle.read(n)
        if len(data) != n:
            raise self.error(f"truncated: the file ended while reading {what}")
        self.pos += n
        return data

    def skip(self, n: int, what: str) -> None:
        if n > self.left():
            raise self.error(f"truncated: {what} needs {n:,} bytes at offset {self.pos:,} of a {self.size:,}-byte file")
        self.handle.seek(n, os.SEEK_CUR)
        self.pos += n

    def count_items(self, n: int, key: str) -> None:
        """Account for ``n`` more array items to walk, refusing a file that claims too many."""
        from paramcalc.limits import MAX_GGUF_ARRAY_ITEMS

        self.items += n
        if self.items > MAX_GGUF_ARRAY_ITEMS:  # a real vocabulary and its merges: under 600,000
            raise self.error(
                f"array '{key[:200]}' brings the metadata to more than {MAX_GGUF_ARRAY_ITEMS:,} strings and arrays",
                hint="paramcalc's limit (see README, Limits): a real vocabulary holds a few hundred thousand tokens",
            )

    def skip_strings(self, count: int, what: str) -> None:
        """Skip ``count`` strings (a uint64 length, then the bytes each), a chunk of the file at a time."""
        unpack = _U64.unpack_from
        buf = b""
        at = end = 0
        for _ in range(count):
            if end - at < 8:
                buf = buf[at:] + self.handle.read(CHUNK)
                at, end = 0, len(buf)
                if end < 8:
                    raise self.error(f"truncated: the file ended inside {what}", hint="the file is cut short")
            at += 8 + unpack(buf, at)[0]
            if at > end:  # a long string: skip past the chunk
                self.pos = self.handle.tell()
                beyond = at - end
                if beyond > self.left():
                    raise self.error(f"an item of {what} runs past the end of the file", hint="the file is cut short")
                self.handle.seek(beyond, os.SEEK_CUR)
                buf, at, end = b"", 0, 0
        self.handle.seek(at - end, os.SEEK_CUR)
        self.pos = self.handle.tell()

    def u32(self, what: str) -> int:
        return int.from_bytes(self.read(4, what), "little")

    def u64(self, what: str) -> int:
        return int.from_bytes(self.read(8, what), "little")

    def string(self, what: str, keep: int | None = None) -> str | int:
        """A string (or, when longer than ``keep``, its length, skipped unread)."""
        length = self.u64(f"the length of {what}")
        if length > self.left():
            raise self.error(f"{what} claims {length:,} bytes, more than the {self.left():,} left in the file")
        if (keep is not None and length > keep) or length > MAX_STRING:
            self.skip(length, what)
            return length
        raw = self.read(length, what)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.error(f"{what} is not UTF-8") from None


def read_gguf(path: str) -> tuple[list[StoredTensor], dict[str, Any]]:
    """The tensors (in file order) and the scalar metadata of a ``.gguf`` file."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            return _read(_Reader(handle, size, path))
    except OSError as exc:
        raise SpecError(f"cannot read the checkpoint: {exc.strerror or exc}", location=Location(path)) from None


def _read(reader: _Reader) -> tuple[list[StoredTensor], dict[str, Any]]:
    if reader.size < 4 or reader.read(4, "the magic") != MAGIC:
        raise reader.error("not a GGUF file (it does not start with 'GGUF')")
    version = reader.u32("the version")
    if version not in (2, 3):
        hint = "a big-endian GGUF file" if version in (2 << 24, 3 << 24) else "GGUF versions 2 and 3 are read"
        raise reader.error(f"unsupported GGUF version {version}", hint=hint)
    n_tensors = reader.u64("the tensor count")
    n_kv = reader.u64("the metadata count")
    from paramcalc.limits import MAX_CHECKPOINT_METADATA, MAX_CHECKPOINT_TENSORS

    if n_kv > MAX_CHECKPOINT_METADATA:  # llama.cpp writes a few dozen (the vocabulary is one array)
        raise reader.error(f"the file lists {n_kv:,} metadata entries, more than {MAX_CHECKPOINT_METADATA:,}")
    if n_tensors > MAX_CHECKPOINT_TENSORS:
        raise reader.error(f"the file lists {n_tensors:,} tensors, more than {MAX_CHECKPOINT_TENSORS:,}")
    if n_kv * 13 > reader.left():  # the smallest key-value: empty key (8), type (4), one byte
        raise reader.error(f"{n_kv:,} metadata entries cannot fit in the {reader.left():,} bytes left")
    if n_tensors * 24 > reader.left():  # the smallest tensor info: empty name, no axis, type, offset
        raise reader.error(f"{n_tensors:,} tensors cannot fit in the {reader.left():,} bytes left")
    metadata: dict[str, Any] = {}
    for i in range(n_kv):
        key = reader.string(f"metadata key {i}", keep=65535)
        if not isinstance(key, str):
            raise reader.error(f"metadata key {i} is {key:,} bytes long")
        if key in metadata:
            raise reader.error(f"metadata key '{key[:200]}' appears twice")
        vtype = reader.u32(f"the type of '{key}'")
        metadata[key] = _value(reader, vtype, key, 0)
    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or isinstance(alignment, bool) or alignment <= 0 or alignment & (alignment - 1):
        raise reader.error(f"general.alignment {alignment!r} is not a power of two")
    infos = []
    names: set[str] = set()
    for i in range(n_tensors):
        name = reader.string(f"the name of tensor {i}", keep=65535)
        if not isinstance(name, str):
            raise reader.error(f"the name of tensor {i} is {name:,} bytes long")
        if name in names:
            raise reader.error(f"tensor '{name[:200]}' appears twice")
        names.add(name)
        n_dims = reader.u32(f"the axis count of '{name}'")
        if n_dims > MAX_DIMS:
            raise reader.error(f"tensor '{name[:200]}' has {n_dims:,} axes; ggml tensors have at most {MAX_DIMS}")
        dims = [reader.u64(f"the sizes of '{name}'") for _ in range(n_dims)]
        if any(d >= 1 << 63 for d in dims):
            raise reader.error(f"tensor '{name[:200]}' has a negative size {[_signed(d) for d in dims]}")
        type_id = reader.u32(f"the type of '{name}'")
        offset = reader.u64(f"the offset of '{name}'")
        infos.append((name, dims, type_id, offset))
    data_start = -(-reader.pos // alignment) * alignment
    data_size = reader.size - data_start
    tensors = [_tensor(reader, alignment, data_size, *info) for info in infos]
    previous: StoredTensor | None = None
    for tensor in sorted(tensors, key=lambda t: (t.begin, t.end)):
        if previous is not None and tensor.begin < previous.end:
            raise reader.error(f"tensors '{previous.name[:200]}' and '{tensor.name[:200]}' overlap in the data")
        previous = tensor
    return tensors, {k: v for k, v in metadata.items() if not isinstance(v, list)}


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _tensor(
    reader: _Reader, alignment: int, data_size: int, name: str, dims: list[int], type_id: int, offset: int
) -> StoredTensor:
    shown = name[:200]
    found = GGML_TYPES.get(type_id)
    if found is None:
        raise reader.error(f"tensor '{shown}' has unknown ggml type {type_id}", hint="not a type gguf 0.19 knows")
    dtype, block, block_bytes = found
    count = 1
    for dim in dims:
        count *= dim
    if dims and dims[0] % block:
        raise reader.error(f"tensor '{shown}': {dtype} stores rows in blocks of {block}, and a row has {dims[0]:,}")
    nbytes = count // block * block_bytes
    if offset % alignment:
        raise reader.error(f"tensor '{shown}' starts at offset {offset:,}, not a multiple of the alignment {alignment}")
    if offset + nbytes > data_size:
        raise reader.error(
            f"tensor '{shown}' ({dtype}, {nbytes:,} bytes at offset {offset:,}) runs past the end of the data"
            f" ({data_size:,} bytes)",
            hint="the file is truncated",
        )
    return StoredTensor(
        name, dtype, tuple(reversed(dims)), nbytes, os.path.basename(reader.path), offset, offset + nbytes
    )


def _value(reader: _Reader, vtype: int, key: str, depth: int) -> Any:
    """One metadata value; arrays are skipped and kept as a list of their length only."""
    scalar = _SCALARS.get(vtype)
    if scalar is not None:
        fmt, size = scalar
        return struct.unpack(fmt, reader.read(size, f"the value of '{key}'"))[0]
    if vtype == STRING:
        return reader.string(f"the value of '{key}'", keep=KEEP_STRING)
    if vtype != ARRAY:
        raise reader.error(f"metadata '{key[:200]}' has unknown value type {vtype}")
    if depth >= MAX_DEPTH:
        raise reader.error(f"metadata '{key[:200]}' nests arrays deeper than {MAX_DEPTH}")
    itype = reader.u32(f"the item type of '{key}'")
    length = reader.u64(f"the length of '{key}'")
    scalar = _SCALARS.get(itype)
    if scalar is not None:
        if length * scalar[1] > reader.left():
            raise reader.error(f"array '{key[:200]}' claims {length:,} items, more than the file holds")
        reader.skip(length * scalar[1], f"the array '{key}'")
    elif itype in (STRING, ARRAY):
        if length * 8 > reader.left():
            raise reader.error(f"array '{key[:200]}' claims {length:,} items, more than the file holds")
        reader.count_items(length, key)
        if itype == STRING:
            reader.skip_strings(length, f"the array '{key[:200]}'")
        else:
            for _ in range(length):
                _value(reader, ARRAY, key, depth + 1)
    else:
        raise reader.error(f"array '{key[:200]}' has unknown item type {itype}")
    return [length]


__all__ = ["read_gguf"]
