"""The look-alike set builder (bench/sets.py) does what BENCHMARKS.md says: halves A and B are disjoint
and stable, set C queries no name of CSL 2022-04, and a query is counted on raw hits and on alerting hits
(a weak hit is recorded, not alerted). Real lists; skipped without them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.sets import OTHER_LISTS, Query, _entity_key, build, half, key, run, split
from chipguard.match.screener import Screener

Built = dict[str, tuple[str, list[Any], dict[str, list[Query]]]]


@pytest.fixture(scope="module")
def built() -> Built:
    """The sets, built once for the module (each build parses four lists)."""
    from tests.conftest import SHARED

    if not (SHARED / "lists/us_csl_2022-04.csv.gz").exists():
        pytest.skip("../shared/data is not present")
    return build(SHARED)


def test_halves_are_disjoint_and_c_holds_other_entities(shared: Path, built: Built) -> None:
    a, b = built["A"][2], built["B"][2]
    for name in a:
        names_a, names_b = {key(q.name) for q in a[name]}, {key(q.name) for q in b[name]}
        assert not names_a & names_b, name
        assert all(split(q) == "A" for q in a[name]) and all(split(q) == "B" for q in b[name])
    assert half("Ministry of Defence") == half("ministry of  defence")  # by the name's key, no hash seed
    if all((shared / path).exists() for path in OTHER_LISTS):
        csl_names = {key(n.name) for p in built["A"][1] for n in p.all_names()}
        c = built["C"][2]
        assert len(c["lookalike_vessel"]) > 300
        for name in ("lookalike_generic_country", "lookalike_vessel", "lookalike_sibling", "recall_en"):
            assert not {key(q.name) for q in c[name]} & csl_names, name


def test_a_weak_hit_is_counted_raw_but_not_alerting(built: Built) -> None:
    parties = built["A"][1]
    screener = Screener(parties)
    vessel = next(p.name for p in parties if p.kind.value == "vessel")
    negatives = [Query(vessel, False, country=None, fp_kinds=("vessel",))]
    outcome = run(screener, negatives)
    assert outcome.rate(alerting=False, positive=False) == 1.0  # the vessel record is hit …
    assert outcome.rate(alerting=True, positive=False) == 0.0  # … as weak: no alert
    # (Henan University met Hunan University as weak until two place words stopped meeting as a typo,
    # name_score.place_words_distinct; the group's name on a listed subsidiary's stays weak)
    listed = next(p for p in parties if p.name == "Xian Aero-Engine Controls Co., Ltd.")
    positives = [
        Query("Xian Aero-Engine Controls Co., Ltd.", True, {listed.party_id}),
        Query("AVIC Aero-Engine Controls Co., Ltd.", True, {listed.party_id}),
    ]
    outcome = run(screener, positives)
    assert outcome.rate(alerting=False, positive=True) == 1.0  # both names hit the listed firm …
    assert outcome.rate(alerting=True, positive=True) == 0.5  # … AVIC's only as weak: a miss for alerting


def test_held_out_set_d_queries_other_entities_aliases(built: Built) -> None:
    """Set D holds names no other set queries: generic aliases (never the primary name) of records
    outside China whose own primary name no set queries; D2 names nothing on CSL 2022-04."""
    d_labels = [label for label in built if label.startswith("D")]
    assert "D1" in d_labels
    queried = {
        key(q.name) for label in built if label not in d_labels for qs in built[label][2].values() for q in qs
    }
    for label in d_labels:
        parties = built[label][1]
        queries = built[label][2]["lookalike_generic_country"]
        assert not {key(q.name) for q in queries} & queried, label
        by_alias: dict[str, list[Any]] = {}
        for p in parties:
            for a in p.all_names():
                if key(a.name) != key(p.name):
                    by_alias.setdefault(key(a.name), []).append(p)
        for q in queries:
            assert any(
                r.countries and not {"CN", "HK", "MO"} & set(r.countries) and key(r.name) not in queried
                for r in by_alias[key(q.name)]
            ), q.name
    assert len(built["D1"][2]["lookalike_generic_country"]) > 50
    if "D2" in built:
        csl_names = {key(n.name) for p in built["A"][1] for n in p.all_names()}
        assert not {key(q.name) for q in built["D2"][2]["lookalike_generic_country"]} & csl_names


def test_held_out_set_e_queries_other_names_of_chinese_records_as_abroad(built: Built) -> None:
    """Set E holds names no set of A–D queries: generic names of organisation records in China, Hong Kong
    or Macao that do not list the query's country, each queried as a body of that country (ABROAD)."""
    from bench.sets import ABROAD

    assert "E1" in built
    e_labels = [label for label in built if label.startswith("E")]
    queried = {
        key(q.name) for label in built if label not in e_labels for qs in built[label][2].values() for q in qs
    }
    for label in e_labels:
        queries = built[label][2]["lookalike_generic_country"]
        assert queries, label
        assert not {key(q.name) for q in queries} & queried, label
        by_name: dict[str, list[Any]] = {}
        for p in built[label][1]:
            for a in p.all_names():
                by_name.setdefault(key(a.name), []).append(p)
        for q in queries:
            assert q.country == ABROAD and not q.expect_hit
            assert any(
                {"CN", "HK", "MO"} & set(r.countries) and ABROAD not in r.countries
                for r in by_name[key(q.name)]
            ), q.name
    assert len({key(q.name) for q in built["E1"][2]["lookalike_generic_country"]}) > 20


