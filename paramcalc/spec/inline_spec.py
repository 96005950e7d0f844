"""One-line specs: ``"Input(shape=(3, 10000)) | SimpleRNN(32) | Dense(1)"``.

The text is parsed with :mod:`ast` as a Python expression and then *read*, node by node:
only layer calls, bare layer names, ``|`` between them and literal values are accepted.
Nothing is ever evaluated, so ``__import__('os')`` or attribute tricks are plain errors.

A ``?`` where a value is expected (``LSTM(?)``, ``Dense(units=?)``) is read as a
:class:`~paramcalc.spec.records.Placeholder`, the unknown ``paramcalc solve`` searches
for.  ``?`` is not Python, so before parsing each ``?`` outside a string literal is
replaced by ``_`` (same width: columns in errors stay right) and its position noted; a
``_`` name at a noted position is a placeholder, anywhere else it stays an error.
"""

from __future__ import annotations

import ast
import warnings
from contextvars import ContextVar
from math import isfinite
from typing import Any

from paramcalc.errors import Location, SpecError
from paramcalc.spec.common import MAX_DEPTH, MAX_INT_DIGITS, assemble, describe_value
from paramcalc.spec.records import LayerSpec, ModelSpec, Placeholder

MAX_INLINE_CHARS = 100_000
MODULE_PREFIXES = frozenset({"keras.layers", "layers", "tf.keras.layers", "keras", "nn", "torch.nn"})
"""Dotted prefixes users copy from code (``layers.Dense``, ``nn.Linear``); nothing else is allowed."""
PLACEHOLDER = "?"
_STANDIN = "_"
_PLACEHOLDER_HINT = "'?' marks the one value `paramcalc solve` searches for, e.g. LSTM(?) or Dense(units=?)"
_MARKS: ContextVar[dict[tuple[int, int], int] | None] = ContextVar("paramcalc_inline_placeholders", default=None)
"""Where the ``?`` of the text being parsed were: (line, UTF-8 byte column), as ast reports them."""


