"""Transaction JSON → Transaction: schema validation with field paths, country normalisation."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from chipguard.errors import InputError
from chipguard.policy.transaction import load_transaction, parse_transaction

VALID: dict[str, Any] = {
    "date": "2025-07-01",
    "kind": "rental",
    "destination": "Malaysia",
    "end_use": "LLM training",
    "customer": {
        "name": "Nanyang Compute Pte. Ltd.",
        "kind": "org",
        "country": "sg",
        "headquarters": "SGP",
        "ultimate_parent": {"name": "Shenzhen Cloud Star Technology Co., Ltd.", "country": "CN"},
        "owners": [{"name": "Li Wei", "kind": "person", "country": "CN", "percent": None}],
        "addresses": [
            "10 Anson Road, Singapore",
            {"text": "Jalan Ampang 1", "city": "Kuala Lumpur", "country": "MY"},
        ],
        "email_domains": ["@CloudStar.cn"],
        "ip_countries": ["HK"],
        "payment_country": "HK",
        "identifiers": [{"scheme": "registration", "value": "202401234K", "country": "SG"}],
        "incorporation_date": "2024-11-02",
    },
    "items": [{"model": "H100 SXM", "quantity": 64}],
}


def _with(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    node: Any = data
    parts = path.replace("]", "").replace("[", ".").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    last = parts[-1]
    if value is _DELETE:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return data


_DELETE = object()


def test_valid_transaction_is_normalised() -> None:
    t = parse_transaction(VALID)
    assert t.destination == "MY" and t.kind == "rental" and t.date == "2025-07-01"
    c = t.customer
    assert (c.country, c.headquarters, c.payment_country, c.ip_countries) == ("SG", "SG", "HK", ["HK"])
    assert c.ultimate_parent is not None and c.ultimate_parent.country == "CN"
    assert c.owners[0].percent is None and c.owners[0].kind == "person"
    assert c.addresses[0].text.startswith("10 Anson") and c.addresses[1].country == "MY"
    assert c.email_domains == ["cloudstar.cn"]
    assert t.items[0].model == "H100 SXM" and t.items[0].quantity == 64


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("items.0.model", _DELETE, "items[0].model"),
        ("items.0.model", "", "items[0].model"),
        ("items.0.quantity", 0, "items[0].quantity"),
        ("items", [], "items"),
        ("date", _DELETE, "date"),
        ("kind", "lease", "kind"),
        ("customer.owners.0.percent", 120, "customer.owners[0].percent"),
        ("customer.owners.0.percent", "half", "customer.owners[0].percent"),
        ("customer.name", _DELETE, "customer.name"),
        ("customer.ultimate_parent.name", _DELETE, "customer.ultimate_parent.name"),
        ("customer.colour", "red", "customer.colour"),
        ("destination", "XX", "destination"),
        ("customer.country", "Atlantis", "customer.country"),
        ("customer.owners.0.country", "ZZ", "customer.owners[0].country"),
        ("customer.ip_countries.0", "QQ", "customer.ip_countries[0]"),
        ("date", "01/07/2025", "date"),
        ("customer.incorporation_date", "2024-13-45", "customer.incorporation_date"),
    ],
)
def test_malformed_transaction_names_the_field(path: str, value: Any, field: str) -> None:
    with pytest.raises(InputError) as err:
        parse_transaction(_with(path, value))
    assert err.value.field == field, str(err.value)
    assert field in str(err.value)


def test_not_an_object() -> None:
    with pytest.raises(InputError):
        parse_transaction([1, 2])


def test_file_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "t.json"
    bad.write_text('{\n  "date": "2025-01-01",\n  "kind": \n}', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_transaction(bad)
    assert err.value.file == str(bad) and err.value.line == 4
    with pytest.raises(InputError, match="not found"):
        load_transaction(tmp_path / "missing.json")
    good = tmp_path / "ok.json"
    good.write_text(json.dumps(VALID), encoding="utf-8")
    assert load_transaction(good).customer.name == "Nanyang Compute Pte. Ltd."
    wrong = tmp_path / "w.json"
    wrong.write_text(json.dumps(_with("items.0.quantity", -3)), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_transaction(wrong)
    assert err.value.file == str(wrong) and err.value.field == "items[0].quantity"


def test_schema_is_valid_and_every_scenario_transaction_conforms() -> None:
    from jsonschema import Draft202012Validator

    from chipguard.policy.transaction import transaction_schema, validate_transaction_dict

    Draft202012Validator.check_schema(transaction_schema())
    scenarios = sorted((Path(__file__).parent / "scenarios").glob("*.json"))
    assert scenarios
    for path in scenarios:
        validate_transaction_dict(json.loads(path.read_text(encoding="utf-8"))["transaction"], file=str(path))


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_text(json.dumps({**VALID, "end_use": "x" * (1024 * 1024)}), encoding="utf-8")
    with pytest.raises(InputError, match="larger than"):
        load_transaction(big)
