"""Retention: a declarative, versioned policy says how long each document is kept; `retention run`
disposes of what has expired (an erasure with kind ``disposition`` and the rule as its reason),
skipping documents under legal hold."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from docledger.exceptions import ConfigurationError
from docledger.ids import iso, now
from docledger.ledger.erasure import erase

DAY = 86400.0
MATCH_KEYS = {"classification", "owner", "tenant", "doc_type"}


@dataclass(frozen=True)
class Rule:
    name: str
    match: dict[str, tuple[str, ...]]
    keep_days: float

    def fits(self, doc: dict[str, Any]) -> bool:
        return all(str(doc.get(k)) in values for k, values in self.match.items())


@dataclass(frozen=True)
class Policy:
    version: str
    rules: tuple[Rule, ...]
    source: str

    def rule_for(self, doc: dict[str, Any]) -> Rule | None:
        return next((r for r in self.rules if r.fits(doc)), None)


def load_policy(path: Path | None = None) -> Policy:
    if path is None:
        text = (resources.files("docledger.ledger") / "policies" / "retention.yaml").read_text()
        source = "built-in"
    else:
        text, source = Path(path).read_text(), str(path)
    data = yaml.safe_load(text) or {}
    rules = []
    for i, raw in enumerate(data.get("rules") or []):
        unknown = set(raw.get("match") or {}) - MATCH_KEYS
        if unknown or "keep_days" not in raw:
            raise ConfigurationError(
                f"retention policy {source}: rule {i + 1} is invalid "
                f"({'unknown match keys ' + str(sorted(unknown)) if unknown else 'no keep_days'})",
                hint=f"match keys: {sorted(MATCH_KEYS)}; every rule needs keep_days",
            )
        match = {k: tuple(map(str, v if isinstance(v, list) else [v])) for k, v in (raw.get("match") or {}).items()}
        rules.append(Rule(name=str(raw.get("name") or f"rule-{i + 1}"), match=match, keep_days=float(raw["keep_days"])))
    if not data.get("version"):
        raise ConfigurationError(f"retention policy {source} has no version", hint='add version: "YYYY.MM.N"')
    return Policy(version=str(data["version"]), rules=tuple(rules), source=source)


def due(ledger: Any, *, as_of: float | None = None, tenant: str | None = None) -> list[dict[str, Any]]:
    """Every live document with its retention date and rule, and whether it is due (and held)."""
    policy = load_policy(ledger.settings.retention_policy)
    when = as_of if as_of is not None else now()
    with ledger.store.read() as tx:
        rows = tx.fetchall("retention_candidates", tenant=tenant)
    out = []
    for row in rows:
        meta = json.loads(row.get("meta") or "{}")
        facts = {**row, "doc_type": meta.get("doc_type")}
        rule = policy.rule_for(facts)
        if row["retention_until"] is not None:
            until, why = float(row["retention_until"]), "retention date set on the document"
        elif rule is not None:
            until, why = float(row["arrived_at"]) + rule.keep_days * DAY, f"rule {rule.name}"
        else:
            continue  # no rule fits: kept until a person decides
        out.append(
            {
                "document_id": row["id"],
                "tenant": row["tenant"],
                "retain_until": iso(until),
                "basis": why,
                "policy_version": policy.version,
                "due": until <= when,
                "legal_hold": bool(int(row["legal_hold"] or 0)),
            }
        )
    return out


def run(
    ledger: Any, *, actor: str, as_of: float | None = None, dry_run: bool = False, tenant: str | None = None
) -> dict[str, Any]:
    """Dispose of every expired document not under legal hold; returns what was done and why."""
    disposed, held, errors = [], [], []
    for item in due(ledger, as_of=as_of, tenant=tenant):
        if not item["due"]:
            continue
        if item["legal_hold"]:
            held.append(item)
            continue
        if dry_run:
            disposed.append({**item, "dry_run": True})
            continue
        reason = f"retention expired {item['retain_until']} ({item['basis']}, policy {item['policy_version']})"
        try:
            report = erase(ledger, item["document_id"], reason=reason, actor=actor, kind="disposition")
        except Exception as exc:  # one document's failure must not stop the run; it is reported
            errors.append({**item, "error": str(exc)})
            continue
        disposed.append({**item, "report": report.to_json()})
    return {
        "as_of": iso(as_of if as_of is not None else now()),
        "disposed": disposed,
        "held": held,
        "errors": errors,
        "dry_run": dry_run,
    }


def parse_iso(value: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
