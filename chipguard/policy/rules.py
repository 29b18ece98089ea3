"""Rule sets as data: YAML files with effective, end and suspension dates, loaded and validated once.

A rule set is a manifest (``ruleset.yml``) naming rule files; each file holds ``settings`` (numbers the
compliance team tunes, exposed to rules as ``settings.*`` facts) and ``rules``. Regulations change by
Federal Register notice, so a rule is switched on and off by dates in the data, and the decision records
the rule set's id, version and content hash so it can be replayed. See docs/rules.md for the format.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from chipguard.config import data_dir, overrides_dir
from chipguard.datafiles import read_yaml
from chipguard.dates import optional_iso_date
from chipguard.errors import InputError
from chipguard.model import Outcome
from chipguard.policy.conditions import validate

TRANSACTION_KINDS = ("sale", "export", "rental")
# Most severe first: the decision's outcome is the most severe outcome any triggered rule reached.
SEVERITY: dict[Outcome, int] = {
    Outcome.DENY: 3,
    Outcome.LICENCE_REQUIRED: 2,
    Outcome.REVIEW: 1,
    Outcome.ALLOW: 0,
}
RULE_KEYS = {
    "id",
    "code",
    "title",
    "applies_to",
    "effective",
    "end",
    "suspended",
    "for_each",
    "as",
    "when",
    "outcome",
    "message",
    "citation",
    "suppresses",
    "note",
    "grade",
    "verify",
    "cite_by_date",
    "group_by",
    "group_message",
    "group_record",
}
# Source grades (REGULATIONS.md): P primary text, S secondary (law firms, press, summaries), D derived here.
GRADES = ("P", "S", "D")


@dataclass(frozen=True, slots=True)
class Window:
    start: date
    end: date | None  # exclusive; None = open-ended
    citation: str = ""

    def contains(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on < self.end)


@dataclass(slots=True)
class Rule:
    id: str
    code: str
    outcome: Outcome
    message: str
    citation: str
    when: Any = True
    title: str = ""
    applies_to: tuple[str, ...] = TRANSACTION_KINDS
    effective: date | None = None
    end: date | None = None  # exclusive
    suspended: tuple[Window, ...] = ()
    for_each: str = ""  # a fact path holding a list; the rule runs once per element
    as_name: str = "it"  # the name each element is bound to (``item``, ``hit``, ``flag``)
    suppresses: tuple[str, ...] = ()
    file: str = ""
    grade: str = ""  # P / S / D (REGULATIONS.md); "" = not graded
    note: str = ""
    # What a reviewer must check when the rule rests on something unconfirmed (⚠): a decision the rule
    # moves lists it under ``uncertain``.
    verify: str = ""
    # Citation text by date (the paragraph a requirement sits in moved): windows of (from, to, citation).
    cite_by_date: tuple[Window, ...] = ()
    # Fact paths (in the element's scope) whose equal values make one reason: a listed customer that
    # matches 100 entries of one list is one reason naming the first entry and counting the others.
    group_by: tuple[str, ...] = ()
    # How a group of more than one element is told (optional, both or neither): ``group_message`` is the
    # whole reason, rendered in the first element's scope plus ``group.count`` and ``group.records``
    # (each element's ``group_record``, joined by "; "), so a folded reason names every element it stands
    # for — one reason per listed entity naming each of its list records, not "and N more". Without them
    # a group is the first element's reason counting the others (rule sets written before them keep
    # that: an archived rule set replays as made).
    group_message: str = ""
    group_record: str = ""

    def citation_on(self, on: date) -> str:
        """The citation template in force on ``on`` (a ``cite_by_date`` window, else ``citation``)."""
        found = next((w for w in self.cite_by_date if w.contains(on)), None)
        return found.citation if found else self.citation

    def uncertainty(self) -> str:
        """Why this rule is not settled (its ⚠ note or its ``verify``), or "" when it is."""
        if "⚠" in self.note:
            return self.note.replace("⚠", "").strip()
        if self.verify:
            return f"rule graded {self.grade or 'unconfirmed'}: {self.title or self.id}"
        return ""

    def in_force(self, on: date) -> bool:
        """Effective on ``on``: after its effective date, before its end, and not suspended."""
        if self.effective and on < self.effective:
            return False
        if self.end and on >= self.end:
            return False
        return not any(w.contains(on) for w in self.suspended)

    def suspension(self, on: date) -> Window | None:
        return next((w for w in self.suspended if w.contains(on)), None)


@dataclass(slots=True)
class RuleSet:
    id: str
    version: str
    title: str = ""
    rules: list[Rule] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # file name → its own version
    sha256: str = ""
    data: dict[str, Any] = field(default_factory=dict)  # extra tables files declare (e.g. list codes)
    # The exact text of every file the set was read from (manifest as "ruleset.yml"): archived with the
    # decisions made under it, so an auditor can replay a decision with the rules then in force.
    sources: dict[str, str] = field(default_factory=dict)

    def version_info(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "files": dict(self.files), "sha256": self.sha256}

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def parse_rule(raw: Any, file: str, where: str) -> Rule:
    """One rule from its YAML mapping; every problem names the file and the rule's position."""
    if not isinstance(raw, dict):
        raise InputError("a rule must be a mapping", file=file, field=where)
    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise InputError(
            f"unknown key(s) {sorted(unknown)}; allowed: {sorted(RULE_KEYS)}", file=file, field=where
        )
    for key in ("id", "outcome", "message", "citation"):
        if not raw.get(key):
            raise InputError(f"rule needs '{key}'", file=file, field=f"{where}.{key}")
    rid = str(raw["id"])
    where = f"{where}({rid})"
    try:
        outcome = Outcome(str(raw["outcome"]).upper())
    except ValueError as exc:
        raise InputError(
            f"outcome must be one of {[o.value for o in Outcome]}", file=file, field=f"{where}.outcome"
        ) from exc
    applies = raw.get("applies_to", list(TRANSACTION_KINDS))
    applies = [applies] if isinstance(applies, str) else list(applies)
    for kind in applies:
        if kind not in TRANSACTION_KINDS:
            raise InputError(
                f"applies_to '{kind}' is not one of {TRANSACTION_KINDS}",
                file=file,
                field=f"{where}.applies_to",
            )
    windows = []
    for i, w in enumerate(raw.get("suspended") or []):
        start = optional_iso_date(w.get("from"), file=file, field=f"{where}.suspended[{i}].from")
        if start is None:
            raise InputError("a suspension needs 'from'", file=file, field=f"{where}.suspended[{i}]")
        windows.append(
            Window(
                start,
                optional_iso_date(w.get("to"), file=file, field=f"{where}.suspended[{i}].to"),
                str(w.get("citation", "")),
            )
        )
    grade = str(raw.get("grade", "")).strip()
    if grade and grade not in GRADES:
        raise InputError(f"grade must be one of {GRADES}", file=file, field=f"{where}.grade")
    dated = []
    for i, w in enumerate(raw.get("cite_by_date") or []):
        start = optional_iso_date(w.get("from"), file=file, field=f"{where}.cite_by_date[{i}].from")
        if start is None or not w.get("citation"):
            raise InputError(
                "a dated citation needs 'from' and 'citation'", file=file, field=f"{where}.cite_by_date[{i}]"
            )
        dated.append(
            Window(
                start,
                optional_iso_date(w.get("to"), file=file, field=f"{where}.cite_by_date[{i}].to"),
                str(w["citation"]).strip(),
            )
        )
    when = raw.get("when", True)
    validate(when, f"{where}.when", file)
    suppresses = raw.get("suppresses") or []
    group_by = raw.get("group_by") or []
    if group_by and not raw.get("for_each"):
        raise InputError("group_by needs for_each", file=file, field=f"{where}.group_by")
    group_message, group_record = (str(raw.get(k) or "").strip() for k in ("group_message", "group_record"))
    for key, value, other in (
        ("group_message", group_message, group_record),
        ("group_record", group_record, group_message),
    ):
        if value and not group_by:
            raise InputError(f"{key} needs group_by", file=file, field=f"{where}.{key}")
        if value and not other:
            raise InputError(
                "group_message and group_record go together (the message names each record)",
                file=file,
                field=f"{where}.{key}",
            )
    return Rule(
        id=rid,
        code=str(raw.get("code") or rid),
        outcome=outcome,
        message=str(raw["message"]).strip(),
        citation=str(raw["citation"]).strip(),
        when=when,
        title=str(raw.get("title", "")),
        applies_to=tuple(applies),
        effective=optional_iso_date(raw.get("effective"), file=file, field=f"{where}.effective"),
        end=optional_iso_date(raw.get("end"), file=file, field=f"{where}.end"),
        suspended=tuple(windows),
        for_each=str(raw.get("for_each", "")),
        as_name=str(raw.get("as", "it")),
        suppresses=tuple(str(s) for s in ([suppresses] if isinstance(suppresses, str) else suppresses)),
        file=Path(file).name,
        grade=grade,
        note=str(raw.get("note", "")).strip(),
        verify=str(raw.get("verify", "")).strip(),
        cite_by_date=tuple(dated),
        group_by=tuple(str(g) for g in ([group_by] if isinstance(group_by, str) else group_by)),
        group_message=group_message,
        group_record=group_record,
    )


