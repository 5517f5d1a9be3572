"""What the site is built from: the KG's asserted quads, indexed by subject and object, and which IRIs get a page.

A page is written for every IRI in the project's namespace that a data file
describes (methods, papers, models, benchmarks, organisations, people, topics,
tables, documents), except the table rows (`entry:`, shown on their method's and
table's pages) and the dataset description of `data/void.ttl`; and, from the
ontology, for every class of the method taxonomy, every code list and every code.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from llmrl_kg.export.records import Records
from llmrl_kg.kg import model
from llmrl_kg.kg.files import FILE_GRAPH_PREFIX
from llmrl_kg.kg.loader import INFERRED_GRAPH, LINKS_PREFIX
from llmrl_kg.rdf.namespaces import BASE, ENTRY, LLMRL, RDF, RDFS, SKOS, curie

VOID_FILE = "data/void.ttl"
ONTOLOGY_FILE = "ontology/llmrl.ttl"
ENTRY_OF = LLMRL + "entryOf"
TYPE = RDF + "type"


@dataclass(frozen=True)
class Fact:
    """One asserted triple and the file that states it."""

    subject: ox.NamedNode | ox.BlankNode | ox.Triple
    predicate: ox.NamedNode
    object: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
    source: str  # the file's display name, e.g. data/methods/agile.ttl

    @property
    def triple(self) -> ox.Triple:
        """The fact as a pyoxigraph triple."""
        return ox.Triple(self.subject, self.predicate, self.object)


def page_path(iri: str) -> str:
    """The site path of an IRI's page: `method/agile.html`, `ontology/ParametricAgent.html`."""
    rest = iri[len(BASE):].replace("#", "/")
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "_.-/") else f"~{ord(c):04x}" for c in rest)
    return safe + ".html"


class SiteGraph:
    """The KG as the site needs it: records, facts by subject and by object, labels and the paged IRIs."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.kg = Records(store)
        self.index = self.kg.index
        self.ontology = model.ontology()
        self.by_subject: dict[str, list[Fact]] = defaultdict(list)
        self.by_object: dict[str, list[Fact]] = defaultdict(list)
        for quad in store.quads_for_pattern(None, None, None, None):
            if quad.graph_name == INFERRED_GRAPH or not isinstance(quad.graph_name, ox.NamedNode):
                continue
            source = quad.graph_name.value.removeprefix(FILE_GRAPH_PREFIX).replace("%20", " ")
            fact = Fact(quad.subject, quad.predicate, quad.object, source)
            self.by_subject[_key(quad.subject)].append(fact)
            if isinstance(quad.object, ox.NamedNode):
                self.by_object[quad.object.value].append(fact)
        for facts in (*self.by_subject.values(), *self.by_object.values()):
            facts.sort(key=lambda f: (str(f.subject), f.predicate.value, str(f.object), f.source))
        self.pages = self._pages()

    def _pages(self) -> dict[str, str]:
        paged = set()
        for subject, facts in self.by_subject.items():
            sources = {f.source for f in facts}
            if not subject.startswith(BASE) or subject.startswith(ENTRY) or sources <= {VOID_FILE}:
                continue
            if sources <= {ONTOLOGY_FILE} and not self._ontology_page(subject):
                continue
            paged.add(subject)
        paged |= self.ontology.method_classes()
        return {iri: page_path(iri) for iri in sorted(paged)}

    def _ontology_page(self, iri: str) -> bool:
        """Taxonomy classes, code lists and codes get a page; other ontology terms do not."""
        lists = self.ontology.code_lists
        return (iri in self.ontology.method_classes() or any(iri == c.scheme for c in lists)
                or any(iri == code.iri for c in lists for code in c.codes))

    def label(self, iri: str) -> str:
        """How a page names an IRI: its label, name or title (see records.Index.label)."""
        return self.index.label(iri)

    def kind(self, iri: str) -> str:
        """The first segment of a paged IRI's path: method, paper, model, vocab, ontology, ..."""
        return self.pages.get(iri, page_path(iri)).split("/", 1)[0]

    def predicate_label(self, iri: str) -> str:
        """A property's rdfs:label from the ontology, else its CURIE."""
        value = self.index.value(iri, RDFS + "label") or self.index.value(iri, SKOS + "prefLabel")
        return value or curie(iri)

    def description(self, iri: str) -> list[Fact]:
        """The facts a page's RDF files hold: about the IRI, and about its table rows (`llmrl:entryOf` it)."""
        facts = [f for f in self.by_subject.get(iri, []) if not isinstance(f.object, ox.BlankNode)]
        for entry in self.entries_of(iri):
            facts += self.by_subject.get(entry, [])
        return facts

    def entries_of(self, iri: str) -> list[str]:
        """The table rows (entries) of a method, sorted."""
        return sorted({f.subject.value for f in self.by_object.get(iri, [])
                       if f.predicate.value == ENTRY_OF and isinstance(f.subject, ox.NamedNode)})

    def method_of(self, entry: str) -> str | None:
        """The method an entry is a row of."""
        return self.index.value(entry, ENTRY_OF)

    def sources(self, iri: str) -> list[str]:
        """The files that state facts about the IRI (or its rows)."""
        return sorted({f.source for f in self.description(iri)})

    def link_facts(self, iris: list[str]) -> list[Fact]:
        """The facts of the `data/links/` files about these IRIs (external identifiers)."""
        return [f for iri in iris for f in self.by_subject.get(iri, []) if f.source.startswith(LINKS_PREFIX)]

    def types(self, iri: str) -> list[str]:
        """The asserted rdf:type IRIs."""
        return self.index.iris(iri, TYPE)


def _key(term: object) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)
