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
from itertools import pairwise

import pyoxigraph as ox

from llmrl_kg.export.records import (
    METHOD_CLASS,
    TAXONOMY_LEAVES,
    TYPE,
    Method,
    Records,
)
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


def kind_of(kg: Records, iri: str) -> str:
    """A readable category of a node: method, model, paper, rl-role, class, …"""
    if iri.startswith(BASE):
        rest = iri[len(BASE):]
        for namespace, kind in _KIND_BY_NAMESPACE.items():
            if rest.startswith(namespace):
                return kind
    types = set(kg.index.iris(iri, TYPE))
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
            self.graph.add_node(node, iri=iri, label=self.kg.index.label(iri), kind=kind_of(self.kg, iri))
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
            kind = kind_of(kg, value)
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


def _full_triples(kg: Records):
    concept_like = {SKOS + "Concept", SKOS + "ConceptScheme"}
    included: dict[str, bool] = {}  # subject -> in the view (asked once per subject, not once per triple)
    for triple in kg.index.triples:
        subject = triple.subject.value
        keep = included.get(subject)
        if keep is None:
            keep = included[subject] = not is_dataset_description(subject) and (
                subject in kg.data_subjects or bool(concept_like & set(kg.index.iris(subject, TYPE))))
        if keep:
            yield triple


def full_view(kg: Records):
    """Every resource of the data (and the code lists) with its literals as attributes.

    The inferences are added when `kg` was loaded with them (`load_kg(inferred=True)`).
    """
    with gc_paused():
        return _full_view(kg)


def _full_view(kg: Records):
    view = _Builder(kg, "llmrl-kg full view")
    literals: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    names: dict[str, str] = {}
    attribute_names: dict[str, str] = {}  # predicate -> attribute name (fixed by its first use)
    for triple in _full_triples(kg):
        subject, predicate, obj = triple.subject.value, triple.predicate.value, triple.object
        node = view.node(subject)
        if predicate == TYPE:
            literals[node]["type"].append(view.curie(obj.value))
        elif isinstance(obj, ox.Literal) or predicate in _WEB_ADDRESS:
            name = attribute_names.get(predicate)
            if name is None:
                name = attribute_names[predicate] = _attribute_name(predicate, names)
            literals[node][name].append(_literal_value(obj) if isinstance(obj, ox.Literal) else obj.value)
        elif isinstance(obj, ox.NamedNode):
            view.edge(node, predicate, view.node(obj.value), inferred=False)
    graph = view.graph
    for node, attributes in literals.items():
        for name, values in attributes.items():
            graph.nodes[node][name] = values[0] if len(values) == 1 else \
                MULTI_SEPARATOR.join(sorted(str(v) for v in values))
    for triple in kg.inferred:
        if not isinstance(triple.object, ox.NamedNode) or triple.predicate.value in (TYPE, *_WEB_ADDRESS):
            continue
        source, target, predicate = view.curie(term_value(triple.subject)), view.curie(triple.object.value), \
            triple.predicate.value
        if source in graph and target in graph and not graph.has_edge(source, target, view.curie(predicate)):
            view.edge(source, predicate, target, inferred=True)
    return graph


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
