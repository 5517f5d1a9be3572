"""`--store` and `--endpoint`: the options that choose where a command's queries run."""

from __future__ import annotations

import functools

import click

from llmrl_kg.store.factory import LazyBackend, parse_store


def _check_store(_ctx, _param, value):
    if value is None:
        return None
    try:
        parse_store(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    return value


def _check_endpoint(_ctx, _param, value):
    if value is None:
        return None
    from llmrl_kg.rdf.urls import is_http_url

    if not is_http_url(value):
        raise click.BadParameter(f"{value!r} is not an http(s) URL, e.g. http://127.0.0.1:7878/query")
    return value


def store_options(command):
    """Add `--store` and `--endpoint` to a click command and pass it `backend=` (a LazyBackend)."""

    @functools.wraps(command)
    def wrapper(*args, store=None, endpoint=None, **kwargs):
        if store and endpoint:
            raise click.UsageError("--store and --endpoint exclude each other; give one")
        return command(*args, backend=LazyBackend(store, endpoint), **kwargs)

    wrapper = click.option(
        "--endpoint", metavar="URL", envvar="LLMRL_KG_ENDPOINT", callback=_check_endpoint,
        help="Query this SPARQL 1.1 endpoint instead of a local store "
             "(add ?default-graph-uri=IRI to query one graph).")(wrapper)
    wrapper = click.option(
        "--store", metavar="memory|oxigraph[:PATH]", envvar="LLMRL_KG_STORE", callback=_check_store,
        help="Where queries run: oxigraph (in memory, the default and fastest), oxigraph:PATH "
             "(a store built by `llmrl-kg load --into oxigraph:PATH`), memory (rdflib).")(wrapper)
    return wrapper
