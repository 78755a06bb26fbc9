"""The citizens' chat page: a thin Gradio layer over `Assistant.stream`.

What the page adds to the assistant: the interface language (with right-to-left layout
for Arabic and Farsi), rendering of answers and numbered sources with their passages,
a per-session rate limit, feedback without personal data, and accessibility details
(labels, one announcement of the complete answer for screen readers). It loads nothing
from other hosts: system fonts, no analytics.
"""

from __future__ import annotations

import html
import json
import logging
import secrets
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from bot.answering.answer import Answer, Citation
from bot.answering.assistant import Assistant, Delta
from bot.answering.smalltalk import REASONS as SMALL_TALK_REASONS
from bot.answering.versions import asker_language
from bot.config import Settings
from bot.i18n import (
    CONTACT_URL,
    DEFAULT_LANGUAGE,
    PAGE_LANGUAGES,
    RTL_LANGUAGES,
    detect_language,
    examples,
    format_date,
    message,
    ui_text,
)
from bot.safe_html import (
    DEFAULT_LINK_HOSTS,
    escape_text,
    host_allowed,
    isolated,
    link,
    sanitize,
    text_to_html,
    text_to_plain,
)
from bot.staff.contact_card import ContactCard, load_card
from bot.staff.feedback import feedback_path, record_feedback
from bot.staff.gaps import gaps_path, is_gap, record_gap
from bot.staff.translation_demand import demand_path, record_demand
from bot.web.ratelimit import ClientKeys, RateLimiter, allow_all

log = logging.getLogger(__name__)

CSS = """
:root { --ki-blue: #0b4f8a; }
.gradio-container { max-width: 960px !important; margin: 0 auto; }
#ki-header h1 { font-size: 1.45rem; margin: 0.2rem 0; color: #0f1f33; }
#ki-disclaimer { border-left: 4px solid var(--ki-blue); background: #eef4fb; color: #0f1f33;
  padding: 0.6rem 0.8rem; border-radius: 4px; }
#ki-disclaimer a { color: #0b4f8a; font-weight: 600; }
/* links in answers and the contact card: 8.6:1 (Gradio's light blue fell to 2.8:1) */
#ki-card a, #ki-chat a { color: #0b4f8a !important; }
#ki-card { display: block; padding: 0.6rem 0.8rem; border: 1px solid #c9d6e6; border-radius: 4px; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
*:focus-visible { outline: 3px solid #b35900 !important; outline-offset: 2px; }
details.ki-source { margin: 0.3rem 0; }
/* a quoted table row under its header: scrolls sideways on a phone, never wider than it */
#ki-chat table { display: block; max-width: 100%; overflow-x: auto; border-collapse: collapse;
  margin: 0.3rem 0; }
/* on a phone the message grew to the table's width and the whole page scrolled sideways
   (a long German word in a cell): width 0 gives the table no say in the message's width */
@media (max-width: 600px) { #ki-chat table { width: 0; min-width: 100%; } }
#ki-chat th, #ki-chat td { border: 1px solid #c9d6e6; padding: 0.15rem 0.4rem;
  text-align: start; vertical-align: top; word-break: normal !important;
  overflow-wrap: normal !important; min-width: 4.5em; }
details.ki-source summary { cursor: pointer; }
/* A German title that wraps inside an Arabic or Farsi line was reordered with the date
   around it; as one box it wraps inside itself and the date stays beside it. */
details.ki-source summary bdi { display: inline-block; }
/* The conversation grows with the page (no fixed box with its own scroll bar, which hid the
   start of each answer on a phone); its label sits above the messages instead of floating
   over them; long labels wrap so the accordion's arrow stays inside the page. */
#ki-chat { height: auto !important; max-height: none !important; }
#ki-chat .bubble-wrap { height: auto !important; overflow: visible !important; }
#ki-chat label.float { position: static !important; margin-bottom: 0.3rem; }
/* Gradio pins its "clear" icon to the right, where the label sits in Arabic and Farsi. */
.gradio-container[dir=rtl] #ki-chat .top-panel { right: auto; left: var(--block-label-margin); }
#ki-feedback .label-wrap { gap: 0.5rem; align-items: center; text-align: start; }
#ki-feedback .label-wrap > span:first-child { flex: 1 1 auto; min-width: 0; }
#ki-feedback .label-wrap > .icon { flex: 0 0 auto; line-height: 1; }
@media (max-width: 640px) { #ki-header h1 { font-size: 1.15rem; } }
/* Copy, print and share under each answer: text buttons, 8.6:1 like the links. */
.ki-actions { display: flex; flex-wrap: wrap; gap: 0.35rem; align-items: center;
  margin-top: 0.6rem; }
.ki-actions button { font: inherit; font-size: 0.85rem; line-height: 1.3; padding: 0.25rem 0.5rem;
  border: 1px solid #0b4f8a; border-radius: 4px; background: #fff; color: #0b4f8a;
  cursor: pointer; }
.ki-actions button:hover { background: #eef4fb; }
.ki-action-status { font-size: 0.9rem; color: #0f1f33; }
"""

