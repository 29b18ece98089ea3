"""Chinese names → segments with pinyin and English, and the Latin renderings built from them.

Why: a barred Chinese company signs up under its Chinese legal name (杭州海康威视数字技术股份有限公司) while
the list carries its registered English name (Hangzhou Hikvision Digital Technology Co., Ltd.) — or the
other way round. Registered English names follow the Chinese name's structure (place + brand + industry +
legal form) with the place and the brand in pinyin and the rest translated, so we rebuild that structure:

1. NFKC, Traditional → Simplified (OpenCC ``t2s``);
2. segmentation by dynamic programming over our vocabulary (CC-CEDICT + curated org terms): fewest words,
   preferring curated and place entries; numbered bodies (第七一五研究所, 十四所) become numeral segments;
3. context rules: administrative suffixes vanish after places (深圳市 → Shenzhen), body-type characters
   count only at the end (…所 → Institute), 与/及/和 join translated words, 新 before a translated word is
   "New", 学/化 after one are dropped; other single characters are part of a trade name;
4. renderings: ``zh-en`` word-by-word English with places romanised and unknown words (brands) in joined
   pinyin; ``zh-mixed`` translating only organisation vocabulary, with acronyms (中航 → AVIC) and
   alternative glosses; ``zh-brand`` with a company's trade name (字号) in pinyin; ``zh-unit`` without a
   parent body (中国科学院…); ``pinyin`` per word; ``pinyin-syllables``.

Our own segmenter is used instead of jieba: jieba needs ~1 s to load its dictionary plus ours and its
general-text segmentation splits registered names less well than fewest-words matching over name
vocabulary. Character readings come from a table generated from pypinyin's data (see chinese_vocab), so
the process does not carry pypinyin's 60 MB phrase dictionary; warm-up is ~0.2 s, a name ~0.2 ms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from chipguard.errors import InputError
from chipguard.names.chinese_vocab import (
    ABBREV,
    ADMIN,
    CONFIDENT_KINDS,
    CONNECTOR,
    GENERAL,
    LEGAL,
    ORG,
    PLACE,
    PREFIX,
    PROPER,
    SUFFIX,
    TERM,
    Vocabulary,
    pinyin_of,
    vocabulary,
)
from chipguard.names.data import matching_config, name_data_file
from chipguard.names.vocab import vocab

NUMERAL = "numeral"
UNKNOWN = "pinyin"  # not in the vocabulary: kept as pinyin
LATIN = "latin"  # Latin letters or digits inside a Chinese name (TCL, 3D)
FINAL_CHAR = "final-char"
BRAND_LITERAL = "brand-literal"  # trade-name characters translated one by one (天龙 → Sky Dragon)

_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
# runs of Han characters (with digits, for 第38研究所) versus Latin words
_HAN_CLASS = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_RUN_RE = re.compile(
    rf"(?P<han>[0-9]*[{_HAN_CLASS}][{_HAN_CLASS}0-9]*)|(?P<latin>[A-Za-z0-9][A-Za-z0-9&.'\-]*)"
)


def has_han(text: str) -> bool:
    """True when the text holds at least one Han character."""
    return _HAN_RE.search(text) is not None


@dataclass(frozen=True, slots=True)
class Segment:
    """One word of a Chinese name with its pinyin syllables and, when known, its English."""

    text: str
    pinyin: tuple[str, ...]
    english: str | None
    kind: str
    source: str
    short: str | None = None  # acronym of an abbreviation ("AVIC"), used by the mixed rendering
    number: int | None = None  # value of a numeral segment


@dataclass(frozen=True, slots=True)
class ChineseAnalysis:
    original: str
    simplified: str
    segments: tuple[Segment, ...]

    @property
    def converted(self) -> bool:
        """Whether Traditional characters were converted (worth saying in an explanation)."""
        return self.simplified != unicodedata.normalize("NFKC", self.original)


@lru_cache(maxsize=1)
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (OpenCC t2s); other characters unchanged."""
    return str(_t2s().convert(text))  # type: ignore[attr-defined]


def _pinyin(text: str) -> tuple[str, ...]:
    return pinyin_of(text)


def parse_numeral(text: str, voc: Vocabulary) -> int | None:
    """七一五 → 715 (digit by digit), 十四 → 14, 二十三 → 23, 一百零八 → 108, 38 → 38."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in voc.digits and ch not in voc.units for ch in text):
        return None
    if not any(ch in voc.units for ch in text):
        return int("".join(str(voc.digits[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in voc.digits:
            current = voc.digits[ch]
        else:
            total += (current or 1) * voc.units[ch]
            current = 0
    return total + current


def ordinal(n: int) -> str:
    """715 → '715th', 22 → '22nd', 11 → '11th'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


CODE_NUMERAL = "code numeral"  # a Segment's source: a number read digit by digit, said as a number (764)
CODE_DIGITS = 3  # numeral characters, no units, that make a code number wherever they stand (七六四)


def _numeral_at(run: str, i: int, voc: Vocabulary, codes: bool = False) -> tuple[int, int, bool] | None:
    """(end, value, is_code) of a numeral starting at i, else None: a numbered body's ('第七一五' before
    研究所, an ordinal), or with ``codes`` (matching.yml chinese_segmentation.code_numerals) a run of three or
    more numeral characters without units anywhere (天津七六四通信 → "Tianjin 764 Communication"): firms
    named after a factory's number register it in digits, and read as pinyin ("Qiliusi") it met nothing."""
    j = i
    prefixed = run.startswith(voc.ordinal_prefix, i)
    if prefixed:
        j += len(voc.ordinal_prefix)
    k = j
    while k < len(run) and (run[k] in voc.digits or run[k] in voc.units or run[k].isdigit()):
        k += 1
    if k == j:
        return None
    value = parse_numeral(run[j:k], voc)
    if value is None:
        return None
    counted = any(run.startswith(c, k) for c in voc.counted)
    if prefixed or (counted and (k - j >= 2 or run[j:k].isdigit() or i == 0)):
        return k, value, False
    if (
        codes
        and k - j >= CODE_DIGITS
        and all(ch in voc.digits for ch in run[j:k])
        and (i == 0 or run[i - 1] not in voc.digits)
    ):
        return k, value, True
    return None


