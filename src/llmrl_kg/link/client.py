"""Polite, bounded SPARQL requests to public endpoints, with retries and a disk cache.

SPARQLWrapper builds each request (query form, encoding, GET or POST, content
negotiation, User-Agent); this module sends it and checks the answer, because
SPARQLWrapper alone (2.0.0) has no total deadline (its timeout is per socket
operation, so a server that drips one byte a second never times out), no
retries, ignores `Retry-After`, returns an HTML page as raw bytes and a
Virtuoso partial result (HTTP 206) as success.

The rules, each enforced here:
- a descriptive User-Agent with the project's URL and a contact;
- one request at a time per host, at least MIN_INTERVAL seconds apart;
- a total deadline per request: a watchdog shuts the socket down when it passes,
  so no connect, header or body read can outlive it;
- retries with exponential backoff and full jitter for transient failures
  (429, 502, 503, 504, deadline, connection errors, HTML maintenance pages,
  truncated JSON), honouring `Retry-After` on 429 and 503;
- anything but a complete `200` SPARQL JSON result of the right shape is an
  error, never an empty result; only such answers are cached.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import math
import os
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

import pyoxigraph as ox

from llmrl_kg import __version__
from llmrl_kg.errors import ServiceError
from llmrl_kg.link.cache import CachedAnswer, ResponseCache
from llmrl_kg.rdf.results import ResultsError, read_select, shorten
from llmrl_kg.rdf.urls import MAX_ANSWER_BYTES, RedirectRefused, TooLarge, is_http_url, read_capped
from llmrl_kg.rdf.urls import Watchdog as _Watchdog
from llmrl_kg.rdf.urls import opener as _opener

PROJECT_URL = "https://github.com/llmrl-kg/llmrl-kg"
DEFAULT_TIMEOUT = 75.0  # seconds; WDQS stops queries after 60 s
DEFAULT_RETRIES = 3
BACKOFF_BASE = 1.0
BACKOFF_CAP = 60.0
WAIT_AFTER_429 = 60.0  # WDQS: "stop for the duration of the Retry-After header or for 1 minute"
MAX_RETRY_AFTER = 300.0  # a longer requested pause ends the run for this endpoint instead
MIN_INTERVAL = 1.0
CACHE_MAX_AGE = 7 * 24 * 3600.0
MAX_BODY_BYTES = MAX_ANSWER_BYTES
GET_LIMIT = 2000  # longer encoded queries are sent by POST
RETRYABLE_STATUS = {429, 502, 503, 504}
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class EndpointError(ServiceError):
    """A request that gave no usable answer; `kind` names the failure, `message` explains it."""

    def __init__(self, endpoint: str, kind: str, message: str, *, retryable: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(f"{endpoint}: {message}")
        self.endpoint = endpoint
        self.kind = kind
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass
class EndpointAnswer:
    """A SPARQL SELECT answer: variables, rows (variable → pyoxigraph term), and when it was fetched."""

    variables: list[str]
    rows: list[dict[str, object]]
    fetched_at: str
    from_cache: bool = False


def utc_now() -> datetime:
    """The current time in UTC (seconds precision), or `SOURCE_DATE_EPOCH` when set (reproducible runs)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


def user_agent() -> str:
    """`llmrl-kg/<version> (<project URL>; <contact>) SPARQLWrapper/<version>`.

    The contact is `$LLMRL_KG_CONTACT` (e.g. `mailto:you@example.org`) when set,
    else the project's issue tracker.
    """
    import SPARQLWrapper

    contact = os.environ.get("LLMRL_KG_CONTACT", "").strip() or PROJECT_URL + "/issues"
    contact = "".join(ch for ch in contact if ch.isprintable() and ch not in "()\r\n")
    return f"llmrl-kg/{__version__} ({PROJECT_URL}; {contact}) SPARQLWrapper/{SPARQLWrapper.__version__}"


ENDPOINTS_VARIABLE = "LLMRL_KG_ENDPOINTS"


def endpoint_overrides() -> dict[str, str]:
    """`$LLMRL_KG_ENDPOINTS`: white-space separated `PUBLIC-ENDPOINT=URL` pairs, to ask a mirror instead."""
    overrides = {}
    for pair in os.environ.get(ENDPOINTS_VARIABLE, "").split():
        public, _, url = pair.partition("=")
        if public and url:
            overrides[public] = url
    return overrides