def test_an_alert_only_in_the_query_country_is_counted_as_such(built: Built) -> None:
    """alerting_in_country counts a negative whose alerting hits are all on records in the query's
    country group: the same generic name in the same country, which the held-out sets cannot call false."""
    parties = built["A"][1]
    screener = Screener(parties)
    listed = next(
        p for p in parties if p.name == "Chinese Academy of Engineering Physics" and "CN" in p.countries
    )
    outcome = run(
        screener, [Query(listed.name, False, country="HK"), Query(listed.name, False, country="DE")]
    )
    assert outcome.n - outcome.alerting >= 1  # the CN record alerts for the HK query (one country group) …
    assert outcome.alerting_in_country == 1  # … and only that query alerted in its own country


def test_held_out_set_f_queries_unlisted_chinese_bodies_of_generic_names(shared: Path, built: Built) -> None:
    """Set F holds real Chinese bodies of the xscript pool that are on neither watchlist, by their generic
    English name and their Chinese-script name, queried as CN; no name that A–E query."""
    import csv

    from bench.sets import _generic_vocabulary, generic_only
    from chipguard.names.analysis import analyze

    assert "F1" in built
    f_labels = [label for label in built if label.startswith("F")]
    queried = {
        key(q.name) for label in built if label not in f_labels for qs in built[label][2].values() for q in qs
    }
    with (shared / "bench/xscript_watchlist.csv").open(encoding="utf-8") as fh:
        pool = {key(row["name"]) for row in csv.DictReader(fh)}
    with (shared / "bench/xscript_queries.csv").open(encoding="utf-8") as fh:
        chinese = {key(row["name"]) for row in csv.DictReader(fh) if row["category"].startswith("zh_to_en")}
    listed = {key(a.name) for label in f_labels for p in built[label][1] for a in p.all_names()}
    industry, institutional = _generic_vocabulary()
    sets_f = built[f_labels[0]][2]
    assert all(built[label][2] is sets_f for label in f_labels)  # the same queries on each watchlist
    english, script = sets_f["lookalike_generic_en"], sets_f["lookalike_generic_zh"]
    assert len(english) > 50 and len(script) > 50
    for q in english + script:
        assert q.country == "CN" and not q.expect_hit
        assert key(q.name) not in queried and key(q.name) not in listed, q.name
    for q in english:
        assert key(q.name) in pool
        assert generic_only(analyze(q.name, False).tokens, industry, institutional), q.name
    for q in script:
        assert key(q.name) in chinese
        assert any("\u4e00" <= ch <= "\u9fff" for ch in q.name), q.name


def test_a_confirmed_false_positive_is_counted(built: Built) -> None:
    """Outcome.confirmed counts a negative with a confirmed hit (what a decision would DENY), beside the
    alerting count that also takes potential hits."""
    parties = built["A"][1]
    screener = Screener(parties)
    outcome = run(
        screener,
        [Query("Chinese Academy of Engineering Physics", False), Query("Xyloquartz Zentrifuga", False)],
    )
    assert outcome.n - outcome.alerting == 1 and outcome.confirmed == 1