# Texts the page's script needs in every language (Gradio's own controls, action results).
_SCRIPT_TEXTS = ("chat", "clear", "scroll_down", "loading", "copied", "copy_failed")

# Runs once in the browser: the streaming chat log must not announce every piece of text;
# the complete answer is announced once through the hidden #ki-live region instead.
# Gradio labels each message with its raw content (our escaped HTML); without that label a
# screen reader reads the message text itself instead of tags and entities.
# Gradio's own controls of the conversation ("Clear", "chatbot conversation", "Scroll down",
# "Loading response") carry labels in the browser's language that a language switch cannot
# reach: they get the page language's labels here, again whenever Gradio redraws them.
# The copy, print and share buttons under an answer use the answer's plain text from the copy
# button's value (text, never markup); print shows it alone, built from text nodes.
HEAD = """
<style>
/* "Drucken" prints one answer: the page's script puts its text into #ki-print (as text) and
   marks the body while the browser prints. Here, not in CSS: Gradio confines that to its
   container, and these rules are about the body. */
#ki-print { display: none; }
@media print {
  body.ki-printing > :not(#ki-print) { display: none !important; }
  body.ki-printing #ki-print { display: block; color: #000; font-size: 12pt; line-height: 1.45; }
  #ki-print .ki-print-block { margin: 0 0 0.8em; }
  #ki-print .ki-print-title { font-weight: 600; }
  .ki-actions { display: none !important; }
}
</style>
<script>
(() => {
  document.documentElement.lang = 'de';
  const TEXTS = SCRIPT_TEXTS;
  const say = key => (TEXTS[document.documentElement.lang] || TEXTS.de)[key];
  const quiet = () => {
    document.querySelectorAll('#ki-chat [aria-live], #ki-chat [role=log]')
      .forEach(el => el.setAttribute('aria-live', 'off'));
    document.querySelectorAll('#ki-chat :is([data-testid=bot], [data-testid=user])[aria-label]')
      .forEach(el => el.removeAttribute('aria-label'));
  };
  const name = (el, text) => {
    if (el.getAttribute('aria-label') !== text) { el.setAttribute('aria-label', text); }
    if (el.hasAttribute('title') && el.title !== text) { el.title = text; }
  };
  const relabel = () => {
    document.querySelectorAll('#ki-chat .top-panel button').forEach(el => name(el, say('clear')));
    document.querySelectorAll('#ki-chat [role=log]').forEach(el => name(el, say('chat')));
    document.querySelectorAll('#ki-chat .scroll-down-button-container button')
      .forEach(el => name(el, say('scroll_down')));
    document.querySelectorAll('#ki-chat [role=status][aria-label]').forEach(el => {
      name(el, say('loading'));
      const hidden = el.querySelector('.sr-only');
      if (hidden && hidden.textContent !== say('loading')) { hidden.textContent = say('loading'); }
    });
  };
  new MutationObserver(() => { quiet(); relabel(); }).observe(document.documentElement,
    {childList: true, subtree: true, attributes: true,
     attributeFilter: ['aria-label', 'title', 'lang']});

  const status = (bar, key) => {
    const out = bar.querySelector('.ki-action-status');
    if (!out) { return; }
    out.textContent = say(key);
    clearTimeout(out.kiTimer);
    out.kiTimer = setTimeout(() => { out.textContent = ''; }, 8000);
  };
  const copyByHand = text => {  // no Clipboard API (an address without https)
    const back = document.activeElement;
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    let done = false;
    try { done = document.execCommand('copy'); } catch (error) { done = false; }
    area.remove();
    if (back) { back.focus(); }
    return done;
  };
  const copy = async (bar, text) => {
    let done = false;
    try { await navigator.clipboard.writeText(text); done = true; }
    catch (error) { done = copyByHand(text); }
    status(bar, done ? 'copied' : 'copy_failed');
  };
  const print = text => {
    const old = document.getElementById('ki-print');
    if (old) { old.remove(); }
    const sheet = document.createElement('div');
    sheet.id = 'ki-print';
    sheet.lang = document.documentElement.lang;
    sheet.dir = document.documentElement.dir || 'ltr';
    const title = document.createElement('div');
    title.className = 'ki-print-block ki-print-title';
    title.textContent = document.title;
    sheet.appendChild(title);
    for (const part of text.split('\\n\\n')) {
      const block = document.createElement('div');
      block.className = 'ki-print-block';
      for (const line of part.split('\\n')) {
        const row = document.createElement('div');
        row.dir = 'auto';
        row.textContent = line;
        block.appendChild(row);
      }
      sheet.appendChild(block);
    }
    document.body.appendChild(sheet);
    document.body.classList.add('ki-printing');
    window.addEventListener('afterprint', () => {
      document.body.classList.remove('ki-printing');
      sheet.remove();
    }, {once: true});
    window.print();
  };
  const share = (bar, text) => {
    if (!navigator.share) { copy(bar, text); return; }
    navigator.share({title: document.title, text})
      .catch(error => { if (!error || error.name !== 'AbortError') { copy(bar, text); } });
  };
  document.addEventListener('click', event => {
    const button = event.target.closest && event.target.closest('#ki-chat .ki-actions button');
    if (!button) { return; }
    const bar = button.closest('.ki-actions');
    const source = bar.querySelector('button.ki-copy');
    const text = source ? source.value : '';
    if (button.classList.contains('ki-copy')) { copy(bar, text); }
    else if (button.classList.contains('ki-print')) { print(text); }
    else if (button.classList.contains('ki-share')) { share(bar, text); }
  });
})();
</script>
""".replace(
    "SCRIPT_TEXTS",
    json.dumps(
        {lang: {key: ui_text(key, lang) for key in _SCRIPT_TEXTS} for lang in PAGE_LANGUAGES},
        ensure_ascii=False,
    ).replace("</", "<\\/"),
)