def bundled_rules_dir() -> Path:
    return data_dir() / "rules"


def override_dir() -> Path | None:
    """``rules/`` in the reference-data override root (``CHIPGUARD_DATA_OVERRIDES``, default
    ``$CHIPGUARD_HOME/data``): files there replace bundled files of the same name (e.g. the compliance
    team's own ``provider_policy.yml``) without forking the package. None when there is no such folder."""
    folder = overrides_dir() / "rules"
    return folder if folder.is_dir() else None


MANIFEST = "ruleset.yml"


def load_rule_set(directory: Path | None = None, overrides: Path | None = None) -> RuleSet:
    """Reads ``ruleset.yml`` in ``directory`` (default: the bundled rules) and the files it names.

    Files named in the manifest's ``files`` must exist; ``include`` globs (``red_flags*.yml``) add
    whatever matches. A file in ``overrides`` (default: ``override_dir()``) replaces the file of
    the same name. Rule ids must be unique across the set.
    """
    directory = directory or bundled_rules_dir()
    overrides = overrides if overrides is not None else override_dir()
    manifest_path = directory / "ruleset.yml"
    if overrides and (overrides / "ruleset.yml").exists():
        manifest_path = overrides / "ruleset.yml"
    manifest = read_yaml(manifest_path)
    if not isinstance(manifest, dict) or not manifest.get("id") or not manifest.get("version"):
        raise InputError("manifest needs 'id' and 'version'", file=str(manifest_path))
    names: list[str] = [str(n) for n in manifest.get("files") or []]
    for pattern in manifest.get("include") or []:
        found = {p.name for p in directory.glob(str(pattern))}
        if overrides:
            found |= {p.name for p in overrides.glob(str(pattern))}
        names.extend(sorted(n for n in found if n not in names))
    digest = hashlib.sha256()
    digest.update(manifest_path.read_bytes())
    rs = RuleSet(
        id=str(manifest["id"]), version=str(manifest["version"]), title=str(manifest.get("title", ""))
    )
    rs.sources[MANIFEST] = manifest_path.read_text(encoding="utf-8")
    rs.settings.update(manifest.get("settings") or {})
    seen: dict[str, str] = {}
    for name in names:
        path = overrides / name if overrides and (overrides / name).exists() else directory / name
        if not path.exists():
            raise InputError("rule file named in the manifest is missing", file=str(path))
        raw = read_yaml(path)
        if not isinstance(raw, dict):
            raise InputError("a rule file must be a mapping with 'version' and 'rules'", file=str(path))
        digest.update(name.encode() + b"\0" + path.read_bytes())
        rs.sources[name] = path.read_text(encoding="utf-8")
        rs.files[name] = str(raw.get("version", ""))
        rs.settings.update(raw.get("settings") or {})
        for key, value in (raw.get("data") or {}).items():
            rs.data[key] = value
        for i, item in enumerate(raw.get("rules") or []):
            rule = parse_rule(item, str(path), f"rules[{i}]")
            if rule.id in seen:
                raise InputError(
                    f"rule id '{rule.id}' also defined in {seen[rule.id]}",
                    file=str(path),
                    field=f"rules[{i}].id",
                )
            seen[rule.id] = name
            rs.rules.append(rule)
    for rule in rs.rules:
        for target in rule.suppresses:
            if target not in seen:
                raise InputError(
                    f"rule '{rule.id}' suppresses unknown rule '{target}'", file=rule.file, field="suppresses"
                )
    rs.sha256 = digest.hexdigest()
    return rs


