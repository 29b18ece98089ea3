"""Listed persons with Chinese names, written in Wade-Giles: does screening still find them?

Why: the lists write a Chinese person's name in Hanyu Pinyin (ZHANG, Xiaoming); a passport of Taiwan, an
older document or a customer's own form often writes the same name in Wade-Giles (Chang Hsiao-ming), the
romanisation of Mandarin used before Pinyin and still in Taiwan. Both write one name, so a screening product
robust to Chinese names must meet them. This set is built from the lists themselves, for every listed person
of China, Hong Kong, Macao or Taiwan (a country, nationality or address the record gives) whose every name
word reads as one or two Pinyin syllables (a Chinese surname or given name), a syllable after the first starting with a consonant as Pinyin
writes them without an apostrophe (ZHANG, Xiaoming: zhang + xiao|ming; not PAO, Hua Chiang, already
Wade-Giles: chi|ang would need chi'ang), interjection syllables (m, n, ng, hm, hng, ê) left out: each
syllable written as ``pypinyin``'s ``Style.WADEGILES`` writes it (twelve syllables corrected to the Library of
Congress table: chipguard/data/names/wade_giles.tsv), apostrophes dropped (as forms and
passports drop them: Ch'en → Chen), a given name's syllables joined by a hyphen (Hsiao-ming), the surname
first. A query is found when the person's own record is among its hits. Three columns: CSL 2022-04 (the dev
watchlist) and the C lists (OFAC SDN 2024-05-03, the UN list, OFAC's non-SDN list: other entities), each
queried against its own list, and a second sample of names on no list (session 22: every listed Chinese
person of another release is already in the first two): 400 synthetic Chinese persons (``synthetic_persons``,
seed 22), listed in Pinyin beside CSL 2022-04. The rules of session 22 were written on the first two columns'
misses; the second sample's were read after. Nothing is tuned to: the names are the lists' own or drawn, the
spelling a library's::

    python -m bench.romanisation --shared ../shared/data

``python -m bench`` prints it after the generated evasions.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from bench.scale import CSL
from bench.sets import person_watchlists
from chipguard.names.wade_giles import plain, split_syllables, syllable_table

_WORD = re.compile(r"[A-Za-z]+")
CHINESE_COUNTRIES = frozenset({"CN", "HK", "MO", "TW"})


def syllables(word: str) -> list[str] | None:
    """``word`` as the fewest Pinyin syllables (one or two), or None when it does not read as Pinyin."""
    return split_syllables(word.lower(), syllable_table())


def wade_giles_name(name: str) -> str | None:
    """A Pinyin person name ("ZHANG, Xiaoming") in Wade-Giles ("Chang Hsiao-ming"), or None when a word does
    not read as Pinyin or the spelling would not change."""
    words = _WORD.findall(name)
    if len(words) < 2:
        return None
    table = syllable_table()
    parts = []
    for word in words:
        read = syllables(word)
        if read is None:
            return None
        parts.append("-".join(plain(table[s][0]) for s in read).capitalize())
    written = " ".join(parts)
    if written.replace("-", "").lower() == " ".join(words).lower():
        return None
    return written


def rows(parties: list[Any]) -> list[tuple[str, str, str]]:
    """(list name, Wade-Giles query, party id) for every listed person whose name reads as Pinyin."""
    from chipguard.model import PartyKind

    seen: set[str] = set()
    out = []
    for party in parties:
        if party.kind != PartyKind.PERSON or not party.name:
            continue
        places = {*party.countries, *party.nationalities, *(a.country for a in party.addresses)}
        if not places & CHINESE_COUNTRIES:
            continue
        query = wade_giles_name(party.name)
        if query is None or query in seen:
            continue
        seen.add(query)
        out.append((party.name, query, party.party_id))
    return out


# the second sample (session 22): Chinese persons of no list, a surname of the hundred commonest and one or two
# given-name characters (common ones), drawn with a fixed seed and written in Pinyin by pypinyin, listed beside
# CSL 2022-04 and queried in Wade-Giles as the lists' persons are: other names than the lists', so a rule
# written on the lists' misses is checked on names it was not written on
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力志海云鹏飞峰斌波宁林宇浩凯俊晨晓东"
    "亮成龙琳雪梅慧金春燕新清鑫家佳欣婷子思嘉博天瑞健永安庆福荣德光中正学立振兴祥彬继卫昌松胜鸿怡琪璐倩"
    "泽轩哲宏坤彦晶珍川全群冬秋岩楠江涵初"
)


def synthetic_persons(count: int = 400, seed: int = 22) -> list[Any]:
    """``count`` Chinese persons of no list ("GAO, Min", "LEI, Huaji"), country CN, their names as pypinyin
    reads the drawn characters (a name with ü, lü / nü, left out: the lists write it three ways)."""
    import random

    from pypinyin import Style, lazy_pinyin

    from chipguard.model import Party, PartyKind

    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[Any] = []
    while len(out) < count:
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        read = lazy_pinyin(rng.choice(SURNAMES) + given, style=Style.NORMAL)
        name = f"{read[0].upper()}, {''.join(read[1:]).capitalize()}"
        if any("v" in s for s in read) or name in seen:
            continue
        seen.add(name)
        out.append(
            Party(
                source="synthetic",
                party_id=f"wg-{len(out)}",
                name=name,
                kind=PartyKind.PERSON,
                countries=["CN"],
            )
        )
    return out


def recall(screener: Any, parties: list[Any], show: int = 0) -> tuple[int, int, int]:
    """(queries, own record found, own record first) of the Wade-Giles set built from ``parties`` (the
    Chinese persons among them), screened by ``screener``."""
    found = first = 0
    built = rows(parties)
    shown = 0
    for name, query, party_id in built:
        hits = screener.screen(query, kind="person")
        ids = [h.party_id for h in hits]
        found += party_id in ids
        first += bool(ids) and ids[0] == party_id
        if party_id not in ids and shown < show:
            shown += 1
            print(f"- missed: {name!r} as {query!r} → {[(h.name, round(h.score, 3)) for h in hits[:2]]}")
    return len(built), found, first


def run(shared: Path, csl_screener: Any = None, csl_parties: list[Any] | None = None, show: int = 0) -> None:
    """Prints the set's recall against CSL 2022-04 and against the C lists."""
    from chipguard.match.screener import Screener

    columns = person_watchlists(shared, csl_screener, csl_parties)
    synthetic = synthetic_persons()
    columns.append(
        (
            "second sample: 400 synthetic persons beside CSL 2022-04",
            Screener(columns[0][2] + synthetic),
            synthetic,
        )
    )
    print("\n## Listed persons with Chinese names written in Wade-Giles (`python -m bench.romanisation`)\n")
    print("| watchlist | queries | own record found | own record first |")
    print("|---|---:|---:|---:|")
    for label, screener, persons in columns:
        n, found, first = recall(screener, persons, show)
        print(f"| {label} | {n} | {found / max(n, 1):.3f} | {first / max(n, 1):.3f} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.romanisation", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    parser.add_argument("--show", type=int, default=0, help="print this many misses per watchlist")
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    if not (shared / CSL).exists():
        print(f"bench.romanisation: {shared} holds no benchmark data; nothing to run.")
        return 0
    run(shared, show=args.show)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
