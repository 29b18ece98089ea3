"""Ownership import (BODS, GLEIF, FtM, CSV) and computation on the real BODS/GLEIF samples.

The BODS examples state indirect holdings (``directOrIndirect: indirect``) next to the direct links
they summarise; the tests check the computed paths against those statements.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chipguard.errors import InputError
from chipguard.ownership.compute import (
    Limits,
    aggregate_listed,
    enumerate_paths,
    indirect_ownership,
    ultimate_parent,
)
from chipguard.ownership.formats import detect_format, load_graph
from chipguard.ownership.graph import CONSOLIDATION, CONTROL, OWNERSHIP, STRUCTURE, ULTIMATE

FIXTURES = Path(__file__).parent / "fixtures" / "ownership"


def bods(shared: Path, name: str) -> Path:
    return shared / "ownership" / f"bods_example__{name}.json"


def holding(graph, owner: str, target: str):  # type: ignore[no-untyped-def]
    owner_id, target_id = graph.find(owner), graph.find(target)
    assert owner_id and target_id, (owner, target)
    return indirect_ownership(graph, target_id)[owner_id]


# --- BODS ---------------------------------------------------------------------------------------


def test_every_bods_example_imports_and_is_detected(shared: Path) -> None:
    files = sorted((shared / "ownership").glob("bods_example__*.json"))
    assert len(files) == 9
    for path in files:
        assert detect_format(path) == "bods"
        graph = load_graph(path)
        assert graph.nodes, path.name
        assert graph.cycles() == [], path.name


@pytest.mark.parametrize(
    ("name", "holder", "target", "computed", "declared", "tightened"),
    [
        # Person 1 holds Company B (share unknown), which holds 60 % of Company A; the file declares 30 %.
        ("indirect-ownership", "Person 1", "Company A", (0.0, 60.0), "30 %", (30.0, 30.0)),
        # 50 % direct plus the indirect holding through Company B (50 % of A); declared indirect 50 %.
        (
            "mixed-direct-and-indirect-ownership",
            "Person 1",
            "Company A",
            (50.0, 100.0),
            "50 %",
            (100.0, 100.0),
        ),
        # Through Company C (50 %) and Company D (50 %), both of unknown share; declared 60 %.
        ("multiple-indirect-ownership", "Person 1", "Company B", (0.0, 100.0), "60 %", (60.0, 60.0)),
        # Through Company B (40 %) and Company C (20 %); declared 60 % = the most the paths allow.
        ("mutilple-indirect-ownership-2", "Person 1", "Company A", (0.0, 60.0), "60 %", (60.0, 60.0)),
    ],
)
def test_bods_indirect_statements_agree_with_computed_paths(
    shared: Path,
    name: str,
    holder: str,
    target: str,
    computed: tuple[float, float],
    declared: str,
    tightened: tuple[float, float],
) -> None:
    graph = load_graph(bods(shared, name))
    assert len(graph.declared_indirect) == 1
    statement = graph.declared_indirect[0]
    assert graph.name(statement.owner) == holder and graph.name(statement.owned) == target
    h = holding(graph, holder, target)
    assert (h.computed_low, h.computed_high) == pytest.approx(computed)
    # the declared indirect figure lies inside what the direct links allow …
    assert h.declared_indirect == declared
    assert h.note == ""
    # … and narrows the computed interval to direct + declared
    assert (h.low, h.high) == pytest.approx(tightened)
    assert all(p.origin == graph.find(holder) for p in h.paths)
    assert any(len(p.edges) >= 2 for p in h.paths)


def test_bods_indirect_path_is_explained(shared: Path) -> None:
    graph = load_graph(bods(shared, "indirect-ownership"))
    h = holding(graph, "Person 1", "Company A")
    assert [p.render(graph) for p in h.paths] == ["Person 1 ? % → Company B 60 % → Company A"]


def test_bods_range_share(shared: Path) -> None:
    graph = load_graph(bods(shared, "bods-package-entity-owning-entity"))
    h = holding(graph, "MVJ LIMITED", "JENEX LIMITED")
    assert (h.low, h.high) == (75.0, 100.0)
    assert h.label() == "75–100 %"
    # 75 % or more: definitely at or above the 50 % threshold
    agg = aggregate_listed(graph, graph.find("JENEX LIMITED") or "", [graph.find("MVJ LIMITED") or ""])
    assert agg.definitely


def test_bods_joint_ownership_through_arrangement(shared: Path) -> None:
    graph = load_graph(bods(shared, "joint-ownership"))
    arrangement = graph.nodes[graph.find("Joint shareholding") or ""]
    assert arrangement.kind == "arrangement"
    for person in ("Natalie Coleman", "Roberto Lopez"):
        h = holding(graph, person, "CHRINON LTD")
        assert (h.low, h.high) == (50.0, 50.0)
        assert h.paths[0].render(graph) == f"{person} 50 % → Joint shareholding 100 % → CHRINON LTD"
    # the two persons jointly hold 100 %: as a listed pair they aggregate to 100 %
    agg = aggregate_listed(
        graph,
        graph.find("CHRINON LTD") or "",
        [graph.find("Natalie Coleman") or "", graph.find("Roberto Lopez") or ""],
    )
    assert agg.low == pytest.approx(100.0)
    assert graph.nodes[graph.find("CHRINON LTD") or ""].country == "GB"


def test_bods_updates_and_closed_records_take_the_latest_state(shared: Path) -> None:
    fermcat = load_graph(bods(shared, "fermcat"))
    owners = {
        fermcat.name(e.owner): e.share.label() for e in fermcat.owners_of(fermcat.find("Fermcat Ltd") or "")
    }
    # Riyadh's and later Declan's holdings were closed; Patrick ends with 100 %
    assert owners == {"Patrick O'Donohue": "100 %"}
    assert {fermcat.name(n) for n in fermcat.nodes} == {"Fermcat Ltd", "Patrick O'Donohue"}
    board = [e for e in fermcat.edges if e.kind == CONTROL]
    assert board and board[0].interests == ["boardMember"]

    tecido = load_graph(bods(shared, "tecido"))
    owners = {
        tecido.name(e.owner): e.share.label() for e in tecido.owners_of(tecido.find("Tecido Ltd") or "")
    }
    assert owners == {"Shear Trust": "80 %"}  # 60 → 70 → 80 %, Maria Esteves's record closed
    assert tecido.nodes[tecido.find("Tecido Ltd") or ""].country == "US"


def test_bods_unspecified_interested_party(shared: Path) -> None:
    graph = load_graph(bods(shared, "listed-company-exempt-from-disclosure"))
    target = graph.find("Listed Company OS-17") or ""
    (edge,) = graph.owners_of(target)
    assert edge.share.is_unknown
    assert "subjectExemptFromDisclosure" in graph.name(edge.owner)
    assert graph.nodes[target].extra["public_listing"] is True


# --- GLEIF --------------------------------------------------------------------------------------


def test_gleif_parent_relationships(shared: Path) -> None:
    rr = shared / "ownership" / "gleif_rr_sample.xml"
    lei = shared / "ownership" / "gleif_lei_sample.xml"
    assert detect_format(rr) == "gleif"
    graph = load_graph(rr, lei_file=lei)
    kinds = [e.kind for e in graph.edges]
    assert len(kinds) == 10
    assert kinds.count(CONSOLIDATION) == 1 and kinds.count(ULTIMATE) == 1
    assert kinds.count(CONTROL) == 5 and kinds.count(STRUCTURE) == 3
    # names and headquarters from the Level 1 file
    fund = graph.nodes["001GPB6A9XPE8XJICC14"]
    assert fund.name == "Fidelity Advisor Leveraged Company Stock Fund"
    assert fund.headquarters == "US" and ("LEI", "001GPB6A9XPE8XJICC14") in fund.identifiers
    # the declared ultimate parent wins over the direct accounting parent
    up = ultimate_parent(graph, "010CMKZ3VON21WF2ZD45")
    assert up is not None and up.node == "3C7474T6CDKPR9K6YT90" and up.basis == "declared"
    direct = [e.owner for e in graph.edges if e.owned == "010CMKZ3VON21WF2ZD45" and e.kind == CONSOLIDATION]
    assert direct == ["ZZG38T0MDR3QY1ETUA76"]
    # without the level-2 "ultimate" record the chain of accounting parents is climbed
    graph.edges = [e for e in graph.edges if e.kind != ULTIMATE]
    up = ultimate_parent(graph, "010CMKZ3VON21WF2ZD45")
    assert up is not None and up.node == "ZZG38T0MDR3QY1ETUA76" and up.basis == "consolidation"
    # a fund manager is control, not a parent
    assert ultimate_parent(graph, "00QDBXDXLLF3W3JJJO36") is None
    # a listed accounting parent of unknown share: possibly ≥ 50 %, never silently nothing
    agg = aggregate_listed(graph, "010CMKZ3VON21WF2ZD45", ["ZZG38T0MDR3QY1ETUA76"])
    assert not agg.definitely and agg.possibly and agg.unknown_listed == ["ZZG38T0MDR3QY1ETUA76"]


def test_gleif_malformed_names_the_record() -> None:
    with pytest.raises(InputError) as exc:
        load_graph(FIXTURES / "gleif_missing_end.xml")
    assert "RelationshipRecord #2" in str(exc.value) and exc.value.field == "EndNode/NodeID"
    with pytest.raises(InputError) as exc:
        load_graph(FIXTURES / "gleif_truncated.xml")
    assert "not well-formed" in str(exc.value) and exc.value.line is not None


def test_gleif_entity_expansion_refused() -> None:
    with pytest.raises(InputError, match="unsafe XML"):
        load_graph(FIXTURES / "gleif_entities.xml", "gleif")


# --- FtM and CSV --------------------------------------------------------------------------------


def test_ftm_ownership_chain() -> None:
    path = FIXTURES / "ftm_ownership.jsonl"
    assert detect_format(path) == "ftm"
    graph = load_graph(path)
    h = holding(graph, "Peony Group Co Ltd", "Orchid Compute Sdn Bhd")
    assert h.low == pytest.approx(60.0)  # 75 % × 80 %
    assert (
        h.paths[0].render(graph)
        == "Peony Group Co Ltd 75 % → Lotus Holdings Ltd 80 % → Orchid Compute Sdn Bhd"
    )
    # the ended 2019 holding is not an edge
    assert holding(graph, "Chen Wei", "Orchid Compute Sdn Bhd").low == pytest.approx(20.0)
    assert graph.find("5493001KJTIIGC8Y1R12") == "co-top"
    up = ultimate_parent(graph, "co-target")
    assert up is not None and up.node == "co-top" and graph.nodes["co-top"].headquarters == "CN"


def test_malformed_files_name_the_record_and_field() -> None:
    cases = [
        ("bods_bad_share.json", "st-rel-1", "recordDetails.interests[0].share.exact"),
        ("bods_no_subject.json", "st-rel-9", "recordDetails.subject"),
        ("ftm_bad.jsonl", "own-1", "percentage"),
        ("bad_percent.csv", "line 4", "percent"),
    ]
    for name, record, field in cases:
        with pytest.raises(InputError) as exc:
            load_graph(FIXTURES / name)
        assert record in str(exc.value), (name, str(exc.value))
        assert exc.value.field == field
        assert str(FIXTURES / name) in str(exc.value)
    with pytest.raises(InputError) as exc:
        load_graph(FIXTURES / "ftm_bad.jsonl")
    assert exc.value.line == 3


# --- computation ---------------------------------------------------------------------------------


def test_cycles_survive_and_are_reported() -> None:
    graph = load_graph(FIXTURES / "cycle.csv")
    assert [sorted(graph.name(n) for n in c) for c in graph.cycles()] == [
        ["Alpha Holdings Ltd", "Beta Investments Ltd"]
    ]
    gamma = graph.find("Gamma Compute Pte Ltd") or ""
    holdings = indirect_ownership(graph, gamma)
    # Alpha: 10 % direct + 50 % × 60 % through Beta = 40 %; the A↔B feedback loop is not followed
    assert holdings[graph.find("Alpha Holdings Ltd") or ""].low == pytest.approx(40.0)
    assert holdings[graph.find("Beta Investments Ltd") or ""].low == pytest.approx(65.0)
    enum = enumerate_paths(graph, gamma)
    assert enum.cycles_met and not enum.truncated
    agg = aggregate_listed(graph, gamma, [graph.find("Alpha Holdings Ltd") or ""])
    # Alpha 50 % → Beta makes Beta count as listed; Beta's 60 % counts in full: 10 + 60 = 70 %
    assert agg.low == pytest.approx(70.0) and agg.definitely
    assert "Beta Investments Ltd" in agg.to_dict(graph)["caught_by_propagation"]


def test_path_caps_are_reported() -> None:
    graph = load_graph(FIXTURES / "cycle.csv")
    enum = enumerate_paths(graph, graph.find("Gamma Compute Pte Ltd") or "", limits=Limits(max_depth=1))
    assert enum.truncated
    enum = enumerate_paths(graph, graph.find("Gamma Compute Pte Ltd") or "", limits=Limits(max_paths=2))
    assert enum.truncated and len(enum.paths) == 2


def test_missing_percentage_of_listed_owner_is_review_not_crash() -> None:
    graph = load_graph(FIXTURES / "unknown_percent.csv")
    target = graph.find("Harbour Cloud Pte Ltd") or ""
    agg = aggregate_listed(graph, target, [graph.find("Shadow Capital Ltd") or ""])
    assert (agg.low, agg.high) == (0.0, 60.0)  # the other owner holds 40 %: at most 60 % is left
    assert not agg.definitely and agg.possibly
    assert [graph.name(n) for n in agg.unknown_listed] == ["Shadow Capital Ltd"]
    assert graph.nodes[graph.find("Shadow Capital Ltd") or ""].country == "HK"


def test_ofac_guidance_examples(tmp_path: Path) -> None:
    """OFAC 2014 guidance: X 25 % + Y 25 % of A → A blocked; A 50 % of B → B blocked too."""
    path = tmp_path / "ofac.csv"
    path.write_text(
        "owner,owned,percent\nX,A,25\nY,A,25\nA,B,50\nX,C,40\nC,D,100\nL1,L2,100\nL2,T,60\n", encoding="utf-8"
    )
    graph = load_graph(path)
    listed = ["x", "y"]
    agg_b = aggregate_listed(graph, "b", listed)
    assert agg_b.low == pytest.approx(50.0) and agg_b.definitely
    assert agg_b.to_dict(graph)["contributors"][0]["paths"][0].startswith("A (≥ 50 % owned by listed")
    # 40 % of C does not make C blocked: D is 40 % owned (multiplied), below the threshold
    agg_d = aggregate_listed(graph, "d", listed)
    assert agg_d.low == pytest.approx(40.0) and not agg_d.possibly
    # a listed parent and its listed subsidiary: the same 60 % is counted once
    agg_t = aggregate_listed(graph, "t", ["l1", "l2"])
    assert agg_t.low == pytest.approx(60.0)
    # without propagation the multiplied figure is what remains
    assert aggregate_listed(graph, "b", listed, propagate=False).low == pytest.approx(25.0)


def test_edges_are_ownership_for_csv() -> None:
    graph = load_graph(FIXTURES / "cycle.csv")
    assert {e.kind for e in graph.edges} == {OWNERSHIP}
    assert graph.summary()["cycles"]


def test_over_allocation_and_old_bods_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "over.csv"
    path.write_text("owner,owned,percent\nA,T,70\nB,T,40\n", encoding="utf-8")
    assert load_graph(path).summary()["over_allocated"] == [{"party": "T", "stated_minimum_total": 110.0}]
    old = tmp_path / "old.json"
    old.write_text(
        '[{"statementID": "s1", "statementId": "s1", "statementType": "entityStatement"}]', encoding="utf-8"
    )
    with pytest.raises(InputError, match="BODS 0.4 is required"):
        load_graph(old)
