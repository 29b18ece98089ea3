"""Candidate retrieval: which list names are worth scoring for a query.

Every indexed name is reduced to keys — canonical tokens, surface tokens, adjacent-token joins (for
"Tech nology"/"Wuxihyatech"), the whole distinctive string, the canonical word sequence, acronyms and
person-token phonetic keys — held in an inverted index. Typos are reached through a deletion
neighbourhood of the vocabulary (SymSpell style: a query token and a list token within one edit share a
deletion variant), and a translated query's pinyin words reach the list words that sound like them
through a deletion neighbourhood of the vocabulary's consonant skeletons, so a query touches only the
posting lists of its own keys: its cost depends on the query, not on the list size. Very frequent keys
(legal forms, "china", "co") are skipped when the query has rarer ones. The weight each key adds is data
(matching.yml ``retrieval``).
"""

from __future__ import annotations

import gc
import heapq
import math
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np
from rapidfuzz.distance import OSA

from chipguard.limits import LIMITS
from chipguard.match.config import ScorerConfig, scorer_config
from chipguard.names.analysis import (
    GENERIC,
    LEGAL,
    NUMBER,
    PLACE,
    STOP,
    WORD,
    NameAnalysis,
    Token,
    hyphenated_letters,
    one_word_legal_forms,
)
from chipguard.names.morphology import roots
from chipguard.names.pinyin_sound import MIN_SKELETON, is_pinyin, skeleton, sounds_alike_keyed
from chipguard.names.vocab import vocab

# list words are keyed under their one-letter deletions from this length, and a query word looks up its
# typo neighbours from this length: the scorer's least typo length (matching.yml word_lengths.typo), so a
# four-letter word's changed or swapped letter ("kudo" ~ "kodo") meets as the scorer pairs it (a constant,
# not read from the rule set: the index file must not depend on it)
MIN_DELETE_LEN = 4
# a query's posting entries up to this many are summed in a dict, more with numpy (see candidates). Why
# this few: a dict costs ~1 k instructions per posting entry (an int made from the file's bytes, a get and a
# set of a float), numpy ~150 k per tally whatever its size; callgrind over the tallies of bench.scale's
# 2,000 queries on the CSL 2022-04 (tallied and ranked): 1,060 M with the switch at 2,048, 696 M at 128,
# 768 M at 0 (every tally by numpy) — the same sums and order either way (tests/test_match_tally.py)
SMALL_TALLY = 128
LONG_POSTING = (
    256  # posting lists longer than this only add to the entries shorter ones found (see candidates)
)
# words whose typo neighbours are kept per process: a word's neighbourhood costs two dozen probes of the
# index, and the same words (legal forms, "technology", common surnames) recur in most queries
NEIGHBOUR_CACHE = 65_536
# query words whose own retrieval keys are kept per process (NameIndex.query_keys): a word's keys are its
# typo neighbours' and the index's probes for its roots and heads, the same each time the word recurs.
# ~1.2 KB a word kept (6.7 keys; bench.scale's 2,000 queries keep 4,912 words): at most ~10 MB a worker
TOKEN_KEY_CACHE = 8_192


# the cycle collector's thresholds in a process that screens (see tune_gc). The first: above what a
# mapped screener's caches hold when full, so that filling them never starts a young collection. A fresh
# worker's caches grow by ~80 container objects a query (a decoded name is ~8: the name, its analysis,
# token tuples, word sets; a decoded party ~12), up to ~0.8 M when full (chipguard.match.indexfile:
# 65,536 names, 16,384 parties, 65,536 tokens, 32,768 posting lists), and every young collection walked
# the ~100,000 objects kept since the one before: a walk of objects long out of the processor's caches,
# ~0.7 µs each — 0.11 of a fresh worker's 1.4 CPU s over bench.scale's 2,000 queries (gc.callbacks), for
# ~1 % of its instructions, whatever the threshold (10,000: 22 collections, 0.11 s; 100,000: 3, 0.12 s).
# Screening leaves almost no garbage in cycles for a collection to find (6 objects over those 2,000
# queries), and caches at their bounds free as many objects as they make, so the count of a worker that
# has filled them stays under the threshold. Before: 100,000 (12 → 4 collections against 20,000,
# 149 → 99 M instructions)
SCREENING_GC_THRESHOLDS = (1_000_000, 20, 20)
# the first threshold in a process that serves requests (see serving_requests: the REST face), whose web
# framework leaves garbage in cycles that only a collection frees — ~79 objects a request (TestClient, the
# CSL sample): at SCREENING_GC_THRESHOLDS' first a REST worker held up to ~1 M of them (over 3,000
# requests its RSS grew 63 MB, against 38 MB at this one)
REQUEST_GC_FIRST = 100_000
_SERVING = [False]  # whether serving_requests was called in this process


def serving_requests() -> None:
    """Declares this process a request server: tune_gc then sets its first threshold to REQUEST_GC_FIRST
    (its caches' young collections are walked, as the framework's garbage must be collected), and one
    tune_gc set already is brought down to it."""
    _SERVING[0] = True
    first, second, third = gc.get_threshold()
    if first == SCREENING_GC_THRESHOLDS[0]:
        gc.set_threshold(REQUEST_GC_FIRST, second, third)


def tune_gc() -> None:
    """Makes the cycle collector run less often in a process that screens from a mapped index.

    Why: such a process keeps large caches of long-lived objects (decoded names, analyses, tokens), and
    with the interpreter's default thresholds (700, 10, 10) the collector walks them again and again —
    measured at 10–20 % of a query's CPU time on a list of 100k parties. Screening makes few reference
    cycles, so collecting them later costs little memory; a process that serves requests (serving_requests)
    makes more, and keeps a lower first threshold. Never lowers a threshold; results unchanged."""
    wanted = (REQUEST_GC_FIRST, *SCREENING_GC_THRESHOLDS[1:]) if _SERVING[0] else SCREENING_GC_THRESHOLDS
    current = gc.get_threshold()
    gc.set_threshold(*(max(a, b) for a, b in zip(current, wanted, strict=True)))


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building or loading an index allocates millions of small objects the cycle collector would
    scan again and again for nothing; pausing it cuts the time by a third or more."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(slots=True)
class Entry:
    """One indexed name: a party's alias (or a part/transliteration of it) with its analysis."""

    party: int  # position in the screener's party list
    analysis: NameAnalysis
    alias: str  # the list name this entry comes from, as written in the list
    alias_kind: str  # primary / aka / … as the source states it
    variant: str  # full / part / without-parentheses / acronym / parenthesised
    person: bool
    latin_method: str = ""  # set when the entry is a Latin form of a non-Latin alias
    latin_explanation: str = ""
    weights: tuple[float, ...] = ()  # token weights, set once the index knows token rarities
    # a word-by-word translation of a Chinese list name: the words of its transliterations (see
    # QueryForm.anchors), so an English query meets it under the same rules as a translated query
    anchors: frozenset[str] | None = None

    # (written out, not generated: compiled by chipguard.native, an __init__ of the class's own is a
    # native one, where the dataclass's is interpreted — ~1 µs of each name a mapped index decodes; the
    # same arguments, defaults and attributes)
    def __init__(
        self,
        party: int,
        analysis: NameAnalysis,
        alias: str,
        alias_kind: str,
        variant: str,
        person: bool,
        latin_method: str = "",
        latin_explanation: str = "",
        weights: tuple[float, ...] = (),
        anchors: frozenset[str] | None = None,
    ) -> None:
        self.party = party
        self.analysis = analysis
        self.alias = alias
        self.alias_kind = alias_kind
        self.variant = variant
        self.person = person
        self.latin_method = latin_method
        self.latin_explanation = latin_explanation
        self.weights = weights
        self.anchors = anchors


def deletes(word: str) -> set[str]:
    """The word's one-letter deletions; none for a word over the word length limit, which is matched
    exactly only (its deletions would cost the square of its length)."""
    if len(word) > LIMITS.word_chars:
        return set()
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


# prefix of the sound keys in the deletion map (a deletion variant of a word is letters only, never this)
SOUND = "~"


