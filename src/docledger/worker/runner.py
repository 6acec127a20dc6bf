"""Workers: claim a delivery, run its stage, commit everything it produced in one transaction.

- claim: per (subscriber, ordering key) FIFO, a lease with an expiry, attempts counted;
- success: run record + artifacts + lineage + timeline + next events + ack, one transaction,
  fenced by the lease (if another worker took over, our transaction rolls back);
- UnprocessableDocument: a terminal, explained failure of the document (or page), no retry;
- any other exception: retry with exponential backoff; after ``max_attempts`` the delivery
  is dead-lettered and the document fails with ``stage_error`` (replayable);
- a worker killed mid-run loses nothing: its lease expires and another worker retries.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from functools import partial
from typing import Any

from docledger.exceptions import DocledgerError, LeaseLost, UnprocessableDocument
from docledger.ids import new_id, now
from docledger.ledger.events import emit
from docledger.ledger.operations import add_timeline, finalize_if_idle, record_problem
from docledger.models import Event
from docledger.stages.base import Stage, StageContext
from docledger.store.base import Tx

log = logging.getLogger("docledger.worker")


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


class Worker:
    def __init__(self, ledger: Any, *, stages: dict[str, Stage] | None = None, worker_id: str | None = None) -> None:
        self.ledger = ledger
        self.store = ledger.store
        self.settings = ledger.settings
        self.stages = stages if stages is not None else ledger.stages
        self.worker_id = worker_id or default_worker_id()
        self.stop_requested = threading.Event()
        self.processed = 0
        self._last_reap = 0.0

    # ---- claiming --------------------------------------------------------------------------
    def claim(self) -> dict[str, Any] | None:
        t = now()
        if t - self._last_reap > 1.0:
            self._last_reap = t
            self.reap_exhausted()
        with self.store.transaction() as tx:
            tx.relax_durability()
            cand = tx.fetchone("claim_candidate", subscribers=list(self.stages), now=t,
                               max_attempts=self.settings.max_attempts)
            if cand is None:
                return None
            tx.execute("lease_delivery", id=cand["id"], worker=self.worker_id, now=t,
                       lease_expires_at=t + self.settings.lease_seconds)
            delivery = tx.fetchone("get_delivery", id=cand["id"])
            if delivery and delivery["document_id"] and self._accepts(delivery):
                tx.execute("mark_document_running", id=delivery["document_id"], stage=delivery["subscriber"],
                           message=f"Running {delivery['subscriber']}", now=t)
            return delivery

    def _accepts(self, delivery: dict[str, Any]) -> bool:
        stage = self.stages[delivery["subscriber"]]
        try:
            return stage.accepts(_event(delivery))
        except Exception:  # judged again (and recorded) in process()
            return True

    def reap_exhausted(self) -> int:
        """Dead-letter deliveries whose workers died ``max_attempts`` times (poison documents)."""
        with self.store.transaction() as tx:
            rows = tx.fetchall("expired_exhausted_leases", now=now(), max_attempts=self.settings.max_attempts)
            for r in rows:
                msg = (f"Stage {r['subscriber']} lost its worker {r['attempts']} times on this document "
                       f"(killed or out of memory). Inspect it, then `docledger dlq replay {r['id']}`.")
                if tx.execute("dead_letter_delivery", id=r["id"], worker=None, error=msg, now=now()) != 1:
                    continue  # another worker reaped it first
                if r["document_id"]:
                    tx.lock_document(r["document_id"])
                    record_problem(tx, r["document_id"], r["subscriber"], None, "worker_lost", msg,
                                   terminal=True, run_id=None)
                    add_timeline(tx, r["document_id"], r["subscriber"], "dead_lettered", msg, attempt=r["attempts"])
                    finalize_if_idle(tx, r["document_id"], stage=r["subscriber"])
            return len(rows)

    # ---- running ---------------------------------------------------------------------------
    def run_once(self) -> bool:
        delivery = self.claim()
        if delivery is None:
            return False
        self.process(delivery)
        self.processed += 1
        return True

    def run(self, *, until_idle: bool = False, on_progress: Callable[[], None] | None = None,
            max_idle_seconds: float | None = None) -> int:
        """Loop until stopped (SIGTERM finishes the current run first) or, with until_idle, no work is left."""
        idle_since: float | None = None
        while not self.stop_requested.is_set():
            if self.run_once():
                idle_since = None
                if on_progress:
                    on_progress()
                continue
            if until_idle and self.idle():
                break
            idle_since = idle_since or time.monotonic()
            if max_idle_seconds is not None and time.monotonic() - idle_since > max_idle_seconds:
                break
            self.store.wait_for_work(self._idle_wait())
        return self.processed

    def idle(self) -> bool:
        with self.store.read() as tx:
            row = tx.fetchone("pending_work", subscribers=list(self.stages))
        return row is None or int(row["n"]) == 0

    def _idle_wait(self) -> float:
        with self.store.read() as tx:
            row = tx.fetchone("next_available_at")
        poll = self.settings.poll_interval_seconds
        if row and row["t"] is not None:
            return max(0.01, min(poll * 5, float(row["t"]) - now()))
        return poll

    def process(self, delivery: dict[str, Any]) -> None:
        stage = self.stages[delivery["subscriber"]]
        event = _event(delivery)
        attempt = int(delivery["attempts"])
        if not stage.accepts(event):
            self._commit(delivery, lambda tx: None)
            return
        with self.store.read() as tx:
            document = tx.fetchone("get_document", id=event.document_id) if event.document_id else None
        if document is None:
            self._commit(delivery, lambda tx: None)
            return
        started = now()
        ctx = StageContext(stage=stage, document=document, event=event, store=self.store, blobs=self.ledger.blobs,
                           settings=self.settings, worker=self.worker_id, attempt=attempt, run_id=new_id("run_"))
        heartbeat = self._heartbeat(delivery)
        try:
            stage.process(ctx)
        except UnprocessableDocument as failure:
            heartbeat.set()
            self._commit(delivery, partial(self._write_failure, ctx=ctx, started=started, exc=failure))
            return
        except Exception as exc:  # a crash in a stage is a recorded failure, never a dead worker
            heartbeat.set()
            log.warning("stage %s failed on %s: %s", stage.name, event.document_id, exc)
            self._retry_or_bury(delivery, ctx, started, exc)
            return
        heartbeat.set()
        if ctx.skipped:
            self._commit(delivery, lambda tx: None)
            return
        try:
            self._commit(delivery, lambda tx: self._write_success(tx, ctx, started))
        except LeaseLost:
            log.warning("lease lost on delivery %s; another worker owns it now", delivery["id"])
        except Exception as exc:
            log.warning("commit of %s failed: %s", stage.name, exc)
            self._retry_or_bury(delivery, ctx, started, exc)

    def _heartbeat(self, delivery: dict[str, Any]) -> threading.Event:
        """Extend the lease every third of its length while the stage runs (long pages, big documents).

        A worker that dies stops extending, so its lease still expires and another worker takes over.
        """
        done = threading.Event()
        interval = self.settings.lease_seconds / 3.0

        def beat() -> None:
            while not done.wait(interval):
                try:
                    with self.store.transaction() as tx:
                        tx.relax_durability()
                        t = now()
                        if tx.execute("extend_lease", id=delivery["id"], worker=self.worker_id, now=t,
                                      lease_expires_at=t + self.settings.lease_seconds) != 1:
                            return  # lost already; the commit will find out
                except Exception:  # the store is unreachable: try again next beat
                    log.warning("could not extend the lease of delivery %s", delivery["id"])

        threading.Thread(target=beat, name=f"lease-{delivery['id']}", daemon=True).start()
        return done

    # ---- writing results -------------------------------------------------------------------
    def _commit(self, delivery: dict[str, Any], write: Callable[[Tx], None]) -> None:
        with self.store.transaction() as tx:
            if delivery["document_id"]:
                tx.lock_document(delivery["document_id"])
            if tx.execute("ack_delivery", id=delivery["id"], worker=self.worker_id, now=now()) != 1:
                raise LeaseLost(f"delivery {delivery['id']} is no longer leased by {self.worker_id}")
            write(tx)
            if delivery["document_id"]:
                finalize_if_idle(tx, delivery["document_id"], stage=delivery["subscriber"])
            tx.after_commit(self.store.notify_work)

    def _insert_run(self, tx: Tx, ctx: StageContext, started: float, status: str,
                    error_code: str | None = None, error: str | None = None) -> None:
        ended = now()
        meta = dict(ctx.run_meta)
        engines = ctx.stage.engine_info()
        if engines:
            meta["engines"] = engines
        meta["event"] = ctx.event.type
        tx.execute("insert_run", id=ctx.run_id, document_id=ctx.document_id, stage=ctx.stage.name,
                   stage_version=ctx.stage.version, config_hash=ctx.stage.config_hash(), page=ctx.page,
                   delivery_id=None, status=status, attempt=ctx.attempt, worker=self.worker_id, started_at=started,
                   ended_at=ended, duration_ms=(ended - started) * 1000.0, error_code=error_code, error=error,
                   meta=json.dumps(meta, default=str))

    def _started(self, tx: Tx, ctx: StageContext, started: float) -> None:
        page = f" (page {ctx.page})" if ctx.page else ""
        add_timeline(tx, ctx.document_id, ctx.stage.name, "started", f"{ctx.stage.name}@{ctx.stage.version} started"
                     + page, attempt=ctx.attempt, worker=self.worker_id, time=started)

    def _write_success(self, tx: Tx, ctx: StageContext, started: float) -> None:
        self._started(tx, ctx, started)
        self._insert_run(tx, ctx, started, "succeeded")
        for aid in sorted(ctx.inputs):
            tx.execute("insert_run_input", run_id=ctx.run_id, artifact_id=aid)
        for a in ctx.artifacts_out:
            tx.execute("insert_artifact", id=a.id, document_id=ctx.document_id, run_id=ctx.run_id,
                       stage=ctx.stage.name, stage_version=ctx.stage.version, key=a.key, kind=a.kind,
                       sha256=a.sha256, size=a.size, media_type=a.media_type, page=a.page,
                       meta=json.dumps(a.meta, default=str), created_at=now())
        self._write_facts(tx, ctx)
        for page, code, message in ctx.problems:
            record_problem(tx, ctx.document_id, ctx.stage.name, page, code, message, terminal=False,
                           run_id=ctx.run_id)
        for hook in ctx.tx_hooks:
            hook(tx)
        for status, message in ctx.timeline:
            add_timeline(tx, ctx.document_id, ctx.stage.name, status, message, attempt=ctx.attempt,
                         worker=self.worker_id)
        for ev in ctx.events_out:
            emit(tx, ev.type, ctx.document_id, ev.payload, ordering_key=ev.ordering_key,
                 only_subscriber=ev.only_subscriber)
        n = len(ctx.artifacts_out)
        add_timeline(tx, ctx.document_id, ctx.stage.name, "succeeded",
                     f"{ctx.stage.name}@{ctx.stage.version} produced {n} artifact{'s' if n != 1 else ''}"
                     + (f" (page {ctx.page})" if ctx.page else ""), attempt=ctx.attempt, worker=self.worker_id)

    def _write_facts(self, tx: Tx, ctx: StageContext) -> None:
        if not ctx.facts:
            return
        doc = tx.fetchone("get_document", id=ctx.document_id) or {}
        meta = json.loads(doc.get("meta") or "{}")
        meta.update(ctx.facts.get("meta", {}))
        tx.execute("update_document_facts", id=ctx.document_id, media_type=ctx.facts.get("media_type"),
                   pages=ctx.facts.get("pages"), meta=json.dumps(meta, default=str), now=now())

    def _write_failure(self, tx: Tx, ctx: StageContext, started: float, exc: DocledgerError) -> None:
        message = str(exc)
        self._started(tx, ctx, started)
        self._insert_run(tx, ctx, started, "failed", exc.code, message)
        self._write_facts(tx, ctx)
        # A failed page makes the document PARTIAL; a failed document is FAILED.
        record_problem(tx, ctx.document_id, ctx.stage.name, ctx.page, exc.code, message, terminal=True,
                       run_id=ctx.run_id)
        for status, msg in ctx.timeline:
            add_timeline(tx, ctx.document_id, ctx.stage.name, status, msg, attempt=ctx.attempt,
                         worker=self.worker_id)
        add_timeline(tx, ctx.document_id, ctx.stage.name, "failed", f"{exc.code}: {message}",
                     attempt=ctx.attempt, worker=self.worker_id)

    def _retry_or_bury(self, delivery: dict[str, Any], ctx: StageContext, started: float, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"
        detail = "".join(traceback.format_exception(exc)[-3:])[-2000:]
        attempt = int(delivery["attempts"])
        try:
            with self.store.transaction() as tx:
                if delivery["document_id"]:
                    tx.lock_document(delivery["document_id"])
                self._started(tx, ctx, started)
                self._insert_run(tx, ctx, started, "failed", "stage_error", detail)
                if attempt < self.settings.max_attempts:
                    delay = min(self.settings.backoff_max_seconds,
                                self.settings.backoff_base_seconds * (2 ** (attempt - 1)))
                    changed = tx.execute("retry_delivery", id=delivery["id"], worker=self.worker_id,
                                         available_at=now() + delay, error=error, now=now())
                    if changed and delivery["document_id"]:
                        add_timeline(tx, delivery["document_id"], ctx.stage.name, "retrying",
                                     f"attempt {attempt} failed ({error}); retrying in {delay:.1f}s",
                                     attempt=attempt, worker=self.worker_id)
                    return
                buried = tx.execute("dead_letter_delivery", id=delivery["id"], worker=self.worker_id, error=error,
                                    now=now())
                if buried and delivery["document_id"]:
                    msg = (f"Stage {ctx.stage.name} failed {attempt} times: {error}. The delivery is in the "
                           f"dead-letter queue; fix the cause, then `docledger dlq replay {delivery['id']}`.")
                    record_problem(tx, delivery["document_id"], ctx.stage.name, ctx.page, "stage_error", msg,
                                   terminal=True, run_id=ctx.run_id)
                    add_timeline(tx, delivery["document_id"], ctx.stage.name, "dead_lettered", msg,
                                 attempt=attempt, worker=self.worker_id)
                    finalize_if_idle(tx, delivery["document_id"], stage=ctx.stage.name)
        except Exception:  # the store itself is failing: leave the lease to expire, retry later
            log.exception("could not record the failure of delivery %s", delivery["id"])


def _event(delivery: dict[str, Any]) -> Event:
    return Event(int(delivery["event_id"]), delivery["event_type"], delivery["document_id"],
                 delivery["ordering_key"], json.loads(delivery["payload"] or "{}"))
