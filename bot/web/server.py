"""The web server: the citizen chat at `/`, its JSON API at `/api/ask`, the staff area at
`/admin` (login), one process.

`create_server(settings)` wires the parts that are shared: one embedder and one
assistant (the admin area's index runs make the assistant switch generations), the
accounts, the audit log. Several such processes can run behind a reverse proxy; see
docs/deployment.md.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from bot.answering.assistant import Assistant
from bot.config import Settings
from bot.embeddings import make_embedder
from bot.i18n import ui_text
from bot.indexing.build import IndexProblem, build_index, index_exists, outdated_reason
from bot.staff.admin_api import admin_api_router
from bot.staff.admin_service import AdminService
from bot.staff.audit import AuditLog
from bot.staff.uploads import StaffUploads
from bot.staff.users import UserStore
from bot.web.auth import Authenticator, LoginClientMiddleware, LoginGuard
from bot.web.chat_ui import ChatController
from bot.web.page_meta import Page, PageMeta
from bot.web.web_guard import RequestGuard

log = logging.getLogger(__name__)


def ensure_index(settings: Settings) -> None:
    """First start on a fresh clone: build the index from the bundled corpus."""
    if index_exists(settings):
        return
    log.warning("No index in %s: building it from %s", settings.index_dir, settings.corpus_dir)
    report = build_index(settings, make_embedder(settings.embedding_model))
    log.warning(
        "Index built: %d documents, %d chunks, %d skipped, %.1f s",
        report.documents,
        report.chunks,
        len(report.skipped),
        report.seconds,
    )


def update_outdated_index(settings: Settings, assistant: Assistant) -> threading.Thread | None:
    """After an upgrade whose loaders or segmenter read files differently, the old index
    keeps answering (more slowly: units are cut on the fly) while an incremental run
    brings it up to date in the background; the next question after it switches to the
    new generation. None when the index is current."""
    why = outdated_reason(assistant.retriever.index.manifest)  # as loaded: no second read
    if why is None:
        return None

    def update() -> None:
        log.warning("Index made by an older version (%s): updating it in the background", why)
        try:
            report = build_index(settings, assistant.embedder)
        except IndexProblem as exc:  # busy (a staff run), disk full, ...: the old one serves
            log.warning("Background index update did not run: %s", exc)
            return
        log.warning(
            "Background index update done: %d documents, %d chunks, %.1f s",
            report.documents,
            report.chunks,
            report.seconds,
        )
        assistant.reload_if_changed()

    thread = threading.Thread(target=update, name="index-update", daemon=True)
    thread.start()
    return thread


def start_answering(settings: Settings) -> tuple[Assistant, ChatController, Any]:
    """What answers questions, without Gradio: the assistant (index, model, warmed up),
    the chat's controller (limits, gap report) and a FastAPI app with the JSON API at
    `/api`. `python app.py` serves that app while `create_server` builds the rest."""
    from fastapi import FastAPI

    from bot.web.citizen_api import citizen_api_router

    ensure_index(settings)
    assistant = Assistant.from_settings(settings)
    assistant.warm_up()
    update_outdated_index(settings, assistant)
    controller = ChatController(settings, assistant)
    api = FastAPI(title="KI-Bot", docs_url=None, redoc_url=None, openapi_url=None)
    api.include_router(citizen_api_router(controller), prefix="/api")
    return assistant, controller, api


def create_server(
    settings: Settings,
    assistant: Assistant | None = None,
    controller: ChatController | None = None,
) -> tuple[Any, Any]:
    """Returns (FastAPI app, citizen Blocks). `controller`: the one the JSON API already
    answers with (`start_answering`), so its limits carry over."""
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.responses import RedirectResponse
    from gradio.utils import get_upload_folder

    from bot.staff.admin_ui import ADMIN_CSS, ADMIN_HEAD, STAFF_TITLE, build_admin_app
    from bot.web.chat_ui import CSS, HEAD, build_app, theme
    from bot.web.citizen_api import citizen_api_router

    if assistant is None:
        ensure_index(settings)
        assistant = Assistant.from_settings(settings)
        # the language models load while the server starts, not when the first citizen asks
        threading.Thread(target=assistant.warm_up, name="warm-up", daemon=True).start()
        update_outdated_index(settings, assistant)
    audit = AuditLog(settings.data_dir / "audit.jsonl")
    users = UserStore(settings.users_file)
    authenticator = Authenticator(users, LoginGuard(), audit)
    # Where Gradio's upload route stores files (GRADIO_TEMP_DIR or <tmp>/gradio).
    uploads = StaffUploads(get_upload_folder())
    service = AdminService(
        settings,
        users,
        audit,
        on_index_changed=lambda: assistant.reload_if_changed(wait=True),
        uploads=uploads,
    )

    app = FastAPI(title="KI-Bot", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(admin_api_router(service, authenticator), prefix="/admin")
    # one controller for the chat page and the JSON API: the same limits and gap report
    controller = controller or ChatController(settings, assistant)
    app.include_router(citizen_api_router(controller), prefix="/api")

    @app.get("/admin", include_in_schema=False)
    def staff_area_root() -> Any:
        """Gradio's logout sends the browser to `/admin`, the staff app lives at `/admin/`
        (relative, so it also works behind a proxy with a path prefix)."""
        return RedirectResponse("admin/", status_code=302)

    admin = build_admin_app(service)
    admin.queue(default_concurrency_limit=2, max_size=16)
    app = gr.mount_gradio_app(
        app,
        admin,
        path="/admin",
        auth=authenticator.check_async,
        auth_message="Anmeldung für Mitarbeitende des Kommunalen Integrationszentrums.",
        max_file_size=settings.max_file_bytes,
        run_history=False,
        ssr_mode=False,
        mcp_server=False,
        footer_links=[],
        css=ADMIN_CSS,
        head=ADMIN_HEAD,
        theme=theme(),
    )
    citizen = build_app(settings, assistant, controller)
    app = gr.mount_gradio_app(
        app,
        citizen,
        path="",
        run_history=False,
        ssr_mode=False,
        mcp_server=False,
        footer_links=[],
        theme=theme(),
        css=CSS,
        head=HEAD,
    )
    app.add_middleware(
        RequestGuard,
        staff_prefix="/admin",
        staff_blocks=admin,
        citizen_blocks=citizen,
        uploads=uploads,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(
        PageMeta,
        pages={
            "/admin": Page(STAFF_TITLE, "Dokumente, Index und Berichte des KI-Chatbots.", "de"),
            "/": Page(ui_text("page_title", "de"), ui_text("subtitle", "de")),
        },
    )
    # after mounting: the client key must be set for Gradio's /admin/login as well
    app.add_middleware(LoginClientMiddleware, authenticator=authenticator)
    return app, citizen
