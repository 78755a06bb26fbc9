"""What citizens miss: the questions the documents did not answer, grouped by topic for staff.

Two kinds of record go in: a question the bot refused because the documents hold no answer
(not an injection, an empty or an over-long question), and an answer a citizen marked "not
helpful". A record holds a random id, the day, the scrubbed question (`feedback.scrub`: e-mail,
phone, IBAN, dates, long numbers, cued names), the language and the kind: no IP, no session,
no exact time. The file is readable by its owner only and records older than
`BOT_GAPS_RETENTION_DAYS` (30) are deleted on every write and read; staff can delete entries.

The report groups the questions by meaning with the index's own embedder (multilingual, so
"Kindergeld?" and "child benefit?" land together) and tells staff which document to write
next: per group a count, the languages and a few scrubbed examples.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.answering.intents import INTENTS
from bot.answering.smalltalk import REASONS as SMALL_TALK_REASONS
from bot.config import Settings
from bot.staff.feedback import MAX_QUESTION, append_record, read_feedback, rewrite_records, scrub

DEFAULT_RETENTION_DAYS = 30
# cosine of two question vectors (e5, "passage:" side) above which they ask the same thing;
# measured with the bundled model: paraphrases 0.90-0.96, other topics of the domain 0.80-0.88
SAME_TOPIC = 0.9
# refusals that say nothing about missing documents
NOT_A_GAP = {
    "injection",
    "empty",
    "too-long",
    "empty-index",
    # greetings, thanks, letters that make no words (bot/answering/smalltalk.py)
    *SMALL_TALK_REASONS,
    # no document could answer these (own case, free places now, ...)
    *(intent.name for intent in INTENTS),
}
EXAMPLES = 3


def gaps_path(settings: Settings) -> Path:
    """Where the gap records live (one place for the chat, the staff area and the CLI)."""
    return settings.data_dir / "gaps.jsonl"


def is_gap(refused: bool, reason: str | None) -> bool:
    """A refusal for want of a document (not an attack or a malformed question)."""
    return refused and (reason or "") not in NOT_A_GAP


def record_gap(
    path: Path,
    question: str,
    language: str,
    kind: str,
    retention_days: int = DEFAULT_RETENTION_DAYS,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Store one scrubbed question the documents did not answer ("unanswered") or that a
    citizen found unhelpful ("unhelpful")."""
    record = {
        "id": secrets.token_hex(6),
        "day": (today or dt.date.today()).isoformat(),
        "question": scrub(" ".join(question.split())[:MAX_QUESTION]),
        "language": language[:5],
        "kind": "unhelpful" if kind == "unhelpful" else "unanswered",
    }
    append_record(path, record, retention_days, today)
    return record


def read_gaps(
    path: Path, retention_days: int = DEFAULT_RETENTION_DAYS, today: dt.date | None = None
) -> list[dict[str, Any]]:
    return read_feedback(path, retention_days, today)


def delete_gaps(
    path: Path, ids: Iterable[str], retention_days: int = DEFAULT_RETENTION_DAYS
) -> int:
    """Delete the given records (staff's "erledigt" or "löschen"); returns how many."""
    wanted = set(ids)
    return rewrite_records(path, lambda r: r.get("id") not in wanted, retention_days)


@dataclass
class GapGroup:
    """Questions that ask the same thing."""

    count: int
    languages: dict[str, int]
    kinds: dict[str, int]
    examples: list[str]
    ids: list[str] = field(default_factory=list)
    last_day: str = ""

    def public(self) -> dict[str, Any]:
        return asdict(self)


def group_gaps(
    records: list[dict[str, Any]],
    embed: Callable[[list[str]], Any],
    same_topic: float = SAME_TOPIC,
) -> list[GapGroup]:
    """Greedy grouping by meaning: each question joins the group whose mean vector is the
    closest if it is at least `same_topic` alike, else starts a group. Largest groups first.
    (A few hundred questions a month: no clustering library needed.)"""
    items = [r for r in records if str(r.get("question", "")).strip()]
    if not items:
        return []
    vectors = np.asarray(embed([str(r["question"]) for r in items]), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    sums: list[np.ndarray] = []
    members: list[list[int]] = []
    for i, vector in enumerate(vectors):
        best, best_sim = -1, -1.0
        for g, total in enumerate(sums):
            centre = total / (np.linalg.norm(total) + 1e-12)
            sim = float(np.einsum("i,i->", centre, vector))
            if sim > best_sim:
                best, best_sim = g, sim
        if best >= 0 and best_sim >= same_topic:
            sums[best] = sums[best] + vector
            members[best].append(i)
        else:
            sums.append(vector.copy())
            members.append([i])
    groups = []
    for indices in members:
        rows = [items[i] for i in indices]
        newest_first = sorted(rows, key=lambda r: str(r.get("day", "")), reverse=True)
        examples: list[str] = []
        for row in newest_first:
            if row["question"] not in examples:
                examples.append(row["question"])
            if len(examples) == EXAMPLES:
                break
        groups.append(
            GapGroup(
                count=len(rows),
                languages=dict(Counter(str(r.get("language", "?")) for r in rows).most_common()),
                kinds=dict(Counter(str(r.get("kind", "unanswered")) for r in rows)),
                examples=examples,
                ids=[str(r.get("id", "")) for r in rows],
                last_day=str(newest_first[0].get("day", "")),
            )
        )
    groups.sort(key=lambda g: (-g.count, g.last_day))
    return groups


def gap_report(settings: Settings, embedder: Any) -> list[GapGroup]:
    """The groups of the last `gaps_retention_days` days, for the staff area and the CLI."""
    records = read_gaps(gaps_path(settings), settings.gaps_retention_days)
    return group_gaps(records, embedder.embed_documents)
