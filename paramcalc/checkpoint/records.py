"""Records of a checkpoint read header only: its tensors as stored, and where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod
from typing import Any


@dataclass(frozen=True, slots=True)
class StoredTensor:
    """One tensor as a checkpoint stores it: name, stored dtype, logical shape, bytes, file and byte range.

    ``shape`` is the shape the framework sees (a GGUF header lists it innermost-first; it
    is reversed here, as gguf's reader and PyTorch show it); ``nbytes`` is exact, whole
    quantization blocks included.
    """

    name: str
    dtype: str
    shape: tuple[int, ...]
    nbytes: int
    file: str
    begin: int = 0
    end: int = 0

    @property
    def count(self) -> int:
        """Elements of the tensor: its parameters."""
        return prod(self.shape)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A checkpoint's tensors, in order, and what its files declare about them."""

    source: str
    format: str
    """``safetensors`` or ``gguf``."""
    tensors: tuple[StoredTensor, ...]
    files: tuple[str, ...]
    metadata: dict[str, Any] = field(default_factory=dict)
    """safetensors ``__metadata__`` (single file) or the index's ``metadata``; GGUF's scalar key-values."""
    declared: dict[str, int] = field(default_factory=dict)
    """``total_size`` (bytes) and ``total_parameters`` as the index declares them."""
    config: str | None = None
    """A config.json beside the weights (or given with ``--config``), for the cross-check."""
    name: str = ""


__all__ = ["Checkpoint", "StoredTensor"]
