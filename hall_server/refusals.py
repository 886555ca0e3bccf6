"""Which error codes each command can be refused with, read from the decisions themselves.

    refusals_by_command() -> {"vote.cast": ["already_voted", ...], ...}
    COMMON_REFUSALS       codes any command can meet, whatever its kind

The rules of procedure (``procedure/``) and the hall service (``hall.py``) raise
``ProtocolError(ErrorCode.X, ...)``. This module parses their source with ``ast``
(no import side effects): a command's codes are those raised in its ``case Cls():``
block or its ``if isinstance(cmd, Cls)`` block, and in every function those blocks
call, transitively. Codes raised before a decision dispatches on the command (an
unknown sitting, a role that may not send it) apply to every command and are in
``COMMON_REFUSALS`` with the transport's own. The result is an over-approximation
("can be refused with"), never a guess: the conformance test checks every refusal a
real server gives against it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import get_args

import procedure
from hall_server import hall
from protocol import commands
from protocol.errors import ErrorCode

COMMON_REFUSALS: tuple[ErrorCode, ...] = (
    # The message and its sender, checked by the transport before any rule.
    ErrorCode.MALFORMED, ErrorCode.TOO_LARGE, ErrorCode.UNKNOWN_COMMAND, ErrorCode.UNSUPPORTED_VERSION,
    ErrorCode.UNAUTHENTICATED, ErrorCode.KEY_REVOKED, ErrorCode.CONFLICT, ErrorCode.RATE_LIMITED,
    ErrorCode.UNAVAILABLE,  # the store, whatever the command: disk full, database restarting
    # Before a decision looks at the command's kind.
    ErrorCode.UNKNOWN_SITTING, ErrorCode.FORBIDDEN, ErrorCode.NOT_YOUR_MEMBER, ErrorCode.INVALID_STATE,
)


def _sources() -> list[Path]:
    return [*sorted(Path(procedure.__file__).parent.glob("*.py")), Path(hall.__file__)]


def _codes(node: ast.AST) -> set[str]:
    """ErrorCode names in ``ProtocolError(ErrorCode.X, ...)`` calls under ``node``."""
    found = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "ProtocolError" and n.args:
            first = n.args[0]
            if isinstance(first, ast.Attribute) and isinstance(first.value, ast.Name) and first.value.id == "ErrorCode":
                found.add(first.attr)
    return found


def _calls(node: ast.AST) -> set[str]:
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            if isinstance(n.func, ast.Name):
                names.add(n.func.id)
            elif isinstance(n.func, ast.Attribute):
                names.add(n.func.attr)
    return names


def _classes(pattern_or_test: ast.AST) -> Iterator[str]:
    """Command class names in a ``case Cls():`` pattern or an ``isinstance(cmd, A | B)`` test."""
    if isinstance(pattern_or_test, ast.MatchClass) and isinstance(pattern_or_test.cls, ast.Name):
        yield pattern_or_test.cls.id
    elif isinstance(pattern_or_test, ast.MatchOr):
        for p in pattern_or_test.patterns:
            yield from _classes(p)
    elif isinstance(pattern_or_test, ast.Call) and isinstance(pattern_or_test.func, ast.Name) and \
            pattern_or_test.func.id == "isinstance" and len(pattern_or_test.args) == 2:
        kinds = pattern_or_test.args[1]
        stack: list[ast.AST] = [kinds]
        while stack:
            k = stack.pop()
            if isinstance(k, ast.Name):
                yield k.id
            elif isinstance(k, ast.BinOp):
                stack += [k.left, k.right]
            elif isinstance(k, ast.Tuple):
                stack += k.elts
    elif isinstance(pattern_or_test, ast.BoolOp):
        for v in pattern_or_test.values:
            yield from _classes(v)


def _blocks(tree: ast.AST) -> Iterator[tuple[str, list[ast.stmt]]]:
    """(command class name, the statements that decide it) for every dispatch in a module."""
    for n in ast.walk(tree):
        if isinstance(n, ast.match_case):
            for cls in _classes(n.pattern):
                yield cls, n.body
        elif isinstance(n, ast.If):
            for cls in _classes(n.test):
                yield cls, n.body


@cache
def refusals_by_command() -> dict[str, list[str]]:
    """Command type -> the error codes its decision can raise (sorted), beyond ``COMMON_REFUSALS``."""
    trees = [ast.parse(p.read_text()) for p in _sources()]
    functions: dict[str, ast.AST] = {}
    for tree in trees:
        for n in ast.walk(tree):
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef):
                functions.setdefault(n.name, n)

    # A dispatcher (a function that matches on the command) is not followed: each of its
    # blocks is attributed to its own command class below.
    dispatchers = {name for name, f in functions.items() if any(True for _ in _blocks(f))}

    @cache
    def closure(name: str) -> frozenset[str]:
        seen: set[str] = set()
        todo, codes = [name], set()
        while todo:
            f = todo.pop()
            if f in seen or f not in functions or f in dispatchers:
                continue
            seen.add(f)
            codes |= _codes(functions[f])
            todo += list(_calls(functions[f]))
        return frozenset(codes)

    def block_codes(body: Iterable[ast.stmt]) -> set[str]:
        codes: set[str] = set()
        for stmt in body:
            codes |= _codes(stmt)
            for called in _calls(stmt):
                codes |= closure(called)
        return codes

    by_class: dict[str, set[str]] = {}
    for tree in trees:
        for cls, body in _blocks(tree):
            by_class.setdefault(cls, set()).update(block_codes(body))
    common = {c.value for c in COMMON_REFUSALS}
    out = {}
    for model in get_args(get_args(commands.Command)[0]):
        kind = model.model_fields["type"].default
        codes = {ErrorCode[c].value for c in by_class.get(model.__name__, set())} - common
        out[kind] = sorted(codes)
    return dict(sorted(out.items()))


def refusals_document() -> dict[str, object]:
    """What ``protocol.asyncapi.asyncapi_document`` takes as ``refusals``."""
    return {"common": [c.value for c in COMMON_REFUSALS], "by_command": refusals_by_command()}


@cache
def protocol_document() -> dict[str, object]:
    """The AsyncAPI document with the refusals of each command: what the server serves.

    Built once per process (it depends only on the code); callers must not change it."""
    from protocol.asyncapi import asyncapi_document

    return asyncapi_document(refusals_document())


__all__ = ["COMMON_REFUSALS", "protocol_document", "refusals_by_command", "refusals_document"]
