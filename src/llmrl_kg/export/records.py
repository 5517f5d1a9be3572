"""The KG's methods and table rows as plain Python records, shared by the table, network and HTML exports.

Everything is read from the asserted triples of a pyoxigraph store (the shipped
KG by default) into a small subject → predicate → objects index; the exports
then never write SPARQL of their own. Multi-valued cells keep the survey's
printed order through the entries' `llmrl:*AsPrinted` strings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from llmrl_kg import locations
from llmrl_kg.kg import model
from llmrl_kg.kg.files import SourceFile, display_name
from llmrl_kg.kg.loader import INFERRED_GRAPH, open_store
from llmrl_kg.rdf.namespaces import DCTERMS, DOC, FOAF, LLMRL, RDF, RDFS, SKOS, local_name

TYPE = RDF + "type"
LABEL = RDFS + "label"
README = DOC + "readme"
PAPER_V1 = DOC + "paper-v1"
DOCUMENTS = {"readme": README, "paper": PAPER_V1}
CURATION = DOC + "llmrl-kg-curation"
DOCUMENT_NAMES = {README: "readme", PAPER_V1: "paper-v1", CURATION: "llmrl-kg-curation"}
SURVEY_DOCUMENTS = ("readme", "paper-v1")

# The integration-role taxonomy, read from the ontology: leaf class -> its role group, in the survey's order.
TAXONOMY_LEAVES = model.Derived(lambda ontology: ontology.leaf_groups)
METHOD_CLASS = model.METHOD


class Index:
    """Subject → predicate → objects over a set of triples (pyoxigraph terms kept)."""

    def __init__(self, triples) -> None:
        self.facts: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.triples = []
        self._typed: dict[str, set[str]] = defaultdict(set)
        for t in triples:
            if not isinstance(t.subject, ox.NamedNode):
                continue
            self.facts[t.subject.value][t.predicate.value].append(t.object)
            self.triples.append(t)
            if t.predicate.value == TYPE:
                self._typed[t.object.value].add(t.subject.value)

    def objects(self, subject: str, predicate: str) -> list:
        """The objects of `subject predicate ?o`, sorted by their value."""
        found = self.facts.get(subject, {}).get(predicate, [])
        return sorted(found, key=lambda term: term.value)

    def iris(self, subject: str, predicate: str) -> list[str]:
        """The IRI objects of `subject predicate ?o`."""
        return [o.value for o in self.objects(subject, predicate) if isinstance(o, ox.NamedNode)]

    def value(self, subject: str, predicate: str) -> str | None:
        """One object's value (the smallest when there are several), or None."""
        found = self.objects(subject, predicate)
        return found[0].value if found else None

    def subjects_of_type(self, cls: str) -> list[str]:
        """Subjects asserted to have rdf:type `cls`, sorted."""
        return sorted(self._typed.get(cls, ()))

    def label(self, iri: str) -> str:
        """rdfs:label, skos:prefLabel, foaf:name, dcterms:title or the local name."""
        for predicate in (LABEL, SKOS + "prefLabel", FOAF + "name", DCTERMS + "title"):
            value = self.value(iri, predicate)
            if value is not None:
                return value
        return local_name(iri)

    def notation(self, iri: str) -> str:
        """skos:notation (the survey's code), else the label."""
        return self.value(iri, SKOS + "notation") or self.label(iri)


@dataclass(frozen=True)
class Entry:
    """One row of a survey table about a method, as one source document prints it."""

    iri: str
    method: str
    document: str  # "readme", "paper-v1" or "llmrl-kg-curation" (a row beyond the survey)
    table: str
    row: int
    citation: str
    models: tuple[str, ...]  # IRIs in printed order
    model_labels: tuple[str, ...]
    fine_tuning: str | None  # concept IRI
    rl_roles: tuple[str, ...]  # concept IRIs in printed order
    metrics: tuple[str, ...]
    fm_roles: tuple[str, ...]
    rl_agent: str | None
    rl_task: str | None
    rl_setting: str | None
    code: str | None


@dataclass(frozen=True)
class Method:
    """A method with its taxonomy class, paper and table rows."""

    iri: str
    label: str
    leaf_class: str | None
    paper: str | None
    benchmarks: tuple[str, ...]
    entries: tuple[Entry, ...]

    @property
    def surveyed(self) -> bool:
        """True when the method is a row of the survey's tables (its README's or its paper's)."""
        return any(entry.document in SURVEY_DOCUMENTS for entry in self.entries)

    def entry(self, document: str) -> Entry | None:
        """The method's row in `document` ("readme", "paper-v1" or "llmrl-kg-curation")."""
        for entry in self.entries:
            if entry.document == document:
                return entry
        return None


def _in_printed_order(index: Index, linked: list[str], printed: str | None, name) -> tuple[str, ...]:
    """The linked IRIs ordered as the `*AsPrinted` string lists their names (sorted if it does not)."""
    if printed is None:
        return tuple(sorted(linked))
    by_name = {name(iri): iri for iri in linked}
    parts = [part.strip() for part in printed.split(", ")]
    if sorted(parts) == sorted(by_name) and len(parts) == len(linked):
        return tuple(by_name[part] for part in parts)
    return tuple(sorted(linked))


