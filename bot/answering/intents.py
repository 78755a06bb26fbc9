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
        # Turkish "İ" casefolds to "i" plus a combining dot: "İyi bir avukat" is "iyi bir"
        text = question.casefold().replace("i\u0307", "i")
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
            r"\b(fertig|abholbereit|entschieden|bearbeitet|genehmigt|genemigt|bewilligt|stand|"
            r"status)\b",
        ),
        (
            r"\bwann\s+(bekomme|kriege|krieg|erhalte|ist|wird|kommt)\b.{0,40}\bmein(e|en)?\s+"
            r"\w*(bescheid|karte|pass|ausweis|titel|entscheidung|urkunde)\b",
        ),
        # en
        (
            r"\bmy\b.{0,40}\b(application|case|card|permit|file|decision|passport|visa|diploma|"
            r"degree|certificate)\b",
            r"\b(ready|status|approved?|accepted|decided|processed|stage|pending|yet)\b",
        ),
        # tr: "başvurum onaylandı mı?"
        (
            r"\b(başvurum|dosyam|kartım|oturumum|iznim|pasaportum|davam)\w*",
            r"(hazır|onaylan|durum|aşama|sonuçlan)",
        ),
        # ru / uk: "коли буде готова моя карта", "одобрили ли мое заявление"
        (
            r"\b(мо[йяеёю]|моего|моей|моему|моём|мій|моє|моєї|мого|моїй)\s+(\w+\s+)?"
            r"(заяв|дел|справ|карт|документ|паспорт|внж|вид|разрешени|дозв|посвідк|прошени|запит|"
            r"запрос|aufenthalt|antrag|titel)",
            r"(готов|статус|рассмотр|розгляну|одобр|схвал|решени|рішенн|стади|стаді|этап|етап)",
        ),
        (r"(одобрили|рассмотрели|розглянули|схвалили)\s+(ли\s+)?(уже\s+)?(мо|мою|моє|мій)",),
        # ar: "هل تمت الموافقة على طلبي؟", "وين وصلت معاملتي"
        (
            r"(طلبي|ملفي|بطاقتي|قضيتي|معاملتي|اقامتي|إقامتي|جوازي|كرتي|كارتي|"
            # colloquial "mine" after the noun: "الطلب تبعي", "طلب التجنيس بتاعي"
            r"(طلب|ملف|بطاقة|قضية|معاملة|إقامة|اقامة|كرت|كارت|قرار)\S*(\s+\S+)?\s+(تبعي|بتاعي|تبعتي|بتاعتي))",
            r"(جاهز|وصل|مرحلة|حالة|الموافقة|انقبل|صدر|اتوافق|توافق)",
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
        (r"\b(noch|heute|morgen|diese woche|nächste woche)\b.{0,25}\bfrei\b",),
        # en
        (
            r"\b(free|available|vacant)\b",
            r"\b(places?|spots?|flats?|apartments?|rooms?|appointments?|slots?|seats?)\b",
        ),
        (  # not "is the office open without an appointment"
            r"\bopen\b",
            r"\b(places?|spots?|slots?|seats?)\b",
        ),
        (r"\bwhich\b.{0,40}\bhas\b.{0,20}\b(places|spots|space|room)\b",),
        # tr, ru, uk, ar, fa
        (r"\bboş\b", r"(yer|kontenjan|daire|ev\b|randevu)"),
        (r"\b(hala|hâlâ|daha)\s+(boş\s+)?(yer|kontenjan)\s+var",),
        (r"\b(ще|досі)\s+(є\s+)?(вільн\w+\s+)?місц",),
        (r"\b(еще|ещё)\s+(есть|остались|осталось)\s+(свободн\w+\s+)?мест",),
        (r"هنوز\s+(جا|ظرفیت|جای خالی)",),
        (r"свободн", r"(мест|квартир|комнат|запис|врем)"),
        (r"вільн", r"(місц|квартир|кімнат|запис)"),
        (
            r"(شاغر|متاح|متوفر|فاضي|فارغ)",
            r"(مكان|أماكن|اماكن|محل|شقة|شقق|بيت|موعد|مواعيد|غرفة|مقعد)",
        ),
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
            r"kindergarten|firma|makler|krankenkasse|versicherung|dolmetscher|übersetzer|"
            r"fahrschule)\w*\b",
        ),
        (
            r"\b(kennt ihr|kennen sie|kennst du|welche würdet ihr|welchen würdet ihr)\b.{0,15}"
            r"\b(gute|guten|guter|gutes|ne gute|einen guten|eine gute)\b",
            r"(arzt|ärztin|anwalt|anwältin|kanzlei|schule|kita|firma|makler|krankenkasse|"
            r"versicherung|fahrschule)\w*\b",
        ),
        (
            r"\b(recommend\w*|best|suggest)\b",
            r"\b(doctors?|dentists?|gps?|lawyers?|attorneys?|solicitors?|schools?|kindergartens?"
            r"|daycares?|compan(y|ies)|agenc(y|ies)|insurers?|insurance|interpreters?"
            r"|translators?)\b",
        ),
        # "do you know a good ...?" in every language, as German "kennt ihr einen guten": the
        # adjective on the person or place ("any good way to register" asks how)
        (
            r"\b(know|any)\b.{0,20}\bgood\s+(\w+\s+)?(doctors?|dentists?|lawyers?|attorneys?"
            r"|schools?|kindergartens?|daycares?|interpreters?|translators?|driving schools?)\b",
        ),
        (
            r"(öner|tavsiye|en iyi)",
            r"(doktor|hekim|diş|avukat|okul|kreş|şirket|sigorta|krankenkasse|kita|anwalt|arzt)",
        ),
        (
            r"(biliyor|tanıyor|bilen|bilir mi)",
            r"\biyi (bir )?(\w+ )?(doktor|hekim|diş|avukat|okul|kreş|tercüman|sürücü kursu)",
        ),
        (
            r"(посовет|порекоменд|рекоменд|лучш|порад|найкращ)",
            r"(врач|доктор|лікар|стоматолог|адвокат|юрист|школ|садик|садок|компани|компані|фирм"
            r"|фірм|страхов)",
        ),
        (
            r"(знаете|знаешь|знает|знаєте|знаєш|знає|подскажите|підкажіть)",
            # the adjective on the person: "хорошего адвоката", not "хорошие курсы для врачей"
            # or the adverb "хорошо"
            r"\b(?!хорошо\b|добре\b|добро\b|гарно\b)(хорош|добр|гарн)\w*\s+(\w+\s+)?(врач|доктор"
            r"|лікар|стоматолог|адвокат|юрист|школ|садик|садок|переводчик|перекладач)",
        ),
        (
            r"(أفضل|افضل|أحسن|احسن|انصح|تنصح|توصي|ترشح|رشح)",
            r"(طبيب|دكتور|محامي|مدرسة|روضة|حضانة|شركة|تأمين)",
        ),
        (  # whole words: "تعرفة" is a fee; the adjective right after the person
            r"(?<!\w)ب?تعرف(ون|وا|و|ي|ين)?(?!\w)",
            r"(طبيب|دكتور|محامي|مدرسة|روضة|حضانة|مترجم)\S*\s+(\S+\s+)?(منيح|مليح|كويس|جيد|شاطر"
            r"|ممتاز)",
        ),
        (
            r"(بهترین|بهتره|بهتر است|پیشنهاد|توصیه|معرفی)",
            r"(دکتر|پزشک|دندان|وکیل|مدرسه|مهدکودک|شرکت|بیمه)",
        ),
        (
            rf"(سراغ دار|می[\s{_ZW}]?شناس)",
            # the adjective on the person ("وکیل خوب"), not the filler "خوب، ..."
            r"(د[کك]تر|پزش[کك]|دندان|و[کك]یل|وكيل|مدرسه|مهد[کك]ود[کك]|مترجم)\S*\s+خوب",
        ),
    ),
)

