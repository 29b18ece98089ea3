"""A Latin name written in Wade-Giles, read back into Hanyu Pinyin (Chang Hsiao-ming → Chang Xiaoming).

Why: the lists write a Chinese person's name in Pinyin (ZHANG, Xiaoming); a passport of Taiwan, an older
document or a customer's own form often writes it in Wade-Giles, the romanisation of Mandarin before Pinyin
and still Taiwan's. The two spell most syllables apart (hsiao / xiao, kuo / guo, tung / dong, chien / jian),
so neither retrieval nor the scorer meets them: ``python -m bench.romanisation`` found a listed person's own
record for 0.10 of the lists' Chinese persons written in Wade-Giles.

The syllable table is pypinyin's (data/names/wade_giles.tsv, written by tools/build_wade_giles.py with twelve
syllables corrected to the Library of Congress table): every Pinyin syllable as its ``Style.WADEGILES`` writes
it, apostrophes and umlauts dropped as forms and passports drop them (ch'en →
chen, hsü → hsu). A name reads as Wade-Giles when it has two to four words, every word one or two such
syllables (joined or hyphenated: Hsiao-ming, Hsiaoming), and at least one word that is no Pinyin at all
(hsiao, tung) or a given name hyphenated (Ming-kuo: Pinyin writes it as one word); a name of Pinyin words
is read as written (Chen Wei, Peng Po) unless ``wade_giles_pinyin_alike`` (session 22: 彭博 Peng Bo is Peng
Po in Wade-Giles, and only the syllables tell). Such a name was read twice (``wade_giles_readings`` 0), every
syllable into Pinyin: first each as the Pinyin it spells without an apostrophe, then each with the
apostrophe the form dropped (chen is 真 Zhen as written, 陈 Chen as ch'en; tsai 在 Zai or 蔡 Cai as ts'ai:
"Tsai Ta-feng" → "Zai Dafeng", "Cai Tafeng"). A name mixes them (高奇 Gao Qi is Kao Ch'i) and forms drop the
umlaut too (全国 Quanguo is Ch'üan-kuo): with ``wade_giles_readings`` N the N likeliest readings, each
syllable read any way it may be, a reading as likely as the product of its syllables' shares of the
characters (``_mixed``). bench.romanisation found the own record of 0.936 / 0.941 of the lists' Chinese
persons written so with the two readings, 1.000 / 1.000 with eight.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache

from chipguard.names.data import name_data_file

_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?")


@cache
def syllable_table() -> dict[str, tuple[str, int]]:
    """Every Pinyin syllable → (its Wade-Giles as the table writes it, apostrophe and v for ü kept; how many
    characters read it), from data/names/wade_giles.tsv (tools/build_wade_giles.py: pypinyin's table)."""
    table: dict[str, tuple[str, int]] = {}
    for line in name_data_file("names/wade_giles.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            latin, wade, count = line.split("\t")
            table[latin] = (wade, int(count))
    return table


def plain(wade: str) -> str:
    """A Wade-Giles syllable as forms and passports write it: no apostrophe, u for ü (ch'en → chen, hsv → hsu)."""
    return wade.replace("'", "").replace("v", "u")


@cache
def _readings() -> dict[str, tuple[str, str]]:
    """Wade-Giles syllable without apostrophes or umlauts → its two Pinyin readings: the one whose Wade-Giles
    has no apostrophe first, the aspirated one second. The dropped apostrophe leaves chen both 真 zhen
    (chen) and 陈 chen (ch'en), tsai both 在 zai and 蔡 cai (ts'ai): both are read."""
    syllables = syllable_table()
    readings: dict[str, list[str]] = {}
    for latin, (wade, _count) in syllables.items():
        readings.setdefault(plain(wade), []).append(latin)
    table: dict[str, tuple[str, str]] = {}
    for wade, latins in readings.items():
        # without an apostrophe first, then without an umlaut, then the syllable more characters read
        # (lo is 罗 luo far more often than 咯 lo)
        latins.sort(
            key=lambda latin: (
                "'" in syllables[latin][0],
                "v" in syllables[latin][0],
                -syllables[latin][1],
                latin,
            )
        )
        aspirated = [x for x in latins if "'" in syllables[x][0]]
        table[wade] = (latins[0], aspirated[0] if aspirated else latins[0])
    return table


def split_syllables(word: str, table: Collection[str]) -> list[str] | None:
    """``word`` (lower case) as one or two syllables of ``table``, a syllable after the first starting with
    a consonant (as both systems write a syllable boundary without a mark: Pinyin xi'an), or None."""
    if word in table:
        return [word]
    for cut in range(len(word) - 1, 0, -1):
        head, rest = word[:cut], word[cut:]
        if head in table and rest in table and rest[0] not in "aeiou":
            return [head, rest]
    return None


@cache
def _choices() -> dict[str, tuple[tuple[str, float], ...]]:
    """Wade-Giles syllable without apostrophes or umlauts → every Pinyin syllable it may be, with its share of
    the characters reading them, likeliest first: chi is 基 ji (chi, 296 characters) or 奇 qi (ch'i, 204), chuan
    is 全 quan (ch'üan), 娟 juan (chüan), 专 zhuan (chuan) or 川 chuan (ch'uan). Pinyin's ü is written u, as
    passports and the lists write it (吕 LU): lu and lv are one reading."""
    counts: dict[str, dict[str, int]] = {}
    for latin, (wade, count) in syllable_table().items():
        read = counts.setdefault(plain(wade), {})
        read[latin.replace("v", "u")] = read.get(latin.replace("v", "u"), 0) + count
    table: dict[str, tuple[tuple[str, float], ...]] = {}
    for wade, read in counts.items():
        total = sum(read.values())
        table[wade] = tuple(
            (latin, count / total)
            for latin, count in sorted(read.items(), key=lambda item: (-item[1], item[0]))
        )
    return table


def _mixed(read: list[list[str]], most: int) -> list[str]:
    """The ``most`` likeliest readings of a name's syllables (``read``: a word's syllables, for each word),
    each syllable read as any Pinyin syllable it may be (``_choices``) and a name as likely as the product of
    its syllables' shares: Kao Chi → Gao Ji, Gao Qi, Kao Ji, Kao Qi (Kao is 高 Gao or 考 Kao, Chi 基 Ji or 奇
    Qi). A beam of ``most`` partial readings, syllable by syllable, is exact for the ``most`` likeliest (a
    reading's every prefix is among the likeliest prefixes); ties go by spelling."""
    choices = _choices()
    beam: list[tuple[float, tuple[str, ...]]] = [(1.0, ())]
    for syllable in (s for word in read for s in word):
        grown = [(p * share, done + (latin,)) for p, done in beam for latin, share in choices[syllable]]
        grown.sort(key=lambda item: (-item[0], item[1]))
        beam = grown[:most]
    out = []
    for _p, latins in beam:
        at = 0
        words = []
        for word in read:
            words.append("".join(latins[at : at + len(word)]).capitalize())
            at += len(word)
        out.append(" ".join(words))
    return out


def name_words(name: str) -> list[str]:
    """The words of ``name`` when it has the shape of a romanised person's name — two to four ASCII words,
    a hyphenated given name one word (Chang Hsiao-ming), nothing else but spaces, commas and full stops —
    else []. Both romanisation readers (this module's and chipguard.names.korean's) read only such names."""
    if not name.isascii():
        return []
    words = _WORD.findall(name)
    if not 2 <= len(words) <= 4 or _WORD.sub(" ", name).strip(" ,.") != "":
        return []
    return words


def pinyin_readings(name: str, pinyin_alike: bool = False, most: int = 0) -> tuple[str, ...]:
    """``name`` read from Wade-Giles into Pinyin; () when the name does not read as Wade-Giles (see the
    module docstring). With ``most`` 0, two readings: each syllable as written without an apostrophe, then
    each as its aspirated reading ("Tsai Ta-feng" → "Zai Dafeng", "Cai Tafeng"); else the ``most``
    likeliest readings mixing them, and the umlaut's (``_mixed``), the name as written left out. With
    ``pinyin_alike`` a name whose every word is Pinyin too is read as well (Peng Po → Peng Bo, Kao Chi →
    Gao Qi): Wade-Giles writes 彭博 Peng Po, and only the syllables tell."""
    words = name_words(name)
    if not words:
        return ()
    syllables, table = syllable_table(), _readings()
    read: list[list[str]] = []
    wade_only = False
    for word in words:
        parts = [split_syllables(part, table) for part in word.lower().split("-")]
        if any(p is None for p in parts):
            return ()
        flat = [s for p in parts for s in p or ()]
        if len(flat) > 2:
            return ()
        # a word no Pinyin spells, or a given name's syllables hyphenated (Ming-kuo: Pinyin writes one word)
        wade_only = wade_only or "-" in word or split_syllables(word.lower(), syllables) is None
        read.append(flat)
    if not wade_only and not pinyin_alike:
        return ()  # every word is Pinyin as written (Chen Wei, Wang Wu): read as written
    # (a hyphenated name's reading joins its given name, a form of its own: Yuan Chen-pin → Yuan Chenpin)
    written = " ".join(words).lower()
    out: list[str] = []
    if most > 0:
        candidates = _mixed(read, most + 1)  # one more: the name as written may be among them
    else:
        candidates = [
            " ".join("".join(table[s][which] for s in word).capitalize() for word in read) for which in (0, 1)
        ]
    for text in candidates:
        if text not in out and text.lower() != written:
            out.append(text)
    return tuple(out[: most or 2])
