"""Calibrate the answer-card thresholds and report precision and recall on held-out questions.

    python scripts/calibrate_cards.py [--corpus corpus] [--json]

Questions a card covers (tests/eval/card_questions.jsonl, {"q", "lang", "card"}) and near
misses no card covers (tests/eval/card_near_miss.jsonl, {"q", "lang", "near"}) are split by
line: odd line numbers (1, 3, 5, ...) calibrate, even line numbers are held out. Each file
lists two questions per card and language one after the other, so both halves hold every
card in every language.

A card answers when the question names one term of each of its keyword lines, its similarity
to the card's closest question is at least T, and its margin over the closest "not meant"
question at least M. Calibration searches T and M on a grid (steps of 0.005): of the pairs
at which no calibration near miss is answered by a card and no covered question by the
wrong card, those answering most calibration questions; of these the strictest (highest T,
then highest M). The held-out half then gives precision
(answers by the right card / all card answers, near misses included) and recall (answers by
the right card / covered questions). Uses the configured embedder (default: the bundled e5).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.answering.cards import AnswerCards  # noqa: E402
from bot.config import Settings, load_settings  # noqa: E402
from bot.embeddings import make_embedder  # noqa: E402

QUESTIONS = ROOT / "tests" / "eval" / "card_questions.jsonl"
NEAR_MISSES = ROOT / "tests" / "eval" / "card_near_miss.jsonl"
THRESHOLDS = (0.80, 0.99)  # the grid searched, in steps of STEP
MARGINS = (-0.05, 0.10)
STEP = 0.005
# Lines after this one in both files were written after the cards and the matching rules were
# final, so the held-out half of them never influenced a design decision.
FROZEN_AT = 56


@dataclass(frozen=True)
class Scored:
    """One evaluation question and the best card for it."""

    q: str
    lang: str
    want: str | None  # the card that covers it; None for a near miss
    line: int
    card: str
    similarity: float
    margin: float

    @property
    def calibration(self) -> bool:
        return self.line % 2 == 1

    def answered(self, threshold: float, margin: float) -> bool:
        return self.similarity >= threshold and self.margin >= margin

    @property
    def right(self) -> bool:
        return self.want is not None and self.card == self.want


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def score(cards: AnswerCards, embedder: Any) -> list[Scored]:
    out = []
    for path, key in ((QUESTIONS, "card"), (NEAR_MISSES, None)):
        for line, item in enumerate(read(path), start=1):
            scored = cards.scores(embedder.embed_query(item["q"]), item["q"])
            want = item["card"] if key else None
            if not scored:  # no card's keywords in the question
                out.append(Scored(item["q"], item["lang"], want, line, "", 0.0, -1.0))
                continue
            best = scored[0]
            name = best.card.name.removesuffix(".md")
            out.append(
                Scored(item["q"], item["lang"], want, line, name, best.similarity, best.margin)
            )
    return out


def metrics(items: list[Scored], threshold: float, margin: float) -> dict[str, Any]:
    answered = [i for i in items if i.answered(threshold, margin)]
    right = [i for i in answered if i.right]
    covered = [i for i in items if i.want is not None]
    return {
        "questions": len(covered),
        "near_misses": len(items) - len(covered),
        "card_answers": len(answered),
        "right_card": len(right),
        "near_misses_answered": sum(1 for i in answered if i.want is None),
        "wrong_card": sum(1 for i in answered if i.want is not None and not i.right),
        "precision": round(len(right) / len(answered), 3) if answered else 1.0,
        "recall": round(len(right) / len(covered), 3) if covered else 0.0,
    }


def calibrate(items: list[Scored]) -> tuple[float, float]:
    """(threshold, margin) from the calibration items alone: of the grid pairs that let no
    near miss and no wrong card through, those answering most questions; of these the
    strictest (highest threshold, then highest margin), so nothing is let through that the
    calibration questions did not need."""
    best: tuple[int, float, float] | None = None
    for t in range(round(THRESHOLDS[0] / STEP), round(THRESHOLDS[1] / STEP) + 1):
        for m in range(round(MARGINS[0] / STEP), round(MARGINS[1] / STEP) + 1):
            threshold, margin = round(t * STEP, 3), round(m * STEP, 3)
            answered = [i for i in items if i.answered(threshold, margin)]
            if any(not i.right for i in answered):
                continue
            key = (len(answered), threshold, margin)
            if best is None or key > best:
                best = key
    assert best is not None, "no threshold keeps every near miss out"
    return best[1], best[2]


def run(settings: Settings) -> dict[str, Any]:
    embedder = make_embedder(settings.embedding_model)
    cards = AnswerCards(settings, embedder)
    items = score(cards, embedder)
    calibration = [i for i in items if i.calibration]
    held_out = [i for i in items if not i.calibration]
    threshold, margin = calibrate(calibration)
    return {
        "model": f"{embedder.model_id} ({embedder.backend})",
        "cards": len(cards.cards()),
        "split": "odd line numbers calibrate, even line numbers are held out",
        "threshold": threshold,
        "margin": margin,
        "calibration": metrics(calibration, threshold, margin),
        "held_out": metrics(held_out, threshold, margin),
        "held_out_after_freeze": metrics(
            [i for i in held_out if i.line > FROZEN_AT], threshold, margin
        ),
        "configured": {
            "threshold": settings.card_min_similarity,
            "margin": settings.card_min_margin,
            "held_out": metrics(held_out, settings.card_min_similarity, settings.card_min_margin),
        },
        "misses_held_out": [
            {
                "line": i.line,
                "q": i.q,
                "lang": i.lang,
                "want": i.want,
                "card": i.card,
                "sim": round(i.similarity, 4),
                "margin": round(i.margin, 4),
            }
            for i in held_out
            if (i.want is None) == i.answered(threshold, margin) or (i.want and not i.right)
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--index", type=Path, help="where the card vector cache is kept")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = load_settings(corpus_dir=args.corpus, index_dir=args.index)
    report = run(settings)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"{report['cards']} cards, {report['model']}; {report['split']}")
    print(f"calibrated: similarity >= {report['threshold']}, margin >= {report['margin']}")
    for part in ("calibration", "held_out", "held_out_after_freeze"):
        m = report[part]
        print(
            f"  {part:21} precision {m['precision']:.3f}  recall {m['recall']:.3f}  "
            f"({m['right_card']}/{m['questions']} questions, {m['near_misses_answered']}/"
            f"{m['near_misses']} near misses answered, {m['wrong_card']} wrong card)"
        )
    for miss in report["misses_held_out"]:
        print(f"  held out, not as wanted: {miss}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
