"""Staff and admin accounts: bcrypt-hashed passwords from a file, roles, login throttling.

Citizens never log in. Accounts live in a JSON file (`BOT_USERS_FILE`, default
`data/users.json`) that holds only bcrypt hashes; a plain-text password in it is refused
loudly. `python -m bot user add NAME --role admin` writes entries. Failed logins are
limited per user name and overall, so guessing is slow even for many names.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROLES = ("staff", "admin")
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_TOTAL = 50
FAILURE_WINDOW_SECONDS = 15 * 60


class AuthConfigError(ValueError):
    """The users file is unusable; the message tells the admin what to fix."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def hash_password(password: str) -> str:
    import bcrypt

    if len(password) < 10:
        raise ValueError("Passwort zu kurz: mindestens 10 Zeichen.")
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=12)).decode("ascii")


def _check_password(password: str, hashed: str) -> bool:
    import bcrypt

    try:
        return bcrypt.checkpw(password.encode("utf-8")[:72], hashed.encode("ascii"))
    except ValueError:
        return False


class UserStore:
    """Accounts read from the users file; re-read when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime: float | None = None
        self._users: dict[str, tuple[str, str]] = {}  # name -> (role, hash)
        self._lock = threading.Lock()

    def _load(self) -> None:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            self._users, self._mtime = {}, None
            return
        if mtime == self._mtime:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise AuthConfigError(f"{self.path}: kein gültiges JSON ({exc.msg})") from exc
        users: dict[str, tuple[str, str]] = {}
        for entry in data.get("users", []):
            name, role, hashed = entry.get("name"), entry.get("role"), entry.get("password_hash")
            unknown = set(entry) - {"name", "role", "password_hash"}
            if unknown:
                raise AuthConfigError(f"{self.path}: unbekannte Felder {sorted(unknown)}")
            if not name or role not in ROLES:
                raise AuthConfigError(f"{self.path}: Eintrag braucht name und role {ROLES}")
            if not isinstance(hashed, str) or not hashed.startswith(("$2a$", "$2b$", "$2y$")):
                raise AuthConfigError(
                    f"{self.path}: Benutzer {name!r} hat kein bcrypt-Passwort. Klartext-"
                    "Passwörter sind nicht erlaubt: `python -m bot user add` verwenden."
                )
            users[name] = (role, hashed)
        self._users, self._mtime = users, mtime

    def verify(self, name: str, password: str) -> User | None:
        with self._lock:
            self._load()
            entry = self._users.get(name)
        if entry is None:
            # spend the same time as a real check, so names cannot be probed by timing
            _check_password(password, "$2b$12$" + "." * 53)
            return None
        role, hashed = entry
        return User(name, role) if _check_password(password, hashed) else None

    def get(self, name: str) -> User | None:
        with self._lock:
            self._load()
            entry = self._users.get(name)
        return User(name, entry[0]) if entry else None

    def names(self) -> list[str]:
        with self._lock:
            self._load()
            return sorted(self._users)

    def add(self, name: str, role: str, password: str) -> None:
        """Create or replace an account (used by the CLI)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        data = {"users": []}
        if self.path.exists():
            data = json.loads(self.path.read_text(encoding="utf-8"))
        data["users"] = [u for u in data.get("users", []) if u.get("name") != name]
        data["users"].append({"name": name, "role": role, "password_hash": hash_password(password)})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(self.path)


class LoginGuard:
    """Refuses login attempts after too many recent failures (per name and in total)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._per_user: dict[str, deque[float]] = {}
        self._total: deque[float] = deque()
        self._lock = threading.Lock()

    def _prune(self, hits: deque[float], now: float) -> None:
        while hits and now - hits[0] >= FAILURE_WINDOW_SECONDS:
            hits.popleft()

    def blocked(self, name: str) -> bool:
        now = self._clock()
        with self._lock:
            hits = self._per_user.get(name.lower(), deque())
            self._prune(hits, now)
            self._prune(self._total, now)
            return len(hits) >= MAX_FAILURES_PER_USER or len(self._total) >= MAX_FAILURES_TOTAL

    def failed(self, name: str) -> None:
        now = self._clock()
        with self._lock:
            self._per_user.setdefault(name.lower(), deque()).append(now)
            self._total.append(now)
            if len(self._per_user) > 10_000:
                self._per_user.clear()

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._per_user.pop(name.lower(), None)


class Authenticator:
    """`check(name, password)` for the login form: verifies, throttles and audits."""

    def __init__(
        self, store: UserStore, guard: LoginGuard, audit: Callable[..., None] | None = None
    ) -> None:
        self.store = store
        self.guard = guard
        self.audit = audit

    def check(self, name: str, password: str) -> bool:
        name = (name or "").strip()[:100]
        if not name or self.guard.blocked(name):
            if self.audit:
                self.audit(name or "-", "login-blocked")
            return False
        user = self.store.verify(name, password or "")
        if user is None:
            self.guard.failed(name)
            if self.audit:
                self.audit(name, "login-failed")
            return False
        self.guard.succeeded(name)
        if self.audit:
            self.audit(name, "login")
        return True
