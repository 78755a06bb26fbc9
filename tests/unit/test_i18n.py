"""Language detection and the translated fixed texts."""

from __future__ import annotations

import pytest

from bot.i18n import (
    LANGUAGES,
    MESSAGES,
    RTL_LANGUAGES,
    UI_TEXT,
    detect_language,
    format_date,
    message,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Was kostet die Einbürgerung?", "de"),
        ("einburgerung kosten", "de"),
        ("Hallo", "de"),
        ("How much does naturalisation cost? Einbürgerung Gebühr", "en"),
        ("Can I bring my wife to Germany?", "en"),
        ("Vatandaşlık başvurusu ne kadar sürer?", "tr"),
        ("Merhaba, entegrasyon kursuna nasil kayit olabilirim", "tr"),
        ("كم تكلفة الحصول على الجنسية الألمانية؟", "ar"),
        ("هزینه تابعیت آلمان چقدر است؟", "fa"),
        ("Скільки коштує отримання громадянства?", "uk"),
        ("Сколько стоит получение гражданства?", "ru"),
        # Cyrillic words without a telling letter, among German terms: never German
        ("як отримати Wohnberechtigungsschein (WBS) в Rhein-Sieg-Kreis", "uk"),
        ("где получить WBS в Rhein-Sieg-Kreis", "ru"),
        ("", "de"),
        # short questions: two function words German never uses decide
        ("where is the kita", "en"),
        ("is there a language cafe", "en"),
        ("What is a language mediator?", "en"),  # lingua: Romanian
        ("uyum kursu ücretli mi jobcenter öder mi", "tr"),  # lingua: Polish
        ("Wo ist das Jobcenter? help", "de"),  # a German function word keeps it German
        ("Kita Anmeldung", "de"),
        # Turkish letters in a name only, German around it: German
        ("Wann hat Frau Eğlence ihre Sprechstunde?", "de"),
        ("Ist Herr Yıldız für die Einbürgerung zuständig?", "de"),
        ("Eğlence Hanım ne zaman burada?", "tr"),
        ("Where is the office of Mr Yıldız?", "en"),
        ("Wann war Frau Eğlence im KI zu Besuch?", "de"),
        ("Ist Frau Yıldız heute da?", "de"),  # one German function word is enough here
        ("İnce Hanım nerede?", "tr"),
        ("war in Ukraine what help is there", "en"),  # English "war" is no German word
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_every_message_exists_in_every_language() -> None:
    for key, texts in MESSAGES.items():
        missing = set(LANGUAGES) - set(texts)
        assert not missing, f"{key} lacks {missing}"
    assert set(LANGUAGES) >= RTL_LANGUAGES


def test_every_page_label_exists_in_every_language() -> None:
    """A missing language would silently show German labels on a switched page."""
    optional = {"card_german"}  # a note only needed outside German
    for key, texts in UI_TEXT.items():
        missing = {lang for lang in LANGUAGES if not texts.get(lang)} - (
            {"de"} if key in optional else set()
        )
        assert not missing, f"{key} lacks {missing}"


def test_message_formats_values_and_contact() -> None:
    assert "1000" in message("too_long", "en", limit=1000)
    assert "53721 Siegburg" in message("contact", "tr")
    assert message("refusal", "xx") == message("refusal", "de"), "unknown language: German"


def test_dates_are_german_style_in_german_and_iso_elsewhere() -> None:
    assert format_date("2026-09-15", "de") == "15.09.2026"
    assert format_date("2025-03", "de") == "03/2025"
    assert format_date("2026-09-15", "tr") == "2026-09-15"
    assert format_date("Herbst 2026", "de") == "Herbst 2026", "free text stays as written"
