"""The staff area in a real browser (1280x900): German login page with a title, a logout
button, index progress that is visible with its stage, statistics that follow an index run,
"1 Rückmeldung" in the singular."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.browser import staff_login

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ADMIN = ("admin", "admin-passwort-123")
DESKTOP = {"width": 1280, "height": 900}

PROGRESS = """() => {
  const box = document.querySelector('#ki-index-msg');
  const text = box.innerText.replace(/\\s+/g, ' ').trim();
  return {height: box.getBoundingClientRect().height, text};
}"""


def login(page, base_url: str) -> None:
    staff_login(page, base_url, ADMIN)


def test_login_page_is_german_and_logout_ends_the_session(live_server, browser) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-US")  # an English browser
    page = context.new_page()
    page.goto(live_server.url + "/admin/", wait_until="load")
    page.get_by_role("button", name="Anmelden").wait_for(timeout=30_000)
    assert page.title() == "KI-Bot – Verwaltung"
    assert page.locator("html").get_attribute("lang") == "de"
    body = page.inner_text("body")
    for english in ("username", "password", "Login"):
        assert english not in body, f"{english!r} on the login page"
    login(page, live_server.url)
    assert page.get_by_text("Datei hier ablegen").count() == 1, "upload field in German"
    assert "Drop File Here" not in page.inner_text("body")
    page.locator("#ki-logout").click()
    page.get_by_role("button", name="Anmelden").wait_for(timeout=30_000)
    page.goto(live_server.url + "/admin/", wait_until="load")
    page.get_by_role("button", name="Anmelden").wait_for(timeout=30_000)
    assert page.get_by_text("Angemeldet als").count() == 0, "the session has ended"
    context.close()


def test_index_progress_is_visible_and_statistics_follow(live_server, browser) -> None:
    corpus = live_server.settings.corpus_dir
    for i in range(10):  # enough text that the run takes a few seconds
        (corpus / f"rundschreiben-{i:02d}.md").write_text(
            f"# Rundschreiben {i}\n\n## Neuigkeiten\n" + f"Nachricht {i} aus dem Kreis. " * 60,
            encoding="utf-8",
        )
    record = {
        "day": time.strftime("%Y-%m-%d"),
        "question": "Frage",
        "refused": True,
        "language": "de",
        "helpful": False,
        "comment": "",
        "sources": [],
    }
    feedback = live_server.settings.data_dir / "feedback.jsonl"
    feedback.write_text(json.dumps(record) + "\n", encoding="utf-8")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    login(page, live_server.url)
    page.get_by_role("tab", name="Index und Berichte").click()
    page.get_by_text("1 Rückmeldung, davon 0 hilfreich.").wait_for(timeout=30_000)
    page.get_by_text("4 Dokumente").first.wait_for(timeout=10_000)
    page.get_by_role("button", name="Index aktualisieren").click()
    seen: list[dict] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = page.evaluate(PROGRESS)
        state["text"] = re.sub(r"^[\d.]+s\s*", "", state["text"])  # Gradio's timer
        if not seen or state["text"] != seen[-1]["text"]:
            seen.append(state)
        if state["text"].startswith("Fertig"):
            break
        page.wait_for_timeout(50)
    print("\nprogress:", [(round(s["height"]), s["text"][:50]) for s in seen][:12])
    running = [s for s in seen if not s["text"].startswith("Fertig")]
    assert running, "progress was shown while the index was built"
    assert all(s["height"] >= 40 for s in running), "the progress area is visible"
    # the stage and the count (reading is often too quick to see; embedding takes long)
    assert any(re.search(r"(lesen|einbetten) \d+/\d+", s["text"]) for s in running)
    assert seen[-1]["text"].startswith("Fertig")
    page.get_by_text("14 Dokumente").first.wait_for(timeout=10_000)  # without reloading
    context.close()
