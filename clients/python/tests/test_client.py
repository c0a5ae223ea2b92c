"""The client against a real ``earshot serve``: transcription in every input style, retries of what is worth
retrying (429 with retry_after, 503, a reset connection), client-side rate limiting, async jobs, and a license key
that never shows."""

from __future__ import annotations

import io
import logging
import re
import threading
import time
from typing import Any, List

import pytest

import smallest
from smallest import Client, RateLimiter

from .conftest import World, wav_bytes


def test_transcribes_a_url_a_path_bytes_and_file_objects_alike(world: World) -> None:
    client = Client(api_url=world.url, license_key=world.key)
    by_url = client.transcribe_url(f"{world.files}/hello.wav", timestamps=True, request_id="py-url-1")
    assert isinstance(by_url, smallest.TranscriptionResult)
    assert by_url.request_id == "py-url-1"
    assert by_url.text and by_url.language == "en" and by_url.duration > 1
    assert by_url.words and all(isinstance(w, smallest.Word) and w.end >= w.start for w in by_url.words)
    assert by_url.raw["text"] == by_url.text

    with open(world.speech, "rb") as f:
        data = f.read()
    results = [
        client.transcribe_file(world.speech),
        client.transcribe_file(data, filename="hello.wav"),
        client.transcribe_file(io.BytesIO(data)),
    ]
    with open(world.speech, "rb") as f:
        results.append(client.transcribe_file(f, punctuate=False))
    assert {r.text.lower().strip(".,") for r in results} == {by_url.text.lower().strip(".,")}
    assert results[0].words == [], "no words unless timestamps=True"


def test_diarize_labels_every_word_and_lists_the_speakers(world: World) -> None:
    client = Client(api_url=world.url, license_key=world.key)
    result = client.transcribe_file(world.speech, diarize=True, timestamps=True)
    assert result.speakers, result.raw
    for turn in result.speakers:
        assert isinstance(turn, smallest.SpeakerTurn)
        assert re.fullmatch(r"SPEAKER_\d\d", turn.speaker) and turn.end > turn.start
    assert " ".join(t.text for t in result.speakers).split() == result.text.split()
    labels = {t.speaker for t in result.speakers}
    assert result.words and all(w.speaker in labels for w in result.words)

    plain = client.transcribe_file(world.speech, timestamps=True)
    assert plain.speakers == [] and plain.words and all(w.speaker is None for w in plain.words)


def test_health(world: World) -> None:
    client = Client(api_url=world.url, license_key="not needed for health")
    health = client.health()
    assert health.healthy and health.status == "healthy"
    detailed = client.health(detailed=True)
    assert "components" in detailed.raw


def test_429_with_retry_after_is_retried_then_succeeds(world: World, caplog: Any) -> None:
    client = Client(api_url=world.url, license_key=world.key_single, backoff=0.05)
    with world.slot_held(world.key_single):
        world.release_later(1.5)
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="smallest"):
            result = client.transcribe_file(world.speech)
    assert result.text
    retries = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    assert retries and "RATE_LIMIT_EXCEEDED" in retries[0] and "HTTP 429" in retries[0], retries
    assert time.monotonic() - started >= 1.0, "waited at least the server's retry_after (1 s)"


def test_503_is_retried_then_succeeds(world: World, caplog: Any) -> None:
    # The worker stays busy for the server's whole budget (4 s): enough retries to outlast it on a slow machine.
    client = Client(api_url=world.url, license_key=world.key, backoff=0.05, max_retries=20)
    with world.occupied(world.key):
        with caplog.at_level(logging.WARNING, logger="smallest"):
            result = client.transcribe_url(f"{world.files}/hello.wav")
    assert result.text
    assert any("SERVICE_UNAVAILABLE" in r.getMessage() for r in caplog.records)


def test_a_reset_connection_is_retried(world: World, caplog: Any) -> None:
    # The proxy in front of the server resets its first connection; the retry goes through to the server.
    client = Client(api_url=world.reset_url, license_key=world.key, backoff=0.05)
    with caplog.at_level(logging.WARNING, logger="smallest"):
        result = client.transcribe_file(world.speech)
    assert result.text
    assert any("CONNECTION_ERROR" in r.getMessage() for r in caplog.records)