class _InlineError(Exception):
    """A parse problem at a column; becomes a SpecError with the full location."""

    def __init__(self, message: str, node: ast.AST | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = getattr(node, "col_offset", -1) + 1 if node is not None else None
        self.hint = hint


def parse_inline(text: str, source: str = "<inline>", framework: str = "keras") -> ModelSpec:
    """Parse an inline spec into a :class:`ModelSpec` (raises SpecError, never evaluates)."""
    return assemble(parse_layer_calls(text, source), source=source, framework=framework)


def parse_layer_calls(text: str, source: str = "<inline>") -> list[LayerSpec]:
    """The layer calls of an inline spec, in order; SpecError on anything but literals."""
    code, marks = _mark_placeholders(text.strip())
    token = _MARKS.set(marks)
    try:
        return _parse(code, source)
    except _InlineError as exc:
        raise SpecError(
            f"invalid inline spec: {exc.message}",
            location=Location(source, column=exc.column),
            hint=exc.hint,
        ) from None
    finally:
        _MARKS.reset(token)


def _mark_placeholders(text: str) -> tuple[str, dict[tuple[int, int], int]]:
    """Replace each ``?`` outside string literals by ``_`` and note where each one was."""
    chars = list(text)
    marks: dict[tuple[int, int], int] = {}
    i = 0
    while i < len(text):
        if text[i] in "'\"":
            i = _string_end(text, i)
            continue
        if text[i] == PLACEHOLDER:
            line_start = text.rfind("\n", 0, i) + 1
            marks[(text.count("\n", 0, i) + 1, len(text[line_start:i].encode("utf-8")))] = len(marks)
            chars[i] = _STANDIN
        i += 1
    return "".join(chars), marks


def _string_end(text: str, start: int) -> int:
    """Index just past the string literal opening at ``start`` (the end of text if unclosed)."""
    quote = text[start] * 3 if text.startswith(text[start] * 3, start) else text[start]
    i = start + len(quote)
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith(quote, i):
            return i + len(quote)
        elif text[i] == "\n" and len(quote) == 1:
            return i
        else:
            i += 1
    return len(text)


def _mark_of(node: ast.expr) -> int | None:
    """The ordinal of the ``?`` written where ``node`` starts, if one was."""
    marks = _MARKS.get()
    return marks.get((node.lineno, node.col_offset)) if marks else None


def _placeholder(node: ast.expr, source: str) -> Placeholder | None:
    """The placeholder a ``_`` name node stands for, if it was written as ``?``."""
    key = _mark_of(node)
    if key is None:
        return None
    if not isinstance(node, ast.Name) or node.id != _STANDIN:
        raise _InlineError("'?' must stand alone, as a whole value", node, hint=_PLACEHOLDER_HINT)
    return Placeholder(key, Location(source, column=node.col_offset + 1))


def _refuse(node: ast.expr, what: str) -> None:
    """Raise a clear error if ``node`` starts (or, ``layers.?``, ends) with a ``?`` where no value belongs."""
    marks = _MARKS.get() or {}
    at_end = isinstance(node, ast.Attribute) and (node.end_lineno, (node.end_col_offset or 0) - 1) in marks
    if _mark_of(node) is not None or at_end:
        raise _InlineError(f"'?' cannot stand for {what}; it replaces a value", node, hint=_PLACEHOLDER_HINT)


def _ast_parse(text: str) -> ast.Expression:
    """``ast.parse`` in eval mode, silently.

    Python warns on stderr about odd literals (``1inputs``, an invalid escape in a
    string), which would break the one-line error promise.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, mode="eval")


def _parse(text: str, source: str) -> list[LayerSpec]:
    if len(text) > MAX_INLINE_CHARS:
        raise _InlineError(f"longer than {MAX_INLINE_CHARS:,} characters", hint="use a YAML file")
    text = text.strip()
    if not text:
        raise _InlineError("empty spec", hint='write layers like "Dense(4) | Dense(1)"')
    try:
        tree = _ast_parse(text)
    except SyntaxError as exc:
        segments = _split(text)
        for start, end, filled in segments or ():
            if not filled:  # point at the '|' next to the empty segment
                err = _InlineError("empty segment: '|' needs a layer on each side", hint='e.g. "Dense(4) | Dense(1)"')
                err.column = start if start > 0 else end + 1
                raise err from None
        message = exc.msg
        if "integer string conversion" in message:
            message = "integer literal is too long"
        err = _InlineError(message, hint='write layers as calls joined by |, e.g. "Dense(4) | Dense(1)"')
        err.column = max(exc.offset or 1, 1)
        raise err from None
    except (RecursionError, MemoryError):
        # thousands of '|' nest the syntax tree too deeply for ast: parse the segments one by one
        return _parse_segments(text, source)
    except ValueError:
        raise _InlineError("the text is not a valid expression") from None
    nodes: list[ast.expr] = []
    node = tree.body
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        nodes.append(node.right)
        node = node.left
    nodes.append(node)
    nodes.reverse()
    return [_layer(seg, source, index) for index, seg in enumerate(nodes, start=1)]


def _parse_segments(text: str, source: str) -> list[LayerSpec]:
    """Parse each top-level ``|`` segment on its own (columns kept by padding with spaces)."""
    segments = _split(text)
    if not segments or "\n" in text:
        raise _InlineError("nesting is too deep or the text is not a valid expression")
    layers = []
    for index, (start, end, _) in enumerate(segments, start=1):
        padded = "(" + " " * (start - 1) + text[start:end] + ")" if start else text[start:end]
        try:
            tree = _ast_parse(padded)
        except SyntaxError as exc:
            err = _InlineError(exc.msg)
            err.column = max(exc.offset or 1, 1)
            raise err from None
        except (RecursionError, MemoryError, ValueError):
            raise _InlineError("nesting is too deep or the text is not a valid expression") from None
        layers.append(_layer(tree.body, source, index))
    return layers


def _split(text: str) -> list[tuple[int, int, bool]] | None:
    """Top-level ``|`` segments as (start, end, has tokens) offsets; None if the text does not tokenize."""
    import io
    import tokenize

    skip = {tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT}
    line_starts = [0]
    for line in text.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    segments = []
    depth = 0
    start = 0
    filled = False
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in skip:
                continue
            if token.string in ("(", "[", "{"):
                depth += 1
            elif token.string in (")", "]", "}"):
                depth -= 1
            elif token.string == "|" and depth == 0:
                offset = line_starts[token.start[0] - 1] + token.start[1]
                segments.append((start, offset, filled))
                start, filled = offset + 1, False
                continue
            filled = True
    except (tokenize.TokenError, SyntaxError):
        return None
    segments.append((start, len(text), filled))
    return segments


def _layer(node: ast.expr, source: str, index: int = 0, depth: int = 0) -> LayerSpec:
    location = Location(source, column=node.col_offset + 1)
    _refuse(node, "a layer")
    if isinstance(node, (ast.Name, ast.Attribute)):
        return LayerSpec(_callee(node), location=location, index=index)
    if not isinstance(node, ast.Call):
        raise _InlineError(
            f"expected a layer such as Dense(4), got {_what(node)}",
            node,
            hint='segments are layer calls joined by |, e.g. "Dense(4) | Dense(1)"',
        )
    class_name = _callee(node.func)
    args = []
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise _InlineError("*args are not allowed", arg)
        args.append(_literal(arg, source, depth + 1))
    kwargs: dict[str, Any] = {}
    for keyword in node.keywords:
        if keyword.arg is None:
            raise _InlineError("**kwargs are not allowed", keyword.value)
        if keyword.arg in kwargs:
            raise _InlineError(f"argument '{keyword.arg}' given twice", keyword.value)
        kwargs[keyword.arg] = _literal(keyword.value, source, depth + 1)
    name = kwargs.pop("name", None)
    if name is not None and not isinstance(name, str):
        raise _InlineError("name= must be a string", node)
    return LayerSpec(class_name, tuple(args), kwargs, location, name, None, index)


def _callee(node: ast.expr) -> str:
    """The layer class of ``Dense`` or ``layers.Dense``; any other attribute access is refused."""
    _refuse(node, "a layer name")
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        parts = [node.attr]
        inner = node.value
        while isinstance(inner, ast.Attribute):
            parts.append(inner.attr)
            inner = inner.value
        if isinstance(inner, ast.Name):
            prefix = ".".join([inner.id, *reversed(parts[1:])])
            if prefix in MODULE_PREFIXES and not node.attr.startswith("_"):
                return node.attr
        raise _InlineError("attribute access is not allowed", node, hint="name layers directly, e.g. Dense(4)")
    raise _InlineError(f"expected a layer name, got {_what(node)}", node)


def _literal(node: ast.expr, source: str, depth: int) -> Any:
    """A literal argument: numbers, strings, booleans, None, tuples/lists/dicts, nested layers, ``?``."""
    if depth > MAX_DEPTH:
        raise _InlineError(f"nesting is deeper than {MAX_DEPTH} levels", node)
    placeholder = _placeholder(node, source)
    if placeholder is not None:
        return placeholder
    if isinstance(node, ast.Constant):
        if type(node.value) is int and node.value.bit_length() > MAX_INT_DIGITS * 10 // 3:
            raise _InlineError("integer literal is too long", node, hint="sizes are at most 2**63 - 1")
        if isinstance(node.value, (bool, int, float, str)) or node.value is None:
            return node.value
        raise _InlineError(f"{type(node.value).__name__} literals are not allowed", node)
    if isinstance(node, (ast.UnaryOp, ast.BinOp)):
        folded = _fold(node)
        if folded is not None:
            return folded
    if isinstance(node, ast.Tuple):
        return tuple(_literal(item, source, depth + 1) for item in node.elts)
    if isinstance(node, ast.List):
        return [_literal(item, source, depth + 1) for item in node.elts]
    if isinstance(node, ast.Dict):
        out = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            if key_node is None:
                raise _InlineError("**mappings are not allowed", value_node)
            _refuse(key_node, "a key")
            key = _literal(key_node, source, depth + 1)
            if not isinstance(key, (str, int, float)) and key is not None:
                raise _InlineError("mapping keys must be strings or numbers", key_node)
            if key in out:
                raise _InlineError(f"key {describe_value(key)} given twice", key_node)
            out[key] = _literal(value_node, source, depth + 1)
        return out
    if isinstance(node, ast.Call):
        return _layer(node, source, depth=depth + 1)
    if isinstance(node, ast.Name):
        raise _InlineError(
            f"'{node.id}' is not a value", node, hint=f"quote strings: '{node.id}'; layers are calls: {node.id}()"
        )
    raise _InlineError(f"only literal values are allowed, got {_what(node)}", node)


MAX_FOLD_BITS = 256
"""Largest magnitude (in bits) constant arithmetic may produce: sizes need 63 bits, so a
bound far above that refuses ``2 ** 10 ** 9`` before computing it, never after."""

_FOLD_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)


def _fold(node: ast.expr) -> int | float | None:
    """Constant arithmetic of number literals folded to its value (``1./255``, ``4*32``).

    Only + - * / // % ** and unary signs over int/float literals, walked node by node with
    Python's own operators on the two already-folded numbers: nothing is evaluated as code.
    Results beyond :data:`MAX_FOLD_BITS` bits (checked before multiplying or raising to a
    power), non-finite floats and division by zero are errors.  None: not arithmetic of
    literals (the caller reports what it is).
    """
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        return None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _fold(node.operand)
        if operand is None:
            return None
        return -operand if isinstance(node.op, ast.USub) else operand
    if not isinstance(node, ast.BinOp) or not isinstance(node.op, _FOLD_OPS):
        return None
    left, right = _fold(node.left), _fold(node.right)
    if left is None or right is None:
        return None
    return _apply(node, left, right)


def _bits(value: int | float) -> float:
    """About how many bits the magnitude of a number takes (floats by their exponent)."""
    if isinstance(value, int):
        return value.bit_length()
    from math import frexp

    return float(frexp(value)[1]) if value else 0.0


def _apply(node: ast.BinOp, left: int | float, right: int | float) -> int | float:
    """One folded operation, refused before it could produce an unbounded number."""
    op = node.op
    too_big = _InlineError(
        f"constant arithmetic gives a number beyond 2**{MAX_FOLD_BITS}", node, hint="sizes are at most 2**63 - 1"
    )
    exact = isinstance(left, int) and isinstance(right, int)
    if isinstance(op, ast.Pow) and exact and abs(left) > 1 and _bits(left) * right > MAX_FOLD_BITS + 1:
        raise too_big  # float powers end in OverflowError below; only int ** int can grow unbounded
    if isinstance(op, ast.Mult) and _bits(left) + _bits(right) > MAX_FOLD_BITS + 1:
        raise too_big
    if isinstance(op, (ast.Div, ast.FloorDiv, ast.Mod)) and right == 0:
        raise _InlineError("division by zero", node)
    try:
        if isinstance(op, ast.Add):
            result: int | float = left + right
        elif isinstance(op, ast.Sub):
            result = left - right
        elif isinstance(op, ast.Mult):
            result = left * right
        elif isinstance(op, ast.Div):
            result = left / right
        elif isinstance(op, ast.FloorDiv):
            result = left // right
        elif isinstance(op, ast.Mod):
            result = left % right
        else:
            result = left**right
    except (OverflowError, ZeroDivisionError, ValueError):
        raise too_big from None
    if isinstance(result, complex):
        raise _InlineError("constant arithmetic gives a complex number", node)
    if isinstance(result, float) and not isfinite(result):
        raise too_big
    if _bits(result) > MAX_FOLD_BITS + 1:
        raise too_big
    return result


def _what(node: ast.AST) -> str:
    """A short name for an unexpected syntax node."""
    names = {
        ast.BinOp: "an arithmetic expression",
        ast.Attribute: "attribute access",
        ast.Subscript: "indexing",
        ast.Lambda: "a lambda",
        ast.Compare: "a comparison",
        ast.BoolOp: "a boolean expression",
        ast.JoinedStr: "an f-string",
        ast.Constant: "a constant",
        ast.Call: "a call's result",
        ast.UnaryOp: "an expression",
        ast.IfExp: "a conditional expression",
        ast.NamedExpr: "an assignment",
        ast.Tuple: "a tuple",
        ast.Starred: "a starred expression",
    }
    return names.get(type(node), f"a Python {type(node).__name__} expression")
