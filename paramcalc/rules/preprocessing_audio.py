"""Keras 3 audio preprocessing layers: ``MelSpectrogram`` and ``STFTSpectrogram`` (3.15).

Why a module of its own: unlike the other preprocessing layers, ``STFTSpectrogram`` has
weights: it keeps its DFT as two trainable convolution kernels, ``real_kernel`` and
``imag_kernel`` (frame_length, 1, fft/2 + 1); ``MelSpectrogram`` has none (its filters are
constants).  Both change the time axis as a framed signal does.
"""

from __future__ import annotations

from paramcalc.errors import LayerError
from paramcalc.report import Shape, Term
from paramcalc.rules import Args, Outcome, rule
from paramcalc.rules.preprocessing import data_format


@rule(
    "MelSpectrogram",
    ("fft_length", 2048),
    ("sequence_stride", 512),
    ("sequence_length", None),
    ("window", "hann"),
    ("sampling_rate", 16000),
    ("num_mel_bins", 128),
    ("min_freq", 20.0),
    ("max_freq", None),
    ("power_to_db", True),
    ("top_db", 80.0),
    ("mag_exp", 2.0),
    ("min_power", 1e-10),
    ("ref_power", 1.0),
    min_rank=1,
)
def mel_spectrogram(args: Args, x: Shape) -> Outcome:
    """A short-time Fourier transform of each signal mapped onto num_mel_bins mel bands,
    computed with fixed (non-weight) filters: (batch, samples) gives (batch, num_mel_bins,
    ⌊(samples + stride + 1) / stride⌋) frames (the signal is padded at both ends).
    """
    fft = args.positive_int("fft_length")
    stride = args.positive_int("sequence_stride")
    length = args.optional_int("sequence_length") or fft
    if fft < length:
        raise LayerError(f"'fft_length' ({fft}) must be at least 'sequence_length' ({length})")
    bins = args.positive_int("num_mel_bins")
    n = x[0]
    frames = None if n is None else (n + stride + 1) // stride
    return Outcome(shape=(bins, frames), formula="0")


STFT_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


@rule(
    "STFTSpectrogram",
    ("mode", "log"),
    ("frame_length", 256),
    ("frame_step", None),
    ("fft_length", None),
    ("window", "hann"),
    ("periodic", False),
    ("scaling", "density"),
    ("padding", "valid"),
    ("expand_dims", False),
    ("data_format", None),
    min_rank=2,
    max_rank=2,
    expects="(time, channels)",
    legend={"l": "frame_length", "f": "fft_length / 2 + 1 frequency bins"},
)
def stft_spectrogram(args: Args, x: Shape) -> Outcome:
    """A short-time Fourier transform done as a strided 1-D convolution whose kernels
    hold the windowed DFT: real_kernel and imag_kernel, each (frame_length, 1, f) with
    f = fft_length/2 + 1 frequencies, trainable like any kernel (mode="real" keeps only
    the first, "imag" only the second): 2·l·f.
    """
    mode = args["mode"]
    if mode not in STFT_MODES:
        raise LayerError(f"'mode' must be one of {', '.join(STFT_MODES)}, got {mode!r}")
    length = args.positive_int("frame_length")
    step = args.optional_int("frame_step")
    if step is not None and step > length:
        raise LayerError(f"'frame_step' ({step}) must not be greater than 'frame_length' ({length})")
    fft = args.optional_int("fft_length")
    if fft is not None and fft < length:
        raise LayerError(f"'fft_length' ({fft}) must not be less than 'frame_length' ({length})")
    padding = args["padding"]
    if padding not in ("valid", "same"):
        raise LayerError(f"'padding' must be valid or same, got {padding!r}")
    stride = step or length // 2
    if stride < 1:
        raise LayerError(f"'frame_length' {length} gives a frame step of 0", hint="give frame_step")
    fft_length = fft or 1 << (length - 1).bit_length()
    f = fft_length // 2 + 1
    first = data_format(args) == "channels_first"
    channels, n = (x[0], x[1]) if first else (x[1], x[0])
    if n is None:
        time = None
    elif padding == "same":
        time = (n - 1) // stride + 1
    else:
        time = (n - length) // stride + 1
        if time <= 0:
            raise LayerError(
                f"a frame of {length} samples does not fit an input of {n}",
                hint="use padding='same' or a shorter frame",
            )
    freq = f * 2 if mode == "stft" else f
    if args.flag("expand_dims"):
        shape: Shape = (channels, time, freq) if first else (time, freq, channels)
    else:
        filters = None if channels is None else freq * channels
        shape = (filters, time) if first else (time, filters)
    kernel = (length, 1, f)
    terms = []
    if mode != "imag":
        terms.append(Term("K_re", "real_kernel", kernel, ("l", "1", "f")))
    if mode != "real":
        terms.append(Term("K_im", "imag_kernel", kernel, ("l", "1", "f")))
    formula = f"{len(terms)}*l*f" if len(terms) > 1 else "l*f"
    return Outcome(shape=shape, terms=terms, formula=formula, symbols={"l": length, "f": f})
