"""`docledger hold`, `docledger erase` and `docledger retention`: legal holds, provable erasure, disposal."""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Annotated, Any

import typer

from docledger.cli.common import JsonOpt, console, emit_json, handle_errors, ledger_session


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def register(app: typer.Typer) -> None:
    hold_app = typer.Typer(help="Legal holds: a held document cannot be erased or disposed of.", no_args_is_help=True)
    retention_app = typer.Typer(
        help="Retention policy: what is kept how long; dispose of what expired.", no_args_is_help=True
    )
    app.add_typer(hold_app, name="hold")
    app.add_typer(retention_app, name="retention")

    @hold_app.command("set")
    @handle_errors
    def hold_set(
        document_id: str,
        reason: Annotated[str, typer.Option("--reason", help="Why (case, matter)")],
        as_json: JsonOpt = False,
    ) -> None:
        """Put a document under legal hold."""
        from docledger.ledger import erasure

        with ledger_session() as ledger:
            out = erasure.set_hold(ledger, document_id, reason=reason, actor=_actor())
        emit_json(out) if as_json else console.print(f"{document_id}: under legal hold ({reason})", soft_wrap=True)

    @hold_app.command("release")
    @handle_errors
    def hold_release(
        document_id: str,
        reason: Annotated[str, typer.Option("--reason", help="Why the hold ends")] = "",
        as_json: JsonOpt = False,
    ) -> None:
        """Release a document's legal hold."""
        from docledger.ledger import erasure

        with ledger_session() as ledger:
            out = erasure.release_hold(ledger, document_id, actor=_actor(), reason=reason)
        emit_json(out) if as_json else console.print(f"{document_id}: legal hold released", soft_wrap=True)

    @hold_app.command("show")
    @handle_errors
    def hold_show(document_id: str) -> None:
        """A document's holds, past and present (JSON)."""
        from docledger.ledger import erasure

        with ledger_session() as ledger:
            ledger.get_document(document_id)
            emit_json(erasure.hold_status(ledger, document_id))

    @app.command("erase")
    @handle_errors
    def erase(
        document_id: str,
        reason: Annotated[str, typer.Option("--reason", help="Why (e.g. the erasure request's reference)")],
        as_json: JsonOpt = False,
    ) -> None:
        """Erase a document everywhere (original, artifacts, index, graph, review data); keep a tombstone."""
        from docledger.ledger import erasure

        with ledger_session() as ledger:
            report = erasure.erase(ledger, document_id, reason=reason, actor=_actor()).to_json()
        if as_json:
            emit_json(report)
            return
        console.print(f"{document_id} ERASED ({reason})", soft_wrap=True)
        for table, n in sorted(report["rows_removed"].items()):
            if n:
                console.print(f"  rows removed from {table}: {n}", soft_wrap=True)
        console.print(
            f"  blobs removed: {len(report['blobs_removed'])}; kept (shared with another document): "
            f"{len(report['blobs_kept_shared'])}",
            soft_wrap=True,
        )
        console.print(f"  storage: {', '.join(report['storage_compacted'])}", soft_wrap=True)

    @retention_app.command("run")
    @handle_errors
    def retention_run(
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would be disposed of")] = False,
        as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluate at this ISO time instead of now")] = None,
        tenant: Annotated[str | None, typer.Option(help="Only this tenant")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Dispose of every document whose retention expired (documents under legal hold are kept)."""
        from docledger.ledger import retention

        when = datetime.fromisoformat(as_of).timestamp() if as_of else None
        with ledger_session() as ledger:
            out = retention.run(ledger, actor=_actor(), as_of=when, dry_run=dry_run, tenant=tenant)
        if as_json:
            emit_json(out)
            return
        verb = "would dispose of" if dry_run else "disposed of"
        console.print(
            f"{verb} {len(out['disposed'])} documents; {len(out['held'])} expired but under legal hold; "
            f"{len(out['errors'])} errors",
            soft_wrap=True,
        )
        for item in out["held"]:
            console.print(f"  held: {item['document_id']} (expired {item['retain_until']})", soft_wrap=True)
        for item in out["errors"]:
            console.print(f"  error: {item['document_id']}: {item['error']}", soft_wrap=True)
        if out["errors"]:
            raise SystemExit(1)

    @retention_app.command("show")
    @handle_errors
    def retention_show(tenant: Annotated[str | None, typer.Option(help="Only this tenant")] = None) -> None:
        """Every live document's retention date and the rule behind it (JSON lines)."""
        from docledger.ledger import retention

        with ledger_session() as ledger:
            for item in retention.due(ledger, tenant=tenant):
                emit_json(item)


def register_keys(app: typer.Typer) -> None:
    keys_app = typer.Typer(help="Encryption keys of the blob store (DOCLEDGER_ENCRYPT_BLOBS).", no_args_is_help=True)
    app.add_typer(keys_app, name="keys")

    def cipher() -> Any:
        from docledger.blobs import BlobCipher, LocalKeyProvider
        from docledger.settings import Settings

        key_dir = Settings().resolved_key_dir
        return BlobCipher(key_dir, LocalKeyProvider(key_dir / "kek"))

    @keys_app.command("status")
    @handle_errors
    def keys_status() -> None:
        """Key-encryption keys, the current one, and how many data keys each wraps (JSON)."""
        from collections import Counter

        c = cipher()
        with ledger_session():
            counts = Counter(entry["kek"] for _, entry in c.wrapped_keys())
            current = c.provider.current_id() if c.provider.ids() else None
        emit_json({"current": current, "keys": c.provider.ids(), "data_keys_by_kek": dict(counts)})

    @keys_app.command("rotate")
    @handle_errors
    def keys_rotate(
        rewrap: Annotated[
            bool, typer.Option("--rewrap/--no-rewrap", help="Re-wrap every data key under the new key")
        ] = True,
    ) -> None:
        """Make a new key-encryption key current (and re-wrap the data keys; the blobs are not rewritten)."""
        c = cipher()
        with ledger_session():
            new = c.provider.rotate()
            changed = c.rewrap_all() if rewrap else 0
        emit_json({"current": new, "rewrapped": changed})


def register_rules(app: typer.Typer) -> None:
    rules_app = typer.Typer(
        help="Data-quality and owner-notification rules (DOCLEDGER_RULES_FILE).", no_args_is_help=True
    )
    app.add_typer(rules_app, name="rules")

    @rules_app.command("check")
    @handle_errors
    def rules_check() -> None:
        """Validate the rules file and print its rules (JSON)."""
        from docledger.services.rules import load_rules
        from docledger.settings import Settings

        ruleset = load_rules(Settings().rules_file)
        if ruleset is None:
            emit_json({"rules_file": None, "rules": []})
            return
        emit_json(
            {
                "rules_file": ruleset.source,
                "version": ruleset.version,
                "webhooks": sorted(ruleset.webhooks),
                "rules": [{"name": r.name, "when": r.when, "then": r.then, "scope": r.scope} for r in ruleset.rules],
            }
        )

    @rules_app.command("tick")
    @handle_errors
    def rules_tick(
        as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluate at this ISO time")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Evaluate time-based rules (retention expiring); run daily. Each reminder is sent once."""
        from docledger.services import rules

        when = datetime.fromisoformat(as_of).timestamp() if as_of else None
        with ledger_session() as ledger:
            queued = rules.tick(ledger, as_of=when)
        if as_json:
            emit_json(queued)
        else:
            console.print(f"{len(queued)} notifications queued", soft_wrap=True)
