"""Running a saved federated query: our KG locally, its `SERVICE` block at a public endpoint.

`llmrl-kg query NAME --online` calls `run_online`. The query is evaluated by
rdflib over the local KG, except its `SERVICE` block, which goes through this
project's client (User-Agent, deadline, retries, `Retry-After`, strict answer
checks, cache) instead of rdflib's own (no timeout, anonymous User-Agent, one
request per local row). The block is sent as a bound join: the local solutions'
values of the variables it shares with them travel as one `VALUES` table
(`.n3()` of terms from our KG, in chunks), so one request answers every row.

Limits, all reported as FederatedError: one `SERVICE` per query, its IRI must be
a known scholarly endpoint (no variable endpoints, no arbitrary hosts), SELECT
queries only, and the whole run has a deadline.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from llmrl_kg.link.client import (
    DEFAULT_RETRIES,
    EndpointError,
    SparqlClient,
    check_endpoint_url,
    endpoint_overrides,
)
from llmrl_kg.rdf import sparqltext
from llmrl_kg.rdf.sparqltext import closing_brace, tokenize, values_block
from llmrl_kg.store.backends import BackendError

KNOWN_SERVICES = {
    "https://query-scholarly.wikidata.org/sparql": "Wikidata (scholarly articles)",
    "https://query.wikidata.org/sparql": "Wikidata (main graph)",
    "https://sparql.dblp.org/sparql": "dblp",
    "https://semopenalex.org/sparql": "SemOpenAlex",
    "https://orkg.org/triplestore": "ORKG",
}
DEFAULT_DEADLINE = 300.0
DEFAULT_REQUEST_TIMEOUT = 75.0
CHUNK = 50  # local solutions per request



class FederatedError(BackendError):
    """A federated query that cannot run, or whose remote part failed; the message says why and what to do.

    A BackendError, so that `llmrl-kg query NAME --online` reports it in one line and exits 1.
    """


class Rows(list):
    """The result rows (variable name → pyoxigraph term or None), with `variables` in projection order."""

    variables: list[str]


def run_online(query_text: str, bindings: Mapping | None = None, *, deadline: float = DEFAULT_DEADLINE,
               request_timeout: float = DEFAULT_REQUEST_TIMEOUT, retries: int = DEFAULT_RETRIES,
               endpoints: Mapping[str, str] | None = None, refresh: bool = False, cache_dir=None,
               graph=None, log=None) -> Rows:
    """Run a saved federated SELECT query against the network and return its rows.

    `bindings` maps variable names (with or without `?`) to pyoxigraph or rdflib
    terms, bound before evaluation. `endpoints` (or `$LLMRL_KG_ENDPOINTS`) maps a
    known SERVICE IRI to another URL, e.g. a mirror. `graph` is the local rdflib
    graph (default: the KG's asserted triples with the ontology, without OWL-RL
    inferences, so that owl:sameAs links cannot duplicate rows). Raises FederatedError.
    """
    import rdflib.plugins.sparql as rdflib_sparql
    from rdflib import Variable
    from rdflib.plugins.sparql import prepareQuery

    from llmrl_kg.link.cache import ResponseCache, default_cache_dir
    from llmrl_kg.rdf.terms import to_ox_term

    service_iri, inner = _single_service(query_text)
    redirects = {**endpoint_overrides(), **dict(endpoints or {})}
    target = redirects.get(service_iri, service_iri)
    try:
        check_endpoint_url(target)
    except ValueError as error:
        raise FederatedError(f"the endpoint for SERVICE <{service_iri}>: {error}") from None
    try:
        query = prepareQuery(query_text)
    except Exception as error:  # noqa: BLE001 - pyparsing raises several types
        raise FederatedError(f"the query does not parse: {error}") from None
    if query.algebra.name != "SelectQuery":
        raise FederatedError("only SELECT queries can run online")

    client = SparqlClient(cache=ResponseCache(cache_dir or default_cache_dir()), refresh=refresh,
                          timeout=request_timeout, retries=retries, log=log or (lambda message: None))
    service = _Service(service_iri, target, inner, _prologue(query_text), client,
                       time.monotonic() + deadline, request_timeout)
    if graph is None:
        from llmrl_kg.kg.loader import rdflib_graph

        graph = rdflib_graph(inferred=False)

    init = {Variable(str(name).lstrip("?$")): _rdflib_term(value) for name, value in (bindings or {}).items()}
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # FROM <url> must never fetch anything
    rdflib_sparql.CUSTOM_EVALS["llmrl-kg-service"] = service.evaluate
    try:
        result = graph.query(query, initBindings=init)
        variables = [str(v) for v in result.vars]
        rows = Rows(
            {name: (to_ox_term(row[i]) if row[i] is not None else None) for i, name in enumerate(variables)}
            for row in result
        )
    except EndpointError as error:
        raise FederatedError(f"{KNOWN_SERVICES[service_iri]} ({error.endpoint}): {error.message}") from None
    finally:
        rdflib_sparql.CUSTOM_EVALS.pop("llmrl-kg-service", None)
    rows.variables = variables
    return rows


def _rdflib_term(value):
    from rdflib.term import Node

    from llmrl_kg.rdf.terms import to_rdflib_term

    return value if isinstance(value, Node) else to_rdflib_term(value)


def _single_service(query_text: str) -> tuple[str, str]:
    """The IRI and the inner group pattern text of the query's one SERVICE block."""
    blocks = _service_blocks(query_text)
    if not blocks:
        raise FederatedError("the query has no SERVICE block; run it without --online")
    if len(blocks) > 1:
        raise FederatedError("only one SERVICE block per query is supported; split the query")
    iri, inner = blocks[0]
    if iri not in KNOWN_SERVICES:
        raise FederatedError(f"SERVICE <{iri}> is not a known scholarly endpoint; "
                             f"use one of: {', '.join(sorted(KNOWN_SERVICES))}")
    return iri, inner


