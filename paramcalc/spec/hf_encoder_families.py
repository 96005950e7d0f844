"""Encoder families as data: RoBERTa, XLM-RoBERTa, DistilBERT, ALBERT, ELECTRA, MPNet.

Each is one :class:`~paramcalc.spec.hf_recipes.Recipe`, copied from
``transformers/models/<family>/configuration_*.py`` and ``modeling_*.py`` (5.24): the config
fields and defaults, the blocks as pieces in ``named_parameters()`` order, and the rows of
every model class.  What differs between them, and what hand counts get wrong:

* RoBERTa's embeddings list ``position_embeddings`` *after* the LayerNorm, and its
  ``pad_token_id`` (1) is the padding row of both the word and the position table;
* XLM-RoBERTa's task classes register their head *before* the backbone, so the tied MLM
  decoder is listed first and ``roberta.embeddings.word_embeddings.weight`` is the alias;
* DistilBERT has no token types and no pooler; its names are ``q_lin`` / ``ffn.lin1`` and
  its config speaks ``dim`` / ``n_heads`` / ``n_layers`` / ``hidden_dim``;
* ALBERT factorises the embeddings (``embedding_size`` ≠ ``hidden_size``) and shares its
  layers: ``num_hidden_groups`` groups of ``inner_group_num`` layers hold every parameter,
  however many ``num_hidden_layers`` run, and torch counts each once;
* ELECTRA projects ``embedding_size`` to ``hidden_size`` only when they differ, and, like
  ALBERT, lets ``num_attention_heads`` not divide ``hidden_size`` (q/k/v are then
  ``heads·(h // heads)`` wide);
* MPNet has one relative attention bias table for the whole encoder, after the layers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramcalc.spec.hf_families import BASE, BOOL, CAUSAL_LM, INT, MASKED_LM, OPT_INT, Family
from paramcalc.spec.hf_recipes import BACKBONE, POOLED, Block, Head, Piece, Recipe, Row, linear_row, norm_row
from paramcalc.spec.hf_schema import ACTIVATIONS

SEQ_CLS = "ForSequenceClassification"
TOKEN_CLS = "ForTokenClassification"  # noqa: S105 - a class-name suffix
QA = "ForQuestionAnswering"
MULTIPLE_CHOICE = "ForMultipleChoice"
"""One score per choice: the backbone (its pooler kept in most families), then ``classifier`` h -> 1."""
PRETRAINING = "ForPreTraining"


def lin(path: str, out: str, inp: str, bias: bool | str = True) -> Piece:
    """An ``nn.Linear`` piece."""
    return ("linear", path, out, inp, bias)


def ln(path: str, dim: str = "h", bias: bool | str = True) -> Piece:
    """A LayerNorm piece."""
    return ("norm", path, dim, bias)


def emb(path: str, rows: str, dim: str = "h") -> Piece:
    """An ``nn.Embedding`` piece."""
    return ("embedding", path, rows, dim)


def attention(prefix: str, names: tuple[str, str, str, str], width: str = "h", norm: str = "") -> tuple[Piece, ...]:
    """q, k, v (h -> width, with bias) and the output projection (h -> h, whatever the width), then a LayerNorm."""
    q, k, v, o = (prefix + n for n in names)
    pieces = (lin(q, width, "h"), lin(k, width, "h"), lin(v, width, "h"), lin(o, "h", "h"))
    return pieces + ((ln(norm),) if norm else ())


def bert_layer(width: str = "a", cross: bool = True) -> tuple[Piece, ...]:
    """BertLayer's names (RoBERTa, XLM-R, ELECTRA): attention.self.*, intermediate, output."""
    names = ("self.query", "self.key", "self.value", "output.dense")
    pieces = attention("attention.", names, width, "attention.output.LayerNorm")
    if cross:
        pieces += (
            (
                "when",
                "add_cross_attention",
                attention("crossattention.", names, width, "crossattention.output.LayerNorm"),
            ),
        )
    return (*pieces, lin("intermediate.dense", "I", "h"), lin("output.dense", "h", "I"), ln("output.LayerNorm"))


def classification_head(hidden: str = "hidden_size") -> Block:
    """``...ClassificationHead`` (RoBERTa, ELECTRA, MPNet): dense h×h, out_proj h→num_labels, on the first token."""
    return Block(
        (hidden, "num_labels"),
        (lin("dense", "h", "h"), lin("out_proj", "L", "h")),
        "The sequence classifier on the first token: dense h×h, then out_proj to num_labels.",
        out="L",
    )


