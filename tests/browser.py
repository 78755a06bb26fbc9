"""The one way this project starts a browser: Debian's chromium driven by Playwright
(which never downloads a browser here). Used by the browser tests and scripts/screenshots.py."""

from __future__ import annotations

from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def launch_chromium(playwright: Any) -> Any:
    """A headless Chromium that makes no background requests of its own."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def staff_login(page: Any, base_url: str, account: tuple[str, str]) -> None:
    """Log in to the staff area through its German form and wait for the page."""
    page.goto(base_url + "/admin/", wait_until="load")
    page.get_by_label("Benutzername").fill(account[0])
    page.get_by_label("Passwort").fill(account[1])
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text("Angemeldet als").wait_for(timeout=30_000)
