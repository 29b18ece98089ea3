"""Screener on the real CSL 2022-04 list: variants of listed names we construct ourselves must find the
listed party; unlisted real companies must not; every hit is explained."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from chipguard.match.screener import Screener, compare
from chipguard.model import Party
from chipguard.settings import settings
from chipguard.sources import parse_file
from tests.csl_support import csl_2022_parties

HIKVISION = {"30946", "f095626c9f8becc70b5948507fb6de6e443b257a"}


@pytest.fixture(scope="module")
def csl() -> Iterator[Screener]:
    parties: list[Party] = csl_2022_parties()
    yield Screener(parties, snapshots=["us_csl:test"])


def ids(hits: list) -> set[str]:
    return {h.party_id for h in hits}


@pytest.mark.parametrize(
    ("query", "kind", "expected"),
    [
        # homoglyphs (Cyrillic о, і) + a zero-width space + a dropped legal form
        ("Hangzh\u043eu Hikv\u0456\u200bsion Digital Technology", "org", HIKVISION),
        ("SEMICONDUCTOR MFG. INT'L CORP.", "org", {"30951"}),
        ("Megvii Tech Company Limited", None, {"33091", "cd95318af12232a80126adbcd645526b755fc58a"}),
        ("Jong Un Kim", "person", {"20157"}),
        ("Vladimir Vladimirovich PUTIN", "person", {"35096"}),
        (
            "Rosoboronexpotr",
            None,
            {"442dc2a9ddf18d3f49e7ff87b3f8fa987c15eb83", "2be713eb08a8a1ac56347669ae65d546e35a370a"},
        ),
        ("NUDT", "org", {"a0b130ed562b11470b8f9ccd0f1eb91947f64bcc"}),
        ("Natl Univ of Defence Technology", "org", {"a0b130ed562b11470b8f9ccd0f1eb91947f64bcc"}),
        ("MAHAN AIR CO.", None, {"12927"}),
        ("Harbin Institute of Technology", None, {"018015bfc8cf6c2e8d8794b2a2ed0590d2775642"}),
        ("I F L Y T E K", "org", {"a09e83dc7e0dca1e6bbe040010b091174c7dbdb8"}),
    ],
)
def test_variants_of_listed_names_are_found(
    csl: Screener, query: str, kind: str | None, expected: set[str]
) -> None:
    hits = csl.screen(query, kind=kind)
    assert ids(hits) & expected, [(h.name, h.score) for h in hits]
    assert hits == sorted(hits, key=lambda h: -h.score)
    assert all(h.score >= csl.threshold for h in hits)


@pytest.mark.parametrize(
    "query",
    [
        "Toyota Motor Corporation",
        "Nestlé S.A.",
        "Tianjin Normal University",
        "Contemporary Amperex Technology Co., Limited",
        "Maria Gonzalez Fernandez",
    ],
)
def test_unlisted_names_have_no_hit(csl: Screener, query: str) -> None:
    assert csl.screen(query) == []


def test_hit_explanation(csl: Screener) -> None:
    hits = csl.screen("SEMICONDUCTOR MFG INTL CORP", kind="org", country="CN")
    hit = next(h for h in hits if h.party_id == "30951")
    exp = hit.explanation
    json.dumps(exp)
    assert exp["matched_alias"] == "SEMICONDUCTOR MFG INTL CORP"
    assert exp["alias_kind"] in ("aka", "primary")
    assert exp["country"]["agrees"] is True
    assert exp["alignment"] and exp["mode"] == "organisation"
    assert exp["entity_number"] == "30951"


def test_country_clash_is_penalised_and_explained(csl: Screener) -> None:
    plain = {h.party_id: h for h in csl.screen("Harbin Institute of Technology")}
    clash = {h.party_id: h for h in csl.screen("Harbin Institute of Technology", country="RU", threshold=0.5)}
    pid = "018015bfc8cf6c2e8d8794b2a2ed0590d2775642"
    assert clash[pid].score < plain[pid].score
    reasons = [p["reason"] for p in clash[pid].explanation["penalties"]]
    assert any("country RU given" in r for r in reasons)
    assert clash[pid].explanation["country"]["agrees"] is False


def test_chinese_query_uses_latin_forms(csl: Screener) -> None:
    # Without the enrichment aliases (which hold 华为技术有限公司 itself) the query must go through its
    # Latin forms (pinyin / translation) to meet the English list name.
    listed = [p for p in csl.parties if "huawei" in p.name.lower()]
    bare = Screener(
        [dataclasses.replace(p, aliases=[a for a in p.aliases if a.kind != "enrichment"]) for p in listed],
        enrich=False,
    )
    hits = bare.screen("华为技术有限公司", kind="org", country="CN")
    huawei = [h for h in hits if "huawei" in h.name.lower()]
    assert huawei, hits
    assert huawei[0].explanation["query_transliteration"]["method"]
    # With it, the Chinese legal name meets the enrichment alias directly.
    enriched = csl.screen("华为技术有限公司", kind="org", country="CN")
    assert enriched[0].explanation["alias_kind"] == "enrichment" and enriched[0].score == 1.0


def test_screen_result_shape(csl: Screener) -> None:
    result = csl.screen_result("q1", "MAHAN AIR", "org", "IR")
    assert result["id"] == "q1"
    assert result["query"] == {"name": "MAHAN AIR", "kind": "org", "country": "IR"}
    assert result["snapshot"] == ["us_csl:test"]
    hit = result["hits"][0]
    assert {"party_id", "source", "name", "matched_name", "score", "explanation"} <= set(hit)
    json.dumps(result)


def test_candidate_retrieval_is_bounded(csl: Screener) -> None:
    from chipguard.names.analysis import analyze

    cands = csl.index.candidates(analyze("China Technology Group Co Ltd"), csl.candidate_limit)
    # beyond the limit only entries holding every word of the query and at most one more, up to the cap
    assert 0 < len(cands) <= csl.index.full_match_cap
    extra = cands[csl.candidate_limit :]
    assert all(len(csl.index.entries[e].analysis.significant) <= 4 for e in extra)


def test_threshold_override(csl: Screener) -> None:
    loose = csl.screen("Mahan Airlines Trading", threshold=0.5)
    strict = csl.screen("Mahan Airlines Trading", threshold=0.99)
    assert len(strict) < len(loose)


@pytest.fixture(scope="module")
def ofac_enhanced() -> Iterator[Screener]:
    shared = settings().shared_data
    path = shared / "lists/ofac_cons_enhanced_2025-01-10.zip"
    if not path.exists():
        pytest.skip("../shared/data is not present")
    yield Screener(parse_file(path).parties)


def test_latin_query_finds_a_list_entry_written_in_chinese(ofac_enhanced: Screener) -> None:
    # the OFAC record for Megvii carries 旷视科技有限公司; its pinyin is indexed at build time
    hits = ofac_enhanced.screen("Kuangshi Keji Youxian Gongsi", kind="org")
    assert hits and "MEGVII" in hits[0].name
    assert hits[0].explanation["list_transliteration"]["method"]
    assert hits[0].matched_name == "旷视科技有限公司"


def test_cyrillic_query_finds_the_latin_record(ofac_enhanced: Screener) -> None:
    hits = ofac_enhanced.screen("ПАО Сбербанк России", kind="org")
    assert any("SBERBANK" in h.name for h in hits)


def test_a_name_without_letters_is_an_input_error(csl: Screener) -> None:
    from chipguard.errors import InputError

    assert csl.screen("!!! ---") == []
    with pytest.raises(InputError, match="no letters or digits"):
        csl.screen_result("q", "!!! ---")


def test_readable_answers_as_the_analyses_of_the_query_forms_do(shared: Path) -> None:
    """``readable`` asks the forms' cleaned texts instead of their analyses; it must say what the analyses
    say (a form has tokens) for every kind of character: each code point of the Latin, Greek, Cyrillic,
    Arabic, Indic, CJK, fullwidth and symbol blocks, alone and in parentheses, real list names in several
    scripts, and legal forms, connectors and marks alone."""
    from chipguard.match.screener import query_forms, readable

    def by_analysis(name: str) -> bool:
        return any(f.org.tokens or f.person.tokens for f in query_forms(name))

    chars = [chr(c) for c in (*range(0x20, 0x2FFF, 3), *range(0x3000, 0x3100), *range(0xFF00, 0xFFF0))]
    names = [n for ch in chars for n in (ch, f"({ch})", f"{ch}\u0301")]
    names += [
        "",
        "&",
        "(&)",
        "Ltd",
        "Co.",
        "(China)",
        "株式会社",
        "（株）",
        "㈱",
        "ПАО Сбербанк",
        "\u200b",
        "ـ",
    ]
    names += [p.name for p in parse_file(shared / "lists/samples/us_csl_sample_2025.csv").parties]
    unreadable = [n for n in names if not by_analysis(n)]
    assert len(unreadable) > 1000 and len(names) - len(unreadable) > 1000  # both answers are asked
    assert [n for n in names if readable(n) != by_analysis(n)] == []


def test_validating_a_file_of_names_fills_no_name_cache(tmp_path: Path) -> None:
    """Checking that each row's name is readable (a 100,000-row job is validated in the API process)
    leaves the per-name caches of the screening as they were: they kept ~3 KB a row before."""
    from chipguard.match.screener import query_forms
    from chipguard.names.analysis import analyze
    from chipguard.service.query_files import read_input

    path = tmp_path / "names.csv"
    path.write_text("id,name\n" + "".join(f"r{i},Validated Name Number {i} Ltd\n" for i in range(500)))
    before = (query_forms.cache_info().currsize, analyze.cache_info().currsize)
    assert len(read_input(path)) == 500
    assert (query_forms.cache_info().currsize, analyze.cache_info().currsize) == before


def test_english_query_meets_a_chinese_list_name_under_the_translation_rules() -> None:
    """The reverse direction: a list that carries only the Chinese name (国家海洋环境预报中心) is met by the
    registered English name, whose "Marine" is the translation's "Ocean"; the explanation keeps the
    query's words on the query side."""
    from chipguard.model import Party, PartyKind

    screener = Screener([Party("custom", "P1", "国家海洋环境预报中心", PartyKind.ORG, countries=["CN"])])
    hits = screener.screen("National Marine Environmental Forecasting Center", kind="org")
    assert hits and hits[0].party_id == "P1"
    alignment = hits[0].explanation["alignment"]
    synonyms = {(p["query"], p["candidate"]) for p in alignment if p["how"] == "translation synonym"}
    assert ("marine", "ocean") in synonyms
    assert hits[0].explanation["list_transliteration"]["method"].startswith("zh-")


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("gpbdi holdings limited", "GPB-DI HOLDINGS LIMITED"),
        ("alarabi trading company limited", "AL-ARABI TRADING COMPANY LIMITED"),
    ],
)
def test_a_particle_written_onto_the_name_is_retrieved(csl: Screener, query: str, listed: str) -> None:
    """Punctuation dropped joins a particle to the name ("GPB-DI" → "gpbdi", "Al-Arabi" → "alarabi"): the
    index keeps the joined pair so the listed party is still a candidate."""
    hits = csl.screen(query, kind="org")
    assert hits and hits[0].name == listed


