"""Every documented error code reaches the caller as its own exception class, with status, code, retry_after,
request_id and the body's extra fields: each one provoked for real on ``earshot serve``."""

from __future__ import annotations

import http.server
import threading
from typing import Any, Iterator, List, Tuple

import pytest
import requests

import smallest
from smallest import Client

from .conftest import World, wav_bytes


def no_retry(world: World, key: str) -> Client:
    return Client(api_url=world.url, license_key=key, max_retries=0)


def test_invalid_license(world: World) -> None:
    with pytest.raises(smallest.InvalidLicenseError) as e:
        no_retry(world, "not-a-license-key").transcribe_url(f"{world.files}/hello.wav")
    assert isinstance(e.value, smallest.LicenseError)
    assert (e.value.status, e.value.code) == (401, "INVALID_LICENSE")
    assert e.value.request_id


def test_license_expired(world: World) -> None:
    with pytest.raises(smallest.LicenseExpiredError) as e:
        no_retry(world, world.key_expired).transcribe_url(f"{world.files}/hello.wav")
    assert (e.value.status, e.value.code) == (403, "LICENSE_EXPIRED")
    assert e.value.details["expires_at"].endswith("Z")


def test_license_not_yet_valid(world: World) -> None:
    with pytest.raises(smallest.LicenseNotYetValidError) as e:
        no_retry(world, world.key_future).transcribe_url(f"{world.files}/hello.wav")
    assert (e.value.status, e.value.code) == (403, "LICENSE_NOT_YET_VALID")
    assert "starts_at" in e.value.details


def test_quota_exceeded(world: World) -> None:
    client = no_retry(world, world.key_quota)
    with pytest.raises(smallest.QuotaExceededError) as e:
        # The first clip may be charged before the quota runs out; by the second there is none left.
        for _ in range(2):
            client.transcribe_file(world.speech)
    assert (e.value.status, e.value.code) == (403, "QUOTA_EXCEEDED")
    assert "resets_at" in e.value.details


def test_rate_limit_exceeded_carries_retry_after(world: World) -> None:
    with world.slot_held(world.key_single):
        with pytest.raises(smallest.RateLimitError) as e:
            no_retry(world, world.key_single).transcribe_file(world.speech)
    assert (e.value.status, e.value.code) == (429, "RATE_LIMIT_EXCEEDED")
    assert e.value.retry_after == 1


@pytest.mark.parametrize(
    "call, cls, status, code",
    [
        (lambda c, w: c.transcribe_file(b""), smallest.MissingParameterError, 400, "MISSING_PARAMETER"),
        (lambda c, w: c.transcribe_url(f"{w.files}/hello.wav", language="x!"), smallest.InvalidParameterError, 400, "INVALID_PARAMETER"),
        (lambda c, w: c.transcribe_url(f"{w.files}/hello.wav", diarize=True, num_speakers=0), smallest.InvalidParameterError, 400, "INVALID_PARAMETER"),
        (lambda c, w: c.transcribe_url("s3://bucket/audio.wav"), smallest.UrlNotAllowedError, 400, "URL_NOT_ALLOWED"),
        (lambda c, w: c.transcribe_url(f"{w.files}/missing.wav"), smallest.UrlFetchError, 400, "URL_FETCH_FAILED"),
        (lambda c, w: c.transcribe_file(b"this is plain text, not audio " * 20), smallest.UnsupportedFormatError, 415, "UNSUPPORTED_FORMAT"),
        (lambda c, w: c.transcribe_file(wav_bytes(w.max_duration_s + 100)), smallest.AudioTooLongError, 422, "AUDIO_TOO_LONG"),
        (lambda c, w: c.transcribe_file(wav_bytes(0)), smallest.EmptyAudioError, 422, "EMPTY_AUDIO"),
        (lambda c, w: c.transcribe_file(w.corrupt), smallest.CorruptMediaError, 422, "CORRUPT_MEDIA"),
        (lambda c, w: c.get_job("job_00000000000000000000"), smallest.NotFoundError, 404, "NOT_FOUND"),
    ],
    ids=[
        "missing-parameter",
        "invalid-language",
        "num-speakers-out-of-range",
        "url-not-allowed",
        "url-fetch-failed",
        "unsupported-format",
        "audio-too-long",
        "empty-audio",
        "corrupt-media",
        "not-found",
    ],
)
def test_request_errors(world: World, call: Any, cls: type, status: int, code: str) -> None:
    with pytest.raises(cls) as e:
        call(no_retry(world, world.key), world)
    assert (e.value.status, e.value.code) == (status, code)
    assert e.value.request_id, "the X-Request-ID header is kept"
    assert str(e.value).startswith(e.value.message)


