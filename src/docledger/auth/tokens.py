"""API tokens: who is calling, which tenants they may see, and what they may do.

A token is a random secret shown once at creation; the ledger keeps only its sha256, so a
leaked database does not leak working credentials. Roles are ordered: each one may do
everything the roles before it may do.

- ``reader``   reads documents, artifacts, lineage, operations, search and matching;
- ``operator`` also uploads documents and replays dead letters;
- ``reviewer`` also requests redactions and edits ownership;
- ``admin``    everything, and the only role that may hold the all-tenants wildcard ``*``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from docledger.exceptions import DocledgerError, InvalidRequest, PermissionDenied
from docledger.ids import iso, new_id, now
from docledger.services.access import AccessScope

if TYPE_CHECKING:
    from docledger.ledger import Ledger

ROLES = ("reader", "operator", "reviewer", "admin")
ALL_TENANTS = "*"
TOKEN_PREFIX = "dl_"
_TOUCH_EVERY_SECONDS = 60.0


class Unauthenticated(DocledgerError):
    """No token, an unknown token or a revoked token (HTTP 401)."""

    code = "unauthenticated"
    exit_code = 4
    http_status = 401


@dataclass(frozen=True)
class Principal:
    """The caller behind a token: a name, the tenants it may see and its role."""

    principal: str
    tenants: tuple[str, ...]
    role: str
    token_id: str | None = None

    @property
    def all_tenants(self) -> bool:
        return ALL_TENANTS in self.tenants

    @property
    def scope(self) -> AccessScope | None:
        """The ``tenants=`` argument for Ledger reads (None = every tenant, for all-tenant admins).

        It carries the principal and role, so the ledger applies the classification policy
        (:mod:`docledger.services.access`) on every read made with it.
        """
        if self.all_tenants:
            return None
        return AccessScope(self.tenants, principal=self.principal, role=self.role)

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    def require(self, role: str, action: str) -> None:
        """Raise PermissionDenied unless this principal holds ``role`` (or a higher one)."""
        if not self.may(role):
            raise PermissionDenied(
                f"{self.principal} (role {self.role}) may not {action}",
                hint=f"Ask an administrator for a token with role {role} or higher.",
            )

    def can_see_tenant(self, tenant: str) -> bool:
        return self.all_tenants or tenant in self.tenants

    def to_json(self) -> dict[str, Any]:
        return {
            "principal": self.principal,
            "tenants": list(self.tenants),
            "role": self.role,
            "token_id": self.token_id,
        }


LOCAL_ADMIN = Principal("local", (ALL_TENANTS,), "admin", None)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _validate(principal: str, tenants: list[str], role: str) -> list[str]:
    if role not in ROLES:
        raise InvalidRequest(f"unknown role {role!r}", hint=f"Use one of: {', '.join(ROLES)}.")
    if not principal or not principal.strip():
        raise InvalidRequest("a token needs a principal name", hint="Pass the user or service name it is for.")
    clean = sorted({t.strip() for t in tenants if t and t.strip()})
    if not clean:
        raise InvalidRequest("a token needs at least one tenant", hint="Pass --tenant NAME (or * for admins).")
    if ALL_TENANTS in clean and role != "admin":
        raise InvalidRequest(
            "only admin tokens may cover all tenants ('*')",
            hint="List the tenants explicitly, or create an admin token.",
        )
    return clean


def create_token(ledger: Ledger, principal: str, tenants: list[str], role: str) -> str:
    """Create a token and return it. It is shown only now: the ledger stores its sha256 only."""
    clean = _validate(principal, tenants, role)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with ledger.store.transaction() as tx:
        tx.execute(
            "auth_insert_token",
            id=new_id("tok_"),
            token_hash=hash_token(token),
            principal=principal.strip(),
            tenants=json.dumps(clean),
            role=role,
            created_at=now(),
        )
    return token


def token_id(ledger: Ledger, token: str) -> str:
    """The id of a token (what ``token revoke`` takes), without touching its last-used time."""
    with ledger.store.read() as tx:
        row = tx.fetchone("auth_token_by_hash", token_hash=hash_token(token.strip()))
    if row is None:
        raise Unauthenticated("the API token is not valid", hint="`docledger token list` shows active tokens.")
    return str(row["id"])


def list_tokens(ledger: Ledger, *, include_revoked: bool = False) -> list[dict[str, Any]]:
    """Token metadata (never the secret): id, principal, tenants, role, created/revoked/last used."""
    with ledger.store.read() as tx:
        rows = tx.fetchall("auth_list_tokens", include_revoked=1 if include_revoked else 0)
    return [
        {
            "token_id": r["id"],
            "principal": r["principal"],
            "tenants": json.loads(r["tenants"]),
            "role": r["role"],
            "created_at": iso(r["created_at"]),
            "revoked_at": iso(r["revoked_at"]),
            "last_used_at": iso(r["last_used_at"]),
        }
        for r in rows
    ]


def revoke_token(ledger: Ledger, token_id: str) -> bool:
    """Revoke a token by its id; returns False when it is unknown or already revoked."""
    with ledger.store.transaction() as tx:
        return tx.execute("auth_revoke_token", id=token_id, now=now()) > 0


def authenticate(ledger: Ledger, token: str | None) -> Principal:
    """The principal a token stands for; raises Unauthenticated for a missing, unknown or revoked one."""
    if not token:
        raise Unauthenticated(
            "no API token was presented",
            hint="Send `Authorization: Bearer <token>`; `docledger token create` makes one.",
        )
    return authenticate_hash(ledger, hash_token(token.strip()))


def authenticate_hash(ledger: Ledger, token_hash: str) -> Principal:
    """Like :func:`authenticate` for a stored hash (the web session keeps the hash, not the token)."""
    with ledger.store.read() as tx:
        row = tx.fetchone("auth_token_by_hash", token_hash=token_hash)
    if row is None:
        raise Unauthenticated(
            "the API token is not valid",
            hint="Check that it was copied whole; `docledger token list` shows active tokens.",
        )
    if row["revoked_at"] is not None:
        raise Unauthenticated("the API token was revoked", hint="Ask an administrator for a new token.")
    t = now()
    if row["last_used_at"] is None or t - float(row["last_used_at"]) > _TOUCH_EVERY_SECONDS:
        # Throttled so that reads do not take the single SQLite writer lock on every request.
        with ledger.store.transaction() as tx:
            tx.execute("auth_touch_token", id=row["id"], now=t)
    return Principal(row["principal"], tuple(json.loads(row["tenants"])), row["role"], row["id"])
