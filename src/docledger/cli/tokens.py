"""API tokens: `token create | list | revoke` (tokens are stored hashed)."""

from __future__ import annotations

from typing import Annotated

import typer

from docledger.cli.common import JsonOpt, console, emit_json, handle_errors, ledger_session


def register(app: typer.Typer) -> None:
    token_app = typer.Typer(help="API tokens (stored hashed).", no_args_is_help=True)
    token_app.command("create")(token_create)
    token_app.command("list")(token_list)
    token_app.command("revoke")(token_revoke)
    app.add_typer(token_app, name="token")


@handle_errors
def token_create(
    principal: Annotated[str, typer.Option()],
    tenant: Annotated[list[str], typer.Option(help="Tenant (repeatable; * = all).")],
    role: Annotated[str, typer.Option(help="reader | operator | reviewer | admin")] = "reader",
    as_json: JsonOpt = False,
) -> None:
    """Create an API token (shown once; stored hashed)."""
    from docledger.auth.tokens import create_token, token_id

    with ledger_session() as ledger:
        token = create_token(ledger, principal, tenant, role)
        tid = token_id(ledger, token)
    if as_json:
        emit_json({"token_id": tid, "principal": principal, "tenants": tenant, "role": role, "token": token})
    else:
        console.print(f"token {tid} for {principal} ({role} on {', '.join(tenant)}):")
        typer.echo(token)  # on a line of its own, never wrapped, so it copies whole


@handle_errors
def token_list(as_json: JsonOpt = False) -> None:
    """Tokens (hashes are never shown)."""
    from docledger.auth.tokens import list_tokens

    with ledger_session() as ledger:
        rows = list_tokens(ledger)
    for r in rows:
        emit_json(r) if as_json else console.print(r)


@handle_errors
def token_revoke(token_id: str) -> None:
    """Revoke a token by id."""
    from docledger.auth.tokens import revoke_token
    from docledger.exceptions import NotFound

    with ledger_session() as ledger:
        if not revoke_token(ledger, token_id):
            raise NotFound(
                f"no active token {token_id}", hint="`docledger token list` shows the active tokens and their ids."
            )
    console.print(f"revoked {token_id}")
