"""A query name against one candidate name: :func:`score_pair`, the one scorer of a pair for screening and
``compare`` alike — the names' token alignment (``chipguard.match.score``), then the features of the pair
beyond the names' words (qualifiers in parentheses, a trade name, the listed record's kind and countries, a
branch, a parent named in another entity's record, Chinese characters behind equal transliterations).

Why a module of its own: this is the screener's per-candidate path (every retrieved candidate of every
query goes through it), so it is compiled by :mod:`chipguard.native` with the scorer it calls, where the
rest of the screener (the query's forms, retrieval's order, evidence, grouping, hits) runs once per query
and stays interpreted. The screener (``chipguard.match.screener``) imports what it needs from here and
names it as before.

What compiling asks of it (see chipguard.native): a call from here to the scorer is a direct call, which
a test cannot patch through this module; float ``sum(...)`` needs a ``0.0`` start.

Interface::

    score_pair(qa, entry, person, q_weights, query: PairQuery, aligned=None, similar=None, q_words=None)
        -> PairScore | None
    PairQuery, ListedRecord, PairScore
    core_name(name) / latin_core_name(name) -> str     # a listed company name's trade name
    han_core(name) -> str; query_qualifier(...); trade_name_places(alias); ...
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from rapidfuzz import fuzz

from chipguard.limits import LIMITS
from chipguard.match import evidence as ev
from chipguard.match.config import scorer_config
from chipguard.match.index import Entry, Retrieval
from chipguard.match.score import (
    QueryWords,
    RarityFn,
    Scored,
    SimilarityRules,
    industry_words,
    score_or_bound,
    similarity_rules,
    weights_of,
)
from chipguard.model import PartyKind
from chipguard.names.analysis import (
    ADMIN,
    COUNTRY,
    GENERIC,
    LEGAL,
    PLACE,
    STOP,
    WORD,
    NameAnalysis,
    Token,
    analyze,
)
from chipguard.names.cache_bounds import NAME_CORES
from chipguard.names.chinese import analyse, chinese_core_name, has_han
from chipguard.names.data import vocabulary
from chipguard.names.variants import (
    initials_consistent,
    is_acronym,
    name_variants,
    parent_parts,
    parenthesised,
    qualifiers,
)

ORG_LIKE: Final = (PartyKind.ORG, PartyKind.VESSEL, PartyKind.AIRCRAFT)
_PERSON_OR_ORG_LIKE: Final = (PartyKind.PERSON, *ORG_LIKE)  # the kinds a kind clash is told between


# the country groups made from the vocabulary they were made from (its identity: a reloaded vocabulary,
# as tests and a changed override root make, gets its own)
_GROUPS_MADE: list[tuple[dict[str, Any], dict[str, str]]] = []


def _country_groups() -> dict[str, str]:
    """Country code → the head of its group (vocabulary.yml ``country_groups``). Made once per loaded
    vocabulary: it is read for every country of every candidate's record."""
    data = vocabulary()
    made = _GROUPS_MADE[-1] if _GROUPS_MADE else None
    if made is not None and made[0] is data:
        return made[1]
    groups: dict[str, str] = {}
    for group in data.get("country_groups", []) or []:
        head = str(group[0]).upper()
        for code in group:
            groups[str(code).upper()] = head
    _GROUPS_MADE[:] = [(data, groups)]
    return groups


def _country_norm(code: str) -> str:
    code = code.strip().upper()
    return _country_groups().get(code, code)


def qualifier_clash(query: str, alias: str, query_how: str, alias_how: str) -> dict[str, Any] | None:
    """A penalty when a side's parenthesised qualifier was dropped to match and both names carry
    different qualifiers ("Bank of China (Hong Kong)" vs "Bank of China (Australia)")."""
    if query_how != "without-parentheses" and alias_how != "without-parentheses":
        return None
    qa, qb = qualifiers(query), qualifiers(alias)
    if qa and qb and not (qa & qb):
        return {
            "feature": "qualifier_clash",
            "reason": "different qualifiers in parentheses",
            "query": sorted(qa),
            "list": sorted(qb),
            "value": -scorer_config().qualifier_clash_penalty,
        }
    return None


@lru_cache(maxsize=NAME_CORES)
def han_core(name: str) -> str:
    """The Han characters of a Chinese name, Simplified, without its legal form ("" for other names).

    Why: two Chinese names are compared through their Latin forms, where every pinyin syllable is a
    token, so a name contained in another (西北大学 in 西北工业大学, 电子科技 in 电子科技大学) looks
    closer than it is. Comparing the characters themselves restores what the inserted words say."""
    if not has_han(name) or any("a" <= ch.lower() <= "z" for ch in name):
        return ""
    analysis = analyse(name)
    return "".join(
        ch for seg in analysis.segments if seg.kind != "legal-form" for ch in seg.text if has_han(ch)
    )


def han_difference(query_core: str, alias: str, factor: float) -> dict[str, Any] | None:
    """A penalty when a Chinese query meets a Chinese list name through transliteration but the two
    differ in their characters: (1 − character similarity) × factor."""
    alias_core = han_core(alias)
    if not alias_core or alias_core == query_core:
        return None
    similarity = fuzz.ratio(query_core, alias_core) / 100.0
    return {
        "feature": "han_characters_differ",
        "weight": -factor,
        "amount": round(1.0 - similarity, 4),
        "reason": f"Chinese names differ in their characters: {query_core} vs {alias_core} "
        f"(character similarity {similarity:.2f})",
        "value": -round((1.0 - similarity) * factor, 4),
    }


