"""Translations in a real browser (real app, real e5): a citizen who picks Leichte Sprache in
the page's language switch gets the answer from the Leichte Sprache version, and the staff
see the translation report with the counts of answers that lacked a version."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import staff_login
from tests.integration.conftest import LiveServer, server_settings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
STAFF = ("redaktion", "staff-passwort-456")
EASY = """---
title: Einbürgerung (Leichte Sprache)
lang: de-x-ls
translation_of: einbuergerung.md
updated: 2026-09-15
---
# Einbürgerung

## Was kostet die Einbürgerung?
Die Einbürgerung kostet Geld. Erwachsene bezahlen 255 Euro.

## Welches Deutsch brauchen Sie?
Sie müssen gut Deutsch können. Das heißt: Niveau B1.
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from bot.staff.users import UserStore

    settings = server_settings(tmp_path_factory.mktemp("easy"), requests_per_minute=1000)
    folder = settings.corpus_dir / "translations" / "de-x-ls"
    folder.mkdir(parents=True)
    (folder / "einbuergerung.md").write_text(EASY, encoding="utf-8")
    UserStore(settings.users_file).add(STAFF[0], "staff", STAFF[1])
    with LiveServer(settings) as live:
        yield live


def ask(page, question: str, answers_before: int) -> str:
    box = page.get_by_label("Ihre Frage")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "n => { const b = document.querySelectorAll('#ki-chat [data-testid=bot]');"
        " return b.length > n && b[b.length - 1].innerText.trim().length > 40; }",
        arg=answers_before,
        timeout=60_000,
    )
    page.wait_for_timeout(500)
    return page.locator("#ki-chat [data-testid=bot]").last.inner_text()


def test_leichte_sprache_in_the_switch_answers_from_the_easy_version(server, browser) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(server.url + "/", wait_until="load")
    page.get_by_label("Ihre Frage").wait_for(timeout=30_000)
    standard = ask(page, "Was kostet die Einbürgerung?", 0)
    assert "255 Euro für Erwachsene" in standard and "(Leichte Sprache)" not in standard

    page.get_by_role("combobox", name="Sprache der Seite").click()
    page.get_by_role("option", name="Leichte Sprache").click()
    page.get_by_role(
        "heading", name="Fragen an das Integrations-Zentrum im Rhein-Sieg-Kreis"
    ).wait_for(timeout=10_000)
    assert page.evaluate("document.documentElement.lang") == "de-x-ls"
    assert page.get_by_role("button", name="Neues Gespräch").count() == 1
    easy = ask(page, "Was kostet die Einbürgerung?", 1)
    assert "Erwachsene bezahlen 255 Euro." in easy
    assert "Einbürgerung (Leichte Sprache)" in easy, "the easy version is the first source"
    assert "Einbürgerung › Kosten" in easy, "the original is cited too"
    # a topic without a Leichte Sprache version: answered from the original, and counted
    ask(page, "Wie viele Stunden hat der Integrationskurs?", 2)
    context.close()


def test_staff_see_versions_and_the_count_of_missing_ones(server, browser) -> None:
    """Runs after the test above, whose last question had no Leichte Sprache version."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    staff_login(page, server.url, STAFF)
    page.get_by_role("tab", name="Übersetzungen").click()
    total = page.locator("#ki-translations-total")
    total.get_by_text("letzten 30 Tagen").wait_for(timeout=30_000)
    text = total.inner_text()
    assert "Leichte Sprache 1" in text, text
    page.wait_for_function(
        "document.body.innerText.includes('fehlt – 1 Frage')", timeout=30_000, polling=500
    )
    body = page.inner_text("body")
    assert "kurs.md" in body and "einbuergerung.md" in body
    assert "Wie viele Stunden" not in body, "counts only, never the question"
    context.close()
