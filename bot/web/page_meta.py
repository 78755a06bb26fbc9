"""The head of the HTML pages: our title and link-preview tags instead of Gradio's.

Gradio's page template hard-codes `og:`/`twitter:` tags ("Gradio", "Click to try out the
app!", an image on github.com) and `lang="en"`; a messenger showing a link to the chat would
show those. `PageMeta` rewrites the head of the HTML pages it serves: a `<title>`, our
preview tags (no image, no URL: the public address is not known here), `lang="de"`, and for
the staff area German labels of Gradio's own widgets (login form, upload field). The
tags are found with the standard library's HTML parser, not a pattern on the text; every
value is escaped. Nothing else of the page changes.
"""

from __future__ import annotations

import html
import json
from collections.abc import Awaitable, Callable, MutableMapping
from html.parser import HTMLParser
from typing import Any, NamedTuple

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_PREVIEW_PREFIXES = ("og:", "twitter:")


class Page(NamedTuple):
    """What one page's head says; `locale` pins the language of Gradio's own labels."""

    title: str
    description: str
    locale: str | None = None


# Gradio picks the language of its own labels (login form, "Drop File Here", "Clear") from
# the browser; this runs before Gradio's scripts and makes it pick the page's language.
_LOCALE_SCRIPT = (
    "<script>(() => {{ const l = {lang}; for (const [k, v] of [['language', l], "
    "['languages', [l]]]) {{ Object.defineProperty(navigator, k, {{get: () => v}}); }} }})();"
    "</script>"
)


class _HeadTags(HTMLParser):
    """Collects the exact source text of the preview tags, the <html> and <title> tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.preview: list[str] = []
        self.html_tag: str | None = None
        self.head_tag: str | None = None
        self.html_attrs: list[tuple[str, str | None]] = []
        self.title = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        values = dict(attrs)
        if tag == "html" and self.html_tag is None:
            self.html_tag = self.get_starttag_text()
            self.html_attrs = attrs
        elif tag == "head" and self.head_tag is None:
            self.head_tag = self.get_starttag_text()
        elif tag == "title":
            self.title = True
        elif tag == "meta":
            key = values.get("property") or values.get("name") or ""
            if key.startswith(_PREVIEW_PREFIXES):
                self.preview.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.done = True


def rewrite_head(
    page: str, title: str, description: str, lang: str = "de", locale: str | None = None
) -> str:
    """`page` with Gradio's preview tags replaced by ours, a <title> and `lang`; with
    `locale`, Gradio's own labels in that language whatever the browser's language."""
    end = page.find("</head>")
    if end < 0:
        return page
    parser = _HeadTags()
    parser.feed(page[:end] + "</head>")
    head = page[:end]
    for tag in parser.preview:
        head = head.replace(tag, "", 1)
    if parser.html_tag:
        attrs = [(k, v) for k, v in parser.html_attrs if k != "lang"] + [("lang", lang)]
        text = "".join(f' {k}="{html.escape(v or "", quote=True)}"' for k, v in attrs)
        head = head.replace(parser.html_tag, f"<html{text}>", 1)
    if locale and parser.head_tag:
        script = _LOCALE_SCRIPT.format(lang=json.dumps(locale))
        head = head.replace(parser.head_tag, parser.head_tag + script, 1)
    t, d = html.escape(title, quote=True), html.escape(description, quote=True)
    tags = [
        f'<meta property="og:title" content="{t}" />',
        '<meta property="og:type" content="website" />',
        f'<meta property="og:description" content="{d}" />',
        '<meta name="twitter:card" content="summary" />',
        f'<meta name="twitter:title" content="{t}" />',
        f'<meta name="twitter:description" content="{d}" />',
        f'<meta name="description" content="{d}" />',
    ]
    if not parser.title:
        tags.insert(0, f"<title>{t}</title>")
    return head + "\n".join(tags) + "\n" + page[end:]


class PageMeta:
    """Pure ASGI middleware: rewrites the head of HTML pages whose path starts with one of
    `pages` (longest prefix wins). Other responses pass untouched."""

    def __init__(self, app: ASGIApp, pages: dict[str, Page]) -> None:
        self.app = app
        self.pages = sorted(pages.items(), key=lambda item: -len(item[0]))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") != "GET" or "." in path.rsplit("/")[-1]:
            await self.app(scope, receive, send)
            return
        meta = next((m for prefix, m in self.pages if path.startswith(prefix)), None)
        if meta is None:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                is_html = headers.get(b"content-type", b"").startswith(b"text/html")
                if is_html and b"content-encoding" not in headers:
                    start = message
                    return
            elif start is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                page = b"".join(chunks).decode("utf-8")
                rewritten = rewrite_head(page, meta.title, meta.description, locale=meta.locale)
                body = rewritten.encode("utf-8")
                kept = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                kept.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": kept})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, capture)
