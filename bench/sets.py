"""Brand / short-name and look-alike sets, built here from the real lists (not from the dev query rows).

Three columns of sets built the same way (run ``python -m bench.sets --shared ../shared/data``;
``python -m bench`` runs it too), side by side so the gap between the sets the rules were developed on
and sets of other entities is visible:

- **A / B**: the sets built on CSL 2022-04 (``lists/us_csl_2022-04.csv.gz``, the dev watchlist), split
  into two disjoint halves by a hash of the query name (``half``). The evidence rules of issue 12 were
  written looking at the failures of half A only; B was the held-out half until session 12, when the
  lead opened its commercial look-alikes (below): B is a dev set since.
- **C (other lists, other entities)**: watchlist OFAC SDN 2024-05-03 + the UN consolidated list
  2026-02-27 + OFAC's non-SDN consolidated list 2025 (enhanced XML); its look-alike and English recall
  queries are drawn only from records none of whose names is on CSL 2022-04 (entities designated after
  2022-04 or listed only by the UN), its sibling pool adds the Chinese companies of the DoD §1260H list
  (``lists/other/us_dod_1260h.csv``). The legacy SDN CSV carries no addresses, so C has few generic-name
  and Chinese-organisation queries (an organisation without a country cannot be "in another country");
  its vessel, brand and Chinese-name sets are full size.

- **D (held out from the look-alike work of issue 12, session 5)**: generic-country look-alikes of
  other entities — the generic names (``generic_only``) that organisation records outside China, Hong
  Kong and Macao carry as an *alias*, on records whose primary name no set of A, B or C queries, the
  aliases themselves queried by no other set; D1 on CSL 2022-04 (screened against it), D2 on the C
  lists and not on CSL 2022-04 (screened against C's watchlist). Queried with country CN: the identical
  name of another country's body, and its near names on the list, must not alert. Built after the rules
  of that work were written on the failures of B; its own failures were looked at once (BENCHMARKS.md).

- **E (held out, session 6; keep it blind)**: the same class the other way round — the generic names
  (``generic_only``, the primary name or an alias) of organisation records in China, Hong Kong or Macao,
  the records D leaves out, queried as a body in another country (``ABROAD``, the United States; a
  record that lists it is left out): the identical generic name of a listed Chinese body, and its near
  names on the list, must not alert for a customer elsewhere. No name that A–D query is queried (the
  English recall sets query the primary names of Chinese records with country CN, so E holds those
  records' other names and the names of records no set queries); E1 on CSL 2022-04, E2 on the C lists
  and not on CSL 2022-04 (empty on the shared data, so not printed). Why the other way round: the shared
  data holds no further generic name of an organisation outside China whose record no set already
  queries (the SDN 2021-07 set with addresses, the non-SDN 2025 CSVs, the DPL, the other US lists and the
  samples were searched: every such name is another name of a record A, B or C queries). E was built after
  the session-6 reading of D; its figures were looked at once, as totals (BENCHMARKS.md), and its
  failures have not been read — read them only to judge a finished rule, and say so there.

- **F (held out, session 7; keep it blind)**: a kind no set covered — real organisations in China that
  are *not* listed, whose names are generic (``generic_only``), queried in their own country (CN), where
  listed Chinese bodies of generic names are (D and E query listed records' names in another country).
  The pool is the xscript watchlist (ROR, SZSE and university names, real Chinese bodies: "State Key
  Laboratory of Catalysis", "Chinese Mechanical Engineering Society", "WESTERN SECURITIES CO.,LTD"),
  each generic English name (**F-en**) and the same body's Chinese-script name from the xscript query
  file (**F-zh**: 催化基础国家重点实验室, 中国机械工程学会), queried with country CN; a body any of whose two
  names is a listed name of the watchlist (same key), or that A–E query, is left out. F1 screens them
  against CSL 2022-04, F2 against the C lists. The bodies are unlisted by the pool's construction, so
  any alert counts as false — including one on a listed Chinese body of the same meaning, which a review
  would clear (the table's last column says how many alerted only in CN). Built before any rule of
  session 7 changed; its figures are read as totals only (``generic_unlisted_in_country``).

- **Session 8: three more look-alike kinds, in the A / B / C columns** (built after D–F, from names
  none of them queries; A is the dev half, B the held-out half, split by ``split``: a company's
  Chinese name goes with its English name; C gets the kinds against its own lists without B's queries):
  ``lookalike_person`` — real persons listed on *another* watchlist (for A/B: persons of the C lists
  not on CSL 2022-04; for C: persons of CSL 2022-04 not on the C lists) queried as a person of their
  stated country, a hit counting only on a listed person of another country (``person_lookalikes``:
  "Tan Wei Ming" SG vs "Tan Wei" CN); ``lookalike_commercial_en`` / ``_zh`` — real Chinese companies
  with ordinary commercial names that are on no list (the xscript pool's SZSE and magicdover companies)
  sharing a core word with a listed Chinese organisation, by English and Chinese-script name, as CN
  (``commercial_unlisted``); ``lookalike_parent_blob`` — real unlisted names sharing a word with a list
  name that is a whole "(Parent Organization: …)" / "Affiliated Entity:" blob, a hit counting only on
  such a record (``parent_blob_lookalikes``; CSL only: the C lists have no blob names). B was measured
  once, before any rule of session 8 changed (BENCHMARKS.md); read only A's and C's failures.
  **Session 12: B became a dev set.** Its commercial look-alikes (0.045 English, 0.036 Chinese script)
  had not moved in five sessions while A, G and H were fixed: the classes read on the dev sets did not
  generalise to it, and a figure read only as totals says nothing about why. The pools of real unlisted
  Chinese companies are used up by A–H, so no fresh held-out set of this kind can be built; the lead
  opened B to read its alerts by class (BENCHMARKS.md, "session 12, lookalike8"), each class fixed being
  checked on a second sample built from other entities. There is no held-out commercial look-alike set
  since; C's one English alert (a NORINCO subsidiary on NORINCO) is a review, not a false alarm.

- **G (a further dev set, session 9)**: the commercial look-alike kind of session 8 from *other*
  entities than A–F query — real Chinese companies on no list sharing a core with a listed Chinese
  organisation of either watchlist, by an English core word or by a Chinese trade name (its proper-name
  segment sharing two characters with a listed Chinese name's, or read in pinyin as a listed English core
  word): the screening dev files' real company negatives (English names of firms listed on Chinese
  exchanges, Chinese-script business names) and the xscript pool's companies whose *Chinese* name links
  (``commercial_unlisted_more``). Queried as CN by English and Chinese names, against CSL 2022-04 (G1)
  and the C lists (G2). A dev set: its alerts are read and the rules of session 9 were written on them.

- **H (a further dev sample, session 10)**: every other company of G's pools that no set A–G queries
  and that is on no list — those sharing no core word or trade name *as written* with a listed firm
  (``commercial_unlisted_rest``): what alerts among them met a listed name through a near word (a
  sound-alike, a one-syllable variant of a pinyin trade name). Queried as CN by English and Chinese
  names against CSL 2022-04 (H1) and the C lists (H2); the second sample on which a rule written on A's
  and G's alerts is checked.

For D, E, F, G and H the table also says how many alerting queries alerted only on records in the query's own
country (``Outcome.alerting_in_country``): such a hit is the same generic name in the same country (a
translated Chinese name of the same meaning, for D), which the set's construction cannot call false —
the listed body may be the customer.

Every query is a real name; how each set is built:

- **brand_zh**: the Chinese short names / brands (``short``) of the curated listed-party file
  (chipguard/data/zh/listed_party_names.yml, each entry citing an exchange filing, registry or official
  site) whose English name is a party of the watchlist; the right answer is every record of that English
  name. **brand_en**: the curated one- or two-word English trade names (``english_variants`` without a
  legal form, e.g. Hikvision, Hikmicro) of the same entries. On A both run four ways: curated file on/off ×
  trade-name rule (``core_names`` in matching.yml) on/off — with the file off the rule alone must find the
  firm.
- **lookalike_generic_country**: names of listed bodies outside China made only of generic and
  institutional words (a ministry, an academy, a bank: ``Ministry of Defence``), queried with country CN:
  the identical name of another country's body must not alert.
- **lookalike_vessel**: the names of listed vessels queried as organisations (a firm named like a ship):
  a hit on a vessel record is a false positive (hits on organisation records are not counted).
- **lookalike_sibling**: real Chinese institutions that are not on the watchlist (the names of the xscript
  watchlist — ROR, SZSE, university lists — as a pool of real names; on B also the §1260H names) that
  share every word but one distinctive word with a listed institution ("X University of Technology" vs
  "Y University of Technology"; the differing word is not a spelling of the listed one, China/Chinese),
  queried with country CN: the sibling must not alert on the listed one.
- **recall_zh / recall_en**: the positives beside the look-alikes: the curated Chinese legal names of
  listed firms and the English names of listed Chinese organisations (A: the Entity List's; B: every
  list's), queried with country CN. recall_zh also runs the four ways of the brand sets on A + B: with the
  curated file off, the curated Chinese legal names stand for a held-out set of other listed firms (whose
  Chinese names no curated file holds) — what the translation rule finds alone.

Two figures per set. **raw**: any hit counts (a hit of the counted kinds is a false positive; a positive
is found when a hit names an accepted record). **alerting**: what decisions and casework act on
(chipguard.match.evidence): only a hit of strength potential or confirmed counts — a weak hit is recorded,
not alerted, so a negative with only weak hits is no false positive and a positive found only as weak is
a miss.

Targets (issue 12): look-alike FPR ≤ 0.02 (alerting) with Chinese-name recall ≥ 0.95 and English ≥ 0.99;
brand recall ≥ 0.95.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CSL = "lists/us_csl_2022-04.csv.gz"
OTHER_LISTS = (
    "lists/ofac_sdn_2024-05-03.csv",
    "lists/un_consolidated_2026-02-27.xml",
    "lists/ofac_cons_enhanced_2025-01-10.zip",
)


C_LISTS_LABEL = "C lists (OFAC SDN 2024-05, UN, non-SDN 2025)"


def person_watchlists(
    shared: Path, csl_screener: Any = None, csl_parties: list[Any] | None = None
) -> list[tuple[str, Any, list[Any]]]:
    """(label, screener, parties) of the two watchlists the spelling sets (bench.romanisation,
    bench.korean, bench.arabic_names) query their persons against: CSL 2022-04 (the dev watchlist; the
    caller's screener and parties when it has them) and the C lists when present (other entities). The C
    lists are parsed and indexed once a process, whichever set asks first."""
    from chipguard.match.screener import Screener
    from chipguard.sources import parse_file

    if csl_parties is None:
        csl_parties = parse_file(shared / CSL).parties
    if csl_screener is None:
        csl_screener = Screener(csl_parties)
    columns: list[tuple[str, Any, list[Any]]] = [("CSL 2022-04", csl_screener, csl_parties)]
    others = _c_lists(str(shared))
    if others is not None:
        columns.append((C_LISTS_LABEL, *others))
    return columns


@cache
def _c_lists(shared: str) -> tuple[Any, list[Any]] | None:
    """The C lists' screener and parties (None when none of the files is there)."""
    from chipguard.match.screener import Screener
    from chipguard.sources import parse_file

    root = Path(shared)
    parties = [p for path in OTHER_LISTS if (root / path).exists() for p in parse_file(root / path).parties]
    return (Screener(parties), parties) if parties else None


DOD_1260H = "lists/other/us_dod_1260h.csv"
REPO = Path(__file__).resolve().parent.parent
CURATED = REPO / "chipguard/data/zh/listed_party_names.yml"
LOOKALIKES = ("lookalike_generic_country", "lookalike_vessel", "lookalike_sibling")


def key(name: str) -> str:
    """A name casefolded with punctuation and spacing collapsed (how the curated file joins the list)."""
    return " ".join(re.sub(r"[^\w]+", " ", name.casefold()).split())


@dataclass(slots=True)
class Query:
    name: str
    expect_hit: bool
    accept: set[str] = field(default_factory=set)
    country: str | None = "CN"
    kind: str | None = "org"
    fp_kinds: tuple[str, ...] = ()  # a hit counts as a false positive only on records of these kinds
    # … and, when given, only on these records ("source:party_id"): a person set counts only the persons
    # of another country, the parent-blob set only the records whose name is a parent / affiliate blob
    fp_records: frozenset[str] | None = None
    entity: str = ""  # the name that places the query in half A or B when it is not its own (``split``)


@dataclass(slots=True)
class Outcome:
    """Right answers of one set, counted on raw hits and on alerting hits (strength above weak)."""

    raw: int = 0
    alerting: int = 0
    n: int = 0
    seconds: float = 0.0
    alerting_in_country: int = 0  # negatives that alerted only on records in the query's own country
    confirmed: int = 0  # negatives with a confirmed hit (what a decision DENIES on)

    def rate(self, alerting: bool, positive: bool) -> float:
        """Recall of a positive set, false-positive rate of a negative one."""
        good = (self.alerting if alerting else self.raw) / self.n if self.n else 0.0
        return good if positive else 1 - good


def brand_sets(parties: list[Any]) -> dict[str, list[Query]]:
    by_name: dict[str, set[str]] = {}
    for p in parties:
        for alias in p.all_names():
            by_name.setdefault(key(alias.name), set())
        by_name.setdefault(key(p.name), set()).add(p.party_id)
    by_name = {k: v for k, v in by_name.items() if v}
    entries = yaml.safe_load(CURATED.read_text(encoding="utf-8"))["entries"]
    zh: list[Query] = []
    en: list[Query] = []
    recall_zh: list[Query] = []
    for e in entries:
        if e.get("later_listing"):
            continue
        ids: set[str] = set()
        for name in [e["english"], *(e.get("english_variants") or [])]:
            ids |= by_name.get(key(name), set())
        if not ids:
            continue
        zh += [Query(s, True, ids) for s in e.get("short") or []]
        recall_zh.append(Query(e["chinese"], True, ids))
        for variant in e.get("english_variants") or []:
            words = variant.replace(",", " ").split()
            if 1 <= len(words) <= 2 and key(variant) not in by_name:
                en.append(Query(variant, True, ids))
    return {"brand_zh": zh, "brand_en": en, "recall_zh": recall_zh}


def _spelling_of(a: str, b: str) -> bool:
    """Two words that are spellings of one word (China / Chinese, Technology / Technological): one is a
    prefix of the other, at least four letters long. A sibling differing only so is the same body."""
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short)


