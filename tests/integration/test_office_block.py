"""The office after a "who helps?" answer, with the real bundled model and Chroma: the
sample corpus plus a page whose contact block stands far below the sentences that
describe the help (as on many advice centres' web pages)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.answering.assistant import Assistant
from bot.config import Settings
from bot.embeddings import make_embedder
from bot.indexing.build import build_index

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

# invented test data, written for this test
PAGE = """---
title: Beratung bei Benachteiligung bei der Wohnungssuche
---
# Beratung bei Benachteiligung bei der Wohnungssuche

## Worum geht es?
Manche Vermieter lehnen Menschen wegen ihrer Herkunft, ihrer Hautfarbe oder ihrer Religion
ab. Das ist verboten. Wir hören Ihnen zu und prüfen mit Ihnen, was Sie tun können.

## Wie läuft die Beratung ab?
Sie erzählen uns, was passiert ist. Wir erklären Ihre Rechte und begleiten Sie auf Wunsch
zu Gesprächen. Die Beratung ist kostenlos und vertraulich.

## Sprechzeiten
Sprechzeiten: Mittwoch 10–12 Uhr
E-Mail: info@wohnberatung-test.example.org

## Kontakt
Fachstelle Fair Wohnen Musterkreis
Lindenweg 7, 53721 Siegburg
Telefon: 02241 555 909-10
E-Mail: beratung@wohnberatung-test.example.org
"""


def test_who_helps_gets_the_office_of_the_quoted_page(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "fair-wohnen.md").write_text(PAGE, encoding="utf-8")
    settings = Settings(_env_file=None, corpus_dir=corpus, index_dir=tmp_path / "index")  # type: ignore[call-arg]
    build_index(settings, make_embedder(settings.embedding_model))
    assistant = Assistant.from_settings(settings)

    answer = assistant.ask("Der Vermieter lehnt mich wegen meiner Hautfarbe ab. Wer hilft mir?")
    assert not answer.refused, answer.reason
    assert answer.sources[0].source == "fair-wohnen.md"
    assert "Lindenweg 7, 53721 Siegburg" in answer.text
    assert "Telefon: 02241 555 909-10" in answer.text
    assert "info@wohnberatung-test.example.org" not in answer.text, "the block that reaches"

    plain = assistant.ask("Ist die Beratung bei Ablehnung durch den Vermieter kostenlos?")
    assert not plain.refused, plain.reason
    assert plain.sources[0].source == "fair-wohnen.md"
    assert "02241 555 909-10" not in plain.text, "no office for a question not asking for one"
