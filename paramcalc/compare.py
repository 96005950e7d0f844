"""``paramcalc explain --compare``: the same layer counted the Keras way and the PyTorch way.

The layer is named in either framework (``lstm``, ``dense``, ``linear``, ``simplernn``,
``rnn``) and its counterpart is looked up in :data:`PAIRS`.  The same words go to both:
``explain lstm 32 --input 10000 --compare`` is Keras ``LSTM(32)`` on 10,000 features and
torch ``LSTM(input_size=10000, hidden_size=32)`` (see :mod:`paramcalc.single_layer` for how
``--input`` fills torch's size arguments).  Keyword arguments must be ones both constructors
take.  For convolution and normalization layers the input is channels-last for Keras and
channels-first for torch; the shape given is read in the named framework's convention and
moved for the other.

The result says by how much the counts differ and why (:func:`why_different`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from paramcalc.errors import LayerError, UsageError
from paramcalc.report import LayerRow, Shape
from paramcalc.rules import all_rules, find_rule
from paramcalc.single_layer import explain_spec, parse_input_shape, parse_layer

Note = Callable[[LayerRow, LayerRow], str | None]
"""Explains a (Keras row, torch row) difference, or returns None if it does not apply."""


def _symbol(row: LayerRow, key: str) -> int:
    return dict(row.symbols).get(key, 0)


def _second_bias(gates: int, keras_bias: int) -> Note:
    """Explains torch's second recurrent bias: bias_ih and bias_hh where Keras keeps ``keras_bias``."""

    def note(keras: LayerRow, torch: LayerRow) -> str | None:
        n = _symbol(torch, "n")
        extra = gates * n * (2 - keras_bias)
        if torch.params - keras.params != extra:
            return None
        if extra == 0:
            return (
                "Same count: Keras 3's default GRU (reset_after=True) also keeps two biases per gate, as one"
                " (2, 3n) array, where torch has bias_ih_l0 and bias_hh_l0 (3n each)."
            )
        if gates == 1:
            return (
                "PyTorch's RNN keeps two bias vectors, bias_ih_l0 and bias_hh_l0 (the second exists only for"
                f" cuDNN compatibility), where Keras' SimpleRNN keeps one: +n = +{extra:,}."
            )
        return (
            "PyTorch keeps two bias vectors per gate, bias_ih_l0 and bias_hh_l0 (the second exists only for"
            f" cuDNN compatibility), where Keras keeps one bias: +{gates}·n = +{gates} × {n} = +{extra:,}."
            " torch also stacks the gates along the first axis (weight_ih_l0 is (gates·n, m)) where Keras"
            " packs them along the last (kernel is (m, gates·n))."
        )

    return note


def _transposed(what: str) -> Note:
    def note(keras: LayerRow, torch: LayerRow) -> str | None:
        if keras.params != torch.params:
            return None
        return f"Same count. {what}"

    return note


def _batch_norm(keras: LayerRow, torch: LayerRow) -> str | None:
    buffers = torch.buffers
    if keras.params != torch.params + buffers - 1:
        return None
    return (
        f"Keras counts the moving mean and variance as non-trainable parameters ({keras.non_trainable:,});"
        f" torch keeps running_mean, running_var and num_batches_tracked as buffers ({buffers:,} values),"
        f" which parameters() leaves out."
    )


@dataclass(frozen=True)
class Pair:
    """A Keras layer and its torch counterpart; ``channels_first``: torch reads (C, *spatial)."""

    keras: str
    torch: str
    note: Note
    channels_first: bool = False


_SAME_DENSE = "torch stores the weight as (out_features, in_features), the transpose of Keras' kernel (in, out)."
_SAME_CONV = (
    "torch's weight is (out_channels, in_channels/groups, *kernel) where Keras' kernel is"
    " (*kernel, in_channels/groups, filters); inputs are channels-first in torch, channels-last in Keras."
)
PAIRS: tuple[Pair, ...] = (
    Pair("Dense", "Linear", _transposed(_SAME_DENSE)),
    Pair("SimpleRNN", "RNN", _second_bias(1, 1)),
    Pair("LSTM", "LSTM", _second_bias(4, 1)),
    Pair("GRU", "GRU", _second_bias(3, 2)),
    Pair("Embedding", "Embedding", _transposed("Both store the table as (vocabulary, width).")),
    Pair("Conv1D", "Conv1d", _transposed(_SAME_CONV), channels_first=True),
    Pair("Conv2D", "Conv2d", _transposed(_SAME_CONV), channels_first=True),
    Pair("Conv3D", "Conv3d", _transposed(_SAME_CONV), channels_first=True),
    Pair("BatchNormalization", "BatchNorm1d", _batch_norm, channels_first=True),
    Pair("LayerNormalization", "LayerNorm", _transposed("Both learn a scale and a shift per feature.")),
    Pair("PReLU", "PReLU", _transposed("Both learn one slope per feature.")),
    Pair("Flatten", "Flatten", _transposed("No weights in either.")),
    Pair("Dropout", "Dropout", _transposed("No weights in either.")),
)


