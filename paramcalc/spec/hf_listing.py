"""``paramcalc layers --families``: every Hugging Face family and the model classes it counts.

Read from the family table (:data:`paramcalc.spec.hf_families.FAMILIES`, which the
table-driven modules extend), so a family added as a table row is listed with no edit here.
"""

from __future__ import annotations

from paramcalc.spec.hf_families import ARCHS, FAMILIES


def family_lines() -> list[str]:
    """One block per ``model_type``: config class, what it is, its classes (the default marked)."""
    lines: list[str] = []
    for model_type in sorted(FAMILIES):
        family = FAMILIES[model_type]
        arch = ARCHS.get(model_type)
        about = "; ".join(f"{k}: {v}" for k, v in arch.summary.items()) if arch is not None else ""
        lines.append(f"{model_type} ({family.config_class})" + (f": {about}" if about else ""))
        for name, role in family.architectures.items():
            default = "  [default without 'architectures']" if name == family.default_architecture else ""
            lines.append(f"  {name}  ({role.replace('_', ' ')}){default}")
    return lines
