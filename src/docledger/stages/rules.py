"""Stages ``rules`` (data-quality and owner-notification rules on every processed document) and
``notify`` (signed webhooks, delivered at least once through the outbox)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from docledger.ids import iso, now
from docledger.models import Events
from docledger.stages.base import Stage, StageContext

NOTIFICATION = "notification.requested"
REVIEW = "quality.review_requested"


def document_facts(ctx: StageContext) -> dict[str, Any]:
    doc = ctx.document
    pii_types: set[str] = set()
    pii_count = 0
    for art in ctx.artifacts(kind="nlp-json", stage="nlp"):
        data = json.loads(ctx.read(art))
        found = data.get("pii", [])
        pii_count += len(found)
        pii_types |= {str(f.get("type")) for f in found}
    confidences = []
    for art in ctx.artifacts(kind="ocr-json"):
        data = json.loads(ctx.read(art))
        if data.get("mean_confidence") is not None:
            confidences.append(float(data["mean_confidence"]))
    return {
        "tenant": doc["tenant"],
        "owner": doc.get("owner"),
        "classification": doc.get("classification"),
        "pii_count": pii_count,
        "pii_types": sorted(pii_types),
        "ocr_mean_confidence": round(sum(confidences) / len(confidences), 4) if confidences else None,
    }


class RulesStage(Stage):
    name = "rules"
    version = "1.0.0"
    subscribes = (Events.NLP_COMPLETED,)
    produces = ("rules-json",)
    description = "Data-quality and owner-notification rules (DOCLEDGER_RULES_FILE): reclassify, review, notify."

    def config(self) -> dict[str, Any]:
        path = self.settings.rules_file
        return {
            "rules_file": str(path) if path else None,
            "rules_sha256": hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path and path.exists() else None,
        }

    def process(self, ctx: StageContext) -> None:
        from docledger.services.rules import load_rules

        ruleset = load_rules(self.settings.rules_file)
        if ruleset is None or not any(r.document_rule for r in ruleset.rules):
            ctx.skip()
            return
        facts = document_facts(ctx)
        fired = []
        for rule in ruleset.rules:
            if not rule.document_rule or not rule.in_scope(facts):
                continue
            reasons = rule.fires(facts)
            if not reasons:
                continue
            fired.append({"rule": rule.name, "reasons": reasons, "actions": rule.then})
            actor = f"rule:{rule.name}"
            target = rule.then.get("reclassify")
            if target and target != facts["classification"]:
                ctx.change_ownership(
                    actor=actor, redact_policy=self.settings.redact_policy_classifications, classification=str(target)
                )
            if rule.then.get("review"):
                ctx.emit(REVIEW, {"rule": rule.name, "reasons": reasons})
                ctx.log(f"sent to review by rule {rule.name}: {'; '.join(reasons)}", "needs_review")
            for hook in rule.then.get("notify") or []:
                ctx.emit(
                    NOTIFICATION,
                    {
                        "rule": rule.name,
                        "webhook": hook,
                        "reasons": reasons,
                        "facts": facts,
                        "rules_version": ruleset.version,
                    },
                    ordering_key=f"{ctx.document_id}:notify",
                    only_subscriber="notify",
                )
        for item in fired:
            ctx.log(f"rule {item['rule']} fired: {'; '.join(item['reasons'])}")
        ctx.add_json("rules.json", "rules-json", {"rules_version": ruleset.version, "facts": facts, "fired": fired})


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``<timestamp>.<body>`` (the receiver recomputes it)."""
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class NotifyStage(Stage):
    name = "notify"
    version = "1.0.0"
    subscribes = (NOTIFICATION,)
    produces = ("notification-json",)
    description = "Signed webhooks (HMAC-SHA256), retried with backoff until delivered (at least once)."

    def process(self, ctx: StageContext) -> None:
        import httpx

        from docledger.services.rules import load_rules

        payload = ctx.event.payload
        ruleset = load_rules(self.settings.rules_file)
        hook = ruleset.webhooks.get(str(payload.get("webhook"))) if ruleset else None
        if hook is None:
            ctx.log(
                f"notification for rule {payload.get('rule')} dropped: webhook {payload.get('webhook')!r} "
                "is no longer configured",
                "warning",
            )
            return
        event_id = f"docledger-notification-{ctx.event.id}"  # stable across retries: receivers deduplicate on it
        body = json.dumps(
            {
                "specversion": "1.0",
                "id": event_id,
                "type": "docledger.rule.fired",
                "source": "docledger",
                "subject": ctx.document_id,
                "time": iso(now()),
                "data": {
                    "document_id": ctx.document_id,
                    "rule": payload.get("rule"),
                    "reasons": payload.get("reasons"),
                    "facts": payload.get("facts"),
                    "rules_version": payload.get("rules_version"),
                },
            },
            sort_keys=True,
        ).encode()
        timestamp = str(int(time.time()))
        headers = {
            "content-type": "application/json",
            "x-docledger-event-id": event_id,
            "x-docledger-timestamp": timestamp,
            "x-docledger-signature": signature(hook.secret(), timestamp, body),
        }
        started = time.monotonic()
        try:
            response = httpx.post(hook.url, content=body, headers=headers, timeout=10.0)
        except httpx.HTTPError as exc:
            raise RuntimeError(f"webhook {hook.name} unreachable: {type(exc).__name__}") from exc
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"webhook {hook.name} answered {response.status_code}")
        ctx.add_json(
            f"notifications/{ctx.event.id}.json",
            "notification-json",
            {
                "event_id": event_id,
                "webhook": hook.name,
                "url": hook.url,
                "status": response.status_code,
                "attempt": ctx.attempt,
                "ms": round((time.monotonic() - started) * 1000, 1),
                "rule": payload.get("rule"),
            },
        )
        ctx.log(f"notified {hook.name} (rule {payload.get('rule')}, attempt {ctx.attempt})")
