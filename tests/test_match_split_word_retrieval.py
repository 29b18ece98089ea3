"""Retrieval of a typo inside a word the analysis splits on one side only (issue 12 item 5: a record that
clears the threshold on its own is returned).

The scorer joins two adjacent words whose concatenation is one edit from a word of the other name
(matching.yml ``name_score.split_word_typo``: "GAZPROM SOTISNVEST" vs the listed "GAZPROM SOTSINVEST", read
"sots invest", 0.94), but retrieval gave the typo word no key the listed name holds: the typo is of a word
the list's vocabulary did not hold ("sotsinvest" was two words), so the records ranked 108–244 of 316
behind Gazprom's other names and were never scored. A word the analysis split is now keyed as written too
(``w:``), so a query's typo of it finds it as a typo neighbour; the mirror, a query word the analysis split,
looks up the list words one edit from it as written ("PERTOCHEMICALS" → "petrochemicals").

Real list names (CSL 2022-04; skipped without the shared data). The cases beside Sotsinvest come from the
second sample of the class (other listed firms holding a split word, /work/notes/tools/r9_split_sample.py):
648 of 712 typos found before, 707 after."""

from __future__ import annotations

from chipguard.match.index import entry_keys
from chipguard.names.analysis import analyze
from tests.csl_support import csl_2022_screener, csl_2022_screeners

CASES = {
    "GAZPROM SOTISNVEST": "GAZPROM SOTSINVEST, OOO",
    "IRAN CENRTIFUGE TECHNOLOGY COMPANY": "IRAN CENTRIFUGE TECHNOLOGY COMPANY",
    "HIGTHRADE FINANCE LTD": "HIGHTRADE FINANCE LTD",
    "GAZPROM TSETRREMONT, OOO": "GAZPROM TSENTRREMONT, OOO",
}


def test_a_word_the_analysis_split_is_keyed_as_written() -> None:
    a = analyze("GAZPROM SOTSINVEST", False)
    assert [t.text for t in a.tokens] == ["gazprom", "sots", "invest"]
    assert "w:sotsinvest" in entry_keys(a)
    # two words written apart are no word of the list ("tech nology" is keyed as a pair only)
    assert "w:technology" not in entry_keys(analyze("TECH NOLOGY LTD", False))
    assert "b:technology" in entry_keys(analyze("TECH NOLOGY LTD", False))


def test_screening_finds_a_typo_of_a_split_word() -> None:
    built, mapped = csl_2022_screeners()
    for screener in (built, mapped):
        for query, listed in CASES.items():
            names = {h.name for h in screener.screen(query, kind="org")}
            assert listed in names, (query, sorted(names))
    # both Sotsinvest records (the OFAC and the BIS one)
    sotsinvest = [h for h in mapped.screen("GAZPROM SOTISNVEST", kind="org") if "otsinvest" in h.name.lower()]
    assert len(sotsinvest) == 2


def test_a_query_word_the_analysis_split_looks_up_the_list_word_it_is_a_typo_of() -> None:
    screener = csl_2022_screener()
    a = analyze("ORBIT PERTOCHEMICALS", False)
    assert [t.text for t in a.tokens] == ["orbit", "perto", "chemicals"]
    keys = screener.index.query_keys(a)
    assert keys.get("w:petrochemicals", 0.0) > 0.0
    # written apart, the query's pair is no word it wrote: no typo look-up for it
    assert "w:petrochemicals" not in screener.index.query_keys(analyze("ORBIT PERTO CHEMICALS", False))
