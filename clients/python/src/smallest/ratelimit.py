"""Client-side rate limiting, the seed's best practice: rather than sending a request the server would refuse with
429, wait until the window has room.

A sliding window over the start times of the last ``max_calls`` requests. It is thread-safe, so one limiter can be
shared by several clients (and threads) that use the same license.
"""

from __future__ import annotations

import collections
import threading
import time
from typing import Callable, Deque


class RateLimiter:
    def __init__(
        self,
        max_calls: int,
        period: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not isinstance(max_calls, int) or max_calls < 1:
            raise ValueError("RateLimiter: max_calls must be an integer >= 1")
        if not period > 0:
            raise ValueError("RateLimiter: period must be > 0 seconds")
        self.max_calls = max_calls
        self.period = float(period)
        self._clock = clock
        self._sleep = sleep
        self._starts: Deque[float] = collections.deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Blocks until one more request may start, counts it, and returns the seconds spent waiting."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._starts and self._starts[0] <= now - self.period:
                    self._starts.popleft()
                if len(self._starts) < self.max_calls:
                    self._starts.append(now)
                    return waited
                wait = self._starts[0] + self.period - now
            # Sleep outside the lock so other threads can still see the window (and wait their own turn).
            self._sleep(wait)
            waited += wait

    def __repr__(self) -> str:
        return f"RateLimiter(max_calls={self.max_calls}, period={self.period})"
