"""Run a parser in a forked child with a time and memory limit.

A parser on hostile input can loop, blow up in memory or crash (pypdf has had advisories
for all three; a 20 MB HTML page took about 100 s in BeautifulSoup). In the child, a hang
becomes a timeout and a crash an error reason, and the indexing process goes on with the
next file.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from typing import Any

from bot.ingest.documents import DocumentError

MEMORY_HEADROOM = 1536 * 1024 * 1024  # address space the child may add to what it inherits


def _limit_memory() -> None:
    try:
        import resource

        # A forked child inherits the parent's address space (models, libraries), so the
        # limit is what it already has plus a fixed headroom for parsing.
        with open("/proc/self/statm") as statm:
            inherited = int(statm.read().split()[0]) * resource.getpagesize()
        limit = inherited + MEMORY_HEADROOM
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # no limit on platforms without RLIMIT_AS or /proc


def _child(work: Callable[..., Any], args: tuple[Any, ...], what: str, conn: Any) -> None:
    _limit_memory()
    try:
        conn.send(work(*args))
    except MemoryError:
        conn.send({"error": f"{what} braucht zu viel Speicher beim Lesen"})
    except Exception as exc:  # a parser bug on hostile input must not stop indexing
        message = str(exc) if isinstance(exc, DocumentError) else None
        conn.send({"error": message or f"{what} kann nicht gelesen werden ({type(exc).__name__})"})
    finally:
        conn.close()


def run_in_child(work: Callable[..., Any], *args: Any, timeout: float, what: str) -> Any:
    """`work(*args)` in a forked child: its result (it must pickle), or {"error": reason}
    in German when it ran past `timeout` seconds, crashed or raised."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(work, args, what, child), daemon=True)
    proc.start()
    child.close()
    try:
        if parent.poll(timeout):
            try:
                return parent.recv()
            except EOFError:
                return {"error": f"{what}-Leser ist abgestürzt"}
        return {"error": f"{what}-Verarbeitung dauerte länger als {timeout:.0f} s (abgebrochen)"}
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
