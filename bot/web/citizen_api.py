"""`POST /api/ask`: the chat's answers as plain JSON, for other tools and light clients.

The body is `{"question": TEXT, "history": [{"question": TEXT, "answer": TEXT}, ...]}`
(`history` optional, earlier turns oldest first; the last five are used as the chat uses
them); the reply is the same object as one line of `python -m bot ask --json`
(`Answer.contract()`). It goes through the chat's `ChatController`: the same limits per
client address and per process, the same gap report for questions the documents do not
answer.

Why it exists (bench/README.md, issue 17): an answer through Gradio's queue costs the
server about as much CPU as the answer itself; this endpoint costs a few milliseconds more
than the answer. Like the queue it answers at most `concurrency_limit` questions at once
and keeps at most `max_queue_size` waiting; more get 503.

Every refusal is a 4xx/5xx with a JSON `detail` in plain words: the input is never echoed
back (a 100,000-character question would come back whole in FastAPI's default 422) and no
stack trace leaves the server.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.answering.answer import Answer
from bot.i18n import detect_language, message
from bot.web.chat_ui import ChatController

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024  # a question, 20 turns and JSON around them fit many times
MAX_TURNS = 20  # turns a client may send; the assistant looks at the last USED_TURNS
USED_TURNS = 5
MAX_ANSWER_CHARS = 10_000  # an earlier answer in the history (answers are far shorter)
BUSY = "Gerade sind sehr viele Fragen offen. Bitte versuchen Sie es gleich noch einmal."

# What a client gets told for each kind of schema problem (German, like the admin API).
_PROBLEMS = {
    "missing": "fehlt",
    "string_type": "muss Text sein",
    "list_type": "muss eine Liste sein",
    "model_type": "muss ein Objekt sein",
    "dict_type": "muss ein Objekt sein",
    "extra_forbidden": "ist unbekannt",
    "too_long": "ist zu lang",
}


class Turn(BaseModel):
    """One earlier turn of the conversation."""

    model_config = ConfigDict(extra="forbid", strict=True)
    question: str
    answer: str = Field("", max_length=MAX_ANSWER_CHARS)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    question: str
    history: list[Turn] = Field(default_factory=list, max_length=MAX_TURNS)


def _problem(status: int, detail: str, **headers: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers or None)


def _explain(error: ValidationError) -> str:
    """`question fehlt; history[0].answer ist zu lang`: where and what, never the value."""
    parts = []
    for item in error.errors(include_input=False, include_url=False):
        where = ""
        for part in item["loc"]:
            where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else part)
        problem = _PROBLEMS.get(item["type"], "ist ungültig")
        if item["type"] == "too_long" and where == "history":
            problem = f"hat zu viele Einträge (höchstens {MAX_TURNS})"
        elif item["type"] == "too_long":
            problem = f"ist zu lang (höchstens {MAX_ANSWER_CHARS} Zeichen)"
        parts.append(f"{where or 'Anfrage'} {problem}")
    return "Ungültige Anfrage: " + "; ".join(dict.fromkeys(parts)) + "."


async def _read_body(request: Request) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY_BYTES (read no further)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    return body


def citizen_api_router(controller: ChatController) -> APIRouter:
    """The citizen JSON API on top of the chat's controller (mounted at `/api`)."""
    settings = controller.settings
    router = APIRouter()
    answering = anyio.CapacityLimiter(settings.concurrency_limit)
    open_requests = 0  # changed only on the event loop's thread

    def answer(question: str, turns: list[tuple[str, str]]) -> Answer:
        controller.assistant.reload_if_changed()
        result = controller.assistant.ask(question, turns)
        controller.note_answer(question, result)
        return result

    @router.post("/ask")
    async def ask(request: Request) -> Any:
        nonlocal open_requests
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            return _problem(415, "Bitte als JSON senden (Content-Type: application/json).")
        body = await _read_body(request)
        if body is None:
            return _problem(413, f"Anfrage zu groß: höchstens {MAX_BODY_BYTES // 1024} KB.")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _problem(400, "Ungültiges JSON.")
        try:
            parsed = AskRequest.model_validate(data)
        except ValidationError as exc:
            return _problem(422, _explain(exc))
        question = parsed.question.strip()
        limit = settings.max_question_chars
        if not question:
            return _problem(422, "Ungültige Anfrage: question ist leer.")
        if len(question) > limit:
            language = detect_language(question[:300])
            return _problem(422, message("too_long", language, limit=limit))
        for turn in parsed.history:
            if len(turn.question) > limit:
                return _problem(
                    422, f"Ungültige Anfrage: eine frühere Frage ist länger als {limit} Zeichen."
                )
        client = request.client.host if request.client else None
        if not controller.allow(client):
            language = detect_language(question)
            return _problem(429, message("rate_limited", language), **{"Retry-After": "60"})
        if open_requests >= settings.concurrency_limit + settings.max_queue_size:
            return _problem(503, BUSY, **{"Retry-After": "5"})
        turns = [(t.question, t.answer) for t in parsed.history][-USED_TURNS:]
        open_requests += 1
        try:
            result = await anyio.to_thread.run_sync(answer, question, turns, limiter=answering)
        except Exception:  # the client gets a clear message, the log the details
            log.exception("answering failed")
            return _problem(500, message("error", detect_language(question)))
        finally:
            open_requests -= 1
        return result.contract()

    return router
