"""The config keys the hand-written transformers blocks read, in their signatures' order.

Why data, in ``paramcalc.spec``: a block's rule takes these keys as its signature, and the
config reader (:func:`paramcalc.spec.hf_config.layer_kwargs`) keeps exactly these keys of a
config for the block's record.  Both read them here, so the reader never asks the rule
registry (stages flow one way) and the two cannot drift apart.  The Llama-style families
(``paramcalc/rules/hf_decoders.py``) are described by a :class:`Kind` each; GPT-2, BERT and
T5 blocks list their keys; the table-driven families' blocks take their
:class:`~paramcalc.spec.hf_arch.Arch` record's ``block_keys`` (:func:`arch_signature`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from paramcalc.spec.hf_families import ARCHS, FAMILIES

BiasKind = Literal["none", "all", "qkv", "qkv_key"]
"""Which attention projections have biases (see :attr:`Kind.bias`)."""

MlpKind = Literal["gated", "gated_bias", "packed", "mixtral", "qwen2_moe", "qwen3_moe"]
"""The MLP (or MoE block) a family's decoder layer has (see :attr:`Kind.mlp`)."""


@dataclass(frozen=True)
class Kind:
    """How one family's decoder layer differs from the common skeleton."""

    model_type: str
    bias: BiasKind = "none"
    """``none``, ``all`` (key ``attention_bias``), ``qkv`` (always), ``qkv_key`` (key ``qkv_bias``)."""
    qk_norm: bool = False
    packed: bool = False
    mlp: MlpKind = "gated"
    """``gated``, ``gated_bias`` (key ``mlp_bias``), ``packed``, ``mixtral``, ``qwen2_moe`` or ``qwen3_moe``."""
    four_norms: bool = False

    @property
    def prefix(self) -> str:
        """The class-name prefix (``Llama``, ``Qwen2Moe``)."""
        return FAMILIES[self.model_type].prefix

    @property
    def divides(self) -> bool:
        """Whether the config class refuses hidden_size % heads != 0."""
        return FAMILIES[self.model_type].heads_divide_hidden

    @property
    def attention_keys(self) -> tuple[str, ...]:
        """Config keys the attention module reads."""
        keys: tuple[str, ...] = ("hidden_size", "num_attention_heads", "num_key_value_heads", "head_dim")
        if self.bias == "all":
            keys += ("attention_bias",)
        elif self.bias == "qkv_key":
            keys += ("qkv_bias",)
        return keys

    @property
    def mlp_keys(self) -> tuple[str, ...]:
        """Config keys the MLP (or MoE block) reads."""
        return {
            "gated": ("hidden_size", "intermediate_size"),
            "gated_bias": ("hidden_size", "intermediate_size", "mlp_bias"),
            "packed": ("hidden_size", "intermediate_size"),
            "mixtral": ("hidden_size", "intermediate_size", "num_local_experts", "num_experts_per_tok"),
            "qwen2_moe": (
                "hidden_size",
                "moe_intermediate_size",
                "shared_expert_intermediate_size",
                "num_experts",
                "num_experts_per_tok",
            ),
            "qwen3_moe": ("hidden_size", "moe_intermediate_size", "num_experts", "num_experts_per_tok"),
        }[self.mlp]

    @property
    def layout(self) -> bool:
        """Whether layers are sparse or dense by ``decoder_sparse_step`` / ``mlp_only_layers``."""
        return self.mlp in ("qwen2_moe", "qwen3_moe")

    @property
    def layer_keys(self) -> tuple[str, ...]:
        """Config keys the decoder layer reads (plus ``layer_idx`` for Qwen2-MoE)."""
        keys = list(self.attention_keys)
        if self.layout:
            keys += ["intermediate_size", *self.mlp_keys[1:], "decoder_sparse_step", "mlp_only_layers"]
        else:
            keys += [k for k in self.mlp_keys if k not in keys]
        return tuple(keys)


KINDS = (
    Kind("llama", bias="all", mlp="gated_bias"),
    Kind("mistral"),
    Kind("mixtral", mlp="mixtral"),
    Kind("qwen2", bias="qkv"),
    Kind("qwen2_moe", bias="qkv_key", mlp="qwen2_moe"),
    Kind("qwen3", bias="all", qk_norm=True),
    Kind("qwen3_moe", bias="all", qk_norm=True, mlp="qwen3_moe"),
    Kind("gemma", bias="all"),
    Kind("gemma2", bias="all", four_norms=True),
    Kind("phi3", packed=True, mlp="packed"),
)


GPT2_BLOCK_KEYS = ("n_embd", "n_head", "n_inner", "add_cross_attention")
BERT_EMBEDDINGS_KEYS = ("vocab_size", "hidden_size", "max_position_embeddings", "type_vocab_size", "pad_token_id")
BERT_LAYER_KEYS = ("hidden_size", "num_attention_heads", "intermediate_size", "is_decoder", "add_cross_attention")
BERT_POOLER_KEYS = ("hidden_size",)
BERT_LM_HEAD_KEYS = ("hidden_size", "vocab_size")
T5_ROW_KEYS = ("is_decoder", "has_relative_attention_bias")
"""T5Block's arguments after its config keys: which block of the model it is."""

SIGNATURES: dict[str, tuple[str, ...]] = {
    **{f"{kind.prefix}DecoderLayer": kind.layer_keys + (("layer_idx",) if kind.layout else ()) for kind in KINDS},
    "GPT2Block": GPT2_BLOCK_KEYS,
    "BertEmbeddings": BERT_EMBEDDINGS_KEYS,
    "BertLayer": BERT_LAYER_KEYS,
    "BertPooler": BERT_POOLER_KEYS,
    "BertLMPredictionHead": BERT_LM_HEAD_KEYS,
}
"""Block class -> its rule's arguments in order, for the blocks the config reader writes."""


def arch_signature(arch: Any) -> tuple[str, ...]:
    """A table-driven block's arguments: its ``block_keys``, then ``layer_idx`` when layers differ."""
    varies = arch.sparse is not None or arch.layer_kinds is not None
    return (*arch.block_keys, "layer_idx") if varies else tuple(arch.block_keys)


def signature(class_name: str) -> tuple[str, ...]:
    """The arguments of the block class the config reader writes (KeyError for any other class)."""
    found = SIGNATURES.get(class_name)
    if found is not None:
        return found
    if class_name == "T5Block":  # its keys live with T5's recipe family, imported only for T5
        from paramcalc.spec.hf_t5_families import T5_BLOCK_KEYS

        return (*T5_BLOCK_KEYS, *T5_ROW_KEYS)
    for arch in ARCHS.values():
        if class_name in (arch.block_names or (arch.block_class,)):
            return arch_signature(arch)
    raise KeyError(class_name)
