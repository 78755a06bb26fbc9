"""Command line: `python -m bot index | ask | eval` (contract in docs/design.md; keep it stable).

Every option also has a `BOT_*` environment variable; an option given here wins.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bot.config import Settings, SettingsError, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    index = sub.add_parser("index", help="build or update the index from the corpus")
    index.add_argument("--corpus", type=Path, help="corpus folder (BOT_CORPUS_DIR)")
    index.add_argument("--index", type=Path, help="index folder (BOT_INDEX_DIR)")
    index.add_argument("--rebuild", action="store_true", help="re-embed everything")
    index.add_argument("--json", action="store_true", help="print one JSON object")

    ask = sub.add_parser("ask", help="answer a question ('-' reads one per line from stdin)")
    ask.add_argument("--index", type=Path, help="index folder (BOT_INDEX_DIR)")
    ask.add_argument(
        "--corpus", type=Path, help="corpus folder, for its answer cards (BOT_CORPUS_DIR)"
    )
    ask.add_argument("--json", action="store_true", help="one JSON object per answer")
    ask.add_argument(
        "--conversation",
        action="store_true",
        help="stdin holds conversations: consecutive lines are turns, a blank line starts anew",
    )
    ask.add_argument("question", help="the question, or - for stdin")

    ev = sub.add_parser("eval", help="run the evaluation set")
    ev.add_argument("--index", type=Path, help="index folder (BOT_INDEX_DIR)")
    ev.add_argument(
        "--corpus", type=Path, help="corpus folder, for its answer cards (BOT_CORPUS_DIR)"
    )
    ev.add_argument("--questions", type=Path, default=Path("tests/eval/questions.jsonl"))
    ev.add_argument("--json", action="store_true", help="print the metrics as JSON")

    report = sub.add_parser("report", help="what citizens miss and documents that expire")
    report.add_argument("--index", type=Path, help="index folder (BOT_INDEX_DIR)")
    report.add_argument("--json", action="store_true", help="print one JSON object")

    user = sub.add_parser("user", help="add or replace a staff/admin account")
    user.add_argument("action", choices=["add", "list"])
    user.add_argument("name", nargs="?")
    user.add_argument("--role", choices=["staff", "admin"], default="staff")
    user.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(
            corpus_dir=getattr(args, "corpus", None), index_dir=getattr(args, "index", None)
        )
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    handler = {
        "index": cmd_index,
        "ask": cmd_ask,
        "eval": cmd_eval,
        "report": cmd_report,
        "user": cmd_user,
    }[args.command]
    return handler(settings, args)


def _fail(message: str) -> int:
    print(f"Error: {message}", file=sys.stderr)
    return 1


def cmd_index(settings: Settings, args: argparse.Namespace) -> int:
    from bot.embeddings import EmbedderError, make_embedder
    from bot.indexing.build import IndexProblem, build_index

    progress = None if args.json else _TqdmProgress()
    try:
        embedder = make_embedder(settings.embedding_model)
        report = build_index(settings, embedder, rebuild=args.rebuild, progress=progress)
    except (IndexProblem, EmbedderError) as exc:
        if progress:  # clear the bar first, or the error is printed onto its line
            progress.close()
        return _fail(str(exc))
    finally:
        if progress:
            progress.close()
    if args.json:
        print(json.dumps(report.contract(), ensure_ascii=False))
        return 0
    print(
        f"{report.documents} Dokumente, {report.chunks} Abschnitte im Index "
        f"(neu {report.added}, geändert {report.updated}, entfernt {report.removed}) "
        f"in {report.seconds:.1f} s."
    )
    if report.embedded_chunks and report.embed_seconds:
        rate = report.embedded_chunks / report.embed_seconds
        print(f"Eingebettet: {report.embedded_chunks} Abschnitte, {rate:.1f} pro Sekunde.")
    for skip in report.skipped:
        print(f"  übersprungen: {skip['source']}: {skip['error']}")
    return 0


class _TqdmProgress:
    """A progress bar per stage on stderr; only drawn when the run takes a while."""

    def __init__(self) -> None:
        self._bars: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        bar = self._bars.get(stage)
        if bar is None:
            bar = self._bars[stage] = tqdm(
                total=total, desc=stage, unit="", file=sys.stderr, delay=1.0, leave=False
            )
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()


def _load_assistant(settings: Settings) -> Any:
    from bot.answering.assistant import Assistant

    return Assistant.from_settings(settings)


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from bot.indexing.build import IndexProblem

    try:
        assistant = _load_assistant(settings)
    except IndexProblem as exc:
        return _fail(str(exc))
    questions = (
        (line.strip() for line in sys.stdin) if args.question == "-" else iter([args.question])
    )
    history: list[tuple[str, str]] = []
    for question in questions:
        if not question:
            history = []  # a blank line starts the next conversation (and prints nothing)
            continue
        started = time.perf_counter()
        answer = assistant.ask(question, history if args.conversation else None)
        if args.conversation and not answer.refused:
            history = [*history, (question, answer.text)][-5:]
        if args.json:
            record = answer.contract()
            record["seconds"] = round(time.perf_counter() - started, 4)
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            print(answer.as_text(), flush=True)
    return 0


def cmd_eval(settings: Settings, args: argparse.Namespace) -> int:
    from bot.answering.evaluation import format_table, load_questions, run_eval
    from bot.indexing.build import IndexProblem

    try:
        assistant = _load_assistant(settings)
        questions = load_questions(args.questions)
    except (IndexProblem, OSError, ValueError) as exc:
        return _fail(str(exc))
    metrics = run_eval(assistant, questions)
    print(json.dumps(metrics, ensure_ascii=False) if args.json else format_table(metrics))
    return 0


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    """Counts and scrubbed examples only: never raw question text (see bot/staff/gaps.py)."""
    from bot.answering.cards import expired_cards
    from bot.embeddings import make_embedder
    from bot.staff.corpus_admin import expiring_documents
    from bot.staff.gaps import gap_report
    from bot.staff.translation_demand import headline, translation_report

    groups = gap_report(settings, make_embedder(settings.embedding_model))
    expiring = expiring_documents(settings)
    cards = expired_cards(settings)
    translations = translation_report(settings)
    if args.json:
        record = {
            "gaps": [g.public() for g in groups],
            "expiring": expiring,
            "expired_cards": cards,
            "translations": translations.public(),
        }
        print(json.dumps(record, ensure_ascii=False))
        return 0
    print(f"Was Bürgerinnen und Bürger vermissen (letzte {settings.gaps_retention_days} Tage):")
    if not groups:
        print("  keine Einträge")
    for group in groups:
        languages = ", ".join(f"{lang} {n}" for lang, n in group.languages.items())
        print(f"- {group.count}× ({languages}): " + " | ".join(group.examples))
    print("Übersetzungen: " + headline(translations))
    for doc in translations.documents:
        if doc.demand:
            counts = ", ".join(f"{lang} {n}" for lang, n in doc.demand.items())
            print(f"- {doc.source}: {counts}")
    if expiring:
        print("Dokumente, die bald ablaufen:")
        for row in expiring:
            print("- " + " · ".join(str(v) for v in row.values()))
    if cards:
        print("Abgelaufene Antwortkarten (werden nicht verwendet, bitte prüfen):")
        for card in cards:
            print(f"- {card['card']} · {card['title']} · {card['owner']} · {card['valid_until']}")
    return 0


def cmd_user(settings: Settings, args: argparse.Namespace) -> int:
    """Accounts for the staff area; passwords are stored only as bcrypt hashes."""
    from bot.staff.users import UserStore

    store = UserStore(settings.users_file)
    if args.action == "list":
        for name in store.names():
            user = store.get(name)
            print(f"{name}\t{user.role if user else '?'}")
        return 0
    if not args.name:
        return _fail("Benutzername fehlt.")
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        import getpass

        password = getpass.getpass("Passwort: ")
        if password != getpass.getpass("Passwort wiederholen: "):
            return _fail("Die Passwörter stimmen nicht überein.")
    try:
        store.add(args.name, args.role, password)
    except ValueError as exc:
        return _fail(str(exc))
    print(f"Konto {args.name!r} ({args.role}) gespeichert in {settings.users_file}.")
    return 0
