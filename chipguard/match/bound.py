"""An upper bound of many listed names' scores against one query at once, from a few facts of each name.

Why (issue 12 item 5: every record that clears the threshold on its own is returned): retrieval ranks a
list name by the retrieval-key weight it shares with the query, the scorer by the weighted share of both
names that pairs up. A big name's record sharing only its one heavy word ("Huawei Machine Co., Ltd." for
"Huawei Technologies Co., Ltd.") clears the threshold, yet ranks behind hundreds of long names that share
more of the query's words and score far less. Scoring the whole ranking costs twice the scoring
(BENCHMARKS.md, session 9); this bound rules out, without aligning them, the names that cannot reach the
threshold, so the screener scores only the rest (``Screener.screening``, ``candidates_deepen_to_end``).

The bound (:func:`bounds`) follows the scorer (chipguard.match.score.score_or_bound) for an organisation's
name that is not a word-by-word translation on either side. The token score is matched / total, where
each pair adds at most its mass (sim ≤ 1) to matched and its whole mass to total, and every word left
unpaired adds its weight to total, so ``score ≤ N / (N + U)`` for any N at least the matched weight and
U at most the unpaired weight. Per query word:

- a word the name holds (its canonical form is among the name's, the ``t:`` postings; or a legal form,
  stopword or word whose canonical form a legal form or stopword of the lists has, which no posting
  keys) may pair exactly: mass ≤ its weight + the heaviest weight any word of that canonical form has
  on the lists (``canon_weight``, by CRC-32 bucket: a shared bucket only raises it);
- any other may pair by a fuzzy rule (typo, morphology, stem, abbreviation) only with a word of the
  same first letter, or both of seven letters or more (the scorer's own pre-test); a typo only within
  its edits (one below eight letters, two from eight: the lengths that far apart, the letter sets
  differing by two per edit, one per edit that changes the length), a stem, abbreviation or morphology
  variant only with the same first three letters; a name of up to twelve words is read word by word
  (the partner: the heaviest word it may pair with), a longer one by blooms of its words (the partner:
  its heaviest word of that first letter). Mass ≤ the most of the two pair weightings (mean or the list
  word's) with that partner, at the best fuzzy similarity; a sound-alike of a translated name only
  with one of its pinyin words;
- a word that can do neither stays unpaired, at the least weight it can have (a place's institutional
  weight, a word of a multi-word legal form weighing as a legal form).

The name's unpaired weight is at least its least total weight less the most the pairs can take from it.
Institutional weights (a place's weight in an institute's name, an unpaired kind of institute) and the
corpus factor (≤ 1) are taken at their extremes. The character rule is bounded by the names' joined
lengths (Indel similarity ≤ 2·min/(sum)); the acronym and symbol rules, a merge of two words (the other
name holds their concatenation, or a word one edit from it: name_score.split_word_typo), a person's name
and a translated one are not bounded: such names are always scored (bound +inf). Penalties only lower a
score. The bound is checked against the scorer on real data and on arbitrary lists
(tests/test_match_tail_bound.py).

Memory: the facts of the names met lately only (``_Facts.ROWS_KEPT`` rows of a few hundred bytes, filled
in bulk; a mapped index's records read for them are not kept decoded) and two fixed tables of canonical
forms' weights (512 KB): not a per-indexed-name cost (BENCHMARKS.md, session 12, retrieval8).
"""

from __future__ import annotations

import threading
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from chipguard.match.config import ScorerConfig, scorer_config
from chipguard.names.analysis import GENERIC, LEGAL, NUMBER, PLACE, STOP, WORD, NameAnalysis, Token
from chipguard.names.pinyin_sound import ALIKE_FIRST, is_pinyin
from chipguard.names.vocab import translation_senses, vocab

# a bit per first letter a–z, the other first characters folded onto 36 further bits (a shared bit only
# makes a pair possible that is not: the bound stays one)
_LETTERS = 26


def _length_bit(ch: str, size: int) -> int:
    """A bit for a word's first letter and length (a typo keeps the first letter here and the length
    within two): deterministic, never the string hash, which follows the hash seed."""
    return 1 << ((ord(ch) * 41 + min(size, 40)) % 63)


def _start_bit(text: str, begin: int) -> int:
    """A bit for a word's first ``begin`` letters (a stem, abbreviation or morphology variant shares
    them: _start_letters)."""
    code = 0
    for ch in text[:begin]:
        code = code * 131 + ord(ch)
    return 1 << (code % 63)


_SLOTS = 12


