"""Non-Latin, non-Chinese scripts → Latin through ICU transliterators (anyascii as the fallback).

Why: the lists carry names in Cyrillic, Arabic, Korean, Japanese, Greek, Hebrew, Georgian, Armenian …
while customers type them in Latin (or the other way round). ICU's BGN/PCGN transliterators produce the
romanisations the US and UK governments themselves use on their lists, so they meet list spellings best;
ICU's generic script transliterators give a second, scholarly form; anyascii covers anything ICU lacks.

Transliterator instances are expensive to build (~10–20 ms) and ICU does not promise that one instance can
be used by several threads at once, so instances are built once per id and used under a lock.
"""

from __future__ import annotations

import contextlib
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

# dominant script → ICU transliterator ids, preferred first (BGN/PCGN where ICU has it: the romanisation
# the US Board on Geographic Names and the UK PCGN use, i.e. the spelling governments put on lists)
SCRIPT_TRANSLITERATORS: dict[str, tuple[str, ...]] = {
    "CYRILLIC": ("Russian-Latin/BGN", "Cyrillic-Latin"),
    "ARABIC": ("Arabic-Latin/BGN", "Arabic-Latin"),
    "HANGUL": ("Korean-Latin/BGN", "Hangul-Latin"),
    "JAPANESE": ("Katakana-Latin/BGN", "Any-Latin"),
    "GREEK": ("Greek-Latin/UNGEGN", "Greek-Latin"),
    "HEBREW": ("Hebrew-Latin/BGN", "Hebrew-Latin"),
    "GEORGIAN": ("Georgian-Latin/BGN", "Georgian-Latin"),
    "ARMENIAN": ("Armenian-Latin/BGN", "Armenian-Latin"),
    "THAI": ("Thai-Latin",),
    "DEVANAGARI": ("Devanagari-Latin",),
}
_FINISH = "; Any-Latin; Latin-ASCII"  # whatever a script-specific transliterator leaves, and diacritics
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Transliteration:
    text: str
    method: str
    explanation: str


def char_script(ch: str) -> str:
    """Coarse script of one letter from its Unicode name ('CYRILLIC', 'CJK', 'HIRAGANA', 'LATIN', …)."""
    try:
        first = unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return ""
    return first


def dominant_script(text: str) -> str:
    """The non-Latin script most letters of the text are written in; kana makes a name Japanese."""
    counts: Counter[str] = Counter()
    for ch in text:
        if ch.isalpha() and ord(ch) > 0x24F:
            s = char_script(ch)
            if s in ("HIRAGANA", "KATAKANA"):
                s = "JAPANESE"
            elif s == "CJK":
                s = "HAN"
            counts[s] += 1
    if not counts:
        return ""
    if counts.get("JAPANESE"):
        return "JAPANESE"
    if counts.get("HANGUL"):
        return "HANGUL"  # Korean written with some Hanja: ICU reads both
    return counts.most_common(1)[0][0]


@lru_cache(maxsize=64)
def _transliterator(tid: str) -> object:
    import icu

    return icu.Transliterator.createInstance(tid + _FINISH)


def _run(tid: str, text: str) -> str:
    tr = _transliterator(tid)
    with _LOCK:
        out = tr.transliterate(text)  # type: ignore[attr-defined]
    return str(out)


def _tidy(text: str) -> str:
    """Drop the modifier letters BGN uses for soft/hard signs and ayin/hamza; collapse spaces."""
    for mark in ("ʹ", "ʺ", "ʼ", "ʻ", "ʿ", "ʾ", "'", "’", "`", '"'):
        text = text.replace(mark, "")
    return " ".join(text.split())


@lru_cache(maxsize=65536)
def transliterate(text: str) -> tuple[Transliteration, ...]:
    """Latin renderings of a non-Chinese name, preferred first, deduplicated (memoised)."""
    script = dominant_script(text)
    out: list[Transliteration] = []
    seen: set[str] = set()

    upper = text == text.upper() and text != text.lower()

    def add(rendered: str, method: str, why: str) -> None:
        rendered = _tidy(rendered)
        if upper:  # BGN writes "Ye" for Е: keep an all-capitals name in capitals
            rendered = rendered.upper()
        key = rendered.casefold()
        if rendered and key not in seen and rendered.isascii():
            seen.add(key)
            out.append(Transliteration(rendered, method, why))

    for tid in SCRIPT_TRANSLITERATORS.get(script, ()):
        try:
            add(_run(tid, text), f"icu-{script.lower()}", f"{script.title()}→Latin (ICU {tid})")
        except Exception:  # an id this ICU build lacks: fall through to the generic forms
            continue
    if not out:
        with contextlib.suppress(Exception):
            add(_run("Any-Latin", text), "icu-any", "→Latin (ICU Any-Latin)")
    add(anyascii(text), "anyascii", "generic transliteration (anyascii)")
    return tuple(out)
