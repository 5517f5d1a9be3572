"""What every aligner shares: batching lookups into queries, reading answers back, deciding matches.

An aligner knows one external knowledge graph: its default endpoint, the form
of its entity IRIs, and how it stores arXiv IDs and DOIs. It turns a batch of
our identifiers into one SELECT query whose `VALUES` are serialised from
validated RDF terms (never pasted strings), and which returns `?entity` (the
external entity), `?value` (the identifier as that graph stores it) and,
optionally, `?title`. Papers are matched by identifier only, never by title;
titles are fetched only to help a person decide the ambiguous cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from llmrl_kg.link import identifiers as ids
from llmrl_kg.link.client import EndpointError
from llmrl_kg.link.papers import Lookup
from llmrl_kg.rdf.sparqltext import values_block


@dataclass(frozen=True)
class Form:
    """One way an external graph may hold an identifier: the RDF term, and which query branch uses it.

    `entity` is set when the entity IRI itself follows from the identifier (dblp's
    record keys of arXiv preprints); the branch then binds `(?entity ?value)` pairs.
    """

    term: object  # ox.Literal or ox.NamedNode
    branch: str
    entity: object | None = None


@dataclass
class Candidate:
    """An external entity found for one of our papers, and the identifiers (as stored there) that matched."""

    entity: str
    identifiers: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)
    fetched_at: str = ""


@dataclass
class PaperOutcome:
    """What the lookups found for one paper of ours."""

    paper: str
    status: str  # LINKED, NOT_FOUND or AMBIGUOUS
    candidates: list[Candidate] = field(default_factory=list)
    rejected: list[Candidate] = field(default_factory=list)
    reason: str = ""


LINKED, NOT_FOUND, AMBIGUOUS = "linked", "not found", "ambiguous"


class Aligner:
    """Base class: subclasses set the class attributes and `forms`; `query` may be overridden."""

    name = ""  # the TARGET of `llmrl-kg link`
    title = ""  # how people call the graph
    endpoint = ""  # the default SPARQL endpoint
    entity_pattern = re.compile(r"^$")
    entity_kind = ""  # how the report calls an entity IRI of this graph, e.g. "Wikidata item"
    batch_size = 100  # identifiers per query: the KG's papers fit in one or two requests
    prefixes = ""  # PREFIX lines of the query
    branches: dict[str, str] = {}  # branch name → graph pattern using ?entity and ?value
    title_pattern = ""  # graph pattern binding ?title for ?entity

    def forms(self, lookup: Lookup) -> list[Form]:
        """The terms under which this graph may store `lookup`'s identifier."""
        raise NotImplementedError

    def query(self, lookups: list[Lookup]) -> str:
        """One SELECT query that finds every entity holding one of the forms of `lookups`."""
        by_branch: dict[str, dict[str, Form]] = {}
        for lookup in lookups:
            for form in self.forms(lookup):
                by_branch.setdefault(form.branch, {})[f"{form.entity} {form.term}"] = form
        parts = []
        for branch, pattern in self.branches.items():
            forms = [by_branch[branch][k] for k in sorted(by_branch.get(branch, {}))]
            if not forms:
                continue
            if forms[0].entity is not None:
                block = values_block(("entity", "value"), ((f.entity, f.term) for f in forms))
            else:
                block = values_block("value", (f.term for f in forms))
            parts.append(f"  {{ {block}\n    {pattern} }}")
        union = "\n  UNION\n".join(parts) if parts else "  FILTER(false)"
        return (f"{self.prefixes}SELECT ?entity ?value ?title WHERE {{\n{union}\n"
                f"  OPTIONAL {{ {self.title_pattern} }}\n}}\n")

    def check_entity(self, endpoint: str, term: object) -> str:
        """The entity IRI of a result row; EndpointError if it is not an IRI of this graph's form."""
        if not isinstance(term, ox.NamedNode) or not self.entity_pattern.match(term.value):
            shown = term.value if hasattr(term, "value") else term
            raise EndpointError(endpoint, "bad-shape",
                                f"returned ?entity {shown!r}, which is not a {self.entity_kind} IRI; "
                                f"is this a {self.title} endpoint?")
        return term.value


