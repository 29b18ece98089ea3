"""Shared set-up of the decision tests on owners (tests/test_kindless_screening.py,
tests/test_kindless_owners.py): the service layer over a private copy of a home with the bundled lists
loaded, and a GPU deal of a Singapore cloud customer with one declared owner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_batch_support import chipguard_home, home_copy

from chipguard.service.services import Services


def services_over_bundled_lists(tmp_path_factory: pytest.TempPathFactory, label: str) -> Iterator[Services]:
    """The service layer over a private copy of a home with the bundled lists loaded (a module fixture's
    body: ``yield from``)."""
    path = home_copy(Path(tmp_path_factory.mktemp(label)) / "home")
    with chipguard_home(path):
        yield Services.open()


def owner_transaction(owner: dict[str, Any], kind: str) -> dict[str, Any]:
    """A GPU ``kind`` (sale, rental) to a Singapore cloud customer with one declared owner."""
    return {
        "date": "2024-09-02",
        "kind": kind,
        "customer": {
            "name": "Harbourfront Compute Pte. Ltd.",
            "kind": "org",
            "country": "SG",
            "headquarters": "SG",
            "owners": [owner],
            "ip_countries": ["SG"],
            "payment_country": "SG",
            "incorporation_date": "2016-05-01",
            "business_type": "cloud",
        },
        "items": [{"model": "H100 SXM", "quantity": 8}],
        "destination": "SG",
        "end_use": "hosting inference for retail customers",
    }
