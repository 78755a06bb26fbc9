"""Generate the sample PDF, DOCX and HTML documents of the corpus (idempotent).

    .venv/bin/python scripts/make_sample_docs.py

The texts are sample content about the KI Rhein-Sieg-Kreis, to be replaced by the
centre's own documents. Fixed dates make every run produce the same files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FIXED = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
NOTE = (
    "Hinweis: Beispieltext zum Erproben des Chatbots. Das KI ersetzt ihn durch eigene, "
    "geprüfte Inhalte."
)

PDF_PAGES = [
    (
        "Merkblatt: Aufenthaltstitel verlängern",
        [
            NOTE,
            "Stand: 1. September 2026",
            "Wann muss ich die Verlängerung beantragen?",
            "Beantragen Sie die Verlängerung Ihrer Aufenthaltserlaubnis rechtzeitig, bevor sie "
            "abläuft. Wir empfehlen, den Antrag etwa acht Wochen vor dem Ablaufdatum zu stellen. "
            "Zuständig ist die Ausländerbehörde an Ihrem Wohnort.",
            "Was passiert, wenn die Behörde nicht rechtzeitig entscheidet?",
            "Wenn Sie den Antrag vor Ablauf gestellt haben, bekommen Sie eine "
            "Fiktionsbescheinigung. Sie bestätigt, dass Ihr bisheriger Aufenthaltstitel bis zur "
            "Entscheidung als fortbestehend gilt. Bewahren Sie sie gut auf.",
        ],
    ),
    (
        "Checkliste: Unterlagen für die Verlängerung",
        [
            "Bitte bringen Sie in der Regel mit:",
            "- gültiger Pass",
            "- aktueller Aufenthaltstitel (Karte)",
            "- ein aktuelles biometrisches Passfoto",
            "- Nachweise über Einkommen, zum Beispiel die letzten drei Gehaltsabrechnungen",
            "- Mietvertrag und Nachweis über die Krankenversicherung",
            "- bei Studium: Immatrikulationsbescheinigung",
            "Je nach Aufenthaltszweck kann die Behörde weitere Unterlagen verlangen. Für die "
            "Herstellung der Karte fällt eine Gebühr an.",
        ],
    ),
]

DOCX = {
    "title": "Eltern stärken: Angebote für Familien",
    "sections": [
        (
            "Warum Elternarbeit?",
            [
                "Eltern sind die wichtigsten Begleiter ihrer Kinder in Kita und Schule. Das "
                "Team Bildung des KI unterstützt Eltern mit Einwanderungsgeschichte dabei, das "
                "Bildungssystem in Nordrhein-Westfalen kennenzulernen."
            ],
            [],
        ),
        (
            "Unsere Angebote für Eltern",
            ["Gemeinsam mit Kitas, Schulen und Vereinen gibt es zum Beispiel:"],
            [
                "Elternabende in mehreren Sprachen zum Schulsystem in NRW",
                "Informationen zum Übergang von der Grundschule zur weiterführenden Schule",
                "Programme zur Sprachbildung in der Familie, zum Beispiel mit Büchern und Spielen",
                "Elterncafés, in denen sich Eltern austauschen",
            ],
        ),
        (
            "Das Schulsystem in NRW kurz erklärt",
            [
                "Nach der Grundschule (Klasse 1 bis 4) wechseln Kinder auf eine weiterführende "
                "Schule: Hauptschule, Realschule, Sekundarschule, Gesamtschule oder Gymnasium. "
                "Die Grundschule gibt eine Empfehlung, die Eltern entscheiden mit."
            ],
            [],
        ),
        (
            "Kontakt",
            [
                "Fragen Sie Ihre Kita oder Schule nach Angeboten in Ihrer Nähe oder "
                "wenden Sie sich an das Team Bildung des KI."
            ],
            [],
        ),
    ],
}

HTML = """<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>Häufige Fragen zum KI und zu diesem Chat</title>
<meta name="updated" content="2026-10-01">
<meta name="url" content="https://www.rhein-sieg-kreis.de/">
<meta name="sample" content="true">
</head>
<body>
<p><em>{note}</em></p>
<h1>Häufige Fragen</h1>
<h2>Kostet die Beratung im KI etwas?</h2>
<p>Nein. Die Beratung durch das Kommunale Integrationszentrum ist kostenlos.</p>
<h2>Brauche ich einen Termin?</h2>
<p>Ja, bitte vereinbaren Sie vorher einen Termin. So ist sicher, dass jemand Zeit für Sie hat.</p>
<h2>In welchen Sprachen kann ich Fragen stellen?</h2>
<p>Diesem Chat können Sie Fragen in vielen Sprachen stellen, zum Beispiel Deutsch, Englisch,
Türkisch, Arabisch, Ukrainisch, Russisch oder Persisch. Die Antworten stammen aus deutschen
Dokumenten des KI.</p>
<h2>Ist der Chat eine Rechtsberatung?</h2>
<p>Nein. Der Chat gibt allgemeine Informationen aus den Dokumenten des KI. Er ersetzt keine
Rechtsberatung und keine Entscheidung einer Behörde.</p>
<h2>Was passiert mit meinen Daten?</h2>
<p>Bitte geben Sie im Chat keine persönlichen Daten ein, zum Beispiel keinen Namen, keine
Adresse und kein Aktenzeichen. Für Ihr persönliches Anliegen vereinbaren Sie bitte einen Termin.</p>
<ul>
<li>Der Chat speichert keine IP-Adressen.</li>
<li>Rückmeldungen zu Antworten werden ohne Namen gespeichert.</li>
</ul>
</body>
</html>
"""


def make_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(FIXED)
    pdf.set_title("Merkblatt: Aufenthaltstitel verlängern")
    pdf.set_author("Kommunales Integrationszentrum Rhein-Sieg-Kreis (Beispiel)")
    for heading, paragraphs in PDF_PAGES:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.multi_cell(0, 9, heading)
        pdf.ln(2)
        for text in paragraphs:
            bold = text.endswith("?")
            pdf.set_font("Helvetica", "B" if bold else "", 12 if bold else 11)
            pdf.multi_cell(0, 6, text)
            pdf.ln(2)
    pdf.output(str(path))


def make_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    props = document.core_properties
    props.title = DOCX["title"]
    props.author = "Kommunales Integrationszentrum Rhein-Sieg-Kreis (Beispiel)"
    props.created = props.modified = FIXED.replace(tzinfo=None)
    props.last_modified_by = ""
    props.revision = 1
    document.add_heading(DOCX["title"], level=1)
    document.add_paragraph(NOTE)
    for heading, paragraphs, items in DOCX["sections"]:
        document.add_heading(heading, level=2)
        for text in paragraphs:
            document.add_paragraph(text)
        for item in items:
            document.add_paragraph(item, style="List Bullet")
    document.save(str(path))
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """python-docx stamps zip entries with the current time; fix them so a rerun is
    byte-identical and git sees no change."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, data)


def make_html(path: Path) -> None:
    path.write_text(HTML.format(note=NOTE), encoding="utf-8")


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    make_pdf(CORPUS / "merkblatt-aufenthaltstitel-verlaengern.pdf")
    make_docx(CORPUS / "elternarbeit.docx")
    make_html(CORPUS / "haeufige-fragen.html")
    print("wrote 3 documents to", CORPUS)


if __name__ == "__main__":
    main()
