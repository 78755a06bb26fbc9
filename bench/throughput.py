"""Answers per second of one app process: Gradio's queue against the JSON endpoint.

    .venv/bin/python bench/throughput.py [--clients 1,4,16] [--seconds 30] [--rounds 1]
                                         [--index DIR] [--json]

Starts `app.py` on a free loopback port (a fresh index of corpus/, or `--index`), with the
request limits raised so that they do not cap the measurement, then for each number of
clients runs both ways of asking, interleaved (Gradio, JSON, Gradio, JSON, ... over
`--rounds`): every client asks the next question of the evaluation set as soon as its last
answer arrived (no think time), for `--seconds`. Each Gradio client is one browser
session calling the chat's `ask` event as the page does (queue join, then the streamed
updates until the answer is complete); each JSON client posts to `/api/ask` over one
kept-alive connection.

Per run: answers/s, latency p50/p95, and CPU per answer of the server process
(`/proc/PID/stat`) and of this load generator, which shares the machine's cores: the
server's CPU per answer is what decides how many answers the cores can give. The rows go
to bench/throughput.jsonl (`--out`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def wait_for(url: str, proc: subprocess.Popen, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the app exited during start-up")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up")


class GradioAsker:
    """One browser session, speaking Gradio's queue protocol as the page does: join the
    chat's `ask` event, then read the session's event stream until the answer is complete
    (every streamed update included). `gradio_client` would do the same but polls its
    message queue every 50 ms and costs about 60 ms of this machine's CPU per answer
    (measured), which the server's cores would then lack."""

    def __init__(self, url: str, address: str) -> None:
        import httpx

        self.api = url + "gradio_api/"
        self.client = httpx.Client(timeout=120, headers={"X-Forwarded-For": address})
        config = self.client.get(url + "config").json()
        event = next(d for d in config["dependencies"] if d.get("api_name") == "ask")
        self.fn_index, self.trigger = event["id"], event["targets"][0][0]
        self.session = secrets.token_hex(6)

    def __call__(self, question: str) -> bool:
        joined = self.client.post(
            self.api + "queue/join",
            json={
                "data": [question, [], None],
                "event_data": None,
                "fn_index": self.fn_index,
                "trigger_id": self.trigger,
                "session_hash": self.session,
            },
        )
        event_id = joined.json()["event_id"]
        params = {"session_hash": self.session}
        with self.client.stream("GET", self.api + "queue/data", params=params) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                if msg["msg"] == "process_completed" and msg.get("event_id") == event_id:
                    history = msg["output"]["data"][0] if msg.get("success") else []
                    return bool(history) and history[-1]["role"] == "assistant"
        return False


class JsonAsker:
    """One program posting to `/api/ask` over a kept-alive connection."""

    def __init__(self, url: str, address: str) -> None:
        import httpx

        self.url = url + "api/ask"
        self.client = httpx.Client(timeout=120, headers={"X-Forwarded-For": address})

    def __call__(self, question: str) -> bool:
        response = self.client.post(self.url, json={"question": question})
        return response.status_code == 200 and "answer" in response.json()


def run(
    mode: str, url: str, pid: int, clients: int, seconds: float, questions: list[str]
) -> dict[str, object]:
    kind = GradioAsker if mode == "gradio" else JsonAsker
    askers = [kind(url, f"198.18.{n // 250}.{n % 250 + 1}") for n in range(clients)]
    for asker in askers:  # warm: connections open, sessions exist
        asker(questions[0])
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    stop_at = 0.0

    def loop(asker: object, seed: int) -> None:
        rng = random.Random(seed)
        barrier.wait()
        while time.monotonic() < stop_at:
            question = rng.choice(questions)
            started = time.perf_counter()
            try:
                ok = asker(question)  # type: ignore[operator]
            except Exception as exc:  # counted; the run goes on
                ok, kind_name = False, type(exc).__name__
            else:
                kind_name = "bad reply"
            took = time.perf_counter() - started
            with lock:
                (latencies.append(took) if ok else errors.append(kind_name))

    threads = [threading.Thread(target=loop, args=(a, n)) for n, a in enumerate(askers)]
    for thread in threads:
        thread.start()
    server_before, own_before = cpu_seconds(pid), time.process_time()
    started = time.monotonic()
    stop_at = started + seconds
    barrier.wait()
    for thread in threads:
        thread.join(seconds + 180)
    elapsed = time.monotonic() - started
    server_cpu, own_cpu = cpu_seconds(pid) - server_before, time.process_time() - own_before
    latencies.sort()
    answers = len(latencies)
    return {
        "mode": mode,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "answers": answers,
        "errors": len(errors),
        "answers_per_second": round(answers / elapsed, 2),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(latencies[int(0.95 * (answers - 1))] * 1000, 1) if latencies else None,
        "server_cpu_ms_per_answer": round(server_cpu / answers * 1000, 1) if answers else None,
        "client_cpu_ms_per_answer": round(own_cpu / answers * 1000, 1) if answers else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--index", type=Path, help="an existing index (else built from corpus/)")
    parser.add_argument("--json", action="store_true", help="one JSON object per run")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "throughput.jsonl", help="rows written here"
    )
    args = parser.parse_args()
    questions = [
        json.loads(line)["q"]
        for line in (ROOT / "tests/eval/questions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    rows = []
    with tempfile.TemporaryDirectory(prefix="ki-throughput-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
        env.update(
            HF_HUB_OFFLINE="1",
            BOT_PORT=str(port),
            BOT_HOST="127.0.0.1",
            BOT_INDEX_DIR=str(args.index.resolve() if args.index else Path(tmp) / "index"),
            BOT_DATA_DIR=f"{tmp}/data",
            BOT_USERS_FILE=f"{tmp}/data/users.json",
            # the limits protect a real server; here they would be what is measured
            BOT_REQUESTS_PER_MINUTE="1000000",
            BOT_REQUESTS_PER_MINUTE_PER_CLIENT="1000000",
            BOT_REQUESTS_PER_MINUTE_TOTAL="1000000",
        )
        server = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(url, server, 600)
            for clients in [int(c) for c in args.clients.split(",")]:
                for _ in range(args.rounds):
                    for mode in ("gradio", "json"):
                        row = run(mode, url, server.pid, clients, args.seconds, questions)
                        rows.append(row)
                        print(json.dumps(row) if args.json else row, flush=True)
        finally:
            server.terminate()
            server.wait(20)
    args.out.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return 0 if all(r["errors"] == 0 for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
