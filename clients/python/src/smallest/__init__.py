"""Python client for the Smallest Self-Host speech-to-text API, as served by ``earshot serve``.

    from smallest import Client

    client = Client(api_url="http://localhost:7100", license_key="your-license-key-here")
    result = client.transcribe_url("https://example.com/audio.wav")
    print(result.text)
"""

__version__ = "0.1.0"

from ._retry import RetryPolicy, is_retryable  # noqa: E402
from .client import Client  # noqa: E402
from .errors import (  # noqa: E402
    ApiConnectionError,
    AudioTooLongError,
    BadRequestError,
    CorruptMediaError,
    EmptyAudioError,
    FileTooLargeError,
    InvalidLicenseError,
    InvalidParameterError,
    LicenseError,
    LicenseExpiredError,
    LicenseNotYetValidError,
    MalformedJsonError,
    MediaError,
    MissingParameterError,
    NotFoundError,
    QuotaExceededError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ServiceUnavailableError,
    SmallestApiError,
    UnsupportedFormatError,
    UrlFetchError,
    UrlNotAllowedError,
    error_from_body,
)
from .ratelimit import RateLimiter  # noqa: E402
from .types import Health, Job, SpeakerTurn, TranscriptionResult, Word  # noqa: E402

__all__ = [
    "ApiConnectionError",
    "AudioTooLongError",
    "BadRequestError",
    "Client",
    "CorruptMediaError",
    "EmptyAudioError",
    "FileTooLargeError",
    "Health",
    "InvalidLicenseError",
    "InvalidParameterError",
    "Job",
    "LicenseError",
    "LicenseExpiredError",
    "LicenseNotYetValidError",
    "MalformedJsonError",
    "MediaError",
    "MissingParameterError",
    "NotFoundError",
    "QuotaExceededError",
    "RateLimitError",
    "RateLimiter",
    "RequestTimeoutError",
    "RetryPolicy",
    "ServerError",
    "ServiceUnavailableError",
    "SmallestApiError",
    "SpeakerTurn",
    "TranscriptionResult",
    "UnsupportedFormatError",
    "UrlFetchError",
    "UrlNotAllowedError",
    "Word",
    "error_from_body",
    "is_retryable",
]
