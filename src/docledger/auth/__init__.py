"""Access control: API tokens (roles, tenant scopes) and signed web sessions."""

from docledger.auth.tokens import (
    ALL_TENANTS,
    LOCAL_ADMIN,
    ROLES,
    Principal,
    Unauthenticated,
    authenticate,
    create_token,
    list_tokens,
    revoke_token,
)

__all__ = [
    "ALL_TENANTS",
    "LOCAL_ADMIN",
    "ROLES",
    "Principal",
    "Unauthenticated",
    "authenticate",
    "create_token",
    "list_tokens",
    "revoke_token",
]
