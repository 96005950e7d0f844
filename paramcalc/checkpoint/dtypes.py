"""Storage of checkpoint tensors: elements per block and bytes per block, per stored dtype.

A safetensors dtype stores every element in a whole number of bits (``F4`` packs two
elements in a byte); a GGUF (llama.cpp) quantization type stores blocks of elements
(``Q4_K``: 256 elements in 144 bytes, 4.5 bits each).  Both are one table here, so a
tensor's bytes are always ``elements / block * block_bytes``, exact.

The safetensors names are the 22 ``Dtype`` variants of safetensors 0.8 (its Rust crate);
the GGUF rows are ``gguf.constants.GGML_QUANT_SIZES`` of gguf 0.19 (``tests/golden/
checkpoint/ggml_quant_sizes.json``, written by tools/checkpoint_fixtures.py, pins them).
"""

from __future__ import annotations

SAFETENSORS_BITS: dict[str, int] = {
    "BOOL": 8,
    "F4": 4,
    "F6_E2M3": 6,
    "F6_E3M2": 6,
    "U8": 8,
    "I8": 8,
    "F8_E5M2": 8,
    "F8_E4M3": 8,
    "F8_E8M0": 8,
    "F8_E4M3FNUZ": 8,
    "F8_E5M2FNUZ": 8,
    "I16": 16,
    "U16": 16,
    "F16": 16,
    "BF16": 16,
    "I32": 32,
    "U32": 32,
    "F32": 32,
    "C64": 64,
    "F64": 64,
    "I64": 64,
    "U64": 64,
}
"""Bits per element of each safetensors dtype."""

GGML_TYPES: dict[int, tuple[str, int, int]] = {
    0: ("F32", 1, 4),
    1: ("F16", 1, 2),
    2: ("Q4_0", 32, 18),
    3: ("Q4_1", 32, 20),
    6: ("Q5_0", 32, 22),
    7: ("Q5_1", 32, 24),
    8: ("Q8_0", 32, 34),
    9: ("Q8_1", 32, 40),
    10: ("Q2_K", 256, 84),
    11: ("Q3_K", 256, 110),
    12: ("Q4_K", 256, 144),
    13: ("Q5_K", 256, 176),
    14: ("Q6_K", 256, 210),
    15: ("Q8_K", 256, 292),
    16: ("IQ2_XXS", 256, 66),
    17: ("IQ2_XS", 256, 74),
    18: ("IQ3_XXS", 256, 98),
    19: ("IQ1_S", 256, 50),
    20: ("IQ4_NL", 32, 18),
    21: ("IQ3_S", 256, 110),
    22: ("IQ2_S", 256, 82),
    23: ("IQ4_XS", 256, 136),
    24: ("I8", 1, 1),
    25: ("I16", 1, 2),
    26: ("I32", 1, 4),
    27: ("I64", 1, 8),
    28: ("F64", 1, 8),
    29: ("IQ1_M", 256, 56),
    30: ("BF16", 1, 2),
    34: ("TQ1_0", 256, 54),
    35: ("TQ2_0", 256, 66),
    39: ("MXFP4", 32, 17),
    40: ("NVFP4", 64, 36),
    41: ("Q1_0", 128, 18),
}
"""GGML type id -> (name, elements per block, bytes per block), as gguf's GGML_QUANT_SIZES."""

BLOCKS: dict[str, tuple[int, int]] = {name: (block, size) for name, block, size in GGML_TYPES.values()}
"""Every GGUF type name -> (elements per block, bytes per block)."""


def stored_bits(dtype: str, count: int) -> int:
    """Bits that ``count`` elements of ``dtype`` take as stored (exact: whole blocks)."""
    bits = SAFETENSORS_BITS.get(dtype)
    if bits is not None:
        return count * bits
    block, size = BLOCKS[dtype]
    return count // block * size * 8


def bits_per_element(dtype: str) -> str:
    """``16`` or ``4.5`` (Q4_K): the average storage of one element, for display."""
    bits = SAFETENSORS_BITS.get(dtype)
    if bits is not None:
        return str(bits)
    block, size = BLOCKS[dtype]
    value = size * 8 / block
    return f"{value:g}"


__all__ = ["BLOCKS", "GGML_TYPES", "SAFETENSORS_BITS", "bits_per_element", "stored_bits"]
