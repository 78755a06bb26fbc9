"""A real browser (Debian chromium via Playwright) against the real app on loopback.

Proves: the page asks a question and shows an answer with a source; the interface
language switches (right-to-left for Arabic); a new chat clears it; and no request of
the page leaves this machine (GDPR: no fonts, CDNs or analytics from other hosts).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.browser]

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def test_chat_in_browser_stays_on_this_machine(live_server, browser, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server.url + "/", wait_until="load")
    page.get_by_label("Ihre Frage").wait_for(timeout=30_000)
    assert page.get_by_label("Ihre Frage").count() == 1, "the input has an accessible label"

    box = page.get_by_label("Ihre Frage")
    box.fill("Was kostet die Einbürgerung?")
    started = time.perf_counter()
    box.press("Enter")
    page.locator("#ki-chat").get_by_text("255 Euro").first.wait_for(timeout=30_000)
    first_text_seconds = time.perf_counter() - started
    chat = page.locator("#ki-chat")
    chat.get_by_text("Quellen").first.wait_for(timeout=10_000)
    chat.locator("details.ki-source summary").first.click()  # open the source
    chat.get_by_text("einbuergerung.md").first.wait_for(timeout=5_000)
    assert "Stand 15.09.2026" in chat.inner_text()
    assert chat.locator("details.ki-source a[href='https://www.rhein-sieg-kreis.de/']").count()
    live = page.locator("#ki-live [role=status]")
    assert "255 Euro" in live.inner_text(), "the complete answer is announced once"

    page.get_by_role("combobox", name="Sprache der Seite").click()
    page.get_by_role("option", name="العربية").click()
    page.wait_for_function("document.documentElement.dir === 'rtl'", timeout=10_000)
    page.get_by_label("سؤالك").wait_for(timeout=10_000)  # the label arrives after the dir
    assert page.get_by_label("سؤالك").count() == 1

    page.locator("#ki-new-chat").click()
    page.wait_for_function(
        "!document.querySelector('#ki-chat').innerText.includes('255 Euro')", timeout=10_000
    )
    page.wait_for_timeout(1000)  # let late requests (fonts, icons) show up

    foreign = sorted(
        {
            u
            for u in requests
            if urlparse(u).hostname not in LOCAL_HOSTS and not u.startswith(("data:", "blob:"))
        }
    )
    assert requests, "requests were recorded"
    assert foreign == [], f"requests left this machine: {foreign}"
    result = {"first_text_seconds": round(first_text_seconds, 3), "requests": len(requests)}
    (tmp_path / "browser.json").write_text(json.dumps(result))
    print(
        f"\nbrowser: first answer text after {first_text_seconds:.3f} s, {len(requests)} requests"
    )
    context.close()
