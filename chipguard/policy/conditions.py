"""Generic conditions over facts: the only logic a rule file can express.

A rule's ``when`` is a tree of ``all`` / ``any`` / ``not`` nodes whose leaves compare one fact (a dotted
path into the fact dictionary) with a literal or with another fact. Python never branches on a country
code, a list name or a chip model: those live in the rule files and the facts. Keeping the language this
small is deliberate: a compliance officer can read it, and a decision can quote exactly which facts a
rule looked at.

Missing facts: every operator except ``exists`` and ``empty`` is false on a fact that is absent (None),
so a rule never fires on data that was not there; rules that must fail closed test ``exists: false``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from chipguard.errors import InputError

_MISSING = object()


def resolve(facts: dict[str, Any], path: str) -> Any:
    """Value at dotted ``path`` (``destination.groups``, ``item.tpp``) or None when any step is absent."""
    node: Any = facts
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]


def _fold(value: Any) -> Any:
    """Case-insensitive comparison for strings (list names, country codes, end uses)."""
    return value.casefold() if isinstance(value, str) else value


def _contains(haystack: Any, needle: Any) -> bool:
    return _fold(needle) in {_fold(v) for v in _as_list(haystack) if not isinstance(v, dict | list)}


def _ordered(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def check(value: Any, target: Any) -> bool:
        if value is None or target is None or isinstance(value, bool):
            return False
        try:
            return op(value, target)
        except TypeError:
            return False

    return check


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda v, t: _fold(v) == _fold(t),
    "ne": lambda v, t: _fold(v) != _fold(t),
    "in": lambda v, t: _fold(v) in {_fold(x) for x in _as_list(t)},
    "not_in": lambda v, t: _fold(v) not in {_fold(x) for x in _as_list(t)},
    "contains": _contains,
    "contains_any": lambda v, t: any(_contains(v, x) for x in _as_list(t)),
    "contains_all": lambda v, t: all(_contains(v, x) for x in _as_list(t)),
    "contains_none": lambda v, t: not any(_contains(v, x) for x in _as_list(t)),
    "gt": _ordered(lambda v, t: v > t),
    "gte": _ordered(lambda v, t: v >= t),
    "lt": _ordered(lambda v, t: v < t),
    "lte": _ordered(lambda v, t: v <= t),
    "matches": lambda v, t: isinstance(v, str) and re.search(str(t), v, re.IGNORECASE) is not None,
}
# Operators that also look at absent facts.
PRESENCE_OPERATORS = ("exists", "empty")
LOGICAL = ("all", "any", "not")


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple | dict | set) and len(value) == 0)


def _operand(facts: dict[str, Any], target: Any) -> Any:
    """A literal, or ``{fact: path}`` to compare with another fact (e.g. IP country vs declared country)."""
    if isinstance(target, dict) and set(target) == {"fact"}:
        return resolve(facts, str(target["fact"]))
    return target


def evaluate(cond: Any, facts: dict[str, Any], used: dict[str, Any] | None = None) -> bool:
    """Truth of ``cond`` on ``facts``. ``used`` collects every fact path read, with its value, so the
    decision can say which facts a rule looked at."""
    if cond is True or cond is None:
        return True
    if cond is False:
        return False
    if not isinstance(cond, dict):
        raise InputError(f"condition must be a mapping, got {cond!r}")
    if "all" in cond:
        return all(evaluate(c, facts, used) for c in cond["all"])
    if "any" in cond:
        return any(evaluate(c, facts, used) for c in cond["any"])
    if "not" in cond:
        return not evaluate(cond["not"], facts, used)
    path = str(cond["fact"])
    value = resolve(facts, path)
    if used is not None:
        used[path] = value
    for op, raw_target in cond.items():
        if op == "fact":
            continue
        target = _operand(facts, raw_target)
        if isinstance(raw_target, dict) and "fact" in raw_target and used is not None:
            used[str(raw_target["fact"])] = target
        if op == "exists":
            ok = (value is not None) == bool(target)
        elif op == "empty":
            ok = _is_empty(value) == bool(target)
        elif value is None:
            ok = False
        else:
            ok = OPERATORS[op](value, target)
        if not ok:
            return False
    return True


def validate(cond: Any, where: str, file: str | None = None) -> None:
    """Rejects unknown operators and malformed nodes at load time, not in the middle of a decision."""
    if isinstance(cond, bool) or cond is None:
        return
    if not isinstance(cond, dict) or not cond:
        raise InputError(f"condition must be a non-empty mapping, got {cond!r}", file=file, field=where)
    logical = [k for k in cond if k in LOGICAL]
    if logical:
        if len(cond) != 1:
            raise InputError(f"'{logical[0]}' must be the only key of its node", file=file, field=where)
        key = logical[0]
        if key == "not":
            validate(cond["not"], f"{where}.not", file)
            return
        children = cond[key]
        if not isinstance(children, list) or not children:
            raise InputError(f"'{key}' takes a non-empty list of conditions", file=file, field=where)
        for i, child in enumerate(children):
            validate(child, f"{where}.{key}[{i}]", file)
        return
    if "fact" not in cond or not isinstance(cond["fact"], str):
        raise InputError("a leaf condition needs 'fact: <dotted.path>'", file=file, field=where)
    ops = [k for k in cond if k != "fact"]
    if not ops:
        raise InputError(f"condition on '{cond['fact']}' has no operator", file=file, field=where)
    for op in ops:
        if op not in OPERATORS and op not in PRESENCE_OPERATORS:
            known = ", ".join([*OPERATORS, *PRESENCE_OPERATORS])
            raise InputError(f"unknown operator '{op}' (known: {known})", file=file, field=where)


def fact_paths(cond: Any) -> Iterable[str]:
    """Every fact path a condition mentions (for documentation and linting of rule files)."""
    if isinstance(cond, dict):
        if "fact" in cond and isinstance(cond["fact"], str):
            yield cond["fact"]
        for key, value in cond.items():
            if key == "fact":
                continue
            if isinstance(value, list):
                for child in value:
                    yield from fact_paths(child)
            elif isinstance(value, dict):
                yield from fact_paths(value)