PERSONAL_AMOUNT = Intent(
    "personal-amount",
    (
        (
            r"\bwie\s*viel\w*\b.{0,50}\b(bekomme|kriege|krieg|erhalte|bekommen wir|kriegen wir|"
            r"steht mir|stehen mir|zahlt mir|zahlen die mir)\b",
        ),
        (r"\bwie hoch (ist|wird) mein\w*\b",),
        (r"\bhow much\b.{0,50}\b(will|do|would|can)\s+(i|we)\s+(get|receive|be paid)\b",),
        (r"\bhow much (money|benefit|benefits)\b.{0,60}\b(i|we|me|my)\b.{0,40}\b(get|receive)\b",),
        (r"ne kadar\b.{0,40}(alırım|alacağım|alabilirim|verirler|verecekler|alırız)",),
        (r"сколько\b.{0,50}(получу|получим|буду получать|дадут|положено)",),
        (r"сколько\b.{0,30}\b(мне|нам)\s+будут\s+(платить|давать)",),
        (r"скільки\b.{0,50}(отримаю|отримаємо|буду отримувати|дадуть|належить)",),
        (r"скільки\b.{0,30}\b(буде|дадуть|платитимуть)\s+(нам|мені|нашій|моїй)",),
        (
            r"(كم|قديش|شقد)\b.{0,40}(بيعطيني|بيعطوني|بعطوني|يعطيني|يعطوني|يعطونا|بيعطونا|سأحصل|"
            r"سنحصل|بقبض|رح ياخد|رح آخد|رح ناخد|يدفعولي|بيدفعولي|يدفعولنا)",
        ),
        (rf"چقدر\b.{{0,40}}(می{_ZW}?\s?گیرم|دریافت می{_ZW}?\s?کنم|بهم می{_ZW}?\s?دن)",),
        (rf"(به من|بهم|به ما)\b.{{0,40}}چقدر\s+(می{_ZW}?\s?ده|می{_ZW}?\s?دن|می{_ZW}?\s?دهد)",),
    ),
)