def _records_found(screener: Screener, query: str) -> set[tuple[str, str]]:
    """Every record a screening returns, those collapsed into a hit as duplicates included."""
    found: set[tuple[str, str]] = set()
    for hit in screener.screening(query, limit=10_000).hits:
        found.add((hit.source, hit.party_id))
        found.update((hit.source, str(dup)) for dup in hit.explanation.get("duplicates", ()))
    return found


def test_a_big_names_records_holding_the_query_are_retrieved_as_exhaustively(csl: Screener) -> None:
    """The name "Huawei" is in 390 indexed names of the CSL. Its posting list is one of the long ones
    that, to save time, only add to the entries the query's rarer keys found, so an entry met only
    through them was never a candidate: "Huawei Technology" (a Huawei firm listed in Egypt, 0.87) was
    lost for "Huawei", and 华为技术有限公司 ("Huawei Technology Co., Ltd.") lost seven foreign Huawei
    subsidiaries. Such entries holding every word of the query (at most one word more) now join the
    full-match extension — the ranking of the other candidates unchanged — so the one-word query finds
    every record exhaustive retrieval finds (issue 12 item 5: no floor removes a record that would pass
    on its own)."""
    shipped = {query: _records_found(csl, query) for query in ("Huawei", "华为技术有限公司")}
    index = csl.index
    saved = (csl.candidate_limit, index.relative_floor, index.query_floor)
    csl.candidate_limit, index.relative_floor, index.query_floor = 10**9, 0.0, 0.0
    try:
        exhaustive = {query: _records_found(csl, query) for query in shipped}
    finally:
        csl.candidate_limit, index.relative_floor, index.query_floor = saved
    for query, records in exhaustive.items():
        assert len(records) > 40, query  # a big name: many records clear the threshold on their own
        assert records <= shipped[query], query
    names = {h.name for h in csl.screening("Huawei", limit=10_000).hits}
    assert {"Huawei Technology", "Huawei Device Co., Ltd.", "Huawei International Co., Limited"} <= names
    # the subsidiaries abroad the Chinese legal name lost here are under the threshold since a country's
    # name is a region in a translated pair (name_score.translated_country_is_region); Belarus's is not
    # named by a country word
    legal = {h.name for h in csl.screening("华为技术有限公司", limit=10_000).hits}
    assert "Bel Huawei Technologies LLC" in legal
    # the extension adds to the ranking, it does not reorder it: the generic query keeps its one record
    assert any(
        h.name == "Incorporated Electonics Systems" for h in csl.screen("Electronics Systems", kind="org")
    )