def lm_head() -> Block:
    """``...LMHead`` (RoBERTa, XLM-R, MPNet): bias, dense, layer_norm, decoder."""
    return Block(
        ("hidden_size", "vocab_size"),
        (("param", "bias", "V"), lin("dense", "h", "h"), ln("layer_norm"), lin("decoder", "V", "h")),
        "The MLM head: an output bias (V), dense h×h, LayerNorm, decoder V×h with bias; tied, the "
        "decoder weight is the word table and its bias is the output bias.",
        out="V",
    )


def labels(cfg: dict[str, Any], doc: Mapping[str, Any]) -> None:
    """``num_labels`` when the config.json has it (transformers sets it after ``id2label``, so it
    wins), else len(id2label), else the config class's default.
    """
    id2label = doc.get("id2label")
    if isinstance(id2label, Mapping) and "num_labels" not in doc:
        cfg["num_labels"] = len(id2label)


def bad_pad(cfg: Mapping[str, Any], pad_key: str, tables: tuple[tuple[str, int], ...]) -> tuple[str, str, str] | None:
    """A padding row outside a table: nn.Embedding asserts padding_idx is within num_embeddings."""
    pad = cfg.get(pad_key)
    if pad is None:
        return None
    for name, rows in tables:
        if isinstance(rows, int) and not -rows <= pad < rows:
            return (pad_key, f"{pad_key} {pad} is outside the {rows} rows of {name}", "nn.Embedding refuses it")
    return None


def layers_refuse(
    cfg: Mapping[str, Any],
    doc: Mapping[str, Any],
    heads_key: str,
    hidden_key: str,
    depth: int,
    act_key: str,
    divides: bool,
    act_in_head: bool = False,
) -> tuple[str, str, str] | None:
    """Refusals that happen when a layer is built (so never with 0 layers), and the activation
    lookup of a head that reads ``act_key`` too (``act_in_head``: ALBERT's MLM head, ...).
    """
    act = cfg.get(act_key, doc.get(act_key))
    if (depth > 0 or act_in_head) and isinstance(act, str) and act not in ACTIVATIONS:
        return (act_key, f"'{act_key}' {act!r} is no activation transformers knows", "the layer looks it up in ACT2FN")
    if depth <= 0:
        return None
    heads, hidden = cfg[heads_key], cfg[hidden_key]
    if heads <= 0:
        return (heads_key, f"'{heads_key}' must be positive, got {heads}", "the attention divides by it")
    if divides and hidden % heads:
        return (
            hidden_key,
            f"{hidden_key} {hidden} is not a multiple of {heads_key} {heads}",
            "the attention module refuses it",
        )
    if not divides and hidden < heads:
        return (
            hidden_key,
            f"{hidden_key} {hidden} < {heads_key} {heads}: the heads would be empty",
            "the attention has no weights then",
        )
    return None


