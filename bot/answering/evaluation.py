"""`python -m bot eval`: retrieval, answer and refusal quality on a question set.

A question line: {"q": TEXT, "doc": FILE_NAME_OR_NULL, "fact": SUBSTRING_OR_NULL, "lang": CODE}.
`doc` null means the bot must refuse. A conversation line: {"lang": CODE, "turns": [{"q", "doc",
"fact"}, ...]}: its turns are asked in order with the earlier turns as history (as
`python -m bot ask --conversation` does), and follow-up turns are also reported on their own.
A document counts as cited at rank r when it is the
r-th distinct source of the answer (matched on file name, with or without folders). A
translation counts as its original for a question not in German (an Arabic question quoting
the Arabic version of "einbuergerung.md" found the right document) but never for a German
one: German questions must quote German originals. For other questions a translation and
its original cited together take one rank. A line may name the original of its
translated `doc` (`original`): citing that original counts as citing the document too.
`answered_from_translation` is the share of answerable questions whose answer quoted a
translation first. A fact is looked for in the language it is written in: an answer quoted
from a translation of the labelled original is not checked for the original's German fact
(counted as `facts_in_another_language` instead); the translation's own labels
(translation_questions.jsonl) are checked as usual.
A `lang` with a variant ("de-x-ls", Leichte Sprache) is asked as the page language.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

REQUIRED_KEYS = {"q", "doc", "fact", "lang"}


def load_questions(path: Path) -> list[dict[str, Any]]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        if isinstance(item, dict) and isinstance(item.get("turns"), list):
            for turn_number, turn in enumerate(item["turns"]):
                turn = {"lang": item.get("lang", "de"), **turn}
                if not isinstance(turn, dict) or not set(turn) >= REQUIRED_KEYS:
                    raise ValueError(f"{path}:{number}: each turn needs {sorted(REQUIRED_KEYS)}")
                questions.append({**turn, "conversation": number, "turn": turn_number})
            continue
        if not isinstance(item, dict) or not set(item) >= REQUIRED_KEYS:
            raise ValueError(f"{path}:{number}: needs keys {sorted(REQUIRED_KEYS)}")
        questions.append(item)
    if not questions:
        raise ValueError(f"{path}: no questions")
    return questions


def _same_doc(source: str, doc: str, translation_of: str | None = None, lang: str = "de") -> bool:
    """Whether a cited source is the labelled document (see the module's docstring)."""
    if source == doc:
        return True
    if translation_of:
        return lang != "de" and _same_doc(translation_of, doc)
    return source.rsplit("/", 1)[-1] == doc


def _family(source: str, translated: dict[str, str]) -> str:
    """The file name of a cited source's original (its own for an original)."""
    return translated.get(source, source).rsplit("/", 1)[-1]


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def starts_mid_sentence(text: str) -> bool:
    """A quoted block that begins inside a sentence: the line under a bold heading starts
    in lower case, with a punctuation mark or with an ellipsis."""
    lines = text.splitlines()
    for heading, first in zip(lines, lines[1:], strict=False):
        if heading.startswith("**") and first.strip():
            start = first.strip()[0]
            if start.islower() or start in ",;.:)]…":
                return True
    return False


def run_eval(assistant: Any, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Ask every question once; return overall and non-German metrics plus failures."""
    rows = []
    history: list[tuple[str, str]] = []
    for item in questions:
        if not item.get("turn"):
            history = []  # a question on its own, or the first turn of a conversation
        started = time.perf_counter()
        lang = item.get("lang", "de")
        if "-" in lang:  # a variant the detector cannot tell: chosen on the page
            answer = assistant.ask(item["q"], history or None, page_language=lang)
        else:
            answer = assistant.ask(item["q"], history or None)
        seconds = time.perf_counter() - started
        if "turn" in item and not answer.refused:
            history = [*history, (item["q"], answer.text)][-5:]
        docs: list[str] = []
        translated: dict[str, str] = {}  # cited translation -> its original
        for cite in answer.sources:
            if cite.source not in docs:
                docs.append(cite.source)
            if getattr(cite, "translation_of", None):
                translated[cite.source] = cite.translation_of
        # a translation and its original are one document in two versions: one rank
        # (not for German questions, which must quote the original)
        ranked: list[list[str]] = []
        for source in docs:
            family = _family(source, translated)
            group = next(
                (g for g in ranked if lang != "de" and _family(g[0], translated) == family),
                None,
            )
            if group is None:
                ranked.append([source])
            else:
                group.append(source)
        wanted = [d for d in (item["doc"], item.get("original")) if d]
        rank = next(
            (
                i + 1
                for i, group in enumerate(ranked)
                if any(_same_doc(s, d, translated.get(s), lang) for s in group for d in wanted)
            ),
            None,
        )
        rows.append(
            {
                "q": item["q"],
                "lang": item.get("lang", "de"),
                "follow_up": bool(item.get("turn")),
                "doc": item["doc"],
                "fact": item.get("fact"),
                "refused": answer.refused,
                "rank": rank if not answer.refused else None,
                "fact_hit": bool(item.get("fact"))
                and not answer.refused
                and item["fact"] in answer.text,
                "seconds": seconds,
                "chars": len(answer.text),
                "mid_sentence": starts_mid_sentence(answer.text) if not answer.refused else False,
                "top": docs[:3],
                "reason": answer.reason,
                "from_translation": bool(docs) and docs[0] in translated and not answer.refused,
                # a German fact cannot be in an answer quoted from a translation of its document
                "fact_checkable": answer.refused
                or not docs
                or docs[0] not in translated
                or docs[0] == item["doc"]
                or not item["doc"]
                or not _same_doc(translated[docs[0]], item["doc"]),
            }
        )
    metrics: dict[str, Any] = {
        "overall": _metrics(rows),
        "non_german": _metrics([r for r in rows if r["lang"] != "de"]),
    }
    if any(r["follow_up"] for r in rows):
        metrics["follow_ups"] = _metrics([r for r in rows if r["follow_up"]])
    metrics["failures"] = [
        {k: r[k] for k in ("q", "lang", "doc", "fact", "refused", "top", "reason")}
        for r in rows
        if (r["doc"] is None) != r["refused"]
        or (r["doc"] and r["rank"] != 1)
        or (r["fact"] and r["doc"] and r["fact_checkable"] and not r["fact_hit"])
    ]
    return metrics


def _metrics(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["doc"]]
    unanswerable = [r for r in rows if not r["doc"]]
    with_fact = [r for r in answerable if r["fact"] and r["fact_checkable"]]
    seconds = [r["seconds"] for r in rows]
    answered = [r for r in rows if not r["refused"]]

    def share(hits: int, total: int) -> float | None:
        return round(hits / total, 3) if total else None

    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "recall@1": share(sum(r["rank"] == 1 for r in answerable), len(answerable)),
        "recall@3": share(
            sum(r["rank"] is not None and r["rank"] <= 3 for r in answerable), len(answerable)
        ),
        "fact_hit_rate": share(sum(r["fact_hit"] for r in with_fact), len(with_fact)),
        "facts_in_another_language": sum(
            bool(r["fact"]) and not r["fact_checkable"] for r in answerable
        ),
        "refusal_accuracy": share(sum(r["refused"] for r in unanswerable), len(unanswerable)),
        "false_refusals": sum(r["refused"] for r in answerable),
        "false_refusal_rate": share(sum(r["refused"] for r in answerable), len(answerable)),
        "answer_chars_median": (
            statistics.median(r["chars"] for r in answered) if answered else None
        ),
        "mid_sentence_starts": sum(r["mid_sentence"] for r in answered),
        # answerable questions whose answer quoted a translation first
        "answered_from_translation": share(
            sum(r["from_translation"] for r in answerable), len(answerable)
        ),
        "latency_p50_ms": round(_percentile(seconds, 0.5) * 1000, 1),
        "latency_p95_ms": round(_percentile(seconds, 0.95) * 1000, 1),
        "latency_mean_ms": round(statistics.fmean(seconds) * 1000, 1) if seconds else 0.0,
    }


def format_table(metrics: dict[str, Any]) -> str:
    keys = [
        "questions",
        "answerable",
        "unanswerable",
        "recall@1",
        "recall@3",
        "fact_hit_rate",
        "refusal_accuracy",
        "false_refusals",
        "answer_chars_median",
        "mid_sentence_starts",
        "answered_from_translation",
        "facts_in_another_language",
        "latency_p50_ms",
        "latency_p95_ms",
    ]
    lines = ["| metric | overall | non-German |", "|---|---|---|"]
    for key in keys:
        lines.append(f"| {key} | {metrics['overall'][key]} | {metrics['non_german'][key]} |")
    if metrics["failures"]:
        lines.append("")
        lines.append(f"{len(metrics['failures'])} questions not fully right:")
        for fail in metrics["failures"]:
            lines.append(
                f"- [{fail['lang']}] {fail['q'][:70]!r} want={fail['doc']} got={fail['top']} "
                f"refused={fail['refused']} ({fail['reason']})"
            )
    return "\n".join(lines)