def test_a_subsidiarys_query_finds_the_big_names_own_records(csl: Screener) -> None:
    """上海华为技术有限公司 (Shanghai Huawei Technologies) is a curated name of one Huawei affiliate; its
    exact match and the Shanghai entries fill the candidate limit, so the parent's own records — "HUAWEI
    TECHNOLOGIES CO., LTD." and the three "Huawei Technologies Co., Ltd. (Huawei)" (0.87 each on their
    own) — were lost: 2 records of the 14 exhaustive retrieval finds. The query's own trade name
    ("Huawei") now brings the list names that are that trade name, whose full names the trade-name rule
    scores; and a name that scored brings every record listing it (the parent's name in seventy
    affiliates' records): 华为技术服务有限公司 found 24 of its 50."""
    for query in ("上海华为技术有限公司", "华为技术服务有限公司"):
        shipped = _records_found(csl, query)
        index = csl.index
        saved = (csl.candidate_limit, index.relative_floor, index.query_floor)
        csl.candidate_limit, index.relative_floor, index.query_floor = 10**9, 0.0, 0.0
        try:
            exhaustive = _records_found(csl, query)
        finally:
            csl.candidate_limit, index.relative_floor, index.query_floor = saved
        assert len(shipped & exhaustive) >= 0.9 * len(exhaustive), query
    names = [h.name for h in csl.screening("上海华为技术有限公司", limit=10_000).hits]
    assert "HUAWEI TECHNOLOGIES CO., LTD." in names and "Huawei Technologies Co., Ltd. (Huawei)" in names
    service = csl.screening("华为技术服务有限公司", limit=10_000).hits
    assert sum("Affiliated Entity" in h.name for h in service) >= 20


