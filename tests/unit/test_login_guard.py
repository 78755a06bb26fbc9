"""Login throttling that slows attackers without locking out the accounts they do not attack."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.staff.audit import AuditLog
from bot.staff.users import UserStore
from bot.web.auth import Authenticator, LoginGuard


@pytest.fixture
def now() -> list[float]:
    return [1000.0]


@pytest.fixture
def auth(users: UserStore, now: list[float], tmp_path: Path) -> Authenticator:
    return Authenticator(users, LoginGuard(clock=lambda: now[0]), AuditLog(tmp_path / "a.jsonl"))


def test_spraying_random_names_and_one_account_does_not_block_other_accounts(
    auth: Authenticator,
) -> None:
    """The reported attack: 5 wrong passwords for one name plus ~50 failures for random names
    (from many addresses, as a botnet would) used to lock every account for 15 minutes."""
    for i in range(5):
        assert not auth.check("ben", "falsch", auth.client_key(f"203.0.113.{i}"))
    assert not auth.check("user-x", "falsch", auth.client_key("198.51.100.200"))
    for i in range(60):  # what `check` records for a wrong password (bcrypt is slow to repeat)
        auth.guard.failed(f"user{i}", auth.client_key(f"198.51.100.{i}"))
    assert auth.check("anna", "sehr-geheim-123", auth.client_key("192.0.2.10")), "admin works"
    assert auth.check("anna", "sehr-geheim-123"), "also without a known client"


def test_attacked_account_gets_growing_backoff(auth: Authenticator, now: list[float]) -> None:
    guard = auth.guard
    attacker = auth.client_key("203.0.113.5")
    for _ in range(5):  # the first failures are free (typos)
        assert not guard.blocked("ben", attacker)
        assert not auth.check("ben", "falsch", attacker)
    waits = []
    for _ in range(6):
        wait = guard.retry_after("ben", attacker)
        assert wait > 0
        assert not auth.check("ben", "auch-geheim-456", attacker), "refused while waiting"
        waits.append(wait)
        now[0] += wait
        assert not auth.check("ben", "falsch", attacker)
    assert waits == [30, 60, 120, 240, 480, 900], "doubles, capped at 15 minutes"
    assert guard.retry_after("ben", attacker) == 900
    now[0] += 900
    assert auth.check("ben", "auch-geheim-456"), "after the wait the right password works"
    assert not guard.blocked("ben"), "a successful login clears the account's failures"


def test_refused_attempts_do_not_lengthen_the_wait(auth: Authenticator, now: list[float]) -> None:
    for _ in range(5):
        auth.check("ben", "falsch")
    for _ in range(50):  # the real user (or the attacker) keeps trying during the wait
        auth.check("ben", "falsch")
    assert auth.guard.retry_after("ben") == 30
    now[0] += 30
    assert auth.check("ben", "auch-geheim-456")


def test_owner_on_a_known_client_is_not_locked_out(auth: Authenticator) -> None:
    office = auth.client_key("192.0.2.44")
    assert auth.check("ben", "auch-geheim-456", office)
    for i in range(12):
        auth.check("ben", "falsch", auth.client_key(f"203.0.113.{i}"))
    assert not auth.check("ben", "auch-geheim-456", auth.client_key("198.51.100.1"))
    assert auth.check("ben", "auch-geheim-456", office), "the owner's usual client still works"


def test_per_client_limit_blocks_only_that_client(auth: Authenticator, now: list[float]) -> None:
    attacker = auth.client_key("203.0.113.9")
    for i in range(19):
        auth.guard.failed(f"name{i}", attacker)
    assert not auth.check("name19", "falsch", attacker)
    assert auth.guard.blocked("anna", attacker)
    assert not auth.check("anna", "sehr-geheim-123", attacker), "this client must wait"
    assert auth.check("anna", "sehr-geheim-123", auth.client_key("192.0.2.10")), "others not"
    now[0] += 15 * 60
    assert auth.check("anna", "sehr-geheim-123", attacker), "the client window slides"


def test_flooding_the_table_does_not_reset_an_accounts_backoff(users: UserStore) -> None:
    now = [0.0]
    auth = Authenticator(users, LoginGuard(clock=lambda: now[0], max_entries=100))
    for _ in range(6):
        auth.guard.failed("ben")
    for i in range(500):
        auth.guard.failed(f"random{i}", auth.client_key(f"10.0.{i // 250}.{i % 250}"))
    assert auth.guard.retry_after("ben") == 60
    assert len(auth.guard._accounts) <= 100 and len(auth.guard._clients) <= 100


def test_client_keys_are_opaque_and_per_process(auth: Authenticator) -> None:
    key = auth.client_key("203.0.113.7")
    assert key and "203.0.113.7" not in key and "203" not in key
    assert key == auth.client_key("203.0.113.7")
    other = Authenticator(auth.store, LoginGuard())
    assert other.client_key("203.0.113.7") != key, "a new secret per process"
    v6 = auth.client_key("2001:db8:1:2::1")
    assert v6 == auth.client_key("2001:db8:1:2:ffff::9"), "IPv6 counted per /64"
