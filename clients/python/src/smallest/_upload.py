"""A multipart/form-data body that streams its file part instead of holding it in memory.

``requests`` builds ``files=`` uploads in memory, which for the server's 100 MB limit means 100 MB of RAM per upload;
this body reads the file as the socket sends it and still declares its exact Content-Length (so the server can refuse
an oversize upload before reading it). A new body is made for every attempt, so retries send the file again from the
start.
"""

from __future__ import annotations

import io
import os
import secrets
from typing import IO, BinaryIO, Iterator, List, Mapping, Optional, Tuple, Union

FileInput = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, BinaryIO]

_CHUNK = 64 * 1024


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")


class MultipartBody:
    def __init__(self, fields: Mapping[str, str], source: IO[bytes], size: int, filename: str) -> None:
        self.boundary = f"earshot-{secrets.token_hex(16)}"
        head = b"".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quote(k)}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        )
        head += (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="audio"; filename="{_quote(filename)}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._parts: List[Tuple[IO[bytes], int]] = [(io.BytesIO(head), len(head)), (source, size), (io.BytesIO(tail), len(tail))]
        self._length = len(head) + size + len(tail)

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1) -> bytes:
        """What http.client calls while sending: the next bytes of head, file, tail in turn."""
        want = _CHUNK if size is None or size < 0 else size
        while self._parts:
            stream, remaining = self._parts[0]
            if remaining <= 0:
                self._parts.pop(0)
                continue
            data = stream.read(min(want, remaining))
            if not data:
                raise OSError("the file got shorter while it was being uploaded")
            self._parts[0] = (stream, remaining - len(data))
            return data
        return b""

    def __iter__(self) -> Iterator[bytes]:
        # requests treats a body with __iter__ as a stream (and sends it with http.client, which calls read()).
        while True:
            chunk = self.read(_CHUNK)
            if not chunk:
                return
            yield chunk


class UploadSource:
    """Where an attempt's file bytes come from: a path (opened per attempt), bytes, or a file object."""

    def __init__(self, file: FileInput, filename: Optional[str]) -> None:
        self._path: Optional[str] = None
        self._data: Optional[bytes] = None
        self._stream: Optional[BinaryIO] = None
        self._start = 0
        if isinstance(file, (str, os.PathLike)):
            self._path = os.fspath(file)
            self.filename = filename or os.path.basename(self._path) or "audio"
        elif isinstance(file, (bytes, bytearray, memoryview)):
            self._data = bytes(file)
            self.filename = filename or "audio"
        elif hasattr(file, "read"):
            name = getattr(file, "name", None)
            self.filename = filename or (os.path.basename(name) if isinstance(name, str) else "") or "audio"
            if _seekable(file):
                self._stream = file
                self._start = file.tell()
            else:
                # A pipe or socket cannot be rewound for a retry: read it once.
                self._data = file.read()
        else:
            raise TypeError("transcribe_file: pass a path, bytes or a binary file object")

    def open(self) -> Tuple[IO[bytes], int, bool]:
        """The stream for one attempt, its size, and whether the caller must close it."""
        if self._path is not None:
            f = open(self._path, "rb")
            return f, os.fstat(f.fileno()).st_size, True
        if self._data is not None:
            return io.BytesIO(self._data), len(self._data), True
        assert self._stream is not None
        self._stream.seek(0, os.SEEK_END)
        size = self._stream.tell() - self._start
        self._stream.seek(self._start)
        return self._stream, size, False


def _seekable(file: object) -> bool:
    try:
        return bool(getattr(file, "seekable")()) and hasattr(file, "tell")
    except (AttributeError, OSError, ValueError):
        return False
