"""Cue patterns of questions no information page answers (bot/answering/intents.py).

The examples are written here for the test, in the ways citizens ask (lower case, no
question mark, colloquial Arabic); the negative ones are answerable questions that share
a cue word and must reach the documents."""

from __future__ import annotations

import pytest

from bot.answering.intents import personal_intent


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("ist meine karte schon fertig", "own-case"),
        ("Wie ist der Stand von meinem Einbürgerungsantrag?", "own-case"),
        ("Wann bekomme ich meinen Bescheid?", "own-case"),
        ("has my residence permit application been approved yet", "own-case"),
        ("Başvurumun durumu nedir?", "own-case"),
        ("Чи вже розглянули мою заяву на посвідку?", "own-case"),
        ("Готово ли мое разрешение на работу?", "own-case"),
        ("طلبي للجنسية وين وصل؟", "own-case"),
        ("درخواست اقامت من در چه مرحله است", "own-case"),
        ("Gibt es bei der Tagesmutter noch einen freien Platz?", "availability"),
        ("Welche Kita in Lohmar hat Plätze?", "availability"),
        ("are there any free appointments at the foreigners office this week", "availability"),
        ("Troisdorf'ta boş daire var mı?", "availability"),
        ("Есть ли свободные места в языковом курсе?", "availability"),
        ("هل يوجد موعد متاح هذا الأسبوع؟", "availability"),
        ("Könnt ihr mir eine gute Zahnärztin empfehlen?", "recommendation"),
        ("which school is the best for my son", "recommendation"),
        ("Порадьте хорошого адвоката", "recommendation"),
        ("شو أفضل مدرسة لبنتي؟", "recommendation"),
        ("بهترین وکیل در بن کیست", "recommendation"),
        ("do you know a good dentist in siegburg", "recommendation"),
        ("siegburgda iyi bir avukat biliyor musunuz", "recommendation"),
        ("Знаете хорошего адвоката в Бонне?", "recommendation"),
        ("بتعرفوا دكتور أسنان منيح؟", "recommendation"),
        ("یه دکتر خوب سراغ دارید؟", "recommendation"),
        ("İyi bir avukat biliyor musunuz?", "recommendation"),
        ("یه وکیل خوب می شناسین؟", "recommendation"),
        ("Знаєте гарного лікаря?", "recommendation"),
        ("Wie viel Bürgergeld bekomme ich mit zwei Kindern?", "personal-amount"),
        ("how much money will I get from the jobcenter", "personal-amount"),
        ("Сколько я получу пособия?", "personal-amount"),
        ("ماهانه چقدر می‌گیرم؟", "personal-amount"),
        ("Können Sie mir einen Termin bei der Ausländerbehörde machen?", "booking"),
        ("could you book me an appointment", "booking"),
        ("запишіть мене на курс", "booking"),
        ("احجزلي موعد عند الدكتور", "booking"),
    ],
)
def test_a_question_only_the_office_can_answer_is_recognised(question: str, intent: str) -> None:
    assert personal_intent(question) == intent


@pytest.mark.parametrize(
    "question",
    [
        "Mein Aufenthaltstitel läuft bald ab, was muss ich tun?",
        "Mein Antrag wurde abgelehnt, was kann ich tun?",
        "Wie lange dauert es, bis mein Antrag bearbeitet ist?",
        "Wie finde ich einen freien Kita-Platz?",
        "how do I find a free place in a language course",
        "Was kostet der Integrationskurs?",
        "Wie viel kostet die Einbürgerung?",
        "Welche Unterlagen brauche ich für meinen Antrag?",
        "Wie bekomme ich einen Termin bei der Ausländerbehörde?",
        "Wo kann ich mich beraten lassen?",
        "Wie melde ich mein Kind am besten in der Schule an?",
        "Can I bring my family to Germany?",
        "Başvuru için hangi belgeler gerekli?",
        "Скільки коштує курс інтеграції?",
        "Как найти свободное место в детском саду?",
        "كيف أسجل ابني في المدرسة؟",
        "برای تمدید اقامت چه مدارکی لازم است؟",
        "كيف احجز موعد عند مكتب الأجانب؟",
        "Wie kann ich mir einen Termin bei der Ausländerbehörde machen?",
        "Is it good to know German before the integration course?",
        "Знаете, где хорошие курсы для врачей?",
        # "good" on a way, a level or as a filler, not on a person (an independent review)
        "Is there any good way to get my school certificate recognised?",
        "Is there any good way to register my child at school if we just arrived?",
        "Do I need to know good German to register my child at school?",
        "خوب، مدرک پزشکی من را در آلمان به رسمیت می‌شناسند؟",
        "Подскажите, хорошо ли школа помогает детям с немецким?",
        "Çocuğum okula başlamadan önce iyi Almanca bilmeli mi, hazırlık kursu var mı?",
        "هل تعرف إذا كان مستوى جيد من الألمانية مطلوب للمدرسة؟",
        "ما هي الأوراق المطلوبة للتسجيل في المدرسة؟",
    ],
)
def test_an_answerable_question_is_not_taken_for_one(question: str) -> None:
    assert personal_intent(question) is None


def _probe() -> list[dict[str, str]]:
    import json
    from pathlib import Path

    path = Path(__file__).parents[1] / "eval" / "intent_probe.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_no_answerable_probe_question_is_taken_for_an_intent() -> None:
    """tests/eval/intent_probe.jsonl was written by someone who never saw the patterns:
    140 answerable questions with the same trigger words ("mein Antrag wurde abgelehnt,
    was tun", "how do I book", "how much is the fee"). A false refusal hurts more than a
    missed one, so none may match."""
    wrong = [r["q"] for r in _probe() if r["label"] == "answerable" and personal_intent(r["q"])]
    assert wrong == []


def test_the_probe_questions_the_patterns_were_fitted_to_are_recognised() -> None:
    """Odd lines of the probe were used to extend the patterns (even lines are reported in
    docs/evaluation.md, never fitted): a regression guard for what was fitted."""
    rows = [r for i, r in enumerate(_probe(), start=1) if i % 2 and r["label"] != "answerable"]
    caught = [r for r in rows if personal_intent(r["q"]) == r["label"]]
    assert len(caught) >= 0.95 * len(rows)