def test_unsupported_format_lists_the_formats(world: World) -> None:
    with pytest.raises(smallest.UnsupportedFormatError) as e:
        no_retry(world, world.key).transcribe_file(b"not audio at all" * 50)
    assert "wav" in e.value.details["supported_formats"]


def test_oversize_file(world: World, tmp_path: Any) -> None:
    big = tmp_path / "big.wav"
    big.write_bytes(wav_bytes(world.max_size_mb * 1024 * 1024 / 16000 + 10, rate=8000))  # 16 kB a second: over the cap
    with pytest.raises(smallest.FileTooLargeError) as e:
        no_retry(world, world.key).transcribe_file(str(big))
    assert isinstance(e.value, smallest.MediaError)
    assert (e.value.status, e.value.code, e.value.details["max_size_mb"]) == (422, "FILE_TOO_LARGE", world.max_size_mb)


def test_malformed_json_maps_to_its_class(world: World) -> None:
    # The client itself never sends malformed JSON; the server's real answer to it goes through the same mapping.
    res = requests.post(
        f"{world.url}/v1/listen",
        data=b"{not json",
        headers={"Authorization": f"Token {world.key}", "Content-Type": "application/json"},
        timeout=30,
    )
    error = smallest.error_from_body(res.json(), status=res.status_code, request_id=res.headers["X-Request-ID"])
    assert isinstance(error, smallest.MalformedJsonError) and isinstance(error, smallest.BadRequestError)
    assert (error.status, error.code) == (400, "MALFORMED_JSON")


def test_service_unavailable_carries_retry_after(world: World) -> None:
    with world.occupied(world.key):
        with pytest.raises(smallest.ServiceUnavailableError) as e:
            no_retry(world, world.key).transcribe_file(world.speech)
    assert (e.value.status, e.value.code) == (503, "SERVICE_UNAVAILABLE")
    assert e.value.retry_after is not None and e.value.retry_after >= 1


def test_server_timeout(world: World) -> None:
    # The download never finishes, so the server's 4 s budget runs out: 504 TIMEOUT.
    with pytest.raises(smallest.RequestTimeoutError) as e:
        no_retry(world, world.key).transcribe_url(f"{world.files}/stall.wav")
    world.release()
    assert isinstance(e.value, TimeoutError)
    assert (e.value.status, e.value.code) == (504, "TIMEOUT")


def test_dead_port_is_a_clear_connection_error(world: World) -> None:
    client = Client(api_url=world.dead_url, license_key=world.key, max_retries=2, backoff=0.01)
    with pytest.raises(smallest.ApiConnectionError) as e:
        client.transcribe_url(f"{world.files}/hello.wav")
    assert isinstance(e.value, ConnectionError)
    assert (e.value.status, e.value.code) == (0, "CONNECTION_ERROR")
    assert str(e.value).startswith(f"Cannot connect to {world.dead_url}: Connection refused")
    with pytest.raises(smallest.ApiConnectionError):
        client.health()


@pytest.fixture
def stand_in() -> Iterator[Tuple[str, List[int], List[str]]]:
    """earshot serve never answers 500 or 502 on demand, so a local stand-in does: each request pops a status."""
    statuses: List[int] = []
    seen: List[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen.append(self.path)
            status = statuses.pop(0) if statuses else 200
            body = (
                b'{"request_id":"req_x","text":"ok","confidence":1,"duration":1,"language":"en"}'
                if status == 200
                else b'{"error":"Internal server error","code":"INTERNAL_ERROR","request_id":"req_boom"}'
            )
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", statuses, seen
    finally:
        server.shutdown()


def test_500_is_a_server_error_and_not_retried(stand_in: Tuple[str, List[int], List[str]]) -> None:
    url, statuses, seen = stand_in
    statuses.append(500)
    with pytest.raises(smallest.ServerError) as e:
        Client(api_url=url, license_key="k", backoff=0.01).transcribe_url("https://example.com/a.wav")
    assert (e.value.status, e.value.code, e.value.request_id) == (500, "INTERNAL_ERROR", "req_boom")
    assert len(seen) == 1


def test_502_is_retried(stand_in: Tuple[str, List[int], List[str]]) -> None:
    url, statuses, seen = stand_in
    statuses.extend([502, 502])
    result = Client(api_url=url, license_key="k", backoff=0.01).transcribe_url("https://example.com/a.wav")
    assert result.text == "ok"
    assert len(seen) == 3
