"""The derived sizes of a table-driven family's layer (:class:`~paramcalc.spec.hf_arch.Arch`).

Why in ``paramcalc.spec``: both stages need them from the same config values.  The config
reader checks a config can build a model at all (``paramcalc/spec/hf_build.py``), and the
block rule (``paramcalc/rules/hf_blocks.py``) counts the layer from them; the reader must
not call into the rules to learn them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramcalc.errors import LayerError
from paramcalc.spec.hf_arch import Arch


def dims_of(arch: Arch, cfg: Mapping[str, Any]) -> dict[str, Any]:
    """The derived sizes and flags of one layer (``sparse`` for dense-then-MoE layouts)."""
    try:
        dims = arch.derive(cfg)
    except (TypeError, ZeroDivisionError) as exc:
        raise LayerError(f"{arch.config_class} cannot derive the sizes: {exc}") from None
    if arch.sparse is not None:
        dims["sparse"] = arch.sparse(cfg, int(cfg.get("layer_idx", 0)))
    if arch.layer_kinds is not None:
        dims.update(arch.layer_kinds(cfg, int(cfg.get("layer_idx", 0)))[1])
    return dims
