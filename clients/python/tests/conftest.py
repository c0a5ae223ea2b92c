"""Fixtures for the client's tests against a real ``earshot serve``.

The Node test driver (test/clients/python-sdk.test.ts) starts the server, a local file server (speech, a 404, a
download that stalls until released), a webhook receiver and a connection-resetting proxy, and passes their
addresses in ``EARSHOT_*`` environment variables. It also asks for a JSON report of every test's outcome
(``EARSHOT_PYTEST_REPORT``) so that its own count includes each Python test.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import threading
import time
from typing import Any, Dict, Iterator, List

import pytest
import requests


class World:
    def __init__(self) -> None:
        env = os.environ
        self.url = env["EARSHOT_URL"]
        self.key = env["EARSHOT_KEY"]
        self.key_single = env["EARSHOT_KEY_SINGLE"]
        self.key_expired = env["EARSHOT_KEY_EXPIRED"]
        self.key_future = env["EARSHOT_KEY_NOT_YET_VALID"]
        self.key_quota = env["EARSHOT_KEY_QUOTA"]
        self.files = env["EARSHOT_FILES_URL"]
        self.hooks = env["EARSHOT_HOOKS_URL"]
        self.reset_url = env["EARSHOT_RESET_URL"]
        self.dead_url = env["EARSHOT_DEAD_URL"]
        self.speech = env["EARSHOT_SPEECH"]
        # A recording longer than the request budget; the server's upload cap and longest recording.
        self.long = env["EARSHOT_LONG"]
        self.max_size_mb = int(env["EARSHOT_MAX_SIZE_MB"])
        self.max_duration_s = int(env["EARSHOT_MAX_DURATION_S"])
        self.corrupt = env["EARSHOT_CORRUPT"]

    def hooks_received(self) -> List[Dict[str, Any]]:
        return requests.get(f"{self.hooks}/hooks", timeout=10).json()

    @contextlib.contextmanager
    def occupied(self, key: str) -> Iterator[None]:
        """Keeps the server's only worker (and one of ``key``'s concurrency slots) busy with a long recording.

        Its transcription outlasts the request budget; a stalled URL download would not do, since downloads happen
        before a worker is taken.
        """

        def send() -> None:
            with open(self.long, "rb") as audio:
                requests.post(
                    f"{self.url}/v1/listen",
                    data=audio,
                    headers={"Authorization": f"Token {key}", "Content-Type": "audio/wav"},
                    timeout=60,
                )

        def taken() -> bool:
            return requests.get(f"{self.url}/health?detailed=true", timeout=10).json()["queue"]["active"] > 0

        with self._busy(send, taken, "the long transcription never took the worker"):
            yield

    @contextlib.contextmanager
    def slot_held(self, key: str) -> Iterator[None]:
        """Keeps one of ``key``'s concurrency slots (not the worker) busy with a URL download that stalls until released."""

        def send() -> None:
            requests.post(
                f"{self.url}/v1/listen",
                json={"url": f"{self.files}/stall.wav"},
                headers={"Authorization": f"Token {key}"},
                timeout=60,
            )

        def taken() -> bool:
            return requests.get(f"{self.files}/stalled", timeout=10).json()["stalled"] > 0

        with self._busy(send, taken, "the stalled download never started"):
            yield

    @contextlib.contextmanager
    def _busy(self, send: Any, taken: Any, failure: str) -> Iterator[None]:
        """Runs ``send`` in the background until ``taken()`` says it holds what it should; waits for it at the end."""
        done = threading.Event()

        def run() -> None:
            try:
                send()
            finally:
                done.set()

        threading.Thread(target=run, daemon=True).start()
        deadline = time.monotonic() + 30
        while not taken():
            assert time.monotonic() < deadline and not done.is_set(), failure
            time.sleep(0.05)
        try:
            yield
        finally:
            self.release()
            done.wait(30)

    def release(self) -> None:
        requests.get(f"{self.files}/release", timeout=10)

    def release_later(self, seconds: float) -> threading.Timer:
        timer = threading.Timer(seconds, self.release)
        timer.start()
        return timer


@pytest.fixture(scope="session")
def world() -> World:
    return World()


def wav_bytes(seconds: float, rate: int = 8000) -> bytes:
    """A 16-bit mono WAV of a quiet square wave at about 440 Hz: files of any length, built fast."""
    n = int(seconds * rate)
    half = max(1, rate // 880)
    period = struct.pack("<h", 800) * half + struct.pack("<h", -800) * half
    samples = (period * (n // (2 * half) + 1))[: 2 * n]
    header = b"RIFF" + struct.pack("<I", 36 + len(samples)) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", len(samples))
    return header + samples


_outcomes: Dict[str, Dict[str, str]] = {}


def pytest_runtest_logreport(report: Any) -> None:
    entry = _outcomes.setdefault(report.nodeid, {"outcome": "passed", "details": ""})
    if report.failed:
        entry["outcome"] = "failed"
        entry["details"] += f"[{report.when}] {report.longreprtext}\n"
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"
        entry["details"] = str(report.longrepr)


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    path = os.environ.get("EARSHOT_PYTEST_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(_outcomes, f)
