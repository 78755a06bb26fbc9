"""The staff and admin area (`/admin`): documents for staff, index and reports for admins.

It is a separate Gradio app behind a login; citizens never see it. Every handler looks
up the logged-in account's role itself (the page hides admin tabs from staff, but a
hidden button is no protection). Long work (index rebuilds) runs in the handler with a
progress bar while the citizen chat keeps answering from the old index.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import gradio as gr  # at module level: handlers' gr.Request/gr.Progress hints must resolve
from gradio.data_classes import FileData, ListFiles

from bot.answering.cards import CardError
from bot.ingest.loaders import upload_hint
from bot.staff.admin_service import AdminService, Forbidden
from bot.staff.translation_demand import (
    LANGUAGE_LABELS,
    REPORT_LANGUAGES,
    headline,
)
from bot.staff.translation_demand import table_rows as translation_rows
from bot.staff.uploads import StaffUploads

T = TypeVar("T")

ADMIN_CSS = """
.gradio-container { font-family: system-ui, sans-serif; }
/* Gradio draws an index run's progress bar over this output: with no text yet it would be
   0 px high and the progress invisible. */
#ki-index-msg { min-height: 4.5rem; }
/* WCAG AA contrast (4.5:1): the upload field's "- oder -" (Gradio: #bbbbc2, 1.9:1) and the
   selected tab (Gradio: #3b82f6, 3.7:1) */
