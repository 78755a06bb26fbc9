"""Hostile documents and citizens' text must never become markup in a browser.

Each snippet below made the chat page or the staff area load `evil.example` or show a
live link to it (security issue 4). The tests render as the page does: if the chat log
interprets Markdown, the Markdown is rendered first (as Gradio would), then the HTML is
inspected: only the few tags the renderer produces, no attribute that loads anything, no
link except to trusted hosts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from bot.answering.answer import Answer, Citation
from bot.config import Settings
from bot.safe_html import text_to_plain
from bot.web.chat_ui import ChatController, build_app, render_answer

HOSTILE = [
    "<im<img>g src=http://evil.example/a.png>",
    '<table background="http://evil.example/b"><tr><td>t</td></tr></table>',
    '<p style="background:url(http://evil.example/c)">styled</p>',
    '<video poster="http://evil.example/d"></video>',
    "<input type=image src=http://evil.example/e>",
    "![x](http://evil.example/f.png)",
    "[klick](http://evil.example/phish)",
    '<a href="javascript:alert(1)">j</a>',
    "<svg onload=alert(1)><image href=http://evil.example/g.png /></svg>",
    "<http://evil.example/auto>",
]
HOSTILE_URLS = [
    "http://evil.example/phish",
    "https://www.rhein-sieg-kreis.de@evil.example/",
    "https://rhein-sieg-kreis.de.evil.example/",
    "javascript:alert(1)",
    "[klick](http://evil.example/phish)",
    "//evil.example/x",
]
# What the renderer may produce; everything else (img, video, input, table, svg, style,
# script, …) must be gone.
# `bdi` and `dir` (auto/ltr/rtl only) isolate the direction of text: they load and run nothing.
ALLOWED_TAGS = {
    "p",
    "br",
    "ul",
    "li",
    "strong",
    "details",
    "summary",
    "blockquote",
    "small",
    "a",
    "bdi",
    "div",
    "button",
    "span",
}
# A button may only be a plain button (no form's submit), a role only "status".
ALLOWED_ATTRS = {"href", "target", "rel", "class", "dir", "type", "value", "role"}


class OneAnswer:
    def __init__(self, answer: Answer | None = None) -> None:
        self.answer = answer

    def reload_if_changed(self) -> bool:
        return False

    def stream(self, question: str, history: object, page_language: object = None):  # noqa: ANN201
        yield self.answer or Answer(question, "Antwort", refused=False, language="de", sources=[])


@pytest.fixture(scope="module")
def chat_renders_markdown(tmp_path_factory: pytest.TempPathFactory) -> bool:
    """Whether the real page's chat log interprets message text as Markdown."""
    root = tmp_path_factory.mktemp("app")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        corpus_dir=root,
        index_dir=root / "i",
        data_dir=root / "d",
        embedding_model="fake",
    )
    demo = build_app(settings, OneAnswer())  # type: ignore[arg-type]
    chat = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "ki-chat")
    return bool(chat.render_markdown or chat.latex_delimiters)


def displayed(content: str, markdown: bool) -> BeautifulSoup:
    """The DOM the browser builds from a chat message."""
    if markdown:
        content = MarkdownIt("commonmark", {"html": True}).render(content)
    return BeautifulSoup(content, "html.parser")


def assert_harmless(dom: BeautifulSoup) -> None:
    tags = {tag.name for tag in dom.find_all(True)}
    assert tags <= ALLOWED_TAGS, f"unexpected tags: {tags - ALLOWED_TAGS}"
    for tag in dom.find_all(True):
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            assert name in ALLOWED_ATTRS, f"<{tag.name} {name}=…> may load or run something"
            if name == "value":  # the answer as text to copy: inert, read by the script as text
                assert tag.name == "button" and tag.get("class") == ["ki-copy"]
                continue
            assert "evil.example" not in value and "javascript" not in value.lower()
            assert name != "dir" or value in {"auto", "ltr", "rtl"}, value
            assert name != "type" or value == "button", value
            assert name != "role" or value == "status", value
    for anchor in dom.find_all("a"):
        href = anchor.get("href")
        if href is not None:
            assert href.startswith("https://www.rhein-sieg-kreis.de/"), href
            assert anchor.get("rel") == ["noopener", "noreferrer"]


def citation(**extra: Any) -> Citation:
    data: dict[str, Any] = {
        "number": 1,
        "source": "doc.md",
        "title": "Titel",
        "section": "Abschnitt",
        "score": 0.9,
        "excerpt": "Text",
        "updated": "2026-09-15",
        "url": "https://www.rhein-sieg-kreis.de/",
    }
    data.update(extra)
    return Citation(**data)


@pytest.mark.parametrize("snippet", HOSTILE)
def test_hostile_answer_text_is_shown_as_text(snippet: str, chat_renders_markdown: bool) -> None:
    answer = Answer(
        "q",
        f"**Kosten** [1]\nVorher {snippet} nachher",
        refused=False,
        language="de",
        sources=[citation()],
    )
    dom = displayed(render_answer(answer), chat_renders_markdown)
    assert_harmless(dom)
    assert "Vorher" in dom.get_text() and "nachher" in dom.get_text()
    copied = dom.find("button", class_="ki-copy")["value"]
    assert f"Vorher {snippet} nachher" in copied, "copied as the literal text"


