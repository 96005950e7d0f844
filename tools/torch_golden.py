"""Generate the PyTorch conformance corpus: tests/golden/torch/<family>.json.

Why: paramcalc counts parameters without torch installed; these goldens are the truth it is
tested against. Each case in ``tools/torch_cases.py`` is built in real torch (the oracle
venv, torch 2.13.0+cpu) exactly as a user's ``framework: pytorch`` spec describes it:
every layer is ``getattr(torch.nn, Class)(*args, **kwargs)`` and the model is the list of
layers applied in sequence. What torch reports (parameter names/shapes, buffers, output
shapes, total) is written down; nothing is computed by hand here.

Run on purpose, never imported by tests:

    /work/oracle-venv/bin/python tools/torch_golden.py          # (re)write the goldens
    /work/oracle-venv/bin/python tools/torch_golden.py --check  # exit 1 if they would change

Conventions (documented in the golden files' consumers, repeated here for reviewers):

* Forward passes run on CPU in eval mode under ``torch.no_grad()``, seeded, with batch
  sizes 2 and 3. A dimension that differs between the two runs is the batch axis and is
  written as ``null``; this is how the batch axis is found wherever torch puts it
  (axis 1 of a sequence-first RNN output, axis 1 of ``h_n``, axis 0 of attention weights).
* The batch axis is inserted at axis 0 of the spec's input shape, except when the first
  layer is sequence-first (RNN/LSTM/GRU with ``batch_first=False``, MultiheadAttention /
  Transformer* with ``batch_first=False``): then it is inserted at axis 1. The resulting
  model input shape is recorded as ``input_shape`` (batch axis ``null``).
* Integer inputs (``dtype: int64``) are token ids below the first Embedding/EmbeddingBag's
  ``num_embeddings``; EmbeddingBag receives a 2-D (batch, bag) tensor.
* Call convention: MultiheadAttention gets ``(x, x, x)``; Bilinear, CosineSimilarity and
  PairwiseDistance ``(x, x)``;
  TransformerDecoderLayer / TransformerDecoder ``(tgt=x, memory=x)``; Transformer
  ``(src=x, tgt=x)``. A module returning a tuple passes element 0 on, and the full nested
  structure of shapes is recorded under ``outputs``.
* Specs without an input are built on the ``meta`` device (no memory, no forward pass):
  that is how big-width cases (e.g. Embedding(250000, 4096)) stay cheap.
* ``total`` counts each parameter tensor once (by identity), as
  ``sum(p.numel() for p in model.parameters())`` does for a Module holding the layers.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from torch_cases import FAMILIES, Case, all_cases

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "tests" / "golden" / "torch"
GENERATOR = "tools/torch_golden.py"
BATCHES = (2, 3)

Shape = list[int | None]
Nested = Any  # Shape | list[Nested] | None


# --------------------------------------------------------------------------- building
def _is_layer_spec(value: Any) -> bool:
    """A nested layer spec: a one-key mapping whose key is a torch.nn Module class."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    name = next(iter(value))
    cls = getattr(nn, name, None)
    return isinstance(cls, type) and issubclass(cls, nn.Module)


def _arg(value: Any) -> Any:
    """Turn a JSON argument into what torch expects: nested layers built, lists as tuples."""
    if _is_layer_spec(value):
        return build_layer(value)
    if isinstance(value, list):
        return tuple(_arg(v) for v in value)
    return value


def build_layer(entry: str | dict[str, Any]) -> nn.Module:
    """Build one spec layer entry: ``"ReLU"``, ``{Class: {kw}}``, ``{Class: [pos]}`` or ``{Class: scalar}``."""
    if isinstance(entry, str):
        name, args = entry, None
    else:
        ((name, args),) = entry.items()
    cls: type[nn.Module] = getattr(nn, name)
    if args is None:
        return cls()
    if isinstance(args, dict):
        return cls(**{k: _arg(v) for k, v in args.items()})
    if isinstance(args, list):
        return cls(*(_arg(v) for v in args))
    return cls(_arg(args))


# --------------------------------------------------------------------------- forward
def _seq_first(m: nn.Module) -> bool:
    """Whether a first layer reads (seq, batch, feature), so the batch axis goes at axis 1."""
    if isinstance(m, nn.RNNBase):
        return not m.batch_first
    if isinstance(m, nn.MultiheadAttention):
        return not m.batch_first
    if isinstance(m, nn.Transformer):
        return not m.batch_first
    if isinstance(m, (nn.TransformerEncoderLayer, nn.TransformerDecoderLayer)):
        return not m.self_attn.batch_first
    if isinstance(m, (nn.TransformerEncoder, nn.TransformerDecoder)):
        first = m.layers[0]
        assert isinstance(first, (nn.TransformerEncoderLayer, nn.TransformerDecoderLayer))
        return not first.self_attn.batch_first
    return False


def _vocab(m: nn.Module) -> int:
    if isinstance(m, (nn.Embedding, nn.EmbeddingBag)):
        return int(m.num_embeddings)
    raise ValueError("an int64 input needs an Embedding/EmbeddingBag first layer")


def _make_input(case: Case, first: nn.Module, batch: int) -> tuple[torch.Tensor, int]:
    assert case.shape is not None
    axis = 1 if _seq_first(first) else 0
    shape = list(case.shape)
    shape.insert(axis, batch)
    if case.dtype == "int64":
        return torch.randint(0, _vocab(first), shape, dtype=torch.int64), axis
    if case.dtype is not None:
        raise ValueError(f"unsupported dtype {case.dtype!r}")
    return torch.randn(shape), axis


