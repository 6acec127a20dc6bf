"""Transactional outbox: an event is written in the same transaction as the change it
announces, and fanned out at once into one delivery per subscribed pipeline stage."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from docledger.ids import now
from docledger.models import StagePlugin
from docledger.store.base import Tx


def emit(
    tx: Tx,
    event_type: str,
    document_id: str | None,
    payload: dict[str, Any] | None = None,
    *,
    ordering_key: str | None = None,
    only_subscriber: str | None = None,
) -> int:
    """Insert the event and its deliveries; returns the event id. Wakes workers after commit."""
    t = now()
    key = ordering_key or document_id or event_type
    row = tx.fetchone(
        "insert_event",
        type=event_type,
        document_id=document_id,
        ordering_key=key,
        payload=json.dumps(payload or {}, default=str),
        created_at=t,
    )
    assert row is not None
    event_id = int(row["id"])
    tx.execute(
        "fan_out_event",
        event_id=event_id,
        document_id=document_id,
        ordering_key=key,
        now=t,
        type=event_type,
        only_subscriber=only_subscriber,
    )
    return event_id


def sync_subscriptions(tx: Tx, stages: Mapping[str, StagePlugin]) -> None:
    """Record which installed stage listens to which event (idempotent)."""
    t = now()
    for name, stage in stages.items():
        for event_type in stage.subscribes:
            tx.execute("upsert_subscription", subscriber=name, event_type=event_type, now=t)
