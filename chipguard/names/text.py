"""Text → comparable form: Unicode cleanup, invisible characters, homoglyphs, diacritics, punctuation.

Evasion and sloppy data look alike to a matcher: a zero-width joiner inside "Hua\u200dwei", a Cyrillic
"а" in "Seаjet", "Guangzhoü" and "HUAWEI TECH." must all reach the same form as the listed name. Every
step here is recorded by :func:`clean_steps` so a hit can say which normalisations applied.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from chipguard.names.cache_bounds import NAME_ANALYSES
from chipguard.names.data import confusables, folds, strict_confusables

# Characters that render as nothing (format controls: zero-width space/joiners, word joiner, BOM,
# soft hyphen, bidi embeddings/isolates, Mongolian vowel separator, invisible math operators) and
# variation selectors. Unicode category Cf covers most; the rest are listed explicitly.
_EXTRA_INVISIBLE = {"\u180e", "\u115f", "\u1160", "\u3164", "\uffa0", "\u034f", "\u17b4", "\u17b5"}

_LATIN_LETTER = re.compile(r"[a-zA-Z]")
_DOTTED_ACRONYM = re.compile(r"\b(?:[^\W\d_]\.){2,}(?:[^\W\d_]\b)?")
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_DIGIT = re.compile(r"\d")  # (what _ORDINAL's \d is: a text without one holds no ordinal)
_APOSTROPHES = "'’‘`´ʼʻ"
# ASCII punctuation, symbols, spaces and controls (Unicode categories P, S, Z, C) → space
_ASCII_PUNCTUATION = {i: " " for i in range(128) if unicodedata.category(chr(i))[0] in ("P", "S", "Z", "C")}


# characters a table below keeps: names of every script fit; one of random code points stays out
_CHARACTERS_KEPT = 65_536


class _CharacterTable(dict[int, str]):
    """str.translate table whose entries are found on first use (``find``: a character → what it becomes),
    each character once per process, not once per character of every name; ``known``: entries given."""

    def __init__(self, find: Callable[[str], str], known: dict[int, str] | None = None) -> None:
        super().__init__(known or {})
        self._find = find

    def __missing__(self, code: int) -> str:
        found = self._find(chr(code))
        if len(self) < _CHARACTERS_KEPT:
            self[code] = found
        return found


def _space_if_punctuation(ch: str) -> str:
    """A space for punctuation, symbols, separators and control characters (Unicode categories P, S, Z,
    C), the character itself otherwise."""
    return " " if unicodedata.category(ch)[0] in ("P", "S", "Z", "C") else ch


_PUNCTUATION = _CharacterTable(_space_if_punctuation)


def is_invisible(ch: str) -> bool:
    if ch in _EXTRA_INVISIBLE:
        return True
    cat = unicodedata.category(ch)
    if cat == "Cf":
        return True
    return "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"


def _visible(ch: str) -> str:
    return "" if is_invisible(ch) else ch


# (a table, as _PUNCTUATION: str.translate walks the text in C, each character judged once a process)
_VISIBLE = _CharacterTable(_visible)


def strip_invisible(text: str) -> str:
    return text.translate(_VISIBLE)


def _is_cyrillic_or_greek(ch: str) -> bool:
    return "\u0370" <= ch <= "\u052f" or "\u1f00" <= ch <= "\u1fff" or "\u0530" <= ch <= "\u058f"


# the characters _is_cyrillic_or_greek takes, as one search (most names hold none: nothing to map)
_CYRILLIC_OR_GREEK = re.compile("[\u0370-\u052f\u1f00-\u1fff\u0530-\u058f]")


def skeleton(text: str) -> tuple[str, bool]:
    """Maps homoglyphs to the Latin letters they imitate when the text is a Latin name in disguise.

    Applied when the text also holds Latin letters (a mixed-script name is almost always a disguise),
    or when every Cyrillic/Greek letter in it is identical in shape to a Latin one ("ООО"). A genuinely Cyrillic or Greek name
    is left alone: it is transliterated by :mod:`chipguard.names.scripts` instead.
    """
    if not _CYRILLIC_OR_GREEK.search(text):
        return text, False
    table = confusables()
    foreign = [ch for ch in text if _is_cyrillic_or_greek(ch) and ch.isalpha()]
    if not foreign:
        return text, False
    has_latin = bool(_LATIN_LETTER.search(text))
    if not has_latin and not all(ch in strict_confusables() for ch in foreign):
        return text, False
    out = "".join(table.get(ch, ch) if _is_cyrillic_or_greek(ch) or ch in table else ch for ch in text)
    return out, out != text


def _without_marks(ch: str) -> str:
    """A non-ASCII character below U+2000 as its NFKD form without combining marks; any other as it is."""
    if 0x80 <= ord(ch) < 0x2000:
        return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return ch


@lru_cache(maxsize=1)
def _fold_table() -> _CharacterTable:
    """fold_diacritics' table: the curated folds (confusables.yml ``folds``), any other character by
    :func:`_without_marks`. Why a table: ``str.translate`` walks the text in C; the character-by-character
    loop it replaced took 2.3 µs per non-ASCII bench name against 1.6 (session 16)."""
    return _CharacterTable(_without_marks, {ord(k): v for k, v in folds().items()})


def fold_diacritics(text: str) -> str:
    """Removes combining marks from Latin/Greek/Cyrillic letters ("Míñ" → "Min"). Hangul and CJK are
    left intact: NFKD would split Hangul syllables into jamo."""
    return text.translate(_fold_table())


def punctuation_to_space(text: str) -> str:
    """Dotted acronyms join ("P.L.C." → "plc"), apostrophes vanish ("Cho'ng" → "chong"), ordinals lose
    their suffix ("717th" → "717"), "&" reads "and", every other punctuation mark becomes a space."""
    # (each pattern tried only on a text that can hold it: a search tries every position, and the two
    # were a fifth of a query name's analysis, most names having no dot and no digit)
    if "." in text:
        text = _DOTTED_ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)
    for ch in _APOSTROPHES:
        text = text.replace(ch, "")
    text = text.replace("&", " and ")
    if _DIGIT.search(text):
        text = _ORDINAL.sub(r"\1", text)
    if text.isascii():
        return " ".join(text.translate(_ASCII_PUNCTUATION).split())
    return " ".join(text.translate(_PUNCTUATION).split())


def latin_letters(text: str) -> str:
    """``text`` with its disguises undone but its case, spaces and punctuation kept: NFKC, invisible
    characters removed, homoglyphs mapped to the Latin letters they imitate, diacritics folded ("ʿAbd
    al-Raḥmān" → "ʿAbd al-Rahman", a Cyrillic а inside "Аbd" → A).

    Why: the romanisation readers (Wade-Giles, Korean, Arabic compounds) recognise a name by its Latin
    letters, its hyphens and its comma, which :func:`clean` removes. Run on the name as written, a compound
    carrying a diacritic, a homoglyph or a zero-width character was read as written, i.e. not at all."""
    if text.isascii() or not _LATIN_LETTER.search(text):
        # (a name with no Latin letter at all, a Chinese or a Cyrillic one, holds nothing these readers
        # read: it is romanised by chipguard.names.scripts, and the pass's Chinese names paid ~16 µs each)
        return text
    skel, _changed = skeleton(strip_invisible(unicodedata.normalize("NFKC", text)))
    return fold_diacritics(skel)


@lru_cache(maxsize=NAME_ANALYSES)
def clean_steps(text: str) -> tuple[str, tuple[str, ...]]:
    """The comparable form of ``text`` and the names of the normalisations that changed it."""
    if text.isascii():
        # ASCII has nothing to normalise, make visible, map or fold (most Latin forms of a query):
        # only case and punctuation remain
        return punctuation_to_space(text.casefold()), ()
    steps: list[str] = []
    nfkc = unicodedata.normalize("NFKC", text)
    if nfkc != text:
        steps.append("unicode-nfkc")
    visible = strip_invisible(nfkc)
    if visible != nfkc:
        steps.append("invisible-characters-removed")
    skel, changed = skeleton(visible)
    if changed:
        steps.append("homoglyphs-mapped-to-latin")
    folded_case = skel.casefold()
    folded = fold_diacritics(folded_case)
    if folded != folded_case:
        steps.append("diacritics-folded")
    out = punctuation_to_space(folded)
    return out, tuple(steps)


def clean(text: str) -> str:
    return clean_steps(text)[0]