def lookalike_sets(
    parties: list[Any], pool: list[str], exclude: set[str] | None = None
) -> dict[str, list[Query]]:
    """The look-alike sets and English recall of one watchlist. ``pool``: real names of Chinese
    organisations to draw siblings from (those on the watchlist are skipped); ``exclude``: name keys that
    must not be queried (the other watchlist's names, so that set B holds other entities)."""
    from chipguard.names.analysis import LEGAL, STOP, analyze

    exclude = exclude or set()
    industry, institutional = _generic_vocabulary()
    entity_list = any(p.list_name.startswith("Entity List") for p in parties)
    generic: list[Query] = []
    vessels: list[Query] = []
    recall_en: list[Query] = []
    seen: set[str] = set(exclude)
    for p in parties:
        kind = p.kind.value
        if any(key(a.name) in exclude for a in p.all_names()):
            continue
        if kind == "vessel" and key(p.name) not in seen:
            seen.add(key(p.name))
            vessels.append(Query(p.name, False, country=None, fp_kinds=("vessel",)))
            continue
        if kind in ("person", "vessel", "aircraft") or not p.countries:
            continue
        tokens = analyze(p.name, False).tokens
        if "CN" in p.countries:
            if (p.list_name.startswith("Entity List") or not entity_list) and len(tokens) >= 2:
                recall_en.append(Query(p.name, True, {p.party_id}))
            continue
        if generic_only(tokens, industry, institutional) and key(p.name) not in seen:
            seen.add(key(p.name))
            generic.append(Query(p.name, False))
    # siblings: a real unlisted Chinese institution sharing all words but one distinctive word with a
    # listed one (both sides a university / institute / academy / laboratory)
    listed: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    body = re.compile(r"universit|institute|academy|laborator|college", re.IGNORECASE)
    listed_keys = {key(a.name) for p in parties for a in p.all_names()}
    for p in parties:
        if "CN" in p.countries and body.search(p.name):
            words = tuple(t.canon for t in analyze(p.name, False).tokens if t.cls not in (STOP, LEGAL))
            for i in range(len(words)):
                listed.setdefault(words[:i] + ("*",) + words[i + 1 :], []).append(words)
    siblings: list[Query] = []
    for name in pool:
        if not body.search(name) or key(name) in listed_keys or key(name) in seen:
            continue
        seen.add(key(name))
        words = tuple(t.canon for t in analyze(name, False).tokens if t.cls not in (STOP, LEGAL))
        for i in range(len(words)):
            others = listed.get(words[:i] + ("*",) + words[i + 1 :], [])
            if any(not _spelling_of(words[i], other[i]) for other in others):
                siblings.append(Query(name, False))
                break
    return {
        "lookalike_generic_country": generic,
        "lookalike_vessel": vessels,
        "lookalike_sibling": siblings,
        "recall_en": recall_en,
    }


