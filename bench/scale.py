"""Everything but the embedding model, at large corpus sizes: synthetic texts and vectors.

    python bench/scale.py --chunks 200000 [--runs 3] [--store embedded|server] [--json]

Writes N/10 synthetic Markdown documents of 10 sections each (one chunk per section) and
indexes them with the real `bot.indexing.build.build_index`, but with an embedder that returns
random unit vectors at once, so what is measured is our code, Chroma and BM25, not the model. Then:

- `load_seconds`: a fresh serving process opens the generation (`load_index` + `Retriever`),
  what every start and every index switch costs;
- `p50_ms_without_embedding` (and p95): `Retriever.search` for German questions (dense + BM25)
  with the query vector precomputed, in that serving process;
- `serving_rss_mb`: that process's resident memory after load and queries (peak as well,
  and `serving_rss_anon_mb`: without the pages of memory-mapped files);
- `update_one_doc_seconds`: `build_index` after one changed document (the real update path);
- `after_updates`: load, p50/p95 and RSS again, served from the generation the updates left
  (one that reads the first generation's collections as a layer).

`--store server` puts the vectors into a `chroma run` server on loopback (the serving
process is then a client). Load, p50 and RSS are min/median over `--runs` fresh processes,
the update over `--update-runs` successive one-document changes. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.embeddings import BotEmbeddings  # noqa: E402

DIMENSION = 384  # multilingual-e5-small
SECTIONS = 10  # chunks per document
WORDS = [
    "Antrag",
    "Aufenthalt",
    "Beratung",
    "Einbürgerung",
    "Familie",
    "Gebühr",
    "Integrationskurs",
    "Kinder",
    "Schule",
    "Sprachkurs",
    "Termin",
    "Unterlagen",
    "Wohnung",
    "Arbeit",
    "Anerkennung",
    "Abschluss",
    "Dolmetschen",
    "Kita",
    "Ausbildung",
    "Jobcenter",
    "Krankenversicherung",
    "Meldebescheinigung",
    "Pass",
    "Visum",
    "Frist",
    "Nachweis",
]


class SyntheticEmbeddings(BotEmbeddings):
    """Random unit vectors, instantly: the index code is measured, not the model."""

    model_id = "synthetic"
    backend = "synthetic"
    dimension = DIMENSION

    def __init__(self, seed: int = 0) -> None:
        self._rng = np.random.default_rng(seed)
        self.queries: list[list[float]] = []

    def _unit(self, n: int) -> np.ndarray:
        vectors = self._rng.standard_normal((n, DIMENSION)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._unit(len(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        # precomputed: the serving process times search without the model
        return self.queries.pop() if self.queries else self._unit(1)[0].tolist()


def _vocabulary(rng: np.random.Generator, size: int = 20000) -> np.ndarray:
    """Made-up words of 2-4 syllables (a vocabulary that grows like a real one) plus topics."""
    syllables = np.array(
        [
            "ba",
            "be",
            "bi",
            "bo",
            "bu",
            "da",
            "de",
            "di",
            "do",
            "ka",
            "ke",
            "ki",
            "ko",
            "la",
            "le",
            "li",
            "lo",
            "ma",
            "me",
            "mi",
            "mo",
            "na",
            "ne",
            "ni",
            "no",
            "ra",
            "re",
            "ri",
            "ro",
            "sa",
            "se",
            "si",
            "so",
            "ta",
            "te",
            "ti",
            "to",
            "ung",
            "keit",
            "heit",
            "schaft",
        ]
    )
    picks = rng.choice(syllables, size=(size, 4))
    lengths = rng.integers(2, 5, size=size)
    made = {"".join(row[:n]) for row, n in zip(picks, lengths, strict=True)}
    return np.array(sorted(made) + WORDS)


def document(number: int, version: int, vocab: np.ndarray, rng: np.random.Generator) -> str:
    parts = [f"---\ntitle: Thema {number}\nupdated: 2026-01-01\n---\n# Thema {number}\n"]
    for section in range(SECTIONS):
        words = rng.choice(vocab, size=85)
        parts.append(f"## Abschnitt {section} v{version}\n{' '.join(words)}.\n")
    return "\n".join(parts)


def write_corpus(folder: Path, documents: int, vocab: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    for number in range(documents):
        sub = folder / f"{number // 1000:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"doc{number}.md").write_text(document(number, 0, vocab, rng), encoding="utf-8")


def _settings(work: Path, chroma_url: str | None):  # noqa: ANN202
    from bot.config import Settings

    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        corpus_dir=work / "corpus",
        index_dir=work / "index",
        data_dir=work / "data",
        chroma_url=chroma_url,
        max_file_mb=1,
    )


def serve(work: Path, chroma_url: str | None, questions: int) -> dict:
    """One serving process: open the generation, answer `questions` searches, report."""
    from bot.answering.retrieval import Retriever
    from bot.indexing.build import load_index

    embedder = SyntheticEmbeddings(seed=2)
    settings = _settings(work, chroma_url)
    started = time.perf_counter()
    index = load_index(settings, embedder)
    retriever = Retriever(index, embedder)
    load_seconds = time.perf_counter() - started
    rng = np.random.default_rng(3)
    sample = index.chunks(index.ids[:200]).values()
    vocab = WORDS + [w for r in sample for w in r.text.split()[:5]]
    timings = []
    for _ in range(questions):
        query = " ".join(rng.choice(vocab, size=6))
        embedder.queries = [embedder._unit(1)[0].tolist()]
        t = time.perf_counter()
        retriever.search(query, "de", k=4)
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return {
        "load_seconds": load_seconds,
        "p50_ms_without_embedding": statistics.median(timings),
        "p95_ms_without_embedding": timings[int(0.95 * (len(timings) - 1))],
        "serving_rss_mb": int(status["VmRSS"].split()[0]) / 1024,
        "serving_peak_rss_mb": int(status["VmHWM"].split()[0]) / 1024,
        # the process's own memory, without the pages of mapped files (BM25, chunk ids)
        # that the page cache shares and can drop
        "serving_rss_anon_mb": int(status["RssAnon"].split()[0]) / 1024,
    }


def _serve_process(work: Path, chroma_url: str | None, questions: int) -> dict:
    """`serve` in a fresh process (what a start or an index switch of the app costs)."""
    out = subprocess.run(
        [sys.executable, __file__, "--serve", str(work), "--questions", str(questions)]
        + (["--chroma-url", chroma_url] if chroma_url else []),
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if out.returncode:
        raise RuntimeError(f"the serving process failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_chroma(path: Path) -> tuple[subprocess.Popen, str]:
    import httpx

    cli = Path(sys.executable).with_name("chroma")
    port = _free_port()
    proc = subprocess.Popen(
        [str(cli), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/api/v2/heartbeat", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("chroma server did not start")
        time.sleep(0.3)


def summary(values: list[float], digits: int = 3) -> dict[str, float]:
    return {"min": round(min(values), digits), "median": round(statistics.median(values), digits)}


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def run(  # noqa: PLR0913
    chunks: int,
    runs: int,
    update_runs: int,
    store: str,
    questions: int,
    keep: Path | None,
    reuse: bool = False,
) -> dict:
    from bot.indexing.build import build_index

    documents = max(1, chunks // SECTIONS)
    work = keep or Path(tempfile.mkdtemp(prefix="ki-scale-"))
    chroma = None
    try:
        chroma_url = None
        if store == "server":
            chroma, chroma_url = start_chroma(work / "chroma-server")
        load_before = os.getloadavg()
        rng = np.random.default_rng(0)
        vocab = _vocabulary(rng)
        settings = _settings(work, chroma_url)
        embedder = SyntheticEmbeddings()
        corpus_seconds = build_seconds = None
        if reuse and (work / "index" / "CURRENT").exists():  # measure an earlier build again
            report = build_index(settings, embedder)  # nothing changed: writes nothing
        else:
            started = time.perf_counter()
            write_corpus(work / "corpus", documents, vocab)
            corpus_seconds = round(time.perf_counter() - started, 1)
            started = time.perf_counter()
            report = build_index(settings, embedder)
            build_seconds = round(time.perf_counter() - started, 1)
        served = [_serve_process(work, chroma_url, questions) for _ in range(runs)]
        updates = []
        changed = work / "corpus" / "0000" / "doc0.md"
        first = _version(changed) + 1  # a reused folder has had updates before
        for version in range(first, first + update_runs):
            changed.write_text(document(0, version, vocab, rng), encoding="utf-8")
            started = time.perf_counter()
            update = build_index(settings, embedder)
            updates.append(time.perf_counter() - started)
            assert update.updated == 1 and update.chunks == report.chunks, update
        # serving again, from the generation the updates left: one that reads layers
        layered = [_serve_process(work, chroma_url, questions) for _ in range(runs)]
        server_rss = _rss_mb(chroma.pid) if chroma is not None else None
        disk = sum(f.stat().st_size for f in work.rglob("*") if f.is_file()) / 2**20
        return {
            "chunks": report.chunks,
            "store": store,
            "documents": report.documents,
            "runs": runs,
            "update_runs": update_runs,
            "load_seconds": summary([s["load_seconds"] for s in served]),
            "p50_ms_without_embedding": summary([s["p50_ms_without_embedding"] for s in served]),
            "p95_ms_without_embedding": summary([s["p95_ms_without_embedding"] for s in served]),
            "update_one_doc_seconds": summary(updates),
            "after_updates": {
                "load_seconds": summary([s["load_seconds"] for s in layered]),
                "p50_ms_without_embedding": summary(
                    [s["p50_ms_without_embedding"] for s in layered]
                ),
                "p95_ms_without_embedding": summary(
                    [s["p95_ms_without_embedding"] for s in layered]
                ),
                "serving_rss_mb": summary([s["serving_rss_mb"] for s in layered], 0),
                "serving_rss_anon_mb": summary([s["serving_rss_anon_mb"] for s in layered], 0),
            },
            "serving_rss_mb": summary([s["serving_rss_mb"] for s in served], 0),
            "serving_peak_rss_mb": summary([s["serving_peak_rss_mb"] for s in served], 0),
            "serving_rss_anon_mb": summary([s["serving_rss_anon_mb"] for s in served], 0),
            "build_seconds": build_seconds,
            "corpus_write_seconds": corpus_seconds,
            "disk_mb": round(disk),
            "chroma_server_rss_mb": None if server_rss is None else round(server_rss),
            "load_average": {
                "before": [round(x, 2) for x in load_before],
                "after": [round(x, 2) for x in os.getloadavg()],
            },
        }
    finally:
        if chroma is not None:
            chroma.terminate()
            chroma.wait(30)
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _version(path: Path) -> int:
    """The highest section version in a synthetic document (updates count on from it)."""
    found = re.findall(r"^## Abschnitt \d+ v(\d+)$", path.read_text(), flags=re.M)
    return max((int(v) for v in found), default=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--update-runs", type=int, help="one-document updates (default: --runs)")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--store", choices=["embedded", "server"], default="embedded")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: temporary)")
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: serve and update its earlier build"
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--chroma-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        print(json.dumps(serve(args.serve, args.chroma_url, args.questions)))
        return
    update_runs = args.update_runs or args.runs
    result = run(
        args.chunks, args.runs, update_runs, args.store, args.questions, args.keep, args.reuse
    )
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
