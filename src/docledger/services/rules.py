"""Owner notifications and data-quality rules: a declarative, versioned file (DOCLEDGER_RULES_FILE).

```yaml
version: "2026.11.1"
webhooks:
  loan-ops:                          # a name rules refer to
    url: https://hooks.bank.example/docledger
    secret_env: DOCLEDGER_WEBHOOK_SECRET_LOAN_OPS   # HMAC key, read from the environment
rules:
  - name: pii-in-open-document
    scope: {tenant: bank-a}          # optional: tenant / owner / classification
    when: {pii_found: true, classification: [public, internal]}
    then: {reclassify: restricted, notify: [loan-ops]}
  - name: low-ocr-confidence
    when: {ocr_mean_confidence_below: 0.8}
    then: {review: true, notify: [loan-ops]}
  - name: retention-expiring
    when: {retention_expiring_within_days: 30}
    then: {notify: [loan-ops]}
```
Document rules are evaluated by the ``rules`` stage when NLP completes; retention rules by
``docledger rules tick`` (run it daily). Without a rules file nothing is evaluated.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from docledger.exceptions import ConfigurationError

CONDITIONS = {
    "pii_found",
    "classification",
    "ocr_mean_confidence_below",
    "retention_expiring_within_days",
    "owner",
    "tenant",
}
ACTIONS = {"reclassify", "notify", "review"}


@dataclass(frozen=True)
class Webhook:
    name: str
    url: str
    secret_env: str

    def secret(self) -> bytes:
        value = os.environ.get(self.secret_env, "")
        if not value:
            raise ConfigurationError(
                f"webhook {self.name}: the environment variable {self.secret_env} is not set",
                hint="Set it to the shared HMAC secret the receiver verifies.",
            )
        return value.encode()


@dataclass(frozen=True)
class Rule:
    name: str
    when: dict[str, Any]
    then: dict[str, Any]
    scope: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def document_rule(self) -> bool:
        return "retention_expiring_within_days" not in self.when

    def in_scope(self, doc: dict[str, Any]) -> bool:
        return all(str(doc.get(k)) in v for k, v in self.scope.items())

    def fires(self, facts: dict[str, Any]) -> list[str]:
        """The reasons this rule fires on these facts (empty: it does not)."""
        reasons = []
        for key, want in self.when.items():
            if key == "pii_found":
                if bool(facts.get("pii_count")) != bool(want):
                    return []
                if want:
                    reasons.append(f"{facts['pii_count']} PII findings ({', '.join(facts.get('pii_types', []))})")
            elif key in ("classification", "owner", "tenant"):
                values = want if isinstance(want, list) else [want]
                if str(facts.get(key)) not in map(str, values):
                    return []
                reasons.append(f"{key} is {facts.get(key)}")
            elif key == "ocr_mean_confidence_below":
                conf = facts.get("ocr_mean_confidence")
                if conf is None or conf >= float(want):
                    return []
                reasons.append(f"mean OCR confidence {conf:.2f} < {float(want):.2f}")
            elif key == "retention_expiring_within_days":
                days = facts.get("retention_days_left")
                if days is None or days > float(want) or days < 0:
                    return []
                reasons.append(f"retention ends in {days:.0f} days ({facts.get('retain_until')})")
        return reasons


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[Rule, ...]
    webhooks: dict[str, Webhook]
    source: str


def load_rules(path: Path | None) -> RuleSet | None:
    if path is None:
        return None
    data = yaml.safe_load(Path(path).read_text()) or {}
    if not data.get("version"):
        raise ConfigurationError(f"rules file {path} has no version", hint='add version: "YYYY.MM.N"')
    hooks = {
        name: Webhook(name, str(h["url"]), str(h.get("secret_env") or "DOCLEDGER_WEBHOOK_SECRET"))
        for name, h in (data.get("webhooks") or {}).items()
    }
    rules = []
    for i, raw in enumerate(data.get("rules") or []):
        name = str(raw.get("name") or f"rule-{i + 1}")
        when, then = dict(raw.get("when") or {}), dict(raw.get("then") or {})
        bad = (set(when) - CONDITIONS) | (set(then) - ACTIONS)
        unknown_hooks = set(then.get("notify") or []) - set(hooks)
        if bad or unknown_hooks or not then:
            raise ConfigurationError(
                f"rules file {path}: rule {name} is invalid"
                + (f" (unknown keys {sorted(bad)})" if bad else "")
                + (f" (unknown webhooks {sorted(unknown_hooks)})" if unknown_hooks else "")
                + ("" if then else " (no actions)"),
                hint=f"conditions: {sorted(CONDITIONS)}; actions: {sorted(ACTIONS)}",
            )
        scope = {k: tuple(map(str, v if isinstance(v, list) else [v])) for k, v in (raw.get("scope") or {}).items()}
        rules.append(Rule(name, when, then, scope))
    return RuleSet(str(data["version"]), tuple(rules), hooks, str(path))


def tick(ledger: Any, *, as_of: float | None = None) -> list[dict[str, Any]]:
    """Evaluate the time-based rules (retention expiring): one notification per document, rule and
    retention date, however often this runs. Returns the notifications queued now."""
    from docledger.ids import now
    from docledger.ledger import retention
    from docledger.ledger.events import emit
    from docledger.ledger.operations import add_timeline

    ruleset = load_rules(ledger.settings.rules_file)
    if ruleset is None:
        return []
    when = as_of if as_of is not None else now()
    queued = []
    timed = [r for r in ruleset.rules if not r.document_rule]
    for item in retention.due(ledger, as_of=when) if timed else []:
        doc = ledger.get_document(item["document_id"])
        until = retention.parse_iso(item["retain_until"])
        facts = {
            "tenant": doc["tenant"],
            "owner": doc["owner"],
            "classification": doc["classification"],
            "retain_until": item["retain_until"],
            "retention_days_left": (until - when) / 86400.0,
        }
        for rule in timed:
            reasons = rule.fires(facts) if rule.in_scope(facts) else []
            if not reasons:
                continue
            key = f"{rule.name}:{item['retain_until']}"
            with ledger.store.transaction() as tx:
                tx.lock_document(item["document_id"])
                if tx.fetchone("notification_sent", document_id=item["document_id"], pattern=f'%"{key}"%'):
                    continue
                for hook in rule.then.get("notify") or []:
                    emit(
                        tx,
                        "notification.requested",
                        item["document_id"],
                        {
                            "rule": rule.name,
                            "webhook": hook,
                            "reasons": reasons,
                            "facts": facts,
                            "rules_version": ruleset.version,
                            "reminder_key": key,
                        },
                        ordering_key=f"{item['document_id']}:notify",
                        only_subscriber="notify",
                    )
                add_timeline(tx, item["document_id"], "rules", "fired", f"rule {rule.name}: {'; '.join(reasons)}")
                tx.after_commit(ledger.store.notify_work)
            queued.append({"document_id": item["document_id"], "rule": rule.name, "reasons": reasons})
    return queued
