"""Language detection and the bot's fixed texts in the languages citizens use.

The corpus is German; in extractive mode the answer text stays German, but every fixed
message (refusal, notes, disclaimer, labels) follows the language of the question.
"""

from __future__ import annotations

import re
from functools import lru_cache

DEFAULT_LANGUAGE = "de"
LANGUAGES: dict[str, str] = {
    "de": "Deutsch",
    "en": "English",
    "tr": "Türkçe",
    "ar": "العربية",
    "uk": "Українська",
    "ru": "Русский",
    "fa": "فارسی",
}
RTL_LANGUAGES = {"ar", "fa"}

CONTACT_ADDRESS = "Kreishaus, Kaiser-Wilhelm-Platz 1, 53721 Siegburg"
CONTACT_URL = "https://www.rhein-sieg-kreis.de/"

# message id -> language -> text. German first; every id has all LANGUAGES.
MESSAGES: dict[str, dict[str, str]] = {
    "refusal": {
        "de": "Dazu finde ich in meinen Unterlagen leider keine verlässliche Antwort. "
        "Bitte wenden Sie sich direkt an das Kommunale Integrationszentrum.",
        "en": "I could not find a reliable answer to this in my documents. "
        "Please contact the Kommunales Integrationszentrum (integration centre) directly.",
        "tr": "Belgelerimde bu konuda güvenilir bir yanıt bulamadım. "
        "Lütfen doğrudan Kommunales Integrationszentrum'a (Uyum Merkezi) başvurun.",
        "ar": "لم أجد في وثائقي إجابة موثوقة عن هذا السؤال. "
        "يُرجى التواصل مباشرةً مع مركز الاندماج البلدي (Kommunales Integrationszentrum).",
        "uk": "На жаль, у моїх документах немає надійної відповіді на це питання. "
        "Будь ласка, зверніться безпосередньо до Комунального інтеграційного центру "
        "(Kommunales Integrationszentrum).",
        "ru": "К сожалению, в моих документах нет надёжного ответа на этот вопрос. "
        "Пожалуйста, обратитесь напрямую в Коммунальный интеграционный центр "
        "(Kommunales Integrationszentrum).",
        "fa": "متأسفانه در مدارک من پاسخ مطمئنی برای این پرسش پیدا نشد. "
        "لطفاً مستقیماً با مرکز ادغام شهرستان (Kommunales Integrationszentrum) تماس بگیرید.",
    },
    "contact": {
        "de": "Kontakt: Kommunales Integrationszentrum Rhein-Sieg-Kreis, {address}, {url}",
        "en": "Contact: Kommunales Integrationszentrum Rhein-Sieg-Kreis, {address}, {url}",
        "tr": "İletişim: Kommunales Integrationszentrum Rhein-Sieg-Kreis, {address}, {url}",
        "ar": "للتواصل: Kommunales Integrationszentrum Rhein-Sieg-Kreis، {address}، {url}",
        "uk": "Контакти: Kommunales Integrationszentrum Rhein-Sieg-Kreis, {address}, {url}",
        "ru": "Контакты: Kommunales Integrationszentrum Rhein-Sieg-Kreis, {address}, {url}",
        "fa": "تماس: Kommunales Integrationszentrum Rhein-Sieg-Kreis، {address}، {url}",
    },
    "german_sources": {
        "de": "",
        "en": "The answer is taken from German documents of the KI (quoted in German):",
        "tr": "Yanıt, KI'nin Almanca belgelerinden alınmıştır (Almanca alıntı):",
        "ar": "الإجابة مأخوذة من وثائق ألمانية لمركز الاندماج (مقتبسة بالألمانية):",
        "uk": "Відповідь взято з німецьких документів центру (цитата німецькою):",
        "ru": "Ответ взят из немецких документов центра (цитата на немецком):",
        "fa": "پاسخ از مدارک آلمانی مرکز گرفته شده است (نقل به زبان آلمانی):",
    },
    "disclaimer": {
        "de": "Automatischer Assistent – keine Rechtsberatung. Bitte geben Sie keine "
        "persönlichen Daten ein (Namen, Adresse, Aktenzeichen).",
        "en": "Automated assistant – no legal advice. Please do not enter personal data "
        "(names, address, file numbers).",
        "tr": "Otomatik asistan – hukuki danışmanlık değildir. Lütfen kişisel bilgilerinizi "
        "(ad, adres, dosya numarası) yazmayın.",
        "ar": "مساعد آلي – لا يقدّم استشارة قانونية. يُرجى عدم إدخال بيانات شخصية "
        "(الأسماء، العنوان، أرقام الملفات).",
        "uk": "Автоматичний помічник – не юридична консультація. Будь ласка, не вводьте "
        "особисті дані (ім'я, адресу, номер справи).",
        "ru": "Автоматический помощник – не юридическая консультация. Пожалуйста, не вводите "
        "личные данные (имя, адрес, номер дела).",
        "fa": "دستیار خودکار – مشاوره حقوقی نیست. لطفاً اطلاعات شخصی (نام، نشانی، شماره "
        "پرونده) وارد نکنید.",
    },
    "sources": {
        "de": "Quellen",
        "en": "Sources",
        "tr": "Kaynaklar",
        "ar": "المصادر",
        "uk": "Джерела",
        "ru": "Источники",
        "fa": "منابع",
    },
    "as_of": {
        "de": "Stand",
        "en": "as of",
        "tr": "tarih",
        "ar": "بتاريخ",
        "uk": "станом на",
        "ru": "по состоянию на",
        "fa": "تاریخ",
    },
    "page": {
        "de": "S.",
        "en": "p.",
        "tr": "s.",
        "ar": "ص.",
        "uk": "с.",
        "ru": "с.",
        "fa": "ص.",
    },
    "too_long": {
        "de": "Ihre Nachricht ist zu lang (höchstens {limit} Zeichen). Bitte stellen Sie "
        "eine kurze Frage.",
        "en": "Your message is too long (at most {limit} characters). Please ask a short question.",
        "tr": "Mesajınız çok uzun (en fazla {limit} karakter). Lütfen kısa bir soru sorun.",
        "ar": "رسالتك طويلة جدًا (الحد الأقصى {limit} حرفًا). يُرجى طرح سؤال قصير.",
        "uk": "Ваше повідомлення задовге (не більше {limit} символів). Будь ласка, поставте "
        "коротке запитання.",
        "ru": "Ваше сообщение слишком длинное (не более {limit} символов). Пожалуйста, задайте "
        "короткий вопрос.",
        "fa": "پیام شما بیش از حد طولانی است (حداکثر {limit} نویسه). لطفاً یک پرسش کوتاه بنویسید.",
    },
    "empty": {
        "de": "Bitte schreiben Sie eine Frage.",
        "en": "Please type a question.",
        "tr": "Lütfen bir soru yazın.",
        "ar": "يُرجى كتابة سؤال.",
        "uk": "Будь ласка, напишіть запитання.",
        "ru": "Пожалуйста, напишите вопрос.",
        "fa": "لطفاً یک پرسش بنویسید.",
    },
    "llm_fallback": {
        "de": "Hinweis: Der Sprachdienst ist gerade nicht erreichbar. Hier sind die passenden "
        "Stellen aus den Unterlagen.",
        "en": "Note: the language service is not available right now. Here are the matching "
        "passages from the documents.",
        "tr": "Not: Dil hizmeti şu anda kullanılamıyor. Belgelerdeki ilgili bölümler şunlardır.",
        "ar": "ملاحظة: خدمة اللغة غير متاحة حاليًا. إليك المقاطع المناسبة من الوثائق.",
        "uk": "Примітка: мовний сервіс зараз недоступний. Ось відповідні місця з документів.",
        "ru": "Примечание: языковой сервис сейчас недоступен. Вот подходящие места из документов.",
        "fa": "توجه: سرویس زبانی اکنون در دسترس نیست. بخش‌های مرتبط از مدارک در ادامه آمده است.",
    },
    "error": {
        "de": "Es ist ein technischer Fehler aufgetreten. Bitte versuchen Sie es später noch "
        "einmal.",
        "en": "A technical error occurred. Please try again later.",
        "tr": "Teknik bir hata oluştu. Lütfen daha sonra tekrar deneyin.",
        "ar": "حدث خطأ تقني. يُرجى المحاولة مرة أخرى لاحقًا.",
        "uk": "Сталася технічна помилка. Будь ласка, спробуйте пізніше.",
        "ru": "Произошла техническая ошибка. Пожалуйста, попробуйте позже.",
        "fa": "یک خطای فنی رخ داد. لطفاً بعداً دوباره تلاش کنید.",
    },
    "rate_limited": {
        "de": "Sie haben sehr viele Fragen in kurzer Zeit gestellt. Bitte warten Sie eine Minute.",
        "en": "You have asked many questions in a short time. Please wait a minute.",
        "tr": "Kısa sürede çok fazla soru sordunuz. Lütfen bir dakika bekleyin.",
        "ar": "لقد طرحت أسئلة كثيرة في وقت قصير. يُرجى الانتظار دقيقة.",
        "uk": "Ви поставили багато запитань за короткий час. Будь ласка, зачекайте хвилину.",
        "ru": "Вы задали много вопросов за короткое время. Пожалуйста, подождите минуту.",
        "fa": "شما در زمان کوتاهی پرسش‌های زیادی پرسیده‌اید. لطفاً یک دقیقه صبر کنید.",
    },
}


