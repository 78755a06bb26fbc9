"""Messages that ask nothing get a short reply, not the nearest passage."""

from __future__ import annotations

import pytest

from bot.answering.answer import small_talk_answer
from bot.answering.smalltalk import REASONS, small_talk
from bot.staff.gaps import is_gap


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Hallo", "greeting"),
        ("hi!", "greeting"),
        ("Guten Tag", "greeting"),
        ("Hallo, ich habe eine Frage", "greeting"),
        ("ok danke", "thanks"),
        ("Danke, tschüss", "thanks"),
        ("teşekkür ederim", "thanks"),
        ("شكرا", "thanks"),
        ("Привіт!", "greeting"),
        ("здравствуйте", "greeting"),
        ("ich weiß nicht", "filler"),
        ("نمی‌دونم", "filler"),  # with the Persian zero-width non-joiner
        ("???", "no-words"),
        ("😀😀😀", "no-words"),
        ("12345", "no-words"),
        ("lol", "filler"),  # chat fillers, which got a random passage
        ("hmm", "filler"),
        ("Hmmmmm…", "filler"),  # a letter held down
        ("Hallooo!", "greeting"),
        ("dankeeee", "thanks"),
        ("cooool", "filler"),  # the letter twice: "cool"
        ("neeee", "filler"),
    ],
)
def test_messages_that_ask_nothing(message: str, kind: str) -> None:
    talk = small_talk(message)
    assert talk is not None and talk.kind == kind


@pytest.mark.parametrize(
    ("message", "language"),
    [("thank you", "en"), ("ok danke", "de"), ("merhaba", "tr"), ("hi", None), ("ok", None)],
)
def test_the_words_tell_the_reply_language(message: str, language: str | None) -> None:
    talk = small_talk(message)
    assert talk is not None and talk.language == language


@pytest.mark.parametrize(
    "question",
    [
        "Hallo, wir sind umgezogen. Bis wann müssen wir uns anmelden?",
        "ich habe eine frage zur kita",
        "danke, und was kostet die Einbürgerung?",
        "Kita",
        "xyz",
        "Schifffahrt",  # three letters in a row in a real word
        "hallo " * 9,  # long messages are questions, whatever their words
    ],
)
def test_questions_are_not_small_talk(question: str) -> None:
    assert small_talk(question) is None


def test_small_talk_replies_in_the_language_and_is_no_gap() -> None:
    thanks = small_talk_answer("danke", "de", "thanks")
    assert thanks.refused and thanks.text.startswith("Gern geschehen")
    hello = small_talk_answer("merhaba", "tr", "greeting")
    assert hello.text.startswith("Merhaba") and "vatandaşlık" in hello.text
    blank = small_talk_answer("😀", "en", "no-words")
    assert "did not understand" in blank.text
    assert not blank.sources
    assert all(not is_gap(True, reason) for reason in REASONS), "no document is missing"