def _generic_vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """(industry words, institution words): the words besides the generic ones a generic name may hold."""
    from chipguard.match.screener import industry_words
    from chipguard.names.data import vocabulary

    institutional = {str(w).casefold() for w in vocabulary().get("institutional_words", []) or []}
    return industry_words(), frozenset(institutional)


def generic_only(tokens: Any, industry: frozenset[str], institutional: frozenset[str]) -> bool:
    """The look-alike sets' generic name: at least two words besides legal form and stopwords, each a
    generic or administrative word, an industry word or an institution word (no place, country, number or
    proper name). Deliberately narrower than the strength rule's own test (chipguard.match.evidence
    .generic_institutional, which also takes words common on the lists), so the sets do not simply
    mirror the rule they judge."""
    from chipguard.names.analysis import ADMIN, GENERIC, LEGAL, STOP, WORD

    words = [t for t in tokens if t.cls not in (STOP, LEGAL)]
    return (
        len(words) >= 2
        and all(
            t.cls in (GENERIC, ADMIN) or t.canon in industry or t.text in institutional
            for t in words
            if t.cls == WORD or t.cls in (GENERIC, ADMIN)
        )
        and not any(t.cls not in (WORD, GENERIC, ADMIN, STOP, LEGAL) for t in tokens)
    )


def generic_aliases(parties: list[Any], exclude: set[str]) -> list[Query]:
    """Set D (held out from the issue-12 work): the generic names (``generic_only``) that organisation
    records outside China carry as an *alias* — "FUTURE BANK" of FUTURE BANK B.S.C. (BH), "INSTRUMENT
    DESIGN BUREAU" of KONSTRUKTORSKOE BYURO PRIBOROSTROENIYA (RU), "BANK FOR DEVELOPMENT" of
    VNESHECONOMBANK (RU) — on records whose primary name was no look-alike query of A, B or C (other
    entities), queried with country CN: the identical name of another country's body, and its near names
    on the list, must not alert. ``exclude``: the name keys A, B and C query, and for the C lists the
    names of CSL 2022-04. A record in China, Hong Kong or Macao, or without a country, is left out."""
    return [
        Query(name, False)
        for name in _generic_names(
            parties,
            exclude,
            lambda p: not {"CN", "HK", "MO"} & set(p.countries) and key(p.name) not in exclude,
            aliases_only=True,
        )
    ]


def _generic_names(
    parties: list[Any], exclude: set[str], takes: Callable[[Any], bool], *, aliases_only: bool
) -> list[str]:
    """The generic names (``generic_only``) of the organisation records with a country that ``takes``
    accepts, each name key once and none of ``exclude``; ``aliases_only``: not the record's primary name.
    Sets D and E differ only in which records they walk and whether the primary name counts."""
    from chipguard.names.analysis import analyze

    industry, institutional = _generic_vocabulary()
    out: list[str] = []
    seen: set[str] = set(exclude)
    for p in parties:
        if p.kind.value in ("person", "vessel", "aircraft") or not p.countries or not takes(p):
            continue
        for alias in p.all_names():
            name = alias.name
            if key(name) in seen or (aliases_only and key(name) == key(p.name)):
                continue
            if generic_only(analyze(name, False).tokens, industry, institutional):
                seen.add(key(name))
                out.append(name)
    return out


# Set E's query country: a customer outside China (chipguard's customers are anywhere; one fixed country
# keeps the set stable). A record that lists it is left out of E: its generic name would be its own.
ABROAD = "US"


