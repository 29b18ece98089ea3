"""The input models the service layer accepts from every face.

The customer model itself lives in the core (``chipguard.policy.customer``) because a transaction's
customer is validated by it too; faces import it from here, the service layer's one door for input.
"""

from __future__ import annotations

from chipguard.policy.customer import (
    AddressModel,
    Alpha2,
    Country,
    CountryList,
    CustomerModel,
    DateOfBirth,
    IdentifierModel,
    Name,
    OwnerModel,
    ShortList,
    Strict,
    Text,
    UltimateParentModel,
    error_path,
    find_bad_text,
    parse_customer,
)

__all__ = [
    "AddressModel",
    "Alpha2",
    "Country",
    "CountryList",
    "CustomerModel",
    "DateOfBirth",
    "IdentifierModel",
    "Name",
    "OwnerModel",
    "ShortList",
    "Strict",
    "Text",
    "UltimateParentModel",
    "error_path",
    "find_bad_text",
    "parse_customer",
]