def load_rule_set_archive(sources: dict[str, str], expected_sha256: str = "") -> RuleSet:
    """Rebuilds a rule set from the file texts archived with a decision (``RuleSet.sources``).

    Overrides are switched off: the archive already holds the files as they were in force. When
    ``expected_sha256`` is given, the rebuilt set must hash to it, or the archive is not the one recorded.
    """
    if MANIFEST not in sources:
        raise InputError(f"archived rule set has no {MANIFEST}", field="sources")
    with tempfile.TemporaryDirectory(prefix="chipguard-rules-") as tmp:
        root = Path(tmp)
        for name, text in sources.items():
            if Path(name).name != name:
                raise InputError(
                    f"archived rule file name {name!r} is not a plain file name", field="sources"
                )
            (root / name).write_text(text, encoding="utf-8")
        no_overrides = root / ".no-overrides"
        no_overrides.mkdir()
        rs = load_rule_set(root, no_overrides)
    if expected_sha256 and rs.sha256 != expected_sha256:
        raise InputError(
            f"archived rule set hashes to {rs.sha256[:12]}, expected {expected_sha256[:12]}", field="sha256"
        )
    if _uses_legacy_roles(rs.rules):
        rs.rules = [dataclasses.replace(rule, when=_current_roles(rule.when)) for rule in rs.rules]
    return rs