def test_session_8_look_alike_kinds_hold_other_entities_split_by_entity(shared: Path, built: Built) -> None:
    """The person, commercial-company and parent-blob look-alikes: real names not on the watchlist, no
    name that D–F query, a company's Chinese name in the half of its English name, C without B's
    queries; a person query counts only persons of another country, a blob query only blob records."""
    from chipguard.names.variants import parent_parts

    new = ("lookalike_person", "lookalike_commercial_en", "lookalike_commercial_zh", "lookalike_parent_blob")
    held = {key(q.name) for lab in built if lab[0] in "DEF" for qs in built[lab][2].values() for q in qs}
    csl = built["A"][1]
    csl_names = {key(a.name) for p in csl for a in p.all_names()}
    csl_entities = {_entity_key(a.name) for p in csl for a in p.all_names()}
    by_id = {f"{p.source}:{p.party_id}": p for p in csl}
    for label in ("A", "B"):
        sets = built[label][2]
        assert len(sets["lookalike_person"]) > 500 and len(sets["lookalike_commercial_en"]) > 50
        for name in new:
            for q in sets[name]:
                assert not q.expect_hit and key(q.name) not in held and key(q.name) not in csl_names, q.name
        # a company is unlisted by the name without its legal form too (session 12: "LIDA OPTICAL AND
        # ELECTRONIC CO.,LTD" is the alias "LIDA OPTICAL & ELECTRONIC CO., LTD." of an Entity List record)
        for name in ("lookalike_commercial_en", "lookalike_commercial_zh"):
            for q in sets[name]:
                assert _entity_key(q.name) not in csl_entities, q.name
        english = {q.name for q in sets["lookalike_commercial_en"]}
        assert {q.entity for q in sets["lookalike_commercial_zh"]} <= english
        for q in sets["lookalike_person"][:50]:
            assert q.kind == "person" and q.fp_records
            home = {q.country, *({"CN", "HK", "MO"} if q.country in ("CN", "HK", "MO") else ())}
            for rid in q.fp_records:
                record = by_id[rid]
                states = {*record.countries, *record.nationalities}
                assert record.kind.value == "person" and states and not states & home, (q.name, rid)
        for q in sets["lookalike_parent_blob"]:
            assert q.fp_records and all(
                any(parent_parts(a.name) for a in by_id[rid].all_names()) for rid in q.fp_records
            )
    if "C" in built:
        in_b = {key(q.entity or q.name) for name in new for q in built["B"][2][name]}
        for name in new:
            assert not {key(q.entity or q.name) for q in built["C"][2][name]} & in_b, name


def test_set_g_holds_other_unlisted_companies_than_a_to_f(built: Built) -> None:
    """Set G (session 9, dev): unlisted Chinese companies sharing a core with a listed Chinese firm, by
    English and Chinese-script name, queried as CN; no entity that A–F query (by name key or by the name
    without its legal form), none listed on either watchlist, the same queries on both watchlists."""

    g_labels = [label for label in built if label.startswith("G")]
    assert g_labels and all(built[label][2] is built[g_labels[0]][2] for label in g_labels)
    others = [q for label in built if label[0] in "ABCDEF" for qs in built[label][2].values() for q in qs]
    queried = {key(q.name) for q in others} | {_entity_key(q.name) for q in others}
    listed = {
        k
        for label in g_labels
        for p in built[label][1]
        for a in p.all_names()
        for k in (key(a.name), _entity_key(a.name))
    }
    sets = built[g_labels[0]][2]
    english, script = sets["lookalike_commercial_en"], sets["lookalike_commercial_zh"]
    assert len(english) > 50 and len(script) > 30
    for q in english + script:
        assert q.country == "CN" and not q.expect_hit
        assert not {key(q.name), _entity_key(q.name)} & (queried | listed), q.name
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in q.name) for q in script)
    # a former name on a record (ZHEJIANG NANYANG TECHNOLOGY COMPANY LIMITED, CMIC) is the listed firm
    assert "Zhejiang Nanyang Technology Co., Ltd." not in {q.name for q in english}