def test_a_name_with_its_words_reordered_is_retrieved(csl: Screener) -> None:
    """Many CETC institutes share "China", "Electronics" and "Corporation"; a query with exactly the
    words of CHINA ELECTRONICS CORPORATION in another order still reaches it (order-free key)."""
    hits = csl.screen("Electronics Corporation China", kind="org")
    assert hits and hits[0].name == "CHINA ELECTRONICS CORPORATION"


def test_a_person_on_two_lists_is_reported_from_both() -> None:
    """The UN lists "ERIC BADEGE", the CSL "BADEGE, Eric": whatever order the query uses, both records
    are hits (an analyst must see every list a party is on), not only the one written in the same order."""
    import chipguard

    root = Path(chipguard.__file__).parent / "data" / "lists"  # the bundled snapshot
    records = [
        p
        for name in ("us_csl_2022-04.csv.gz", "un_consolidated_2026-02-27.xml.gz")
        for p in parse_file(root / name).parties
        if "BADEGE" in p.name.upper()
    ]
    assert {p.source for p in records} == {"us_csl", "un"}
    screener = Screener(records)
    for query in ("Eric Badege", "BADEGE ERIC"):
        assert {h.source for h in screener.screen(query, kind="person")} == {"us_csl", "un"}


def test_the_same_name_however_written_is_always_scored(csl: Screener) -> None:
    """The Entity List record "Huawei Technology Co. Ltd." is canonically the query "Huawei Technologies
    Co., Ltd." (1.000), but 74 CSL records carry the query's surface words in their names (affiliates
    naming Huawei as their parent, subsidiaries abroad), each under several indexed variants: by key weight
    the record ranked 272nd, past the candidate limit and the full-match extension, and was lost. The key of
    the canonical word sequence makes it a candidate whatever the limit (issue 12 item 5)."""
    from chipguard.match.index import same_name_key
    from chipguard.names.analysis import analyze

    query = analyze("Huawei Technologies Co., Ltd.")
    record = analyze("Huawei Technology Co. Ltd.")
    assert same_name_key(query) == same_name_key(record)
    cands = csl.index.candidates(query, csl.candidate_limit)
    ranked = [e for e in cands if csl.index.entries[e].alias == "Huawei Technology Co. Ltd."]
    assert ranked and cands.index(ranked[0]) >= csl.candidate_limit  # not among the best by key weight
    found = csl.screening("Huawei Technologies Co., Ltd.", limit=500)
    assert any(h.name == "Huawei Technology Co. Ltd." and h.score >= 0.99 for h in found.hits)


