"""Screening: a name (and optionally its kind and country) → the list parties it matches, explained.

``Screener`` builds the candidate index once over every name of every party — aliases, the parts of
compound list entries, parenthesised acronyms and the Latin forms of non-Latin names — and then answers
each query by scoring only the retrieved candidates. Every hit carries an explanation: which alias and
which form of it matched, the normalisations applied on both sides, the token alignment, each
component of the score, the transliteration used and the country qualifier. ``compare`` scores two
names directly with the same scorer (no list needed).
"""

from __future__ import annotations

import dataclasses
import functools
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from chipguard.errors import InputError
from chipguard.limits import LIMITS
from chipguard.match import evidence as ev
from chipguard.match import grouping
from chipguard.match.bound import may_reach
from chipguard.match.config import scorer_config
from chipguard.match.index import Entry, NameIndex, gc_paused
from chipguard.match.pairs import (
    Deepening,
    ListedRecord,
    PairQuery,
    _country_norm,
    _person_candidate,
    core_name,
    dropped_qualifiers,
    han_core,
    latin_core_name,
    score_candidates,
    score_pair,
)
from chipguard.match.pairs import PairScore as PairScore  # (named here as before)
from chipguard.match.pairs import query_qualifier as query_qualifier
from chipguard.match.pairs import trade_name_places as trade_name_places
from chipguard.match.score import (
    PINYIN_HEAD,
    PLACE_LEFT_OUT,
    Pair,
    RarityFn,
    Scored,
    industry_words,
    similarity_rules,
    weights_of,
)
from chipguard.model import EVIDENCE_FIELDS, QUERY_KINDS, Hit, Party, PartyKind
from chipguard.names import scripts as _scripts
from chipguard.names.analysis import (
    ADMIN,
    COUNTRY,
    GENERIC,
    LEGAL,
    PLACE,
    STOP,
    NameAnalysis,
    Token,
    analyze,
)
from chipguard.names.arabic import compound_reading
from chipguard.names.cache_bounds import QUERY_RESULTS
from chipguard.names.chinese import analyse, has_han
from chipguard.names.chinese_vocab import ADMIN as CN_ADMIN
from chipguard.names.chinese_vocab import LEGAL as CN_LEGAL
from chipguard.names.chinese_vocab import PLACE as CN_PLACE
from chipguard.names.data import checked_threshold
from chipguard.names.enrichment import enrich_parties
from chipguard.names.korean import mr_readings
from chipguard.names.scripts import LatinForm, has_non_latin, latin_forms
from chipguard.names.text import clean_steps, latin_letters
from chipguard.names.variants import (
    name_variants,
)
from chipguard.names.wade_giles import pinyin_readings

# Latin forms that translate words (Chinese org vocabulary → English) rather than transliterate sounds
TRANSLATION_METHODS: frozenset[str] = getattr(
    _scripts, "TRANSLATED_METHODS", frozenset({"zh-en", "zh-mixed", "zh-brand"})
)


@lru_cache(maxsize=QUERY_RESULTS)
def cached_latin_forms(text: str, query: bool = False) -> tuple[LatinForm, ...]:
    """Latin renderings of a non-Latin name (cached: list names are transliterated once). ``query``
    leaves out the forms only worth indexing (per-syllable pinyin)."""
    if not has_non_latin(text):
        return ()
    seen: set[str] = set()
    out: list[LatinForm] = []
    for form in latin_forms(text, query=query):
        key = form.text.strip().casefold()
        if key and key not in seen:
            seen.add(key)
            out.append(form)
    return tuple(out)


_Key = TypeVar("_Key")
_Kept = TypeVar("_Kept")
_Made = TypeVar("_Made")


def _kept(cache: OrderedDict[_Key, _Kept], key: _Key, value: _Kept, most: int) -> _Kept:
    """``value`` stored under ``key`` in ``cache``, the oldest entries dropped beyond ``most``. Each step
    is one atomic operation on the C OrderedDict, so API threads screening at once interleave safely
    (at worst a value is computed twice)."""
    cache[key] = value
    while len(cache) > most:
        try:
            cache.popitem(last=False)
        except KeyError:  # another thread emptied it meanwhile
            break
    return value


# a Latin rendering of a Chinese query as Screener.screening scored it: the form, its pair queries (and its
# person reading's), its first candidates, every candidate it walked, its weights per scoring mode
_Rendering = tuple[
    "QueryForm", PairQuery, PairQuery | None, list[int], list[int], dict[bool, tuple[float, ...]]
]

# the query forms that are the name as given (the others are renderings of it in Latin script)
_OWN_FORMS = frozenset({"as-given", "without-parentheses"})


@dataclass(slots=True)
class QueryForm:
    """One form of the query that is matched: the name as given, or a Latin rendering of it."""

    text: str
    method: str  # "as-given" or the transliteration method
    explanation: str
    org: NameAnalysis
    anchors: frozenset[str] | None = None  # translated forms: tokens also found in a transliteration

    @property
    def person(self) -> NameAnalysis:
        """The person-rules analysis, made only when a query or a candidate is a person (most
        organisation queries never need it; ``analyze`` caches it)."""
        return analyze(self.text, True)


def anchored(
    latin: tuple[LatinForm, ...], person: bool = False
) -> list[tuple[LatinForm, frozenset[str] | None]]:
    """Each Latin form with its anchors when it is a word-by-word translation (None otherwise): the words
    of the name's transliterated forms, which tell a translation's brand words (pinyin) from its
    translated vocabulary. A person's name is never translated, so it has none. A dictionary's English
    name for the whole name (LatinForm.registered: CC-CEDICT's 北京工业大学 "Beijing University of
    Technology") is a registered name, compared as one, with no anchors either: a word-by-word
    translation's leniencies (another kind of body at body_kind_similarity, synonyms, unmatched words
    lowered) would let it meet another body's name that differs in one word, Beijing Institute of
    Technology (name_score.dictionary_names_registered)."""
    words: set[str] = set()
    if not person:
        for lf in latin:
            if lf.method not in TRANSLATION_METHODS:
                words.update(t.text for t in analyze(lf.text, False).tokens)
    anchors = frozenset(words)
    registered = scorer_config().dictionary_names_registered
    return [
        (
            lf,
            anchors
            if anchors and lf.method in TRANSLATION_METHODS and not (registered and lf.registered)
            else None,
        )
        for lf in latin
    ]


# a query form's method for a Wade-Giles reading: its pairs count only from wade_giles_reading_min_score
WADE_GILES = "wade-giles"
# … for a Korean reading (RR read as McCune-Reischauer): its pairs count only from korean_reading_min_score
KOREAN = "korean-rr"
# … for an Arabic compound written as one word (a query form, and a listed person's indexed name)
ARABIC_COMPOUND = "arabic-compound"


def reading_floors() -> dict[str, float]:
    """Query-form method → the least score a record that form meets counts at: the romanisation readings
    are guesses at every syllable, and a near name of a guess is no evidence (matching.yml
    wade_giles_reading_min_score, korean_reading_min_score)."""
    cfg = scorer_config()
    return {WADE_GILES: cfg.wade_giles_reading_min_score, KOREAN: cfg.korean_reading_min_score}


def romanisation_readings(name: str) -> list[tuple[str, str, str]]:
    """``name`` in the other spellings matching.yml reads it in, each (reading, method, explanation): a
    Wade-Giles name read as Pinyin, an Arabic compound written as one word, a name in the Revised
    Romanization of Korean read as McCune-Reischauer. One list for a screen's query forms and for both
    sides of ``compare``, so the two read a name alike."""
    cfg = scorer_config()
    out: list[tuple[str, str, str]] = []
    name = latin_letters(name)  # the readers read Latin letters: a homoglyph or diacritic undone first
    if cfg.query_wade_giles_reading:
        out += [
            (reading, WADE_GILES, f"Wade-Giles read as Pinyin: {reading}")
            for reading in pinyin_readings(name, cfg.wade_giles_pinyin_alike, cfg.wade_giles_readings)
        ]
    reading = compound_reading(name) if cfg.arabic_compound_reading else ""
    if reading:
        out.append((reading, ARABIC_COMPOUND, f"Arabic compound written as one word: {reading}"))
    if cfg.query_korean_reading:
        out += [
            (reading, KOREAN, f"Revised Romanization read as McCune-Reischauer: {reading}")
            for reading in mr_readings(
                name, cfg.korean_list_style_reading, cfg.korean_list_spellings, cfg.korean_voiced_first_word
            )
        ]
    return out


@lru_cache(maxsize=QUERY_RESULTS)
def query_forms(name: str) -> tuple[QueryForm, ...]:
    """The forms of a query worth matching: as given, without a parenthesised qualifier
    ("Sensetime (China)"), and the Latin renderings of a non-Latin name.

    Renderings that analyse to the same words as an earlier form are dropped: they would retrieve and
    score the same candidates again (a Chinese name often has several spellings that differ only in
    spacing or case)."""
    forms = [QueryForm(name, "as-given", "", analyze(name, False))]
    # (a name without an opening parenthesis has no form without its parenthesised qualifier: its
    # variants are not made — name_variants' splitting pattern, tried at every position of the name, was
    # ~1 % of a query's time, and most queries have none)
    for variant, how in name_variants(name) if "(" in name else ():
        if how == "without-parentheses":
            forms.append(
                QueryForm(
                    variant, "without-parentheses", "parenthesised qualifier removed", analyze(variant, False)
                )
            )
    for reading, method, explanation in romanisation_readings(name):
        forms.append(QueryForm(reading, method, explanation, analyze(reading, False)))
    seen: set[tuple[tuple[str, ...], bool]] = {(tuple(t.text for t in f.org.tokens), False) for f in forms}
    for lf, anchors in anchored(cached_latin_forms(name, query=True)):
        org = analyze(lf.text, False)
        key = (tuple(t.text for t in org.tokens), lf.method in TRANSLATION_METHODS)
        if key in seen:
            continue
        seen.add(key)
        forms.append(QueryForm(lf.text, lf.method, lf.explanation, org, anchors))
    return tuple(forms)


