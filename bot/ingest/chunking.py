"""Split loaded documents into chunks that follow the document's structure.

A chunk never crosses a heading: each section is split on its own, at paragraph
breaks first, then list items and lines, then sentences. Every chunk keeps the
heading path ("Einbürgerung › Kosten") and page in its metadata, and the text that
is embedded carries title and headings so a short chunk still says what it is about.
"""

from __future__ import annotations

import hashlib

from langchain_core.documents import Document

from bot.ingest.documents import LoadedDocument

SECTION_SEPARATOR = " › "
_SEPARATORS = ["\n\n", "\n- ", "\n* ", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]


def section_label(title: str, headings: list[str]) -> str:
    """Heading path without repeating the document title."""
    parts = [h for h in headings if h and h != title]
    return SECTION_SEPARATOR.join(parts)


def embedding_text(doc: Document) -> str:
    """What the embedder sees: title and heading path give context to a short passage."""
    meta = doc.metadata
    head = meta.get("title", "")
    if meta.get("section"):
        head = f"{head}{SECTION_SEPARATOR}{meta['section']}"
    return f"{head}\n{doc.page_content}" if head else doc.page_content


def chunk_document(doc: LoadedDocument, chunk_size: int, chunk_overlap: int) -> list[Document]:
    """Turn one document into LangChain Documents with stable ids and citation metadata."""
    # imported here: the splitter costs about 0.5 s of import that serving never needs
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        separators=_SEPARATORS,
        keep_separator="start",
        strip_whitespace=True,
    )
    chunks: list[Document] = []
    for number, section in enumerate(doc.sections):
        text = section.text.strip()
        pieces = [text] if len(text) <= chunk_size else splitter.split_text(text)
        label = section_label(doc.title, section.headings)
        for piece in pieces:
            piece = piece.strip()
            if not piece:
                continue
            meta: dict[str, str | int] = {
                "source": doc.source,
                "title": doc.title,
                "section": label,
                "chunk": len(chunks),
                "part": number,  # the section's position: a translation's matching section
                "doc_sha256": doc.sha256,
            }
            for key in ("updated", "valid_until", "url", "lang", "translation_of"):
                value = getattr(doc, key)
                if value:
                    meta[key] = value
            if section.page is not None:
                meta["page"] = section.page
            chunks.append(Document(page_content=piece, metadata=meta))
    for chunk in chunks:
        chunk.id = chunk_id(doc.source, chunk.metadata["chunk"], chunk.page_content)
    return chunks


def chunk_id(source: str, number: int, text: str) -> str:
    """Deterministic id: the same file content always yields the same ids."""
    digest = hashlib.sha1(f"{source}\x00{number}\x00{text}".encode()).hexdigest()[:20]
    return f"{digest}-{number}"
