"""One customer model for decisions and stored customers: a customer given as the ``customer`` of a
transaction and the same customer created as a stored record are accepted, normalised and refused alike."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from test_api_support import api

from chipguard.errors import InputError
from chipguard.policy.customer import CustomerModel, parse_customer
from chipguard.policy.transaction import parse_transaction, transaction_schema

CUSTOMER: dict[str, Any] = {
    "name": "  Nanyang Compute Pte. Ltd. ",
    "kind": "org",
    "country": "Singapore",
    "headquarters": "SGP",
    "ultimate_parent": {"name": "Cloudstar Holdings", "country": "china"},
    "owners": [
        {"name": "Tan Wei Ming", "kind": "person", "country": "SG", "percent": 40, "nationality": "Malaysia"},
        {"name": "Cloudstar Holdings", "country": "CN", "percent": None, "lei": "253400V1H6ART1UQ0N98"},
    ],
    "addresses": ["10 Anson Road, Singapore", {"text": "1 Jalan Ampang", "country": "MYS"}],
    "email_domains": ["@Nanyang-Compute.SG"],
    "ip_countries": ["HK", "Hong Kong"],
    "payment_country": "HK",
    "payment_instruments": ["card:4f2a"],
    "identifiers": [{"scheme": "UEN", "value": "201912345K", "country": "SG"}],
    "incorporation_date": "2019-04-30",
}


def transaction(customer: dict[str, Any]) -> dict[str, Any]:
    return {
        "date": "2025-07-01",
        "kind": "rental",
        "destination": "MY",
        "customer": customer,
        "items": [{"model": "H100 SXM", "quantity": 8}],
    }


def test_a_transaction_customer_and_a_stored_customer_are_one_customer() -> None:
    via_decision = parse_transaction(transaction(copy.deepcopy(CUSTOMER))).customer
    via_store = parse_customer(copy.deepcopy(CUSTOMER))
    assert via_decision == via_store
    c = via_store
    assert (c.name, c.country, c.headquarters) == ("Nanyang Compute Pte. Ltd.", "SG", "SG")
    assert c.ultimate_parent is not None and c.ultimate_parent.country == "CN"
    assert c.owners[0].nationality == "MY" and c.owners[1].percent is None
    assert c.addresses[0].text == "10 Anson Road, Singapore" and c.addresses[1].country == "MY"
    assert c.email_domains == ["nanyang-compute.sg"] and c.ip_countries == ["HK", "HK"]
    assert c.payment_instruments == ["card:4f2a"]


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        (("country",), "Atlantis", "country", "unknown country"),
        (("owners", 0, "country"), "ZZ", "owners[0].country", "unknown country"),
        (("ip_countries", 1), "QQ", "ip_countries[1]", "unknown country"),
        (("owners", 0, "percent"), 120, "owners[0].percent", "100"),
        (("colour",), "red", "colour", "unknown field"),
        (("owners", 1, "shares"), 3, "owners[1].shares", "unknown field"),
        (("incorporation_date",), "2024-02-31", "incorporation_date", "calendar date"),
        (("incorporation_date",), "2024-13-01", "incorporation_date", "calendar date"),
        (("owners", 1, "lei"), "253400V1H6ART1UQ0N99", "owners[1].lei", "LEI"),
        (("addresses", 1, "country"), "Narnia", "addresses[1].country", "unknown country"),
        (("name",), "   ", "name", "at least 1"),
    ],
)
def test_bad_customer_input_is_refused_alike_naming_the_field(
    path: tuple[Any, ...], value: Any, field: str, words: str
) -> None:
    bad = copy.deepcopy(CUSTOMER)
    node: Any = bad
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    with pytest.raises(InputError) as stored:
        parse_customer(copy.deepcopy(bad))
    with pytest.raises(InputError) as decided:
        parse_transaction(transaction(copy.deepcopy(bad)))
    assert stored.value.field == field, str(stored.value)
    assert decided.value.field == f"customer.{field}", str(decided.value)
    assert words in stored.value.detail and stored.value.detail == decided.value.detail


def test_the_published_transaction_schema_describes_the_customer_by_the_model() -> None:
    schema = transaction_schema()
    model = CustomerModel.model_json_schema(ref_template="#/$defs/{model}")
    model.pop("$defs")
    assert schema["properties"]["customer"] == {"$ref": "#/$defs/customer"}
    assert schema["$defs"]["customer"] == model
    assert {"OwnerModel", "AddressModel", "IdentifierModel", "UltimateParentModel"} <= set(schema["$defs"])


def test_the_rest_api_stores_and_decides_the_same_customer_alike(
    home: Path, tmp_path: Path, shared: Path
) -> None:
    """POST /v1/customers and POST /v1/decisions accept the same customer (countries by name, an address
    as text) and refuse the same bad one, naming the field in each body."""
    with api("sqlite", tmp_path, shared) as srv:
        h = srv.headers("analyst")
        r = srv.client.post("/v1/customers", json=CUSTOMER, headers=h)
        assert r.status_code == 201, r.text
        stored = r.json()["customer"]
        assert (stored["country"], stored["owners"][0]["nationality"]) == ("SG", "MY")
        r = srv.client.post("/v1/decisions", json=transaction(CUSTOMER), headers=h)
        assert r.status_code == 201, r.text
        bad = copy.deepcopy(CUSTOMER)
        bad["owners"][1]["lei"] = "253400V1H6ART1UQ0N99"
        r = srv.client.post("/v1/customers", json=bad, headers=h)
        assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "body.owners[1].lei"
        r = srv.client.post("/v1/decisions", json=transaction(bad), headers=h)
        assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "customer.owners[1].lei"
        bad = copy.deepcopy(CUSTOMER)
        bad["owners"][0]["percent"] = 120
        r = srv.client.post("/v1/customers", json=bad, headers=h)
        assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "body.owners[0].percent"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("owners", 0, "percent"), 120),
        (("owners", 1, "shares"), 3),
        (("owners", 1, "lei"), "253400V1H6ART1UQ0N99"),
        (("addresses", 1, "country"), "Narnia"),
        (("incorporation_date",), "2024-02-31"),
    ],
)
def test_a_customer_file_refuses_a_customer_as_the_api_does(
    tmp_path: Path, path: tuple[Any, ...], value: Any
) -> None:
    """A line of an import file is one ``POST /v1/customers`` body: the same message and field path, and
    the line it stands on."""
    import json

    from chipguard.service.customer_files import read_customers

    bad = copy.deepcopy(CUSTOMER) | {"customer_id": "ncp"}
    node: Any = bad
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    with pytest.raises(InputError) as stored:
        parse_customer(copy.deepcopy(bad))
    good = {"customer_id": "ok", "name": "Good Ltd"}
    file = tmp_path / "customers.jsonl"
    file.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as imported:
        read_customers(file)
    assert (imported.value.line, imported.value.field) == (2, stored.value.field), str(imported.value)
    assert f"line 2, field '{stored.value.field}': {stored.value.detail}" in imported.value.detail


@pytest.mark.parametrize(
    ("columns", "cells", "column", "words"),
    [
        ("owner1_name,owner1_percent", "Jane,140", "owner1_percent", "100"),
        ("owner1_name,owner1_date_of_birth", "Jane,1980-02-31", "owner1_date_of_birth", "date"),
        ("owner1_name,owner2_percent", "Jane,30", "owner2_name", "is required"),
        ("address,address_country", "1 Main St,Narnia", "address_country", "unknown country"),
        (
            "ultimate_parent_name,ultimate_parent_country",
            "Parent Co,Atlantis",
            "ultimate_parent_country",
            "country",
        ),
        ("lei", "253400V1H6ART1UQ0N99", "lei", "LEI"),
    ],
)
def test_a_customer_csv_names_the_column_of_a_bad_value(
    tmp_path: Path, columns: str, cells: str, column: str, words: str
) -> None:
    """In a CSV the field named is the column the user typed, for a value the model refuses and for an
    identifier that fails its check alike."""
    from chipguard.service.customer_files import read_customers

    file = tmp_path / "customers.csv"
    file.write_text(f"customer_id,name,{columns}\nk,K Ltd,{cells}\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_customers(file)
    assert (refused.value.line, refused.value.field) == (2, column), str(refused.value)
    assert words in refused.value.detail, str(refused.value)
