"""The input models the service layer accepts from every face, and the faces' one door to them.

The customer model itself lives in the core (``chipguard.policy.customer``) because a transaction's
customer is validated by it too; faces import it, its parser and the field types their own request models
are built of from here — never from the core, and never from another face (``api/schemas.py`` builds the
REST requests of these, it does not pass them on). Only what a face or a service module uses is named.
"""

from __future__ import annotations

from chipguard.policy.customer import (
    Alpha2,
    CustomerModel,
    DateOfBirth,
    Name,
    OwnerModel,
    Strict,
    Text,
    error_path,
    find_bad_text,
    parse_customer,
)

__all__ = [
    "Alpha2",  # a country code field (REST screening requests)
    "CustomerModel",  # the customer body of POST /v1/customers, the web form, the import rows
    "DateOfBirth",
    "Name",
    "OwnerModel",  # its fields are the owner columns of a customer CSV
    "Strict",  # the base of every request model: unknown fields and unstorable text refused
    "Text",
    "error_path",  # a validation error's location as a field path (owners[0].percent)
    "find_bad_text",
    "parse_customer",  # customer data → Customer, or an InputError naming the field
]
