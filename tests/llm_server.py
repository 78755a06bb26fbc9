"""A real OpenAI-compatible HTTP server on loopback for tests: canned answers, errors, hangs.

It speaks the `/v1/chat/completions` streaming protocol (server-sent events) that
LangChain's ChatOpenAI uses, and records every request so tests can inspect the prompt.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeLLMServer:
    """mode: "answer" | "no_answer" | "500" | "429" | "hang" | "malformed" | "slow_stream"."""

    def __init__(self) -> None:
        self.mode = "answer"
        self.reply = "Die Gebühr beträgt 255 Euro [1]. Mehr steht in Quelle [7]."
        # when set, the reply is computed from the request (e.g. from the prompt's language)
        self.reply_for: Callable[[dict[str, Any]], str] | None = None
        self.requests: list[dict[str, Any]] = []
        self.hang_seconds = 30.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(body)
                server.handle(self, body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def handle(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        mode = self.mode
        if mode in {"500", "429"}:
            payload = json.dumps({"error": {"message": "boom", "type": "server_error"}}).encode()
            handler.send_response(int(mode))
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
            return
        if mode == "hang":
            time.sleep(self.hang_seconds)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        if mode == "malformed":
            handler.wfile.write(b"data: {not json at all\n\n")
            handler.wfile.flush()
            return
        reply = self.reply_for(body) if self.reply_for else self.reply
        text = "NO_ANSWER" if mode == "no_answer" else reply
        for i in range(0, len(text), 6):
            self._event(handler, {"content": text[i : i + 6]})
            if mode == "slow_stream":
                time.sleep(0.5)
        self._event(handler, {}, finish="stop")
        handler.wfile.write(b"data: [DONE]\n\n")
        handler.wfile.flush()

    @staticmethod
    def _event(
        handler: BaseHTTPRequestHandler, delta: dict[str, Any], finish: str | None = None
    ) -> None:
        chunk = {
            "id": "chatcmpl-test",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": "fake",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        handler.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        handler.wfile.flush()
