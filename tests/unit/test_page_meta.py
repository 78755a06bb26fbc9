"""The pages' head: our title and preview tags replace Gradio's, values escaped."""

from __future__ import annotations

from pathlib import Path

import gradio
from bs4 import BeautifulSoup

from bot.web.page_meta import rewrite_head

TEMPLATE = Path(gradio.__file__).parent / "templates" / "frontend" / "index.html"


def head_of(page: str) -> BeautifulSoup:
    return BeautifulSoup(page, "html.parser")


def test_gradio_preview_tags_are_replaced_and_values_escaped() -> None:
    page = rewrite_head(TEMPLATE.read_text(encoding="utf-8"), 'KI-Chatbot <b>"x"', "A & B")
    dom = head_of(page)
    assert dom.title.get_text() == 'KI-Chatbot <b>"x"'
    previews = {
        m.get("property") or m.get("name"): m["content"]
        for m in dom.find_all("meta")
        if (m.get("property") or m.get("name") or "").startswith(("og:", "twitter:"))
    }
    assert previews["og:title"] == previews["twitter:title"] == 'KI-Chatbot <b>"x"'
    assert previews["og:description"] == "A & B"
    assert "Gradio" not in previews.values() and "og:image" not in previews
    assert not any("Click to try" in v for v in previews.values())
    assert dom.html["lang"] == "de" and "flex" in dom.html["style"], "other attributes kept"
    assert dom.find("b") is None, "the title is text, not markup"


def test_page_without_head_is_unchanged() -> None:
    assert rewrite_head('{"a": 1}', "t", "d") == '{"a": 1}'
