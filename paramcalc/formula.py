"""Closed-form formulas: tiny integer expressions over named symbols.

Rules state their formula as text (``"4*n*(n+m+1)"``).  This module reads it with
:mod:`ast` (literals, names, + - * // and parentheses only; never evaluated as code) and
renders it three ways: plain (``4·n·(n + m + 1)``), LaTeX, and with the symbols
substituted, and evaluates it exactly so tests can check it equals the terms' sum.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from functools import lru_cache

_OPS: dict[type, tuple[str, str, int]] = {
    ast.Add: (" + ", " + ", 1),
    ast.Sub: (" - ", " - ", 1),
    ast.Mult: ("·", r" \cdot ", 2),
    ast.FloorDiv: (" / ", r" / ", 2),
}


@lru_cache(maxsize=256)
def parse(text: str) -> ast.expr:
    """Parse a formula; raises ValueError on anything but integer arithmetic over names."""
    tree = ast.parse(text, mode="eval").body
    for node in ast.walk(tree):
        allowed = (ast.BinOp, ast.Name, ast.Load, ast.Constant, *_OPS)
        if not isinstance(node, allowed) or (isinstance(node, ast.Constant) and type(node.value) is not int):
            raise ValueError(f"unsupported formula element {type(node).__name__} in {text!r}")
    return tree


def evaluate(text: str, symbols: Mapping[str, int]) -> int:
    """The exact integer value of a formula for the given symbol values."""

    def walk(node: ast.expr) -> int:
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.Name):
            return symbols[node.id]
        if not isinstance(node, ast.BinOp):
            raise ValueError(f"unsupported formula element in {text!r}")
        left, right = walk(node.left), walk(node.right)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        return left // right

    return walk(parse(text))


def render(text: str, symbols: Mapping[str, int] | None = None, latex: bool = False) -> str:
    """Pretty-print a formula, optionally substituting symbol values (``4·32·(32 + 10000 + 1)``)."""

    def name(node: ast.Name) -> str:
        if symbols is not None and node.id in symbols:
            return str(symbols[node.id])
        if latex and "_" in node.id:
            head, tail = node.id.split("_", 1)
            return f"{head}_{{{tail}}}"
        return node.id

    def walk(node: ast.expr, parent: int = 0, strict: bool = False) -> str:
        """``strict``: right operand of - or /, where equal precedence needs parentheses."""
        if isinstance(node, ast.Constant):
            return str(node.value)
        if isinstance(node, ast.Name):
            return name(node)
        if not isinstance(node, ast.BinOp):
            raise ValueError(f"unsupported formula element in {text!r}")
        plain, tex, prec = _OPS[type(node.op)]
        op = tex if latex else plain
        if symbols is not None and isinstance(node.op, ast.Mult):
            op = r" \times " if latex else " × "
        strict_right = isinstance(node.op, (ast.Sub, ast.FloorDiv))
        text_out = walk(node.left, prec) + op + walk(node.right, prec, strict=strict_right)
        needs = prec < parent or (strict and prec == parent)
        if needs:
            return (r"\left(" + text_out + r"\right)") if latex else f"({text_out})"
        return text_out

    return walk(parse(text))