@lru_cache(maxsize=1)
def _branch_markers() -> tuple[re.Pattern[str], dict[str, str], tuple[str, ...] | None]:
    """One pattern for the ``branch_markers`` of matching.yml (whole words, any case) and each marker's
    display form; and the first words of the ASCII markers in lower case (None when a marker not in ASCII
    has a letter of some case, which the pattern may meet in an ASCII name): an ASCII name holding none of
    them carries no marker (see branch_marker)."""
    markers = list(scorer_config().branch_markers)
    if not markers:
        return re.compile(r"(?!x)x"), {}, ()
    parts = []
    for marker in sorted(markers, key=len, reverse=True):
        body = r"\s+".join(re.escape(w) for w in marker.split())
        parts.append(body if has_han(marker) else rf"(?<!\w){body}(?!\w)")
    display = {" ".join(m.casefold().split()): m for m in markers}
    # (a marker not in ASCII and without cased letters, as 分公司, is never found in an ASCII name; a marker
    # of no word would match anywhere)
    other = any(not m.split() for m in markers) or any(
        c.lower() != c or c.upper() != c for m in markers if not m.isascii() for c in m
    )
    firsts = None if other else tuple(sorted({m.split()[0].lower() for m in markers if m.isascii()}))
    return re.compile("|".join(parts), re.IGNORECASE), display, firsts


@lru_cache(maxsize=100_000)
def branch_marker(name: str) -> str:
    """The branch / office marker a name carries ("… Branch", "… Representative Office", "分公司"), as
    written in matching.yml, or "": such a record is a branch of the body its other words name, so a
    query for the body ranks the body's own record first."""
    pattern, display, firsts = _branch_markers()
    if firsts is not None and name.isascii():
        # an ASCII name matches a marker (any case) only where it holds the marker's first word in lower
        # case: most names hold none, and the pattern's search is tried at every letter of the name
        lowered = name.lower()
        if not any(first in lowered for first in firsts):
            return ""
    found = pattern.search(name)
    if not found:
        return ""
    text = " ".join(found.group(0).casefold().split())
    return display.get(text, text)


@lru_cache(maxsize=100_000)
def dropped_qualifiers(alias: str, bare: str) -> frozenset[str]:
    """The words a list name's parentheses add to its bare form ``bare`` — "Huawei Technologies (UK)
    Co., Ltd." → {"uk"}, "(New Zealand)", "(Yangon)": a subsidiary or branch abroad is written this way,
    so matching it without them is matching the parent's name. A short form is not a qualifier: an
    acronym of the name ("(CASIC)") or words of the name itself ("Huawei Technologies Co., Ltd.
    (Huawei)")."""
    words = {t.canon for t in analyze(bare, False).tokens}
    out: set[str] = set()
    for text in parenthesised(alias):
        text = text.strip()
        if not text or (is_acronym(text) and initials_consistent(text, bare)):
            continue
        canon = {t.canon for t in analyze(text, False).tokens if t.cls not in (ADMIN, LEGAL, STOP)}
        if canon and not canon <= words:
            out.update(canon - words)
    return frozenset(out)


def query_qualifier(
    query: str, bare: str, alias: str, countries: set[str], alias_analysis: NameAnalysis | None = None
) -> list[str]:
    """The places of the query's own parenthesised qualifier (words of class PLACE or COUNTRY that the
    query's form ``bare`` lacks) that the matched list name ``alias`` does not hold, sorted:
    "Semiconductor Manufacturing International (Beijing) Corporation" matched as the listed "Semiconductor
    Manufacturing International Corporation" → ["beijing"], a subsidiary or branch of the listed firm
    (``dropped_qualifier_query``). Only places: an acronym or short form ("(CETC 13)", "(Huawei)") names
    the firm itself; only the qualifiers of the part of the query the form was made from (``_form_span``:
    not the "(Shenzhen)" of another entity named further on in the query). A qualifier naming one of
    ``countries`` (the query's and the record's, normalised) is left out: "Sensetime (China)" says of a
    Chinese record only where it is. ``alias_analysis``: ``analyze(alias, False)`` when the caller holds
    it (a candidate's own analysis when it is its list name as written: a list name met in a fresh worker
    is decoded, not analysed, and analysing it here cost ~90,000 instructions a pair)."""
    qualifiers = _query_qualifiers(query, bare)
    if not qualifiers:
        return []
    listed = analyze(alias, False) if alias_analysis is None else alias_analysis
    held = {t.canon for t in analyze(bare, False).tokens} | {t.canon for t in listed.tokens}
    out: set[str] = set()
    for codes, places in qualifiers:
        if any(_country_norm(code) in countries for code in codes):
            continue  # a qualifier naming a country of the query or the record, whole ("Hong Kong") or by a word
        out.update(canon for canon in places if canon not in held)
    return sorted(out)


