"""Split tests/eval/questions.jsonl into a fixed dev set (tuning) and test set (reporting).

Thresholds were tuned on all of questions.jsonl; numbers measured on the same questions are
optimistic. From now on tune on dev.jsonl and report on test.jsonl (and on the citizen set).
The split is stratified by language and answerable/unanswerable (~60/40 per stratum) and uses
a seeded shuffle, so running this again gives byte-identical files. questions.jsonl stays as is.

.venv/bin/python scripts/split_eval.py          # write tests/eval/dev.jsonl and test.jsonl
.venv/bin/python scripts/split_eval.py --check  # exit 1 if the files are not what it would write
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "eval"
SEED = "ki-rhein-sieg-eval-2026"
DEV_SHARE = 0.6


def split(lines: list[str], seed: str = SEED) -> tuple[list[str], list[str]]:
    """Return (dev, test) lines, each in the original order; every stratum is shuffled with
    its own seeded generator, so adding a question to one stratum does not move the others."""
    strata: dict[tuple[str, bool], list[int]] = {}
    for index, line in enumerate(lines):
        item = json.loads(line)
        strata.setdefault((item["lang"], item["doc"] is not None), []).append(index)
    dev: set[int] = set()
    for (lang, answerable), indices in sorted(strata.items()):
        shuffled = list(indices)
        random.Random(f"{seed}:{lang}:{answerable}").shuffle(shuffled)
        dev.update(shuffled[: round(len(shuffled) * DEV_SHARE)])
    return (
        [line for i, line in enumerate(lines) if i in dev],
        [line for i, line in enumerate(lines) if i not in dev],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, do not write")
    args = parser.parse_args()
    lines = [
        line
        for line in (EVAL / "questions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    dev, test = split(lines)
    outputs = {"dev.jsonl": dev, "test.jsonl": test}
    stale = []
    for name, part in outputs.items():
        text = "\n".join(part) + "\n"
        path = EVAL / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    print(f"{len(lines)} questions -> dev {len(dev)}, test {len(test)}")
    if stale:
        print("out of date:", ", ".join(stale), "(run scripts/split_eval.py)")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