def sound_keys(word: str) -> list[str]:
    """The deletion-map keys under which a list word is found by the sound of a pinyin word: its
    consonant skeleton (chipguard.names.pinyin_sound) and the skeleton less one letter after the first.
    Why: a Chinese firm's registered English trade name imitates the sound of its Chinese name (万孚
    Wanfu → Wondfo, 利德曼 Lideman → Leadman, 温氏 Wenshi → Wens); a word-by-word translation keeps the
    pinyin, which shares no key with the English word, so the record ranked far down the candidates of its
    own Chinese name. Skeletons one letter apart share a key (wnf ~ wndf); the scorer's rule (Jaro-Winkler
    on the skeletons, same first letter) decides which of the words found really sound alike. Only words
    the rule can pair are keyed: letters only, not themselves pinyin (the rule's least word length,
    ``word_lengths.sound_alike``, is applied to the query's word, so the file does not depend on it)."""
    if not word.isascii() or not word.isalpha() or is_pinyin(word):
        return []
    return _skeleton_keys(word)


def sound_probes(word: str) -> list[str]:
    """The deletion-map keys a pinyin query word looks up: its skeleton and the skeleton less one letter
    after the first (the counterpart of :func:`sound_keys`)."""
    if (
        len(word) < scorer_config().len_sound_alike
        or not word.isascii()
        or not word.isalpha()
        or not is_pinyin(word)
    ):
        return []
    return _skeleton_keys(word)


def _skeleton_keys(word: str) -> list[str]:
    """A word's consonant skeleton and the skeleton less one letter after the first, as deletion-map keys
    (none for a skeleton under MIN_SKELETON letters): what a list word is keyed under and a query word
    probes, one function so the two always meet."""
    bones = skeleton(word)
    if len(bones) < MIN_SKELETON:
        return []
    keys = [SOUND + bones]
    if len(bones) > MIN_SKELETON:
        keys += [SOUND + bones[:i] + bones[i + 1 :] for i in range(1, len(bones))]
    return keys


def deletion_map_of(vocab_words: Iterable[str]) -> dict[str, list[str]]:
    """The vocabulary's deletion map: each one-letter deletion of a word of MIN_DELETE_LEN letters or more
    (typos, see NameIndex.typo_neighbours) and each sound key (see :func:`sound_keys`) → the words, sorted;
    and each word a typo's deletion can be (letters only, MIN_DELETE_LEN - 1 or more) → itself among them.
    One function for the index built in memory and the one built into a file: the same map.

    Why a word under itself: finding a query word's typo neighbours asks, for each of its deletions,
    both "is it a list word?" and "which list words is it a deletion of?" — two probes of a mapped index's
    file (a quarter of all its hash-table probes on the CSL query mix); with the word under itself the
    one probe answers both (a deletion's words are one letter longer than it, and a sound key starts
    with SOUND, so the word is among its own key's words exactly when it is a list word)."""
    out: dict[str, list[str]] = defaultdict(list)
    for word in sorted(vocab_words):
        if len(word) >= MIN_DELETE_LEN - 1 and word.isalpha():
            out[word].append(word)  # (in sorted order: every word of this key is appended in turn)
        if len(word) >= MIN_DELETE_LEN and word.isalpha():
            for d in sorted(deletes(word)):
                out[d].append(word)
        for key in sound_keys(word):
            out[key].append(word)
    return out


def typo_neighbours_of(word: str, near: Callable[[str], list[str] | None]) -> tuple[str, ...]:
    """The list words one edit from ``word`` (NameIndex.typo_neighbours; ``word`` of MIN_DELETE_LEN letters
    or more), sorted, through ``near``: a deletion map's ``get`` (see :func:`deletion_map_of`). One function
    for a query's word and for the list words whose neighbours an index file holds (indexfile), so the two
    give the same words."""
    found: set[str] = set()
    # one probe per variant (``get``, not ``in`` and then ``[]``): a mapped index probes its file's hash
    # table for each, a dozen variants per query word
    words = near(word)
    if words:
        found.update(words)  # the query lost a letter (and the word itself, if listed: dropped below)
    for d in deletes(word):
        # the query gained a letter (d itself, when d is a list word: the map holds a word under itself,
        # see deletion_map_of), or a substitution or transposition (the words d is a deletion of)
        words = near(d)
        if words:
            found.update(words)
    found.discard(word)
    return tuple(sorted(found))  # a set's order follows the hash seed


@cache
def _synonyms_of() -> dict[str, tuple[str, ...]]:
    """Translation synonym → the other words of its group (vocabulary.yml ``translation_synonyms``)."""
    groups: dict[int, list[str]] = defaultdict(list)
    table = vocab().translation_synonyms
    for word, group in sorted(table.items()):
        groups[group].append(word)
    return {word: tuple(w for w in groups[group] if w != word) for word, group in table.items()}


def same_name_key(a: NameAnalysis) -> str:
    """The name's words in order, canonical forms, legal form and particles left out ("Huawei Technology
    Co. Ltd." and "Huawei Technologies Co., Ltd." are both ``c:huawei|tech``): however a list writes a name,
    a query of the same name shares this key, however many list names share its surface words."""
    return "c:" + "|".join(t.canon for t in a.tokens if t.cls not in (LEGAL, STOP))


# the fewest letters the rest of a word keeps when a one-word legal form is taken off its end or start
_RUNON_HEAD_MIN = 3
# the fewest letters of a legal form taken off a word's start: two-letter ones start too many words
# ("na" + "ser", "in" + "dustry")
_RUNON_PREFIX_MIN = 3


@cache
def _one_word_legal_forms() -> tuple[frozenset[str], tuple[int, ...]]:
    """The one-word legal forms of two letters or more ("fze", "ltda", "sa", "pte") and "co", which the
    analysis makes a name's legal form when it ends the name; and their lengths, shortest first."""
    forms = {form for form in one_word_legal_forms() if len(form) >= 2 and form.isalpha()}
    forms.add("co")
    return frozenset(forms), tuple(sorted({len(f) for f in forms}))


@lru_cache(maxsize=65_536)
def legal_runon_heads(word: str) -> tuple[str, ...]:
    """The words ``word`` is with a one-word legal form run onto its end or start ("tankersfze" →
    "tankers", "llcveb" → "veb"), as a list writes them (the index's ``w:`` keys). Cached: it runs for
    each word of every query."""
    if len(word) < _RUNON_HEAD_MIN + 2 or not word.isalpha():
        return ()
    forms, lengths = _one_word_legal_forms()
    heads: list[str] = []
    for k in lengths:
        if len(word) - k < _RUNON_HEAD_MIN:
            break
        if word[-k:] in forms:
            heads.append(word[:-k])
        if k >= _RUNON_PREFIX_MIN and word[:k] in forms:
            heads.append(word[k:])
    return tuple(dict.fromkeys(heads))


def bag_key(tokens: list[Token]) -> str:
    """The name's distinctive words in any order ("Electronics Corporation China" is "China Electronics
    Corporation"): a query with exactly the list name's words is always a candidate, however many list
    names share those common words. Generic words ("Corporation", "Group") are left out: a list writes
    them as the legal form or not at all."""
    return "s:" + "|".join(sorted(t.canon for t in tokens))


def sound_bag_key(a: NameAnalysis) -> str:
    """A person's name parts by their sound in any order ("Mahamed Mostafa" and "MUHAMMAD, Mustafa" are
    both ``o:md|mstf``): each part's phonetic key (its word when it has none), sorted; "" for a name of
    fewer than two parts or not a person's. Why: see :meth:`NameIndex._sound_bag`."""
    if not a.person:
        return ""
    parts = [t.phonetic or t.canon for t in a.tokens if t.cls not in (LEGAL, STOP)]
    if len(parts) < 2:
        return ""
    return "o:" + "|".join(sorted(parts))


def split_word_letters() -> int:
    """How long two adjacent words of an organisation's name joined are at least for the scorer to join
    them to pair a typo of the word they were written as (matching.yml ``name_score.split_word_typo``,
    ``word_lengths.typo_two_edits``); more than any word when that rule is off."""
    cfg = scorer_config()
    return cfg.len_typo_two_edits if cfg.split_word_typo else 1 << 30


def split_words(a: NameAnalysis, sig: list[Token]) -> list[tuple[Token, Token]]:
    """The adjacent tokens of ``sig`` (a name's tokens less legal forms and stopwords) that an organisation's
    name writes as one word its analysis split: "SOTSINVEST" read "sots invest". Only those at
    least :func:`split_word_letters` long, the ones the scorer joins to pair a typo of them (matching.yml
    ``name_score.split_word_typo``). Retrieval keys them on both sides: a list's as a word of the list, a
    query's by the list words one edit from it."""
    if a.person or len(sig) < 2:
        return []
    least = split_word_letters()
    written: set[str] | None = None
    out: list[tuple[Token, Token]] = []
    for x, y in zip(sig, sig[1:], strict=False):
        joined = x.text + y.text
        if len(joined) >= least:
            if written is None:
                written = set(a.cleaned.split())
            if joined in written:
                out.append((x, y))
    return out


