"""The on-disk index format as types, with the one reader and writer of its JSON files.

`manifest.json` (one per generation) says which model and chunking built the vectors and
which corpus files, in which version, they hold; `last_run.json` (one per index folder) is
the report of the last indexing run for the staff area. Both are written here and read
here, by the indexer, the staff area's document list and its statistics. The JSON stays as
earlier versions wrote it, key for key and in the same order, so existing indexes load and
a manifest read and written again is the same bytes; keys this version does not know are
kept (`extra`), keys older versions did not write (`units`, a file's `loader` and `layer`)
stay absent. Since format 3 a file names its chunks by a range (`chunks`) of the stored ids
of the generation holding them instead of listing them (`ids`): a list per file made the
manifest grow with every chunk (41 MB at 200 k chunks), read whole by every serving process.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, overload

MANIFEST_FORMAT = 1
# A generation that reads some files' records from the collections of older generations
# (`FileEntry.layer`): a version that does not know layers must refuse it, not serve a part.
LAYERED_FORMAT = 2
# Files name their chunks by a range into their layer's stored id list (`ChunkRange`) instead
# of listing every id: the manifest no longer grows with the chunks (41 MB at 200 k chunks
# as lists). A version that expects `ids` must refuse it. Formats 1 and 2 are still read.
RANGED_FORMAT = 3
READABLE_FORMATS = (MANIFEST_FORMAT, LAYERED_FORMAT, RANGED_FORMAT)
MANIFEST = "manifest.json"
LAST_RUN = "last_run.json"


class FormatError(ValueError):
    """A manifest or run report is not JSON of the expected shape."""


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


def _object(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise FormatError("not a JSON object")
    return data


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never a part."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@dataclass
class Skipped:
    """A corpus file a run could not use, with the German reason staff see."""

    source: str
    error: str


def _skipped(items: Any) -> list[Skipped]:
    return [Skipped(str(s["source"]), str(s["error"])) for s in items or []]


class ChunkRange(Sequence[str]):
    """A file's chunk ids as `size` consecutive entries from `first` of its layer's stored
    id list (`lexical/chunks.npy`, store order): a file's chunks are written one after the
    other. The length is known without reading; the ids are read (memory-mapped) only when
    asked for, which an update does for the few files it changes or moves. `bind` gives
    the id list once the generation folder is known (`bot.indexing.build.read_manifest`)."""

    __slots__ = ("_source", "first", "size")

    def __init__(self, first: int, size: int) -> None:
        if first < 0 or size < 0:
            raise ValueError("a chunk range starts and counts from 0")
        self.first = first
        self.size = size
        self._source: Callable[[], Any] | None = None

    def bind(self, source: Callable[[], Any]) -> None:
        """`source` returns the layer's stored ids in store order (opened on first use)."""
        self._source = source

    def _ids(self) -> list[str]:
        if self._source is None:
            raise LookupError("chunk range not bound to its generation's stored ids")
        ids = self._source()[self.first : self.first + self.size]
        return [str(i) for i in (ids.tolist() if hasattr(ids, "tolist") else ids)]

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, item: int) -> str: ...

    @overload
    def __getitem__(self, item: slice) -> list[str]: ...

    def __getitem__(self, item: int | slice) -> str | list[str]:
        return self._ids()[item]

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ChunkRange):
            return (self.first, self.size) == (other.first, other.size)
        if isinstance(other, list):
            return self._ids() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ChunkRange({self.first}, {self.size})"


@dataclass(slots=True)
class FileEntry:
    """One corpus file in a generation: its content hash and loader version decide whether
    the next run re-reads it; `ids` are its chunks' ids in the chunk collection: a list
    (manifests of format 1 and 2, and files just read) or a `ChunkRange` into the stored
    ids of the generation that holds them (format 3)."""

    sha256: str
    title: str
    updated: str | None = None
    valid_until: str | None = None
    url: str | None = None
    bytes: int = 0
    ids: Sequence[str] = field(default_factory=list)
    loader: int | None = None  # absent in manifests written before loader versions
    # the document's language (BCP 47, None: German) and the original it translates;
    # written only when set, so a manifest of an older version reads and writes the same
    lang: str | None = None
    translation_of: str | None = None
    # the generation whose collections hold this file's chunks and units; absent: this one
    layer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"sha256": self.sha256}
        if self.loader is not None:
            data["loader"] = self.loader
        data.update(
            title=self.title,
            updated=self.updated,
            valid_until=self.valid_until,
            url=self.url,
            bytes=self.bytes,
        )
        if isinstance(self.ids, ChunkRange):
            data["chunks"] = [self.ids.first, self.ids.size]
        else:
            data["ids"] = list(self.ids)
        if self.lang is not None:
            data["lang"] = self.lang
        if self.translation_of is not None:
            data["translation_of"] = self.translation_of
        if self.layer is not None:
            data["layer"] = self.layer
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileEntry:
        ids: Sequence[str]
        if "chunks" in data:
            first, count = data["chunks"]
            ids = ChunkRange(int(first), int(count))
        else:
            ids = [str(i) for i in data.get("ids") or []]
        return cls(
            sha256=str(data.get("sha256", "")),
            title=str(data.get("title") or ""),
            updated=data.get("updated"),
            valid_until=data.get("valid_until"),
            url=data.get("url"),
            bytes=int(data.get("bytes") or 0),
            ids=ids,
            loader=data.get("loader"),
            lang=data.get("lang"),
            translation_of=data.get("translation_of"),
            layer=data.get("layer"),
        )