# Rule sets archived before 2026.12.05 named the screened roles "customer" (the customer's own name and
# its other names alike) and "parent"; the facts now use the SubjectRole vocabulary (customer,
# other_name, owner, ultimate_parent). An archived rule set in the old words is read in today's, so that
# replaying an old decision asks what it asked then.
_LEGACY_ROLES = {"parent": ["ultimate_parent"], "customer": ["customer", "other_name"]}
_NEW_ROLES = {"other_name", "ultimate_parent"}


def _role_conditions(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [c for n in node for c in _role_conditions(n)]
    if not isinstance(node, dict):
        return []
    if str(node.get("fact", "")).endswith(".role"):
        return [node]
    return [c for v in node.values() for c in _role_conditions(v)]


def _role_values(condition: dict[str, Any]) -> list[str]:
    if "eq" in condition:
        return [str(condition["eq"])]
    values = condition.get("in")
    return [str(v) for v in values] if isinstance(values, list) else []


def _uses_legacy_roles(rules: list[Rule]) -> bool:
    values = {v for rule in rules for c in _role_conditions(rule.when) for v in _role_values(c)}
    return "parent" in values and not values & _NEW_ROLES


def _current_roles(node: Any) -> Any:
    if isinstance(node, list):
        return [_current_roles(n) for n in node]
    if not isinstance(node, dict):
        return node
    if str(node.get("fact", "")).endswith(".role") and ("eq" in node or "in" in node):
        values = [v for old in _role_values(node) for v in _LEGACY_ROLES.get(old, [old])]
        return {**{k: v for k, v in node.items() if k not in ("eq", "in")}, "in": values}
    return {k: _current_roles(v) for k, v in node.items()}


_CACHE: dict[tuple[str, str], RuleSet] = {}


def default_rule_set() -> RuleSet:
    """The bundled rule set (plus overrides), cached per directory pair."""
    ov = override_dir()
    key = (str(bundled_rules_dir()), str(ov or ""))
    if key not in _CACHE:
        _CACHE[key] = load_rule_set(bundled_rules_dir(), ov)
    return _CACHE[key]
