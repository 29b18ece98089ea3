"""A name written in the Revised Romanization of Korean is matched as read in McCune-Reischauer too
(query_korean_reading, issue 12: evasion by romanisation). The lists write North Korean persons in
McCune-Reischauer (KIM Jong Un, RI Pyong Chol, PAK Han Se); a passport of the Republic of Korea writes the
same names in RR (Gim Jeong-eun, Ri Byeong Cheol, Bak Han Se), and bench.korean found the own record of
0.35 of the lists' Korean persons written so before the rule.

Real records: CSL 2022-04; skipped without the shared data."""

from __future__ import annotations

import re

import pytest

from chipguard.match import screener as screener_module
from chipguard.match.screener import KOREAN
from chipguard.names.korean import list_style, mr_readings, syllable_rows
from tests.csl_support import csl_2022_parties, csl_2022_screener
from tests.scorer_support import scorer_config_with
from tests.watchlist_support import best_scores

# listed persons of CSL 2022-04 (McCune-Reischauer) → the same names in RR (장성철 Jang Seong-cheol …)
CSL_RR = {
    "Gim Jeong-eun": "KIM, Jong Un",
    "Bak Han Se": "PAK, Han Se",
    "Ri Byeong Cheol": "RI, Pyong Chol",
    "Hwang Byeong Seo": "HWANG, Pyong So",
}


def test_an_rr_name_reads_into_the_lists_spellings() -> None:
    assert "Kim Jong Un" in mr_readings("Gim Jeong Eun")
    assert mr_readings("Gim Jeong Eun")[0] == "Kim Chong Un"  # McCune-Reischauer's word-initial first
    assert mr_readings("Bak Han Se") == ("Pak Han Se",)
    assert "Ri Pyong Chol" in mr_readings("Ri Byeong Cheol")
    assert "Kim Jong-un" in mr_readings("Kim Jeong-eun")  # hyphen kept
    assert "Kim Jongun" in mr_readings("Kim Jeongeun")  # jeong|eun: a vowel after ng
    assert len(mr_readings("Jo Jeong Gil")) == 8  # bounded (MAX_READINGS)


def test_names_that_are_no_rr_or_already_list_style_are_not_read() -> None:
    for name in (
        "KIM Jong Un",  # as the lists write it
        "CHOE Ryong Hae",
        "Dong Wenbo",  # every word Pinyin: a Chinese name
        "Justin Hughes",  # hug|hes would need RR's transliteration finals
        "Hilal Musa",  # hil|al: RR writes a final l before a vowel as r
        "Huawei Technologies Co Ltd",
        "Gim",  # one word
    ):
        assert mr_readings(name) == (), name
    assert (
        list_style("jong") and list_style("song-hyok") and not list_style("bak") and not list_style("jeong")
    )


def _own_scores() -> dict[str, float]:
    return best_scores(csl_2022_screener(), CSL_RR)


def test_listed_korean_persons_written_in_rr_are_found() -> None:
    threshold = csl_2022_screener().threshold
    scores = _own_scores()
    assert all(score >= threshold for score in scores.values()), scores


def test_without_the_rule_they_were_not(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, query_korean_reading=False)
    threshold = csl_2022_screener().threshold
    scores = _own_scores()
    assert all(score < threshold for score in scores.values()), scores


def test_the_syllable_table_is_icus() -> None:
    """data/names/korean_syllables.tsv is what tools/build_korean_romanisation.py writes from the installed
    ICU: an ICU upgrade that changes a syllable fails here until the file is regenerated and reviewed."""
    pytest.importorskip("icu")
    import importlib.util
    from pathlib import Path

    tool = Path(__file__).resolve().parents[1] / "tools" / "build_korean_romanisation.py"
    spec = importlib.util.spec_from_file_location("build_korean_romanisation", tool)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.TABLE.read_text(encoding="utf-8") == module.text()
    rows = {row[0]: row[1:] for row in syllable_rows()}
    # RR; McCune-Reischauer at a word's start and inside a word
    assert rows["김"] == ("gim", "kim", "gim")
    assert rows["정"] == ("jeong", "chong", "jong")
    assert rows["리"] == ("ri", "ni", "ri")
    assert rows["박"] == ("bak", "pak", "bak")
    assert rows["철"] == ("cheol", "chol", "chol")
    assert len(rows) == 11172 - 12 * 399  # twelve finals no name syllable carries left out


