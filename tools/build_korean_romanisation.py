"""Writes chipguard/data/names/korean_syllables.tsv: every Hangul syllable's spellings in the Revised
Romanization of Korean (RR, the Republic of Korea's system, its passports') and in McCune-Reischauer (MR,
the system the sanctions lists write North Korean names in, diacritics dropped), for
chipguard.names.korean (a name written in RR read as the lists write it) and bench.korean.

Source: ICU's transliterators (PyICU; the ICU version is written into the file's head), run over all
11,172 Hangul syllables U+AC00-U+D7A3:
- MR: ``Korean-Latin/BGN`` (the BGN/PCGN 1945 McCune-Reischauer agreement) on the syllable alone (its
  word-initial spelling: 김 kim, 정 chŏng, 리 ni) and after a vowel (its spelling inside a word: gim, jŏng,
  ri); breve and apostrophe dropped as the lists drop them (ch'ŏl → chol);
- RR: the transcription of the syllable alone (RR articles 1-3, the spelling passports use): the letters of
  ``Hangul-Latin`` (RR's transliteration, article 8: 박 bag, 리 li) for the syllable without its final, a
  syllable-initial ㄹ as r (article 2, note 3: 리 ri), and the final consonant as pronounced, which is
  the final BGN writes for the syllable alone (both systems write a final as k, t, p, l, m, n, ng: 박 bak,
  혁 hyeok, 닭 dak). The transliteration itself is not kept: its finals (갓 gas, 닭 dalg) read half the
  Latin alphabet as Korean (Hughes: hug|hes) and are no passport's spelling.
Syllables whose final BGN leaves unromanised (twelve finals: ㄲ ㅆ ㅎ and nine double finals — 밖, 값,
있; no name syllable carries them) are left out. Why a file: the table is data with its source, pinned to one ICU release (its
rules change between releases), and reviewable; building it needs PyICU and ~0.2 s of CPU. tests/test_names_korean.py checks the file against ICU:

    python tools/build_korean_romanisation.py [--check]
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

TABLE = Path(__file__).resolve().parents[1] / "chipguard" / "data" / "names" / "korean_syllables.tsv"
FIRST, LAST = 0xAC00, 0xD7A3
_VOWELS = "aeiouwy"


def _plain(text: str) -> str:
    """An MR spelling as the lists write it: breve and apostrophe dropped (ch’ŏl → chol)."""
    text = unicodedata.normalize("NFD", text).replace("\u0306", "").replace("\u2019", "").replace("'", "")
    return unicodedata.normalize("NFC", text).lower()


def rows() -> list[tuple[str, str, str, str]]:
    """(syllable, RR transcription, MR word-initial, MR inside a word) per syllable."""
    import icu

    mr = icu.Transliterator.createInstance("Korean-Latin/BGN")
    rr = icu.Transliterator.createInstance("Hangul-Latin")
    out = []
    for code in range(FIRST, LAST + 1):
        syllable = chr(code)
        alone = _plain(mr.transliterate(unicodedata.normalize("NFD", syllable)))
        # after the open syllable 가 the transliterator writes the syllable as inside a word (ICU 77's rules
        # drop the vowel of the syllable before: 가김 → kgim), so the syllable's part follows the k
        inside = _plain(mr.transliterate(unicodedata.normalize("NFD", "가" + syllable)))
        if not inside.startswith("k"):
            continue
        inside = inside[1:]
        translit = rr.transliterate(syllable)
        if not (alone + inside + translit).isascii() or not (alone + inside + translit).isalpha():
            continue  # a double final BGN leaves as a letter (밖 paᆩ)
        # the syllable's final as pronounced alone: the consonants after BGN's last vowel letter
        cut = max(alone.rfind(v) for v in _VOWELS) + 1
        final = alone[cut:]
        index = code - FIRST
        has_final = index % 28 != 0
        open_part = rr.transliterate(chr(FIRST + index - index % 28)) if has_final else translit
        if open_part.startswith("l"):
            open_part = "r" + open_part[1:]  # ㄹ before a vowel is r (RR article 2, note 3)
        out.append((syllable, open_part + final, alone, inside))
    return out


def text() -> str:
    import icu

    head = [
        "# Hangul syllable <TAB> Revised Romanization (transcription) <TAB> McCune-Reischauer at a word's start"
        " <TAB> McCune-Reischauer inside a word (breve and apostrophe dropped).",
        f"# Read by chipguard.names.korean. Source: ICU {icu.ICU_VERSION} (PyICU {icu.VERSION}) transliterators "
        "Korean-Latin/BGN and Hangul-Latin over U+AC00-U+D7A3,",
        "# RR's transcription of a syllable alone from RR articles 1-3 (tools/build_korean_romanisation.py)."
        " Regenerate: python tools/build_korean_romanisation.py",
    ]
    return "\n".join([*head, *("\t".join(r) for r in rows())]) + "\n"


def main() -> int:
    made = text()
    if "--check" in sys.argv:
        same = TABLE.read_text(encoding="utf-8") == made
        print(
            "korean_syllables.tsv: up to date"
            if same
            else "korean_syllables.tsv: differs from ICU; regenerate"
        )
        return 0 if same else 1
    TABLE.write_text(made, encoding="utf-8")
    print(f"wrote {TABLE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
