"""Non-Latin names → comparable Latin forms. (Interface placeholder; the Chinese pipeline replaces it.)

``latin_forms`` returns every Latin rendering worth indexing or querying for a name in another script,
each with the method that produced it, so a match can explain which transliteration or translation led
to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from anyascii import anyascii


@dataclass(frozen=True, slots=True)
class LatinForm:
    text: str
    method: str  # e.g. "pinyin", "pinyin-joined", "zh-en-dictionary", "icu-cyrillic", "anyascii"
    explanation: str = ""


def has_non_latin(text: str) -> bool:
    return any(ord(ch) > 0x24F and ch.isalpha() for ch in text)


def latin_forms(text: str) -> list[LatinForm]:
    if not has_non_latin(text):
        return []
    return [LatinForm(anyascii(text), "anyascii", "generic transliteration")]
