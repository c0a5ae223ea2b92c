"""``Client``: the Smallest Self-Host API from Python, with the seed's shape::

    from smallest import Client

    client = Client(api_url="http://localhost:7100", license_key="...")
    result = client.transcribe_url("https://example.com/audio.wav")
    print(result.text)

It sends ``Authorization: Token <key>``, retries what is worth retrying (see ``_retry``) with exponential back-off
and jitter that honours the server's ``retry_after``, can hold itself to a request rate, and raises one exception
class per documented error code. Its only dependency is ``requests``.
"""

from __future__ import annotations

import itertools
import logging
import os
import time
import urllib.parse
from typing import Any, Dict, Mapping, Optional, Tuple, Union, overload

import requests

from . import __version__
from ._retry import RetryPolicy, retry_delay
from ._upload import FileInput, MultipartBody, UploadSource
from .errors import (
    ApiConnectionError,
    RequestTimeoutError,
    ServerError,
    SmallestApiError,
    error_from_body,
    parse_retry_after,
)
from .ratelimit import RateLimiter
from .types import Health, Job, TranscriptionResult

log = logging.getLogger("smallest")

_JSON = Dict[str, Any]


class Client:
    """A client for one server; use it as a context manager or call ``close()`` to release its connections."""

    def __init__(
        self,
        api_url: str,
        license_key: Optional[str] = None,
        *,
        timeout: float = 300.0,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_retry_after: float = 120.0,
        max_requests_per_minute: Optional[int] = None,
        rate_limiter: Optional[RateLimiter] = None,
        verify: Union[bool, str] = True,
        session: Optional[requests.Session] = None,
    ) -> None:
        """
        :param api_url: the server, e.g. ``http://localhost:7100``.
        :param license_key: the license key; defaults to the ``LICENSE_KEY`` environment variable.
        :param timeout: seconds to wait for an answer (the server's own budget is 300 s).
        :param max_retries: retries after the first attempt; 0 turns retrying off.
        :param backoff: first back-off delay in seconds, doubled on each retry (with jitter), capped at ``max_backoff``.
        :param max_retry_after: a server asking to wait longer than this gets its error raised instead.
        :param max_requests_per_minute: client-side rate limit: wait instead of sending a request the license's
            per-minute limit would refuse.
        :param rate_limiter: a ``RateLimiter`` of your own (any window; share one between clients).
        :param verify: TLS verification, or the path of a CA bundle for a private certificate.
        :param session: a ``requests.Session`` to use (proxies, adapters); by default the client makes its own.
        """
        if not api_url:
            raise ValueError("Client: api_url is required")
        key = license_key if license_key is not None else os.environ.get("LICENSE_KEY")
        if not key:
            raise ValueError("Client: license_key is required (or set LICENSE_KEY)")
        self.api_url = api_url.rstrip("/")
        self._license_key = key
        self.timeout = float(timeout)
        self.retry = RetryPolicy(max_retries, backoff, max_backoff, max_retry_after)
        self.rate_limiter = rate_limiter or (
            RateLimiter(max_requests_per_minute, 60.0) if max_requests_per_minute else None
        )
        self._verify = verify
        self._session = session or requests.Session()
        self._own_session = session is None

    def __repr__(self) -> str:
        return f"Client(api_url={self.api_url!r}, license_key=<hidden>)"

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own_session:
            self._session.close()

    # --- the API -------------------------------------------------------------------------------------------------

    @overload
    def transcribe_url(
        self,
        url: str,
        *,
        language: Optional[str] = ...,
        punctuate: Optional[bool] = ...,
        timestamps: Optional[bool] = ...,
        diarize: Optional[bool] = ...,
        num_speakers: Optional[int] = ...,
        callback_url: None = ...,
        request_id: Optional[str] = ...,
    ) -> TranscriptionResult: ...

    @overload
    def transcribe_url(
        self,
        url: str,
        *,
        language: Optional[str] = ...,
        punctuate: Optional[bool] = ...,
        timestamps: Optional[bool] = ...,
        diarize: Optional[bool] = ...,
        num_speakers: Optional[int] = ...,
        callback_url: str,
        request_id: Optional[str] = ...,
    ) -> Job: ...

    def transcribe_url(
        self,
        url: str,
        *,
        language: Optional[str] = None,
        punctuate: Optional[bool] = None,
        timestamps: Optional[bool] = None,
        diarize: Optional[bool] = None,
        num_speakers: Optional[int] = None,
        callback_url: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> Union[TranscriptionResult, Job]:
        """Transcribes audio the server downloads. With ``callback_url`` the answer is a ``Job`` at once."""
        options = _options(language, punctuate, timestamps, diarize, num_speakers, callback_url)
        body = self._request("POST", "/v1/listen", json={"url": url, **options}, request_id=request_id)
        return Job.from_json(body) if callback_url else TranscriptionResult.from_json(body)

    @overload
    def transcribe_file(
        self,
        file: FileInput,
        *,
        filename: Optional[str] = ...,
        language: Optional[str] = ...,
        punctuate: Optional[bool] = ...,
        timestamps: Optional[bool] = ...,
        diarize: Optional[bool] = ...,
        num_speakers: Optional[int] = ...,
        callback_url: None = ...,
        request_id: Optional[str] = ...,
    ) -> TranscriptionResult: ...

    @overload
    def transcribe_file(
        self,
        file: FileInput,
        *,
        filename: Optional[str] = ...,
        language: Optional[str] = ...,
        punctuate: Optional[bool] = ...,
        timestamps: Optional[bool] = ...,
        diarize: Optional[bool] = ...,
        num_speakers: Optional[int] = ...,
        callback_url: str,
        request_id: Optional[str] = ...,
    ) -> Job: ...

    def transcribe_file(
        self,
        file: FileInput,
        *,
        filename: Optional[str] = None,
        language: Optional[str] = None,
        punctuate: Optional[bool] = None,
        timestamps: Optional[bool] = None,
        diarize: Optional[bool] = None,
        num_speakers: Optional[int] = None,
        callback_url: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> Union[TranscriptionResult, Job]:
        """Uploads audio (a path, bytes or a binary file object) as multipart ``audio``, streamed from disk.

        A file object is read from its current position; one that cannot seek (a pipe) is read into memory once so
        that a retry can send it again.
        """
        options = _options(language, punctuate, timestamps, diarize, num_speakers, callback_url)
        fields = {k: _form_value(v) for k, v in options.items()}
        source = UploadSource(file, filename)
        body = self._request("POST", "/v1/listen", upload=(fields, source), request_id=request_id)
        return Job.from_json(body) if callback_url else TranscriptionResult.from_json(body)

    def health(self, *, detailed: bool = False) -> Health:
        """``GET /health`` (no key needed, never retried): the answer for 200 and 503 alike."""
        path = "/health?detailed=true" if detailed else "/health"
        return Health.from_json(self._attempt("GET", path, auth=False, accept=(200, 503)))

    def get_job(self, job_id: str) -> Job:
        """The state of a callback job (only the key that created it may see it)."""
        return Job.from_json(self._request("GET", f"/v1/jobs/{urllib.parse.quote(job_id, safe='')}"))

    def wait_for_job(self, job_id: str, *, timeout: float = 1800.0, poll_interval: float = 1.0) -> TranscriptionResult:
        """Polls a callback job until it ends: its transcript, or the job's own error raised as its class."""
        deadline = time.monotonic() + timeout
        interval = poll_interval
        while True:
            job = self.get_job(job_id)
            if job.status == "completed" and job.result is not None:
                return job.result
            if job.status == "failed":
                raise job.error or ServerError("The job failed", code="INTERNAL_ERROR", details={"job_id": job_id})
            if time.monotonic() + interval > deadline:
                raise RequestTimeoutError(
                    f"Job {job_id} did not finish within {timeout:g} s", code="TIMEOUT", details={"job_id": job_id}
                )
            time.sleep(interval)
            interval = min(interval * 1.5, 5.0)

    # --- transport -----------------------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Optional[_JSON] = None,
        upload: Optional[Tuple[Mapping[str, str], UploadSource]] = None,
        request_id: Optional[str] = None,
    ) -> _JSON:
        for attempt in itertools.count():
            if self.rate_limiter is not None:
                waited = self.rate_limiter.acquire()
                if waited > 0:
                    log.info("rate limit: waited %.1f s before %s %s", waited, method, path)
            try:
                return self._attempt(method, path, json=json, upload=upload, request_id=request_id)
            except SmallestApiError as error:
                delay = retry_delay(error, attempt, self.retry)
                if delay is None:
                    raise
                log.warning(
                    "%s %s: %s; retry %d of %d in %.1f s", method, path, error, attempt + 1, self.retry.max_retries, delay
                )
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _attempt(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        json: Optional[_JSON] = None,
        upload: Optional[Tuple[Mapping[str, str], UploadSource]] = None,
        request_id: Optional[str] = None,
        accept: Tuple[int, ...] = (),
    ) -> _JSON:
        headers = {"Accept": "application/json", "User-Agent": f"earshot-client-python/{__version__}"}
        if auth:
            headers["Authorization"] = f"Token {self._license_key}"
        if request_id:
            headers["X-Request-ID"] = request_id
        stream = None
        data: Optional[MultipartBody] = None
        close_stream = False
        if upload is not None:
            fields, source = upload
            stream, size, close_stream = source.open()
            data = MultipartBody(fields, stream, size, source.filename)
            headers["Content-Type"] = data.content_type
        try:
            res = self._session.request(
                method,
                self.api_url + path,
                headers=headers,
                json=json,
                data=data,
                timeout=(min(10.0, self.timeout), self.timeout),
                verify=self._verify,
            )
        except requests.exceptions.ConnectTimeout as e:
            raise ApiConnectionError(
                f"Cannot connect to {self.api_url}: connection timed out", code="CONNECTION_ERROR"
            ) from e
        except requests.exceptions.Timeout as e:
            raise RequestTimeoutError(f"No answer from {self.api_url} within {self.timeout:g} s", code="TIMEOUT") from e
        except requests.exceptions.ConnectionError as e:
            raise ApiConnectionError(f"Cannot connect to {self.api_url}: {_reason(e)}", code="CONNECTION_ERROR") from e
        finally:
            if close_stream and stream is not None:
                stream.close()
        with res:
            if not (200 <= res.status_code < 300) and res.status_code not in accept:
                raise _error_from_response(res)
            try:
                body = res.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                raise ServerError(
                    f"The server answered {res.status_code} with a body that is not a JSON object",
                    status=res.status_code,
                    code="INVALID_RESPONSE",
                    request_id=res.headers.get("X-Request-ID"),
                )
            return body


def _options(
    language: Optional[str],
    punctuate: Optional[bool],
    timestamps: Optional[bool],
    diarize: Optional[bool],
    num_speakers: Optional[int],
    callback_url: Optional[str],
) -> _JSON:
    """The API's option names; unset ones are left out so the server's defaults apply."""
    given = {
        "language": language,
        "punctuate": punctuate,
        "timestamps": timestamps,
        "diarize": diarize,
        "num_speakers": num_speakers,
        "callback_url": callback_url,
    }
    return {k: v for k, v in given.items() if v is not None}


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _error_from_response(res: requests.Response) -> SmallestApiError:
    try:
        parsed = res.json()
    except ValueError:
        parsed = None
    body: Mapping[str, Any] = parsed if isinstance(parsed, dict) else {"error": res.text[:200]}
    return error_from_body(
        body,
        status=res.status_code,
        request_id=res.headers.get("X-Request-ID"),
        retry_after=parse_retry_after(res.headers.get("Retry-After")) if "retry_after" not in body else None,
    )


def _reason(error: BaseException) -> str:
    """The innermost OS-level reason ("[Errno 111] Connection refused"), not urllib3's nested wrapper text."""
    seen = set()
    stack = [error]
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, OSError) and e.errno is not None and e.strerror:
            return f"{e.strerror} (errno {e.errno})"
        for nested in (getattr(e, "reason", None), e.__cause__, e.__context__, *getattr(e, "args", ())):
            if isinstance(nested, BaseException):
                stack.append(nested)
    return str(error)
