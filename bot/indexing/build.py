"""Build, update and open the index (vector stores, see `bot.store`), with a manifest and
atomic switching.

Layout of `index_dir`:

    CURRENT              name of the generation that serves answers (replaced atomically)
    g-<time>-<rand>/     one generation: manifest.json + chroma/ (local mode) + background.npz
                         + lexical/ (its BM25, `bot.indexing.lexical`)
    last_run.json        report of the last indexing run (for the admin area)
    .lock                held while a build runs: one build at a time

Every run (update or rebuild) writes a *new* generation beside the serving one and
only then points CURRENT at it, so a crash, a full disk or a bad file mid-build
leaves the old index serving. Content hashes decide what is re-embedded: unchanged
files keep their vectors (copied over), and a run with no changes writes nothing.

What depends only on the model, not on a question, is computed at build time and stored
in the generation, so a start does not redo it: `background.npz` holds the everyday
background passages, the requests for a person and the out-of-scope examples embedded by
the generation's model (about 5 s with e5 on 2 cores).
A generation without it (built by an older version) still loads and computes the vectors
on the fly, as before.

A generation is *complete* once its manifest.json exists: the manifest is written last,
atomically, after the vector count was checked. A generation without one was cut off
(killed, power loss); the next run removes it while holding `.lock`, so a build still
running in another process is never touched. CURRENT is only followed to a complete
generation whose name is a plain `g-...` folder inside the index folder; otherwise the
newest complete generation serves (and the next run repairs CURRENT).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import logging
import re
import secrets
import shutil
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.documents import Document

from bot import __version__
from bot.config import Settings
from bot.embeddings import BotEmbeddings
from bot.indexing import background as reference_texts
from bot.indexing.format import (
    LAST_RUN,
    MANIFEST,
    RANGED_FORMAT,
    READABLE_FORMATS,
    Chunking,
    ChunkRange,
    Embedding,
    FileEntry,
    FormatError,
    LastRun,
    Manifest,
    Skipped,
    Units,
    read_manifest_file,
    write_atomic,
    write_last_run,
    write_manifest_file,
)
from bot.indexing.lexical import (
    ChunkIds,
    ServedIds,
    StoredBM25,
    has_lexical,
    served_mask,
    stored_chunk_ids,
    write_lexical,
)
from bot.ingest.chunking import chunk_document, embedding_text
from bot.ingest.documents import DocumentError, file_sha256, iter_corpus_files
from bot.ingest.loaders import LOADER_VERSION, load_document
from bot.ingest.units import SEGMENTER_VERSION, split_units, unit_context
from bot.store.base import Metadata, Record, VectorStore
from bot.store.factory import collection_name, drop_generation, open_store
from bot.store.layered import Layer, LayeredStore, unit_chunk
from bot.store.memory import MemoryStore

POINTER = "CURRENT"
BACKGROUND = "background.npz"
_COPY_BATCH = 1000  # records copied from the old generation per read
# An update leaves unchanged files in the collections of the generations that wrote them
# (layers) and writes only the changed ones. A generation reads at most MAX_LAYERS layers
# (its own included): beyond, the small layers are copied into the new one. When the
# layers' stale records (replaced or removed since) reach COMPACT_STALE of the served ones,
# the next run copies everything into one collection again (what every run did before).
MAX_LAYERS = 4
COMPACT_STALE = 0.25
# Serving holds every chunk's text and metadata only for generations up to PRELOAD_CHUNKS
# chunks (as fast as before for the small corpora most districts have: no store read per
# question); larger ones are read per question for its hits, keeping the RECENT_CHUNKS
# last read (popular pages are asked again and again).
PRELOAD_CHUNKS = 5000
RECENT_CHUNKS = 2000
# A layer of at most SMALL_LAYER chunks (what an update of a few documents writes) is read
# into memory at load and searched there: with a Chroma server, one request less per layer
# and question.
SMALL_LAYER = 2000
# only names `_new_generation_name` makes: no dots or slashes, so never a path out of index/
_GENERATION_NAME = re.compile(r"g-[A-Za-z0-9_-]{1,64}")

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int, int], None]  # (stage, done, total)


class IndexProblem(RuntimeError):
    """Base for index problems; the message is meant for admins."""


class IndexMissing(IndexProblem):
    pass


class IndexIncompatible(IndexProblem):
    pass


class IndexBusy(IndexProblem):
    pass


class IndexWriteFailed(IndexProblem):
    """Writing the new generation failed (e.g. a full disk); the old one keeps serving."""

    def __init__(self, message: str, disk_full: bool = False) -> None:
        super().__init__(message)
        self.disk_full = disk_full


@dataclass
class IndexReport:
    documents: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    generation: str | None = None
    embedded_chunks: int = 0
    embed_seconds: float = 0.0

    def contract(self) -> dict[str, Any]:
        """The object `python -m bot index --json` prints (the contract in docs/design.md)."""
        keys = ("documents", "chunks", "added", "updated", "removed", "skipped", "seconds")
        data = asdict(self)
        return {k: data[k] for k in keys}


@dataclass
class LoadedIndex:
    """A serving generation: its manifest, its chunk store and the ids of its chunks.

    BM25 is the generation's stored one, memory-mapped (`lexical`). Chunk texts and
    metadata of a large generation stay in the store and are read for the hits of a
    question (`chunks`); a small one (PRELOAD_CHUNKS) and one written before BM25 was
    stored (`lexical` None: BM25 is built from every text) are read whole at load
    (`preloaded`)."""

    generation: str
    manifest: Manifest
    collection: VectorStore
    ids: Sequence[str]  # every served chunk, in store order (layers oldest first)
    units: VectorStore | None = None  # the answer units (None in indexes built before them)
    background: Any = None  # stored background vectors (numpy), None: compute them
    lexical: StoredBM25 | None = None
    preloaded: dict[str, Record] | None = None
    # where each file's chunks are in `ids` (None: worked out from the manifest's id lists)
    spans: FileSpans | None = None

    _recent: OrderedDict[str, Record] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def chunks(self, ids: Sequence[str]) -> dict[str, Record]:
        """Text and metadata of these chunks by id (unknown ids left out): from memory for a
        small generation, else one store read for those not among the recently read."""
        if self.preloaded is not None:
            return {cid: self.preloaded[cid] for cid in ids if cid in self.preloaded}
        found: dict[str, Record] = {}
        with self._lock:
            for cid in ids:
                record = self._recent.get(cid)
                if record is not None:
                    self._recent.move_to_end(cid)
                    found[cid] = record
        wanted = [cid for cid in dict.fromkeys(ids) if cid not in found]
        if wanted:
            got = self.collection.get(ids=wanted)
            with self._lock:
                for record in got:
                    found[record.id] = self._recent[record.id] = record
                while len(self._recent) > RECENT_CHUNKS:
                    self._recent.popitem(last=False)
        return found

    def file_spans(self) -> FileSpans:
        """Per file where its chunks are in `ids` and what the manifest knows of it
        (source, lang, updated, translation_of): from the chunk ranges without a list per
        chunk; for a manifest that lists chunk ids (formats 1 and 2), from those lists."""
        if self.spans is not None:
            return self.spans
        by_id: dict[str, Metadata] = {}
        for source, entry in self.manifest.files.items():
            meta = _file_meta(source, entry)
            for cid in entry.ids:
                by_id[cid] = meta
        return FileSpans.of_chunks([by_id.get(cid, {}) for cid in self.ids], grouped=True)

    @property
    def texts(self) -> list[str]:
        """Every chunk's text in `ids` order: reads the whole store (tools and tests)."""
        records = self._all()
        return [records[cid].text for cid in self.ids]

    @property
    def metadatas(self) -> list[Metadata]:
        """Every chunk's metadata in `ids` order: reads the whole store (tools and tests)."""
        records = self._all()
        return [records[cid].metadata for cid in self.ids]

    def _all(self) -> dict[str, Record]:
        if self.preloaded is not None:
            return self.preloaded
        served = set(self.ids)
        return {r.id: r for r in self.collection.records() if r.id in served}