def generic_names_abroad(parties: list[Any], exclude: set[str]) -> list[Query]:
    """Set E (held out, session 6): the generic names (``generic_only``; primary name or alias) of
    organisation records in China, Hong Kong or Macao — "EQUIPMENT DEVELOPMENT DEPARTMENT" (CN), an alias
    "Smart Ocean System" of a Jiangsu cable maker — queried as a body in ``ABROAD``: the identical generic
    name of a listed Chinese body, and its near names on the list, must not alert for a customer there.
    ``exclude``: the name keys A–D query, and for the C lists the names of CSL 2022-04. A record without
    a country, or one that lists ``ABROAD``, is left out."""
    return [
        Query(name, False, country=ABROAD)
        for name in _generic_names(
            parties,
            exclude,
            lambda p: bool({"CN", "HK", "MO"} & set(p.countries)) and ABROAD not in p.countries,
            aliases_only=False,
        )
    ]


def generic_unlisted_in_country(
    shared: Path, parties: list[Any], exclude: set[str]
) -> dict[str, list[Query]]:
    """Set F (held out, session 7): real organisations in China that are not listed and bear a generic
    name — the xscript watchlist's bodies (ROR, SZSE, university names) whose English name is
    ``generic_only`` ("State Key Laboratory of Catalysis", "Institute of Zoology") — queried with country
    CN by that English name (``lookalike_generic_en``) and by the same body's Chinese-script name from the
    xscript query file (``lookalike_generic_zh``, 催化基础国家重点实验室): the generic name of an unlisted
    Chinese body, and its near names on the list, must not alert. A body is left out when either of its
    names is a name of ``parties`` (same ``key``: then it is listed) or in ``exclude`` (what A–E query)."""
    from chipguard.names.analysis import analyze

    industry, institutional = _generic_vocabulary()
    listed = {key(a.name) for p in parties for a in p.all_names()}
    english: list[Query] = []
    script: list[Query] = []
    seen: set[str] = set(exclude)
    for name, chinese in _xscript_bodies(shared, lambda category: category.startswith("zh_to_en")):
        names = [name, *chinese]
        if any(key(n) in listed or key(n) in seen for n in names):
            continue
        if not generic_only(analyze(name, False).tokens, industry, institutional):
            continue
        seen.update(key(n) for n in names)
        english.append(Query(name, False))
        script += [Query(n, False) for n in names[1:]]
    return {"lookalike_generic_en": english, "lookalike_generic_zh": script}