@dataclass(frozen=True)
class Comparison:
    """Both rows and the explanation of their difference."""

    keras: LayerRow
    torch: LayerRow
    why: str

    @property
    def difference(self) -> int:
        """PyTorch's count minus Keras'."""
        return self.torch.params - self.keras.params


def _pair_for(name: str, framework: str) -> tuple[Pair, str]:
    """The pair a layer name belongs to, and the framework the name was found in (the given
    one first, else the other: ``conv2d`` is torch's even without ``--framework pytorch``).
    """
    other = "keras" if framework == "pytorch" else "pytorch"
    for where in (framework, other):
        side = "torch" if where == "pytorch" else "keras"
        try:
            found = find_rule(name, where, exact=False)
        except LayerError:
            continue
        for pair in PAIRS:
            if getattr(pair, side) == found.name:
                return pair, where
        known = ", ".join(f"{p.keras}/{p.torch}" for p in PAIRS)
        raise UsageError(f"--compare has no counterpart for {found.name}", hint=f"it compares {known}")
    find_rule(name, framework, exact=False)  # raises the usual unknown-layer error
    raise AssertionError(name)  # pragma: no cover - find_rule raised


def _batch_norm_class(pair: Pair, shape: Shape | None) -> Pair:
    """Keras' one BatchNormalization is torch's BatchNorm1d/2d/3d depending on the input rank."""
    if pair.keras != "BatchNormalization" or shape is None:
        return pair
    rank = {1: 1, 2: 1, 3: 2, 4: 3}.get(len(shape), 1)
    return replace(pair, torch=f"BatchNorm{rank}d")


def _moved(shape: Shape | None, to_channels_first: bool) -> Shape | None:
    if shape is None or len(shape) < 2:
        return shape
    if to_channels_first:
        return (shape[-1], *shape[:-1])
    return (*shape[1:], shape[0])


def compare_layer(layer: str, args: Sequence[str], input_shape: str | None, framework: str = "keras") -> Comparison:
    """Count one layer as Keras and as PyTorch count it, and explain the difference."""
    spec = parse_layer(layer, args)
    shape = parse_input_shape(input_shape) if input_shape else None
    pair, framework = _pair_for(spec.class_name, framework)
    keras_shape, torch_shape = shape, shape
    if pair.channels_first:
        if framework == "pytorch":
            keras_shape = _moved(shape, to_channels_first=False)
        else:
            torch_shape = _moved(shape, to_channels_first=True)
    pair = _batch_norm_class(pair, keras_shape)
    for side, name in (("keras", pair.keras), ("pytorch", pair.torch)):
        known = all_rules(side).get(name)
        if known is None:
            continue
        for key in spec.kwargs:
            if key not in known.positional:
                other = "Keras" if side == "keras" else "PyTorch"
                raise UsageError(
                    f"'{key}' is not an argument of {other}'s {name}",
                    hint="--compare passes the same arguments to both frameworks; give only ones both take",
                )
    try:
        keras = explain_spec(replace(spec, class_name=pair.keras), keras_shape, "keras")
    except LayerError as exc:
        raise exc.with_context(layer=f"Keras {pair.keras}") from None
    try:
        torch = explain_spec(replace(spec, class_name=pair.torch), torch_shape, "pytorch")
    except LayerError as exc:
        raise exc.with_context(layer=f"PyTorch {pair.torch}") from None
    return Comparison(keras, torch, why_different(pair, keras, torch))


def why_different(pair: Pair, keras: LayerRow, torch: LayerRow) -> str:
    """One paragraph: the pair's own explanation, or the plain difference."""
    note = pair.note(keras, torch)
    if note:
        return note
    delta = torch.params - keras.params
    if delta == 0:
        return "Same count."
    return f"PyTorch counts {delta:+,} parameters: compare the weights above, term by term."
