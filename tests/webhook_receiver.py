"""A real webhook receiver for the tests: an HTTP server on 127.0.0.1 in a thread of the test
process that keeps every request it gets and answers with the statuses the test sets.

    with Receiver() as receiver:
        receiver.answers = [500, 200]      # the first request gets 500, the next 200, then 200
        receiver.hold.clear()              # requests wait (unanswered) until hold.set()
        ...
        receiver.requests[0].headers["webhook-id"], receiver.requests[0].json
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        # The webhook-id of every request as it arrives, answered or not.
        self.arrivals: list[str] = []
        self.answers: list[int] = []
        self.default = 200
        # Cleared: each request waits for it before it is answered (and recorded as arrived
        # in `arrived` at once).
        self.hold = threading.Event()
        self.hold.set()
        self.arrived = threading.Event()
        self.location = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                with receiver.lock:
                    receiver.arrivals.append(headers.get("webhook-id", ""))
                receiver.arrived.set()
                receiver.hold.wait(60)
                with receiver.lock:
                    receiver.requests.append(Received(self.path, headers, body))
                    status = receiver.answers.pop(0) if receiver.answers else receiver.default
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.location or "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()