def readable(name: str) -> bool:
    """Whether any form of ``name`` (``query_forms``) has a token to compare.

    A form's analysis has tokens exactly when its cleaned text has a word (``analyze`` keeps every word
    no rule makes a token of), so the forms' cleaned texts answer without analysing them — the name as
    given first, which answers for nearly every name. Why not the analyses: validating a file of names
    (``chipguard.service.query_files``, 100,000 rows for a job) would analyse every row, which screening
    does again, and fill the per-name caches with ~3 KB a row of names this process may never screen."""
    if _has_words(name):
        return True
    forms = [variant for variant, how in name_variants(name) if how == "without-parentheses"]
    if has_non_latin(name):
        forms += [lf.text for lf in latin_forms(name, query=True)]
    return any(_has_words(text) for text in forms)


def _has_words(text: str) -> bool:
    """Whether ``text`` cleaned (``clean_steps``, uncached: a text asked once) has a word."""
    return bool(clean_steps.__wrapped__(text)[0].split())


@dataclass(slots=True)
class Comparison:
    """Result of :func:`compare`: ``match`` is ``score >= threshold``."""

    score: float
    match: bool
    explanation: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "match": self.match, "explanation": self.explanation}


def _never_common(_canon: str) -> float:
    """A rarity for ev.generic_institutional under which no word is common on the lists: a name is then
    generic only by the vocabulary's words (what kind of body or business), never for a proper name that
    many records repeat."""
    return 1.0


def _name_countries(analysis: NameAnalysis) -> frozenset[str]:
    """The countries the words of a name name ("Central Bank of Iran" → IR, "Chinese …" → CN), as country
    groups read them."""
    found = set()
    for tok in analysis.tokens:
        code = ev.country_of_word(tok.text) or ev.country_of_word(tok.canon)
        if code:
            found.add(_country_norm(code))
    return frozenset(found)


def _explain(
    scored: Scored,
    *,
    query_form: QueryForm,
    query_analysis: NameAnalysis,
    entry_analysis: NameAnalysis,
    alias: str,
    alias_kind: str,
    variant: str,
    latin_method: str,
    latin_explanation: str,
    extra_penalties: list[dict[str, Any]],
    score: float,
) -> dict[str, Any]:
    detail = scored.explain()
    detail["penalties"] = detail["penalties"] + extra_penalties
    out: dict[str, Any] = {
        "score": round(score, 4),
        "features": scored.features(extra_penalties, score),
        "matched_alias": alias,
        "alias_kind": alias_kind,
        "alias_part": variant,
        "compared": {"query": query_analysis.cleaned, "list": entry_analysis.cleaned},
        "normalisations": {"query": list(query_analysis.steps), "list": list(entry_analysis.steps)},
        **detail,
    }
    if query_form.method != "as-given":
        out["query_transliteration"] = {
            "form": query_form.text,
            "method": query_form.method,
            "explanation": query_form.explanation,
        }
    if latin_method:
        out["list_transliteration"] = {
            "form": entry_analysis.original,
            "method": latin_method,
            "explanation": latin_explanation,
        }
    return out


def short_form_only(alias: str, bare: NameAnalysis) -> bool:
    """Whether every parenthesised text of ``alias`` only repeats the rest of the name: an acronym
    ("(CASIC)") or a short name made of its words ("Huawei Technologies Co., Ltd. (Huawei)"). Dropping
    such a text leaves the same entity's name; dropping "(Australia)" does not."""
    return not dropped_qualifiers(alias, bare.original)


# why a list name is too thin to confirm on its own (ev.assess's ``thin_name``): one word, common on the lists
SINGLE_COMMON_WORD = "a single word common on the lists"
# … or the query is an institution's listed name without the place that starts it
PLACE_LEFT_OUT_REASON = "the listed name without the place that starts it (the query names none)"
RESPELT_REASON = "the trade name met by its sound or its pinyin's head, not as spelt"


def _respelt(pair: Pair) -> bool:
    """A translated query's trade name met by the head of its run-together pinyin, or by its sound with
    the first letter spelt otherwise (name_score.pinyin_head_syllables, sound_alike_spelt_first): a hit
    so met is reviewed (potential at most), never confirmed on the name."""
    return pair.how == PINYIN_HEAD or (pair.how == "sounds alike" and pair.query[:1] != pair.candidate[:1])


