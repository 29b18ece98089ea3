"""Non-Latin names → comparable Latin forms, each saying which transliteration or translation produced it.

Why: the matcher compares Latin strings. ``latin_forms`` is applied to queries and, at index build, to every
list alias in another script, so an English query can meet a Chinese list entry and a Chinese query an
English one: both sides end up with the same kinds of renderings (word-by-word English with places and
brands in pinyin, pinyin per word, pinyin per syllable), and the explanation travels with the form.

Chinese goes through :mod:`chipguard.names.chinese` (OpenCC, segmentation over CC-CEDICT + curated org
vocabulary, pypinyin, numerals, legal forms); other scripts through ICU (:mod:`chipguard.names.translit`).
Results are memoised: names repeat across queries and aliases.

Methods, best first for Chinese:
  ``zh-en``             word-by-word English, places romanised, unknown words (brands) in joined pinyin
  ``zh-admin``          as zh-en with a place's administrative unit kept, as public bodies write it
                        ("Urumqi Municipal Public Security Bureau"); names without a legal form only
  ``zh-mixed``          only organisation vocabulary translated, other dictionary words kept in pinyin,
                        acronyms for state groups (中航 → AVIC), small ordinals in words (Second)
  ``zh-acronym``        as zh-en with a state group's acronym (中航航空高科技 → "AVIC Aviation High-Tech");
                        only for names holding a group abbreviation (matching.yml zh_acronym_rendering)
  ``zh-words``          as zh-en with a group abbreviation made of dictionary words read as those words
                        (中国石油大学 → "China Petroleum University"; zh_abbreviation_words_rendering)
  ``zh-brand``          as zh-en but the trade name (字号, after the place) in pinyin even when it is a
                        dictionary word ("Zhonghang Electronic Measuring Instruments"); companies only
  ``zh-literal``        as zh-en with an unknown trade name translated character by character when all its
                        characters are common brand morphemes (天龙 → "Sky Dragon", 金螳螂 → "Gold Mantis")
  ``zh-unit``           as zh-en without a parent body (中国科学院|力学研究所 → "Mechanics Research Institute")
  ``pinyin``            pinyin joined per word ("Hangzhou Haikang Weishi Shuzi Jishu Gufen Youxian Gongsi")
  ``pinyin-syllables``  pinyin per syllable ("hang zhou hai kang …")
and for other scripts ``icu-<script>`` (BGN/PCGN first) and ``anyascii``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from chipguard.names.chinese import has_han, renderings
from chipguard.names.translit import dominant_script, transliterate

# Chinese methods that translate (the rest transliterate): a scorer may weigh a translated match lower
TRANSLATED_METHODS = frozenset(
    {"zh-en", "zh-admin", "zh-mixed", "zh-acronym", "zh-words", "zh-brand", "zh-literal", "zh-unit"}
)
# forms worth indexing for list aliases but not worth matching per query: on the dev sets the per-syllable
# pinyin never made a hit the other forms missed, and its many short tokens cost a third of query time
INDEX_ONLY_METHODS = frozenset({"pinyin-syllables"})


@dataclass(frozen=True, slots=True)
class LatinForm:
    text: str
    method: str  # "zh-en", "zh-mixed", "pinyin", "pinyin-syllables", "icu-cyrillic", …, "anyascii"
    explanation: str = ""
    script: str = ""  # dominant source script: "HAN", "CYRILLIC", "ARABIC", "HANGUL", "JAPANESE", …
    translated: bool = False  # True when words were translated, not only transliterated
    # words of a translated form that stayed pinyin (trade names, words outside the vocabulary): a scorer
    # can compare these loosely ("Haikangweishi" ~ "Hikvision") or weigh them as the distinctive part
    pinyin_words: tuple[str, ...] = ()
    # the whole name is one dictionary entry of a named body, and this form is its English name as the
    # dictionary gives it (北京工业大学 → "Beijing University of Technology", CC-CEDICT): a registered name,
    # not a word-by-word rendering (chipguard.names.chinese.Rendering.registered)
    registered: bool = False


def has_non_latin(text: str) -> bool:
    """True when the text holds a letter outside Latin (incl. Latin Extended-A/B)."""
    return any(ord(ch) > 0x24F and ch.isalpha() for ch in text)


@lru_cache(maxsize=65536)
def _latin_forms(text: str) -> tuple[LatinForm, ...]:
    script = dominant_script(text)
    if script == "HAN" or (not script and has_han(text)):
        return tuple(
            LatinForm(
                r.text,
                r.method,
                r.explanation,
                "HAN",
                r.method in TRANSLATED_METHODS,
                r.pinyin_words,
                r.registered,
            )
            for r in renderings(text)
        )
    return tuple(LatinForm(t.text, t.method, t.explanation, script) for t in transliterate(text))


def latin_forms(text: str, *, query: bool = False) -> list[LatinForm]:
    """Latin renderings of a name written (partly) in another script, best first; [] for Latin names.
    ``query=True`` leaves out the forms only worth indexing (INDEX_ONLY_METHODS)."""
    if not text or not has_non_latin(text):
        return []
    forms = _latin_forms(text)
    if query:
        return [f for f in forms if f.method not in INDEX_ONLY_METHODS]
    return list(forms)


def warm_up() -> None:
    """Load the Chinese vocabulary, OpenCC, pypinyin and ICU now (index build, service start-up) rather
    than on the first query that meets a non-Latin name."""
    latin_forms("杭州科技有限公司")
    latin_forms("Газпром")
    # the senses of the Chinese words a translated query's words render (read by the scorer)
    from chipguard.names.vocab import translation_senses

    translation_senses()