# After an answer the page shows its start (the page grows with the conversation, so the
# browser would otherwise stay where it was, or a phone would show only the answer's end).
SCROLL_TO_ANSWER_JS = """
() => {
  const bots = document.querySelectorAll('#ki-chat [data-testid=bot]');
  const last = bots[bots.length - 1];
  if (last) { last.scrollIntoView({block: 'start', behavior: 'instant'}); }
}
"""

SHOW_CARD_JS = """
() => {
  const card = document.querySelector('#ki-card');
  if (card) { card.scrollIntoView({block: 'nearest'}); card.focus({preventScroll: true}); }
}
"""

# The switch's inputs pass through unchanged (the language, the conversation, the session).
SET_DIRECTION_JS = """
(lang, ...rest) => {
  const rtl = ['ar', 'fa'].includes(lang);
  const titles = PAGE_TITLES;
  document.title = titles[lang] || titles.de;
  document.documentElement.lang = lang;
  document.documentElement.dir = rtl ? 'rtl' : 'ltr';
  const root = document.querySelector('.gradio-container');
  if (root) { root.setAttribute('dir', rtl ? 'rtl' : 'ltr'); }
  return [lang, ...rest];
}
""".replace(
    "PAGE_TITLES",
    json.dumps({lang: ui_text("page_title", lang) for lang in PAGE_LANGUAGES}, ensure_ascii=False),
)


def source_label(cite: Citation, language: str) -> str:
    """ "[1] Einbürgerung › Kosten, S. 2 (Stand 15.09.2026)" with the number, the German
    title and the date each isolated, so an Arabic or Farsi line does not reorder them."""
    title = cite.title + (f" › {cite.section}" if cite.section else "")
    label = f"{isolated(f'[{cite.number}]')} {isolated(title)}"
    if cite.page:
        label += f", {html.escape(message('page', language))} {isolated(str(cite.page))}"
    if cite.updated:
        date = isolated(format_date(cite.updated, language))
        label += f" ({html.escape(message('as_of', language))} {date})"
    return label


def render_sources(
    answer: Answer, link_hosts: Iterable[str] = DEFAULT_LINK_HOSTS, language: str | None = None
) -> str:
    """Numbered, openable sources: section, date (Stand), the passage and its URL; labels
    in `language` (the answer's language unless the citizen chose a page language).

    Title, passage, file name and URL come from documents: escaped text; the URL is shown
    (as a link) only for a trusted host, so a document cannot point citizens elsewhere."""
    if not answer.sources:
        return ""
    lang = language or answer.language
    parts = [f"<p><strong>{html.escape(message('sources', lang))}</strong></p>"]
    for cite in answer.sources:
        trusted = cite.url if cite.url and host_allowed(cite.url, link_hosts) else None
        url = f"<br><bdi>{link(trusted, trusted, link_hosts)}</bdi>" if trusted else ""
        parts.append(
            f'<details class="ki-source"><summary>{source_label(cite, lang)}</summary>'
            f'<blockquote dir="auto">{escape_text(cite.excerpt)}</blockquote>'
            f"<small>{isolated(cite.source)}</small>{url}</details>"
        )
    return "".join(parts)