def entry_keys(a: NameAnalysis) -> set[str]:
    keys: set[str] = set()
    sig = [t for t in a.tokens if t.cls not in (LEGAL, STOP)]
    for t in sig:
        keys.add("t:" + t.canon)
        keys.add("w:" + t.text)
        if a.person and t.phonetic and len(t.text) >= 3:
            keys.add("p:" + t.phonetic)
        if not a.person and t.cls == WORD:
            # morphological reductions ("chemical" → chem, chemic) meet a query's ("chemistry" → chem);
            # generic words ("technology", "industrial") are left to the scorer: their postings are long
            stems = roots(t.text)
            if stems:
                keys.add("r:" + t.text)
                keys.update("r:" + r for r in stems)
    for x, y in zip(sig, sig[1:], strict=False):
        keys.add("b:" + x.text + y.text)  # adjacent pair, met by a query's run-together word or pair
    # a word the analysis split ("SOTSINVEST" read "sots invest") is a word of the list too: a query's typo
    # of it ("SOTISNVEST", one word) finds it as a typo neighbour, as the scorer joins the two words to pair
    # it (matching.yml name_score.split_word_typo)
    keys.update("w:" + x.text + y.text for x, y in split_words(a, sig))
    named = [t for t in a.tokens if t.cls != LEGAL]
    for x, y in zip(named, named[1:], strict=False):
        if x.cls == STOP or y.cls == STOP:  # a particle written onto the word ("Al-Arabi" ~ "Alarabi")
            keys.add("b:" + x.text + y.text)
    if a.joined:
        keys.add("j:" + a.joined)
    if sig:
        keys.add(same_name_key(a))
    bag = [t for t in sig if t.cls != GENERIC]
    if len(bag) >= 2:
        keys.add(bag_key(bag))
    sounds = sound_bag_key(a)
    if sounds:
        keys.add(sounds)
    if a.acronym and len(a.acronym) >= 4:
        keys.add("a:" + a.acronym)
    return keys


# a NameIndex's settings besides its tables (see NameIndex.settings): what an index file's header holds
INDEX_SETTINGS = (
    "relative_floor",
    "full_match_cap",
    "full_match_extends",
    "same_name_cap",
    "query_floor",
    "max_posting",
    "n_parties",
    "_log_n",
    "_ref",
)


def _put(keys: dict[str, float], key: str, weight: float) -> None:
    """Keys ``key`` with ``weight`` unless it has a greater weight already (see NameIndex.query_keys).
    (A module function, not a closure: compiled, a direct call with the weight unboxed, where calling a
    nested function goes through the generic call protocol — ~40 calls per query)"""
    if weight > keys.get(key, 0.0):
        keys[key] = weight