def _file_meta(source: str, entry: FileEntry) -> Metadata:
    meta: Metadata = {"source": source}
    for key in ("lang", "updated", "translation_of"):
        value = getattr(entry, key)
        if value:
            meta[key] = value
    return meta


@dataclass
class FileSpans:
    """Where the chunks of each file are among a generation's served chunks: per file (or
    per chunk, `of_chunks`) its first position in `LoadedIndex.ids`, how many, and its
    metadata; sorted by position. Per file instead of per chunk: a list with one entry per
    chunk held 16 MB per two million chunks, and each consumer made more."""

    starts: np.ndarray
    counts: np.ndarray
    metas: list[Metadata]

    @classmethod
    def of_chunks(cls, metas: Sequence[Metadata], grouped: bool = False) -> FileSpans:
        """One span per chunk, or with `grouped` per run of chunks sharing one dict."""
        starts: list[int] = []
        kept: list[Metadata] = []
        for position, meta in enumerate(metas):
            if grouped and kept and kept[-1] is meta:
                continue
            starts.append(position)
            kept.append(meta)
        first = np.asarray(starts, dtype=np.int64)
        counts = np.diff(np.append(first, len(metas))) if len(first) else first
        return cls(first, counts, kept)

    def __len__(self) -> int:
        return len(self.metas)

    def __iter__(self) -> Iterator[tuple[int, int, Metadata]]:
        return zip(self.starts.tolist(), self.counts.tolist(), self.metas, strict=True)


# --- generations ----------------------------------------------------------------------------


