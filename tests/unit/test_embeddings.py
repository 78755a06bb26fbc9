"""Finding locally cached sentence-transformers weights without paying for the hub client."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.embeddings import BotEmbeddings, CachedQueries, local_sentence_transformer_path

NAME = "intfloat/multilingual-e5-small"


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    return tmp_path / "hf" / "hub"


def test_uncached_model_is_not_looked_up_in_the_hub_client(
    hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub

    asked: list[object] = []
    monkeypatch.setattr(huggingface_hub, "snapshot_download", lambda *a, **k: asked.append(a))
    assert local_sentence_transformer_path(NAME) is None
    assert asked == [], "the hub client is not asked when nothing is cached"


@pytest.mark.parametrize("variable", ["HF_HOME", "HF_HUB_CACHE"])
def test_cached_model_is_found_through_the_hub_client(
    hub: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str
) -> None:
    import huggingface_hub

    if variable == "HF_HUB_CACHE":
        hub = tmp_path / "elsewhere"
        monkeypatch.setenv("HF_HUB_CACHE", str(hub))
    snapshot = hub / "models--intfloat--multilingual-e5-small" / "snapshots" / "abc"
    snapshot.mkdir(parents=True)
    asked: list[str] = []

    def snapshot_download(name: str, local_files_only: bool) -> str:
        assert local_files_only, "never the network"
        asked.append(name)
        return str(snapshot)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    assert local_sentence_transformer_path(NAME) == str(snapshot)
    assert asked == [NAME]


def test_local_folder_is_used_as_it_is(tmp_path: Path) -> None:
    assert local_sentence_transformer_path(str(tmp_path)) == str(tmp_path)


class _Counting(BotEmbeddings):
    """Counts how often a question is really embedded."""

    model_id, backend, dimension = "counting", "test", 2

    def __init__(self) -> None:
        self.queries: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[float(len(t)), 1.0] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return [float(len(text)), 0.5]


def test_a_repeated_question_is_embedded_once_and_old_ones_are_forgotten() -> None:
    inner = _Counting()
    cached = CachedQueries(inner, size=2)
    assert cached.identity == inner.identity  # the index manifest sees the real model
    first = cached.embed_query("Was kostet die Einbürgerung?")
    first.append(99.0)  # a caller changing its copy does not change the cache
    assert cached.embed_query("Was kostet die Einbürgerung?") == [28.0, 0.5]
    assert inner.queries == ["Was kostet die Einbürgerung?"]
    cached.embed_query("b")
    cached.embed_query("c")  # the cache holds two: the first question is gone
    cached.embed_query("Was kostet die Einbürgerung?")
    assert inner.queries == [
        "Was kostet die Einbürgerung?",
        "b",
        "c",
        "Was kostet die Einbürgerung?",
    ]
    assert cached.embed_documents(["abc"]) == [[3.0, 1.0]]  # documents are not cached


def test_a_follow_up_does_not_embed_the_conversation_s_first_question_again(
    settings: object, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A follow-up searches its conversation's first question again (to keep its page)."""
    from bot.answering.assistant import Assistant
    from bot.embeddings import make_embedder
    from bot.indexing.build import build_index

    (corpus_dir / "kita.md").write_text(
        "# Kita\n\nKinder ab einem Jahr haben Anspruch auf einen Kita-Platz.\n\n"
        "## Kosten\n\nDer Beitrag richtet sich nach dem Einkommen der Eltern.\n",
        encoding="utf-8",
    )
    inner = make_embedder("fake")
    build_index(settings, inner)  # type: ignore[arg-type]
    calls: list[str] = []
    original = inner.embed_query

    def counting(text: str) -> list[float]:
        calls.append(text)
        return original(text)

    monkeypatch.setattr(inner, "embed_query", counting)
    assistant = Assistant(settings, inner)  # type: ignore[arg-type]
    first = "Ab wann hat mein Kind Anspruch auf einen Kita-Platz?"
    answer = assistant.ask(first)
    assistant.ask("und was kostet das?", [(first, answer.text)])
    assert calls.count(first) == 1


def test_answer_card_phrasings_do_not_fill_the_question_cache(
    settings: object, corpus_dir: Path
) -> None:
    """The cards' phrasings are embedded once and kept on disk; in the question cache they
    would only push out questions."""
    import shutil

    from bot.answering.assistant import Assistant
    from bot.embeddings import make_embedder, uncached
    from bot.indexing.build import build_index

    root = Path(__file__).resolve().parents[2]
    cards = corpus_dir / "_antwortkarten"
    cards.mkdir()
    shutil.copy(root / "corpus" / "_antwortkarten" / "abschiebung-droht.md", cards)
    (corpus_dir / "kita.md").write_text("# Kita\n\nKinder ab einem Jahr.\n", encoding="utf-8")
    inner = make_embedder("fake")
    build_index(settings, inner)  # type: ignore[arg-type]
    assistant = Assistant(settings, inner)  # type: ignore[arg-type]
    question = "Mir droht die Abschiebung, was kann ich tun?"
    assistant.ask(question)
    cached = assistant.embedder
    assert isinstance(cached, CachedQueries) and uncached(cached) is inner
    assert list(cached._cache) == [question]