def check_endpoint_url(url: str) -> str:
    """Return `url` if it is an absolute http(s) URL with a host and a valid IRI; ValueError otherwise."""
    if not is_http_url(url):
        raise ValueError(f"{url!r} is not an http(s) URL of a SPARQL endpoint")
    try:
        ox.NamedNode(url)  # it is recorded as an IRI in the links' provenance
    except ValueError:
        raise ValueError(f"{url!r} is not a valid IRI") from None
    return url


class _HostGate:
    """One request at a time per host, with a minimum pause between them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_end = -math.inf

    @contextmanager
    def turn(self, min_interval: float, sleep: Callable[[float], None], clock: Callable[[], float]):
        with self.lock:
            wait = self.last_end + min_interval - clock()
            if wait > 0:
                sleep(wait)
            try:
                yield
            finally:
                self.last_end = clock()


_GATES: dict[str, _HostGate] = {}
_GATES_LOCK = threading.Lock()


def _gate(endpoint: str) -> _HostGate:
    host = (urllib.parse.urlsplit(endpoint).hostname or "").lower()
    with _GATES_LOCK:
        return _GATES.setdefault(host, _HostGate())


def _snippet(data: bytes | str, limit: int = 200) -> str:
    return shorten(data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data, limit)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """The pause a `Retry-After` header asks for (seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def parse_results(endpoint: str, body: object) -> tuple[list[str], list[dict[str, object]]]:
    """Check that `body` is SPARQL 1.1 JSON SELECT results and turn it into variables and rows of terms.

    Blank nodes get fresh labels (endpoints' labels need not be valid Turtle labels).
    """
    try:
        variables, rows = read_select(body, blank_nodes={})
    except ResultsError as error:
        raise EndpointError(endpoint, "bad-shape", f"answered JSON of the wrong shape: {error}") from None
    return variables, [dict(row) for row in rows]


@dataclass
class SparqlClient:
    """Sends SELECT queries politely and within deadlines; answers from and into a disk cache."""

    cache: ResponseCache | None = None
    offline: bool = False
    refresh: bool = False
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    max_age: float = CACHE_MAX_AGE
    min_interval: float = MIN_INTERVAL
    agent: str = ""
    log: Callable[[str], None] = lambda message: None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    requests_sent: int = 0
    cache_hits: int = 0
    cache_failures: int = 0

    def __post_init__(self) -> None:
        if not self.agent:
            self.agent = user_agent()

    def select(self, endpoint: str, query: str) -> EndpointAnswer:
        """Answer a SELECT query from the cache (unless `refresh`) or from `endpoint`; EndpointError if neither can."""
        if self.cache is not None and not self.refresh:
            cached = self.cache.get(endpoint, query, now=utc_now(),
                                    max_age_seconds=None if self.offline else self.max_age)
            try:
                if cached is not None:
                    variables, rows = parse_results(endpoint, cached.body)
                    self.cache_hits += 1
                    return EndpointAnswer(variables, rows, cached.fetched_at, from_cache=True)
            except EndpointError:
                pass  # a damaged cache entry is a miss
        if self.offline:
            raise EndpointError(endpoint, "offline-miss", "offline, and no cached answer for this lookup")
        body = self._fetch_with_retries(endpoint, query)
        variables, rows = parse_results(endpoint, body)
        answer = CachedAnswer(body, utc_now().strftime(TIME_FORMAT))
        if self.cache is not None and not self.cache.put(endpoint, query, answer, self.agent):
            self.cache_failures += 1
        return EndpointAnswer(variables, rows, answer.fetched_at)

    def _fetch_with_retries(self, endpoint: str, query: str) -> dict:
        attempt = 0
        while True:
            try:
                return self._fetch_once(endpoint, query)
            except EndpointError as error:
                if not error.retryable or attempt >= self.retries:
                    if error.retryable and attempt:
                        error.message += f" (gave up after {attempt + 1} attempts)"
                    raise
                wait = error.retry_after
                if wait is None:
                    wait = WAIT_AFTER_429 if error.kind == "rate-limited" else \
                        random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt))
                if wait > MAX_RETRY_AFTER:
                    error.message += (f"; it asks to wait {wait:.0f} s, more than {MAX_RETRY_AFTER:.0f} s: "
                                      "try again later")
                    raise
                self.log(f"{endpoint}: {error.message}; retrying in {wait:.1f} s")
                self.sleep(wait)
                attempt += 1

    def _request(self, endpoint: str, query: str) -> urllib.request.Request:
        from SPARQLWrapper import GET, JSON, POST, SPARQLWrapper

        wrapper = SPARQLWrapper(endpoint, agent=self.agent, returnFormat=JSON)
        wrapper.setOnlyConneg(True)  # the Accept header only: no `format=json` parameter
        wrapper.setQuery(query)
        long_query = len(urllib.parse.quote(query)) + len(endpoint) > GET_LIMIT
        wrapper.setMethod(POST if long_query else GET)  # GET lets the endpoint's own cache answer
        return wrapper._createRequest()  # SPARQLWrapper builds the request; we send it (see the module doc)

    def _fetch_once(self, endpoint: str, query: str) -> dict:
        request = self._request(endpoint, query)
        with _gate(endpoint).turn(self.min_interval, self.sleep, self.clock):
            self.requests_sent += 1
            with _Watchdog(self.timeout) as watchdog:
                try:
                    response = _opener(watchdog).open(request, timeout=self.timeout)
                    with response:
                        status, headers = response.status, response.headers
                        body = _read(response, MAX_BODY_BYTES, endpoint)
                except RedirectRefused as error:
                    raise EndpointError(endpoint, "redirect", str(error.reason)) from None
                except urllib.error.HTTPError as error:
                    text = b""
                    if not watchdog.fired:
                        try:
                            text = error.read(4096)
                        except (OSError, http.client.HTTPException):
                            pass
                    error.close()
                    raise _status_error(endpoint, error.code, error.headers, text) from None
                except (OSError, http.client.HTTPException, ValueError) as error:
                    # The socket's own timeout equals the deadline, so either may notice it first.
                    if watchdog.fired or isinstance(error, TimeoutError) \
                            or isinstance(getattr(error, "reason", None), TimeoutError):
                        raise self._deadline(endpoint) from None
                    reason = getattr(error, "reason", None) or error
                    raise EndpointError(endpoint, "connection", f"connection failed: {reason}",
                                        retryable=True) from None
                if watchdog.fired:
                    raise self._deadline(endpoint)
        return _check_answer(endpoint, status, headers, body)

    def _deadline(self, endpoint: str) -> EndpointError:
        return EndpointError(endpoint, "deadline",
                             f"no complete answer within the {self.timeout:g} s deadline "
                             "(the endpoint hangs or sends too slowly); try again later or raise --timeout",
                             retryable=True)


