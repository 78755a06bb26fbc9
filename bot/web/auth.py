"""Staff login on the web: checks names and passwords against the accounts
(`bot.staff.users`), with throttling. Failed logins slow down the attacked account
(growing backoff) and the attacking client, never other accounts: see `LoginGuard`.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from bot.staff.users import UserStore
from bot.web.ratelimit import ClientKeys

FREE_FAILURES = 5  # per account, before the backoff starts
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_MAX_SECONDS = 15 * 60.0
FAILURE_MEMORY_SECONDS = 24 * 3600.0
MAX_FAILURES_PER_CLIENT = 20
CLIENT_WINDOW_SECONDS = 15 * 60.0
TRUSTED_CLIENT_SECONDS = 30 * 24 * 3600.0  # a successful login exempts that client this long


class LoginGuard:
    """Slows password guessing without letting an attacker lock out accounts he does not attack.

    - Per account: the first `FREE_FAILURES` failures cost nothing; after that the account
      waits `BACKOFF_BASE_SECONDS`, doubling with each further failure up to
      `BACKOFF_MAX_SECONDS`. Refused attempts are not counted, so the waiting time does not
      grow while the real user tries again. Failures are forgotten after `FAILURE_MEMORY`
      without a failure, or at a successful login. A client that logged in to the account
      successfully before (in this process) is not held back by the account's backoff:
      an attacker elsewhere cannot lock the owner out of the machine he normally uses.
    - Per client (an opaque key of the client address, see `ClientKeys`):
      `MAX_FAILURES_PER_CLIENT` failures within `CLIENT_WINDOW_SECONDS` block that client only.
    - There is no global counter: failures for random names never block other accounts.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_entries: int = 10_000):
        self._clock = clock
        self._max = max_entries
        self._accounts: dict[str, tuple[int, float]] = {}  # name -> (failures, last failure)
        self._clients: dict[str, deque[float]] = {}
        self._trusted: dict[tuple[str, str], float] = {}  # (name, client) -> last success
        self._lock = threading.Lock()

    @staticmethod
    def backoff(failures: int) -> float:
        """Seconds an account waits after `failures` consecutive failures."""
        if failures < FREE_FAILURES:
            return 0.0
        return min(BACKOFF_BASE_SECONDS * 2.0 ** (failures - FREE_FAILURES), BACKOFF_MAX_SECONDS)

    def retry_after(self, name: str, client: str | None = None) -> float:
        """0 when an attempt may be checked now, else the seconds until it may."""
        now = self._clock()
        name = name.lower()
        with self._lock:
            wait = 0.0
            if client is not None:
                hits = self._clients.get(client)
                if hits:
                    while hits and now - hits[0] >= CLIENT_WINDOW_SECONDS:
                        hits.popleft()
                    if len(hits) >= MAX_FAILURES_PER_CLIENT:
                        wait = hits[0] + CLIENT_WINDOW_SECONDS - now
            state = self._accounts.get(name)
            if state is not None:
                failures, last = state
                if now - last >= FAILURE_MEMORY_SECONDS:
                    del self._accounts[name]
                elif not self._is_trusted(name, client, now):
                    wait = max(wait, last + self.backoff(failures) - now)
            return max(wait, 0.0)

    def _is_trusted(self, name: str, client: str | None, now: float) -> bool:
        since = self._trusted.get((name, client)) if client is not None else None
        return since is not None and now - since < TRUSTED_CLIENT_SECONDS

    def blocked(self, name: str, client: str | None = None) -> bool:
        return self.retry_after(name, client) > 0

    def failed(self, name: str, client: str | None = None) -> None:
        now = self._clock()
        name = name.lower()
        with self._lock:
            failures, _ = self._accounts.pop(name, (0, now))
            self._accounts[name] = (failures + 1, now)  # re-inserted: dict order = recency
            if client is not None:
                self._clients.setdefault(client, deque()).append(now)
                self._clients[client] = self._clients.pop(client)
            self._bound()

    def succeeded(self, name: str, client: str | None = None) -> None:
        with self._lock:
            self._accounts.pop(name.lower(), None)
            if client is not None:
                self._trusted.pop((name.lower(), client), None)
                self._trusted[(name.lower(), client)] = self._clock()
            self._bound()

    def _bound(self) -> None:
        """Bounded memory. Accounts in backoff are kept longest, so flooding the table
        with random names cannot reset the backoff of the account under attack."""
        if len(self._accounts) > self._max:
            cheap = [n for n, (f, _) in self._accounts.items() if f < FREE_FAILURES]
            for name in (cheap or list(self._accounts))[: len(self._accounts) - self._max // 2]:
                del self._accounts[name]
        tables: tuple[dict[Any, Any], ...] = (self._clients, self._trusted)
        for table in tables:
            while len(table) > self._max:
                del table[next(iter(table))]  # the least recently used


# Gradio calls the login callable with (name, password) only; the server's middleware puts
# the opaque key of the requesting client here for the duration of the request.
_LOGIN_CLIENT: ContextVar[str | None] = ContextVar("login_client", default=None)


class Authenticator:
    """`check(name, password)` for the login form: verifies, throttles and audits."""

    def __init__(
        self,
        store: UserStore,
        guard: LoginGuard,
        audit: Callable[..., None] | None = None,
        keys: ClientKeys | None = None,
    ) -> None:
        self.store = store
        self.guard = guard
        self.audit = audit
        self.keys = keys or ClientKeys()

    def client_key(self, address: str | None) -> str | None:
        return self.keys.key(address)

    def check(self, name: str, password: str, client: str | None = None) -> bool:
        """`client` is the opaque client key; by default the one of the current request."""
        client = client if client is not None else _LOGIN_CLIENT.get()
        name = (name or "").strip()[:100]
        if not name or self.guard.blocked(name, client):
            if self.audit:
                self.audit(name or "-", "login-blocked")
            return False
        user = self.store.verify(name, password or "")
        if user is None:
            self.guard.failed(name, client)
            if self.audit:
                self.audit(name, "login-failed")
            return False
        self.guard.succeeded(name, client)
        if self.audit:
            self.audit(name, "login")
        return True

    async def check_async(self, name: str, password: str) -> bool:
        """For Gradio's login route, which runs the callable on the event loop: bcrypt
        (about 0.2 s) runs in a worker thread, so login attempts never stall the chat."""
        import anyio

        client = _LOGIN_CLIENT.get()
        return await anyio.to_thread.run_sync(self.check, name, password, client)


class LoginClientMiddleware:
    """Pure ASGI middleware: makes the client key of each HTTP request visible to
    `Authenticator.check`. The address is what uvicorn reports (after its proxy-header
    handling, see docs/deployment.md); it is hashed at once and never stored."""

    def __init__(self, app: Any, authenticator: Authenticator) -> None:
        self.app = app
        self.authenticator = authenticator

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        token = _LOGIN_CLIENT.set(self.authenticator.client_key(client[0] if client else None))
        try:
            await self.app(scope, receive, send)
        finally:
            _LOGIN_CLIENT.reset(token)
