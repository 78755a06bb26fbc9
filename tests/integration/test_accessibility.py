"""axe-core (from npm, read from tests/js/node_modules: no network at test time) on the chat
page in German and Arabic (phone and desktop, with an answer and the contact card open) and
on every page of the staff area (the translation report too): no serious or critical
violation (WCAG 2.1 AA, BITV 2.0)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.browser]

AXE = Path(__file__).resolve().parents[1] / "js" / "node_modules" / "axe-core" / "axe.min.js"
ADMIN = ("admin", "admin-passwort-123")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
  }));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make js-deps: npm ci --prefix tests/js)")
    return AXE.read_text(encoding="utf-8")


def serious(page, axe_source: str, where: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    violations = page.evaluate(RUN_AXE)
    print(f"\naxe {where}: " + ", ".join(f"{v['id']} ({v['impact']})" for v in violations))
    for v in violations:
        if v["impact"] in {"serious", "critical"}:
            print("   ", v["id"], v["nodes"])
    return [v for v in violations if v["impact"] in {"serious", "critical"}]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_chat_page_has_no_serious_violations(live_server, browser, axe_source, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(live_server.url + "/", wait_until="load")
    box = page.get_by_label("Ihre Frage")
    box.wait_for(timeout=30_000)
    found = serious(page, axe_source, f"chat de {viewport['width']} empty")
    box.fill("Was kostet die Einbürgerung?")
    box.press("Enter")
    page.locator("#ki-chat").get_by_text("255 Euro").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Mit einem Menschen sprechen").click()
    page.locator("#ki-card").wait_for(timeout=10_000)
    page.wait_for_timeout(1000)  # Gradio fades new content in: judge the settled colours
    found += serious(page, axe_source, f"chat de {viewport['width']} answer+card")

    page.get_by_role("combobox", name="Sprache der Seite").click()
    page.get_by_role("option", name="العربية").click()
    page.get_by_label("سؤالك").wait_for(timeout=10_000)
    page.get_by_label("سؤالك").fill("كم تكلفة التجنس؟")
    page.get_by_label("سؤالك").press("Enter")
    page.wait_for_function(
        "document.querySelectorAll('#ki-chat [data-testid=bot]').length >= 2", timeout=30_000
    )
    found += serious(page, axe_source, f"chat ar {viewport['width']}")
    context.close()
    assert found == [], found


def test_staff_area_has_no_serious_violations(live_server, browser, axe_source) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(live_server.url + "/admin/", wait_until="load")
    page.get_by_label("Benutzername").wait_for(timeout=30_000)
    found = serious(page, axe_source, "staff login")
    page.get_by_label("Benutzername").fill(ADMIN[0])
    page.get_by_label("Passwort").fill(ADMIN[1])
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text("Angemeldet als").wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    found += serious(page, axe_source, "staff documents")
    page.get_by_role("tab", name="Index und Berichte").click()
    page.get_by_text("Dokumente,").first.wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    found += serious(page, axe_source, "staff index and reports")
    page.get_by_role("tab", name="Kontaktkarte").click()
    page.get_by_label("Kontaktkarte (Markdown)").wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    found += serious(page, axe_source, "staff contact card")
    page.get_by_role("tab", name="Antwortkarten").click()
    page.get_by_label("Antwortkarte (Markdown)").wait_for(timeout=30_000)
    page.get_by_role("button", name="Vorlage für eine neue Karte").click()
    page.get_by_text("Neue Karte: bitte einen Dateinamen").wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    found += serious(page, axe_source, "staff answer cards")
    page.get_by_role("tab", name="Was fehlt").click()
    page.get_by_role("button", name="Neu laden").wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    found += serious(page, axe_source, "staff what citizens miss")
    page.get_by_role("tab", name="Übersetzungen").click()
    page.get_by_role("button", name="Übersicht neu laden").wait_for(timeout=30_000)
    page.locator("#ki-translations-total").get_by_text("letzten 30 Tagen").wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    found += serious(page, axe_source, "staff translations")
    context.close()
    assert found == [], found