def _call(m: nn.Module, x: torch.Tensor) -> Any:
    if isinstance(m, nn.MultiheadAttention):
        return m(x, x, x)
    if isinstance(
        m,
        (
            nn.Bilinear,
            nn.CosineSimilarity,
            nn.PairwiseDistance,
            nn.TransformerDecoderLayer,
            nn.TransformerDecoder,
            nn.Transformer,
        ),
    ):
        return m(x, x)
    return m(x)


def _shapes(out: Any) -> Nested:
    if out is None:
        return None
    if isinstance(out, torch.Tensor):
        return list(out.shape)
    if isinstance(out, (tuple, list)):
        return [_shapes(o) for o in out]
    raise TypeError(f"unexpected output type {type(out).__name__}")


def _merge(a: Nested, b: Nested) -> Nested:
    """Combine the shapes from the batch-2 and batch-3 runs: differing dims become null."""
    if a is None or b is None:
        assert a is None, (a, b)
        assert b is None, (a, b)
        return None
    assert len(a) == len(b), (a, b)
    if not all(isinstance(v, int) for v in a):  # a tuple of outputs, not one shape
        return [_merge(x, y) for x, y in zip(a, b, strict=True)]
    merged: Shape = []
    for x, y in zip(a, b, strict=True):
        if x == y:
            merged.append(x)
        else:
            assert (x, y) == BATCHES, f"a dim varies with the batch but is not the batch: {a} vs {b}"
            merged.append(None)
    return merged


def _forward(case: Case, layers: Sequence[nn.Module]) -> tuple[Shape, list[dict[str, Any]]]:
    """Run the model at both batch sizes; return the input shape and per-layer output records."""
    runs: list[list[tuple[Nested, Nested]]] = []
    inputs: list[Shape] = []
    for batch in BATCHES:
        torch.manual_seed(0)
        x, _axis = _make_input(case, layers[0], batch)
        inputs.append(list(x.shape))
        per_layer: list[tuple[Nested, Nested]] = []
        for m in layers:
            out = _call(m, x)
            if isinstance(out, tuple):
                per_layer.append((_shapes(out[0]), _shapes(out)))
                out = out[0]
            else:
                per_layer.append((_shapes(out), None))
            x = out
        runs.append(per_layer)
    records = []
    for (o2, full2), (o3, full3) in zip(runs[0], runs[1], strict=True):
        rec: dict[str, Any] = {"output_shape": _merge(o2, o3)}
        if full2 is not None:
            rec["outputs"] = _merge(full2, full3)
        records.append(rec)
    return _merge(inputs[0], inputs[1]), records


# --------------------------------------------------------------------------- recording
def _case_record(case: Case) -> dict[str, Any]:
    """Build the case in torch and return its golden record."""
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if case.shape is None:
            with torch.device("meta"):
                layers = [build_layer(e) for e in case.layers]
            classes = [type(m).__name__ for m in layers]
            input_shape: Shape | None = None
            outs: list[dict[str, Any]] = [{"output_shape": None} for _ in layers]
        else:
            layers = [build_layer(e) for e in case.layers]
            classes = [type(m).__name__ for m in layers]  # before forward: Lazy* mutate into their target class
            for m in layers:
                m.eval()
            with torch.no_grad():
                input_shape, outs = _forward(case, layers)

    seen: set[int] = set()
    total = trainable = 0
    layer_recs = []
    for i, (m, cls, out) in enumerate(zip(layers, classes, outs, strict=True)):
        params = []
        for name, p in m.named_parameters():
            params.append({"name": name, "shape": list(p.shape), "requires_grad": bool(p.requires_grad)})
            if id(p) not in seen:
                seen.add(id(p))
                total += p.numel()
                trainable += p.numel() if p.requires_grad else 0
        buffers = [{"name": name, "shape": list(b.shape)} for name, b in m.named_buffers()]
        layer_recs.append({"index": i, "class": cls, "parameters": params, "buffers": buffers, **out})

    if case.expect_total is not None and case.expect_total != total:
        raise AssertionError(f"{case.id}: torch counts {total}, case expects {case.expect_total}")
    return {
        "id": case.id,
        "spec": case.spec(),
        "total": total,
        "trainable": trainable,
        "input_shape": input_shape,
        "layers": layer_recs,
    }


def render(cases: Sequence[Case]) -> dict[str, str]:
    """Family name -> exact file text (compact, sorted keys, trailing newline)."""
    ids = [c.id for c in cases]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate case ids: {dupes}")
    by_family: dict[str, list[dict[str, Any]]] = {f: [] for f in FAMILIES}
    for case in cases:
        try:
            by_family[case.family].append(_case_record(case))
        except Exception as exc:
            raise RuntimeError(f"case {case.id!r} failed: {exc}") from exc
    texts = {}
    for family, records in by_family.items():
        doc = {"generator": GENERATOR, "torch": torch.__version__, "family": family, "cases": records}
        texts[family] = json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n"
    return texts


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with --check, verify) tests/golden/torch/*.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk; write nothing")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: %(default)s)")
    args = parser.parse_args(argv)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.set_num_threads(1)
    texts = render(all_cases())
    stale = []
    for family, text in texts.items():
        path = args.out / f"{family}.json"
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(path.name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    n = sum(len(json.loads(t)["cases"]) for t in texts.values())
    if stale:
        print(f"stale: {', '.join(stale)}", file=sys.stderr)
        return 1
    print(f"{'checked' if args.check else 'wrote'} {n} cases in {len(texts)} files under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
