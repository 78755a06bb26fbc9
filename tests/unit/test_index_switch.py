"""Switching to a new index generation under load: one load, in the background, no stalls."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.answering import assistant as assistant_module
from bot.answering.assistant import Assistant
from bot.config import Settings
from bot.embeddings import make_embedder
from bot.indexing.build import build_index, current_generation

DOC = """---
title: Einbürgerung
updated: 2026-10-01
---
# Einbürgerung

## Kosten
Die Gebühr für die Einbürgerung beträgt {fee} Euro für Erwachsene.
"""
OTHER = "---\ntitle: Schule\n---\n# Schule\n\n## Anmeldung\nDas Team Bildung berät Familien.\n"
QUESTION = "Was kostet die Einbürgerung Gebühr?"


@pytest.fixture
def switch_settings(settings: Settings) -> Settings:
    (settings.corpus_dir / "einbuergerung.md").write_text(DOC.format(fee=255), encoding="utf-8")
    (settings.corpus_dir / "schule.md").write_text(OTHER, encoding="utf-8")
    settings = settings.model_copy(
        update={
            "refusal_min_relevance": -99.0,
            "refusal_clear_relevance": -99.0,
            "refusal_topic_relevance": -99.0,
        }
    )
    build_index(settings, make_embedder("fake"))
    return settings


class SlowLoads:
    """Wraps the real load_index: counts calls and holds each load until released."""

    def __init__(self) -> None:
        self.calls = 0
        self.started = threading.Event()
        self.release = threading.Event()
        self._real = assistant_module.load_index

    def __call__(self, *args: object, **kwargs: object):  # noqa: ANN204
        self.calls += 1
        self.started.set()
        assert self.release.wait(30), "the test never released the load"
        return self._real(*args, **kwargs)


def test_twenty_askers_during_a_switch_one_load_no_waiting(
    switch_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = Assistant.from_settings(switch_settings)
    old = bot.generation
    (switch_settings.corpus_dir / "einbuergerung.md").write_text(
        DOC.format(fee=300), encoding="utf-8"
    )
    new = build_index(switch_settings, make_embedder("fake")).generation
    assert new != old and current_generation(switch_settings.index_dir) == new
    slow = SlowLoads()
    monkeypatch.setattr(assistant_module, "load_index", slow)

    def ask() -> tuple[float, str]:
        started = time.perf_counter()
        bot.reload_if_changed()  # what the chat does before every answer
        answer = bot.ask(QUESTION)
        return time.perf_counter() - started, answer.text

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: ask(), range(20)))
    # all twenty answered while the load was still held: nobody waited for it
    assert slow.started.is_set() and not slow.release.is_set()
    assert slow.calls == 1
    assert all("255 Euro" in text for _, text in results), "answers from the old generation"
    assert max(seconds for seconds, _ in results) < 10
    assert bot.generation == old

    slow.release.set()
    assert bot.reload_if_changed(wait=True) is True
    assert slow.calls == 1, "the waiting call joined the running load instead of starting one"
    assert bot.generation == new
    assert "300 Euro" in bot.ask(QUESTION).text
    assert bot.reload_if_changed() is False and slow.calls == 1


def test_broken_new_generation_is_tried_once_and_old_one_serves(
    switch_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.indexing.build import IndexProblem

    bot = Assistant.from_settings(switch_settings)
    (switch_settings.corpus_dir / "schule.md").unlink()
    build_index(switch_settings, make_embedder("fake"))
    calls = []

    def broken(*args: object, **kwargs: object) -> None:
        calls.append(1)
        raise IndexProblem("kaputt")

    monkeypatch.setattr(assistant_module, "load_index", broken)
    assert bot.reload_if_changed(wait=True) is False
    assert bot.reload_if_changed(wait=True) is False
    assert len(calls) == 1
    assert "255 Euro" in bot.ask(QUESTION).text
