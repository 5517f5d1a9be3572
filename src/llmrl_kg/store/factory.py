"""The store factory: where a command's (or the API's) queries run, from `--store` / `--endpoint` values.

    --store memory           rdflib in memory (pure Python; slowest, for cross-checks)
    --store oxigraph         Oxigraph in memory, loaded from the cache (the default)
    --store oxigraph:PATH    a persistent Oxigraph store built by `llmrl-kg load --into oxigraph:PATH`
    --endpoint URL           any SPARQL 1.1 query endpoint (Oxigraph server, Fuseki, Virtuoso, ...)

`LLMRL_KG_STORE` and `LLMRL_KG_ENDPOINT` set them for every command
(`llmrl_kg.cli.store_options`). The backend is opened lazily, so a command that fails on its arguments first
never pays for loading the graph, and opening errors surface as
`BackendError` inside the command's own error handling.
"""

from __future__ import annotations

from pathlib import Path

STORE_KINDS = ("memory", "oxigraph")
DEFAULT_STORE = "oxigraph"


def parse_store(value: str | None) -> tuple[str, Path | None]:
    """`memory` | `oxigraph` | `oxigraph:PATH` as (kind, path); ValueError with the accepted forms."""
    value = (value or DEFAULT_STORE).strip()
    kind, _, path = value.partition(":")
    if kind not in STORE_KINDS or (kind == "memory" and path) or (value.endswith(":") and not path):
        raise ValueError(f"{value!r} is not a store; write memory, oxigraph or oxigraph:PATH")
    return kind, Path(path) if path else None


def open_backend(store: str | None = None, endpoint: str | None = None, paths: list[Path] | None = None):
    """The backend for these option values (the in-memory Oxigraph store when both are None)."""
    from llmrl_kg.store.backends import (
        EndpointBackend,
        OxigraphBackend,
        OxigraphStoreBackend,
        RdflibBackend,
    )

    if endpoint:
        return EndpointBackend(endpoint)
    kind, path = parse_store(store)
    if kind == "memory":
        return RdflibBackend.load(paths)
    if path is not None:
        return OxigraphStoreBackend.open(path)
    return OxigraphBackend.load(paths)


class LazyBackend:
    """A backend opened on its first query (same `select`/`ask`/`construct` as the real one)."""

    def __init__(self, store: str | None, endpoint: str | None) -> None:
        self.store = store
        self.endpoint = endpoint
        self._backend = None

    @property
    def backend(self):
        """The real backend, opened now if it was not yet."""
        if self._backend is None:
            self._backend = open_backend(self.store, self.endpoint)
        return self._backend

    @property
    def cache_key(self) -> str | None:
        """The real backend's dataset cache key (None for stores not loaded from the cache)."""
        return getattr(self.backend, "cache_key", None)

    def select(self, query, bindings=None, **limits):
        return self.backend.select(query, bindings, **limits)

    def ask(self, query, bindings=None, **limits):
        return self.backend.ask(query, bindings, **limits)

    def construct(self, query, bindings=None, **limits):
        return self.backend.construct(query, bindings, **limits)
