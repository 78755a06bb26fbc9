"""A real full disk (a tiny tmpfs) under a real `python -m bot index --rebuild` process.

Needs permission to mount a tmpfs (root in the CI container); skipped elsewhere, where
tests/unit/test_index.py covers the same path with a simulated ENOSPC.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.embeddings import make_embedder
from bot.indexing.build import build_index, current_generation, load_index

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    if not shutil.which("mount") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace')[:200]}")
    try:
        yield mount
    finally:  # lazy: this process's Chroma client may still hold files open on it
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_rebuild_fails_in_one_line_and_old_index_serves(small_disk: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        corpus_dir=ROOT / "corpus",
        index_dir=small_disk / "index",
        embedding_model="fake",
    )
    embedder = make_embedder("fake")
    first = build_index(settings, embedder)
    # unbuffered: a buffered file would raise ENOSPC again when it flushes on close
    with open(small_disk / "filler", "wb", buffering=0) as handle, pytest.raises(OSError):
        while True:
            handle.write(b"\0" * 65536)

    code = "import sys, tests.conftest; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env |= {"PYTHONPATH": str(ROOT), "BOT_EMBEDDING_MODEL": "fake", "HF_HUB_OFFLINE": "1"}
    args = ["index", "--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    done = subprocess.run(
        [sys.executable, "-c", code, *args, "--rebuild"],
        cwd=small_disk.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    # stderr may also hold progress bars (tqdm); the error itself is one line
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "kein Speicherplatz" in errors[0], done.stderr
    assert current_generation(settings.index_dir) == first.generation
    assert len(load_index(settings, embedder).ids) == first.chunks
    assert {p.name for p in settings.index_dir.glob("g-*")} == {first.generation}
