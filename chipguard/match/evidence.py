"""Evidence beyond the name: identifiers a query gives, compared with what the list says, and the
match strength (confirmed / potential / weak) they lead to.

Why a hit is not a match: a name score says two names look alike, not that they denote the same party.
A date of birth years away from the listed one, a vessel where the query is a company, or the generic
name of a ministry in another country say it is someone else; an agreeing LEI, registration number or
IMO number, or a date of birth with the same nationality, say it is the same party even when the name
drifts. Decisions act on the strength (only a confirmed hit makes a party "listed"), never on a bare
score. Every threshold is data (``strength`` and ``evidence`` in chipguard/data/names/matching.yml).

This module is core: it knows parties and queries, not the store or any face. Bad query evidence is an
InputError naming the field (the faces add the file and line).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from chipguard.errors import InputError
from chipguard.match.config import EVIDENCE_KEYS, MATCHING_FILE, scorer_config
from chipguard.model import MatchStrength, Party, PartyKind
from chipguard.names.analysis import NameAnalysis, Token
from chipguard.names.chinese import PROPER, UNKNOWN, analyse, has_han, pinyin_of, to_simplified
from chipguard.names.data import matching_config, name_data_file

MAX_FIELD_LENGTH = 500  # characters; longer is a mistake in the input, not an identifier or address

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_CIRCA = re.compile(r"^(?:circa|approximately|approx\.?|about|ca\.?|c\.)\s*", re.IGNORECASE)
_RANGE = re.compile(r"\s+(?:to|-|–|and)\s+|(?<=\d{4})\s*[-–]\s*(?=\d{4}\b)", re.IGNORECASE)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@cache
def config() -> dict[str, Any]:
    """The ``evidence`` and ``strength`` sections of matching.yml in one mapping (read once; every key
    checked at load with the scorer's, chipguard.match.config.EVIDENCE_KEYS: none has a default here)."""
    scorer_config()
    cfg = matching_config()
    return {**(cfg.get("evidence") or {}), **(cfg.get("strength") or {})}


def _missing(key: str) -> InputError:
    return InputError(
        "missing: every evidence rule is data, there is no default in code",
        file=str(name_data_file(MATCHING_FILE)),
        field=key,
    )


def _num(key: str) -> float:
    value = config().get(key)
    if value is None:  # the key as matching.yml writes it: its section (evidence or strength) and name
        raise _missing(next((k for k in EVIDENCE_KEYS if k.partition(".")[2] == key), f"evidence.{key}"))
    return float(value)


@cache
def _texts(key: str) -> tuple[str, ...]:
    """A list of words or phrases of the evidence section (checked at load: a list of texts)."""
    value = config().get(key)
    if value is None:
        raise _missing(f"evidence.{key}")
    return tuple(str(x).strip() for x in value)


@dataclass(frozen=True, slots=True)
class IdentifierRule:
    """How one identifier the query gives is compared with the listed record (``evidence.identifiers``
    of matching.yml): the query's ``field``, the record's numbers of its kind (``record``, a
    PartyEvidence field), whether another number of that kind on the record is a conflict, and where
    else the number may agree when the record holds none of its kind (``fallback``)."""

    field: str
    label: str
    record: str
    conflicts: bool
    fallback: str = ""


IDENTIFIER_FIELDS = ("lei", "imo", "registration_number")
"""The query's identifiers: the numbers the identifier index looks parties up by and the identifier rules
compare (``QueryEvidence.gives_identifier``)."""


@cache
def identifier_rules() -> tuple[IdentifierRule, ...]:
    """``evidence.identifiers`` read and checked: an unknown field or record kind is an error naming it."""
    query_fields = set(IDENTIFIER_FIELDS)
    record_fields = {"leis", "imos", "ids"}
    rules: list[IdentifierRule] = []
    for number, item in enumerate(config().get("identifiers") or ()):
        where = f"evidence.identifiers[{number}]"

        def bad(message: str, key: str, where: str = where) -> InputError:
            return InputError(message, file=str(name_data_file(MATCHING_FILE)), field=f"{where}.{key}")

        unknown = set(item) - {"field", "label", "record", "conflicts", "else"}
        if unknown:
            raise bad("unknown key (misspelt?)", sorted(unknown)[0])
        if item.get("field") not in query_fields:
            raise bad(f"must be one of {', '.join(sorted(query_fields))}", "field")
        for key in ("record", "else"):
            if (key in item or key == "record") and item.get(key) not in record_fields:
                raise bad(f"must be one of {', '.join(sorted(record_fields))}", key)
        if not isinstance(item.get("conflicts"), bool):
            raise bad("must be true or false", "conflicts")
        if not isinstance(item.get("label"), str) or not item["label"].strip():
            raise bad("must be a text", "label")
        rules.append(
            IdentifierRule(
                item["field"], item["label"].strip(), item["record"], item["conflicts"], item.get("else", "")
            )
        )
    return tuple(rules)


# -- dates of birth ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A date of birth as an inclusive day range: a full date is one day, a year its 365 days, a
    "circa" year widened by ``circa_years`` on each side, "1956 to 1958" the three years."""

    start: date
    end: date
    text: str
    circa: bool = False

    def gap_days(self, other: DateSpan) -> int:
        """Days between the two ranges (0 when they overlap)."""
        if self.end < other.start:
            return (other.start - self.end).days
        if other.end < self.start:
            return (self.start - other.end).days
        return 0


def _one_date(text: str) -> tuple[date, date] | None:
    """One written date → its day range, or None when unreadable. Reads ISO (1962, 1962-03,
    1962-03-05), "05 Mar 1962", "Mar 1962", "March 5, 1962", "05/03/1962" and "05.03.1962" (day first)."""
    text = text.strip().rstrip(".").strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
            return date(year, 1, 1), date(year, 12, 31)
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            first = date(year, month, 1)
            nxt = date(year + (month == 12), month % 12 + 1, 1)
            return first, nxt - timedelta(days=1)
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", text)
        if m:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return day, day
        m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text)
        if m:
            day = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            return day, day
        m = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})", text)
        if m and m.group(2).lower() in _MONTHS:
            day = date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
            return day, day
        m = re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})", text)
        if m and m.group(1).lower() in _MONTHS:
            day = date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
            return day, day
        m = re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{4})", text)
        if m and m.group(1).lower() in _MONTHS:
            return _one_date(f"{m.group(2)}-{_MONTHS[m.group(1).lower()]}")
    except ValueError:  # 31 Feb and the like
        return None
    return None


def parse_date_span(text: str, circa_years: int | None = None) -> DateSpan | None:
    """A list's written date of birth → DateSpan, or None when it cannot be read (never an error: a
    list's odd date must not stop screening; it just gives no evidence)."""
    raw = text.strip()
    body = _CIRCA.sub("", raw)
    circa = body != raw
    parts = [p for p in _RANGE.split(body) if p.strip()]
    if not parts or len(parts) > 2:
        return None
    ranges = [_one_date(p) for p in parts]
    if any(r is None for r in ranges):
        return None
    start = min(r[0] for r in ranges if r)
    end = max(r[1] for r in ranges if r)
    if circa:
        years = int(_num("circa_years") if circa_years is None else circa_years)
        start = start.replace(year=max(start.year - years, 1), day=min(start.day, 28))
        end = end.replace(year=end.year + years, day=min(end.day, 28) if end.month == 2 else end.day)
    return DateSpan(start, end, raw, circa)


@cache
def birth_spans(text: str) -> tuple[DateSpan, ...]:
    """Every readable date of a list's ``dates["birth"]`` ("1962; circa 1965; 1956 to 1958")."""
    out = []
    for part in text.split(";"):
        span = parse_date_span(part) if part.strip() else None
        if span is not None:
            out.append(span)
    return tuple(out)


def parse_query_date_of_birth(value: str) -> DateSpan:
    """A query's date of birth: a full date (YYYY-MM-DD) or a year (YYYY); YYYY-MM is accepted too.
    Anything else is an InputError naming ``date_of_birth``: a guessed date could wrongly clear a hit."""
    text = value.strip()
    if not re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", text):
        raise InputError(f"date of birth '{value}' is not YYYY-MM-DD or YYYY", field="date_of_birth")
    span = _one_date(text)
    if span is None:
        raise InputError(f"date of birth '{value}' is not a calendar date", field="date_of_birth")
    if span[0] > date.today() or span[0].year < 1850:
        raise InputError(f"date of birth '{value}' is out of range", field="date_of_birth")
    return DateSpan(span[0], span[1], text)


# -- identifiers ----------------------------------------------------------------------------------------


def normalise_id(value: str) -> str:
    """An identifier as compared: letters and digits only, upper case ("91-4403 00…" → "914403…")."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


def lei_valid(value: str) -> bool:
    """ISO 17442: 20 characters, letters and digits, ISO 7064 MOD 97-10 check (remainder 1)."""
    if not re.fullmatch(r"[0-9A-Z]{18}[0-9]{2}", value):
        return False
    digits = "".join(str(int(ch, 36)) for ch in value)
    return int(digits) % 97 == 1


def uscc_valid(value: str) -> bool:
    """China's Unified Social Credit Code (GB 32100-2015): 18 characters of its 31-letter alphabet, the
    last a weighted mod-31 check character."""
    if len(value) != 18 or any(ch not in _USCC_ALPHABET for ch in value):
        return False
    total = sum(_USCC_ALPHABET.index(ch) * w for ch, w in zip(value[:17], _USCC_WEIGHTS, strict=True))
    check = (31 - total % 31) % 31
    return _USCC_ALPHABET[check] == value[17]


def imo_valid(value: str) -> bool:
    """IMO ship number: 7 digits, the last the sum of the first six weighted 7…2, modulo 10."""
    if not re.fullmatch(r"\d{7}", value):
        return False
    return sum(int(d) * w for d, w in zip(value[:6], range(7, 1, -1), strict=True)) % 10 == int(value[6])


def website_domain(value: str) -> str:
    """The registrable part of a web address or e-mail address: "https://www.Example.com/x" and
    "info@example.com" → "example.com"."""
    text = value.strip().lower()
    if "@" in text and "/" not in text:
        text = text.rsplit("@", 1)[1]
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = text.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0].strip(".")
    if text.startswith("www."):
        text = text[4:]
    return text


def _id_kind(scheme: str, value: str) -> str:
    """What a list identifier is for comparison: "lei", "imo", "web", "email", "id" (any number that
    identifies: registration, tax, passport…) or "" (a fact that is no identifier: gender, a date, a
    sanctions note)."""
    s = scheme.strip().lower()
    if s in ("lei", "legal entity number") or "legal entity identifier" in s:
        return "lei"
    if s == "imo" or (s.startswith("vessel registration") and value.upper().startswith("IMO")):
        return "imo"
    if "website" in s:
        return "web"
    if "email" in s:
        return "email"
    if len(value) > _num("max_identifier_length") or any(
        word in s for word in _texts("non_identifier_schemes")
    ):
        return ""  # a sentence or a fact (gender, a date, a sanctions note), not a number
    text = normalise_id(value)
    if len(text) < int(_num("min_identifier_length")) or not any(ch.isdigit() for ch in text):
        return ""
    return "id"


@dataclass(frozen=True, slots=True)
class PartyEvidence:
    """What a list record says about who the party is, in comparable form."""

    births: tuple[DateSpan, ...] = ()
    nationalities: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    leis: frozenset[str] = frozenset()
    imos: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    addresses: tuple[str, ...] = ()
    # the countries the record places the person in without stating a nationality: its address countries
    # and its places of birth's (``birth_place_country``); read only by the near-name rule when the record
    # states no nationality (strength.near_person_place_for_nationality)
    places: frozenset[str] = frozenset()


def party_evidence(party: Party) -> PartyEvidence:
    ids: set[str] = set()
    leis: set[str] = set()
    imos: set[str] = set()
    domains: set[str] = set()
    for ident in party.identifiers:
        kind = _id_kind(ident.scheme, ident.value)
        if kind == "lei" and not lei_valid(normalise_id(ident.value)):
            kind = "id"  # a list's "Legal Entity Number" that is no ISO 17442 LEI (a local number)
        if kind == "lei":
            leis.add(normalise_id(ident.value))
        elif kind == "imo":
            imos.add("".join(ch for ch in ident.value if ch.isdigit()))
        elif kind in ("web", "email"):
            for part in re.split(r"[;,\s]+", ident.value):
                if part.strip():
                    domains.add(website_domain(part))
        elif kind == "id":
            ids.add(normalise_id(ident.value))
    return PartyEvidence(
        births=birth_spans(party.dates.get("birth", "")),
        nationalities=frozenset(c.upper() for c in party.nationalities if c),
        ids=frozenset(ids),
        leis=frozenset(leis),
        imos=frozenset(imos),
        domains=frozenset(d for d in domains if d),
        addresses=tuple(a.text for a in party.addresses if a.text),
        places=frozenset(c.upper() for c in party.countries if c)
        | {code for place in party.birth_places if (code := birth_place_country(place))},
    )


def birth_place_country(place: str) -> str | None:
    """The country a listed place of birth names in its last part ("Hama, Syria" → SY, "Borisov,
    Belarus" → BY, "Nahr-e Saraj District, Helmand Province, Afghanistan" → AF), by the country words
    names are read with (``country_of_word``: the whole part, else its last word); None when the last
    part names no country ("al-Jawrah, al-Majdal District, Gaza")."""
    last = place.rsplit(",", 1)[-1].strip()
    if not last:
        return None
    return country_of_word(last) or country_of_word(last.split()[-1])


class IdentifierIndex:
    """Parties by identifier (LEI, IMO, registration/ID number, web domain): a query that gives one finds
    the listed party even when its name is written differently."""

    def __init__(self, evidence: Sequence[PartyEvidence]) -> None:
        table: dict[str, list[int]] = {}
        for pidx, ev in enumerate(evidence):
            keys = sorted(
                {f"id:{v}" for v in ev.ids | ev.leis}
                | {f"lei:{v}" for v in ev.leis}
                | {f"imo:{v}" for v in ev.imos}
                | {f"web:{v}" for v in ev.domains}
            )
            for key in keys:
                table.setdefault(key, []).append(pidx)
        self._table = {k: tuple(v) for k, v in table.items()}

    def lookup(self, query: QueryEvidence) -> list[int]:
        """Party indexes sharing a strong identifier (LEI, IMO, registration number) with the query, in
        index order."""
        keys: list[str] = []
        if query.lei:
            keys += [f"lei:{query.lei}", f"id:{query.lei}"]
        if query.imo:
            keys.append(f"imo:{query.imo}")
        if query.registration_number:
            keys.append(f"id:{query.registration_number}")
        found: set[int] = set()
        for key in keys:
            found.update(self._table.get(key, ()))
        return sorted(found)


# -- the query ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueryEvidence:
    """The identifying details a screening query gives besides name, kind and country (validated)."""

    date_of_birth: DateSpan | None = None
    nationality: str = ""
    registration_number: str = ""
    lei: str = ""
    imo: str = ""
    address: str = ""
    website: str = ""
    given: dict[str, str] = field(default_factory=dict)  # the fields as given, for the result's echo

    def __bool__(self) -> bool:
        return bool(self.given)

    @property
    def gives_identifier(self) -> bool:
        """Whether the query gives an LEI, IMO or registration number (IDENTIFIER_FIELDS): only then can a
        record be found, or a record below the threshold be a hit, by an identifier."""
        return any(getattr(self, name) for name in IDENTIFIER_FIELDS)


NO_EVIDENCE = QueryEvidence()


def _country_code(value: str, field_name: str) -> str:
    """An ISO 3166-1 alpha-2 code by its form (match imports no reference data: the faces check that the
    country exists, with chipguard.geo.countries.country)."""
    code = value.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise InputError(f"'{value}' is not an ISO 3166-1 alpha-2 country code", field=field_name)
    return code


def query_evidence(
    *,
    date_of_birth: str | None = None,
    nationality: str | None = None,
    registration_number: str | None = None,
    lei: str | None = None,
    imo: str | None = None,
    address: str | None = None,
    website: str | None = None,
    country: str | None = None,
) -> QueryEvidence:
    """Validates the evidence fields of a query; an InputError names the bad field.

    LEIs and IMO numbers must pass their check digits; a registration number given with country CN (or
    nationality CN) of 18 characters must be a valid Unified Social Credit Code."""
    raw = {
        "date_of_birth": date_of_birth,
        "nationality": nationality,
        "registration_number": registration_number,
        "lei": lei,
        "imo": imo,
        "address": address,
        "website": website,
    }
    given: dict[str, str] = {}
    for key, value in raw.items():
        if value is None:
            continue
        if not isinstance(value, str):
            raise InputError(f"expected text, got {type(value).__name__}", field=key)
        text = value.strip()
        if len(text) > MAX_FIELD_LENGTH:
            raise InputError(f"longer than {MAX_FIELD_LENGTH} characters", field=key)
        if text:
            given[key] = text
    if not given:
        return NO_EVIDENCE
    dob = parse_query_date_of_birth(given["date_of_birth"]) if "date_of_birth" in given else None
    nat = _country_code(given["nationality"], "nationality") if "nationality" in given else ""
    lei_text = ""
    if "lei" in given:
        lei_text = normalise_id(given["lei"])
        if not lei_valid(lei_text):
            raise InputError(
                f"LEI '{given['lei']}' is not a valid ISO 17442 code (20 characters, check digits)",
                field="lei",
            )
    imo_text = ""
    if "imo" in given:
        imo_text = normalise_id(given["imo"]).removeprefix("IMO")
        if not imo_valid(imo_text):
            raise InputError(
                f"IMO number '{given['imo']}' is not 7 digits with a valid check digit", field="imo"
            )
    reg = ""
    if "registration_number" in given:
        reg = normalise_id(given["registration_number"])
        if not reg:
            raise InputError("a registration number needs letters or digits", field="registration_number")
        chinese = "CN" in {nat, (country or "").strip().upper()}
        if chinese and len(reg) == 18 and not uscc_valid(reg):
            raise InputError(
                f"'{given['registration_number']}' is not a valid Unified Social Credit Code "
                "(GB 32100-2015 check character)",
                field="registration_number",
            )
    web = ""
    if "website" in given:
        web = website_domain(given["website"])
        if "." not in web:
            raise InputError(f"'{given['website']}' is not a web address or e-mail domain", field="website")
    return QueryEvidence(
        date_of_birth=dob,
        nationality=nat,
        registration_number=reg,
        lei=lei_text,
        imo=imo_text,
        address=given.get("address", ""),
        website=web,
        given=given,
    )


def subject_evidence(subject: Any) -> QueryEvidence | None:
    """The evidence a screened subject (``chipguard.model.ScreeningSubject``) declares, validated, or None
    when it declares none: what decisions, customer screening and re-screening all pass to the screener."""
    declared = dict(getattr(subject, "evidence", ()) or ())
    return query_evidence(country=getattr(subject, "country", None), **declared) if declared else None


def evidence_of(record: Any, country: str | None = None, *, where: str = "") -> QueryEvidence:
    """The evidence a Customer or Owner declares (its date_of_birth, nationality, registration_number,
    lei, imo, website and first address), validated; an error's field is prefixed with ``where``
    ("customer.owners[1]")."""
    from chipguard.model import declared_evidence

    try:
        return query_evidence(country=country, **dict(declared_evidence(record)))
    except InputError as exc:
        field_name = f"{where}.{exc.field}" if where and exc.field else exc.field
        raise InputError(exc.detail, file=exc.file, field=field_name) from exc


# -- strength -------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Assessment:
    """The strength of one hit, the features that decided it, and what they subtract from its score."""

    strength: MatchStrength
    features: list[dict[str, Any]]
    penalty: float = 0.0
    identified: bool = False  # an identical LEI / IMO / registration number: a hit whatever its name score
    # a person's near name below the threshold that the date of birth keeps as a (potential) hit
    # (strength.near_person_needs_dob, see near_person_pair)
    kept: bool = False

    def feature_dicts(self) -> list[dict[str, Any]]:
        return [dict(f) for f in self.features]


def _feature(name: str, result: str, detail: str, **more: Any) -> dict[str, Any]:
    return {"feature": name, "result": result, "detail": detail, **more}


def kinds_conflict(query_kind: str | None, listed: PartyKind) -> bool:
    """Whether the query's kind rules the listed record out: a person is no organisation, vessel or
    aircraft, and an organisation is no vessel, aircraft or person (a vessel query may meet a vessel).
    A query of no kind (none given, or "unknown") names a person or an organisation, never a vessel or an
    aircraft (``strength.kindless_person_or_org``): what an owner, a customer or a screened name is when
    nobody said which — so a vessel's or aircraft's record is as weak for it as for an organisation (an
    identical identifier still names the record: that conflict is not a declared kind's, see assess)."""
    if listed == PartyKind.UNKNOWN:
        return False
    if not query_kind:
        return listed in (PartyKind.VESSEL, PartyKind.AIRCRAFT) and bool(config()["kindless_person_or_org"])
    listed_kind = listed.value
    if query_kind == listed_kind:
        return False
    return query_kind in ("person", "org", "vessel", "aircraft")


# how a hit's evidence says what a query of no kind is (kinds_conflict)
NO_KIND = "no kind given (a person or an organisation)"


def declared_kind_doubtful(query_kind: str | None, listed: PartyKind, name_score: float) -> bool:
    """Whether a kind conflict is only the customer's word against the list's: a person declared where
    the list has an organisation of (nearly) the same name, or the reverse. Such a hit is reviewed, since
    declaring a listed owner the other kind would otherwise be a way round screening; an organisation
    named like a ship or aircraft is another thing whatever the score."""
    people_or_firms = {"person", "org"}
    return (
        query_kind in people_or_firms
        and listed.value in people_or_firms
        and name_score >= _num("declared_kind_review_score")
    )


def generic_institutional(
    analysis: NameAnalysis,
    rarity: Callable[[str], float],
    industry: frozenset[str] | set[str] = frozenset(),
) -> bool:
    """Whether a name is a generic name that bodies in many countries bear: a ministry, an institute or a
    bank ("Ministry of Defence", "Central Bank of Iran", "Institute of Physics"), or a firm named only by
    what it does ("Global Energy Company S.A.S.", "United Shipbuilding Corporation"). For such a name a
    country that disagrees means another body, not the listed one.

    Generic: no number, no Chinese place, and every word either says what kind of body or business it
    is — the vocabulary's generic, administrative and institutional words, ``institution_words`` in
    matching.yml, ``industry`` (the English of the curated Chinese industry terms), a country name — or is
    common on the lists (rarity at most ``generic_name_max_rarity``). One word that is none of these (a
    proper name: "Jiao Tong", "Hikvision", "Almaz-Antey") makes the name specific."""
    telling = [t for t in analysis.tokens if t.cls not in ("legal", "stop")]
    return bool(telling) and all(
        generic_word(tok, analysis.institutional, rarity, industry) for tok in telling
    )


def generic_word(
    tok: Token,
    institutional: bool,
    rarity: Callable[[str], float],
    industry: frozenset[str] | set[str] = frozenset(),
) -> bool:
    """Whether one word of a name says what kind of body or business it is rather than which one (see
    ``generic_institutional``; ``institutional``: the name is an institution's, whose institution words
    count as generic). A number, a place or a proper name says which one."""
    if tok.cls in ("number", "place"):
        return False
    if tok.cls in ("generic", "admin", "country"):
        return True
    extra = _texts("institution_words")
    if tok.canon in extra or tok.text in extra or tok.canon in industry or tok.text in industry:
        return True
    if institutional and tok.canon in _institutional_words():
        return True
    return rarity(tok.canon) <= _num("generic_name_max_rarity")


@cache
def _institutional_words() -> frozenset[str]:
    from chipguard.names.data import vocabulary

    return frozenset(str(w).casefold() for w in vocabulary().get("institutional_words") or ())


@cache
def _places_and_countries() -> frozenset[str]:
    """The vocabulary's place and country words in one set, made once (name_clash asks it of every
    candidate a query keeps: a union of the two made per call cost ~8 µs)."""
    from chipguard.names.vocab import vocab

    words = vocab()
    return words.places | words.countries


def name_clash(
    aligned: Iterable[tuple[str, str, str]],
    unmatched_query: Iterable[str],
    query: NameAnalysis,
    listed: NameAnalysis,
    acronym: bool = False,
) -> str:
    """Why two names that score alike denote different bodies, or "" when nothing in them says so.

    ``aligned``: the (query word, list word, how) pairs the scorer aligned; ``unmatched_query``: the query
    words it left unmatched. Two siblings share every word but their one distinctive word; when that
    word is a place on both sides the scorer may still align them as a typo ("Henan University" /
    "Hunan University": two provinces, two universities). A query that says what kind of body it is (a
    ``body_kinds`` word of vocabulary.yml: university, institute …) matched to a list name that names no
    kind of body at all is another body ("Xinjiang University" / "Xinjiang Corps"), unless the list name
    is the query's acronym."""
    from chipguard.names.vocab import vocab

    places = _places_and_countries()
    for q_word, l_word, how in aligned:
        if q_word != l_word and how != "exact" and q_word in places and l_word in places:
            return f"two different places, {q_word} and {l_word}"
    kinds = vocab().body_kinds
    if acronym:
        return ""
    missing = [w for w in unmatched_query if w in kinds]
    listed_kinds = [t for t in listed.tokens if t.canon in kinds or t.text in kinds]
    if missing and not listed_kinds and not listed.institutional:
        return f"the query names a {missing[0]}, the list name no such body"
    return ""


def homophone(query: str, record_names: Iterable[str], approximate: Iterable[str] = ()) -> str:
    """Why a Chinese query names another firm than a listed record whose own Chinese name writes the
    query's brand with other characters of the same sound, or "" when nothing says so
    (``strength.homophone_conflict``).

    Why: a Chinese name meets an English list name through its pinyin, and pinyin loses the characters:
    骅威文化 (Huawei Culture, a listed media firm) reads "Huawei" as 华为 does. When the record itself
    carries a Chinese name (the list's, or the curated file's), its characters say which firm it is: if
    one of them writes the sound of the query's brand (its proper-name or pinyin segment, two characters
    or more) with other characters, and no Chinese name of the record holds the query's brand as written,
    the two are different names. A record without a Chinese name, a brand whose sound the record's Chinese
    names do not contain (an abbreviation: 中航 for 中国航空工业), and a shared brand say nothing.

    ``approximate``: the words of the query's translation that met a word of the record's English name
    only approximately (a sound-alike, a typo, an English ending). With ``strength.approximate_brand_conflict``
    a brand whose pinyin is one of them, none of the record's Chinese names holding it, is another name too:
    旷达 "Kuangda" sounds like "Kyland", but that record's own Chinese name is 北京东土科技 — the English
    name imitates the sound of 东土's firm, not of 旷达 (河钢 "Hegang" / "Higon", 海光信息技术)."""
    if not config()["homophone_conflict"] or not has_han(query):
        return ""
    segments = [
        seg
        for seg in analyse(query).segments
        if sum(map(has_han, seg.text)) >= 2 and all(map(has_han, seg.text))
    ]
    brands = [to_simplified(seg.text) for seg in segments if seg.kind in (UNKNOWN, PROPER)]
    near = set(approximate) if config()["approximate_brand_conflict"] else set()
    # a segment of any kind whose pinyin met an English word only nearly (旷达 is a dictionary word)
    near_brands = [to_simplified(seg.text) for seg in segments if "".join(seg.pinyin) in near]
    if not brands and not near_brands:
        return ""
    listed = ["".join(ch for ch in to_simplified(n) if has_han(ch)) for n in record_names if has_han(n)]
    listed = [n for n in listed if n]
    if not listed:
        return ""
    for brand in near_brands:
        if not any(brand in name for name in listed):
            return (
                f"the query's {brand} met the record's English name only by a near word; the record's own "
                f"Chinese name {listed[0]} does not hold it: another name"
            )
    if any(brand in name for brand in brands for name in listed):
        return ""
    for brand in brands:
        sound = pinyin_of(brand)
        for name in listed:
            syllables = pinyin_of(name)
            if len(syllables) != len(name):
                continue  # a syllable per character, or no position to compare
            for at in range(len(name) - len(sound) + 1):
                if syllables[at : at + len(sound)] == sound:
                    return (
                        f"the query's {brand} sounds as {name[at : at + len(sound)]} of the record's Chinese "
                        f"name {name}, written with other characters: another name"
                    )
    return ""


@cache
def _country_words() -> dict[str, str]:
    """Word of a name → the ISO 3166-1 alpha-2 code of the country it names (``country_words`` of
    vocabulary.yml: "syrian" → SY, "china" → CN; and every country's own names, ``vocab.country_names``:
    "jamaica" → JM, "deutschland" → DE)."""
    from chipguard.names.data import vocabulary
    from chipguard.names.vocab import country_names

    out: dict[str, str] = {}
    for code, words in (vocabulary().get("country_words") or {}).items():
        for word in words or ():
            out[str(word).casefold()] = str(code).upper()
    for word, code in country_names().items():  # the countries' own names (ISO 3166-1, CLDR)
        out.setdefault(word, code)
    return out


def country_of_word(word: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of the country a word of a name names ("russia" → RU, "中国" when
    vocabulary.yml lists it), None for any other word."""
    return _country_words().get(word.casefold())


def identity_missing(
    query_generic: bool,
    unmatched_listed: Iterable[Token],
    query_country: str,
    is_generic: Callable[[Token], bool],
    norm: Callable[[str], str] = str.upper,
    unmatched_query: Iterable[tuple[str, str]] = (),
    listed: Sequence[Token] = (),
    industry: frozenset[str] | set[str] = frozenset(),
) -> str:
    """Why a generic query denotes another body than the list name it matched, or "" when nothing says so.

    ``query_generic``: the query is made of generic words only (``generic_institutional``: what kind of
    body or business, no place, no proper name); ``unmatched_listed``: the words of the list name the
    scorer left unmatched; ``is_generic``: whether a word of the list name is generic (``generic_word``).
    A generic name is borne by many bodies; a list name that adds the word saying which one names one of
    them, and the query lacks that word: a place ("Guangzhou Radio Factory" for a query "Radio Factory"),
    a proper name ("BOP Opto-Electronics Technology" for "Optoelectronics Technology"), or a country other
    than the query's ("Syrian National Defense Forces" for "National Defense Forces" in CN). The hit is
    weak. A country word naming the query's own country (China for CN; ``norm`` maps codes through the
    country groups), or any country word when the query gives none, leaves it a candidate, as do further
    generic words ("Ministry of Defence and Armed Forces Logistics" for "Ministry of Defence").

    With ``strength.generic_query_business_line``, a listed Chinese name read word by word that names only
    a line of business — every word of ``listed`` (its words, given only for such a name; legal forms,
    stopwords and words naming the query's country aside) an industry word (``industry``, the English of
    the curated Chinese industry terms: 精密机械 "Precision Machinery", no kind of body, no descriptor) — met
    inside a generic query that adds words of its own
    (``unmatched_query``: the (text, class) of the query words the scorer left unmatched, legal forms and
    stopwords aside) is weak too: the query is some body in that line of business, and every such body's
    name holds the line's words ("Industrial Factories of Precision-Machinery" in CN on CPMIEC's short name
    中国精密机械, "Chinese Precision Machinery"). A list name that adds words to the query's, or a kind of
    body of its own, is left to the rules above: "Aviation International" stays a review of 中航国际
    "Aviation Industry International". A name in Latin letters is not read so: the vocabulary's
    industry words are broad ("United", "Oriental", "Times" render Chinese terms too), and such a name is
    the body's own English ("Oriental Times Media Corporation" for 东方时代网络传媒)."""
    if not query_generic:
        return ""
    words = _country_words()
    for tok in unmatched_listed:
        if tok.cls in ("legal", "stop"):
            continue
        code = words.get(tok.text) or words.get(tok.canon)
        if code is not None:
            if query_country and norm(code) != query_country:
                return f"a generic name in {query_country}; the list name is of another country ({tok.text})"
            continue
        if tok.cls == "place":
            return f"a generic name without the place that names the listed body ({tok.text})"
        if not is_generic(tok):
            return f"a generic name without the word that names the listed body ({tok.text})"
    if (
        listed
        and config()["generic_query_business_line"]
        and (extra := next((text for text, cls in unmatched_query if cls not in ("legal", "stop")), ""))
        and (line := _business_line(listed, query_country, industry, norm))
    ):
        return f"a generic name ({extra} …) holding a listed line of business ({line}): another body in that line"
    return ""


def _business_line(
    listed: Sequence[Token],
    query_country: str,
    industry: frozenset[str] | set[str],
    norm: Callable[[str], str],
) -> str:
    """The words of a list name that names only a line of business (see identity_missing), "" when it
    names more: a kind of body, a descriptor, a place, a proper name, another country."""
    words = _country_words()
    line: list[str] = []
    for tok in listed:
        if tok.cls in ("legal", "stop"):
            continue
        code = words.get(tok.text) or words.get(tok.canon)
        if code is not None and query_country and norm(code) == query_country:
            continue
        if tok.canon not in industry and tok.text not in industry:
            return ""
        line.append(tok.text)
    return " ".join(line)


def _address_agrees(query: str, listed: Iterable[str]) -> str:
    """The first listed address the query's address matches, "" when none does.

    Token-set similarity of at least ``evidence.address_similarity``, on texts with punctuation removed
    ("Privada Juan Martin 537, Zapopan, Jalisco" is the listed "Privada Juan Martin, 537, Zapopan,
    Jalisco"), sharing at least ``evidence.address_min_words`` words: token-set similarity is 1.0 for any
    query whose words are all in the listed address, so a city alone ("Moscow, RU") agreed with every
    address in that city and told the analyst "matches the listed address". 0 words: as before the key
    (raw lower-cased texts, any length), for decisions archived with it."""
    cut = _num("address_similarity") * 100
    min_words = int(_num("address_min_words"))
    if min_words <= 0:
        return next((t for t in listed if fuzz.token_set_ratio(query.lower(), t.lower()) >= cut), "")
    q = default_process(query)
    q_words = set(q.split())
    if len(q_words) < min_words:
        return ""
    for text in listed:
        t = default_process(text)
        if len(q_words & set(t.split())) >= min_words and fuzz.token_set_ratio(q, t, processor=None) >= cut:
            return text
    return ""


def assess(
    *,
    name_score: float,
    threshold: float,
    query: QueryEvidence,
    query_kind: str | None,
    query_country: str,
    party: Party,
    evidence: PartyEvidence,
    party_countries: frozenset[str] | set[str],
    generic_name: bool,
    plain_generic: bool = False,
    name_countries: frozenset[str] = frozenset(),
    thin_name: str = "",
    names_parent: str = "",
    clash: str = "",
    kind_free_score: float | None = None,
    near_weak_alias: bool = False,
    near_person: bool = False,
    near_person_day_only: bool = False,
) -> Assessment:
    """The strength of a hit from its name score and the evidence on both sides.

    Conflicts first (any one makes the hit weak: another person, another kind of thing, another
    institution of the same generic name, another vessel or LEI), then strong agreement (an identical
    LEI, registration number or IMO number confirms even a drifting name; a date of birth with the same
    nationality confirms a name at the threshold), then the name alone (confirmed only when it is nearly
    identical, distinctive and nothing disagrees; a ``generic_name`` — what kind of body, not which one —
    also needs the query's country among the record's, ``strength.generic_name_needs_country``).
    ``plain_generic``: either name is made only of generic words by the vocabulary alone (what kind of
    body or business it is; narrower than ``generic_name``, which also counts words common on the
    lists); ``name_countries``: the countries the query name's own words name ("Central Bank of Iran"),
    which place it as the query's country does. ``thin_name`` says why the matched list name is too thin
    to confirm on its own ("a weak alias", "a single word common on the lists"), "" when it is not.
    ``names_parent``: the part of the list name the query matched when that part names another entity —
    the parent after "Parent Organization:" or before "Affiliated Entity:" — "" otherwise. The record
    lists the subsidiary or affiliate, not that parent (no list extends a listing up to a parent), so the
    hit is weak: recorded beside the query, not alerted, unless an identifier confirms it. ``clash``: why
    the two names denote different bodies although they score alike (``name_clash``), "" when nothing
    says so — weak as well. ``kind_free_score``: the name score before the scorer's kind penalty, which
    decides whether a person/organisation kind conflict is only the customer's word (``declared_kind_doubtful``).
    ``near_weak_alias``: the matched list name is a weak alias (the list's own word for a name too broad
    to identify) that the query's name is not — it met it by a near name or a part of a longer one, the
    names' score below ``confirm_name_score`` — such a hit is weak unless something beyond the name agrees
    (an identifier, the date of birth, the nationality, an address, the query's country among the
    record's; ``strength.weak_alias_needs_evidence``).
    ``near_person``: a person's name below the threshold, the shorter of the two names met part by part
    in the longer (``near_person_pair``; the screener asks only with ``strength.near_person_needs_dob``):
    kept as a potential hit (``Assessment.kept``) when the date of birth agrees — a day, or a date of
    ``strength.near_person_dob_days`` or fewer on both sides; a wider one (a year, "circa") with the
    nationality agreeing too, or, the record stating none, the query's nationality among the countries it
    places the person in (``PartyEvidence.places``, ``strength.near_person_place_for_nationality``) — and
    nothing conflicts. ``near_person_day_only``: such a pair further below the threshold (under
    ``near_person_margin``, down to ``strength.near_person_day_margin``: two of a listed person's four or
    five parts), kept only by a day-precise date and no nationality that differs.
    """
    features: list[dict[str, Any]] = []
    conflicts: list[str] = []
    confirms: list[str] = []
    softer: list[str] = []  # disagreements that stop a name-only confirmation but do not make it weak
    penalty = 0.0

    if kinds_conflict(query_kind, party.kind):
        if declared_kind_doubtful(
            query_kind, party.kind, name_score if kind_free_score is None else kind_free_score
        ):
            softer.append("kind")
            features.append(
                _feature(
                    "kind",
                    "differs",
                    f"query is a {query_kind}, the record a {party.kind.value}, under the same name: "
                    "a declared kind is reviewed, not trusted",
                )
            )
        else:
            conflicts.append("kind")
            said = f"query is a {query_kind}" if query_kind else NO_KIND
            features.append(_feature("kind", "conflict", f"{said}, the record a {party.kind.value}"))

    if clash:
        conflicts.append("name")
        features.append(_feature("name", "conflict", clash))

    if names_parent:
        conflicts.append("parent")
        features.append(
            _feature(
                "parent",
                "conflict",
                f"the query matched '{names_parent}', the parent the record names; the record lists "
                f"another entity ({party.name})",
            )
        )

    # a declared kind that rules the record out is not outweighed by anything; the vessel or aircraft of a
    # query of no kind is, by an identical identifier (an IMO number names the ship whatever the name)
    hard_kinds = ["kind"] if query_kind else []
    for rule in identifier_rules():
        given: str = getattr(query, rule.field)
        if not given:
            continue
        held: frozenset[str] = getattr(evidence, rule.record)
        if rule.conflicts:
            hard_kinds.append(rule.field)
        if given in held or (not held and rule.fallback and given in getattr(evidence, rule.fallback)):
            confirms.append(rule.field)
            features.append(_feature(rule.field, "agree", f"{rule.label} {given} is on the record"))
        elif held and rule.conflicts:
            conflicts.append(rule.field)
            features.append(
                _feature(
                    rule.field, "conflict", f"{rule.label} {given}, the record has {', '.join(sorted(held))}"
                )
            )

    dob_agrees = False
    dob_precise = False  # the agreeing dates both of near_person_dob_days or fewer (see near_person)
    if query.date_of_birth is not None and evidence.births:
        gaps = [query.date_of_birth.gap_days(span) for span in evidence.births]
        gap = min(gaps)
        listed = "; ".join(s.text for s in evidence.births)
        if gap == 0:
            dob_agrees = True
            if near_person:
                widest = int(_num("near_person_dob_days"))
                dob_precise = _days(query.date_of_birth) <= widest and any(
                    g == 0 and _days(span) <= widest for g, span in zip(gaps, evidence.births, strict=True)
                )
            features.append(_feature("date_of_birth", "agree", f"{query.date_of_birth.text} fits {listed}"))
        elif gap >= _num("dob_conflict_days"):
            conflicts.append("date_of_birth")
            penalty += _num("dob_conflict_penalty")
            features.append(
                _feature(
                    "date_of_birth",
                    "conflict",
                    f"{query.date_of_birth.text} is {gap // 365} year(s) or more from {listed}",
                    value=-_num("dob_conflict_penalty"),
                )
            )
        else:
            features.append(_feature("date_of_birth", "close", f"{query.date_of_birth.text} near {listed}"))

    nationality_agrees = False
    if query.nationality and evidence.nationalities:
        if query.nationality in evidence.nationalities:
            nationality_agrees = True
            features.append(_feature("nationality", "agree", f"{query.nationality} is a listed nationality"))
        else:
            softer.append("nationality")
            features.append(
                _feature(
                    "nationality",
                    "differs",
                    f"{query.nationality}, the record says {', '.join(sorted(evidence.nationalities))}",
                )
            )

    country_agrees = False
    if query_country and party_countries:
        where = ", ".join(sorted(party.countries)) or (
            f"without a country (its records of the same name on other lists: {', '.join(sorted(party_countries))})"
        )
        if query_country in party_countries:
            country_agrees = True
            features.append(_feature("country", "agree", f"{query_country} is among the record's countries"))
        elif generic_name and party.kind != PartyKind.PERSON:
            conflicts.append("country")
            features.append(
                _feature(
                    "country",
                    "conflict",
                    f"a generic name in {query_country}, the record is {'in ' * bool(party.countries)}{where}",
                )
            )
        else:
            softer.append("country")
            features.append(_feature("country", "differs", f"{query_country}, the record: {where}"))

    if query.website and evidence.domains:
        if query.website in evidence.domains:
            features.append(_feature("website", "agree", f"{query.website} is the record's domain"))
        else:
            features.append(_feature("website", "differs", f"{query.website}, the record has other domains"))
    address_agrees = False
    if query.address and evidence.addresses:
        listed_address = _address_agrees(query.address, evidence.addresses)
        if listed_address:
            address_agrees = True
            features.append(_feature("address", "agree", f"matches the listed address '{listed_address}'"))

    if (
        near_weak_alias
        and config()["weak_alias_needs_evidence"]
        and not (confirms or dob_agrees or nationality_agrees or address_agrees or country_agrees)
    ):
        conflicts.append("name")
        features.append(
            _feature(
                "name",
                "conflict",
                "a near match on a weak alias (the list's own word for a name too broad to identify) and "
                "nothing beyond the name agrees",
            )
        )

    # a record stating no nationality: the countries it places the person in (address, place of birth)
    # stand in for it (strength.near_person_place_for_nationality). By chance no more often than a stated
    # nationality: a person's day falls in a wider listed date of that country's persons 3.4 % of the time
    # when the record places them there, 4.9 % when it states the nationality (bench.near_person_dob)
    place_agrees = (
        near_person
        and dob_agrees
        and not dob_precise
        and not nationality_agrees
        and bool(query.nationality)
        and not evidence.nationalities
        and query.nationality in evidence.places
        and bool(config()["near_person_place_for_nationality"])
    )
    kept = (
        near_person and dob_agrees and not conflicts and (dob_precise or nationality_agrees or place_agrees)
    )
    if near_person_day_only:
        # two of a listed person's four or five parts: only a day-precise date, no other nationality
        kept = kept and dob_precise and "nationality" not in softer
    if kept:
        features.append(
            _feature(
                "near_name",
                "kept",
                "the shorter name's every part met a part of the longer, below the threshold; "
                + (
                    "the date of birth agrees"
                    if dob_precise
                    else "the date of birth (a year or a span) and the nationality agree"
                    if nationality_agrees
                    else f"the date of birth (a year or a span) agrees and the record, stating no "
                    f"nationality, places the person in {query.nationality}"
                ),
            )
        )

    # a generic name says what a body is, not which one: on its name alone it confirms only in the
    # record's country (strength.generic_name_needs_country); a person's name is no generic name
    unplaced = (
        plain_generic
        and party.kind != PartyKind.PERSON
        and query_kind != "person"
        and not country_agrees
        and not name_countries & party_countries
        and _generic_name_needs_country()
    )
    score = max(0.0, name_score - penalty)
    confirm_score = _num("confirm_name_score")
    hard = [c for c in conflicts if c in hard_kinds]
    person_needs_more = (
        party.kind == PartyKind.PERSON and query.date_of_birth is None and not _person_name_confirms()
    )
    if hard:
        strength = MatchStrength.WEAK
        decided = f"conflicting {', '.join(hard)}"
    elif confirms and name_score >= _num("identifier_min_name_score"):
        strength = MatchStrength.CONFIRMED
        decided = f"identical {', '.join(confirms)}"
    elif conflicts and not (confirms and set(conflicts) <= _NAME_CONFLICTS and generic_query_evidence()):
        # an identical identifier outweighs what the name words say (a generic or drifted name, a
        # parent's name, a generic name's country): such a hit stays potential, to be resolved (with
        # the generic-query rules: before them such a hit was weak, and replays keep that)
        strength = MatchStrength.WEAK
        decided = f"conflicting {', '.join(conflicts)}"
    elif dob_agrees and nationality_agrees and score >= threshold:
        strength = MatchStrength.CONFIRMED
        decided = "date of birth and nationality agree"
    elif score >= confirm_score and not softer and not thin_name and not person_needs_more and not unplaced:
        strength = MatchStrength.CONFIRMED
        decided = f"name score {score:.2f} ≥ {confirm_score:.2f} and nothing disagrees"
    else:
        strength = MatchStrength.POTENTIAL
        reasons = []
        if score < confirm_score:
            reasons.append(f"name score {score:.2f} < {confirm_score:.2f}")
        if softer:
            reasons.append(f"{' and '.join(softer)} differ")
        if thin_name:
            reasons.append(thin_name)
        if person_needs_more:
            reasons.append("a person's name without date of birth")
        if unplaced and score >= confirm_score:
            reasons.append(
                "a generic name with no agreeing country or identifier"
                if query_country
                else "a generic name and no country given"
            )
        if confirms:
            reasons.append(f"identical {', '.join(confirms)} but the names differ too much")
        if conflicts:
            reasons.append(f"conflicting {', '.join(conflicts)} outweighed by the identical identifier")
        decided = "; ".join(reasons) or "name only"
    features.append(_feature("strength", str(strength), decided))
    return Assessment(strength, features, penalty, identified=bool(confirms) and not hard, kept=kept)


def _days(span: DateSpan) -> int:
    """How many days a date of birth spans, less one: 0 for a day, 364 for a year."""
    return (span.end - span.start).days


def near_person_margin() -> float | None:
    """How far below the threshold a person's near name may score and still be kept by its date of
    birth (``strength.near_person_margin``), None when ``strength.near_person_needs_dob`` is off."""
    if not config()["near_person_needs_dob"]:
        return None
    return _num("near_person_margin")


def near_person_day_margin() -> float | None:
    """How far below the threshold a declared person's near name, the query's every part met, may score
    and still be kept by a day-precise date of birth (``strength.near_person_day_margin``); None when
    ``strength.near_person_needs_dob`` is off or the margin is no wider than ``near_person_margin``."""
    if not config()["near_person_needs_dob"]:
        return None
    wide = _num("near_person_day_margin")
    return wide if wide > _num("near_person_margin") else None


def near_person_pair(pairs: int, unmatched_query: int, unmatched_listed: int) -> bool:
    """Whether a person's name pair below the threshold is one a date of birth may keep as a hit: two
    parts or more met (by the typo rules, a name form or exactly) and every part of one of the two names
    among them — the shorter name inside the longer, as the person subset rule reads it, but with a part
    a letter off: "KLISHAS Andrei" in "KLISHAS, Andrey Aleksandrovich" (0.79), "BORODAY, Alexander
    Yuryevich" holding "BORODAI, Aleksandr" (the same persons, renamed between OFAC releases). A part of
    each name that meets none of the other's is another name, not a shorter one. By name alone such a
    pair is not told from a look-alike (VOLFOVICH, ONISHCHENKO, KERIMOVA / KARIMOVA: session 22), so
    only an agreeing date of birth keeps it, and then only as potential (a review)."""
    return pairs >= 2 and (unmatched_query == 0 or unmatched_listed == 0)


def generic_query_evidence() -> bool:
    """Whether a generic query's own genericness is evidence (``strength.generic_query_evidence``): weak on
    a list name adding the word that names the listed body, and on a record in another country."""
    return bool(config()["generic_query_evidence"])  # checked at load (EVIDENCE_KEYS)


def _generic_name_needs_country() -> bool:
    """Whether a generic name confirms on its name alone only in the record's country."""
    return bool(config()["generic_name_needs_country"])  # checked at load (EVIDENCE_KEYS)


# conflicts read from the names alone (their words, a generic name's country): an identical identifier
# keeps such a hit potential
_NAME_CONFLICTS = frozenset({"name", "parent", "country"})


def _person_name_confirms() -> bool:
    """Whether a person's (nearly) identical name alone, with nothing disagreeing, confirms a hit."""
    return bool(config()["person_name_alone_confirms"])  # checked at load (EVIDENCE_KEYS)