def _letter_set(text: str) -> int:
    """The letters of a word as bits (a–z; other characters folded onto six more bits): a typo of at most
    two edits adds or drops at most four letters of the set (a substitution two, an insertion or deletion
    one, a transposition none)."""
    bits = 0
    for ch in text:
        code = ord(ch)
        bits |= 1 << (code - 97 if 97 <= code <= 122 else 26 + code % 6)
    return bits


def _canon_bit(canon: str) -> int:
    """A bit for a legal form's or stopword's canonical form (CRC-32: the same in every process)."""
    return 1 << (zlib.crc32(canon.encode("utf-8")) % 63)


def _slot(ch: str) -> int:
    code = ord(ch)
    return code - 97 if 97 <= code <= 122 else _LETTERS


def _bit(ch: str) -> int:
    code = ord(ch)
    if 97 <= code <= 122:
        return 1 << (code - 97)
    return 1 << (_LETTERS + code % 36)


# the per-name facts: (field, dtype, columns; 0: one value)
_FIELDS: tuple[tuple[str, Any, int], ...] = (
    ("must", np.bool_, 0),  # always scored (person, translation, no weights)
    ("low", np.float64, 0),  # the least the name's words weigh unpaired, all together
    # … when the pair is scored as a translation (translated_unmatched lowers words and generic words)
    ("low_translated", np.float64, 0),
    ("translated", np.bool_, 0),  # a word-by-word translation of a Chinese name
    ("heavy", np.float64, 0),  # the most one of its words (no legal form, no stopword) weighs in a pair
    ("heavy_by_letter", np.float32, _LETTERS + 1),  # … of its words of each first letter (a–z, the rest)
    ("numbers", np.int32, 0),  # its numbers
    # up to _SLOTS of its words one by one: length, first character, letters (_letter_set); a name of more
    # words is read by the blooms below alone (``crowded``)
    ("word_length", np.int32, _SLOTS),
    ("word_first", np.int32, _SLOTS),  # 0: no word
    ("word_letters", np.int64, _SLOTS),
    ("word_start", np.int32, _SLOTS),  # its first _start_letters letters (_start_code; 0: fewer)
    ("word_weight", np.float32, _SLOTS),  # the most it weighs in a pair (rounded up)
    ("crowded", np.bool_, 0),
    ("legal", np.int64, 0),  # canonical forms of its legal forms and stopwords (_canon_bit)
    ("letters", np.int64, 0),  # first letters of those words (_bit)
    # … of those of them a sound-alike may pair: pinyin words of len_sound_alike letters on (_bit)
    ("pinyin_letters", np.int64, 0),
    ("lengths", np.int64, 0),  # their lengths (bit n: n letters, 62 and more)
    ("first_lengths", np.int64, 0),  # their first letters and lengths (_length_bit)
    ("starts", np.int64, 0),  # their first letters, of _start_letters letters on (_start_bit)
    ("joined", np.int32, 0),  # letters of the joined name (the character rule)
    ("chars", np.uint8, _LETTERS + 1),  # … how many of each (a–z, the rest)
    ("words", np.int32, 0),  # words but legal forms and stopwords
    ("core", np.int32, 0),  # … and places
    ("symbols", np.bool_, 0),  # the name spells out a symbol (symbols.yml)
    ("institutional", np.bool_, 0),  # an institute's name: places weigh more
)

# the most weight any word of a canonical form has on the lists, by CRC-32 of the form in this many
# buckets (a form sharing a bucket only raises the bound: it stays one)
_CANON_BUCKETS = 1 << 16


class _Met:
    """The facts of the names of one bound call, row by row (each field of _FIELDS: an array)."""

    def __getattr__(self, name: str) -> np.ndarray:  # (set per instance)
        raise AttributeError(name)


