"""Candidate retrieval (chipguard.match.index): the entry that shares the rare word is retrieved even
when many entries share common words; words written apart or together meet."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipguard.match.score import token_similarity
from chipguard.match.screener import Screener
from chipguard.model import Party, PartyKind
from chipguard.names.analysis import analyze

# real list names (CSL 2022-04) plus many institutes sharing only "Research Institute"
LISTED = [
    "Wuxi Hyatech Co., Ltd.",
    "Institute of Microelectronics",
    *[f"{place} Research Institute" for place in ("Hebei", "Nanjing", "Harbin", "Lanzhou", "Xian")],
    *[f"{place} Research Institute of Electronics" for place in ("Beijing", "Chengdu", "Wuhan")],
]


@pytest.fixture(scope="module")
def screener() -> Screener:
    parties = [Party("custom", str(i), name, PartyKind.ORG) for i, name in enumerate(LISTED)]
    return Screener(parties, enrich=False)


def _candidates(screener: Screener, name: str) -> list[str]:
    index = screener.index
    return [index.entries[e].analysis.original for e in index.candidates(analyze(name), 3)]


def test_the_rare_word_beats_common_pairs(screener: Screener) -> None:
    assert "Institute of Microelectronics" in _candidates(screener, "Microelectronics Research Institute")


@pytest.mark.parametrize("query", ["Wuxihyatech", "Wuxi Hya tech", "WuxiHyatech Co"])
def test_words_written_together_or_apart_meet(screener: Screener, query: str) -> None:
    assert _candidates(screener, query)[0] == "Wuxi Hyatech Co., Ltd."


def test_run_together_pinyin_retrieves_its_head(screener: Screener) -> None:
    assert "Wuxi Hyatech Co., Ltd." in _candidates(screener, "Hyatechweiye Optics")


def test_short_pinyin_one_letter_off_is_weaker_in_a_translation() -> None:
    """Dongbei (东北) / Dongmei: in a translation another word. Since session 10 two pinyin words of other
    syllables and consonants are other names there (name_score.pinyin_other_syllables); before, and
    without the key, a typo weaker by typo_translated_pinyin."""
    import dataclasses

    from chipguard.match.config import scorer_config

    a, b = analyze("Dongbei").tokens[0], analyze("Dongmei").tokens[0]
    translated, _ = token_similarity(a, b, False, translated=True)
    plain, _ = token_similarity(a, b, False)
    assert translated == 0 < plain
    before = dataclasses.replace(scorer_config(), pinyin_other_syllables=False)
    translated, _ = token_similarity(a, b, False, translated=True, config=before)
    assert 0 < translated < plain


def test_a_retrieved_trade_name_brings_its_full_name(shared: Path) -> None:
    """利达光电股份有限公司 shares the trade name "Lida" of LIDA OPTICAL AND ELECTRONIC CO.,LTD (xscript
    watchlist, its English name in SZSE filings) with its full key weight and the full name only through
    common words: the trade-name entry was retrieved, the full name was not, and the trade name alone
    fails the trade-name rule — the record was lost, though its full name clears the threshold and
    exhaustive retrieval (bench/retrieval.py) finds it. A retrieved trade name now brings its full name."""
    from bench.retrieval import exhaustive
    from chipguard.sources import parse_file

    watch = Screener(parse_file(shared / "bench/xscript_watchlist.csv", format="custom_csv").parties)
    query = "利达光电股份有限公司"
    shipped = [(h.party_id, h.score) for h in watch.screen(query, limit=50)]
    with exhaustive(watch):
        full = [(h.party_id, h.score) for h in watch.screen(query, limit=50)]
    assert shipped == full
    assert [pid for pid, _ in shipped] == ["X00120"]


# Real Chinese firms and universities under their registered English names (exchange filings, the
# universities' own sites), among real names sharing their region, kind and industry words
TRANSLATED_LIST = [
    "Beingmate Co., Ltd.",  # 贝因美股份有限公司 (SZSE 002570): "Beingmate" imitates the sound of Beiyinmei
    "Beijing Beilu Pharmaceutical Co., Ltd.",
    "Bengang Steel Plates Co., Ltd.",
    "Beiqi Foton Motor Co., Ltd.",
    "University of South China",  # 南华大学 (Hengyang): the translation says "Southern China University"
    *[f"South China {w} University" for w in ("Normal", "Agricultural", "Technology")],
    *[f"{w} University" for w in ("Southern Medical", "Southern Methodist", "China Agricultural")],
    *[f"{w} University of China" for w in ("Renmin", "Communication", "Ocean")],
]


@pytest.fixture(scope="module")
def translated_list() -> Screener:
    parties = [Party("custom", str(i), name, PartyKind.ORG) for i, name in enumerate(TRANSLATED_LIST)]
    return Screener(parties, enrich=False)


def _translated_candidates(screener: Screener, query: str, limit: int) -> list[str]:
    """The candidates of the query's word-by-word translations, as the screener retrieves them."""
    from chipguard.match.screener import query_forms

    index = screener.index
    out: list[str] = []
    for form in query_forms(query):
        if form.anchors is not None:
            out += [index.entries[e].alias for e in index.candidates(form.org, limit, translated=True)]
    return out