class NameIndex:
    """Inverted index over :class:`Entry` keys with document frequencies for token rarity.

    Its tables are typed as the read-only protocols both kinds of index give: dicts and lists when built
    here, views of a mapped file's sections when opened from one (chipguard.match.indexfile). Compiled
    with mypyc (chipguard.native), it is a native class: its attributes are these and no others, and it is
    made by its constructor or :meth:`from_tables`, never by ``__new__``."""

    def __init__(
        self,
        entries: Sequence[Entry],
        party_count: int,
        max_posting: int | None = None,
        relative_floor: float | None = None,
    ) -> None:
        self.entries: Sequence[Entry] = entries
        self._configure(party_count, max_posting, relative_floor)
        postings: dict[str, array[int]] = defaultdict(lambda: array("i"))
        party_sets: dict[str, set[int]] = defaultdict(set)
        for eid, entry in enumerate(entries):
            for key in entry_keys(entry.analysis):
                postings[key].append(eid)
            for t in entry.analysis.tokens:
                party_sets[t.canon].add(entry.party)
        # int32 arrays in ascending entry order, as a mapped index file holds them (see candidates)
        self.postings: Mapping[str, Sequence[int]] = dict(postings)
        self.df: Mapping[str, int] = {k: len(v) for k, v in party_sets.items()}
        vocab = {k[2:] for k in self.postings if k.startswith("w:")}
        self.vocab: Collection[str] = vocab
        self.deletion_map: Mapping[str, list[str]] = deletion_map_of(vocab)
        self._rarity_cache: dict[str, float] = {}
        self._neighbour_cache: dict[str, tuple[str, ...]] = {}
        # a list word's typo neighbours as an index file holds them (None: computed per word, as for a
        # word the file does not hold; see indexfile.MappedDeletions.neighbours)
        self.neighbour_table: Callable[[str], tuple[str, ...] | None] | None = None
        self._sound_cache: dict[str, tuple[str, ...]] = {}
        # each query word's own keys (see query_keys), for the configuration they were made under
        self._token_keys: dict[
            tuple[str, str, str, str, bool, bool, bool, float], list[tuple[str, float]]
        ] = {}
        self._token_keys_config: Any = None
        # chipguard.match.bound's facts of the names, made when a query first needs them
        self._bound_facts: Any = None
        from chipguard.match.score import weights_of

        for entry in entries:
            entry.weights = weights_of(entry.analysis, self.rarity, entry.person)

    @classmethod
    def from_tables(
        cls,
        settings: Mapping[str, Any],
        entries: Sequence[Entry],
        postings: Mapping[str, Sequence[int]],
        df: Mapping[str, int],
        deletion_map: Mapping[str, list[str]],
        vocab: Collection[str],
        neighbour_table: Callable[[str], tuple[str, ...] | None] | None = None,
    ) -> NameIndex:
        """An index over tables made elsewhere (a mapped index file's) with the settings it was built with
        (``settings``: as :meth:`settings` gave them); ``neighbour_table``: the list words' typo neighbours
        as the file holds them (None for a word it does not hold)."""
        index = cls([], 1)  # (nothing to build)
        for name in INDEX_SETTINGS:
            setattr(index, name, settings[name])
        index.entries = entries
        index.postings = postings
        index.df = df
        index.deletion_map = deletion_map
        index.vocab = vocab
        index.neighbour_table = neighbour_table
        return index

    def settings(self) -> dict[str, Any]:
        """The index's settings besides its tables (numbers and flags; :data:`INDEX_SETTINGS`)."""
        return {name: getattr(self, name) for name in INDEX_SETTINGS}

    def _configure(self, party_count: int, max_posting: int | None, relative_floor: float | None) -> None:
        """The index's settings (also for one built straight into a file, see chipguard.match.indexfile)."""
        cfg = scorer_config()
        self.relative_floor = cfg.candidate_relative_floor if relative_floor is None else relative_floor
        self.full_match_cap = cfg.candidates_full_match_cap
        self.full_match_extends = cfg.candidates_full_match_long_lists
        self.same_name_cap = cfg.same_name_cap
        self.query_floor = cfg.candidate_query_floor
        self.max_posting = cfg.max_posting if max_posting is None else max_posting
        self.n_parties = max(party_count, 1)
        self._log_n = math.log(self.n_parties + 1)
        self._ref = max(math.log(self.n_parties / cfg.rarity_list_reference_count), 1.0)

    def rarity(self, canon: str) -> float:
        """How rare a word is among listed parties: 1.0 for rare, ``token_rarity.floor`` for the most
        common ("china", "kim"). Token weights (chipguard.match.score.token_weight) also weigh how
        common the word is in company names at large; retrieval and the match-strength rules (a single
        word common on the lists, a generic institutional name) read the lists' rarity alone."""
        cached = self._rarity_cache.get(canon)
        if cached is not None:
            return cached
        df = self.df.get(canon, 0)
        idf = math.log((self.n_parties + 1) / (df + 1))
        floor = scorer_config().rarity_floor
        value = floor + (1 - floor) * min(1.0, idf / self._ref)
        if len(self._rarity_cache) < 500_000:
            self._rarity_cache[canon] = value
        return value

    def typo_neighbours(self, word: str) -> Iterable[str]:
        """List vocabulary words within one edit of ``word`` (insert, delete, substitute, most swaps)."""
        if len(word) < MIN_DELETE_LEN or not word.isalpha():
            return ()
        cache = self._neighbour_cache
        found_before = cache.get(word)
        if found_before is not None:
            return found_before
        if len(cache) >= NEIGHBOUR_CACHE:
            cache.clear()
        near = cache[word] = self._typo_neighbours(word)
        return near

    def _typo_neighbours(self, word: str) -> tuple[str, ...]:
        stored = self.neighbour_table
        if stored is not None:
            held = stored(word)
            if held is not None:
                return held
        return typo_neighbours_of(word, self.deletion_map.get)

    def sound_neighbours(self, word: str) -> tuple[str, ...]:
        """List vocabulary words that a pinyin ``word`` sounds like by the scorer's rule (see
        :func:`sound_keys`), sorted; none for a word that is not pinyin."""
        cache = self._sound_cache
        found_before = cache.get(word)
        if found_before is not None:
            return found_before
        if len(cache) >= NEIGHBOUR_CACHE:
            cache.clear()
        found: set[str] = set()
        lookup = self.deletion_map.get  # one probe per key (see _typo_neighbours)
        for probe in sound_probes(word):
            words = lookup(probe)
            if words:
                found.update(words)
        # (the words found under the sound keys of a pinyin word: sounds_alike_keyed, the same rule without
        # the tests they pass by how they were found)
        # (a first letter spelt otherwise too, name_score.sound_alike_spelt_first: the keys start with the
        # skeleton's first letter, which makes such letters one)
        spelt = scorer_config().sound_alike_spelt_first
        near = cache[word] = tuple(
            sorted(w for w in found if w != word and sounds_alike_keyed(word, w, spelt))
        )
        return near

    def query_keys(self, a: NameAnalysis, translated: bool = False) -> dict[str, float]:
        """Keys of a query with the weight each adds to a candidate that shares it (matching.yml
        ``retrieval``). ``translated``: the query is a word-by-word translation of a Chinese name, whose
        pinyin words may be registered as English words that sound alike and whose translated words as
        a synonym or a shorter form (the scorer's translated-query rules, chipguard.match.score)."""
        cfg = scorer_config()
        keys: dict[str, float] = {}
        sig = [t for t in a.tokens if t.cls not in (LEGAL, STOP)]

        # retrieval weighs a word by its rarity squared: a shared common pair ("research institute")
        # must not push the entry that shares the one rare word ("microelectronics") out of the top
        # numbers identify; generic org words ("university", "technology") mostly do not
        power, generic = cfg.key_rarity_power, cfg.key_generic_word
        # (and, in an organisation's name, a lone letter by retrieval.single_letter: "R&D", "A.S.P." are an
        # abbreviation's letters, rare as words on the lists yet not what tells a firm apart — "Huawei
        # Technologies R&D UK" weighed its R and D more than its Huawei and put Huawei Technologies (UK),
        # 0.922 on its own, under the relaxed floor. A letter a hyphen joined to a word is that word's
        # own and keeps its weight: weighed less, the E of "E-science Co., Ltd." left the query only
        # "science" to retrieve Beijing E-science by)
        letter = 1.0 if a.person else cfg.key_single_letter
        joined: frozenset[str] = frozenset()
        if letter != 1.0 and any(len(t.text) == 1 and t.text.isalpha() for t in sig):
            joined = hyphenated_letters(a.original)
        rar = {
            t.canon: self.rarity(t.canon) ** power
            * (
                generic
                if t.cls == GENERIC
                else letter
                if len(t.text) == 1 and t.text.isalpha() and t.text not in joined
                else 1.0
            )
            for t in sig
        }
        # each word's own keys, as _token_keys makes them, kept per word (the same words recur in most
        # queries, and a Chinese name's romanisation readings share most of theirs): put in the order made,
        # so the keys and their weights are the same as made afresh
        memo = self._token_keys
        if self._token_keys_config is not cfg:
            memo.clear()
            self._token_keys_config = cfg
        single = len(sig) == 1
        for t in sig:
            w = rar[t.canon] * (cfg.key_number if t.cls == NUMBER else 1.0)
            at = (t.text, t.canon, t.cls, t.phonetic, a.person, translated, single, w)
            made = memo.get(at)
            if made is None:
                made = self._token_keys_of(t, w, a.person, translated, single, cfg)
                if len(memo) >= TOKEN_KEY_CACHE:
                    memo.clear()
                memo[at] = made
            for key, weight in made:
                _put(keys, key, weight)
        # a join of adjacent words ("tech"+"nology", "wuxi"+"hyatech") weighs as its rarer part: a join
        # of two common words ("research institute") must not outweigh a shared rare word
        split_pair = cfg.candidates_split_word_pair
        for x, y in zip(sig, sig[1:], strict=False):
            pair = max(rar[x.canon], rar[y.canon])
            # the list wrote the pair as one word ("tech nology"). With split_word_pair, a pair of words
            # no list name holds ("Brilli ance": one word the query split) weighs as both: a list name
            # holding them as one holds both of the query's words, and weighed as one it fell under the
            # relaxed floor that its two words set (matching.yml candidates_split_word_pair)
            # (a word no list holds has the greatest rarity, 1.0 here: the lists' word counts are read only
            # for a pair of such words, ~1 in 30 pairs, not for every pair — a mapped table's look-up)
            both = (
                split_pair
                and rar[x.canon] == 1.0
                and rar[y.canon] == 1.0
                and not self.df.get(x.canon, 0)
                and not self.df.get(y.canon, 0)
            )
            _put(
                keys,
                "w:" + x.text + y.text,
                cfg.key_pair_as_one_word * (rar[x.canon] + rar[y.canon] if both else pair),
            )
            _put(
                keys, "b:" + x.text + y.text, cfg.key_pair_in_order * pair
            )  # the same pair in the same order
        # the mirror of a list word the analysis split (see entry_keys): a query word the analysis split
        # ("PERTOCHEMICALS" read "perto chemicals") finds the list words one edit from it as written
        # ("petrochemicals"), which the scorer pairs by joining the two words
        for x, y in split_words(a, sig):
            for near in self.typo_neighbours(x.text + y.text):
                _put(keys, "w:" + near, cfg.key_typo * max(rar[x.canon], rar[y.canon]))
        for x, y, z in zip(sig, sig[1:], sig[2:], strict=False):
            _put(
                keys,
                "w:" + x.text + y.text + z.text,
                cfg.key_pair_as_one_word * max(rar[x.canon], rar[y.canon], rar[z.canon]),
            )
        if a.joined:
            _put(keys, "j:" + a.joined, cfg.key_whole_name)
        bag = [t for t in sig if t.cls != GENERIC]
        if len(bag) >= 2:
            _put(keys, bag_key(bag), cfg.key_same_words)
        return keys

    def _token_keys_of(
        self, t: Token, w: float, person: bool, translated: bool, single: bool, cfg: ScorerConfig
    ) -> list[tuple[str, float]]:
        """The keys one word ``t`` of weight ``w`` gives a query (see :meth:`query_keys`), each with its
        weight, in the order they are put (``person``: the person reading; ``single``: the query's one
        significant word). Depends on nothing else of the query: query_keys keeps them per word."""
        power = cfg.key_rarity_power
        out: list[tuple[str, float]] = []
        # one key per shared word (its canonical form); the surface form only meets list pairs
        # written apart ("wuxihyatech" ↔ "Wuxi Hyatech")
        out.append(("t:" + t.canon, w))
        out.append(("b:" + t.text, w))
        out.append(("j:" + t.text, w))
        if single:
            out.append(("a:" + t.text, w))
        if person and t.phonetic and len(t.text) >= 3:
            out.append(("p:" + t.phonetic, cfg.key_person_phonetic * w))
        for near in self.typo_neighbours(t.text):
            if near != t.canon:  # "arts" → "art" is the same word, already keyed by t:
                out.append(("w:" + near, cfg.key_typo * w))
        if translated and t.cls == WORD and cfg.key_sound_alike > 0:
            for near in self.sound_neighbours(t.text):
                out.append(("w:" + near, cfg.key_sound_alike * w))
        if translated and t.cls in (WORD, GENERIC) and cfg.key_translation_synonym > 0:
            # 海洋 "Ocean" registered as "Marine": another rendering of the same Chinese word
            for other in _synonyms_of().get(t.text, _synonyms_of().get(t.canon, ())):
                out.append(("w:" + other, cfg.key_translation_synonym * w))
        if translated and cfg.key_word_start > 0 and t.cls == WORD and t.text.isalpha():
            # 南 "Southern" registered as "South": a list word that starts the translated word, the
            # rest being no word of its own ("Opto" of "optoelectronic" is one half of a compound,
            # keyed by the pair keys)
            for k in range(cfg.key_word_start_min, min(len(t.text), LIMITS.word_chars)):
                if "w:" + t.text[:k] in self.postings and t.text[k:] not in self.vocab:
                    out.append(("w:" + t.text[:k], cfg.key_word_start * w))
        if not person and cfg.key_legal_runon > 0 and t.cls == WORD:
            # the scorer joins a list word and its one-word legal form to meet such a query word
            # (a w: key: it adds to the candidates, not to the query's own weight, which sets the floor)
            for head in legal_runon_heads(t.text):
                if "w:" + head in self.postings:
                    out.append(("w:" + head, cfg.key_legal_runon * self.rarity(head) ** power))
        if not person:
            stems = roots(t.text) if t.cls == WORD else ()
            for stem in stems:  # one word's reductions share its weight
                out.append(("r:" + stem, cfg.key_word_root * w / len(stems)))
            if len(t.text) >= 9 and t.cls == WORD and t.text not in self.vocab and t.text.isalpha():
                # a run-together pinyin trade name ("kunlunwanwei") whose registered English keeps
                # only its head ("Kunlun"): the list words it starts with are candidates
                for k in range(5, min(len(t.text) - 3, LIMITS.word_chars)):
                    head = t.text[:k]
                    for kind in ("w:", "b:"):  # a list word, or a list pair ("Hua Sheng")
                        if kind + head in self.postings:
                            out.append((kind + head, cfg.key_run_together_head * self.rarity(head) ** power))
        return out

    def candidates(self, a: NameAnalysis, limit: int, translated: bool = False) -> list[int]:
        """Entry ids sharing the most (rarity-weighted) keys with the query, best first; then every entry
        of the same name canonically (see :func:`same_name_key`) not among them, up to
        ``retrieval.same_name_cap``. ``translated``: see :meth:`query_keys`."""
        return self.retrieve(a, limit, translated).first

    def retrieve(self, a: NameAnalysis, limit: int, translated: bool = False) -> Retrieval:
        """:meth:`candidates` (``first``), and the rest of the entries sharing a key with the query ranked
        by the same weights (:meth:`Retrieval.ranked`, made only when asked for): what a screener
        scores next while the candidates it scored still clear the threshold
        (``candidates_deepen_cap``)."""
        # keys in a fixed order: a query's keys come partly from sets (typo neighbours, word roots) whose
        # order follows the string hash seed, and floating-point sums taken in another order can differ in
        # the last bit — enough to move a candidate across the floor or the limit in another process
        # (the keys' strings sorted, then paired with their weights: the same order as sorting the (key,
        # weight) pairs, keys being distinct, and a list of strings sorts by the str comparison alone)
        weight_of = self.query_keys(a, translated)
        keys = [(k, weight_of[k]) for k in sorted(weight_of)]
        sig = [t for t in a.tokens if t.cls not in (LEGAL, STOP)]
        postings = self.postings
        # the keys the lists hold, each with its posting list; those over max_posting left out when the
        # query has rarer ones; then parted into short, long and same-words keys, each in key order (one
        # pass each, not a list made per kind with the key's kind tested again in each)
        max_posting = self.max_posting
        present: _Keys = []
        rare_exists = False
        for k, w in keys:
            found = postings.get(k)
            if found:
                present.append((k, w, found))
                if len(found) <= max_posting:
                    rare_exists = True
        if rare_exists:
            present = [item for item in present if len(item[2]) <= max_posting]
        short: _Keys = []
        long_: _Keys = []
        same_keys: _Keys = []
        met_entries = 0
        for item in present:
            size = len(item[2])
            met_entries += size
            if item[0].startswith("s:"):
                same_keys.append(item)
            elif size <= LONG_POSTING:
                short.append(item)
            else:
                long_.append(item)
        # the same words in any order stand in for the whole name in the same order: an entry written
        # in the query's order ("ERIC BADEGE") already has that weight, one in another order
        # ("BADEGE, Eric") gets it here, so both records of a person on two lists stay candidates
        same_order = postings.get("j:" + a.joined) if a.joined else None
        # a few hundred posting entries are summed fastest by a dict; the long lists of a large list's
        # common words by numpy (the same sums, the same order: see _DictTally and _ArrayTally)
        tally_of = _DictTally if met_entries <= SMALL_TALLY else _ArrayTally
        tally = tally_of(short, same_keys, long_, same_order, self.relative_floor)
        retrieval = Retrieval([], tally_of, (short, same_keys, long_, same_order), tally)
        if not tally.count:
            return retrieval
        # candidates sharing far less than the query's own words are not worth scoring. The floor is
        # relative to the query (the weight of all its words), not to the best candidate: a record that
        # would be scored were it alone on the list is scored beside an exact match of another record
        # the query's word keys (t:), in key order: read by the floor, the near-word credit and the relaxed
        # floor's holders, picked out once (each a string test per key: ~1 % of a query, callgrind)
        word_keys = [(k, w) for k, w in keys if k.startswith("t:")]
        whole = sum(w for _k, w in word_keys)
        floor = tally.heaviest() * self.relative_floor
        relaxed = min(floor, whole * self.query_floor) if whole else floor
        # the ranking needs only the entries that can be candidates (``relaxed`` or more) and, for
        # ``filled``, those weighing ``whole`` or more: on a large list most entries met weigh less
        # (they share one common word), and ranking them all was most of a query's retrieval
        lowest = min(relaxed, whole) if whole else relaxed
        top, top_weight = tally.ranked(limit, lowest)
        # with near_word_credit, an entry ranked inside the limit holding every word of the query, one of
        # them one edit off, is kept too (see _near_all). One that does weighs at least the query's words
        # less the heaviest (a margin for sums taken in another order): lighter ones are not looked at,
        # and the ranking reads on below ``lowest`` only when fewer than ``limit`` entries weigh that
        # (the same first entries, in the same order)
        cfg = scorer_config()
        words = sorted({t.canon for t in sig}) if cfg.candidates_near_word_credit else []
        forms, least = cfg.candidates_near_word_forms, cfg.len_prefix
        near_floor = math.inf
        if len(words) >= 2:
            near_floor = whole - max((w for _k, w in word_keys), default=0.0) - 1e-9
            if len(top) < limit and near_floor < lowest:
                top, top_weight = tally.ranked(limit, near_floor)
        if relaxed < floor:
            # below the best candidate's floor, only entries holding one of the query's two most
            # distinctive words that the lists know: another record of the same firm, not any name
            # sharing common words
            rarest = heapq.nlargest(2, [(w, k) for k, w in word_keys if k in postings])
            holder_lists = [postings[k] for _w, k in rarest]
            if scorer_config().candidates_relaxed_near_words:
                # … or the most distinctive one otherwise than as written (a typo, a split word, a sound)
                holder_lists += [postings[k] for k in self._near_holders(a, sig, word_keys)]
            out = [
                eid
                for eid, weight in zip(top, top_weight, strict=True)
                if weight >= floor
                or (weight >= relaxed and _holds(holder_lists, eid))
                or (weight >= near_floor and self._near_all(eid, words, forms, least))
            ]
        else:
            out = [
                eid
                for eid, weight in zip(top, top_weight, strict=True)
                if weight >= floor or (weight >= near_floor and self._near_all(eid, words, forms, least))
            ]
        if len(top) == limit and scorer_config().candidates_rare_word_holders:
            # the holders of the rarest word the lists know over the relaxed floor (the floor, when it is
            # not relaxed), when no more than ``limit`` names hold it, past the limit too (only when the
            # limit cut the ranking: else every entry over ``lowest`` is in ``top``). Each must weigh more
            # than the word alone: a short query's relaxed floor is under it ("Liang Technology",
            # 立昂技术, would bring "Xiuwen Liang")
            known = [(w, k) for k, w in word_keys if k in postings]
            if known:
                word_weight, word_key = max(known)
                out += self._past_limit(postings[word_key], limit, out, tally, relaxed, word_weight + 1e-9)
        # (``top`` is shorter than ``limit`` only when fewer entries weigh ``whole`` or more)
        filled = tally.count > limit and len(top) == limit and top_weight[-1] >= whole
        if whole and self.full_match_cap > limit and (filled or tally.partial):
            # a name listed many times (a group and its subsidiaries, one record per address): every
            # entry holding all the query's words and at most one word more is scored, not only the
            # first ``limit`` (a longer name holding a short generic query is another firm's)
            chosen = set(top)
            most = len(sig) + 1
            entries = self.entries
            # (each with whether its number of words is still to be checked: a name is decoded for it
            # only when it would be taken, and a big name's thousands of full matches on a large list
            # are cut to the cap first — the same entries as checking them all, then cutting)
            more: list[tuple[int, float, bool]] = [
                (eid, weight, True)
                for eid, weight in (tally.at_least(whole) if filled else ())
                if eid not in chosen
            ]
            if tally.partial and self.full_match_extends:
                # the tally left out the entries met only by the long posting lists (see _DictTally):
                # those holding every word of the query are added here, after the ranking, so a big
                # name's own records ("Huawei Technology" for "Huawei", each word of which is in
                # hundreds of names) are scored without moving any other candidate
                more += [(eid, weight, False) for eid, weight in self._unmet_holders(sig, long_, tally, most)]
            if more:
                more.sort(key=lambda item: item[1], reverse=True)
                room = self.full_match_cap - limit
                for eid, _w, check in more:
                    if room <= 0:
                        break
                    if check and len(entries[eid].analysis.significant) > most:
                        continue
                    out.append(eid)
                    room -= 1
        if a.symbol_keys and scorer_config().candidates_symbol_names:
            # the query spells out an acronym-like symbol ("Islamic Revolutionary Guard Corps" → irgc):
            # a list name that is that symbol alone ("IRGC") scores by the symbol rule, however many
            # longer names share more of the query's words and fill the limit (see _symbol_names)
            out += self._symbol_names(a, out)
        if (
            len(a.acronym) >= 4
            and len(top) == limit
            and scorer_config().candidates_same_initials
            and not any(t.cls == NUMBER for t in sig)
        ):
            # the names of the query's initials over the relaxed floor past the limit too (only when the
            # limit cut the ranking; an organisation's: a person's name has no acronym; see _past_limit).
            # Not for a name holding a number: initials leave numbers out, and a numbered body's siblings
            # ("China State Shipbuilding Corporation, Limited (CSSC) 7xxth Research Institute", 37 of them)
            # share its initials and most of its words
            found = postings.get("a:" + a.acronym)
            if found:
                out += self._past_limit(found, self.same_name_cap, out, tally, relaxed, 0.0)
        # the words' weight an entry holding every word of the query has (the keys skipped as too common
        # left out; a margin for sums taken in another order)
        held = sum(w for k, w, _p in present if k.startswith("t:")) - 1e-9
        if self.same_name_cap > 0 and sig and len(out) < tally.count and top_weight[0] >= held:
            # the same name however written ("Huawei Technology Co. Ltd." for "Huawei Technologies Co.,
            # Ltd."): always scored, even when a big name's many longer records (its affiliates, its
            # subsidiaries abroad) share the query's surface words more closely and fill the limit. Only
            # looked up when some entry holds all the query's words (a same-name entry does: its words are
            # the query's) and some candidate was left out (else it is among them already)
            same = postings.get(same_name_key(a))
            if same:
                out += self._unchosen(same, out)
        if a.person and scorer_config().candidates_person_sound_bag:
            out += self._sound_bag(a, out)
        retrieval.first = out
        return retrieval

    def _near_holders(
        self, a: NameAnalysis, sig: list[Token], word_keys: list[tuple[str, float]]
    ) -> list[str]:
        """The keys of the entries that hold the query's most distinctive word (the heaviest word key, known
        to the lists or not) otherwise than as written: one edit from it (its typo neighbours), written as
        one word with the word beside it ("Brilli ance" for "Brilliance") or, in a person's name, by its
        sound (its phonetic key; "Mustafa" for "Mostafa"). What the relaxed floor keeps besides the holders
        of the two rarest words as written (matching.yml ``candidates_relaxed_near_words``). ``word_keys``:
        the query's word keys (t:) and their weights."""
        postings = self.postings
        weight = dict(word_keys)
        at, heaviest = -1, 0.0
        for i, t in enumerate(sig):  # the first of equal weights
            w = weight.get("t:" + t.canon, 0.0)
            if w > heaviest:
                at, heaviest = i, w
        if at < 0:
            return []
        t = sig[at]
        near = ["w:" + word for word in self.typo_neighbours(t.text) if word != t.canon]
        if at > 0:
            near.append("w:" + sig[at - 1].text + t.text)
        if at + 1 < len(sig):
            near.append("w:" + t.text + sig[at + 1].text)
        if a.person and t.phonetic and len(t.text) >= 3:
            near.append("p:" + t.phonetic)
        return [k for k in near if k in postings]

    def _sound_bag(self, a: NameAnalysis, chosen: list[int]) -> list[int]:
        """The entries not in ``chosen`` whose name parts sound as the query's, in any order (the same
        :func:`sound_bag_key`), up to ``retrieval.same_name_cap``, in posting order.

        Why: such a name pairs every part of the query by sound or one edit ("MUHAMMAD, Mustafa" for
        "Mahamed Mostafa", 0.85), yet shares only the parts' phonetic keys with it, while the names
        holding one part as written ("ABDEL HAMID, Mostafa Mohamed", "FARAG, Mostafa Mohamed") share
        more: it ranked just past the candidate limit and was lost, though it clears the threshold on
        its own (issue 12 item 5; matching.yml ``candidates_person_sound_bag``)."""
        key = sound_bag_key(a)
        found = self.postings.get(key) if key else None
        return self._unchosen(found, chosen) if found else []

    def _unchosen(self, found: Sequence[int], chosen: list[int]) -> list[int]:
        """The first ``retrieval.same_name_cap`` entries of the posting list ``found`` that are not in
        ``chosen``, in posting order: what a rule that always scores the holders of one key (the same name,
        the same sounds) adds to the candidates."""
        seen = set(chosen)
        return [eid for eid in found[: self.same_name_cap] if eid not in seen]

    def _symbol_names(self, a: NameAnalysis, chosen: list[int]) -> list[int]:
        """The entries not in ``chosen`` whose whole name is one of the query's symbols (its acronym-like
        multi-word symbols, ``symbol_keys``: "IRGC" for "Islamic Revolutionary Guard Corps (IRGC)
        Aerospace Force …"), up to ``retrieval.same_name_cap`` per symbol, in posting order.

        Why: the scorer's symbol rule scores such a name ``symbol_score`` against the query (0.88), yet
        it shares only the symbol's one key with it, and a big name's many longer records (a parent
        and its listed branches) share more of the query's words: it ranked past the candidate limit and
        was lost, though it clears the threshold on its own (issue 12 item 5; matching.yml
        ``candidates_symbol_names``). The symbol's whole-name key (``j:``) holds the names whose
        distinctive words, joined, are that word; of those, the ones the symbol rule reads (one
        significant word but places: not "IRGC Cooperative Foundation")."""
        postings = self.postings
        seen = set(chosen)
        out: list[int] = []
        for key in sorted(a.symbol_keys):
            found = postings.get("j:" + key)
            if not found:
                continue
            for eid in found[: self.same_name_cap]:
                if eid not in seen and _one_core_word(self.entries[eid].analysis):
                    seen.add(eid)
                    out.append(eid)
        return out

    def _past_limit(
        self,
        found: Sequence[int],
        most: int,
        chosen: list[int],
        tally: _DictTally | _ArrayTally,
        relaxed: float,
        above: float,
    ) -> list[int]:
        """The entries of the posting list ``found`` not in ``chosen`` that weigh ``relaxed`` or more and
        more than ``above``, in posting order; none when ``found`` holds more than ``most``.

        Why: the candidate limit ranks an entry by how much of the query's key weight it shares beside the
        others, and a common word shared under several keys (its word, its plural as a typo, its root,
        a pair: "Communications Technology") or a big family's many names sharing the query's rarest
        words ("China Shipbuilding … Research Institute") filled it. Two signs that an entry is rather
        the query's name otherwise written survive that: it holds the query's rarest word where few list
        names do (Huahai Zhihui Technology for "Huahai Communication Technology", 64th; matching.yml
        ``candidates_rare_word_holders``), or its initials are the query's, four or more ("China Ship
        Scientific Research Center" for "China Shipbuilding Science Research Center", 118th;
        ``candidates_same_initials``). Both records cleared the threshold on their own (issue 12 item 5).
        The relaxed floor still applies, and a name holding the rare word must share more than that word
        (``above``, the word's weight): a short query's relaxed floor is under its rarest word's weight."""
        if not found or len(found) > most:
            return []
        seen = set(chosen)
        ids = [eid for eid in found if eid not in seen]
        if not ids:
            return []
        weights = tally.weights(ids)
        return [eid for eid, weight in zip(ids, weights, strict=True) if weight >= relaxed and weight > above]

    def _near_all(self, eid: int, words: list[str], forms: bool = False, least: int = 0) -> bool:
        """Whether entry ``eid`` holds every one of the query's ``words`` (canonical, two or more), all
        as written but one, which it holds one edit off (OSA distance 1) — or, with ``forms`` (matching.yml
        ``candidates_near_word_forms``), as two adjacent words joined one edit off or as a word of ``least``
        letters or more that starts it or that it starts (the scorer's abbreviation rule).

        Why: a name told apart from the query's by one letter of a short word ("BICENTENARIO XIII" for
        "BICENTENARIO XII", "BICENTENARIO XV" for "BICENTENARIO V") shares no key for that word (words
        under MIN_DELETE_LEN have no typo keys) nor the whole name's keys, so it weighs only the words it
        shares, under the floor of the record holding all of them — ranked inside the candidate limit
        and cut, though it clears the threshold on its own (matching.yml ``candidates_near_word_credit``).
        The same befell a name holding the word in a form the scorer's other word rules pair: 國立東華大學,
        read "National Donghua University", lost National Dong Hwa University (its own party, 0.930: the
        list writes the word as two, one letter off), ranked 12th under the floor of "DongHua Testing
        Technology"; 华西能源工业, read "West China Power Industry", lost China Western Power Industrial
        (its own party, 0.885: West abbreviates Western), ranked 4th, 0.001 under the floor."""
        tokens = self.entries[eid].analysis.tokens
        held = {t.canon for t in tokens}
        missing = [word for word in words if word not in held]
        if len(missing) != 1:
            return False
        word = missing[0]
        size = len(word)
        # (one edit changes the length by one at most: the others are not measured, a call each)
        if any(abs(len(t) - size) <= 1 and OSA.distance(word, t, score_cutoff=1) <= 1 for t in held):
            return True
        if not forms or not word.isalpha():
            return False
        # the word held as the scorer's other word rules pair it: two adjacent words of the name joined,
        # one edit off ("Dong Hwa" for "Donghua"), or a word it starts or that starts it, from the
        # abbreviation rule's length on ("Western" for "West"; canonical forms, so "Industrial" is
        # "industry" already)
        if size >= least and any(
            min(len(t), size) >= least and (t.startswith(word) or word.startswith(t)) for t in held
        ):
            return True
        named = [t.text for t in tokens if t.cls not in (LEGAL, STOP)]
        return any(
            abs(len(x) + len(y) - size) <= 1 and OSA.distance(word, x + y, score_cutoff=1) <= 1
            for x, y in zip(named, named[1:], strict=False)
        )

    def named(self, a: NameAnalysis) -> Sequence[int]:
        """The entries named ``a`` canonically (see same_name_key), up to ``retrieval.same_name_cap``."""
        if not any(t.cls not in (LEGAL, STOP) for t in a.tokens):
            return ()
        same = self.postings.get(same_name_key(a))
        return same[: self.same_name_cap] if same else ()

    def same_name_entries(self, eid: int) -> Sequence[int]:
        """The entries named as entry ``eid`` canonically (its same-name key, see same_name_key), up to
        ``retrieval.same_name_cap``: the other records listing that name, and their variants of it."""
        return self.named(self.entries[eid].analysis)

    def _unmet_holders(
        self,
        sig: list[Token],
        long_: list[tuple[str, float, Sequence[int]]],
        tally: _DictTally | _ArrayTally,
        most: int,
    ) -> list[tuple[int, float]]:
        """The entries holding every word of the query (``sig``) that a partial tally never met, with at
        most ``most`` significant words, each with its weight (the long keys it holds), in posting
        order. Only when every word's key is a long one: an entry holding a word keyed by a shorter
        list was met by it, and an entry cannot hold a word the lists do not key."""
        by_key = {k: (w, p) for k, w, p in long_}
        words = sorted({"t:" + t.canon for t in sig})
        if not words or any(k not in by_key for k in words):
            return []
        lists = sorted((_ids(by_key[k][1]) for k in words), key=len)
        held = lists[0]
        for other in lists[1:]:
            held = held[_holding(held, other)]
            if not len(held):
                return []
        held = held[~tally.has(held)]
        entries = self.entries
        held = held[[len(entries[eid].analysis.significant) <= most for eid in held.tolist()]]
        if not len(held):
            return []
        sums = np.zeros(len(held))
        for _key, weight, plist in long_:  # in key order, as the tally adds them
            sums[_holding(held, _ids(plist))] += weight
        return list(zip(held.tolist(), sums.tolist(), strict=True))


