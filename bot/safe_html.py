"""HTML for the pages built from untrusted text: corpus passages, answers, citizens' input.

Everything shown in a browser that came from a document or a citizen is data, never markup.
It is escaped first; the little markup the pages need (paragraphs, line breaks, list items,
bold headings, the numbered sources, links) is added here around the escaped text; the
result then goes through `nh3` (the Rust sanitiser ammonia) with an allow-list of exactly
those tags, so nothing that can load a resource (img, video, style, background, …) or run
code can reach the page even if this module had a bug. Every paragraph, list item, quote and
label isolates its own direction (`dir="auto"`, `<bdi>`), so German text inside the Arabic or
Farsi page keeps its punctuation on the right side; `dir` may only be auto, ltr or rtl.
Links must be http(s), open with rel="noopener noreferrer", and only point to hosts the
settings trust; other addresses are shown as text. The browser must show the result as HTML,
not as Markdown (the chat uses `render_markdown=False`), or Markdown syntax inside escaped
text would become links again. Under each answer sit plain `type="button"` buttons (copy,
print, share, handled by the page's script); the copy button's `value` holds the answer as
plain text: an escaped attribute the script reads as text, so it never becomes markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import partial
from urllib.parse import urlsplit

import nh3

# Official sites the sample corpus links to; more can be trusted through BOT_LINK_HOSTS.
DEFAULT_LINK_HOSTS = (
    "rhein-sieg-kreis.de",
    "bamf.de",
    "hilfetelefon.de",
    "anerkennung-in-deutschland.de",
    "antidiskriminierungsstelle.de",
    "germany4ukraine.de",
    "kommunale-integrationszentren-nrw.de",
    "make-it-in-germany.com",
)

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
    # the copy/print/share bar under an answer: buttons (the copy button's value holds the
    # answer as plain text, which the page's script reads as text) and a status line
    "div",
    "button",
    "span",
    # a quoted table row under its header ("| Jahreseinkommen | 35 Std. |")
    "table",
    "tr",
    "th",
    "td",
}
# `dir` isolates the direction of text (right-to-left pages); see _keep_attribute.
_DIRECTED = ("p", "li", "ul", "blockquote", "summary", "small", "bdi", "table")
ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "button": {"type", "value"},
    "span": {"role"},
    **{tag: {"dir"} for tag in _DIRECTED},
}
DIRECTIONS = {"auto", "ltr", "rtl"}
ALLOWED_CLASSES = {
    "details": {"ki-source"},
    "div": {"ki-actions"},
    "button": {"ki-copy", "ki-print", "ki-share"},
    "span": {"ki-action-status"},
}

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_LIST_ITEM = re.compile(r"^\s*[-•]\s+")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|[\s:|-]*-[\s:|-]*\|\s*$")


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip()[1:-1].split("|")]


def _table_html(rows: list[str]) -> str:
    """Markdown table rows as a table: the row above a rule line is the header."""
    out = []
    for number, row in enumerate(rows):
        if _TABLE_RULE.match(row):
            continue
        header = number + 1 < len(rows) and bool(_TABLE_RULE.match(rows[number + 1]))
        tag = "th" if header else "td"
        out.append("<tr>" + "".join(f"<{tag}>{_inline(c)}</{tag}>" for c in _cells(row)) + "</tr>")
    return '<table dir="auto">' + "".join(out) + "</table>"


def host_allowed(url: str, hosts: Iterable[str]) -> bool:
    """True for an http(s) address on one of `hosts` or their subdomains (no user:pass@)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in {"http", "https"} or not host or "@" in parts.netloc:
        return False
    return any(host == h or host.endswith("." + h) for h in (h.lower() for h in hosts))


def _keep_attribute(hosts: tuple[str, ...], tag: str, name: str, value: str) -> str | None:
    if tag == "a" and name == "href":
        return value if host_allowed(value, hosts) else None
    if name == "dir":
        return value if value in DIRECTIONS else None
    if name == "type":
        return value if value == "button" else None  # never a form's submit or reset
    if name == "role":
        return value if value == "status" else None
    return value


def sanitize(markup: str, link_hosts: Iterable[str] = DEFAULT_LINK_HOSTS) -> str:
    """Allow-list clean-up of HTML this project built: only the tags above, safe links."""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=partial(_keep_attribute, tuple(link_hosts)),
        url_schemes={"http", "https"},
        url_relative="deny",
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    )


def escape_text(text: str) -> str:
    """Text shown exactly as written (a citizen's question): escaped, line breaks kept."""
    return html.escape(text, quote=True).replace("\r\n", "\n").replace("\n", "<br>")


def isolated(text: str) -> str:
    """Escaped text in its own direction (`<bdi>`): a German title or a date inside an
    Arabic line keeps its order and punctuation."""
    return f"<bdi>{html.escape(text, quote=True)}</bdi>"


def _inline(line: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", html.escape(line.strip(), quote=True))


def text_to_html(text: str) -> str:
    """Answer text (untrusted, a few markers) as HTML: paragraphs from blank lines, `- `
    lines as list items, `| a | b |` rows as a table, `**bold**`, other line breaks kept.
    Everything else stays text."""
    out: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").strip()):
        # runs of list items, table rows and other lines, in order: [(kind, [lines])]
        runs: list[tuple[str, list[str]]] = []
        for line in block.split("\n"):
            kind = "item" if _LIST_ITEM.match(line) else "row" if _TABLE_ROW.match(line) else ""
            if not kind and not line.strip():
                continue
            if runs and runs[-1][0] == kind:
                runs[-1][1].append(line)
            else:
                runs.append((kind, [line]))
        for kind, lines in runs:
            if kind == "item":
                items = "".join(
                    f'<li dir="auto">{_inline(_LIST_ITEM.sub("", line, count=1))}</li>'
                    for line in lines
                )
                out.append(f'<ul dir="auto">{items}</ul>')
            elif kind == "row":
                out.append(_table_html(lines))
            else:
                out.append('<p dir="auto">' + "<br>".join(_inline(line) for line in lines) + "</p>")
    return "".join(out)


def text_to_plain(text: str) -> str:
    """Answer text as the citizen reads it on the page, without the markers `text_to_html`
    turns into markup: `**bold**` loses its stars, `- ` items become "• " lines, paragraphs
    are separated by one blank line. Everything else stays exactly as written."""
    paragraphs: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").strip()):
        lines = []
        for line in block.split("\n"):
            if _LIST_ITEM.match(line):
                lines.append("• " + _plain_inline(_LIST_ITEM.sub("", line, count=1)))
            elif _TABLE_RULE.match(line):
                continue  # a table's header rule: the header row above says it
            elif _TABLE_ROW.match(line):
                lines.append(" | ".join(_plain_inline(c) for c in _cells(line)))
            elif line.strip():
                lines.append(_plain_inline(line))
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _plain_inline(line: str) -> str:
    return _BOLD.sub(r"\1", line.strip())


def link(url: str, label: str, link_hosts: Iterable[str] = DEFAULT_LINK_HOSTS) -> str:
    """A link to a trusted host, or the address as plain text when it is not trusted."""
    if host_allowed(url, link_hosts):
        return f'<a href="{html.escape(url.strip(), quote=True)}">{html.escape(label)}</a>'
    return html.escape(label)
