"""The page of any entity: its facts, what refers to it, its sources and its RDF (Turtle, JSON-LD).

Kind-specific sections (a method's table rows, a class's place in the
taxonomy) come first; every page then lists all its asserted facts, so nothing
the KG states about an entity is missing from its page.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from llmrl_kg.rdf.namespaces import LLMRL, RDF, curie
from llmrl_kg.site.graph import ENTRY_OF, Fact, SiteGraph
from llmrl_kg.site.template import Page, esc, external, link

TYPE = RDF + "type"
UNCONFIRMED = LLMRL + "unconfirmed"
KIND_NAMES = {"method": "Method", "paper": "Paper", "model": "Foundation model", "benchmark": "Benchmark",
              "organization": "Organisation", "person": "Author", "topic": "Topic", "table": "Survey table",
              "document": "Source document", "vocab": "Code", "ontology": "Ontology term"}


def rdf_paths(path: str) -> tuple[str, str]:
    """The Turtle and JSON-LD files that go with a page."""
    stem = path.removesuffix(".html")
    return stem + ".ttl", stem + ".jsonld"


def entry_target(site: SiteGraph, entry: str) -> str | None:
    """Where a table row is shown: its table's page, at the row's anchor."""
    table = site.index.value(entry, LLMRL + "inTable")
    if table in site.pages:
        return f"{site.pages[table]}#{row_anchor(entry)}"
    return None


def row_anchor(entry: str) -> str:
    """The id of a table row's `<tr>`."""
    return "row-" + entry.rsplit("/", 1)[-1]


def term_html(site: SiteGraph, here: str, term: object) -> str:
    """A term as HTML: a link to its page, an external link, a CURIE or a literal's text."""
    if isinstance(term, ox.Literal):
        text = esc(term.value)
        return f'<span lang="{esc(term.language)}">{text}</span>' if term.language else text
    if not isinstance(term, ox.NamedNode):
        return "<em>(a blank node)</em>"
    iri = term.value
    if iri in site.pages:
        return link(here, site.pages[iri], site.label(iri))
    target = entry_target(site, iri)
    if target:
        return link(here, target, f"row {site.index.value(iri, LLMRL + 'rowNumber') or ''}".strip())
    if iri.startswith(("https://", "http://")) and not iri.startswith("https://w3id.org/llmrl-kg/"):
        return external(iri)
    return f"<code>{esc(curie(iri))}</code>"


def facts_section(site: SiteGraph, here: str, facts: list[Fact], heading: str = "Facts") -> str:
    """Every fact about the entity as a definition list, one term per property."""
    by_predicate: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        by_predicate[fact.predicate.value].append(fact)
    order = sorted(by_predicate, key=lambda p: (p != TYPE, site.predicate_label(p).lower(), p))
    # A record marks the properties whose statements no source read confirms (llmrl:unconfirmed).
    unconfirmed = {f.object.value for f in by_predicate.get(UNCONFIRMED, []) if isinstance(f.object, ox.NamedNode)}
    items = []
    for predicate in order:
        mark = ' <em class="unconfirmed">(unconfirmed)</em>' if predicate in unconfirmed else ""
        values = "".join(f"<dd>{term_html(site, here, f.object)}{mark}</dd>" for f in by_predicate[predicate])
        items.append(f'<dt><abbr title="{esc(curie(predicate))}">{esc(site.predicate_label(predicate))}</abbr>'
                     f"</dt>{values}")
    return f'<section aria-labelledby="facts"><h2 id="facts">{esc(heading)}</h2>\n<dl class="facts">' \
           + "\n".join(items) + "</dl></section>"


def referenced_by(site: SiteGraph, iri: str) -> dict[str, list[str]]:
    """What points at the IRI, by property label; a table row stands for its method."""
    found: dict[str, set[str]] = defaultdict(set)
    for fact in site.by_object.get(iri, []):
        if fact.predicate.value == TYPE or not isinstance(fact.subject, ox.NamedNode):
            continue
        subject = fact.subject.value
        if fact.predicate.value == ENTRY_OF:
            continue
        method = site.method_of(subject)
        found[site.predicate_label(fact.predicate.value)].add(method if method else subject)
    return {label: sorted(subjects, key=lambda s: (site.label(s).lower(), s)) for label, subjects in found.items()}


def referenced_section(site: SiteGraph, here: str, iri: str) -> str:
    """The 'Referred to by' section (methods using a model or a code, papers by an author, ...)."""
    found = referenced_by(site, iri)
    if not found:
        return ""
    parts = []
    for label in sorted(found, key=str.lower):
        values = ", ".join(term_html(site, here, ox.NamedNode(s)) for s in found[label])
        parts.append(f"<dt>{esc(label)}</dt><dd>{values}</dd>")
    return ('<section aria-labelledby="referred"><h2 id="referred">Referred to by</h2>'
            f'<dl class="facts">{"".join(parts)}</dl></section>')


def sources_section(site: SiteGraph, here: str, iri: str) -> str:
    """The files stating the facts, the documents the table rows come from, and the RDF downloads."""
    turtle, jsonld = rdf_paths(site.pages[iri])
    documents = sorted({site.index.value(e, LLMRL + "statedIn") or "" for e in site.entries_of(iri)} - {""})
    cited = "".join(f"<li>{term_html(site, here, ox.NamedNode(d))}</li>" for d in documents)
    files = "".join(f"<li><code>{esc(source)}</code></li>" for source in site.sources(iri))
    stated = f"<p>Table rows stated in:</p><ul>{cited}</ul>" if cited else ""
    return f"""<section aria-labelledby="sources"><h2 id="sources">Sources and RDF</h2>
{stated}<p>Stated in the KG&rsquo;s files:</p><ul>{files}</ul>
<p>This page&rsquo;s facts as RDF: {link(here, turtle, "Turtle", type="text/turtle")} ·
{link(here, jsonld, "JSON-LD", type="application/ld+json")}</p></section>"""


def heading(site: SiteGraph, iri: str) -> str:
    """The page's `<h1>` with the entity's kind and IRI."""
    kind = KIND_NAMES.get(site.kind(iri), "Entity")
    types = ", ".join(site.label(t) if t in site.pages else curie(t) for t in site.types(iri))
    typed = f" ({esc(types)})" if types else ""
    return (f'<p class="kind">{esc(kind)}{typed}</p>\n<h1>{esc(site.label(iri))}</h1>\n'
            f'<p class="iri">IRI: <code>{esc(iri)}</code></p>')


def entity_page(site: SiteGraph, iri: str, sections: list[str]) -> Page:
    """The page of `iri`: heading, the given kind-specific sections, facts, references and sources."""
    here = site.pages[iri]
    facts = list(site.by_subject.get(iri, []))
    body = "\n".join([heading(site, iri), *sections, facts_section(site, here, facts),
                      referenced_section(site, here, iri), sources_section(site, here, iri)])
    return Page(here, site.label(iri), body)
