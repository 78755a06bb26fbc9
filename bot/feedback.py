"""Citizens' feedback on answers, stored locally without personal data.

A record holds the day, the question, whether the bot refused, the language, the
verdict, an optional comment and the cited files: no IP, no user or session id, no
exact time. The admin area summarises the most frequent unhelpful or refused questions.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

MAX_COMMENT = 500
MAX_QUESTION = 500
_LOCK = threading.Lock()


def record_feedback(
    path: Path,
    question: str,
    refused: bool,
    language: str,
    helpful: bool,
    comment: str = "",
    sources: list[str] | None = None,
) -> dict[str, Any]:
    record = {
        "day": dt.date.today().isoformat(),
        "question": " ".join(question.split())[:MAX_QUESTION],
        "refused": bool(refused),
        "language": language[:5],
        "helpful": bool(helpful),
        "comment": " ".join((comment or "").split())[:MAX_COMMENT],
        "sources": [s[:200] for s in (sources or [])][:5],
    }
    with _LOCK:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return record
