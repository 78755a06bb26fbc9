"""Files uploaded to the staff area: only what Gradio stored for an upload, read with limits.

A Gradio event names its input files by server path, and the client chooses that path.
Gradio's own check that a path came from an upload is switched off in apps mounted with
`gr.mount_gradio_app` (it depends on an internal "launched" flag), so a logged-in
account could name `/etc/passwd` or any project file. `StaffUploads` therefore keeps its
own list of the paths the staff app's upload route answered with (recorded by
`bot.web.web_guard`); a handler accepts a file only if it is on that list, lies inside the
upload folder without symlinks, and is a regular file. Each file is deleted once it has
been used (or refused), so uploads do not pile up in the temp folder.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import time
from pathlib import Path

from bot.staff.corpus_admin import UploadError, too_large

_CHUNK = 1024 * 1024


class NotUploaded(UploadError):
    """The path was not stored by an upload to the staff area (or was used already)."""


def read_bounded(path: str | Path, max_bytes: int) -> bytes:
    """Read a regular file of at most `max_bytes`, deciding from its size before reading.

    FIFOs, devices (`/dev/zero`) and symlinks are refused without reading; the file is
    read in 1 MB chunks and never more than `max_bytes + 1` bytes, even if it grows.
    """
    try:
        # O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise UploadError("Die Datei kann nicht gelesen werden.") from exc
    with os.fdopen(fd, "rb", buffering=0) as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UploadError("Das ist keine gewöhnliche Datei.")
        if info.st_size > max_bytes:
            raise too_large(info.st_size, max_bytes)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = handle.read(min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise too_large(total, max_bytes)
            chunks.append(chunk)
    return b"".join(chunks)


class StaffUploads:
    """The files the staff app's upload route stored, until a handler has used them.

    Entries older than `max_age_seconds` are forgotten and their files deleted, so an
    upload that was never submitted with "Hochladen" does not stay on disk. Kept in
    memory per process: uploads and the event that uses them must reach the same
    process (Gradio needs sticky sessions anyway).
    """

    def __init__(self, upload_root: str | Path, max_age_seconds: float = 3600.0) -> None:
        self.root = Path(os.path.realpath(upload_root))
        self.max_age_seconds = max_age_seconds
        self._known: dict[str, float] = {}
        self._lock = threading.Lock()

    def _key(self, path: str | Path) -> str | None:
        """The real path if it lies inside the upload folder, else None."""
        try:
            real = Path(os.path.realpath(path))
        except (OSError, ValueError):
            return None
        if real == self.root or self.root not in real.parents:
            return None
        return str(real)

    def record(self, paths: list[str]) -> None:
        """Called with the paths the upload route answered; paths outside the folder are ignored."""
        now = time.monotonic()
        with self._lock:
            for path in paths:
                key = self._key(path)
                if key is not None:
                    self._known[key] = now
            stale = [k for k, t in self._known.items() if now - t > self.max_age_seconds]
            for key in stale:
                del self._known[key]
        for key in stale:
            self._remove(key)

    def is_known(self, path: str | Path) -> bool:
        key = self._key(path)
        with self._lock:
            return key is not None and key in self._known

    def take(self, path: str | Path, max_bytes: int) -> bytes:
        """The content of an uploaded file; the file is deleted whether it is accepted or not."""
        key = self._key(path)
        with self._lock:
            known = key is not None and self._known.pop(key, None) is not None
        if not known or key is None:
            raise NotUploaded("Die Datei wurde nicht über diese Seite hochgeladen.")
        try:
            return read_bounded(key, max_bytes)
        finally:
            self._remove(key)

    def _remove(self, key: str) -> None:
        """Delete the file and its per-upload folder (Gradio stores `<root>/<sha256>/<name>`)."""
        path = Path(key)
        with contextlib.suppress(OSError):
            path.unlink()
        parent = path.parent
        if parent != self.root and self.root in parent.parents:
            with contextlib.suppress(OSError):
                parent.rmdir()  # only if empty: the same content may be pending twice
