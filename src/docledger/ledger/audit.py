"""The audit log: every access and change, hash-chained and sealed by signed checkpoints.

Each entry holds the sha256 of its own fields and of the previous entry's hash, so editing,
deleting or reordering entries breaks the chain at the first altered entry. The chain's head is
sealed every ``audit_checkpoint_every`` entries (and on ``docledger audit seal``) by an Ed25519
signature made with a key kept outside the database: someone who can write the database but not
read the key cannot forge a checkpoint, so truncating the log below the last checkpoint (and
rewriting the head) is detected too. Checkpoints can be exported and kept elsewhere; ``verify``
checks the chain against such an export, which also catches an attacker who deletes checkpoints.

What it cannot do: entries appended after the last checkpoint can be truncated by a database
administrator without trace unless checkpoints are exported often (docs/governance.md).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from docledger.ids import iso, now
from docledger.store.base import Store, Tx

GENESIS = "0" * 64
PAGE = 5000


# ---- keys -----------------------------------------------------------------------------------------
class AuditSigner:
    """The Ed25519 key that seals checkpoints; created (0600, in a 0700 folder) on first use."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._key: Ed25519PrivateKey | None = None

    @property
    def key(self) -> Ed25519PrivateKey:
        if self._key is None:
            if not self.path.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(self.path.parent, 0o700)
                pem = Ed25519PrivateKey.generate().private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(pem)
            loaded = serialization.load_pem_private_key(self.path.read_bytes(), password=None)
            if not isinstance(loaded, Ed25519PrivateKey):
                raise ValueError(f"{self.path} is not an Ed25519 private key")
            self._key = loaded
        return self._key

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.key.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def public_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def sign(self, seq: int, head: str) -> str:
        return self.key.sign(checkpoint_message(seq, head)).hex()


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def checkpoint_message(seq: int, head: str) -> bytes:
    return f"docledger-audit-checkpoint:{seq}:{head}".encode()


# ---- writing ----------------------------------------------------------------------------------------
def entry_hash(entry: dict[str, Any], prev_hash: str) -> str:
    """The hash of one entry: its fields in a fixed order, then the previous entry's hash."""
    fields = [
        int(entry["seq"]),
        repr(float(entry["at"])),
        entry["principal"],
        entry.get("tenant"),
        entry["action"],
        entry.get("target"),
        entry.get("client"),
        entry["detail"],
        prev_hash,
    ]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def append(
    tx: Tx,
    *,
    principal: str,
    action: str,
    tenant: str | None = None,
    target: str | None = None,
    client: str | None = None,
    detail: dict[str, Any] | None = None,
    signer: AuditSigner | None = None,
    checkpoint_every: int = 0,
) -> int:
    """Append one entry in ``tx`` (so a change and its audit entry commit together); returns its seq.

    The head row is read under a row lock (PostgreSQL) or inside SQLite's single writer, so entries
    are numbered without gaps and chained in commit order."""
    head = tx.fetchone("audit_head")
    if head is None:
        from docledger.exceptions import StoreError

        raise StoreError("the audit log's head row is missing: the audit table was tampered with or not migrated")
    seq = int(head["seq"]) + 1
    entry = {
        "seq": seq,
        "at": now(),
        "principal": principal,
        "tenant": tenant,
        "action": action,
        "target": target,
        "client": client,
        "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str),
    }
    digest = entry_hash(entry, head["hash"])
    tx.execute("audit_insert", **entry, prev_hash=head["hash"], hash=digest)
    tx.execute("audit_set_head", seq=seq, hash=digest)
    if signer is not None and checkpoint_every and seq % checkpoint_every == 0:
        seal_head(tx, signer, seq=seq, head=digest)
    return seq


def seal_head(tx: Tx, signer: AuditSigner, *, seq: int | None = None, head: str | None = None) -> dict[str, Any] | None:
    """Sign the chain's current head; None when the log is empty or the head is already sealed."""
    if seq is None or head is None:
        row = tx.fetchone("audit_head")
        assert row is not None
        seq, head = int(row["seq"]), str(row["hash"])
    if seq == 0:
        return None
    if any(int(c["seq"]) == seq for c in tx.fetchall("audit_checkpoints")):
        return None
    checkpoint = {"seq": seq, "hash": head, "at": now(), "key_id": signer.key_id, "signature": signer.sign(seq, head)}
    tx.execute("audit_insert_checkpoint", **checkpoint)
    return checkpoint


# ---- reading ----------------------------------------------------------------------------------------
def entries(store: Store, *, after: int = 0) -> Iterator[dict[str, Any]]:
    while True:
        with store.read() as tx:
            rows = tx.fetchall("audit_entries", after=after, limit=PAGE)
        yield from rows
        if len(rows) < PAGE:
            return
        after = int(rows[-1]["seq"])


