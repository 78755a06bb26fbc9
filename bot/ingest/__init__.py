"""Reading documents: file loaders (PDF, DOCX, ODT, HTML, text), chunks and answer units."""
