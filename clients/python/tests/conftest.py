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
        self.corrupt = env["EARSHOT_CORRUPT"]

    def hooks_received(self) -> List[Dict[str, Any]]:
        return requests.get(f"{self.hooks}/hooks", timeout=10).json()

    @contextlib.contextmanager
    def occupied(self, key: str) -> Iterator[None]:
        """Keeps the server's only worker (and one of ``key``'s concurrency slots) busy with a stalled download."""
        done = threading.Event()

        def stuck() -> None:
            try:
                requests.post(
                    f"{self.url}/v1/listen",
                    json={"url": f"{self.files}/stall.wav"},
                    headers={"Authorization": f"Token {key}"},
                    timeout=60,
                )
            finally:
                done.set()

        threading.Thread(target=stuck, daemon=True).start()
        deadline = time.monotonic() + 10
        while requests.get(f"{self.files}/stalled", timeout=10).json()["stalled"] == 0:
            assert time.monotonic() < deadline, "the stalled download never started"
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
    """A 16-bit mono WAV of a quiet tone: small files of any length."""
    n = int(seconds * rate)
    samples = b"".join(struct.pack("<h", int(800 * ((i * 440 * 2 // rate) % 2 * 2 - 1))) for i in range(n))
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