def test_a_person_given_without_a_kind_reaches_the_persons_record(csl: Screener) -> None:
    """A person's record is indexed under the person reading of its words; with no kind given the query
    was retrieved by its organisation reading only, which reads "Abbas", "Carlos", "Thomas" as plurals
    ("abba") — "Rim ABBAS" found nothing, "ABBAS, Rim" (the record's own order) found it."""
    for name in ("Rim ABBAS", "Rim Abbas", "ABBAS, Rim"):
        hits = csl.screen(name)
        assert hits and hits[0].name == "'ABBAS, Rim" and hits[0].score == 1.0, name


def test_name_parts_sound_alike_only_with_the_same_syllables(csl: Screener) -> None:
    """The phonetic key drops every vowel, h, w and y: a short name's key is two letters, and names that
    are not each other's spelling shared it — "CHAN, Eric" met the SDN alias "Eric Cohen" at 0.897 (found
    once retrieval read past the candidate limit), "Fayiz MUSTAFA" met "FAWAZ, Mustafa", "MEHRI, Mahdi"
    met "MEHRI, Mahmoud". The sound-alike rule now also needs the syllables to agree; spellings of one
    name still meet by it."""
    assert all(h.name != "Eliyahu Cohen" for h in csl.screen("CHAN, Eríç", kind="person"))
    assert all(h.name != "FAWAZ, Mustapha Reda Darwish" for h in csl.screen("Fayiz MUSTAFA", kind="person"))
    assert all(h.name != "MEHRI, Mahmoud" for h in csl.screen("MEHRI, Mahdi", kind="person"))
    for a, b in (("Mohammed Yaqoub", "Muhamad Yakoob"), ("Yusuf Hussein", "Yousef Husayn")):
        result = compare(a, b, kind="person")
        assert result.match and result.score >= 0.8, (a, b, result.score)
        how = {p["how"] for p in result.explanation["alignment"]}
        assert "phonetic" in how, (a, b, how)