def _offers_contact(answer: Answer) -> tuple[bool, bool]:
    """(show the contact card, add the contact link): a refusal (the documents hold no
    answer) gets both, a request for a person (answered with the contact passage) the card."""
    wants_person = answer.reason == "human-contact"
    # a malformed message or small talk ("Hallo", "danke") asks for no office
    refused = answer.refused and answer.reason not in {"empty", "too-long", *SMALL_TALK_REASONS}
    return refused or wants_person, refused and not wants_person


def _bidi(text: str, language: str) -> str:
    """In Arabic or Farsi text, a German title or a date between Unicode isolates (what
    `<bdi>` does on the page), so a pasted line keeps their order."""
    return f"\u2068{text}\u2069" if language in RTL_LANGUAGES else text


def answer_plain_text(
    answer: Answer,
    language: str | None = None,
    link_hosts: Iterable[str] = DEFAULT_LINK_HOSTS,
    card: ContactCard | None = None,
) -> str:
    """The answer as clean text for copying, printing and sharing (a messenger, an e-mail,
    paper): what the page shows, without HTML or Markdown markers, then "Quellen:" with each
    source's title, page, date (Stand) and URL. The answer and its contact card in the
    answer's language, the sources' labels in `language` (see render_sources); a URL only
    for a trusted host, as on the page; passages and file names stay out."""
    lang = language or answer.language
    parts = [text_to_plain(answer.text)]
    with_card, _ = _offers_contact(answer)
    if with_card and card is not None:  # the refusal's text already names the contact URL
        parts.append(card.render_text(answer.language))
    if answer.sources:
        lines = [message("sources", lang) + ":"]
        for cite in answer.sources:
            title = cite.title + (f" › {cite.section}" if cite.section else "")
            line = f"[{cite.number}] {_bidi(title, lang)}"
            if cite.page:
                line += f", {message('page', lang)} {cite.page}"
            if cite.updated:
                date = _bidi(format_date(cite.updated, lang), lang)
                line += f" ({message('as_of', lang)} {date})"
            lines.append(line)
            if cite.url and host_allowed(cite.url, link_hosts):
                lines.append(cite.url.strip())
        parts.append("\n".join(lines))
    return "\n\n".join(p for p in parts if p.strip()).replace("\t", " ")


def render_actions(text: str, language: str) -> str:
    """Copy, print and share for one answer (the page's script handles the buttons). The
    answer's plain text is the copy button's `value`: an escaped attribute the script reads
    as text, which neither screen readers nor text searches see twice (Gradio's sanitiser
    keeps no data-* attribute)."""
    value = html.escape(text, quote=True)
    buttons = "".join(
        f'<button type="button" class="ki-{action}"'
        + (f' value="{value}"' if action == "copy" else "")
        + f">{html.escape(ui_text(action, language))}</button>"
        for action in ("copy", "print", "share")
    )
    status = '<span class="ki-action-status" role="status"></span>'
    return f'<div class="ki-actions">{buttons}{status}</div>'


def render_answer(
    answer: Answer,
    link_hosts: Iterable[str] = DEFAULT_LINK_HOSTS,
    card: ContactCard | None = None,
    language: str | None = None,
) -> str:
    """The answer as sanitised HTML; `Answer.text` is untrusted text with a few markers.
    A refusal (the documents hold no answer, or the citizen asked for a person) ends with
    the contact card: a concrete way to a person; like the answer's text, it is in the
    answer's language. The page's labels (sources, dates, the action buttons) are in
    `language`, the answer's own language until the citizen chooses a page language.

    Line breaks and tabs are written as character references: Gradio reindents message
    text (`inspect.cleandoc`), and the page sends back exactly what it was given, which
    `ChatController.relabel` recognises."""
    lang = language or answer.language
    body = text_to_html(answer.text)
    with_card, with_link = _offers_contact(answer)
    if with_link:
        body += f"<p>{link(CONTACT_URL, ui_text('contact_link', answer.language))}</p>"
    if with_card and card is not None:
        body += card.render_html(answer.language, link_hosts)
    plain = answer_plain_text(answer, lang, link_hosts, card)
    markup = body + render_sources(answer, link_hosts, lang) + render_actions(plain, lang)
    return sanitize(markup, link_hosts).replace("\n", "&#10;").replace("\t", "&#9;")


def render_card_panel(card: ContactCard, lang: str, link_hosts: Iterable[str]) -> str:
    """The card behind the permanent button: a labelled region around the sanitised card."""
    label = html.escape(ui_text("human_button", lang), quote=True)
    return (
        f'<section id="ki-card" role="region" aria-label="{label}" tabindex="-1">'
        f"{card.render_html(lang, link_hosts)}</section>"
    )