_ORDINAL_WORDS = {
    1: "First",
    2: "Second",
    3: "Third",
    4: "Fourth",
    5: "Fifth",
    6: "Sixth",
    7: "Seventh",
    8: "Eighth",
    9: "Ninth",
    10: "Tenth",
}

# The cost of each word in the segmentation (fewest words wins; ties go to curated, then named, then org
# words): ``chinese_segmentation`` of names/matching.yml, every key required (checked at load with the
# scorer's keys, chipguard.match.config).
SEGMENTATION_KEYS = (
    "general_word",
    "place_word",
    "proper_word",
    "curated_word",
    "other_word",
    "numeral",
    "leading_place_bonus",
    "digits",
    "single_character",
)


# Renderings of a state group's abbreviation (中航 → Aviation Industry / AVIC): booleans of names/matching.yml,
# read here and checked at load with the scorer's keys (chipguard.match.config).
ABBREVIATION_KEYS = ("zh_acronym_rendering", "zh_group_prefix_trade_name", "zh_abbreviation_words_rendering")


def _abbreviation_rule(key: str) -> bool:
    """One of ABBREVIATION_KEYS (matching.yml): read per call, so a test may switch it (renderings is
    memoised: clear it too)."""
    return bool(matching_config()[key])


# Rules of the segmentation and rendering switched by a true/false key of ``chinese_segmentation`` (checked
# at load with the costs): admin_units_kept — a public body's rendering that keeps its places' administrative
# units (zh-admin); code_numerals — a run of three or more numeral characters is a number (七六四 → 764).
SEGMENTATION_FLAGS = ("admin_units_kept", "code_numerals")


@dataclass(frozen=True, slots=True)
class SegmentationCosts:
    """What each kind of segment costs the fewest-words segmentation (matching.yml chinese_segmentation)."""

    by_kind: dict[str, float]
    curated_word: float
    other_word: float
    numeral: float
    leading_place_bonus: float
    digits: float
    single_character: float
    admin_units_kept: bool = False
    code_numerals: bool = False

    def word(self, kind: str, source: str) -> float:
        """A vocabulary word's cost: by its kind (general, place, proper name), else curated or other."""
        return self.by_kind.get(kind, self.curated_word if source == "curated" else self.other_word)


