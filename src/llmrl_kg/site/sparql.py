"""The SPARQL page: Oxigraph compiled to WebAssembly loads the KG's N-Quads and runs queries in the browser.

Every local saved query is a click away, with a form for its parameters.
Parameter values become RDF terms before they reach a query: the choices of
code and role parameters are the KG's own IRIs (listed here), and the page's
script writes strings, numbers, booleans and IRIs as validated N-Triples terms
in a VALUES block inserted where `llmrl-kg query --text` puts it; never as
query text. The results table drops the parameters' columns, as the CLI does.
"""

from __future__ import annotations

import pyoxigraph as ox

from llmrl_kg.api import KnowledgeGraph
from llmrl_kg.query.catalogue import Parameter, SavedQuery, convert_value
from llmrl_kg.query.vocabulary import CODE_CLASSES, MODALITY_CLASSES, ROLE_CLASSES, Vocabulary
from llmrl_kg.rdf.namespaces import PREFIXES
from llmrl_kg.rdf.sparqltext import outer_where_brace, term_ntriples
from llmrl_kg.site.template import Page, json_script, link

PAGE = "sparql.html"
KG_FILE = "data/kg.nq"
EXAMPLE = "SELECT ?method ?label WHERE {\n  ?method a llmrl:ParametricAgent ; rdfs:label ?label .\n}\nORDER BY ?label"


def _choices(parameter: Parameter, vocabulary: Vocabulary) -> list[dict[str, str]]:
    if parameter.type in ("role", "modality"):
        table = ROLE_CLASSES if parameter.type == "role" else MODALITY_CLASSES
        return [{"label": name, "term": f"<{iri}>"} for name, iri in table.items()]
    if parameter.type in CODE_CLASSES:
        return [{"label": f"{c.display} ({c.label})" if c.label else c.display, "term": f"<{c.iri}>"}
                for c in vocabulary.of_kind(parameter.type)]
    return []


def query_entry(saved: SavedQuery, vocabulary: Vocabulary) -> dict:
    """What the page needs of one saved query: its text, where VALUES go, and its parameters."""
    parameters = []
    for p in saved.parameters:
        default = None
        if p.default is not None:
            term = convert_value(p, p.default, lambda: vocabulary)
            assert isinstance(term, (ox.NamedNode, ox.Literal))  # parameters convert to IRIs and literals
            default = term_ntriples(term)
        parameters.append({"name": p.name, "type": p.type, "description": p.description, "default": p.default,
                           "defaultTerm": default, "required": p.required, "choices": _choices(p, vocabulary)})
    return {"name": saved.name, "title": saved.title, "description": saved.description,
            "question": saved.question, "text": saved.text, "valuesAt": _utf16_length(saved.text[:outer_where_brace(saved.text)]),
            "parameters": parameters}


def _utf16_length(text: str) -> int:
    """The length of `text` in UTF-16 code units (how JavaScript indexes strings)."""
    return len(text.encode("utf-16-le")) // 2


def sparql_data(kg: KnowledgeGraph) -> dict:
    """The saved queries (local ones only), the predeclared prefixes and the KG file's path."""
    queries = [query_entry(q, kg.vocabulary) for q in kg.saved_queries() if not q.network]
    return {"queries": queries, "prefixes": PREFIXES, "kgFile": KG_FILE, "example": EXAMPLE}


def sparql_page(kg: KnowledgeGraph) -> Page:
    """sparql.html: the editor, the saved queries and the results."""
    data = sparql_data(kg)
    buttons = "".join(f'<li><button type="button" class="saved" data-query="{q["name"]}">{q["title"] or q["name"]}'
                      f'</button></li>' for q in data["queries"])
    body = f"""<h1>SPARQL in the browser</h1>
<p>The whole KG (asserted facts and OWL&nbsp;RL inferences, {link(PAGE, KG_FILE, "N-Quads")}) runs here in
Oxigraph compiled to WebAssembly: nothing is sent to a server. The default graph is the union of all graphs,
and the project&rsquo;s prefixes (<code>llmrl:</code>, <code>method:</code>, <code>skos:</code>, &hellip;) are
predeclared. Requires the site to be served over HTTP (any static host, or <code>llmrl-kg site --serve</code>).</p>
<p id="engine-status" role="status" aria-live="polite">Loading the query engine&hellip;</p>
<div class="sparql">
<section aria-labelledby="saved-heading" class="saved-list"><h2 id="saved-heading">Saved queries ({len(data["queries"])})</h2>
<ul>{buttons}</ul></section>
<section aria-labelledby="editor-heading" class="editor"><h2 id="editor-heading">Query</h2>
<p id="query-about"></p>
<form id="query-form">
<fieldset id="params" hidden><legend>Parameters</legend><div id="param-fields"></div></fieldset>
<label for="query-text">SPARQL query</label>
<textarea id="query-text" rows="14" spellcheck="false">{EXAMPLE}</textarea>
<p><button type="submit" id="run" disabled>Run query</button>
<a id="download-csv" download="results.csv" hidden>Download CSV</a>
<a id="download-json" download="results.json" hidden>Download JSON</a></p>
</form>
<p id="query-status" role="status" aria-live="polite"></p>
<div class="scroll" id="results"></div>
</section></div>
{json_script("sparql-data", data)}"""
    return Page(PAGE, "SPARQL", body, modules=("assets/sparql.js",))
