"""A small phonetic key for Latin-script name tokens.

Transliterations of the same name disagree on vowels and doubled or silent letters ("Mohammed",
"Muhamad"; "Cho'ng", "Chong"; "Kyong", "Kyung"). The key keeps the first letter, merges consonants that
transliterations interchange (k/c/q, j/g before front vowels is NOT merged: too lossy for Chinese
pinyin), drops later vowels, h, w, y and doubled letters. It is used for candidate retrieval and as a
weak similarity signal, never alone as a match.
"""

from __future__ import annotations

from functools import lru_cache

_REPLACEMENTS = (
    ("ph", "f"),
    ("ck", "k"),
    ("kh", "k"),
    ("gh", "g"),
    ("th", "t"),
    ("dh", "d"),
    ("sch", "s"),
    ("sh", "s"),
    ("ch", "c"),
    ("zh", "j"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
)
_MERGE = str.maketrans({"q": "k", "c": "k", "z": "s", "v": "f", "x": "s", "j": "j"})


@lru_cache(maxsize=200_000)
def phonetic_key(token: str) -> str:
    if not token or not token.isascii() or not token.isalpha():
        return token
    word = token.lower()
    for src, dst in _REPLACEMENTS:
        word = word.replace(src, dst)
    first = "a" if word[0] in "aeiouy" else word[0]  # Osama / Usama
    body = word[1:].translate(_MERGE)
    out = [first.translate(_MERGE)]
    for ch in body:
        if ch in "aeiouyhw":
            continue
        if out and out[-1] == ch:
            continue
        out.append(ch)
    return "".join(out)


@lru_cache(maxsize=200_000)
def syllable_key(token: str) -> str:
    """The word's sounds in order with its vowels kept as syllables: the consonants as phonetic_key merges
    them, each run of vowels as one "a", an h kept between two vowels ("Cohen") and read as part of the
    vowel after one ("Rahman", "Abdallah"), w kept ("Kwang"), doubled letters once, a final silent e
    dropped ("Schulze").

    Why: phonetic_key drops every vowel, h, w and y, so a short name's key is two or three letters and
    names that are not one another's spelling share it — Chan / Cohen ("kn"), Fayiz / Fawaz ("fs"), Mahdi
    / Mahmoud ("md"), Kyong / Kwang ("kng"), Htwe / Htet ("ht"). Spellings of one name keep its syllables
    (Mohammed / Muhamad, Yusuf / Yousef, Hussein / Husayn, Khairy / Kheirou); the scorer's sound-alike
    rule asks for both keys to agree (matching.yml name_score.phonetic_same_syllables), retrieval keeps
    phonetic_key alone."""
    if not token or not token.isascii() or not token.isalpha():
        return token
    word = token.lower()
    if len(word) > 3 and word.endswith("e") and word[-2] not in "aeiouy":
        word = word[:-1]  # a final e is mostly silent: Schulze / Scholz, Michelle / Michel
    for src, dst in _REPLACEMENTS:
        word = word.replace(src, dst)
    word = word.translate(_MERGE)
    vowels = "aeiouy"
    out: list[str] = []
    for i, ch in enumerate(word):
        sound = ch
        if ch in vowels:
            sound = "a"
        elif (
            ch == "h"
            and i > 0
            and word[i - 1] in vowels
            and not (i + 1 < len(word) and word[i + 1] in vowels)
        ):
            sound = "a"  # a vowel lengthened ("Rahman" / "Rehman", "Abdallah" / "Abdulla")
        if out and out[-1] == sound:
            continue
        out.append(sound)
    return "".join(out)
