"""Policy: versioned rule sets (data) and the engine that turns facts into an explained Decision."""

from chipguard.policy.engine import decide
from chipguard.policy.facts import DecisionContext, ListsStatus, register_fact_provider
from chipguard.policy.rules import RuleSet, default_rule_set, load_rule_set
from chipguard.policy.transaction import load_transaction, parse_transaction

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
