"""Hostile documents and hostile feedback in a real browser: nothing is loaded from other
hosts and no link to them appears (security issue 4).

A small corpus on the real server (fake embeddings, so no model is loaded) holds a
document full of markup that once made the page fetch `evil.example`; a citizen asks a
question it answers, and an admin opens the reports with hostile feedback. Every request
to a host that is not this machine is recorded and aborted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from tests.browser import staff_login
from tests.integration.conftest import LiveServer, small_settings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
ADMIN = ("admin", "admin-passwort-123")
HOSTILE = (
    "<im<img>g src=http://evil.example/a.png> "
    '<table background="http://evil.example/b"><tr><td>Tabelle</td></tr></table> '
    '<p style="background:url(http://evil.example/c)">Stil</p> '
    '<video poster="http://evil.example/d"></video> '
    "<input type=image src=http://evil.example/e> "
    "![x](http://evil.example/f.png) [klick](http://evil.example/phish) "
    '<a href="javascript:alert(1)">js</a> <svg onload=alert(1)></svg> '
    "<http://evil.example/auto>"
)
DOCUMENT = (
    "---\ntitle: Hundeführerschein ![t](http://evil.example/title.png)\n"
    "updated: 2026-10-01\nurl: http://evil.example/phish\n---\n"
    "# Hundeführerschein\n\n## Kosten\n"
    f"Die Gebühr für den Hundeführerschein beträgt 55 Euro. {HOSTILE}\n"
    f"Der Hundeführerschein wird im Kreishaus ausgestellt. {HOSTILE}\n"
)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from bot.staff.users import UserStore

    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "hund.md").write_text(DOCUMENT, encoding="utf-8")
    settings = small_settings(root, corpus)
    UserStore(settings.users_file).add(ADMIN[0], "admin", ADMIN[1])
    feedback = {
        "day": "2026-11-20",
        "question": f"Frage {HOSTILE}",
        "refused": True,
        "language": "de",
        "helpful": False,
        "comment": f"Kommentar {HOSTILE}",
        "sources": ["hund.md"],
    }
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "feedback.jsonl").write_text(json.dumps(feedback) + "\n", "utf-8")
    with LiveServer(settings) as server:
        yield server


def guarded_page(browser, foreign: list[str]):
    """A page whose requests to other hosts are recorded and aborted."""
    context = browser.new_context()
    page = context.new_page()

    def route(r) -> None:
        url = r.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            foreign.append(url)
            r.abort()

    page.route("**/*", route)
    return context, page


def evil_links(page) -> list[str]:
    return page.eval_on_selector_all(
        "a[href]", "els => els.map(a => a.href).filter(h => /evil\\.example|javascript:/i.test(h))"
    )


def test_hostile_document_loads_nothing_in_the_chat(hostile_server, browser) -> None:
    foreign: list[str] = []
    context, page = guarded_page(browser, foreign)
    page.goto(hostile_server.url + "/", wait_until="load")
    box = page.get_by_label("Ihre Frage")
    box.wait_for(timeout=30_000)
    question = "Was kostet der Hundeführerschein? [Link](http://evil.example/q) **fett**"
    box.fill(question)
    box.press("Enter")
    chat = page.locator("#ki-chat")
    chat.get_by_text("55 Euro").first.wait_for(timeout=30_000)
    chat.get_by_text("Quellen").first.wait_for(timeout=10_000)
    for summary in chat.locator("details.ki-source summary").all():
        summary.click()  # open every source passage
    page.wait_for_timeout(1500)  # late image/poster/background requests
    text = chat.inner_text()
    assert question in text, "the question is shown exactly as typed"
    assert "[klick](http://evil.example/phish)" in text, "document markup is shown as text"
    messages = ":is([data-testid=bot], [data-testid=user])"
    tags = "img, image, video, audio, source, picture, input, svg, table, iframe, object, embed"
    loaders = chat.locator(", ".join(f"{messages} {t}" for t in tags.split(", ")))
    assert loaders.count() == 0, "no element from a document that can load something"
    assert chat.locator("[background], [poster], [style*=url], [onload]").count() == 0
    assert evil_links(page) == []
    labels = chat.locator(":is([data-testid=bot], [data-testid=user])[aria-label]")
    assert labels.count() == 0, "screen readers read the message, not its HTML source"
    assert foreign == [], f"requests left this machine: {foreign}"
    context.close()


def test_hostile_feedback_loads_nothing_in_the_reports(hostile_server, browser) -> None:
    foreign: list[str] = []
    context, page = guarded_page(browser, foreign)
    staff_login(page, hostile_server.url, ADMIN)
    page.get_by_role("tab", name="Index und Berichte").click()
    page.get_by_text("1 Rückmeldung, davon 0 hilfreich.").wait_for(timeout=30_000)
    page.get_by_text("Kommentar <im<img>g src=").first.wait_for(state="attached", timeout=10_000)
    page.wait_for_timeout(1500)
    body = page.locator("body").text_content() or ""
    assert "[klick](http://evil.example/phish)" in body, "citizens' text is shown as text"
    assert evil_links(page) == []
    assert foreign == [], f"requests left this machine: {foreign}"
    context.close()