def test_compare_reads_an_rr_name_as_screening_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """``compare`` (chipguard compare, the pairs bench) tries the same readings as a screen: either side."""
    from chipguard.match.screener import compare

    assert compare("Bak Han Se", "PAK, Han Se", kind="person").score == 1.0
    assert compare("RI, Pyong Chol", "Ri Byeong Cheol", kind="person").score == 1.0
    scorer_config_with(monkeypatch, query_korean_reading=False)
    assert compare("Bak Han Se", "PAK, Han Se", kind="person").score < 0.8
    assert compare("RI, Pyong Chol", "Ri Byeong Cheol", kind="person").score < 0.8


# listed persons of CSL 2022-04 → their names in RR that look as the lists write Korean (RR's j is MR's ch
# at a word's start, RR's initial r the lists' n): 리정졸 Ri Jong Jol, 김일람 Kim Il-ram, 죄룡해 Joe Ryong Hae
CSL_RR_LIST_STYLE = {
    "Ri Jong Jol": "RI, Chong Chol",
    "Kim Il-ram": "KIM, Il-Nam",
    "Joe Ryong Hae": "CHOE, Ryong Hae",
    "Kim Min Jol": "KIM, Min Chol",
}
# Korean persons of no list, in RR → the listed person a reading of theirs meets only as a near name (a
# one-letter variant or another syllable: Ryong / Kyong, Hae / Hak): no evidence under the floor
NEAR_NAMES_OF_A_READING = {
    "Gim Ryeong Hae": "KIM, Kyong Hak",
    "Jang Byeong Cheol": "CHOE, Chang Pong",
    "Joe Yong Gil": "KIM, Yong Chol",
    "Gim Jeong-cheol": "KIM, Yong Chol",
}


def test_a_name_that_looks_list_style_is_read_with_the_key() -> None:
    assert "Ri Chong Chol" in mr_readings("Ri Jong Jol", list_style_too=True)
    assert "Kim Il-nam" in mr_readings("Kim Il-ram", list_style_too=True)
    assert "Kim Chong Un" in mr_readings("KIM Jong Un", list_style_too=True)
    assert mr_readings("Ri Jong Jol") == mr_readings("KIM Jong Un") == ()
    assert mr_readings("Dong Wenbo", list_style_too=True) == ()  # still: every word Pinyin


def test_listed_persons_whose_rr_looks_list_style_are_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """korean_list_style_reading: on, found; off, not."""
    threshold = csl_2022_screener().threshold
    scores = best_scores(csl_2022_screener(), CSL_RR_LIST_STYLE)
    assert all(score >= threshold for score in scores.values()), scores
    scorer_config_with(monkeypatch, korean_list_style_reading=False)
    scores = best_scores(csl_2022_screener(), CSL_RR_LIST_STYLE)
    assert all(score < threshold for score in scores.values()), scores


def _person_hits(pairs: dict[str, str]) -> dict[str, list[str]]:
    screener = csl_2022_screener()
    return {
        query: [h.name for h in screener.screen(query, kind="person") if h.name == name]
        for query, name in pairs.items()
    }


def test_a_readings_near_name_is_no_hit_and_was_without_the_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """korean_reading_min_score: a record a Korean reading meets counts only when met closely; the
    readings' own records stay (CSL_RR: 1.0)."""
    hits = _person_hits(NEAR_NAMES_OF_A_READING)
    assert not any(hits.values()), hits
    assert all(score == 1.0 for score in _own_scores().values())
    scorer_config_with(monkeypatch, korean_reading_min_score=0.0)
    hits = _person_hits(NEAR_NAMES_OF_A_READING)
    assert all(hits.values()), hits


