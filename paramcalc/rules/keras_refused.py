"""The ``keras.layers`` classes paramcalc deliberately does not count, each with its reason.

Why: every public layer class of Keras 3.15 should either have a rule or be refused with one
line that says why and how to go on, rather than the generic "unknown layer".  The classes
here hold weights that only code or files outside the model's config know (a wrapped torch
module, a JAX function, a TensorFlow SavedModel), or are base classes that are never used
as they are.  :func:`paramcalc.rules.registry.find_rule` asks :func:`refuse` before it
reports a Keras class as unknown.
"""

from __future__ import annotations

from paramcalc.errors import LayerError

CUSTOM_HINT = (
    "declare it as Custom: {name: NAME, params: N, output_shape: [...]} (N from layer.count_params() in Keras)"
)

REFUSED: dict[str, tuple[str, str]] = {
    "TorchModuleWrapper": (
        "wraps a torch.nn.Module, whose parameters are not in the Keras config",
        "count the module with framework: pytorch, then " + CUSTOM_HINT,
    ),
    "JaxLayer": ("wraps a JAX function whose parameters its init function makes", CUSTOM_HINT),
    "FlaxLayer": ("wraps a Flax module whose parameters only Flax knows", CUSTOM_HINT),
    "TFSMLayer": ("loads a TensorFlow SavedModel whose weights live in its files on disk", CUSTOM_HINT),
    "Layer": ("is the base class of every layer: a subclass's weights only its code knows", CUSTOM_HINT),
    "Wrapper": (
        "is the abstract base class of TimeDistributed and Bidirectional",
        "use TimeDistributed or Bidirectional, or " + CUSTOM_HINT,
    ),
    "InputLayer": (
        "is the model's input, not a layer of its body",
        "give the input as 'input: [sizes]' (YAML) or start an inline spec with Input(shape=(...))",
    ),
}
"""Class name → (why it is not counted, how to go on)."""


def refuse(class_name: str) -> None:
    """Raise the one-line refusal for a Keras class paramcalc deliberately does not count."""
    found = REFUSED.get(class_name) or next((v for k, v in REFUSED.items() if k.lower() == class_name.lower()), None)
    if found is not None:
        why, hint = found
        raise LayerError(f"{class_name} is not counted by paramcalc: it {why}", hint=hint)