def render_question(question: str) -> str:
    """The citizen's question exactly as typed (escaped, never Markdown or HTML)."""
    return sanitize(f'<p dir="auto">{escape_text(question)}</p>')


def render_text(text: str) -> str:
    """A partial answer while it streams, or a message of the bot: text, not markup."""
    return sanitize(text_to_html(text))


def plain_text(answer: Answer) -> str:
    """The answer for the screen-reader announcement: the text the page shows, on one line."""
    return " ".join(text_to_plain(answer.text).split())


# How many shown answers a session remembers for re-rendering them in another language.
MAX_SHOWN_ANSWERS = 50


class ChatSession:
    """Per-browser state kept by Gradio: an opaque id for rate limiting, the turns, the page
    language the citizen chose (None: each answer's labels follow its question's language)
    and the answers on the page by their HTML, so a language switch can re-render them."""

    def __init__(self) -> None:
        self.id = secrets.token_hex(8)
        self.turns: list[tuple[str, str]] = []
        self.last: Answer | None = None
        self.feedback_given = 0
        self.last_rated: Answer | None = None
        self.language: str | None = None
        self.shown: dict[str, Answer] = {}

    def new_conversation(self) -> ChatSession:
        """Forgets the turns but keeps the id, counters and language: "new conversation"
        must not reset the session's question or feedback limits."""
        fresh = ChatSession()
        fresh.id, fresh.feedback_given = self.id, self.feedback_given
        fresh.language = self.language
        return fresh

    def remember(self, markup: str, answer: Answer) -> None:
        self.shown[markup] = answer
        while len(self.shown) > MAX_SHOWN_ANSWERS:
            del self.shown[next(iter(self.shown))]


