"""A fee table quoted in the chat, on a phone-sized screen in a real browser.

Answers quote table rows under their header ("| Alter | Gebühr |"); the chat renders a
run of such rows as a small <table>. On a 390-pixel screen the table must fit or scroll
sideways inside the message, never widen the page, and cell text from the document stays
text (fake embeddings, so no model is loaded).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.conftest import LiveServer, small_settings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PAGE = """<!doctype html><html lang="de"><head><title>Kita-Beiträge</title></head><body>
<main><h1>Kita-Beiträge</h1><h2>Elternbeiträge pro Monat</h2>
<p>Die Elternbeiträge für die Kita richten sich nach dem Jahreseinkommen der Eltern.</p>
<table>
<tr><th>Jahreseinkommen der Eltern</th><th>Elternbeitrag unter drei Jahren</th></tr>
<tr><td>bis 25.000 Euro</td><td>beitragsfrei</td></tr>
<tr><td>bis 50.000 Euro</td><td>72 Euro &lt;b&gt;im Monat&lt;/b&gt;</td></tr>
<tr><td>über 50.000 Euro</td><td>Verwaltungskostenbeitragsermäßigungsantrag nötig</td></tr>
</table></main></body></html>
"""


@pytest.fixture(scope="module")
def table_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("tables")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "kita-beitraege.html").write_text(PAGE, encoding="utf-8")
    # fake embeddings: the real refusal gates are tested with e5
    settings = small_settings(
        root,
        corpus,
        refusal_min_relevance=-99.0,
        refusal_clear_relevance=-99.0,
        refusal_topic_relevance=-99.0,
    )
    with LiveServer(settings) as server:
        yield server


def test_a_quoted_table_fits_a_phone_screen(table_server, browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(table_server.url + "/", wait_until="load")
    box = page.get_by_label("Ihre Frage")
    box.wait_for(timeout=30_000)
    box.fill("Wie hoch ist der Elternbeitrag für die Kita bei 50.000 Euro Jahreseinkommen?")
    box.press("Enter")
    table = page.locator("#ki-chat [data-testid=bot] table").first
    table.wait_for(timeout=30_000)
    headers = table.locator("th").all_inner_texts()
    assert "Jahreseinkommen der Eltern" in headers, headers
    cells = table.locator("td").all_inner_texts()
    assert "72 Euro <b>im Monat</b>" in cells, "markup in a cell is shown as text"
    assert table.locator("b").count() == 0
    sizes = table.evaluate(
        "t => ({table: t.getBoundingClientRect().width,"
        " page: document.documentElement.scrollWidth,"
        " screen: document.documentElement.clientWidth,"
        " overflow: getComputedStyle(t).overflowX})"
    )
    assert sizes["table"] <= sizes["screen"], sizes
    assert sizes["page"] <= sizes["screen"], f"the page scrolls sideways: {sizes}"
    assert sizes["overflow"] == "auto", "a wide table scrolls inside the message"
    # a long German word is not broken in the middle of the cell
    long_word = table.locator("td", has_text="Verwaltungskostenbeitragsermäßigungsantrag")
    lines = long_word.evaluate(
        "td => { const r = document.createRange(); r.selectNodeContents(td);"
        " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"
    )
    assert lines <= 2, "the long word stays on one line (the table scrolls instead)"
    context.close()