def test_a_pinyin_trade_name_retrieves_the_english_name_that_sounds_like_it(
    translated_list: Screener,
) -> None:
    """贝因美 is kept as pinyin ("Beiyinmei") by the translation; the firm registered "Beingmate". The
    word shares no key with the English one (only the legal form, which retrieval skips), so the record was
    no candidate at all; the sound key (the scorer's "sounds alike" rule) retrieves it, and the screening
    finds it."""
    query = "贝因美股份有限公司"
    assert _translated_candidates(translated_list, query, 3)[:1] == ["Beingmate Co., Ltd."]
    assert [h.name for h in translated_list.screen(query)][:1] == ["Beingmate Co., Ltd."]


def test_sound_keys_are_only_for_words_the_scorer_can_pair(translated_list: Screener) -> None:
    from chipguard.match.index import sound_keys, sound_probes

    index = translated_list.index
    assert index.sound_neighbours("beiyinmei") == ("beingmate",)  # not Beilu, Bengang, Beiqi (pinyin)
    assert sound_keys("beilu") == [] and sound_probes("beingmate") == []  # pinyin listed, English queried
    assert index.sound_neighbours("nanhua") == ()


def test_a_translated_word_retrieves_its_shorter_registered_form(translated_list: Screener) -> None:
    """南华 is translated "Southern China"; the university registered "South China": the list word that
    starts the translated word is a key (the scorer's abbreviation rule)."""
    assert "University of South China" in _translated_candidates(translated_list, "南华大学", 4)
    assert "University of South China" in [h.name for h in translated_list.screen("南华大学")]


def test_the_deletion_map_is_the_same_in_every_process() -> None:
    """The map's words are sorted (a set's order follows the hash seed): built from the vocabulary in
    any order, the same map."""
    from chipguard.match.index import deletion_map_of

    words = ["wondfo", "leadman", "wenshi", "womens", "optoelectronic", "opto"]
    assert deletion_map_of(words) == deletion_map_of(reversed(words))
    assert deletion_map_of(words)["~wnf"] == ["wondfo"]  # "Wondfo" less a letter: "Wanfu" finds it


def test_the_mapped_index_file_retrieves_them_alike(translated_list: Screener, tmp_path: Path) -> None:
    """The sound keys live in the file's deletion map, the same-name keys in its postings: a screener
    mapped from the file answers the translated queries as the one built in memory."""
    from chipguard.match import indexfile

    path = tmp_path / "index.cgix"
    built = Screener(list(translated_list.parties), enrich=False)  # written before it screens anything
    indexfile.write(built, path)
    mapped = indexfile.open_screener(path)
    for query in ("贝因美股份有限公司", "南华大学", "South China Normal University"):
        expected = [h.to_dict() for h in built.screen(query)]
        assert expected and [h.to_dict() for h in mapped.screen(query)] == expected


