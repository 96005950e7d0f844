"""Each framework's conventions, as data: one :class:`Framework` record per framework.

paramcalc counts the same layer differently per framework (``nn.LSTM`` has two bias
vectors, Keras' ``LSTM`` one), and the frameworks differ in more than their rules: how a
layer is named when the spec names none, whether class names match case-insensitively,
whether rules see the batch axis, whether Keras' graph masks and per-layer dtype policies
apply.  Code asks the record (``framework_of(name).dtype_policy``) instead of testing
``framework == "keras"``, so a fourth framework is one more record.

Light on purpose: imported at start-up by the CLI, the engine and the rule registry (a
NamedTuple: no dataclass code generation at import).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

FrameworkName = Literal["keras", "pytorch", "transformers", "keras.ops"]
"""The frameworks paramcalc knows (``--framework`` takes all but ``keras.ops``, the rules of the
operation nodes Keras serializes into functional graphs)."""

KERAS_BASE_KWARGS: dict[str, Any] = {
    "trainable": True,
    "dtype": None,
    "autocast": True,
    "activity_regularizer": None,
    "input_shape": None,
    "batch_input_shape": None,
    "batch_size": None,
    "input_dim": None,
}
"""Keyword arguments every Keras layer accepts (``keras.layers.Layer.__init__``)."""


class Framework(NamedTuple):
    """One framework's conventions.

    ``display`` names it in messages ("unknown layer 'Foo' for Keras"); ``case_sensitive``:
    spec class names must match exactly (``torch.nn.Conv2D`` does not exist, so a PyTorch spec
    saying ``Conv2D`` is an error with a suggestion, not a silent ``Conv2d``); ``lowercase_names``:
    automatic layer names are the lowercased class name (torch modules have no names of their
    own) rather than Keras' snake case; ``masks``: functional graphs carry Keras' mask tensors;
    ``dtype_policy``: a layer's ``dtype`` argument sets its weights' dtype (Keras' policies);
    ``buffers_in_json``: the JSON summary always lists buffers (``"buffers": 0`` included);
    ``base_kwargs``: keyword arguments every layer of the framework accepts; ``rule_modules``:
    the modules under ``paramcalc.rules`` that register its rules; ``yaml_specs``: a YAML spec
    may say ``framework: <name>`` (transformers models come from ``config.json`` files instead).
    """

    name: FrameworkName
    display: str
    case_sensitive: bool = False
    lowercase_names: bool = False
    masks: bool = False
    dtype_policy: bool = False
    buffers_in_json: bool = False
    base_kwargs: Mapping[str, Any] = {}
    rule_modules: tuple[str, ...] = ()
    yaml_specs: bool = True


KERAS = Framework(
    "keras",
    "Keras",
    masks=True,
    dtype_policy=True,
    base_kwargs=KERAS_BASE_KWARGS,
    rule_modules=(
        "core",
        "recurrent",
        "convolutional",
        "conv_recurrent",
        "normalization",
        "pooling",
        "reshaping",
        "activations",
        "attention",
        "merging",
        "wrappers",
        "keras_apps",
        "preprocessing",
        "custom",
    ),
)
PYTORCH = Framework(
    "pytorch",
    "PyTorch",
    case_sensitive=True,
    lowercase_names=True,
    buffers_in_json=True,
    base_kwargs={"device": None, "dtype": None},
    rule_modules=(
        "torch_core",
        "torch_recurrent",
        "torch_conv",
        "torch_pooling",
        "torch_resampling",
        "torch_norm",
        "torch_attention",
        "torch_distance",
    ),
)
TRANSFORMERS = Framework(
    "transformers",
    "transformers",
    rule_modules=("hf_common", "hf_decoders", "hf_gpt2", "hf_bert", "hf_t5", "hf_blocks", "hf_recipes"),
    yaml_specs=False,
)

KERAS_OPS = Framework("keras.ops", "keras.ops", case_sensitive=True, rule_modules=("keras_ops",), yaml_specs=False)
OPS_PREFIX = "keras.ops."
"""Class-name prefix of a ``keras.ops`` node (``keras.ops.Add``): its rule is in the ``keras.ops`` table."""
"""The ``keras.ops`` operation nodes of functional graphs (``keras.src.ops.numpy>Add``): a
framework of their own because their names clash with layers (``Add``) and differ only by case
(``Relu`` and ``ReLU``).  A Keras spec reaches them through the ``ops.`` class prefix."""

BY_NAME: dict[str, Framework] = {f.name: f for f in (KERAS, PYTORCH, TRANSFORMERS, KERAS_OPS)}
"""Every framework's record by name, in the order paramcalc tries them (``explain`` guesses Keras first)."""

FRAMEWORKS: tuple[FrameworkName, ...] = tuple(f.name for f in (KERAS, PYTORCH, TRANSFORMERS))
"""The framework names, the one definition ``--framework`` and ``explain`` use."""


def framework_of(name: str) -> Framework:
    """The record for a framework name; an unknown one has no conventions (and no rules)."""
    found = BY_NAME.get(name)
    return found if found is not None else Framework(name, name)  # type: ignore[arg-type]