_Keys = list[tuple[str, float, Sequence[int]]]  # (key, weight, its posting list), as the tallies take them


class Retrieval:
    """A query's candidates (``first``: what :meth:`NameIndex.candidates` returns) and, when asked for,
    every entry sharing a key with the query ranked by its key weight (:meth:`ranked`).

    Why: the candidate limit and the floors keep a query's cost bounded, but they rank a record by how
    much of the query's key weight it shares beside the *other* records — a big name's hundredth
    subsidiary, a fuzzy name sharing one rare word with an exact match of another record — and a
    record that clears the threshold on its own was lost when many others ranked above it (issue 12
    item 5). A screener reads on down this ranking while what it reads still clears the threshold."""

    __slots__ = ("_inputs", "_order", "_tally", "_tally_of", "first")

    def __init__(
        self,
        first: list[int],
        tally_of: type[_DictTally] | type[_ArrayTally],
        inputs: tuple[_Keys, _Keys, _Keys, Sequence[int] | None],
        tally: _DictTally | _ArrayTally,
    ) -> None:
        self.first = first
        self._tally_of = tally_of
        self._inputs = inputs
        self._tally = tally
        self._order: list[int] | None = None

    def ranked(self) -> list[int]:
        """Every entry sharing a key with the query, heaviest first, equal weights in the order met (the
        candidates' own ranking, without the limit and floors). A tally that left out the entries met
        only by the common words' long posting lists (see _DictTally) is made again in full."""
        if self._order is None:
            tally = self._tally
            if tally.partial:
                short, same_keys, long_, same_order = self._inputs
                tally = self._tally_of(short, same_keys, long_, same_order, 0.0)
            self._order = tally.ranked(tally.count)[0] if tally.count else []
        return self._order


