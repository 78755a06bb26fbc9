"""Check tests/eval/questions.jsonl against the corpus: keys, documents, facts, counts.

.venv/bin/python scripts/check_eval.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ingest.loaders import load_document  # noqa: E402


def main() -> int:
    corpus = ROOT / "corpus"
    texts: dict[str, str] = {}
    problems = []
    questions = [
        json.loads(line)
        for line in (ROOT / "tests/eval/questions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for number, item in enumerate(questions, start=1):
        if set(item) != {"q", "doc", "fact", "lang"}:
            problems.append(f"line {number}: keys {sorted(item)}")
            continue
        doc = item["doc"]
        if doc is None:
            if item["fact"] is not None:
                problems.append(f"line {number}: fact without doc")
            continue
        if doc not in texts:
            path = corpus / doc
            if not path.exists():
                problems.append(f"line {number}: no document {doc}")
                continue
            loaded = load_document(path, corpus, 20 * 1024 * 1024)
            texts[doc] = " ".join(f"{' '.join(s.headings)} {s.text}" for s in loaded.sections)
        if item["fact"] and item["fact"] not in texts[doc]:
            problems.append(f"line {number}: fact {item['fact']!r} not in {doc}")
    langs = Counter(q["lang"] for q in questions)
    docs = Counter(q["doc"] for q in questions if q["doc"])
    missing = sorted(p.name for p in corpus.iterdir() if p.is_file() and p.name not in docs)
    print(f"{len(questions)} questions, languages {dict(langs)}")
    print(
        f"non-German {sum(n for lang, n in langs.items() if lang != 'de')}, "
        f"refusals {sum(q['doc'] is None for q in questions)}, "
        f"with fact {sum(bool(q['fact']) for q in questions)}"
    )
    if missing:
        print("documents without questions:", ", ".join(missing))
    for problem in problems:
        print("PROBLEM", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
