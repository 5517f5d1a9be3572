"""The guard in front of `serve`'s Oxigraph server: every query is checked before the engine sees it.

Oxigraph's server has no option to refuse SERVICE, nor a bound on a query's
size or nesting (3,000 nested `{` kill it). This small loopback proxy listens
on the public address, reads each SPARQL query (GET `?query=`, a form POST or an
`application/sparql-query` POST), refuses it with HTTP 400 and a one-line
reason when it is too large or deep (`check_complexity`) or uses SERVICE
(unless allowed), and otherwise forwards the request to the server on a
private loopback port, streaming the answer back. Idle or slow clients are
dropped after CLIENT_TIMEOUT seconds.
"""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from llmrl_kg.rdf.sparqltext import MAX_QUERY_CHARS, QueryTooComplex, check_complexity, tokenize

CLIENT_TIMEOUT = 20.0
MAX_BODY_BYTES = 4 * MAX_QUERY_CHARS  # a form-encoded query grows up to three times
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate", "content-length"}


def refusal(query: str, allow_service: bool) -> str | None:
    """Why `query` is refused (None: forward it): too large or deep, or SERVICE when not allowed."""
    try:
        check_complexity(query)
    except QueryTooComplex as error:
        return str(error)
    if not allow_service:
        for token in tokenize(query):
            if token.is_keyword("SERVICE"):
                return (f"SERVICE at line {token.line}, column {token.column}: this server does not call "
                        "other endpoints (start it with `llmrl-kg serve --allow-service` to allow it)")
    return None


def queries_of(method: str, target: str, content_type: str, body: bytes) -> list[str]:
    """The SPARQL query texts a request carries (URL `query=` values and the body)."""
    found = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query, keep_blank_values=True).get("query", [])
    kind = content_type.split(";")[0].strip().lower()
    if method == "POST" and kind == "application/x-www-form-urlencoded":
        found += urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).get("query", [])
    elif method == "POST" and kind == "application/sparql-query":
        found.append(body.decode("utf-8", "replace"))
    return found


class GuardProxy:
    """A threaded HTTP proxy on (host, port) in front of the server at 127.0.0.1:`upstream_port`."""

    def __init__(self, host: str, port: int, upstream_port: int, *, allow_service: bool = False) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = CLIENT_TIMEOUT

            def log_message(self, *args):
                pass

            def do_GET(self):
                proxy.handle(self)

            do_POST = do_HEAD = do_OPTIONS = do_GET

        server_class = type("Server", (ThreadingHTTPServer,), {"daemon_threads": True,
                                                               "address_family": _family(host)})
        self.server = server_class((host, port), Handler)
        self.upstream_port = upstream_port
        self.allow_service = allow_service
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        """Serve in a background thread."""
        self.thread.start()

    def close(self) -> None:
        """Stop serving and close the listening socket."""
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return _reply(request, 413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
        body = request.rfile.read(length) if length else b""
        for query in queries_of(request.command, request.path, request.headers.get("Content-Type", ""), body):
            reason = refusal(query, self.allow_service)
            if reason:
                return _reply(request, 400, reason)
        self._forward(request, body)

    def _forward(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=None)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
        try:
            upstream.request(request.command, request.path, body=body or None, headers=headers)
            answer = upstream.getresponse()
        except OSError as error:
            return _reply(request, 502, f"the SPARQL engine is not answering ({error}); try again shortly")
        try:
            request.send_response(answer.status, answer.reason)
            for name, value in answer.getheaders():
                if name.lower() not in HOP_BY_HOP:
                    request.send_header(name, value)
            request.send_header("Connection", "close")
            request.end_headers()
            request.close_connection = True
            while chunk := answer.read1(65536) if request.command != "HEAD" else b"":
                request.wfile.write(chunk)
        except OSError:
            request.close_connection = True  # the client left, or the engine stopped mid-answer
        finally:
            upstream.close()


def _family(host: str):
    import socket

    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _reply(request: BaseHTTPRequestHandler, status: int, message: str) -> None:
    data = (message + "\n").encode("utf-8")
    request.send_response(status)
    request.send_header("Content-Type", "text/plain; charset=utf-8")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)
