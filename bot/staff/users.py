"""Staff and admin accounts: bcrypt-hashed passwords in a file, roles.

Citizens never log in. Accounts live in a JSON file (`BOT_USERS_FILE`, default
`data/users.json`) that holds only bcrypt hashes; a plain-text password in it is refused
loudly. `python -m bot user add NAME --role admin` writes entries. Login throttling and
the web login itself are in `bot.web.auth`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROLES = ("staff", "admin")


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
        data: dict[str, Any] = {"users": []}
        if self.path.exists():
            data = json.loads(self.path.read_text(encoding="utf-8"))
        data["users"] = [u for u in data.get("users", []) if u.get("name") != name]
        data["users"].append({"name": name, "role": role, "password_hash": hash_password(password)})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(self.path)
