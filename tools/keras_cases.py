# ruff: noqa: E501
"""Hand-written Keras 3 conformance cases, as paramcalc specs (plain data, no Keras import).

Why a separate module: the case list is data that reviewers read and extend, while
``tools/keras_golden.py`` holds the machinery that builds each spec in real Keras and
records what Keras reports. Every spec here is exactly what ``yaml.safe_load`` of a
paramcalc spec file would produce (see ``shared/spec-format.md``): only dicts, lists,
strings, numbers, booleans and None; tuples are written as lists.

Conventions used below:
- ``seq(shape, layers)`` is a Sequential spec with ``input: {shape, dtype}``.
- ``graph(inputs, layers, outputs)`` is a functional spec with named ``inputs:``.
- Layers carry an explicit ``name`` only where a graph references them; otherwise the
  graph references the Keras auto name (``dense``, ``dense_1``, ...), as the contract allows.
- Two spec forms go beyond the written contract (v1) and are used only in the ``graphs``
  family: ``Reuse`` (call an earlier layer again: ``{"Reuse": {"layer": "shared",
  "inputs": ["b"], "name": "shared_b"}}``, where ``name`` names that call's output) and a
  nested ``Sequential`` entry (``{"Sequential": {"name": "mlp", "layers": [...]}}``).
  Records of specs using them carry ``"extensions": [...]`` so tests can filter.
- ``NOTES`` (bottom) explains cases where Keras behaves unexpectedly; the generator
  copies each note into the golden record.

This module is never imported by tests; only ``tools/keras_golden.py`` reads it.
"""

from __future__ import annotations

from typing import Any

Spec = dict[str, Any]
Case = tuple[str, Spec]

INT = "int32"


def seq(shape: list[int | None], layers: list[Any], dtype: str | None = None) -> Spec:
    """A Sequential spec whose input is ``input: {shape, dtype}``."""
    inp: dict[str, Any] = {"shape": list(shape)}
    if dtype is not None:
        inp["dtype"] = dtype
    return {"input": inp, "layers": list(layers)}


def bare(layers: list[Any]) -> Spec:
    """A Sequential spec with no ``input:`` key (input comes from the layers themselves)."""
    return {"layers": list(layers)}


def graph(inputs: dict[str, Any], layers: list[Any], outputs: list[str] | None = None) -> Spec:
    """A functional spec; ``inputs`` maps a name to a shape list or a ``{shape, dtype}`` dict."""
    ins: dict[str, Any] = {}
    for name, val in inputs.items():
        ins[name] = {"shape": list(val)} if isinstance(val, list) else dict(val)
    spec: Spec = {"inputs": ins, "layers": list(layers)}
    if outputs is not None:
        spec["outputs"] = list(outputs)
    return spec


# One case per line reads best as a table: the formatter leaves the data alone.
# fmt: off

# --------------------------------------------------------------------------- core
CORE: list[Case] = [
    ("dense_vec", seq([16], [{"Dense": 8}])),
    ("dense_kwargs_units", seq([16], [{"Dense": {"units": 8, "activation": "relu"}}])),
    ("dense_positional_list", seq([16], [{"Dense": [8, "tanh"]}])),
    ("dense_no_bias", seq([16], [{"Dense": {"units": 8, "use_bias": False}}])),
    ("dense_units1", seq([300], [{"Dense": 1}])),
    ("dense_3d_input", seq([10, 16], [{"Dense": 4}])),
    ("dense_4d_input", seq([3, 5, 7], [{"Dense": 2}])),
    ("dense_5d_input_no_bias", seq([2, 3, 4, 5], [{"Dense": {"units": 6, "use_bias": False}}])),
    ("dense_none_time", seq([None, 12], [{"Dense": 3}])),
    ("dense_wide", seq([4096], [{"Dense": 4096}, {"Dense": 1000}])),
    ("dense_chain_mlp", seq([784], [{"Dense": 512}, {"Dense": 256}, {"Dense": 128}, {"Dense": 10}])),
    ("dense_trainable_false", seq([32], [{"Dense": {"units": 16, "trainable": False}}, {"Dense": 4}])),
    ("dense_lora", seq([64], [{"Dense": {"units": 32, "lora_rank": 4}}])),
    ("dense_input_entry", bare([{"Input": {"shape": [20]}}, {"Dense": 5}])),
    ("dense_input_short", {"input": [20], "layers": [{"Dense": 5}]}),
    ("dense_input_shape_kwarg", bare([{"Dense": {"units": 5, "input_shape": [20]}}, {"Dense": 2}])),
    ("einsum_ab_bc", seq([32], [{"EinsumDense": {"equation": "ab,bc->ac", "output_shape": 64, "bias_axes": "c"}}])),
    ("einsum_ab_bc_nobias", seq([32], [{"EinsumDense": ["ab,bc->ac", 64]}])),
    ("einsum_abc_cd", seq([10, 32], [{"EinsumDense": {"equation": "abc,cd->abd", "output_shape": [None, 64], "bias_axes": "d"}}])),
    ("einsum_abc_cde_heads", seq([10, 32], [{"EinsumDense": {"equation": "abc,cde->abde", "output_shape": [None, 4, 16], "bias_axes": "de"}}])),
    ("einsum_abc_cde_bias_e", seq([10, 32], [{"EinsumDense": {"equation": "abc,cde->abde", "output_shape": [None, 4, 16], "bias_axes": "e"}}])),
    ("einsum_abcd_cde_abe", seq([5, 4, 6], [{"EinsumDense": {"equation": "abcd,cde->abe", "output_shape": [None, 8], "bias_axes": "e"}}])),
    ("einsum_ellipsis", seq([7, 3, 24], [{"EinsumDense": {"equation": "...b,bc->...c", "output_shape": 16, "bias_axes": "c"}}])),
    ("einsum_ab_bcd", seq([48], [{"EinsumDense": {"equation": "ab,bcd->acd", "output_shape": [4, 8], "bias_axes": "cd"}}])),
    ("einsum_bias_on_seq_axis", seq([10, 32], [{"EinsumDense": {"equation": "abc,cd->abd", "output_shape": [10, 64], "bias_axes": "b"}}])),
    ("einsum_bias_bd", seq([10, 32], [{"EinsumDense": {"equation": "abc,cd->abd", "output_shape": [10, 64], "bias_axes": "bd"}}])),
    ("einsum_heads_out_proj", seq([10, 4, 16], [{"EinsumDense": {"equation": "abcd,cde->abe", "output_shape": [None, 64], "bias_axes": "e"}}])),
    ("einsum_lora", seq([10, 32], [{"EinsumDense": {"equation": "abc,cd->abd", "output_shape": [None, 64], "bias_axes": "d", "lora_rank": 2}}])),
    ("embedding_50_8", seq([4], [{"Embedding": [50, 8]}], INT)),
    ("embedding_kwargs", seq([10], [{"Embedding": {"input_dim": 1000, "output_dim": 64}}], INT)),
    ("embedding_mask_zero", seq([10], [{"Embedding": {"input_dim": 1000, "output_dim": 64, "mask_zero": True}}], INT)),
    ("embedding_2d_ids", seq([4, 5], [{"Embedding": [100, 3]}], INT)),
    ("embedding_big_vocab", seq([128], [{"Embedding": [100000, 300]}], INT)),
    ("embedding_none_len", seq([None], [{"Embedding": [20000, 128]}], INT)),
    ("embedding_flatten_dense", seq([20], [{"Embedding": [10000, 8]}, "Flatten", {"Dense": 1}], INT)),
    ("embedding_lora", seq([10], [{"Embedding": {"input_dim": 500, "output_dim": 32, "lora_rank": 4}}], INT)),
    ("reversible_embedding_tied", seq([12], [{"ReversibleEmbedding": {"input_dim": 300, "output_dim": 16}}], INT)),
    ("reversible_embedding_untied", seq([12], [{"ReversibleEmbedding": {"input_dim": 300, "output_dim": 16, "tie_weights": False}}], INT)),
    ("masking_lstm", seq([10, 8], [{"Masking": {"mask_value": 0.0}}, {"LSTM": 16}])),
    ("masking_default", seq([6, 3], ["Masking", {"Dense": 2}])),
    ("activation_relu", seq([16], [{"Activation": "relu"}])),
    ("activation_kwargs_softmax", seq([5, 16], [{"Dense": 10}, {"Activation": {"activation": "softmax"}}])),
    ("dropout_positional", seq([16], [{"Dense": 8}, {"Dropout": [0.5]}, {"Dense": 2}])),
    ("dropout_scalar", seq([16], [{"Dropout": 0.25}, {"Dense": 2}])),
    ("dropout_noise_shape", seq([10, 16], [{"Dropout": {"rate": 0.2, "noise_shape": [None, 1, 16]}}, {"Dense": 2}])),
    ("spatial_dropout_1d", seq([10, 16], [{"SpatialDropout1D": 0.1}, {"Conv1D": [4, 3]}])),
    ("spatial_dropout_2d", seq([8, 8, 3], [{"SpatialDropout2D": 0.1}, {"Conv2D": [4, 3]}])),
    ("spatial_dropout_3d", seq([4, 4, 4, 2], [{"SpatialDropout3D": {"rate": 0.1}}])),
    ("gaussian_dropout", seq([16], [{"GaussianDropout": 0.3}, {"Dense": 3}])),
    ("alpha_dropout", seq([16], [{"Dense": {"units": 8, "activation": "selu"}}, {"AlphaDropout": 0.1}])),
    ("gaussian_noise_scalar", seq([16], [{"GaussianNoise": 0.1}, {"Dense": 4}])),
    ("gaussian_noise_kwargs", seq([3, 16], [{"GaussianNoise": {"stddev": 0.5}}, {"Dense": 4}])),
    ("activity_regularization", seq([16], [{"Dense": 8}, {"ActivityRegularization": {"l1": 0.01, "l2": 0.01}}])),
    ("activity_regularization_bare", seq([16], ["ActivityRegularization", {"Dense": 2}])),
    ("identity", seq([4, 4], ["Identity", {"Dense": 3}])),
    ("flatten_3d", seq([10, 16], ["Flatten", {"Dense": 2}])),
    ("flatten_4d", seq([8, 8, 3], ["Flatten", {"Dense": 10}])),
    ("flatten_channels_first", seq([3, 8, 8], [{"Flatten": {"data_format": "channels_first"}}, {"Dense": 10}])),
    ("flatten_2d_noop", seq([16], ["Flatten", {"Dense": 10}])),
    ("lecture_mlp_dropout_chain", seq([100], [{"Dense": {"units": 64, "activation": "relu"}}, {"Dropout": 0.5}, {"Dense": {"units": 64, "activation": "relu"}}, {"Dropout": 0.5}, {"Dense": {"units": 10, "activation": "softmax"}}])),
    ("repeat_block_dense", seq([32], [{"Repeat": {"times": 3, "layers": [{"Dense": 32}, {"Dropout": 0.1}]}}, {"Dense": 1}])),
    ("repeat_block_nested_norm", seq([10, 24], [{"Repeat": {"times": 2, "layers": [{"Dense": 24}, "LayerNormalization"]}}])),
    # dtype policies: 16-bit policies make 2-byte weights (the summary's bytes), mixed ones keep float32 weights
    ("dtype_policies_per_layer", seq([16], [{"Dense": {"units": 8, "dtype": "bfloat16"}}, {"Dense": {"units": 8, "dtype": "mixed_float16"}}, {"LayerNormalization": {"dtype": "float16"}}, {"Dense": {"units": 4, "dtype": "float64"}}, {"Normalization": {"dtype": "float16"}}, {"Dense": 2}])),
    # more input axes than equation letters and no '...': Keras elides on the right
    ("einsum_more_axes_than_letters", seq([10, 32], [{"EinsumDense": {"equation": "ab,bc->ac", "output_shape": 64, "bias_axes": "c"}}])),
]

CORE_ERRORS: list[Case] = [
    ("err_dense_zero_units", seq([16], [{"Dense": 0}])),
    ("err_embedding_zero_dim", seq([4], [{"Embedding": [0, 8]}], INT)),
    ("err_einsum_bad_equation", seq([16], [{"EinsumDense": {"equation": "ab,bc->ad", "output_shape": 8}}])),
    ("err_dropout_rate_above_one", seq([16], [{"Dropout": 1.5}])),
    ("err_sequential_duplicate_name", seq([8], [{"Dense": {"units": 4, "name": "d"}}, {"Dense": {"units": 4, "name": "d"}}])),
]

