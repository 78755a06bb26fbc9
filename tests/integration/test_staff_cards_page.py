"""The "Antwortkarten" tab in a real browser: staff see the cards and the expired ones, a card
with errors is refused with the problems listed and nothing lost, a corrected card is saved
as a new version, and the chat then answers with it (real e5 model)."""

from __future__ import annotations

import pytest

from tests.browser import staff_login

pytestmark = [pytest.mark.integration, pytest.mark.browser]

STAFF = ("redaktion", "staff-passwort-456")
DESKTOP = {"width": 1280, "height": 900}

CARD = """---
title: Asylantrag abgelehnt – was jetzt?
owner: Team Beratung
valid_until: {until}
source: https://www.bamf.de/
---
## Fragen
- Mein Asylantrag wurde abgelehnt. Was kann ich jetzt tun?
- Ich habe einen Ablehnungsbescheid vom BAMF bekommen.

## Stichwörter
- asyl, bamf
- abgelehnt, ablehnung

## Antwort (de)
Handeln Sie sofort: Die Frist für eine Klage ist kurz. Gehen Sie zur Flüchtlingsberatung.
"""


def test_staff_edit_a_card_and_the_chat_answers_with_it(live_server, browser) -> None:
    folder = live_server.settings.corpus_dir / "_antwortkarten"
    folder.mkdir(exist_ok=True)
    (folder / "asyl.md").write_text(CARD.format(until="2099-12-31"), encoding="utf-8")
    (folder / "alt.md").write_text(CARD.format(until="2020-01-31"), encoding="utf-8")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    staff_login(page, live_server.url, STAFF)
    page.get_by_role("tab", name="Antwortkarten").click()
    # Gradio's tables keep a hidden copy of each cell: look at the visible ones
    page.get_by_text("abgelaufen am 31.01.2020").filter(visible=True).first.wait_for(timeout=30_000)
    assert "_antwortkarten/alt.md" in page.inner_text("body"), "listed as expired"

    page.get_by_role("combobox", name="Karte zum Bearbeiten auswählen").click()
    page.get_by_role("option", name="asyl.md").click()
    editor = page.get_by_label("Antwortkarte (Markdown)")
    page.wait_for_function(
        "document.querySelector('#ki-cards-editor textarea').value.includes('Team Beratung')",
        timeout=30_000,
    )
    broken = editor.input_value().replace("owner: Team Beratung\n", "")
    editor.fill(broken)
    page.get_by_role("button", name="Antwortkarte prüfen und speichern").click()
    page.locator("#ki-cards-msg").get_by_text("Nicht gespeichert").wait_for(timeout=30_000)
    assert "Im Kopf fehlt „owner:“" in page.locator("#ki-cards-msg").inner_text()
    assert editor.input_value() == broken, "the text typed stays in the editor"
    assert "owner: Team Beratung" in (folder / "asyl.md").read_text(encoding="utf-8")

    editor.fill(
        broken.replace("source:", "owner: Team Flucht\nsource:").replace(
            "Gehen Sie zur Flüchtlingsberatung.", "Gehen Sie heute noch zur Flüchtlingsberatung."
        )
    )
    page.get_by_role("button", name="Antwortkarte prüfen und speichern").click()
    page.locator("#ki-cards-msg").get_by_text("gespeichert (Version 2").wait_for(timeout=30_000)
    assert "owner: Team Flucht" in (folder / "asyl.md").read_text(encoding="utf-8")
    assert (folder / ".versionen" / "asyl.v1.md").is_file(), "the previous version is kept"
    page.get_by_text("Team Flucht").filter(visible=True).first.wait_for(timeout=10_000)

    chat = context.new_page()
    chat.goto(live_server.url + "/", wait_until="load")
    box = chat.get_by_label("Ihre Frage")
    box.wait_for(timeout=30_000)
    box.fill("Mein Asylantrag wurde abgelehnt. Was kann ich jetzt tun?")
    box.press("Enter")
    answer = chat.locator("#ki-chat").get_by_text("Geprüfte Antwort des Kommunalen")
    answer.first.wait_for(timeout=60_000)
    text = chat.locator("#ki-chat").inner_text()
    assert "gültig bis 31.12.2099" in text
    assert "Gehen Sie heute noch zur Flüchtlingsberatung." in text, "the saved version answers"
    context.close()
