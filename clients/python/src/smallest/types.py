"""What the API answers, as small typed objects; ``raw`` always keeps the body exactly as received."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from .errors import SmallestApiError, error_from_body


@dataclass(frozen=True)
class Word:
    word: str
    start: float
    end: float
    confidence: float
    speaker: Optional[str] = None
    """With ``diarize=True``: ``SPEAKER_00``, ``SPEAKER_01``, ... in order of first appearance."""


@dataclass(frozen=True)
class SpeakerTurn:
    """With ``diarize=True``: who spoke when, a speaker's consecutive segments joined."""

    speaker: str
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class TranscriptionResult:
    text: str
    request_id: str
    confidence: float
    duration: float
    """Seconds of audio."""
    language: str
    words: List[Word]
    """Filled with ``timestamps=True``; empty otherwise."""
    speakers: List[SpeakerTurn]
    """Filled with ``diarize=True``; empty otherwise."""
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> "TranscriptionResult":
        return cls(
            text=str(body.get("text", "")),
            request_id=str(body.get("request_id", "")),
            confidence=float(body.get("confidence", 0.0)),
            duration=float(body.get("duration", 0.0)),
            language=str(body.get("language", "")),
            words=[
                Word(
                    str(w["word"]),
                    float(w["start"]),
                    float(w["end"]),
                    float(w.get("confidence", 0.0)),
                    str(w["speaker"]) if w.get("speaker") is not None else None,
                )
                for w in body.get("words") or []
            ],
            speakers=[
                SpeakerTurn(str(s["speaker"]), str(s["text"]), float(s["start"]), float(s["end"]))
                for s in body.get("speakers") or []
            ],
            raw=dict(body),
        )


@dataclass(frozen=True)
class Job:
    """An async (callback) job: ``processing``, then ``completed`` with ``result`` or ``failed`` with ``error``."""

    job_id: str
    status: str
    result: Optional[TranscriptionResult]
    error: Optional[SmallestApiError]
    callback_delivered: Optional[bool]
    """Whether your callback endpoint answered 2xx (unknown right after submitting)."""
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @property
    def done(self) -> bool:
        return self.status in ("completed", "failed")

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> "Job":
        job_id = str(body.get("job_id", ""))
        result = body.get("result")
        error = body.get("error")
        delivered = body.get("callback_delivered")
        return cls(
            job_id=job_id,
            status=str(body.get("status", "")),
            result=TranscriptionResult.from_json(result) if isinstance(result, Mapping) else None,
            error=error_from_body({**error, "job_id": job_id}) if isinstance(error, Mapping) else None,
            callback_delivered=delivered if isinstance(delivered, bool) else None,
            raw=dict(body),
        )


@dataclass(frozen=True)
class Health:
    status: str
    """``healthy`` or ``unhealthy``."""
    reason: Optional[str]
    """Why the server is not healthy (e.g. the model is still loading)."""
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @property
    def healthy(self) -> bool:
        return self.status == "healthy"

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> "Health":
        reason = body.get("reason")
        return cls(status=str(body.get("status", "")), reason=reason if isinstance(reason, str) else None, raw=dict(body))
