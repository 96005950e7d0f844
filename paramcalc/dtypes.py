"""Storage sizes of parameter dtypes, in bits, for the bytes column of a summary.

Keras prints sizes from each weight's dtype size; paramcalc applies one dtype to every
parameter (``--dtype``), default float32 as in Keras.  Bits, not bytes, so int4 is exact.
"""

from __future__ import annotations

from paramcalc.errors import UsageError

DTYPE_BITS: dict[str, int] = {
    "float64": 64,
    "float32": 32,
    "float16": 16,
    "bfloat16": 16,
    "float8_e4m3fn": 8,
    "float8_e5m2": 8,
    "float8": 8,
    "int64": 64,
    "int32": 32,
    "int16": 16,
    "int8": 8,
    "uint8": 8,
    "int4": 4,
}

ALIASES: dict[str, str] = {
    "fp64": "float64",
    "double": "float64",
    "fp32": "float32",
    "float": "float32",
    "fp16": "float16",
    "half": "float16",
    "bf16": "bfloat16",
    "fp8": "float8",
}


def canonical_dtype(name: str) -> str:
    """The canonical dtype name for ``name`` (case-insensitive, common aliases accepted)."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in DTYPE_BITS:
        known = ", ".join(DTYPE_BITS)
        raise UsageError(f"unknown dtype '{name}'", hint=f"use one of {known}")
    return key


FLOAT_POLICY_CLASSES = ("DTypePolicy", "FloatDTypePolicy")
"""Keras 3's dtype policy classes that keep plain float weights (``keras.src.dtype_policies``)."""
QUANTIZED_POLICY_CLASSES = (
    "AWQDTypePolicy",
    "GPTQDTypePolicy",
    "Int4DTypePolicy",
    "QuantizedDTypePolicy",
    "QuantizedFloat8DTypePolicy",
    "DTypePolicyMap",
)
"""The other classes Keras can deserialize: they replace weights per layer, which is not counted."""


def _check_policy_class(class_name: object) -> None:
    """Refuse a serialized policy whose class Keras cannot deserialize (or paramcalc does not count).

    ``keras.dtype_policies.deserialize`` knows only the classes of ``ALL_OBJECTS``; reading
    the ``name`` of any other class would count a model Keras refuses to load.
    """
    from paramcalc.errors import LayerError

    if class_name is None or class_name in FLOAT_POLICY_CLASSES:
        return
    if class_name in QUANTIZED_POLICY_CLASSES:
        raise LayerError(
            f"the dtype policy class '{class_name}' is not supported", hint="count the model before quantizing it"
        )
    shown = repr(class_name)[:60]
    raise LayerError(
        f"unknown dtype policy class {shown}: Keras cannot deserialize it",
        hint=f"Keras 3 policies are {', '.join(FLOAT_POLICY_CLASSES)}",
    )


def variable_dtype(policy: object) -> str:
    """The dtype of the weights a Keras layer with dtype policy ``policy`` creates; "" if unset.

    ``policy`` is a layer's ``dtype`` argument: a name (``"bfloat16"``) or Keras' serialized
    ``DTypePolicy`` (``{"class_name": "DTypePolicy", "config": {"name": "mixed_float16"}}``).
    Mixed policies compute in 16 bits but keep float32 weights.  Quantized policies
    (``int8_from_float32``) replace the weights themselves and are refused.
    """
    from paramcalc.errors import LayerError

    quantized = quantized_policy_name(policy)
    if quantized is not None:  # the engine counts the layers it can before asking this
        raise LayerError(
            f"the quantized dtype policy '{quantized}' is not supported here",
            hint="count the model before quantizing it",
        )
    name = policy
    if isinstance(policy, dict):
        _check_policy_class(policy.get("class_name"))
        config = policy.get("config")
        name = config.get("name") if isinstance(config, dict) else None
    if name is None:
        return ""
    if not isinstance(name, str):
        raise LayerError(f"'dtype' must be a dtype or a dtype policy name, got {name!r}")
    key = name.strip().lower()
    if key.startswith("mixed_"):
        key = "float32"
    try:
        return canonical_dtype(key)
    except UsageError:
        raise LayerError(f"unknown dtype '{name}'", hint=f"use one of {', '.join(DTYPE_BITS)}") from None


QUANTIZATION_MODES = ("int8", "float8", "int4", "gptq", "awq")
"""``keras.src.dtype_policies.dtype_policy.QUANTIZATION_MODES``: a policy name starting with
one of these is quantized (``int8_from_float32``, ``int4/128_from_bfloat16``)."""


def quantized_policy_name(policy: object) -> str | None:
    """The name of a quantized Keras dtype policy (``int8_from_float32``), None for any other.

    Why here: Keras serializes a quantized policy without a ``name`` (``{"class_name":
    "QuantizedDTypePolicy", "config": {"mode": "int8", "source_name": "float32"}}``), so a
    reader looking only for ``name`` would take the layer as float32 and count the float
    weights it no longer has.  A policy map (``DTypePolicyMap``) counts as quantized too.
    """
    if isinstance(policy, str):
        return policy if policy.strip().lower().startswith(QUANTIZATION_MODES) else None
    if not isinstance(policy, dict):
        return None
    config = policy.get("config")
    config = config if isinstance(config, dict) else {}
    if policy.get("class_name") == "DTypePolicyMap":
        return "DTypePolicyMap"
    mode = config.get("mode")
    if mode is None:
        name = config.get("name")
        return name if isinstance(name, str) and "_from_" in name and name.startswith(QUANTIZATION_MODES) else None
    return f"{mode}_from_{config.get('source_name', 'float32')}"


def dtype_bits(name: str) -> int:
    """Bits per parameter for a dtype name."""
    return DTYPE_BITS[canonical_dtype(name)]


def readable_size(nbytes: float) -> str:
    """Bytes in 1024 steps with two decimals, exactly as Keras 3's summary prints them."""
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    size = float(nbytes)
    for unit in units:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {units[-1]}"
