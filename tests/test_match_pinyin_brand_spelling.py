"""A Chinese company's trade name (字号) as its registered English spells it (issue 12 item 6, session 25:
the rule without the curated file). Two rules, each with its key in matching.yml:

- ``name_score.sound_alike_spelt_first``: a translated query's pinyin trade name and an English brand
  imitating its sound may start with one sound spelt two ways (v/w, q/k/c, x/s, y/i: the letters the sound
  skeleton makes one) — 勤上 "Qinshang" is registered DONGGUAN KINGSUN OPTOELECTRONIC, 康斯特 "Kangsite"
  Beijing ConST Instruments Technology. Before, a sound-alike needed the same first letter.
- ``name_score.pinyin_head_syllables``: a run-together pinyin word meets the list word its first two
  syllables or more spell (ending where a syllable ends) at similarity.pinyin_head, not as a stem or
  abbreviation — 美亚柏科 "Meiyabaike" is XIAMEN MEIYA PICO INFORMATION, 同方威视 "Tongfangweishi" Tongfang
  NucTech, 永利带业 "Yonglidai Industry" Shanghai Yongli Belting (the trade name run into the first
  character of its business).

Both pairs are approximate: the hits are potential, never confirmed on the name. Real records: the xscript
watchlist (registered English names of SZSE-listed firms) and CSL 2022-04 without the curated Chinese names
(the rule alone); skipped without the shared data."""

from __future__ import annotations

import pytest

from chipguard.match.score import PINYIN_HEAD, token_similarity
from chipguard.names.analysis import analyze
from chipguard.names.pinyin_sound import first_sounds_alike, sounds_alike
from tests.csl_support import csl_2022_screener
from tests.scorer_support import scorer_config_with
from tests.watchlist_support import best_scores, xscript_watchlist

# a Chinese registered name → its registered English name on the xscript watchlist, met by the sound of a
# trade name whose first letter the English spells otherwise
SPELT_FIRST = {
    "东莞勤上光电股份有限公司": "DONGGUAN KINGSUN OPTOELECTRONIC CO.,LTD.",
    "北京康斯特仪表科技股份有限公司": "Beijing ConST Instruments Technology Inc.",
}
# … met by the head of a run-together pinyin trade name
HEADS = {
    "上海永利带业股份有限公司": "Shanghai Yongli Belting Co.,Ltd.",
    "四川富临运业集团股份有限公司": "Sichuan Fulin Transportation Group CO., LTD.",
}
# a listed firm's Chinese legal name → the start of its CSL 2022-04 name (no curated Chinese name)
CSL_HEADS = {
    "厦门市美亚柏科信息股份有限公司": "XIAMEN MEIYA PICO",
    "同方威视技术股份有限公司": "Tongfang NucTech",
}


def _csl_strengths(query: str, listed: str) -> set[str]:
    """The strengths of the hits on CSL 2022-04 without the curated Chinese names (what the translation
    rule finds alone; a screener of the configuration in force) whose name starts with ``listed``."""
    return {
        str(h.strength)
        for h in csl_2022_screener(enrich=False).screen(query, kind="org", country="CN")
        if h.name.upper().startswith(listed.upper())
    }


def _token(word: str):  # type: ignore[no-untyped-def]
    return analyze(word, False).tokens[0]


def test_a_first_letter_spelt_otherwise_sounds_alike() -> None:
    assert first_sounds_alike("qinshang", "kingsun") and first_sounds_alike("wanke", "vanke")
    assert not first_sounds_alike("qinshang", "tingsun") and not first_sounds_alike("huilun", "failong")
    assert sounds_alike("qinshang", "kingsun", spelt_first=True)
    assert not sounds_alike("qinshang", "kingsun")  # before: the same first letter only
    sim, how = token_similarity(_token("kangsite"), _token("const"), False, translated=True)
    assert how == "sounds alike"
    assert token_similarity(_token("kangsite"), _token("const"), False, translated=False) == (0.0, "")


def test_a_pinyin_words_head_is_the_trade_name() -> None:
    for query, listed in [("meiyabaike", "meiya"), ("yonglidai", "yongli"), ("tongfangweishi", "tongfang")]:
        assert token_similarity(_token(query), _token(listed), False, translated=True)[1] == PINYIN_HEAD
    # not where a syllable goes on ("meiyab"), not a one-syllable head, not a typed (English) query
    assert token_similarity(_token("meiyabaike"), _token("meiyab"), False, translated=True)[1] != PINYIN_HEAD
    assert token_similarity(_token("wenshi"), _token("wens"), False, translated=True)[1] != PINYIN_HEAD
    assert token_similarity(_token("meiyabaike"), _token("meiya"), False)[1] != PINYIN_HEAD


def test_registered_english_names_are_met(monkeypatch: pytest.MonkeyPatch) -> None:
    watchlist = xscript_watchlist()
    scores = best_scores(watchlist, {**SPELT_FIRST, **HEADS})
    assert all(score >= watchlist.threshold for score in scores.values()), scores
    for query, listed in (*SPELT_FIRST.items(), *HEADS.items()):
        strengths = {str(h.strength) for h in watchlist.screen(query, kind="org") if h.name == listed}
        assert strengths == {"potential"}, (query, strengths)
    for query, listed in CSL_HEADS.items():
        assert _csl_strengths(query, listed) == {"potential"}, query


def test_without_the_rules_they_were_missed(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, sound_alike_spelt_first=False, pinyin_head_syllables=False)
    watchlist = xscript_watchlist()
    scores = best_scores(watchlist, {**SPELT_FIRST, **HEADS})
    assert all(score < watchlist.threshold for score in scores.values()), scores
    for query, listed in CSL_HEADS.items():
        assert "potential" not in _csl_strengths(query, listed), query


def test_each_rule_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each key turns its own rule off: the other rule's pairs are still met."""
    scorer_config_with(monkeypatch, sound_alike_spelt_first=False)
    watchlist = xscript_watchlist()
    assert all(s < watchlist.threshold for s in best_scores(watchlist, SPELT_FIRST).values())
    assert all(s >= watchlist.threshold for s in best_scores(watchlist, HEADS).values())
    scorer_config_with(monkeypatch, sound_alike_spelt_first=True, pinyin_head_syllables=False)
    watchlist = xscript_watchlist()
    assert all(s < watchlist.threshold for s in best_scores(watchlist, HEADS).values())
    assert all(s >= watchlist.threshold for s in best_scores(watchlist, SPELT_FIRST).values())


def test_a_respelt_trade_name_is_reviewed_not_confirmed(monkeypatch: pytest.MonkeyPatch) -> None:
    """However close the rest of the names: with a head pair as alike as an equal word, 北京昆仑万维科技
    "Beijing Kunlunwanwei Technology" meets Beijing Kunlun Tech over confirm_name_score, and the hit is
    still potential (a review says whether the English brand is this firm's)."""
    scorer_config_with(monkeypatch, sim_pinyin_head=1.0)
    watchlist = xscript_watchlist()
    hits = [
        h
        for h in watchlist.screen("北京昆仑万维科技股份有限公司", kind="org")
        if h.name == "Beijing Kunlun Tech Co., Ltd"
    ]
    assert hits and hits[0].score >= 0.95 and str(hits[0].strength) == "potential", hits