BOOKING = Intent(
    "booking",
    (
        (r"\b(können|kannst|könnt)\s+(sie|du|ihr)\s+(mir|uns)\s+(\w+\s+){0,2}termin",),
        (
            r"\b(mach|macht|machen|vereinbar\w*|buch\w*)\s+(sie\s+)?(mir|uns)\s+(\w+\s+){0,2}"
            r"\w*termin",
        ),
        (r"\b(meld|melde|meldet|melden sie)\s+(mich|uns|mein\w*\s+\w+)\b.{0,40}\ban\b",),
        (
            r"\b(can|could|would)\s+you\s+(please\s+)?(make|book|schedule|arrange|get|reserve)"
            r"\s+(me|us)?\s*(an?\s+)?(appointment|slot)",
        ),
        (
            r"\b(can|could|would|will)\s+you\s+(please\s+)?(register|enrol|enroll|sign|submit|send|"
            r"fill in|fill out|apply)\b.{0,10}\b(me|us|my|for me)\b",
        ),
        (r"\b(sign|register|enrol|enroll|book) (me|us)\b",),
        (r"(benim için randevu|randevu (alır mısın|alabilir misin|ayarla))",),
        (
            r"(kaydettirebilir|kaydedebilir|kaydeder|gönderebilir|gönderir|doldurabilir)\s+"
            r"mi(siniz|sin)\b",
        ),
        (
            r"(отправ|подай|подат|заполн|запиш|зарегистрир|відправ|заповн|зареєстр)\w*\b.{0,40}"
            r"(за мен[яе]|замість мене|вместо меня)",
        ),
        (r"(بدالي|بدلا عني|بدلاً عني|نيابة عني)",),
        (r"(запиш(и|ите|іть)\s+(меня|мене)|записать меня|записати мене)",),
        # "احجز" alone is also "I book" ("كيف احجز موعد": how do I book): only "for me"
        (r"(احجز|احجزي)\s*(لي|لنا)|احجزلي|سجلني|سجّلني",),
        (r"(برای من|برام|واسه من|واسم)\b.{0,30}(وقت|نوبت)\b.{0,30}(بگیر|رزرو)",),
        (r"(برای من|برام|به جای من)\b.{0,20}(بفرست|پر کن|ثبت کن|ثبت‌نام کن)",),
    ),
    unless=r"\b(wie|how|nasıl|как|як)\b|(كيف|چطور|چگونه)",  # how to book: a page answers
)

INTENTS: tuple[Intent, ...] = (OWN_CASE, BOOKING, PERSONAL_AMOUNT, RECOMMENDATION, AVAILABILITY)


def personal_intent(question: str) -> str | None:
    """The name of the first intent the question shows ("own-case", ...), or None."""
    return next((intent.name for intent in INTENTS if intent.matches(question)), None)