@lru_cache(maxsize=1)
def segmentation_costs() -> SegmentationCosts:
    """``chinese_segmentation`` of names/matching.yml; a missing or non-numeric key is an InputError
    naming it (there is no default in code)."""
    section = matching_config().get("chinese_segmentation")
    values: dict[str, float] = {}
    for key in SEGMENTATION_KEYS:
        value = section.get(key) if isinstance(section, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(
                "missing or not a number: every segmentation cost is data, there is no default in code",
                file=str(name_data_file("names/matching.yml")),
                field=f"chinese_segmentation.{key}",
            )
        values[key] = float(value)
    flags: dict[str, bool] = {}
    for key in SEGMENTATION_FLAGS:
        flag = section.get(key) if isinstance(section, dict) else None
        if not isinstance(flag, bool):
            raise InputError(
                "missing or not true/false: every segmentation rule is switched in data",
                file=str(name_data_file("names/matching.yml")),
                field=f"chinese_segmentation.{key}",
            )
        flags[key] = flag
    return SegmentationCosts(
        by_kind={GENERAL: values["general_word"], PLACE: values["place_word"], PROPER: values["proper_word"]},
        curated_word=values["curated_word"],
        other_word=values["other_word"],
        numeral=values["numeral"],
        leading_place_bonus=values["leading_place_bonus"],
        digits=values["digits"],
        single_character=values["single_character"],
        admin_units_kept=flags["admin_units_kept"],
        code_numerals=flags["code_numerals"],
    )


def _segment_run(run: str, voc: Vocabulary) -> list[Segment]:
    """Fewest-words segmentation of a Han run (dynamic programming over vocabulary matches)."""
    n = len(run)
    inf = float("inf")
    best: list[float] = [inf] * (n + 1)
    back: list[tuple[int, Segment | None]] = [(0, None)] * (n + 1)
    best[0] = 0.0
    words = voc.words
    costs = segmentation_costs()
    for i in range(n):
        if best[i] == inf:
            continue
        base = best[i]
        num = _numeral_at(run, i, voc, costs.code_numerals)
        if num is not None:
            end, value, code = num
            if code:  # said as written, digit by digit (〇〇七 → "007")
                said = "".join(str(voc.digits[ch]) for ch in run[i:end])
                seg = Segment(run[i:end], _pinyin(run[i:end]), said, NUMERAL, CODE_NUMERAL, None, value)
            else:
                seg = Segment(
                    run[i:end], _pinyin(run[i:end]), ordinal(value), NUMERAL, "numeral rule", None, value
                )
            if base + costs.numeral < best[end]:
                best[end], back[end] = base + costs.numeral, (i, seg)
        for j in range(min(n, i + voc.max_len), i + 1, -1):
            e = words.get(run[i:j])
            if e is None:
                continue
            cost = base + costs.word(e.kind, e.source)
            if i == 0 and e.kind == PLACE:
                # names start with their place (广东|宝丽华, not 广|东宝|丽华)
                cost -= costs.leading_place_bonus
            if cost < best[j]:
                best[j], back[j] = cost, (i, Segment(e.word, e.pinyin, e.english, e.kind, e.source, e.short))
        # a run of digits outside a numbered body stays one number (中国2008 → "2008")
        if run[i].isdigit() and (i == 0 or not run[i - 1].isdigit()):
            j = i
            while j < n and run[j].isdigit():
                j += 1
            if j - i > 1 and base + costs.digits < best[j]:
                best[j], back[j] = (
                    base + costs.digits,
                    (i, Segment(run[i:j], (run[i:j],), run[i:j], LATIN, "digits")),
                )
        # single character: a one-character vocabulary entry (厂, 市) or an unknown character
        ch = run[i]
        e = words.get(ch)
        cost = base + costs.single_character
        if cost < best[i + 1]:
            if e is not None:
                seg = Segment(ch, e.pinyin, e.english, e.kind, e.source)
            elif ch.isdigit():
                seg = Segment(ch, (ch,), ch, LATIN, "digits")
            else:
                seg = Segment(ch, (), None, UNKNOWN, "pinyin")
            best[i + 1], back[i + 1] = cost, (i, seg)
    out: list[Segment] = []
    k = n
    while k > 0:
        i, found = back[k]
        assert found is not None
        out.append(found)
        k = i
    out.reverse()
    return _settle(out, voc)


def _settle(segs: list[Segment], voc: Vocabulary) -> list[Segment]:
    """Context rules: admin suffixes only after places, body-type characters only at the end, and
    single-character vocabulary elsewhere treated as unknown (part of a brand); pinyin for unknown runs."""
    out: list[Segment] = []
    for idx, seg in enumerate(segs):
        prev = out[-1] if out else None
        last = idx == len(segs) - 1 or all(s.kind == LEGAL for s in segs[idx + 1 :])
        if len(seg.text) == 1 and seg.kind not in (UNKNOWN, LATIN, NUMERAL):
            keep = (
                (seg.kind == ADMIN and prev is not None and prev.kind == PLACE)
                or (seg.kind == CONNECTOR and 0 < idx < len(segs) - 1)  # 暨南 starts a name: not "and"
                or (seg.kind == LEGAL and idx > 0)
            )
            if keep:
                pass
            elif last and idx > 0 and seg.text in voc.final_chars:
                seg = Segment(seg.text, seg.pinyin, voc.final_chars[seg.text], FINAL_CHAR, "curated")
            else:
                seg = Segment(seg.text, (), None, UNKNOWN, "pinyin")
        elif seg.kind == UNKNOWN and last and idx > 0 and seg.text in voc.final_chars:
            seg = Segment(seg.text, (), voc.final_chars[seg.text], FINAL_CHAR, "curated")
        out.append(seg)
    out = _peel_industry(out, voc)
    # a place name right after another place and before an unknown word is part of the brand
    # (杭州 海康 威视: Haikang is a county, but here it starts the brand "Haikang Weishi")
    for idx in range(1, len(out) - 1):
        seg = out[idx]
        if seg.kind == PLACE and out[idx - 1].kind == PLACE and out[idx + 1].kind == UNKNOWN:
            out[idx] = Segment(seg.text, (), None, UNKNOWN, "pinyin")
    # a bound prefix before a one-word translation joins it (超|分子 → "Supermolecular")
    idx = 0
    while idx < len(out) - 1:
        seg, nxt = out[idx], out[idx + 1]
        prefix = voc.bound_prefixes.get(seg.text)
        if (
            prefix
            and seg.kind == UNKNOWN
            and (idx == 0 or out[idx - 1].kind != UNKNOWN)  # 广|聚 is a trade name
            and nxt.english
            and " " not in nxt.english
            and nxt.english.isalpha()
            and nxt.kind not in (LEGAL, PLACE, ADMIN, FINAL_CHAR, SUFFIX)
        ):
            out[idx : idx + 2] = [
                Segment(
                    seg.text + nxt.text,
                    _pinyin(seg.text) + nxt.pinyin,
                    prefix + nxt.english.lower(),
                    TERM,
                    "curated bound prefix",
                )
            ]
        idx += 1
    # 和 joins two translated words ("发展和改革" → "Development and Reform"); elsewhere it is a brand
    for idx in range(1, len(out) - 1):
        seg = out[idx]
        if (
            seg.text in voc.soft_connectors
            and seg.kind == UNKNOWN
            and out[idx - 1].english
            and out[idx + 1].english
            and out[idx + 1].kind != LEGAL
        ):
            out[idx] = Segment(seg.text, (), voc.soft_connectors[seg.text], CONNECTOR, "curated")
    # 学 / 化 after a translated word: the English word already says it (光电子学 → Optoelectronics)
    for idx in range(1, len(out)):
        seg, prev_seg = out[idx], out[idx - 1]
        if (
            seg.text in voc.drop_suffixes
            and seg.kind == UNKNOWN
            and prev_seg.english
            and prev_seg.kind not in (LEGAL, PLACE, ADMIN)
        ):
            out[idx] = Segment(seg.text, (), "", SUFFIX, "curated")
    # 新 before a translated word is "New" (新材料, 新世纪); before an unknown word it starts a trade name,
    # after one it ends it (建新|矿业 is the trade name Jianxin, not "Jian New Mining")
    for idx in range(len(out) - 1):
        seg, nxt = out[idx], out[idx + 1]
        if (
            seg.text in voc.prefixes
            and seg.kind == UNKNOWN
            and (idx == 0 or out[idx - 1].kind != UNKNOWN)
            and nxt.english
            and nxt.kind not in (LEGAL, PLACE)
        ):
            out[idx] = Segment(seg.text, (), voc.prefixes[seg.text], PREFIX, "curated")
    # a province abbreviation opening the name before a translated word is the province
    # (川|化工 → "Sichuan Chemical", 粤|港澳 → "Guangdong Hong Kong Macao")
    if len(out) >= 2:
        seg, nxt = out[0], out[1]
        province = voc.province_abbreviations.get(seg.text)
        if (
            province
            and seg.kind == UNKNOWN
            and nxt.english
            and nxt.kind in (TERM, PLACE)  # an industry word or a place, not a dictionary word (京|东方)
        ):
            out[0] = Segment(seg.text, _pinyin(seg.text), province, PLACE, "curated province abbreviation")
    # pinyin for unknown characters: consecutive ones form one word (a trade name)
    result: list[Segment] = []
    i = 0
    while i < len(out):
        seg = out[i]
        if seg.kind == UNKNOWN or (seg.kind == FINAL_CHAR and not seg.pinyin):
            j = i
            while j < len(out) and out[j].kind == UNKNOWN:
                j += 1
            if j == i:  # a final char without pinyin
                result.append(Segment(seg.text, _pinyin(seg.text), seg.english, seg.kind, seg.source))
                i += 1
                continue
            text = "".join(s.text for s in out[i:j])
            result.append(Segment(text, _pinyin(text), None, UNKNOWN, "pinyin"))
            i = j
        else:
            result.append(seg)
            i += 1
    return result


INDUSTRY_MAX = 2  # characters of a trade-name run that can name its industry (塑业, 锌电)


def _peel_industry(segs: list[Segment], voc: Vocabulary) -> list[Segment]:
    """Industry characters at the end of an unknown run become translated words.

    A registered name is 行政区划 + 字号 + 行业 + 组织形式; when the industry is written with single
    characters (国风|塑业, 罗平|锌电) the segmenter sees one unknown run and spells it all in pinyin, while the
    registered English translates the industry ("Guofeng Plastic Industry"). Only the run's last characters
    are peeled, and only when a trade name stays in front of them: two or more characters of the run, or
    a word other than the name's first (a county used as the trade name: 云南|罗平|锌电)."""
    table = voc.industry_chars
    if not table:
        return segs
    out = list(segs)
    i = 0
    while i < len(out):
        if out[i].kind != UNKNOWN:
            i += 1
            continue
        j = i
        while j < len(out) and out[j].kind == UNKNOWN and len(out[j].text) == 1:
            j += 1
        if j == i:
            i += 1
            continue
        if j < len(out) and out[j].kind in (UNKNOWN, PLACE):
            i = j  # not where the industry is written: another word of the name follows
            continue
        k = j
        while k > i and j - k < INDUSTRY_MAX and out[k - 1].text in table:
            k -= 1
        trade_name_before = (k - i >= 2) or (
            k == i and i >= 2 and len(out[i - 1].text) >= 2 and out[i - 1].kind not in (LEGAL, ADMIN)
        )
        if k < j and trade_name_before:
            for m in range(k, j):
                ch = out[m].text
                out[m] = Segment(ch, _pinyin(ch), table[ch], TERM, "curated industry character")
        i = j
    return out


@lru_cache(maxsize=65536)
def analyse(text: str) -> ChineseAnalysis:
    """Segment a Chinese name into words with pinyin and English (memoised: names repeat)."""
    voc = vocabulary()
    norm = unicodedata.normalize("NFKC", text)
    simp = to_simplified(norm)
    segs: list[Segment] = []
    for m in _RUN_RE.finditer(simp):
        if m.group("han"):
            segs.extend(_segment_run(m.group("han"), voc))
        else:
            word = m.group("latin")
            segs.append(Segment(word, (word.lower(),), word, LATIN, "as written"))
    return ChineseAnalysis(text, simp, tuple(segs))


def _cap(syllables: tuple[str, ...]) -> str:
    return "".join(syllables).capitalize()


def _word_pinyin(seg: Segment) -> str:
    """Pinyin of one dictionary word as registered names write it: places in one word ("Harbin" →
    "Haerbin", admin suffix dropped), longer words in two-syllable words ("Gufen Youxian Gongsi",
    "Zhongguo Renmin Jiefangjun")."""
    syl = seg.pinyin
    if seg.kind == PLACE:
        # the place's own romanisation when it is one word of the same sound ("Shaanxi" for shan xi,
        # "Harbin"), pinyin otherwise ("Xizang", not "Tibet")
        if seg.english and " " not in seg.english and seg.english[:1].lower() == syl[0][:1]:
            return re.sub(r"[^A-Za-z]", "", seg.english)
        voc = vocabulary()
        if len(seg.text) >= 3 and seg.text[-1] in voc.words and voc.words[seg.text[-1]].kind == ADMIN:
            syl = syl[:-1]
        return _cap(syl)
    if len(seg.text) != len(syl) or len(syl) <= 3:
        return _chunked(syl)
    # a long dictionary word in its own words (股份|有限|公司 → "Gufen Youxian Gongsi",
    # 研究|与|发展|中心 → "Yanjiu Yu Fazhan Zhongxin")
    out: list[str] = []
    for start, end in _subwords(seg.text):
        out.append(_cap(syl[start:end]))
    return " ".join(out)


def _subwords(word: str) -> list[tuple[int, int]]:
    """Split a long vocabulary word into the shorter vocabulary words it is made of, with the
    segmenter's costs (研究|与|发展|中心, not 研究|与|发展中|心); characters that start no shorter word stand
    alone."""
    words = vocabulary().words
    costs = segmentation_costs()
    n = len(word)
    best = [0.0] + [float("inf")] * n
    back = [0] * (n + 1)
    for i in range(n):
        for j in range(i + 1, min(n, i + n - 1) + 1):
            if j - i == n:
                continue
            e = words.get(word[i:j]) if j - i > 1 else None
            if j - i > 1 and e is None:
                continue
            cost = costs.single_character if e is None else costs.word(e.kind, e.source)
            if best[i] + cost < best[j]:
                best[j], back[j] = best[i] + cost, i
    raw: list[tuple[int, int]] = []
    k = n
    while k > 0:
        raw.append((back[k], k))
        k = back[k]
    spans: list[tuple[int, int]] = []
    for i, k in reversed(raw):
        if k - i > 3:  # still long (有限公司 inside 股份有限公司): split it too
            spans.extend((i + a, i + b) for a, b in _subwords(word[i:k]))
        else:
            spans.append((i, k))
    return spans


def _title(english: str) -> str:
    """Capitalise each word's first letter, leaving the rest as written ("Sun Yat-sen", "R&D")."""
    small = {"of", "and", "the", "for", "in", "on"}
    words = english.split()
    return " ".join(w if (i and w in small) else w[:1].upper() + w[1:] for i, w in enumerate(words))


def _dropped(seg: Segment, prev: Segment | None) -> bool:
    """Administrative suffixes after a place vanish in registered English names ("深圳市" → "Shenzhen")."""
    return seg.kind == ADMIN and prev is not None and prev.kind == PLACE


def _describe(seg: Segment, shown: str) -> str:
    if seg.kind == UNKNOWN:
        return f"{seg.text}→{shown} (pinyin: not in vocabulary)"
    if seg.kind == NUMERAL:
        return f"{seg.text}→{shown} (numeral)"
    if seg.kind == LATIN:
        return f"{seg.text} (as written)"
    return f"{seg.text}→{shown} ({seg.kind}, {seg.source})"


@dataclass(frozen=True, slots=True)
class Rendering:
    text: str
    method: str
    explanation: str
    pinyin_words: tuple[str, ...] = ()  # words of a translated form that are pinyin (brands, unknown words)
    # the whole name is one dictionary entry of a named body (kind PROPER: CC-CEDICT's 北京工业大学 "Beijing
    # University of Technology"): its English is that body's registered name, not a word-by-word rendering
    registered: bool = False


def _brand_span(a: ChineseAnalysis) -> range | None:
    """Positions of the trade name (字号) when it holds dictionary words: names are registered as
    place + trade name + industry + legal form, and English names keep the trade name in pinyin even when
    it means something ("中航电测仪器" → "Zhonghang Electronic Measuring Instruments", "久远银海软件" →
    "Jiuyuan Yinhai Software")."""
    segs = a.segments
    if not any(s.kind == LEGAL for s in segs):
        return None  # trade names belong to companies (有限公司 …), not to institutes or laboratories
    i = 0
    while i < len(segs) and (segs[i].kind in (PLACE, ADMIN) or segs[i].text in ("中国", "中华")):
        i += 1
    if (
        i < len(segs) - 1
        and segs[i].kind == ABBREV
        and segs[i].short
        and segs[i + 1].kind in (PLACE, ADMIN)
        and _abbreviation_rule("zh_group_prefix_trade_name")
    ):
        # a state group's abbreviation before a place opens a subsidiary's name (中国航发|沈阳|黎明|航空发动机,
        # registered "AECC Shenyang Liming Aero Engine"): the group is the prefix, the trade name follows
        # the place
        i += 1
        while i < len(segs) and segs[i].kind in (PLACE, ADMIN):
            i += 1
    if i >= len(segs) - 1:
        return None  # nothing after the trade name: it is the whole name, not a brand
    first = segs[i]
    # a curated industry word is the trade name only when another word follows before the legal form
    # (现代|投资|股份有限公司 → "Xiandai Investment"); otherwise it is the industry (科技|有限公司)
    term_ok = first.kind == TERM and segs[i + 1].kind not in (LEGAL, FINAL_CHAR)
    if (first.kind not in (GENERAL, ORG, ABBREV, PROPER) and not term_ok) or first.english is None:
        return None
    if len(first.text) > 4:
        return None  # long named bodies are not trade names
    j = i + 1
    while (
        j < len(segs) - 1
        and segs[j].kind in (GENERAL, ORG, PROPER, UNKNOWN, PLACE)
        and len(segs[j].text) <= 4
    ):
        j += 1
    return range(i, j)


def _render(
    a: ChineseAnalysis, translate: frozenset[str] | None, brand: range = range(0), acronyms: bool = False
) -> tuple[str, str, tuple[str, ...]]:
    """Join segment renderings: translated kinds in English, everything else in joined pinyin; the
    segments in ``brand`` are kept in pinyin. ``acronyms``: a group's abbreviation gives its acronym (中航
    → AVIC) while every other word keeps its first English (the mixed form takes every word's second)."""
    words: list[str] = []
    notes: list[str] = []
    kept: list[str] = []  # words left in pinyin
    pending: list[Segment] = []  # consecutive pinyin segments merge into one word (a brand: Haikangweishi)
    prev: Segment | None = None

    def flush() -> None:
        if pending:
            word = _cap(tuple(s for seg in pending for s in seg.pinyin))
            words.append(word)
            kept.append(word)
            notes.append(
                f"{''.join(s.text for s in pending)}→{word} (pinyin"
                f"{': not in vocabulary' if all(p.kind == UNKNOWN for p in pending) else ''})"
            )
            pending.clear()

    for idx, seg in enumerate(a.segments):
        if _dropped(seg, prev):
            notes.append(f"{seg.text} dropped after place")
            prev = seg
            continue
        english = (
            seg.english
            if (translate is None or seg.kind in translate or seg.kind in (NUMERAL, LATIN))
            and idx not in brand
            else None
        )
        if english is None:
            pass
        elif translate is not None and seg.short:
            english = seg.short  # acronym in the mixed rendering: 中航 → AVIC
        elif acronyms and seg.kind == ABBREV and seg.short:
            # the acronym, the other words word by word: 中航|航空|高科技 → AVIC Aviation High-Tech
            english = seg.short
        elif translate is not None and seg.number is not None and seg.source != CODE_NUMERAL:
            # lists write "2nd", "Second" and "2": the matcher reads "2nd" as "2", so say "Second" here
            english = _ORDINAL_WORDS.get(seg.number, str(seg.number))
        if seg.kind == UNKNOWN:
            pending.append(seg)
        elif english is None:  # a dictionary word left in pinyin (mixed form)
            flush()
            shown = _word_pinyin(seg)
            words.append(shown)
            kept.append(shown)
            why = "trade name" if idx in brand else f"{seg.kind} word not translated here"
            notes.append(f"{seg.text}→{shown} (pinyin; {why})")
        elif seg.kind == SUFFIX:
            flush()
            notes.append(f"{seg.text} dropped ({vocabulary().drop_suffixes.get(seg.text, 'suffix')})")
        else:
            flush()
            english = english if seg.kind == CONNECTOR else _title(english)
            words.append(english)
            notes.append(_describe(seg, english))
        prev = seg
    flush()
    return " ".join(words), "; ".join(notes), tuple(kept)


def _chunked(syllables: list[str] | tuple[str, ...]) -> str:
    """Two syllables a word, a trailing single syllable joining the last word ("Gufen Youxian Gongsi",
    "Haikang Weishi", "Jiefangjun") — how pinyin spellings of names are usually written."""
    syl = list(syllables)
    if len(syl) <= 3:
        return _cap(tuple(syl))
    chunks = [syl[i : i + 2] for i in range(0, len(syl), 2)]
    if len(chunks[-1]) == 1:
        chunks[-2] = chunks[-2] + chunks[-1]
        chunks.pop()
    return " ".join(_cap(tuple(c)) for c in chunks)


def _pinyin_words(a: ChineseAnalysis) -> tuple[str, str]:
    """Pinyin joined per word ("Hangzhou Haikang Weishi Shuzi Jishu Gufen Youxian Gongsi")."""
    words: list[str] = []
    prev: Segment | None = None
    pending: list[str] = []

    def flush() -> None:
        if pending:
            words.append(_chunked(pending))
            pending.clear()

    for seg in a.segments:
        if _dropped(seg, prev):
            prev = seg
            continue
        if seg.kind == LATIN:
            flush()
            words.append(seg.text)
        elif seg.kind == UNKNOWN:
            pending.extend(seg.pinyin)
        elif seg.kind == NUMERAL and seg.number is not None:
            # a numbered body's number is a number in every reading (第七一〇研究所 → "… 710 Yanjiusuo"):
            # read digit by digit in pinyin ("qi yi ling") it is a bag of words, and 701 met 710 exactly
            flush()
            words.append(seg.english if seg.source == CODE_NUMERAL and seg.english else str(seg.number))
        else:
            flush()
            words.append(_word_pinyin(seg))
        prev = seg
    flush()
    return " ".join(words), "Hanzi→pinyin per word (CC-CEDICT word readings, pypinyin character readings)"


def _pinyin_syllables(a: ChineseAnalysis) -> tuple[str, str]:
    sylls: list[str] = []
    for seg in a.segments:
        if seg.kind == NUMERAL and seg.number is not None:
            # a number, as in _pinyin_words
            sylls.append(seg.english if seg.source == CODE_NUMERAL and seg.english else str(seg.number))
            continue
        sylls.extend(seg.pinyin if seg.kind != LATIN else (seg.text,))
    return " ".join(sylls), "Hanzi→pinyin per syllable (CC-CEDICT word readings, pypinyin character readings)"


@lru_cache(maxsize=65536)
def renderings(text: str) -> tuple[Rendering, ...]:
    """Every Latin rendering of a Chinese name worth indexing or querying, best first, deduplicated."""
    a = analyse(text)
    prefix = "Traditional→Simplified (OpenCC t2s); " if a.converted else ""
    out: list[Rendering] = []
    seen: set[str] = set()

    def add(
        method: str,
        rendered: tuple[str, str] | tuple[str, str, tuple[str, ...]],
        registered: bool = False,
    ) -> None:
        txt, why = rendered[0], rendered[1]
        kept = rendered[2] if len(rendered) > 2 else ()  # type: ignore[misc]
        txt = re.sub(r"\s+", " ", txt).strip()
        key = txt.casefold()
        if txt and key not in seen:
            seen.add(key)
            out.append(Rendering(txt, method, prefix + why, tuple(kept), registered))

    add("zh-en", _render(a, None), _registered(a))
    admin = _with_admin_units(a)
    if admin is not None:
        add("zh-admin", _render(admin, None))
    add("zh-mixed", _render(a, CONFIDENT_KINDS))
    if _abbreviation_rule("zh_acronym_rendering") and any(
        s.kind == ABBREV and s.short and s.short != s.english for s in a.segments
    ):
        # registered names write the group's acronym with the rest in its usual English (中航航空高科技 →
        # "AVIC Aviation High-Tech"), where the mixed form also takes every other word's second English
        add("zh-acronym", _render(a, None, acronyms=True))
    words = _abbreviation_words(a)
    if words is not None:
        add("zh-words", _render(words, None))
    brand = _brand_span(a)
    if brand is not None:
        # a group prefix left before the trade name is written as the group's acronym (AECC Shenyang Liming)
        prefix_group = any(s.kind == ABBREV and s.short for s in a.segments[: brand.start])
        add("zh-brand", _render(a, None, brand, acronyms=prefix_group))
    literal = _literal_brand(a)
    if literal is not None:
        add("zh-literal", _render(literal, None))
    unit = _without_parent(a)
    if unit is not None:
        parent = a.simplified[: len(a.simplified) - len(unit.simplified)]
        for kinds in (None, CONFIDENT_KINDS):  # word by word, then organisation vocabulary only
            txt, why, kept = _render(unit, kinds)
            add("zh-unit", (txt, f"parent body {parent} left out; {why}", kept))
    add("pinyin", _pinyin_words(a))
    add("pinyin-syllables", _pinyin_syllables(a))
    return tuple(out)


def _with_admin_units(a: ChineseAnalysis) -> ChineseAnalysis | None:
    """The name of a public body with its places' administrative units written out, as such bodies
    register them: 乌鲁木齐市公安局 → "Urumqi Municipal Public Security Bureau", 昌吉回族自治州公安局 →
    "Changji Hui Autonomous Prefecture Public Security Bureau", 新疆维吾尔自治区人民医院 → "Xinjiang Uygur
    Autonomous Region People's Hospital". A company drops the unit (深圳市…有限公司 → "Shenzhen … Co Ltd",
    the zh-en rendering), and so does a shop or trading firm without a legal form (四会市…珠宝店): only a
    name ending as a public body does (zh/org_terms.yml public_body_ends) and holding no trade name in
    pinyin gets this one. None otherwise, when no place has a unit (admin_units, ethnic_groups) or the rule
    is off (matching.yml chinese_segmentation.admin_units_kept)."""
    if not segmentation_costs().admin_units_kept:
        return None
    voc = vocabulary()
    if not a.simplified.endswith(voc.public_body_ends) or any(s.kind in (LEGAL, UNKNOWN) for s in a.segments):
        return None
    units = voc.admin_units
    segs = list(a.segments)
    changed = False
    for idx, seg in enumerate(segs):
        if seg.kind == ADMIN and idx > 0 and segs[idx - 1].kind == PLACE and seg.text in units:
            # 深圳|市: the unit is a word of its own, dropped after the place in the other renderings
            segs[idx] = Segment(seg.text, seg.pinyin, units[seg.text], TERM, "curated admin unit")
            changed = True
        elif seg.kind == PLACE and seg.english:
            # 乌鲁木齐市, 昌吉回族自治州: one dictionary place whose English leaves the unit out
            unit = next((u for u in units if seg.text.endswith(u) and len(seg.text) >= len(u) + 2), None)
            if unit is None:
                continue
            stem = seg.text[: -len(unit)]
            ethnic: list[str] = []
            while True:
                group = next(
                    (g for g in voc.ethnic_groups if stem.endswith(g) and len(stem) >= len(g) + 2), None
                )
                if group is None:
                    break
                ethnic.insert(0, voc.ethnic_groups[group])
                stem = stem[: -len(group)]
            words = [seg.english] + ([" and ".join(ethnic)] if ethnic else []) + [units[unit]]
            segs[idx] = Segment(seg.text, seg.pinyin, " ".join(words), PLACE, seg.source)
            changed = True
    return ChineseAnalysis(a.original, a.simplified, tuple(segs)) if changed else None


def _registered(a: ChineseAnalysis) -> bool:
    """Whether the name is, as a whole, one dictionary entry of a named body (CC-CEDICT's 北京工业大学,
    "Beijing University of Technology"), so that its English rendering is that body's registered name,
    not a word-by-word one. Not when the name ends in a kind of body the curated vocabulary registers as
    two kinds (学院: University or College; 研究院: Research Institute or Academy): the dictionary's kind
    is then one gloss among several, and often the name before the body was renamed (安徽中医学院, "Anhui
    College of Traditional Chinese Medicine", now a University); CC-CEDICT glosses such names loosely
    (上海戏剧学院 "Shanghai Theatrical Institute", registered as Shanghai Theatre Academy)."""
    segs = a.segments
    if len(segs) != 1 or segs[0].kind != PROPER or segs[0].english is None:
        return False
    words = vocabulary().words
    text = a.simplified
    for size in (2, 3):
        if len(text) <= size:
            break
        term = words.get(text[-size:])
        if term is not None and term.source == "curated":
            return not _kinds_differ(term.english, term.short)
    return True


def _kinds_differ(first: str, second: str | None) -> bool:
    """Whether two English renderings of one Chinese word end in two different kinds of body (the names
    vocabulary's body_kinds: University / College, Research Institute / Academy)."""
    if not second:
        return False
    kinds = vocab().body_kinds
    a, b = first.split()[-1].lower(), second.split()[-1].lower()
    return a != b and a in kinds and b in kinds


def _abbreviation_words(a: ChineseAnalysis) -> ChineseAnalysis | None:
    """The name with each group abbreviation made of dictionary words read as those words (中国石油|大学 →
    中国|石油|大学, "China Petroleum University"; 航天科技|控股 → "Aerospace Technology Holdings"): the
    abbreviation reading (PetroChina, CASC) is forced onto every name that holds the words, and a body
    named for its field or a firm using them as its own words registers them word by word. None when no
    abbreviation splits so (中航: two single characters) or the rule is off (matching.yml
    zh_abbreviation_words_rendering)."""
    if not any(s.kind == ABBREV for s in a.segments) or not _abbreviation_rule(
        "zh_abbreviation_words_rendering"
    ):
        return None
    words = vocabulary().words
    out: list[Segment] = []
    changed = False
    for seg in a.segments:
        parts = _subwords(seg.text) if seg.kind == ABBREV and len(seg.text) >= 4 else []
        entries = [words.get(seg.text[i:j]) for i, j in parts]
        if len(parts) < 2 or any(
            j - i < 2 or e is None or not e.english for (i, j), e in zip(parts, entries, strict=True)
        ):
            out.append(seg)
            continue
        out.extend(
            Segment(e.word, e.pinyin, e.english, e.kind, e.source, e.short) for e in entries if e is not None
        )
        changed = True
    return ChineseAnalysis(a.original, a.simplified, tuple(out)) if changed else None


def _literal_brand(a: ChineseAnalysis) -> ChineseAnalysis | None:
    """The name with an unknown trade name translated character by character when every character is a
    common brand morpheme (天龙 → Sky Dragon); None when there is no such trade name. Companies only."""
    if not any(s.kind == LEGAL for s in a.segments):
        return None
    chars = vocabulary().brand_chars
    segs = list(a.segments)
    changed = False
    for idx, seg in enumerate(segs):
        if seg.kind == UNKNOWN and 2 <= len(seg.text) <= 3 and all(ch in chars for ch in seg.text):
            english = " ".join(chars[ch] for ch in seg.text)
            segs[idx] = Segment(seg.text, seg.pinyin, english, BRAND_LITERAL, "curated brand characters")
            changed = True
        elif (
            seg.kind == UNKNOWN
            and len(seg.text) == 1
            and seg.text in chars
            and idx + 1 < len(segs)
            and segs[idx + 1].kind in (GENERAL, ORG, TERM)
        ):
            # one brand character before a dictionary word: 金|螳螂 → Gold Mantis
            segs[idx] = Segment(
                seg.text, seg.pinyin, chars[seg.text], BRAND_LITERAL, "curated brand characters"
            )
            changed = True
    return ChineseAnalysis(a.original, a.simplified, tuple(segs)) if changed else None


def _without_parent(a: ChineseAnalysis) -> ChineseAnalysis | None:
    """The name of a sub-unit without its parent body (中国科学院|力学研究所 → 力学研究所), which lists
    often carry on its own; None when the name does not start with a known parent."""
    voc = vocabulary()
    simp = a.simplified
    for parent in voc.parents:
        if simp.startswith(parent) and len(simp) > len(parent) + 1:
            segs = a.segments
            taken, k = "", 0
            while k < len(segs) and len(taken) < len(parent):
                taken += segs[k].text
                k += 1
            overshoot = taken[len(parent) :]
            if (
                taken.startswith(parent)
                and k < len(segs)
                and (not overshoot or segs[k - 1].kind == LEGAL or _is_legal(overshoot))
                and segs[k].text not in ("大学", "研究生院")  # 中国科学院大学 is its own university
            ):
                # skip a trailing 公司 of the parent (中国航天科工集团公司第二研究院)
                while k < len(segs) - 1 and segs[k].kind == LEGAL:
                    k += 1
                rest = segs[k:]
                if not any(
                    s.kind not in (NUMERAL, LEGAL, FINAL_CHAR) and (s.english or "") not in _BODY_WORDS
                    for s in rest
                ):
                    return None  # "2nd Research Institute" alone names nothing: keep the parent
                return ChineseAnalysis(a.original, simp[len(taken) :], rest)
    return None


def _is_legal(text: str) -> bool:
    e = vocabulary().words.get(text)
    return e is not None and e.kind == LEGAL


# English words that name a kind of body, not a particular one
_BODY_WORDS = frozenset(
    {
        "Research Institute",
        "Institute",
        "Academy",
        "Research Center",
        "Center",
        "Laboratory",
        "University",
        "College",
        "Hospital",
        "Factory",
        "Branch",
        "Base",
        "Unit",
        "Department",
        "Bureau",
    }
)


__all__ = [
    "ABBREV",
    "LEGAL",
    "PROPER",
    "TERM",
    "ChineseAnalysis",
    "Rendering",
    "Segment",
    "analyse",
    "has_han",
    "ordinal",
    "parse_numeral",
    "renderings",
    "to_simplified",
]


@lru_cache(maxsize=65536)
def chinese_core_name(text: str) -> str:
    """The trade name (字号) of a Chinese company name: registered names are region + trade name +
    industry words + legal form (杭州 海康威视 数字技术 股份有限公司), and the firm trades under the trade
    name (海康威视). "" when the name is no company's (no legal form), has no trade name of its own, or
    is only the trade name already."""
    if not has_han(text):
        return ""
    a = analyse(text)
    segs = a.segments
    if not any(s.kind == LEGAL for s in segs):
        return ""
    core = [s for s in segs if s.kind in (UNKNOWN, PROPER, GENERAL, ORG, ABBREV)]
    kept = "".join(s.text for s in core)
    if not core or len(kept) < 2 or len(core) > 2 or kept == a.simplified:
        return ""
    return kept
