"""Bounded load test on loopback: N simulated citizens chat with the real app for T seconds.

    .venv/bin/python bench/load.py [--users 20] [--seconds 60] [--think 3]

Starts `app.py` on a free loopback port with a fresh index of corpus/, then each user
(its own Gradio client, so its own session) asks questions from the evaluation set with
a think time between them. Prints answers, errors (technical error replies or failed
requests), replies of the per-session rate limit and answer latency p50/p95, and writes
bench/load.json. Traffic goes only to 127.0.0.1; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.i18n import MESSAGES  # noqa: E402

# Replies that are not answers, in any language: a technical error, or the per-session
# limit (BOT_REQUESTS_PER_MINUTE) answering a simulated user who asked too fast.
ERROR_TEXTS = list(MESSAGES["error"].values())
LIMIT_TEXTS = list(MESSAGES["rate_limited"].values())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up")


def user(
    url: str, questions: list[str], stop_at: float, think: float, out: dict, n: int = 0
) -> None:
    from gradio_client import Client

    rng = random.Random()
    # each simulated citizen has its own address, as behind a proxy (the app trusts
    # X-Forwarded-For from loopback), so the per-client limit counts each one apart
    headers = {"X-Forwarded-For": f"198.18.{n // 250}.{n % 250 + 1}"}
    client = Client(url, verbose=False, headers=headers)
    while time.monotonic() < stop_at:
        question = rng.choice(questions)
        started = time.perf_counter()
        try:
            result = client.predict(question, [], api_name="/ask")
            text = json.dumps(result, ensure_ascii=False)
            if any(t in text for t in ERROR_TEXTS):
                out["errors"].append("error answer")
            elif any(t in text for t in LIMIT_TEXTS):
                out["rate_limited"] += 1
            else:
                out["latencies"].append(time.perf_counter() - started)
        except Exception as exc:  # a failed request is counted, the test goes on
            out["errors"].append(type(exc).__name__)
        time.sleep(rng.uniform(0.5 * think, 1.5 * think))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=3.0)
    args = parser.parse_args()

    questions = [
        json.loads(line)["q"]
        for line in (ROOT / "tests/eval/questions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
        env.update(
            BOT_PORT=str(port),
            BOT_HOST="127.0.0.1",
            BOT_INDEX_DIR=f"{tmp}/index",
            BOT_DATA_DIR=f"{tmp}/data",
            BOT_USERS_FILE=f"{tmp}/data/users.json",
        )
        server = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(url, 300)
            out: dict = {"latencies": [], "errors": [], "rate_limited": 0}
            stop_at = time.monotonic() + args.seconds
            threads = [
                threading.Thread(target=user, args=(url, questions, stop_at, args.think, out, n))
                for n in range(args.users)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(args.seconds + 120)
        finally:
            server.terminate()
            server.wait(20)
    latencies = sorted(out["latencies"])
    result = {
        "users": args.users,
        "seconds": args.seconds,
        "think_seconds": args.think,
        "answers": len(latencies),
        "errors": len(out["errors"]),
        "error_kinds": sorted(set(out["errors"])),
        "rate_limited": out["rate_limited"],
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1)
        if latencies
        else None,
        "answers_per_second": round(len(latencies) / args.seconds, 2),
    }
    (ROOT / "bench" / "load.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