def _read(response, limit: int, endpoint: str) -> bytes:
    try:
        return read_capped(response, limit)
    except TooLarge as error:
        raise EndpointError(endpoint, "too-large", str(error)) from None


def _status_error(endpoint: str, status: int, headers, text: bytes) -> EndpointError:
    detail = f": {_snippet(text)}" if text.strip() else ""
    if status in (429, 503):
        wait = retry_after_seconds(headers.get("Retry-After") if headers else None)
        asked = f"; retry after {wait:.0f} s" if wait is not None else ""
        what = "too many requests" if status == 429 else "service unavailable"
        return EndpointError(endpoint, "rate-limited" if status == 429 else "unavailable",
                             f"{what} (HTTP {status}{asked}){detail}", retryable=True, retry_after=wait)
    if status in RETRYABLE_STATUS:
        return EndpointError(endpoint, "unavailable", f"gateway error (HTTP {status}){detail}", retryable=True)
    if status == 400:
        return EndpointError(endpoint, "bad-query", f"the endpoint rejected the query (HTTP 400){detail}")
    if status == 404:
        return EndpointError(endpoint, "not-found", "no SPARQL endpoint at this URL (HTTP 404); check --endpoint")
    if status == 500:
        return EndpointError(endpoint, "server-error", f"internal server error (HTTP 500){detail}")
    return EndpointError(endpoint, "http-error", f"HTTP {status}{detail}")


def _check_answer(endpoint: str, status: int, headers, body: bytes) -> dict:
    sql_state = headers.get("X-SQL-State")
    if status != 200 or sql_state:
        state = f", X-SQL-State: {sql_state}" if sql_state else ""
        raise EndpointError(
            endpoint, "partial",
            f"returned an incomplete result (HTTP {status}{state}): the query hit the server's limits, "
            "so the answer is not used")
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    start = body.lstrip()[:100].lower()
    if content_type in ("text/html", "application/xhtml+xml") or start.startswith((b"<!doctype html", b"<html")):
        raise EndpointError(
            endpoint, "html", f"answered with an HTML page instead of SPARQL results: {_snippet(body)}",
            retryable=True)
    if content_type not in ("application/sparql-results+json", "application/json"):
        raise EndpointError(
            endpoint, "content-type",
            f"answered {content_type or 'no Content-Type'} instead of application/sparql-results+json")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EndpointError(
            endpoint, "malformed-json", f"answered malformed or truncated JSON ({error})",
            retryable=True) from None
