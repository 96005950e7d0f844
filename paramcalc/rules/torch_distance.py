"""``torch.nn`` distance modules: CosineSimilarity and PairwiseDistance.

Both take two tensors ``(x1, x2)`` (a sequential spec calls them on ``(x, x)``), have no
parameters, and reduce one axis: ``dim`` for ``F.cosine_similarity``, the last axis for
``F.pairwise_distance`` (``torch/nn/modules/distance.py``).
"""

from __future__ import annotations

from paramcalc.errors import LayerError
from paramcalc.rules import Args, Outcome
from paramcalc.rules.torch_common import Maybe, check_min_rank, normalize_dim, show, torch_rule


def _any_int(args: Args, key: str) -> int:
    """A torch dim index: any integer, negative ones counting from the end."""
    return args.integer(key, minimum=-(2**31))


def _pair_shape(name: str, xs: list[Maybe]) -> Maybe:
    """The broadcast shape of a distance module's (x1, x2); a sequential spec calls it on (x, x)."""
    if len(xs) > 2:
        raise LayerError(f"{name} takes two inputs (x1, x2), got {len(xs)}")
    x1, x2 = xs[0], xs[-1]
    if x1 is None or x2 is None:
        return None
    long, short = (x1, x2) if len(x1) >= len(x2) else (x2, x1)
    out = list(long[: len(long) - len(short)])
    for a, b in zip(long[len(long) - len(short) :], short, strict=True):
        if a is not None and b is not None and a != b and 1 not in (a, b):
            raise LayerError(f"{name}: the inputs {show(x1)} and {show(x2)} do not broadcast")
        out.append(b if a == 1 else a if b == 1 or b == a else None)
    return tuple(out)


@torch_rule(
    "CosineSimilarity", ("dim", 1, _any_int), ("eps", 1e-8, Args.number), weights=False, multi_input=True, min_rank=1
)
def cosine_similarity(args: Args, xs: list[Maybe]) -> Outcome:
    """cos(x1, x2) = x1·x2 / max(‖x1‖·‖x2‖, eps) along axis dim: no parameters, and that axis
    is reduced away, as F.cosine_similarity does.
    """
    dim = args["dim"]  # an int: the signature declares its kind
    shape = _pair_shape("CosineSimilarity", xs)
    if shape is None:
        return Outcome(shape=None, formula="0")
    axis = normalize_dim(dim, len(shape), "CosineSimilarity")
    return Outcome(shape=(*shape[:axis], *shape[axis + 1 :]), formula="0")


@torch_rule(
    "PairwiseDistance",
    ("p", 2.0, Args.number),
    ("eps", 1e-6, Args.number),
    ("keepdim", False, Args.flag),
    weights=False,
    multi_input=True,
    min_rank=1,
)
def pairwise_distance(args: Args, xs: list[Maybe]) -> Outcome:
    """‖x1 − x2 + eps‖_p over the last axis: no parameters; the last axis is reduced away
    (kept as 1 with keepdim), as F.pairwise_distance does.
    """
    keepdim = args["keepdim"]
    shape = _pair_shape("PairwiseDistance", xs)
    if shape is None:
        return Outcome(shape=None, formula="0")
    check_min_rank(shape, "PairwiseDistance", 1, "(*, D)")
    return Outcome(shape=(*shape[:-1], 1) if keepdim else shape[:-1], formula="0")
