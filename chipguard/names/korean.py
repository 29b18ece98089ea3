"""A Latin name written in the Revised Romanization of Korean, read as the lists write Korean names
(Gim Jeong-eun → Kim Chong-un, Kim Jong-un …).

Why: the lists write a North Korean person in McCune-Reischauer without its breves and apostrophes, with
the DPRK's own j and r at a word's start (KIM Jong Un, RI Pyong Chol, PAK Han Se, CHOE Ryong Hae); a
passport of the Republic of Korea, a South Korean document or a customer's own form writes the same name in
the Revised Romanization (RR: Gim Jeong Eun, Ri Byeong Cheol, Bak Han Se). The two spell most syllables
apart (eo / o, eu / u, b / p, g / k, j / ch), so a name part one or two letters off scored 0.03-0.55
against its listed spelling and ``python -m bench.korean`` found a listed Korean person's own record for
few of them.

The syllable table is ICU's (data/names/korean_syllables.tsv, written by tools/build_korean_romanisation.py:
every Hangul syllable's RR, its McCune-Reischauer at a word's start and inside a word). A name reads as RR
when it has two to four words, every word one or two RR syllables (joined or hyphenated; a second syllable
may start with a vowel only after n, m or ng: jeong|eun, not we|i or hil|al), at least one word not
written as the lists write Korean (``list_style``: eun, jeong, byeong, bak — MR writes ㄱ ㄷ ㅂ as k t p
at a word's start), and not every word Pinyin (Dong Wenbo, Bang Jun: read as Chinese, as written). Each RR
syllable is read as every Hangul syllable it writes, and each of those as its McCune-Reischauer
spellings; the readings, the word-initial spellings first, are bounded by ``MAX_READINGS``.

With matching.yml korean_list_style_reading a name written wholly as the lists write Korean is read too (RR's
j is the lists' ch at a word's start: Ri Jong Jol is listed RI Chong Chol), and with korean_list_spellings
each syllable also as the lists' other spellings of its Hangul syllables (Kim Chong Un → Kim Jong Un, the
DPRK's j where McCune-Reischauer writes ch): one list writes another's person so.
"""

from __future__ import annotations

import math
import re
from functools import cache
from itertools import product

from chipguard.names.data import name_data_file
from chipguard.names.wade_giles import name_words
from chipguard.names.wade_giles import split_syllables as pinyin_syllables
from chipguard.names.wade_giles import syllable_table as pinyin_table

# letters neither system writes (f, q, v, x, z; c only in ch): a name holding one is no Korean, told
# before any word is split (most names screened: "Co", "Technology", "Xiaoming")
_NOT_KOREAN = re.compile(r"[fqvxzFQVXZ]|[cC](?![hH])")
# readings of one name at most: a three-syllable name whose every syllable has two spellings (word-initial
# and inside a word: Jo Jeong Gil → Cho / Jo, Chong / Jong, Kil / Gil) has eight
MAX_READINGS = 8
_VOWELS = frozenset("aeiouwy")
# the voiced initials McCune-Reischauer writes inside a word only (ㄱ ㄷ ㅂ: g d b, at a word's start k t p)
_VOICED = ("g", "d", "b")


