"""``paramcalc layers --families``: every Hugging Face family and the model classes it counts.

Read from the family table (:data:`paramcalc.spec.hf_families.FAMILIES`, which the
table-driven modules extend) and from the declarative recipes (encoders, encoder-decoders,
vision, loaded here only), so a family added as a table row or a recipe is listed with no edit here.
"""

from __future__ import annotations

import re

from paramcalc.spec.hf_families import ARCHS, FAMILIES, RECIPE_TYPES, Family


def family_lines() -> list[str]:
    """One block per ``model_type``: config class, what it is, its classes (the default marked)."""
    from paramcalc.spec.hf_recipes_all import RECIPES

    families: dict[str, Family] = {**FAMILIES, **{mt: RECIPES[mt].family for mt in RECIPE_TYPES}}
    lines: list[str] = []
    for model_type in sorted(families):
        family = families[model_type]
        arch = ARCHS.get(model_type)
        about = "; ".join(f"{k}: {v}" for k, v in arch.summary.items()) if arch is not None else ""
        lines.append(f"{model_type} ({family.config_class})" + (f": {about}" if about else ""))
        for name, role in family.architectures.items():
            default = "  [default without 'architectures']" if name == family.default_architecture else ""
            kind = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", role.removeprefix("For")).lower().replace("_", " ")
            lines.append(f"  {name}  ({kind}){default}")
    return lines