def cross_refuse(cfg: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """The layer refuses cross-attention in an encoder (is_decoder false)."""
    if cfg.get("add_cross_attention") and not cfg.get("is_decoder") and cfg["num_hidden_layers"] > 0:
        return (
            "add_cross_attention",
            "add_cross_attention needs is_decoder: true",
            "the layer refuses it (ValueError)",
        )
    return None


COMMON_FIELDS: dict[str, tuple[Any, str]] = {"num_labels": (2, INT), "tie_word_embeddings": (True, BOOL)}

BERTISH_SYMBOLS: dict[str, str] = {
    "V": "vocab_size",
    "h": "hidden_size",
    "I": "intermediate_size",
    "P": "max_position_embeddings",
    "T": "type_vocab_size",
    "heads": "num_attention_heads",
    "L": "num_labels",
    "a": "=h//heads*heads",
}
LEGEND: dict[str, str] = {
    "a": "heads·(h // heads), the attention width",
    "e": "the embedding width",
    "L": "from id2label",
}

ROBERTA_SCHEMA = (
    "is_encoder_decoder:bool vocab_size:int hidden_size:int num_hidden_layers:int num_attention_heads:int "
    "intermediate_size:int hidden_act:str hidden_dropout_prob:num attention_probs_dropout_prob:num "
    "max_position_embeddings:int type_vocab_size:int initializer_range:float layer_norm_eps:float pad_token_id:int? "
    "bos_token_id:int? eos_token_id:ids use_cache:bool classifier_dropout:num? is_decoder:bool "
    "add_cross_attention:bool tie_word_embeddings:bool"
)


def roberta_like(model_type: str, config_class: str, prefix: str, vocab: int, head_first: bool) -> Recipe:
    """RoBERTa and XLM-RoBERTa: one layout, different defaults and (XLM-R) heads first."""
    fields = {
        "vocab_size": (vocab, INT),
        "hidden_size": (768, INT),
        "num_hidden_layers": (12, INT),
        "num_attention_heads": (12, INT),
        "intermediate_size": (3072, INT),
        "max_position_embeddings": (512, INT),
        "type_vocab_size": (2, INT),
        "pad_token_id": (1, OPT_INT),
        "is_decoder": (False, BOOL),
        "add_cross_attention": (False, BOOL),
        **COMMON_FIELDS,
    }
    blocks = {
        f"{prefix}Embeddings": Block(
            ("vocab_size", "hidden_size", "max_position_embeddings", "type_vocab_size"),
            (
                emb("word_embeddings", "V"),
                emb("token_type_embeddings", "T"),
                ln("LayerNorm"),
                emb("position_embeddings", "P"),
            ),
            "Word (V×h) and token-type (T×h) tables, a LayerNorm, then the position table (P×h), "
            "listed last; pad_token_id is the padding row of both the word and the position table.",
            out="h",
            source=True,
        ),
        f"{prefix}Layer": Block(
            ("hidden_size", "num_attention_heads", "intermediate_size", "is_decoder", "add_cross_attention"),
            bert_layer(),
            "BERT's layer: query, key, value and output dense (h×h with biases), a LayerNorm, "
            "then intermediate (h→I) and output (I→h) with a LayerNorm; crossattention when add_cross_attention.",
        ),
        f"{prefix}Pooler": Block(
            ("hidden_size",), (lin("dense", "h", "h"),), "The pooler: a dense h×h with bias on the first token."
        ),
        f"{prefix}LMHead": lm_head(),
        f"{prefix}ClassificationHead": classification_head(),
    }
    backbone = (
        Row("{base}embeddings", f"{prefix}Embeddings"),
        Row("{base}encoder.layer", f"{prefix}Layer", stack="num_hidden_layers"),
        Row("{base}pooler", f"{prefix}Pooler", pooler=True),
    )
    lm_ties = (
        ("lm_head.decoder.weight", "roberta.embeddings.word_embeddings.weight"),
        ("lm_head.decoder.bias", "lm_head.bias"),
    )

    def head(row: Row, ties: tuple[tuple[str, str], ...] = (), backbone: str = BACKBONE) -> Head:
        rows = (row, backbone) if head_first else (backbone, row)
        return Head(rows, ties=ties, base=True)

    lm = Row("lm_head", f"{prefix}LMHead")
    heads = {
        f"{prefix}Model": Head((POOLED,)),
        f"{prefix}ForMaskedLM": head(lm, lm_ties),
        f"{prefix}ForCausalLM": head(lm, lm_ties),
        f"{prefix}{SEQ_CLS}": head(Row("classifier", f"{prefix}ClassificationHead")),
        f"{prefix}{TOKEN_CLS}": head(linear_row("classifier", "h", "L")),
        f"{prefix}{QA}": head(linear_row("qa_outputs", "h", "L")),
        f"{prefix}{MULTIPLE_CHOICE}": head(linear_row("classifier", "h", "1"), backbone=POOLED),
    }

    def check(cfg: Mapping[str, Any], doc: Mapping[str, Any], arch: str) -> tuple[str, str, str] | None:
        return (
            layers_refuse(
                cfg,
                doc,
                "num_attention_heads",
                "hidden_size",
                cfg["num_hidden_layers"],
                "hidden_act",
                "embedding_size" not in doc,
            )
            or cross_refuse(cfg)
            or bad_pad(
                cfg,
                "pad_token_id",
                (("word_embeddings", cfg["vocab_size"]), ("position_embeddings", cfg["max_position_embeddings"])),
            )
        )

    return Recipe(
        family=family_record(model_type, config_class, prefix, fields, heads),
        symbols=BERTISH_SYMBOLS,
        legend=LEGEND,
        blocks=blocks,
        backbone=backbone,
        heads=heads,
        base="roberta.",
        schema=ROBERTA_SCHEMA,
        derive=labels,
        check=check,
    )


ROLES = {"Model": BASE, "ForMaskedLM": MASKED_LM, "ForCausalLM": CAUSAL_LM}


def family_record(
    model_type: str,
    config_class: str,
    prefix: str,
    fields: dict[str, tuple[Any, str]],
    heads: Mapping[str, Head],
    aliases: Mapping[str, str] | None = None,
    default: str = "",
) -> Family:
    """The :class:`Family` record of a recipe: every head class, by role where one exists."""
    architectures = {name: ROLES.get(name[len(prefix) :], name[len(prefix) :]) for name in heads}
    return Family(
        model_type=model_type,
        config_class=config_class,
        prefix=prefix,
        fields=fields,
        architectures=architectures,
        default_architecture=default or f"{prefix}Model",
        aliases=aliases or {},
    )


def distilbert() -> Recipe:
    """DistilBERT: word and position tables, ``transformer.layer``, no pooler, no token types."""
    fields = {
        "vocab_size": (30522, INT),
        "max_position_embeddings": (512, INT),
        "n_layers": (6, INT),
        "n_heads": (12, INT),
        "dim": (768, INT),
        "hidden_dim": (3072, INT),
        "pad_token_id": (0, OPT_INT),
        **COMMON_FIELDS,
    }
    names = ("q_lin", "k_lin", "v_lin", "out_lin")
    blocks = {
        "DistilBertEmbeddings": Block(
            ("vocab_size", "dim", "max_position_embeddings"),
            (emb("word_embeddings", "V"), emb("position_embeddings", "P"), ln("LayerNorm")),
            "Word (V×dim) and position (P×dim) tables and a LayerNorm; sinusoidal_pos_embds only "
            "fills the position table, which stays a parameter.",
            out="h",
            source=True,
        ),
        "DistilBertTransformerBlock": Block(
            ("dim", "n_heads", "hidden_dim"),
            (
                *attention("attention.", names, "h", "sa_layer_norm"),
                lin("ffn.lin1", "I", "h"),
                lin("ffn.lin2", "h", "I"),
                ln("output_layer_norm"),
            ),
            "q_lin, k_lin, v_lin, out_lin (dim×dim with biases), sa_layer_norm, ffn.lin1 (dim→hidden_dim), "
            "ffn.lin2 (hidden_dim→dim), output_layer_norm.",
        ),
    }
    backbone = (
        Row("{base}embeddings", "DistilBertEmbeddings"),
        Row("{base}transformer.layer", "DistilBertTransformerBlock", stack="n_layers"),
    )
    heads = {
        "DistilBertModel": Head((BACKBONE,)),
        "DistilBertForMaskedLM": Head(
            (
                BACKBONE,
                linear_row("vocab_transform", "h", "h"),
                norm_row("vocab_layer_norm", "h"),
                linear_row("vocab_projector", "h", "V"),
            ),
            ties=(("vocab_projector.weight", "distilbert.embeddings.word_embeddings.weight"),),
            base=True,
        ),
        f"DistilBert{SEQ_CLS}": Head(
            (BACKBONE, linear_row("pre_classifier", "h", "h"), linear_row("classifier", "h", "L")), base=True
        ),
        f"DistilBert{TOKEN_CLS}": Head((BACKBONE, linear_row("classifier", "h", "L")), base=True),
        f"DistilBert{QA}": Head((BACKBONE, linear_row("qa_outputs", "h", "L")), base=True),
        f"DistilBert{MULTIPLE_CHOICE}": Head(
            (BACKBONE, linear_row("pre_classifier", "h", "h"), linear_row("classifier", "h", "1")), base=True
        ),
    }

    def check(cfg: Mapping[str, Any], doc: Mapping[str, Any], arch: str) -> tuple[str, str, str] | None:
        if arch == f"DistilBert{QA}" and cfg["num_labels"] != 2:
            return (
                "num_labels",
                f"num_labels must be 2 (start and end), got {cfg['num_labels']}",
                "DistilBertForQuestionAnswering refuses it",
            )
        mlm = arch == "DistilBertForMaskedLM"
        return layers_refuse(cfg, doc, "n_heads", "dim", cfg["n_layers"], "activation", True, mlm) or bad_pad(
            cfg, "pad_token_id", (("word_embeddings", cfg["vocab_size"]),)
        )

    return Recipe(
        family=family_record(
            "distilbert",
            "DistilBertConfig",
            "DistilBert",
            fields,
            heads,
            aliases={"hidden_size": "dim", "num_attention_heads": "n_heads", "num_hidden_layers": "n_layers"},
        ),
        symbols={
            "V": "vocab_size",
            "h": "dim",
            "I": "hidden_dim",
            "P": "max_position_embeddings",
            "heads": "n_heads",
            "L": "num_labels",
        },
        legend=LEGEND,
        blocks=blocks,
        backbone=backbone,
        heads=heads,
        base="distilbert.",
        schema=(
            "is_encoder_decoder:bool vocab_size:int max_position_embeddings:int sinusoidal_pos_embds:bool n_layers:int "
            "n_heads:int dim:int hidden_dim:int dropout:num attention_dropout:num activation:str "
            "initializer_range:float "
            "qa_dropout:num seq_classif_dropout:num pad_token_id:int? eos_token_id:ids "
            "bos_token_id:int? tie_word_embeddings:bool"
        ),
        derive=labels,
        check=check,
    )
