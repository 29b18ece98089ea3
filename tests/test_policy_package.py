"""The policy package loads its parts on first use: a screen (which needs only ``ListsStatus``) does not pay
for transaction parsing (jsonschema, pydantic), every exported name still resolves, and what a process imports
first no longer decides the order of the fact providers."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import chipguard.policy as policy


def test_the_service_layer_imports_without_transaction_parsing() -> None:
    probe = (
        "import sys; import chipguard.service.services; "
        "print(sorted(m for m in ('jsonschema', 'chipguard.policy.transaction') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


@pytest.mark.parametrize("name", policy.__all__)
def test_every_exported_name_is_its_submodules_object(name: str) -> None:
    module = importlib.import_module(policy._EXPORTS[name])
    assert getattr(policy, name) is getattr(module, name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    assert set(policy.__all__) == set(policy._EXPORTS)
    with pytest.raises(AttributeError, match="no attribute 'RULE_SET_VERSION'"):
        _ = policy.RULE_SET_VERSION  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "first", ["chipguard.ownership.facts", "chipguard.ownership.red_flags", "chipguard.policy.engine"]
)
def test_fact_providers_run_in_one_order_whatever_the_process_imported_first(first: str) -> None:
    """A later provider refines what an earlier one found: the order is the engine's, not the order in
    which a process happened to import the modules that register them."""
    probe = (
        f"import {first}; from chipguard.policy.facts import providers; "
        "print(' '.join(name for name, _ in providers()))"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert ran.stdout.split() == [
        "transaction",
        "items",
        "screening",
        "ownership_direct",
        "ownership_graph",
        "red_flags",
    ]