# --------------------------------------------------------------------------- recurrent
RECURRENT: list[Case] = [
    ("simplernn_lecture", seq([3, 10000], [{"SimpleRNN": 32}, {"Dense": 1}])),
    ("simplernn_no_bias", seq([5, 8], [{"SimpleRNN": {"units": 4, "use_bias": False}}])),
    ("simplernn_return_sequences", seq([5, 8], [{"SimpleRNN": {"units": 4, "return_sequences": True}}])),
    ("simplernn_go_backwards", seq([5, 8], [{"SimpleRNN": {"units": 4, "go_backwards": True}}])),
    ("simplernn_return_state", seq([5, 8], [{"SimpleRNN": {"units": 4, "return_state": True}}])),
    ("simplernn_return_seq_and_state", seq([5, 8], [{"SimpleRNN": {"units": 4, "return_sequences": True, "return_state": True}}])),
    ("simplernn_none_time", seq([None, 8], [{"SimpleRNN": 16}])),
    ("lstm_basic", seq([20, 16], [{"LSTM": 64}])),
    ("lstm_no_bias", seq([20, 16], [{"LSTM": {"units": 64, "use_bias": False}}])),
    ("lstm_return_sequences", seq([20, 16], [{"LSTM": {"units": 32, "return_sequences": True}}, {"Dense": 1}])),
    ("lstm_return_state", seq([20, 16], [{"LSTM": {"units": 32, "return_state": True}}])),
    ("lstm_return_seq_state", seq([20, 16], [{"LSTM": {"units": 32, "return_sequences": True, "return_state": True}}])),
    ("lstm_go_backwards", seq([20, 16], [{"LSTM": {"units": 32, "go_backwards": True}}])),
    ("lstm_no_unit_forget_bias", seq([20, 16], [{"LSTM": {"units": 32, "unit_forget_bias": False}}])),
    ("lstm_dropouts", seq([20, 16], [{"LSTM": {"units": 32, "dropout": 0.2, "recurrent_dropout": 0.2}}])),
    ("lstm_stacked_3", seq([50, 10], [{"LSTM": {"units": 64, "return_sequences": True}}, {"LSTM": {"units": 64, "return_sequences": True}}, {"LSTM": 32}, {"Dense": 1}])),
    ("lstm_units1", seq([7, 1], [{"LSTM": 1}])),
    ("lstm_big", seq([100, 512], [{"LSTM": 1024}])),
    ("gru_reset_after_default", seq([20, 16], [{"GRU": 32}])),
    ("gru_reset_after_false", seq([20, 16], [{"GRU": {"units": 32, "reset_after": False}}])),
    ("gru_no_bias_reset_after", seq([20, 16], [{"GRU": {"units": 32, "use_bias": False}}])),
    ("gru_no_bias_reset_before", seq([20, 16], [{"GRU": {"units": 32, "use_bias": False, "reset_after": False}}])),
    ("gru_return_sequences", seq([20, 16], [{"GRU": {"units": 8, "return_sequences": True}}])),
    ("gru_return_state", seq([20, 16], [{"GRU": {"units": 8, "return_state": True}}])),
    ("gru_return_seq_state_reset_before", seq([20, 16], [{"GRU": {"units": 8, "return_sequences": True, "return_state": True, "reset_after": False}}])),
    ("gru_go_backwards", seq([20, 16], [{"GRU": {"units": 8, "go_backwards": True}}])),
    ("gru_stacked", seq([30, 4], [{"GRU": {"units": 16, "return_sequences": True}}, {"GRU": {"units": 16, "return_sequences": True, "reset_after": False}}, {"GRU": 8}])),
    ("rnn_mixed_stack", seq([12, 6], [{"SimpleRNN": {"units": 10, "return_sequences": True}}, {"LSTM": {"units": 12, "return_sequences": True}}, {"GRU": 14}, {"Dense": 3}])),
    ("embedding_gru_mask", seq([25], [{"Embedding": {"input_dim": 5000, "output_dim": 32, "mask_zero": True}}, {"GRU": 32}, {"Dense": 1}], INT)),
    ("rnn_cell_lstm", seq([10, 8], [{"RNN": {"cell": {"LSTMCell": 16}}}])),
    ("rnn_cell_gru_return_sequences", seq([10, 8], [{"RNN": {"cell": {"GRUCell": {"units": 12, "reset_after": False}}, "return_sequences": True}}])),
    ("rnn_stacked_cells", seq([10, 8], [{"RNN": {"cell": [{"SimpleRNNCell": 6}, {"LSTMCell": 5}]}}])),
    ("convlstm1d_basic", seq([5, 16, 3], [{"ConvLSTM1D": {"filters": 8, "kernel_size": 3}}])),
    ("convlstm1d_same_stride2", seq([5, 16, 3], [{"ConvLSTM1D": {"filters": 8, "kernel_size": 3, "padding": "same", "strides": 2}}])),
    ("convlstm1d_return_sequences", seq([5, 16, 3], [{"ConvLSTM1D": {"filters": 4, "kernel_size": 5, "return_sequences": True}}])),
    ("convlstm2d_basic", seq([4, 16, 16, 3], [{"ConvLSTM2D": [8, 3]}])),
    ("convlstm2d_same_return_seq", seq([4, 16, 16, 3], [{"ConvLSTM2D": {"filters": 8, "kernel_size": [3, 3], "padding": "same", "return_sequences": True}}, "BatchNormalization"])),
    ("convlstm2d_strides", seq([4, 17, 17, 3], [{"ConvLSTM2D": {"filters": 6, "kernel_size": [3, 5], "strides": [2, 2]}}])),
    ("convlstm2d_dilation", seq([4, 16, 16, 3], [{"ConvLSTM2D": {"filters": 6, "kernel_size": 3, "dilation_rate": 2}}])),
    ("convlstm2d_channels_first", seq([4, 3, 16, 16], [{"ConvLSTM2D": {"filters": 8, "kernel_size": 3, "data_format": "channels_first"}}])),
    ("convlstm2d_no_bias", seq([4, 8, 8, 2], [{"ConvLSTM2D": {"filters": 4, "kernel_size": 3, "use_bias": False}}])),
    ("convlstm3d_basic", seq([3, 8, 8, 8, 2], [{"ConvLSTM3D": {"filters": 4, "kernel_size": 3}}])),
    ("convlstm3d_same_seq", seq([3, 8, 8, 8, 2], [{"ConvLSTM3D": {"filters": 4, "kernel_size": [3, 3, 3], "padding": "same", "return_sequences": True}}])),
    ("bidir_lstm_concat", seq([10, 8], [{"Bidirectional": {"layer": {"LSTM": 16}}}])),
    ("bidir_lstm_concat_explicit", seq([10, 8], [{"Bidirectional": {"layer": {"LSTM": {"units": 64, "return_sequences": True}}, "merge_mode": "concat"}}])),
    ("bidir_lstm_sum", seq([10, 8], [{"Bidirectional": {"layer": {"LSTM": 16}, "merge_mode": "sum"}}])),
    ("bidir_lstm_ave", seq([10, 8], [{"Bidirectional": {"layer": {"LSTM": 16}, "merge_mode": "ave"}}])),
    ("bidir_lstm_mul", seq([10, 8], [{"Bidirectional": {"layer": {"LSTM": 16}, "merge_mode": "mul"}}])),
    ("bidir_lstm_none", seq([10, 8], [{"Bidirectional": {"layer": {"LSTM": 16}, "merge_mode": None}}])),
    ("bidir_gru", seq([10, 8], [{"Bidirectional": {"layer": {"GRU": 16}}}])),
    ("bidir_gru_reset_before_seq", seq([10, 8], [{"Bidirectional": {"layer": {"GRU": {"units": 16, "reset_after": False, "return_sequences": True}}}}])),
    ("bidir_simplernn", seq([10, 8], [{"Bidirectional": {"layer": {"SimpleRNN": 16}}}])),
    ("bidir_positional_layer", seq([10, 8], [{"Bidirectional": [{"LSTM": 8}]}])),
    ("bidir_backward_layer_gru", seq([10, 8], [{"Bidirectional": {"layer": {"LSTM": {"units": 16, "return_sequences": True}}, "backward_layer": {"GRU": {"units": 16, "return_sequences": True, "go_backwards": True}}}}])),
    ("bidir_backward_layer_other_units", seq([10, 8], [{"Bidirectional": {"layer": {"LSTM": 16}, "backward_layer": {"LSTM": {"units": 4, "go_backwards": True}}}}])),
    ("bidir_lstm_return_state", seq([10, 8], [{"Bidirectional": {"layer": {"LSTM": {"units": 16, "return_state": True}}}}])),
    ("bidir_gru_return_state_sum", seq([10, 8], [{"Bidirectional": {"layer": {"GRU": {"units": 16, "return_state": True, "return_sequences": True}}, "merge_mode": "sum"}}])),
    ("bidir_stacked_imdb", seq([None], [{"Embedding": [20000, 128]}, {"Bidirectional": {"layer": {"LSTM": {"units": 64, "return_sequences": True}}}}, {"Bidirectional": {"layer": {"LSTM": 64}}}, {"Dense": {"units": 1, "activation": "sigmoid"}}], INT)),
    ("timedistributed_dense", seq([10, 16], [{"TimeDistributed": {"layer": {"Dense": 8}}}])),
    ("timedistributed_dense_positional", seq([10, 16], [{"TimeDistributed": [{"Dense": 8}]}])),
    ("timedistributed_conv2d", seq([5, 32, 32, 3], [{"TimeDistributed": {"layer": {"Conv2D": [8, 3]}}}])),
    ("timedistributed_conv_pool_flatten_lstm", seq([5, 32, 32, 3], [{"TimeDistributed": {"layer": {"Conv2D": {"filters": 8, "kernel_size": 3, "padding": "same"}}}}, {"TimeDistributed": {"layer": {"MaxPooling2D": 2}}}, {"TimeDistributed": {"layer": "Flatten"}}, {"LSTM": 16}])),
    ("timedistributed_4d_dense", seq([4, 6, 16], [{"TimeDistributed": {"layer": {"Dense": 5}}}])),
    ("timedistributed_batchnorm", seq([5, 16], [{"TimeDistributed": {"layer": "BatchNormalization"}}])),
    ("lstm_then_timedistributed", seq([30, 8], [{"LSTM": {"units": 20, "return_sequences": True}}, {"TimeDistributed": {"layer": {"Dense": {"units": 1, "activation": "sigmoid"}}}}])),
    # a wrapper's dtype policy is not its inner layer's: the wrapped weights follow their own layer
    ("wrapper_dtype_policies", seq([6, 8], [{"TimeDistributed": {"layer": {"Dense": {"units": 4, "dtype": "float16"}}, "dtype": "bfloat16"}}, {"Bidirectional": {"layer": {"GRU": {"units": 3, "return_sequences": True}}, "dtype": "float16"}}, {"TimeDistributed": {"layer": {"Dense": 2}, "dtype": "float16"}}])),
]

RECURRENT_ERRORS: list[Case] = [
    ("err_lstm_on_2d_input", seq([16], [{"LSTM": 8}])),
    ("err_gru_after_lstm_without_sequences", seq([10, 8], [{"LSTM": 8}, {"GRU": 4}])),
    ("err_bidir_backward_not_backwards", seq([10, 8], [{"Bidirectional": {"layer": {"LSTM": 16}, "backward_layer": {"LSTM": 16}}}])),
    ("err_convlstm2d_on_4d", seq([16, 16, 3], [{"ConvLSTM2D": [8, 3]}])),
]

