"""HTML loader on hostile pages: the work stays linear in the size of the page.

HTML files are parsed in the indexing process without a timeout (only PDFs run in a
child), so one page whose parse grows with the square of its size stops the whole index
run. These tests count the tree operations that were quadratic instead of timing them.
"""

from __future__ import annotations

from typing import Any

import pytest
from bs4.element import Tag

from bot.ingest.documents import _parse_html


def test_many_line_breaks_are_read_without_a_sibling_scan_per_break(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Replacing each <br> in the tree scanned its parent's children to find it
    (`Tag.index`): 100 000 <br> in one paragraph did not finish in half an hour."""
    scans = 0
    index = Tag.index

    def counted(self: Tag, element: Any) -> int:
        nonlocal scans
        scans += 1
        return index(self, element)

    monkeypatch.setattr(Tag, "index", counted)
    lines = [f"Zeile {n}" for n in range(500)]
    doc = _parse_html("<html><body><p>" + "<br>".join(lines) + "</p></body></html>", "x.html")
    assert doc.text.splitlines() == lines
    assert scans < 50


def test_deeply_nested_elements_are_read_without_a_search_per_element(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Asking a live tag whether it was decomposed searches its whole subtree (bs4 takes
    `tag._decomposed` for a child tag's name), and `find_parent` walks every ancestor:
    5 000 nested <div>s (80 KB) took 100 s, 2 000 took 13 s."""
    searches = 0
    find_all = Tag._find_all

    def counted(self: Tag, *args: Any, **kwargs: Any) -> Any:
        nonlocal searches
        searches += 1
        return find_all(self, *args, **kwargs)

    monkeypatch.setattr(Tag, "_find_all", counted)
    depth = 300
    html = "<html><body>" + "<div>Text " * depth + "</div>" * depth + "</body></html>"
    doc = _parse_html(html, "x.html")
    assert doc.text.split() == ["Text"] * depth
    assert searches < depth


@pytest.mark.parametrize(
    "html",
    [
        # unclosed paragraphs in <div>s: html.parser nests each in the one before
        "<html><body>" + "<div><p>Absatz " * 300 + "</body></html>",
        "<html><body>" + "<ul><li>Punkt " * 300 + "</li></ul>" * 300 + "</body></html>",
    ],
)
def test_nested_paragraphs_and_items_are_not_each_read_whole(
    html: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a paragraph or item is a short menu line was decided on its whole text and
    a search for links in it, for each of them: quadratic when they nest (4 000 unclosed
    <p> in <div>s: 19 s; 2 000 nested list items: 4.6 s)."""
    reads = 0
    get_text, find_all = Tag.get_text, Tag._find_all

    def counted_text(self: Tag, *args: Any, **kwargs: Any) -> str:
        nonlocal reads
        reads += 1
        return get_text(self, *args, **kwargs)

    def counted_find(self: Tag, *args: Any, **kwargs: Any) -> Any:
        nonlocal reads
        reads += 1
        return find_all(self, *args, **kwargs)

    monkeypatch.setattr(Tag, "get_text", counted_text)
    monkeypatch.setattr(Tag, "_find_all", counted_find)
    doc = _parse_html(html, "x.html")
    assert len([w for w in doc.text.split() if w.isalpha()]) == 300
    assert reads < 100


def test_cells_spanning_many_rows_do_not_multiply_the_text() -> None:
    """A rowspan repeats its cell in the rows below; on every row of a large table it
    must not make the text grow with the square of the rows."""
    row = "<tr><td>eins</td><td>zwei</td><td rowspan=100000 colspan=3>drei</td></tr>"
    html = "<html><body><table>" + row * 2000 + "</table></body></html>"
    doc = _parse_html(html, "x.html")
    assert len(doc.text) < 2 * len(html)
    assert doc.text.splitlines()[1] == "| eins | zwei | drei | drei |"  # under the first
