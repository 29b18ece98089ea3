"""Every Federal Register document a rule cites must be one whose scope covers that rule (issue 15).

chipguard/data/rules/documents.yml lists each cited document with the rule ids it supports. A rule that
cites a document outside that list (the Jan 2026 China/Macau review-policy change cited for a Malaysian
destination, a GP10 reason pulling in every flag's document) fails here; the scenario tests check the
rendered reasons the same way with ``cited_documents``.
"""

from __future__ import annotations

from chipguard.policy.citations import cited_documents, document_scopes
from chipguard.policy.rules import default_rule_set


def out_of_scope(rule_id: str, citation: str) -> list[str]:
    from chipguard.policy.citations import out_of_scope as check

    return check(default_rule_set(), rule_id, citation)


def test_the_citation_pattern_reads_both_forms() -> None:
    assert cited_documents("91 FR 1684 (Jan 15 2026); 15 CFR 742.6(b)(10) (88 FR 73458)") == {
        "91 FR 1684",
        "88 FR 73458",
    }
    assert cited_documents("FR Doc 2025-19001 and FR Doc. 2025-19001") == {"FR Doc. 2025-19001"}


def test_every_rule_cites_only_documents_whose_scope_covers_it() -> None:
    problems = []
    for rule in default_rule_set().rules:
        for text in [rule.citation, *(w.citation for w in rule.cite_by_date)]:
            problems += out_of_scope(rule.id, text)
    assert problems == []


def test_a_rule_citing_a_document_outside_its_scope_is_caught() -> None:
    assert out_of_scope("ADV-POLICY-HQ-ELSEWHERE", "91 FR 1684 (Jan 15 2026)") == [
        "ADV-POLICY-HQ-ELSEWHERE cites 91 FR 1684"
    ]
    assert out_of_scope("ADV-DEST", "99 FR 1 (made up)") == ["ADV-DEST cites 99 FR 1 (not in documents.yml)"]


def test_every_document_in_the_table_is_dated_graded_and_scoped() -> None:
    rule_ids = {r.id for r in default_rule_set().rules}
    assert set(document_scopes(default_rule_set())) == {d["id"] for d in default_rule_set().data["documents"]}
    for doc in default_rule_set().data["documents"]:
        assert doc["grade"] in ("P", "S", "D"), doc["id"]
        assert doc.get("effective") or doc["id"] == "89 FR 5698", doc["id"]  # a proposed rule has none
        assert doc["rules"] and set(doc["rules"]) <= rule_ids, doc["id"]


def test_docs_rules_md_holds_the_current_generated_rule_tables() -> None:
    """docs/rules.md §8 lists every rule with its source, grade and dates; regenerate it with
    `python tools/rules_table.py --write` after changing a rule."""
    from pathlib import Path

    from chipguard.policy.rules_doc import rules_table

    doc = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    assert rules_table(default_rule_set()) in doc


def test_every_bundled_rule_is_graded() -> None:
    assert [r.id for r in default_rule_set().rules if r.grade not in ("P", "S", "D")] == []
