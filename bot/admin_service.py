"""What staff and admins can do, with role checks and audit entries, independent of any UI.

The Gradio admin page and the small HTTP API both call this, so a permission is
checked in one place. Index runs go through `bot.index.build_index`, whose lock allows
one build at a time across processes; the citizen assistant then switches to the new
generation while its old one keeps answering until the switch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.audit import AuditLog
from bot.auth import UserStore
from bot.config import Settings
from bot.corpus_admin import (
    DocumentRow,
    NeedsConfirmation,
    delete_document,
    document_path,
    expiring_documents,
    last_run,
    list_documents,
    save_upload,
)
from bot.embeddings import BotEmbeddings, make_embedder
from bot.feedback import read_feedback
from bot.index import IndexBusy, IndexProblem, build_index, current_generation, read_manifest


class Forbidden(PermissionError):
    """The account's role does not allow this action."""


class AdminService:
    def __init__(
        self,
        settings: Settings,
        users: UserStore,
        audit: AuditLog,
        on_index_changed: Callable[[], Any] | None = None,
    ) -> None:
        self.settings = settings
        self.users = users
        self.audit = audit
        self.on_index_changed = on_index_changed
        self._builder: BotEmbeddings | None = None

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

    def run_index(
        self,
        user: str,
        rebuild: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> str:
        self.require(user, "admin")
        action = "rebuild" if rebuild else "update"
        self.audit(user, f"index-{action}-start")
        try:
            report = build_index(
                self.settings, self._build_embedder(), rebuild=rebuild, progress=progress
            )
        except IndexBusy as exc:
            return str(exc)
        except IndexProblem as exc:
            self.audit(user, f"index-{action}-failed", reason=str(exc))
            return f"Fehler: {exc}"
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
        return text

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
            return f"Index nicht lesbar: {exc}"
        model = manifest.get("embedding", {})
        return (
            f"**{manifest.get('documents', 0)} Dokumente, {manifest.get('chunks', 0)} Abschnitte** "
            f"· Modell {model.get('model')} ({model.get('backend')}) "
            f"· erstellt {str(manifest.get('created', ''))[:19].replace('T', ' ')} UTC "
            f"· Generation `{generation}`"
        )

    def last_run(self) -> dict[str, Any]:
        return last_run(self.settings)

    def expiring(self) -> list[dict[str, str]]:
        return expiring_documents(self.settings)

    def audit_log(self, limit: int = 50) -> list[dict[str, Any]]:
        return self.audit.recent(limit)

    def feedback_summary(self) -> str:
        """Most frequent refused or unhelpful questions (scrubbed of personal data patterns
        when stored; expired records are deleted here too)."""
        path = self.settings.data_dir / "feedback.jsonl"
        if not path.exists():
            return "Noch keine Rückmeldungen."
        items = read_feedback(path, self.settings.feedback_retention_days)
        counts: dict[str, int] = {}
        helpful = 0
        for item in items:
            if item.get("helpful"):
                helpful += 1
            if not item.get("helpful") or item.get("refused"):
                question = " ".join(str(item.get("question", "")).split())[:200]
                if question:
                    counts[question] = counts.get(question, 0) + 1
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        days = self.settings.feedback_retention_days
        lines_out = [f"{len(items)} Rückmeldungen der letzten {days} Tage, {helpful} hilfreich."]
        lines_out += [f"- {n}× {q}" for q, n in top]
        return "\n".join(lines_out)