def test_compare_meets_the_lists_own_two_spellings_of_a_korean_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lists' DPRK j and MR ch of one name (CSL 2022-04: RI, Chong Chol a.k.a. RI, Jong Chol; CHANG
    MYONG-CHIN a.k.a. Jang Myong-Jin): one name read as the other."""
    from chipguard.match.screener import compare

    pairs = {
        "RI Jong Chol": "RI, Chong Chol",
        "Jang Myong-Jin": "CHANG MYONG-CHIN",
        "KIM Jong Un": "Kim Chong Un",
    }
    assert all(compare(a, b, kind="person").score == 1.0 for a, b in pairs.items())
    # (korean_name_forms meets them too: Chong / Jong, Chang / Jang, Chin / Jin)
    scorer_config_with(monkeypatch, korean_list_style_reading=False, korean_name_forms=False)
    assert all(compare(a, b, kind="person").score < 0.9 for a, b in pairs.items())


# listed persons of CSL 2022-04 → their names in another spelling the lists use for Korean (McCune-
# Reischauer's k and n at a word's start where the DPRK writes g and r, ICU's Korean-Latin/BGN; the lists'
# own pairs: RI, Chong Chol a.k.a. RI, Jong Chol, CHANG MYONG-CHIN a.k.a. Jang Myong-Jin)
CSL_OTHER_LIST_SPELLING = {
    "Ri Man Kon": "RI, Man Gon",
    "Ni Ho Nam": "RI, Ho Nam",
    "O Kuk-nyol": "O, Kuk-Ryol",
}


def test_a_list_style_syllable_is_read_as_the_lists_other_spellings() -> None:
    assert "Ri Man Gon" in mr_readings("Ri Man Kon", list_style_too=True, list_spellings=True)
    assert "Kim Jong Un" in mr_readings("Kim Chong Un", list_style_too=True, list_spellings=True)
    assert mr_readings("Kim Chong Un", list_style_too=True) == ()  # RR's chong is 총 alone: ch'ong
    assert mr_readings("Ri Man Kon", list_spellings=True) == ()  # only with list-style names read


def test_listed_persons_in_another_lists_spelling_are_found() -> None:
    threshold = csl_2022_screener().threshold
    scores = best_scores(csl_2022_screener(), CSL_OTHER_LIST_SPELLING)
    assert all(score >= threshold for score in scores.values()), scores


def test_without_korean_list_spellings_they_were_not(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, korean_list_spellings=False)
    threshold = csl_2022_screener().threshold
    scores = best_scores(csl_2022_screener(), CSL_OTHER_LIST_SPELLING)
    assert all(score < threshold for score in scores.values()), scores


def test_a_readings_first_word_is_voiced_only_as_the_names_is(monkeypatch: pytest.MonkeyPatch) -> None:
    # McCune-Reischauer writes ㄱ ㄷ ㅂ as k t p at a word's start: KIM SONG is not read Gim Song, nor the
    # Wade-Giles Ting Hung-po Ding Hung-po (matching.yml korean_voiced_first_word false) …
    assert mr_readings("KIM SONG", True, True, voiced_first_word=False) == ()
    assert "Gim Song" in mr_readings("KIM SONG", True, True, voiced_first_word=True)
    assert not any(
        r.startswith("Ding") for r in mr_readings("Ting Hung-po", True, True, voiced_first_word=False)
    )
    # … while a given name's word still is (the lists write Gwang, Byong, Gon), and a name written with a
    # voiced first word is read as before
    assert "Ri Man Gon" in mr_readings("Ri Man Kon", True, True, voiced_first_word=False)
    assert mr_readings("Gim Jeong Eun", voiced_first_word=False) == mr_readings("Gim Jeong Eun")
    korean = [
        text for text, method, _e in screener_module.romanisation_readings("KIM SONG") if method == KOREAN
    ]
    assert korean == []
    scorer_config_with(monkeypatch, korean_voiced_first_word=True)
    korean = [
        text for text, method, _e in screener_module.romanisation_readings("KIM SONG") if method == KOREAN
    ]
    assert korean == ["Gim Song"]


def test_the_lists_write_a_korean_names_first_word_unvoiced() -> None:
    # the claim behind korean_voiced_first_word, on CSL 2022-04: of its Korean persons' names, the one first
    # word with g, d or b is an RR alias (BAK, Gwang Hun) of a person listed as PAK, Kwang Hun too
    voiced = []
    for party in csl_2022_parties():
        if party.kind.value != "person" or not {*party.countries, *party.nationalities} & {"KP", "KR"}:
            continue
        for alias in party.all_names():
            first = re.findall(r"[A-Za-z]+", alias.name.split(",")[0])
            if first and first[0][:1].lower() in "gdb" and mr_readings(alias.name, True, True):
                voiced.append((alias.name, party.name))
    assert voiced == [("BAK, Gwang Hun", "PAK, Kwang Hun")]