@dataclass
class Embedding:
    """The model that made the vectors: another model's vectors cannot be compared."""

    model: str | None = None
    backend: str | None = None
    dimension: int | None = None


@dataclass
class Chunking:
    chunk_size: int
    chunk_overlap: int


@dataclass
class Units:
    """The answer units' collection: the segmenter that cut them, how many, and the mean
    direction of their vectors (the composer's generic-sentence reference)."""

    segmenter: int
    count: int
    centroid: list[float] | None = None


@dataclass
class Manifest:
    """A complete generation's description; it is written last, so it marks completeness."""

    format: int
    bot_version: str
    created: str
    embedding: Embedding
    chunking: Chunking | None
    collection: str
    chroma_url: str | None
    documents: int
    chunks: int
    files: dict[str, FileEntry] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    units: Units | None = None  # absent in generations built before answer units
    extra: dict[str, Any] = field(default_factory=dict)  # keys of a newer version, kept

    @property
    def unit_centroid(self) -> list[float] | None:
        return self.units.centroid if self.units else None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": self.format,
            "bot_version": self.bot_version,
            "created": self.created,
            "embedding": {k: v for k, v in asdict(self.embedding).items() if v is not None},
            "chunking": asdict(self.chunking) if self.chunking else None,
        }
        if self.units is not None:
            data["units"] = asdict(self.units)
        data.update(
            collection=self.collection,
            chroma_url=self.chroma_url,
            documents=self.documents,
            chunks=self.chunks,
            files={source: entry.to_dict() for source, entry in self.files.items()},
            skipped=[asdict(s) for s in self.skipped],
        )
        data.update(self.extra)
        return data

    def to_json(self) -> str:
        return _dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        try:
            embedding = data.get("embedding") or {}
            chunking = data.get("chunking")
            units = data.get("units")
            known = set(cls.__dataclass_fields__) - {"extra"}
            return cls(
                format=data.get("format", 0),
                bot_version=str(data.get("bot_version", "")),
                created=str(data.get("created", "")),
                embedding=Embedding(
                    embedding.get("model"), embedding.get("backend"), embedding.get("dimension")
                ),
                chunking=Chunking(**chunking) if chunking else None,
                collection=str(data.get("collection", "")),
                chroma_url=data.get("chroma_url"),
                documents=int(data.get("documents", 0)),
                chunks=int(data.get("chunks", 0)),
                files={s: FileEntry.from_dict(e) for s, e in (data.get("files") or {}).items()},
                skipped=_skipped(data.get("skipped")),
                units=Units(**units) if units else None,
                extra={k: v for k, v in data.items() if k not in known},
            )
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise FormatError(f"unexpected shape ({type(exc).__name__})") from exc

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        return cls.from_dict(_object(text))


@dataclass
class LastRun:
    """The report of the last indexing run, as the staff area shows it."""

    documents: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    generation: str | None = None
    embedded_chunks: int = 0
    embed_seconds: float = 0.0
    finished: str | None = None

    def to_json(self) -> str:
        return _dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> LastRun:
        data = _object(text)
        try:
            skipped = _skipped(data.get("skipped"))
            known = {k: data[k] for k in cls.__dataclass_fields__ if k in data and k != "skipped"}
            return cls(**known, skipped=skipped)
        except (KeyError, TypeError) as exc:
            raise FormatError(f"unexpected shape ({type(exc).__name__})") from exc


def read_manifest_file(path: Path) -> Manifest:
    """The manifest at `path`; FileNotFoundError when there is none, FormatError when broken."""
    return Manifest.from_json(path.read_text(encoding="utf-8"))


def write_manifest_file(path: Path, manifest: Manifest) -> None:
    write_atomic(path, manifest.to_json())


def read_last_run(index_dir: Path) -> LastRun | None:
    """The last run's report, or None when there is none or it cannot be read."""
    try:
        return LastRun.from_json((index_dir / LAST_RUN).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, FormatError):
        return None


def write_last_run(index_dir: Path, run: LastRun) -> None:
    write_atomic(index_dir / LAST_RUN, run.to_json())
