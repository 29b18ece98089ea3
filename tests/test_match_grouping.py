"""Records of one entity across lists are grouped as one entity with its records, each saying which
feature grouped it: the same record number on several lists (CSL), a list's cross-reference to another's
record (the UK's UN reference number), a shared identifier of one kind (a passport on the UN and the SDN
list), or the same normalised name with agreeing kind, countries and dates of birth. Every record still
shows. Real lists: CSL 2022-04 and the UK HMT sample from ../shared/data, the bundled UN list."""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from chipguard.config import data_dir
from chipguard.errors import InputError
from chipguard.match import grouping
from chipguard.match.screener import Screener
from chipguard.model import Identifier, Party, PartyKind
from chipguard.names.data import load_yaml
from chipguard.sources import parse_file
from tests.csl_support import csl_2022_parties


@cache
def _screener(shared: Path) -> Screener:
    parties = (
        csl_2022_parties()
        + parse_file(data_dir() / "lists/un_consolidated_2026-02-27.xml.gz").parties
        + parse_file(shared / "lists/samples/uk_hmt_sample.csv").parties
    )
    return Screener(parties)


@pytest.fixture
def screener(shared: Path) -> Screener:
    return _screener(shared)


def _entity_of(screener: Screener, name: str, kind: str, record: str) -> dict[str, Any]:
    found = screener.screening(name, kind=kind, limit=50)
    labels = {f"{h.source}:{h.party_id}" for h in found.hits}
    # every record still shows as a hit of its own
    assert sum(len(e["records"]) for e in found.entities) == len(found.hits)
    assert {f"{r['source']}:{r['party_id']}" for e in found.entities for r in e["records"]} == labels
    # each hit carries the reason it is counted with another record, as its entity's record says
    said = sorted(str(r.get("grouped_by")) for e in found.entities for r in e["records"])
    assert sorted(str(h.explanation.get("grouped_by")) for h in found.hits) == said
    return next(
        e for e in found.entities if record in {f"{r['source']}:{r['party_id']}" for r in e["records"]}
    )