# the greatest of an array's values (ndarray.max without its Python wrapper, numpy's _methods._amax)
_MAXIMUM = np.maximum.reduce
# the entry _accumulate puts before every stream (no list holds it)
_NO_ENTRY = array("i", [-1]).tobytes()


def _one_core_word(a: NameAnalysis) -> bool:
    """Whether a name has one significant word but places: what the scorer's symbol rule reads as a
    symbol (chipguard.match.score._symbol_match)."""
    return sum(t.cls != PLACE for t in a.significant) == 1


def _ids(plist: Sequence[int]) -> np.ndarray:
    """A posting list as an int32 array (no copy of a mapped index's)."""
    return np.asarray(plist, dtype=np.int32)


class _DictTally:
    """Each entry's weight, the sum of the weights of the keys it holds, added one by one in key order
    into a dict (the dict's order: the order the entries were first met in)."""

    def __init__(
        self,
        short: list[tuple[str, float, Sequence[int]]],
        same_keys: list[tuple[str, float, Sequence[int]]],
        long_: list[tuple[str, float, Sequence[int]]],
        same_order: Sequence[int] | None,
        relative_floor: float,
    ) -> None:
        # (a plain dict and get(): a defaultdict is a dict subclass, which compiled code reaches only through
        # the generic item protocol; the same sums, 0.0 + the first weight as defaultdict(float) gives.
        # Entry ids are read as objects: compiled code would otherwise unbox each to a C integer and box it
        # again for the dict, a new int object per entry over 256)
        acc: dict[Any, float] = {}
        for _key, weight, plist in short:
            ids: Iterable[Any] = plist
            for eid in ids:
                acc[eid] = acc.get(eid, 0.0) + weight
        skip = set(same_order or ())
        for _key, weight, plist in same_keys:
            ids = plist
            for eid in ids:
                if eid not in skip:
                    acc[eid] = acc.get(eid, 0.0) + weight
        # whether entries met only by the long lists were left out (see candidates: the full-match
        # extension adds those holding every word of the query)
        self.partial = bool(
            long_ and acc and sum(w for _, w, _ in long_) < max(acc.values()) * relative_floor
        )
        if self.partial:
            # an entry met only by the common keys cannot reach the floor (their weights together are
            # below it), so the common keys only add to the entries found already: found by binary search
            # in their sorted posting lists (a set made of each list of thousands cost ~2.5 % of a fresh
            # worker's instructions, callgrind), each entry's weights still added in key order
            met = np.array(sorted(acc), dtype=np.int32)
            for _key, weight, plist in long_:
                for eid in met[_holding(met, _ids(plist))].tolist():
                    acc[eid] += weight
        else:
            for _key, weight, plist in long_:
                ids = plist
                for eid in ids:
                    acc[eid] = acc.get(eid, 0.0) + weight
        self.acc = acc
        self.count = len(acc)

    def heaviest(self) -> float:
        """The greatest weight of an entry (the tally met some)."""
        return max(self.acc.values())

    def ranked(self, limit: int, lowest: float = -math.inf) -> tuple[list[int], list[float]]:
        """The ``limit`` heaviest entries weighing ``lowest`` or more and their weights, equal weights in
        the order met (sorted in C, then cut: what heapq.nlargest returns, ties included)."""
        acc = self.acc
        met: Iterable[Any] = acc if lowest == -math.inf else [eid for eid, w in acc.items() if w >= lowest]
        top = sorted(met, key=acc.__getitem__, reverse=True)[:limit]
        return top, [acc[eid] for eid in top]

    def at_least(self, weight: float) -> list[tuple[int, float]]:
        """The entries weighing ``weight`` or more, in the order met."""
        return [(eid, w) for eid, w in self.acc.items() if w >= weight]

    def has(self, eids: np.ndarray) -> np.ndarray:
        """Which of the entries ``eids`` the tally met."""
        acc = self.acc
        return np.array([eid in acc for eid in eids.tolist()], dtype=bool)

    def weights(self, eids: list[int]) -> list[float]:
        """The weights of the entries ``eids`` (0.0 for one the tally did not meet)."""
        acc = self.acc
        return [acc.get(eid, 0.0) for eid in eids]


