"""A disk cache of SPARQL answers, keyed by endpoint and query, so that runs can repeat offline.

Each answer is one JSON file named by the SHA-256 of endpoint, query and the
accepted media type; it holds the validated response body and when and by whom
it was fetched. Files are written atomically; a damaged file counts as a miss.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from llmrl_kg.rdf.atomic import write_atomically

ACCEPT = "application/sparql-results+json"


@dataclass(frozen=True)
class CachedAnswer:
    """A cached response body (SPARQL JSON results) and when it was fetched."""

    body: dict
    fetched_at: str  # ISO 8601, UTC, seconds precision: "2026-11-20T10:00:00Z"


def default_cache_dir() -> Path:
    """`<llmrl-kg cache folder>/http`, next to the reasoning cache."""
    from llmrl_kg.rdf.cache import cache_dir

    return cache_dir() / "http"


def cache_key(endpoint: str, query: str) -> str:
    """The SHA-256 (hex) of endpoint, query and accepted media type."""
    return hashlib.sha256(f"{endpoint}\n{query}\n{ACCEPT}".encode()).hexdigest()


class ResponseCache:
    """SPARQL answers on disk under `directory`, one JSON file per (endpoint, query)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _path(self, endpoint: str, query: str) -> Path:
        key = cache_key(endpoint, query)
        return self.directory / key[:2] / f"{key}.json"

    def get(self, endpoint: str, query: str, *, max_age_seconds: float | None = None,
            now: datetime | None = None) -> CachedAnswer | None:
        """The cached answer, or None if there is none, it is damaged, or it is older than `max_age_seconds`."""
        path = self._path(endpoint, query)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            if record["endpoint"] != endpoint or record["query"] != query:
                return None  # a hash collision or a hand-edited file: never trust it
            body, fetched_at = record["body"], record["fetched_at"]
            fetched = datetime.strptime(fetched_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not isinstance(body, dict):
            return None
        if max_age_seconds is not None:
            age = ((now or datetime.now(timezone.utc)) - fetched).total_seconds()
            if age > max_age_seconds:
                return None
        return CachedAnswer(body, fetched_at)

    def put(self, endpoint: str, query: str, answer: CachedAnswer, user_agent: str) -> bool:
        """Store a validated answer atomically; False if the cache folder is not writable."""
        record = {"endpoint": endpoint, "query": query, "accept": ACCEPT, "fetched_at": answer.fetched_at,
                  "user_agent": user_agent, "body": answer.body}
        try:
            write_atomically(self._path(endpoint, query),
                             json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        except OSError:
            return False
        return True