def _xscript_bodies(shared: Path, takes_category: Callable[[str], bool]) -> Iterator[tuple[str, list[str]]]:
    """Each body of the xscript watchlist, in file order: its English name and its Chinese-script names,
    the ``expect=hit`` rows of the xscript query file accepting it whose category ``takes_category``
    takes (none: an empty list)."""
    chinese: dict[str, list[str]] = {}
    with (shared / "bench/xscript_queries.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if takes_category(row["category"]) and row["expect"] == "hit":
                chinese.setdefault(row["accept_ids"], []).append(row["name"])
    with (shared / "bench/xscript_watchlist.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            yield row["name"], chinese.get(row["id"], [])


def _record_id(party: Any) -> str:
    """How a hit names its record (``Hit.source``:``Hit.party_id``), for ``Query.fp_records``."""
    return f"{party.source}:{party.party_id}"


def _ofac_uid(party: Any) -> str:
    """The OFAC SDN uid of a record ("" when it has none): the party id of an OFAC record, the entity
    number of a CSL row of the SDN list. The same uid on two lists' records is the same party, whatever
    its name in each release (ALTABAEVA, Ekaterina Borisovna on CSL 2022-04 is ALTABAEVA, Ekateryna
    Borysovna, uid 28354, on SDN 2024-05)."""
    if party.source in ("ofac_sdn", "ofac_cons"):
        return f"ofac:{party.party_id}"
    if party.source == "us_csl" and "Specially Designated Nationals" in (party.list_name or ""):
        return f"ofac:{party.extra.get('entity_number') or party.party_id}"
    return ""


def person_lookalikes(people: list[Any], parties: list[Any], exclude: set[str]) -> list[Query]:
    """Real persons who are not on the watchlist ``parties`` — listed on *another* list, so real names of
    real people with a stated nationality or address country — queried as a person of their country
    (nationality first): a common name ("Tan Wei Ming", SG) against a listed person of another country
    whose name is the same, longer or shorter ("Tan Wei", CN). A hit counts as false only on a listed
    person whose record states countries (address or nationality) none of which is in the query
    person's (country group: CN, HK and MO are one): another person by the one thing the two records
    say. A person any of whose names is a name of ``parties`` (same ``key``) or in ``exclude`` is left
    out, so is a person whose OFAC uid a record of ``parties`` carries (the same listed person, renamed
    between the two lists' releases; session 20), and each person once (the UN and OFAC records of one person share a name)."""
    listed = {key(a.name) for p in parties for a in p.all_names()}
    listed_uids = {uid for p in parties if (uid := _ofac_uid(p))}
    persons = [
        (frozenset([*p.countries, *p.nationalities]), _record_id(p))
        for p in parties
        if p.kind.value == "person" and (p.countries or p.nationalities)
    ]
    others: dict[frozenset[str], frozenset[str]] = {}
    out: list[Query] = []
    seen: set[str] = set(exclude)
    for p in people:
        countries = [*p.nationalities, *p.countries]
        names = {key(a.name) for a in p.all_names()}
        if p.kind.value != "person" or not countries or names & (listed | seen):
            continue
        if _ofac_uid(p) in listed_uids:  # (never "": a record without a uid is not in listed_uids)
            continue  # the same OFAC entity (its SDN uid), renamed between the two lists' releases
        seen |= names
        home = frozenset(c for code in countries for c in _country_group(code))
        if home not in others:
            others[home] = frozenset(rid for states, rid in persons if not states & home)
        out.append(
            Query(
                p.name,
                False,
                country=countries[0],
                kind="person",
                fp_kinds=("person",),
                fp_records=others[home],
            )
        )
    return out


# The xscript query file's categories of companies (Shenzhen Stock Exchange listings 2016, and the
# "magicdover" company list): ordinary commercial names, as against the ROR / university bodies.
COMMERCIAL_POOLS = ("zh_to_en:szse2016", "zh_to_en:magicdover")
INSTITUTION = re.compile(r"universit|institute|academy|laborator|college|school|hospital", re.IGNORECASE)


def commercial_unlisted(
    shared: Path, parties: list[Any], every_list: list[Any], exclude: set[str]
) -> dict[str, list[Query]]:
    """Real Chinese companies with ordinary commercial names (region + core name + industry words + legal
    form: "NEW HOPE LIUHE CO.,LTD", "Fujian Yuanli Active Carbon Co.,Ltd.") that are not on the lists —
    the xscript watchlist's companies (``COMMERCIAL_POOLS``; no university, institute or hospital, not
    ``generic_only``) — sharing a word of their English name with the name of a Chinese organisation
    listed on ``parties`` (a word of the vocabulary's class WORD, three letters or more, no industry or
    institution word: the core "Liuhe", "Carbon", "Hope"). Queried with country CN by the English name
    (``lookalike_commercial_en``) and by the same company's Chinese-script names from the xscript query
    file (``lookalike_commercial_zh``): a company sharing a core word with a listed firm must not alert on
    it. A company is left out when either of its names is a name of ``every_list`` (then it is listed)
    or in ``exclude`` — a listed name by ``key`` or, since session 12, by ``_entity_key`` too (as G and H
    read it): "LIDA OPTICAL AND ELECTRONIC CO.,LTD" is the alias "LIDA OPTICAL & ELECTRONIC CO., LTD." of
    an Entity List record (Costar Group), which ``key`` alone took for another name, so B held a listed
    firm and counted its confirmed hit as a false alarm."""
    from chipguard.names.analysis import WORD, analyze

    industry, institutional = _generic_vocabulary()
    listed = {k for p in every_list for a in p.all_names() for k in (key(a.name), _entity_key(a.name))}
    core: set[str] = set()
    for p in parties:
        if p.kind.value in ("person", "vessel", "aircraft") or not {"CN", "HK", "MO"} & set(p.countries):
            continue
        for alias in p.all_names():
            core.update(_core_words(alias.name, industry, institutional))
    english: list[Query] = []
    script: list[Query] = []
    seen: set[str] = set(exclude)
    for name, chinese in _xscript_bodies(shared, lambda category: category in COMMERCIAL_POOLS):
        if not chinese or INSTITUTION.search(name):
            continue
        names = [name, *chinese]
        if any(key(n) in listed or _entity_key(n) in listed or key(n) in seen for n in names):
            continue
        tokens = analyze(name, False).tokens
        if generic_only(tokens, industry, institutional) or not any(
            t.cls == WORD and t.canon in core for t in tokens
        ):
            continue
        seen.update(key(n) for n in names)
        english.append(Query(name, False))
        script += [Query(n, False, entity=name) for n in names[1:]]
    return {"lookalike_commercial_en": english, "lookalike_commercial_zh": script}


# Set G's pools (session 9): real Chinese companies the screening dev set keeps as negatives (English names
# of companies listed on Chinese stock exchanges; ordinary Chinese-script business names, in both query
# files) — a source A–F do not draw from.
SCREENING_POOLS = ("neg_cn_listed_company_en", "neg_zh_business")


def _core_words(name: str, industry: frozenset[str], institutional: frozenset[str]) -> set[str]:
    """The words of an organisation name that name the firm (class WORD, three letters or more, no
    industry or institution word): what a look-alike must share with a listed firm's name."""
    from chipguard.names.analysis import WORD, analyze

    return {
        t.canon
        for t in analyze(name, False).tokens
        if t.cls == WORD and len(t.canon) >= 3 and t.canon not in industry and t.text not in institutional
    }


def _entity_key(name: str) -> str:
    """A company's name without legal form and stopwords ("Zhejiang Huahai Pharmaceutical Co., Ltd." and
    "ZHEJIANG HUAHAI PHARMACEUTICAL CO.,LTD" are one entity), so G leaves out an entity another set
    queries under a slightly different spelling."""
    from chipguard.names.analysis import LEGAL, STOP, analyze

    return " ".join(t.canon for t in analyze(name, False).tokens if t.cls not in (STOP, LEGAL)) or key(name)


def _trade_segments(name: str) -> list[str]:
    """The proper-name words of a Chinese name's trade name (字号): segments the vocabulary reads as a
    proper name or leaves in pinyin, two characters or more (北京|中科慧达|科技|有限公司 → 中科慧达;
    海康|威视|数字|技术 → 威视). Industry, place and legal-form words are left out: 科技 or 国际 shared with a
    listed name make no look-alike."""
    from chipguard.names.chinese import UNKNOWN, analyse, has_han
    from chipguard.names.chinese_vocab import ABBREV, PROPER

    if not has_han(name):
        return []
    return [
        s.text for s in analyse(name).segments if s.kind in (UNKNOWN, PROPER, ABBREV) and len(s.text) >= 2
    ]


def _chinese_link(name: str, segments: set[str], words: set[str]) -> bool:
    """A Chinese name sharing its trade name with a listed Chinese firm: a proper-name segment sharing two
    characters with one of a listed Chinese name (``segments``: 中科慧达 / 中科曙光), or read in pinyin as a
    core word of a listed English name (``words``: 众科 "zhongke" / Hangzhou Zhongke Microelectronics)."""
    from chipguard.names.chinese import analyse

    for seg in _trade_segments(name):
        pairs = {seg[i : i + 2] for i in range(len(seg) - 1)}
        if any(pair in listed for listed in segments for pair in pairs):
            return True
        if "".join(p for s in analyse(seg).segments for p in s.pinyin) in words:
            return True
    return False


def _screening_negatives(shared: Path) -> Iterator[tuple[str, list[str]]]:
    """The screening dev files' real company negatives (``SCREENING_POOLS``), each name once: an English
    name with no Chinese form, or a Chinese name with no English one."""
    seen: set[str] = set()
    for file in ("bench/screening_queries.csv", "bench/xscript_queries.csv"):
        with (shared / file).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["category"] in SCREENING_POOLS and row["expect"] == "none" and row["name"] not in seen:
                    seen.add(row["name"])
                    yield (row["name"], []) if row["category"].endswith("_en") else ("", [row["name"]])


def _unlisted_company_pool(shared: Path) -> list[tuple[str, list[str]]]:
    """The real Chinese companies sets G and H draw from: the screening dev files' real company negatives
    (``_screening_negatives``) and the xscript pool's companies (``COMMERCIAL_POOLS``) with a Chinese name."""
    return [
        *_screening_negatives(shared),
        *(
            (name, chinese)
            for name, chinese in _xscript_bodies(shared, lambda category: category in COMMERCIAL_POOLS)
            if chinese
        ),
    ]


def _institution_listed_or_taken(name: str, names: list[str], listed: set[str], excluded: set[str]) -> bool:
    """Whether a company of the pool stays out of G and H: an institution, or one of its ``names`` is, by
    ``key`` or ``_entity_key``, a watchlist name (``listed``) or taken already (``excluded``)."""
    return bool(name and INSTITUTION.search(name)) or any(
        key(n) in listed or _entity_key(n) in listed or key(n) in excluded or _entity_key(n) in excluded
        for n in names
    )


def commercial_unlisted_more(
    shared: Path, watchlists: list[list[Any]], exclude: set[str]
) -> dict[str, list[Query]]:
    """Set G (session 9, a further *dev* set of the kind of ``commercial_unlisted``, from other
    entities): real Chinese companies that are on no list sharing a core with a listed Chinese
    organisation of either watchlist — by an English core word (as ``commercial_unlisted``: class WORD,
    three letters or more, no industry or institution word) or by the trade name of a Chinese-script
    name (``_chinese_link``: 安霸威视 / 海康威视, 众科 / Zhongke). Pools: the screening dev files' real
    company negatives (``_screening_negatives``: "Jiangsu Zhongtian Technology Co.,Ltd.", 北京中天嘉远商贸有限公司)
    and the xscript pool's companies (``COMMERCIAL_POOLS``, with a Chinese name; no institution, not
    ``generic_only``) that no set A–F queries — there the company is in G when its Chinese name links
    (A/B/C took those whose English name does), and is queried by both its names. Queried with country
    CN, by English (``lookalike_commercial_en``) and Chinese-script names (``_zh``). A company is left out
    when any of its names is, by ``key`` or ``_entity_key``, a name of a watchlist (ZHEJIANG NANYANG
    TECHNOLOGY COMPANY LIMITED, a former name on a CMIC record) or in ``exclude`` (what A–F query: so G
    holds none of A's, B's or C's entities)."""
    from chipguard.names.analysis import WORD, analyze
    from chipguard.names.chinese import has_han
    from chipguard.names.enrichment import enrich_parties

    industry, institutional = _generic_vocabulary()
    every = [p for parties in watchlists for p in parties]
    listed = {k for p in every for a in p.all_names() for k in (key(a.name), _entity_key(a.name))}
    words: set[str] = set()
    segments: set[str] = set()
    for p in enrich_parties(every):  # the curated Chinese names the screener adds to the records
        if p.kind.value in ("person", "vessel", "aircraft") or not {"CN", "HK", "MO"} & set(p.countries):
            continue
        for alias in p.all_names():
            if has_han(alias.name):
                segments.update(_trade_segments(alias.name))
                continue
            words.update(_core_words(alias.name, industry, institutional))
    excluded = set(exclude) | {_entity_key(n) for n in exclude}
    english: list[Query] = []
    script: list[Query] = []
    for name, chinese in _unlisted_company_pool(shared):
        names = [n for n in (name, *chinese) if n]
        if _institution_listed_or_taken(name, names, listed, excluded):
            continue
        if name:
            tokens = analyze(name, False).tokens
            if generic_only(tokens, industry, institutional):
                continue
            linked = any(t.cls == WORD and t.canon in words for t in tokens)
        else:
            linked = False
        if not (linked or any(_chinese_link(n, segments, words) for n in chinese)):
            continue
        excluded.update(key(n) for n in names)
        excluded.update(_entity_key(n) for n in names)
        if name:
            english.append(Query(name, False))
        script += [Query(n, False, entity=name or n) for n in chinese]
    return {"lookalike_commercial_en": english, "lookalike_commercial_zh": script}


def commercial_unlisted_rest(
    shared: Path, watchlists: list[list[Any]], exclude: set[str]
) -> dict[str, list[Query]]:
    """Set H (session 10, a further *dev* sample from other entities than A–G): every other real Chinese
    company of the same pools as G (``_screening_negatives`` and the xscript pool's ``COMMERCIAL_POOLS``
    companies with a Chinese name; no institution) that no set A–G queries and that is on no list (by
    ``key`` or ``_entity_key``) — the companies that share *no* core word or trade name with a listed firm
    as written, so whatever alerts among them met a listed name through a near word: a sound-alike
    ("Jiuzhitang" / "Jetborne"), a one-letter variant of a pinyin trade name ("Guanhao" / "Huanhao"), a
    generic alias. Queried with country CN by English (``lookalike_commercial_en``) and Chinese-script names
    (``_zh``); any alert is false. Built after G's classes were read (session 10), to check that a rule
    written on A's and G's alerts holds on other entities."""
    every = [p for parties in watchlists for p in parties]
    listed = {k for p in every for a in p.all_names() for k in (key(a.name), _entity_key(a.name))}
    excluded = set(exclude) | {_entity_key(n) for n in exclude}
    english: list[Query] = []
    script: list[Query] = []
    for name, chinese in _unlisted_company_pool(shared):
        names = [n for n in (name, *chinese) if n]
        if _institution_listed_or_taken(name, names, listed, excluded):
            continue
        excluded.update(key(n) for n in names)
        excluded.update(_entity_key(n) for n in names)
        if name:
            english.append(Query(name, False))
        script += [Query(n, False, entity=name or n) for n in chinese]
    return {"lookalike_commercial_en": english, "lookalike_commercial_zh": script}


def parent_blob_lookalikes(pool: list[str], parties: list[Any], exclude: set[str]) -> list[Query]:
    """Real company and institution names that are not on ``parties`` (``pool``: the xscript watchlist and
    the §1260H names) sharing a word with a list name that is a whole parent / affiliate blob
    ("Baotou Guanghua Chemical Industrial Corporation (Parent Organization: China National Nuclear Group
    Corporation (CNNC))", "Huawei Technologies Co., Ltd. (Huawei). Affiliated Entity: Huawei Marine
    Networks Co., Ltd."; chipguard.names.variants.parent_parts) — a word of class WORD, no industry or
    institution word: "HUAWEI CULTURE CO.,LTD", "CNNC HUA YUAN TITANIUM DIOXIDE CO.,LTD" —, queried
    with country CN. A hit counts as false only on a record bearing such a name: a company named like the
    parent, or like a word of the blob, is not the listed affiliate. Names in ``exclude`` are left out."""
    from chipguard.names.analysis import WORD, analyze
    from chipguard.names.variants import parent_parts

    industry, institutional = _generic_vocabulary()
    listed = {key(a.name) for p in parties for a in p.all_names()}
    blobs = [(p, a.name) for p in parties for a in p.all_names() if parent_parts(a.name)]
    records = frozenset(_record_id(p) for p, _ in blobs)
    words = {
        t.canon
        for _, name in blobs
        for t in analyze(name, False).tokens
        if t.cls == WORD and t.canon not in industry and t.text not in institutional
    }
    out: list[Query] = []
    seen: set[str] = set(exclude)
    for name in pool:
        if key(name) in listed or key(name) in seen:
            continue
        if {t.canon for t in analyze(name, False).tokens if t.cls == WORD} & words:
            seen.add(key(name))
            out.append(Query(name, False, fp_records=records))
    return out


def xscript_pool(shared: Path) -> list[str]:
    """Real names of Chinese organisations (ROR, SZSE, university lists) from the xscript dev watchlist."""
    with (shared / "bench/xscript_watchlist.csv").open(encoding="utf-8") as fh:
        return [row["name"] for row in csv.DictReader(fh)]


def dod_1260h_pool(shared: Path) -> list[str]:
    """The Chinese military companies of the DoD §1260H list (their clean names), when present."""
    path = shared / DOD_1260H
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [row["Clean Name"] or row["Name"] for row in csv.DictReader(fh)]


def half(name: str) -> str:
    """ "A" or "B": a stable split of the queries by a hash of their name (no dependence on hash seed)."""
    return "AB"[hashlib.sha256(key(name).encode()).digest()[0] & 1]


def split(query: Query) -> str:
    """The half of a query: its entity's (a company's Chinese name goes with its English name)."""
    return half(query.entity or query.name)


def build(shared: Path) -> dict[str, tuple[str, list[Any], dict[str, list[Query]]]]:
    """Column label → (description, watchlist parties, sets): A and B the two disjoint halves of the sets
    built on CSL 2022-04, C the sets built on other lists from other entities (see the module docstring;
    C is left out when its lists are missing)."""
    from chipguard.sources import parse_file

    parties_a = parse_file(shared / CSL).parties
    pool = xscript_pool(shared)
    csl_sets = {**brand_sets(parties_a), **lookalike_sets(parties_a, pool)}
    out = {
        label: (
            f"CSL 2022-04, half {label}"
            + (" (the rules were developed on this half)" if label == "A" else ""),
            parties_a,
            {name: [q for q in queries if half(q.name) == label] for name, queries in csl_sets.items()},
        )
        for label in ("A", "B")
    }
    if all((shared / path).exists() for path in OTHER_LISTS):
        parties_c = [p for path in OTHER_LISTS for p in parse_file(shared / path).parties]
        csl_names = {key(a.name) for p in parties_a for a in p.all_names()}
        out["C"] = (
            "OFAC SDN 2024-05 + UN 2026-02 + OFAC non-SDN 2025, entities not on CSL 2022-04",
            parties_c,
            {
                **brand_sets(parties_c),
                **lookalike_sets(parties_c, pool + dod_1260h_pool(shared), exclude=csl_names),
            },
        )
    queried = {key(q.name) for _, _, sets in out.values() for qs in sets.values() for q in qs}
    d1 = generic_aliases(parties_a, queried)
    out["D1"] = (
        "held out: generic aliases of other entities' records on CSL 2022-04",
        parties_a,
        {"lookalike_generic_country": d1},
    )
    if "C" in out:
        parties_c = out["C"][1]
        csl_names = {key(a.name) for p in parties_a for a in p.all_names()}
        out["D2"] = (
            "held out: generic aliases of other entities' records on the C lists, not on CSL 2022-04",
            parties_c,
            {"lookalike_generic_country": generic_aliases(parties_c, queried | csl_names)},
        )
    queried |= {
        key(q.name)
        for label in ("D1", "D2")
        if label in out
        for q in out[label][2]["lookalike_generic_country"]
    }
    out["E1"] = (
        f"held out: generic names of Chinese records on CSL 2022-04, queried as {ABROAD}",
        parties_a,
        {"lookalike_generic_country": generic_names_abroad(parties_a, queried)},
    )
    if "C" in out:
        parties_c = out["C"][1]
        csl_names = {key(a.name) for p in parties_a for a in p.all_names()}
        e2 = generic_names_abroad(parties_c, queried | csl_names)
        if e2:  # none on the shared data: the C lists' Chinese records' generic names are all on CSL 2022-04
            out["E2"] = (
                "held out: generic names of Chinese records on the C lists, not on CSL 2022-04, "
                f"queried as {ABROAD}",
                parties_c,
                {"lookalike_generic_country": e2},
            )
    queried |= {
        key(q.name)
        for label in ("E1", "E2")
        if label in out
        for q in out[label][2]["lookalike_generic_country"]
    }
    # F: the same unlisted Chinese bodies against each watchlist; a body listed on either is left out
    watchlists = [("F1", "CSL 2022-04", parties_a)]
    if "C" in out:
        watchlists.append(("F2", "the C lists", out["C"][1]))
    every_list = [p for _, _, list_parties in watchlists for p in list_parties]
    f_sets = generic_unlisted_in_country(shared, every_list, queried)
    for label, lists, list_parties in watchlists:
        out[label] = (
            f"held out: generic names of unlisted Chinese bodies (xscript pool), queried as CN against {lists}",
            list_parties,
            f_sets,
        )
    queried |= {key(q.name) for qs in f_sets.values() for q in qs}
    # session 8: three more look-alike kinds, split like the CSL sets into the dev half A and half B (by
    # a hash of the query name; held out until session 12, a dev set since); C gets the same kinds
    # against its lists, with none of B's queries
    parties_c = out["C"][1] if "C" in out else []
    kinds = {
        "lookalike_person": person_lookalikes(parties_c, parties_a, queried),
        **commercial_unlisted(shared, parties_a, every_list, queried),
        "lookalike_parent_blob": parent_blob_lookalikes(pool + dod_1260h_pool(shared), parties_a, queried),
    }
    for label in ("A", "B"):
        out[label][2].update({name: [q for q in qs if split(q) == label] for name, qs in kinds.items()})
    if "C" in out:
        held_out = queried | {key(q.name) for qs in kinds.values() for q in qs if split(q) == "B"}
        out["C"][2].update(
            {
                "lookalike_person": person_lookalikes(parties_a, parties_c, held_out),
                **commercial_unlisted(shared, parties_c, every_list, held_out),
                "lookalike_parent_blob": parent_blob_lookalikes(
                    pool + dod_1260h_pool(shared), parties_c, held_out
                ),
            }
        )
    # session 9: G, a further dev set of commercial look-alikes from other entities than A–F query, against
    # each watchlist (like F: a company sharing a core with a firm of either list is queried on both)
    queried |= {key(q.name) for _, _, sets in out.values() for qs in sets.values() for q in qs}
    g_sets = commercial_unlisted_more(shared, [lp for _, _, lp in watchlists], queried)
    for f_label, lists, list_parties in watchlists:
        out["G" + f_label[1:]] = (
            f"dev (session 9): unlisted Chinese companies sharing a core with a listed firm, other entities, "
            f"queried as CN against {lists}",
            list_parties,
            g_sets,
        )
    # session 10: H, the rest of G's pools (companies sharing no core as written with a listed firm), a
    # further dev sample from other entities than A–G
    queried |= {key(q.name) for qs in g_sets.values() for q in qs}
    h_sets = commercial_unlisted_rest(shared, [lp for _, _, lp in watchlists], queried)
    for f_label, lists, list_parties in watchlists:
        out["H" + f_label[1:]] = (
            f"dev (session 10): the other unlisted Chinese companies of G's pools, queried as CN against {lists}",
            list_parties,
            h_sets,
        )
    return out


def run(screener: Any, queries: list[Query]) -> Outcome:
    """Right answers on raw and on alerting hits: a positive is right when a hit names an accepted record
    (alerting: a hit of strength potential or confirmed); a negative when no hit of the counted kinds
    comes back (alerting: none above weak)."""
    from bench.run import hit_ids

    out = Outcome(n=len(queries))
    start = time.process_time()
    for q in queries:
        hits = screener.screen(q.name, kind=q.kind, country=q.country)
        if q.expect_hit:
            found = [h for h in hits if hit_ids(h) & q.accept]
        else:
            found = [
                h
                for h in hits
                if (not q.fp_kinds or h.kind in q.fp_kinds)
                and (q.fp_records is None or f"{h.source}:{h.party_id}" in q.fp_records)
            ]
        alerting = [h for h in found if h.strength != "weak"]
        out.raw += bool(found) == q.expect_hit
        out.alerting += bool(alerting) == q.expect_hit
        if alerting and not q.expect_hit:
            out.confirmed += any(h.strength == "confirmed" for h in alerting)
            if q.country:
                home = _country_group(q.country)
                out.alerting_in_country += all(home & set(h.countries) for h in alerting)
    out.seconds = time.process_time() - start
    return out


def _country_group(code: str) -> set[str]:
    """A country code and the codes of its group (vocabulary.yml ``country_groups``: CN, HK, MO): a hit
    on a record in any of them is in the query's country, as the screener reads it."""
    from chipguard.names.data import vocabulary

    for group in vocabulary().get("country_groups") or ():
        if code in group:
            return {str(c) for c in group}
    return {code}


def _cell(outcome: Outcome | None, queries: list[Query], alerting: bool) -> str:
    if outcome is None or not queries:
        return "—"
    positive = queries[0].expect_hit
    return f"{'recall' if positive else 'FPR'} {outcome.rate(alerting, positive):.3f}"


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a rate k / n (95 % at z 1.96). Why: a look-alike set of 26 queries with one
    alert reads 0.038, yet is as consistent with a true rate of 0.01 as with 0.15; the interval says how much
    a set of that size can tell, and the pooled rows say what all the sets of one kind tell together."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half_width = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half_width), min(1.0, centre + half_width)


HELD_OUT_COLUMNS = "CDEF"


def pooled_lookalikes(results: dict[str, dict[str, Outcome]]) -> None:
    """Print every look-alike kind's alerting false alarms pooled over the sets that hold it: the held-out
    columns (C–F: other lists, or names no rule was read on) and all columns (A–H), each with its Wilson
    95 % interval. Nothing is relabelled: the per-set rows above stay the figures; this adds what their
    sizes allow one to conclude."""
    kinds = sorted({name for sets in results.values() for name in sets if name.startswith("lookalike")})
    print("\nLook-alike sets pooled by kind, alerting false alarms (Wilson 95 % interval):\n")
    print("| kind | held-out C–F queries | alerts | FPR | 95 % | all A–H queries | alerts | FPR | 95 % |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---|")
    totals = {True: [0, 0], False: [0, 0]}
    for kind in [*kinds, "all look-alike kinds"]:
        cells: list[str] = []
        for held_out in (True, False):
            if kind in kinds:
                outcomes = [
                    sets[kind]
                    for label, sets in results.items()
                    if kind in sets and (not held_out or label[0] in HELD_OUT_COLUMNS)
                ]
                n = sum(o.n for o in outcomes)
                alerts = sum(o.n - o.alerting for o in outcomes)
                totals[held_out][0] += n
                totals[held_out][1] += alerts
            else:
                n, alerts = totals[held_out]
            if n == 0:
                cells += ["0", "—", "—", "—"]
                continue
            low, high = wilson(alerts, n)
            cells += [str(n), str(alerts), f"{alerts / n:.3f}", f"{low:.3f}–{high:.3f}"]
        print(f"| {kind} | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sets", description=__doc__)
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    if not (shared / CSL).exists():
        print(f"bench.sets: {shared / CSL} is missing; nothing to run.")
        return 0
    from chipguard.match.screener import Screener

    built = build(shared)
    results: dict[str, dict[str, Outcome]] = {}
    screeners: dict[int, Any] = {}
    for label, (_, parties, sets) in built.items():
        screener = screeners.get(id(parties)) or screeners.setdefault(id(parties), Screener(parties))
        results[label] = {name: run(screener, queries) for name, queries in sets.items()}
    print("\n## Brand / short-name and look-alike sets (bench/sets.py)\n")
    for label, (description, parties, _) in built.items():
        print(f"- {label}: {description} ({len(parties)} records)")
    labels = [lab for lab in built if lab[0] not in "DEFGH"]
    print()
    print("| set | " + " | ".join(f"{lab} queries | {lab} raw | {lab} alerting" for lab in labels) + " |")
    print("|---|" + "---:|---:|---:|" * len(labels))
    names = list(built["A"][2])
    for name in names:
        cells = []
        for lab in labels:
            queries = built[lab][2].get(name, [])
            outcome = results[lab].get(name)
            cells += [str(len(queries)), _cell(outcome, queries, False), _cell(outcome, queries, True)]
        print(f"| {name} | " + " | ".join(cells) + " |")
    held_out = {
        "D": "set D (generic aliases of other entities' records outside China, queried as CN; see "
        "generic_aliases)",
        "E": f"set E (generic names of Chinese records, queried as {ABROAD}; see generic_names_abroad — "
        "keep it blind: totals only)",
        "F": "set F (generic names of unlisted Chinese bodies, English and Chinese script, queried as CN; "
        "see generic_unlisted_in_country — keep it blind: totals only)",
        "G": "set G (a further dev set, session 9: unlisted Chinese companies sharing a core with a listed "
        "firm, other entities than A–F, English and Chinese script, queried as CN; see commercial_unlisted_more)",
        "H": "set H (a further dev sample, session 10: the other unlisted Chinese companies of G's pools, "
        "English and Chinese script, queried as CN; see commercial_unlisted_rest)",
    }
    for group, title in held_out.items():
        members = [lab for lab in built if lab.startswith(group)]
        if not members:
            continue
        print(f"\n{'Dev' if group in 'GH' else 'Held-out'} look-alikes, {title}:\n")
        print(
            "| set | queries | raw FPR | alerting FPR | alerting | of them only in the query's country "
            "| of them confirmed |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        total = Outcome()
        for lab in members:
            for set_name, o in results[lab].items():
                total.n, total.raw, total.alerting = (
                    total.n + o.n,
                    total.raw + o.raw,
                    total.alerting + o.alerting,
                )
                total.alerting_in_country += o.alerting_in_country
                total.confirmed += o.confirmed
                label = lab if len(results[lab]) == 1 else f"{lab} {set_name}"
                print(
                    f"| {label}: {built[lab][0]} | {o.n} | {o.rate(False, False):.3f} | "
                    f"{o.rate(True, False):.3f} | {o.n - o.alerting} | {o.alerting_in_country} | {o.confirmed} |"
                )
        print(
            f"| {group} (all) | {total.n} | {total.rate(False, False):.3f} | {total.rate(True, False):.3f} | "
            f"{total.n - total.alerting} | {total.alerting_in_country} | {total.confirmed} |"
        )
    pooled_lookalikes(results)
    # the brand sets on CSL 2022-04 (both halves) with the curated file and the trade-name rule each
    # switched off (alerting)
    parties_a = built["A"][1]
    # recall_zh beside the brand sets: the curated Chinese legal names with the curated file off are what a
    # held-out set of other listed firms (names the file does not hold) meets — the translation rule alone
    kinds = ("brand_zh", "brand_en", "recall_zh")
    sets_a = {n: built["A"][2][n] + built["B"][2][n] for n in kinds}
    print(
        "\nBrand sets and Chinese legal names on CSL 2022-04 (A + B), alerting recall, curated file × "
        "trade-name rule:\n"
    )
    print(
        "| set | curated on, rule on | curated off, rule on | curated on, rule off | curated off, rule off |"
    )
    print("|---|---:|---:|---:|---:|")
    combos = ((True, True), (False, True), (True, False), (False, False))
    brand: dict[tuple[bool, bool], dict[str, Outcome]] = {}
    for curated, rule in combos:
        screener = Screener(parties_a, enrich=curated, core_names=rule)
        brand[(curated, rule)] = {n: run(screener, sets_a[n]) for n in kinds}
    for name in kinds:
        cells = [_cell(brand[c].get(name), sets_a[name], True) for c in combos]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
