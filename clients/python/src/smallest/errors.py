"""The server's documented error codes as exception classes.

Every error carries ``status`` (HTTP status, 0 when no answer arrived), ``code`` (the server's machine code),
``retry_after`` (seconds the server asked to wait, if it said), ``request_id`` and ``details`` (the body's other
fields: ``expires_at``, ``supported_formats``, ``max_size_mb`` ...). No message ever contains the license key.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any, Dict, Mapping, Optional, Type


class SmallestApiError(Exception):
    """Base class of every error this package raises for a request."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        code: str = "",
        details: Optional[Mapping[str, Any]] = None,
        request_id: Optional[str] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details: Dict[str, Any] = dict(details or {})
        self.request_id = request_id
        self.retry_after = retry_after

    def __str__(self) -> str:
        facts = [self.code or "ERROR"]
        if self.status:
            facts.append(f"HTTP {self.status}")
        if self.request_id:
            facts.append(f"request {self.request_id}")
        return f"{self.message} ({', '.join(facts)})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status}, code={self.code!r})"


class LicenseError(SmallestApiError):
    """The key was refused, or its license does not allow the request now (401/403)."""


class InvalidLicenseError(LicenseError):
    pass


class LicenseExpiredError(LicenseError):
    pass


class LicenseNotYetValidError(LicenseError):
    pass


class QuotaExceededError(LicenseError):
    pass


class RateLimitError(SmallestApiError):
    """429: the license's per-minute or concurrency limit; ``retry_after`` says when to come back."""


class BadRequestError(SmallestApiError):
    """400: the request itself is wrong; sending it again will not help."""


class MissingParameterError(BadRequestError):
    pass


class InvalidParameterError(BadRequestError):
    pass


class MalformedJsonError(BadRequestError):
    pass


class UrlNotAllowedError(BadRequestError):
    pass


class UrlFetchError(BadRequestError):
    pass


class MediaError(SmallestApiError):
    """415/422: the audio cannot be transcribed as sent."""


class UnsupportedFormatError(MediaError):
    pass


class FileTooLargeError(MediaError):
    pass


class AudioTooLongError(MediaError):
    pass


class EmptyAudioError(MediaError):
    pass


class CorruptMediaError(MediaError):
    pass


class NotFoundError(SmallestApiError):
    pass


class ServiceUnavailableError(SmallestApiError):
    """503: no worker free or the model still loading; ``retry_after`` says when to come back."""


class RequestTimeoutError(SmallestApiError, TimeoutError):
    """504 from the server, or no answer within the client's own time limit (status 0)."""


class ServerError(SmallestApiError):
    """500 and other 5xx answers."""


class ApiConnectionError(SmallestApiError, ConnectionError):
    """No HTTP answer at all: refused, reset, DNS failure (status 0, code CONNECTION_ERROR)."""


_BY_CODE: Dict[str, Type[SmallestApiError]] = {
    "INVALID_LICENSE": InvalidLicenseError,
    "LICENSE_EXPIRED": LicenseExpiredError,
    "LICENSE_NOT_YET_VALID": LicenseNotYetValidError,
    "QUOTA_EXCEEDED": QuotaExceededError,
    "RATE_LIMIT_EXCEEDED": RateLimitError,
    "MISSING_PARAMETER": MissingParameterError,
    "INVALID_PARAMETER": InvalidParameterError,
    "MALFORMED_JSON": MalformedJsonError,
    "URL_NOT_ALLOWED": UrlNotAllowedError,
    "URL_FETCH_FAILED": UrlFetchError,
    "UNSUPPORTED_FORMAT": UnsupportedFormatError,
    "FILE_TOO_LARGE": FileTooLargeError,
    "AUDIO_TOO_LONG": AudioTooLongError,
    "EMPTY_AUDIO": EmptyAudioError,
    "CORRUPT_MEDIA": CorruptMediaError,
    "NOT_FOUND": NotFoundError,
    "SERVICE_UNAVAILABLE": ServiceUnavailableError,
    "TIMEOUT": RequestTimeoutError,
    "INTERNAL_ERROR": ServerError,
}


def _class_for_status(status: int) -> Type[SmallestApiError]:
    """For answers without a known code (another server, a proxy in between)."""
    if status == 400:
        return BadRequestError
    if status == 401:
        return InvalidLicenseError
    if status == 403:
        return LicenseError
    if status == 404:
        return NotFoundError
    if status in (413, 415, 422):
        return MediaError
    if status == 429:
        return RateLimitError
    if status == 503:
        return ServiceUnavailableError
    if status == 504:
        return RequestTimeoutError
    if status >= 500:
        return ServerError
    return SmallestApiError


def _non_negative(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    try:
        n = float(value)
    except (TypeError, ValueError):
        return None
    return n if n >= 0 and n == n and n != float("inf") else None


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """``Retry-After`` is either seconds or an HTTP date."""
    if not value:
        return None
    seconds = _non_negative(value.strip())
    if seconds is not None:
        return seconds
    try:
        at = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, at - (time.time() if now is None else now))


def error_from_body(
    body: Mapping[str, Any],
    *,
    status: int = 0,
    request_id: Optional[str] = None,
    retry_after: Optional[float] = None,
) -> SmallestApiError:
    """The exception for an error body ``{error, code, ...details}``.

    Use it for HTTP answers, and for the ``error`` of a failed job as polled or as delivered to your webhook.
    """
    details = {k: v for k, v in body.items() if k not in ("error", "code")}
    code = body.get("code")
    cls = _BY_CODE.get(code) if isinstance(code, str) else None
    if cls is None:
        cls = _class_for_status(status)
    message = body.get("error")
    if retry_after is None:
        retry_after = _non_negative(body.get("retry_after"))
    if request_id is None and isinstance(body.get("request_id"), str):
        request_id = body["request_id"]
    return cls(
        message if isinstance(message, str) and message else f"HTTP {status}",
        status=status,
        code=code if isinstance(code, str) else f"HTTP_{status}",
        details=details,
        request_id=request_id,
        retry_after=retry_after,
    )
