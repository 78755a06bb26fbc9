"""Finding locally cached sentence-transformers weights without paying for the hub client."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.embeddings import local_sentence_transformer_path

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
