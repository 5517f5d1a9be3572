"""The one check of an http(s) URL given for a SPARQL endpoint or server, and the one bounded HTTP request."""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request

from llmrl_kg.errors import ServiceError


def is_http_url(url: str) -> bool:
    """True if `url` is an absolute http or https URL with a host name.

    Callers raise their own error (naming the option and an example) when it is not.
    """
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


# --------------------------------------------------------------------------------------------------
# One bounded HTTP request, for every client of a remote endpoint (`link`, `--endpoint`, `load --endpoint`):
# a total deadline, a size cap on the body, and no redirect that changes host, scheme or method.


MAX_ANSWER_BYTES = 50 * 2**20  # the largest answer read from any remote endpoint


class RedirectRefused(ServiceError, urllib.error.URLError):
    """The server redirected to another host, scheme or method (or redirected a POST): not followed."""


class TooLarge(ServiceError, ValueError):
    """The answer is larger than the size cap."""


class Watchdog:
    """Shuts down every socket of a request once the deadline passes, waking any blocked read."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._lock = threading.Lock()
        self._watched: list[socket.socket] = []
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> "Watchdog":
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._watched:
                sock.close()
            self._watched.clear()

    def watch(self, sock: socket.socket) -> socket.socket:
        """Watch `sock` (through a duplicate, which survives the TLS wrapping of the original)."""
        duplicate = sock.dup()
        with self._lock:
            self._watched.append(duplicate)
            if self.fired:
                _shut(duplicate)
        return sock

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._watched:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _watched_connection(connection_class, watchdog: Watchdog):
    def make(host, **kwargs):
        connection = connection_class(host, **kwargs)
        create = connection._create_connection  # http.client's hook for opening the socket
        connection._create_connection = lambda *args, **kw: watchdog.watch(create(*args, **kw))
        return connection

    return make


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only for GET and HEAD, and only to the same scheme, host and port."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        old = urllib.parse.urlsplit(req.full_url)
        new = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl))
        if req.get_method() not in ("GET", "HEAD") or (old.scheme, old.netloc) != (new.scheme, new.netloc):
            raise RedirectRefused(f"HTTP {code} redirect of a {req.get_method()} request to {newurl[:200]} "
                                  "refused: only same-host GET redirects are followed; give the final URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def opener(watchdog: Watchdog) -> urllib.request.OpenerDirector:
    """A urllib opener whose sockets `watchdog` shuts at its deadline, following same-origin redirects only."""
    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(_watched_connection(http.client.HTTPConnection, watchdog), req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(_watched_connection(http.client.HTTPSConnection, watchdog), req)

    return urllib.request.build_opener(HTTPHandler(), HTTPSHandler(), _SameOriginRedirects())


def read_capped(response, limit: int) -> bytes:
    """The whole body of `response`, or TooLarge as soon as it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the answer is larger than {limit // 2**20} MB")
        chunks.append(chunk)


class DeadlinePassed(ServiceError, TimeoutError):
    """No complete answer within the total deadline."""


def bounded_request(request: urllib.request.Request, *, timeout: float, max_bytes: int
                    ) -> tuple[int, object, bytes]:
    """(status, headers, body) of `request`, all within `timeout` seconds in total and `max_bytes`.

    Raises DeadlinePassed, TooLarge, RedirectRefused, urllib.error.HTTPError (its
    body, up to 4 KB, is read into `error.detail`) or URLError/OSError.
    """
    with Watchdog(timeout) as watchdog:
        try:
            with opener(watchdog).open(request, timeout=timeout) as response:
                answer = response.status, response.headers, read_capped(response, max_bytes)
        except urllib.error.HTTPError as error:
            error.detail = b""  # type: ignore[attr-defined]
            if not watchdog.fired:
                try:
                    error.detail = error.read(4096)  # type: ignore[attr-defined]
                except (OSError, http.client.HTTPException):
                    pass
            error.close()
            raise
        except RedirectRefused:
            raise
        except (OSError, http.client.HTTPException, ValueError) as error:
            if watchdog.fired or isinstance(error, TimeoutError) \
                    or isinstance(getattr(error, "reason", None), TimeoutError):
                raise DeadlinePassed(f"no complete answer within the {timeout:g} s deadline") from None
            raise
        if watchdog.fired:  # the body may have been cut short by the shutdown
            raise DeadlinePassed(f"no complete answer within the {timeout:g} s deadline")
        return answer
