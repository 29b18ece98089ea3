"""Policy: versioned rule sets (data) and the engine that turns facts into an explained Decision.

The names below are loaded on first use (PEP 562), not when the package is imported: importing
``chipguard.policy.facts`` (which every screening path does, for ``ListsStatus``) used to import the whole
package, transaction parsing included — jsonschema and pydantic, ~0.17 s of a single ``chipguard screen``
that parses no transaction.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chipguard.policy.engine import decide
    from chipguard.policy.facts import DecisionContext, ListsStatus, register_fact_provider
    from chipguard.policy.rules import RuleSet, default_rule_set, load_rule_set
    from chipguard.policy.transaction import load_transaction, parse_transaction

# exported name -> the submodule that defines it
_EXPORTS = {
    "DecisionContext": "chipguard.policy.facts",
    "ListsStatus": "chipguard.policy.facts",
    "RuleSet": "chipguard.policy.rules",
    "decide": "chipguard.policy.engine",
    "default_rule_set": "chipguard.policy.rules",
    "load_rule_set": "chipguard.policy.rules",
    "load_transaction": "chipguard.policy.transaction",
    "parse_transaction": "chipguard.policy.transaction",
    "register_fact_provider": "chipguard.policy.facts",
}

__all__ = [
    "DecisionContext",
    "ListsStatus",
    "RuleSet",
    "decide",
    "default_rule_set",
    "load_rule_set",
    "load_transaction",
    "parse_transaction",
    "register_fact_provider",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value
