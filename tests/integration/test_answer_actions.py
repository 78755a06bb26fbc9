"""Copy, print and share an answer in a real browser, and the page's labels after a language
switch (issue 16).

Copy puts clean text on the clipboard (the answer, then "Quellen:" with title, date and
URL; no HTML, no Markdown), keyboard only; print shows that answer alone; share uses
`navigator.share` where the browser has it (stubbed here, as on a phone) and copies where it
has not. A document with `<img src=x onerror=…>` is copied and printed as that literal text
and runs nothing. After a switch to Arabic and English, Gradio's own labels and the earlier
answer's "Quellen" follow the page language. The server uses fake embeddings (no model
loads): these tests are about the page, not retrieval.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.conftest import LiveServer, small_settings, write_corpus

pytestmark = [pytest.mark.integration, pytest.mark.browser]

HOSTILE = '<img src=x onerror="window.kiPwned = 1"> [klick](http://evil.example/x)'
DOCUMENT = (
    "---\ntitle: Hundeführerschein\nupdated: 2026-10-01\n"
    "url: https://www.rhein-sieg-kreis.de/hund\n---\n# Hundeführerschein\n\n## Kosten\n"
    f"Die Gebühr für den Hundeführerschein beträgt 55 Euro. {HOSTILE}\n"
)
CLIPBOARD = ["clipboard-read", "clipboard-write"]
# Gradio's own English labels that must not stay on a German, Arabic or English page
GRADIO_LABELS = {"Clear", "chatbot conversation", "Copy message", "Scroll down"}
LABELS = """() => [...document.querySelectorAll('#ki-chat [aria-label], #ki-chat [title]')]
  .flatMap(el => [el.getAttribute('aria-label'), el.getAttribute('title')]).filter(Boolean)"""


@pytest.fixture(scope="module")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("actions")
    corpus = write_corpus(root / "corpus")
    (corpus / "hund.md").write_text(DOCUMENT, encoding="utf-8")
    settings = small_settings(root, corpus)
    with LiveServer(settings) as server:
        yield server


def open_page(browser, server: LiveServer, init_script: str | None = None):
    context = browser.new_context(permissions=CLIPBOARD, viewport={"width": 1280, "height": 900})
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.goto(server.url + "/", wait_until="load")
    page.get_by_label("Ihre Frage").wait_for(timeout=30_000)
    return context, page


def ask(page, question: str, expected: str, label: str = "Ihre Frage"):
    """Asks and returns the final answer's bubble (it has its action buttons)."""
    before = page.locator("#ki-chat [data-testid=bot]").count()
    box = page.get_by_label(label)
    box.fill(question)
    box.press("Enter")
    answer = page.locator("#ki-chat [data-testid=bot]").nth(before)
    answer.get_by_text(expected).first.wait_for(timeout=30_000)
    answer.locator(".ki-actions button").first.wait_for(timeout=30_000)
    return answer


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def shown_text(answer) -> str:
    """The answer's text as the bubble shows it, before its sources."""
    return answer.evaluate(
        """el => [...el.querySelectorAll('.md > :is(p[dir=auto], ul)')]
          .map(p => p.innerText.trim()).join('\\n\\n')"""
    )


def test_copy_gives_clean_text_with_sources(page_server, browser) -> None:
    context, page = open_page(browser, page_server)
    answer = ask(page, "Was kostet die Einbürgerung?", "255 Euro")
    copy = answer.get_by_role("button", name="Kopieren")
    copy.focus()
    page.keyboard.press("Enter")  # keyboard only
    answer.get_by_role("status").get_by_text("Kopiert.").wait_for(timeout=10_000)
    text = clipboard(page)
    print(f"\ncopied: {text!r}")
    body, sources = text.split("\n\nQuellen:\n")
    assert body == shown_text(answer), "the answer as the page shows it"
    assert "255 Euro" in body
    assert sources.startswith("[1] Einbürgerung › Kosten (Stand 15.09.2026)\n")
    assert "https://www.rhein-sieg-kreis.de/" in sources.splitlines()
    for markup in ("<", ">", "**", "ki-source", "&lt;", "einbuergerung.md"):
        assert markup not in text, f"{markup!r} on the clipboard"
    assert page.get_by_role("button", name="Copy message").count() == 0
    context.close()


STUB_PRINT = """window.print = () => {
  window.kiPrinted = (window.kiPrinted || 0) + 1;
  window.kiPrintedText = document.getElementById('ki-print').innerText;
};"""


def test_print_renders_only_the_answers_text(page_server, browser) -> None:
    context, page = open_page(browser, page_server, STUB_PRINT)
    ask(page, "Was kostet die Einbürgerung?", "255 Euro")
    answer = ask(page, "Was kostet der Hundeführerschein?", "55 Euro")
    answer.get_by_role("button", name="Drucken").click()
    assert page.evaluate("window.kiPrinted") == 1
    page.emulate_media(media="print")
    printed = page.evaluate("document.body.innerText")
    print(f"\nprinted: {printed!r}")
    page.emulate_media(media="screen")
    lines = [line for line in printed.splitlines() if line.strip()]
    copied = answer.locator("button.ki-copy").get_attribute("value") or ""
    expected = [page.title(), *(line for line in copied.splitlines() if line.strip())]
    assert lines == expected, "the page's title and this answer's text, nothing else"
    assert "Hundeführerschein" in printed and "255 Euro" not in printed, "only that answer"
    assert "Ihre Frage" not in printed and "Drucken" not in printed
    assert HOSTILE in printed, "document markup is printed as text"
    assert page.locator("#ki-print img, #ki-print strong, #ki-print a").count() == 0
    assert page.evaluate("window.kiPwned") is None, "nothing from the document ran"
    # on screen the page is unchanged; after printing, the sheet is gone
    assert page.get_by_label("Ihre Frage").is_visible()
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("#ki-print").count() == 0
    assert page.evaluate("document.body.classList.contains('ki-printing')") is False
    context.close()


