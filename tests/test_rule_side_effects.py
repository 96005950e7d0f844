"""Rule code reads arguments; it does not call a validator only for its side effect.

An argument's kind is declared in the rule's signature (``("eps", 1e-5, Args.number)``) and
checked by binding before the formula runs (see ``test_rule_kinds.py``).  A bare
``args.flag("x")`` statement in a rule body is a kind the signature should declare.  The
exceptions below are checks whose place in the body decides which error a layer with
several bad arguments reports first, and that order is pinned (tests/bad_specs, the CLI
error tests): declaring them would move them before checks that now come first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import paramcalc.rules

_VALIDATORS = {"positive_int", "integer", "optional_int", "flag", "number", "choice", "ints", "string"}
_RULES = Path(paramcalc.rules.__file__).parent

# (module, enclosing function, call) -> why the call stays in the body
_AFTER_INPUTS = "checked after the inputs' count and shapes, which a declared kind would precede"
_NO_INPUT_ONLY = "checked only without an input shape, after the window arguments; with one, after the rank check"
_RNN_ORDER = "checked after units and the weight terms, in an order the signature does not follow (dropout last)"
_EXCEPTIONS: dict[tuple[str, str, str], str] = {
    ("attention", "_dropout", "args.number('dropout', 0.0, 1.0)"): _AFTER_INPUTS + " and the head sizes",
    ("attention", "_dropout", "args.positive_int('sliding_window')"): _AFTER_INPUTS + " and the head sizes",
    ("attention", "additive_attention", "args.number('dropout', 0.0, 1.0)"): _AFTER_INPUTS,
    ("attention", "attention", "args.number('dropout', 0.0, 1.0)"): _AFTER_INPUTS + " and score_mode",
    ("conv_recurrent", "conv_lstm", "args.number('dropout')"): "checked after return_sequences...stateful "
    "(declared kinds), which the signature lists after it",
    ("conv_recurrent", "conv_lstm", "args.number('recurrent_dropout')"): "as dropout",
    ("core", "_embedding_table", "args.flag('mask_zero')"): "checked after input_length, "
    "which the signature lists last",
    ("merging", "dot", "args.flag('normalize')"): _AFTER_INPUTS,
    ("preprocessing_encoders", "_index_lookup", "args.integer('num_oov_indices')"): "checked after "
    "output_mode and invert, which the signature lists after it",
    ("preprocessing_encoders", "_index_lookup", "args.optional_int('max_tokens')"): "as num_oov_indices",
    ("preprocessing_encoders", "text_vectorization", "args.optional_int('max_tokens')"): "checked after "
    "output_mode, which the signature lists after it",
    ("recurrent", "_lstm_terms", "args.flag('unit_forget_bias')"): _RNN_ORDER,
    ("recurrent", "_outputs", "args.flag(key)"): _RNN_ORDER,
    ("recurrent", "_outputs", "args.number('dropout', 0.0, 1.0)"): _RNN_ORDER,
    ("recurrent", "_outputs", "args.number('recurrent_dropout', 0.0, 1.0)"): _RNN_ORDER,
    ("torch_norm", "_batch", "args.flag('bias')"): "a weightless lazy norm checks bias after affine and "
    "track_running_stats; otherwise bias comes after the input checks",
    ("torch_norm", "_instance", "args.flag('bias')"): "as in _batch",
    ("torch_pooling", "adaptive", "args.flag('return_indices')"): _NO_INPUT_ONLY,
    ("torch_pooling", "fractional", "args.flag('return_indices')"): _NO_INPUT_ONLY,
    ("torch_pooling", "max_pool", "args.flag('return_indices')"): "checked after ceil_mode, "
    "which the signature lists after it; with an input, after the rank check",
    ("torch_recurrent", "_check_common", "args.flag('batch_first')"): "RNN checks nonlinearity "
    "(its 4th argument) first, then input_size...bias, batch_first, bidirectional, dropout",
    ("torch_recurrent", "_check_common", "args.flag('bidirectional')"): "checked before dropout, "
    "which the signature lists before it",
    ("torch_resampling", "upsample", "args.flag('align_corners')"): "checked after the size and "
    "recompute_scale_factor cross-check",
}


def _calls_in(source: str, module: str) -> set[tuple[str, str, str]]:
    """Every ``<name>.<validator>(...)`` expression statement, with its innermost function."""
    found: set[tuple[str, str, str]] = set()

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, child.name)
                continue
            if (
                isinstance(child, ast.Expr)
                and isinstance(child.value, ast.Call)
                and isinstance(child.value.func, ast.Attribute)
                and child.value.func.attr in _VALIDATORS
            ):
                found.add((module, function, ast.unparse(child.value)))
            visit(child, function)

    visit(ast.parse(source), "<module>")
    return found


def _side_effect_calls() -> set[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set()
    for path in sorted(_RULES.glob("*.py")):
        found |= _calls_in(path.read_text(encoding="utf-8"), path.stem)
    return found


def test_no_rule_calls_a_validator_only_for_its_side_effect() -> None:
    unexpected = sorted(_side_effect_calls() - set(_EXCEPTIONS))
    assert not unexpected, "declare these argument kinds in the rule signature instead: " + "; ".join(
        f"{module}.{function}: {call}" for module, function, call in unexpected
    )


def test_every_listed_exception_is_still_in_the_code() -> None:
    assert not set(_EXCEPTIONS) - _side_effect_calls(), "remove the exceptions the code no longer has"


def test_the_check_finds_a_discarded_validator_call_but_not_a_read_value() -> None:
    source = (
        'def outer(args):\n    def body(args):\n        args.flag("x")\n        y = args.flag("y")\n    a.number("z")\n'
    )
    assert _calls_in(source, "m") == {("m", "body", "args.flag('x')"), ("m", "outer", "a.number('z')")}