def as_json(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["time"] = iso(float(row["at"]))
    out["detail"] = json.loads(row["detail"]) if row.get("detail") else {}
    return out


def listing(
    store: Store,
    *,
    target: str | None = None,
    tenants: list[str] | None = None,
    limit: int = 100,
    before: int | None = None,
) -> list[dict[str, Any]]:
    """Newest first; ``tenants`` None = every tenant (admins), else only those tenants' entries."""
    with store.read() as tx:
        if tenants is None:
            rows = tx.fetchall("audit_list", target=target, tenant=None, before=before, limit=limit)
        else:
            rows = [
                r
                for t in tenants
                for r in tx.fetchall("audit_list", target=target, tenant=t, before=before, limit=limit)
            ]
            rows.sort(key=lambda r: -int(r["seq"]))
            rows = rows[:limit]
    return [as_json(r) for r in rows]


def export_checkpoints(store: Store, signer: AuditSigner) -> dict[str, Any]:
    """What to keep outside the database: the public key and every checkpoint."""
    with store.read() as tx:
        cps = tx.fetchall("audit_checkpoints")
    return {
        "format": "docledger-audit-checkpoints/1",
        "key_id": signer.key_id,
        "public_key": signer.public_pem(),
        "checkpoints": [{k: c[k] for k in ("seq", "hash", "at", "key_id", "signature")} for c in cps],
    }


# ---- verifying --------------------------------------------------------------------------------------
@dataclass
class Verification:
    ok: bool = True
    entries: int = 0
    checkpoints: int = 0
    head_seq: int = 0
    first_bad_seq: int | None = None
    problem: str | None = None
    details: list[str] = field(default_factory=list)

    def fail(self, seq: int | None, problem: str) -> None:
        if self.ok:
            self.ok, self.first_bad_seq, self.problem = False, seq, problem
        self.details.append(problem)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "checkpoints": self.checkpoints,
            "head_seq": self.head_seq,
            "first_bad_seq": self.first_bad_seq,
            "problem": self.problem,
            "details": self.details[:20],
        }


def load_public_key(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def verify(
    store: Store, *, public_keys: list[Ed25519PublicKey], exported: dict[str, Any] | None = None
) -> Verification:
    """Walk the whole chain; report the first entry that was altered, removed or moved."""
    result = Verification()
    hashes: dict[int, str] = {}
    expected, prev = 1, GENESIS
    for row in entries(store):
        seq = int(row["seq"])
        result.entries += 1
        if seq != expected:
            result.fail(expected, f"entry {expected} is missing (next entry is {seq}): entries were deleted")
            expected = seq
        if row["prev_hash"] != prev:
            result.fail(
                seq,
                f"entry {seq} does not follow entry {seq - 1} (its previous hash differs): "
                "entries were reordered, removed or altered",
            )
        if entry_hash(row, row["prev_hash"]) != row["hash"]:
            result.fail(seq, f"entry {seq} was altered (its content no longer matches its hash)")
        hashes[seq] = row["hash"]
        prev, expected = row["hash"], seq + 1
    last = expected - 1
    result.head_seq = last
    with store.read() as tx:
        head = tx.fetchone("audit_head")
        cps = tx.fetchall("audit_checkpoints")
    if head is not None and (int(head["seq"]) != last or (last and head["hash"] != prev)):
        result.fail(
            last + 1 if int(head["seq"]) > last else int(head["seq"]),
            f"the chain ends at entry {last} but its head says {head['seq']}: the log was truncated",
        )
    keys = {key_id(k): k for k in public_keys}
    if exported:
        keys.setdefault(exported["key_id"], load_public_key(exported["public_key"]))
    all_cps = {int(c["seq"]): c for c in cps}
    for c in (exported or {}).get("checkpoints", []):
        if int(c["seq"]) not in all_cps:
            result.fail(int(c["seq"]), f"checkpoint {c['seq']} of the exported set is missing from the database")
        all_cps.setdefault(int(c["seq"]), c)
    for seq, c in sorted(all_cps.items()):
        result.checkpoints += 1
        key = keys.get(c["key_id"])
        if key is None:
            result.fail(seq, f"checkpoint {seq} was signed by an unknown key {c['key_id']}")
            continue
        try:
            key.verify(bytes.fromhex(c["signature"]), checkpoint_message(seq, c["hash"]))
        except (InvalidSignature, ValueError):
            result.fail(seq, f"checkpoint {seq} has an invalid signature: it was forged or altered")
            continue
        if seq > last:
            result.fail(
                last + 1, f"checkpoint {seq} seals entries beyond the end of the log ({last}): the log was truncated"
            )
        elif hashes.get(seq) != c["hash"]:
            result.fail(seq, f"entry {seq} differs from the signed checkpoint: the log was rewritten")
    return result


# ---- recording from the edges (API, UI, CLI) ---------------------------------------------------------
_SIGNERS: dict[Path, AuditSigner] = {}


def signer_for(settings: Any) -> AuditSigner:
    path = Path(settings.resolved_audit_key_file).resolve()
    if path not in _SIGNERS:
        _SIGNERS[path] = AuditSigner(path)
    return _SIGNERS[path]


def record(
    ledger: Any,
    *,
    principal: str,
    action: str,
    tenant: str | None = None,
    target: str | None = None,
    client: str | None = None,
    detail: dict[str, Any] | None = None,
    durable: bool = True,
) -> int:
    """Append one entry in its own transaction (reads have no transaction of their own to join).

    ``durable=False`` (entries of reads) commits without waiting for the WAL flush on PostgreSQL, as
    SQLite's synchronous=NORMAL always does: the entry is written and chained before the answer leaves,
    but a crash of the database server itself may lose the last fraction of a second of read entries."""
    with ledger.store.transaction() as tx:
        if not durable:
            tx.relax_durability()
        return append(
            tx,
            principal=principal,
            action=action,
            tenant=tenant,
            target=target,
            client=client,
            detail=detail,
            signer=signer_for(ledger.settings),
            checkpoint_every=ledger.settings.audit_checkpoint_every,
        )


def seal(ledger: Any) -> dict[str, Any] | None:
    with ledger.store.transaction() as tx:
        return seal_head(tx, signer_for(ledger.settings))


def verify_ledger(ledger: Any, *, exported: dict[str, Any] | None = None) -> Verification:
    signer = signer_for(ledger.settings)
    keys = [signer.public_key] if signer.path.exists() else []
    return verify(ledger.store, public_keys=keys, exported=exported)