def test_other_4xx_are_not_retried(world: World, caplog: Any) -> None:
    client = Client(api_url=world.url, license_key=world.key, backoff=0.05)
    with caplog.at_level(logging.WARNING, logger="smallest"), pytest.raises(smallest.UrlNotAllowedError):
        client.transcribe_url("s3://bucket/a.wav")
    assert not [r for r in caplog.records if "retry" in r.getMessage()]


def test_client_side_rate_limit_waits_instead_of_sending(world: World) -> None:
    limiter = RateLimiter(max_calls=1, period=0.8)
    client = Client(api_url=world.url, license_key=world.key, rate_limiter=limiter)
    short = wav_bytes(0.5)
    started = time.monotonic()
    for _ in range(3):
        client.transcribe_file(short)
    assert time.monotonic() - started >= 1.6, "the 2nd and 3rd requests each waited for the window"
    assert Client(api_url=world.url, license_key=world.key, max_requests_per_minute=100).rate_limiter is not None


def test_rate_limiter_is_shared_safely_between_threads() -> None:
    clock = [0.0]
    sleeps: List[float] = []
    lock = threading.Lock()

    def fake_sleep(seconds: float) -> None:
        with lock:
            sleeps.append(seconds)
            clock[0] += seconds

    limiter = RateLimiter(max_calls=2, period=10.0, clock=lambda: clock[0], sleep=fake_sleep)
    threads = [threading.Thread(target=limiter.acquire) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(limiter._starts) == 2 and clock[0] >= 10.0, "two in the first window, two after it"


def test_webhook_job_polled_to_completion(world: World) -> None:
    client = Client(api_url=world.url, license_key=world.key)
    job = client.transcribe_url(f"{world.files}/hello.wav", callback_url=f"{world.hooks}/hook", timestamps=True)
    assert isinstance(job, smallest.Job)
    assert job.status == "processing" and job.job_id.startswith("job_")
    result = client.wait_for_job(job.job_id, timeout=60, poll_interval=0.2)
    assert result.text and result.words and result.request_id == job.job_id
    polled = client.get_job(job.job_id)
    assert polled.done and polled.result == result
    deadline = time.monotonic() + 10
    while not any(h.get("job_id") == job.job_id for h in world.hooks_received()):
        assert time.monotonic() < deadline, "the webhook never arrived"
        time.sleep(0.1)
    delivered = next(h for h in world.hooks_received() if h["job_id"] == job.job_id)
    assert delivered["status"] == "completed" and delivered["result"]["text"] == result.text

    uploaded = client.transcribe_file(world.speech, callback_url=f"{world.hooks}/hook")
    assert client.wait_for_job(uploaded.job_id, timeout=60, poll_interval=0.2).text == result.text


def test_a_failed_job_raises_its_own_error_class(world: World) -> None:
    client = Client(api_url=world.url, license_key=world.key)
    job = client.transcribe_url(f"{world.files}/missing.wav", callback_url=f"{world.hooks}/hook")
    with pytest.raises(smallest.UrlFetchError) as e:
        client.wait_for_job(job.job_id, timeout=60, poll_interval=0.2)
    assert e.value.code == "URL_FETCH_FAILED" and e.value.details["job_id"] == job.job_id


def test_the_license_key_never_shows(world: World, caplog: Any) -> None:
    secret = world.key
    client = Client(api_url=world.dead_url, license_key=secret, max_retries=1, backoff=0.01)
    texts = [repr(client), str(client)]
    with caplog.at_level(logging.DEBUG):
        for call in (
            lambda: client.transcribe_url("https://example.com/a.wav"),
            lambda: Client(api_url=world.url, license_key=secret, max_retries=0).transcribe_url("s3://x/a.wav"),
            lambda: Client(api_url=world.url, license_key=secret + "x", max_retries=0).transcribe_file(b"x"),
        ):
            with pytest.raises(smallest.SmallestApiError) as e:
                call()
            texts += [str(e.value), repr(e.value), repr(e.value.details)]
    texts += [r.getMessage() for r in caplog.records]
    assert caplog.records, "something was logged at DEBUG (requests/urllib3 and our retries)"
    for text in texts:
        assert secret not in text
    assert "<hidden>" in repr(client)
