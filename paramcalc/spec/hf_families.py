"""Hugging Face transformers families: their config defaults, as transformers 5.24 defines them.

One table, read by two sides: the config reader (:mod:`paramcalc.spec.hf_config`) fills a
config.json's missing keys from it, and the rules (``paramcalc/rules/hf_*.py``) take their
signature defaults from it, so ``paramcalc explain LlamaDecoderLayer`` with no sizes shows the
layer of a default ``LlamaConfig()``.  Every value is copied from the config class
(``transformers/models/<family>/configuration_<family>.py``); a test compares the golden
corpus built by real transformers against what these defaults produce.

Why it matters: a config.json only holds the keys its author wrote.  ``head_dim`` missing
means 256 for Gemma and 128 for Qwen3 (not hidden/heads), ``num_key_value_heads`` missing
means 8 for Mistral and Mixtral but "all heads" for Llama, and ``tie_word_embeddings``
missing means tied for GPT-2, BERT, Gemma and T5 but untied for the Llama-style decoders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

INT = "int"
"""An integer field (``int`` in the config class: null is refused)."""
OPT_INT = "int?"
"""An ``int | None`` field: null means "derive it" (``head_dim`` -> hidden/heads)."""
BOOL = "bool"
STR = "str"
INT_LIST = "list[int]?"
ANY = "any"
"""Read, but not type-checked by the config class (T5's ``tie_word_embeddings``)."""
EXTRA = "extra"
"""Not a field of the config class, but read by the modelling code when present
(``getattr(config, "head_dim", hidden // heads)`` in Qwen2 and Phi-3)."""


@dataclass(frozen=True)
class Family:
    """One ``model_type``: its config class defaults and the classes it builds.

    ``fields`` maps each config key paramcalc reads to ``(default, kind)``; ``aliases`` is
    the config class's ``attribute_map`` (GPT-2's ``hidden_size`` is ``n_embd``);
    ``architectures`` maps each supported model class to its role.
    """

    model_type: str
    config_class: str
    prefix: str
    fields: Mapping[str, tuple[Any, str]]
    architectures: Mapping[str, str]
    default_architecture: str
    aliases: Mapping[str, str] = field(default_factory=dict)
    heads_divide_hidden: bool = False
    """The config class refuses hidden_size % num_attention_heads != 0 (Llama, Gemma 2, BERT, GPT-2)."""

    def default(self, key: str) -> Any:
        """The config class's default for ``key``."""
        return self.fields[key][0]


CAUSAL_LM = "causal_lm"
BASE = "base"
MASKED_LM = "masked_lm"
SEQ2SEQ = "seq2seq"
ENCODER = "encoder"

_DECODER_COMMON: dict[str, tuple[Any, str]] = {
    "pad_token_id": (None, OPT_INT),
    "rms_norm_eps": (1e-6, "float"),
}


def _sizes(vocab: int, hidden: int, intermediate: int, layers: int, heads: int, kv: tuple[Any, str]) -> dict[str, Any]:
    """The size fields every Llama-style config has, with one family's defaults."""
    return {
        "vocab_size": (vocab, INT),
        "hidden_size": (hidden, INT),
        "intermediate_size": (intermediate, INT),
        "num_hidden_layers": (layers, INT),
        "num_attention_heads": (heads, INT),
        "num_key_value_heads": kv,
    }


def _decoder(
    model_type: str,
    config_class: str,
    prefix: str,
    fields: dict[str, tuple[Any, str]],
    heads_divide_hidden: bool = False,
    aliases: Mapping[str, str] | None = None,
) -> Family:
    return Family(
        model_type=model_type,
        config_class=config_class,
        prefix=prefix,
        fields={**_DECODER_COMMON, **fields},
        architectures={f"{prefix}ForCausalLM": CAUSAL_LM, f"{prefix}Model": BASE},
        default_architecture=f"{prefix}ForCausalLM",
        aliases=aliases or {},
        heads_divide_hidden=heads_divide_hidden,
    )


FAMILIES: dict[str, Family] = {
    "gpt2": Family(
        model_type="gpt2",
        config_class="GPT2Config",
        prefix="GPT2",
        fields={
            "vocab_size": (50257, INT),
            "n_positions": (1024, INT),
            "n_embd": (768, INT),
            "n_layer": (12, INT),
            "n_head": (12, INT),
            "n_inner": (None, OPT_INT),
            "add_cross_attention": (False, BOOL),
            "tie_word_embeddings": (True, BOOL),
            "layer_norm_epsilon": (1e-5, "float"),
        },
        architectures={"GPT2LMHeadModel": CAUSAL_LM, "GPT2Model": BASE, "GPT2DoubleHeadsModel": "double_heads"},
        default_architecture="GPT2LMHeadModel",
        aliases={
            "hidden_size": "n_embd",
            "max_position_embeddings": "n_positions",
            "num_attention_heads": "n_head",
            "num_hidden_layers": "n_layer",
        },
        heads_divide_hidden=True,
    ),
    "bert": Family(
        model_type="bert",
        config_class="BertConfig",
        prefix="Bert",
        fields={
            "vocab_size": (30522, INT),
            "hidden_size": (768, INT),
            "num_hidden_layers": (12, INT),
            "num_attention_heads": (12, INT),
            "intermediate_size": (3072, INT),
            "max_position_embeddings": (512, INT),
            "type_vocab_size": (2, INT),
            "pad_token_id": (0, OPT_INT),
            "is_decoder": (False, BOOL),
            "add_cross_attention": (False, BOOL),
            "tie_word_embeddings": (True, BOOL),
            "layer_norm_eps": (1e-12, "float"),
        },
        architectures={
            "BertModel": BASE,
            "BertForMaskedLM": MASKED_LM,
            "BertForSequenceClassification": "sequence_classification",
            "BertForTokenClassification": "token_classification",
            "BertForQuestionAnswering": "question_answering",
            "BertForMultipleChoice": "multiple_choice",
            "BertForNextSentencePrediction": "next_sentence",
            "BertForPreTraining": "pretraining",
            "BertLMHeadModel": CAUSAL_LM,
        },
        default_architecture="BertModel",
        heads_divide_hidden=True,
    ),
    "llama": _decoder(
        "llama",
        "LlamaConfig",
        "Llama",
        {
            **_sizes(32000, 4096, 11008, 32, 32, (None, OPT_INT)),
            "head_dim": (None, OPT_INT),
            "attention_bias": (False, BOOL),
            "mlp_bias": (False, BOOL),
            "tie_word_embeddings": (False, BOOL),
        },
        heads_divide_hidden=True,
    ),
    "mistral": _decoder(
        "mistral",
        "MistralConfig",
        "Mistral",
        {
            **_sizes(32000, 4096, 14336, 32, 32, (8, INT)),
            "head_dim": (None, OPT_INT),
            "tie_word_embeddings": (False, BOOL),
        },
    ),
    "mixtral": _decoder(
        "mixtral",
        "MixtralConfig",
        "Mixtral",
        {
            **_sizes(32000, 4096, 14336, 32, 32, (8, INT)),
            "head_dim": (None, OPT_INT),
            "num_local_experts": (8, INT),
            "num_experts_per_tok": (2, INT),
            "tie_word_embeddings": (False, BOOL),
            "rms_norm_eps": (1e-5, "float"),
        },
        aliases={"num_experts": "num_local_experts"},
    ),
    "qwen2": _decoder(
        "qwen2",
        "Qwen2Config",
        "Qwen2",
        {
            **_sizes(151936, 4096, 22016, 32, 32, (32, OPT_INT)),
            "head_dim": (None, EXTRA),
            "tie_word_embeddings": (False, BOOL),
        },
    ),
    "qwen2_moe": _decoder(
        "qwen2_moe",
        "Qwen2MoeConfig",
        "Qwen2Moe",
        {
            **_sizes(151936, 2048, 5632, 24, 16, (16, OPT_INT)),
            "head_dim": (None, EXTRA),
            "qkv_bias": (True, BOOL),
            "num_experts": (60, INT),
            "num_experts_per_tok": (4, INT),
            "moe_intermediate_size": (1408, INT),
            "shared_expert_intermediate_size": (5632, INT),
            "decoder_sparse_step": (1, INT),
            "mlp_only_layers": (None, INT_LIST),
            "tie_word_embeddings": (False, BOOL),
        },
    ),
    "qwen3": _decoder(
        "qwen3",
        "Qwen3Config",
        "Qwen3",
        {
            **_sizes(151936, 4096, 22016, 32, 32, (32, OPT_INT)),
            "head_dim": (128, INT),
            "attention_bias": (False, BOOL),
            "tie_word_embeddings": (False, BOOL),
        },
    ),
    "qwen3_moe": _decoder(
        "qwen3_moe",
        "Qwen3MoeConfig",
        "Qwen3Moe",
        {
            **_sizes(151936, 2048, 6144, 24, 32, (4, INT)),
            "head_dim": (None, EXTRA),
            "attention_bias": (False, BOOL),
            "num_experts": (128, INT),
            "num_experts_per_tok": (8, INT),
            "moe_intermediate_size": (768, INT),
            "decoder_sparse_step": (1, INT),
            "mlp_only_layers": (None, INT_LIST),
            "tie_word_embeddings": (False, BOOL),
        },
        # num_experts is the field; num_local_experts, an extra key set after the fields,
        # overrides it (the config class maps one name onto the other)
        aliases={"num_local_experts": "num_experts"},
    ),
    "gemma": _decoder(
        "gemma",
        "GemmaConfig",
        "Gemma",
        {
            **_sizes(256000, 3072, 24576, 28, 16, (16, INT)),
            "head_dim": (256, INT),
            "attention_bias": (False, BOOL),
            "tie_word_embeddings": (True, BOOL),
            "pad_token_id": (0, OPT_INT),
        },
    ),
    "gemma2": _decoder(
        "gemma2",
        "Gemma2Config",
        "Gemma2",
        {
            **_sizes(256000, 2304, 9216, 26, 8, (4, INT)),
            "head_dim": (256, INT),
            "attention_bias": (False, BOOL),
            "tie_word_embeddings": (True, BOOL),
            "pad_token_id": (0, OPT_INT),
        },
        heads_divide_hidden=True,
    ),
    "phi3": _decoder(
        "phi3",
        "Phi3Config",
        "Phi3",
        {
            **_sizes(32064, 3072, 8192, 32, 32, (None, OPT_INT)),
            "head_dim": (None, EXTRA),
            "tie_word_embeddings": (False, BOOL),
            "pad_token_id": (32000, OPT_INT),
            "rms_norm_eps": (1e-5, "float"),
        },
    ),
    "t5": Family(
        model_type="t5",
        config_class="T5Config",
        prefix="T5",
        fields={
            "vocab_size": (32128, INT),
            "d_model": (512, INT),
            "d_kv": (64, INT),
            "d_ff": (2048, INT),
            "num_layers": (6, INT),
            "num_decoder_layers": (None, OPT_INT),
            "is_decoder": (False, BOOL),
            "num_heads": (8, INT),
            "relative_attention_num_buckets": (32, INT),
            "feed_forward_proj": ("relu", STR),
            # not a T5Config field: __post_init__ pops it (only `false` means anything), any value goes
            "tie_word_embeddings": (True, ANY),
            "layer_norm_epsilon": (1e-6, "float"),
        },
        architectures={
            "T5ForConditionalGeneration": SEQ2SEQ,
            "T5Model": BASE,
            "T5EncoderModel": ENCODER,
            "T5ForSequenceClassification": "sequence_classification",
            "T5ForTokenClassification": "token_classification",
            "T5ForQuestionAnswering": "question_answering",
        },
        default_architecture="T5ForConditionalGeneration",
        aliases={
            "hidden_size": "d_model",
            "num_attention_heads": "num_heads",
            "num_hidden_layers": "num_layers",
            "head_dim": "d_kv",
        },
    ),
}
"""Every supported ``model_type``."""

# the declarative encoder / encoder-decoder / vision families, loaded only when a config names one
# (paramcalc/spec/hf_recipes_all.py; a test checks this list against it)
RECIPE_TYPES = frozenset(
    [
        "roberta",
        "xlm-roberta",
        "distilbert",
        "albert",
        "electra",
        "mpnet",
        "deberta-v2",
        "bart",
        "mbart",
        "pegasus",
        "marian",
        "whisper",
        "mt5",
        "umt5",
        "vit",
        "clip_text_model",
        "clip_vision_model",
        "clip",
        "siglip_text_model",
        "siglip_vision_model",
        "siglip",
    ]
)


def defaults(model_type: str, *keys: str) -> list[tuple[str, Any]]:
    """``(key, default)`` pairs for a rule signature, in the order given."""
    family = FAMILIES[model_type]
    return [(key, family.default(key)) for key in keys]


MOE_LAYOUT = ("qwen2_moe", "qwen3_moe")
"""Families whose layers are sparse or dense by ``decoder_sparse_step`` / ``mlp_only_layers``."""


def qwen2_moe_is_sparse(layer_idx: int, num_experts: int, decoder_sparse_step: int, mlp_only_layers: list[int]) -> bool:
    """Qwen2-MoE's (and Qwen3-MoE's) rule for which layers get experts (``DecoderLayer.__init__``).

    Layer ``i`` is a sparse MoE block iff ``i`` is not in ``mlp_only_layers``, there are
    experts at all, and ``(i + 1) % decoder_sparse_step == 0``; otherwise it is a dense MLP
    of ``intermediate_size``.  Evaluated in that order, as transformers does, so a
    ``decoder_sparse_step`` of 0 only fails (a modulo by zero) when the test is reached.
    """
    if layer_idx in mlp_only_layers or num_experts <= 0:
        return False
    if decoder_sparse_step == 0:
        raise ZeroDivisionError("decoder_sparse_step is 0")
    return (layer_idx + 1) % decoder_sparse_step == 0


# -- table-driven families (paramcalc/spec/hf_arch.py): one Arch record per model_type ---------
ARCH_MODULES = ("paramcalc.spec.hf_decoder_families",)
"""Modules holding ``ROWS`` of :class:`~paramcalc.spec.hf_arch.Arch` records; a new module of
families is one more entry here (the rules and the config reader pick them up from ARCHS)."""

ARCHS: dict[str, Any] = {}
"""model_type -> Arch, for every table-driven family."""

LEGACY_HEADS: dict[str, Any] = {}
"""model_type -> Heads, for the hand-written Llama-style families."""


def _register_arch_modules() -> None:
    """Add every table-driven family to FAMILIES (config fields, aliases, classes) and ARCHS."""
    import importlib
    from dataclasses import replace

    from paramcalc.spec.hf_arch import ROLE_CLASS
    from paramcalc.spec.hf_schema import CHECKED

    for module in ARCH_MODULES:
        table = importlib.import_module(module)
        CHECKED.update(getattr(table, "CHECKED", {}))  # strict field types of the module's config classes
        for model_type, heads in getattr(table, "LEGACY_HEADS", {}).items():
            family = FAMILIES[model_type]
            names = {heads.class_names.get(role, f"{family.prefix}{ROLE_CLASS[role]}"): role for role in heads.roles}
            FAMILIES[model_type] = replace(family, architectures={**family.architectures, **names})
            LEGACY_HEADS[model_type] = heads
        for arch in table.ROWS:
            ARCHS[arch.model_type] = arch
            FAMILIES[arch.model_type] = Family(
                model_type=arch.model_type,
                config_class=arch.config_class,
                prefix=arch.prefix,
                fields=arch.fields,
                architectures={arch.class_name(role): role for role in arch.heads.roles},
                default_architecture=arch.class_name(arch.default_role),
                aliases=arch.aliases,
                heads_divide_hidden=arch.heads_divide_hidden,
            )


_register_arch_modules()
SUPPORTED = tuple(sorted({*FAMILIES, *RECIPE_TYPES}))
"""Every model_type paramcalc counts: the hand-written and table-driven families and the recipes."""