def batches(lookups: list[Lookup], size: int) -> list[list[Lookup]]:
    """`lookups` in batches of about `size` identifiers, never splitting one paper's identifiers."""
    by_paper: dict[str, list[Lookup]] = {}
    for lookup in lookups:
        by_paper.setdefault(lookup.paper, []).append(lookup)
    result: list[list[Lookup]] = [[]]
    for paper in sorted(by_paper):
        if result[-1] and len(result[-1]) + len(by_paper[paper]) > size:
            result.append([])
        result[-1].extend(by_paper[paper])
    return [batch for batch in result if batch]


def collect(aligner: Aligner, endpoint: str, lookups: list[Lookup], rows: list[dict],
            fetched_at: str, found: dict[str, dict[str, Candidate]]) -> None:
    """Add the candidates that `rows` (an answer to `aligner.query(lookups)`) give for each paper to `found`."""
    by_key: dict[tuple[str, str], list[Lookup]] = {}
    for lookup in lookups:
        by_key.setdefault(lookup.key, []).append(lookup)
    for row in rows:
        if "entity" not in row or "value" not in row:
            raise EndpointError(endpoint, "bad-shape", "a result row lacks ?entity or ?value")
        entity = aligner.check_entity(endpoint, row["entity"])
        stored = row["value"].value if isinstance(row["value"], (ox.NamedNode, ox.Literal)) else ""
        key = ids.key_of(stored)
        if key is None or key not in by_key:
            raise EndpointError(endpoint, "bad-shape",
                                f"returned ?value {stored!r}, which is none of the identifiers asked for")
        scheme, _ = key
        shown = ids.display(scheme, ids.doi(stored) if scheme == ids.DOI else ids.arxiv_id(stored))
        title = row.get("title")
        for lookup in by_key[key]:
            candidate = found.setdefault(lookup.paper, {}).setdefault(entity, Candidate(entity))
            candidate.identifiers.add(shown)
            if isinstance(title, ox.Literal):
                candidate.titles.add(title.value)
            if not candidate.fetched_at or fetched_at < candidate.fetched_at:
                candidate.fetched_at = fetched_at


def decide(papers: list[str], found: dict[str, dict[str, Candidate]],
           rejected: set[tuple[str, str]]) -> list[PaperOutcome]:
    """One outcome per paper: linked (exactly one candidate, claimed by no other paper), ambiguous, or not found.

    `rejected` holds the (our IRI, external IRI) pairs a person has rejected; they are never linked.
    """
    outcomes = []
    claimed: dict[str, list[str]] = {}
    kept_by_paper: dict[str, list[Candidate]] = {}
    rejected_by_paper: dict[str, list[Candidate]] = {}
    for paper in papers:
        candidates = sorted(found.get(paper, {}).values(), key=lambda c: c.entity)
        kept_by_paper[paper] = [c for c in candidates if (paper, c.entity) not in rejected]
        rejected_by_paper[paper] = [c for c in candidates if (paper, c.entity) in rejected]
        for candidate in kept_by_paper[paper]:
            claimed.setdefault(candidate.entity, []).append(paper)
    for paper in papers:
        kept = kept_by_paper[paper]
        outcome = PaperOutcome(paper, NOT_FOUND, kept, rejected_by_paper[paper])
        if len(kept) > 1:
            outcome.status = AMBIGUOUS
            outcome.reason = "several entities match"
        elif len(kept) == 1:
            others = [p for p in claimed[kept[0].entity] if p != paper]
            if others:
                outcome.status = AMBIGUOUS
                outcome.reason = "the entity also matches " + ", ".join(f"<{p}>" for p in others)
            else:
                outcome.status = LINKED
        outcomes.append(outcome)
    return outcomes
