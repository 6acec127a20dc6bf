"""Bounded work per request: per-token rate limits for the expensive endpoints.

Search, question answering, sentence matching and ``/invocations`` embed text on every call.
Each token (or, for anonymous ``/invocations`` calls, each client address) gets a token
bucket of ``DOCLEDGER_RATE_LIMIT_PER_MINUTE`` calls that refills continuously; a call over
it answers 429 problem+json with ``Retry-After``. The buckets live in the serving process
(one per ``docledger serve``), which is what bounds the CPU that process spends.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from docledger.exceptions import DocledgerError


class RateLimited(DocledgerError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, *, retry_after: float, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = max(1, math.ceil(retry_after))


def count_call(app_state: Any, principal: Any, client: str | None, what: str) -> None:
    """Count one call against the caller's bucket: its token, else its principal, else its address."""
    if principal is not None and getattr(principal, "token_id", None) is not None:
        key = str(principal.token_id)
    elif principal is not None:
        key = f"principal:{principal.principal}"
    else:
        key = f"addr:{client or '-'}"
    app_state.rate_limiter.check(key, what)


class RateLimiter:
    """Token buckets keyed by caller: ``per_minute`` calls, refilled at ``per_minute / 60`` per second."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, what: str) -> None:
        if self.per_minute <= 0:  # 0 turns the limit off
            return
        rate = self.per_minute / 60.0
        t = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.per_minute), t))
            tokens = min(float(self.per_minute), tokens + (t - last) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, t)
                raise RateLimited(
                    f"too many {what} requests: the limit is {self.per_minute} per minute per token",
                    retry_after=(1.0 - tokens) / rate,
                    hint="Wait for the Retry-After seconds, or ask the operator to raise "
                    "DOCLEDGER_RATE_LIMIT_PER_MINUTE.",
                )
            self._buckets[key] = (tokens - 1.0, t)
            if len(self._buckets) > 10_000:  # forget idle callers (full buckets carry no state)
                for k in [k for k, (n, _) in self._buckets.items() if n >= self.per_minute - 1][:5_000]:
                    del self._buckets[k]