def ontology_graph_name() -> ox.NamedNode:
    """The named graph that holds the ontology file's triples in a store built by the loader."""
    ontology_file = locations.ontology_file()
    return SourceFile(ontology_file, display_name(ontology_file)).graph_name


class Records:
    """The knowledge graph's methods and entries, read once from a store."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        ontology_graph = ontology_graph_name()
        self.inferred: list = []
        self.data_subjects: set[str] = set()
        self.index = Index(self._asserted(store, ontology_graph))
        self.methods = self._methods()

    def _asserted(self, store: ox.Store, ontology_graph):
        """The asserted triples, in one pass over the store (keeping the inferred ones and the data's subjects)."""
        for quad in store.quads_for_pattern(None, None, None, None):
            if quad.graph_name == INFERRED_GRAPH:
                self.inferred.append(quad.triple)
                continue
            if quad.graph_name != ontology_graph and isinstance(quad.subject, ox.NamedNode):
                self.data_subjects.add(quad.subject.value)
            yield quad.triple

    def entry(self, iri: str) -> Entry:
        """The table row `iri` with its cells (codes and the text as printed)."""
        ix = self.index

        def ordered(predicate: str, printed: str, name) -> tuple[str, ...]:
            return _in_printed_order(ix, ix.iris(iri, LLMRL + predicate), ix.value(iri, LLMRL + printed), name)

        models = ordered("usesModel", "modelsAsPrinted", ix.label)
        row = ix.value(iri, LLMRL + "rowNumber")
        return Entry(
            iri=iri,
            method=ix.value(iri, LLMRL + "entryOf") or "",
            document=DOCUMENT_NAMES.get(ix.value(iri, LLMRL + "statedIn") or "", "other"),
            table=ix.value(iri, LLMRL + "inTable") or "",
            row=int(row) if row and row.lstrip("+-").isdigit() else 0,
            citation=ix.value(iri, LLMRL + "citation") or "",
            models=models,
            model_labels=tuple(ix.label(m) for m in models),
            fine_tuning=ix.value(iri, LLMRL + "fineTuning"),
            rl_roles=ordered("rlRole", "rlRolesAsPrinted", ix.notation),
            metrics=ordered("improvesMetric", "metricsAsPrinted", ix.notation),
            fm_roles=ordered("fmRole", "fmRolesAsPrinted", ix.notation),
            rl_agent=ix.value(iri, LLMRL + "rlAgent"),
            rl_task=ix.value(iri, LLMRL + "rlTask"),
            rl_setting=ix.value(iri, LLMRL + "rlSetting"),
            code=ix.value(iri, LLMRL + "codeRepository"),
        )

    def _methods(self) -> list[Method]:
        ix = self.index
        entries: dict[str, list[Entry]] = defaultdict(list)
        # The asserted types only (no inference here): survey rows are MethodEntry, curated rows CuratedEntry.
        rows = set(ix.subjects_of_type(LLMRL + "MethodEntry")) | set(ix.subjects_of_type(LLMRL + "CuratedEntry"))
        for iri in sorted(rows):
            entry = self.entry(iri)
            entries[entry.method].append(entry)
        iris = sorted({s for cls in model.ontology().method_classes() for s in ix.subjects_of_type(cls)})
        methods, leaf_groups = [], model.ontology().leaf_groups
        for iri in iris:
            leaves = [c for c in ix.iris(iri, TYPE) if c in leaf_groups]
            methods.append(Method(
                iri=iri,
                label=ix.label(iri),
                leaf_class=leaves[0] if leaves else None,
                paper=ix.value(iri, LLMRL + "introducedIn"),
                benchmarks=tuple(ix.iris(iri, LLMRL + "evaluatedOn")),
                entries=tuple(sorted(entries.get(iri, []), key=lambda e: (e.document, e.table, e.row))),
            ))
        return methods

    def method(self, iri: str) -> Method | None:
        """The method with this IRI."""
        return next((m for m in self.methods if m.iri == iri), None)

    def entries(self, document: str) -> list[Entry]:
        """Every method entry stated in `document`, in table and row order."""
        found = [e for m in self.methods for e in m.entries if e.document == document]
        return sorted(found, key=lambda e: (self.table_position(e.table), e.row))

    def table_position(self, table: str) -> int:
        """llmrl:tablePosition of a survey table (0 when absent)."""
        value = self.index.value(table, LLMRL + "tablePosition")
        return int(value) if value and value.isdigit() else 0

    def papers(self) -> list[str]:
        """Every paper (llmrl:Paper or llmrl:Survey), sorted by IRI."""
        return sorted(set(self.index.subjects_of_type(LLMRL + "Paper"))
                      | set(self.index.subjects_of_type(LLMRL + "Survey")))

    def latex(self, concept: str) -> str:
        """How the README writes an RL-role code inside `$…$`."""
        return self.index.value(concept, LLMRL + "latexNotation") or self.index.notation(concept)


def load_kg(paths: list[Path] | None = None, *, inferred: bool = False) -> Records:
    """The shipped KG (or the ontology plus the data under `paths`) as records; `inferred` keeps the inferences."""
    return Records(open_store(paths, inferred=inferred))