def test_set_h_holds_the_other_unlisted_companies(built: Built) -> None:
    """Set H (session 10, dev): the other companies of G's pools — none that A–G query (by name key or by
    the name without its legal form), none listed on either watchlist, the same queries on both
    watchlists, English and Chinese-script names queried as CN."""
    from bench.sets import _entity_key

    h_labels = [label for label in built if label.startswith("H")]
    assert h_labels and all(built[label][2] is built[h_labels[0]][2] for label in h_labels)
    others = [q for label in built if label[0] in "ABCDEFG" for qs in built[label][2].values() for q in qs]
    queried = {key(q.name) for q in others} | {_entity_key(q.name) for q in others}
    listed = {
        k
        for label in h_labels
        for p in built[label][1]
        for a in p.all_names()
        for k in (key(a.name), _entity_key(a.name))
    }
    sets = built[h_labels[0]][2]
    english, script = sets["lookalike_commercial_en"], sets["lookalike_commercial_zh"]
    assert len(english) > 1000 and len(script) > 1000
    for q in english + script:
        assert q.country == "CN" and not q.expect_hit
        assert not {key(q.name), _entity_key(q.name)} & (queried | listed), q.name
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in q.name) for q in script)


def test_a_person_look_alike_is_no_renamed_record_of_a_listed_person(built: Built) -> None:
    """OFAC renames its own records between releases (ALTABAEVA, Ekaterina Borisovna on CSL 2022-04 is
    ALTABAEVA, Ekateryna Borysovna on SDN 2024-05, uid 28354): a person whose OFAC uid is on the
    watchlist is that listed person, so a hit on it is no false alarm and the person is no look-alike."""
    from bench.sets import _ofac_uid

    if "C" not in built:
        pytest.skip("the C lists are not present")
    csl, other = built["A"][1], built["C"][1]
    assert _ofac_uid(next(p for p in csl if "ALTABAEVA" in p.name)) == "ofac:28354"
    for label, watchlist, pool in (("A", csl, other), ("B", csl, other), ("C", other, csl)):
        listed = {uid for p in watchlist if (uid := _ofac_uid(p))}
        uids_by_name: dict[str, set[str]] = {}
        for p in pool:
            for a in p.all_names():
                uids_by_name.setdefault(key(a.name), set()).add(_ofac_uid(p))
        queries = built[label][2]["lookalike_person"]
        assert queries
        for q in queries:
            assert uids_by_name[key(q.name)] - listed, (label, q.name)
    assert not [q.name for q in built["C"][2]["lookalike_person"] if q.name.startswith("ALTABAEVA")]


def test_pooled_look_alikes_count_every_set_of_a_kind_with_its_wilson_interval(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The pooled table adds the sets of one kind (held-out columns C–F apart from all) and gives the Wilson
    interval; textbook values: 0 of 10 → 0–0.278, 50 of 100 → 0.404–0.596."""
    from bench.sets import Outcome, pooled_lookalikes, wilson

    assert wilson(0, 10) == (0.0, pytest.approx(0.2775, abs=1e-4))
    low, high = wilson(50, 100)
    assert (round(low, 3), round(high, 3)) == (0.404, 0.596)
    results = {
        "A": {"lookalike_vessel": Outcome(n=100, alerting=99), "recall_en": Outcome(n=5, alerting=5)},
        "C": {"lookalike_vessel": Outcome(n=26, alerting=25)},
        "G1": {"lookalike_commercial_en": Outcome(n=50, alerting=50)},
    }
    pooled_lookalikes(results)
    rows = {
        line.split(" | ")[0]: line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")
    }
    assert rows["| lookalike_vessel"].split(" | ")[1:5] == ["26", "1", "0.038", "0.007–0.189"]
    assert rows["| lookalike_vessel"].split(" | ")[5:8] == ["126", "2", "0.016"]
    assert rows["| lookalike_commercial_en"].split(" | ")[1:3] == ["0", "—"]
    assert rows["| all look-alike kinds"].split(" | ")[5:8] == ["176", "2", "0.011"]
    assert "| recall_en" not in rows
