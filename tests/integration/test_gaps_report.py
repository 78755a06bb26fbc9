"""`python -m bot report --json` with the bundled multilingual model groups what citizens miss
by meaning across languages, and shows only scrubbed text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.staff.gaps import record_gap

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def test_report_groups_questions_by_meaning_across_languages(tmp_path: Path) -> None:
    path = tmp_path / "data" / "gaps.jsonl"
    asked = [
        ("Wie viel Kindergeld bekomme ich für zwei Kinder?", "de"),
        ("How much child benefit do I get?", "en"),
        ("Wie kann ich meinen Führerschein umschreiben lassen?", "de"),
        ("كيف أحول رخصة القيادة الخاصة بي؟", "ar"),
        ("Welche Kita in Sankt Augustin hat freie Plätze?", "de"),
        ("Gibt es freie Kitaplätze in Troisdorf?", "de"),
        ("Kindergeld beantragen, meine Nummer 0176 1234567", "de"),
    ]
    for question, language in asked:
        record_gap(path, question, language, "unanswered")
    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path / "data")}
    run = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    groups = json.loads(run.stdout)["gaps"]
    members = [set(g["examples"]) for g in groups]
    # the same question in two languages is one group; different topics are not mixed
    assert {asked[0][0], asked[1][0]} <= next(m for m in members if asked[0][0] in m), groups
    assert {asked[2][0], asked[3][0]} == next(m for m in members if asked[2][0] in m), groups
    assert {asked[4][0], asked[5][0]} == next(m for m in members if asked[4][0] in m), groups
    assert "1234567" not in run.stdout, "examples are scrubbed"