@cache
def syllable_rows() -> tuple[tuple[str, str, str, str], ...]:
    """(Hangul syllable, RR, MR at a word's start, MR inside a word) of every syllable of
    data/names/korean_syllables.tsv (tools/build_korean_romanisation.py: ICU's tables)."""
    rows = []
    for line in name_data_file("names/korean_syllables.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            hangul, rr, initial, inside = line.split("\t")
            rows.append((hangul, rr, initial, inside))
    return tuple(rows)


@cache
def _tables() -> tuple[dict[str, tuple[str, ...]], frozenset[str], frozenset[str]]:
    """(RR spelling → the MR spellings of every syllable it writes, word-initial spellings first;
    MR spellings the lists write at a word's start; every MR spelling)."""
    readings: dict[str, dict[str, int]] = {}
    initial: set[str] = set()
    anywhere: set[str] = set()
    for _hangul, rr, start, inside in syllable_rows():
        forms = readings.setdefault(rr, {})
        forms[start] = 0
        forms.setdefault(inside, 1)
        anywhere.update((start, inside))
        initial.add(start)
        # the lists write ㅈ and ㄹ at a word's start as j and r, as inside a word (the DPRK's own system:
        # JONG, RI, RYONG): MR's voiced g, d, b occur only inside a word
        if inside[:1] not in ("g", "d", "b"):
            initial.add(inside)
    table = {k: tuple(sorted(v, key=lambda form: (v[form], form))) for k, v in readings.items()}
    return table, frozenset(initial), frozenset(anywhere)


def split_syllables(word: str, table: dict[str, tuple[str, ...]] | frozenset[str]) -> list[list[str]]:
    """``word`` (lower case) as one syllable of ``table``, else its splits into two: a second syllable
    starting with a consonant, or with a vowel after a syllable ending in n, m or ng (jeong|eun: RR writes
    a final k, t, p, l before a vowel as g, d, b, r — 박이 bagi —, so hil|al or mal|ong is no RR); []."""
    if word in table:
        return [[word]]
    size, longest = len(word), _longest()
    if size > 2 * longest:
        return []  # (most words of a name that is no Korean: no cut tried)
    out = []
    for cut in range(max(1, size - longest), min(size, longest + 1)):
        head, rest = word[:cut], word[cut:]
        if head in table and rest in table and (rest[0] not in _VOWELS or head[-1] in "nmg"):
            out.append([head, rest])
    if len(out) > 1:
        # a second syllable starting with a consonant first (RR writes jeon-geun unhyphenated as jeongeun)
        out.sort(key=lambda split: split[1][0] in _VOWELS)
    return out[:2]


@cache
def _with_list_spellings() -> dict[str, tuple[str, ...]]:
    """``_tables``' RR readings with, for every McCune-Reischauer spelling, the other MR spellings of the
    Hangul syllables it writes (chong → chong, jong: 정 is chong at a word's start and jong inside one, as
    the DPRK writes it anywhere; kon → kon, gon; ni → ni, ri): the spellings the lists use for one syllable,
    word-initial ones first."""
    ranks: dict[str, dict[str, int]] = {}
    for _hangul, rr, start, inside in syllable_rows():
        for spelling in dict.fromkeys((rr, start, inside)):
            entry = ranks.setdefault(spelling, {})
            entry[start] = 0
            entry.setdefault(inside, 1)
    return {k: tuple(sorted(v, key=lambda form: (v[form], form))) for k, v in ranks.items()}


@cache
def _longest() -> int:
    """The longest syllable spelling of either system (hwaeng, kwaeng: six letters)."""
    return max(len(s) for row in syllable_rows() for s in row[1:])


def list_style(word: str) -> bool:
    """Whether ``word`` (lower case, hyphens allowed) is written as the lists write Korean: McCune-
    Reischauer syllables, the first a word-initial spelling, a later one starting with a consonant. (The
    lists write a given name's syllable with its inside-a-word g, d or b now and then even as a word of
    its own — KIM Su Gil beside CHOE Chang Pong —; such a name is read too: an RR passport writes
    김기남 Kim Gi Nam, listed KIM Ki Nam.)"""
    _table, initial, anywhere = _tables()
    syllables: list[str] = []
    for part in word.split("-"):
        if part in anywhere:
            syllables.append(part)
            continue
        for cut in range(1, len(part)):
            if part[:cut] in anywhere and part[cut:] in anywhere and part[cut] not in _VOWELS:
                syllables += [part[:cut], part[cut:]]
                break
        else:
            return False
    return bool(syllables) and syllables[0] in initial


def mr_readings(
    name: str, list_style_too: bool = False, list_spellings: bool = False, voiced_first_word: bool = True
) -> tuple[str, ...]:
    """``name`` read from RR into the lists' McCune-Reischauer, up to ``MAX_READINGS`` spellings (the
    word-initial spellings first, the name's word layout and hyphens kept); () when the name does not read
    as RR (see the module docstring). ``list_style_too``: a name whose every word is written as the lists
    write Korean is read too (matching.yml korean_list_style_reading): RR's j is the lists' ch at a word's
    start and its initial r their n, so an RR name may look list style (Ri Jong Jol: 리정졸, listed RI
    Chong Chol; Kim Il-ram: 김일람, listed KIM Il Nam). ``list_spellings``: a syllable written as the lists
    write one is read as the lists' other spellings of its Hangul syllables too (matching.yml
    korean_list_spellings: Kim Chong Un → Kim Jong Un, Ri Man Kon → Ri Man Gon). ``voiced_first_word``
    false (matching.yml korean_voiced_first_word): no reading whose first word starts with g, d or b when
    the name's own first word does not (KIM SONG is not read Gim Song): McCune-Reischauer writes ㄱ ㄷ ㅂ as
    k t p at a word's start, and the lists write a Korean name's first word so — of CSL's and the C lists'
    Korean persons' names one surname only, BAK Gwang Hun, an RR alias beside its own PAK Kwang Hun — while
    a given name's word they do write voiced now and then (Gwang, Byong, Bong, Gon, Gil), which is kept."""
    if _NOT_KOREAN.search(name):
        return ()
    words = name_words(name)
    if not words:
        return ()
    table = _with_list_spellings() if list_spellings and list_style_too else _tables()[0]
    # per word: its choices, each (spelling choices per syllable, hyphen after which syllable)
    word_choices: list[list[tuple[str, int]]] = []
    rr_only = False
    for word in words:
        lower = word.lower()
        parts = lower.split("-")
        splits = [split_syllables(part, table) for part in parts]
        if any(not s for s in splits):
            return ()
        if sum(len(s[0]) for s in splits) > 2:
            return ()
        rr_only = rr_only or not list_style(lower)
        spelled: list[tuple[str, int]] = []
        for choice in product(*splits):
            syllables = [s for part in choice for s in part]
            if len(syllables) > 2:
                continue
            options = [table[s] for s in syllables]
            hyphen = len(choice[0]) if len(choice) > 1 else 0
            for spelling in product(*[range(len(o)) for o in options]):
                picked = [options[i][k] for i, k in enumerate(spelling)]
                written = (
                    "-".join(["".join(picked[:hyphen]), "".join(picked[hyphen:])])
                    if hyphen
                    else "".join(picked)
                )
                spelled.append((written, sum(spelling)))
        if not spelled:
            return ()
        word_choices.append(sorted(set(spelled), key=lambda item: (item[1], item[0])))
    if not rr_only and not list_style_too:
        return ()  # every word written as the lists write Korean (Kim Jong Un, Pak Han Se): read as written
    pinyin = pinyin_table()
    if all(pinyin_syllables(part, pinyin) is not None for w in words for part in w.lower().split("-")):
        return ()  # every word Pinyin (Dong Wenbo): a Chinese name as the lists write one
    if math.prod(len(choices) for choices in word_choices) > 4096:
        word_choices = [choices[:MAX_READINGS] for choices in word_choices]
    combos = sorted(
        product(*word_choices), key=lambda combo: (sum(rank for _w, rank in combo), [w for w, _r in combo])
    )
    as_written = " ".join(words).lower()
    out: list[str] = []
    for combo in combos:
        text = " ".join(w.capitalize() for w, _rank in combo)
        if text.lower() != as_written and text not in out:
            if not voiced_first_word and combo[0][0][:1] in _VOICED and words[0][:1].lower() not in _VOICED:
                continue
            out.append(text)
            if len(out) == MAX_READINGS:
                break
    return tuple(out)
