"""The papers of the knowledge graph and the identifiers they can be looked up by."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from llmrl_kg.link import identifiers as ids
from llmrl_kg.rdf.namespaces import BIBO, LLMRL, RDF
from llmrl_kg.rdf.oxtypes import term_value

PAPER_CLASSES = {LLMRL + "Paper", LLMRL + "Survey"}
ARXIV_PROPERTY = LLMRL + "arxivId"
DOI_PROPERTY = BIBO + "doi"


@dataclass(frozen=True)
class Lookup:
    """One identifier of one paper, in the normalised form we compare with.

    `derived` marks the arXiv DataCite DOI (10.48550/arXiv.<id>) computed from the
    paper's arXiv ID rather than stated in the data.
    """

    paper: str
    scheme: str  # identifiers.ARXIV or identifiers.DOI
    value: str  # bare arXiv ID, or bare DOI with its case as stated
    derived: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """(scheme, comparison key): DOIs compare case-insensitively."""
        return (self.scheme, self.value.lower() if self.scheme == ids.DOI else self.value)


@dataclass
class Paper:
    """A paper of the KG: its IRI and the identifiers stated for it."""

    iri: str
    arxiv: list[str] = field(default_factory=list)
    dois: list[str] = field(default_factory=list)

    def lookups(self) -> tuple[list[Lookup], list[str]]:
        """The identifiers to look the paper up by, and a note for each identifier that is invalid."""
        found: dict[tuple[str, str], Lookup] = {}
        problems = []
        for value in sorted(self.dois):
            try:
                lookup = Lookup(self.iri, ids.DOI, ids.doi(value))
            except ids.IdentifierError as error:
                problems.append(f"<{self.iri}> bibo:doi: {error}; not looked up")
                continue
            found.setdefault(lookup.key, lookup)
        for value in sorted(self.arxiv):
            try:
                arxiv = ids.arxiv_id(value)
            except ids.IdentifierError as error:
                problems.append(f"<{self.iri}> llmrl:arxivId: {error}; not looked up")
                continue
            for lookup in (Lookup(self.iri, ids.ARXIV, arxiv),
                           Lookup(self.iri, ids.DOI, ids.arxiv_datacite_doi(arxiv), derived=True)):
                found.setdefault(lookup.key, lookup)  # a DOI stated in the data wins over the derived one
        return sorted(found.values(), key=lambda lookup: (lookup.scheme, lookup.value)), problems


def load_papers(paths: list[Path] | None = None) -> list[Paper]:
    """Every llmrl:Paper (or llmrl:Survey) of the shipped KG, or of the KG under `paths`, sorted by IRI.

    Raises dataset.LoadError (with file, line and fix) if a file does not parse.
    """
    from llmrl_kg.kg.loader import load_sources

    papers: dict[str, Paper] = {}
    arxiv: dict[str, list[str]] = {}
    dois: dict[str, list[str]] = {}
    for source in load_sources(paths):
        for triple in source.triples:
            subject, predicate, obj = term_value(triple.subject), triple.predicate.value, triple.object
            if predicate == RDF + "type" and term_value(obj) in PAPER_CLASSES:
                papers.setdefault(subject, Paper(subject))
            elif predicate == ARXIV_PROPERTY:
                arxiv.setdefault(subject, []).append(term_value(obj))
            elif predicate == DOI_PROPERTY:
                dois.setdefault(subject, []).append(term_value(obj))
    for iri, paper in papers.items():
        paper.arxiv = sorted(set(arxiv.get(iri, [])))
        paper.dois = sorted(set(dois.get(iri, [])))
    return [papers[iri] for iri in sorted(papers)]