class _ArrayTally:
    """The same tally as _DictTally over int32 arrays: np.bincount adds each entry's weights in input
    order (the same floating-point sums as adding them one by one), and entries of equal weight are
    ranked in the order they were first met (a stable sort, as sorted(reverse=True) over the dict)."""

    def __init__(
        self,
        short: list[tuple[str, float, Sequence[int]]],
        same_keys: list[tuple[str, float, Sequence[int]]],
        long_: list[tuple[str, float, Sequence[int]]],
        same_order: Sequence[int] | None,
        relative_floor: float,
    ) -> None:
        # the posting lists as they are (int32 buffers: a mapped file's views, arrays, numpy arrays), joined
        # into one array when tallied (see _accumulate)
        ids: list[Any] = []
        weights: list[float] = []  # each list's key weight
        for _key, weight, plist in short:
            ids.append(plist)
            weights.append(weight)
        for _key, weight, plist in same_keys:
            if same_order:
                # (binary search in the sorted list: np.isin's default builds a table over the whole
                # range of entry ids on every call, a measurable share of a query's time)
                found = _ids(plist)
                ids.append(found[~_holding(found, _ids(same_order))])
            else:
                ids.append(plist)
            weights.append(weight)
        long_weight = sum(w for _, w, _ in long_)
        # no entry weighs more than all the shorter keys together: common keys weighing their share of
        # that or more cannot make a partial tally, and the shorter keys are not tallied twice (a margin
        # for sums taken in another order)
        short_weight = sum(weights, 0.0)
        self.partial = False
        if not long_ or long_weight < short_weight * relative_floor * (1 + 1e-9) + 1e-12:
            met, sums, first = _accumulate(ids, weights)
            self.partial = bool(long_ and len(met) and long_weight < float(_MAXIMUM(sums)) * relative_floor)
        if self.partial:
            # (see _DictTally) the common keys only add to the entries found already: found by binary
            # search in their sorted posting lists, without walking lists of thousands of entries
            for _key, weight, plist in long_:
                sums[_holding(met, _ids(plist))] += weight
        elif long_:
            for _key, weight, plist in long_:
                ids.append(plist)
                weights.append(weight)
            met, sums, first = _accumulate(ids, weights)
        self.met, self.sums = met, sums
        self.first = first  # where in the tallied stream each entry of ``met`` was first met
        self.count = len(met)

    def heaviest(self) -> float:
        """As _DictTally.heaviest."""
        return float(_MAXIMUM(self.sums))

    def ranked(self, limit: int, lowest: float = -math.inf) -> tuple[list[int], list[float]]:
        """As _DictTally.ranked. Only the entries that can be among them are sorted: those weighing
        ``lowest`` or more, and of those, when more than ``limit``, the ones weighing at least the
        ``limit``-th heaviest weight (ties included), by weight, then the order met."""
        sums = self.sums
        at = (sums >= lowest).nonzero()[0]
        if limit < len(at):
            some = sums[at]
            kth = np.partition(some, len(at) - limit)[len(at) - limit]
            at = at[some >= kth]
        top_at = at[np.lexsort((self.first[at], -sums[at]))][:limit]
        return self.met[top_at].tolist(), sums[top_at].tolist()

    def at_least(self, weight: float) -> list[tuple[int, float]]:
        """As _DictTally.at_least."""
        full = (self.sums >= weight).nonzero()[0]
        full = full[self.first[full].argsort()]
        return list(zip(self.met[full].tolist(), self.sums[full].tolist(), strict=True))

    def has(self, eids: np.ndarray) -> np.ndarray:
        """As _DictTally.has (``met`` is ascending)."""
        return _holding(eids, self.met)

    def weights(self, eids: list[int]) -> list[float]:
        """As _DictTally.weights (``met`` is ascending)."""
        met, wanted = self.met, np.asarray(eids, dtype=np.int32)
        at = met.searchsorted(wanted)
        inside = met.take(at, mode="clip") == wanted
        return np.where(inside, self.sums.take(at, mode="clip"), 0.0).tolist()


