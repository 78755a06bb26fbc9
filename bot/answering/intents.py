"""Questions no information page can answer, whatever the corpus says about the topic.

A citizen asks about their own case ("Ist meine Karte schon fertig?"), what is free right
now ("Ist im Kurs noch ein Platz frei?"), which doctor or school is best, how much money
they personally will get, or asks the bot to book something. The documents only describe
procedures, so the nearest passage (the office's page) is not an answer; measured on the
district B dev set, 12 of 15 such questions were answered with it. Embedding similarity to
examples (bot/data/out_of_scope.txt) did not separate them: e5-small encodes the topic far
more than the intent, and answerable questions reached the same similarity.

Each intent is a few cue patterns per language, matched on the lower-cased question. A
pattern is a tuple of regular expressions that must all match (a possessive noun *and* a
status word, "free" *and* a place or flat), plus, per intent, words that cancel it ("wie
finde ich einen freien Kita-Platz?" asks how, which a page answers). No library covers
this (spaCy's models are not on the package index; intent models need downloads), and the
cues are few and domain-bound, so they are written out here, each language in one line
of a tuple, easy for staff to extend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

Cue = tuple[str, ...]


@dataclass(frozen=True)
class Intent:
    name: str
    cues: tuple[Cue, ...]  # any cue matches when all of its expressions match
    unless: str = ""  # an expression that cancels the intent

    @cached_property
    def _compiled(self) -> tuple[tuple[re.Pattern[str], ...], ...]:
        return tuple(tuple(re.compile(p) for p in cue) for cue in self.cues)

    def matches(self, question: str) -> bool:
        text = question.casefold()
        if self.unless and re.search(self.unless, text):
            return False
        return any(all(p.search(text) for p in cue) for cue in self._compiled)


_ZW = "\u200c"  # Persian zero-width non-joiner ("می‌گیرم")

OWN_CASE = Intent(
    "own-case",
    (
        # de: "Wurde mein Antrag schon bearbeitet?", "Ist meine Karte fertig?"
        (
            r"\bmein(e|en|em|er|es)?\s+(\w+\s+){0,2}?\w*(antrag|antrags|verfahren|verfahrens|"
            r"akte|fall|falls|karte|bescheid|titel|titels|visum|pass|passes|ausweis|urkunde|"
            r"einbürgerung|erlaubnis|genehmigung)\b",
            r"\b(fertig|entschieden|bearbeitet|genehmigt|bewilligt|stand|status)\b",
        ),
        (
            r"\bwann\s+(bekomme|kriege|krieg|erhalte|ist|wird|kommt)\b.{0,40}\bmein(e|en)?\s+"
            r"\w*(bescheid|karte|pass|ausweis|titel|entscheidung|urkunde)\b",
        ),
        # en
        (
            r"\bmy\s+(\w+\s+){0,2}?(application|case|card|permit|file|decision|passport|visa)\b",
            r"\b(ready|status|approved|decided|processed|stage|pending|yet)\b",
        ),
        # tr: "başvurum onaylandı mı?"
        (
            r"\b(başvurum|dosyam|kartım|oturumum|iznim|pasaportum|davam)\w*",
            r"(hazır|onaylan|durum|aşama|sonuçlan)",
        ),
        # ru / uk: "коли буде готова моя карта", "одобрили ли мое заявление"
        (
            r"\b(мо[йяеёю]|моего|моей|моему|моём|мій|моє|моєї|мого|моїй)\s+(\w+\s+)?"
            r"(заяв|дел|справ|карт|документ|паспорт|внж|вид|разрешени|дозв|посвідк|прошени)",
            r"(готов|статус|рассмотр|розгляну|одобр|схвал|решени|рішенн|стади|стаді|этап|етап)",
        ),
        (r"(одобрили|рассмотрели|розглянули|схвалили)\s+(ли\s+)?(уже\s+)?(мо|мою|моє|мій)",),
        # ar: "هل تمت الموافقة على طلبي؟", "وين وصلت معاملتي"
        (
            r"(طلبي|ملفي|بطاقتي|قضيتي|معاملتي|اقامتي|إقامتي|جوازي|كرتي|كارتي)",
            r"(جاهز|وصل|مرحلة|حالة|الموافقة|انقبل|صدر)",
        ),
        # fa: "پرونده پناهندگی من در چه مرحله‌ای است؟"
        (
            r"(پرونده|درخواست|کارت|اقامت|پاسپورت|گذرنامه|ویزا)\S*(\s+\S+)?\s+(من|ما)\b|"
            r"(پرونده|درخواست|کارت)(م|" + _ZW + r"?ام)\b",
            r"(مرحله|آماده|وضعیت|تایید|تأیید|نتیجه)",
        ),
    ),  # how long it takes in general, or what to do after a refusal, is what a page answers
    unless=r"\b(wie lange|was kann|was tun|was nun|how long|what can|ne kadar sür|ne yapabilir|"
    r"сколько времени|что делать|що робити|скільки часу|як довго)\b|"
    r"(كم من الوقت|ماذا أفعل|شو لازم|چقدر طول|چه کار)",
)

AVAILABILITY = Intent(
    "availability",
    (
        # de: "Ist im Kurs noch ein Platz frei?", "Kennt ihr eine freie Wohnung?"
        (
            r"\bfrei(e|en|er|es)?\b",
            r"(platz|plätze|plätzen|wohnung|wohnungen|termin|termine|zimmer)\b",
        ),
        (r"\bwelche\w*\b.{0,40}\bhat\b.{0,20}\b(noch\s+)?(plätze|platz|termine)\b",),
        # en
        (
            r"\b(free|available|vacant)\b",
            r"\b(places?|spots?|flats?|apartments?|rooms?|appointments?|slots?|seats?)\b",
        ),
        (r"\bwhich\b.{0,40}\bhas\b.{0,20}\b(places|spots|space|room)\b",),
        # tr, ru, uk, ar, fa
        (r"\bboş\b", r"(yer|kontenjan|daire|ev\b|randevu)"),
        (r"свободн", r"(мест|квартир|комнат|запис|врем)"),
        (r"вільн", r"(місц|квартир|кімнат|запис)"),
        (r"(شاغر|متاح|متوفر|فاضي|فارغ)", r"(مكان|أماكن|اماكن|شقة|شقق|بيت|موعد|مواعيد|غرفة|مقعد)"),
        (r"(خالی|آزاد)", r"(جا\b|جای|ظرفیت|آپارتمان|خانه|وقت|نوبت|اتاق)"),
    ),
    # how to find or register for one is what a page answers
    unless=r"\b(wie|finde|finden|suche|suchen|anmelden|how|find|nasıl|как|найти|як|знайти)\b"
    r"|(كيف|چطور|چگونه)",
)

RECOMMENDATION = Intent(
    "recommendation",
    (
        (
            r"\b(empfehl\w*|empfiehl\w*)|(?<!\bam )\bbeste[nrs]?\b",  # not "am besten"
            r"(arzt|ärztin|ärzte|anwalt|anwältin|anwälte|kanzlei|schule|schulen|kita|kitas|"
            r"kindergarten|firma|makler|krankenkasse|versicherung|dolmetscher|übersetzer)\w*\b",
        ),
        (
            r"\b(recommend\w*|best|suggest)\b",
            r"\b(doctors?|dentists?|gps?|lawyers?|attorneys?|solicitors?|schools?|kindergartens?"
            r"|daycares?|compan(y|ies)|agenc(y|ies)|insurers?|insurance|interpreters?"
            r"|translators?)\b",
        ),
        (r"(öner|tavsiye|en iyi)", r"(doktor|hekim|diş|avukat|okul|kreş|şirket|sigorta)"),
        (
            r"(посовет|порекоменд|рекоменд|лучш|порад|найкращ)",
            r"(врач|доктор|лікар|стоматолог|адвокат|юрист|школ|садик|садок|компани|компані|фирм"
            r"|фірм|страхов)",
        ),
        (
            r"(أفضل|افضل|انصح|تنصح|توصي|ترشح|رشح)",
            r"(طبيب|دكتور|محامي|مدرسة|روضة|حضانة|شركة|تأمين)",
        ),
        (r"(بهترین|پیشنهاد|توصیه|معرفی)", r"(دکتر|پزشک|دندان|وکیل|مدرسه|مهدکودک|شرکت|بیمه)"),
    ),
)

PERSONAL_AMOUNT = Intent(
    "personal-amount",
    (
        (
            r"\bwie\s*viel\w*\b.{0,50}\b(bekomme|kriege|krieg|erhalte|bekommen wir|kriegen wir|"
            r"steht mir|stehen mir|zahlt mir|zahlen die mir)\b",
        ),
        (r"\bwie hoch ist mein\w*\b",),
        (r"\bhow much\b.{0,50}\b(will|do|would|can)\s+(i|we)\s+(get|receive|be paid)\b",),
        (r"ne kadar\b.{0,40}(alırım|alacağım|alabilirim|verirler|verecekler|alırız)",),
        (r"сколько\b.{0,50}(получу|получим|буду получать|дадут|положено)",),
        (r"скільки\b.{0,50}(отримаю|отримаємо|буду отримувати|дадуть|належить)",),
        (r"(كم|قديش|شقد)\b.{0,40}(بيعطيني|بيعطوني|بعطوني|يعطيني|يعطوني|سأحصل|سنحصل|بقبض)",),
        (rf"چقدر\b.{{0,40}}(می{_ZW}?\s?گیرم|دریافت می{_ZW}?\s?کنم|بهم می{_ZW}?\s?دن)",),
    ),
)

BOOKING = Intent(
    "booking",
    (
        (r"\b(können|kannst|könnt)\s+(sie|du|ihr)\s+(mir|uns)\s+(\w+\s+){0,2}termin",),
        (r"\b(mach|macht|machen|vereinbar\w*|buch\w*)\s+(sie\s+)?(mir|uns)\s+(\w+\s+){0,2}termin",),
        (
            r"\b(can|could|would)\s+you\s+(please\s+)?(make|book|schedule|arrange|get|reserve)"
            r"\s+(me|us)?\s*(an?\s+)?(appointment|slot)",
        ),
        (r"(benim için randevu|randevu (alır mısın|alabilir misin|ayarla))",),
        (r"(запиш(и|ите|іть)\s+(меня|мене)|записать меня|записати мене)",),
        # "احجز" alone is also "I book" ("كيف احجز موعد": how do I book): only "for me"
        (r"(احجز|احجزي)\s*(لي|لنا)|احجزلي|سجلني|سجّلني",),
        (r"(برای من|برام)\s+(یک\s+)?(وقت|نوبت)\s+(بگیر|رزرو)",),
    ),
    unless=r"\b(wie|how|nasıl|как|як)\b|(كيف|چطور|چگونه)",  # how to book: a page answers
)

INTENTS: tuple[Intent, ...] = (OWN_CASE, BOOKING, PERSONAL_AMOUNT, RECOMMENDATION, AVAILABILITY)


def personal_intent(question: str) -> str | None:
    """The name of the first intent the question shows ("own-case", ...), or None."""
    return next((intent.name for intent in INTENTS if intent.matches(question)), None)