def _service_blocks(text: str) -> list[tuple[str, str]]:
    """(IRI, inner text) of every `SERVICE [SILENT] <iri> { … }` outside strings, IRIs and comments."""
    tokens = list(tokenize(text))
    blocks = []
    index = 0
    while index < len(tokens):
        if not tokens[index].is_keyword("SERVICE"):
            index += 1
            continue
        target = index + 1 + (index + 1 < len(tokens) and tokens[index + 1].is_keyword("SILENT"))
        if target + 1 >= len(tokens) or tokens[target + 1].text != "{":
            raise FederatedError("cannot read the SERVICE block: write SERVICE <endpoint IRI> { … }")
        if tokens[target].kind != "iri":
            raise FederatedError(f"SERVICE {tokens[target].text}: write the endpoint as a full IRI in angle brackets")
        try:
            close = closing_brace(tokens, target + 1)
        except ValueError:
            raise FederatedError("the SERVICE block has no closing brace") from None
        blocks.append((tokens[target].text[1:-1], text[tokens[target + 1].offset + 1:tokens[close].offset]))
        index = close + 1
    return blocks


def _prologue(query_text: str) -> str:
    """The query's BASE and PREFIX declarations, to send with the SERVICE block."""
    from rdflib.plugins.sparql.parser import parseQuery

    lines = []
    for declaration in parseQuery(query_text)[0]:
        if declaration.name == "Base":
            lines.append(f"BASE <{declaration.iri}>")
        elif declaration.name == "PrefixDecl":
            lines.append(f"PREFIX {declaration.prefix or ''}: <{declaration.iri}>")
    return "\n".join(lines)


class _Service:
    """The custom rdflib evaluation of the query's SERVICE block (a bound join through our client)."""

    def __init__(self, iri: str, url: str, inner: str, prologue: str, client: SparqlClient,
                 deadline_at: float, request_timeout: float) -> None:
        self.iri, self.url, self.inner, self.prologue = iri, url, inner, prologue
        self.client, self.deadline_at, self.request_timeout = client, deadline_at, request_timeout
        self.variables = sparqltext.variables(inner)

    def evaluate(self, ctx, part):
        """rdflib CUSTOM_EVALS hook: handle joins with the SERVICE block and the block itself."""
        from rdflib.plugins.sparql.evaluate import evalPart
        from rdflib.plugins.sparql.evalutils import _join

        if part.name == "Join" and self._is_service(part.p2):
            left = list(evalPart(ctx, part.p1))
            return _join(left, self._solutions(ctx, part.p2, left))
        if part.name == "Join" and self._is_service(part.p1):
            right = list(evalPart(ctx, part.p2))
            return _join(right, self._solutions(ctx, part.p1, right))
        if self._is_service(part):
            base = [ctx.solution()]
            return _join(base, self._solutions(ctx, part, base))
        raise NotImplementedError

    @staticmethod
    def _is_service(part) -> bool:
        return getattr(part, "name", None) == "ServiceGraphPattern"

    def _solutions(self, ctx, part, local: list) -> list:
        from rdflib import BNode, Variable
        from rdflib.plugins.sparql.sparql import FrozenBindings

        from llmrl_kg.rdf.terms import to_rdflib_term

        if not local:
            return []
        shared = sorted({str(v) for s in local for v in s if str(v) in self.variables})
        table = sorted({tuple(_value(s.get(Variable(v))) for v in shared) for s in local}, key=_written)
        # rdflib tells "x" from "x"^^xsd:string; give answers back the local terms they were asked with.
        local_terms = {str(term): s.get(Variable(v)) for s in local for v in shared
                       if (term := _value(s.get(Variable(v)))) is not None}
        solutions = []
        chunks = [table[i:i + CHUNK] for i in range(0, len(table), CHUNK)] if shared else [[]]
        for chunk in chunks:
            remaining = self.deadline_at - time.monotonic()
            if remaining <= 0:
                raise FederatedError("the query did not finish within its deadline; try again later")
            self.client.timeout = min(self.request_timeout, remaining)
            try:
                answer = self.client.select(self.url, self._query(shared, chunk))
            except EndpointError:
                if "silent" in part:  # (CompValue.get returns the key itself when it is missing)
                    return [FrozenBindings(ctx, {})]  # SERVICE SILENT: a failure is one empty solution
                raise
            for row in answer.rows:
                values = {Variable(k): local_terms.get(str(v)) or to_rdflib_term(v) for k, v in row.items()}
                if any(isinstance(v, BNode) for v in values.values()):
                    values = {k: v for k, v in values.items() if not isinstance(v, BNode)}
                solutions.append(FrozenBindings(ctx, values))
        return solutions

    def _query(self, shared: list[str], chunk: list[tuple]) -> str:
        values = values_block(shared, chunk) + "\n" if shared else ""
        return f"{self.prologue}\nSELECT * WHERE {{\n{values}{{ {self.inner} }}\n}}\n"


def _value(term):
    """A local value as the pyoxigraph term to send in the VALUES table (which validates it), or None for UNDEF."""
    from rdflib import Literal, URIRef

    from llmrl_kg.rdf.terms import to_ox_term

    if isinstance(term, (URIRef, Literal)):
        try:
            return to_ox_term(term)
        except ValueError as error:
            raise FederatedError(f"cannot send the value {term!r}: {error}") from None
    return None


def _written(row) -> tuple[str, ...]:
    """A VALUES row as its N-Triples text (UNDEF for None): the order of the table, the key of a term."""
    return tuple("UNDEF" if term is None else str(term) for term in row)
