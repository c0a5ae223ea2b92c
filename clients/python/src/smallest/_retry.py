"""When and how long to wait before sending a request again.

Retried: 429 (rate limit), 502/503/504 (the server or a proxy is overloaded or restarting) and connections that failed
or were reset before an answer. Never retried: other 4xx (the same request gets the same answer), 500 (a bug on the
server) and the client's own time limit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Optional

from .errors import ApiConnectionError, SmallestApiError

RETRIED_STATUS = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    """Retries after the first attempt; 0 turns retrying off."""
    backoff: float = 0.5
    """First back-off delay in seconds, doubled on each retry."""
    max_backoff: float = 30.0
    """Cap on the exponential back-off (the server's own ``retry_after`` may ask for more)."""
    max_retry_after: float = 120.0
    """A server asking to wait longer than this gets its error raised instead of a retry."""


def is_retryable(error: SmallestApiError) -> bool:
    return error.status in RETRIED_STATUS or isinstance(error, ApiConnectionError)


def retry_delay(
    error: SmallestApiError,
    attempt: int,
    policy: RetryPolicy,
    rand: Callable[[], float] = random.random,
) -> Optional[float]:
    """Seconds before retry number ``attempt`` (0-based), or None for "do not retry".

    Exponential back-off with "equal jitter" (half fixed, half random, so clients that failed together do not come
    back together), but never shorter than the server's ``retry_after``.
    """
    if attempt >= policy.max_retries or not is_retryable(error):
        return None
    exponential = min(policy.max_backoff, policy.backoff * float(2**attempt))
    jittered = exponential / 2 + rand() * exponential / 2
    asked = error.retry_after or 0.0
    if asked > policy.max_retry_after:
        return None
    return max(jittered, asked)
