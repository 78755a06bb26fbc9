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


def build_admin_app(service: AdminService) -> Any:
    if service.uploads is None:
        raise ValueError("The staff area needs AdminService(uploads=StaffUploads(...)).")
    uploads = service.uploads

    def user_of(request: gr.Request) -> str:
        name: str | None = getattr(request, "username", None)
        if not name:
            raise gr.Error("Bitte melden Sie sich an.")
        return name

    def call(func: Callable[..., T], *args: Any) -> T:
        try:
            return func(*args)
        except (Forbidden, ValueError) as exc:
            raise gr.Error(service.public(str(exc)), print_exception=False) from exc

    def table_rows(user: str) -> list[list[Any]]:
        return [list(asdict(row).values()) for row in call(service.documents, user)]

    def documents_table(request: gr.Request) -> list[list[Any]]:
        return table_rows(user_of(request))

    def names(request: gr.Request) -> Any:
        rows = call(service.documents, user_of(request))
        return gr.update(choices=[row.name for row in rows], value=None)

    def upload(
        files: list[tuple[str, str]] | None, replace: bool, request: gr.Request
    ) -> tuple[Any, ...]:
        user = user_of(request)
        if not files:
            return "Bitte zuerst eine Datei auswählen.", gr.update(), gr.update()
        lines = [
            service.public(call(service.upload_file, user, original, path, replace))
            for path, original in files
        ]
        rows = table_rows(user)
        return (
            "\n".join(f"- {line}" for line in lines),
            rows,
            gr.update(choices=[r[0] for r in rows], value=None),
        )

    def delete(name: str | None, confirm: bool, request: gr.Request) -> tuple[Any, ...]:
        user = user_of(request)
        if not name:
            return "Bitte ein Dokument auswählen.", gr.update(), gr.update()
        if not confirm:
            return "Bitte „Löschen bestätigen“ anhaken.", gr.update(), gr.update()
        call(service.delete, user, name)
        rows = table_rows(user)
        message = f"„{name}“ gelöscht. Bitte den Index aktualisieren."
        return message, rows, gr.update(choices=[r[0] for r in rows], value=None)

    def download_link(name: str | None, request: gr.Request) -> str:
        if not name:
            return ""
        call(service.require, user_of(request), "staff")
        return f"[„{name}“ herunterladen](api/download/{quote(name)}) (Anmeldung erneut nötig)"

    def run_index(rebuild: bool, request: gr.Request, progress: gr.Progress) -> str:
        stages: dict[str, float] = {}

        def report(stage: str, done: int, total: int) -> None:
            if total:
                progress(done / total, desc=progress_text(stage, done, total, stages))

        return call(service.index_run, user_of(request), rebuild, report).message

    def update_index(request: gr.Request, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        return run_index(False, request, progress)

    def rebuild_index(request: gr.Request, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        return run_index(True, request, progress)

    def overview(request: gr.Request) -> tuple[Any, ...]:
        call(service.require, user_of(request), "admin")
        return report_values(service)

    def whoami(request: gr.Request) -> tuple[str, Any]:
        user = user_of(request)
        role = service.role(user)
        label = "Administration" if role == "admin" else "Redaktion"
        return f"Angemeldet als **{user}** ({label}).", gr.update(visible=role == "admin")

    def gaps_view(request: gr.Request) -> tuple[Any, ...]:
        """What citizens miss, grouped; the ids of each group stay on the server (State)."""
        groups = call(service.gaps, user_of(request))
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
        chosen: int | None, confirm: bool, ids: list[list[str]], request: gr.Request
    ) -> tuple[Any, ...]:
        user = user_of(request)
        if chosen is None or not confirm:
            message = "Bitte eine Gruppe auswählen und das Löschen bestätigen."
        elif not isinstance(chosen, int) or not 0 <= chosen < len(ids or []):
            message = "Diese Gruppe gibt es nicht mehr. Bitte neu laden."
        else:
            removed = call(service.delete_gaps, user, [str(i) for i in ids[chosen]][:1000])
            message = f"{removed} {'Eintrag' if removed == 1 else 'Einträge'} gelöscht."
        return (message, *gaps_view(request))

    def translations_view(request: gr.Request) -> tuple[str, list[list[str]]]:
        """The translation report; file names and counts, shown as text only."""
        report = call(service.translations, user_of(request))
        rows = [row[: 1 + len(REPORT_LANGUAGES)] for row in translation_rows(report)]
        return headline(report), rows

    def card_load(request: gr.Request) -> str:
        return call(service.contact_card_text, user_of(request))

    def card_save(text: str, request: gr.Request) -> tuple[str, str]:
        preview = call(service.save_contact_card, user_of(request), text)
        return "Gespeichert. So sehen Bürgerinnen und Bürger die Karte:", preview

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
        admin.load(whoami, None, [who, admin_tab])
        admin.load(documents_table, None, table)
        admin.load(names, None, chosen)
        upload_btn.click(upload, [files, replace], [upload_msg, table, chosen])
        delete_btn.click(delete, [chosen, confirm], [delete_msg, table, chosen])
        chosen.change(download_link, chosen, link)
        for button, handler in ((update_btn, update_index), (rebuild_btn, rebuild_index)):
            # afterwards the document list and the statistics show the new index
            button.click(handler, None, index_msg, concurrency_limit=1).then(
                documents_table, None, table
            ).then(overview, None, report_outputs)
        refresh_btn.click(overview, None, report_outputs)
        card_tab.select(card_load, None, card_text)
        card_save_btn.click(card_save, card_text, [card_msg, card_preview])
        gaps_outputs = [gaps_table, gaps_chosen, gaps_ids]
        gaps_tab.select(gaps_view, None, gaps_outputs)
        gaps_refresh.click(gaps_view, None, gaps_outputs)
        gaps_delete_btn.click(
            gaps_delete, [gaps_chosen, gaps_confirm, gaps_ids], [gaps_msg, *gaps_outputs]
        )
        translations_outputs = [translations_total, translations_table]
        translations_tab.select(translations_view, None, translations_outputs)
        translations_refresh.click(translations_view, None, translations_outputs)
        admin_tab.select(overview, None, report_outputs)
    return admin
