"""Language detection and the bot's fixed texts in the languages citizens use.

The corpus is German; in extractive mode the answer text stays German, but every fixed
message (refusal, notes, disclaimer, labels) follows the language of the question.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

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
# Languages the detector also recognises but the page and the fixed texts do not offer: an
# LLM (when configured) still answers in them, marked as machine-written.
OTHER_LANGUAGES: dict[str, str] = {
    "fr": "Français",
    "es": "Español",
    "it": "Italiano",
    "pl": "Polski",
    "ro": "Română",
    "nl": "Nederlands",
}
# German Leichte Sprache (easy-to-read German): a page language and a document language, not a
# language the detector tells apart (its questions are German)
EASY_GERMAN = "de-x-ls"
PAGE_LANGUAGES: dict[str, str] = {**LANGUAGES, EASY_GERMAN: "Leichte Sprache"}


def base_language(tag: str) -> str:
    """The language of a BCP 47 tag without region or variant: "de" for "de-x-ls"."""
    return (tag or DEFAULT_LANGUAGE).split("-", 1)[0].lower()


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
        "de-x-ls": "Dazu habe ich leider keine sichere Antwort in meinen Texten. Bitte "
        "fragen Sie direkt beim Integrations-Zentrum.",
    },
    "refusal_place": {
        "de": "Zu „{place}“ finde ich in meinen Unterlagen nichts. Die Dokumente des "
        "Kommunalen Integrationszentrums sagen dazu nichts Verlässliches; bitte fragen Sie "
        "direkt dort nach.",
        "en": "I found nothing about “{place}” in my documents. Please ask the Kommunales "
        "Integrationszentrum (integration centre) directly.",
        "tr": "Belgelerimde “{place}” hakkında bir bilgi bulamadım. Lütfen doğrudan "
        "Kommunales Integrationszentrum'a (Uyum Merkezi) sorun.",
        "ar": "لم أجد في وثائقي شيئًا عن „{place}“. يُرجى السؤال مباشرةً لدى مركز الاندماج "
        "البلدي (Kommunales Integrationszentrum).",
        "uk": "У моїх документах немає нічого про „{place}“. Будь ласка, запитайте "
        "безпосередньо в Комунальному інтеграційному центрі (Kommunales Integrationszentrum).",
        "ru": "В моих документах нет ничего о „{place}“. Пожалуйста, спросите напрямую в "
        "Коммунальном интеграционном центре (Kommunales Integrationszentrum).",
        "fa": "در مدارک من چیزی درباره „{place}“ پیدا نشد. لطفاً مستقیماً از مرکز ادغام "
        "شهرستان (Kommunales Integrationszentrum) بپرسید.",
    },
    "place_general": {
        "de": "Zu „{place}“ steht in meinen Unterlagen nichts Eigenes. Allgemein gilt:",
        "en": "My documents say nothing specific about “{place}”. In general:",
        "tr": "Belgelerimde “{place}” hakkında özel bir bilgi yok. Genel olarak:",
        "ar": "لا تذكر وثائقي شيئًا خاصًا عن „{place}“. بشكل عام:",
        "uk": "У моїх документах немає нічого окремого про „{place}“. Загалом:",
        "ru": "В моих документах нет ничего отдельного о „{place}“. В целом:",
        "fa": "در مدارک من چیز خاصی درباره „{place}“ نیامده است. به‌طور کلی:",
    },
    # questions no information page answers (bot/answering/intents.py); the contact follows
    "own-case": {
        "de": "Wie weit Ihr eigener Antrag oder Ihr Verfahren ist, kann ich nicht sehen. Das "
        "weiß nur die Stelle, die ihn bearbeitet. Bitte fragen Sie dort nach, am besten mit "
        "Ihrem Aktenzeichen.",
        "en": "I cannot see how far your own application or case has got. Only the office "
        "handling it knows. Please ask them, ideally with your file number.",
        "tr": "Kendi başvurunuzun veya dosyanızın ne durumda olduğunu göremiyorum. Bunu "
        "yalnızca dosyanızla ilgilenen kurum bilir. Lütfen dosya numaranızla oraya sorun.",
        "ar": "لا أستطيع أن أرى في أي مرحلة طلبك أو ملفك. هذا تعرفه فقط الجهة التي تعالجه. "
        "يُرجى السؤال هناك، ويفضَّل مع رقم ملفك.",
        "uk": "Я не бачу, на якому етапі ваша заява чи справа. Це знає лише установа, яка її "
        "розглядає. Будь ласка, запитайте там, найкраще з номером вашої справи.",
        "ru": "Я не вижу, на каком этапе ваше заявление или дело. Это знает только ведомство, "
        "которое его рассматривает. Пожалуйста, спросите там, лучше с номером вашего дела.",
        "fa": "من نمی‌توانم ببینم درخواست یا پرونده شما در چه مرحله‌ای است. این را فقط اداره‌ای "
        "می‌داند که به آن رسیدگی می‌کند. لطفاً از آنجا بپرسید، بهتر است با شماره پرونده.",
    },
    "availability": {
        "de": "Welche Plätze, Wohnungen oder Termine gerade frei sind, weiß ich nicht. Meine "
        "Unterlagen beschreiben nur, wie die Anmeldung geht. Bitte fragen Sie direkt bei der "
        "zuständigen Stelle nach.",
        "en": "I do not know which places, flats or appointments are free right now. My "
        "documents only describe how to register. Please ask the office in charge directly.",
        "tr": "Şu anda hangi yerlerin, dairelerin veya randevuların boş olduğunu bilmiyorum. "
        "Belgelerim yalnızca başvurunun nasıl yapıldığını anlatıyor. Lütfen doğrudan ilgili "
        "kuruma sorun.",
        "ar": "لا أعرف ما هي الأماكن أو الشقق أو المواعيد المتاحة الآن. وثائقي تشرح فقط كيف "
        "يتم التسجيل. يُرجى السؤال مباشرةً لدى الجهة المختصة.",
        "uk": "Я не знаю, які місця, квартири чи терміни зараз вільні. Мої документи "
        "описують лише, як записатися. Будь ласка, запитайте безпосередньо у відповідній "
        "установі.",
        "ru": "Я не знаю, какие места, квартиры или записи сейчас свободны. Мои документы "
        "описывают только, как записаться. Пожалуйста, спросите напрямую в нужном ведомстве.",
        "fa": "نمی‌دانم الان کدام جاها، خانه‌ها یا وقت‌ها آزاد است. مدارک من فقط توضیح "
        "می‌دهند که ثبت‌نام چطور انجام می‌شود. لطفاً مستقیماً از اداره مربوط بپرسید.",
    },
    "recommendation": {
        "de": "Eine einzelne Praxis, Kanzlei, Schule oder Firma kann ich nicht empfehlen. Bei "
        "der Suche helfen Ihnen die Beratungsstellen persönlich.",
        "en": "I cannot recommend a particular practice, law firm, school or company. The "
        "advice services can help you with your search in person.",
        "tr": "Belirli bir muayenehane, avukatlık bürosu, okul veya şirket öneremem. Arama "
        "konusunda danışma merkezleri size yüz yüze yardımcı olur.",
        "ar": "لا أستطيع أن أوصي بعيادة أو مكتب محاماة أو مدرسة أو شركة بعينها. تساعدك "
        "مراكز الاستشارة في البحث شخصيًا.",
        "uk": "Я не можу порадити конкретну практику, адвоката, школу чи фірму. У пошуку вам "
        "особисто допоможуть консультаційні служби.",
        "ru": "Я не могу порекомендовать конкретную практику, адвоката, школу или фирму. В "
        "поиске вам лично помогут консультационные службы.",
        "fa": "نمی‌توانم مطب، دفتر وکالت، مدرسه یا شرکت خاصی را پیشنهاد کنم. مراکز مشاوره "
        "به‌صورت حضوری در جستجو به شما کمک می‌کنند.",
    },
    "personal-amount": {
        "de": "Wie viel Geld Sie persönlich bekommen, hängt von Ihrer Lage ab. Das berechnet "
        "nur die zuständige Stelle; ich kann es nicht ausrechnen.",
        "en": "How much money you personally get depends on your situation. Only the office "
        "in charge can calculate it; I cannot.",
        "tr": "Kişisel olarak ne kadar para alacağınız durumunuza bağlıdır. Bunu yalnızca "
        "ilgili kurum hesaplayabilir; ben hesaplayamam.",
        "ar": "كم من المال ستحصل عليه شخصيًا يتوقف على وضعك. تحسبه الجهة المختصة فقط، "
        "ولا أستطيع أنا حسابه.",
        "uk": "Скільки грошей отримаєте особисто ви, залежить від вашої ситуації. Це "
        "розраховує лише відповідна установа; я не можу цього порахувати.",
        "ru": "Сколько денег получите лично вы, зависит от вашей ситуации. Это рассчитывает "
        "только ответственное ведомство; я не могу это посчитать.",
        "fa": "اینکه شما شخصاً چقدر پول می‌گیرید به وضعیت شما بستگی دارد. این را فقط اداره "
        "مربوط حساب می‌کند؛ من نمی‌توانم آن را حساب کنم.",
    },
    "booking": {
        "de": "Termine vereinbaren oder Anträge stellen kann ich nicht. Das geht nur direkt "
        "bei der zuständigen Stelle.",
        "en": "I cannot make appointments or submit applications. Only the office in charge "
        "can do that.",
        "tr": "Randevu alamam veya başvuru yapamam. Bu yalnızca doğrudan ilgili kurumda "
        "yapılabilir.",
        "ar": "لا أستطيع حجز المواعيد أو تقديم الطلبات. يتم ذلك فقط مباشرةً لدى الجهة المختصة.",
        "uk": "Я не можу записати вас на прийом або подати заяву. Це можна зробити лише "
        "безпосередньо у відповідній установі.",
        "ru": "Я не могу записать вас на приём или подать заявление. Это возможно только "
        "напрямую в ответственном ведомстве.",
        "fa": "من نمی‌توانم وقت بگیرم یا درخواست ثبت کنم. این کار فقط مستقیماً در اداره "
        "مربوط انجام می‌شود.",
    },
    "office_contact": {
        "de": "Nachfragen können Sie hier:",
        "en": "You can ask here:",
        "tr": "Buradan sorabilirsiniz:",
        "ar": "يمكنك السؤال هنا:",
        "uk": "Запитати можна тут:",
        "ru": "Спросить можно здесь:",
        "fa": "اینجا می‌توانید بپرسید:",
    },
    "human_contact": {
        "de": "Gern: Die Mitarbeitenden des Kommunalen Integrationszentrums beraten Sie "
        "persönlich. So erreichen Sie sie:",
        "en": "Of course: the staff of the Kommunales Integrationszentrum (integration "
        "centre) will advise you in person. This is how to reach them:",
        "tr": "Elbette: Kommunales Integrationszentrum (Uyum Merkezi) çalışanları size "
        "yüz yüze danışmanlık verir. Onlara şöyle ulaşabilirsiniz:",
        "ar": "بكل سرور: يقدّم موظفو مركز الاندماج البلدي (Kommunales Integrationszentrum) "
        "الاستشارة لك شخصيًا. هكذا تتواصل معهم:",
        "uk": "Звісно: працівники Комунального інтеграційного центру (Kommunales "
        "Integrationszentrum) проконсультують вас особисто. Ось як з ними зв'язатися:",
        "ru": "Конечно: сотрудники Коммунального интеграционного центра (Kommunales "
        "Integrationszentrum) проконсультируют вас лично. Вот как с ними связаться:",
        "fa": "حتماً: کارکنان مرکز ادغام شهرستان (Kommunales Integrationszentrum) شما را "
        "حضوری راهنمایی می‌کنند. راه تماس با آنها:",
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
    # short: on a phone it stands above every answer to a question not in German
    "german_sources": {
        "de": "",
        "en": "Quoted in German from the KI's documents:",
        "tr": "KI belgelerinden Almanca alıntı:",
        "ar": "اقتباس بالألمانية من وثائق مركز الاندماج:",
        "uk": "Цитата німецькою з документів центру:",
        "ru": "Цитата на немецком из документов центра:",
        "fa": "نقل به آلمانی از مدارک مرکز:",
    },
    "quoted_in": {
        "de": "Zitat auf {name} aus den Unterlagen des KI:",
        "en": "Quoted in {name} from the KI's documents:",
        "tr": "KI belgelerinden alıntı ({name}):",
        "ar": "اقتباس من وثائق مركز الاندماج ({name}):",
        "uk": "Цитата з документів центру ({name}):",
        "ru": "Цитата из документов центра ({name}):",
        "fa": "نقل از مدارک مرکز ({name}):",
    },
    "translation_outdated": {
        "de": "Hinweis: Das Original wurde am {date} geändert, nach dieser Übersetzung. "
        "Die Übersetzung ist vielleicht nicht mehr aktuell.",
        "de-x-ls": "Achtung: Dieser Text ist vielleicht alt. Der Original-Text ist neuer. "
        "Der Original-Text ist vom {date}.",
        "en": "Note: the original was changed on {date}, after this translation was made. "
        "This translation may be out of date.",
        "tr": "Not: Asıl metin bu çeviriden sonra, {date} tarihinde değiştirildi. "
        "Bu çeviri güncel olmayabilir.",
        "ar": "ملاحظة: تم تعديل النص الأصلي في {date}، بعد إعداد هذه الترجمة. "
        "قد لا تكون هذه الترجمة محدّثة.",
        "uk": "Увага: оригінал змінено {date}, уже після цього перекладу. "
        "Переклад може бути застарілим.",
        "ru": "Внимание: оригинал изменён {date}, уже после этого перевода. "
        "Перевод может быть устаревшим.",
        "fa": "توجه: متن اصلی در تاریخ {date}، پس از این ترجمه، تغییر کرده است. "
        "ممکن است این ترجمه به‌روز نباشد.",
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
        "de-x-ls": "Hier antwortet ein Computer-Programm. Das ist keine Beratung von einem "
        "Anwalt. Bitte schreiben Sie keinen Namen, keine Adresse und keine "
        "Akten-Nummer.",
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
    # a message that asks nothing (bot/answering/smalltalk.py): what the bot answers
    "small_talk": {
        "de": "Hallo! Ich beantworte Fragen zu Einbürgerung, Aufenthalt, Integrationskursen, "
        "Schule, Anerkennung von Abschlüssen, Dolmetschen und Beratung im Rhein-Sieg-Kreis. "
        "Was möchten Sie wissen? Schreiben Sie Ihre Frage bitte in einem Satz.",
        "en": "Hello! I answer questions about naturalisation, residence, integration courses, "
        "school, recognition of qualifications, interpreting and advice in the Rhein-Sieg-Kreis. "
        "What would you like to know? Please write your question in one sentence.",
        "tr": "Merhaba! Rhein-Sieg-Kreis'te vatandaşlık, oturum, uyum kursları, okul, "
        "diplomaların tanınması, tercümanlık ve danışmanlık hakkındaki soruları yanıtlıyorum. "
        "Ne öğrenmek istersiniz? Lütfen sorunuzu bir cümleyle yazın.",
        "ar": "مرحبًا! أجيب عن الأسئلة حول التجنس والإقامة ودورات الاندماج والمدرسة والاعتراف "
        "بالشهادات والترجمة والاستشارة في منطقة راين-زيغ. ماذا تريد أن تعرف؟ "
        "يُرجى كتابة سؤالك في جملة واحدة.",
        "uk": "Вітаю! Я відповідаю на запитання про натуралізацію, дозвіл на проживання, "
        "інтеграційні курси, школу, визнання дипломів, перекладачів і консультації в "
        "Rhein-Sieg-Kreis. Що ви хочете дізнатися? Напишіть, будь ласка, запитання одним "
        "реченням.",
        "ru": "Здравствуйте! Я отвечаю на вопросы о натурализации, виде на жительство, "
        "интеграционных курсах, школе, признании дипломов, переводчиках и консультациях в "
        "Rhein-Sieg-Kreis. Что вы хотите узнать? Напишите, пожалуйста, вопрос одним "
        "предложением.",
        "fa": "سلام! من به پرسش‌ها درباره تابعیت، اقامت، دوره‌های ادغام، مدرسه، ارزشیابی "
        "مدارک تحصیلی، ترجمه شفاهی و مشاوره در منطقه راین-زیگ پاسخ می‌دهم. چه می‌خواهید "
        "بدانید؟ لطفاً پرسش خود را در یک جمله بنویسید.",
        "de-x-ls": "Hallo! Ich beantworte Fragen zum Leben im Rhein-Sieg-Kreis. Zum Beispiel: "
        "Deutsch lernen, Schule, Aufenthalt. Bitte schreiben Sie Ihre Frage.",
    },
    "small_talk_thanks": {
        "de": "Gern geschehen! Wenn Sie noch eine Frage haben, schreiben Sie sie einfach.",
        "en": "You are welcome! If you have another question, just write it.",
        "tr": "Rica ederim! Başka bir sorunuz varsa yazmanız yeterli.",
        "ar": "على الرحب والسعة! إذا كان لديك سؤال آخر، فاكتبه ببساطة.",
        "uk": "Будь ласка! Якщо маєте ще запитання, просто напишіть його.",
        "ru": "Пожалуйста! Если у вас есть ещё вопрос, просто напишите его.",
        "fa": "خواهش می‌کنم! اگر پرسش دیگری دارید، کافی است آن را بنویسید.",
        "de-x-ls": "Gern! Haben Sie noch eine Frage? Dann schreiben Sie die Frage.",
    },
    "not_understood": {
        "de": "Ihre Nachricht habe ich leider nicht verstanden. Bitte schreiben Sie Ihre "
        "Frage in Worten, zum Beispiel: „Wie melde ich mein Kind in der Schule an?“",
        "en": "Sorry, I did not understand your message. Please write your question in words, "
        "for example: “How do I register my child at a school?”",
        "tr": "Mesajınızı maalesef anlayamadım. Lütfen sorunuzu kelimelerle yazın, örneğin: "
        "“Çocuğumu okula nasıl kaydettiririm?”",
        "ar": "عذرًا، لم أفهم رسالتك. يُرجى كتابة سؤالك بالكلمات، مثلًا: «كيف أسجّل طفلي في المدرسة؟»",
        "uk": "На жаль, я не зрозумів ваше повідомлення. Напишіть, будь ласка, запитання "
        "словами, наприклад: «Як записати дитину до школи?»",
        "ru": "К сожалению, я не понял ваше сообщение. Напишите, пожалуйста, вопрос словами, "
        "например: «Как записать ребёнка в школу?»",
        "fa": "متأسفانه پیام شما را متوجه نشدم. لطفاً پرسش خود را با کلمات بنویسید، مثلاً: "
        "«چطور فرزندم را در مدرسه ثبت‌نام کنم؟»",
        "de-x-ls": "Das habe ich nicht verstanden. Bitte schreiben Sie Ihre Frage mit Wörtern.",
    },
    "empty": {
        "de": "Bitte schreiben Sie eine Frage.",
        "en": "Please type a question.",
        "tr": "Lütfen bir soru yazın.",
        "ar": "يُرجى كتابة سؤال.",
        "uk": "Будь ласка, напишіть запитання.",
        "ru": "Пожалуйста, напишите вопрос.",
        "fa": "لطفاً یک پرسش بنویسید.",
        "de-x-ls": "Bitte schreiben Sie eine Frage.",
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
    # an answer card (bot/answering/cards.py): staff wrote and checked this text
    "card_marker": {
        "de": "Geprüfte Antwort des Kommunalen Integrationszentrums – gültig bis {date}",
        "en": "Approved answer of the Kommunales Integrationszentrum (integration centre) – "
        "valid until {date}",
        "tr": "Kommunales Integrationszentrum'un (Uyum Merkezi) onaylı yanıtı – {date} "
        "tarihine kadar geçerli",
        "ar": "إجابة معتمدة من مركز الاندماج البلدي (Kommunales Integrationszentrum) – "
        "صالحة حتى {date}",
        "uk": "Перевірена відповідь Комунального інтеграційного центру (Kommunales "
        "Integrationszentrum) – чинна до {date}",
        "ru": "Проверенный ответ Коммунального интеграционного центра (Kommunales "
        "Integrationszentrum) – действителен до {date}",
        "fa": "پاسخ تأییدشدهٔ مرکز ادغام شهرستان (Kommunales Integrationszentrum) – معتبر تا {date}",
    },
    "card_german_only": {
        "de": "",
        "en": "This approved answer is only available in German:",
        "tr": "Bu onaylı yanıt yalnızca Almanca olarak mevcuttur:",
        "ar": "هذه الإجابة المعتمدة متوفرة بالألمانية فقط:",
        "uk": "Ця перевірена відповідь є лише німецькою мовою:",
        "ru": "Этот проверенный ответ есть только на немецком языке:",
        "fa": "این پاسخ تأییدشده فقط به زبان آلمانی موجود است:",
    },
    # an LLM answer in a language the cited documents are not written in
    "machine_written": {
        "de": "Maschinell erstellt und übersetzt – bitte prüfen. Verbindlich sind die "
        "deutschen Quellen.",
        "en": "Machine-written translation – please check. The German sources are authoritative.",
        "tr": "Makine tarafından yazılmış çeviri – lütfen kontrol edin. Geçerli olan Almanca "
        "kaynaklardır.",
        "ar": "ترجمة مكتوبة آليًا – يُرجى التحقق. المصادر الألمانية هي المعتمدة.",
        "uk": "Машинний переклад – будь ласка, перевірте. Чинними є німецькі джерела.",
        "ru": "Машинный перевод – пожалуйста, проверьте. Действительны немецкие источники.",
        "fa": "ترجمهٔ ماشینی – لطفاً بررسی کنید. منابع آلمانی معتبر هستند.",
        "fr": "Traduction automatique – veuillez vérifier. Les sources allemandes font foi.",
        "es": "Traducción automática – por favor, compruébela. Las fuentes en alemán son las "
        "que valen.",
        "it": "Traduzione automatica – si prega di verificare. Fanno fede le fonti tedesche.",
        "pl": "Tłumaczenie maszynowe – prosimy sprawdzić. Wiążące są źródła niemieckie.",
        "ro": "Traducere automată – vă rugăm să verificați. Sursele în germană sunt cele valabile.",
        "nl": "Machinevertaling – controleer dit a.u.b. De Duitse bronnen zijn bindend.",
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
        "de-x-ls": "Es gibt ein Problem mit dem Computer. Bitte versuchen Sie es später "
        "noch einmal.",
    },
    "rate_limited": {
        "de": "Sie haben sehr viele Fragen in kurzer Zeit gestellt. Bitte warten Sie eine Minute.",
        "en": "You have asked many questions in a short time. Please wait a minute.",
        "tr": "Kısa sürede çok fazla soru sordunuz. Lütfen bir dakika bekleyin.",
        "ar": "لقد طرحت أسئلة كثيرة في وقت قصير. يُرجى الانتظار دقيقة.",
        "uk": "Ви поставили багато запитань за короткий час. Будь ласка, зачекайте хвилину.",
        "ru": "Вы задали много вопросов за короткое время. Пожалуйста, подождите минуту.",
        "fa": "شما در زمان کوتاهی پرسش‌های زیادی پرسیده‌اید. لطفاً یک دقیقه صبر کنید.",
        "de-x-ls": "Sie haben sehr viele Fragen gestellt. Bitte warten Sie 1 Minute.",
    },
}


# the name of a quote's language (key) in the asker's language, for "quoted in ..."
LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "de": {
        "de": "Deutsch",
        "en": "Englisch",
        "tr": "Türkisch",
        "ar": "Arabisch",
        "uk": "Ukrainisch",
        "ru": "Russisch",
        "fa": "Persisch (Farsi)",
    },
    "en": {
        "de": "German",
        "en": "English",
        "tr": "Turkish",
        "ar": "Arabic",
        "uk": "Ukrainian",
        "ru": "Russian",
        "fa": "Persian (Farsi)",
    },
    "tr": {
        "de": "Almanca",
        "en": "İngilizce",
        "tr": "Türkçe",
        "ar": "Arapça",
        "uk": "Ukraynaca",
        "ru": "Rusça",
        "fa": "Farsça",
    },
    "ar": {
        "de": "الألمانية",
        "en": "الإنجليزية",
        "tr": "التركية",
        "ar": "العربية",
        "uk": "الأوكرانية",
        "ru": "الروسية",
        "fa": "الفارسية",
    },
    "uk": {
        "de": "німецька",
        "en": "англійська",
        "tr": "турецька",
        "ar": "арабська",
        "uk": "українська",
        "ru": "російська",
        "fa": "перська",
    },
    "ru": {
        "de": "немецкий",
        "en": "английский",
        "tr": "турецкий",
        "ar": "арабский",
        "uk": "украинский",
        "ru": "русский",
        "fa": "персидский",
    },
    "fa": {
        "de": "آلمانی",
        "en": "انگلیسی",
        "tr": "ترکی",
        "ar": "عربی",
        "uk": "اوکراینی",
        "ru": "روسی",
        "fa": "فارسی",
    },
}


def quote_note(quoted: str, asker: str) -> str:
    """The line before a quote that is not in the asker's language, naming the quote's
    language ("quoted in German"); empty for German askers of German quotes."""
    asker_base = base_language(asker)
    if quoted == DEFAULT_LANGUAGE:
        return message("german_sources", asker_base)
    names = LANGUAGE_NAMES.get(asker_base) or LANGUAGE_NAMES[DEFAULT_LANGUAGE]
    return message("quoted_in", asker_base, name=names.get(quoted, quoted))


def message(key: str, language: str, **values: object) -> str:
    """A fixed text in `language` (its base language, then German, when it has none)."""
    texts = MESSAGES[key]
    text = texts.get(language) or texts.get(base_language(language)) or texts[DEFAULT_LANGUAGE]
    if "{address}" in text or "{url}" in text:
        values = {"address": CONTACT_ADDRESS, "url": CONTACT_URL, **values}
    return text.format(**values) if values else text


def language_name(code: str) -> str:
    """ "Türkçe (tr)": the language an LLM is asked to write in; German for unknown codes."""
    names = LANGUAGES | OTHER_LANGUAGES
    return f"{names[code]} ({code})" if code in names else f"{names[DEFAULT_LANGUAGE]} (de)"


def format_date(iso: str, language: str) -> str:
    """A document date as readers expect it: "15.09.2026" (or "09/2026") in German, ISO
    ("2026-09-15") in every other language, where it is the least ambiguous form."""
    if base_language(language) != "de":  # Leichte Sprache reads German dates
        return iso
    parts = iso.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[2]}.{parts[1]}.{parts[0]}"
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return f"{parts[1]}/{parts[0]}"
    return iso


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
# Short questions are too short for the statistics ("where is the kita", "is there a
# language cafe" came out German, the default; "uyum kursu ücretli mi jobcenter öder mi"
# Polish): function words that German never uses decide, two of one language and no German
# one beside them ("Wo ist das Jobcenter? help" stays German)
_ENGLISH_WORDS = (
    "the is are there what where how my your you do does did can could would should need "
    "much many which who when why of to with and get have i me we it this that please "
    "thanks thank a any"
)
_TURKISH_WORDS = (
    "mi mı mu mü miyim misin miyiz ne nasıl neden nerede nereye kaç için ile var yok ve "
    "bir bu ben benim bana sen biz lazım gerekiyor"
)
_GERMAN_FUNCTION_WORDS = (
    "der die das den dem des ist sind wie wo wer was wann warum ich du wir ihr mein meine "
    "meinen kann können muss müssen und ein eine einen für mit nicht bei zum zur auch habe "
    "hat gibt es sie er bin im zu von auf"
)
_FUNCTION_WORDS = {"en": frozenset(_ENGLISH_WORDS.split()), "tr": frozenset(_TURKISH_WORDS.split())}
_GERMAN_WORDS = frozenset(_GERMAN_FUNCTION_WORDS.split())
_LATIN_WORD = re.compile(r"[^\W\d_]+")


def _only_in_names(sample: str) -> bool:
    """Whether the Turkish letters stand only in capitalised words (names)."""
    return all(w[0].isupper() for w in _LATIN_WORD.findall(sample) if _TURKISH_MARKERS.search(w))


def _folded(text: str) -> str:
    """Lower case for word look-ups; Turkish "İ" as "i" (casefold makes it "i" plus a
    combining dot, which splits the word: "İnce" -> "i", "nce")."""
    return text.replace("İ", "I").casefold()


def _language_by_its_words(sample: str) -> str | None:
    words = _LATIN_WORD.findall(_folded(sample))
    if any(w in _GERMAN_WORDS for w in words):
        return None
    for code, function_words in _FUNCTION_WORDS.items():
        if sum(w in function_words for w in words) >= 2:
            return code
    return None


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
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
    # Trigram models only ("low accuracy" mode): they load in 0.11 s instead of 2.0 s (the
    # first question of every `bot ask` waited for that) and decided all 363 questions of
    # tests/eval/*.jsonl exactly as the full models do; scripts and markers above settle the
    # rest. Longer n-grams help with single words, which default to German anyway.
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def _ukrainian_or_russian(words: str) -> str:
    values = {
        str(v.language.iso_code_639_1.name).lower(): v.value
        for v in _detector().compute_language_confidence_values(words)
    }
    return "uk" if values.get("uk", 0.0) > values.get("ru", 0.0) else "ru"


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
        # no telling letter: the Cyrillic words decide between the two, never the German
        # terms around them ("як отримати Wohnberechtigungsschein в Rhein-Sieg-Kreis")
        return _ukrainian_or_russian(" ".join(w for w in sample.split() if _CYRILLIC.search(w)))
    if _TURKISH_MARKERS.search(sample):
        if not _only_in_names(sample):
            return "tr"
        # a person or place spelt in Turkish ("Wann hat Frau Eğlence Sprechstunde?"):
        # the words around the name decide; one German function word and no Turkish one
        # make it German ("Ist Frau Yıldız heute da?")
        words = set(_LATIN_WORD.findall(_folded(sample)))
        if words & _GERMAN_WORDS and not words & _FUNCTION_WORDS["tr"]:
            return DEFAULT_LANGUAGE
        return _language_by_its_words(sample) or "tr"
    if (code := _language_by_its_words(sample)) is not None:
        return code
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
    code = str(best.language.iso_code_639_1.name).lower()
    if len(sample) >= 8 and best.value >= 0.3 and best.value >= 1.5 * runner_up:
        return code
    # Short or unclear input: German, the corpus language, is the safest default.
    return DEFAULT_LANGUAGE


# --- texts of the web page (interface language, chosen by the citizen) -----------------------

UI_TEXT: dict[str, dict[str, str]] = {
    # the browser tab and link previews: names the chatbot and the KI
    "page_title": {
        "de": "KI-Chatbot – Kommunales Integrationszentrum Rhein-Sieg-Kreis",
        "en": "KI chatbot – Integration Centre of the Rhein-Sieg-Kreis",
        "tr": "KI sohbet botu – Rhein-Sieg-Kreis Uyum Merkezi",
        "ar": "روبوت محادثة KI – مركز الاندماج في منطقة راين-زيغ",
        "uk": "Чат-бот KI – Інтеграційний центр округу Райн-Зіг",
        "ru": "Чат-бот KI – Интеграционный центр округа Райн-Зиг",
        "fa": "چت‌بات KI – مرکز ادغام شهرستان راین-زیگ",
        "de-x-ls": "KI-Chatbot in Leichter Sprache – Integrations-Zentrum Rhein-Sieg-Kreis",
    },
    "title": {
        "de": "Fragen an das Kommunale Integrationszentrum Rhein-Sieg-Kreis",
        "en": "Questions for the Integration Centre of the Rhein-Sieg-Kreis",
        "tr": "Rhein-Sieg-Kreis Uyum Merkezi'ne sorular",
        "ar": "أسئلة إلى مركز الاندماج في منطقة راين-زيغ",
        "uk": "Запитання до Інтеграційного центру округу Райн-Зіг",
        "ru": "Вопросы в Интеграционный центр округа Райн-Зиг",
        "fa": "پرسش از مرکز ادغام شهرستان راین-زیگ",
        "de-x-ls": "Fragen an das Integrations-Zentrum im Rhein-Sieg-Kreis",
    },
    "subtitle": {
        "de": "Stellen Sie Ihre Frage – auch in Ihrer Sprache. Die Antworten stammen aus "
        "Unterlagen des KI und nennen immer ihre Quelle.",
        "en": "Ask your question – in your own language, too. Answers come from the KI's "
        "documents and always name their source.",
        "tr": "Sorunuzu kendi dilinizde de sorabilirsiniz. Yanıtlar KI belgelerinden gelir ve "
        "her zaman kaynağını gösterir.",
        "ar": "اطرح سؤالك، ويمكنك ذلك بلغتك أيضًا. الإجابات مأخوذة من وثائق المركز وتذكر "
        "مصدرها دائمًا.",
        "uk": "Поставте запитання – можна й своєю мовою. Відповіді взято з документів центру, "
        "і завжди вказано джерело.",
        "ru": "Задайте вопрос – можно и на своём языке. Ответы берутся из документов центра, "
        "источник всегда указан.",
        "fa": "پرسش خود را بنویسید، به زبان خودتان هم می‌شود. پاسخ‌ها از مدارک مرکز است و منبع "
        "همیشه ذکر می‌شود.",
        "de-x-ls": "Hier können Sie eine Frage stellen. Die Antwort kommt aus unseren "
        "Texten. Unter der Antwort steht: Aus welchem Text ist die Antwort?",
    },
    "language": {
        "de": "Sprache der Seite",
        "en": "Page language",
        "tr": "Sayfa dili",
        "ar": "لغة الصفحة",
        "uk": "Мова сторінки",
        "ru": "Язык страницы",
        "fa": "زبان صفحه",
        "de-x-ls": "Sprache",
    },
    "chat": {
        "de": "Unterhaltung",
        "en": "Conversation",
        "tr": "Sohbet",
        "ar": "المحادثة",
        "uk": "Розмова",
        "ru": "Разговор",
        "fa": "گفتگو",
        "de-x-ls": "Gespräch",
    },
    "input": {
        "de": "Ihre Frage",
        "en": "Your question",
        "tr": "Sorunuz",
        "ar": "سؤالك",
        "uk": "Ваше запитання",
        "ru": "Ваш вопрос",
        "fa": "پرسش شما",
        "de-x-ls": "Ihre Frage",
    },
    "placeholder": {
        "de": "Zum Beispiel: Was kostet die Einbürgerung?",
        "en": "For example: How much does naturalisation cost?",
        "tr": "Örneğin: Vatandaşlık ne kadar tutar?",
        "ar": "مثال: كم تكلفة التجنيس؟",
        "uk": "Наприклад: Скільки коштує громадянство?",
        "ru": "Например: Сколько стоит гражданство?",
        "fa": "مثلاً: هزینه تابعیت چقدر است؟",
        "de-x-ls": "Zum Beispiel: Was kostet die Einbürgerung?",
    },
    "send": {
        "de": "Senden",
        "en": "Send",
        "tr": "Gönder",
        "ar": "إرسال",
        "uk": "Надіслати",
        "ru": "Отправить",
        "fa": "ارسال",
        "de-x-ls": "Senden",
    },
    "new_chat": {
        "de": "Neue Unterhaltung",
        "en": "New conversation",
        "tr": "Yeni sohbet",
        "ar": "محادثة جديدة",
        "uk": "Нова розмова",
        "ru": "Новый разговор",
        "fa": "گفتگوی جدید",
        "de-x-ls": "Neues Gespräch",
    },
    "examples": {
        "de": "Beispielfragen",
        "en": "Example questions",
        "tr": "Örnek sorular",
        "ar": "أسئلة نموذجية",
        "uk": "Приклади запитань",
        "ru": "Примеры вопросов",
        "fa": "نمونه پرسش‌ها",
        "de-x-ls": "Beispiel-Fragen",
    },
    "human_button": {
        "de": "Mit einem Menschen sprechen",
        "en": "Talk to a person",
        "tr": "Bir kişiyle konuşmak",
        "ar": "التحدث مع شخص",
        "uk": "Поговорити з людиною",
        "ru": "Поговорить с человеком",
        "fa": "صحبت با یک انسان",
        "de-x-ls": "Mit einem Menschen sprechen",
    },
    "card_german": {
        "de": "",
        "en": "The details below are in German.",
        "tr": "Aşağıdaki bilgiler Almancadır.",
        "ar": "المعلومات التالية باللغة الألمانية.",
        "uk": "Відомості нижче – німецькою мовою.",
        "ru": "Сведения ниже – на немецком языке.",
        "fa": "اطلاعات زیر به زبان آلمانی است.",
    },
    "card_phone": {
        "de": "Telefon",
        "en": "Phone",
        "tr": "Telefon",
        "ar": "الهاتف",
        "uk": "Телефон",
        "ru": "Телефон",
        "fa": "تلفن",
    },
    "card_email": {
        "de": "E-Mail",
        "en": "E-mail",
        "tr": "E-posta",
        "ar": "البريد الإلكتروني",
        "uk": "Електронна пошта",
        "ru": "Электронная почта",
        "fa": "ایمیل",
    },
    "card_hours": {
        "de": "Sprechzeiten",
        "en": "Consultation hours",
        "tr": "Görüşme saatleri",
        "ar": "أوقات الاستقبال",
        "uk": "Години прийому",
        "ru": "Часы приёма",
        "fa": "ساعات مراجعه",
    },
    "card_appointment": {
        "de": "Termin vereinbaren",
        "en": "How to book an appointment",
        "tr": "Randevu alma",
        "ar": "حجز موعد",
        "uk": "Як записатися на прийом",
        "ru": "Как записаться на приём",
        "fa": "گرفتن وقت ملاقات",
    },
    "card_website": {
        "de": "Internet",
        "en": "Website",
        "tr": "İnternet sitesi",
        "ar": "الموقع الإلكتروني",
        "uk": "Вебсайт",
        "ru": "Сайт",
        "fa": "وب‌سایت",
    },
    "card_responsible": {
        "de": "Wer ist wofür zuständig?",
        "en": "Who is responsible for what?",
        "tr": "Hangi kurum neyden sorumlu?",
        "ar": "من المسؤول عن ماذا؟",
        "uk": "Хто за що відповідає?",
        "ru": "Кто за что отвечает?",
        "fa": "چه کسی مسئول چه کاری است؟",
    },
    "contact_link": {
        "de": "Persönlich beraten lassen: Kontakt zum KI",
        "en": "Talk to a person: contact the KI",
        "tr": "Yüz yüze danışmanlık: KI ile iletişim",
        "ar": "استشارة شخصية: التواصل مع المركز",
        "uk": "Особиста консультація: контакт із центром",
        "ru": "Личная консультация: связаться с центром",
        "fa": "مشاوره حضوری: تماس با مرکز",
        "de-x-ls": "Mit einem Menschen sprechen: So erreichen Sie das Integrations-Zentrum",
    },
    "feedback": {
        "de": "War die letzte Antwort hilfreich? Kommentar (freiwillig, bitte ohne persönliche "
        "Daten)",
        "en": "Was the last answer helpful? Comment (optional, no personal data please)",
        "tr": "Son yanıt yardımcı oldu mu? Yorum (isteğe bağlı, kişisel bilgi yazmayın)",
        "ar": "هل كانت الإجابة الأخيرة مفيدة؟ تعليق (اختياري، بدون بيانات شخصية)",
        "uk": "Чи була остання відповідь корисною? Коментар (необов'язково, без особистих даних)",
        "ru": "Был ли последний ответ полезен? Комментарий (по желанию, без личных данных)",
        "fa": "آیا پاسخ آخر مفید بود؟ نظر (اختیاری، بدون اطلاعات شخصی)",
        "de-x-ls": "Hat die Antwort geholfen? Sie können hier etwas schreiben. Bitte "
        "schreiben Sie keinen Namen und keine Adresse.",
    },
    "helpful": {
        "de": "Hilfreich",
        "en": "Helpful",
        "tr": "Yardımcı oldu",
        "ar": "مفيدة",
        "uk": "Корисно",
        "ru": "Полезно",
        "fa": "مفید بود",
        "de-x-ls": "Ja, hat geholfen",
    },
    "not_helpful": {
        "de": "Nicht hilfreich",
        "en": "Not helpful",
        "tr": "Yardımcı olmadı",
        "ar": "غير مفيدة",
        "uk": "Не корисно",
        "ru": "Не полезно",
        "fa": "مفید نبود",
        "de-x-ls": "Nein, hat nicht geholfen",
    },
    "thanks": {
        "de": "Danke für Ihre Rückmeldung!",
        "en": "Thank you for your feedback!",
        "tr": "Geri bildiriminiz için teşekkürler!",
        "ar": "شكرًا على ملاحظاتك!",
        "uk": "Дякуємо за відгук!",
        "ru": "Спасибо за отзыв!",
        "fa": "از بازخورد شما سپاسگزاریم!",
        "de-x-ls": "Danke für Ihre Meinung!",
    },
    "feedback_limit": {
        "de": "Danke! Wir haben schon genug Rückmeldungen von Ihnen gespeichert.",
        "en": "Thank you! We have already stored enough feedback from you.",
        "tr": "Teşekkürler! Sizden yeterince geri bildirim kaydettik.",
        "ar": "شكرًا! لقد حفظنا ما يكفي من ملاحظاتك.",
        "uk": "Дякуємо! Ми вже зберегли достатньо ваших відгуків.",
        "ru": "Спасибо! Мы уже сохранили достаточно ваших отзывов.",
        "fa": "سپاسگزاریم! به اندازهٔ کافی بازخورد از شما ذخیره کرده‌ایم.",
        "de-x-ls": "Danke! Sie haben uns schon oft Ihre Meinung gesagt.",
    },
    # the actions under each answer (copy, print, share as clean text with its sources)
    "copy": {
        "de": "Kopieren",
        "en": "Copy",
        "tr": "Kopyala",
        "ar": "نسخ",
        "uk": "Копіювати",
        "ru": "Копировать",
        "fa": "کپی",
    },
    "print": {
        "de": "Drucken",
        "en": "Print",
        "tr": "Yazdır",
        "ar": "طباعة",
        "uk": "Друкувати",
        "ru": "Печать",
        "fa": "چاپ",
    },
    "share": {
        "de": "Teilen",
        "en": "Share",
        "tr": "Paylaş",
        "ar": "مشاركة",
        "uk": "Поділитися",
        "ru": "Поделиться",
        "fa": "اشتراک‌گذاری",
    },
    "copied": {
        "de": "Kopiert. Sie können den Text jetzt einfügen.",
        "en": "Copied. You can paste the text now.",
        "tr": "Kopyalandı. Metni şimdi yapıştırabilirsiniz.",
        "ar": "تم النسخ. يمكنك لصق النص الآن.",
        "uk": "Скопійовано. Тепер можна вставити текст.",
        "ru": "Скопировано. Теперь можно вставить текст.",
        "fa": "کپی شد. اکنون می‌توانید متن را جای‌گذاری کنید.",
    },
    "copy_failed": {
        "de": "Kopieren geht in diesem Browser nicht. Bitte markieren Sie den Text.",
        "en": "Copying does not work in this browser. Please select the text.",
        "tr": "Bu tarayıcıda kopyalama çalışmıyor. Lütfen metni seçin.",
        "ar": "النسخ لا يعمل في هذا المتصفح. يُرجى تحديد النص.",
        "uk": "У цьому браузері копіювання не працює. Будь ласка, виділіть текст.",
        "ru": "В этом браузере копирование не работает. Пожалуйста, выделите текст.",
        "fa": "کپی در این مرورگر کار نمی‌کند. لطفاً متن را انتخاب کنید.",
    },
    # Gradio's own controls of the conversation (its labels would stay in one language)
    "clear": {
        "de": "Unterhaltung löschen",
        "en": "Clear conversation",
        "tr": "Sohbeti temizle",
        "ar": "مسح المحادثة",
        "uk": "Очистити розмову",
        "ru": "Очистить разговор",
        "fa": "پاک کردن گفتگو",
    },
    "scroll_down": {
        "de": "Nach unten",
        "en": "Scroll down",
        "tr": "Aşağı kaydır",
        "ar": "التمرير إلى الأسفل",
        "uk": "Прокрутити вниз",
        "ru": "Прокрутить вниз",
        "fa": "رفتن به پایین",
    },
    "loading": {
        "de": "Die Antwort wird vorbereitet",
        "en": "Preparing the answer",
        "tr": "Yanıt hazırlanıyor",
        "ar": "جارٍ إعداد الإجابة",
        "uk": "Відповідь готується",
        "ru": "Ответ готовится",
        "fa": "در حال آماده‌سازی پاسخ",
    },
    "no_answer_yet": {
        "de": "Bitte stellen Sie zuerst eine Frage.",
        "en": "Please ask a question first.",
        "tr": "Lütfen önce bir soru sorun.",
        "ar": "يُرجى طرح سؤال أولًا.",
        "uk": "Спершу поставте запитання.",
        "ru": "Сначала задайте вопрос.",
        "fa": "لطفاً ابتدا یک پرسش بنویسید.",
        "de-x-ls": "Bitte stellen Sie zuerst eine Frage.",
    },
}

# Example questions per interface language; each one the sample corpus answers.
EXAMPLES: dict[str, list[str]] = {
    "de": [
        "Was kostet die Einbürgerung?",
        "Wie melde ich mein Kind an einer Schule an?",
        "Wie viele Stunden hat der Integrationskurs?",
        "Kann meine Familie zu mir nach Deutschland kommen?",
        "Wie lange gilt der Schutz für Menschen aus der Ukraine?",
    ],
    "en": [
        "How much does naturalisation cost?",
        "How do I register my child at a school?",
        "How many hours is the integration course?",
        "Can my family join me in Germany?",
        "How long does protection for people from Ukraine last?",
    ],
    "tr": [
        "Vatandaşlığa geçiş ne kadar tutar?",
        "Çocuğumu okula nasıl kaydettiririm?",
        "Uyum kursu kaç saat sürer?",
        "Eşim Almanya'ya yanıma gelebilir mi?",
        "Ukraynalılar için geçici koruma ne kadar sürer?",
    ],
    "ar": [
        "كم تكلفة التجنس؟",
        "كيف أسجّل طفلي في مدرسة؟",
        "كم ساعة تستغرق دورة الاندماج؟",
        "هل يمكن لعائلتي أن تلحق بي إلى ألمانيا؟",
        "إلى متى تستمر الحماية للقادمين من أوكرانيا؟",
    ],
    "uk": [
        "Скільки коштує натуралізація?",
        "Як записати дитину до школи?",
        "Скільки годин триває інтеграційний курс?",
        "Чи може моя сім'я приїхати до мене в Німеччину?",
        "До якого часу діє тимчасовий захист для українців?",
    ],
    "ru": [
        "Сколько стоит получение гражданства?",
        "Как записать ребёнка в школу?",
        "Сколько часов длится интеграционный курс?",
        "Может ли моя семья приехать ко мне в Германию?",
        "Как долго действует защита для людей из Украины?",
    ],
    "fa": [
        "هزینه تابعیت چقدر است؟",
        "چگونه فرزندم را در مدرسه ثبت‌نام کنم؟",
        "دوره ادغام چند ساعت است؟",
        "آیا خانواده‌ام می‌توانند در آلمان به من بپیوندند؟",
        "حمایت از مردم اوکراین تا کی ادامه دارد؟",
    ],
    "de-x-ls": [
        "Was kostet die Einbürgerung?",
        "Wie melde ich mein Kind in der Schule an?",
        "Wie viele Stunden hat der Integrations-Kurs?",
        "Wo ist das Integrations-Zentrum?",
        "Ich brauche einen Dolmetscher. Was mache ich?",
    ],
}


def examples(language: str) -> list[str]:
    """The example questions shown on the page in `language` (German when it has none)."""
    return EXAMPLES.get(language) or EXAMPLES[DEFAULT_LANGUAGE]


def ui_text(key: str, language: str) -> str:
    texts = UI_TEXT[key]
    return texts.get(language) or texts.get(base_language(language)) or texts[DEFAULT_LANGUAGE]