def _accumulate(ids: list[Any], weights: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The entries met in the posting lists ``ids`` (ascending int32 buffers), the sum of each one's
    weights (``weights``: one per list, added in input order) and where each was first met (its place in
    the tallied stream: only the order of these matters)."""
    if not ids:
        empty = np.zeros(0, dtype=np.int32)
        return empty, np.zeros(0), np.zeros(0, dtype=np.intp)
    if len(ids) == 1:
        # one posting list: its entries are distinct and ascending, each met once
        met = _ids(ids[0])
        return met, np.full(len(met), weights[0]), np.arange(len(met))
    # the lists one after another, copied in one call (an array made of each list, then concatenated,
    # cost ~6x as much for a query's dozen lists), behind an entry -1 that no list holds: sorted first, so
    # each entry's run in the sorted stream starts where the stream differs from the place before, with
    # no first place to set apart. (Each numpy call costs ~4-15 k instructions whatever the size, most of
    # a tally of a few hundred entries: this is the fewest calls found, callgrind)
    stream = np.frombuffer(b"".join([_NO_ENTRY, *ids]), dtype=np.int32)
    # (what np.unique(stream, return_index=True, return_inverse=True) gives, without its wrapper's
    # checks and copies: a stable sort, so each entry's first place in the stream is where it was met;
    # the arrays' methods, not numpy's module functions, which are Python wrappers around them)
    order = stream.argsort(kind="stable")
    ordered = stream[order]
    new = ordered[1:] != ordered[:-1]  # new[i]: the sorted place i + 1 starts an entry's run
    placed = order[1:]  # the places in the stream of the sorted entries, the entry -1 left out
    met = ordered[1:][new]
    first = placed[new]
    # each entry's weights in the sorted stream: its own run, in the order met (a stable sort), so
    # bincount adds them in input order, as adding them one by one does. Its run's slot is one more than
    # its place in ``met`` (slot 0 is nobody's: the slots' sums less the first are the entries' sums,
    # without a subtraction from every slot); the entry -1's weight is never added (its place is left out)
    each = np.array([0.0, *weights], dtype=np.float64).repeat([1, *[len(found) for found in ids]])
    sums = np.bincount(new.cumsum(), weights=each[placed], minlength=len(met) + 1)[1:]
    return met, sums, first


def _holding(met: np.ndarray, plist: np.ndarray) -> np.ndarray:
    """Which of the entries ``met`` the (ascending) posting list holds."""
    if not isinstance(plist, np.ndarray) or not len(plist):
        at = np.searchsorted(plist, met)
        inside = at < len(plist)
        hit = np.zeros(len(met), dtype=bool)
        hit[inside] = plist[at[inside]] == met[inside]
        return hit
    # (the array's own searchsorted, not numpy's Python wrapper; an entry past the list's end is compared
    # with its last entry, which is smaller: fewer array operations than picking out the ones inside —
    # ``take`` clipping the places to the list, one call where a minimum and an index were two)
    at = plist.searchsorted(met)
    return plist.take(at, mode="clip") == met


def _holds(plists: list[Sequence[int]], eid: int) -> bool:
    """Whether any of the (ascending) posting lists holds entry ``eid`` (binary search)."""
    for plist in plists:
        at = bisect_left(plist, eid)
        if at < len(plist) and plist[at] == eid:
            return True
    return False