.or { color: #5b6470 !important; }
button[role="tab"].selected { color: #0b4f8a !important; }
"""

# The upload field is a button whose English aria-label ("Click to upload or drop files")
# hides its visible German text from screen readers; without it the text is its name.
ADMIN_HEAD = """
<script>
(() => {
  const fix = () => document.querySelectorAll('button.boundedheight[aria-label]')
    .forEach(el => el.removeAttribute('aria-label'));
  new MutationObserver(fix).observe(document.documentElement,
    {childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label']});
})();
</script>
"""


STAFF_TITLE = "KI-Bot – Verwaltung"


def progress_text(stage: str, done: int, total: int, started: dict[str, float]) -> str:
    """ "einbetten 64/300 – noch etwa 12 s": the stage, the count and, once the stage has
    made progress, an estimate of its time left (from its pace so far)."""
    now = time.monotonic()
    begin = started.setdefault(stage, now)
    text = f"{stage} {done}/{total}"
    if 0 < done < total and now - begin >= 1.0:
        left = (now - begin) / done * (total - done)
        text += f" – noch etwa {max(1, round(left))} s"
    return text


def staff_files(uploads: StaffUploads, **kwargs: Any) -> Any:
    """A `gr.File` for staff uploads that takes nothing but files the upload route stored.

    Before a handler runs, Gradio copies every input path that is not in its cache into
    the cache (reading `/etc/passwd`, or `/dev/zero` forever); mounted apps skip its own
    "was this uploaded?" check. This component refuses such a path before any copy, and
    its preprocess does not leave the empty temp file per file that `gr.File`'s does. The
    handler checks again (`AdminService.upload_file`), so this is the early half only.
    The methods are replaced on the instance: a `gr.File` subclass would make Gradio
    write a `.pyi` stub next to this module at import time.
    """
    component = gr.File(**kwargs)
    move_async = component.async_move_resource_to_block_cache
    move = component.move_resource_to_block_cache

    def refuse_unless_uploaded(path: Any) -> None:
        if path is not None and not uploads.is_known(str(path)):
            raise gr.Error(
                "Die Datei wurde nicht über diese Seite hochgeladen.", print_exception=False
            )

    async def guarded_move_async(url_or_file_path: Any) -> str | None:
        refuse_unless_uploaded(url_or_file_path)
        return await move_async(url_or_file_path)

    def guarded_move(url_or_file_path: Any) -> str | None:
        refuse_unless_uploaded(url_or_file_path)
        return move(url_or_file_path)

    def preprocess(payload: ListFiles | FileData | None) -> list[tuple[str, str]] | None:
        """(path, original name) pairs."""
        if payload is None:
            return None
        files = payload.root if isinstance(payload, ListFiles) else [payload]
        return [(f.path, f.orig_name or Path(f.path).name) for f in files]

    # replacing the component's own methods is the point here (see the docstring)
    component.async_move_resource_to_block_cache = guarded_move_async  # type: ignore[method-assign]
    component.move_resource_to_block_cache = guarded_move  # type: ignore[method-assign]
    component.preprocess = preprocess  # type: ignore[method-assign, assignment]
    return component


def text_table(headers: list[str], widths: list[str | int] | None = None) -> Any:
    """A read-only table whose cells are shown as plain text (no Markdown, HTML, LaTeX).
    `widths` keeps long citizen text in its column (without it the last columns were
    pushed out of view at 1280 px)."""
    return gr.Dataframe(
        headers=headers,
        datatype="str",
        interactive=False,
        wrap=True,
        latex_delimiters=[],
        column_widths=widths,
        elem_classes=["ki-text-table"],
    )


def report_values(service: AdminService) -> tuple[Any, ...]:
    """Values for the reports tab; everything from files and citizens as plain strings."""
    skipped = service.skipped_files()  # reasons without server paths
    expiring = [[e["source"], e["valid_until"], e["state"]] for e in service.expiring()]
    audit = [
        [str(r.get(key, "")) for key in ("time", "user", "action", "target")]
        for r in service.audit_log()
    ]
    feedback = service.feedback_summary()
    top = [[str(n), q] for n, q in feedback.top_questions]
    comments = [list(row) for row in feedback.comments]
    return (
        service.index_statistics(),
        skipped,
        expiring,
        feedback.headline(),
        top,
        comments,
        audit,
    )


class AdminController:
    """What the staff page does, apart from its layout: one method per event, each checking
    the account of the request and going through `AdminService` (roles, audit log). The
    page (`build_admin_app`) only lays out components and wires them to these methods."""

    def __init__(self, service: AdminService) -> None:
        self.service = service

    @staticmethod
    def user_of(request: gr.Request) -> str:
        name: str | None = getattr(request, "username", None)
        if not name:
            raise gr.Error("Bitte melden Sie sich an.")
        return name

    def call(self, func: Callable[..., T], *args: Any) -> T:
        """A service call; refusals and bad input become a German message on the page."""
        try:
            return func(*args)
        except (Forbidden, ValueError) as exc:
            raise gr.Error(self.service.public(str(exc)), print_exception=False) from exc

    def table_rows(self, user: str) -> list[list[Any]]:
        return [list(asdict(row).values()) for row in self.call(self.service.documents, user)]

    def documents_table(self, request: gr.Request) -> list[list[Any]]:
        return self.table_rows(self.user_of(request))

    def names(self, request: gr.Request) -> Any:
        rows = self.call(self.service.documents, self.user_of(request))
        return gr.update(choices=[row.name for row in rows], value=None)

    def upload(
        self, files: list[tuple[str, str]] | None, replace: bool, request: gr.Request
    ) -> tuple[Any, ...]:
        user = self.user_of(request)
        if not files:
            return "Bitte zuerst eine Datei auswählen.", gr.update(), gr.update()
        lines = [
            self.service.public(self.call(self.service.upload_file, user, original, path, replace))
            for path, original in files
        ]
        rows = self.table_rows(user)
        return (
            "\n".join(f"- {line}" for line in lines),
            rows,
            gr.update(choices=[r[0] for r in rows], value=None),
        )

    def delete(self, name: str | None, confirm: bool, request: gr.Request) -> tuple[Any, ...]:
        user = self.user_of(request)
        if not name:
            return "Bitte ein Dokument auswählen.", gr.update(), gr.update()
        if not confirm:
            return "Bitte „Löschen bestätigen“ anhaken.", gr.update(), gr.update()
        self.call(self.service.delete, user, name)
        rows = self.table_rows(user)
        message = f"„{name}“ gelöscht. Bitte den Index aktualisieren."
        return message, rows, gr.update(choices=[r[0] for r in rows], value=None)

    def download_link(self, name: str | None, request: gr.Request) -> str:
        if not name:
            return ""
        self.call(self.service.require, self.user_of(request), "staff")
        return f"[„{name}“ herunterladen](api/download/{quote(name)}) (Anmeldung erneut nötig)"

    def run_index(self, rebuild: bool, request: gr.Request, progress: gr.Progress) -> str:
        stages: dict[str, float] = {}

        def report(stage: str, done: int, total: int) -> None:
            if total:
                progress(done / total, desc=progress_text(stage, done, total, stages))

        user = self.user_of(request)
        return self.call(self.service.index_run, user, rebuild, report).message

    def update_index(self, request: gr.Request, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        return self.run_index(False, request, progress)

    def rebuild_index(self, request: gr.Request, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        return self.run_index(True, request, progress)

    def overview(self, request: gr.Request) -> tuple[Any, ...]:
        self.call(self.service.require, self.user_of(request), "admin")
        return report_values(self.service)

    def whoami(self, request: gr.Request) -> tuple[str, Any]:
        user = self.user_of(request)
        role = self.service.role(user)
        label = "Administration" if role == "admin" else "Redaktion"
        return f"Angemeldet als **{user}** ({label}).", gr.update(visible=role == "admin")

    def gaps_view(self, request: gr.Request) -> tuple[Any, ...]:
        """What citizens miss, grouped; the ids of each group stay on the server (State)."""
        groups = self.call(self.service.gaps, self.user_of(request))
        rows = [
            [
                str(g.count),
                ", ".join(f"{lang} {n}" for lang, n in g.languages.items()),
                " | ".join(g.examples),
                g.last_day,
            ]
            for g in groups
        ]
        choices = [(f"{i + 1}: {g.examples[0][:60]}", i) for i, g in enumerate(groups)]
        return rows, gr.update(choices=choices, value=None), [g.ids for g in groups]

    def gaps_delete(
        self, chosen: int | None, confirm: bool, ids: list[list[str]], request: gr.Request
    ) -> tuple[Any, ...]:
        user = self.user_of(request)
        if chosen is None or not confirm:
            message = "Bitte eine Gruppe auswählen und das Löschen bestätigen."
        elif not isinstance(chosen, int) or not 0 <= chosen < len(ids or []):
            message = "Diese Gruppe gibt es nicht mehr. Bitte neu laden."
        else:
            chosen_ids = [str(i) for i in ids[chosen]][:1000]
            removed = self.call(self.service.delete_gaps, user, chosen_ids)
            message = f"{removed} {'Eintrag' if removed == 1 else 'Einträge'} gelöscht."
        return (message, *self.gaps_view(request))

    def translations_view(self, request: gr.Request) -> tuple[str, list[list[str]]]:
        """The translation report; file names and counts, shown as text only."""
        report = self.call(self.service.translations, self.user_of(request))
        rows = [row[: 1 + len(REPORT_LANGUAGES)] for row in translation_rows(report)]
        return headline(report), rows

    def card_load(self, request: gr.Request) -> str:
        return self.call(self.service.contact_card_text, self.user_of(request))

    def card_save(self, text: str, request: gr.Request) -> tuple[str, str]:
        preview = self.call(self.service.save_contact_card, self.user_of(request), text)
        return "Gespeichert. So sehen Bürgerinnen und Bürger die Karte:", preview

    def cards_view(self, request: gr.Request) -> tuple[Any, ...]:
        user = self.user_of(request)
        rows = self.call(self.service.answer_cards, user)
        expired = [
            [e["card"], e["title"], e["owner"], e["valid_until"]]
            for e in self.call(self.service.expired_answer_cards, user)
        ]
        return [r.cells() for r in rows], expired, gr.update(choices=[r.name for r in rows])

    def cards_pick(self, name: str | None, request: gr.Request) -> tuple[Any, ...]:
        if not name:
            return gr.update(), gr.update(), ""
        text = self.call(self.service.answer_card_text, self.user_of(request), name)
        return name, text, ""

    def cards_new(self, request: gr.Request) -> tuple[Any, ...]:
        template = self.call(self.service.answer_card_template, self.user_of(request))
        message = "Neue Karte: bitte einen Dateinamen eingeben, den Text ausfüllen und speichern."
        return "", template, message, gr.update(value=None)

    def cards_save(self, name: str, text: str, request: gr.Request) -> tuple[Any, ...]:
        """A card with errors is not saved; the problems are listed and the text stays in
        the editor, so nothing typed is lost."""
        user = self.user_of(request)
        try:
            message = self.service.save_answer_card(user, name, text)
        except Forbidden as exc:
            raise gr.Error(self.service.public(str(exc)), print_exception=False) from exc
        except CardError as exc:  # before `call` would turn it into a pop-up
            problems = "\n".join(f"- {self.service.public(p)}" for p in exc.problems)
            message = f"**Nicht gespeichert.** Bitte korrigieren:\n\n{problems}"
            return (message, gr.update(), gr.update(), gr.update())
        return (message, *self.cards_view(request))


def build_admin_app(service: AdminService) -> Any:
    if service.uploads is None:
        raise ValueError("The staff area needs AdminService(uploads=StaffUploads(...)).")
    uploads = service.uploads
    page = AdminController(service)

    with gr.Blocks(
        title=STAFF_TITLE,
        analytics_enabled=False,
        # Gradio's own clean-up of this app's temp files (uploads never submitted), hourly.
        delete_cache=(3600, int(uploads.max_age_seconds)),
    ) as admin:
        with gr.Row(equal_height=False):
            with gr.Column(scale=5):
                gr.Markdown("# KI-Bot – Verwaltung")
                who = gr.Markdown()
            # Gradio's logout route of this app (relative to /admin/): ends the session.
            gr.Button(
                "Abmelden", link="logout", size="sm", scale=0, min_width=120, elem_id="ki-logout"
            )
        with gr.Tab("Dokumente"):
            table = gr.Dataframe(
                headers=[
                    "Datei",
                    "Titel",
                    "Stand",
                    "Gültig bis",
                    "Sprache",
                    "Übersetzung von",
                    "Größe (KB)",
                    "Status",
                ],
                interactive=False,
                wrap=True,  # the Status column was cut off at 1280 px
                column_widths=["18%", "22%", "9%", "9%", "7%", "13%", "7%", "15%"],
                label="Dokumente im Korpus",
            )
            with gr.Row():
                files = staff_files(
                    uploads,
                    label=f"Dokumente hochladen ({upload_hint()})",
                    file_count="multiple",
                    type="filepath",
                )
                with gr.Column():
                    replace = gr.Checkbox(label="Vorhandene Datei ersetzen")
                    upload_btn = gr.Button("Hochladen", variant="primary")
            upload_msg = gr.Markdown()
            with gr.Row():
                chosen = gr.Dropdown(label="Dokument auswählen", choices=[])
                confirm = gr.Checkbox(label="Löschen bestätigen")
                delete_btn = gr.Button("Löschen", variant="stop")
            link = gr.Markdown()
            delete_msg = gr.Markdown()
        with gr.Tab("Kontaktkarte") as card_tab:
            gr.Markdown(
                "Die Karte „Mit einem Menschen sprechen“: Sie erscheint hinter dem Knopf im "
                "Chat und unter jeder Antwort, auf die der Bot keine Antwort weiß. Die "
                "Überschriften mit „##“ bitte nicht ändern; leere Abschnitte werden nicht "
                "angezeigt."
            )
            card_text = gr.Textbox(label="Kontaktkarte (Markdown)", lines=18, max_lines=40)
            card_save_btn = gr.Button("Kontaktkarte speichern", variant="primary")
            card_msg = gr.Markdown()
            card_preview = gr.Textbox(label="Vorschau (Text)", lines=10, interactive=False)
        with gr.Tab("Antwortkarten") as cards_tab:
            gr.Markdown(
                "Geprüfte Antworten auf häufige und heikle Fragen (zum Beispiel abgelehnter "
                "Asylantrag, drohende Abschiebung, Gewalt oder Krise). Der Bot zeigt eine Karte "
                "statt einer Antwort aus den Dokumenten, wenn die Frage einer ihrer Fragen sehr "
                "nahe kommt, und zwar in der Sprache der Frage (sonst auf Deutsch), mit Quelle "
                "und „gültig bis“. Abgelaufene Karten werden nicht verwendet. Jede gespeicherte "
                "Änderung wird als neue Version abgelegt; die vorige bleibt erhalten."
            )
            cards_refresh = gr.Button("Karten neu laden")
            cards_table = text_table(
                ["Datei", "Titel", "Verantwortlich", "Gültig bis", "Sprachen", "Status"],
                ["18%", "24%", "18%", "10%", "12%", "18%"],
            )
            gr.Markdown("## Abgelaufene Karten (werden nicht verwendet)")
            cards_expired = text_table(["Datei", "Titel", "Verantwortlich", "Gültig bis"])
            with gr.Row():
                cards_chosen = gr.Dropdown(label="Karte zum Bearbeiten auswählen", choices=[])
                cards_new_btn = gr.Button("Vorlage für eine neue Karte")
            cards_name = gr.Textbox(
                label="Dateiname (Buchstaben, Ziffern, Bindestriche; z. B. asyl-abgelehnt.md)",
                max_lines=1,
            )
            cards_text = gr.Textbox(
                label="Antwortkarte (Markdown)", lines=20, max_lines=60, elem_id="ki-cards-editor"
            )
            cards_save_btn = gr.Button("Antwortkarte prüfen und speichern", variant="primary")
            cards_msg = gr.Markdown(elem_id="ki-cards-msg")
        with gr.Tab("Was fehlt") as gaps_tab:
            gr.Markdown(
                "Fragen, die der Bot nicht beantworten konnte oder die als „nicht hilfreich“ "
                "markiert wurden, nach Thema gruppiert (letzte 30 Tage, persönliche Daten "
                "entfernt). Die größten Gruppen zeigen, welches Dokument als Nächstes fehlt."
            )
            gaps_refresh = gr.Button("Neu laden")
            gaps_table = text_table(
                ["Anzahl", "Sprachen", "Beispiele", "Zuletzt"], ["10%", "15%", "60%", "15%"]
            )
            gaps_ids = gr.State([])
            with gr.Row():
                gaps_chosen = gr.Dropdown(label="Gruppe auswählen", choices=[])
                gaps_confirm = gr.Checkbox(label="Löschen bestätigen")
                gaps_delete_btn = gr.Button("Gruppe löschen")
            gaps_msg = gr.Markdown()
        with gr.Tab("Übersetzungen") as translations_tab:
            gr.Markdown(
                "Welche Dokumente es in welcher Sprache gibt, welche Übersetzungen älter sind "
                "als ihr Original („veraltet“), und wie oft eine Frage aus einem Dokument "
                "beantwortet wurde, das es in der Sprache der Frage nicht gibt (letzte 30 "
                "Tage, nur Anzahlen, keine Fragen). Die Dokumente mit den meisten solchen "
                "Fragen stehen oben."
            )
            translations_refresh = gr.Button("Übersicht neu laden")
            translations_total = gr.Markdown(elem_id="ki-translations-total")
            translations_table = text_table(
                ["Dokument", *(LANGUAGE_LABELS[lang] for lang in REPORT_LANGUAGES)]
            )
        with gr.Tab("Index und Berichte", visible=False) as admin_tab:
            with gr.Row():
                update_btn = gr.Button("Index aktualisieren", variant="primary")
                rebuild_btn = gr.Button("Index neu aufbauen")
                refresh_btn = gr.Button("Berichte neu laden")
            index_msg = gr.Markdown(elem_id="ki-index-msg")
            stats = gr.Markdown()
            gr.Markdown("## Beim letzten Lauf übersprungene Dateien")
            # Tables below show text from files and citizens: text-only cells ("str"), never
            # Markdown or HTML, so no link or image in that text becomes live.
            skipped = text_table(["Datei", "Grund"])
            gr.Markdown("## Abgelaufene oder bald ablaufende Dokumente")
            expiring = text_table(["Datei", "Gültig bis", "Status"])
            gr.Markdown("## Rückmeldungen der Bürgerinnen und Bürger")
            feedback_total = gr.Markdown()
            feedback_top = text_table(["Anzahl", "Unbeantwortete oder nicht hilfreiche Frage"])
            feedback_comments = text_table(["Tag", "Bewertung", "Frage", "Kommentar"])
            gr.Markdown("## Protokoll")
            audit = text_table(["Zeit", "Konto", "Aktion", "Ziel"])

        report_outputs = [stats, skipped, expiring, feedback_total, feedback_top, feedback_comments]
        report_outputs.append(audit)
        admin.load(page.whoami, None, [who, admin_tab])
        admin.load(page.documents_table, None, table)
        admin.load(page.names, None, chosen)
        upload_btn.click(page.upload, [files, replace], [upload_msg, table, chosen])
        delete_btn.click(page.delete, [chosen, confirm], [delete_msg, table, chosen])
        chosen.change(page.download_link, chosen, link)
        for button, run in ((update_btn, page.update_index), (rebuild_btn, page.rebuild_index)):
            # afterwards the document list and the statistics show the new index
            button.click(run, None, index_msg, concurrency_limit=1).then(
                page.documents_table, None, table
            ).then(page.overview, None, report_outputs)
        refresh_btn.click(page.overview, None, report_outputs)
        card_tab.select(page.card_load, None, card_text)
        card_save_btn.click(page.card_save, card_text, [card_msg, card_preview])
        cards_outputs = [cards_table, cards_expired, cards_chosen]
        cards_tab.select(page.cards_view, None, cards_outputs)
        cards_refresh.click(page.cards_view, None, cards_outputs)
        cards_chosen.input(page.cards_pick, cards_chosen, [cards_name, cards_text, cards_msg])
        cards_new_btn.click(page.cards_new, None, [cards_name, cards_text, cards_msg, cards_chosen])
        cards_save_btn.click(page.cards_save, [cards_name, cards_text], [cards_msg, *cards_outputs])
        gaps_outputs = [gaps_table, gaps_chosen, gaps_ids]
        gaps_tab.select(page.gaps_view, None, gaps_outputs)
        gaps_refresh.click(page.gaps_view, None, gaps_outputs)
        gaps_delete_btn.click(
            page.gaps_delete, [gaps_chosen, gaps_confirm, gaps_ids], [gaps_msg, *gaps_outputs]
        )
        translations_outputs = [translations_total, translations_table]
        translations_tab.select(page.translations_view, None, translations_outputs)
        translations_refresh.click(page.translations_view, None, translations_outputs)
        admin_tab.select(page.overview, None, report_outputs)
    return admin
