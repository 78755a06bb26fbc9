"""What staff and admins can do, with role checks and audit entries, independent of any UI.

The Gradio admin page and the small HTTP API both call this, so a permission is
checked in one place. Index runs go through `bot.indexing.build.build_index`, whose lock allows
one build at a time across processes; the citizen assistant then switches to the new
generation while its old one keeps answering until the switch.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.answering.cards import CardError, expired_cards
from bot.config import Settings
from bot.embeddings import BotEmbeddings, make_embedder
from bot.indexing.build import (
    IndexBusy,
    IndexProblem,
    IndexWriteFailed,
    build_index,
    current_generation,
    read_manifest,
)
from bot.indexing.format import LastRun
from bot.staff.audit import AuditLog
from bot.staff.card_admin import (
    CardRow,
    card_file_name,
    card_location,
    card_rows,
    card_template,
    read_card_text,
    save_card,
)
from bot.staff.contact_card import CARD_FILE, MAX_CARD_BYTES, parse_card
from bot.staff.corpus_admin import (
    DocumentRow,
    NeedsConfirmation,
    delete_document,
    document_path,
    expiring_documents,
    last_run,
    list_documents,
    save_upload,
)
from bot.staff.feedback import feedback_path, read_feedback
from bot.staff.gaps import GapGroup, delete_gaps, gap_report, gaps_path
from bot.staff.translation_demand import TranslationReport, translation_report
from bot.staff.uploads import StaffUploads
from bot.staff.users import UserStore

log = logging.getLogger(__name__)

# What may end a path in a message, and what may stand before one.
_PATH_CHARS = r"[^\s'\"()\[\]`,;]"
_BEFORE = r"(?:^|(?<=[\s'\"(\[=`]))"
_ABSOLUTE_PATH = re.compile(_BEFORE + "/" + _PATH_CHARS + r"+(?<!\.)")


@dataclass
class FeedbackReport:
    """Citizens' feedback for the admin report: counts and citizens' text as plain values."""

    total: int
    helpful: int
    top_questions: list[tuple[int, str]]  # (count, question), most frequent first
    comments: list[tuple[str, str, str, str]]  # (day, verdict, question, comment), newest first

    def headline(self) -> str:
        if not self.total:
            return "Noch keine Rückmeldungen."
        noun = "Rückmeldung" if self.total == 1 else "Rückmeldungen"
        return f"{self.total} {noun}, davon {self.helpful} hilfreich."


class Forbidden(PermissionError):
    """The account's role does not allow this action."""


@dataclass
class IndexRun:
    """Outcome of an index run: the text for the page and the HTTP status for the API."""

    message: str
    status: int = 200

    @property
    def ok(self) -> bool:
        return self.status < 400


def _failure_status(exc: IndexProblem) -> int:
    """507 for a full disk, 503 for another write error, 409 for the index's state."""
    if isinstance(exc, IndexWriteFailed):
        return 507 if exc.disk_full else 503
    return 409


def public_text(text: str, settings: Settings) -> str:
    """A message for the page without server paths (they help attackers, not staff).

    The configured folders become their role ("Index-Ordner"), any other absolute path "…".
    """
    folders = {
        settings.index_dir: "Index-Ordner",
        settings.corpus_dir: "Dokumentenordner",
        settings.data_dir: "Datenordner",
        Path(tempfile.gettempdir()): "Temp-Ordner",
        Path(sys.prefix): "Programmordner",
        Path(os.getcwd()): "Programmordner",
    }
    names: dict[str, str] = {}
    for folder, label in folders.items():
        for form in {str(folder), str(folder.resolve()), os.path.abspath(folder)}:
            if form not in {"", ".", "/"}:
                names.setdefault(form, label)
    for form in sorted(names, key=len, reverse=True):
        if form.startswith("/"):  # the folder itself or anything in it
            pattern = rf"{re.escape(form)}(?:/{_PATH_CHARS}*(?<!\.))?(?![\w-]|\.\w)"
        else:  # relative ("index/g-1/manifest.json"), not the word "index" in a sentence
            pattern = rf"{_BEFORE}{re.escape(form)}/{_PATH_CHARS}*(?<!\.)"
        text = re.sub(pattern, f"<{names[form]}>", text)
    return _ABSOLUTE_PATH.sub("…", text)