class _Facts:
    """Per index and rule set: the facts of the names met lately (filled when a name is first bounded,
    at most ``ROWS_KEPT`` names kept: a bound stays cheap to keep whatever the list's size) and the
    lists' tables (made at the first bound; a few hundred KB)."""

    ROWS_KEPT = 16_384

    def __init__(self, cfg: ScorerConfig, index: Any) -> None:
        self.cfg = cfg
        self.lock = threading.Lock()
        self.rows: dict[int, int] = {}  # an indexed name → its row of the arrays
        self.shapes: dict[str, tuple[int, ...]] = {}  # a word's text → what the facts read of it (_shape)
        self.arrays: dict[str, np.ndarray] = {}
        self._allocate(1024)
        # a canonical form's heaviest weight (_canon_slot) …
        self.canon_weight = np.zeros(_CANON_BUCKETS, dtype=np.float32)
        # … and when neither name is an institute's (a place keeps its own weight)
        self.canon_weight_plain = np.zeros(_CANON_BUCKETS, dtype=np.float32)
        legal_texts: set[str] = set()
        legal_canons: set[str] = set()
        apart = {word for phrase in vocab().legal_forms if len(phrase) >= 2 for word in phrase}
        slots: list[int] = []
        highs: list[float] = []
        plains: list[float] = []
        for tok, weight in _org_tokens(index):
            if tok.cls not in (LEGAL, STOP):
                slots.append(_canon_slot(tok.canon))
                highs.append(self._high(tok, weight))
                plains.append(weight)
            else:
                legal_texts.add(tok.text)
                legal_canons.add(tok.canon)
                if tok.cls == LEGAL and " " in tok.text:
                    apart.update(tok.text.split())
        # (float32 rounded up: the bound must not fall below a weight)
        np.maximum.at(self.canon_weight, np.asarray(slots, dtype=np.int64), _up(highs))
        np.maximum.at(self.canon_weight_plain, np.asarray(slots, dtype=np.int64), _up(plains))
        self.legal_texts = frozenset(legal_texts)
        self.legal_canons = frozenset(legal_canons)
        self.apart = frozenset(apart)  # words a legal form of two words or more holds

    def _allocate(self, capacity: int) -> None:
        """Arrays of ``capacity`` rows, the rows filled so far kept."""
        old = self.arrays
        self.arrays = {}
        for name, dtype, width in _FIELDS:
            shape = (capacity, width) if width else (capacity,)
            array = np.zeros(shape, dtype=dtype)
            if name in old:
                array[: len(old[name])] = old[name]
            self.arrays[name] = array
        self.capacity = capacity

    def partner(self, canon: str, plain: bool = False) -> float:
        """The most a word of canonical form ``canon`` weighs on the lists (``plain``: in a pair where
        neither name is an institute's); 0 when no word has it."""
        table = self.canon_weight_plain if plain else self.canon_weight
        return float(table[_canon_slot(canon)])

    def _high(self, tok: Token, weight: float) -> float:
        return max(weight, self.cfg.place_institutional) if tok.cls == PLACE else weight

    def low_weight(self, tok: Token, weight: float, institutional: bool = True) -> float:
        """The least a word weighs unpaired (``institutional``: one of the names may be an institute's)."""
        low = min(weight, self.cfg.place_institutional) if tok.cls == PLACE and institutional else weight
        return min(low, self.cfg.legal_form) if tok.text in self.apart else low

    def low_translated_weight(self, tok: Token, least: float) -> float:
        """The least a word weighs unpaired in a translation's pair: a word or generic word may weigh
        ``translated_unmatched`` of its weight (chipguard.match.score, once an anchor matched)."""
        if tok.cls in (WORD, GENERIC):
            return least * min(1.0, self.cfg.translated_unmatched)
        return least

    def gather(self, entries: Sequence[Any], ids: np.ndarray) -> _Met:
        """The facts of the names ``ids``, row by row (the names not met lately filled now)."""
        met = _Met()
        with self.lock:
            rows = self.rows
            todo = [eid for eid in dict.fromkeys(ids.tolist()) if eid not in rows]
            if len(rows) + len(todo) > max(self.ROWS_KEPT, len(ids)):
                # the names met longest ago are let go all at once (each is filled again when met)
                rows.clear()
                todo = list(dict.fromkeys(ids.tolist()))
            need = len(rows) + len(todo)
            if need > self.capacity:
                self._allocate(max(need, min(2 * self.capacity, self.ROWS_KEPT)))
            if todo:
                start = len(rows)
                for eid in todo:
                    rows[eid] = len(rows)
                # (a mapped index's names decoded without keeping them: most are met this once)
                entry = getattr(entries, "peek", entries.__getitem__)
                filled = [self._values(entry(eid)) for eid in todo]
                for k, (name, dtype, _width) in enumerate(_FIELDS):
                    column = [values[k] for values in filled]
                    # (weights as float32 rounded up: the bound must not fall below a weight)
                    self.arrays[name][start : len(rows)] = _up(column) if dtype is np.float32 else column
            at = np.fromiter((rows[eid] for eid in ids.tolist()), dtype=np.int64, count=len(ids))
            for name, array in self.arrays.items():
                setattr(met, name, array[at])
        return met

    WORDS_KEPT = 16_384

    def _shape(self, text: str, begin: int) -> tuple[int, ...]:
        """What the facts read of one word (non-empty): its length, first character, letters
        (_letter_set), start (_start_code), start bit (_start_bit; 0 when shorter than ``begin``), first
        letter's slot and bit, length bit, first letter and length bit (_length_bit), and the first
        letter's bit again when a sound-alike may pair it (a pinyin word of len_sound_alike letters on);
        kept per word text (words recur across names), at most WORDS_KEPT."""
        shapes = self.shapes
        found = shapes.get(text)
        if found is None:
            if len(shapes) >= self.WORDS_KEPT:
                shapes.clear()
            size = len(text)
            long_enough = size >= begin
            pinyin = size >= self.cfg.len_sound_alike and text.isalpha() and is_pinyin(text)
            found = shapes[text] = (
                size,
                ord(text[0]),
                _letter_set(text),
                _start_code(text, begin) if long_enough else 0,
                _start_bit(text, begin) if long_enough else 0,
                _slot(text[0]),
                _bit(text[0]),
                1 << min(size, 62),
                _length_bit(text[0], size),
                _bit(text[0]) if pinyin else 0,
            )
        return found

    def _values(self, entry: Any) -> list[Any]:
        """The facts of one name, a value (or a row of ``columns``) per field of _FIELDS, in order."""
        values: dict[str, Any] = {}
        a: NameAnalysis = entry.analysis
        weights = entry.weights
        if entry.person or len(weights) != len(a.tokens):
            values["must"] = True
            return [values.get(name, [0] * width if width else 0) for name, _dtype, width in _FIELDS]
        low = low_translated = heavy = 0.0
        letters = lengths = first_lengths = starts = numbers = pinyin_letters = 0
        by_letter = [0.0] * (_LETTERS + 1)
        legal = 0
        begin = _start_letters(self.cfg)
        slot_words = [
            (t, w) for t, w in zip(a.tokens, weights, strict=True) if t.cls not in (LEGAL, STOP) and t.text
        ]
        shapes = [self._shape(tok.text, begin) for tok, _weight in slot_words]
        if len(slot_words) > _SLOTS:
            values["crowded"] = True
        else:
            pad = [0] * (_SLOTS - len(slot_words))
            values["word_length"] = [shape[0] for shape in shapes] + pad
            values["word_first"] = [shape[1] for shape in shapes] + pad
            values["word_letters"] = [shape[2] for shape in shapes] + pad
            values["word_start"] = [shape[3] for shape in shapes] + pad
            values["word_weight"] = [self._high(tok, weight) for tok, weight in slot_words] + pad
        for tok, weight in zip(a.tokens, weights, strict=True):
            if tok.cls in (LEGAL, STOP):
                legal |= _canon_bit(tok.canon)
            least = self.low_weight(tok, weight)
            low += least
            low_translated += self.low_translated_weight(tok, least)
        for (tok, weight), shape in zip(slot_words, shapes, strict=True):
            high = self._high(tok, weight)
            heavy = max(heavy, high)
            slot = shape[5]
            by_letter[slot] = max(by_letter[slot], high)
            numbers += tok.cls == NUMBER
            letters |= shape[6]
            lengths |= shape[7]
            first_lengths |= shape[8]
            starts |= shape[4]
            pinyin_letters |= shape[9]
        values.update(
            low=low,
            low_translated=low_translated,
            translated=entry.anchors is not None,
            heavy=heavy,
            heavy_by_letter=by_letter,
            numbers=numbers,
            legal=legal,
            letters=letters,
            pinyin_letters=pinyin_letters,
            lengths=lengths,
            first_lengths=first_lengths,
            starts=starts,
            joined=len(a.joined),
        )
        counts = _char_counts(a.joined)
        if max(counts) > 255:
            values["must"] = True
        else:
            values.update(
                chars=counts,
                words=len(a.significant),
                core=sum(1 for t in a.significant if t.cls != PLACE),
                symbols=bool(a.symbol_keys),
                institutional=a.institutional,
            )
        return [values.get(name, [0] * width if width else 0) for name, _dtype, width in _FIELDS]


