"""Multi-turn dialogues through `python -m bot ask --conversation --json -` with the real
bundled model on the sample corpus: the third turn still knows the topic of the first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.embeddings import make_embedder
from bot.indexing.build import build_index

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

DIALOGUES = {
    "de": ["Was kostet die Einbürgerung?", "Und für Kinder?", "Wie lange dauert das?"],
    "en": ["How much does naturalisation cost?", "And for children?", "How long does it take?"],
    "ar": ["كم تكلفة التجنيس؟", "وللأطفال؟", "كم من الوقت يستغرق ذلك؟"],
    "uk": ["Скільки коштує натуралізація?", "А для дітей?", "Скільки часу це займає?"],
}
# "und was kostet das?" alone is closest to the naturalisation fee: the course's topic wins
COURSE = ["Ich will einen Integrationskurs machen", "und was kostet das?"]
# the first answer comes from the application page; the fee stands on the naturalisation
# page, which the first question found too: the follow-up may answer from it
APPLY = ["Wie kann ich mich einbürgern lassen?", "was kostet des?"]
# a follow-up about what no page speaks of is refused, however well the topic stands out
WEATHER = ["Was kostet die Einbürgerung?", "und wie ist das wetter morgen?"]
# a typo of a word the pages use is no unknown term, in a follow-up as in a question
TYPO = ["Wie funktioniert der Integrationskurs?", "und die kinderbetreung?"]
# three dialect sentences together stand out less than each alone: the follow-up that
# stands out on its own is answered (where the foreigners' office is)
OFFICE = ["اقامتي رح تخلص الشهر الجاي، شو لازم اعمل لجددها؟", "وكم بتكلف؟", "وين مكتب الأجانب؟"]


def test_follow_ups_keep_the_topic_in_three_languages(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    settings = Settings(_env_file=None, corpus_dir=ROOT / "corpus", index_dir=index_dir)  # type: ignore[call-arg]
    build_index(settings, make_embedder(settings.embedding_model))
    # blank lines separate the conversations; a new conversation forgets the old topic
    talks = [*DIALOGUES.values(), COURSE, APPLY, WEATHER, OFFICE, TYPO]
    stdin = "\n\n".join("\n".join(turns) for turns in talks) + "\n"
    env = {**os.environ, "BOT_INDEX_DIR": str(index_dir), "BOT_CORPUS_DIR": str(ROOT / "corpus")}
    run = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--conversation", "--json", "-"],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(lines) == sum(len(t) for t in talks), "one per question"
    typo = lines[-1]
    assert not typo["refused"] and typo["sources"][0]["source"] == "integrationskurs.md", typo
    office = lines[-1 - len(TYPO)]
    assert not office["refused"] and office["language"] == "ar", office
    assert office["sources"][0]["source"].endswith("aufenthaltstitel.md"), office
    weather = lines[-1 - len(TYPO) - len(OFFICE)]
    assert weather["refused"] and not weather["sources"], weather
    fee = lines[-1 - len(TYPO) - len(OFFICE) - len(WEATHER)]
    assert fee["sources"][0]["source"] == "einbuergerung.md", fee
    assert "255 Euro" in fee["answer"], fee["answer"]
    course_cost = lines[-1 - len(TYPO) - len(OFFICE) - len(WEATHER) - len(APPLY)]
    assert course_cost["sources"][0]["source"] == "integrationskurs.md", course_cost
    assert "Eigenanteil" in course_cost["answer"], course_cost["answer"]
    for number, language in enumerate(DIALOGUES):
        cost, children, duration = lines[3 * number : 3 * number + 3]
        for answer in (cost, children, duration):
            assert not answer["refused"], (language, answer)
            # the original or the asker's translation of it (corpus/translations/<lang>/)
            first = Path(answer["sources"][0]["source"]).name
            assert first.startswith("einbuergerung"), (language, answer)
        assert "51" in children["answer"], (language, children["answer"])
        # the third turn: the duration of naturalisation, not a passage about Kita or courses
        assert duration["sources"][0]["source"] == "einbuergerung-antrag.md", (language, duration)
        assert "Monate" in duration["answer"], (language, duration["answer"])
