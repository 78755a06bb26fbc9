"""Shared fixtures: all state under tmp_path, fakes registered through the real interfaces."""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path

import pytest

from bot.answering.answer import Answer, Citation
from bot.answering.assistant import Assistant, Delta
from bot.config import Settings
from bot.embeddings import BotEmbeddings, register_embedder
from bot.staff.users import UserStore

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = ROOT / "corpus"


class FakeEmbeddings(BotEmbeddings):
    """Deterministic hashed bag of character trigrams: fast, offline, roughly lexical."""

    backend = "fake"

    def __init__(self, model_id: str = "fake", dimension: int = 256) -> None:
        self.model_id = model_id
        self.dimension = dimension
        self.calls = 0  # documents embedded
        self.queries = 0  # questions embedded

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dimension
        for word in re.findall(r"\w+", text.lower()):
            padded = f" {word} "
            for i in range(len(padded) - 2):
                digest = hashlib.md5(padded[i : i + 3].encode()).digest()
                vec[int.from_bytes(digest[:4], "little") % self.dimension] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += len(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.queries += 1
        return self._vector(text)


register_embedder("fake", FakeEmbeddings)
register_embedder("fake-other", lambda: FakeEmbeddings(model_id="fake-other"))


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's .env or BOT_* variables, or writes outside tmp_path."""
    import os

    for key in list(os.environ):
        if key.upper().startswith("BOT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("BOT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    path = tmp_path / "corpus"
    path.mkdir()
    return path


@pytest.fixture
def settings(tmp_path: Path, corpus_dir: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        corpus_dir=corpus_dir,
        index_dir=tmp_path / "index",
        data_dir=tmp_path / "data",
        embedding_model="fake",
    )


@pytest.fixture
def fake_embedder() -> FakeEmbeddings:
    from bot.embeddings import make_embedder

    embedder = make_embedder("fake")
    assert isinstance(embedder, FakeEmbeddings)
    return embedder


@pytest.fixture
def users(tmp_path: Path) -> UserStore:
    """Two accounts: anna (admin) and ben (staff)."""
    store = UserStore(tmp_path / "users.json")
    store.add("anna", "admin", "sehr-geheim-123")
    store.add("ben", "staff", "auch-geheim-456")
    return store


class OneAnswer:
    """A stand-in assistant: answers every question the same way, with `cite` as source."""

    def __init__(self, cite: Citation | None = None) -> None:
        self.calls = 0
        self.histories: list[object] = []
        self.cite = cite or Citation(
            1, "einbuergerung.md", "Einbürgerung", "Kosten", 0.9, "255 Euro", ""
        )

    def reload_if_changed(self) -> bool:
        return False

    def ask(self, question: str, history: object = None) -> Answer:
        return next(iter(self.stream(question, history)))

    def stream(self, question: str, history: object, page_language: object = None):  # noqa: ANN201
        self.calls += 1
        self.histories.append(history)
        yield Answer(
            question,
            "Die Gebühr beträgt 255 Euro.",
            refused=False,
            language="de",
            sources=[self.cite],
        )


def collect(assistant: Assistant, question: str) -> tuple[list[str], Answer]:
    """The streamed text pieces of an answer and the final Answer."""
    deltas: list[str] = []
    final: Answer | None = None
    for event in assistant.stream(question):
        if isinstance(event, Delta):
            deltas.append(event.text)
        else:
            final = event
    assert final is not None
    return deltas, final


def list_chunk_ids(index_dir: Path, generation: str) -> None:
    """Rewrite a generation's manifest as versions before chunk ranges wrote it (format 1,
    or 2 when it reads layers): every file lists its chunk ids."""
    from bot.indexing.build import layers_of, read_manifest
    from bot.indexing.format import LAYERED_FORMAT, MANIFEST_FORMAT, write_manifest_file

    manifest = read_manifest(index_dir, generation)
    for entry in manifest.files.values():
        entry.ids = list(entry.ids)
    manifest.format = LAYERED_FORMAT if layers_of(manifest) else MANIFEST_FORMAT
    write_manifest_file(index_dir / generation / "manifest.json", manifest)