def _up(weights: Any) -> np.ndarray:
    """``weights`` as float32 no smaller than them."""
    exact = np.asarray(weights, dtype=np.float64)
    single = exact.astype(np.float32)
    return np.where(single < exact, np.nextafter(single, np.float32(np.inf)), single)


def _start_code(text: str, begin: int) -> int:
    """A number for a word's first ``begin`` letters, never 0 (two starts sharing one only loosen the
    bound)."""
    code = 0
    for ch in text[:begin]:
        code = code * 131 + ord(ch)
    return code % 2_147_483_629 + 1


def _one_edit(word: str) -> list[str]:
    """The words one edit from ``word`` (a letter dropped, added, changed, or two adjacent swapped) that
    start with its first letter, ``word`` itself among them, sorted."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = {word}
    for i in range(1, len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            out.add(head + tail[1:])
            if len(tail) > 1:
                out.add(head + tail[1] + tail[0] + tail[2:])
            out.update(head + ch + tail[1:] for ch in letters)
        out.update(head + ch + tail for ch in letters)
    if len(word) > 1 and word[1] == word[0]:
        out.add(word[1:])
    return sorted(out)


def _canon_slot(canon: str) -> int:
    return zlib.crc32(canon.encode("utf-8")) % _CANON_BUCKETS


def _start_letters(cfg: ScorerConfig) -> int:
    """How many first letters a stem, abbreviation or morphology variant shares with its word: the
    shorter word starts the longer (of ``len_prefix`` letters on), or their first
    ``len_morphology_same_start`` are equal (at most three are used)."""
    return max(1, min(3, cfg.len_prefix, cfg.len_morphology_same_start, cfg.len_morphology))


def _char_counts(text: str) -> list[int]:
    """How many of each letter a–z ``text`` holds, and of every other character together."""
    counts = [0] * (_LETTERS + 1)
    for ch, many in Counter(text).items():
        code = ord(ch)
        counts[code - 97 if 97 <= code <= 122 else _LETTERS] += many
    return counts


def _org_tokens(index: Any) -> Iterable[tuple[Token, float]]:
    """Every word of the index's names with its weight in an organisation's name: from a mapped index's
    token table, or from the names of one built in memory (persons' names aside: they are never bounded)."""
    entries = index.entries
    table = getattr(entries, "org_token_weights", None)
    if table is not None:
        yield from table()
        return
    for entry in entries:
        if not entry.person:
            yield from zip(entry.analysis.tokens, entry.weights, strict=False)


_FACTS_LOCK = threading.Lock()


def _facts(index: Any) -> _Facts:
    cfg = scorer_config()
    # (an attribute NameIndex declares, not its __dict__: compiled by chipguard.native it has none)
    found: _Facts | None = getattr(index, "_bound_facts", None)
    if found is None or found.cfg is not cfg:
        with _FACTS_LOCK:
            found = getattr(index, "_bound_facts", None)
            if found is None or found.cfg is not cfg:
                found = index._bound_facts = _Facts(cfg, index)
    return found


def _holding(ids: np.ndarray, plist: Sequence[int] | None) -> np.ndarray:
    """Which of ``ids`` the ascending posting list ``plist`` holds."""
    if not plist:
        return np.zeros(len(ids), dtype=bool)
    arr = np.asarray(plist, dtype=np.int64)
    at = np.searchsorted(arr, ids)
    inside = at < len(arr)
    hit = np.zeros(len(ids), dtype=bool)
    hit[inside] = arr[at[inside]] == ids[inside]
    return hit


def bounds(
    index: Any, qa: NameAnalysis, q_weights: Sequence[float], eids: Sequence[int]
) -> np.ndarray | None:
    """An upper bound of the name score (before penalties, which only lower it) of each indexed name
    ``eids`` against the query ``qa`` (an organisation's name, not translated, its token weights
    ``q_weights``), +inf for a name that must be scored; None when the query is outside the bound's reach
    (every name must be scored). See the module's docstring for the proof."""
    cfg = scorer_config()
    if qa.person or cfg.acronym_min_length < 4 or len(q_weights) != len(qa.tokens):
        return None
    facts = _facts(index)
    ids = np.asarray(eids, dtype=np.int64)
    met = facts.gather(index.entries, ids)
    for tok in qa.tokens:
        if tok.cls == LEGAL and " " in tok.text and not facts.apart.issuperset(tok.text.split()):
            return None  # a legal form the lists' words do not cover (its words' weight as one is unknown)
    postings = index.postings

    def holds(key: str) -> np.ndarray:
        return _holding(ids, postings.get(key))

    must = met.must.copy()
    legal_texts = facts.legal_texts
    # a merge of two words of one name into a word of the other changes both names' words: such names are
    # scored. The query's pair written as one word by the name (its sig words keyed ``w:``) …
    for join in sorted(qa.joins):
        if join in legal_texts:
            return None
        must |= holds("w:" + join)
    # … and a pair of the name written as one word by the query: pairs of words and stopwords are keyed
    # ``b:``; one with a legal form, which no key holds, through the other word
    for text in sorted(qa.texts):
        must |= holds("b:" + text)
        for k in range(1, len(text)):
            head, tail = text[:k], text[k:]
            head_legal, tail_legal = head in legal_texts, tail in legal_texts
            if head_legal and tail_legal:
                return None
            if tail_legal:
                must |= holds("w:" + head)
            if head_legal:
                must |= holds("w:" + tail)
    if cfg.split_word_typo:
        # a typo in a word one name's analysis split (score._merge_split_typo): the scorer joins two
        # adjacent words of one name whose concatenation is one edit from a word of the other, of
        # len_typo_two_edits letters or more, the same first letter. The query's pair joined: the list
        # words one edit from it (typo neighbours) …
        least = cfg.len_typo_two_edits
        words = [t for t in qa.tokens if t.cls in (WORD, GENERIC)]
        for x, y in zip(qa.tokens, qa.tokens[1:], strict=False):
            joined = x.text + y.text
            if x.cls in (WORD, GENERIC) and y.cls in (WORD, GENERIC) and len(joined) >= least - 1:
                for near in index.typo_neighbours(joined):
                    must |= holds("w:" + near)
        # … and the name's adjacent pair joined (keyed ``b:``) one edit from a query word
        for text in sorted({t.text for t in words if len(t.text) >= least}):
            for variant in _one_edit(text):
                must |= holds("b:" + variant)
    # the acronym and symbol rules
    sig = qa.significant
    if len(sig) == 1:
        must |= holds("a:" + sig[0].text)
    if len(qa.acronym) >= cfg.acronym_min_length:
        must |= (met.words == 1) & holds("w:" + qa.acronym)
    if sum(1 for t in sig if t.cls != PLACE) == 1:
        must |= met.symbols
    if qa.symbol_keys:
        must |= met.core == 1

    fuzzy_sim = max(1.0 - cfg.typo_per_edit, cfg.sim_morphology, cfg.sim_stem, cfg.sim_abbreviation)
    # a name that is a word-by-word translation is scored in the query's seat, by the translation rules
    # (chipguard.match.screener._aligned): kinds of body and translation synonyms pair words of other
    # first letters, a sound-alike pairs pinyin, and the words left unpaired may weigh less
    translated = met.translated
    any_translated = bool(translated.any())
    translated_sim = max(
        fuzzy_sim,
        cfg.body_kind_similarity,
        cfg.translation_synonym_similarity,
        cfg.translation_sense_similarity,
        cfg.sound_alike_similarity,
    )
    kinds = vocab().body_kinds
    legal_weight = max(cfg.legal_form, cfg.stopword)
    synonyms = vocab().translation_synonyms
    senses = translation_senses() if any_translated and cfg.translation_sense_similarity > 0 else {}
    heavy = met.heavy
    letters = met.letters
    lengths = met.lengths
    begin = _start_letters(cfg)
    matched = np.zeros(len(ids))
    taken = np.zeros(len(ids))  # the most the pairs take of the name's own weight
    unpaired = np.zeros(len(ids))  # the least the query's words that cannot pair weigh
    canons = [t.canon for t in qa.tokens]
    fuzzy_gains: list[np.ndarray] = []
    fuzzy_takes: list[np.ndarray] = []
    exact_canons: set[str] = set()
    exact_words = np.zeros(len(ids), dtype=np.int64)
    for tok, weight in zip(qa.tokens, q_weights, strict=True):
        # (a number, or one per name: an array)
        high: Any = facts._high(tok, weight)
        low: Any = facts.low_weight(tok, weight)
        plain_partner: Any = facts.partner(tok.canon)
        if not qa.institutional:
            # a place weighs place_institutional only in a pair where one name is an institute's
            institute = met.institutional
            if tok.cls == PLACE:
                high = np.where(institute, high, weight)
                low = np.where(institute, low, facts.low_weight(tok, weight, False))
            plain_partner = np.where(institute, plain_partner, facts.partner(tok.canon, plain=True))
        if any_translated:
            low = np.where(translated, facts.low_translated_weight(tok, low), low)
        # an equal word: one of the name's words (keyed ``t:``) or a legal form or stopword of it (its
        # canonical form among the name's, _canon_bit), at the most a word of that form weighs
        held = holds("t:" + tok.canon)
        partner = np.where(held, plain_partner, 0.0)
        if tok.canon in facts.legal_canons:
            held_legal = (met.legal & _canon_bit(tok.canon)) != 0
            held = held | held_legal
            partner = np.maximum(partner, np.where(held_legal, legal_weight, 0.0))
        exact_mass = high + partner
        if tok.cls in (LEGAL, STOP):
            # paired only with an equal word
            matched += np.where(held, exact_mass, 0.0)
            taken += partner
            unpaired += np.where(held, 0.0, low)
            continue
        size = len(tok.text)
        if tok.cls == NUMBER or not tok.text:
            fuzzy = np.zeros(len(ids), dtype=bool)
        else:
            # the same first letter: a typo (the length within two), or a stem, abbreviation or
            # morphology variant (the first two letters alike, both words of three letters or more)
            typo_bits = first_typo = 0
            for n in range(max(size - 2, 1), size + 3):
                typo_bits |= 1 << min(n, 62)
                first_typo |= _length_bit(tok.text[0], n)
            near = ((lengths & typo_bits) != 0) & ((met.first_lengths & first_typo) != 0)
            if size >= begin:
                near |= (met.starts & _start_bit(tok.text, begin)) != 0
            fuzzy = ((letters & _bit(tok.text[0])) != 0) & near
            other_letter = np.zeros(len(ids), dtype=bool)
            if size >= cfg.len_other_first_letter:
                # another first letter: only a typo, of at most two edits, both words this long
                near = 0
                for n in range(max(cfg.len_other_first_letter, size - 2), size + 3):
                    near |= 1 << min(n, 62)
                other_letter = (lengths & near) != 0
            # a name whose words are known one by one: a typo needs a word within two letters of this
            # one's length whose letters differ by four at most
            crowded = met.crowded
            slot_length = met.word_length
            slot_first = met.word_first
            # (a typo is of one edit below len_typo_two_edits letters, two from there; each edit changes
            # the length by one at most, the letter set by two at most, by one when it changes the length)
            shorter_word = np.minimum(slot_length, size)
            allowed = np.where(shorter_word < cfg.len_typo_two_edits, 1, 2)
            apart_by = np.abs(slot_length - size)
            typo = (
                (shorter_word >= cfg.len_typo)
                & (apart_by <= allowed)
                & (np.bitwise_count(met.word_letters ^ _letter_set(tok.text)) <= 2 * allowed - apart_by)
            )
            first = ord(tok.text[0])
            same_first = slot_first == first
            pairs_with = typo & same_first
            if size >= cfg.len_other_first_letter:
                pairs_with |= (
                    typo & ~same_first & (slot_first != 0) & (slot_length >= cfg.len_other_first_letter)
                )
            if size >= begin:
                # a stem, abbreviation or morphology variant: the same first letters
                pairs_with |= same_first & (met.word_start == _start_code(tok.text, begin))
            fuzzy = np.where(crowded, fuzzy | other_letter, pairs_with.any(axis=1))
            # the partner: the heaviest word it may pair with
            slot_mate = np.where(pairs_with, met.word_weight, np.float32(0.0)).max(axis=1).astype(np.float64)
        # a pair's mass: the mean of its words' weights, or twice the list word's (typo, abbreviation);
        # the partner is a word of the same first letter but for a long typo
        if tok.text and tok.cls != NUMBER:
            # (a name of more words than _SLOTS: the heaviest word of the first letter, any for a long typo)
            mate = met.heavy_by_letter[:, _slot(tok.text[0])].astype(np.float64)
            if size >= cfg.len_other_first_letter:
                mate = np.where(other_letter, heavy, mate)
            mate = np.where(crowded, mate, slot_mate)
        else:
            mate = heavy
        fuzzy_mass = fuzzy_sim * (mate + np.maximum(high, mate))
        if any_translated:
            # (in the query's seat the list word is the query's: the mean, or twice the query's word)
            # (kinds of body and synonyms pair words of any first letter)
            fuzzy_mass = np.where(translated, translated_sim * (high + np.maximum(high, heavy)), fuzzy_mass)
            other = np.zeros(len(ids), dtype=bool)
            if tok.canon in kinds:
                for kind in sorted(kinds):
                    other |= holds("t:" + kind)
            group = synonyms.get(tok.text, synonyms.get(tok.canon))
            if group is not None:
                for word in sorted(w for w, g in synonyms.items() if g == group):
                    other |= holds("t:" + word) | holds("w:" + word)
            for word in sorted(senses.get(tok.text, senses.get(tok.canon, frozenset()))):
                other |= holds("t:" + word) | holds("w:" + word)
            if (
                tok.text
                and size >= cfg.len_sound_alike
                and tok.text.isascii()
                and tok.text.isalpha()
                and not is_pinyin(tok.text)
            ):
                # a pinyin word of the translation sounding like this English one: same first letter, or
                # one spelt otherwise (name_score.sound_alike_spelt_first: Wanke / Vanke)
                english = tok.text[0]
                spelt_bits = _bit(english)
                if cfg.sound_alike_spelt_first:
                    for pair in ALIKE_FIRST:
                        if pair[1] == english:
                            spelt_bits |= _bit(pair[0])
                other |= (met.pinyin_letters & spelt_bits) != 0
            fuzzy = fuzzy | (translated & other)
        exact_gain = np.where(held, exact_mass, 0.0)
        fuzzy_gain = np.where(fuzzy, fuzzy_mass, 0.0)
        # the same letters under another canonical form (a first word read otherwise) pair as a typo of
        # no edit, at similarity 1: a name holding the word's surface (``w:``) is given that
        same = holds("w:" + tok.text) & ~held
        if same.any():
            fuzzy = fuzzy | same
            sure = 2.0 * np.maximum(high, heavy)
            fuzzy_gain = np.where(same, np.maximum(fuzzy_gain, sure), fuzzy_gain)
        fuzzy_take = np.where(fuzzy, np.maximum(mate, np.where(translated, heavy, 0.0)), 0.0)
        if canons.count(tok.canon) > 1:
            # a word the query holds twice may find its equal taken: the fuzzy pair is open to it too
            matched += np.maximum(exact_gain, fuzzy_gain)
            taken += np.maximum(np.where(held, partner, 0.0), np.where(fuzzy, heavy, 0.0))
        else:
            matched += exact_gain
            taken += np.where(held, partner, 0.0)
            # a fuzzy pair takes a word of the name that no equal word took (see below)
            fuzzy_gains.append(np.where(held, 0.0, fuzzy_gain))
            fuzzy_takes.append(np.where(held, 0.0, fuzzy_take))
            if tok.canon not in facts.legal_canons and tok.canon not in exact_canons:
                # an equal word of a canonical form no legal form or stopword has: one of the name's
                # words, another for each form
                exact_canons.add(tok.canon)
                exact_words += held
        unpaired += np.where(held | fuzzy, 0.0, low)
    if fuzzy_gains:
        # each word pairs once: at most as many fuzzy pairs as the name has words left, the best ones
        left = np.maximum(met.words - exact_words, 0)
        gains = -np.sort(-np.vstack(fuzzy_gains), axis=0)
        totals = np.vstack([np.zeros(len(ids)), np.cumsum(gains, axis=0)])
        matched += totals[np.minimum(left, len(fuzzy_gains)), np.arange(len(ids))]
        takes = -np.sort(-np.vstack(fuzzy_takes), axis=0)
        take_totals = np.vstack([np.zeros(len(ids)), np.cumsum(takes, axis=0)])
        taken += take_totals[np.minimum(left, len(fuzzy_takes)), np.arange(len(ids))]
    own_low = np.where(translated, met.low_translated, met.low) if any_translated else met.low
    rest = np.maximum(own_low - taken, 0.0)
    denominator = matched + unpaired + rest
    token_bound = np.divide(matched, denominator, out=np.zeros(len(ids)), where=denominator > 0)
    # the character rule: the joined names' Indel similarity is 2·LCS / (sum of lengths), and the longest
    # common subsequence holds at most as many of each letter as the name with fewer of it
    q_len = len(qa.joined)
    n_len = met.joined
    shorter = np.minimum(q_len, n_len)
    both = q_len + n_len
    common = np.minimum(met.chars, _char_counts(qa.joined)).sum(axis=1)
    alike = np.divide(2.0 * common, both, out=np.zeros(len(ids)), where=both > 0)
    char_bound = np.where(
        (alike >= cfg.char_floor) & (shorter >= cfg.char_min_length), alike - cfg.char_margin, 0.0
    )
    out = np.maximum(token_bound, char_bound)
    # both names keeping a number without a partner: number_clash_penalty (numbers pair only when equal)
    numbers = [t.canon for t in qa.tokens if t.cls == NUMBER]
    if numbers and len(set(numbers)) == len(numbers):
        held_numbers = np.zeros(len(ids), dtype=np.int32)
        for canon in numbers:
            held_numbers += holds("t:" + canon)
        clash = (held_numbers < len(numbers)) & (met.numbers > held_numbers)
        out = np.where(clash, np.maximum(out - cfg.number_clash_penalty, 0.0), out)
    out[must] = np.inf
    return out


def may_reach(
    index: Any, qa: NameAnalysis, q_weights: Sequence[float], eids: list[int], cut: float
) -> list[int] | None:
    """The names of ``eids`` (in order) whose bound may reach ``cut``; None when the query is outside the
    bound's reach (a person's name, one the bound does not cover)."""
    if not eids:
        return eids
    found = bounds(index, qa, q_weights, eids)
    if found is None:
        return None
    keep = found >= cut - 1e-9
    return [eid for eid, kept in zip(eids, keep.tolist(), strict=True) if kept]