@pytest.mark.parametrize("snippet", HOSTILE)
@pytest.mark.parametrize("field", ["excerpt", "title", "section", "source"])
def test_hostile_sources_are_shown_as_text(
    snippet: str, field: str, chat_renders_markdown: bool
) -> None:
    answer = Answer(
        "q",
        "Antwort [1]",
        refused=False,
        language="de",
        sources=[citation(**{field: f"A {snippet} B"})],
    )
    assert_harmless(displayed(render_answer(answer), chat_renders_markdown))


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_untrusted_source_urls_are_not_links(url: str, chat_renders_markdown: bool) -> None:
    dom = displayed(
        render_answer(
            Answer("q", "Antwort [1]", refused=False, language="de", sources=[citation(url=url)])
        ),
        chat_renders_markdown,
    )
    assert_harmless(dom)
    assert dom.find("a", href=True) is None, "only trusted hosts are links"


def test_answer_markers_become_structure() -> None:
    text = "**Einbürgerung › Kosten** [1]\n255 Euro\n- erstens\n- zweitens\n\nNeuer Absatz"
    dom = BeautifulSoup(
        render_answer(Answer("q", text, refused=False, language="de", sources=[])), "html.parser"
    )
    assert dom.find("strong").get_text() == "Einbürgerung › Kosten"
    assert [li.get_text() for li in dom.find_all("li")] == ["erstens", "zweitens"]
    assert [p.get_text() for p in dom.find_all("p")][-1] == "Neuer Absatz"


def test_a_quoted_table_row_is_a_table_under_its_header() -> None:
    text = (
        "**Kita › Elternbeiträge** [1]\n| Einkommen | 35 Std. |\n|---|---|\n"
        "| bis 45.000 € | **95 €** |\n| <img src=x onerror=alert(1)> | a |"
    )
    dom = BeautifulSoup(
        render_answer(Answer("q", text, refused=False, language="de", sources=[])), "html.parser"
    )
    table = dom.find("table")
    assert [th.get_text() for th in table.find_all("th")] == ["Einkommen", "35 Std."]
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in table.find_all("tr")][1:]
    assert rows == [["bis 45.000 €", "95 €"], ["<img src=x onerror=alert(1)>", "a"]]
    assert dom.find("img") is None and "---" not in dom.get_text()  # text, and no rule line
    assert text_to_plain(text).splitlines()[1:] == [
        "Einkommen | 35 Std.",
        "bis 45.000 € | 95 €",
        "<img src=x onerror=alert(1)> | a",
    ]


QUESTION = "Was heißt [Link](https://evil.example/x) und **fett**? <b>1 < 2</b> & ![i](x.png)"


def test_question_is_shown_exactly_as_typed(settings: Settings, chat_renders_markdown: bool):
    controller = ChatController(settings, OneAnswer())  # type: ignore[arg-type]
    history, *_ = list(controller.respond(QUESTION, [], None))[-1]
    dom = displayed(history[0]["content"], chat_renders_markdown)
    assert_harmless(dom)
    assert dom.get_text() == QUESTION
    assert dom.find("a") is None


def test_streamed_and_final_answers_are_harmless(settings: Settings, chat_renders_markdown):
    hostile = "\n".join(HOSTILE)
    answer = Answer(
        "q",
        hostile,
        refused=False,
        language="de",
        sources=[citation(excerpt=hostile, url=HOSTILE_URLS[0])],
    )
    controller = ChatController(settings, OneAnswer(answer))  # type: ignore[arg-type]
    for history, *_ in controller.respond("Frage", [], None):
        for turn in history:
            assert_harmless(displayed(turn["content"], chat_renders_markdown))


def test_feedback_records_are_not_markup_in_the_staff_report(settings: Settings) -> None:
    from bot.staff.admin_service import AdminService
    from bot.staff.audit import AuditLog
    from bot.staff.users import UserStore

    path = Path(settings.data_dir) / "feedback.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    records = [
        {"day": "2026-11-01", "question": f"Frage {s}", "refused": True, "language": "de",
         "helpful": False, "comment": f"Kommentar {s}", "sources": []}
        for s in HOSTILE
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    audit = AuditLog(settings.data_dir / "audit.jsonl")
    service = AdminService(settings, UserStore(settings.users_file), audit)
    report = service.feedback_summary()
    # Plain values for text-only table cells: nothing is ever interpreted as Markdown/HTML.
    assert report.total == len(HOSTILE) and report.helpful == 0
    assert [q for _, q in report.top_questions] == sorted(f"Frage {s}" for s in HOSTILE)
    assert {c[-1] for c in report.comments} == {f"Kommentar {s}" for s in HOSTILE}
