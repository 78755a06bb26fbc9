"""Split the labelled evaluation sets into fixed dev sets (tuning) and test sets (reporting).

Thresholds were tuned on all of tests/eval/questions.jsonl; numbers measured on the same
questions are optimistic. From now on tune on dev*.jsonl and report on test*.jsonl (and on the
citizen set). Each split is stratified by language and answerable/unanswerable and uses a
seeded shuffle, so running this again gives byte-identical files. The sources stay as they are:

- tests/eval/questions.jsonl -> dev.jsonl / test.jsonl (~60/40 per stratum)
- tests/eval/district_b/questions.jsonl -> dev.jsonl / test.jsonl (half each, seed 17);
  district_b/conversations.jsonl -> dev_conversations.jsonl (1st, 3rd, ... conversation)
  and test_conversations.jsonl (2nd, 4th, ...)
- round2.jsonl (second round of citizen questions, in tests/eval/ and district_b/): odd lines
  (1st, 3rd, ...) -> round2_dev.jsonl, even lines -> round2_test.jsonl

.venv/bin/python scripts/split_eval.py          # write all dev and test files
.venv/bin/python scripts/split_eval.py --check  # exit 1 if the files are not what it would write
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "eval"
DISTRICT_B = EVAL / "district_b"
SEED = "ki-rhein-sieg-eval-2026"
DEV_SHARE = 0.6
DISTRICT_B_SEED = "17"
DISTRICT_B_DEV_SHARE = 0.5


def split(
    lines: list[str], seed: str = SEED, share: float = DEV_SHARE
) -> tuple[list[str], list[str]]:
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
        dev.update(shuffled[: round(len(shuffled) * share)])
    return (
        [line for i, line in enumerate(lines) if i in dev],
        [line for i, line in enumerate(lines) if i not in dev],
    )


def split_conversations(lines: list[str]) -> tuple[list[str], list[str]]:
    """Odd-numbered lines (1st, 3rd, ...) for dev, even-numbered ones for test: for the
    conversations and for the round 2 sets, whose writers balanced the halves by line."""
    return lines[0::2], lines[1::2]


def read(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def outputs() -> dict[Path, list[str]]:
    """Every file this script writes, with its lines."""
    dev, test = split(read(EVAL / "questions.jsonl"))
    b_dev, b_test = split(
        read(DISTRICT_B / "questions.jsonl"), DISTRICT_B_SEED, DISTRICT_B_DEV_SHARE
    )
    b_dev_conv, b_test_conv = split_conversations(read(DISTRICT_B / "conversations.jsonl"))
    r2_dev, r2_test = split_conversations(read(EVAL / "round2.jsonl"))
    b_r2_dev, b_r2_test = split_conversations(read(DISTRICT_B / "round2.jsonl"))
    return {
        EVAL / "round2_dev.jsonl": r2_dev,
        EVAL / "round2_test.jsonl": r2_test,
        DISTRICT_B / "round2_dev.jsonl": b_r2_dev,
        DISTRICT_B / "round2_test.jsonl": b_r2_test,
        EVAL / "dev.jsonl": dev,
        EVAL / "test.jsonl": test,
        DISTRICT_B / "dev.jsonl": b_dev,
        DISTRICT_B / "test.jsonl": b_test,
        DISTRICT_B / "dev_conversations.jsonl": b_dev_conv,
        DISTRICT_B / "test_conversations.jsonl": b_test_conv,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, do not write")
    args = parser.parse_args()
    stale = []
    for path, part in outputs().items():
        text = "\n".join(part) + "\n"
        name = str(path.relative_to(EVAL))
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
        print(f"{name}: {len(part)}")
    if stale:
        print("out of date:", ", ".join(stale), "(run scripts/split_eval.py)")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
