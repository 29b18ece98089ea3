"""Does a pinyin trade name sound like an English coined name? ("Liyade" / "Leyard", "Tianci" / "Tinci")

Why: Chinese companies often register an English trade name that imitates the sound of the Chinese one
instead of spelling its pinyin (利亚德 → Leyard, 天赐 → Tinci, 贝因美 → Beingmate). A word-by-word
translation keeps the trade name in pinyin, so the registered name shares no word with it. Comparing
consonant skeletons under the usual pinyin → English spelling correspondences (x ~ s, q ~ ch, zh ~ j, final
-ng ~ -n, a silent English r) reaches such pairs. The rule is narrow on purpose — used only between a
translated query's pinyin word and a list word that is not pinyin, with the same first letter and a
skeleton of three consonants or more — because short skeletons are shared by many unrelated words.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from rapidfuzz.distance import JaroWinkler

from chipguard.names.chinese_vocab import char_readings

_SPELLINGS = (
    ("zh", "j"),
    ("ch", "c"),
    ("sh", "s"),
    ("ph", "f"),
    ("x", "s"),
    ("q", "c"),
    ("k", "c"),
    ("v", "w"),
)
MIN_SKELETON = 3
MIN_SIMILARITY = 0.9
# skeleton's patterns, compiled once (re.sub with a pattern string looks it up in re's cache each call:
# skeleton runs for every list word retrieval meets by sound, most of them once per process)
_SILENT_R = re.compile(r"r(?=[^aeiou]|$)")
_VOWELS = re.compile(r"[aeiouw]")
_REPEATS = re.compile(r"(.)\1+")


@cache
def _syllables() -> frozenset[str]:
    return frozenset(r for r in char_readings().values() if r.isalpha())


@lru_cache(maxsize=100_000)
def is_pinyin(word: str) -> bool:
    """Whether ``word`` can be read as a run of pinyin syllables ("haikangweishi")."""
    syllables = _syllables()
    n = len(word)
    ok = [True] + [False] * n
    for i in range(n):
        if ok[i]:
            for j in range(i + 1, min(n, i + 6) + 1):
                if word[i:j] in syllables:
                    ok[j] = True
    return ok[n]


@lru_cache(maxsize=100_000)
def skeleton(word: str) -> str:
    """The consonants of ``word`` after pinyin/English spelling correspondences, repeats collapsed."""
    w = word.lower()
    for a, b in _SPELLINGS:
        w = w.replace(a, b)
    w = w.replace("ng", "n").replace("y", "i")
    w = _SILENT_R.sub("", w)  # "Leyard" is said "Leyad"
    s = w[:1] + _VOWELS.sub("", w[1:])
    return _REPEATS.sub(r"\1", s)


# first letters that the spelling correspondences above make one sound (skeleton's one-letter rules and
# y ~ i), each a pinyin word's first letter followed by the English word's: 万科 Wanke registered "Vanke",
# 勤上 Qinshang "Kingsun", 康斯特 Kangsite "ConST", 英威腾 Yingweiteng "INVT" (pinyin has no v or i to start
# a syllable, and its c is another sound than k). Not x ~ s: on the xscript watchlist a pinyin x- met only
# other firms' S- brands (先导 Xiandao / SUNWARD, 欣旺达 Xinwangda / Sunlord), none its own.
ALIKE_FIRST: frozenset[str] = frozenset({"wv", "qk", "qc", "kc", "yi"})
# … as a pinyin first letter → the English first letters it is spelt as (a look-up per word, not a string
# made per word pair: the scorer asks it of every translated word pair of other first letters)
SPELT_AS: dict[str, str] = {
    p[0]: "".join(sorted(q[1] for q in ALIKE_FIRST if q[0] == p[0])) for p in ALIKE_FIRST
}


def first_sounds_alike(pinyin_word: str, english_word: str) -> bool:
    """Whether a pinyin word and an English word start with one sound spelt two ways (ALIKE_FIRST; the
    same letter counts too): a pinyin trade name re-spelt as an English brand often changes its first
    letter to the English spelling of the sound (万科 → Vanke, 勤上 → Kingsun), the rest of its consonants
    kept."""
    return pinyin_word[:1] == english_word[:1] or pinyin_word[:1] + english_word[:1] in ALIKE_FIRST


def sounds_alike(pinyin_word: str, english_word: str, spelt_first: bool = False) -> bool:
    """True when a pinyin trade name and a non-pinyin word of the same first letter sound alike;
    ``spelt_first`` (name_score.sound_alike_spelt_first): also of a first letter spelt otherwise
    (first_sounds_alike)."""
    if (
        not (
            first_sounds_alike(pinyin_word, english_word)
            if spelt_first
            else pinyin_word[:1] == english_word[:1]
        )
        or is_pinyin(english_word)
        or not is_pinyin(pinyin_word)
    ):
        return False
    a, b = skeleton(pinyin_word), skeleton(english_word)
    if min(len(a), len(b)) < MIN_SKELETON:
        return False
    return JaroWinkler.normalized_similarity(a, b) >= MIN_SIMILARITY


def sounds_alike_keyed(pinyin_word: str, keyed_word: str, spelt_first: bool = False) -> bool:
    """:func:`sounds_alike` of a pinyin word whose skeleton has MIN_SKELETON letters or more (a word
    retrieval looks up by its sound, ``chipguard.match.index.sound_probes``) and a word found under its
    sound keys (never pinyin, its skeleton as long: what retrieval keys by sound, ``sound_keys``): the
    same answer without the tests both words pass by how they were found. Why: the found words are list
    words met for the first time in a process, and whether each is pinyin is a walk of its letters
    (interpreted), asked of every such word of every translated query."""
    if pinyin_word[:1] != keyed_word[:1]:
        return False
    return JaroWinkler.normalized_similarity(skeleton(pinyin_word), skeleton(keyed_word)) >= MIN_SIMILARITY


@cache
def _voiced_syllables() -> frozenset[str]:
    return frozenset(s for s in _syllables() if re.search("[aeiouv\u00fc]", s))


@lru_cache(maxsize=100_000)
def pinyin_syllables(word: str) -> tuple[str, ...]:
    """``word`` read as the fewest pinyin syllables with a vowel each ("guanhao" → guan|hao, not
    gu|an|hao; the interjections m, n, ng, hm are left out, or "aluminum" reads a|lu|mi|nu|m); empty
    when it is not such a run."""
    syllables = _voiced_syllables()
    n = len(word)
    best: list[tuple[str, ...] | None] = [()] + [None] * n
    for j in range(1, n + 1):
        for i in range(max(0, j - 6), j):
            prev = best[i]
            if prev is not None and word[i:j] in syllables:
                cand = (*prev, word[i:j])
                if best[j] is None or len(cand) < len(best[j] or ()):
                    best[j] = cand
    return best[n] or ()


def other_pinyin_name(a: str, b: str) -> bool:
    """True when two unequal words are both runs of two pinyin syllables or more and neither starts the
    other: two trade names written in pinyin, one syllable apart ("Guanhao" 冠昊 / "Huanhao" 环昊, "Haite"
    海特 / "Haitian" 海天) — other characters, so other firms, not a typo or an English word ending, when
    their consonants differ too (a registered English name often keeps the consonants and moves a vowel:
    得润 "Deren", 三夫 "Sanfo", 佛慈 "Foci"). The scorer asks it only of a word spelt from a Chinese name's
    characters (a typed English name's typo may well be pinyin: "Huaawei", "Nanhang" for Nanchang)."""
    if (
        not (a.isascii() and b.isascii() and a.isalpha() and b.isalpha())
        or a.startswith(b)
        or b.startswith(a)
    ):
        return False
    sa, sb = pinyin_syllables(a.lower()), pinyin_syllables(b.lower())
    return len(sa) >= 2 and len(sb) >= 2 and sa != sb and skeleton(a) != skeleton(b)