def _records(entity: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [
        (f"{r['source']}:{r['party_id']}", (r.get("grouped_by") or {}).get("feature"))
        for r in entity["records"]
    ]


def test_un_and_sdn_records_of_one_person_group_by_passport(screener: Screener) -> None:
    """The UN writes "QASEM SOLEIMANI", OFAC "SOLEIMANI, Qasem" with his diplomatic passport: the two
    kinds of passport are one kind of number."""
    entity = _entity_of(screener, "Qasem Soleimani", "person", "un:110408")
    assert sorted(_records(entity)) == [("un:110408", None), ("us_csl:10481", "identifier")] or sorted(
        _records(entity)
    ) == [("un:110408", "identifier"), ("us_csl:10481", None)]
    why = next(r["grouped_by"] for r in entity["records"] if r.get("grouped_by"))
    assert "008827" in why["detail"] and why["with"] in ("un:110408", "us_csl:10481")
    assert entity["grouped_by"] == ["identifier"]
    kim = _entity_of(screener, "Kim Tong Myong", "person", "un:6908497")
    assert {r for r, _ in _records(kim)} == {"un:6908497", "us_csl:11648"}
    assert "Passport 290320764" in next(
        r["grouped_by"]["detail"] for r in kim["records"] if r.get("grouped_by")
    )


def test_one_record_number_on_several_lists_is_one_entity(screener: Screener) -> None:
    """The CSL lists VTB Bank under one OFAC entity number on the CAPTA, SDN and SSI lists; VTB's
    Austrian subsidiary is another entity."""
    found = screener.screening("VTB Bank Public Joint Stock Company", kind="org", limit=50)
    entity = next(e for e in found.entities if e["entity"] == "us_csl:17013")
    assert _records(entity) == [
        ("us_csl:17013", None),
        ("us_csl:17013", "same_record"),
        ("us_csl:17013", "same_record"),
    ]
    assert len({r["list_name"] for r in entity["records"]}) == 3
    austria = next(h for h in found.hits if h.name == "VTB BANK (AUSTRIA) AG")
    assert austria.entity == f"us_csl:{austria.party_id}" != entity["entity"]


def test_a_uk_designation_citing_its_un_reference_is_one_entity_with_the_un_record(
    screener: Screener,
) -> None:
    """The UK's record of Mohsen HOJATI cites UN IRi.018; OFAC's shares his passport number."""
    entity = _entity_of(screener, "Mohsen Hojati", "person", "uk_hmt:9053")
    assert sorted(_records(entity)) == [
        ("uk_hmt:9053", "cross_reference"),
        ("un:110429", None),
        ("us_csl:10856", "identifier"),
    ]
    whys = {r["party_id"]: r.get("grouped_by") for r in entity["records"]}
    assert "IRi.018" in whys["9053"]["detail"] and "G4506013" in whys["10856"]["detail"]
    assert entity["grouped_by"] == ["cross_reference", "identifier"]
    saeed = _entity_of(screener, "Hafiz Muhammad Saeed", "person", "uk_hmt:9215")
    # "Hafez Mohammad SAEED" (UK), "HAFIZ MUHAMMAD SAEED" (UN), "SAEED, Hafiz Muhammad" (SDN)
    assert {r for r, _ in _records(saeed)} == {"uk_hmt:9215", "un:2833107", "us_csl:10689"}


def test_same_name_groups_with_agreeing_country_and_date_of_birth(screener: Screener) -> None:
    bank = _entity_of(screener, "Korea Kwangson Banking Corp", "org", "us_csl:11581")
    assert _records(bank) == [("us_csl:11581", None), ("un:6908518", "name")]
    # a person's name in another word order, the same date of birth
    person = _entity_of(screener, "Isnilon Totoni Hapilon", "person", "un:112075")
    assert {r for r, _ in _records(person)} == {"un:112075", "us_csl:9585"}
    why = next(r["grouped_by"] for r in person["records"] if r.get("grouped_by"))
    assert why["feature"] == "name" and "dates of birth agree" in why["detail"]


def test_persons_of_one_name_with_conflicting_birth_dates_stay_apart(screener: Screener) -> None:
    """A shared name and regime do not join the UN's JULES MUTEBUTSI (born 1964) and OFAC's (born
    1960-07-06): two people may share a name, not a date of birth."""
    found = screener.screening("Jules Mutebutsi", kind="person", limit=50)
    hits = {f"{h.source}:{h.party_id}": h for h in found.hits}
    assert {"un:6908009", "us_csl:11977"} <= set(hits)
    assert hits["un:6908009"].entity != hits["us_csl:11977"].entity


def test_un_and_ofac_records_of_one_person_without_a_birth_date_group_by_regime(screener: Screener) -> None:
    """Changed by design (issue 12 item 5): the UN lists THOMAS LUBANGA without a date of birth, OFAC
    with one, and the Iraqi ROODI SLEWA has none on either list, so the name rule kept each apart (before,
    this test said two people may share a name). Both records of each are designations under one UN
    regime — the UN reference number's committee (CDi: the DRC, IQi: Iraq) and the OFAC programme that
    implements it (DRCONGO, IRAQ2) — under the same full name: one person."""
    for name, un, csl, regime in (
        (
            "Thomas Lubanga",
            "un:6908023",
            "us_csl:11974",
            "UN Democratic Republic of the Congo (CDi.007), DRCONGO",
        ),
        ("Roodi Slewa", "un:6908126", "us_csl:8231", "UN Iraq (IQi.079), IRAQ2"),
    ):
        entity = _entity_of(screener, name, "person", un)
        assert sorted(_records(entity)) == [(un, None), (csl, "regime")]
        why = next(r["grouped_by"] for r in entity["records"] if r.get("grouped_by"))
        assert why["detail"].endswith(f"under {regime}") and why["with"] == un


def test_two_people_sharing_only_a_nickname_under_one_regime_stay_apart(screener: Screener) -> None:
    """The UN's Taliban-list ABDUL SAMAD ACHEKZAI (born 1970) and OFAC's SDGT-listed FAROQUI, Abdullah
    Samad (born 1971–1973) are both known as "Abdul Samad", a common name, on one regime and without
    conflicting dates of birth: a shared alias is not a person's full name, so they stay two entities."""
    found = screener.screening("Abdul Samad", kind="person", limit=50)
    hits = {f"{h.source}:{h.party_id}": h for h in found.hits}
    assert {"un:2983128", "us_csl:25399"} <= set(hits)
    assert hits["un:2983128"].entity != hits["us_csl:25399"].entity
    index = {(p.source, p.party_id): i for i, p in enumerate(screener.parties)}
    assert screener._same_entity(index[("un", "2983128")], index[("us_csl", "25399")]) is None


@cache
def _eu_screener(shared: Path) -> Screener:
    parties = parse_file(data_dir() / "lists/un_consolidated_2026-02-27.xml.gz").parties + [
        p
        for name in ("eu_sample.xml", "eu_sanctions_sample.xml")
        for p in parse_file(shared / "lists/samples" / name).parties
    ]
    return Screener(parties)


def test_eu_records_group_with_the_un_records_of_the_same_persons(shared: Path) -> None:
    """The EU consolidated list in ../shared/data (two real extracts) against the bundled UN list. Its
    records state no UN reference number (unitedNationId is empty in both files), so none cites a UN
    record: the EU half of the cross-reference rule never fires on them, and an empty reference never
    joins two records. They join the UN records of the same persons by name and date of birth (Saddam
    Hussein's family, Iraq), and — the EU's Yu-ro Han has no date of birth, the UN's HAN YU-RO none either
    — by the regime: EU programme PRK implements the UN DPRK regime of KPi.005."""
    if not (shared / "lists/samples/eu_sample.xml").exists():
        pytest.skip("the EU extracts of ../shared/data are not present")
    screener = _eu_screener(shared)
    eu = [p for p in screener.parties if p.source == "eu"]
    assert eu and not any(p.extra.get("un_reference_number") for p in eu)
    index = {(p.source, p.party_id): i for i, p in enumerate(screener.parties)}
    for pidx, party in enumerate(screener.parties):
        if party.source == "eu":
            for other in (index[("un", "6908048")], index[("un", "690741")]):
                why = screener._same_entity(pidx, other)
                assert why is None or why["feature"] != "cross_reference"
    qusay = _entity_of(screener, "Qusay Saddam Hussein Al-Tikriti", "person", "eu:20")
    assert sorted(_records(qusay)) == [("eu:20", "name"), ("un:6908049", None)]
    han = _entity_of(screener, "Yu-ro Han", "person", "eu:5463")
    assert sorted(_records(han)) == [("eu:5463", None), ("un:690741", "regime")]
    why = next(r["grouped_by"] for r in han["records"] if r.get("grouped_by"))
    assert why["detail"] == "both listed as 'han ro yu' under UN DPRK (KPi.005), PRK"


def test_grouping_is_the_same_whatever_order_the_facts_are_compared_in(screener: Screener) -> None:
    """same_entity is symmetric (the group a record joins must not depend on which side it is on)."""
    index = {(p.source, p.party_id): i for i, p in enumerate(screener.parties)}
    pairs = [
        (("un", "110408"), ("us_csl", "10481")),
        (("uk_hmt", "9053"), ("un", "110429")),
        (("un", "112075"), ("us_csl", "9585")),
        (("un", "6908023"), ("us_csl", "11974")),
        (("un", "6908126"), ("us_csl", "8231")),
        (("un", "2983128"), ("us_csl", "25399")),
    ]
    for a, b in pairs:
        one = screener._same_entity(index[a], index[b])
        other = screener._same_entity(index[b], index[a])
        assert (one is None) == (other is None)
        assert one is None or one["feature"] == other["feature"]  # type: ignore[index]


def test_a_shared_number_does_not_join_a_person_and_a_firm_or_two_issuing_countries() -> None:
    """The SDN list gives BODEGA MICHIGAN and its owner one commercial-register number: a person is
    never one entity with a firm. The same digits issued by two countries are two numbers."""
    firm = Party(
        "x",
        "1",
        "BODEGA MICHIGAN",
        PartyKind.ORG,
        identifiers=[Identifier("Matricula Mercantil No", "0081931")],
    )
    owner = Party(
        "x",
        "2",
        "SALEH, Kassem",
        PartyKind.PERSON,
        identifiers=[Identifier("Matricula Mercantil No", "0081931")],
    )
    assert grouping.same_entity(grouping.facts_of(firm), grouping.facts_of(owner)) is None
    one = Party("x", "3", "ALPHA", PartyKind.ORG, identifiers=[Identifier("Tax ID No.", "123456789", "RU")])
    two = Party("y", "4", "BETA", PartyKind.ORG, identifiers=[Identifier("Tax ID No.", "123456789", "UA")])
    three = Party("y", "5", "GAMMA", PartyKind.ORG, identifiers=[Identifier("tax", "1234-5678-9", "RU")])
    f1, f2, f3 = (grouping.facts_of(p) for p in (one, two, three))
    assert grouping.same_entity(f1, f2) is None
    why = grouping.same_entity(f1, f3)
    assert why == {"feature": "identifier", "detail": "both list Tax ID No. 123456789"}


def test_identifier_kinds_read_from_the_data() -> None:
    assert (
        grouping.identifier_kind("Diplomatic Passport") == grouping.identifier_kind("Passport") == "passport"
    )
    assert grouping.identifier_kind("National ID No.") == "national_id"
    assert grouping.identifier_kind("National Identification Number") == "national_id"
    assert grouping.identifier_kind("RUC #") == "tax"
    assert grouping.identifier_kind("Aircraft Tail Number") == "aircraft tail"  # its own kind


def test_the_facts_kept_per_screener_are_bounded_and_change_no_answer(
    screener: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service screens ever new names: the grouping facts and record evidence its screener keeps stay
    within ``PARTY_FACTS_KEPT`` records however many records the queries reach, and a query asked again
    after its records' facts were dropped groups its hits the same way."""
    computed: set[int] = set()
    facts_of = grouping.facts_of

    def counting(party: Party, **kw: Any) -> grouping.GroupingFacts:
        computed.add(id(party))
        return facts_of(party, **kw)

    monkeypatch.setattr(grouping, "facts_of", counting)
    monkeypatch.setattr(screener, "PARTY_FACTS_KEPT", 20)
    first = _entity_of(screener, "Qasem Soleimani", "person", "un:110408")
    for name in ("Huawei Technologies", "Abdul Samad", "VTB Bank", "Kim Tong Myong", "Rosoboronexport"):
        screener.screening(name, limit=50)
    assert len(computed) > 20  # the queries reached more records than are kept
    assert len(screener.__dict__["_grouping_cache"]) <= 20
    assert len(screener.__dict__["_evidence_cache"]) <= 20
    assert _entity_of(screener, "Qasem Soleimani", "person", "un:110408") == first


def test_every_key_of_entity_grouping_yml_is_checked_at_load() -> None:
    """A missing, mistyped or misspelt key of entity_grouping.yml is an error naming the file and the key
    — not an empty rule that silently groups by fewer numbers."""
    good = load_yaml("entity_grouping.yml")
    assert grouping.load(copy.deepcopy(good))["identifier_kinds"]["passport"][0] == "passport"

    def refused(change: Callable[[dict[str, Any]], object]) -> InputError:
        data = copy.deepcopy(good)
        change(data)
        with pytest.raises(InputError) as err:
            grouping.load(data)
        assert err.value.file == "names/entity_grouping.yml"
        return err.value

    assert refused(lambda d: d.pop("identifier_kinds")).field == "identifier_kinds"
    assert refused(lambda d: d.update(identifier_kinds=None)).field == "identifier_kinds"
    assert refused(lambda d: d["identifier_kinds"].update(tax=None)).field == "identifier_kinds.tax"
    assert refused(lambda d: d["identifier_kinds"].update(tax=["vat", 7])).field == "identifier_kinds.tax"
    assert refused(lambda d: d.pop("cross_references")).field == "cross_references"
    assert refused(lambda d: d.update(cross_references={"a": 1})).field == "cross_references"
    assert refused(lambda d: d["cross_references"][0].pop("says")).field == "cross_references[0].says"
    assert refused(lambda d: d["cross_references"][0].update(sorce="un")).field == "cross_references[0].sorce"
    assert refused(lambda d: d.update(identifer_kinds={})).field == "identifer_kinds"
    assert refused(lambda d: d["un_regimes"]["CD"].pop("regime")).field == "un_regimes.CD.regime"
    assert refused(lambda d: d["un_regimes"]["CD"].update(programmes=[])).field == "un_regimes.CD.programmes"
    assert refused(lambda d: d.pop("same_regime")).field == "same_regime"
    assert (
        refused(lambda d: d["same_regime"].update(min_name_words="2")).field == "same_regime.min_name_words"
    )
    assert "unknown key" in str(refused(lambda d: d["same_regime"].update(birth_days=3)))
    # a file archived before the regime rule has neither key: no record groups by regime
    old = copy.deepcopy(good)
    del old["un_regimes"], old["same_regime"]
    assert "un_regimes" not in grouping.load(old)
