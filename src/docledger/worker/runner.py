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
from typing import TYPE_CHECKING, cast

from docledger.exceptions import DocledgerError, LeaseLost, UnprocessableDocument
from docledger.ids import new_id, now
from docledger.ledger.operations import add_timeline, finalize_if_idle, record_problem
from docledger.ledger.runs import record_crash, record_failure, record_success
from docledger.models import Delivery, Event, Run
from docledger.stages.base import Stage, StageContext
from docledger.store.base import Tx

if TYPE_CHECKING:
    from docledger.ledger import Ledger

log = logging.getLogger("docledger.worker")


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


class Worker:
    def __init__(self, ledger: Ledger, *, stages: dict[str, Stage] | None = None, worker_id: str | None = None) -> None:
        self.ledger = ledger
        self.store = ledger.store
        self.settings = ledger.settings
        self.stages = stages if stages is not None else cast("dict[str, Stage]", dict(ledger.stages))
        self.worker_id = worker_id or default_worker_id()
        self.stop_requested = threading.Event()
        self.processed = 0
        self._last_reap = 0.0

    # ---- claiming --------------------------------------------------------------------------
    def claim(self) -> Delivery | None:
        t = now()
        if t - self._last_reap > 1.0:
            self._last_reap = t
            self.reap_exhausted()
        with self.store.transaction() as tx:
            tx.relax_durability()
            cand = tx.fetchone(
                "claim_candidate", subscribers=list(self.stages), now=t, max_attempts=self.settings.max_attempts
            )
            if cand is None:
                return None
            tx.execute(
                "lease_delivery",
                id=cand["id"],
                worker=self.worker_id,
                now=t,
                lease_expires_at=t + self.settings.lease_seconds,
            )
            delivery = cast("Delivery | None", tx.fetchone("get_delivery", id=cand["id"]))
            if delivery and delivery["document_id"] and self._accepts(delivery):
                tx.execute(
                    "mark_document_running",
                    id=delivery["document_id"],
                    stage=delivery["subscriber"],
                    message=f"Running {delivery['subscriber']}",
                    now=t,
                )
            return delivery

    def _accepts(self, delivery: Delivery) -> bool:
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
                msg = (
                    f"Stage {r['subscriber']} lost its worker {r['attempts']} times on this document "
                    f"(killed or out of memory). Inspect it, then `docledger dlq replay {r['id']}`."
                )
                if tx.execute("dead_letter_delivery", id=r["id"], worker=None, error=msg, now=now()) != 1:
                    continue  # another worker reaped it first
                if r["document_id"]:
                    tx.lock_document(r["document_id"])
                    record_problem(
                        tx, r["document_id"], r["subscriber"], None, "worker_lost", msg, terminal=True, run_id=None
                    )
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

    def run(
        self,
        *,
        until_idle: bool = False,
        on_progress: Callable[[], None] | None = None,
        max_idle_seconds: float | None = None,
    ) -> int:
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

    def process(self, delivery: Delivery) -> None:
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
        ctx = StageContext(
            stage=stage,
            document=document,
            event=event,
            store=self.store,
            blobs=self.ledger.blobs,
            settings=self.settings,
            worker=self.worker_id,
            attempt=attempt,
            run_id=new_id("run_"),
        )
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

    def _heartbeat(self, delivery: Delivery) -> threading.Event:
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
                        if (
                            tx.execute(
                                "extend_lease",
                                id=delivery["id"],
                                worker=self.worker_id,
                                now=t,
                                lease_expires_at=t + self.settings.lease_seconds,
                            )
                            != 1
                        ):
                            return  # lost already; the commit will find out
                except Exception:  # the store is unreachable: try again next beat
                    log.warning("could not extend the lease of delivery %s", delivery["id"])

        threading.Thread(target=beat, name=f"lease-{delivery['id']}", daemon=True).start()
        return done

    # ---- writing results -------------------------------------------------------------------
    def _commit(self, delivery: Delivery, write: Callable[[Tx], None]) -> None:
        with self.store.transaction() as tx:
            if delivery["document_id"]:
                tx.lock_document(delivery["document_id"])
            if tx.execute("ack_delivery", id=delivery["id"], worker=self.worker_id, now=now()) != 1:
                raise LeaseLost(f"delivery {delivery['id']} is no longer leased by {self.worker_id}")
            write(tx)
            if delivery["document_id"]:
                finalize_if_idle(tx, delivery["document_id"], stage=delivery["subscriber"])
            tx.after_commit(self.store.notify_work)

    def _run(
        self, ctx: StageContext, started: float, status: str, error_code: str | None = None, error: str | None = None
    ) -> Run:
        meta = dict(ctx.run_meta)
        engines = ctx.stage.engine_info()
        if engines:
            meta["engines"] = engines
        meta["event"] = ctx.event.type
        return Run(
            id=ctx.run_id,
            document_id=ctx.document_id,
            stage=ctx.stage.name,
            stage_version=ctx.stage.version,
            status=status,
            started_at=started,
            ended_at=now(),
            attempt=ctx.attempt,
            worker=self.worker_id,
            config_hash=ctx.stage.config_hash(),
            page=ctx.page,
            error_code=error_code,
            error=error,
            meta=meta,
        )

    def _write_success(self, tx: Tx, ctx: StageContext, started: float) -> None:
        record_success(
            tx,
            self._run(ctx, started, "succeeded"),
            inputs=ctx.inputs,
            outputs=ctx.artifacts_out,
            facts=ctx.facts,
            problems=ctx.problems,
            timeline=ctx.timeline,
            events=ctx.events_out,
            hooks=ctx.tx_hooks,
            ownership=ctx.ownership_changes,
        )

    def _write_failure(self, tx: Tx, ctx: StageContext, started: float, exc: DocledgerError) -> None:
        record_failure(
            tx, self._run(ctx, started, "failed", exc.code, str(exc)), facts=ctx.facts, timeline=ctx.timeline
        )

    def _retry_or_bury(self, delivery: Delivery, ctx: StageContext, started: float, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"
        detail = "".join(traceback.format_exception(exc)[-3:])[-2000:]
        attempt = int(delivery["attempts"])
        try:
            with self.store.transaction() as tx:
                if delivery["document_id"]:
                    tx.lock_document(delivery["document_id"])
                record_crash(tx, self._run(ctx, started, "failed", "stage_error", detail))
                if attempt < self.settings.max_attempts:
                    delay = min(
                        self.settings.backoff_max_seconds, self.settings.backoff_base_seconds * (2 ** (attempt - 1))
                    )
                    changed = tx.execute(
                        "retry_delivery",
                        id=delivery["id"],
                        worker=self.worker_id,
                        available_at=now() + delay,
                        error=error,
                        now=now(),
                    )
                    if changed and delivery["document_id"]:
                        add_timeline(
                            tx,
                            delivery["document_id"],
                            ctx.stage.name,
                            "retrying",
                            f"attempt {attempt} failed ({error}); retrying in {delay:.1f}s",
                            attempt=attempt,
                            worker=self.worker_id,
                        )
                    return
                buried = tx.execute(
                    "dead_letter_delivery", id=delivery["id"], worker=self.worker_id, error=error, now=now()
                )
                if buried and delivery["document_id"]:
                    msg = (
                        f"Stage {ctx.stage.name} failed {attempt} times: {error}. The delivery is in the "
                        f"dead-letter queue; fix the cause, then `docledger dlq replay {delivery['id']}`."
                    )
                    record_problem(
                        tx,
                        delivery["document_id"],
                        ctx.stage.name,
                        ctx.page,
                        "stage_error",
                        msg,
                        terminal=True,
                        run_id=ctx.run_id,
                    )
                    add_timeline(
                        tx,
                        delivery["document_id"],
                        ctx.stage.name,
                        "dead_lettered",
                        msg,
                        attempt=attempt,
                        worker=self.worker_id,
                    )
                    finalize_if_idle(tx, delivery["document_id"], stage=ctx.stage.name)
        except Exception:  # the store itself is failing: leave the lease to expire, retry later
            log.exception("could not record the failure of delivery %s", delivery["id"])


def _event(delivery: Delivery) -> Event:
    return Event(
        int(delivery["event_id"]),
        delivery["event_type"],
        delivery["document_id"],
        delivery["ordering_key"],
        json.loads(delivery["payload"] or "{}"),
    )