def _pointer(index_dir: Path) -> str | None:
    """What CURRENT says, unchecked (None when it is missing or unreadable)."""
    try:
        with open(index_dir / POINTER, "rb") as handle:
            name = handle.read(256).decode("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name or None


def _generation_dir(index_dir: Path, name: str) -> Path | None:
    """The folder of generation `name`, or None when the name could lead out of index_dir."""
    if not _GENERATION_NAME.fullmatch(name):
        return None
    path = index_dir / name
    if path.is_symlink() or not path.is_dir():
        return None
    return path


def is_complete(index_dir: Path, name: str) -> bool:
    """A generation is complete once its manifest exists (written last, atomically)."""
    path = _generation_dir(index_dir, name)
    return path is not None and (path / MANIFEST).is_file()


def complete_generations(index_dir: Path) -> list[str]:
    """Complete generations, newest (latest finished manifest) first."""
    found = []
    for path in index_dir.glob("g-*"):
        if is_complete(index_dir, path.name):
            found.append(((path / MANIFEST).stat().st_mtime_ns, path.name))
    return [name for _, name in sorted(found, reverse=True)]


def current_generation(index_dir: Path) -> str | None:
    """The generation that serves: the one CURRENT names when that is a complete generation
    inside index_dir, else the newest complete one. A missing, edited or cut-off pointer must
    not take the bot down while a good index is on disk."""
    named = _pointer(index_dir)
    if named and is_complete(index_dir, named):
        return named
    complete = complete_generations(index_dir)
    return complete[0] if complete else None


def pointer_problem(index_dir: Path) -> str | None:
    """Why CURRENT is not followed as it stands (for logs and messages); None when it is fine."""
    named = _pointer(index_dir)
    if named is None:
        return f"{POINTER} is missing or unreadable"
    if not _GENERATION_NAME.fullmatch(named):
        return f"{POINTER} names {named[:80]!r}, which is not a generation inside the index folder"
    if not is_complete(index_dir, named):
        return f"{POINTER} names {named!r}, which is not a complete generation"
    return None


def read_manifest(index_dir: Path, generation: str) -> Manifest:
    folder = _generation_dir(index_dir, generation)
    if folder is None:
        raise IndexMissing(
            f"Index generation {generation[:80]!r} not found. Run `python -m bot index --rebuild`."
        )
    path = folder / MANIFEST
    try:
        manifest = read_manifest_file(path)
    except FileNotFoundError as exc:
        raise IndexMissing(f"Index manifest missing: {path}. Run `python -m bot index`.") from exc
    except (FormatError, UnicodeDecodeError) as exc:
        raise IndexProblem(
            f"Index manifest is corrupt: {path}. Run `python -m bot index --rebuild`."
        ) from exc
    _bind_ranges(index_dir, generation, manifest)
    return manifest


def _bind_ranges(index_dir: Path, generation: str, manifest: Manifest) -> None:
    """Point each file's chunk range at the stored ids of the generation holding its chunks,
    opened (memory-mapped) when an update first reads them."""
    sources: dict[str, Callable[[], Any]] = {}

    def opener(name: str) -> Callable[[], Any]:
        opened: list[Any] = []

        def ids() -> Any:
            if not opened:
                folder = _generation_dir(index_dir, name)
                if folder is None:
                    raise IndexProblem(
                        f"Index generation {name[:80]!r} (a layer) not found: "
                        "run `python -m bot index --rebuild`."
                    )
                opened.append(stored_chunk_ids(folder))
            return opened[0]

        return ids

    for entry in manifest.files.values():
        if isinstance(entry.ids, ChunkRange):
            name = entry.layer or generation
            if name not in sources:
                sources[name] = opener(name)
            entry.ids.bind(sources[name])


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time, across processes; a second one is refused at once."""
    index_dir.mkdir(parents=True, exist_ok=True)
    handle = open(index_dir / ".lock", "a+")  # noqa: SIM115 - held across the yield
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexBusy(
                "Ein anderer Indexlauf läuft bereits. Bitte später erneut starten."
            ) from exc
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def check_compatible(manifest: Manifest, embedder: BotEmbeddings) -> None:
    """Refuse an index whose vectors come from another model than the one configured."""
    built = manifest.embedding
    if manifest.format not in READABLE_FORMATS or (built.model, built.backend) != (
        embedder.model_id,
        embedder.backend,
    ):
        raise IndexIncompatible(
            "The index was built with embedding model "
            f"{built.model!r} ({built.backend}), but the bot is configured for "
            f"{embedder.model_id!r} ({embedder.backend}). Vectors of different models cannot be "
            "compared: run `python -m bot index --rebuild`."
        )


# --- building ---------------------------------------------------------------------------------


def _new_generation_name() -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"g-{stamp}-{secrets.token_hex(3)}"


def _record_skip(report: IndexReport, source: str, error: str) -> None:
    report.skipped.append({"source": source, "error": error})


def build_index(
    settings: Settings,
    embedder: BotEmbeddings,
    rebuild: bool = False,
    progress: ProgressCallback | None = None,
) -> IndexReport:
    """Index the corpus: incremental by default, from scratch with `rebuild`.

    Per-file problems land in `report.skipped`; the run itself only fails for
    problems with the whole index (busy, incompatible model, unwritable folder).
    """
    started = time.perf_counter()
    index_dir = settings.index_dir
    corpus_dir = settings.corpus_dir
    if not corpus_dir.is_dir():
        raise IndexProblem(f"Corpus folder not found: {corpus_dir}")
    with build_lock(index_dir):
        _remove_incomplete_generations(settings)
        report = IndexReport()
        old_gen = current_generation(index_dir)
        if old_gen and _pointer(index_dir) != old_gen:
            log.warning("%s; building on generation %s", pointer_problem(index_dir), old_gen)
        old_manifest: Manifest | None = None
        if old_gen and not rebuild:
            old_manifest = read_manifest(index_dir, old_gen)
            check_compatible(old_manifest, embedder)
            chunking = old_manifest.chunking
            if chunking != _chunking_settings(settings):
                raise IndexIncompatible(
                    f"The index was built with chunking {asdict(chunking) if chunking else {}}, "
                    f"the settings now say {asdict(_chunking_settings(settings))}: "
                    "run `python -m bot index --rebuild`."
                )
        old_files: dict[str, FileEntry] = old_manifest.files if old_manifest else {}
        # answer units cut by an older segmenter are cut again: every file is read anew
        # (copying them into a new generation would label old units with the new version)
        old_units = old_manifest.units if old_manifest else None
        recut = old_units is not None and old_units.segmenter != SEGMENTER_VERSION
        if recut:
            log.info("answer units were cut by an older segmenter: reading every file again")

        keep: dict[str, FileEntry] = {}  # source -> entry copied from the old generation
        fresh: dict[str, tuple[FileEntry, list[Document]]] = {}
        seen: set[str] = set()
        files = iter_corpus_files(corpus_dir)
        for number, path in enumerate(files, start=1):
            source = path.relative_to(corpus_dir).as_posix()
            seen.add(source)
            if progress:
                progress("lesen", number, len(files))
            entry, chunks = _load_one(
                path, settings, None if recut else old_files.get(source), report
            )
            if entry is None:
                if source in old_files:  # bad new version: the previous good one keeps serving
                    keep[source] = old_files[source]
                continue
            if chunks is None:
                keep[source] = entry
            else:
                fresh[source] = (entry, chunks)
                if source in old_files:
                    report.updated += 1
                else:
                    report.added += 1
        report.removed = len(set(old_files) - seen)

        report.documents = len(keep) + len(fresh)
        report.chunks = sum(len(e.ids) for e in keep.values()) + sum(
            len(c) for _, c in fresh.values()
        )
        changed = report.added or report.updated or report.removed
        if old_gen and not rebuild and not changed:
            report.generation = old_gen
            if _pointer(index_dir) != old_gen:  # repair a missing or broken CURRENT
                _write_pointer(settings, old_gen)
        else:
            report.generation, manifest = _write_generation(
                settings, embedder, old_gen, old_manifest, keep, fresh, report, progress
            )
            if old_gen and old_manifest is None:  # a rebuild: the old one may still be read
                with contextlib.suppress(IndexProblem):
                    old_manifest = read_manifest(index_dir, old_gen)
            in_use = {report.generation, old_gen or ""}
            for serving in (manifest, old_manifest):
                in_use |= layers_of(serving) if serving is not None else set()
            _remove_old_generations(settings, keep_names=in_use)
        report.seconds = round(time.perf_counter() - started, 3)
        try:
            write_last_run(index_dir, _last_run(report))
        except OSError as exc:  # the new index already serves; only the report is lost
            log.warning("could not write %s: %s", LAST_RUN, exc.strerror)
        return report


def _last_run(report: IndexReport) -> LastRun:
    data = asdict(report)
    data["skipped"] = [Skipped(**s) for s in report.skipped]
    return LastRun(**data, finished=dt.datetime.now(dt.UTC).isoformat())


def _is_disk_full(exc: BaseException) -> bool:
    """Chroma reports a full disk as its own error ("database or disk is full"), Python as
    ENOSPC; look along the exception chain for either."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(seen).lower()
        if any(s in text for s in ("disk is full", "no space left", "os error 28")):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _write_failure(exc: BaseException) -> IndexWriteFailed | None:
    """The admin-readable form of a failed write, or None for errors that are bugs."""
    keeps = "Der bisherige Index bleibt aktiv."
    if _is_disk_full(exc):
        return IndexWriteFailed(
            "Der neue Index konnte nicht geschrieben werden: kein Speicherplatz mehr frei. "
            f"{keeps} Bitte Platz schaffen und den Lauf wiederholen.",
            disk_full=True,
        )
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        return IndexWriteFailed(
            f"Der neue Index konnte nicht geschrieben werden ({reason}). {keeps}"
        )
    return None


def _write_pointer(settings: Settings, generation: str) -> None:
    try:
        write_atomic(settings.index_dir / POINTER, generation + "\n")
    except OSError as exc:
        failure = _write_failure(exc)
        if failure is None:
            raise
        raise failure from exc


def _remove_incomplete_generations(settings: Settings) -> None:
    """Remove generations a killed run left half-built. Only called with `.lock` held, so no
    other process is writing one; CURRENT never names one (it switches after the manifest)."""
    for path in settings.index_dir.glob("g-*"):
        if path.is_dir() and not path.is_symlink() and not (path / MANIFEST).exists():
            log.warning("removing unfinished index generation %s", path.name)
            _discard_generation(settings, path.name)
    for tmp in settings.index_dir.glob(".*.tmp"):  # a write cut off by the kill
        with contextlib.suppress(OSError):
            tmp.unlink()


def _chunking_settings(settings: Settings) -> Chunking:
    return Chunking(settings.chunk_size, settings.chunk_overlap)


def outdated_reason(manifest: Manifest) -> str | None:
    """Why a generation (its manifest) was made by an older version of the loaders or the
    segmenter (an index run would read its files again), or None. Asked at start-up of the
    serving one: the server brings it up to date in the background instead of serving it
    slowly."""
    if manifest.units is not None and manifest.units.segmenter != SEGMENTER_VERSION:
        return f"answer units cut by segmenter {manifest.units.segmenter}, now {SEGMENTER_VERSION}"
    old = {e.loader for e in manifest.files.values() if e.loader != LOADER_VERSION}
    if old:
        return f"files read by an older loader ({len(old)} versions), now {LOADER_VERSION}"
    return None


def entry_is_current(path: Path, entry: FileEntry | None, settings: Settings) -> bool:
    """Whether the index entry still stands for this file: same content, read by the
    current loader. The indexer and the staff area's document list ask the same question."""
    return bool(
        entry
        and entry.loader == LOADER_VERSION
        and path.stat().st_size <= settings.max_file_bytes
        and file_sha256(path.read_bytes()) == entry.sha256
    )


def _load_one(
    path: Path, settings: Settings, old_entry: FileEntry | None, report: IndexReport
) -> tuple[FileEntry | None, list[Document] | None]:
    """(entry, None) when unchanged, (entry, chunks) when new or changed, (None, None) on error."""
    source = path.relative_to(settings.corpus_dir).as_posix()
    try:
        size = path.stat().st_size
        if entry_is_current(path, old_entry, settings):
            return old_entry, None
        doc = load_document(
            path, settings.corpus_dir, settings.max_file_bytes, settings.parse_timeout_seconds
        )
    except DocumentError as exc:
        _record_skip(report, source, str(exc))
        return None, None
    except OSError as exc:
        _record_skip(report, source, f"Datei kann nicht gelesen werden ({exc.strerror})")
        return None, None
    except Exception as exc:  # a loader bug on one odd file must not stop the others
        _record_skip(report, source, f"Unerwarteter Fehler beim Lesen ({type(exc).__name__})")
        return None, None
    chunks = chunk_document(doc, settings.chunk_size, settings.chunk_overlap)
    entry = FileEntry(
        sha256=doc.sha256,
        loader=LOADER_VERSION,
        title=doc.title,
        updated=doc.updated,
        valid_until=doc.valid_until,
        url=doc.url,
        bytes=size,
        ids=[_chunk_id(c) for c in chunks],
        lang=doc.lang,
        translation_of=doc.translation_of,
    )
    return entry, chunks


def _chunk_id(chunk: Document) -> str:
    if chunk.id is None:  # chunk_document gives every chunk its id
        raise ValueError("chunk without id")
    return chunk.id


def layers_of(manifest: Manifest) -> set[str]:
    """The older generations whose collections a generation reads (none for most)."""
    return {entry.layer for entry in manifest.files.values() if entry.layer}


@dataclass
class _Layout:
    """Where the unchanged files of a run go: left in the layer that holds them (`stay`), or
    copied from it into the new generation (`move`); source -> that layer's generation."""

    stay: dict[str, str] = field(default_factory=dict)
    move: dict[str, str] = field(default_factory=dict)

    def moved_from(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for source, layer in self.move.items():
            groups.setdefault(layer, []).append(source)
        return groups


def _plan_layers(
    settings: Settings,
    old_gen: str | None,
    old_manifest: Manifest | None,
    keep: dict[str, FileEntry],
) -> _Layout:
    """Which unchanged files stay where they are: all of them, unless the layers hold too
    many stale records (then all move: a compaction) or there would be too many layers
    (then all but the largest layer's move). Without the old generation's answer-unit
    totals (older indexes) everything moves, as before layers."""
    if not old_gen:
        return _Layout()
    holder = {source: entry.layer or old_gen for source, entry in keep.items()}
    units = old_manifest.units if old_manifest else None
    if units is None or units.segmenter != SEGMENTER_VERSION or units.centroid is None:
        return _Layout(move=holder)
    served = Counter[str]()
    for source, layer in holder.items():
        served[layer] += len(keep[source].ids)
    try:
        stored = {layer: open_store(settings, layer).count() for layer in served}
    except Exception as exc:
        raise IndexProblem(
            f"A collection of the current index cannot be read ({type(exc).__name__}): "
            "run `python -m bot index --rebuild`."
        ) from exc
    stale = sum(stored[layer] - served[layer] for layer in served)
    if stale >= COMPACT_STALE * max(1, sum(served.values())):
        log.info("compacting the index: %d stale records in %d layers", stale, len(served))
        return _Layout(move=holder)
    if len(served) + 1 <= MAX_LAYERS:
        return _Layout(stay=holder)
    base = max(served, key=lambda layer: served[layer])
    return _Layout(
        stay={s: layer for s, layer in holder.items() if layer == base},
        move={s: layer for s, layer in holder.items() if layer != base},
    )


def _write_generation(
    settings: Settings,
    embedder: BotEmbeddings,
    old_gen: str | None,
    old_manifest: Manifest | None,
    keep: dict[str, FileEntry],
    fresh: dict[str, tuple[FileEntry, list[Document]]],
    report: IndexReport,
    progress: ProgressCallback | None,
) -> tuple[str, Manifest]:
    """Write a new generation beside the serving one: the changed files embedded, unchanged
    ones left in their layers or copied (`_plan_layers`); the manifest last."""
    generation = _new_generation_name()
    gen_dir = settings.index_dir / generation
    try:
        gen_dir.mkdir(parents=True)
        chunks = [c for _, cs in fresh.values() for c in cs]
        if progress:  # the next stage shows at once, not after the copy and a first batch
            progress("einbetten", 0, len(chunks))
        collection = open_store(settings, generation, create=True)
        units = open_store(settings, generation, units=True, create=True)
        unit_sum = UnitSum()
        layout = _plan_layers(settings, old_gen, old_manifest, keep)
        copied = 0
        # the units centroid is the originals' (see _add_units); only the moved files' units
        # are counted here (those staying in their layers are in the old totals)
        originals = {i for s in layout.move if not keep[s].translation_of for i in keep[s].ids}
        for layer, sources in layout.moved_from().items():
            kept_ids = [i for source in sources for i in keep[source].ids]
            _copy_records(settings, layer, collection, kept_ids)
            _copy_units(settings, layer, units, kept_ids, unit_sum, originals)
            copied += len(kept_ids)
        embed_started = time.perf_counter()
        step = 16  # small batches: the staff area's progress moves steadily
        for start in range(0, len(chunks), step):
            batch = chunks[start : start + step]
            vectors = embedder.embed_documents([embedding_text(c) for c in batch])
            _add(collection, batch, vectors)
            _add_units(units, embedder, batch, unit_sum)
            if progress:
                progress("einbetten", min(start + step, len(chunks)), len(chunks))
        report.embedded_chunks = len(chunks)
        report.embed_seconds = round(time.perf_counter() - embed_started, 3)
        files = {
            **{s: replace(e, layer=layout.stay.get(s)) for s, e in keep.items()},
            **{s: e for s, (e, _) in fresh.items()},
        }
        unit_count, centroid = unit_sum.count, unit_sum.centroid()
        if layout.stay:
            assert old_manifest is not None and old_gen is not None  # _plan_layers saw to it
            unit_count, centroid = _units_with_layers(
                settings, old_gen, old_manifest, layout, unit_sum
            )
        identity = embedder.identity
        manifest = Manifest(
            format=RANGED_FORMAT,
            bot_version=__version__,
            created=dt.datetime.now(dt.UTC).isoformat(),
            embedding=Embedding(
                str(identity["model"]), str(identity["backend"]), int(identity["dimension"])
            ),
            chunking=_chunking_settings(settings),
            units=Units(SEGMENTER_VERSION, unit_count, centroid),
            collection=collection_name(generation),
            chroma_url=settings.chroma_url,
            documents=len(files),
            chunks=report.chunks,
            files=dict(sorted(files.items())),
            skipped=[Skipped(**s) for s in report.skipped],
        )
        _store_background(settings, embedder, gen_dir, old_gen)
        own = copied + len(chunks)
        if collection.count() != own:
            raise IndexProblem(
                f"Index check failed: {collection.count()} vectors stored, {own} expected"
            )
        # BM25 of this generation's own chunks, read back in store order: serving maps it
        # and no longer reads every chunk's text at start (`bot.indexing.lexical`)
        own_ids = write_lexical(gen_dir, collection.records())
        _range_files(manifest, own_ids, gen_dir)
        write_manifest_file(gen_dir / MANIFEST, manifest)
        write_atomic(settings.index_dir / POINTER, generation + "\n")
    except BaseException as exc:
        _discard_generation(settings, generation)
        failure = None if isinstance(exc, IndexProblem) else _write_failure(exc)
        if failure is not None:
            raise failure from exc
        raise
    return generation, manifest


def _range_files(manifest: Manifest, own_ids: list[str], gen_dir: Path) -> None:
    """Name the chunks of the files in the new generation's own collection (new, changed
    and moved ones) by their range in its stored id list. The store keeps a file's chunks
    together in the order they were added; a file whose chunks it returned otherwise
    (not seen) keeps its id list, which serving reads as before."""
    position = {cid: at for at, cid in enumerate(own_ids)}
    stored: list[Any] = []

    def source() -> Any:
        if not stored:
            stored.append(stored_chunk_ids(gen_dir))
        return stored[0]

    for source_name, entry in manifest.files.items():
        if entry.layer is not None:
            continue  # stays in its layer with its range (or list) from the old manifest
        ids = list(entry.ids)
        first = position.get(ids[0], -1) if ids else 0
        if first >= 0 and own_ids[first : first + len(ids)] == ids:
            ranged = ChunkRange(first, len(ids))
            ranged.bind(source)
            entry.ids = ranged
        else:
            log.warning("chunks of %s are not stored together: listed by id", source_name)
            entry.ids = ids


def _units_with_layers(
    settings: Settings,
    old_gen: str,
    old_manifest: Manifest,
    layout: _Layout,
    own: UnitSum,
) -> tuple[int, list[float] | None]:
    """Count and centroid of all answer units the new generation serves, without reading
    the layers' units: the old generation's totals, minus the units of the files that left
    their layer (changed, removed or moved), plus this generation's own ones."""
    import numpy as np

    old_units = old_manifest.units
    assert old_units is not None and old_units.centroid is not None
    total = np.asarray(old_units.centroid, dtype=np.float64) * old_units.count
    count = old_units.count
    gone = UnitSum()
    by_layer: dict[str, list[str]] = {}
    for source, entry in old_manifest.files.items():
        # translations' units were never part of the centroid (see _add_units)
        if source not in layout.stay and not entry.translation_of:
            by_layer.setdefault(entry.layer or old_gen, []).extend(entry.ids)
    for layer, ids in by_layer.items():
        vectors = [r.vector for r in _unit_records(settings, layer, ids)]
        if vectors:
            gone.add(vectors)
    if gone.total is not None:
        total = total - gone.total
        count -= gone.count
    if own.total is not None:
        total = total + own.total
        count += own.count
    if count <= 0:
        return 0, None
    return count, [round(float(x), 6) for x in total / count]


def _npz_keys(name: str) -> tuple[str, str]:
    """(vectors, fingerprint) keys of a `bot/data` file in background.npz; the background
    passages keep the keys the first version wrote."""
    if name == "background.txt":
        return "vectors", "fingerprint"
    stem = name.removesuffix(".txt")
    return stem, f"{stem}_fingerprint"


def _store_background(
    settings: Settings, embedder: BotEmbeddings, gen_dir: Path, old_gen: str | None
) -> None:
    """Write the vectors of the fixed texts (`reference_texts.STORED_TEXTS`) into the new
    generation: the old generation's file when it holds all of them, made from the same
    lines (the model is the same, check_compatible saw to that); else each set from the old
    file or embedded now, once per build instead of once per start."""
    import numpy as np

    old_dir = _generation_dir(settings.index_dir, old_gen) if old_gen else None
    old = _read_reference_vectors(old_dir) if old_dir is not None else {}
    if old_dir is not None and set(old) == set(reference_texts.STORED_TEXTS):
        shutil.copyfile(old_dir / BACKGROUND, gen_dir / BACKGROUND)
        return
    arrays: dict[str, Any] = {}
    for name, as_queries in reference_texts.STORED_TEXTS.items():
        vectors = old.get(name)
        if vectors is None:
            vectors = reference_texts.cached_vectors(embedder, name, as_queries)
        key, fingerprint = _npz_keys(name)
        arrays[key] = vectors
        arrays[fingerprint] = np.array([reference_texts.fingerprint(name)])
    with open(gen_dir / BACKGROUND, "wb") as handle:
        np.savez(handle, **arrays)


def _read_reference_vectors(gen_dir: Path) -> dict[str, Any]:
    """The stored vectors of each fixed text file whose lines are still this version's;
    {} when the generation has no file (built by an older version) or it is unreadable."""
    import numpy as np

    out: dict[str, Any] = {}
    try:
        with np.load(gen_dir / BACKGROUND, allow_pickle=False) as stored:
            for name in reference_texts.STORED_TEXTS:
                key, fingerprint = _npz_keys(name)
                if key not in stored.files or fingerprint not in stored.files:
                    continue  # written before this file was stored
                if str(stored[fingerprint][0]) == reference_texts.fingerprint(name):
                    out[name] = np.asarray(stored[key], dtype=np.float32)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, IndexError) as exc:
        log.warning("stored background vectors unreadable (%s); computing them", exc)
        return {}
    return out


def _read_background(gen_dir: Path) -> Any:
    """The stored background vectors, or None when the generation has none (built by an
    older version) or they were made from other passages than this version's."""
    return _read_reference_vectors(gen_dir).get("background.txt")


def _add(collection: VectorStore, chunks: list[Document], vectors: list[list[float]]) -> None:
    collection.add(
        [_chunk_id(c) for c in chunks],
        vectors,
        [c.page_content for c in chunks],
        [c.metadata for c in chunks],
    )


class UnitSum:
    """The running sum of all unit vectors of a generation, for the centroid that the
    answer composer uses to tell generic topic sentences from answering ones."""

    def __init__(self) -> None:
        self.total: Any = None
        self.count = 0

    def add(self, vectors: Any) -> None:
        import numpy as np

        matrix = np.asarray(vectors, dtype=np.float64)
        if not matrix.size:
            return
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-12
        part = matrix.sum(axis=0)
        self.total = part if self.total is None else self.total + part
        self.count += len(matrix)

    def centroid(self) -> list[float] | None:
        if self.total is None or not self.count:
            return None
        return [round(float(x), 6) for x in self.total / self.count]


def _add_units(
    units: VectorStore, embedder: BotEmbeddings, chunks: list[Document], unit_sum: UnitSum
) -> None:
    """Embed the answer units of new chunks now, so that choosing the sentences that
    answer a question costs no embedding at question time (about 350 ms for the units of
    three passages on 2 cores)."""
    ids: list[str] = []
    texts: list[str] = []
    metadatas: list[Metadata] = []
    for chunk in chunks:
        for unit in split_units(chunk.page_content):
            ids.append(f"{chunk.id}:{unit.position}")
            texts.append(unit.text)
            metadatas.append(
                {"chunk": chunk.id, "pos": unit.position, "kind": unit.kind, "group": unit.group}
            )
    if not ids:
        return
    # the heading gives a short unit its topic ("Kosten: ... 51 Euro" belongs to Einbürgerung)
    heads = {c.id: unit_context(c.metadata) for c in chunks}
    vectors = embedder.embed_documents(
        [f"{heads[m['chunk']]}: {t}" for t, m in zip(texts, metadatas, strict=True)]
    )
    units.add(ids, vectors, texts, metadatas)
    # the centroid is the originals' (translations would pull it toward their languages and
    # change which German sentences count as generic)
    translated = {c.id for c in chunks if c.metadata.get("translation_of")}
    unit_sum.add(
        [v for v, m in zip(vectors, metadatas, strict=True) if m["chunk"] not in translated]
    )


def _unit_records(settings: Settings, generation: str, chunk_ids: list[str]) -> Iterator[Record]:
    """The answer units (with vectors) of these chunks in a generation's unit collection;
    none when it has no such collection (an index built before answer units)."""
    try:
        source = open_store(settings, generation, units=True)
    except Exception:
        return
    for start in range(0, len(chunk_ids), 500):
        yield from source.get(where={"chunk": chunk_ids[start : start + 500]}, with_vectors=True)


def _copy_units(
    settings: Settings,
    old_gen: str,
    target: VectorStore,
    chunk_ids: list[str],
    unit_sum: UnitSum,
    counted: set[str] | None = None,
) -> None:
    """Units of unchanged chunks keep their vectors (an index without units gets none:
    the answer composer then embeds them when first needed)."""
    batch: list[Record] = []

    def flush() -> None:
        _copy(batch, target)
        unit_sum.add(
            [r.vector for r in batch if counted is None or r.metadata.get("chunk") in counted]
        )
        batch.clear()

    for record in _unit_records(settings, old_gen, chunk_ids):
        batch.append(record)
        if len(batch) >= _COPY_BATCH:
            flush()
    if batch:
        flush()


def _copy_records(settings: Settings, old_gen: str, target: VectorStore, ids: list[str]) -> None:
    source = open_store(settings, old_gen)
    for start in range(0, len(ids), _COPY_BATCH):
        wanted = ids[start : start + _COPY_BATCH]
        got = source.get(ids=wanted, with_vectors=True)
        if len(got) != len(wanted):
            raise IndexProblem(
                "The current index is missing vectors: run `python -m bot index --rebuild`."
            )
        # in the order asked for: each file's chunks one after the other (its chunk range)
        order = {cid: at for at, cid in enumerate(wanted)}
        _copy(sorted(got, key=lambda r: order[r.id]), target)


def _copy(records: list[Record], target: VectorStore) -> None:
    vectors = [r.vector for r in records if r.vector is not None]
    if len(vectors) != len(records):
        raise IndexProblem("The current index has records without vectors: run --rebuild.")
    target.add(
        [r.id for r in records],
        vectors,
        [r.text for r in records],
        [r.metadata for r in records],
    )


def _discard_generation(settings: Settings, generation: str) -> None:
    with contextlib.suppress(Exception):  # a store that is gone or unreachable: nothing to do
        drop_generation(settings, generation)
    shutil.rmtree(settings.index_dir / generation, ignore_errors=True)


def _remove_old_generations(settings: Settings, keep_names: set[str]) -> None:
    """Keep the serving generation and the one before it (a running app may still read it)."""
    for path in settings.index_dir.glob("g-*"):
        if path.is_dir() and path.name not in keep_names:
            _discard_generation(settings, path.name)


# --- reading ----------------------------------------------------------------------------------


def load_index(settings: Settings, embedder: BotEmbeddings) -> LoadedIndex:
    """Open the serving generation; refuse a missing, corrupt or other-model index."""
    generation = current_generation(settings.index_dir)
    problem = pointer_problem(settings.index_dir)
    if not generation:
        if problem and (settings.index_dir / POINTER).exists():
            raise IndexMissing(
                f"No complete index generation in {settings.index_dir} ({problem}). "
                "Run `python -m bot index --rebuild`."
            )
        raise IndexMissing(
            f"No index in {settings.index_dir}. Run `python -m bot index` to build it."
        )
    if problem:
        log.warning("%s; serving the newest complete generation %s", problem, generation)
    manifest = read_manifest(settings.index_dir, generation)
    check_compatible(manifest, embedder)
    with_units = manifest.units is not None and manifest.units.segmenter == SEGMENTER_VERSION
    if manifest.units is not None and not with_units:
        log.warning(
            "The answer units of index generation %s were cut by an older segmenter "
            "(version %s, now %s): answers cut and embed them on the fly, more slowly, "
            "until `python -m bot index` runs.",
            generation,
            manifest.units.segmenter,
            SEGMENTER_VERSION,
        )
    units: VectorStore | None = None
    layers = _layer_files(generation, manifest)
    names = sorted(layers)  # older generations first (generation names sort by time)
    found = {name: _generation_dir(settings.index_dir, name) for name in layers}
    folders = {name: folder for name, folder in found.items() if folder is not None}
    stored = len(folders) == len(layers) and all(has_lexical(f) for f in folders.values())
    if not stored and any(files.ranges for files in layers.values()):
        raise IndexProblem(
            f"The index in {settings.index_dir} is missing its stored chunk ids: "
            "run `python -m bot index --rebuild`."
        )
    preloaded: dict[str, Record] | None = None
    ids: Sequence[str]
    lexical: StoredBM25 | None = None
    spans: FileSpans | None = None
    try:
        masks: list[tuple[Path, np.ndarray | None]] = []
        if stored:
            masks = [
                (folders[name], None if len(names) == 1 else layers[name].mask(folders[name]))
                for name in names
            ]
        if len(names) > 1:
            collection, units = _open_layers(settings, names, layers, masks, with_units)
        else:
            collection = open_store(settings, generation)
            if stored and collection.count() != manifest.chunks:
                raise IndexProblem(
                    f"The index in {settings.index_dir} is missing records "
                    f"({collection.count()} of {manifest.chunks}): "
                    "run `python -m bot index --rebuild`."
                )
        if stored:
            chunk_ids = ChunkIds(masks)
            ids = chunk_ids
            lexical = StoredBM25(masks)
            spans = _spans(manifest, names, layers, chunk_ids)
            if manifest.chunks <= PRELOAD_CHUNKS:
                preloaded = {r.id: r for r in collection.records()}
        else:  # written before BM25 was stored: read every chunk, as before
            records = list(collection.records())
            preloaded = {r.id: r for r in records}
            ids = [r.id for r in records]
    except IndexProblem:
        raise
    except Exception as exc:
        raise IndexProblem(
            f"The index in {settings.index_dir} cannot be opened ({type(exc).__name__}). "
            "Run `python -m bot index --rebuild`."
        ) from exc
    if len(ids) != manifest.chunks:
        raise IndexProblem(
            f"The index in {settings.index_dir} is missing records ({len(ids)} of "
            f"{manifest.chunks}): run `python -m bot index --rebuild`."
        )
    if with_units and units is None:
        with contextlib.suppress(Exception):
            units = open_store(settings, generation, units=True)
    folder = folders.get(generation) or _generation_dir(settings.index_dir, generation)
    vectors = _read_reference_vectors(folder) if folder is not None else {}
    background = vectors.pop("background.txt", None)
    for name, stored_vectors in vectors.items():  # the example questions: answering finds them
        reference_texts.remember(embedder, name, stored_vectors)
    if background is None:
        log.warning(
            "index generation %s has no stored background vectors: computing them at every "
            "start; the next index run that changes something (or --rebuild) stores them",
            generation,
        )
    if lexical is None:
        log.warning(
            "index generation %s has no stored BM25: reading every chunk at every start; "
            "the next index run that changes something (or --rebuild) stores it",
            generation,
        )
    return LoadedIndex(
        generation=generation,
        manifest=manifest,
        collection=collection,
        ids=ids,
        units=units,
        background=background,
        lexical=lexical,
        preloaded=preloaded,
        spans=spans,
    )


@dataclass
class _LayerFiles:
    """What one layer serves for a generation: files by chunk range (source, first, count)
    and, from manifests that list them (formats 1 and 2), chunk ids."""

    ranges: list[tuple[str, int, int]] = field(default_factory=list)
    listed: set[str] = field(default_factory=set)

    @property
    def served(self) -> int:
        return sum(count for _, _, count in self.ranges) + len(self.listed)

    def mask(self, folder: Path) -> np.ndarray | None:
        """Which of the layer's stored chunks (store order) it serves; None: all."""
        if self.listed and not self.ranges:
            return served_mask(folder, self.listed)
        mask = np.zeros(len(stored_chunk_ids(folder)), dtype=bool)
        for _, first, count in self.ranges:
            mask[first : first + count] = True
        if self.listed:
            listed = served_mask(folder, self.listed)
            mask |= True if listed is None else listed
        return None if mask.all() else mask


def _layer_files(generation: str, manifest: Manifest) -> dict[str, _LayerFiles]:
    """Generation name -> the chunks it serves for this generation (itself for most)."""
    serves: dict[str, _LayerFiles] = {generation: _LayerFiles()}
    for source, entry in manifest.files.items():
        files = serves.setdefault(entry.layer or generation, _LayerFiles())
        if isinstance(entry.ids, ChunkRange):
            files.ranges.append((source, entry.ids.first, entry.ids.size))
        else:
            files.listed.update(entry.ids)
    return serves


def _spans(
    manifest: Manifest, names: list[str], layers: dict[str, _LayerFiles], ids: ChunkIds
) -> FileSpans | None:
    """Where each file's chunks are in `ids`, from the chunk ranges; None when some files
    list their ids (an older manifest: `LoadedIndex.file_spans` reads those lists)."""
    if any(layers[name].listed for name in names):
        return None
    starts: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    sources: list[str] = []
    for number, name in enumerate(names):
        ranges = [(s, first, count) for s, first, count in layers[name].ranges if count]
        firsts = np.asarray([first for _, first, _ in ranges], dtype=np.int64)
        starts.append(ids.positions(number, firsts))
        counts.append(np.asarray([count for _, _, count in ranges], dtype=np.int64))
        sources.extend(s for s, _, _ in ranges)
    start = np.concatenate(starts) if starts else np.zeros(0, dtype=np.int64)
    order = np.argsort(start, kind="stable")
    return FileSpans(
        start[order],
        (np.concatenate(counts) if counts else start)[order],
        [_file_meta(sources[at], manifest.files[sources[at]]) for at in order.tolist()],
    )


def _open_layers(
    settings: Settings,
    names: list[str],
    layers: dict[str, _LayerFiles],
    masks: list[tuple[Path, np.ndarray | None]],
    with_units: bool,
) -> tuple[VectorStore, VectorStore | None]:
    """A layered generation: each layer's store with the chunks it serves for this one,
    and the answer units the same way. With stored chunk ids (`masks`), a layer's served
    chunks are found by id on disk; else (older generations) by a set of their ids."""
    chunk_layers: list[Layer] = []
    unit_layers: list[Layer] = []
    for number, layer in enumerate(names):
        files = layers[layer]
        serves: Collection[str] = ServedIds(*masks[number]) if masks else frozenset(files.listed)
        store = open_store(settings, layer)
        stored = store.count()
        if stored < files.served:
            raise IndexProblem(
                f"The index in {settings.index_dir} is missing records ({stored} stored in "
                f"{layer}, {files.served} served from it): run `python -m bot index --rebuild`."
            )
        if stored <= SMALL_LAYER:  # an update's few chunks: no request
            store = MemoryStore.copy_of(store, collection_name(layer))
        chunk_layers.append(Layer(store, serves, stale=stored - files.served))
        if with_units:
            unit_store = open_store(settings, layer, units=True)
            # the units' stale count is not known without reading them; the composer reads
            # units by chunk and never queries them: counted only if that ever changes
            unit_layers.append(Layer(unit_store, serves, stale=None))
    units = LayeredStore(unit_layers, key=unit_chunk) if with_units else None
    return LayeredStore(chunk_layers), units


def index_exists(settings: Settings) -> bool:
    return current_generation(settings.index_dir) is not None
