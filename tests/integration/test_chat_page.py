"""The citizen page in a real browser on a phone (390x844) and a desktop (1280x900).

Proves (issue 16): the conversation grows with the page (no fixed box with its own scroll
bar), the page shows the START of each new answer, the "Unterhaltung" label covers no
message, the feedback control's arrow stays inside the page; German text keeps its direction
in the Arabic/Farsi page; the question is shown exactly and limits are explained; title,
link previews and example questions; the "Mit einem Menschen sprechen" contact card.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])

QUESTIONS = [
    ("Was kostet die Einbürgerung?", "255 Euro"),
    ("Wie viele Stunden hat der Integrationskurs?", "600 Unterrichtsstunden"),
    ("Was kostet die Einbürgerung?", "255 Euro"),
]

LAYOUT = """() => {
  const rect = el => el.getBoundingClientRect();
  const bots = [...document.querySelectorAll('#ki-chat [data-testid=bot]')];
  const wrap = document.querySelector('#ki-chat .bubble-wrap');
  const label = document.querySelector('#ki-chat [data-testid=block-label]');
  const messages = document.querySelector('#ki-chat [data-testid=user]');
  const arrow = document.querySelector('.label-wrap .icon');  // the feedback accordion
  const feedback = arrow.closest('.label-wrap').parentElement;
  const root = document.scrollingElement;
  return {
    answerTop: rect(bots[bots.length - 1]).top,
    answers: bots.length,
    ownScroll: wrap.scrollHeight - wrap.clientHeight,
    labelBottom: rect(label).bottom,
    firstMessageTop: rect(messages).top,
    arrowRight: rect(arrow).right,
    feedbackRight: rect(feedback).right,
    atBottom: root.scrollTop + window.innerHeight >= root.scrollHeight - 2,
    scrollY: window.scrollY,
    pageHeight: root.scrollHeight,
    pageWidth: root.scrollWidth,
  };
}"""


def open_chat(browser, live_server, viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(live_server.url + "/", wait_until="load")
    page.get_by_label("Ihre Frage").wait_for(timeout=30_000)
    return context, page


def ask(page, question: str, expected: str, answers_before: int) -> dict:
    box = page.get_by_label("Ihre Frage")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "([n, text]) => { const b = document.querySelectorAll('#ki-chat [data-testid=bot]');"
        " return b.length > n && b[b.length - 1].innerText.includes(text); }",
        arg=[answers_before, expected],
        timeout=30_000,
    )
    page.wait_for_timeout(400)  # the scroll runs after the answer event has finished
    return page.evaluate(LAYOUT)


@VIEWPORTS
def test_conversation_grows_with_page_and_shows_start_of_answer(
    live_server, browser, viewport
) -> None:
    context, page = open_chat(browser, live_server, viewport)
    heights = []
    for n, (question, expected) in enumerate(QUESTIONS):
        layout = ask(page, question, expected, n)
        heights.append(layout["pageHeight"])
        print(f"\n{viewport['width']}px after answer {n + 1}: {layout}")
        assert layout["ownScroll"] <= 1, "the conversation has no scroll bar of its own"
        top = layout["answerTop"]
        # The start of the new answer is on screen near the top, or the page cannot scroll
        # further and the start is visible.
        assert -2 <= top <= 40 or (layout["atBottom"] and -2 <= top < viewport["height"] - 80)
        assert layout["labelBottom"] <= layout["firstMessageTop"], "label covers no message"
        assert layout["arrowRight"] <= layout["feedbackRight"], "feedback arrow not clipped"
        assert layout["pageWidth"] <= viewport["width"], "nothing sticks out sideways"
    assert heights[0] < heights[1] < heights[2], "the page grows with the conversation"
    context.close()


def choose_language(page, current_label: str, name: str, input_label: str) -> None:
    page.get_by_role("combobox", name=current_label).click()
    page.get_by_role("option", name=name).click()
    page.get_by_label(input_label).wait_for(timeout=10_000)


# Where the browser draws the first and the last character of an element's text: in a
# left-to-right line the "?" at the end of "Wie …?" lies right of the "W".
EDGES = """el => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) {
    if (walker.currentNode.data.trim()) { nodes.push(walker.currentNode); }
  }
  const first = nodes[0], last = nodes[nodes.length - 1];
  const range = document.createRange();
  range.setStart(first, 0); range.setEnd(first, 1);
  const a = range.getBoundingClientRect().left;
  range.setStart(last, last.data.length - 1); range.setEnd(last, last.data.length);
  const b = range.getBoundingClientRect().left;
  return {first: a, last: b, ltr: last.parentElement.matches(':dir(ltr)')};
}"""


@pytest.mark.parametrize(
    ("viewport", "language", "labels"),
    [
        (DESKTOP, "العربية", ("لغة الصفحة", "سؤالك")),
        (PHONE, "فارسی", ("زبان صفحه", "پرسش شما")),
    ],
    ids=["arabic-desktop", "farsi-phone"],
)
def test_german_text_keeps_its_direction_in_right_to_left_page(
    live_server, browser, viewport, language, labels
) -> None:
    context, page = open_chat(browser, live_server, viewport)
    choose_language(page, "Sprache der Seite", language, labels[1])
    page.wait_for_function("document.documentElement.dir === 'rtl'", timeout=10_000)
    box = page.get_by_label(labels[1])
    box.fill("Wie lange dauert der Integrationskurs?")
    box.press("Enter")
    chat = page.locator("#ki-chat")
    chat.get_by_text("600 Unterrichtsstunden").first.wait_for(timeout=30_000)
    question = chat.locator("[data-testid=user]").last
    edges = question.evaluate(EDGES)
    print(f"\n{language} {viewport['width']}px question edges: {edges}")
    assert edges["ltr"] and edges["first"] < edges["last"], "'?' ends the German question"
    quote = chat.locator("[data-testid=bot] p", has_text="600 Unterrichtsstunden").last
    assert quote.evaluate("el => el.matches(':dir(ltr)')"), "the German quote runs left to right"
    summary = chat.locator("details.ki-source summary", has_text="Integrationskurs").last
    isolated = summary.locator("bdi").all_inner_texts()
    assert isolated[0] in {"[1]", "[2]"} and isolated[1] == "Integrationskurs › Dauer"
    assert re.fullmatch(r"[\d.-]{10}", isolated[-1]), "the date is isolated from the words"
    date = summary.locator("bdi").last.evaluate(EDGES)
    assert date["ltr"] and date["first"] < date["last"], "the date reads 2026-09-01"
    context.close()


def bubbles(page) -> list[tuple[str, str]]:
    return page.evaluate(
        "() => [...document.querySelectorAll("
        "'#ki-chat [data-testid=user], #ki-chat [data-testid=bot]')]"
        ".map(e => [e.dataset.testid, e.innerText.trim()])"
    )


@VIEWPORTS
def test_question_input_is_shown_exactly_and_limits_are_explained(
    live_server, browser, viewport
) -> None:
    context, page = open_chat(browser, live_server, viewport)
    box = page.get_by_label("Ihre Frage")

    box.fill("   ")
    box.press("Enter")
    page.wait_for_timeout(1500)
    assert bubbles(page) == [], "an empty question shows no bubble"

    question = "[klick](https://www.rhein-sieg-kreis.de/x) **Integrationskurs** <b>1 < 2</b>?"
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(  # the final answer (it also clears the input box), not "…"
        "() => { const b = document.querySelector('#ki-chat [data-testid=bot]');"
        " return b && b.innerText.trim() !== '…' && b.innerText.trim() !== ''; }",
        timeout=30_000,
    )
    page.wait_for_timeout(300)
    assert bubbles(page)[0] == ["user", question], "the citizen's own words, exactly"
    assert page.locator("#ki-chat [data-testid=user] a").count() == 0

    for pasted, expected in [
        ("Wie lange dauert der Integrationskurs? " * 130, "zu lang (höchstens 1000 Zeichen)"),
        ("كم ساعة تستغرق دورة الاندماج؟ " * 170, "رسالتك طويلة جدًا (الحد الأقصى 1000"),
    ]:
        count = len(bubbles(page))
        box.fill(pasted)
        assert len(box.input_value()) == len(pasted), "the page does not cut it silently"
        box.press("Enter")
        page.wait_for_function(  # the final reply, not the "…" shown while it is prepared
            "([n, text]) => { const b = document.querySelectorAll("
            "'#ki-chat [data-testid=user], #ki-chat [data-testid=bot]');"
            " return b.length >= n + 2 && b[b.length - 1].innerText.includes(text); }",
            arg=[count, expected],
            timeout=30_000,
        )
        shown, reply = bubbles(page)[-2:]
        print(f"\npasted {len(pasted)} chars: shown {len(shown[1])}, reply {reply[1][:80]!r}")
        assert expected in reply[1]
        assert shown[1].endswith("…") and len(shown[1]) <= 1002
    context.close()


def test_page_title_and_link_preview_name_the_chatbot(live_server, browser) -> None:
    import httpx

    source = httpx.get(live_server.url + "/", timeout=30).text
    head = source[: source.index("</head>")]
    assert "<title>KI-Chatbot – Kommunales Integrationszentrum Rhein-Sieg-Kreis</title>" in head
    assert 'property="og:title" content="KI-Chatbot' in head
    assert "Click to try out the app" not in head and 'content="Gradio"' not in head
    assert "og:image" not in head, "no preview image from another host"
    staff = httpx.get(live_server.url + "/admin/", timeout=30).text
    assert "<title>KI-Bot – Verwaltung</title>" in staff

    context, page = open_chat(browser, live_server, PHONE)
    assert page.title() == "KI-Chatbot – Kommunales Integrationszentrum Rhein-Sieg-Kreis"
    assert page.locator("html").get_attribute("lang") == "de"
    german = page.get_by_role("button", name="Was kostet die Einbürgerung?")
    assert german.count() == 1
    choose_language(page, "Sprache der Seite", "Türkçe", "Sorunuz")
    page.get_by_role("button", name="Vatandaşlığa geçiş ne kadar tutar?").wait_for(timeout=10_000)
    assert page.title().startswith("KI sohbet botu")
    assert page.get_by_role("button", name="How many hours is the integration course?").count() == 0
    page.get_by_role("button", name="Uyum kursu kaç saat sürer?").click()
    page.locator("#ki-chat [data-testid=user]").first.wait_for(timeout=30_000)
    assert page.locator("#ki-chat [data-testid=user]").first.inner_text().strip() == (
        "Uyum kursu kaç saat sürer?"
    ), "an example asks the question it shows"
    context.close()


@VIEWPORTS
def test_talk_to_a_person_shows_the_contact_card(live_server, browser, viewport) -> None:
    from bot.staff.contact_card import CARD_FILE

    sample = Path(__file__).resolve().parents[2] / "corpus" / CARD_FILE
    shutil.copy(sample, live_server.settings.corpus_dir / CARD_FILE)
    context, page = open_chat(browser, live_server, viewport)
    page.get_by_role("button", name="Mit einem Menschen sprechen").click()
    card = page.locator("#ki-card")
    card.get_by_text("Wer ist wofür zuständig?").wait_for(timeout=10_000)
    for office in ("Kommunales Integrationszentrum (KI)", "Ausländerbehörde", "Jobcenter"):
        assert card.get_by_text(office).count() == 1
    assert card.get_by_text("Termin vereinbaren:").count() == 1
    box = card.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert box["y"] < viewport["height"], "the card is on screen after the click"

    choose_language(page, "Sprache der Seite", "العربية", "سؤالك")
    page.get_by_role("button", name="التحدث مع شخص").wait_for(timeout=10_000)
    card.get_by_text("من المسؤول عن ماذا؟").wait_for(timeout=10_000)

    # a question the documents cannot answer: the refusal carries the card
    question = page.get_by_label("سؤالك")
    question.fill("Wie wird das Wetter morgen in Siegburg?")
    question.press("Enter")
    answer = page.locator("#ki-chat [data-testid=bot]").last
    answer.get_by_text("Jobcenter").wait_for(timeout=30_000)
    assert answer.get_by_text("Wer ist wofür zuständig?").count() == 1
    context.close()
