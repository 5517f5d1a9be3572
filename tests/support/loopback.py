"""A loopback HTTP server in a thread of the test process, for tests of HTTP clients.

Subclass `LoopbackServer` with an `answer(request)` method that writes the response;
use it as a context manager: the server runs inside the `with` block.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:
    """A ThreadingHTTPServer on `host`, on a free port, handing each request of `methods` to `answer`."""

    def __init__(self, host: str = "127.0.0.1", methods: tuple[str, ...] = ("GET", "POST")) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep pytest's output clean
                pass

            def dispatch(self):
                server.answer(self)

        for method in methods:
            setattr(Handler, "do_" + method, Handler.dispatch)
        self.http = ThreadingHTTPServer((host, 0), Handler)
        self.http.daemon_threads = True
        self.port = self.http.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    def answer(self, request: BaseHTTPRequestHandler) -> None:
        """Read the request and write the response (what a subclass defines)."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop serving and release the port."""
        self.http.shutdown()
        self.http.server_close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
