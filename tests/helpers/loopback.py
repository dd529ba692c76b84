"""A real HTTP server on loopback (http.server in a thread) that serves recorded answers.

Each route is a path with a handler `(path, query) -> (status, body bytes, delay seconds)`; every request
is logged (path and decoded query) so a test can check what was asked for. No mocking of the client: the
fetchers' requests go through a real socket.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

Answer = tuple[int, bytes, float]
Handler = Callable[[str, dict[str, str]], Answer]


def json_answer(payload: object, status: int = 200, delay_s: float = 0.0) -> Answer:
    return status, json.dumps(payload).encode(), delay_s


class Loopback:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.base = ""

    def route(self, prefix: str, handler: Handler) -> None:
        """Answer every path that starts with `prefix` (the longest prefix wins)."""
        self.routes[prefix] = handler

    def static(self, prefix: str, answer: Answer) -> None:
        """Always the same answer, whatever the query (a static file)."""
        self.routes[prefix] = lambda path, query: answer

    def asked(self, prefix: str) -> list[tuple[str, dict[str, str]]]:
        return [request for request in self.requests if request[0].startswith(prefix)]


@contextmanager
def loopback_server() -> Iterator[Loopback]:
    state = Loopback()

    class RecordedHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
            state.requests.append((path, query))
            matches = [prefix for prefix in state.routes if path.startswith(prefix)]
            if not matches:
                status, body, delay = 404, b'{"error": "not found"}', 0.0
            else:
                status, body, delay = state.routes[max(matches, key=len)](path, query)
            if delay:
                time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                pass

        def log_message(self, format: str, *args: object) -> None:  # quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordedHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
