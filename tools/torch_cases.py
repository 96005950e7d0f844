"""Case definitions for the PyTorch conformance corpus (pure data, no torch import).

Why a separate module: the cases are the reviewable part of the corpus (what is covered),
while ``tools/torch_golden.py`` is the machinery that builds them in real torch. Keeping the
list free of torch imports means it can be read, linted and diffed on its own.

Every case is a spec in the ``framework: pytorch`` form of ``/work/shared/spec-format.md``:
``{"framework": "pytorch", "input": {"shape": [...], "dtype": "int64"?}, "layers": [...]}``
where each layer is a bare ``torch.nn`` class name or a one-key mapping ``{Class: args}``;
args are keyword arguments (mapping), positional arguments (list) or the first positional
argument (scalar). Nested layer specs (``encoder_layer``, ``norm``...) use the same form.

This module is never imported by tests; only ``tools/torch_golden.py`` uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FAMILIES: tuple[str, ...] = (
    "linear_embedding",
    "recurrent",
    "conv",
    "norm",
    "attention_transformer",
    "misc",
    "lecture",
)

Layer = Any  # str | dict[str, Any]: a layer entry of the spec


@dataclass(frozen=True)
class Case:
    """One golden case: a stable id, the family file it lands in, and its spec parts.

    ``expect_total`` is an independent hand-computed total; the generator asserts it so a
    slip in a case definition (or a torch surprise) is caught at generation time.
    """

    family: str
    id: str
    layers: list[Layer]
    shape: list[int] | None = None
    dtype: str | None = None
    expect_total: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def spec(self) -> dict[str, Any]:
        """The spec dict exactly as it is written into the golden file."""
        spec: dict[str, Any] = {"framework": "pytorch", "layers": self.layers}
        if self.shape is not None:
            inp: dict[str, Any] = {"shape": list(self.shape)}
            if self.dtype is not None:
                inp["dtype"] = self.dtype
            spec["input"] = inp
        return spec


def _flag(name: str, value: bool) -> str:
    return name if value else f"no{name}"


# --------------------------------------------------------------------------- linear_embedding
def linear_embedding_cases() -> list[Case]:
    """Linear, Bilinear, Embedding, EmbeddingBag, LazyLinear, Identity."""
    f = "linear_embedding"
    c: list[Case] = [
        Case(f, "Linear/8-4", [{"Linear": [8, 4]}], [8], expect_total=36),
        Case(f, "Linear/8-4-nobias", [{"Linear": [8, 4, False]}], [8], expect_total=32),
        Case(f, "Linear/kwargs-nobias", [{"Linear": {"in_features": 8, "out_features": 4, "bias": False}}], [8]),
        Case(f, "Linear/3d-input", [{"Linear": [8, 4]}], [5, 8]),
        Case(f, "Linear/4d-input", [{"Linear": [8, 3]}], [2, 5, 8]),
        Case(f, "Linear/1-1", [{"Linear": [1, 1]}], [1], expect_total=2),
        Case(f, "Linear/mlp", [{"Linear": [8, 16]}, "ReLU", {"Linear": [16, 16]}, "Tanh", {"Linear": [16, 2]}], [8]),
        Case(
            f,
            "Linear/big-4096-11008-noinput",
            [{"Linear": {"in_features": 4096, "out_features": 11008, "bias": False}}],
            expect_total=4096 * 11008,
        ),
        Case(f, "Linear/big-12288-49152-noinput", [{"Linear": [12288, 49152]}], expect_total=12288 * 49152 + 49152),
        Case(f, "Linear/noinput", [{"Linear": [10000, 32]}], expect_total=320032),
        Case(f, "Bilinear/8-8-4", [{"Bilinear": [8, 8, 4]}], [8], expect_total=8 * 8 * 4 + 4),
        Case(
            f,
            "Bilinear/nobias",
            [{"Bilinear": {"in1_features": 8, "in2_features": 8, "out_features": 4, "bias": False}}],
            [8],
            expect_total=256,
        ),
        Case(f, "Bilinear/3d-input", [{"Bilinear": [6, 6, 3]}], [5, 6]),
        Case(f, "Bilinear/8-6-3-noinput", [{"Bilinear": [8, 6, 3]}], expect_total=8 * 6 * 3 + 3),
        Case(f, "Embedding/50-8", [{"Embedding": [50, 8]}], [4], "int64", expect_total=400),
        Case(f, "Embedding/kwargs", [{"Embedding": {"num_embeddings": 50, "embedding_dim": 8}}], [4], "int64"),
        Case(
            f,
            "Embedding/padding_idx-0",
            [{"Embedding": {"num_embeddings": 50, "embedding_dim": 8, "padding_idx": 0}}],
            [4],
            "int64",
            expect_total=400,
        ),
        Case(f, "Embedding/padding_idx-neg1", [{"Embedding": [50, 8, -1]}], [4], "int64", expect_total=400),
        Case(
            f,
            "Embedding/max_norm",
            [{"Embedding": {"num_embeddings": 50, "embedding_dim": 8, "max_norm": 1.0}}],
            [4],
            "int64",
            expect_total=400,
        ),
        Case(
            f,
            "Embedding/max_norm-norm_type1",
            [{"Embedding": {"num_embeddings": 50, "embedding_dim": 8, "max_norm": 2.0, "norm_type": 1.0}}],
            [4],
            "int64",
        ),
        Case(
            f,
            "Embedding/sparse",
            [{"Embedding": {"num_embeddings": 50, "embedding_dim": 8, "sparse": True}}],
            [4],
            "int64",
        ),
        Case(
            f,
            "Embedding/scale_grad_by_freq",
            [{"Embedding": {"num_embeddings": 50, "embedding_dim": 8, "scale_grad_by_freq": True}}],
            [4],
            "int64",
        ),
        Case(
            f,
            "Embedding/freeze",
            [{"Embedding": {"num_embeddings": 50, "embedding_dim": 8, "_freeze": True}}],
            [4],
            "int64",
            expect_total=400,
        ),
        Case(f, "Embedding/2d-input", [{"Embedding": [20, 6]}], [3, 4], "int64"),
        Case(
            f,
            "Embedding/flatten-linear",
            [{"Embedding": [50, 8]}, "Flatten", {"Linear": [32, 1]}],
            [4],
            "int64",
            expect_total=400 + 33,
        ),
        Case(f, "Embedding/big-250000-4096-noinput", [{"Embedding": [250000, 4096]}], expect_total=250000 * 4096),
        Case(
            f, "Embedding/big-32000-4096-padding-noinput", [{"Embedding": [32000, 4096, 0]}], expect_total=32000 * 4096
        ),
        Case(
            f,
            "Embedding/big-151936-8192-noinput",
            [{"Embedding": {"num_embeddings": 151936, "embedding_dim": 8192}}],
            expect_total=151936 * 8192,
        ),
        Case(
            f,
            "Embedding/flatten1-linear",
            [{"Embedding": [30, 6]}, {"Flatten": [1]}, {"Linear": [30, 3]}],
            [5],
            "int64",
        ),
    ]
    c.extend(
        Case(
            f,
            f"EmbeddingBag/{mode}",
            [{"EmbeddingBag": {"num_embeddings": 40, "embedding_dim": 6, "mode": mode}}],
            [5],
            "int64",
            expect_total=240,
        )
        for mode in ("mean", "sum", "max")
    )
    c += [
        Case(f, "EmbeddingBag/positional", [{"EmbeddingBag": [40, 6]}], [5], "int64", expect_total=240),
        Case(
            f,
            "EmbeddingBag/padding_idx",
            [{"EmbeddingBag": {"num_embeddings": 40, "embedding_dim": 6, "padding_idx": 0}}],
            [5],
            "int64",
            expect_total=240,
        ),
        Case(
            f,
            "EmbeddingBag/max_norm-sum",
            [{"EmbeddingBag": {"num_embeddings": 40, "embedding_dim": 6, "max_norm": 1.0, "mode": "sum"}}],
            [5],
            "int64",
        ),
        Case(
            f,
            "EmbeddingBag/linear",
            [{"EmbeddingBag": [40, 6]}, {"Linear": [6, 2]}],
            [5],
            "int64",
            expect_total=240 + 14,
        ),
        Case(
            f,
            "EmbeddingBag/big-noinput",
            [{"EmbeddingBag": {"num_embeddings": 100000, "embedding_dim": 300, "mode": "sum"}}],
            expect_total=30_000_000,
        ),
        Case(f, "LazyLinear/4", [{"LazyLinear": 4}], [8], expect_total=36),
        Case(f, "LazyLinear/nobias", [{"LazyLinear": {"out_features": 4, "bias": False}}], [8], expect_total=32),
        Case(f, "LazyLinear/after-linear", [{"Linear": [8, 5]}, "ReLU", {"LazyLinear": 3}], [8], expect_total=45 + 18),
        Case(f, "Identity/args-ignored", [{"Identity": [54]}, {"Linear": [8, 2]}], [8], expect_total=18),
    ]
    return c


# --------------------------------------------------------------------------- recurrent
def _rnn_total(gates: int, m: int, n: int, layers: int, bidir: bool, bias: bool, proj: int = 0) -> int:
    """Independent count: per layer/direction gates*(n*x + n*h) + 2 biases (+ projection)."""
    d = 2 if bidir else 1
    out = proj or n
    total = 0
    for layer in range(layers):
        x = m if layer == 0 else out * d
        per = gates * n * x + gates * n * out + (2 * gates * n if bias else 0) + (proj * n if proj else 0)
        total += per * d
    return total


def recurrent_cases() -> list[Case]:
    """RNN/LSTM/GRU over their options, the three cells, and a few stacks."""
    f = "recurrent"
    c: list[Case] = []
    m, n, seq = 6, 4, 5
    for nonlin in ("tanh", "relu"):
        for layers in (1, 2):
            for bidir in (False, True):
                for bias in (True, False):
                    for bf in (True, False):
                        kw: dict[str, Any] = {"input_size": m, "hidden_size": n}
                        if nonlin != "tanh":
                            kw["nonlinearity"] = nonlin
                        if layers != 1:
                            kw["num_layers"] = layers
                        if bidir:
                            kw["bidirectional"] = True
                        if not bias:
                            kw["bias"] = False
                        if bf:
                            kw["batch_first"] = True
                        order = "bf" if bf else "sf"
                        cid = f"RNN/{nonlin}-l{layers}-{_flag('bidir', bidir)}-{_flag('bias', bias)}-{order}"
                        c.append(
                            Case(f, cid, [{"RNN": kw}], [seq, m], expect_total=_rnn_total(1, m, n, layers, bidir, bias))
                        )
    c += [
        Case(
            f,
            "RNN/positional-nonlinearity-4th",
            [{"RNN": [m, n, 2, "relu"]}],
            [seq, m],
            expect_total=_rnn_total(1, m, n, 2, False, True),
        ),
        Case(
            f,
            "RNN/positional-bias-bf-dropout-bidir",
            [{"RNN": [m, n, 2, "tanh", True, True, 0.2, True]}],
            [seq, m],
            expect_total=_rnn_total(1, m, n, 2, True, True),
        ),
        Case(
            f,
            "RNN/dropout-3layers",
            [{"RNN": {"input_size": m, "hidden_size": n, "num_layers": 3, "dropout": 0.5, "batch_first": True}}],
            [seq, m],
            expect_total=_rnn_total(1, m, n, 3, False, True),
        ),
        Case(
            f,
            "RNN/dropout-1layer",
            [{"RNN": {"input_size": m, "hidden_size": n, "dropout": 0.5, "batch_first": True}}],
            [seq, m],
            expect_total=_rnn_total(1, m, n, 1, False, True),
        ),
        Case(
            f,
            "RNN/big-noinput",
            [{"RNN": {"input_size": 1024, "hidden_size": 1024, "num_layers": 4, "bidirectional": True}}],
            expect_total=_rnn_total(1, 1024, 1024, 4, True, True),
        ),
    ]
    for layers in (1, 2):
        for bidir in (False, True):
            for bias in (True, False):
                for proj in (0, 2):
                    for bf in (True, False):
                        kw = {"input_size": m, "hidden_size": n}
                        if layers != 1:
                            kw["num_layers"] = layers
                        if bidir:
                            kw["bidirectional"] = True
                        if not bias:
                            kw["bias"] = False
                        if proj:
                            kw["proj_size"] = proj
                        if bf:
                            kw["batch_first"] = True
                        cid = (
                            f"LSTM/l{layers}-{_flag('bidir', bidir)}-{_flag('bias', bias)}-p{proj}-"
                            f"{'bf' if bf else 'sf'}"
                        )
                        c.append(
                            Case(
                                f,
                                cid,
                                [{"LSTM": kw}],
                                [seq, m],
                                expect_total=_rnn_total(4, m, n, layers, bidir, bias, proj),
                            )
                        )
    c += [
        Case(
            f,
            "LSTM/l3-bidir-proj-dropout",
            [
                {
                    "LSTM": {
                        "input_size": m,
                        "hidden_size": 8,
                        "num_layers": 3,
                        "bidirectional": True,
                        "proj_size": 2,
                        "dropout": 0.1,
                        "batch_first": True,
                    }
                }
            ],
            [seq, m],
            expect_total=_rnn_total(4, m, 8, 3, True, True, 2),
        ),
        Case(
            f,
            "LSTM/positional",
            [{"LSTM": [m, n, 2, True, True, 0.0, True, 2]}],
            [seq, m],
            expect_total=_rnn_total(4, m, n, 2, True, True, 2),
        ),
        Case(
            f,
            "LSTM/big-noinput",
            [{"LSTM": {"input_size": 4096, "hidden_size": 4096, "num_layers": 4}}],
            expect_total=_rnn_total(4, 4096, 4096, 4, False, True),
        ),
        Case(
            f,
            "LSTM/big-proj-noinput",
            [
                {
                    "LSTM": {
                        "input_size": 2048,
                        "hidden_size": 8192,
                        "num_layers": 2,
                        "proj_size": 1024,
                        "bidirectional": True,
                    }
                }
            ],
            expect_total=_rnn_total(4, 2048, 8192, 2, True, True, 1024),
        ),
        Case(
            f,
            "LSTM/linear-head",
            [{"LSTM": {"input_size": m, "hidden_size": n, "batch_first": True}}, {"Linear": [n, 1]}],
            [seq, m],
            expect_total=_rnn_total(4, m, n, 1, False, True) + n + 1,
        ),
        Case(
            f,
            "LSTM/bidir-linear-head",
            [
                {"LSTM": {"input_size": m, "hidden_size": n, "batch_first": True, "bidirectional": True}},
                {"Linear": [2 * n, 1]},
            ],
            [seq, m],
            expect_total=_rnn_total(4, m, n, 1, True, True) + 2 * n + 1,
        ),
    ]
    for layers in (1, 2):
        for bidir in (False, True):
            for bias in (True, False):
                for bf in (True, False):
                    kw = {"input_size": m, "hidden_size": n}
                    if layers != 1:
                        kw["num_layers"] = layers
                    if bidir:
                        kw["bidirectional"] = True
                    if not bias:
                        kw["bias"] = False
                    if bf:
                        kw["batch_first"] = True
                    cid = f"GRU/l{layers}-{_flag('bidir', bidir)}-{_flag('bias', bias)}-{'bf' if bf else 'sf'}"
                    c.append(
                        Case(f, cid, [{"GRU": kw}], [seq, m], expect_total=_rnn_total(3, m, n, layers, bidir, bias))
                    )
    c += [
        Case(f, "GRU/positional", [{"GRU": [m, n, 3]}], [seq, m], expect_total=_rnn_total(3, m, n, 3, False, True)),
        Case(
            f,
            "GRU/big-noinput",
            [{"GRU": {"input_size": 512, "hidden_size": 2048, "num_layers": 2, "bidirectional": True}}],
            expect_total=_rnn_total(3, 512, 2048, 2, True, True),
        ),
        Case(
            f,
            "GRU/stack-gru",
            [
                {"GRU": {"input_size": m, "hidden_size": n, "batch_first": True, "bidirectional": True}},
                {"GRU": {"input_size": 2 * n, "hidden_size": 3, "batch_first": True}},
            ],
            [seq, m],
            expect_total=_rnn_total(3, m, n, 1, True, True) + _rnn_total(3, 2 * n, 3, 1, False, True),
        ),
        Case(
            f,
            "mixed/lstm-gru-rnn-bf",
            [
                {"LSTM": {"input_size": m, "hidden_size": n, "batch_first": True}},
                {"GRU": {"input_size": n, "hidden_size": n, "batch_first": True}},
                {"RNN": {"input_size": n, "hidden_size": 2, "batch_first": True}},
            ],
            [seq, m],
        ),
        Case(f, "mixed/lstm-gru-sf", [{"LSTM": [m, n]}, {"GRU": [n, 3]}, {"Linear": [3, 1]}], [seq, m]),
    ]
    for cell, gates in (("RNNCell", 1), ("LSTMCell", 4), ("GRUCell", 3)):
        for bias in (True, False):
            kw = {"input_size": m, "hidden_size": n}
            if not bias:
                kw["bias"] = False
            c.append(
                Case(
                    f,
                    f"{cell}/{_flag('bias', bias)}",
                    [{cell: kw}],
                    [m],
                    expect_total=gates * n * (m + n) + (2 * gates * n if bias else 0),
                )
            )
        c.append(Case(f, f"{cell}/positional", [{cell: [m, n]}], [m], expect_total=gates * n * (m + n) + 2 * gates * n))
        c.append(
            Case(
                f,
                f"{cell}/big-noinput",
                [{cell: [1024, 2048]}],
                expect_total=gates * 2048 * (1024 + 2048) + 2 * gates * 2048,
            )
        )
    c += [
        Case(
            f,
            "RNNCell/relu",
            [{"RNNCell": {"input_size": m, "hidden_size": n, "nonlinearity": "relu"}}],
            [m],
            expect_total=n * (m + n) + 2 * n,
        ),
        Case(f, "RNNCell/positional-nobias-relu", [{"RNNCell": [m, n, False, "relu"]}], [m], expect_total=n * (m + n)),
        Case(f, "LSTMCell/linear", [{"LSTMCell": [m, n]}, {"Linear": [n, 2]}], [m]),
    ]
    return c


# --------------------------------------------------------------------------- conv
def conv_cases() -> list[Case]:
    """Conv1d/2d/3d and ConvTranspose1d/2d/3d over kernel/stride/padding/dilation/groups/bias."""
    f = "conv"
    c: list[Case] = []
    for rank, shape in ((1, [3, 16]), (2, [3, 12, 12]), (3, [3, 6, 6, 6])):
        cls = f"Conv{rank}d"
        k = 3

        def tup(*v: int, rank: int = rank) -> list[int]:
            return list(v[:rank])

        c += [
            Case(f, f"{cls}/basic", [{cls: [3, 8, k]}], shape, expect_total=8 * 3 * k**rank + 8),
            Case(f, f"{cls}/kwargs", [{cls: {"in_channels": 3, "out_channels": 8, "kernel_size": k}}], shape),
            Case(
                f,
                f"{cls}/nobias",
                [{cls: {"in_channels": 3, "out_channels": 8, "kernel_size": k, "bias": False}}],
                shape,
                expect_total=8 * 3 * k**rank,
            ),
            Case(f, f"{cls}/k1", [{cls: [3, 5, 1]}], shape, expect_total=20),
            Case(
                f,
                f"{cls}/stride2",
                [{cls: {"in_channels": 3, "out_channels": 4, "kernel_size": k, "stride": 2}}],
                shape,
            ),
            Case(
                f,
                f"{cls}/padding1",
                [{cls: {"in_channels": 3, "out_channels": 4, "kernel_size": k, "padding": 1}}],
                shape,
            ),
            Case(f, f"{cls}/stride2-padding1", [{cls: [3, 4, k, 2, 1]}], shape),
            Case(
                f,
                f"{cls}/same",
                [{cls: {"in_channels": 3, "out_channels": 4, "kernel_size": k, "padding": "same"}}],
                shape,
            ),
            Case(
                f,
                f"{cls}/same-even-kernel",
                [{cls: {"in_channels": 3, "out_channels": 4, "kernel_size": 4, "padding": "same"}}],
                shape,
                expect_total=4 * 3 * 4**rank + 4,
            ),
            Case(
                f,
                f"{cls}/same-dilation2",
                [{cls: {"in_channels": 3, "out_channels": 4, "kernel_size": k, "padding": "same", "dilation": 2}}],
                shape,
            ),
            Case(
                f,
                f"{cls}/valid",
                [{cls: {"in_channels": 3, "out_channels": 4, "kernel_size": k, "padding": "valid"}}],
                shape,
            ),
            Case(
                f,
                f"{cls}/dilation2",
                [{cls: {"in_channels": 3, "out_channels": 4, "kernel_size": k, "dilation": 2}}],
                shape,
            ),
            Case(
                f,
                f"{cls}/groups3",
                [{cls: {"in_channels": 3, "out_channels": 6, "kernel_size": k, "groups": 3}}],
                shape,
                expect_total=6 * 1 * k**rank + 6,
            ),
            Case(
                f,
                f"{cls}/depthwise-multiplier2-nobias",
                [{cls: {"in_channels": 3, "out_channels": 6, "kernel_size": k, "groups": 3, "bias": False}}],
                shape,
            ),
            Case(
                f,
                f"{cls}/tuple-kernel",
                [{cls: {"in_channels": 3, "out_channels": 4, "kernel_size": tup(3, 1, 2)}}],
                shape,
            ),
            Case(
                f,
                f"{cls}/tuple-stride-padding-dilation",
                [
                    {
                        cls: {
                            "in_channels": 3,
                            "out_channels": 4,
                            "kernel_size": tup(3, 2, 3),
                            "stride": tup(2, 1, 2),
                            "padding": tup(1, 0, 2),
                            "dilation": tup(1, 2, 1),
                        }
                    }
                ],
                shape,
            ),
            Case(f, f"{cls}/big-noinput", [{cls: [512, 512, k]}], expect_total=512 * 512 * k**rank + 512),
        ]
        for mode in ("zeros", "reflect", "replicate", "circular"):
            c.append(
                Case(
                    f,
                    f"{cls}/padding_mode-{mode}",
                    [
                        {
                            cls: {
                                "in_channels": 3,
                                "out_channels": 4,
                                "kernel_size": k,
                                "padding": 1,
                                "padding_mode": mode,
                            }
                        }
                    ],
                    shape,
                    expect_total=4 * 3 * k**rank + 4,
                )
            )
        c.append(
            Case(
                f,
                f"{cls}/same-reflect-even-kernel",
                [
                    {
                        cls: {
                            "in_channels": 3,
                            "out_channels": 4,
                            "kernel_size": 2,
                            "padding": "same",
                            "padding_mode": "reflect",
                        }
                    }
                ],
                shape,
            )
        )
        c.append(
            Case(
                f,
                f"{cls}/circular-stride2-pad2",
                [
                    {
                        cls: {
                            "in_channels": 3,
                            "out_channels": 4,
                            "kernel_size": k,
                            "stride": 2,
                            "padding": 2,
                            "padding_mode": "circular",
                        }
                    }
                ],
                shape,
            )
        )
    for rank, shape in ((1, [4, 8]), (2, [4, 6, 6]), (3, [4, 4, 4, 4])):
        cls = f"ConvTranspose{rank}d"

        def tup2(*v: int, rank: int = rank) -> list[int]:
            return list(v[:rank])

        c += [
            Case(f, f"{cls}/basic", [{cls: [4, 3, 3]}], shape, expect_total=4 * 3 * 3**rank + 3),
            Case(
                f,
                f"{cls}/nobias",
                [{cls: {"in_channels": 4, "out_channels": 3, "kernel_size": 3, "bias": False}}],
                shape,
                expect_total=4 * 3 * 3**rank,
            ),
            Case(
                f,
                f"{cls}/stride2",
                [{cls: {"in_channels": 4, "out_channels": 3, "kernel_size": 3, "stride": 2}}],
                shape,
            ),
            Case(
                f,
                f"{cls}/stride2-padding1-output_padding1",
                [
                    {
                        cls: {
                            "in_channels": 4,
                            "out_channels": 3,
                            "kernel_size": 3,
                            "stride": 2,
                            "padding": 1,
                            "output_padding": 1,
                        }
                    }
                ],
                shape,
            ),
            Case(f, f"{cls}/positional-output_padding", [{cls: [4, 2, 4, 2, 1, 1]}], shape),
            Case(
                f,
                f"{cls}/groups2",
                [{cls: {"in_channels": 4, "out_channels": 6, "kernel_size": 3, "groups": 2}}],
                shape,
                expect_total=4 * 3 * 3**rank + 6,
            ),
            Case(
                f,
                f"{cls}/dilation2",
                [{cls: {"in_channels": 4, "out_channels": 3, "kernel_size": 3, "dilation": 2}}],
                shape,
            ),
            Case(
                f,
                f"{cls}/dilation2-stride3-output_padding2",
                [
                    {
                        cls: {
                            "in_channels": 4,
                            "out_channels": 3,
                            "kernel_size": 2,
                            "dilation": 2,
                            "stride": 3,
                            "output_padding": 2,
                        }
                    }
                ],
                shape,
            ),
            Case(
                f,
                f"{cls}/tuple-args",
                [
                    {
                        cls: {
                            "in_channels": 4,
                            "out_channels": 2,
                            "kernel_size": tup2(3, 2, 1),
                            "stride": tup2(2, 1, 2),
                            "padding": tup2(1, 0, 0),
                            "output_padding": tup2(1, 0, 1),
                        }
                    }
                ],
                shape,
            ),
            Case(f, f"{cls}/big-noinput", [{cls: [512, 256, 4, 2, 1]}], expect_total=512 * 256 * 4**rank + 256),
        ]
    c += [
        Case(f, "LazyConv1d/basic", [{"LazyConv1d": [8, 3]}], [3, 16], expect_total=8 * 3 * 3 + 8),
        Case(
            f,
            "LazyConv2d/basic",
            [{"LazyConv2d": {"out_channels": 8, "kernel_size": 3, "padding": 1}}],
            [3, 12, 12],
            expect_total=8 * 3 * 9 + 8,
        ),
        Case(
            f,
            "LazyConv2d/groups-nobias",
            [{"LazyConv2d": {"out_channels": 6, "kernel_size": 3, "groups": 3, "bias": False}}],
            [3, 12, 12],
            expect_total=6 * 9,
        ),
        Case(
            f, "LazyConvTranspose2d/basic", [{"LazyConvTranspose2d": [3, 3, 2]}], [4, 6, 6], expect_total=4 * 3 * 9 + 3
        ),
        Case(
            f,
            "Conv2d/stem-7x7",
            [
                {
                    "Conv2d": {
                        "in_channels": 3,
                        "out_channels": 16,
                        "kernel_size": 7,
                        "stride": 2,
                        "padding": 3,
                        "bias": False,
                    }
                },
                {"BatchNorm2d": 16},
                "ReLU",
                {"MaxPool2d": {"kernel_size": 3, "stride": 2, "padding": 1}},
            ],
            [3, 32, 32],
        ),
        Case(
            f,
            "Conv1d/seq-as-channels",
            [
                {"Embedding": [100, 8]},
                {"Conv1d": [6, 4, 3]},
                "ReLU",
                {"AdaptiveMaxPool1d": 1},
                "Flatten",
                {"Linear": [4, 2]},
            ],
            [6],
            "int64",
            expect_total=800 + 76 + 10,
        ),
        Case(
            f,
            "Conv2d/encoder-decoder",
            [
                {"Conv2d": [3, 8, 3, 2, 1]},
                "ReLU",
                {"Conv2d": [8, 16, 3, 2, 1]},
                "ReLU",
                {"ConvTranspose2d": [16, 8, 3, 2, 1, 1]},
                "ReLU",
                {"ConvTranspose2d": [8, 3, 3, 2, 1, 1]},
                "Sigmoid",
            ],
            [3, 12, 12],
        ),
        Case(
            f,
            "Conv1d/flatten-linear",
            [{"Conv1d": [3, 4, 3]}, "Flatten", {"Linear": [56, 2]}],
            [3, 16],
            expect_total=40 + 114,
        ),
    ]
    return c


# --------------------------------------------------------------------------- norm
def norm_cases() -> list[Case]:
    """BatchNorm, LayerNorm, GroupNorm, InstanceNorm, RMSNorm, LocalResponseNorm (+ lazy ones)."""
    f = "norm"
    c: list[Case] = []
    for rank, nf, shape in ((1, 8, [8]), (1, 4, [4, 5]), (2, 4, [4, 5, 5]), (3, 2, [2, 3, 3, 3])):
        cls = f"BatchNorm{rank}d"
        suffix = f"{len(shape) + 1}d-input"
        c += [
            Case(f, f"{cls}/{suffix}", [{cls: nf}], shape, expect_total=2 * nf),
            Case(
                f, f"{cls}/{suffix}-affine-false", [{cls: {"num_features": nf, "affine": False}}], shape, expect_total=0
            ),
            Case(
                f,
                f"{cls}/{suffix}-track-false",
                [{cls: {"num_features": nf, "track_running_stats": False}}],
                shape,
                expect_total=2 * nf,
            ),
            Case(
                f,
                f"{cls}/{suffix}-affine-false-track-false",
                [{cls: {"num_features": nf, "affine": False, "track_running_stats": False}}],
                shape,
                expect_total=0,
            ),
            Case(f, f"{cls}/{suffix}-bias-false", [{cls: {"num_features": nf, "bias": False}}], shape, expect_total=nf),
            Case(
                f,
                f"{cls}/{suffix}-momentum-none",
                [{cls: {"num_features": nf, "momentum": None, "eps": 0.001}}],
                shape,
                expect_total=2 * nf,
            ),
            Case(f, f"{cls}/{suffix}-positional", [{cls: [nf, 1e-3, 0.01, False]}], shape, expect_total=0),
        ]
    c.append(Case(f, "BatchNorm2d/big-noinput", [{"BatchNorm2d": 2048}], expect_total=4096))
    ln: list[tuple[str, list[Layer], list[int], int]] = [
        ("int", [{"LayerNorm": 8}], [8], 16),
        ("int-3d-input", [{"LayerNorm": 8}], [5, 8], 16),
        ("list-positional", [{"LayerNorm": [[5, 8]]}], [5, 8], 80),
        ("list-kwarg", [{"LayerNorm": {"normalized_shape": [5, 8]}}], [5, 8], 80),
        ("list-3-dims", [{"LayerNorm": {"normalized_shape": [3, 4, 5]}}], [3, 4, 5], 120),
        ("list-1", [{"LayerNorm": {"normalized_shape": [8]}}], [3, 8], 16),
        ("elementwise_affine-false", [{"LayerNorm": {"normalized_shape": 8, "elementwise_affine": False}}], [8], 0),
        ("bias-false", [{"LayerNorm": {"normalized_shape": 8, "bias": False}}], [8], 8),
        ("bias-false-list", [{"LayerNorm": {"normalized_shape": [5, 8], "bias": False}}], [5, 8], 40),
        (
            "affine-false-bias-false",
            [{"LayerNorm": {"normalized_shape": 8, "elementwise_affine": False, "bias": False}}],
            [8],
            0,
        ),
        ("positional-eps-affine", [{"LayerNorm": [8, 1e-6, True, False]}], [8], 8),
    ]
    for cid, layers, shape, tot in ln:
        c.append(Case(f, f"LayerNorm/{cid}", layers, shape, expect_total=tot))
    c.append(Case(f, "LayerNorm/big-noinput", [{"LayerNorm": 12288}], expect_total=24576))
    gn: list[tuple[str, list[Layer], list[int], int]] = [
        ("2-4", [{"GroupNorm": [2, 4]}], [4, 5], 8),
        ("2-4-4d-input", [{"GroupNorm": [2, 4]}], [4, 3, 3], 8),
        ("1-4", [{"GroupNorm": [1, 4]}], [4, 5], 8),
        ("4-4", [{"GroupNorm": {"num_groups": 4, "num_channels": 4}}], [4, 3, 3], 8),
        ("affine-false", [{"GroupNorm": {"num_groups": 2, "num_channels": 4, "affine": False}}], [4, 5], 0),
        ("bias-false", [{"GroupNorm": {"num_groups": 2, "num_channels": 4, "bias": False}}], [4, 5], 4),
        ("5d-input", [{"GroupNorm": [3, 6]}], [6, 2, 2, 2], 12),
    ]
    for cid, layers, shape, tot in gn:
        c.append(Case(f, f"GroupNorm/{cid}", layers, shape, expect_total=tot))
    for rank, shape in ((1, [4, 6]), (2, [4, 5, 5]), (3, [4, 3, 3, 3])):
        cls = f"InstanceNorm{rank}d"
        c += [
            Case(f, f"{cls}/default", [{cls: 4}], shape, expect_total=0),
            Case(f, f"{cls}/affine", [{cls: {"num_features": 4, "affine": True}}], shape, expect_total=8),
            Case(f, f"{cls}/track", [{cls: {"num_features": 4, "track_running_stats": True}}], shape, expect_total=0),
            Case(
                f,
                f"{cls}/affine-track",
                [{cls: {"num_features": 4, "affine": True, "track_running_stats": True}}],
                shape,
                expect_total=8,
            ),
            Case(
                f,
                f"{cls}/affine-bias-false",
                [{cls: {"num_features": 4, "affine": True, "bias": False}}],
                shape,
                expect_total=4,
            ),
        ]
    c += [
        Case(f, "RMSNorm/int", [{"RMSNorm": 8}], [8], expect_total=8),
        Case(f, "RMSNorm/int-3d-input", [{"RMSNorm": 8}], [5, 8], expect_total=8),
        Case(f, "RMSNorm/list", [{"RMSNorm": {"normalized_shape": [5, 8]}}], [5, 8], expect_total=40),
        Case(
            f,
            "RMSNorm/elementwise_affine-false",
            [{"RMSNorm": {"normalized_shape": 8, "elementwise_affine": False}}],
            [8],
            expect_total=0,
        ),
        Case(f, "RMSNorm/eps", [{"RMSNorm": [8, 1e-6]}], [8], expect_total=8),
        Case(f, "RMSNorm/big-noinput", [{"RMSNorm": 8192}], expect_total=8192),
        Case(f, "LocalResponseNorm/2", [{"LocalResponseNorm": 2}], [4, 5, 5], expect_total=0),
        Case(
            f,
            "LocalResponseNorm/kwargs-3d-input",
            [{"LocalResponseNorm": {"size": 3, "alpha": 0.001, "beta": 0.5, "k": 2.0}}],
            [4, 6],
            expect_total=0,
        ),
        Case(f, "LazyBatchNorm1d/basic", [{"LazyBatchNorm1d": {}}], [6], expect_total=12),
        Case(f, "LazyBatchNorm2d/affine-false", [{"LazyBatchNorm2d": {"affine": False}}], [3, 4, 4], expect_total=0),
        Case(
            f,
            "LazyInstanceNorm2d/affine-track",
            [{"LazyInstanceNorm2d": {"affine": True, "track_running_stats": True}}],
            [3, 4, 4],
            expect_total=6,
        ),
        Case(
            f,
            "chain/conv-bn-relu",
            [{"Conv2d": [3, 8, 3]}, {"BatchNorm2d": 8}, "ReLU", {"Conv2d": [8, 4, 1]}, {"GroupNorm": [2, 4]}],
            [3, 8, 8],
            expect_total=224 + 16 + 36 + 8,
        ),
        Case(
            f,
            "chain/linear-ln-rms",
            [{"Linear": [8, 16]}, {"LayerNorm": 16}, {"Linear": [16, 16]}, {"RMSNorm": 16}],
            [4, 8],
            expect_total=144 + 32 + 272 + 16,
        ),
    ]
    return c


# --------------------------------------------------------------------------- attention_transformer
def _mha_total(
    e: int, bias: bool = True, bias_kv: bool = False, kdim: int | None = None, vdim: int | None = None
) -> int:
    kd, vd = kdim or e, vdim or e
    t = e * e + kd * e + vd * e + e * e  # q, k, v, out projections
    if bias:
        t += 3 * e + e
    if bias_kv:
        t += 2 * e
    return t


def _enc_layer_total(d: int, ff: int, bias: bool = True) -> int:
    return _mha_total(d, bias) + d * ff + d * ff + ((ff + d) if bias else 0) + (4 * d if bias else 2 * d)


def _dec_layer_total(d: int, ff: int, bias: bool = True) -> int:
    return 2 * _mha_total(d, bias) + d * ff + d * ff + ((ff + d) if bias else 0) + (6 * d if bias else 3 * d)


def attention_transformer_cases() -> list[Case]:
    """MultiheadAttention options and every Transformer building block, small and big."""
    f = "attention_transformer"
    e, seq = 8, 5
    c: list[Case] = []
    for bf in (True, False):
        tag = "bf" if bf else "sf"
        base: dict[str, Any] = {"embed_dim": e, "num_heads": 2}
        if bf:
            base["batch_first"] = True
        c += [
            Case(
                f,
                f"MultiheadAttention/basic-{tag}",
                [{"MultiheadAttention": dict(base)}],
                [seq, e],
                expect_total=_mha_total(e),
            ),
            Case(
                f,
                f"MultiheadAttention/nobias-{tag}",
                [{"MultiheadAttention": {**base, "bias": False}}],
                [seq, e],
                expect_total=_mha_total(e, bias=False),
            ),
            Case(
                f,
                f"MultiheadAttention/add_bias_kv-{tag}",
                [{"MultiheadAttention": {**base, "add_bias_kv": True}}],
                [seq, e],
                expect_total=_mha_total(e, bias_kv=True),
            ),
            Case(
                f,
                f"MultiheadAttention/add_zero_attn-{tag}",
                [{"MultiheadAttention": {**base, "add_zero_attn": True}}],
                [seq, e],
                expect_total=_mha_total(e),
            ),
            Case(
                f,
                f"MultiheadAttention/bias_kv-zero_attn-nobias-{tag}",
                [{"MultiheadAttention": {**base, "add_bias_kv": True, "add_zero_attn": True, "bias": False}}],
                [seq, e],
                expect_total=_mha_total(e, bias=False, bias_kv=True),
            ),
            Case(
                f,
                f"MultiheadAttention/kdim-vdim-equal-embed-{tag}",
                [{"MultiheadAttention": {**base, "kdim": e, "vdim": e}}],
                [seq, e],
                expect_total=_mha_total(e),
            ),
            Case(
                f,
                f"MultiheadAttention/heads1-{tag}",
                [{"MultiheadAttention": {**base, "num_heads": 1, "dropout": 0.1}}],
                [seq, e],
                expect_total=_mha_total(e),
            ),
        ]
    c += [
        Case(
            f, "MultiheadAttention/positional", [{"MultiheadAttention": [e, 4]}], [seq, e], expect_total=_mha_total(e)
        ),
        Case(
            f,
            "MultiheadAttention/positional-nobias-biaskv",
            [{"MultiheadAttention": [e, 4, 0.0, False, True]}],
            [seq, e],
            expect_total=_mha_total(e, bias=False, bias_kv=True),
        ),
        Case(
            f,
            "MultiheadAttention/kdim-vdim-noinput",
            [{"MultiheadAttention": {"embed_dim": e, "num_heads": 2, "kdim": 6, "vdim": 4}}],
            expect_total=_mha_total(e, kdim=6, vdim=4),
        ),
        Case(
            f,
            "MultiheadAttention/kdim-only-noinput",
            [{"MultiheadAttention": {"embed_dim": e, "num_heads": 2, "kdim": 6}}],
            expect_total=_mha_total(e, kdim=6),
        ),
        Case(
            f,
            "MultiheadAttention/vdim-only-nobias-noinput",
            [{"MultiheadAttention": {"embed_dim": e, "num_heads": 2, "vdim": 3, "bias": False}}],
            expect_total=_mha_total(e, bias=False, vdim=3),
        ),
        Case(
            f,
            "MultiheadAttention/kdim-vdim-biaskv-noinput",
            [{"MultiheadAttention": {"embed_dim": e, "num_heads": 2, "kdim": 5, "vdim": 7, "add_bias_kv": True}}],
            expect_total=_mha_total(e, bias_kv=True, kdim=5, vdim=7),
        ),
        Case(f, "MultiheadAttention/big-noinput", [{"MultiheadAttention": [4096, 32]}], expect_total=_mha_total(4096)),
        Case(
            f,
            "MultiheadAttention/linear-after",
            [
                {"Linear": [6, e]},
                {"MultiheadAttention": {"embed_dim": e, "num_heads": 2, "batch_first": True}},
                {"Linear": [e, 1]},
            ],
            [seq, 6],
        ),
    ]
    d, ff = 16, 32
    for cls, tot in (("TransformerEncoderLayer", _enc_layer_total), ("TransformerDecoderLayer", _dec_layer_total)):
        for bf in (True, False):
            tag = "bf" if bf else "sf"
            base = {"d_model": d, "nhead": 2, "dim_feedforward": ff}
            if bf:
                base["batch_first"] = True
            c += [
                Case(f, f"{cls}/basic-{tag}", [{cls: dict(base)}], [seq, d], expect_total=tot(d, ff)),
                Case(
                    f,
                    f"{cls}/norm_first-{tag}",
                    [{cls: {**base, "norm_first": True}}],
                    [seq, d],
                    expect_total=tot(d, ff),
                ),
                Case(
                    f, f"{cls}/nobias-{tag}", [{cls: {**base, "bias": False}}], [seq, d], expect_total=tot(d, ff, False)
                ),
            ]
        c += [
            Case(
                f,
                f"{cls}/gelu-bf",
                [
                    {
                        cls: {
                            "d_model": d,
                            "nhead": 4,
                            "dim_feedforward": 24,
                            "activation": "gelu",
                            "batch_first": True,
                            "dropout": 0.0,
                        }
                    }
                ],
                [seq, d],
                expect_total=tot(d, 24),
            ),
            Case(
                f,
                f"{cls}/default-ff-2048-bf",
                [{cls: {"d_model": d, "nhead": 2, "batch_first": True}}],
                [seq, d],
                expect_total=tot(d, 2048),
            ),
            Case(f, f"{cls}/positional", [{cls: [d, 2, ff]}], [seq, d], expect_total=tot(d, ff)),
            Case(
                f,
                f"{cls}/big-noinput",
                [{cls: {"d_model": 1024, "nhead": 16, "dim_feedforward": 4096}}],
                expect_total=tot(1024, 4096),
            ),
        ]
    enc = {"TransformerEncoderLayer": {"d_model": d, "nhead": 2, "dim_feedforward": ff, "batch_first": True}}
    enc_sf = {"TransformerEncoderLayer": {"d_model": d, "nhead": 2, "dim_feedforward": ff}}
    dec = {"TransformerDecoderLayer": {"d_model": d, "nhead": 2, "dim_feedforward": ff, "batch_first": True}}
    dec_sf = {"TransformerDecoderLayer": {"d_model": d, "nhead": 2, "dim_feedforward": ff}}
    enc_nf = {
        "TransformerEncoderLayer": {
            "d_model": d,
            "nhead": 2,
            "dim_feedforward": ff,
            "batch_first": True,
            "norm_first": True,
        }
    }
    c += [
        Case(
            f,
            "TransformerEncoder/l2-nonorm-bf",
            [{"TransformerEncoder": {"encoder_layer": enc, "num_layers": 2}}],
            [seq, d],
            expect_total=2 * _enc_layer_total(d, ff),
        ),
        Case(
            f,
            "TransformerEncoder/l3-norm-bf",
            [{"TransformerEncoder": {"encoder_layer": enc, "num_layers": 3, "norm": {"LayerNorm": [d]}}}],
            [seq, d],
            expect_total=3 * _enc_layer_total(d, ff) + 2 * d,
        ),
        Case(
            f,
            "TransformerEncoder/l2-norm-sf",
            [{"TransformerEncoder": {"encoder_layer": enc_sf, "num_layers": 2, "norm": {"LayerNorm": d}}}],
            [seq, d],
            expect_total=2 * _enc_layer_total(d, ff) + 2 * d,
        ),
        Case(
            f,
            "TransformerEncoder/l2-normfirst-rmsnorm-bf",
            [
                {
                    "TransformerEncoder": {
                        "encoder_layer": enc_nf,
                        "num_layers": 2,
                        "norm": {"RMSNorm": d},
                        "enable_nested_tensor": False,
                    }
                }
            ],
            [seq, d],
            expect_total=2 * _enc_layer_total(d, ff) + d,
        ),
        Case(
            f,
            "TransformerEncoder/positional",
            [{"TransformerEncoder": [enc, 2]}],
            [seq, d],
            expect_total=2 * _enc_layer_total(d, ff),
        ),
        Case(
            f,
            "TransformerEncoder/l1",
            [{"TransformerEncoder": {"encoder_layer": enc, "num_layers": 1}}],
            [seq, d],
            expect_total=_enc_layer_total(d, ff),
        ),
        Case(
            f,
            "TransformerEncoder/bert-base-noinput",
            [
                {
                    "TransformerEncoder": {
                        "encoder_layer": {
                            "TransformerEncoderLayer": {"d_model": 768, "nhead": 12, "dim_feedforward": 3072}
                        },
                        "num_layers": 12,
                    }
                }
            ],
            expect_total=12 * _enc_layer_total(768, 3072),
        ),
        Case(
            f,
            "TransformerDecoder/l2-nonorm-bf",
            [{"TransformerDecoder": {"decoder_layer": dec, "num_layers": 2}}],
            [seq, d],
            expect_total=2 * _dec_layer_total(d, ff),
        ),
        Case(
            f,
            "TransformerDecoder/l2-norm-bf",
            [{"TransformerDecoder": {"decoder_layer": dec, "num_layers": 2, "norm": {"LayerNorm": [d]}}}],
            [seq, d],
            expect_total=2 * _dec_layer_total(d, ff) + 2 * d,
        ),
        Case(
            f,
            "TransformerDecoder/l3-norm-sf",
            [
                {
                    "TransformerDecoder": {
                        "decoder_layer": dec_sf,
                        "num_layers": 3,
                        "norm": {"LayerNorm": {"normalized_shape": d, "bias": False}},
                    }
                }
            ],
            [seq, d],
            expect_total=3 * _dec_layer_total(d, ff) + d,
        ),
        Case(
            f,
            "TransformerDecoder/positional",
            [{"TransformerDecoder": [dec, 1]}],
            [seq, d],
            expect_total=_dec_layer_total(d, ff),
        ),
        Case(
            f,
            "TransformerDecoder/big-noinput",
            [
                {
                    "TransformerDecoder": {
                        "decoder_layer": {
                            "TransformerDecoderLayer": {"d_model": 1024, "nhead": 16, "dim_feedforward": 4096}
                        },
                        "num_layers": 6,
                        "norm": {"LayerNorm": 1024},
                    }
                }
            ],
            expect_total=6 * _dec_layer_total(1024, 4096) + 2048,
        ),
    ]

    def tr_total(d_: int, ff_: int, ne: int, nd: int, bias: bool = True) -> int:
        norm = 2 * d_ if bias else d_
        return ne * _enc_layer_total(d_, ff_, bias) + nd * _dec_layer_total(d_, ff_, bias) + 2 * norm

    tr = {"d_model": d, "nhead": 2, "num_encoder_layers": 2, "num_decoder_layers": 1, "dim_feedforward": ff}
    c += [
        Case(f, "Transformer/small-sf", [{"Transformer": dict(tr)}], [seq, d], expect_total=tr_total(d, ff, 2, 1)),
        Case(
            f,
            "Transformer/small-bf",
            [{"Transformer": {**tr, "batch_first": True}}],
            [seq, d],
            expect_total=tr_total(d, ff, 2, 1),
        ),
        Case(
            f,
            "Transformer/small-norm_first-bf",
            [{"Transformer": {**tr, "batch_first": True, "norm_first": True}}],
            [seq, d],
            expect_total=tr_total(d, ff, 2, 1),
        ),
        Case(
            f,
            "Transformer/small-nobias-bf",
            [{"Transformer": {**tr, "batch_first": True, "bias": False}}],
            [seq, d],
            expect_total=tr_total(d, ff, 2, 1, bias=False),
        ),
        # num_encoder_layers=0 (or num_decoder_layers=0) builds (the stack is its final norm only), but the
        # forward raises IndexError in TransformerEncoder/Decoder.forward (self.layers[0]): no forward pass.
        Case(
            f,
            "Transformer/enc0-dec1-noinput",
            [{"Transformer": {**tr, "num_encoder_layers": 0, "batch_first": True}}],
            expect_total=tr_total(d, ff, 0, 1),
        ),
        Case(
            f,
            "Transformer/enc1-dec0-noinput",
            [{"Transformer": {**tr, "num_encoder_layers": 1, "num_decoder_layers": 0, "batch_first": True}}],
            expect_total=tr_total(d, ff, 1, 0),
        ),
        Case(
            f,
            "Transformer/positional-small",
            [{"Transformer": [d, 2, 1, 1, ff]}],
            [seq, d],
            expect_total=tr_total(d, ff, 1, 1),
        ),
        Case(f, "Transformer/bare-default-noinput", ["Transformer"], expect_total=tr_total(512, 2048, 6, 6)),
        Case(f, "Transformer/bare-empty-args-noinput", [{"Transformer": {}}], expect_total=tr_total(512, 2048, 6, 6)),
        Case(
            f,
            "Transformer/big-noinput",
            [{"Transformer": {"d_model": 1024, "nhead": 16, "dim_feedforward": 4096}}],
            expect_total=tr_total(1024, 4096, 6, 6),
        ),
        Case(
            f,
            "mixed/embedding-encoder-head",
            [
                {"Embedding": [100, d]},
                {"TransformerEncoder": {"encoder_layer": enc, "num_layers": 2, "norm": {"LayerNorm": d}}},
                {"Linear": [d, 100]},
            ],
            [seq],
            "int64",
            expect_total=100 * d + 2 * _enc_layer_total(d, ff) + 2 * d + d * 100 + 100,
        ),
    ]
    return c


# --------------------------------------------------------------------------- misc
def misc_cases() -> list[Case]:
    """Weightless layers (activations, dropout, reshaping, pooling, padding, resampling) and PReLU."""
    f = "misc"
    c: list[Case] = []
    acts: list[Layer] = [
        "ReLU",
        "ReLU6",
        "LeakyReLU",
        {"LeakyReLU": 0.2},
        "ELU",
        {"ELU": {"alpha": 0.5}},
        "SELU",
        "CELU",
        "GELU",
        {"GELU": {"approximate": "tanh"}},
        "SiLU",
        "Mish",
        "Tanh",
        "Sigmoid",
        "Hardtanh",
        {"Hardtanh": [-2.0, 2.0]},
        "Hardsigmoid",
        "Hardswish",
        "Softplus",
        {"Softplus": {"beta": 2.0, "threshold": 10.0}},
        "Softsign",
        "Softshrink",
        "Hardshrink",
        "Tanhshrink",
        {"Threshold": [0.1, 0.0]},
        "LogSigmoid",
        {"Softmax": {"dim": -1}},
        {"Softmax": 1},
        {"LogSoftmax": {"dim": -1}},
        {"Softmin": -1},
        "GLU",
        {"GLU": {"dim": 1}},
        "Dropout",
        {"Dropout": 0.5},
        {"Dropout": {"p": 0.3, "inplace": False}},
        "AlphaDropout",
        "Identity",
        {"RReLU": [0.1, 0.3]},
    ]
    seen: set[str] = set()
    for a in acts:
        name = a if isinstance(a, str) else next(iter(a))
        cid = f"{name}/default" if isinstance(a, str) else f"{name}/args"
        i = 2
        while cid in seen:
            cid = f"{name}/args{i}"
            i += 1
        seen.add(cid)
        c.append(Case(f, cid, [a], [4, 6], expect_total=0))
    c += [
        Case(f, "Softmax2d/default", ["Softmax2d"], [3, 4, 4], expect_total=0),
        Case(f, "Dropout1d/default", ["Dropout1d"], [3, 6], expect_total=0),
        Case(f, "Dropout2d/default", [{"Dropout2d": 0.25}], [3, 4, 4], expect_total=0),
        Case(f, "Dropout3d/default", ["Dropout3d"], [2, 3, 3, 3], expect_total=0),
        Case(f, "FeatureAlphaDropout/default", ["FeatureAlphaDropout"], [3, 4, 4], expect_total=0),
        Case(f, "PReLU/default", ["PReLU"], [4, 6], expect_total=1),
        Case(f, "PReLU/num_parameters", [{"PReLU": {"num_parameters": 4}}], [4, 5, 5], expect_total=4),
        Case(f, "PReLU/positional-init", [{"PReLU": [3, 0.1]}], [3, 6], expect_total=3),
        Case(f, "PReLU/after-linear", [{"Linear": [6, 8]}, {"PReLU": 8}], [6], expect_total=56 + 8),
        Case(f, "PReLU/big-noinput", [{"PReLU": 4096}], expect_total=4096),
        Case(f, "Flatten/default", ["Flatten"], [3, 4, 5], expect_total=0),
        Case(f, "Flatten/start_dim2", [{"Flatten": {"start_dim": 2}}], [3, 4, 5], expect_total=0),
        Case(f, "Flatten/positional-1-2", [{"Flatten": [1, 2]}], [3, 4, 5], expect_total=0),
        Case(f, "Flatten/end_dim-neg2", [{"Flatten": {"start_dim": 1, "end_dim": -2}}], [3, 4, 5], expect_total=0),
        Case(f, "Unflatten/positional", [{"Unflatten": [1, [2, 3]]}], [6], expect_total=0),
        Case(
            f, "Unflatten/neg-dim", [{"Unflatten": {"dim": -1, "unflattened_size": [2, 2, 3]}}], [4, 12], expect_total=0
        ),
        Case(f, "Unflatten/infer-minus1", [{"Unflatten": [1, [-1, 2]]}], [6, 4], expect_total=0),
        Case(f, "CosineSimilarity/default", ["CosineSimilarity", {"Linear": [6, 2]}], [4, 6], expect_total=14),
        Case(f, "CosineSimilarity/dim-neg1", [{"CosineSimilarity": {"dim": -1}}], [3, 5], expect_total=0),
        Case(f, "CosineSimilarity/positional-dim2-eps", [{"CosineSimilarity": [2, 1e-6]}], [3, 4, 5], expect_total=0),
        Case(f, "CosineSimilarity/dim0-is-the-batch", [{"CosineSimilarity": {"dim": 0}}], [7], expect_total=0),
        Case(f, "CosineSimilarity/noinput", ["CosineSimilarity"], expect_total=0),
        Case(f, "PairwiseDistance/default", ["PairwiseDistance"], [8], expect_total=0),
        Case(f, "PairwiseDistance/keepdim", [{"PairwiseDistance": {"keepdim": True}}], [3, 8], expect_total=0),
        Case(
            f,
            "PairwiseDistance/p1-positional",
            [{"PairwiseDistance": [1.0, 1e-3]}, "Flatten"],
            [2, 3, 4],
            expect_total=0,
        ),
        Case(f, "PairwiseDistance/then-linear", ["PairwiseDistance", {"Linear": [5, 3]}], [5, 4], expect_total=18),
    ]
    for rank, shape in ((1, [3, 12]), (2, [3, 9, 9]), (3, [2, 7, 7, 7])):
        for kind in ("Max", "Avg"):
            cls = f"{kind}Pool{rank}d"
            c += [
                Case(f, f"{cls}/k2", [{cls: 2}], shape, expect_total=0),
                Case(f, f"{cls}/k3-s2", [{cls: [3, 2]}], shape, expect_total=0),
                Case(
                    f, f"{cls}/k3-s2-p1", [{cls: {"kernel_size": 3, "stride": 2, "padding": 1}}], shape, expect_total=0
                ),
                Case(f, f"{cls}/k2-ceil", [{cls: {"kernel_size": 2, "ceil_mode": True}}], shape, expect_total=0),
                Case(
                    f,
                    f"{cls}/k3-s2-p1-ceil",
                    [{cls: {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}}],
                    shape,
                    expect_total=0,
                ),
            ]
            if kind == "Max":
                c += [
                    Case(f, f"{cls}/k2-dilation2", [{cls: {"kernel_size": 2, "dilation": 2}}], shape, expect_total=0),
                    Case(
                        f,
                        f"{cls}/return_indices",
                        [{cls: {"kernel_size": 2, "return_indices": True}}],
                        shape,
                        expect_total=0,
                    ),
                ]
            else:
                c.append(
                    Case(
                        f,
                        f"{cls}/count_include_pad-false",
                        [{cls: {"kernel_size": 3, "padding": 1, "count_include_pad": False}}],
                        shape,
                        expect_total=0,
                    )
                )
        if rank > 1:
            tk = [3, 2] if rank == 2 else [3, 2, 1]
            c.append(
                Case(
                    f, f"MaxPool{rank}d/tuple-kernel", [{f"MaxPool{rank}d": {"kernel_size": tk}}], shape, expect_total=0
                )
            )
        for kind in ("Max", "Avg"):
            cls = f"Adaptive{kind}Pool{rank}d"
            c.append(Case(f, f"{cls}/1", [{cls: 1}], shape, expect_total=0))
            c.append(Case(f, f"{cls}/4", [{cls: 4}], shape, expect_total=0))
            if rank > 1:
                osz: list[Any] = [None, 2] if rank == 2 else [2, None, 3]
                c.append(Case(f, f"{cls}/tuple-with-none", [{cls: [osz]}], shape, expect_total=0))
    c += [
        Case(f, "LPPool1d/default", [{"LPPool1d": [2, 3]}], [3, 12], expect_total=0),
        Case(
            f,
            "LPPool2d/stride-ceil",
            [{"LPPool2d": {"norm_type": 2, "kernel_size": 3, "stride": 2, "ceil_mode": True}}],
            [3, 9, 9],
            expect_total=0,
        ),
        Case(f, "Upsample/scale2-nearest-2d", [{"Upsample": {"scale_factor": 2}}], [3, 4, 4], expect_total=0),
        Case(f, "Upsample/scale2-1d", [{"Upsample": {"scale_factor": 2.0}}], [3, 5], expect_total=0),
        Case(
            f,
            "Upsample/size-bilinear",
            [{"Upsample": {"size": [7, 9], "mode": "bilinear", "align_corners": False}}],
            [3, 4, 4],
            expect_total=0,
        ),
        Case(
            f, "Upsample/scale1.5", [{"Upsample": {"scale_factor": 1.5, "mode": "nearest"}}], [3, 5, 5], expect_total=0
        ),
        Case(f, "Upsample/positional-size", [{"Upsample": 6}], [3, 4, 4], expect_total=0),
        Case(
            f,
            "Upsample/trilinear",
            [{"Upsample": {"scale_factor": [2, 1, 2], "mode": "trilinear"}}],
            [2, 3, 3, 3],
            expect_total=0,
        ),
        Case(f, "UpsamplingNearest2d/scale", [{"UpsamplingNearest2d": {"scale_factor": 3}}], [3, 4, 4], expect_total=0),
        Case(f, "UpsamplingBilinear2d/size", [{"UpsamplingBilinear2d": [[5, 6]]}], [3, 4, 4], expect_total=0),
        Case(f, "ZeroPad1d/int", [{"ZeroPad1d": 2}], [3, 5], expect_total=0),
        Case(f, "ZeroPad2d/int", [{"ZeroPad2d": 1}], [3, 4, 4], expect_total=0),
        Case(f, "ZeroPad2d/tuple-ltrb", [{"ZeroPad2d": [[1, 2, 3, 4]]}], [3, 4, 4], expect_total=0),
        Case(f, "ZeroPad3d/int", [{"ZeroPad3d": 1}], [2, 3, 3, 3], expect_total=0),
        Case(f, "ConstantPad1d/tuple", [{"ConstantPad1d": [[1, 3], 0.5]}], [3, 5], expect_total=0),
        Case(f, "ConstantPad2d/int", [{"ConstantPad2d": {"padding": 2, "value": 1.0}}], [3, 4, 4], expect_total=0),
        Case(f, "ConstantPad3d/tuple", [{"ConstantPad3d": [[1, 0, 1, 0, 2, 0], 0.0]}], [2, 3, 3, 3], expect_total=0),
        Case(f, "ReflectionPad1d/int", [{"ReflectionPad1d": 2}], [3, 5], expect_total=0),
        Case(f, "ReflectionPad2d/tuple", [{"ReflectionPad2d": [[1, 1, 2, 0]]}], [3, 4, 4], expect_total=0),
        Case(f, "ReflectionPad3d/int", [{"ReflectionPad3d": 1}], [2, 3, 3, 3], expect_total=0),
        Case(f, "ReplicationPad1d/int", [{"ReplicationPad1d": 3}], [3, 5], expect_total=0),
        Case(f, "ReplicationPad2d/int", [{"ReplicationPad2d": 2}], [3, 4, 4], expect_total=0),
        Case(f, "ReplicationPad3d/tuple", [{"ReplicationPad3d": [[1, 2, 0, 1, 1, 0]]}], [2, 3, 3, 3], expect_total=0),
        Case(f, "CircularPad1d/int", [{"CircularPad1d": 2}], [3, 5], expect_total=0),
        Case(f, "CircularPad2d/tuple", [{"CircularPad2d": [[1, 2, 1, 0]]}], [3, 4, 4], expect_total=0),
        Case(f, "CircularPad3d/int", [{"CircularPad3d": 1}], [2, 3, 3, 3], expect_total=0),
        Case(f, "PixelShuffle/2", [{"PixelShuffle": 2}], [8, 3, 3], expect_total=0),
        Case(f, "PixelUnshuffle/2", [{"PixelUnshuffle": 2}], [2, 6, 6], expect_total=0),
        Case(f, "ChannelShuffle/2", [{"ChannelShuffle": 2}], [4, 3, 3], expect_total=0),
        Case(f, "Unfold/k2", [{"Unfold": {"kernel_size": 2}}], [3, 4, 4], expect_total=0),
        Case(
            f, "Unfold/k3-p1-s2", [{"Unfold": {"kernel_size": 3, "padding": 1, "stride": 2}}], [3, 5, 5], expect_total=0
        ),
        Case(f, "Fold/k2", [{"Fold": {"output_size": [3, 3], "kernel_size": 2}}], [12, 4], expect_total=0),
        Case(
            f,
            "chain/conv-pool-flatten-linear",
            [
                {"Conv2d": [3, 4, 3, 1, 1]},
                "ReLU",
                {"MaxPool2d": 2},
                {"AdaptiveAvgPool2d": [[2, 2]]},
                "Flatten",
                {"Dropout": 0.2},
                {"Linear": [16, 5]},
                {"Softmax": -1},
            ],
            [3, 8, 8],
            expect_total=112 + 85,
        ),
    ]
    return c


# --------------------------------------------------------------------------- lecture
def lecture_cases() -> list[Case]:
    """The classic Keras RNN lecture models written the PyTorch way, plus a few classic whole models."""
    f = "lecture"
    return [
        Case(
            f,
            "lecture/simple-rnn-10000-32-linear",
            [{"RNN": {"input_size": 10000, "hidden_size": 32, "batch_first": True}}, {"Linear": [32, 1]}],
            [3, 10000],
            expect_total=321_121,
        ),
        Case(
            f,
            "lecture/embedding-rnn-linear",
            [
                {"Embedding": [50, 8]},
                {"RNN": {"input_size": 8, "hidden_size": 32, "batch_first": True}},
                {"Linear": [32, 1]},
            ],
            [4],
            "int64",
            expect_total=1_777,
        ),
        Case(
            f,
            "lecture/stacked-rnn-linear",
            [{"RNN": [10000, 32]}, {"RNN": [32, 32]}, {"Linear": [32, 1]}],
            [3, 10000],
            expect_total=323_233,
        ),
        Case(
            f,
            "lecture/stacked-rnn-linear-bf",
            [
                {"RNN": {"input_size": 10000, "hidden_size": 32, "batch_first": True}},
                {"RNN": {"input_size": 32, "hidden_size": 32, "batch_first": True}},
                {"Linear": [32, 1]},
            ],
            [3, 10000],
            expect_total=323_233,
        ),
        Case(
            f,
            "lecture/lstm-10000-32-linear",
            [{"LSTM": {"input_size": 10000, "hidden_size": 32, "batch_first": True}}, {"Linear": [32, 1]}],
            [3, 10000],
            expect_total=1_284_385,
        ),
        Case(f, "lecture/simple-rnn-noinput", [{"RNN": [10000, 32]}, {"Linear": [32, 1]}], expect_total=321_121),
        Case(f, "lecture/lstm-noinput", [{"LSTM": [10000, 32]}, {"Linear": [32, 1]}], expect_total=1_284_385),
        Case(
            f,
            "lecture/imdb-embedding-lstm",
            [
                {"Embedding": [10000, 32]},
                {"LSTM": {"input_size": 32, "hidden_size": 32, "batch_first": True}},
                {"Linear": [32, 1]},
                "Sigmoid",
            ],
            [20],
            "int64",
            expect_total=320_000 + 8_448 + 33,
        ),
        Case(
            f,
            "lecture/mnist-mlp",
            [
                "Flatten",
                {"Linear": [784, 512]},
                "ReLU",
                {"Dropout": 0.2},
                {"Linear": [512, 512]},
                "ReLU",
                {"Dropout": 0.2},
                {"Linear": [512, 10]},
            ],
            [1, 28, 28],
            expect_total=669_706,
        ),
        Case(
            f,
            "lecture/lenet5",
            [
                {"Conv2d": [1, 6, 5]},
                "Tanh",
                {"AvgPool2d": 2},
                {"Conv2d": [6, 16, 5]},
                "Tanh",
                {"AvgPool2d": 2},
                "Flatten",
                {"Linear": [400, 120]},
                "Tanh",
                {"Linear": [120, 84]},
                "Tanh",
                {"Linear": [84, 10]},
            ],
            [1, 32, 32],
            expect_total=61_706,
        ),
        Case(
            f,
            "lecture/mnist-cnn",
            [
                {"Conv2d": [1, 32, 3]},
                "ReLU",
                {"MaxPool2d": 2},
                {"Conv2d": [32, 64, 3]},
                "ReLU",
                {"MaxPool2d": 2},
                "Flatten",
                {"Dropout": 0.5},
                {"Linear": [1600, 10]},
            ],
            [1, 28, 28],
            expect_total=320 + 18_496 + 16_010,
        ),
    ]


# --------------------------------------------------------------------------- fuzz regressions
def fuzz_regression_cases() -> list[Case]:
    """One case per class of disagreement tools/torch_fuzz.py found (torch accepts all of
    them; the refusals it found are in tests/test_torch_rules.py). Spread over the families
    whose modules they exercise.
    """
    return [
        # Transformer's positional order: custom_encoder/custom_decoder come before layer_norm_eps
        Case(
            "attention_transformer",
            "Transformer/positional-all",
            [{"Transformer": [8, 2, 1, 1, 16, 0.0, "gelu", None, None, 1e-6, True, True, False]}],
            [5, 8],
        ),
        # RNN/GRU refuse the proj_size keyword but take a 9th positional argument (RNNBase builds weight_hr)
        Case("recurrent", "RNN/positional-proj0", [{"RNN": [6, 4, 1, "relu", True, False, 0.0, False, 0]}], [5, 6]),
        Case("recurrent", "GRU/positional-proj2-noinput", [{"GRU": [6, 4, 1, True, False, 0.0, False, 2]}]),
        # ATen's all-ones fast path: AdaptiveAvgPool2d/3d(1) is a mean over the last axes, any rank
        Case("misc", "AdaptiveAvgPool2d/1-on-2d", [{"AdaptiveAvgPool2d": 1}], [5]),
        Case("misc", "AdaptiveAvgPool2d/1-on-5d", [{"AdaptiveAvgPool2d": [[1, 1]]}], [2, 3, 4, 5]),
        Case("misc", "AdaptiveAvgPool3d/1-on-3d", [{"AdaptiveAvgPool3d": 1}], [4, 5]),
        # constant, circular (and 2-D/3-D reflection/replication) pads may empty an axis
        Case("misc", "ConstantPad1d/empties-axis", [{"ConstantPad1d": [[0, -1], 1.0]}], [3, 1]),
        Case("misc", "CircularPad1d/empties-axis", [{"CircularPad1d": [[-2, -1]]}], [2, 3]),
        Case("misc", "ReflectionPad2d/empties-axis", [{"ReflectionPad2d": [[-1, 0, 0, 0]]}], [3, 4, 1]),
        Case("misc", "ReplicationPad3d/empties-axis", [{"ReplicationPad3d": [[0, 0, 0, 0, -1, 0]]}], [3, 1, 4, 4]),
        # max pooling compares padding with the kernel, not the dilated span
        Case(
            "misc",
            "MaxPool2d/dilated-pad-half-kernel",
            [{"MaxPool2d": {"kernel_size": 3, "padding": 1, "dilation": 3}}],
            [2, 9, 9],
        ),
        # fractional pooling at ATen's bounds: 2-D output + kernel - 1 <= input, 3-D strictly less; 0 outputs allowed
        Case(
            "misc",
            "FractionalMaxPool2d/at-bound",
            [{"FractionalMaxPool2d": {"kernel_size": 2, "output_size": [3, 3]}}],
            [1, 4, 4],
        ),
        Case(
            "misc",
            "FractionalMaxPool3d/at-bound",
            [{"FractionalMaxPool3d": {"kernel_size": 2, "output_size": 2}}],
            [1, 4, 4, 4],
        ),
        Case(
            "misc",
            "FractionalMaxPool2d/ratio-to-zero",
            [{"FractionalMaxPool2d": {"kernel_size": 1, "output_ratio": 0.3}}],
            [1, 3, 3],
        ),
        # Upsample: options are checked at the first forward; 'area' may shrink an axis to 0
        Case("misc", "Upsample/no-size-noinput", ["Upsample"]),
        Case("misc", "Upsample/area-to-zero", [{"Upsample": {"scale_factor": 0.5, "mode": "area"}}], [1, 1]),
        # norms without weights or running statistics never compare their size with the input
        Case(
            "norm",
            "GroupNorm/noaffine-other-channels",
            [{"GroupNorm": {"num_groups": 1, "num_channels": 1, "affine": False}}],
            [6, 3],
        ),
        Case(
            "norm",
            "BatchNorm1d/noaffine-nostats-other-channels",
            [{"BatchNorm1d": {"num_features": 6, "affine": False, "track_running_stats": False}}],
            [1, 6],
        ),
        Case("norm", "InstanceNorm1d/other-channels", [{"InstanceNorm1d": 1}], [2, 3]),
        Case(
            "norm",
            "LazyBatchNorm1d/noaffine-nostats-noinput",
            [{"LazyBatchNorm1d": {"affine": False, "track_running_stats": False}}],
        ),
        Case("norm", "BatchNorm1d/eps0-running-stats", [{"BatchNorm1d": {"num_features": 3, "eps": 0.0}}], [3]),
        # Hardtanh's deprecated min_value/max_value override min_val/max_val
        Case("misc", "Hardtanh/min_value", [{"Hardtanh": {"min_val": 0.5, "max_val": 1.0, "min_value": -2.0}}], [4]),
        # ConvTranspose on a batched input may give an empty axis (oneDNN); unbatched it refuses
        Case(
            "conv",
            "ConvTranspose1d/empty-output",
            [{"ConvTranspose1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 2, "padding": 1}}],
            [1, 1],
        ),
    ]


def all_cases() -> list[Case]:
    """Every case, in a stable order (family order, then definition order)."""
    return (
        linear_embedding_cases()
        + recurrent_cases()
        + conv_cases()
        + norm_cases()
        + attention_transformer_cases()
        + misc_cases()
        + lecture_cases()
        + fuzz_regression_cases()
    )