# --------------------------------------------------------------------------- convolution
CONV: list[Case] = [
    ("conv1d_basic", seq([100, 8], [{"Conv1D": [16, 3]}])),
    ("conv1d_kwargs_stride2", seq([100, 8], [{"Conv1D": {"filters": 16, "kernel_size": 3, "strides": 2}}])),
    ("conv1d_same", seq([100, 8], [{"Conv1D": {"filters": 16, "kernel_size": 4, "padding": "same"}}])),
    ("conv1d_same_stride3", seq([100, 8], [{"Conv1D": {"filters": 16, "kernel_size": 4, "padding": "same", "strides": 3}}])),
    ("conv1d_causal", seq([100, 8], [{"Conv1D": {"filters": 16, "kernel_size": 5, "padding": "causal"}}])),
    ("conv1d_causal_dilated", seq([100, 8], [{"Conv1D": {"filters": 16, "kernel_size": 3, "padding": "causal", "dilation_rate": 4}}])),
    ("conv1d_dilation_valid", seq([100, 8], [{"Conv1D": {"filters": 16, "kernel_size": 3, "dilation_rate": 2}}])),
    ("conv1d_groups", seq([100, 8], [{"Conv1D": {"filters": 16, "kernel_size": 3, "groups": 2}}])),
    ("conv1d_groups_depthwise_like", seq([100, 8], [{"Conv1D": {"filters": 8, "kernel_size": 3, "groups": 8}}])),
    ("conv1d_no_bias", seq([100, 8], [{"Conv1D": {"filters": 16, "kernel_size": 3, "use_bias": False}}])),
    ("conv1d_channels_first", seq([8, 100], [{"Conv1D": {"filters": 16, "kernel_size": 3, "data_format": "channels_first"}}])),
    ("conv1d_kernel_tuple", seq([100, 8], [{"Conv1D": {"filters": 16, "kernel_size": [5]}}])),
    ("conv1d_alias_convolution1d", seq([50, 4], [{"Convolution1D": [8, 3]}])),
    ("conv1d_none_length", seq([None, 300], [{"Conv1D": {"filters": 128, "kernel_size": 7, "strides": 3}}, "GlobalMaxPooling1D"])),
    ("conv2d_mnist", seq([28, 28, 1], [{"Conv2D": {"filters": 32, "kernel_size": [3, 3], "activation": "relu"}}])),
    ("conv2d_positional", seq([32, 32, 3], [{"Conv2D": [64, 3]}])),
    ("conv2d_rect_kernel_same_s2", seq([32, 32, 3], [{"Conv2D": {"filters": 64, "kernel_size": [3, 5], "strides": 2, "padding": "same"}}])),
    ("conv2d_strides_2_1", seq([32, 32, 3], [{"Conv2D": {"filters": 8, "kernel_size": 3, "strides": [2, 1]}}])),
    ("conv2d_same_stride2_odd", seq([31, 33, 3], [{"Conv2D": {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"}}])),
    ("conv2d_valid_k4_s3", seq([31, 31, 3], [{"Conv2D": {"filters": 8, "kernel_size": 4, "strides": 3}}])),
    ("conv2d_dilation", seq([32, 32, 3], [{"Conv2D": {"filters": 8, "kernel_size": 3, "dilation_rate": [2, 2]}}])),
    ("conv2d_dilation_rect", seq([32, 32, 3], [{"Conv2D": {"filters": 8, "kernel_size": 3, "dilation_rate": [1, 3], "padding": "same"}}])),
    ("conv2d_groups", seq([16, 16, 16], [{"Conv2D": {"filters": 32, "kernel_size": 3, "groups": 4}}])),
    ("conv2d_no_bias", seq([16, 16, 3], [{"Conv2D": {"filters": 32, "kernel_size": 3, "use_bias": False}}])),
    ("conv2d_channels_first", seq([3, 32, 32], [{"Conv2D": {"filters": 16, "kernel_size": 3, "data_format": "channels_first"}}])),
    ("conv2d_channels_first_same_s2", seq([3, 32, 32], [{"Conv2D": {"filters": 16, "kernel_size": 3, "strides": 2, "padding": "same", "data_format": "channels_first"}}])),
    ("conv2d_pointwise", seq([14, 14, 256], [{"Conv2D": [64, 1]}])),
    ("conv2d_alias_convolution2d", seq([28, 28, 1], [{"Convolution2D": [6, 5]}])),
    ("conv2d_none_spatial", seq([None, None, 3], [{"Conv2D": [16, 3]}, "GlobalAveragePooling2D", {"Dense": 10}])),
    ("conv2d_big", seq([56, 56, 256], [{"Conv2D": {"filters": 512, "kernel_size": 3, "padding": "same"}}])),
    ("conv3d_basic", seq([16, 16, 16, 1], [{"Conv3D": [8, 3]}])),
    ("conv3d_same_s2", seq([16, 16, 16, 1], [{"Conv3D": {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"}}])),
    ("conv3d_rect_kernel", seq([10, 16, 16, 2], [{"Conv3D": {"filters": 4, "kernel_size": [1, 3, 3], "strides": [1, 2, 2]}}])),
    ("conv3d_channels_first", seq([2, 8, 8, 8], [{"Conv3D": {"filters": 4, "kernel_size": 3, "data_format": "channels_first"}}])),
    ("conv3d_groups", seq([8, 8, 8, 6], [{"Conv3D": {"filters": 12, "kernel_size": 3, "groups": 3}}])),
    ("conv3d_no_bias_dilation", seq([12, 12, 12, 2], [{"Conv3D": {"filters": 4, "kernel_size": 3, "use_bias": False, "dilation_rate": 2}}])),
    ("conv3d_alias_convolution3d", seq([8, 8, 8, 1], [{"Convolution3D": [2, 2]}])),
    ("conv1dt_basic", seq([50, 8], [{"Conv1DTranspose": [16, 3]}])),
    ("conv1dt_s2_same", seq([50, 8], [{"Conv1DTranspose": {"filters": 16, "kernel_size": 3, "strides": 2, "padding": "same"}}])),
    ("conv1dt_s2_valid", seq([50, 8], [{"Conv1DTranspose": {"filters": 16, "kernel_size": 3, "strides": 2}}])),
    ("conv1dt_output_padding", seq([50, 8], [{"Conv1DTranspose": {"filters": 16, "kernel_size": 3, "strides": 2, "output_padding": 1}}])),
    ("conv1dt_dilation", seq([50, 8], [{"Conv1DTranspose": {"filters": 4, "kernel_size": 3, "dilation_rate": 2}}])),
    ("conv1dt_alias", seq([50, 8], [{"Convolution1DTranspose": {"filters": 4, "kernel_size": 2, "strides": 2, "use_bias": False}}])),
    ("conv2dt_dcgan", seq([7, 7, 64], [{"Conv2DTranspose": {"filters": 32, "kernel_size": 3, "strides": 2, "padding": "same"}}])),
    ("conv2dt_valid_s2", seq([7, 7, 64], [{"Conv2DTranspose": {"filters": 32, "kernel_size": 3, "strides": 2}}])),
    ("conv2dt_output_padding", seq([7, 7, 64], [{"Conv2DTranspose": {"filters": 32, "kernel_size": 3, "strides": 2, "output_padding": [1, 1]}}])),
    ("conv2dt_same_output_padding", seq([7, 7, 64], [{"Conv2DTranspose": {"filters": 32, "kernel_size": 5, "strides": 3, "padding": "same", "output_padding": 2}}])),
    ("conv2dt_channels_first", seq([16, 8, 8], [{"Conv2DTranspose": {"filters": 8, "kernel_size": 4, "strides": 2, "padding": "same", "data_format": "channels_first"}}])),
    ("conv2dt_no_bias_rect", seq([8, 8, 16], [{"Conv2DTranspose": {"filters": 8, "kernel_size": [2, 4], "strides": [2, 1], "use_bias": False}}])),
    ("conv2dt_alias", seq([8, 8, 16], [{"Convolution2DTranspose": [3, 3]}])),
    ("conv2dt_dilation", seq([8, 8, 16], [{"Conv2DTranspose": {"filters": 4, "kernel_size": 3, "dilation_rate": 2}}])),
    ("conv3dt_basic", seq([4, 4, 4, 8], [{"Conv3DTranspose": [4, 3]}])),
    ("conv3dt_s2_same", seq([4, 4, 4, 8], [{"Conv3DTranspose": {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}}])),
    ("conv3dt_output_padding", seq([4, 4, 4, 8], [{"Conv3DTranspose": {"filters": 4, "kernel_size": 3, "strides": 2, "output_padding": 1}}])),
    ("conv3dt_channels_first_alias", seq([8, 4, 4, 4], [{"Convolution3DTranspose": {"filters": 2, "kernel_size": 2, "strides": 2, "data_format": "channels_first"}}])),
    ("sepconv1d_basic", seq([50, 8], [{"SeparableConv1D": [16, 3]}])),
    ("sepconv1d_dm2_same", seq([50, 8], [{"SeparableConv1D": {"filters": 16, "kernel_size": 3, "depth_multiplier": 2, "padding": "same"}}])),
    ("sepconv1d_no_bias_s2", seq([50, 8], [{"SeparableConv1D": {"filters": 16, "kernel_size": 5, "strides": 2, "use_bias": False}}])),
    ("sepconv1d_alias", seq([50, 8], [{"SeparableConvolution1D": [4, 3]}])),
    ("sepconv2d_basic", seq([32, 32, 3], [{"SeparableConv2D": [16, 3]}])),
    ("sepconv2d_dm3", seq([32, 32, 3], [{"SeparableConv2D": {"filters": 16, "kernel_size": 3, "depth_multiplier": 3}}])),
    ("sepconv2d_s2_same_no_bias", seq([32, 32, 16], [{"SeparableConv2D": {"filters": 32, "kernel_size": 3, "strides": 2, "padding": "same", "use_bias": False}}])),
    ("sepconv2d_channels_first", seq([16, 32, 32], [{"SeparableConv2D": {"filters": 32, "kernel_size": [3, 5], "data_format": "channels_first"}}])),
    ("sepconv2d_dilation_alias", seq([32, 32, 8], [{"SeparableConvolution2D": {"filters": 8, "kernel_size": 3, "dilation_rate": 2}}])),
    ("dwconv1d_basic", seq([50, 8], [{"DepthwiseConv1D": 3}])),
    ("dwconv1d_dm2", seq([50, 8], [{"DepthwiseConv1D": {"kernel_size": 3, "depth_multiplier": 2}}])),
    ("dwconv1d_same_s2_no_bias", seq([50, 8], [{"DepthwiseConv1D": {"kernel_size": 5, "strides": 2, "padding": "same", "use_bias": False}}])),
    ("dwconv2d_basic", seq([32, 32, 16], [{"DepthwiseConv2D": 3}])),
    ("dwconv2d_dm2", seq([32, 32, 16], [{"DepthwiseConv2D": {"kernel_size": 3, "depth_multiplier": 2}}])),
    ("dwconv2d_s2_same", seq([32, 32, 16], [{"DepthwiseConv2D": {"kernel_size": [3, 3], "strides": 2, "padding": "same"}}])),
    ("dwconv2d_channels_first", seq([16, 32, 32], [{"DepthwiseConv2D": {"kernel_size": 3, "depth_multiplier": 4, "data_format": "channels_first"}}])),
    ("dwconv2d_no_bias_dilation", seq([32, 32, 16], [{"DepthwiseConv2D": {"kernel_size": 3, "use_bias": False, "dilation_rate": 2}}])),
    ("mobilenet_block", seq([56, 56, 32], [{"DepthwiseConv2D": {"kernel_size": 3, "padding": "same", "use_bias": False}}, "BatchNormalization", "ReLU", {"Conv2D": {"filters": 64, "kernel_size": 1, "use_bias": False}}, "BatchNormalization", {"ReLU": 6.0}])),
    ("vgg_block", seq([64, 64, 3], [{"Conv2D": {"filters": 64, "kernel_size": 3, "padding": "same", "activation": "relu"}}, {"Conv2D": {"filters": 64, "kernel_size": 3, "padding": "same", "activation": "relu"}}, {"MaxPooling2D": 2}, {"Conv2D": {"filters": 128, "kernel_size": 3, "padding": "same", "activation": "relu"}}, {"MaxPooling2D": 2}, "Flatten", {"Dense": 256}, {"Dense": 10}])),
    ("conv1d_text_cnn", seq([200], [{"Embedding": [20000, 128]}, {"Conv1D": {"filters": 128, "kernel_size": 7, "strides": 3, "activation": "relu"}}, {"Conv1D": {"filters": 128, "kernel_size": 7, "strides": 3, "activation": "relu"}}, "GlobalMaxPooling1D", {"Dense": 128}, {"Dense": 1}], INT)),
    ("conv_autoencoder", seq([28, 28, 1], [{"Conv2D": {"filters": 32, "kernel_size": 3, "activation": "relu", "padding": "same"}}, {"MaxPooling2D": {"pool_size": 2, "padding": "same"}}, {"Conv2D": {"filters": 32, "kernel_size": 3, "activation": "relu", "padding": "same"}}, {"MaxPooling2D": {"pool_size": 2, "padding": "same"}}, {"Conv2DTranspose": {"filters": 32, "kernel_size": 3, "strides": 2, "activation": "relu", "padding": "same"}}, {"Conv2DTranspose": {"filters": 32, "kernel_size": 3, "strides": 2, "activation": "relu", "padding": "same"}}, {"Conv2D": {"filters": 1, "kernel_size": 3, "activation": "sigmoid", "padding": "same"}}])),
]

CONV_ERRORS: list[Case] = [
    ("err_conv2d_on_2d_input", seq([16], [{"Conv2D": [8, 3]}])),
    ("err_conv2d_kernel_larger_than_input", seq([4, 4, 3], [{"Conv2D": [8, 5]}])),
    ("err_conv1d_groups_not_dividing", seq([100, 6], [{"Conv1D": {"filters": 16, "kernel_size": 3, "groups": 4}}])),
    ("err_conv2d_filters_not_divisible_by_groups", seq([16, 16, 8], [{"Conv2D": {"filters": 6, "kernel_size": 3, "groups": 4}}])),
    ("err_conv2d_causal_padding", seq([16, 16, 3], [{"Conv2D": {"filters": 4, "kernel_size": 3, "padding": "causal"}}])),
    ("err_conv3d_on_4d_input", seq([8, 8, 3], [{"Conv3D": [4, 3]}])),
    ("err_conv2dt_output_padding_too_big", seq([7, 7, 4], [{"Conv2DTranspose": {"filters": 4, "kernel_size": 3, "strides": 2, "output_padding": 2}}])),
]

# --------------------------------------------------------------------------- normalization
NORMALIZATION: list[Case] = [
    ("bn_vector", seq([16], ["BatchNormalization"])),
    ("bn_image", seq([8, 8, 3], [{"Conv2D": [16, 3]}, "BatchNormalization"])),
    ("bn_axis1_channels_first", seq([3, 8, 8], [{"BatchNormalization": {"axis": 1}}])),
    ("bn_center_false", seq([16], [{"BatchNormalization": {"center": False}}])),
    ("bn_scale_false", seq([16], [{"BatchNormalization": {"scale": False}}])),
    ("bn_center_scale_false", seq([16], [{"BatchNormalization": {"center": False, "scale": False}}])),
    ("bn_sequence", seq([10, 32], ["BatchNormalization"])),
    ("bn_axis_minus2", seq([10, 32], [{"BatchNormalization": {"axis": -2}}])),
    ("bn_renorm", seq([16], [{"BatchNormalization": {"renorm": True}}])),
    ("bn_trainable_false", seq([16], [{"Dense": 8}, {"BatchNormalization": {"trainable": False}}])),
    ("ln_default", seq([10, 16], ["LayerNormalization"])),
    ("ln_vector", seq([16], ["LayerNormalization"])),
    ("ln_axis_list", seq([10, 16], [{"LayerNormalization": {"axis": [-2, -1]}}])),
    ("ln_axis_list_4d", seq([4, 5, 6], [{"LayerNormalization": {"axis": [1, 2, 3]}}])),
    ("ln_axis1", seq([10, 16], [{"LayerNormalization": {"axis": 1}}])),
    ("ln_center_false", seq([10, 16], [{"LayerNormalization": {"center": False}}])),
    ("ln_scale_false", seq([10, 16], [{"LayerNormalization": {"scale": False}}])),
    ("ln_none_false", seq([10, 16], [{"LayerNormalization": {"center": False, "scale": False}}])),
    ("gn_groups4", seq([8, 8, 16], [{"GroupNormalization": {"groups": 4}}])),
    ("gn_groups_positional", seq([8, 8, 16], [{"GroupNormalization": 8}])),
    ("gn_instance_norm", seq([8, 8, 16], [{"GroupNormalization": {"groups": -1}}])),
    ("gn_channels_first", seq([16, 8, 8], [{"GroupNormalization": {"groups": 4, "axis": 1}}])),
    ("gn_center_false", seq([10, 32], [{"GroupNormalization": {"groups": 32, "center": False}}])),
    ("gn_scale_false", seq([10, 32], [{"GroupNormalization": {"groups": 2, "scale": False}}])),
    ("unitnorm_default", seq([16], ["UnitNormalization"])),
    ("unitnorm_axis_list", seq([4, 5, 6], [{"UnitNormalization": {"axis": [1, 2]}}])),
    ("rmsnorm_default", seq([10, 16], ["RMSNormalization"])),
    ("rmsnorm_axis_list", seq([10, 16], [{"RMSNormalization": {"axis": [-2, -1]}}])),
    ("rmsnorm_axis1", seq([10, 16], [{"RMSNormalization": {"axis": 1}}])),
    ("normalization_default", seq([5], ["Normalization"])),
    ("normalization_3d", seq([7, 5], ["Normalization"])),
    ("normalization_axis_list", seq([4, 5, 6], [{"Normalization": {"axis": [1, 2]}}])),
    ("normalization_axis_none", seq([4, 5], [{"Normalization": {"axis": None}}])),
    ("normalization_with_stats", seq([3], [{"Normalization": {"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0]}}])),
    ("normalization_invert", seq([5], [{"Normalization": {"invert": True}}, {"Dense": 2}])),
    ("rescaling_positional", seq([8, 8, 3], [{"Rescaling": 0.00392156862745098}, {"Conv2D": [4, 3]}])),
    ("rescaling_offset", seq([8, 8, 3], [{"Rescaling": {"scale": 0.5, "offset": -1.0}}])),
    ("spectral_norm_dense", seq([16], [{"SpectralNormalization": {"layer": {"Dense": 8}}}])),
    ("spectral_norm_conv2d", seq([8, 8, 3], [{"SpectralNormalization": {"layer": {"Conv2D": [4, 3]}, "power_iterations": 2}}])),
]

NORMALIZATION_ERRORS: list[Case] = [
    ("err_gn_groups_not_dividing", seq([8, 8, 10], [{"GroupNormalization": {"groups": 4}}])),
    ("err_bn_axis_out_of_range", seq([16], [{"BatchNormalization": {"axis": 3}}])),
]

# --------------------------------------------------------------------------- attention
_X64 = {"x": [10, 64]}
ATTENTION: list[Case] = [
    ("mha_self", graph(_X64, [{"MultiHeadAttention": {"num_heads": 4, "key_dim": 16, "inputs": ["x", "x"]}}])),
    ("mha_self_key_dim_not_split", graph(_X64, [{"MultiHeadAttention": {"num_heads": 8, "key_dim": 64, "inputs": ["x", "x"]}}])),
    ("mha_value_dim", graph(_X64, [{"MultiHeadAttention": {"num_heads": 4, "key_dim": 16, "value_dim": 32, "inputs": ["x", "x"]}}])),
    ("mha_no_bias", graph(_X64, [{"MultiHeadAttention": {"num_heads": 4, "key_dim": 16, "use_bias": False, "inputs": ["x", "x"]}}])),
    ("mha_output_shape_int", graph(_X64, [{"MultiHeadAttention": {"num_heads": 2, "key_dim": 8, "output_shape": 10, "inputs": ["x", "x"]}}])),
    ("mha_output_shape_tuple", graph(_X64, [{"MultiHeadAttention": {"num_heads": 2, "key_dim": 8, "output_shape": [5, 2], "inputs": ["x", "x"]}}])),
    ("mha_cross_different_widths", graph({"q": [8, 32], "v": [12, 48]}, [{"MultiHeadAttention": {"num_heads": 4, "key_dim": 8, "inputs": ["q", "v"]}}])),
    ("mha_cross_with_key", graph({"q": [8, 32], "v": [12, 48], "k": [12, 16]}, [{"MultiHeadAttention": {"num_heads": 4, "key_dim": 8, "value_dim": 6, "inputs": ["q", "v", "k"]}}])),
    ("mha_attention_axes", graph({"x": [5, 6, 32]}, [{"MultiHeadAttention": {"num_heads": 2, "key_dim": 4, "attention_axes": [1], "inputs": ["x", "x"]}}])),
    ("mha_attention_axes_2d", graph({"x": [5, 6, 32]}, [{"MultiHeadAttention": {"num_heads": 2, "key_dim": 4, "attention_axes": [1, 2], "inputs": ["x", "x"]}}])),
    ("mha_use_gate", graph(_X64, [{"MultiHeadAttention": {"num_heads": 4, "key_dim": 16, "use_gate": True, "inputs": ["x", "x"]}}])),
    ("mha_big", graph({"x": [512, 1024]}, [{"MultiHeadAttention": {"num_heads": 16, "key_dim": 64, "inputs": ["x", "x"]}}])),
    ("mha_none_seq", graph({"x": [None, 64]}, [{"MultiHeadAttention": {"num_heads": 4, "key_dim": 16, "dropout": 0.1, "inputs": ["x", "x"]}}])),
    ("mha_on_projected", graph({"x": [10, 20]}, [{"Dense": {"units": 32, "name": "proj"}}, {"MultiHeadAttention": {"num_heads": 2, "key_dim": 16, "inputs": ["proj", "x"]}}])),
    ("gqa_basic", graph(_X64, [{"GroupQueryAttention": {"head_dim": 16, "num_query_heads": 8, "num_key_value_heads": 2, "inputs": ["x", "x"]}}])),
    ("gqa_kv1", graph(_X64, [{"GroupQueryAttention": {"head_dim": 8, "num_query_heads": 4, "num_key_value_heads": 1, "inputs": ["x", "x"]}}])),
    ("gqa_kv_equal", graph(_X64, [{"GroupQueryAttention": {"head_dim": 16, "num_query_heads": 4, "num_key_value_heads": 4, "inputs": ["x", "x"]}}])),
    ("gqa_no_bias", graph(_X64, [{"GroupQueryAttention": {"head_dim": 16, "num_query_heads": 8, "num_key_value_heads": 2, "use_bias": False, "inputs": ["x", "x"]}}])),
    ("gqa_cross_with_key", graph({"q": [8, 32], "v": [12, 32], "k": [12, 16]}, [{"GroupQueryAttention": {"head_dim": 8, "num_query_heads": 6, "num_key_value_heads": 3, "inputs": ["q", "v", "k"]}}])),
    ("gqa_use_gate", graph(_X64, [{"GroupQueryAttention": {"head_dim": 16, "num_query_heads": 4, "num_key_value_heads": 2, "use_gate": True, "inputs": ["x", "x"]}}])),
    ("attention_dot", graph({"q": [8, 16], "v": [10, 16]}, [{"Attention": {"inputs": ["q", "v"]}}])),
    ("attention_use_scale", graph({"q": [8, 16], "v": [10, 16]}, [{"Attention": {"use_scale": True, "inputs": ["q", "v"]}}])),
    ("attention_concat", graph({"q": [8, 16], "v": [10, 16]}, [{"Attention": {"score_mode": "concat", "inputs": ["q", "v"]}}])),
    ("attention_concat_scale_key", graph({"q": [8, 16], "v": [10, 12], "k": [10, 16]}, [{"Attention": {"score_mode": "concat", "use_scale": True, "inputs": ["q", "v", "k"]}}])),
    ("additive_attention", graph({"q": [8, 16], "v": [10, 16]}, [{"AdditiveAttention": {"inputs": ["q", "v"]}}])),
    ("additive_attention_no_scale", graph({"q": [8, 16], "v": [10, 16]}, [{"AdditiveAttention": {"use_scale": False, "inputs": ["q", "v"]}}])),
    ("additive_attention_key", graph({"q": [8, 16], "v": [10, 16], "k": [10, 16]}, [{"AdditiveAttention": {"inputs": ["q", "v", "k"]}}])),
    ("attention_text_pipeline", graph({"tokens": {"shape": [None], "dtype": INT}}, [
        {"Embedding": {"input_dim": 1000, "output_dim": 64, "name": "emb"}},
        {"Conv1D": {"filters": 64, "kernel_size": 4, "padding": "same", "name": "qenc", "inputs": ["emb"]}},
        {"Conv1D": {"filters": 64, "kernel_size": 4, "padding": "same", "name": "venc", "inputs": ["emb"]}},
        {"Attention": {"inputs": ["qenc", "venc"]}},
        {"GlobalAveragePooling1D": {"inputs": ["qenc"], "name": "qpool"}},
        {"GlobalAveragePooling1D": {"inputs": ["attention"], "name": "apool"}},
        {"Concatenate": {"inputs": ["qpool", "apool"]}},
        {"Dense": 1},
    ])),
    # trainable=False before the layer is built freezes nothing: the projections are created at build time
    ("mha_trainable_false_stays_trainable", graph(_X64, [{"MultiHeadAttention": {"num_heads": 2, "key_dim": 8, "trainable": False, "inputs": ["x", "x"]}}, {"GroupQueryAttention": {"head_dim": 8, "num_query_heads": 2, "num_key_value_heads": 1, "trainable": False, "dtype": "bfloat16", "inputs": ["multi_head_attention", "x"]}}, {"Dense": {"units": 4, "trainable": False}}])),
]

ATTENTION_ERRORS: list[Case] = [
    ("err_mha_in_sequential", seq([10, 64], [{"MultiHeadAttention": {"num_heads": 4, "key_dim": 16}}])),
    ("err_gqa_heads_not_divisible", graph(_X64, [{"GroupQueryAttention": {"head_dim": 16, "num_query_heads": 6, "num_key_value_heads": 4, "inputs": ["x", "x"]}}])),
    ("err_gqa_query_value_width_mismatch", graph({"q": [8, 32], "v": [12, 48]}, [{"GroupQueryAttention": {"head_dim": 8, "num_query_heads": 4, "num_key_value_heads": 2, "inputs": ["q", "v"]}}])),
]

# --------------------------------------------------------------------------- pooling / reshaping
POOLING_RESHAPE: list[Case] = [
    ("maxpool1d_default", seq([100, 8], ["MaxPooling1D"])),
    ("maxpool1d_pool3_stride1", seq([100, 8], [{"MaxPooling1D": {"pool_size": 3, "strides": 1}}])),
    ("maxpool1d_same", seq([99, 8], [{"MaxPooling1D": {"pool_size": 2, "padding": "same"}}])),
    ("maxpool1d_channels_first", seq([8, 100], [{"MaxPooling1D": {"pool_size": 4, "data_format": "channels_first"}}])),
    ("maxpool1d_alias", seq([100, 8], [{"MaxPool1D": 5}])),
    ("avgpool1d", seq([100, 8], [{"AveragePooling1D": {"pool_size": 3, "strides": 2}}])),
    ("avgpool1d_alias_same", seq([101, 8], [{"AvgPool1D": {"pool_size": 4, "strides": 3, "padding": "same"}}])),
    ("maxpool2d_default", seq([28, 28, 3], ["MaxPooling2D"])),
    ("maxpool2d_3_s2_same", seq([28, 28, 3], [{"MaxPooling2D": {"pool_size": [3, 3], "strides": 2, "padding": "same"}}])),
    ("maxpool2d_3_s2_valid_odd", seq([27, 29, 3], [{"MaxPooling2D": {"pool_size": 3, "strides": 2}}])),
    ("maxpool2d_rect", seq([28, 28, 3], [{"MaxPooling2D": {"pool_size": [2, 4]}}])),
    ("maxpool2d_channels_first", seq([3, 28, 28], [{"MaxPooling2D": {"pool_size": 2, "data_format": "channels_first"}}])),
    ("maxpool2d_alias", seq([28, 28, 3], [{"MaxPool2D": [2, 1]}])),
    ("avgpool2d", seq([28, 28, 3], [{"AveragePooling2D": 2}])),
    ("avgpool2d_alias_same_s1", seq([28, 28, 3], [{"AvgPool2D": {"pool_size": 3, "strides": 1, "padding": "same"}}])),
    ("maxpool3d", seq([16, 16, 16, 2], ["MaxPooling3D"])),
    ("maxpool3d_alias_rect", seq([16, 16, 16, 2], [{"MaxPool3D": {"pool_size": [1, 2, 2]}}])),
    ("avgpool3d_same_s2", seq([15, 16, 17, 2], [{"AveragePooling3D": {"pool_size": 3, "strides": 2, "padding": "same"}}])),
    ("avgpool3d_channels_first_alias", seq([2, 16, 16, 16], [{"AvgPool3D": {"pool_size": 2, "data_format": "channels_first"}}])),
    ("gmaxpool1d", seq([100, 8], ["GlobalMaxPooling1D"])),
    ("gmaxpool1d_keepdims", seq([100, 8], [{"GlobalMaxPooling1D": {"keepdims": True}}])),
    ("gavgpool1d_channels_first", seq([8, 100], [{"GlobalAveragePooling1D": {"data_format": "channels_first"}}])),
    ("gavgpool1d_alias", seq([100, 8], ["GlobalAvgPool1D"])),
    ("gmaxpool2d", seq([7, 7, 512], ["GlobalMaxPooling2D"])),
    ("gmaxpool2d_alias_keepdims", seq([7, 7, 512], [{"GlobalMaxPool2D": {"keepdims": True}}])),
    ("gavgpool2d", seq([7, 7, 512], ["GlobalAveragePooling2D", {"Dense": 1000}])),
    ("gavgpool2d_channels_first_keepdims", seq([512, 7, 7], [{"GlobalAveragePooling2D": {"data_format": "channels_first", "keepdims": True}}])),
    ("gavgpool2d_alias", seq([7, 7, 64], ["GlobalAvgPool2D"])),
    ("gmaxpool3d", seq([4, 4, 4, 8], ["GlobalMaxPooling3D"])),
    ("gavgpool3d_keepdims", seq([4, 4, 4, 8], [{"GlobalAveragePooling3D": {"keepdims": True}}])),
    ("gavgpool3d_alias_channels_first", seq([8, 4, 4, 4], [{"GlobalAvgPool3D": {"data_format": "channels_first"}}])),
    ("gmaxpool3d_alias", seq([4, 4, 4, 8], ["GlobalMaxPool3D"])),
    ("adaptive_avgpool2d", seq([17, 23, 8], [{"AdaptiveAveragePooling2D": {"output_size": [4, 4]}}])),
    ("adaptive_maxpool1d", seq([50, 8], [{"AdaptiveMaxPooling1D": {"output_size": 7}}])),
    ("flatten_then_dense", seq([4, 4, 8], ["Flatten", {"Dense": 3}])),
    ("reshape_minus1", seq([4, 6], [{"Reshape": {"target_shape": [-1]}}])),
    ("reshape_positional", seq([24], [{"Reshape": [[2, 3, 4]]}])),
    ("reshape_minus1_middle", seq([4, 6], [{"Reshape": {"target_shape": [3, -1, 2]}}, {"Dense": 5}])),
    ("reshape_image_to_seq", seq([8, 8, 16], [{"Reshape": {"target_shape": [64, 16]}}, {"LSTM": 8}])),
    ("permute_2_1", seq([10, 16], [{"Permute": [[2, 1]]}, {"Dense": 4}])),
    ("permute_kwargs_3d", seq([4, 5, 6], [{"Permute": {"dims": [3, 1, 2]}}])),
    ("repeat_vector", seq([16], [{"RepeatVector": 3}, {"LSTM": 4}])),
    ("repeat_vector_kwargs", seq([16], [{"RepeatVector": {"n": 10}}])),
    ("cropping1d_int", seq([20, 4], [{"Cropping1D": 2}])),
    ("cropping1d_pair", seq([20, 4], [{"Cropping1D": {"cropping": [2, 5]}}])),
    ("cropping2d_int", seq([28, 28, 3], [{"Cropping2D": 2}])),
    ("cropping2d_pairs", seq([28, 28, 3], [{"Cropping2D": {"cropping": [[1, 2], [3, 4]]}}])),
    ("cropping2d_sym_pair", seq([28, 28, 3], [{"Cropping2D": {"cropping": [2, 3]}}])),
    ("cropping2d_channels_first", seq([3, 28, 28], [{"Cropping2D": {"cropping": [[1, 1], [2, 2]], "data_format": "channels_first"}}])),
    ("cropping3d", seq([10, 10, 10, 2], [{"Cropping3D": {"cropping": [[1, 1], [2, 2], [0, 3]]}}])),
    ("cropping3d_int", seq([10, 10, 10, 2], ["Cropping3D"])),
    ("zeropad1d", seq([20, 4], [{"ZeroPadding1D": 3}])),
    ("zeropad1d_pair", seq([20, 4], [{"ZeroPadding1D": {"padding": [1, 4]}}])),
    ("zeropad2d_default", seq([28, 28, 3], ["ZeroPadding2D"])),
    ("zeropad2d_pairs", seq([28, 28, 3], [{"ZeroPadding2D": {"padding": [[1, 2], [3, 4]]}}, {"Conv2D": [4, 3]}])),
    ("zeropad2d_channels_first", seq([3, 28, 28], [{"ZeroPadding2D": {"padding": [2, 1], "data_format": "channels_first"}}])),
    ("zeropad3d", seq([8, 8, 8, 2], [{"ZeroPadding3D": {"padding": [1, 2, 3]}}])),
    ("upsampling1d", seq([10, 4], [{"UpSampling1D": 3}])),
    ("upsampling1d_default", seq([10, 4], ["UpSampling1D"])),
    ("upsampling2d_rect_bilinear", seq([8, 8, 3], [{"UpSampling2D": {"size": [2, 3], "interpolation": "bilinear"}}])),
    ("upsampling2d_channels_first", seq([3, 8, 8], [{"UpSampling2D": {"size": 2, "data_format": "channels_first"}}])),
    ("upsampling3d", seq([4, 4, 4, 2], [{"UpSampling3D": {"size": [1, 2, 2]}}])),
    ("unet_like_seq", seq([32, 32, 3], [{"Conv2D": {"filters": 8, "kernel_size": 3, "padding": "same"}}, "MaxPooling2D", {"Conv2D": {"filters": 16, "kernel_size": 3, "padding": "same"}}, "UpSampling2D", {"Conv2D": {"filters": 8, "kernel_size": 3, "padding": "same"}}, {"Cropping2D": 2}, {"ZeroPadding2D": 2}, {"Conv2D": [1, 1]}])),
]

POOLING_RESHAPE_ERRORS: list[Case] = [
    ("err_reshape_not_dividing", seq([4, 6], [{"Reshape": {"target_shape": [5, -1]}}])),
    ("err_reshape_wrong_size", seq([4, 6], [{"Reshape": {"target_shape": [5, 5]}}])),
    ("err_maxpool2d_on_2d", seq([16], ["MaxPooling2D"])),
    ("err_cropping1d_too_much", seq([4, 3], [{"Cropping1D": {"cropping": [2, 3]}}])),
    ("err_permute_bad_dims", seq([4, 5], [{"Permute": [[1, 3]]}])),
]

# --------------------------------------------------------------------------- merging
_AB = {"a": [8], "b": [8]}
MERGING: list[Case] = [
    ("add_two", graph(_AB, [{"Add": {"inputs": ["a", "b"]}}])),
    ("add_three", graph({"a": [8], "b": [8], "c": [8]}, [{"Add": {"inputs": ["a", "b", "c"]}}])),
    ("add_broadcast", graph({"a": [4, 8], "b": [1, 8]}, [{"Add": {"inputs": ["a", "b"]}}])),
    ("subtract", graph(_AB, [{"Subtract": {"inputs": ["a", "b"]}}])),
    ("multiply", graph(_AB, [{"Multiply": {"inputs": ["a", "b"]}}])),
    ("average", graph(_AB, [{"Average": {"inputs": ["a", "b"]}}])),
    ("maximum", graph({"a": [4, 8], "b": [4, 8]}, [{"Maximum": {"inputs": ["a", "b"]}}])),
    ("minimum", graph(_AB, [{"Minimum": {"inputs": ["a", "b"]}}])),
    ("concatenate_default", graph({"a": [8], "b": [5]}, [{"Concatenate": {"inputs": ["a", "b"]}}, {"Dense": 2}])),
    ("concatenate_axis1_3d", graph({"a": [3, 8], "b": [5, 8]}, [{"Concatenate": {"axis": 1, "inputs": ["a", "b"]}}])),
    ("concatenate_axis_minus2", graph({"a": [3, 8], "b": [5, 8]}, [{"Concatenate": {"axis": -2, "inputs": ["a", "b"]}}])),
    ("concatenate_axis_minus1_3d", graph({"a": [3, 8], "b": [3, 2]}, [{"Concatenate": {"axis": -1, "inputs": ["a", "b"]}}])),
    ("concatenate_three_images", graph({"a": [8, 8, 3], "b": [8, 8, 5], "c": [8, 8, 1]}, [{"Concatenate": {"inputs": ["a", "b", "c"]}}, {"Conv2D": [4, 1]}])),
    ("concatenate_masked_uses_a_name", graph({"t": {"shape": [6], "dtype": INT}}, [{"Embedding": {"input_dim": 50, "output_dim": 8, "mask_zero": True, "inputs": ["t"]}}, {"Concatenate": {"inputs": ["embedding", "embedding"]}}, {"Concatenate": {"inputs": ["concatenate", "embedding"]}}, {"Dense": 3}])),
    ("masked_concatenate_moves_inputs", graph({"t": {"shape": [6], "dtype": INT}, "b": [6, 8]}, [{"Embedding": {"input_dim": 50, "output_dim": 8, "mask_zero": True, "inputs": ["t"]}}, {"Concatenate": {"inputs": ["embedding", "b"]}}, {"LSTM": {"units": 4, "inputs": ["concatenate"]}}])),
    ("masked_add_lstm_order", graph({"t": {"shape": [6], "dtype": INT}, "u": {"shape": [6], "dtype": INT}}, [{"Embedding": {"input_dim": 50, "output_dim": 8, "mask_zero": True, "inputs": ["u"]}}, {"Embedding": {"input_dim": 50, "output_dim": 8, "mask_zero": True, "inputs": ["t"]}}, {"Dense": {"units": 8, "inputs": ["embedding_1"]}}, {"Add": {"inputs": ["dense", "embedding"]}}, {"LSTM": {"units": 4, "inputs": ["add"]}}])),
    ("dot_axes1", graph(_AB, [{"Dot": {"axes": 1, "inputs": ["a", "b"]}}])),
    ("dot_axes_pair_3d", graph({"a": [3, 4], "b": [5, 4]}, [{"Dot": {"axes": [2, 2], "inputs": ["a", "b"]}}])),
    ("dot_normalize", graph(_AB, [{"Dot": {"axes": -1, "normalize": True, "inputs": ["a", "b"]}}])),
    ("dot_axes_1_1_3d", graph({"a": [3, 4], "b": [3, 6]}, [{"Dot": {"axes": [1, 1], "inputs": ["a", "b"]}}])),
    ("dot_positional", graph({"a": [3, 4], "b": [5, 4]}, [{"Dot": {"axes": 2, "inputs": ["a", "b"]}}])),
    ("branches_then_add", graph({"x": [16]}, [{"Dense": {"units": 8, "inputs": ["x"]}}, {"Dense": {"units": 8, "inputs": ["x"]}}, {"Add": {"inputs": ["dense", "dense_1"]}}, {"Dense": 1}])),
    ("branches_then_concat_named", graph({"x": [16]}, [{"Dense": {"units": 8, "name": "left", "inputs": ["x"]}}, {"Dense": {"units": 4, "name": "right", "inputs": ["x"]}}, {"Concatenate": {"inputs": ["left", "right"], "name": "cat"}}, {"Dense": 1}])),
    ("two_towers_dot", graph({"user": {"shape": [1], "dtype": INT}, "item": {"shape": [1], "dtype": INT}}, [
        {"Embedding": {"input_dim": 10000, "output_dim": 32, "inputs": ["user"], "name": "user_emb"}},
        {"Embedding": {"input_dim": 5000, "output_dim": 32, "inputs": ["item"], "name": "item_emb"}},
        {"Flatten": {"inputs": ["user_emb"], "name": "uf"}},
        {"Flatten": {"inputs": ["item_emb"], "name": "if"}},
        {"Dot": {"axes": 1, "inputs": ["uf", "if"]}},
    ])),
    ("multiply_gating", graph({"x": [10, 16]}, [{"Dense": {"units": 16, "activation": "sigmoid", "name": "gate"}}, {"Dense": {"units": 16, "inputs": ["x"], "name": "val"}}, {"Multiply": {"inputs": ["gate", "val"]}}])),
    ("maximum_three", graph({"a": [6], "b": [6], "c": [6]}, [{"Maximum": {"inputs": ["a", "b", "c"]}}])),
    ("subtract_then_dense", graph({"a": [2, 8], "b": [2, 8]}, [{"Subtract": {"inputs": ["a", "b"]}}, {"Dense": 3}])),
]

MERGING_ERRORS: list[Case] = [
    ("err_concatenate_mismatch", graph({"a": [3, 8], "b": [5, 8]}, [{"Concatenate": {"axis": -1, "inputs": ["a", "b"]}}])),
    ("err_add_mismatch", graph({"a": [8], "b": [6]}, [{"Add": {"inputs": ["a", "b"]}}])),
    ("err_subtract_three", graph({"a": [8], "b": [8], "c": [8]}, [{"Subtract": {"inputs": ["a", "b", "c"]}}])),
    ("err_dot_mismatch", graph({"a": [8], "b": [6]}, [{"Dot": {"axes": 1, "inputs": ["a", "b"]}}])),
    ("err_add_single_input", graph({"a": [8]}, [{"Add": {"inputs": ["a"]}}])),
]

# --------------------------------------------------------------------------- activations
ACTIVATIONS: list[Case] = [
    ("prelu_vector", seq([10], ["PReLU"])),
    ("prelu_image_full", seq([8, 8, 3], ["PReLU"])),
    ("prelu_shared_axes_12", seq([8, 8, 3], [{"PReLU": {"shared_axes": [1, 2]}}])),
    ("prelu_shared_axes_1", seq([10, 16], [{"PReLU": {"shared_axes": [1]}}])),
    ("prelu_shared_axes_2", seq([10, 16], [{"PReLU": {"shared_axes": [2]}}])),
    ("prelu_after_dense", seq([10], [{"Dense": 32}, "PReLU", {"Dense": 1}])),
    ("relu_bare", seq([10], ["ReLU"])),
    ("relu_max_value_positional", seq([10], [{"ReLU": 6.0}])),
    ("relu_kwargs", seq([10], [{"ReLU": {"max_value": 6.0, "negative_slope": 0.1, "threshold": 0.5}}])),
    ("leaky_relu_default", seq([10], ["LeakyReLU"])),
    ("leaky_relu_slope", seq([4, 10], [{"LeakyReLU": {"negative_slope": 0.2}}])),
    ("leaky_relu_positional", seq([10], [{"LeakyReLU": 0.01}])),
    ("elu_default", seq([10], ["ELU"])),
    ("elu_alpha", seq([10], [{"ELU": {"alpha": 0.5}}])),
    ("softmax_default", seq([10], ["Softmax"])),
    ("softmax_axis1", seq([4, 10], [{"Softmax": {"axis": 1}}])),
    ("activation_gelu", seq([10], [{"Activation": "gelu"}])),
    ("activation_chain", seq([10], [{"Dense": {"units": 8, "activation": "swish"}}, {"Activation": "tanh"}, {"Dense": {"units": 4, "activation": "softplus"}}, {"Activation": "sigmoid"}])),
    ("prelu_conv_stack", seq([16, 16, 3], [{"Conv2D": [8, 3]}, {"PReLU": {"shared_axes": [1, 2]}}, {"Conv2D": [8, 3]}, "PReLU"])),
]

ACTIVATIONS_ERRORS: list[Case] = [
    ("err_activation_unknown", seq([10], [{"Activation": "no_such_activation"}])),
]

# --------------------------------------------------------------------------- graphs
GRAPHS: list[Case] = [
    ("residual_dense_block", graph({"x": [64]}, [
        {"Dense": {"units": 64, "activation": "relu"}},
        {"Dense": 64},
        {"Add": {"inputs": ["x", "dense_1"]}},
        "LayerNormalization",
    ])),
    ("residual_conv_block", graph({"img": [32, 32, 16]}, [
        {"Conv2D": {"filters": 16, "kernel_size": 3, "padding": "same", "use_bias": False}},
        "BatchNormalization",
        "ReLU",
        {"Conv2D": {"filters": 16, "kernel_size": 3, "padding": "same", "use_bias": False}},
        "BatchNormalization",
        {"Add": {"inputs": ["img", "batch_normalization_1"]}},
        "ReLU",
    ])),
    ("residual_projection_shortcut", graph({"img": [32, 32, 16]}, [
        {"Conv2D": {"filters": 32, "kernel_size": 3, "strides": 2, "padding": "same", "name": "main"}},
        {"Conv2D": {"filters": 32, "kernel_size": 1, "strides": 2, "inputs": ["img"], "name": "shortcut"}},
        {"Add": {"inputs": ["main", "shortcut"]}},
        "GlobalAveragePooling2D",
        {"Dense": 10},
    ])),
    ("transformer_encoder_block", graph({"tokens": {"shape": [128], "dtype": INT}}, [
        {"Embedding": {"input_dim": 30000, "output_dim": 256, "name": "emb"}},
        {"MultiHeadAttention": {"num_heads": 4, "key_dim": 64, "name": "mha", "inputs": ["emb", "emb"]}},
        {"Add": {"inputs": ["emb", "mha"], "name": "res"}},
        {"LayerNormalization": {"name": "ln1"}},
        {"Dense": {"units": 512, "activation": "relu"}},
        {"Dense": 256},
        {"Add": {"inputs": ["ln1", "dense_1"]}},
        "LayerNormalization",
    ], ["layer_normalization"])),
    ("transformer_contract_example", graph({"tokens": {"shape": [128], "dtype": INT}}, [
        {"Embedding": {"input_dim": 30000, "output_dim": 256, "name": "emb"}},
        {"MultiHeadAttention": {"num_heads": 4, "key_dim": 64, "name": "mha", "inputs": ["emb", "emb"]}},
        {"Add": {"inputs": ["emb", "mha"], "name": "res"}},
        "LayerNormalization",
        {"Repeat": {"times": 4, "layers": [{"Dense": 512}, {"Dropout": 0.1}]}},
    ])),
    ("multi_input_multi_output", graph({"title": {"shape": [None], "dtype": INT}, "body": {"shape": [None], "dtype": INT}, "tags": [12]}, [
        {"Embedding": {"input_dim": 10000, "output_dim": 64, "inputs": ["title"], "name": "title_emb"}},
        {"Embedding": {"input_dim": 10000, "output_dim": 64, "inputs": ["body"], "name": "body_emb"}},
        {"LSTM": {"units": 128, "inputs": ["title_emb"], "name": "title_lstm"}},
        {"LSTM": {"units": 32, "inputs": ["body_emb"], "name": "body_lstm"}},
        {"Concatenate": {"inputs": ["title_lstm", "body_lstm", "tags"], "name": "cat"}},
        {"Dense": {"units": 1, "name": "priority", "inputs": ["cat"]}},
        {"Dense": {"units": 4, "name": "department", "inputs": ["cat"]}},
    ], ["priority", "department"])),
    ("shared_dense_twice", graph({"a": [16], "b": [16]}, [
        {"Dense": {"units": 8, "name": "shared", "inputs": ["a"]}},
        {"Reuse": {"layer": "shared", "inputs": ["b"], "name": "shared_b"}},
        {"Concatenate": {"inputs": ["shared", "shared_b"]}},
        {"Dense": 1},
    ])),
    ("shared_lstm_siamese", graph({"left": [20, 8], "right": [20, 8]}, [
        {"LSTM": {"units": 16, "name": "encoder", "inputs": ["left"]}},
        {"Reuse": {"layer": "encoder", "inputs": ["right"], "name": "encoder_right"}},
        {"Subtract": {"inputs": ["encoder", "encoder_right"]}},
        {"Dense": {"units": 1, "activation": "sigmoid"}},
    ])),
    ("shared_embedding_three_calls", graph({"a": {"shape": [5], "dtype": INT}, "b": {"shape": [5], "dtype": INT}, "c": {"shape": [5], "dtype": INT}}, [
        {"Embedding": {"input_dim": 100, "output_dim": 4, "name": "emb", "inputs": ["a"]}},
        {"Reuse": {"layer": "emb", "inputs": ["b"], "name": "emb_b"}},
        {"Reuse": {"layer": "emb", "inputs": ["c"], "name": "emb_c"}},
        {"Add": {"inputs": ["emb", "emb_b", "emb_c"]}},
    ])),
    ("nested_sequential", graph({"x": [32]}, [
        {"Dense": {"units": 16, "name": "pre"}},
        {"Sequential": {"name": "mlp", "layers": [{"Dense": 8}, {"Dropout": 0.1}, {"Dense": 4}]}},
        {"Dense": 1},
    ])),
    ("nested_sequential_with_input", graph({"x": [10, 32]}, [
        {"Sequential": {"name": "encoder", "input": {"shape": [10, 32]}, "layers": [{"LSTM": {"units": 16, "return_sequences": True}}, {"LSTM": 8}]}},
        {"Dense": 2},
    ])),
    ("nested_sequential_shared", graph({"a": [32], "b": [32]}, [
        {"Sequential": {"name": "tower", "layers": [{"Dense": 8}, {"Dense": 8}], "inputs": ["a"]}},
        {"Reuse": {"layer": "tower", "inputs": ["b"], "name": "tower_b"}},
        {"Dot": {"axes": 1, "normalize": True, "inputs": ["tower", "tower_b"]}},
    ])),
    ("frozen_embedding_graph", graph({"tokens": {"shape": [20], "dtype": INT}}, [
        {"Embedding": {"input_dim": 5000, "output_dim": 50, "trainable": False}},
        "GlobalAveragePooling1D",
        {"Dense": 1},
    ])),
    ("frozen_branch", graph({"x": [16]}, [
        {"Dense": {"units": 32, "trainable": False, "name": "frozen"}},
        {"BatchNormalization": {"trainable": False}},
        {"Dense": {"units": 32, "inputs": ["x"], "name": "live"}},
        {"Concatenate": {"inputs": ["batch_normalization", "live"]}},
        {"Dense": 1},
    ])),
    ("frozen_nested_sequential", graph({"x": [32]}, [
        {"Sequential": {"name": "backbone", "trainable": False, "layers": [{"Dense": 16}, "BatchNormalization", {"Dense": 8}]}},
        {"Dense": 2},
    ])),
    ("dangling_branch_excluded", graph({"x": [16]}, [
        {"Dense": {"units": 8, "name": "used"}},
        {"Dense": {"units": 1000, "name": "unused", "inputs": ["x"]}},
        {"Dense": {"units": 1, "name": "out", "inputs": ["used"]}},
    ], ["out"])),
    ("input_as_output_passthrough", graph({"x": [16]}, [{"Dense": {"units": 4, "name": "head"}}], ["head", "x"])),
    ("single_input_key_graph", {"input": {"shape": [12]}, "layers": [{"Dense": {"units": 8, "name": "h"}}, {"Dense": {"units": 8, "inputs": ["h"]}}, {"Add": {"inputs": ["h", "dense"]}}]}),
    ("graph_bidir_none_into_concat", graph({"x": [10, 8]}, [
        {"Bidirectional": {"layer": {"LSTM": 16}, "merge_mode": None, "name": "bi"}},
        {"Concatenate": {"inputs": ["bi"]}},
        {"Dense": 2},
    ])),
    ("graph_lstm_state_outputs", graph({"x": [10, 8]}, [
        {"LSTM": {"units": 16, "return_state": True, "name": "enc"}},
    ], ["enc"])),
    ("inception_like", graph({"img": [28, 28, 32]}, [
        {"Conv2D": {"filters": 16, "kernel_size": 1, "padding": "same", "name": "b1"}},
        {"Conv2D": {"filters": 8, "kernel_size": 1, "padding": "same", "inputs": ["img"], "name": "b3r"}},
        {"Conv2D": {"filters": 16, "kernel_size": 3, "padding": "same", "name": "b3"}},
        {"Conv2D": {"filters": 4, "kernel_size": 1, "padding": "same", "inputs": ["img"], "name": "b5r"}},
        {"Conv2D": {"filters": 8, "kernel_size": 5, "padding": "same", "name": "b5"}},
        {"MaxPooling2D": {"pool_size": 3, "strides": 1, "padding": "same", "inputs": ["img"], "name": "bp"}},
        {"Conv2D": {"filters": 8, "kernel_size": 1, "name": "bpp"}},
        {"Concatenate": {"inputs": ["b1", "b3", "b5", "bpp"], "axis": -1}},
    ])),
    ("unet_skip", graph({"img": [32, 32, 3]}, [
        {"Conv2D": {"filters": 16, "kernel_size": 3, "padding": "same", "name": "e1"}},
        {"MaxPooling2D": {"pool_size": 2, "name": "p1"}},
        {"Conv2D": {"filters": 32, "kernel_size": 3, "padding": "same", "name": "e2"}},
        {"Conv2DTranspose": {"filters": 16, "kernel_size": 2, "strides": 2, "name": "u1"}},
        {"Concatenate": {"inputs": ["u1", "e1"], "name": "skip"}},
        {"Conv2D": {"filters": 16, "kernel_size": 3, "padding": "same"}},
        {"Conv2D": {"filters": 1, "kernel_size": 1, "activation": "sigmoid"}},
    ])),
    ("wide_and_deep", graph({"wide": [100], "deep": [20]}, [
        {"Dense": {"units": 64, "activation": "relu", "inputs": ["deep"]}},
        {"Dense": {"units": 32, "activation": "relu"}},
        {"Concatenate": {"inputs": ["wide", "dense_1"]}},
        {"Dense": {"units": 1, "activation": "sigmoid"}},
    ])),
    ("squeeze_excitation", graph({"img": [16, 16, 64]}, [
        "GlobalAveragePooling2D",
        {"Dense": {"units": 16, "activation": "relu"}},
        {"Dense": {"units": 64, "activation": "sigmoid"}},
        {"Reshape": {"target_shape": [1, 1, 64]}},
        {"Multiply": {"inputs": ["img", "reshape"]}},
    ])),
    ("mha_consumes_dropout_auto_name", graph({"x": [10, 16]}, [
        {"MultiHeadAttention": {"num_heads": 2, "key_dim": 8, "dropout": 0.1, "inputs": ["x", "x"]}},
        {"Dropout": 0.1},
        {"Add": {"inputs": ["x", "dropout_1"]}},
        {"Dense": 16},
        {"Softmax": {}},
        {"Add": {"inputs": ["dropout_1", "softmax_1"]}},
    ])),
    ("wrapper_inner_consumes_auto_name", graph({"x": [10, 16]}, [
        {"TimeDistributed": {"layer": {"Dense": 8}}},
        {"Dense": 8},
        {"Bidirectional": {"layer": {"LSTM": {"units": 4, "return_sequences": True}}}},
        {"LSTM": {"units": 8, "return_sequences": True}},
        {"Concatenate": {"inputs": ["dense_1", "lstm_1", "time_distributed"]}},
    ])),
    ("gqa_decoder_block", graph({"x": [64, 128]}, [
        {"RMSNormalization": {"name": "n1"}},
        {"GroupQueryAttention": {"head_dim": 32, "num_query_heads": 4, "num_key_value_heads": 2, "use_bias": False, "inputs": ["n1", "n1"], "name": "attn"}},
        {"Add": {"inputs": ["x", "attn"], "name": "r1"}},
        {"RMSNormalization": {"name": "n2"}},
        {"Dense": {"units": 344, "use_bias": False, "name": "gate"}},
        {"Dense": {"units": 344, "use_bias": False, "inputs": ["n2"], "name": "up"}},
        {"Multiply": {"inputs": ["gate", "up"]}},
        {"Dense": {"units": 128, "use_bias": False, "name": "down"}},
        {"Add": {"inputs": ["r1", "down"]}},
    ])),
    # a nested model's ConvLSTM keeps its weights under conv_lstm_cell (its path inside the model)
    ("nested_sequential_convlstm_frozen", graph({"x": [4, 6, 3]}, [{"Sequential": {"name": "inner", "trainable": False, "layers": [{"ConvLSTM1D": {"filters": 2, "kernel_size": 3, "return_sequences": True}}, {"TimeDistributed": {"layer": "Flatten"}}]}}, {"MultiHeadAttention": {"num_heads": 1, "key_dim": 4, "inputs": ["inner", "inner"]}}])),
]

GRAPHS_ERRORS: list[Case] = [

    ("err_duplicate_layer_name", graph({"x": [8]}, [{"Dense": {"units": 4, "name": "d"}}, {"Dense": {"units": 4, "name": "d"}}])),
]

# --------------------------------------------------------------------------- lecture / tutorial classics
LECTURE: list[Case] = [
    ("lecture_simplernn_input_entry", bare([{"Input": {"shape": [3, 10000]}}, {"SimpleRNN": 32}, {"Dense": 1}])),
    ("lecture_embedding_input_length", bare([{"Embedding": {"input_dim": 50, "output_dim": 8, "input_length": 4}}, {"SimpleRNN": 32}, {"Dense": 1}])),
    ("lecture_contract_yaml_example", {"name": "rnn-with-embedding", "framework": "keras", "input": {"shape": [4], "dtype": INT}, "budget": {"max_params": 2000000}, "layers": [{"Embedding": {"input_dim": 50, "output_dim": 8}}, {"SimpleRNN": {"units": 32}}, {"Dense": 1}]}),
    ("lecture_mnist_mlp_input_shape", bare([{"Dense": {"units": 512, "activation": "relu", "input_shape": [784]}}, {"Dropout": 0.2}, {"Dense": {"units": 512, "activation": "relu"}}, {"Dropout": 0.2}, {"Dense": {"units": 10, "activation": "softmax"}}])),
    ("lecture_mnist_convnet", seq([28, 28, 1], [{"Conv2D": {"filters": 32, "kernel_size": [3, 3], "activation": "relu"}}, {"MaxPooling2D": {"pool_size": [2, 2]}}, {"Conv2D": {"filters": 64, "kernel_size": [3, 3], "activation": "relu"}}, {"MaxPooling2D": {"pool_size": [2, 2]}}, "Flatten", {"Dropout": 0.5}, {"Dense": {"units": 10, "activation": "softmax"}}])),
    ("lecture_imdb_dense", seq([10000], [{"Dense": {"units": 16, "activation": "relu"}}, {"Dense": {"units": 16, "activation": "relu"}}, {"Dense": {"units": 1, "activation": "sigmoid"}}])),
    ("lecture_reuters_dense", seq([10000], [{"Dense": {"units": 64, "activation": "relu"}}, {"Dense": {"units": 64, "activation": "relu"}}, {"Dense": {"units": 46, "activation": "softmax"}}])),
    ("lecture_boston_housing", seq([13], [{"Dense": {"units": 64, "activation": "relu"}}, {"Dense": {"units": 64, "activation": "relu"}}, {"Dense": 1}])),
    ("lecture_embedding_flatten", bare([{"Embedding": {"input_dim": 10000, "output_dim": 8, "input_length": 20}}, "Flatten", {"Dense": {"units": 1, "activation": "sigmoid"}}])),
    ("lecture_embedding_simplernn", seq([None], [{"Embedding": [10000, 32]}, {"SimpleRNN": 32}], INT)),
    ("lecture_imdb_lstm", seq([None], [{"Embedding": [20000, 128]}, {"LSTM": {"units": 128, "dropout": 0.2, "recurrent_dropout": 0.2}}, {"Dense": {"units": 1, "activation": "sigmoid"}}], INT)),
    ("lecture_jena_gru", seq([None, 14], [{"GRU": {"units": 32, "dropout": 0.1, "recurrent_dropout": 0.5, "return_sequences": True}}, {"GRU": {"units": 64, "activation": "relu", "dropout": 0.1, "recurrent_dropout": 0.5}}, {"Dense": 1}])),
    ("lecture_lenet5", seq([32, 32, 1], [{"Conv2D": {"filters": 6, "kernel_size": 5, "activation": "tanh"}}, {"AveragePooling2D": 2}, {"Conv2D": {"filters": 16, "kernel_size": 5, "activation": "tanh"}}, {"AveragePooling2D": 2}, "Flatten", {"Dense": {"units": 120, "activation": "tanh"}}, {"Dense": {"units": 84, "activation": "tanh"}}, {"Dense": {"units": 10, "activation": "softmax"}}])),
    ("lecture_alexnet", seq([227, 227, 3], [{"Conv2D": {"filters": 96, "kernel_size": 11, "strides": 4, "activation": "relu"}}, {"MaxPooling2D": {"pool_size": 3, "strides": 2}}, {"Conv2D": {"filters": 256, "kernel_size": 5, "padding": "same", "activation": "relu"}}, {"MaxPooling2D": {"pool_size": 3, "strides": 2}}, {"Conv2D": {"filters": 384, "kernel_size": 3, "padding": "same", "activation": "relu"}}, {"Conv2D": {"filters": 384, "kernel_size": 3, "padding": "same", "activation": "relu"}}, {"Conv2D": {"filters": 256, "kernel_size": 3, "padding": "same", "activation": "relu"}}, {"MaxPooling2D": {"pool_size": 3, "strides": 2}}, "Flatten", {"Dense": {"units": 4096, "activation": "relu"}}, {"Dropout": 0.5}, {"Dense": {"units": 4096, "activation": "relu"}}, {"Dropout": 0.5}, {"Dense": {"units": 1000, "activation": "softmax"}}])),
    ("lecture_vgg16", seq([224, 224, 3], [
        {"Conv2D": {"filters": 64, "kernel_size": 3, "padding": "same", "activation": "relu"}},
        {"Conv2D": {"filters": 64, "kernel_size": 3, "padding": "same", "activation": "relu"}},
        {"MaxPooling2D": {"pool_size": 2, "strides": 2}},
        {"Conv2D": {"filters": 128, "kernel_size": 3, "padding": "same", "activation": "relu"}},
        {"Conv2D": {"filters": 128, "kernel_size": 3, "padding": "same", "activation": "relu"}},
        {"MaxPooling2D": {"pool_size": 2, "strides": 2}},
        {"Repeat": {"times": 3, "layers": [{"Conv2D": {"filters": 256, "kernel_size": 3, "padding": "same", "activation": "relu"}}]}},
        {"MaxPooling2D": {"pool_size": 2, "strides": 2}},
        {"Repeat": {"times": 3, "layers": [{"Conv2D": {"filters": 512, "kernel_size": 3, "padding": "same", "activation": "relu"}}]}},
        {"MaxPooling2D": {"pool_size": 2, "strides": 2}},
        {"Repeat": {"times": 3, "layers": [{"Conv2D": {"filters": 512, "kernel_size": 3, "padding": "same", "activation": "relu"}}]}},
        {"MaxPooling2D": {"pool_size": 2, "strides": 2}},
        "Flatten",
        {"Dense": {"units": 4096, "activation": "relu"}},
        {"Dense": {"units": 4096, "activation": "relu"}},
        {"Dense": {"units": 1000, "activation": "softmax"}},
    ])),
    ("lecture_dcgan_generator", seq([100], [{"Dense": {"units": 12544, "use_bias": False}}, "BatchNormalization", "LeakyReLU", {"Reshape": [[7, 7, 256]]}, {"Conv2DTranspose": {"filters": 128, "kernel_size": [5, 5], "strides": [1, 1], "padding": "same", "use_bias": False}}, "BatchNormalization", "LeakyReLU", {"Conv2DTranspose": {"filters": 64, "kernel_size": [5, 5], "strides": [2, 2], "padding": "same", "use_bias": False}}, "BatchNormalization", "LeakyReLU", {"Conv2DTranspose": {"filters": 1, "kernel_size": [5, 5], "strides": [2, 2], "padding": "same", "use_bias": False, "activation": "tanh"}}])),
    ("lecture_dcgan_discriminator", seq([28, 28, 1], [{"Conv2D": {"filters": 64, "kernel_size": [5, 5], "strides": [2, 2], "padding": "same"}}, "LeakyReLU", {"Dropout": 0.3}, {"Conv2D": {"filters": 128, "kernel_size": [5, 5], "strides": [2, 2], "padding": "same"}}, "LeakyReLU", {"Dropout": 0.3}, "Flatten", {"Dense": 1}])),
    ("lecture_timeseries_conv1d", seq([500, 1], [{"Conv1D": {"filters": 64, "kernel_size": 3, "padding": "same"}}, "BatchNormalization", "ReLU", {"Conv1D": {"filters": 64, "kernel_size": 3, "padding": "same"}}, "BatchNormalization", "ReLU", {"Conv1D": {"filters": 64, "kernel_size": 3, "padding": "same"}}, "BatchNormalization", "ReLU", "GlobalAveragePooling1D", {"Dense": {"units": 2, "activation": "softmax"}}])),
    ("lecture_char_rnn", seq([40, 57], [{"LSTM": 128}, {"Dense": {"units": 57, "activation": "softmax"}}])),
    ("lecture_seq2seq_repeat", seq([7, 12], [{"LSTM": 128}, {"RepeatVector": 4}, {"LSTM": {"units": 128, "return_sequences": True}}, {"TimeDistributed": {"layer": {"Dense": {"units": 12, "activation": "softmax"}}}}])),
    ("lecture_video_classifier", seq([None, 64, 64, 1], [{"ConvLSTM2D": {"filters": 64, "kernel_size": [5, 5], "padding": "same", "return_sequences": True, "activation": "relu"}}, "BatchNormalization", {"ConvLSTM2D": {"filters": 64, "kernel_size": [3, 3], "padding": "same", "return_sequences": True, "activation": "relu"}}, "BatchNormalization", {"Conv3D": {"filters": 1, "kernel_size": [3, 3, 3], "activation": "sigmoid", "padding": "same"}}])),
    ("lecture_autoencoder_dense", seq([784], [{"Dense": {"units": 32, "activation": "relu"}}, {"Dense": {"units": 784, "activation": "sigmoid"}}])),
    ("lecture_keras_io_transformer_classifier", graph({"tokens": {"shape": [200], "dtype": INT}}, [
        {"Embedding": {"input_dim": 20000, "output_dim": 32, "name": "tok"}},
        {"MultiHeadAttention": {"num_heads": 2, "key_dim": 32, "inputs": ["tok", "tok"], "name": "att"}},
        {"Dropout": {"rate": 0.1, "name": "drop1"}},
        {"Add": {"inputs": ["tok", "drop1"], "name": "res1"}},
        {"LayerNormalization": {"epsilon": 1e-6, "name": "ln1"}},
        {"Dense": {"units": 32, "activation": "relu"}},
        {"Dense": 32},
        {"Dropout": {"rate": 0.1, "name": "drop2"}},
        {"Add": {"inputs": ["ln1", "drop2"]}},
        {"LayerNormalization": {"epsilon": 1e-6}},
        "GlobalAveragePooling1D",
        {"Dropout": 0.1},
        {"Dense": {"units": 20, "activation": "relu"}},
        {"Dropout": 0.1},
        {"Dense": {"units": 2, "activation": "softmax"}},
    ])),
    ("lecture_functional_api_mnist", graph({"img": [784]}, [
        {"Dense": {"units": 64, "activation": "relu"}},
        {"Dense": {"units": 64, "activation": "relu"}},
        {"Dense": 10},
    ])),
    ("lecture_text_vectorized_bow", seq([20000], [{"Dense": {"units": 16, "activation": "relu"}}, {"Dropout": 0.5}, {"Dense": {"units": 1, "activation": "sigmoid"}}])),
    ("lecture_input_shape_conv_keras2", bare([{"Conv2D": {"filters": 32, "kernel_size": 3, "activation": "relu", "input_shape": [150, 150, 3]}}, {"MaxPooling2D": [[2, 2]]}, {"Conv2D": {"filters": 64, "kernel_size": 3, "activation": "relu"}}, {"MaxPooling2D": [[2, 2]]}, {"Conv2D": {"filters": 128, "kernel_size": 3, "activation": "relu"}}, {"MaxPooling2D": [[2, 2]]}, {"Conv2D": {"filters": 128, "kernel_size": 3, "activation": "relu"}}, {"MaxPooling2D": [[2, 2]]}, "Flatten", {"Dense": {"units": 512, "activation": "relu"}}, {"Dense": {"units": 1, "activation": "sigmoid"}}])),
]

LECTURE_ERRORS: list[Case] = [
    ("err_lecture_simplernn_without_time_axis", bare([{"Input": {"shape": [10000]}}, {"SimpleRNN": 32}, {"Dense": 1}])),
]

NOTES: dict[str, str] = {
    "einsum_ellipsis": "Keras 3.15 bug: the symbolic output shape is (None, 3, 7, 16) but calling the layer gives (batch, 7, 3, 16); parameters are unaffected.",
    "einsum_abc_cd": "A None in EinsumDense output_shape stays None in Keras' output shape even though the input length (10) is known.",
    "einsum_abcd_cde_abe": "A None in EinsumDense output_shape stays None in Keras' output shape even though the input length (5) is known.",
    "bidir_backward_layer_other_units": "Keras 3.15 bug: Bidirectional reports (None, 32) (twice the forward units) but calling it gives (batch, 20) (16 + 4); parameters are right.",
    "ln_axis1": "Keras builds this (gamma/beta of shape (10,)) but on the torch backend calling it fails: the weights are not broadcast along axis 1.",
    "rmsnorm_axis1": "Keras builds this (scale of shape (10,)) but on the torch backend calling it fails: the weight is not broadcast along axis 1.",
    "normalization_with_stats": "With mean/variance given, Normalization stores them as constants: no weights, 0 parameters.",
    "dangling_branch_excluded": "Keras drops layers that do not lead to an output: the 'unused' Dense is absent from model.layers and from the total.",
    "mha_consumes_dropout_auto_name": "MultiHeadAttention creates its own Dropout and Softmax sublayers when built, so the user's next Dropout is auto-named dropout_1 and Softmax softmax_1.",
    "mha_trainable_false_stays_trainable": "MultiHeadAttention and GroupedQueryAttention create their projection layers when built, so trainable=False given before (or in the config) does not reach them: Keras counts their weights as trainable.",
    "wrapper_dtype_policies": "A wrapper's dtype policy does not reach the wrapped layer: its weights take the inner layer's own policy (float32 by default).",
    "concatenate_masked_uses_a_name": "A Concatenate called on a masked tensor (Embedding with mask_zero) computes the mask with a hidden `concatenate` operation that uses up the next `concatenate` name: the second Concatenate layer is concatenate_2.",
    "masked_concatenate_moves_inputs": "A layer that takes the mask (LSTM) reads Keras' hidden mask operations (not_equal, expand_dims, logical_or, concatenate, any) as an input, which puts the model inputs deeper, and so earlier, in model.layers.",
    "wrapper_inner_consumes_auto_name": "A wrapped layer takes its own auto name: TimeDistributed(Dense) uses up 'dense' and Bidirectional(LSTM) 'lstm', so the next plain layers are dense_1 and lstm_1.",
}
"""Case id -> a Keras behaviour worth knowing, copied into the golden record as ``note``."""

FAMILIES: dict[str, tuple[list[Case], list[Case]]] = {
    "core": (CORE, CORE_ERRORS),
    "recurrent": (RECURRENT, RECURRENT_ERRORS),
    "conv": (CONV, CONV_ERRORS),
    "normalization": (NORMALIZATION, NORMALIZATION_ERRORS),
    "attention": (ATTENTION, ATTENTION_ERRORS),
    "pooling_reshape": (POOLING_RESHAPE, POOLING_RESHAPE_ERRORS),
    "merging": (MERGING, MERGING_ERRORS),
    "activations": (ACTIVATIONS, ACTIVATIONS_ERRORS),
    "graphs": (GRAPHS, GRAPHS_ERRORS),
    "lecture": (LECTURE, LECTURE_ERRORS),
}
"""Family name -> (valid cases, cases Keras itself rejects). Random families live in the generator."""
