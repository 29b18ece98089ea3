"""Roles and what each may do: the one place that maps a role to its permissions.

Why permissions and not a rank: the first three roles happen to nest (``screen`` ⊂ ``analyst`` ⊂
``admin``), but the ``auditor`` does not fit on that line — an auditor must read every decision, replay it
and verify and export the audit trail (which only an admin could do) while changing nothing (which even a
``screen`` key does when it screens). So every REST route and UI page asks for one :class:`Permission`,
and :data:`ROLE_PERMISSIONS` below says which roles hold it. A new route names a permission; a new role is
one more line here.

Why the auditor may not screen: ``POST /v1/screen`` writes nothing to the database, but screening a name is
a compliance *action* — the answer is acted on outside chipguard, and it leaves no record an auditor could
be held to. An auditor checks what was decided, not new counterparties; replaying a stored decision
re-screens its recorded parties against the recorded snapshots, which is what an audit needs. Screening a
stored customer is audited (``customer.screen``) and so is a write in any case.

Why a replay is a read: it re-runs the decision on archived snapshots, rule files and reference data and
returns the comparison; it stores nothing and appends no audit entry (tests/test_api_auditor.py checks
that every table is unchanged afterwards).
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    """One thing a key may do. The value is what error messages and docs show."""

    SCREEN = "screen"  # POST /v1/screen, /v1/screen/batch; UI screen page (no record written)
    LISTS_READ = "lists:read"  # GET /v1/lists, /algorithms (the scorer's yente docs); dashboard list status
    LISTS_WRITE = "lists:write"  # POST /v1/lists/update (audited)
    DECISIONS_READ = "decisions:read"  # GET /v1/decisions, /v1/decisions/{id}; dashboard counts
    DECISIONS_CREATE = "decisions:create"  # POST /v1/decisions (stored, audited)
    DECISIONS_REPLAY = "decisions:replay"  # POST /v1/decisions/{id}/replay (writes nothing)
    CUSTOMERS_READ = "customers:read"  # GET /v1/customers…, history
    CUSTOMERS_WRITE = "customers:write"  # POST/PUT/PATCH /v1/customers… (versioned, audited)
    CUSTOMERS_SCREEN = "customers:screen"  # POST /v1/customers/{id}/screen (audited)
    AUDIT_READ = "audit:read"  # UI audit page (latest entries)
    AUDIT_VERIFY = "audit:verify"  # GET /v1/audit/verify
    AUDIT_EXPORT = "audit:export"  # GET /v1/audit/export
    KEYS_MANAGE = "keys:manage"  # POST /v1/keys; UI keys page (create, revoke)
    ALERTS_READ = "alerts:read"  # GET /v1/alerts…, cases, exports, remembered dispositions, the log
    ALERTS_WORK = "alerts:work"  # assign, notes, evidence files, dispositions, revoking a remembered one
    ALERTS_APPROVE = "alerts:approve"  # approve / reject another analyst's disposition (casework.yml roles)
    JOBS_READ = "jobs:read"  # GET /v1/jobs…: a background job's progress and results (customer imports
    # also need customers:read); starting one needs screen (names) or customers:write (an import)


P = Permission
_SCREEN = frozenset({P.SCREEN, P.LISTS_READ, P.JOBS_READ})
_ANALYST = _SCREEN | {
    P.DECISIONS_READ,
    P.DECISIONS_CREATE,
    P.DECISIONS_REPLAY,
    P.CUSTOMERS_READ,
    P.CUSTOMERS_WRITE,
    P.CUSTOMERS_SCREEN,
    P.ALERTS_READ,
    P.ALERTS_WORK,
    P.ALERTS_APPROVE,
}
_ADMIN = _ANALYST | {P.LISTS_WRITE, P.AUDIT_READ, P.AUDIT_VERIFY, P.AUDIT_EXPORT, P.KEYS_MANAGE}
_AUDITOR = frozenset(
    {
        P.LISTS_READ,
        P.DECISIONS_READ,
        P.DECISIONS_REPLAY,
        P.CUSTOMERS_READ,
        P.AUDIT_READ,
        P.AUDIT_VERIFY,
        P.AUDIT_EXPORT,
        P.ALERTS_READ,
        P.JOBS_READ,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "screen": _SCREEN,
    "analyst": frozenset(_ANALYST),
    "admin": frozenset(_ADMIN),
    "auditor": _AUDITOR,
}
ROLES = tuple(ROLE_PERMISSIONS)

# The permissions that only read: what a read-only role may hold. Everything else creates or changes a
# record (or, for SCREEN, acts on a counterparty without leaving one).
# (tests/test_api_auditor.py checks that the auditor holds nothing else.)
READ_ONLY = frozenset(
    {
        P.LISTS_READ,
        P.DECISIONS_READ,
        P.DECISIONS_REPLAY,
        P.CUSTOMERS_READ,
        P.AUDIT_READ,
        P.AUDIT_VERIFY,
        P.AUDIT_EXPORT,
        P.ALERTS_READ,
        P.JOBS_READ,
    }
)


def permissions_of(role: str) -> frozenset[Permission]:
    """The role's permissions; an unknown role (a row written by a newer version) has none."""
    return ROLE_PERMISSIONS.get(role, frozenset())


def roles_with(permission: Permission) -> list[str]:
    """The roles that hold ``permission``, in :data:`ROLES` order (screen, analyst, admin, auditor)."""
    return [role for role, perms in ROLE_PERMISSIONS.items() if permission in perms]


def needs(permission: Permission, role: str) -> str:
    """Why a key with ``role`` is refused: the first role that may, the permission and every role that
    holds it, e.g. "needs the 'analyst' role (permission 'customers:write': analyst, admin); the key has
    'screen'"."""
    holders = roles_with(permission)
    first = holders[0] if holders else "?"
    return (
        f"needs the '{first}' role (permission '{permission.value}': {', '.join(holders)}); "
        f"the key has '{role}'"
    )
