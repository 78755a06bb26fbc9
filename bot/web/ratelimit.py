"""Requests per key per time window: a small in-memory sliding window, and opaque client keys.

Keys are never IPs: a browser session id, or `ClientKeys.key(address)`, an HMAC of the
client address with a secret that exists only in this process's memory (new on every
start, never written). So the limiter can protect the shared CPU from one flooding client,
including one that opens new sessions, without keeping personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable


class ClientKeys:
    """Opaque, per-process keys for client addresses (IPv6 counted per /64 network)."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    def key(self, address: str | None) -> str | None:
        if not address:
            return None
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            normalised = address  # e.g. "testclient"; still hashed
        else:
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
                ip = ip.ipv4_mapped
            if ip.version == 6:  # one household or phone usually gets a whole /64
                normalised = str(ipaddress.ip_network(f"{ip}/64", strict=False))
            else:
                normalised = str(ip)
        return hmac.new(self._secret, normalised.encode(), hashlib.sha256).hexdigest()[:24]


class RateLimiter:
    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record a request for `key`; False when it is over the limit (not recorded then)."""
        return allow_all([(self, key)])

    def _full(self, key: str, now: float) -> bool:
        hits = self._hits.get(key)
        if hits is None:
            return False
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        return len(hits) >= self.limit

    def _record(self, key: str, now: float) -> None:
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self._max_keys:
                self._forget_idle(now)
            hits = self._hits[key] = deque()
        hits.append(now)

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, h in self._hits.items() if not h or now - h[-1] >= self.window]
        for key in idle:
            del self._hits[key]
        if len(self._hits) >= self._max_keys:  # still full: drop the oldest half
            for key in list(self._hits)[: self._max_keys // 2]:
                del self._hits[key]


_ALL_LOCK = threading.Lock()


def allow_all(checks: list[tuple[RateLimiter, str | None]]) -> bool:
    """One request against several limits (session, client, whole process): recorded in all
    of them only when none is full, so a refused request uses up no budget anywhere."""
    present = [(limiter, key) for limiter, key in checks if key is not None]
    with _ALL_LOCK:
        stamps = [(limiter, key, limiter._clock()) for limiter, key in present]
        for limiter, key, now in stamps:
            with limiter._lock:
                if limiter._full(key, now):
                    return False
        for limiter, key, now in stamps:
            with limiter._lock:
                limiter._record(key, now)
        return True
