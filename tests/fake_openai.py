"""A tiny OpenAI-compatible server on loopback for the LLM backend's tests: records each request and
answers from a queue of message contents, or with a reply of the test's own (an error, a redirect)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

# (status, headers, body) a test's `reply` returns instead of a chat completion
Reply = tuple[int, dict[str, str], bytes]


def completion(model: str, content: str) -> bytes:
    return json.dumps({"id": "x", "object": "chat.completion", "model": model,
                       "choices": [{"index": 0, "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": content}}]}).encode()


class FakeOpenAI:
    def __init__(self, answers: list[str], reply: Callable[[dict], Reply | None] | None = None):
        self.answers = list(answers)
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server API
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw) if raw else {}
                request = {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
                fake.requests.append(request)
                custom = reply(request) if reply else None
                if custom is None:
                    content = fake.answers.pop(0) if fake.answers else "{}"
                    custom = (200, {"Content-Type": "application/json"}, completion(body.get("model", ""), content))
                status, headers, payload = custom
                self.send_response(status)
                for key, value in {**headers, "Content-Length": str(len(payload))}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST  # a proxy's or a redirect's request arrives as whatever method it was

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
