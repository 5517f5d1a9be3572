"""The projection of the RDF graph onto a property graph (a networkx MultiDiGraph).

Two views; docs/exports.md documents both in full.

`methods` (the compact view people look at):
  nodes   every method; the taxonomy classes of those methods up to llmrl:Method;
          and the models, fine-tuning codes, RL-role codes, FM-role codes, metrics
          and benchmarks the methods are linked to.
  edges   method → leaf class (rdf:type), class → parent class (rdfs:subClassOf);
          method → model / fine-tuning / RL role / FM role / metric, one edge per
          (method, property, value) taken from the method's table rows of BOTH
          source documents, with `stated_in` = the documents that state it
          ("readme", "paper-v1" or "readme paper-v1"); method → benchmark
          ("evaluated on", from the method's own record, `stated_in` empty).
  attributes  of a method: label, role, role group, surveyed, paper facts, code
          links and the paper's RL agent / task / setting; of a code: label (the
          survey's notation), pref_label, definition.

`full` (every resource):
  nodes   every IRI that is the subject of a triple of a data file or of a
          code-list concept or scheme, and every IRI object of an edge.
  edges   every such triple whose object is an IRI, except rdf:type (an attribute)
          and the web-address properties schema:url and llmrl:linkedURL (attributes).
  attributes  rdf:type as `type` (CURIEs) and `kind`; each literal property as an
          attribute named by the property's local name (`prefix_local` when reserved
          or ambiguous; several values joined by " | "); numbers (integers, years,
          decimals) and booleans keep their type.
  The dataset's own description (data/void.ttl: the void:Dataset, its class and
  property partitions, the vocabularies it names) is not part of the view.
  With `inferred`, inferred triples between two nodes are added as edges with
  `inferred` = true; inferred types and literals are left out.

Node ids are CURIEs (`method:agile`), or the IRI for IRIs outside the project's
namespaces. Edge keys are the property's CURIE, edge `label` its readable name
(its rdfs:label in the ontology).
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise

import pyoxigraph as ox

from llmrl_kg.export.records import (
    METHOD_CLASS,
    TAXONOMY_LEAVES,
    TYPE,
    Method,
    Records,
    ontology_graph_name,
)
from llmrl_kg.kg.loader import INFERRED_GRAPH
from llmrl_kg.rdf.namespaces import BASE, FABIO, LLMRL, OWL, RDFS, SCHEMA, SKOS, XSD, curie, local_name
from llmrl_kg.rdf.oxtypes import term_value

VIEWS = ("methods", "full")
DATASET = BASE + "dataset"  # the IRI data/void.ttl describes
MULTI_SEPARATOR = " | "
_WEB_ADDRESS = {SCHEMA + "url", LLMRL + "linkedURL"}
_ENTRY_EDGES = (  # (Entry attribute, property) of the methods view
    ("models", LLMRL + "usesModel"),
    ("fine_tuning", LLMRL + "fineTuning"),
    ("rl_roles", LLMRL + "rlRole"),
    ("fm_roles", LLMRL + "fmRole"),
    ("metrics", LLMRL + "improvesMetric"),
)
_KIND_BY_NAMESPACE = {
    "method/": "method", "paper/": "paper", "model/": "model", "benchmark/": "benchmark",
    "organization/": "organization", "person/": "person", "entry/": "entry", "table/": "table",
    "document/": "document", "topic/": "topic", "vocab/rl-role/": "rl-role", "vocab/fm-role/": "fm-role",
    "vocab/fine-tuning/": "fine-tuning", "vocab/metric/": "metric", "vocab/rl-agent/": "rl-agent",
    "vocab/rl-task/": "rl-task", "vocab/rl-setting/": "rl-setting",
}


def kind_of(iri: str, types_of) -> str:
    """A readable category of a node: method, model, paper, rl-role, class, …

    `types_of(iri)` gives the node's asserted classes; it is asked only for IRIs outside the KG's namespaces.
    """
    if iri.startswith(BASE):
        rest = iri[len(BASE):]
        for namespace, kind in _KIND_BY_NAMESPACE.items():
            if rest.startswith(namespace):
                return kind
    types = set(types_of(iri))
    if LLMRL + "CodeRepository" in types:
        return "code-repository"
    if SKOS + "ConceptScheme" in types:
        return "concept-scheme"
    if OWL + "Class" in types or (iri.startswith(LLMRL) and iri[len(LLMRL):][:1].isupper()):
        return "class"
    if "http://rdfs.org/ns/void#Dataset" in types:
        return "dataset"
    return "resource"


def property_label(kg: Records, predicate: str) -> str:
    """The readable name of a property: its rdfs:label in the ontology, else its local name."""
    return kg.index.value(predicate, RDFS + "label") or local_name(predicate)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: building or writing a view makes millions of small objects
    and no cycles, and each collection would walk the whole KG already in memory (a quarter of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Builder:
    """A view under construction: its graph plus the CURIEs and property labels, each computed once.

    At a million triples the same few hundred thousand IRIs and a few dozen properties come up again
    and again; `curie` and the index look-ups cost more than the graph itself when repeated.
    """

    def __init__(self, kg: Records, name: str) -> None:
        import networkx as nx

        self.kg = kg
        self.graph = nx.MultiDiGraph(name=name)
        self._curies: dict[str, str] = {}
        self._labels: dict[str, str] = {}

    def types_of(self, iri: str) -> list[str]:
        """The asserted classes of `iri`."""
        return self.kg.index.iris(iri, TYPE)

    def curie(self, iri: str) -> str:
        found = self._curies.get(iri)
        if found is None:
            found = self._curies[iri] = curie(iri)
        return found

    def node(self, iri: str, **attributes) -> str:
        """Add the node of `iri` (iri, label and kind the first time), update its attributes; its id."""
        node = self.curie(iri)
        nodes = self.graph.nodes
        if node not in nodes:
            self.graph.add_node(node, iri=iri, label=self.kg.index.label(iri), kind=kind_of(iri, self.types_of))
        if attributes:
            nodes[node].update(attributes)
        return node

    def edge(self, source: str, predicate: str, target: str, **attributes) -> None:
        """Add the edge `source predicate target`, or update its attributes when it is there."""
        key = self.curie(predicate)
        if self.graph.has_edge(source, target, key):
            self.graph.edges[source, target, key].update(attributes)
            return
        label = self._labels.get(predicate)
        if label is None:
            label = self._labels[predicate] = property_label(self.kg, predicate)
        self.graph.add_edge(source, target, key=key, predicate=key, label=label, **attributes)


# --- the methods view ---------------------------------------------------------------------------

def _method_attributes(kg: Records, method: Method) -> dict:
    ix = kg.index
    paper = method.paper or ""
    paper_entry = method.entry("paper-v1")
    group = TAXONOMY_LEAVES.get(method.leaf_class or "", "")

    def code(attribute: str) -> str:
        value = getattr(paper_entry, attribute) if paper_entry else None
        return ix.notation(value) if value else ""

    return {
        "role": ix.label(method.leaf_class) if method.leaf_class else "",
        "role_class": curie(method.leaf_class) if method.leaf_class else "",
        "role_group": ix.label(group) if group else "",
        "surveyed": method.surveyed,
        "alt_labels": MULTI_SEPARATOR.join(o.value for o in ix.objects(method.iri, SKOS + "altLabel")),
        "paper": curie(paper) if paper else "",
        "title": ix.value(paper, "http://purl.org/dc/terms/title") or "",
        **_year(ix.value(paper, FABIO + "hasPublicationYear")),
        "venue": ix.value(paper, LLMRL + "venue") or "",
        "arxiv": ix.value(paper, LLMRL + "arxivId") or "",
        "doi": MULTI_SEPARATOR.join(o.value for o in ix.objects(paper, "http://purl.org/ontology/bibo/doi")),
        "code": MULTI_SEPARATOR.join(sorted({e.code for e in method.entries if e.code})),
        "citation": _citation(method.entry("readme") or paper_entry),
        "rl_agent": code("rl_agent"),
        "rl_task": code("rl_task"),
        "rl_setting": code("rl_setting"),
    }


def _year(value: str | None) -> dict:
    """`year` as a number (Gephi filters on it and draws timelines), or nothing when it is unknown."""
    return {"year": int(value)} if value and value.isdigit() else {}


def _citation(entry) -> str:
    return entry.citation if entry is not None else ""


def _concept_attributes(kg: Records, iri: str) -> dict:
    ix = kg.index
    attributes = {"label": ix.notation(iri)}
    name = ix.value(iri, SKOS + "prefLabel")
    if name:
        attributes["pref_label"] = name
    definition = ix.value(iri, SKOS + "definition")
    if definition:
        attributes["definition"] = definition
    return attributes


def methods_view(kg: Records):
    """The compact view: methods, their taxonomy classes and what their table rows link them to."""
    with gc_paused():
        return _methods_view(kg)


def _methods_view(kg: Records):
    view = _Builder(kg, "llmrl-kg methods view")
    for method in kg.methods:
        node = view.node(method.iri, **_method_attributes(kg, method))
        if method.leaf_class:
            _add_taxonomy_path(view, method.leaf_class)
            view.edge(node, TYPE, view.curie(method.leaf_class), stated_in="")
        stated: dict[tuple[str, str], set[str]] = defaultdict(set)
        for entry in method.entries:
            for attribute, predicate in _ENTRY_EDGES:
                values = getattr(entry, attribute)
                for value in (values,) if isinstance(values, str) else (values or ()):
                    stated[(predicate, value)].add(entry.document)
        for (predicate, value), documents in sorted(stated.items()):
            kind = kind_of(value, view.types_of)
            target = view.node(value, **({} if kind == "model" else _concept_attributes(kg, value)))
            view.edge(node, predicate, target, stated_in=" ".join(sorted(documents, reverse=True)))
        for benchmark in method.benchmarks:
            target = view.node(benchmark, domain=kg.index.value(benchmark, LLMRL + "domain") or "")
            view.edge(node, LLMRL + "evaluatedOn", target, stated_in="")
    return view.graph


def _add_taxonomy_path(view: _Builder, leaf: str) -> None:
    """The leaf class, its role group and llmrl:Method, linked by "subclass of" edges."""
    chain = [leaf]
    group = TAXONOMY_LEAVES[leaf]
    if group != leaf:
        chain.append(group)
    chain.append(METHOD_CLASS)
    for cls in chain:
        view.node(cls, definition=view.kg.index.value(cls, SKOS + "definition") or "")
    for child, parent in pairwise(chain):
        view.edge(view.curie(child), RDFS + "subClassOf", view.curie(parent), stated_in="")


# --- the full view ------------------------------------------------------------------------------

_INTEGER_TYPES = {XSD + name for name in ("integer", "int", "long", "short", "nonNegativeInteger",
                                           "positiveInteger", "gYear")}
_DECIMAL_TYPES = {XSD + name for name in ("decimal", "double", "float")}
_CONCEPT_LIKE = {SKOS + "Concept", SKOS + "ConceptScheme"}
_LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel", "http://xmlns.com/foaf/0.1/name",
                     "http://purl.org/dc/terms/title")  # Index.label's order


def _literal_value(literal: ox.Literal):
    """The literal as a Python value: numbers (years too) as int or float, booleans as bool."""
    datatype = literal.datatype.value if literal.datatype else ""
    if datatype in _INTEGER_TYPES and literal.value.lstrip("+-").isdigit():
        return int(literal.value)
    if datatype in _DECIMAL_TYPES:
        try:
            return float(literal.value)
        except ValueError:
            return literal.value
    if datatype == XSD + "boolean" and literal.value in ("true", "false"):
        return literal.value == "true"
    return literal.value


def is_dataset_description(iri: str) -> bool:
    """True for the VoID description of the dataset and its partitions (`<dataset>`, `<dataset#…>`)."""
    return iri == DATASET or iri.startswith(DATASET + "#")


@dataclass
class PropertyGraph:
    """A property graph as plain data: what the GraphML and GEXF writers stream from.

    `nodes` maps a node id to its attributes; `edges` holds (source, target, key, attributes),
    with one attributes dict shared by every edge of the same property and origin.
    """

    attributes: dict
    nodes: dict[str, dict]
    edges: list[tuple[str, str, str, dict]]

    def to_networkx(self):
        """The same graph as a networkx MultiDiGraph (nodes and edges in the same order)."""
        import networkx as nx

        graph = nx.MultiDiGraph(**self.attributes)
        graph.add_nodes_from(self.nodes.items())
        for source, target, key, data in self.edges:
            graph.add_edge(source, target, key=key, **data)
        return graph


def full_view(kg: Records):
    """Every resource of the data (and the code lists) with its literals as attributes, in networkx.

    The inferences are added when `kg` was loaded with them (`load_kg(inferred=True)`).
    """
    return project_full(kg.store).to_networkx()


def project_full(store: ox.Store) -> PropertyGraph:
    """The full view, read straight from `store`'s quads (inferred ones from urn:llmrl-kg:inferred).

    No copy of the graph is made: a few passes over the store's quads, each IRI's CURIE computed once.
    """
    with gc_paused():
        return _FullProjection(store).graph()


class _FullProjection:
    """The full view under construction (see the module docstring for what it holds)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        ontology_graph = ontology_graph_name()
        self.labels = {predicate: self._smallest_values(predicate) for predicate in _LABEL_PREDICATES}
        self.types = self._asserted_types()
        self.ontology_only = self._ontology_only_subjects(ontology_graph)
        self.curies: dict[str, str] = {}
        self.nodes: dict[str, dict] = {}
        self.literals: dict[str, dict[str, list]] = {}
        self.edges: dict[tuple[str, str, str], bool] = {}  # (source, target, key) -> inferred
        self.attribute_names: dict[str, str] = {}  # predicate -> attribute name (fixed by its first use)
        self._names: dict[str, str] = {}
        self.predicates: dict[str, str] = {}  # edge key -> property IRI

    def _asserted(self, predicate: str | None = None, subject: str | None = None):
        """The asserted quads (not the inferred graph) with an IRI subject, by predicate or subject."""
        pattern = self.store.quads_for_pattern(ox.NamedNode(subject) if subject else None,
                                               ox.NamedNode(predicate) if predicate else None, None, None)
        for quad in pattern:
            if type(quad.subject) is ox.NamedNode and quad.graph_name != INFERRED_GRAPH:
                yield quad

    def _smallest_values(self, predicate: str) -> dict[str, str]:
        """Subject -> the smallest value of its `predicate` (as Index.value picks it)."""
        found: dict[str, str] = {}
        for quad in self._asserted(predicate):
            subject, value = quad.subject.value, quad.object.value
            if subject not in found or value < found[subject]:
                found[subject] = value
        return found

    def _asserted_types(self) -> dict[str, set[str]]:
        types: dict[str, set[str]] = defaultdict(set)
        for quad in self._asserted(TYPE):
            if type(quad.object) is ox.NamedNode:
                types[quad.subject.value].add(quad.object.value)
        return types

    def _ontology_only_subjects(self, ontology_graph) -> set[str]:
        """The subjects of the ontology's graph that no other asserted graph describes (not data subjects)."""
        subjects = {quad.subject.value for quad in self.store.quads_for_pattern(None, None, None, ontology_graph)
                    if type(quad.subject) is ox.NamedNode}
        return {subject for subject in subjects
                if all(quad.graph_name == ontology_graph for quad in self._asserted(subject=subject))}

    def curie(self, iri: str) -> str:
        found = self.curies.get(iri)
        if found is None:
            found = self.curies[iri] = curie(iri)
        return found

    def key(self, predicate: str) -> str:
        """The edge key of a property (its CURIE), remembering which property it names."""
        key = self.curie(predicate)
        self.predicates.setdefault(key, predicate)
        return key

    def label(self, iri: str) -> str:
        for predicate in _LABEL_PREDICATES:
            value = self.labels[predicate].get(iri)
            if value is not None:
                return value
        return local_name(iri)

    def node(self, iri: str) -> str:
        """The node of `iri` (added with its iri, label and kind the first time); its id."""
        node = self.curie(iri)
        if node not in self.nodes:
            self.nodes[node] = {"iri": iri, "label": self.label(iri),
                                "kind": kind_of(iri, lambda i: self.types.get(i, ()))}
        return node

    def included(self, subject: str) -> bool:
        """True for a subject of the data (or a code-list concept or scheme), not the dataset description."""
        return not is_dataset_description(subject) and (
            subject not in self.ontology_only or bool(_CONCEPT_LIKE & self.types.get(subject, set())))

    def add_asserted(self) -> None:
        """Nodes, literal attributes and edges from the asserted quads, in the store's order.

        The loop is the export's hot path at a million triples: quads come grouped by subject, so the
        subject's node is looked up once per run of quads, and every IRI's node id once.
        """
        subjects: dict[str, str] = {}  # subject IRI -> node id, or "" when it is not in the view
        targets: dict[str, str] = {}  # object IRI -> node id
        literal, named, inferred_graph = ox.Literal, ox.NamedNode, INFERRED_GRAPH
        last_subject, node = None, ""
        for quad in self.store.quads_for_pattern(None, None, None, None):
            subject = quad.subject
            if type(subject) is not named or quad.graph_name == inferred_graph:
                continue
            value = subject.value
            if value != last_subject:
                last_subject = value
                found = subjects.get(value)
                if found is None:
                    found = subjects[value] = self.node(value) if self.included(value) else ""
                node = found
            if not node:
                continue
            predicate, obj = quad.predicate.value, quad.object
            if predicate == TYPE:
                self._literal(node, "type", self.curie(term_value(obj)))
            elif type(obj) is literal or predicate in _WEB_ADDRESS:
                name = self.attribute_names.get(predicate)
                if name is None:
                    name = self.attribute_names[predicate] = _attribute_name(predicate, self._names)
                self._literal(node, name, _literal_value(obj) if type(obj) is literal else term_value(obj))
            elif type(obj) is named:
                target = obj.value
                target_node = targets.get(target)
                if target_node is None:
                    target_node = targets[target] = self.node(target)
                self.edges.setdefault((node, target_node, self.key(predicate)), False)

    def _literal(self, node: str, name: str, value) -> None:
        attributes = self.literals.get(node)
        if attributes is None:
            attributes = self.literals[node] = {}
        values = attributes.get(name)
        if values is None:
            attributes[name] = [value]
        else:
            values.append(value)

    def add_inferred(self) -> None:
        """Inferred IRI-to-IRI edges between two nodes of the view, where no asserted edge says the same."""
        for quad in self.store.quads_for_pattern(None, None, None, INFERRED_GRAPH):
            obj, predicate = quad.object, quad.predicate.value
            if type(obj) is not ox.NamedNode or predicate == TYPE or predicate in _WEB_ADDRESS:
                continue
            source, target = self.curie(term_value(quad.subject)), self.curie(obj.value)
            if source in self.nodes and target in self.nodes:
                self.edges.setdefault((source, target, self.key(predicate)), True)

    def graph(self) -> PropertyGraph:
        self.add_asserted()
        for node, attributes in self.literals.items():
            data = self.nodes[node]
            for name, values in attributes.items():
                data[name] = values[0] if len(values) == 1 else MULTI_SEPARATOR.join(sorted(str(v) for v in values))
        self.add_inferred()
        shared: dict[tuple[str, bool], dict] = {}
        labels = self.labels[RDFS + "label"]
        edges = []
        for (source, target, key), inferred in self.edges.items():
            edge_data = shared.get((key, inferred))
            if edge_data is None:
                predicate = self.predicates[key]
                edge_data = shared[(key, inferred)] = {"predicate": key, "label": labels.get(predicate)
                                                        or local_name(predicate), "inferred": inferred}
            edges.append((source, target, key, edge_data))
        return PropertyGraph({"name": "llmrl-kg full view"}, self.nodes, edges)


# Attribute names that graph tools reserve (pydot's `name`, GEXF's `id`, Cytoscape's `value`) or
# that the projection itself sets.
_RESERVED = {"id", "name", "value", "key", "iri", "kind", "label", "type", "inferred", "predicate"}


def _attribute_name(predicate: str, names: dict[str, str]) -> str:
    """The property's local name; `prefix_local` when it is reserved or two properties share it.

    rdfs:label stays `label` (the node's label); foaf:name becomes `foaf_name`.
    """
    if predicate == RDFS + "label":
        return "label"
    name = local_name(predicate)
    owner = names.setdefault(name, predicate)
    if owner != predicate or name in _RESERVED:
        return curie(predicate).replace(":", "_")
    return name