NO_SHARE = "delete Navigator.prototype.share; delete navigator.share;"
STUB_SHARE = """Object.defineProperty(Navigator.prototype, 'share', {configurable: true,
  value: data => { window.kiShared = data; return Promise.resolve(); }});"""


def test_share_falls_back_to_copy_without_navigator_share(page_server, browser) -> None:
    context, page = open_page(browser, page_server, NO_SHARE)
    assert page.evaluate("typeof navigator.share") == "undefined"
    answer = ask(page, "Was kostet die Einbürgerung?", "255 Euro")
    answer.get_by_role("button", name="Teilen").click()
    answer.get_by_role("status").get_by_text("Kopiert.").wait_for(timeout=10_000)
    assert clipboard(page) == answer.locator("button.ki-copy").get_attribute("value")
    assert "\n\nQuellen:\n[1] Einbürgerung › Kosten" in clipboard(page)
    context.close()


def test_share_uses_navigator_share_with_clean_text(page_server, browser) -> None:
    context, page = open_page(browser, page_server, STUB_SHARE)
    answer = ask(page, "Was kostet die Einbürgerung?", "255 Euro")
    page.evaluate("navigator.clipboard.writeText('vorher')")
    answer.get_by_role("button", name="Teilen").click()
    page.wait_for_function("window.kiShared !== undefined", timeout=10_000)
    shared = page.evaluate("window.kiShared")
    print(f"\nshared: {shared!r}")
    assert shared["title"] == page.title()
    assert shared["text"] == answer.locator("button.ki-copy").get_attribute("value")
    assert "\n\nQuellen:\n[1] Einbürgerung › Kosten" in shared["text"]
    assert "<" not in shared["text"] and "**" not in shared["text"]
    assert clipboard(page) == "vorher", "shared, not copied"
    context.close()


def test_document_markup_is_copied_as_literal_text_and_never_runs(page_server, browser) -> None:
    context, page = open_page(browser, page_server)
    answer = ask(page, "Was kostet der Hundeführerschein?", "55 Euro")
    answer.get_by_role("button", name="Kopieren").click()
    answer.get_by_role("status").get_by_text("Kopiert.").wait_for(timeout=10_000)
    text = clipboard(page)
    print(f"\ncopied: {text!r}")
    assert HOSTILE in text, "exactly as the document wrote it"
    assert "https://www.rhein-sieg-kreis.de/hund" in text
    assert page.locator("#ki-chat img").count() == 0
    assert page.evaluate("window.kiPwned") is None
    context.close()


def choose_language(page, current: str, name: str, input_label: str) -> None:
    page.get_by_role("combobox", name=current).click()
    page.get_by_role("option", name=name).click()
    page.get_by_label(input_label).wait_for(timeout=10_000)


def test_labels_and_earlier_sources_follow_the_language_switch(page_server, browser) -> None:
    context, page = open_page(browser, page_server)
    answer = ask(page, "Was kostet die Einbürgerung?", "255 Euro")
    chat = page.locator("#ki-chat")
    labels = page.evaluate(LABELS)
    print(f"\nGerman labels: {labels}")
    assert "Unterhaltung löschen" in labels and not GRADIO_LABELS & set(labels)
    assert answer.get_by_text("Quellen", exact=True).count() == 1

    choose_language(page, "Sprache der Seite", "العربية", "سؤالك")
    answer.get_by_text("المصادر", exact=True).wait_for(timeout=10_000)
    labels = page.evaluate(LABELS)
    print(f"Arabic labels: {labels}")
    assert {"مسح المحادثة", "المحادثة"} <= set(labels) and not GRADIO_LABELS & set(labels)
    assert chat.get_by_role("button", name="مسح المحادثة").count() == 1
    assert chat.get_by_role("log", name="المحادثة").count() == 1
    assert answer.get_by_text("Quellen", exact=True).count() == 0
    assert "(بتاريخ 2026-09-15)" in answer.locator("summary").first.inner_text()
    bar = answer.locator(".ki-actions")
    assert bar.locator("button").all_inner_texts() == ["نسخ", "طباعة", "مشاركة"]
    assert bar.evaluate("el => el.matches(':dir(rtl)')"), "the buttons run right to left"
    first, last = (
        b.bounding_box() for b in (bar.locator("button").first, bar.locator("button").last)
    )
    assert first and last and first["x"] > last["x"], "Copy first, on the right"
    bar.get_by_role("button", name="نسخ").click()
    answer.get_by_role("status").get_by_text("تم النسخ.").wait_for(timeout=10_000)
    assert "\n\nالمصادر:\n[1] \u2068Einbürgerung › Kosten\u2069" in clipboard(page)

    # a later answer has the chosen language's labels too
    later = ask(page, "Was kostet der Hundeführerschein?", "55 Euro", "سؤالك")
    assert later.get_by_text("المصادر", exact=True).count() == 1

    choose_language(page, "لغة الصفحة", "English", "Your question")
    answer.get_by_text("Sources", exact=True).wait_for(timeout=10_000)
    later.get_by_text("Sources", exact=True).wait_for(timeout=10_000)
    labels = page.evaluate(LABELS)
    print(f"English labels: {labels}")
    assert {"Clear conversation", "Conversation"} <= set(labels)
    assert not GRADIO_LABELS & set(labels)
    assert answer.get_by_role("button", name="Copy").count() == 1
    assert "(as of 2026-09-15)" in answer.locator("summary").first.inner_text()
    assert chat.get_by_text("المصادر").count() == 0 and chat.get_by_text("Quellen").count() == 0
    context.close()