class AdminService:
    def __init__(
        self,
        settings: Settings,
        users: UserStore,
        audit: AuditLog,
        on_index_changed: Callable[[], Any] | None = None,
        uploads: StaffUploads | None = None,
    ) -> None:
        self.settings = settings
        self.users = users
        self.audit = audit
        self.on_index_changed = on_index_changed
        self.uploads = uploads
        self._builder: BotEmbeddings | None = None

    def public(self, text: str) -> str:
        """`text` without server paths, for messages shown to staff."""
        return public_text(text, self.settings)

    # --- roles --------------------------------------------------------------------------------

    def role(self, user: str) -> str | None:
        account = self.users.get(user)
        return account.role if account else None

    def require(self, user: str, role: str) -> None:
        actual = self.role(user)
        if actual is None or (role == "admin" and actual != "admin"):
            self.audit(user, "forbidden", role)
            raise Forbidden("Keine Berechtigung für diese Aktion.")

    # --- documents (staff and admins) ----------------------------------------------------------

    def documents(self, user: str) -> list[DocumentRow]:
        self.require(user, "staff")
        return list_documents(self.settings)

    def upload(self, user: str, original_name: str, data: bytes, replace: bool = False) -> str:
        """Returns a one-line result for the page; refusals are results too."""
        self.require(user, "staff")
        try:
            name = save_upload(self.settings, original_name, data, replace=replace)
        except NeedsConfirmation as exc:
            return f"{original_name}: {exc}"
        except ValueError as exc:
            self.audit(user, "upload-refused", original_name[:200], reason=str(exc))
            return f"{original_name}: abgelehnt – {exc}"
        self.audit(user, "upload", name, bytes=len(data), replaced=replace)
        return f"{name}: gespeichert. Bitte den Index aktualisieren."

    def upload_file(self, user: str, original_name: str, path: str, replace: bool = False) -> str:
        """An upload named by the page: only a file the staff upload route stored is read
        (bounded, see `bot.staff.uploads`), never any other path on the server."""
        self.require(user, "staff")
        if self.uploads is None:
            raise Forbidden("Hochladen ist nicht eingerichtet.")
        try:
            data = self.uploads.take(path, self.settings.max_file_bytes)
        except ValueError as exc:
            self.audit(user, "upload-refused", original_name[:200], reason=str(exc))
            return f"{original_name}: abgelehnt – {exc}"
        return self.upload(user, original_name, data, replace)

    def delete(self, user: str, name: str) -> None:
        self.require(user, "staff")
        delete_document(self.settings, name)
        self.audit(user, "delete", name)

    def download(self, user: str, name: str) -> tuple[str, bytes]:
        self.require(user, "staff")
        path = document_path(self.settings, name)
        self.audit(user, "download", name)
        return path.name, path.read_bytes()

    # --- index (admins) ------------------------------------------------------------------------

    def index_run(
        self,
        user: str,
        rebuild: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> IndexRun:
        """Every failure ends as a message and an audit record, never as a traceback: a full
        disk (507), another write error (503), an index problem (409), anything else (500)."""
        self.require(user, "admin")
        action = "rebuild" if rebuild else "update"
        self.audit(user, f"index-{action}-start")
        try:
            report = build_index(
                self.settings, self._build_embedder(), rebuild=rebuild, progress=progress
            )
        except IndexBusy as exc:
            return IndexRun(str(exc))
        except IndexProblem as exc:
            log.warning("index %s failed: %s", action, exc)
            self.audit(user, f"index-{action}-failed", reason=str(exc))
            return IndexRun(f"Fehler: {self.public(str(exc))}", _failure_status(exc))
        except Exception as exc:  # a bug: the details go to the server log, not to the page
            log.exception("index %s failed", action)
            self.audit(user, f"index-{action}-failed", reason=type(exc).__name__)
            return IndexRun(
                "Fehler: Der Indexlauf ist unerwartet abgebrochen "
                f"({type(exc).__name__}). Der bisherige Index bleibt aktiv.",
                500,
            )
        self.audit(
            user,
            f"index-{action}",
            report.generation or "",
            added=report.added,
            updated=report.updated,
            removed=report.removed,
            skipped=len(report.skipped),
        )
        if self.on_index_changed:
            self.on_index_changed()
        text = (
            f"Fertig in {report.seconds:.1f} s: {report.documents} Dokumente, "
            f"{report.chunks} Abschnitte (neu {report.added}, geändert {report.updated}, "
            f"entfernt {report.removed})."
        )
        if report.skipped:
            text += f" {len(report.skipped)} Datei(en) übersprungen, siehe Liste."
        return IndexRun(text)

    def _build_embedder(self) -> BotEmbeddings:
        """A separate model instance for builds, so citizens' questions never wait for one."""
        if self._builder is None:
            self._builder = make_embedder(self.settings.embedding_model, shared=False)
        return self._builder

    def index_statistics(self) -> str:
        generation = current_generation(self.settings.index_dir)
        if not generation:
            return "Noch kein Index vorhanden."
        try:
            manifest = read_manifest(self.settings.index_dir, generation)
        except IndexProblem as exc:
            log.warning("index not readable: %s", exc)
            return f"Index nicht lesbar: {self.public(str(exc))}"
        model = manifest.embedding
        return (
            f"**{manifest.documents} Dokumente, {manifest.chunks} Abschnitte** "
            f"· Modell {model.model} ({model.backend}) "
            f"· erstellt {manifest.created[:19].replace('T', ' ')} UTC "
            f"· Generation `{generation}`"
        )

    def last_run(self) -> LastRun:
        return last_run(self.settings)

    def skipped_files(self) -> list[list[str]]:
        """The last run's skipped files and reasons, reasons without server paths."""
        return [[s.source, self.public(s.error)] for s in self.last_run().skipped]

    def expiring(self) -> list[dict[str, str]]:
        return expiring_documents(self.settings)

    def audit_log(self, limit: int = 50) -> list[dict[str, Any]]:
        return self.audit.recent(limit)

    def contact_card_text(self, user: str) -> str:
        """The contact card file as staff edit it (empty when there is none yet)."""
        self.require(user, "staff")
        try:
            return (self.settings.corpus_dir / CARD_FILE).read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""

    def save_contact_card(self, user: str, text: str) -> str:
        """Check and store the card; returns how citizens will read it (plain text, German).

        The card is shown to every citizen who is refused or asks for a person, so a card
        without the office is refused rather than saved."""
        self.require(user, "staff")
        text = (text or "").replace("\r\n", "\n")
        if len(text.encode("utf-8")) > MAX_CARD_BYTES:
            raise ValueError(f"Die Kontaktkarte ist zu lang (höchstens {MAX_CARD_BYTES} Bytes).")
        card = parse_card(text)
        if not card.office:
            raise ValueError("Der Abschnitt „## Stelle“ darf nicht leer sein.")
        path = self.settings.corpus_dir / CARD_FILE
        tmp = path.with_name(f".{CARD_FILE}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        self.audit(user, "contact-card", CARD_FILE, bytes=len(text.encode("utf-8")))
        return card.render_text("de")

    # --- answer cards (staff and admins) -------------------------------------------------------

    def answer_cards(self, user: str) -> list[CardRow]:
        """Every card file with owner, validity, languages and whether it is used."""
        self.require(user, "staff")
        return card_rows(self.settings)

    def expired_answer_cards(self, user: str) -> list[dict[str, str]]:
        """Cards past `valid_until`: the bot does not use them until staff extend them."""
        self.require(user, "staff")
        return expired_cards(self.settings)

    def answer_card_text(self, user: str, name: str) -> str:
        self.require(user, "staff")
        return read_card_text(self.settings, name)

    def answer_card_template(self, user: str) -> str:
        self.require(user, "staff")
        return card_template()

    def save_answer_card(self, user: str, name: str, text: str) -> str:
        """Check and store a card as a new version; a card with errors is refused with every
        problem listed (CardError) and the file stays unchanged."""
        self.require(user, "staff")
        try:
            saved = save_card(self.settings, name, text)
        except CardError as exc:
            try:
                target = card_location(card_file_name(name))
            except CardError:
                target = str(name)[:100]
            self.audit(user, "answer-card-refused", target, problems=len(exc.problems))
            raise
        self.audit(
            user,
            "answer-card",
            card_location(saved.name),
            version=saved.version,
            bytes=len(text.encode("utf-8")),
        )
        card = saved.card
        state = "abgelaufen – wird nicht verwendet" if card.expired() else "wird verwendet"
        return (
            f"„{saved.name}“ gespeichert (Version {saved.version}, {state}): "
            f"{len(card.questions)} Fragen, Antwort in {', '.join(card.answers)}."
        )

    def gaps(self, user: str) -> list[GapGroup]:
        """What citizens miss, grouped by topic (scrubbed questions, counts, languages)."""
        self.require(user, "staff")
        return gap_report(self.settings, self._build_embedder())

    def translations(self, user: str) -> TranslationReport:
        """Which document versions exist, which are outdated, and how many answers lacked
        the asker's version (counts only)."""
        self.require(user, "staff")
        return translation_report(self.settings)

    def delete_gaps(self, user: str, ids: list[str]) -> int:
        """Staff remove entries they have dealt with (or that should not be kept)."""
        self.require(user, "staff")
        removed = delete_gaps(gaps_path(self.settings), ids, self.settings.gaps_retention_days)
        self.audit(user, "gaps-delete", str(removed))
        return removed

    def feedback_summary(self, top: int = 10, comments: int = 20) -> FeedbackReport:
        """Most frequent refused or unhelpful questions and the latest comments (scrubbed of
        personal data patterns when stored; expired records are deleted here too).

        Returned as plain values: questions and comments are citizens' text and are shown
        in text-only table cells, never as Markdown or HTML (no links, no images)."""
        path = feedback_path(self.settings)
        if not path.exists():
            return FeedbackReport(0, 0, [], [])
        counts: dict[str, int] = {}
        latest: list[tuple[str, str, str, str]] = []
        total = helpful = 0
        for item in read_feedback(path, self.settings.feedback_retention_days):  # dicts only
            total += 1
            if item.get("helpful"):
                helpful += 1
            question = " ".join(str(item.get("question", "")).split())[:200]
            if question and (not item.get("helpful") or item.get("refused")):
                counts[question] = counts.get(question, 0) + 1
            comment = " ".join(str(item.get("comment", "")).split())[:500]
            if comment:
                verdict = "hilfreich" if item.get("helpful") else "nicht hilfreich"
                latest.append((str(item.get("day", ""))[:10], verdict, question, comment))
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        return FeedbackReport(total, helpful, [(n, q) for q, n in ranked], latest[::-1][:comments])