def test_typo_neighbours_are_the_list_words_one_edit_away(shared: Path, tmp_path: Path) -> None:
    """A query word's typo neighbours, found with one probe of the deletion map per deletion (a list word
    is held under itself, see deletion_map_of), are exactly the list words it reaches by the rule
    "lost a letter, gained one, changed or swapped one": checked word by word, in memory and through the
    mapped index file, on the sample list's words and a typo of each (a letter dropped, doubled, swapped)."""
    from chipguard.match import indexfile
    from chipguard.match.index import MIN_DELETE_LEN, deletes
    from chipguard.store.snapshots import SnapshotStore

    store = SnapshotStore()
    store.load_file(shared / "lists" / "samples" / "us_csl_sample_2019.csv")
    parties, _infos = store.active_parties()
    built = Screener(parties)
    path = tmp_path / "index.cgix"
    indexfile.write(built, path)
    mapped = indexfile.open_screener(path)
    vocab = set(built.index.vocab)

    def by_rule(word: str) -> tuple[str, ...]:
        """(a list word's deletions are keyed from MIN_DELETE_LEN letters on, and a query word's
        neighbours are looked up from MIN_DELETE_LEN letters on)"""
        if len(word) < MIN_DELETE_LEN or not word.isalpha():
            return ()
        mine = deletes(word)
        found = {v for v in vocab if v in mine}  # the query gained a letter
        for v in vocab:
            if len(v) >= MIN_DELETE_LEN and v.isalpha():
                theirs = deletes(v)
                if word in theirs or theirs & mine:  # lost one; changed or swapped one
                    found.add(v)
        found.discard(word)
        return tuple(sorted(found))

    words = sorted(w for w in vocab if w.isalpha())[:400]
    typos = [w[:1] + w[2:] for w in words] + [w[:2] + w[1:] for w in words]
    typos += [w[:1] + w[2] + w[1] + w[3:] for w in words if len(w) > 3]
    checked = held = 0
    table = mapped.index.neighbour_table
    assert table is not None
    for word in words + typos:
        expected = by_rule(word)
        assert tuple(built.index.typo_neighbours(word)) == expected, word
        assert tuple(mapped.index.typo_neighbours(word)) == expected, word
        # the file holds a list word's neighbours (one probe finds them), none for a word it does not list
        stored = table(word)
        if word in vocab and len(word) >= MIN_DELETE_LEN:
            assert stored == expected, word
            held += 1
        else:
            assert stored is None, word
        checked += bool(expected)
    assert checked > 300  # most words have a neighbour: the rule is exercised, not vacuous
    assert held > 300


def test_a_words_kept_keys_are_the_keys_made_afresh() -> None:
    """NameIndex.query_keys keeps each word's own keys (session 23): a word met before in another query —
    alone (its a: key), in a longer name, as a person's (its p: key) or in a translation (its w: keys) —
    gives each query the keys, weights and order an index that never met it gives."""
    parties = [Party("custom", str(i), name, PartyKind.ORG) for i, name in enumerate(LISTED)]
    queries = [
        (analyze("Hyatech", False), False),
        (analyze("Wuxi Hyatech", False), False),
        (analyze("Wuxi Hyatech", True), False),
        (analyze("Wuxi Hyatech", False), True),
        (analyze("Hyatechweiye Microelectronics Research Institute", False), False),
        (analyze("Microelectronics", False), True),
    ]
    used = Screener(parties, enrich=False).index
    for a, translated in queries * 2:
        used.query_keys(a, translated)
    for a, translated in reversed(queries):
        fresh = Screener(parties, enrich=False).index
        assert list(used.query_keys(a, translated).items()) == list(fresh.query_keys(a, translated).items())
