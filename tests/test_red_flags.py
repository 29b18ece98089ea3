"""Shell-company red flags on real list records (bundled CSL snapshot) and through the decision engine."""

from __future__ import annotations

from datetime import date

import pytest
from test_ownership_support import csl_screener

from chipguard.model import Address, Customer, Item, Party, Transaction, UltimateParent
from chipguard.ownership.address import normalise_address, same_address
from chipguard.ownership.red_flags import FLAG_NAMES, RedFlagContext, red_flag_facts
from chipguard.policy.rules import load_rule_set


@pytest.fixture(scope="module")
def csl_parties() -> list[Party]:
    return csl_screener().parties


def clean_customer(**changes: object) -> Customer:
    base = Customer(
        name="Northwind Research University",
        country="US",
        headquarters="US",
        addresses=[Address(text="77 Massachusetts Avenue, Cambridge, MA 02139", country="US")],
        email_domains=["northwind.edu"],
        ip_countries=["US"],
        payment_country="US",
        incorporation_date="1861-04-10",
        business_type="university",
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def flags(customer: Customer, parties: list[Party] | None = None, **kw: object) -> dict:  # type: ignore[type-arg]
    txn = Transaction(
        date=str(kw.pop("on", "2025-10-15")),
        kind=str(kw.pop("kind", "sale")),
        customer=customer,
        items=[Item("H100 SXM", int(kw.pop("quantity", 8)))],
        destination="US",
        end_use=str(kw.pop("end_use", "training language models for academic research")),
    )
    ctx = RedFlagContext(
        on=date.fromisoformat(txn.date),
        listed_parties=parties or [],
        other_customers=list(kw.pop("others", [])),  # type: ignore[call-overload]
    )
    return red_flag_facts(txn, ctx)


def test_a_clean_customer_raises_nothing(csl_parties: list[Party]) -> None:
    out = flags(clean_customer(), csl_parties)
    assert out["kyc"]["raised"] == []
    assert set(out["kyc_flags"]) == set(FLAG_NAMES)


def test_country_mismatch() -> None:
    out = flags(
        clean_customer(country="SG", headquarters="SG", ip_countries=["SG", "CN"], payment_country="HK")
    )
    flag = out["kyc_flags"]["country_mismatch"]
    assert flag["raised"] and flag["ip_countries"] == ["CN"] and flag["payment_country"] == "HK"
    assert flag["detail"] == "declared SG but IP addresses in CN and payment from HK"


def test_address_of_a_listed_party(csl_parties: list[Party]) -> None:
    # Huawei's Entity List address, written differently
    customer = clean_customer(
        name="Pearl River Compute Ltd",
        country="CN",
        addresses=[Address(text="Bantian Huawei Base, Longgang District, Shenzhen 518129", country="CN")],
    )
    flag = flags(customer, csl_parties)["kyc_flags"]["listed_address"]
    assert flag["raised"]
    assert any("Huawei" in m["party"] and "Entity List" in m["list_name"] for m in flag["matches"])
    # a city-only match is too coarse to mean anything
    city_only = clean_customer(addresses=[Address(text="Shenzhen", country="CN")])
    assert not flags(city_only, csl_parties)["kyc_flags"]["listed_address"]["raised"]


def test_address_normalisation() -> None:
    a = normalise_address("No. 18, Zhang Jiang Rd., Pudong, Shanghai, 201203, CN")
    b = normalise_address(Address(text="18 Zhang Jiang Road, Pudong, Shanghai 201203", country="CN"))
    assert same_address(a, b)
    c = normalise_address(Address(text="19 Zhang Jiang Road, Pudong, Shanghai", country="CN"))
    assert not same_address(a, c)
    d = normalise_address(Address(text="18 Zhang Jiang Road, Pudong, Shanghai 201203", country="TW"))
    assert not same_address(a, d)


def test_address_shared_with_many_unrelated_customers() -> None:
    here = Address(text="1 Raffles Place #20-61, Singapore 048616", country="SG")
    me = clean_customer(name="Kestrel GPU Cloud Pte Ltd", country="SG", addresses=[here], customer_id="c-1")
    others = [
        Customer(name=f"Shell {i} Pte Ltd", customer_id=f"c-{i + 2}", country="SG", addresses=[here])
        for i in range(3)
    ]
    flag = flags(me, others=others)["kyc_flags"]["shared_address"]
    assert flag["raised"] and flag["count"] == 3 and flag["minimum"] == 3
    assert not flags(me, others=others[:2])["kyc_flags"]["shared_address"]["raised"]
    # group companies sharing their parent's office are not "unrelated"
    group = [
        Customer(
            name=f"Kestrel Sub {i}",
            customer_id=f"g-{i}",
            addresses=[here],
            ultimate_parent=UltimateParent("Kestrel Group"),
        )
        for i in range(3)
    ]
    me.ultimate_parent = UltimateParent("Kestrel Group")
    assert flags(me, others=group)["kyc_flags"]["shared_address"]["count"] == 0


def test_recent_incorporation_threshold_from_the_rule_file() -> None:
    young = flags(clean_customer(incorporation_date="2025-08-01"), on="2025-10-15")["kyc_flags"][
        "recent_incorporation"
    ]
    assert young["raised"] and young["age_days"] == 75 and young["threshold_days"] == 365
    old = flags(clean_customer(incorporation_date="2023-01-01"), on="2025-10-15")["kyc_flags"][
        "recent_incorporation"
    ]
    assert not old["raised"]
    assert load_rule_set().settings["red_flag_recent_incorporation_days"] == 365


def test_residential_address_ordering_data_centre_quantities() -> None:
    home = clean_customer(
        addresses=[Address(text="Blk 123 Ang Mo Kio Avenue 3 #05-01, HDB flat", country="SG")]
    )
    flag = flags(home, quantity=64)["kyc_flags"]["residential_quantity"]
    assert flag["raised"] and flag["quantity"] == 64
    assert not flags(home, quantity=2)["kyc_flags"]["residential_quantity"]["raised"]
    office = clean_customer(
        addresses=[Address(text="2 Science Park Drive, Ascent Tower, Singapore", country="SG")]
    )
    assert not flags(office, quantity=64)["kyc_flags"]["residential_quantity"]["raised"]
    # Singapore public housing ("Blk … #05-67") — the ALX Solutions pattern
    hdb = clean_customer(
        country="SG", addresses=[Address(text="Blk 123 Ang Mo Kio Avenue 3 #05-67", country="SG")]
    )
    assert flags(hdb, quantity=40)["kyc_flags"]["residential_quantity"]["raised"]
    industrial = clean_customer(
        addresses=[Address(text="Blk 5000 Ang Mo Kio Industrial Park 2 #01-01", country="SG")]
    )
    assert not flags(industrial, quantity=40)["kyc_flags"]["residential_quantity"]["raised"]
    chinese = clean_customer(addresses=[Address(text="深圳市南山区某某花园3栋1201", country="CN")])
    assert flags(chinese, quantity=16)["kyc_flags"]["residential_quantity"]["raised"]


def test_forwarder_or_out_of_trade_reseller_as_end_user() -> None:
    by_type = flags(clean_customer(name="Speedy Links Pte Ltd", business_type="freight_forwarder"))
    assert by_type["kyc_flags"]["forwarder_end_user"]["kind"] == "forwarder"
    by_name = flags(clean_customer(name="Oceanic Freight Logistics Sdn Bhd", business_type=""))
    assert by_name["kyc_flags"]["forwarder_end_user"]["raised"]
    trader = flags(clean_customer(name="Golden Bridge General Trading LLC", business_type=""))
    assert trader["kyc_flags"]["forwarder_end_user"]["kind"] == "reseller"
    chip_reseller = flags(clean_customer(name="Apex Server Systems Trading Ltd", business_type="reseller"))
    assert not chip_reseller["kyc_flags"]["forwarder_end_user"]["raised"]


def test_a_distributor_is_not_a_forwarder_but_a_consignee_outside_the_trade_is_flagged() -> None:
    """Issue 15: the flag fired on any 'distributor'; the guidance's condition is a forwarder, an
    out-of-trade reseller, or a consignee whose line of business does not match the goods."""
    distributor = flags(clean_customer(name="Sinar Digital Sdn Bhd", business_type="distributor"))
    assert not distributor["kyc_flags"]["forwarder_end_user"]["raised"]
    restaurant = flags(clean_customer(name="Golden Lotus Sdn Bhd", business_type="restaurant"))
    assert restaurant["kyc_flags"]["forwarder_end_user"]["kind"] == "business_mismatch"
    assert "does not match" in restaurant["kyc_flags"]["forwarder_end_user"]["detail"]


def test_contact_domain_of_a_listed_party(csl_parties: list[Party]) -> None:
    # AERO SKYONE CO. LIMITED (SDN) states www.aerskyone.com in its record
    customer = clean_customer(email_domains=[], emails=["sales@aerskyone.com", "someone@gmail.com"])
    flag = flags(customer, csl_parties)["kyc_flags"]["listed_email_domain"]
    assert flag["raised"]
    assert flag["matches"][0]["domain"] == "aerskyone.com" and "AERO SKYONE" in flag["matches"][0]["party"]
    # webmail is never evidence, and list publishers' own links (treasury.gov) are not party domains
    assert not flags(clean_customer(email_domains=["gmail.com", "treasury.gov"]), csl_parties)["kyc_flags"][
        "listed_email_domain"
    ]["raised"]


def test_refusal_to_give_end_use() -> None:
    assert flags(clean_customer(), end_use="")["kyc_flags"]["no_end_use"]["raised"]
    assert flags(clean_customer(), end_use="Confidential")["kyc_flags"]["no_end_use"]["raised"]
    assert not flags(clean_customer(), end_use="weather model training")["kyc_flags"]["no_end_use"]["raised"]


def test_every_flag_has_a_rule_with_a_citation() -> None:
    rules = {r.id: r for r in load_rule_set().rules if r.file == "red_flags.yml"}
    facts_read = {str(r.when.get("fact", "")) for r in rules.values() if isinstance(r.when, dict)}
    for name in FLAG_NAMES:
        assert f"kyc_flags.{name}.raised" in facts_read, name
    assert all(r.citation and r.outcome.value == "REVIEW" for r in rules.values())
