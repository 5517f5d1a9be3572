"""`llmrl-kg site --serve`: a local preview of a built site on 127.0.0.1 (never another interface)."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path

TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".json": "application/json",
         ".jsonld": "application/ld+json", ".ttl": "text/turtle; charset=utf-8",
         ".nq": "application/n-quads", ".wasm": "application/wasm", "": "application/octet-stream"}


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site's files with the right media types (WebAssembly needs application/wasm); logs nothing."""

    extensions_map = TYPES

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def preview_server(folder: Path, port: int = 8000) -> http.server.ThreadingHTTPServer:
    """An HTTP server for `folder` on 127.0.0.1:`port` (0: any free port), not yet serving."""
    handler = functools.partial(SiteHandler, directory=str(folder))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