class ChatController:
    """The page's behaviour, testable without a browser."""

    def __init__(self, settings: Settings, assistant: Assistant) -> None:
        self.settings = settings
        self.assistant = assistant
        # Per session, per client address (an opaque per-process key, so new sessions and
        # "new conversation" do not reset it) and per process (all clients together).
        self.limiter = RateLimiter(settings.requests_per_minute)
        self.client_limiter = RateLimiter(settings.requests_per_minute_per_client)
        self.total_limiter = RateLimiter(settings.requests_per_minute_total)
        self.feedback_limiter = RateLimiter(settings.feedback_per_client_per_hour, 3600.0)
        self.client_keys = ClientKeys()
        self.feedback_path = feedback_path(settings)
        self.gaps_path = gaps_path(settings)
        self.demand_path = demand_path(settings)

    def respond(
        self,
        question: str,
        history: list[dict[str, Any]],
        session: ChatSession | None,
        client: str | None = None,
        page_language: str | None = None,
    ) -> Iterator[tuple[list[dict[str, Any]], ChatSession, str, str]]:
        """Yields (chat messages, session, live-region HTML, cleared input). `client` is the
        client's address as the server sees it; only its per-process hash is kept.
        `page_language` is the page's language: Leichte Sprache ("de-x-ls") makes its
        document versions answer German questions first."""
        session = session or ChatSession()
        history = list(history or [])
        question = question or ""
        if not question.strip():  # no empty bubble; screen readers hear what to do
            yield history, session, _live(message("empty", DEFAULT_LANGUAGE)), ""
            return
        # The citizen's own words exactly; an over-long question (which the assistant refuses
        # with a message naming the limit) is shown shortened, marked with "…".
        limit = self.settings.max_question_chars
        shown = question if len(question) <= limit else question[:limit] + " …"
        history.append({"role": "user", "content": render_question(shown)})
        if not self.allow(client, session.id):
            text = message("rate_limited", asker_language(detect_language(question), page_language))
            history.append({"role": "assistant", "content": render_text(text)})
            yield history, session, _live(text), ""
            return
        history.append({"role": "assistant", "content": "…"})
        yield history, session, "", ""
        self.assistant.reload_if_changed()
        streamed = ""
        final: Answer | None = None
        try:
            for event in self.assistant.stream(question, session.turns, page_language):
                if isinstance(event, Delta):
                    streamed += event.text
                    history[-1] = {"role": "assistant", "content": render_text(streamed)}
                    yield history, session, "", ""
                else:
                    final = event
        except Exception:  # the citizen gets a clear message, the log the details
            log.exception("answering failed")
            text = message("error", asker_language(detect_language(question), page_language))
            history[-1] = {"role": "assistant", "content": render_text(text)}
            yield history, session, _live(text), ""
            return
        assert final is not None
        shown = self.render(final, session.language)
        session.remember(shown, final)
        history[-1] = {"role": "assistant", "content": shown}
        session.last = final
        self.note_answer(question, final)
        if not final.refused:
            session.turns = (session.turns + [(question, final.text)])[-5:]
        yield history, session, _live(plain_text(final)), ""

    def allow(self, client: str | None, session_id: str | None = None) -> bool:
        """One question against the chat's limits (per session, per client address, per
        process). The JSON API shares them, so a client gains nothing by using both."""
        checks = [
            (self.limiter, session_id),
            (self.client_limiter, self.client_keys.key(client)),
            (self.total_limiter, "all"),
        ]
        return allow_all(checks)

    def note_answer(self, question: str, answer: Answer) -> None:
        """A question the documents did not answer goes (scrubbed) into staff's gap report;
        an answer from a document without the asker's version into the translation demand
        (counts only: the day, the language and the document)."""
        if answer.untranslated:
            record_demand(
                self.demand_path,
                *answer.untranslated,
                retention_days=self.settings.gaps_retention_days,
            )
        if is_gap(answer.refused, answer.reason):
            record_gap(
                self.gaps_path,
                question,
                answer.language,
                "unanswered",
                retention_days=self.settings.gaps_retention_days,
            )

    def render(self, answer: Answer, language: str | None) -> str:
        """One answer as the page shows it, labels in `language` (None: the answer's)."""
        card = load_card(self.settings.corpus_dir)
        return render_answer(answer, self.settings.link_hosts, card, language)

    def relabel(
        self, history: list[dict[str, Any]], session: ChatSession | None, language: str
    ) -> tuple[list[dict[str, Any]], ChatSession]:
        """After a language switch: the page's answers again, their labels (sources, dates,
        buttons) in `language`; the session remembers the choice for later answers. The
        answers' own text (and a refusal's contact card) stays in the question's language.
        Only messages this session rendered are replaced; anything else stays as it is."""
        session = session or ChatSession()
        session.language = language
        known, session.shown = session.shown, {}
        out = []
        for item in history or []:
            answer = known.get(_message_text(item)) if item.get("role") == "assistant" else None
            if answer is None:
                out.append(item)
                continue
            shown = self.render(answer, language)
            session.remember(shown, answer)
            out.append({"role": "assistant", "content": shown})
        return out, session

    def feedback(
        self,
        session: ChatSession | None,
        helpful: bool,
        comment: str,
        lang: str,
        client: str | None = None,
    ) -> str:
        """Stores one scrubbed record per answer, at most `feedback_per_session` per session
        and `feedback_per_client_per_hour` per client address."""
        if session is None or session.last is None:
            return ui_text("no_answer_yet", lang)
        answer = session.last
        if session.last_rated is answer:
            return ui_text("thanks", lang)  # one verdict per answer, repeated clicks ignored
        if session.feedback_given >= self.settings.feedback_per_session or not allow_all(
            [(self.feedback_limiter, self.client_keys.key(client))]
        ):
            return ui_text("feedback_limit", lang)
        session.feedback_given += 1
        session.last_rated = answer
        record_feedback(
            self.feedback_path,
            answer.question,
            answer.refused,
            answer.language,
            helpful,
            comment,
            [c.source for c in answer.sources],
            retention_days=self.settings.feedback_retention_days,
        )
        if not helpful and not answer.refused:  # a refusal was recorded when it was given
            record_gap(
                self.gaps_path,
                answer.question,
                answer.language,
                "unhelpful",
                retention_days=self.settings.gaps_retention_days,
            )
        return ui_text("thanks", lang)


def _message_text(item: dict[str, Any]) -> str:
    """A chat message's text: a string as yielded here, or Gradio's normalised list of parts
    when the page sends the conversation back."""
    content = item.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list) and len(content) == 1 and isinstance(content[0], dict):
        return str(content[0].get("text", ""))
    return ""


def _client_address(request: Any) -> str | None:
    """The client's address as uvicorn reports it (after trusted proxy headers)."""
    return getattr(getattr(request, "client", None), "host", None)


def _live(text: str) -> str:
    return f'<div role="status" aria-live="polite" class="sr-only">{html.escape(text)}</div>'


