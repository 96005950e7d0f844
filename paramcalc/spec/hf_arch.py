"""The record a table-driven Hugging Face family is: what its modules are, as data.

A family is one :class:`Arch`: its config class's fields (defaults, types, ``attribute_map``),
one ``derive`` function that does what the config class and the modelling code compute from
them (``head_dim``, key/value heads, the MLP width, which biases exist), and the module tree
of the base model and of one decoder layer, in ``named_parameters()`` order, written with four
parts:

* :class:`Lin` -- an ``nn.Linear`` (``weight`` out × in, ``bias`` when its flag is true);
* :class:`Norm` -- a norm's ``weight`` (and ``bias`` when its flag is true);
* :class:`Experts` -- fused MoE expert tensors (``gate_up_proj`` E × 2I × h, ``down_proj``
  E × h × I), of which each token uses k of E;
* :class:`Sub` -- a sub-module path holding more parts (``self_attn``, ``mlp``).

Sizes are names of the derived values (``"h"``, ``"kv_width"``), flags are a derived boolean's
name (``"qkv_bias"``, ``"!parallel"`` negated) or a constant, so that one generic builder
(:mod:`paramcalc.rules.hf_blocks`) reads every family, and adding a family is one record plus
goldens.  Presets (:func:`qkvo`, :func:`gated_mlp`, ...) are the common attention and MLP
kinds.  This module imports nothing heavy: the table must load fast (the parts are
NamedTuples, cheaper to define than frozen dataclasses).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

Flag = bool | str
"""A constant, or the name of a derived boolean (``"!name"`` for its negation)."""


class Lin(NamedTuple):
    """An ``nn.Linear``: weight (out, in), bias (out,) when ``bias`` holds."""

    name: str
    out: str
    inp: str
    bias: Flag = False
    when: Flag = True


class Norm(NamedTuple):
    """A norm's learned scale (``weight``, of ``size``) and, when ``bias`` holds, shift."""

    name: str
    size: tuple[str, ...] = ("h",)
    bias: Flag = False
    when: Flag = True


class Experts(NamedTuple):
    """Fused routed experts: ``gate_up_proj`` (E, 2I, h) and ``down_proj`` (E, h, I), k of E active."""

    path: str = "experts"
    inner: str = "I_e"
    when: Flag = True


class Sub(NamedTuple):
    """A sub-module at ``path`` holding ``parts``; with ``repeat``, ``path.0`` ... ``path.{n-1}``."""

    path: str
    parts: tuple[Part, ...]
    when: Flag = True
    repeat: str = ""


class Param(NamedTuple):
    """A raw ``nn.Parameter`` of the given shape (Mamba's ``A_log``, ``D``, a conv kernel);
    ``routed``: it stacks the experts, of which each token uses k of E (DBRX's ``w1``).
    """

    name: str
    shape: tuple[str, ...]
    when: Flag = True
    routed: bool = False


class Emb(NamedTuple):
    """A top-level ``nn.Embedding`` (rows × cols); ``padding`` passes ``pad_token_id`` as padding_idx."""

    name: str
    rows: str = "V"
    cols: str = "h"
    padding: bool = False
    when: Flag = True
    offset: int = 0
    """Rows beyond ``rows`` (OPT's learned positions have 2 more)."""


Part = Lin | Norm | Experts | Param | Sub
Top = Emb | Lin | Norm | str
LAYERS = "LAYERS"
"""Where the decoder layers sit among the base model's top-level modules."""

CAUSAL_LM = "causal_lm"
BASE = "base"
SEQ_CLS = "sequence_classification"
TAGGING = "token_classification"
QA = "question_answering"
ROLE_CLASS = {
    BASE: "Model",
    CAUSAL_LM: "ForCausalLM",
    SEQ_CLS: "ForSequenceClassification",
    TAGGING: "ForTokenClassification",
    QA: "ForQuestionAnswering",
}
"""Head roles and the class-name suffix of each (``LlamaForSequenceClassification``)."""


@dataclass(frozen=True)
class Heads:
    """The task heads a family defines, and how each names its pieces.

    ``base`` is the attribute holding the base model (``model``, ``transformer``,
    ``gpt_neox``); some families' generic question-answering class uses another (``qa_base``).
    """

    roles: tuple[str, ...] = (BASE, CAUSAL_LM, SEQ_CLS, TAGGING, QA)
    base: str = "model"
    qa_base: str = ""
    tagger_name: str = "score"
    lm_bias: Flag = False
    out: str = "h"
    tie_to: str = "embed_tokens"
    class_names: Mapping[str, str] = field(default_factory=dict)
    """Class names that do not follow ``<prefix><suffix>`` (``GPT2LMHeadModel``)."""