@lru_cache(maxsize=4096)
def _query_qualifiers(query: str, bare: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """query_qualifier's side of the query, the same for every candidate of a query form: each of the
    form's parenthesised texts (_form_qualifiers) as the countries it names (whole or by a word) and its
    words of class PLACE or COUNTRY, in order."""
    out: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for text in _form_qualifiers(query, bare):
        tokens = analyze(text, False).tokens
        words = [" ".join(text.casefold().split()), *(t.canon for t in tokens)]
        codes = [code for code in (ev.country_of_word(w) for w in words) if code]
        out.append((tuple(codes), tuple(t.canon for t in tokens if t.cls in (PLACE, COUNTRY))))
    return tuple(out)


_WORD_RE = re.compile(r"\w+")


_QUALIFIER_RE = re.compile(r"\(([^()]*)\)")


def _form_qualifiers(query: str, form: str) -> list[str]:
    """The parenthesised texts of ``query`` that belong to the part its form ``form`` (the query, or a
    part of it, without parentheses) was made from: inside the span of the query the form's words cover,
    or right after it. When the form's words cannot be found in order (a homoglyph cleaned away), every
    parenthesised text of the query."""
    text = query.casefold()
    words = _WORD_RE.findall(form.casefold())
    spans: list[tuple[int, int]] = []
    at = 0
    for word in words:
        start = _whole_word_at(text, word, at)
        if start < 0:
            return parenthesised(query)
        at = start + len(word)
        spans.append((start, at))
    if not spans:
        return parenthesised(query)
    start, end = spans[0][0], spans[-1][1]
    return [
        m.group(1)
        for m in _QUALIFIER_RE.finditer(query)
        if start <= m.start() < end
        or (m.start() >= end and _adjacent(text[end : m.start()]))
        or (m.end() <= start and _adjacent(text[m.end() : start]))
    ]


def _whole_word_at(text: str, word: str, at: int) -> int:
    """Where ``word`` (a run of word characters, as ``_WORD_RE`` finds them) first stands in ``text`` as a
    whole word at ``at`` or after (-1: nowhere): what ``re.compile(rf"\\b{re.escape(word)}\\b").search(text,
    at)`` finds — a word character is one ``str.isalnum()`` says is, or "_", as for ``re``'s ``\\w``; the
    character before ``at`` counts, as ``re`` reads it from a start position.

    Why not that pattern: a query's words are new words, so each was a pattern compiled for one search
    (~150 of bench.scale's 2,000 queries' forms, each compile the interpreted ``re`` compiler's), and each
    pushed out of ``re``'s cache of 512 patterns the module patterns called by string
    (chipguard.match.evidence's date formats), compiled again in turn."""
    size, end_of_text = len(word), len(text)
    start = text.find(word, at)
    while start >= 0:
        end = start + size
        if (start == 0 or not _word_char(text[start - 1])) and (
            end == end_of_text or not _word_char(text[end])
        ):
            return start
        start = text.find(word, start + 1)
    return -1


def _word_char(char: str) -> bool:
    """Whether a character is a word character as ``re``'s ``\\w`` reads a str (Unicode)."""
    return char.isalnum() or char == "_"


def _adjacent(gap: str) -> bool:
    """Whether the text between a name and a parenthesised qualifier holds no word: punctuation, quotes,
    or other parenthesised texts ("Far East Trading Company, Inc. (a.k.a. FETCO, Inc.) (Hong Kong)")."""
    return not _WORD_RE.search(_QUALIFIER_RE.sub(" ", gap))


@lru_cache(maxsize=NAME_CORES)
def latin_core_name(name: str) -> str:
    """The trade name of a company name written in Latin letters: region + trade name + industry words +
    legal form ("Zhejiang Dahua Technology Co., Ltd.") → the trade name ("Dahua"), the name the firm
    trades under; a word naming a country is a region ("Huawei Technologies Deutschland GmbH" → "Huawei"). "" when the name has no legal form (persons, institutes, vessels), holds a word of any
    other kind (a number, an unknown class), keeps more trade-name words than ``core_name_max_words`` or
    fewer letters than ``core_name_min_letters`` (matching.yml), or is nothing but its trade name and
    legal form. A parenthesised short name made of the name's own words ("Huawei Technologies Co., Ltd.
    (Huawei)") is left out: it is the trade name written again, not a second word of it."""
    tokens = analyze(_without_own_words(name), False).tokens
    if not any(t.cls == LEGAL for t in tokens):
        return ""
    if any(t.cls not in (WORD, PLACE, COUNTRY, ADMIN, GENERIC, LEGAL, STOP) for t in tokens):
        return ""
    industry = industry_words()
    # a word naming a country is the region, not the trade name ("Huawei Technologies Deutschland GmbH"
    # trades as "Huawei"): the vocabulary's country words and every country's own names (vocab.
    # country_names)
    core = [t for t in tokens if t.cls == WORD and t.canon not in industry and not ev.country_of_word(t.text)]
    named = [t for t in tokens if t.cls not in (LEGAL, STOP)]
    cfg = scorer_config()
    if not core or len(core) > cfg.core_name_max_words or len(core) == len(named):
        return ""
    text = " ".join(t.text for t in core)
    return text if len(text.replace(" ", "")) >= cfg.core_name_min_letters else ""


def _without_own_words(name: str) -> str:
    """``name`` less its parenthesised texts whose words are all words of the rest of the name (a short
    name repeating it: "(Huawei)"); acronyms and qualifiers ("(CASIC)", "(UK)") are kept, and so is a
    name of several parts ("… (Huawei). Affiliated Entity: …"), which is no one firm's name to trade by."""
    inner = parenthesised(name)
    if not inner or any(how == "part" for _variant, how in name_variants(name)):
        return name
    rest = " ".join(_PAREN_TEXT.sub(" ", name).split())
    words = {t.canon for t in analyze(rest, False).tokens}
    for text in inner:
        own = {t.canon for t in analyze(text, False).tokens}
        if own and own <= words and not is_acronym(text.strip()):
            name = name.replace(f"({text})", " ", 1)
    return " ".join(name.split())


_PAREN_TEXT = re.compile(r"\([^()]*\)")


_BRAND_EXTRAS: Final = frozenset({LEGAL, STOP, PLACE, COUNTRY, ADMIN})


def trade_name_match(scored: Scored) -> bool:
    """Whether a match on a listed firm's trade name stands: the query is that trade name — every word
    of it met exactly (a trade name with a typo is another name) and nothing left over but a place or a
    legal form (众科建筑工程 is another firm trading as 众科 than 中科微电子, whatever the sound)."""
    return all(p.how in ("exact", "equivalent") for p in scored.pairs) and all(
        cls in _BRAND_EXTRAS for _text, cls, _w in scored.unmatched_query
    )


@lru_cache(maxsize=4096)
def trade_name_places(alias: str) -> frozenset[str]:
    """The places (cities, provinces: class PLACE, not countries) a listed company name written in Latin
    letters adds to its trade name, casefolded: "JIANGSU CHANGQING AGROCHEMICAL CO.,LTD" → {jiangsu}.
    Empty for a name in Chinese script (its places are Han, the query's translated ones Latin)."""
    indexed = alias[: LIMITS.list_name_chars]
    if has_han(indexed):
        return frozenset()
    in_core = {t.canon for t in analyze(core_name(indexed), False).tokens}
    return frozenset(
        t.canon.casefold()
        for t in analyze(indexed, False).tokens
        if t.cls == PLACE and t.canon not in in_core
    )


def trade_name_place_clash(scored: Scored, alias: str) -> dict[str, Any] | None:
    """The place clash of a match on a listed firm's trade name, or None. Why: a company name is
    registered as region + trade name + industry + legal form, and a trade name is the firm's own only
    within its region — 广东长青（集团） (Guangdong Chant) and JIANGSU CHANGQING AGROCHEMICAL, 江苏大港 and
    XI'AN DAGANG ROAD MACHINERY are other firms. On the full name the token alignment's place_clash sees
    the two places; on the trade name the list's place was cut off with the rest, so it is looked at
    here: a place the query names beside the trade name, none of the places the listed name adds."""
    q_places = {text.casefold() for text, cls, _w in scored.unmatched_query if cls == PLACE}
    if not q_places:
        return None
    l_places = trade_name_places(alias)
    if not l_places or q_places & l_places:
        return None
    return {
        "feature": "place_clash",
        "reason": "the trade name is met, but the names' places differ (another firm's region)",
        "query": sorted(q_places),
        "list": sorted(l_places),
        "value": -scorer_config().place_clash_penalty,
    }


def core_name(name: str) -> str:
    """The trade name of a listed company name, Chinese or Latin ("" when it has none): the general rule
    behind finding a listed firm by the name it trades under (海康威视, Dahua) besides its legal name; the
    curated short names (chipguard/data/zh/listed_party_names.yml) add what the rule cannot derive."""
    if has_han(name):
        return chinese_core_name(name)
    return latin_core_name(name)


@dataclass(frozen=True, slots=True)
class ListedRecord:
    """What a pair knows of the listed record a candidate name belongs to: its kind and countries
    (``countries`` normalised through the country groups, ``listed_countries`` as the list writes them).
    Screening has one for every candidate; ``compare`` scores two bare names and has none."""

    kind: PartyKind
    countries: set[str] | frozenset[str]
    listed_countries: list[str]
    name: str = ""  # the record's primary name (a branch or office says so there)


@dataclass(slots=True)
class PairScore:
    """A scored pair: the score with every feature, the name comparison (query side first) and the
    features of the pair beyond the names' words (``extra``: penalties with their contributions)."""

    score: float
    scored: Scored
    extra: list[dict[str, Any]]

    # (written out, as chipguard.match.score's Pair and Scored: compiled, a dataclass's generated __init__
    # is interpreted, a class's own is native)
    def __init__(self, score: float, scored: Scored, extra: list[dict[str, Any]]) -> None:
        self.score = score
        self.scored = scored
        self.extra = extra

    def features(self) -> list[dict[str, Any]]:
        """Every feature that fired, with its weight, value and contribution (they add up to the score)."""
        return self.scored.features(self.extra, self.score)


@dataclass(frozen=True, slots=True)
class PairQuery:
    """What score_pair knows of the query besides the analysed form it scores: the name as given, how
    this form was made (as-given, without-parentheses or its transliteration method) and its anchors;
    ``han``: the query's Han characters when this form is their Latin rendering; the query's kind and
    country (normalised, and as given); the lists' ``rarity``, the score below which a pair is dropped,
    and the listed ``records`` (kind and countries by party) — screening has them, compare() does not;
    ``rules``: the scorer's similarity rules (score.similarity_rules of matching.yml), read once per
    query instead of once per candidate (see score_or_bound). Made once per query form, so the scorer's
    hot loop passes one object."""

    name: str
    how: str
    anchors: frozenset[str] | None = None
    han: str = ""
    kind: str | None = None
    country: str = ""
    country_given: str | None = None
    rarity: RarityFn | None = None
    min_score: float = 0.0
    records: Callable[[int], ListedRecord] | None = None
    # whether a listed record carries a name in Chinese script (a translated query meets it directly)
    own_script: Callable[[int], bool] | None = None
    rules: SimilarityRules | None = None


def score_pair(
    qa: NameAnalysis,
    entry: Entry,
    person: bool,
    q_weights: tuple[float, ...] | None,
    query: PairQuery,
    aligned: dict[tuple[Any, ...], Scored | None] | None = None,
    similar: dict[int, tuple[Token, dict[int, tuple[float, str, Token]]]] | None = None,
    q_words: QueryWords | None = None,
) -> PairScore | None:
    """The one scorer of a query name against a candidate name, for ``Screener.screening`` and
    ``compare`` alike: the names' token alignment (chipguard.match.score.score_analyses; a candidate that
    is a word-by-word translation takes the query's seat, where translation rules apply), then the
    features of the pair — different qualifiers in parentheses, Chinese characters that differ behind
    equal transliterations and, when the candidate is a listed record (``records`` gives its kind and
    countries), a kind or country the query contradicts, a dropped qualifier naming a subsidiary, a match
    on a trade name or on the parent named in another entity's record. Every weight is matching.yml's.

    ``entry.variant`` says how the candidate name was made (see PairQuery for the query). None when the
    name score is below ``query.min_score`` or a trade-name entry does not stand (see
    trade_name_match).

    ``aligned``: the name alignments already made for this query form in this scoring mode (screening
    passes one dict per form and query), by the candidate name's text, person rules and anchors — all an
    alignment depends on besides the query. A name listed on several records (the Entity List lists a
    firm once per address) is then aligned once; the features of each record are still its own.
    ``similar``: the word pairs already compared for this query form (see score_or_bound); ``q_words``:
    what the scorer reads of ``qa``'s own words (score.QueryWords, made once per form and mode)."""
    script = _record_script(entry, person, query)
    if aligned is None:
        scored = _aligned(qa, entry, person, q_weights, query, script, similar, q_words)
    else:
        key = (entry.analysis.original, entry.analysis.person, entry.person, entry.anchors, person, script)
        if key in aligned:
            scored = aligned[key]
        else:
            scored = aligned[key] = _aligned(qa, entry, person, q_weights, query, script, similar, q_words)
    if scored is None:
        return None
    return _pair_features(qa, entry, query, scored)


def _record_script(entry: Entry, person: bool, query: PairQuery) -> bool:
    """Whether a translated (Chinese) query meets here the English name of a record that carries its own
    Chinese name (name_score.translated_record_script_needs_partner): asked only of such pairs."""
    return (
        query.anchors is not None
        and entry.anchors is None
        and not person
        and query.own_script is not None
        and scorer_config().record_script_needs_partner
        and query.own_script(entry.party)
    )


def _aligned(
    qa: NameAnalysis,
    entry: Entry,
    person: bool,
    q_weights: tuple[float, ...] | None,
    query: PairQuery,
    script: bool = False,
    similar: dict[int, tuple[Token, dict[int, tuple[float, str, Token]]]] | None = None,
    q_words: QueryWords | None = None,
) -> Scored | None:
    """The names' alignment of score_pair, None when it is below ``query.min_score``; ``script``: see
    _record_script."""
    c_weights = entry.weights or None
    rarity, min_score = query.rarity, query.min_score
    if entry.anchors is not None and query.anchors is None and not person:
        # the list name is the translation (English query, Chinese list name): it takes the query's seat
        # in the scorer, where translation synonyms and anchors apply
        swapped = score_or_bound(
            entry.analysis,
            qa,
            person=False,
            rarity=rarity,
            q_weights=c_weights,
            c_weights=q_weights,
            min_score=min_score,
            anchors=entry.anchors,
            list_translated=True,
            similar=similar,
            rules=query.rules,
        )
        if not isinstance(swapped, Scored):
            return None  # the early bound ruled the pair out (it is below min_score)
        scored = swapped.swapped()
    else:
        found = score_or_bound(
            qa,
            entry.analysis,
            person=person,
            rarity=rarity,
            q_weights=q_weights,
            c_weights=c_weights,
            min_score=min_score,
            anchors=query.anchors,
            cand_has_script=script,
            similar=similar,
            rules=query.rules,
            q_words=q_words,
        )
        if not isinstance(found, Scored):
            return None  # the early bound ruled the pair out (it is below min_score)
        scored = found
    if scored.score < min_score:
        return None
    return scored


def _pair_features(qa: NameAnalysis, entry: Entry, query: PairQuery, scored: Scored) -> PairScore | None:
    """score_pair's features of the pair beyond the names' words, on the names' alignment ``scored``."""
    if entry.variant == "core" and not trade_name_match(scored):
        return None
    w = scorer_config()
    extra: list[dict[str, Any]] = []
    if entry.variant == "core" and w.trade_name_place_clash:
        place_clash = trade_name_place_clash(scored, entry.alias)
        if place_clash:
            extra.append(place_clash)
    record = query.records(entry.party) if query.records is not None else None
    query_kind, query_country = query.kind, query.country
    if record is not None:
        if (
            query_kind in ("person", "org")
            and record.kind in _PERSON_OR_ORG_LIKE
            and (query_kind == "person") != (record.kind == PartyKind.PERSON)
        ):
            extra.append(
                {
                    "feature": "kind_clash",
                    "reason": f"query is a {query_kind}, the listed party a {record.kind.value}",
                    "value": -w.kind_clash_penalty,
                }
            )
        if query_country and record.countries and query_country not in record.countries:
            value = (
                w.person_country_clash_penalty if record.kind == PartyKind.PERSON else w.country_clash_penalty
            )
            extra.append(
                {
                    "feature": "country_clash",
                    "reason": f"country {query.country_given} given, the listed party is in "
                    f"{', '.join(sorted(record.listed_countries))}",
                    "value": -value,
                }
            )
    clash = qualifier_clash(query.name, entry.alias, query.how, entry.variant)
    if clash:
        extra.append(clash)
    elif record is not None and entry.variant == "without-parentheses" and not entry.latin_method:
        dropped = dropped_qualifiers(entry.alias, entry.analysis.original)
        if dropped and not dropped & {t.canon for t in qa.tokens}:
            extra.append(
                {
                    "feature": "dropped_qualifier",
                    "reason": "the list name's qualifier in parentheses ("
                    + ", ".join(sorted(dropped))
                    + ") is not in the query: a subsidiary or branch of the named firm",
                    "value": -w.dropped_qualifier_penalty,
                }
            )
    elif record is not None and w.dropped_qualifier_query and query.how == "without-parentheses":
        # (the candidate's analysis is its list name's when it is that name as written, analysed as an
        # organisation's: party_entries analyses each variant of a list name as it is)
        as_written = entry.analysis.original == entry.alias and not entry.analysis.person
        own = query_qualifier(
            query.name,
            qa.original,
            entry.alias,
            {query.country, *record.countries},
            entry.analysis if as_written else None,
        )
        if own:
            extra.append(
                {
                    "feature": "query_qualifier",
                    "reason": "the query's qualifier in parentheses ("
                    + ", ".join(own)
                    + ") is not in the list name: the query names a subsidiary or branch of the listed firm",
                    "value": -w.dropped_qualifier_penalty,
                }
            )
    if record is not None and not any(
        p.get("feature") in ("qualifier_clash", "dropped_qualifier") for p in extra
    ):
        # (not twice: a dropped "(Lebanon Branch)" is already a qualifier the query lacks)
        marker = branch_marker(record.name) or branch_marker(entry.alias)
        if marker and not branch_marker(query.name):
            extra.append(
                {
                    "feature": "branch_marker",
                    "reason": f"the listed record is a {marker} ('{record.name}') and the query names none: "
                    "a branch or office of the named body ranks below it",
                    "value": -w.branch_marker_penalty,
                }
            )
    if record is not None:
        if entry.variant == "core":
            extra.append(
                {
                    "feature": "trade_name",
                    "reason": "matched the listed name's trade name (without its place, industry "
                    "words and legal form)",
                    "value": -w.core_name_penalty,
                }
            )
        elif (
            entry.variant != "full"
            and entry.alias != entry.analysis.original
            and entry.analysis.original.strip(" ,.;:-").casefold() in parent_parts(entry.alias)
        ):
            extra.append(
                {
                    "feature": "parent_part",
                    "reason": "the matched name is the parent named in another entity's "
                    "record (Affiliated Entity / Parent Organization)",
                    "value": -w.parent_part_penalty,
                }
            )
    if query.han and entry.latin_method:
        # two Chinese names met through their Latin forms: their characters must agree too
        differ = han_difference(query.han, entry.alias, w.han_mismatch_penalty_factor)
        if differ:
            extra.append(differ)
    score = scored.score
    if extra:
        score = max(0.0, score + sum((p["value"] for p in extra), 0.0))
    return PairScore(score, scored, extra)


def _person_candidate(entry: Entry, kind: PartyKind) -> bool:
    """Whether a list name is scored by ``_person_reading`` too: a name of a record whose kind the list
    does not state, itself without a legal form or a word of an organisation's kind. A firm's name
    ("AVIC Chengdu Aircraft Industrial (GROUP) Co. Ltd.") is not a person's, and person rules (a name
    holding every part of the other) would rate a short firm name against a longer one far above what
    the organisation rules give; a record the list calls an organisation is one (``--kind person``
    would only lower its score by the kind clash)."""
    return _person_shaped(entry) and kind == PartyKind.UNKNOWN


def _person_shaped(entry: Entry) -> bool:
    """_person_candidate's test of the name alone (its record's kind aside): a name of a record not
    listed as a person's, not a trade name, without a legal form or a word of an organisation's kind.
    Asked first, so that the record's kind is read only of the names that pass it: reading it decodes a
    mapped screener's record, and most names a query without a kind meets are firms' names."""
    if entry.person or entry.variant == "core":
        return False
    return not any(t.cls in (LEGAL, GENERIC, ADMIN) for t in entry.analysis.tokens)


class Deepening:
    """The candidates of one query form, read on past the candidate limit while they clear the threshold.

    The first candidates are the index's (``Retrieval.first``: the best by key weight, the full matches
    and same names); the list grows while it is walked (trade names bring their full names, a name that
    scored brings every record listing it). Once it is walked to its end, and when the candidates
    scored since the last batch brought records over the threshold that none had brought over before,
    through ``names`` different list names or more (``cleared``, filled by the caller), the next
    ``batch`` entries of each ranking not yet walked are appended — the floors do not apply to them —
    until a batch brings fewer or ``cap`` entries have been appended so (0: never). Why: a big name (a
    parent and its many listed subsidiaries and affiliates) has more records clearing the threshold than
    the candidate limit holds, and a record that clears it on its own was lost because more than
    ``batch`` others shared more of the query's key weight (issue 12 item 5). A query whose candidates
    bring fewer names over — most screenings: none, or one firm's records — costs nothing more
    (matching.yml ``candidates_deepen_names``: reading on after every single new record more than
    doubled the scoring of bench.scale's queries for a few fuzzy look-alikes, BENCHMARKS.md).

    ``to_end`` (matching.yml ``candidates_deepen_to_end``): once batches were read and they stop, the rest
    of each ranking is read once, less the names of records already over the threshold (``settled``;
    another of their names can only raise a score that passes) and the names whose score bound cannot
    reach it (``may_reach``, chipguard.match.bound): a big name's records sharing only its one heavy word
    rank behind hundreds of its longer names that share more words and score less, and a batch of those
    brings no new name over — the stop rule lost them (issue 12 item 5).

    Here, beside score_candidates, so that the generator the candidate loop walks is compiled with it
    (chipguard.native): it yields once per candidate."""

    def __init__(
        self,
        rankings: list[Retrieval],
        batch: int,
        cap: int,
        names: int,
        to_end: bool = False,
        settled: Callable[[int], bool] | None = None,
        may_reach: Callable[[list[int]], list[int] | None] | None = None,
    ) -> None:
        self.rankings = rankings
        self.batch = max(batch, 1)
        self.cap = cap
        self.names = max(names, 1)
        self.cleared: set[str] = set()
        self._known: set[int] | None = None
        self.to_end = to_end
        self.settled = settled
        self.may_reach = may_reach

    def known(self, candidates: list[int]) -> set[int]:
        """The entries in ``candidates`` (made at the first call; the caller adds what it appends)."""
        if self._known is None:
            self._known = set(candidates)
        return self._known

    def walk(self, candidates: list[int]) -> Iterator[int]:
        """The entries of ``candidates`` in order, as it grows, then the further batches (appended to it)."""
        at = added = 0
        positions = [0] * len(self.rankings)
        deepened = read_to_end = False
        while True:
            while at < len(candidates):
                yield candidates[at]
                at += 1
            more: list[int] = []
            if len(self.cleared) >= self.names and added < self.cap and not read_to_end:
                deepened = True
                self.cleared = set()
                walked = self.known(candidates)
                for i, found in enumerate(self.rankings):
                    order = found.ranked()
                    pos = positions[i]
                    taken = 0
                    while pos < len(order) and taken < self.batch:
                        eid = order[pos]
                        pos += 1
                        if eid not in walked:
                            walked.add(eid)
                            more.append(eid)
                            taken += 1
                    positions[i] = pos
            elif (
                deepened
                and self.to_end
                and self.may_reach is not None
                and not read_to_end
                and added < self.cap
            ):
                # the batches stopped bringing new names over: the rest of each ranking is read once,
                # but for the records that cleared the threshold already (another of their names can
                # only raise a score that passes)
                read_to_end = True
                walked = self.known(candidates)
                settled = self.settled
                for i, found in enumerate(self.rankings):
                    order = found.ranked()
                    for eid in order[positions[i] :]:
                        if eid not in walked and (settled is None or not settled(eid)):
                            walked.add(eid)
                            more.append(eid)
                    positions[i] = len(order)
                # only the names whose score bound reaches the threshold (chipguard.match.bound); none
                # when the bound does not cover the query (scoring them all cost more than the scoring)
                more = self.may_reach(more) or []
            if not more:
                return
            more = more[: self.cap - added]
            added += len(more)
            candidates.extend(more)  # (the caller's list, grown in place)


# a candidate kept for a query (see score_candidates): (score, the names' alignment, the query form, its
# analysis scored, the candidate name, the pair's features beyond the words)
Kept = tuple[float, Scored, Any, NameAnalysis, Entry, list[dict[str, Any]]]


def score_candidates(
    screener: Any,
    form: Any,
    pair_query: PairQuery,
    person_query: PairQuery | None,
    kind_norm: str | None,
    candidates: list[int],
    deepen: Deepening,
    q_weights: dict[bool, tuple[float, ...]],
    best: dict[int, Kept],
    cut: float,
    scorer: Callable[..., PairScore | None] = score_pair,
) -> None:
    """The candidate loop of one query form of ``Screener.screening`` (``screener``; ``form``, its
    QueryForm): each candidate name as ``deepen.walk`` yields it — ``candidates`` grows while it is
    walked — scored by ``scorer`` (score_pair; the screener passes the function it names, so that one
    scorer serves screening and compare) with ``pair_query`` and, for a query without a kind that may be
    a person's name (``person_query``), by the person rules too, the better reading kept; the best pair
    of each record into ``best`` (by party), the names that brought a record over ``cut`` into
    ``deepen.cleared``. ``q_weights``: the query's weights per scoring mode, filled as needed.

    Why here: this loop runs for every candidate of every query, so it is compiled with the scorer
    (chipguard.native); the screener keeps the per-query work around it."""
    entries = screener.index.entries
    parties = screener.parties
    rarity = screener.index.rarity
    same_named = screener.candidates_same_name
    # the names (text, person reading) whose records were added by their same-name key: another record
    # of one of them adds none (every record listing the name is in ``candidates`` already, see below)
    expanded: set[tuple[str, bool]] = set()
    # a Latin organisation query holding a record's trade name also meets its translated Chinese names
    # (see Screener.translated_names)
    translations = (
        scorer_config().candidates_record_translations and kind_norm != "person" and form.anchors is None
    )
    q_words: dict[bool, set[str]] = {}  # the query's words, per scoring mode
    aligned: dict[tuple[Any, ...], Scored | None] = {}  # (see score_pair)
    similar: dict[int, tuple[Token, dict[int, tuple[float, str, Token]]]] = {}  # (see score_or_bound)
    # what the scorer reads of the query's own words, per scoring mode (see score.QueryWords)
    q_sides: dict[bool, QueryWords] = {}
    rules = pair_query.rules if pair_query.rules is not None else similarity_rules(scorer_config())
    translated = pair_query.anchors is not None
    # the form's two analyses, read once: its person reading is a property (an analysis cache's look-up
    # through a Python call) that every candidate scored by the person rules read again — a person query's
    # every candidate (session 23: ~3 % of a pass of Chinese persons' names, callgrind)
    org_qa: NameAnalysis = form.org
    person_qa: NameAnalysis | None = None
    for eid in deepen.walk(candidates):
        entry: Entry = entries[eid]
        person_mode = kind_norm == "person" or (kind_norm is None and entry.person)
        if person_mode:
            if person_qa is None:
                person_qa = form.person
            qa: NameAnalysis = person_qa
        else:
            qa = org_qa
        qw = q_weights.get(person_mode)
        if qw is None:
            qw = q_weights[person_mode] = weights_of(qa, rarity, person_mode)
        side = q_sides.get(person_mode)
        if side is None or side.weights is not qw:
            side = q_sides[person_mode] = QueryWords(qa, qw, person_mode, translated, rules)
        pair = scorer(qa, entry, person_mode, qw, pair_query, aligned, similar, side)
        if (
            person_query is not None
            and _person_shaped(entry)
            and parties[entry.party].kind == PartyKind.UNKNOWN  # (read only now: see _person_shaped)
        ):
            if person_qa is None:
                person_qa = form.person
            pw = q_weights.get(True)
            if pw is None:
                pw = q_weights[True] = weights_of(person_qa, rarity, True)
            person_side = q_sides.get(True)
            if person_side is None or person_side.weights is not pw:
                person_side = q_sides[True] = QueryWords(person_qa, pw, True, translated, rules)
            read = scorer(person_qa, entry, True, pw, person_query, aligned, similar, person_side)
            if read is not None and (pair is None or read.score > pair.score):
                pair, qa, person_mode = read, person_qa, True
        if entry.variant == "core":
            words = q_words.get(person_mode)
            if words is None:
                words = q_words[person_mode] = {t.canon for t in qa.tokens}
            holds = all(t.canon in words for t in entry.analysis.tokens)
        else:
            holds = False
        if holds:
            # the query holds a listed trade name: the full name it comes from is scored too,
            # retrieved or not (see _full_name_of)
            retrieved = deepen.known(candidates)
            for other in screener._full_name_of(eid):
                if other not in retrieved:
                    retrieved.add(other)
                    candidates.append(other)
            if (
                translations
                and (deepen.cleared or any(kept[0] >= cut for kept in best.values()))
                and screener.record_has_script(entry.party)
            ):
                # and, once the query has cleared the threshold on a record (it names a listed firm,
                # not a look-alike sharing its trade name: "HUAWEI CULTURE CO.,LTD"), so are the
                # record's translated Chinese names (Screener.translated_names)
                for other in screener.translated_names(eid):
                    if other not in retrieved:
                        retrieved.add(other)
                        candidates.append(other)
        if pair is None:
            continue
        if same_named:
            # a name that may clear the threshold (its alignment reached the scoring floor) is
            # scored on every record listing it: the parent named in seventy Huawei affiliates'
            # records, the same firm once per address (one alignment, see score_pair), however
            # many left the candidate limit. The floor, not the threshold: a name written
            # otherwise ("Huawei Technology Co. Ltd." beside "Huawei Technologies Co., Ltd.",
            # one same-name key) aligns a little otherwise. A name met again (the same firm's records
            # at other addresses, most aligned once: see score_pair) has brought its records already:
            # bench.scale's 2,000 queries, 1,358 of 5,213 look-ups are of a name met before in the form
            named = (entry.analysis.original, entry.analysis.person)
            if named not in expanded:
                expanded.add(named)
                retrieved = deepen.known(candidates)
                for other in screener.index.same_name_entries(eid):
                    if other not in retrieved:
                        retrieved.add(other)
                        candidates.append(other)
        score, scored, extra = pair.score, pair.scored, pair.extra
        prev = best.get(entry.party)
        if score >= cut and (prev is None or prev[0] < cut):
            # a record clearing the threshold that no name scored before had cleared
            deepen.cleared.add(entry.analysis.original)
        if prev is None or score > prev[0]:
            best[entry.party] = (score, scored, form, qa, entry, extra)