def message(key: str, language: str, **values: object) -> str:
    """A fixed text in `language` (German when that language has none)."""
    texts = MESSAGES[key]
    text = texts.get(language) or texts[DEFAULT_LANGUAGE]
    if "{address}" in text or "{url}" in text:
        values = {"address": CONTACT_ADDRESS, "url": CONTACT_URL, **values}
    return text.format(**values) if values else text


def contact_line(language: str) -> str:
    return message("contact", language)


# --- detection --------------------------------------------------------------------------------

_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
_PERSIAN_MARKERS = re.compile(r"[پچژگکی]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN_MARKERS = re.compile(r"[їієґЇІЄҐ]")
_RUSSIAN_MARKERS = re.compile(r"[ыэъЫЭЪё]")
_TURKISH_MARKERS = re.compile(r"[ğışİĞŞ]")
_GERMAN_MARKERS = re.compile(r"[äöüßÄÖÜ]")


@lru_cache(maxsize=1)
def _detector():  # noqa: ANN202 - lingua type
    from lingua import Language, LanguageDetectorBuilder

    languages = [
        Language.GERMAN,
        Language.ENGLISH,
        Language.TURKISH,
        Language.UKRAINIAN,
        Language.RUSSIAN,
        Language.FRENCH,
        Language.SPANISH,
        Language.ITALIAN,
        Language.POLISH,
        Language.ROMANIAN,
        Language.DUTCH,
    ]
    return (
        LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
    )


def detect_language(text: str) -> str:
    """ISO 639-1 code of the question's language; German when unsure.

    Scripts settle Arabic/Persian and Ukrainian/Russian cheaply and reliably; lingua
    (offline, statistical) decides among Latin-script languages.
    """
    sample = text.strip()[:500]
    if not sample:
        return DEFAULT_LANGUAGE
    if _ARABIC_SCRIPT.search(sample):
        return "fa" if _PERSIAN_MARKERS.search(sample) else "ar"
    if _CYRILLIC.search(sample):
        if _UKRAINIAN_MARKERS.search(sample):
            return "uk"
        if _RUSSIAN_MARKERS.search(sample):
            return "ru"
    if _TURKISH_MARKERS.search(sample):
        return "tr"
    # Foreign-language questions often carry German terms ("Einbürgerung"): judge the
    # language on the other words when enough of them remain.
    rest = " ".join(w for w in sample.split() if not _GERMAN_MARKERS.search(w))
    values = _detector().compute_language_confidence_values(
        rest if len(rest.split()) >= 3 else sample
    )
    if not values:
        return DEFAULT_LANGUAGE
    best = values[0]
    runner_up = values[1].value if len(values) > 1 else 0.0
    code = best.language.iso_code_639_1.name.lower()
    if len(sample) >= 8 and best.value >= 0.3 and best.value >= 1.5 * runner_up:
        return code
    # Short or unclear input: German, the corpus language, is the safest default.
    return DEFAULT_LANGUAGE