@dataclass(frozen=True)
class Arch:
    """One ``model_type``: config fields and derivations, the module tree, the heads, a summary."""

    model_type: str
    config_class: str
    prefix: str
    fields: Mapping[str, tuple[Any, str]]
    derive: Callable[[Mapping[str, Any]], dict[str, Any]]
    top: tuple[Top, ...]
    block: tuple[Part, ...]
    heads: Heads = Heads()
    aliases: Mapping[str, str] = field(default_factory=dict)
    layers: str = "layers"
    layers_key: str = "num_hidden_layers"
    inner: str = ""
    """A module between the base model and its parts (OPT's ``decoder``)."""
    norm_class: str = "LayerNorm"
    sparse: Callable[[Mapping[str, Any], int], bool] | None = None
    """Which layers get experts (``None``: every layer is alike)."""
    heads_divide_hidden: bool = False
    """The config class refuses hidden_size % num_attention_heads != 0 (validate_architecture),
    even with no layers; otherwise only the attention modules refuse it."""
    rope_dim: Callable[[Mapping[str, Any]], int] | None = None
    """The ``head_dim`` the config class shows to ``validate_rope`` (an odd one above 4, rotated
    whole, is refused); ``None`` when the config has no ``head_dim`` attribute (not checked)."""
    default_role: str = CAUSAL_LM
    """The class counted when a config names no ``architectures`` (an encoder's would be its base model)."""
    layer_kinds: Callable[[Mapping[str, Any], int], tuple[str, dict[str, bool]]] | None = None
    """Layers of more than one class (Jamba): layer i's class and the flags its parts read."""
    block_names: tuple[str, ...] = ()
    """Every layer class ``layer_kinds`` names (each gets a rule)."""
    block_name: str = ""
    """The layer's class when it is not ``<Prefix>DecoderLayer`` (``MambaBlock``)."""
    reads_rope_scaling: bool = True
    """Whether the config class turns a ``rope_scaling`` key into its rope parameters (and checks
    them); Gemma 3, with rope parameters per layer type, ignores it."""
    rotary: bool = True
    """Whether the model builds rotary tables (an unknown ``rope_type`` fails only then)."""
    partial_rotary_factor: float = 1.0
    """The share of head_dim RoPE rotates when the config does not say (Phi 0.5, StableLM 0.25)."""
    refused_keys: Mapping[str, str] = field(default_factory=dict)
    """Keys the config class cannot take, and why (Falcon's derived ``head_dim``)."""
    no_null: Mapping[str, str] = field(default_factory=dict)
    """Keys that, written as null, reach the modelling code as None, and where that fails once a
    layer is built (Mamba's ``intermediate_size``: not a field, so null is not derived)."""
    summary: Mapping[str, str] = field(default_factory=dict)
    """What the family is, for ``paramcalc layers --families``: attention, mlp, norm, position."""

    def class_name(self, role: str) -> str:
        """The model class of a head role."""
        return self.heads.class_names.get(role, f"{self.prefix}{ROLE_CLASS[role]}")

    @property
    def block_class(self) -> str:
        """The decoder layer's class name (the rule that counts one layer)."""
        return self.block_name or f"{self.prefix}DecoderLayer"

    @property
    def block_keys(self) -> tuple[str, ...]:
        """The config keys a decoder layer's rule takes (every field but the model-level ones)."""
        return tuple(k for k in self.fields if k not in MODEL_LEVEL and k != self.layers_key)


MODEL_LEVEL = frozenset(
    {"vocab_size", "pad_token_id", "tie_word_embeddings", "max_position_embeddings", "num_labels", "n_positions"}
)
"""Config keys no decoder layer reads."""


def on(flag: Flag, dims: Mapping[str, Any]) -> bool:
    """Whether a flag holds for these derived values."""
    if isinstance(flag, bool):
        return flag
    if flag.startswith("!"):
        return not bool(dims[flag[1:]])
    return bool(dims[flag])


# -- presets: the attention and MLP kinds, as parts -------------------------------------------


def qkvo(
    o: str = "o_proj", bias: Flag = False, o_bias: Flag = False, order: str = "qkv", path: str = "self_attn"
) -> Sub:
    """Separate q, k, v projections (GQA/MQA by ``kv_width``) and the output projection."""
    names = {"q": ("q_proj", "q_width"), "k": ("k_proj", "kv_width"), "v": ("v_proj", "kv_width")}
    parts: list[Part] = [Lin(names[c][0], names[c][1], "h", bias) for c in order]
    parts.append(Lin(o, "h", "q_width", o_bias))
    return Sub(path, tuple(parts))


def fused_qkv(
    qkv: str = "query_key_value", out: str = "dense", bias: Flag = False, path: str = "self_attention"
) -> Sub:
    """q, k and v in one projection of width ``qkv_width``, then the output projection."""
    return Sub(path, (Lin(qkv, "qkv_width", "h", bias), Lin(out, "h", "q_width", bias)))


def gated_mlp(path: str = "mlp", inner: str = "I", bias: Flag = False, when: Flag = True) -> Sub:
    """gate_proj and up_proj (h -> I), down_proj (I -> h)."""
    parts = (Lin("gate_proj", inner, "h", bias), Lin("up_proj", inner, "h", bias), Lin("down_proj", "h", inner, bias))
    return Sub(path, parts, when)


def plain_mlp(up: str, down: str, bias: Flag = True, path: str = "mlp") -> Sub:
    """Two projections with an activation between: up (h -> I), down (I -> h)."""
    return Sub(path, (Lin(up, "I", "h", bias), Lin(down, "h", "I", bias)))


def norms(*names: str, bias: Flag = False) -> tuple[Norm, ...]:
    """Hidden-size norms, in order."""
    return tuple(Norm(name, bias=bias) for name in names)
