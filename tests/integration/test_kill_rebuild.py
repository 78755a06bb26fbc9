"""A real `python -m bot index --rebuild` process killed mid-build: the old index survives,
and the next run removes the half-built generation."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import Settings
from bot.embeddings import make_embedder
from bot.indexing.build import build_index, current_generation, load_index

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_killed_rebuild_leaves_old_index_serving(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    settings = Settings(_env_file=None, corpus_dir=corpus, index_dir=tmp_path / "index")  # type: ignore[call-arg]
    embedder = make_embedder(settings.embedding_model)
    first = build_index(settings, embedder)
    old = current_generation(settings.index_dir)

    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "index",
            "--corpus",
            str(corpus),
            "--index",
            str(settings.index_dir),
            "--rebuild",
            "--json",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    # wait until the new generation exists (embedding has started), then kill -9
    while len(list(settings.index_dir.glob("g-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert proc.poll() is None, "the rebuild finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)

    assert current_generation(settings.index_dir) == old
    index = load_index(settings, embedder)
    assert len(index.ids) == first.chunks
    (half,) = {p.name for p in settings.index_dir.glob("g-*")} - {old}
    assert not (settings.index_dir / half / "manifest.json").exists(), "it was cut off"

    # the next run, even one with nothing to do, removes the killed build's generation
    noop = build_index(settings, embedder)
    assert (noop.added, noop.updated, noop.removed) == (0, 0, 0)
    assert {p.name for p in settings.index_dir.glob("g-*")} == {old}, "half-built one removed"
    assert current_generation(settings.index_dir) == old

    # the next build still works (the lock died with the process) and cleans up
    again = build_index(settings, embedder, rebuild=True)
    assert again.chunks == first.chunks
    assert current_generation(settings.index_dir) != old
    remaining = {p.name for p in settings.index_dir.glob("g-*")}
    assert remaining == {old, again.generation}, "the killed build's leftovers are removed"