@lru_cache(maxsize=4096)
def trade_name_residue(alias: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a listed company name adds to its trade name: (other words, places), the legal form and
    stop words left out; a country word is a place. Why: a query of a trade name ("Sberbank") meets the
    body ("PJSC Sberbank of Russia") and its subsidiaries ("JSC Sberbank Leasing", "Sberbank Insurance
    LLC") at one score; the name adding least — no business line, no place — is the body itself and
    ranks first (``core_name_ranking``, see trade_name_rank). Computed for hits only, on the name's head
    as party_entries indexed it (its trade name came from that head)."""
    indexed = alias[: LIMITS.list_name_chars]
    core = core_name(indexed)
    words: list[str] = []
    places: list[str] = []
    if has_han(indexed):
        for seg in analyse(indexed).segments:
            if seg.text in core or seg.kind == CN_LEGAL:
                continue
            (places if seg.kind in (CN_PLACE, CN_ADMIN) or ev.country_of_word(seg.text) else words).append(
                seg.text
            )
        return tuple(words), tuple(places)
    in_core = {t.canon for t in analyze(core, False).tokens}
    for tok in analyze(indexed, False).tokens:
        if tok.canon in in_core or tok.cls in (LEGAL, STOP):
            continue
        place = tok.cls in (PLACE, COUNTRY, ADMIN) or ev.country_of_word(tok.text)
        (places if place else words).append(tok.text)
    return tuple(words), tuple(places)


# how the scorer pairs two unequal words by their letters or sound (chipguard.match.score.token_similarity):
# a Chinese query's brand met so is checked against the record's own Chinese name (evidence.homophone)
_APPROXIMATE = frozenset({"typo", "morphology", "sounds alike", "stem", "abbreviation", PINYIN_HEAD})


def trade_name_other_country(q_country: str, alias: str) -> tuple[str, ...]:
    """The countries a listed company name names as its region beside its trade name ("MYANMAR GEMS
    CORPORATION" → the trade name "Gems", region MM; "Russian Helicopters JSC" → RU) when none of them is
    the query's country (``q_country``, a country group head), or () — a name naming no country, or the
    query's, says nothing. Why: a trade name is the firm's own only within its region (as for a place,
    ``trade_name_place_clash``), here the country its name names."""
    _words, places = trade_name_residue(alias)
    named = {_country_norm(code) for p in places if (code := ev.country_of_word(p))}
    if not named or q_country in named:
        return ()
    return tuple(sorted(named))


def trade_name_rank(entry: Entry, q_country: str) -> tuple[int, int]:
    """The rank of a hit among hits of equal score: (0, 0) for a match on a full name; for a match on a
    trade name, how many other words and how many places its listed name adds (trade_name_residue), a
    country word naming the query's country costing nothing ("of Russia" in RU)."""
    if entry.variant != "core":
        return (0, 0)
    words, places = trade_name_residue(entry.alias)
    foreign = [
        p
        for p in places
        if not (q_country and (code := ev.country_of_word(p)) and _country_norm(code) == q_country)
    ]
    return (len(words), len(foreign))


def _readings_differ(org: NameAnalysis, person: NameAnalysis) -> bool:
    """Whether a name's person reading has words its organisation reading spells otherwise (the
    organisation reading singularises and expands abbreviations: "Abbas" → "abba"), so that records
    indexed under the person reading are not reached by the organisation reading's keys. A name with a
    legal form or a word of an organisation's kind ("Technologies", "Bank") is read as an organisation
    only: its person reading would be retrieved for nothing."""
    if not person.tokens or any(t.cls in (LEGAL, GENERIC) for t in org.tokens):
        return False
    return {t.canon for t in person.tokens} != {t.canon for t in org.tokens}


def _person_reading(form: QueryForm) -> bool:
    """Whether a query form given without a kind is also scored as a person's name against list names
    that are not a person's: what ``--kind person`` would find, a query without a kind finds too. A
    record whose kind the list does not state (the Entity List, DTC, DPL …: about 3,600 CSL records, people
    among them) is indexed under its organisation reading, so "Tan Wei Ming" without a kind was scored
    against the Entity List person "Tan Wei" by the organisation rules alone (0.67, no hit) and found with
    kind person by the person rules (every part of the shorter name in the longer: 0.81, a potential hit
    to review). Two name parts or more (a single word is no person's full name), transliterated rather
    than translated, and no legal form or word of an organisation's kind ("Technologies", "Bank")."""
    if form.method in TRANSLATION_METHODS or len(form.org.tokens) < 2:
        return False
    if any(t.cls in (LEGAL, GENERIC) for t in form.org.tokens):
        return False
    return len(form.person.tokens) >= 2


def name_key(a: NameAnalysis) -> str:
    """The words of a name in their canonical forms, legal form included ("Co., Ltd." = "Company
    Limited"): two records whose names have equal keys are named alike."""
    return " ".join(t.canon for t in a.tokens)


@lru_cache(maxsize=50_000)
def name_keys(names: tuple[str, ...], person: bool) -> frozenset[str]:
    """The keys of the names a record is listed under: each full name, and its bare form when its
    parentheses hold only a short form of it ("Huawei Technologies Co., Ltd. (Huawei)"). Records
    sharing a key are named alike; a part of a compound entry (an affiliate's parent) is not a name of
    the record. Computed for hits only (a few per query), so nothing is added to the index."""
    keys: set[str] = set()
    for name in names:
        variants = name_variants(name)
        single = not any(how == "part" for _, how in variants)
        for variant, how in variants:
            if how == "full" or (how == "without-parentheses" and single):
                a = analyze(variant, person)
                if a.tokens and (how == "full" or short_form_only(name, a)):
                    keys.add(name_key(a))
    return frozenset(keys)


def record_name_keys(party: Party) -> tuple[frozenset[str], frozenset[str]]:
    """The name keys of a record (:func:`name_keys`) the grouping rules compare: of all its names, and of
    its primary name alone. An index file holds them per record (chipguard.match.indexfile), so a worker
    mapping it does not analyse a hit's list names again to group it."""
    person = party.kind == PartyKind.PERSON
    return name_keys(tuple(n.name for n in party.all_names()), person), name_keys((party.name,), person)


def party_has_script(party: Party) -> bool:
    """Whether a record carries a name in Chinese script (the list's or the curated file's): a translated
    query meets that name directly (name_score.translated_record_script_needs_partner). An index file
    holds it per record (chipguard.match.indexfile), so a worker mapping it does not decode a candidate's
    record to ask."""
    return any(has_han(alias.name) for alias in party.all_names())


# features of a pair that say nothing of how alike the names are: the kind the customer declared, and the
# place the query's own parenthesised qualifier adds ("… (Hong Kong)"), left out of the name's own score
# that decides whether a declared kind is only the customer's word (ev.declared_kind_doubtful)
_NOT_THE_NAME = frozenset({"kind_clash", "query_qualifier"})


def _generic_listed_word(institutional: bool, rarity: RarityFn, tok: Token) -> bool:
    """Whether a word of a list name says only what kind of body it is (ev.generic_word)."""
    return ev.generic_word(tok, institutional, rarity, industry_words())


def _unmatched_tokens(listed: NameAnalysis, scored: Scored, address: bool = False) -> list[Token]:
    """The words of the list name ``listed`` that the scorer left unmatched (``scored.unmatched_candidate``
    gives their text), as tokens. With ``address``, not the address a list name writes after its legal
    form (_address_after_legal_form)."""
    texts = {text for text, _cls, _weight in scored.unmatched_candidate}
    if not texts:
        return []
    tokens = listed.tokens
    if address and (tail := _address_after_legal_form(tokens)):
        tokens = tokens[:-tail]
    return [t for t in tokens if t.text in texts]


def _address_after_legal_form(tokens: tuple[Token, ...]) -> int:
    """How many of a list name's last words are the record's address written after its legal form: every
    word after the name's last legal form a place or a country ("Huawei Software Technologies Co., Ltd.,
    Nanjing, Jiangsu", "HiSilicon Optoelectronics Co., Ltd., Wuhan, Hubei": the Entity List's 2020 entries
    of Huawei affiliates, some forty names). Such places say where the listed firm is, not which firm of
    its name it is — the name before them already does (strength.address_after_legal_form); 0 when the
    name ends with its legal form, has none, or adds any other word after it ("…, Tsim Sha Tsui")."""
    last = -1
    for i, t in enumerate(tokens):
        if t.cls == LEGAL:
            last = i
    if last < 0 or last == len(tokens) - 1:
        return 0
    tail = tokens[last + 1 :]
    return len(tail) if all(t.cls in (PLACE, COUNTRY) for t in tail) else 0


def _kinds_agree(a: PartyKind, b: PartyKind) -> bool:
    """Two records' kinds may be one entity's: equal, or one unknown and neither a person."""
    if (a == PartyKind.PERSON) != (b == PartyKind.PERSON):
        return False
    return a == b or PartyKind.UNKNOWN in (a, b)


@dataclass(slots=True)
class Screening:
    """Every record that clears the threshold, ranked, cut to ``limit``: ``omitted`` says how many
    records (after collapsing duplicates) the limit left out; ``entities`` groups the hits by entity."""

    hits: list[Hit]
    omitted: int
    limit: int
    entities: list[dict[str, Any]]


def party_entries(pidx: int, party: Party, core_names: bool) -> Iterator[Entry]:
    """The indexed names of party ``pidx``: every alias and its variants (parts, without parentheses,
    acronyms …), its trade name when ``core_names`` and it has one, and the Latin forms of a non-Latin
    alias. One function for the screener built in memory and the one built straight into a file, so both
    index the same names."""
    person = party.kind == PartyKind.PERSON
    # a person's (or a kindless record's) name holding an Arabic compound is indexed in its one-word
    # reading too (chipguard.names.arabic): the query is read the same way, so Abdul Rahman meets Abd
    # al-Rahman. Not an organisation's: Abu Dhabi is a place there, and an extra name per record costs.
    arabic = scorer_config().arabic_compound_reading and party.kind in (PartyKind.PERSON, PartyKind.UNKNOWN)
    for alias in party.all_names():
        if not alias.name or not alias.name.strip():
            continue
        # an oversize list name is indexed by its head (the list parser warned at load): one
        # 40,000-character custom-list name must not make every later screen slow
        indexed = alias.name[: LIMITS.list_name_chars]
        for variant, how in name_variants(indexed):
            a = analyze(variant, person)
            if a.tokens:
                yield (Entry(pidx, a, alias.name, alias.kind, how, person))
        reading = compound_reading(latin_letters(indexed)) if arabic else ""
        if reading:
            a = analyze(reading, person)
            if a.tokens:
                yield (
                    Entry(
                        pidx,
                        a,
                        alias.name,
                        alias.kind,
                        "full",
                        person,
                        ARABIC_COMPOUND,
                        f"Arabic compound written as one word: {reading}",
                    )
                )
        core = "" if person or not core_names else core_name(indexed)
        if core:
            if has_han(core):
                for lf, _anchors in anchored(cached_latin_forms(core)):
                    if lf.method in TRANSLATION_METHODS:
                        continue  # a trade name is read by its sound, not translated
                    a = analyze(lf.text, False)
                    if a.tokens:
                        yield (
                            Entry(
                                pidx,
                                a,
                                alias.name,
                                alias.kind,
                                "core",
                                False,
                                lf.method,
                                lf.explanation,
                            )
                        )
            else:
                a = analyze(core, False)
                if a.tokens:
                    yield (Entry(pidx, a, alias.name, alias.kind, "core", False))
        for lf, anchors in anchored(cached_latin_forms(indexed), person):
            a = analyze(lf.text, person)
            if a.tokens:
                yield (
                    Entry(
                        pidx,
                        a,
                        alias.name,
                        alias.kind,
                        "full",
                        person,
                        lf.method,
                        lf.explanation,
                        anchors=anchors,
                    )
                )


SCREENER_SETTINGS = (
    "threshold",
    "candidate_limit",
    "candidates_same_name",
    "candidates_deepen_cap",
    "candidates_deepen_names",
    "candidates_deepen_to_end",
    "core_names",
)
"""The screener's settings (numbers and flags) that :meth:`Screener._configure` sets: an index file
records them by these names and one mapped later must carry the same names — a file written by another
version of the engine is refused, not half-configured."""


class Screener:
    """Screens names against a fixed set of parties. Build once, query many times (thread-safe reads)."""

    stored_name_keys: Callable[[int], tuple[frozenset[str], frozenset[str]]] | None = None
    """A screener mapped from an index file reads each record's name keys from the file (format 11,
    ``MappedParties.name_keys``); one built in memory analyses the record's names (record_name_keys)."""
    stored_scripts: Sequence[int] | None = None
    """A screener mapped from an index file reads whether a record carries a name in Chinese script from
    the file (format 12, ``parties.script``: a byte per party, 1 no, 2 yes); one built in memory looks at
    the record's names once (party_has_script)."""
    index_file: Any = None
    """The mapped index file (indexfile._Mapped) a screener was opened from, None when built in memory:
    parallel workers map the same file rather than receive a pickled copy."""

    def __init__(
        self,
        parties: list[Party],
        threshold: float | None = None,
        snapshots: list[Any] | None = None,
        enrich: bool = True,
        core_names: bool | None = None,
    ) -> None:
        # Chinese names of listed parties (curated enrichment data) become extra Han-script aliases, so
        # a listed firm is found under its Chinese legal name or brand even when its English name is not
        # a translation of it (海康威视 → Hikvision).
        # (a Sequence: a screener mapped from an index file holds indexfile.MappedParties, and the compiled
        # index file module checks the declared type of what it reads)
        self.parties: Sequence[Party] = enrich_parties(list(parties)) if enrich else list(parties)
        self.snapshots = list(snapshots or [])
        self._configure(threshold, core_names)
        with gc_paused():
            self._build()

    def _configure(self, threshold: float | None, core_names: bool | None) -> None:
        """The screener's settings from the matching data (also for one built straight into a file)."""
        self.set_threshold(threshold)
        cfg = scorer_config()
        grouping.config()  # entity_grouping.yml checked now, like matching.yml: not at the first hit
        self.candidate_limit = cfg.candidates_per_query
        self.candidates_same_name = cfg.candidates_same_name_scored
        self.candidates_deepen_cap = cfg.candidates_deepen_cap
        self.candidates_deepen_names = cfg.candidates_deepen_names
        self.candidates_deepen_to_end = cfg.candidates_deepen_to_end
        # ``core_names``: index trade names (None: as matching.yml says; benchmarks measure both)
        self.core_names = cfg.core_names if core_names is None else core_names

    def _build(self) -> None:
        entries: list[Entry] = []
        for pidx, party in enumerate(self.parties):
            entries.extend(party_entries(pidx, party, self.core_names))
        self.index = NameIndex(entries, len(self.parties), scorer_config().max_posting)
        self._party_countries: Sequence[set[str]] = [
            {_country_norm(c) for c in p.countries if c} for p in self.parties
        ]

    def settings(self) -> dict[str, Any]:
        """The screener's settings by name (:data:`SCREENER_SETTINGS`), as an index file records them."""
        return {name: getattr(self, name) for name in SCREENER_SETTINGS}

    def set_threshold(self, threshold: float | None) -> None:
        """The hit threshold: ``threshold``, or the matching data's default when None."""
        self.threshold = checked_threshold(threshold)

    # -- screening ---------------------------------------------------------------------------------

    def listed_record(self, pidx: int) -> ListedRecord:
        """The kind and countries of party ``pidx``, as score_pair weighs them: made once per party (the
        most recent ``PARTY_FACTS_KEPT`` kept), as a record is met again by its other names, its other
        query forms and the next queries (bench.scale's 2,000 queries: 4,947 pairs, 1,554 records)."""
        cache: OrderedDict[int, ListedRecord] = self._made_once("_listed_records", OrderedDict)
        found = cache.get(pidx)
        if found is None:
            party = self.parties[pidx]
            record = ListedRecord(party.kind, self._party_countries[pidx], party.countries, party.name)
            found = _kept(cache, pidx, record, self.PARTY_FACTS_KEPT)
        return found

    def record_has_script(self, pidx: int) -> bool:
        """Whether party ``pidx`` carries a name in Chinese script (the list's or the curated file's):
        looked at once per party (a byte per party: 0 not yet, 1 no, 2 yes), as score_pair asks it of
        every candidate name of a translated query (bench.scale: 5,231 asks, 1,206 records); a mapped
        screener reads the same byte from its file (``stored_scripts``) without decoding the record."""
        stored = self.stored_scripts
        if stored is not None:
            return stored[pidx] == 2
        known = self._made_once("_has_script", lambda: bytearray(len(self.parties)))
        found = known[pidx]
        if not found:
            found = known[pidx] = 2 if party_has_script(self.parties[pidx]) else 1
        return found == 2

    def translated_names(self, eid: int) -> tuple[int, ...]:
        """The entries of entry ``eid``'s record that are word-by-word translations of its Chinese names
        (Entry.anchors set): a record's entries are built side by side, so they are ``eid``'s neighbours
        of the same party. Made once per party (the most recent ``PARTY_FACTS_KEPT`` kept).

        Why: a Latin query can meet a record's English names and not its translated Chinese name, which
        alone clears the threshold ("Huawei Technologies Co., Ltd." and 华为终端有限公司, read "Huawei
        Terminal Co Ltd", 0.825, of the record "Huawei Device Co., Ltd."), while retrieval ranks that
        translation far past the candidate limit (a big name's hundreds of names); the record was lost
        though it passes on its own (matching.yml ``candidates_record_translations``)."""
        entries = self.index.entries
        pidx = entries[eid].party
        cache: OrderedDict[int, tuple[int, ...]] = self._made_once("_translated_names", OrderedDict)
        found = cache.get(pidx)
        if found is None:
            start = eid
            while start > 0 and entries[start - 1].party == pidx:
                start -= 1
            out: list[int] = []
            other = start
            while other < len(entries):
                entry = entries[other]
                if entry.party != pidx:
                    break
                if entry.anchors is not None and entry.variant == "full":
                    out.append(other)
                other += 1
            found = _kept(cache, pidx, tuple(out), self.PARTY_FACTS_KEPT)
        return found

    def party(self, source: str, party_id: str) -> Party | None:
        """The list record a hit names (what an analyst judges the hit against). The records of recent
        hits are found by their position (``_recent_hits``); any other is looked for party by party —
        with a mapped index that decodes records, so it is the exception, not the path."""
        pidx = self._recent_hits().get((source, party_id))
        if pidx is not None:
            found: Party = self.parties[pidx]
            return found
        return next((p for p in self.parties if p.source == source and p.party_id == party_id), None)

    RECENT_HITS = 8192  # positions of the last hits' records kept per screener (a few hundred KB)
    # parties whose grouping facts and record evidence are kept per screener (a few KB each): far more
    # than one query's candidates, far fewer than a large list's records, so a long-running service that
    # screens ever new names does not come to hold every record's facts
    PARTY_FACTS_KEPT = 16_384

    def _made_once(self, name: str, make: Callable[[], _Made]) -> _Made:
        """The screener's own cache ``name``, made by ``make`` where it is first needed: a screener mapped
        from an index file skips ``__init__`` (indexfile.open_screener), so no cache can be made there."""
        found: _Made | None = self.__dict__.get(name)
        if found is None:
            found = self.__dict__[name] = make()
        return found

    def _recent_hits(self) -> OrderedDict[tuple[str, str], int]:
        return self._made_once("_recent", OrderedDict)

    def _note_hit(self, pidx: int, party: Party) -> None:
        """The most recent hits kept (``_kept``: safe for API threads screening at once; at worst a
        record is looked up party by party)."""
        recent = self._recent_hits()
        key = (party.source, party.party_id)
        recent.pop(key, None)
        _kept(recent, key, pidx, self.RECENT_HITS)

    def snapshot_refs(self) -> list[Any]:
        out: list[Any] = []
        for snap in self.snapshots:
            ref = getattr(snap, "ref", None)
            out.append(ref if ref is not None else snap)
        return out

    def screen(
        self,
        name: str,
        kind: str | None = None,
        country: str | None = None,
        limit: int = 10,
        threshold: float | None = None,
        evidence: ev.QueryEvidence | None = None,
    ) -> list[Hit]:
        """Hits at or above the threshold, best first (at most ``limit``; see :meth:`screening` for how
        many the limit left out and the hits grouped by entity), each with its match strength."""
        return self.screening(name, kind, country, limit, threshold, evidence).hits

    def screening(
        self,
        name: str,
        kind: str | None = None,
        country: str | None = None,
        limit: int = 10,
        threshold: float | None = None,
        evidence: ev.QueryEvidence | None = None,
    ) -> Screening:
        """Every record at or above the threshold, best first; a record listed again on the same list
        under the same name (the Entity List lists a firm once per address) is one hit naming the
        other records in ``duplicates``; at most ``limit`` hits, ``omitted`` counting the rest.

        Each hit has its match strength. ``evidence`` (date of birth, nationality, identifiers …; see
        chipguard.match.evidence) lowers or confirms hits; a party sharing the query's LEI, registration
        or IMO number is a hit even below the threshold when its name is close enough, and so is a listed
        person whose near name an agreeing date of birth keeps (strength.near_person_needs_dob: potential)."""
        cut = self.threshold if threshold is None else checked_threshold(threshold)
        # the kind words every face takes (QUERY_KINDS); "unknown", like none, is a person or an
        # organisation (read as both, and never a vessel or aircraft: evidence.kinds_conflict)
        given = (kind or "").strip().lower()
        kind_norm = QUERY_KINDS.get(given, given)
        q_country = _country_norm(country) if country else ""
        best: dict[int, tuple[float, Scored, QueryForm, NameAnalysis, Entry, list[dict[str, Any]]]] = {}
        entries = self.index.entries
        rarity = self.index.rarity
        forms = query_forms(name)
        declared_kind = kind_norm
        if kind_norm == "person" and any(t.cls == "legal" for f in forms for t in f.org.tokens):
            # "Huawei Technologies Co., Ltd." declared a person: its legal form says organisation, so the
            # name is screened by what it is (the declared kind still counts as evidence, see _assess)
            kind_norm = None
        stated = evidence or ev.NO_EVIDENCE
        # a person giving a date of birth: a near name down to near_person_day_margin may be kept by a
        # day-precise agreeing date (strength.near_person_day_margin, _assess), so such pairs are scored in
        # full; any other query keeps the scoring floor (nothing changes without a date of birth)
        day_margin = (
            ev.near_person_day_margin()
            if kind_norm == "person" and stated.date_of_birth is not None
            else None
        )
        floor = cut - max(scorer_config().scoring_floor_margin, day_margin or 0.0)
        q_han = han_core(name)
        records = self.listed_record
        rules = similarity_rules(scorer_config())  # (one read a query, see PairQuery)
        # a romanisation reading's pairs count only from its floor (reading_floors, below): the scorer may
        # stop as early for them as that lets it (the same margin below it as below the threshold)
        floors = reading_floors()
        margin = scorer_config().scoring_floor_margin
        queries = [
            (
                form,
                PairQuery(
                    name,
                    form.method,
                    form.anchors,
                    q_han,
                    kind_norm,
                    q_country,
                    country,
                    rarity,
                    max(floor, floors[form.method] - margin) if form.method in floors else floor,
                    records,
                    self.record_has_script,
                    rules,
                ),
            )
            for form in forms
        ]
        # a Chinese name's Latin renderings (its translations, its pinyin) and their candidates: the
        # translations score the pinyin's once the query has cleared the threshold (see _score_shared)
        renderings: list[_Rendering] = []
        share = (
            scorer_config().candidates_shared_renderings
            and q_han != ""
            and kind_norm != "person"
            and sum(form.method not in _OWN_FORMS for form in forms) >= 2
        )
        for form, pair_query in queries:
            # (a romanisation reading's pairs go first into a dict of their own, see below)
            reading_floor = floors.get(form.method, 0.0)
            into: dict[int, Any] = best if reading_floor <= cut else {}
            if kind_norm == "person" and form.method in TRANSLATION_METHODS:
                continue  # a person's name is transliterated, never translated ("建国" is not "nation building")
            retrieval = form.person if kind_norm == "person" else form.org
            if not retrieval.tokens:
                continue
            q_weights: dict[bool, tuple[float, ...]] = {}
            # a list of its own: it grows while iterated, by the full names of trade names it holds
            found = self.index.retrieve(retrieval, self.candidate_limit, translated=form.anchors is not None)
            rankings = [found]
            candidates = list(found.first)
            as_person = kind_norm is None and _person_reading(form)
            if kind_norm is None and (as_person or _readings_differ(form.org, form.person)):
                # no kind given: a person's record is indexed under the person reading of its words,
                # which the organisation reading may spell otherwise ("Abbas" is "abba" to an
                # organisation, a plural) — "Rim ABBAS" never reached "'ABBAS, Rim" — and retrieved by
                # keys only a person's name has (its parts' sounds); then the person reading retrieves
                # too, its candidates after the organisation reading's
                seen = set(candidates)
                found = self.index.retrieve(
                    form.person, self.candidate_limit, translated=form.anchors is not None
                )
                rankings.append(found)
                candidates += [eid for eid in found.first if eid not in seen]
            same_named = self.candidates_same_name
            if same_named and kind_norm != "person" and not has_han(form.text):
                # the query's own trade name ("Huawei" of "Shanghai Huawei Technology Co., Ltd."): the
                # list names that are exactly that name (a listed firm's trade-name entry), whose full
                # names the trade-name rule below then scores — a big name's own records, however many
                # of its subsidiaries share the query's words more closely
                trade = latin_core_name(form.text)
                if trade:
                    seen = set(candidates)
                    candidates += [eid for eid in self.index.named(analyze(trade, False)) if eid not in seen]
            deepen = Deepening(
                rankings,
                self.candidate_limit,
                self.candidates_deepen_cap,
                self.candidates_deepen_names,
                self.candidates_deepen_to_end,
                lambda eid: (got := best.get(entries[eid].party)) is not None and got[0] >= cut,
                None
                if kind_norm == "person" or as_person or form.anchors is not None
                else self._bounded(form.org, q_weights, cut),
            )
            # no kind given, a name that may be a person's: also scored as kind person would score it
            # (its kind clash with an organisation's record included), the better reading kept
            person_query = dataclasses.replace(pair_query, kind="person") if as_person else None
            # every candidate, as the list grows (chipguard.match.pairs; score_pair is passed as this module
            # names it)
            score_candidates(
                self,
                form,
                pair_query,
                person_query,
                kind_norm,
                candidates,
                deepen,
                q_weights,
                into,
                cut,
                score_pair,
            )
            if into is not best:
                # a romanisation reading is a guess at every syllable: a record it meets counts only when
                # it meets it closely (its floor), never as a near name of the guess
                for met, pair_kept in into.items():
                    if pair_kept[0] >= reading_floor and (met not in best or pair_kept[0] > best[met][0]):
                        best[met] = pair_kept
            if share and form.method not in _OWN_FORMS:
                firsts = [eid for found in rankings for eid in found.first]
                renderings.append((form, pair_query, person_query, firsts, candidates, q_weights))
        if len(renderings) >= 2 and any(kept[0] >= cut for kept in best.values()):
            self._score_shared(renderings, kind_norm, best, cut)
        # the strength of every candidate (chipguard.match.evidence); a shared identifier adds its party.
        # A query giving no date of birth and no identifier: the assessment lowers no score and makes no
        # record a hit, so only the hits kept are assessed, once they are known (most records over the
        # threshold on a large list are cut by the limit or collapsed as duplicates: at 1M entities
        # bench.scale's queries keep 2,546 of the 7,902 records over it)
        kept_only = stated.date_of_birth is None and not stated.gives_identifier
        assessed = (
            {}
            if kept_only
            else self._assess(best, queries, kind_norm, q_country, stated, cut, declared_kind=declared_kind)
        )
        # best first; among equal scores a trade-name match whose listed name adds least (the body before
        # its subsidiaries: trade_name_rank, when core_name_ranking), then the order the records were met
        # in (query form, then retrieval rank), which depends on nothing but the query and the lists
        by_residue = scorer_config().core_name_ranking
        passing = sorted(
            (
                v
                for v in best.values()
                if v[0] >= cut
                or ((judged := assessed.get(v[4].party)) is not None and (judged.identified or judged.kept))
            ),
            key=lambda v: (-v[0], trade_name_rank(v[4], q_country) if by_residue else (0, 0)),
        )
        kept: list[tuple[float, Scored, QueryForm, NameAnalysis, Entry, list[dict[str, Any]]]] = []
        duplicates: dict[int, list[str]] = {}
        lead_of: dict[tuple[Any, ...], int] = {}
        for item in passing:
            party_index = item[4].party
            key = self._duplicate_key(party_index)
            lead = lead_of.get(key)
            if lead is not None:
                duplicates[lead].append(self.parties[party_index].party_id)
                continue
            lead_of[key] = party_index
            duplicates[party_index] = []
            kept.append(item)
        omitted = max(len(kept) - max(limit, 0), 0)
        ranked = kept[: max(limit, 0)]
        if kept_only:
            assessed = self._assess(
                best,
                queries,
                kind_norm,
                q_country,
                stated,
                cut,
                declared_kind=declared_kind,
                only={entry.party for *_, entry, _extra in ranked},
            )
        hits: list[Hit] = []
        for score, scored, form, qa, entry, extra in ranked:
            party = self.parties[entry.party]
            self._note_hit(entry.party, party)
            explanation = _explain(
                scored,
                query_form=form,
                query_analysis=qa,
                entry_analysis=entry.analysis,
                alias=entry.alias,
                alias_kind=entry.alias_kind,
                variant=entry.variant,
                latin_method=entry.latin_method,
                latin_explanation=entry.latin_explanation,
                extra_penalties=extra,
                score=score,
            )
            if q_country:
                explanation["country"] = {
                    "query": country,
                    "listed": list(party.countries),
                    "agrees": bool(self._party_countries[entry.party] & {q_country})
                    if self._party_countries[entry.party]
                    else None,
                }
            if kind_norm is None and qa.person and not entry.person:
                # the person reading of a query without a kind won (see _person_reading)
                explanation["query_kind"] = "none given: scored as a person's name, the better reading"
            explanation["threshold"] = cut
            if party.extra.get("entity_number"):
                explanation["entity_number"] = party.extra["entity_number"]
            if duplicates[entry.party]:
                explanation["duplicates"] = duplicates[entry.party]
            hits.append(
                Hit(
                    party_id=party.party_id,
                    source=party.source,
                    name=party.name,
                    matched_name=entry.alias,
                    score=round(score, 4),
                    list_name=party.list_name,
                    kind=party.kind.value,
                    countries=list(party.countries),
                    parent_name=party.parent_name,
                    explanation=explanation,
                    record=party.list_record(),
                    strength=str(assessed[entry.party].strength),
                    evidence=assessed[entry.party].features,
                )
            )
        entities = self._group([entry.party for *_, entry, _extra in ranked], hits)
        return Screening(hits, omitted, max(limit, 0), entities)

    def _score_shared(
        self,
        renderings: list[_Rendering],
        kind_norm: str | None,
        best: dict[int, tuple[float, Scored, QueryForm, NameAnalysis, Entry, list[dict[str, Any]]]],
        cut: float,
    ) -> None:
        """Each word-by-word translation of a Chinese query scores the first candidates of its
        transliterations (its pinyin) that it did not walk, of records not yet over ``cut``
        (``renderings``: each Latin rendering's form, pair queries, first candidates, the candidates it
        walked and its weights; matching.yml ``candidates_shared_renderings``).

        Why: the renderings of a Chinese name retrieve differently — the pinyin by the name's sound, as
        a list writes its brand and place words ("Huawei Zhongduan Shenzhen"), the translation by its
        vocabulary ("Huawei Terminal Shenzhen Co Ltd") — and a list's English name the pinyin retrieves
        may clear the threshold only when the translation scores it: 华为终端(深圳)有限公司 met
        "Shenzhen Huawei New Technology Co., Ltd" among its pinyin's first candidates (far under the
        scoring floor there) while its translation scores it 0.835 and ranked it 24th, under the floor.
        Only once the query has cleared the threshold on some record (it names a listed firm). The other
        way round (the translations' candidates scored by the pinyin) found no record on the check set
        (bench.retrieval's listed_translated) and cost more.

        With ``candidates_crossed_renderings``, each translation also scores the other translations' first
        candidates that hold a word of its own the other lacks: the translations differ by the words they
        choose (南华生物医药, read "Southern China Bio Medicine" by the vocabulary and "Nanhua Biological
        Pharmaceutical" with its brand in pinyin) and a list name one of them retrieves may clear the
        threshold only against another — NanHua Bio-medicine (its own party, 0.855 by the brand form) was
        the vocabulary form's third candidate, under the brand form's floor, and lost. A name holding
        none of those words meets the translation through words the other scored it by already (all of
        them: +5,278 candidates over bench.retrieval's listed_translated, +8,844 over xscript_queries;
        with the test +790 and +324, the same record found)."""
        entries = self.index.entries
        spoken = [first for form, *_, first, _c, _w in renderings if form.anchors is None]
        crossed = scorer_config().candidates_crossed_renderings
        for form, pair_query, person_query, own_first, walked, q_weights in renderings:
            if form.anchors is None:
                continue
            seen = set(walked)
            more: list[int] = []
            for first in spoken:
                for eid in first:
                    if eid not in seen:
                        seen.add(eid)
                        got = best.get(entries[eid].party)
                        if got is None or got[0] < cut:
                            more.append(eid)
            if crossed:
                # with crossed_renderings, the other translations' first candidates too, after the pinyin's:
                # those holding a word of this translation that the other lacks (its brand in pinyin
                # where the other has a vocabulary word, "Nanhua" for "Southern China") — a name holding
                # none of them meets this translation through the words the other scored it by
                words = {t.canon for t in form.org.tokens}
                for other, *_, first, _c, _w in renderings:
                    if other.anchors is None or first is own_first:
                        continue
                    own_words = words - {t.canon for t in other.org.tokens}
                    for eid in first:
                        if eid not in seen:
                            seen.add(eid)
                            entry = entries[eid]
                            got = best.get(entry.party)
                            if (got is None or got[0] < cut) and any(
                                t.canon in own_words for t in entry.analysis.tokens
                            ):
                                more.append(eid)
            if more:
                score_candidates(
                    self,
                    form,
                    pair_query,
                    person_query,
                    kind_norm,
                    more,
                    Deepening([], self.candidate_limit, 0, self.candidates_deepen_names),
                    q_weights,
                    best,
                    cut,
                    score_pair,
                )

    def _bounded(
        self, qa: NameAnalysis, q_weights: dict[bool, tuple[float, ...]], cut: float
    ) -> Callable[[list[int]], list[int] | None]:
        """The names of a list (in order) whose score against the organisation query ``qa`` may reach
        ``cut`` by chipguard.match.bound (``q_weights``: the query's weights per scoring mode, filled)."""

        def keep(eids: list[int]) -> list[int] | None:
            weights = q_weights.get(False)
            if weights is None:
                weights = q_weights[False] = weights_of(qa, self.index.rarity, False)
            return may_reach(self.index, qa, weights, eids, cut)

        return keep

    def _full_name_of(self, eid: int) -> list[int]:
        """The other entries of the list name trade-name entry ``eid`` comes from: a name's entries are
        built side by side (its variants, its trade name, its Latin forms), so they are its neighbours.

        Why: a query can share a trade name's one key ("Lida") with its full weight and the full name
        ("Lida Optical and Electronic Co., Ltd.") only through common words, so retrieval ranks the
        trade name in and the full name out; the trade name alone then fails the trade-name rule, and the
        record was lost though its full name clears the threshold (bench/retrieval.py)."""
        entries = self.index.entries
        entry = entries[eid]
        out: list[int] = []
        for step in (-1, 1):
            other = eid + step
            while 0 <= other < len(entries):
                sibling = entries[other]
                if sibling.party != entry.party or sibling.alias != entry.alias:
                    break
                out.append(other)
                other += step
        return out

    def _duplicate_key(self, party_index: int) -> tuple[Any, ...]:
        """Records with equal keys are one record listed again: same source, list, kind and name (a
        person also the same birth date, dates and countries — two people may share a name, not a birth
        date; persons without a birth date are never collapsed)."""
        party = self.parties[party_index]
        key: tuple[Any, ...] = (
            party.source,
            party.list_name,
            party.kind,
            " ".join(party.name.casefold().split()),
        )
        if party.kind == PartyKind.PERSON:
            # two records of one name without a birth date may be two people: never collapsed
            birth = party.dates.get("birth", "")
            if not birth:
                return (*key, party_index)
            return (*key, tuple(sorted(party.dates.items())), tuple(sorted(party.countries)))
        return key

    def _grouping_facts(self, pidx: int) -> grouping.GroupingFacts:
        """Party ``pidx`` as the grouping rules compare it: its identifiers, dates of birth, countries and
        normalised names (a person's words in sorted order: the lists write "SOLEIMANI, Qasem" and
        "QASEM SOLEIMANI"); computed for candidates only, the most recent ``PARTY_FACTS_KEPT`` kept."""
        cache: OrderedDict[int, grouping.GroupingFacts] = self._made_once("_grouping_cache", OrderedDict)
        found = cache.get(pidx)
        if found is None:
            party = self.parties[pidx]
            person = party.kind == PartyKind.PERSON
            # (a screener mapped from an index file reads them from the file: see record_name_keys)
            stored = self.stored_name_keys
            keys, primary = stored(pidx) if stored is not None else record_name_keys(party)
            if person:
                keys = frozenset(" ".join(sorted(k.split())) for k in keys)
                primary = frozenset(" ".join(sorted(k.split())) for k in primary)
            countries = frozenset(self._party_countries[pidx])
            facts = grouping.facts_of(party, primary=primary, names=keys, countries=countries)
            found = _kept(cache, pidx, facts, self.PARTY_FACTS_KEPT)
        return found

    def _same_entity(self, a: int, b: int) -> dict[str, str] | None:
        """Why two records are one entity (chipguard.match.grouping: the same record number, a list's
        cross-reference, a shared identifier of one kind, or the same name with agreeing kind, countries
        and dates of birth), or None."""
        return grouping.same_entity(self._grouping_facts(a), self._grouping_facts(b))

    def _group(self, party_indexes: list[int], hits: list[Hit]) -> list[dict[str, Any]]:
        """The hits grouped by entity, in the order of each group's best hit: one entity, its records.
        A hit joins the first group holding a record it is one entity with; each record after a group's
        first says why (``grouped_by``: the feature, its detail, and the record it was matched with), and
        the group lists the features that joined it. Each hit's ``entity`` is its group's label (the
        group's best record, ``source:party_id``)."""
        groups: list[list[tuple[int, dict[str, str] | None]]] = []  # (position in ``hits``, why)
        for pos, pidx in enumerate(party_indexes):
            for group in groups:
                why = next(
                    (
                        {**found, "with": f"{hits[other].source}:{hits[other].party_id}"}
                        for other, _ in group
                        if (found := self._same_entity(pidx, party_indexes[other])) is not None
                    ),
                    None,
                )
                if why is not None:
                    group.append((pos, why))
                    break
            else:
                groups.append([(pos, None)])
        out: list[dict[str, Any]] = []
        for group in groups:
            lead = hits[group[0][0]]
            label = f"{lead.source}:{lead.party_id}"
            for pos, why in group:
                hits[pos].entity = label
                if why:  # every face shows why a record is counted with another (CLI, REST, batch)
                    hits[pos].explanation["grouped_by"] = why
            out.append(
                {
                    "entity": label,
                    "name": lead.name,
                    "score": lead.score,
                    "grouped_by": sorted({why["feature"] for _, why in group if why}),
                    "records": [
                        {
                            "source": hits[p].source,
                            "party_id": hits[p].party_id,
                            "list_name": hits[p].list_name,
                            **({"grouped_by": why} if why else {}),
                        }
                        for p, why in group
                    ],
                }
            )
        return out

    # -- evidence beyond the name (chipguard.match.evidence) ----------------------------------------

    def party_evidence(self, pidx: int) -> ev.PartyEvidence:
        """What party ``pidx``'s record says about who it is (computed once per party, on demand)."""
        cache: OrderedDict[int, ev.PartyEvidence] = self._made_once("_evidence_cache", OrderedDict)
        found = cache.get(pidx)
        if found is None:
            found = _kept(cache, pidx, ev.party_evidence(self.parties[pidx]), self.PARTY_FACTS_KEPT)
        return found

    def identifier_index(self) -> ev.IdentifierIndex:
        """Parties by LEI, IMO, registration number and web domain (built on the first query giving one)."""
        index: ev.IdentifierIndex | None = getattr(self, "_identifier_index", None)
        if index is None:
            index = self._identifier_index = ev.IdentifierIndex(
                [self.party_evidence(i) for i in range(len(self.parties))]
            )
        return index

    def _score_party(
        self, pidx: int, queries: list[tuple[QueryForm, PairQuery]], kind_norm: str | None
    ) -> tuple[float, Scored, QueryForm, NameAnalysis, Entry, list[dict[str, Any]]] | None:
        """The best score of ``pidx`` over all its indexed names (no floor): a party found by identifier
        is scored on its names by score_pair like any candidate, with the same features."""
        best: tuple[float, Scored, QueryForm, NameAnalysis, Entry, list[dict[str, Any]]] | None = None
        rarity = self.index.rarity
        for entry in self.index.entries:
            if entry.party != pidx:
                continue
            for form, pair_query in queries:
                person_mode = kind_norm == "person" or (kind_norm is None and entry.person)
                readings = [(person_mode, pair_query)]
                if (
                    kind_norm is None
                    and _person_candidate(entry, self.parties[pidx].kind)
                    and _person_reading(form)
                ):
                    # as screening() reads a query without a kind: as a person's name too
                    readings.append((True, dataclasses.replace(pair_query, kind="person")))
                for mode, reading in readings:
                    qa = form.person if mode else form.org
                    if not qa.tokens:
                        continue
                    pair = score_pair(
                        qa,
                        entry,
                        mode,
                        weights_of(qa, rarity, mode),
                        dataclasses.replace(reading, min_score=0.0),
                    )
                    if pair is not None and (best is None or pair.score > best[0]):
                        best = (pair.score, pair.scored, form, qa, entry, pair.extra)
        return best

    def _assess(
        self,
        best: dict[int, tuple[float, Scored, QueryForm, NameAnalysis, Entry, list[dict[str, Any]]]],
        queries: list[tuple[QueryForm, PairQuery]],
        kind_norm: str | None,
        q_country: str,
        query: ev.QueryEvidence,
        cut: float,
        *,
        declared_kind: str | None = None,
        only: Collection[int] | None = None,
    ) -> dict[int, ev.Assessment]:
        """The match strength of every candidate in ``best`` that may be a hit (changed in place: parties
        found by a shared identifier are added, a conflicting date of birth lowers the score). ``declared_kind`` is the kind
        the query was given as, when the name was screened as another (a "person" with a legal form).
        ``only``: the parties to assess, when not every one that may be a hit (see screening)."""
        identifiers = query.gives_identifier
        if identifiers:
            for pidx in self.identifier_index().lookup(query):
                if pidx not in best:
                    scored_party = self._score_party(pidx, queries, kind_norm)
                    if scored_party is not None:
                        best[pidx] = scored_party
        out: dict[int, ev.Assessment] = {}
        generic_query: dict[int, bool] = {}  # by id of the query form's analysis, computed once each
        plain_query: dict[int, bool] = {}  # the same, by the vocabulary alone
        confirm_score = float(ev.config()["confirm_name_score"])
        # a candidate below the threshold is a hit only when an identifier the query gives confirms it
        # (Assessment.identified) or, a person's near name, when the date of birth keeps it (Assessment.kept,
        # strength.near_person_needs_dob); otherwise its strength is never read and it is not assessed
        # (bench.scale's 2,000 queries: 2,386 assessed, 801 of them below the threshold)
        margin = ev.near_person_margin() if query.date_of_birth is not None else None
        # a declared person's near name further below, kept only by a day-precise date (near_person_day_margin)
        day_margin = ev.near_person_day_margin() if margin is not None and kind_norm == "person" else None
        reach = max(margin or 0.0, day_margin or 0.0)
        for pidx, (score, scored, form, qa, entry, extra) in sorted(best.items()):
            if only is not None and pidx not in only:
                continue
            near_person = (
                score < cut
                and margin is not None
                and score >= cut - reach
                and self.parties[pidx].kind == PartyKind.PERSON
                and ev.near_person_pair(
                    len(scored.pairs), len(scored.unmatched_query), len(scored.unmatched_candidate)
                )
            )
            # below the margin only the query's every part met (a listed name of more parts, two of its
            # four or five given) and only a day-precise date keeps it (evidence.assess)
            near_person_day_only = (
                near_person and margin is not None and score < cut - margin and not scored.unmatched_query
            )
            near_person = near_person and (score >= cut - (margin or 0.0) or near_person_day_only)
            if score < cut and not identifiers and not near_person:
                continue
            telling = [t for t in entry.analysis.tokens if t.cls not in ("legal", "stop")]
            thin = ""
            if entry.alias_kind.startswith("weak"):
                thin = "a weak alias (the list's own word for an alias too broad to identify)"
            elif len(telling) <= 1 and (
                not telling
                or self.index.rarity(telling[0].canon) < float(ev.config()["single_word_min_rarity"])
            ):
                thin = SINGLE_COMMON_WORD
            elif any(p.get("feature") == PLACE_LEFT_OUT for p in scored.penalties):
                # the query names no place and the listed institution's place is all it lacks
                # (name_score.institution_place_left_out): which place's body it is, a review says
                thin = PLACE_LEFT_OUT_REASON
            elif any(_respelt(p) for p in scored.pairs):
                # a trade name met by its sound or by the head of a run-together pinyin word
                # (name_score.sound_alike_spelt_first, pinyin_head_syllables): a review says whether the
                # English brand is this firm's
                thin = RESPELT_REASON
            # a generic name on either side: the list's ("Ministry of Defence"), or the query's when it
            # met a list name by a spelling of its generic words ("Electronics Systems" / "Incorporated
            # Electonics Systems"); a list name adding the word that says which body is caught by
            # identity_missing below
            generic = ev.generic_institutional(
                entry.analysis, self.index.rarity, industry_words()
            ) or self._generic_query(qa, generic_query)
            # a name made only of generic words by the vocabulary alone (no word counted generic for being
            # common on the lists: "Huawei" is, being listed many times) confirms on its name only in the
            # record's country, the query's or one a word of its name names (strength.generic_name_needs_
            # country); looked at only for a score that could confirm on the name
            plain = False
            name_countries: frozenset[str] = frozenset()
            if score >= confirm_score and self.parties[pidx].kind != PartyKind.PERSON:
                plain = ev.generic_institutional(
                    entry.analysis, _never_common, industry_words()
                ) or self._generic_query(qa, plain_query, by_vocabulary=True)
                if plain:
                    name_countries = _name_countries(qa)
            countries = frozenset(self._party_countries[pidx])
            if not countries and (q_country or name_countries) and (generic or plain):
                # a record without a country (the ISN list gives none) is where its records of the same
                # name on other lists are: "Academy of National Defense Science" is North Korea's
                countries = self._entity_countries(pidx, best)
            # a trade name of one common word, cut from a name whose region is another country than the
            # query's ("Gems" of MYANMAR GEMS CORPORATION for a query in CN), the record not in the query's
            # country either: another firm of that word (strength.thin_trade_name_needs_country)
            thin_trade_name = ""
            if (
                thin == SINGLE_COMMON_WORD
                and entry.variant == "core"
                and q_country
                and q_country not in countries
                and ev.config()["thin_trade_name_needs_country"]
                and (elsewhere := trade_name_other_country(q_country, entry.alias))
            ):
                thin_trade_name = (
                    f"the trade name is {SINGLE_COMMON_WORD}, of a body of {', '.join(elsewhere)} by its name, "
                    f"and the query is in {q_country}"
                )
            assessment = ev.assess(
                name_score=score,
                threshold=cut,
                query=query,
                query_kind=declared_kind if declared_kind is not None else kind_norm,
                # the name's own score, before the kind penalty: how alike the names are, whatever kind
                # the customer declared
                kind_free_score=score
                - sum(float(f["value"]) for f in extra if f.get("feature") in _NOT_THE_NAME),
                # the names' own score (before the record's country or kind): the query is not the alias
                near_weak_alias=entry.alias_kind.startswith("weak") and scored.score < confirm_score,
                near_person=near_person,
                near_person_day_only=near_person_day_only,
                query_country=q_country,
                party=self.parties[pidx],
                evidence=self.party_evidence(pidx),
                party_countries=countries,
                generic_name=generic,
                plain_generic=plain,
                name_countries=name_countries,
                thin_name=thin,
                names_parent=entry.analysis.original
                if any(p.get("feature") == "parent_part" for p in extra)
                else "",
                clash=thin_trade_name
                or (
                    ""
                    if entry.variant != "core" or self.parties[pidx].kind == PartyKind.PERSON or not queries
                    else self._registered_name_lacks(pidx, form, queries, entry.alias)
                )
                or ev.name_clash(
                    [(pair.query, pair.candidate, pair.how) for pair in scored.pairs],
                    [text for text, _cls, _weight in scored.unmatched_query],
                    qa,
                    entry.analysis,
                    acronym=scored.acronym,
                )
                or (
                    ""
                    if self.parties[pidx].kind == PartyKind.PERSON or not queries
                    else ev.homophone(
                        queries[0][1].name,
                        (a.name for a in self.parties[pidx].all_names()),
                        [pair.query for pair in scored.pairs if pair.how in _APPROXIMATE],
                    )
                )
                or (
                    ""
                    if scored.acronym or self.parties[pidx].kind == PartyKind.PERSON
                    else ev.identity_missing(
                        self._generic_query(qa, generic_query),
                        _unmatched_tokens(
                            entry.analysis, scored, bool(ev.config()["address_after_legal_form"])
                        ),
                        q_country,
                        functools.partial(
                            _generic_listed_word, entry.analysis.institutional, self.index.rarity
                        ),
                        _country_norm,
                        [(text, cls) for text, cls, _weight in scored.unmatched_query],
                        # a listed Chinese name read word by word: its words are the vocabulary's
                        entry.analysis.tokens if entry.latin_method in TRANSLATION_METHODS else (),
                        industry_words(),
                    )
                ),
            )
            out[pidx] = assessment
            if assessment.penalty:
                penalty = {
                    "feature": "dob_conflict",
                    "reason": "conflicting date of birth",
                    "value": -assessment.penalty,
                }
                best[pidx] = (
                    max(0.0, score - assessment.penalty),
                    scored,
                    form,
                    qa,
                    entry,
                    [*extra, penalty],
                )
        return out

    def _registered_name_lacks(
        self, pidx: int, form: QueryForm, queries: list[tuple[QueryForm, PairQuery]], alias: str
    ) -> str:
        """Why a Chinese registered name met a record's trade name by its pinyin alone names another firm,
        or "" (``strength.pinyin_trade_name_registered``). Why: a Chinese name meets an English list name
        through its pinyin, and a two-syllable trade name's pinyin is shared by many firms written with
        other characters (泰禾 Taihe, 太和, 泰和). A record carrying a Chinese name of its own is checked by
        its characters (evidence.homophone); one with only an English name is not. A query that is a
        whole registered name (it carries a Chinese legal form: 泰禾集团股份有限公司) says what its firm is
        besides the trade name; when the listed name adds a word of business the query's every rendering
        lacks ("Taihe Electric (Hong Kong) Limited": electric), the two registered names differ in what
        the firms are, and only the sound of the trade name is shared. A bare trade name (泰禾, 大华: no
        legal form) says nothing more and stays a review, as does a query naming the listed business."""
        if not ev.config()["pinyin_trade_name_registered"] or not form.method.startswith("pinyin"):
            return ""
        original = queries[0][1].name
        if not has_han(original) or not any(seg.kind == CN_LEGAL for seg in analyse(original).segments):
            return ""
        if any(has_han(a.name) for a in self.parties[pidx].all_names()):
            return ""
        words, _places = trade_name_residue(alias)
        held = {t.canon for qf, _pq in queries for t in qf.org.tokens}
        held |= {t.text for qf, _pq in queries for t in qf.org.tokens}
        missing = [
            w for w in words if w not in held and not any(t.canon in held for t in analyze(w, False).tokens)
        ]
        if not missing:
            return ""
        return (
            f"a Chinese registered name met by its pinyin alone on the trade name of a record with no "
            f"Chinese name, whose listed name adds what the query's firm is not ({', '.join(missing)})"
        )

    def _generic_query(self, qa: NameAnalysis, known: dict[int, bool], by_vocabulary: bool = False) -> bool:
        """Whether the query form ``qa`` is a generic name (ev.generic_institutional), remembered in
        ``known`` for the candidates of one query: by the list's word rarity, when a generic query counts
        as evidence (ev.generic_query_evidence); ``by_vocabulary``, by the vocabulary's words alone (no
        word counted generic for being common on the lists)."""
        if id(qa) not in known:
            rarity = _never_common if by_vocabulary else self.index.rarity
            # a person's name is no generic name, however common its parts
            known[id(qa)] = (
                not qa.person
                and (by_vocabulary or ev.generic_query_evidence())
                and ev.generic_institutional(qa, rarity, industry_words())
            )
        return known[id(qa)]

    def _entity_countries(self, pidx: int, candidates: dict[int, Any]) -> frozenset[str]:
        """The countries of the other candidates that are the same entity as record ``pidx`` (same name,
        kind that agrees; ``_same_entity``): where a record that states no country is. Only the query's
        candidates are looked at, so the answer depends on nothing but the query and the lists."""
        found: set[str] = set()
        matched = name_key(candidates[pidx][4].analysis)
        for other in sorted(candidates):
            if other == pidx or not self._party_countries[other]:
                continue
            # the same name matched on both (a record whose "name" is a blob, "X [aka Y, Z]", is matched
            # by its part X), or the same entity by its names
            same_match = name_key(candidates[other][4].analysis) == matched and _kinds_agree(
                self.parties[pidx].kind, self.parties[other].kind
            )
            if same_match or self._same_entity(pidx, other):
                found |= self._party_countries[other]
        return frozenset(found)

    def screen_result(
        self,
        query_id: Any,
        name: str,
        kind: str | None = None,
        country: str | None = None,
        limit: int = 10,
        threshold: float | None = None,
        lists: list[dict[str, Any]] | None = None,
        evidence: ev.QueryEvidence | None = None,
        fields: Mapping[str, str | None] | None = None,
        serialised_at_once: bool = False,
    ) -> dict[str, Any]:
        """The ARCHITECTURE.md screening result JSON for one query (``threshold``: this query's cut,
        default the screener's). ``lists``: the status of each list snapshot screened against (source,
        snapshot, age, stale — the service reads it from the store), so every result says which lists it
        used and whether they were stale; ``lists_stale`` is true when any is, or when the status is
        unknown (fail closed).

        ``fields`` are the evidence fields (chipguard.match.evidence.EVIDENCE_FIELDS: date_of_birth,
        nationality, registration_number, lei, imo, address, website), validated here unless ``evidence``
        is given already validated. A name with nothing to compare (no letters or digits in any script)
        is an InputError here, not an empty result: a face must never report "no hit" for a name it
        could not read.

        ``serialised_at_once``: the caller writes the result out and drops it (a line of ``screen-file``),
        so the hits are ``Hit.json_fields`` (their nested parts the screener's own, not copied) instead of
        ``Hit.to_dict``'s deep copies — the same JSON, ~130 µs a hit less."""
        if not readable(name):
            raise InputError("the name has no letters or digits to compare", field="name")
        fields = dict(fields or {})
        unknown = sorted(set(fields) - set(EVIDENCE_FIELDS))
        if unknown:
            raise InputError(f"unknown query field(s): {', '.join(unknown)}", field=unknown[0])
        if evidence is None:
            evidence = ev.query_evidence(country=country, **fields)
        cut = self.threshold if threshold is None else checked_threshold(threshold)
        found = self.screening(
            name, kind=kind, country=country, limit=limit, threshold=cut, evidence=evidence
        )
        query: dict[str, Any] = {"name": name, "kind": kind, "country": country}
        query.update(evidence.given)
        return {
            "id": query_id,
            "query": query,
            "hits": [h.json_fields() if serialised_at_once else h.to_dict() for h in found.hits],
            "entities": found.entities,
            "limit": found.limit,
            "omitted": found.omitted,
            "threshold": cut,
            "snapshot": self.snapshot_refs(),
            "lists": list(lists) if lists is not None else [],
            "lists_stale": any(s.get("stale") for s in lists) if lists is not None else True,
        }


def compare(a: str, b: str, kind: str | None = None, threshold: float | None = None) -> Comparison:
    """Scores two names with the screening scorer (no list rarity: every word weighs by its class).

    Every part/acronym variant and Latin form of each side is tried; the best pair is explained."""
    cut = checked_threshold(threshold)
    person = (kind or "").lower() in ("person", "individual")
    floors = reading_floors()

    def forms(text: str) -> list[tuple[str, str, str, frozenset[str] | None]]:
        out: list[tuple[str, str, str, frozenset[str] | None]] = [
            (v, how, "", None) for v, how in name_variants(text)
        ]
        out += [
            (lf.text, "full", lf.method, anchors)
            for lf, anchors in anchored(cached_latin_forms(text), person)
        ]
        # a name in another spelling, read as the lists write it (as query_forms reads a query)
        out += [(reading, "full", method, None) for reading, method, _why in romanisation_readings(text)]
        return out

    core_a = han_core(a)
    best: tuple[float, dict[str, Any]] | None = None
    for ta, how_a, method_a, anchors_a in forms(a):
        qa = analyze(ta, person)
        if not qa.tokens:
            continue
        for tb, how_b, method_b, anchors_b in forms(b):
            cb = analyze(tb, person)
            if not cb.tokens:
                continue
            # b is a bare name, not a listed record: no kind, country or record-part features
            pair = score_pair(
                qa,
                Entry(-1, cb, b, "", how_b, person, method_b, anchors=anchors_b),
                person,
                None,
                PairQuery(a, how_a, anchors_a, core_a if method_a else ""),
            )
            if pair is None:
                continue
            score = pair.score
            if score < max(floors.get(method_a, 0.0), floors.get(method_b, 0.0)):
                continue  # a guessed reading counts only when met closely, as a screen counts it
            if best is None or score > best[0]:
                detail = pair.scored.explain()
                detail["penalties"].extend(pair.extra)
                detail.update(
                    {
                        "score": round(score, 4),
                        "features": pair.features(),
                        "compared": {"a": qa.cleaned, "b": cb.cleaned},
                        "parts": {"a": how_a, "b": how_b},
                        "transliteration": {"a": method_a, "b": method_b},
                        "normalisations": {"a": list(qa.steps), "b": list(cb.steps)},
                        "threshold": cut,
                    }
                )
                best = (score, detail)
    if best is None:
        return Comparison(0.0, False, {"reason": "a name has no comparable characters", "threshold": cut})
    return Comparison(round(best[0], 4), best[0] >= cut, best[1])