def build_app(
    settings: Settings, assistant: Assistant, controller: ChatController | None = None
) -> Any:
    """The citizen chat as Gradio Blocks (queue configured; theme/CSS go to mount/launch).
    `controller` is shared with the JSON API when the server passes one (same limits)."""
    import gradio as gr

    controller = controller or ChatController(settings, assistant)
    lang0 = "de"

    def header(lang: str) -> str:
        return f"# {ui_text('title', lang)}\n{ui_text('subtitle', lang)}"

    def disclaimer(lang: str) -> str:
        url = html.escape(CONTACT_URL, quote=True)
        return (
            f'<div id="ki-disclaimer" role="note">{html.escape(message("disclaimer", lang))} '
            f'<a href="{url}" target="_blank" rel="noopener noreferrer">'
            f"{html.escape(ui_text('contact_link', lang))}</a></div>"
        )

    with gr.Blocks(title=ui_text("page_title", lang0), analytics_enabled=False) as demo:
        session = gr.State(None)
        page_lang = gr.State(lang0)  # a State, so the public "/ask" API keeps its inputs
        with gr.Row():
            with gr.Column(scale=4):
                head = gr.Markdown(header(lang0), elem_id="ki-header")
            with gr.Column(scale=1, min_width=160):
                language = gr.Dropdown(
                    choices=[(name, code) for code, name in PAGE_LANGUAGES.items()],
                    value=lang0,
                    label=ui_text("language", lang0),
                    elem_id="ki-language",
                )
        note = gr.HTML(disclaimer(lang0))
        human = gr.Button(ui_text("human_button", lang0), elem_id="ki-human", size="sm")
        card_open = gr.State(False)
        card_panel = gr.HTML("", visible=False, elem_id="ki-contact-card")
        chat = gr.Chatbot(
            label=ui_text("chat", lang0),
            elem_id="ki-chat",
            height="auto",
            autoscroll=False,  # the page scrolls to the start of the answer instead
            # Messages arrive as HTML built from escaped text and sanitised (bot.safe_html);
            # Markdown or LaTeX rendering would turn text like [x](http://…) into links again.
            sanitize_html=True,
            render_markdown=False,
            latex_delimiters=[],
            allow_tags=False,
            # Gradio's copy button copied the message's HTML; each answer has its own copy,
            # print and share buttons for clean text instead (render_actions).
            buttons=[],
        )
        live = gr.HTML("", elem_id="ki-live")
        with gr.Row():
            box = gr.Textbox(
                label=ui_text("input", lang0),
                placeholder=ui_text("placeholder", lang0),
                # The browser would cut a longer paste silently; the assistant refuses a
                # question over the limit with a message in the citizen's language instead.
                max_length=max(20_000, 2 * settings.max_question_chars),
                lines=1,
                max_lines=4,
                scale=5,
                elem_id="ki-input",
                autofocus=True,
            )
            send = gr.Button(ui_text("send", lang0), variant="primary", scale=1, min_width=90)
        with gr.Row():
            new_chat = gr.Button(ui_text("new_chat", lang0), size="sm", elem_id="ki-new-chat")
        examples_title = gr.Markdown(f"**{ui_text('examples', lang0)}**")
        example_buttons = []
        with gr.Row():
            for text in examples(lang0):
                example_buttons.append(gr.Button(text, size="sm", variant="secondary"))
        with gr.Accordion(
            ui_text("feedback", lang0), open=False, elem_id="ki-feedback"
        ) as feedback_box:
            comment = gr.Textbox(label=ui_text("feedback", lang0), lines=2, max_length=500)
            with gr.Row():
                good = gr.Button(ui_text("helpful", lang0), size="sm")
                bad = gr.Button(ui_text("not_helpful", lang0), size="sm")
            thanks = gr.Markdown("")

        outputs = [chat, session, live, box]

        def answer(
            question: str,
            history: list[dict[str, Any]],
            state: ChatSession | None,
            page: str | None,
            request: Any,
        ) -> Iterator[tuple[list[dict[str, Any]], ChatSession, str, str]]:
            yield from controller.respond(question, history, state, _client_address(request), page)

        def rate(
            state: ChatSession | None, text: str, lang: str, helpful: bool, request: Any
        ) -> tuple[str, str]:
            return controller.feedback(state, helpful, text, lang, _client_address(request)), ""

        def rate_good(
            state: ChatSession | None, text: str, lang: str, request: Any
        ) -> tuple[str, str]:
            return rate(state, text, lang, True, request)

        def rate_bad(
            state: ChatSession | None, text: str, lang: str, request: Any
        ) -> tuple[str, str]:
            return rate(state, text, lang, False, request)

        # Gradio passes the request to a parameter annotated gr.Request; the string
        # annotations of this module (future import) cannot name gr, so set it here.
        for fn in (answer, rate_good, rate_bad):
            fn.__annotations__ = {"request": gr.Request}

        # One public API endpoint ("/ask", used by the load test); the others are page-only.
        ask: dict[str, Any] = {
            "fn": answer,
            "inputs": [box, chat, session, page_lang],
            "outputs": outputs,
            "api_visibility": "private",
        }
        shown: dict[str, Any] = {"fn": None, "js": SCROLL_TO_ANSWER_JS, "api_visibility": "private"}
        box.submit(**{**ask, "api_name": "ask", "api_visibility": "public"}).then(**shown)
        send.click(**ask).then(**shown)
        for button in example_buttons:
            # the button's current text: the examples follow the page language
            button.click(lambda text: text, button, box, api_visibility="private").then(**ask).then(
                **shown
            )

        def toggle_card(is_open: bool, lang: str) -> tuple[Any, bool]:
            if is_open:
                return gr.update(visible=False), False
            panel = render_card_panel(load_card(settings.corpus_dir), lang, settings.link_hosts)
            return gr.update(visible=True, value=panel), True

        human.click(
            toggle_card, [card_open, language], [card_panel, card_open], api_visibility="private"
        ).then(fn=None, js=SHOW_CARD_JS, api_visibility="private")

        def clear(state: ChatSession | None) -> tuple[list[Any], ChatSession | None, str, str]:
            return [], state.new_conversation() if state else None, "", ""

        new_chat.click(clear, session, outputs, api_visibility="private")
        # Gradio's own "clear" icon empties the conversation on the page: forget its turns too
        chat.clear(
            lambda state: state.new_conversation() if state else None,
            session,
            session,
            api_visibility="private",
        )
        good.click(
            rate_good, [session, comment, language], [thanks, comment], api_visibility="private"
        )
        bad.click(
            rate_bad, [session, comment, language], [thanks, comment], api_visibility="private"
        )

        def card_in(lang: str) -> Any:
            # the card's text in the new language (it stays hidden when it was hidden)
            return gr.update(
                value=render_card_panel(load_card(settings.corpus_dir), lang, settings.link_hosts)
            )

        # What a language switch changes, keyed by component; the outputs are these keys.
        by_language: dict[Any, Callable[[str], Any]] = {
            head: header,
            note: disclaimer,
            human: lambda lang: gr.update(value=ui_text("human_button", lang)),
            card_panel: card_in,
            language: lambda lang: gr.update(label=ui_text("language", lang)),
            chat: lambda lang: gr.update(label=ui_text("chat", lang), rtl=lang in RTL_LANGUAGES),
            box: lambda lang: gr.update(
                label=ui_text("input", lang),
                placeholder=ui_text("placeholder", lang),
                rtl=lang in RTL_LANGUAGES,
            ),
            send: lambda lang: gr.update(value=ui_text("send", lang)),
            new_chat: lambda lang: gr.update(value=ui_text("new_chat", lang)),
            examples_title: lambda lang: f"**{ui_text('examples', lang)}**",
            feedback_box: lambda lang: gr.update(label=ui_text("feedback", lang)),
            comment: lambda lang: gr.update(
                label=ui_text("feedback", lang), rtl=lang in RTL_LANGUAGES
            ),
            good: lambda lang: gr.update(value=ui_text("helpful", lang)),
            bad: lambda lang: gr.update(value=ui_text("not_helpful", lang)),
        }

        def example_in(number: int) -> Callable[[str], Any]:
            return lambda lang: gr.update(value=examples(lang)[number])

        by_language.update({button: example_in(n) for n, button in enumerate(example_buttons)})

        def switch(
            lang: str, history: list[dict[str, Any]], state: ChatSession | None
        ) -> dict[Any, Any]:
            updates = {component: update(lang) for component, update in by_language.items()}
            # earlier answers: their sources' labels and buttons in the new language
            history, state = controller.relabel(history, state, lang)
            updates[session] = state
            updates[chat] = gr.update(
                value=history, label=ui_text("chat", lang), rtl=lang in RTL_LANGUAGES
            )
            return updates

        language.change(lambda lang: lang, language, page_lang, api_visibility="private")
        language.change(
            switch,
            [language, chat, session],
            [session, *by_language],
            js=SET_DIRECTION_JS,
            api_visibility="private",
        )
    demo.queue(
        default_concurrency_limit=settings.concurrency_limit, max_size=settings.max_queue_size
    )
    return demo


def theme() -> Any:
    """System fonts only: no web fonts from other hosts."""
    import gradio as gr

    return gr.themes.Default(
        primary_hue="blue",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        font_mono=["ui-monospace", "Consolas", "monospace"],
    ).set(
        # white on #0b4f8a has a contrast of 8.6:1 (WCAG AA needs 4.5:1)
        button_primary_background_fill="#0b4f8a",
        button_primary_background_fill_hover="#083a66",
        button_primary_text_color="#ffffff",
        # the staff area's "Löschen": white on #b91c1c is 6.5:1 (Gradio's #ef4444: 3.8:1)
        button_cancel_background_fill="#b91c1c",
        button_cancel_background_fill_hover="#991b1b",
        button_cancel_text_color="#ffffff",
        input_placeholder_color="#5b6470",
    )
