"""SHACL Core compiled to SPARQL and run in Oxigraph: the fast path of `llmrl-kg validate`.

The shapes graph is compiled once into `Shape` records; validation runs each shape's
constraints as SPARQL SELECT queries on a pyoxigraph Store holding the ontology and the
data. The results are those pyshacl (the reference, see kg/shacl.py) gives with
`inference="none"` and `allow_warnings=True`; tests/test_shacl_differential.py proves it.

Where pyshacl's answer rests on rdflib's model of literals (which lexical forms rdflib
normalises, which literals it finds ill-typed, how it orders values for sh:minInclusive),
this module asks rdflib about those literals, so the two engines cannot drift apart; only
the plain canonical forms of xsd:integer, xsd:boolean and xsd:gYear are decided without it
(tests/test_validate_incremental.py checks those against rdflib). A constraint's values from
the shapes graph reach a query only as serialised, validated RDF terms, never as pasted text.
Anything in a shapes graph this compiler does not handle raises `UnsupportedShapes` (the
caller then uses pyshacl); nothing is skipped silently.

The shapes are compiled with rdflib, then turned into pyoxigraph terms (`Program`) and
cached on disk, so a validation with a warm cache and plain literals never imports rdflib.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from llmrl_kg.errors import DataError
from llmrl_kg.rdf.namespaces import RDF, RDFS, SH, XSD
from llmrl_kg.rdf.oxtypes import select

if TYPE_CHECKING:
    import rdflib

Term = Any  # an rdflib term while compiling, a pyoxigraph term once compiled
_ALLOWED_SEVERITIES = (ox.NamedNode(SH + "Warning"), ox.NamedNode(SH + "Info"))
_VIOLATION = ox.NamedNode(SH + "Violation")
_TARGETS = ("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode")
_MANY = {*_TARGETS, "property", "class", "pattern", "hasValue", "minInclusive", "minLength", "or", "not"}
_ONE = {"path", "severity", "message", "deactivated", "datatype", "nodeKind", "minCount", "maxCount", "in",
        "flags", "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint"}
_IGNORED = {"name", "description", "order", "group", "defaultValue"}  # no constraint, as in pyshacl
_NODE_KINDS = {  # sh:nodeKind -> SPARQL condition that a value does NOT match it
    "IRI": "!isIRI(?v)", "Literal": "!isLiteral(?v)", "BlankNode": "!isBlank(?v)",
    "BlankNodeOrIRI": "isLiteral(?v)", "BlankNodeOrLiteral": "isIRI(?v)", "IRIOrLiteral": "isBlank(?v)",
}
_STRING_TYPES = (ox.NamedNode(XSD + "string"), ox.NamedNode(RDF + "langString"))
_NUMBERS = ("minCount", "maxCount", "minLength", "qualifiedMinCount", "qualifiedMaxCount")
_TEXTS = ("pattern", "flags")
_RUN_PARAMS = {*_NUMBERS, *_TEXTS, "class", "datatype", "nodeKind", "in", "hasValue", "minInclusive"}


class UnsupportedShapes(DataError):
    """The shapes graph uses SHACL this compiler does not handle (the caller falls back to pyshacl)."""


@dataclass(frozen=True)
class ShaclResult:
    """One SHACL validation result, as either engine reports it (rdflib terms, or pyoxigraph terms
    from `validate_store`; `as_rdflib` and `as_oxigraph` convert)."""

    focus: Term
    path: Term | None
    value: Term | None
    source_shape: Term
    component: Term
    severity: Term
    message: str

    def key(self) -> tuple:
        """The result as a tuple of its fields, for comparing result sets."""
        return (self.focus, self.path, self.value, self.source_shape, self.component, self.severity, self.message)

    def as_rdflib(self) -> ShaclResult:
        """The same result in rdflib terms."""
        from llmrl_kg.rdf.terms import to_rdflib_term

        def convert(term: Term) -> Term:
            return None if term is None else to_rdflib_term(term)

        return ShaclResult(convert(self.focus), convert(self.path), convert(self.value), convert(self.source_shape),
                           convert(self.component), convert(self.severity), self.message)

    def as_oxigraph(self) -> ShaclResult:
        """The same result in pyoxigraph terms."""
        from llmrl_kg.rdf.terms import to_ox_term

        def convert(term: Term) -> Term:
            return None if term is None else to_ox_term(term)

        return ShaclResult(convert(self.focus), convert(self.path), convert(self.value), convert(self.source_shape),
                           convert(self.component), convert(self.severity), self.message)


@dataclass
class Shape:
    """A shape of the shapes graph, its targets and its constraints, as compiled."""

    node: Term
    path: Term | None
    severity: Term
    message: str | None
    deactivated: bool
    targets: list[tuple[str, Term]]
    params: dict[str, list[Term]]
    properties: list[Shape] = field(default_factory=list)
    members: dict[str, list[list[Shape]]] = field(default_factory=dict)  # or / not / qualifiedValueShape

    @property
    def conforms_always(self) -> bool:
        """True for a deactivated shape or one whose severity pyshacl allows (sh:Warning, sh:Info)."""
        return self.deactivated or self.severity in _ALLOWED_SEVERITIES  # a compiled (pyoxigraph) shape


@dataclass
class Program:
    """A compiled shapes graph: every shape by node, and the shapes that declare targets."""

    shapes: dict[Term, Shape]
    top: list[Shape]


_PROGRAMS: dict[frozenset, Program] = {}


def compile_shapes(shapes: list[ox.Triple]) -> Program:
    """The compiled form of a shapes graph (pyoxigraph triples), in pyoxigraph terms.

    Compiled once per distinct graph, and kept in the disk cache (rdf/cache.py) under a digest
    of the graph and of the code; a graph with blank-node shapes (whose labels change from one
    parse to the next) is not cached.
    """
    from llmrl_kg.rdf.cache import cache_dir, cached, code_tag

    key = frozenset(shapes)
    if key not in _PROGRAMS:
        blank_shapes = any(isinstance(t.subject, ox.BlankNode) and t.predicate.value.startswith(SH) for t in shapes)
        path = None if blank_shapes else cache_dir() / f"shapes-{code_tag()}-{_shapes_digest(shapes)}.json"
        program = cached(path, lambda: _compiled(shapes), _read_program, _program_json)
        _PROGRAMS.clear()
        _PROGRAMS[key] = program
    return _PROGRAMS[key]


def _compiled(shapes: list[ox.Triple]) -> Program:
    from llmrl_kg.rdf.terms import to_rdflib_graph

    return _to_oxigraph(_compile(to_rdflib_graph(shapes)))


def _shapes_digest(shapes: list[ox.Triple]) -> str:
    """A digest of the shapes graph as parsed, blank nodes named by their order of appearance."""
    labels: dict[str, int] = {}

    def show(term: Any) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:b{labels.setdefault(term.value, len(labels))}"
        return str(term)

    digest = hashlib.sha256()
    for t in shapes:
        digest.update(f"{show(t.subject)} {t.predicate} {show(t.object)}\n".encode())
    return digest.hexdigest()[:24]


def _compile(graph: rdflib.Graph) -> Program:
    nodes = _shape_nodes(graph)
    program = Program({}, [])
    for node in nodes:
        program.shapes[node] = _parse_shape(graph, node)
    for shape in program.shapes.values():
        _link(graph, program, shape)
    for shape in program.shapes.values():
        _check_acyclic(shape, [])
    program.top = [s for s in program.shapes.values() if s.targets]
    return program


def _shape_nodes(graph: rdflib.Graph) -> list[Term]:
    from rdflib import RDF, Literal, Namespace

    _SH = Namespace(SH)
    nodes = set(graph.subjects(RDF.type, _SH.NodeShape)) | set(graph.subjects(RDF.type, _SH.PropertyShape))
    for name in (*_TARGETS, "path"):
        nodes |= set(graph.subjects(_SH[name], None))
    for name in ("property", "not", "qualifiedValueShape", "node"):
        nodes |= set(graph.objects(None, _SH[name]))
    for name in ("or", "and", "xone"):
        for head in graph.objects(None, _SH[name]):
            nodes |= set(_rdf_list(graph, head))
    if any(isinstance(n, Literal) for n in nodes):
        raise UnsupportedShapes("a literal is used as a shape")
    return sorted(nodes, key=str)


def _parse_shape(graph: rdflib.Graph, node: Term) -> Shape:
    from rdflib import RDF, RDFS, Literal, Namespace, URIRef

    _SH = Namespace(SH)
    classes = {RDFS.Class, *graph.subjects(RDFS.subClassOf, RDFS.Class)}
    if any(t in classes for t in graph.objects(node, RDF.type)):
        raise UnsupportedShapes(f"shape {node} is also a class (implicit class target)")
    params: dict[str, list[Term]] = defaultdict(list)
    for p, o in graph.predicate_objects(node):
        if str(p).startswith(SH):
            params[str(p)[len(SH):]].append(o)
    for name, values in params.items():
        if name not in _MANY | _ONE | _IGNORED:
            raise UnsupportedShapes(f"shape {node}: sh:{name} is not supported")
        if name in _ONE and len(values) > 1:
            raise UnsupportedShapes(f"shape {node}: more than one sh:{name}")
    path = _one(params, "path")
    if path is not None and not isinstance(path, URIRef):
        raise UnsupportedShapes(f"shape {node}: only IRI property paths are supported")
    message = _one(params, "message")
    if message is not None and not isinstance(message, Literal):
        raise UnsupportedShapes(f"shape {node}: sh:message is not a literal")
    deactivated = _one(params, "deactivated")
    if deactivated is not None and not (isinstance(deactivated, Literal) and isinstance(deactivated.value, bool)):
        raise UnsupportedShapes(f"shape {node}: sh:deactivated is not a boolean")
    if not isinstance(_one(params, "severity") or _SH.Violation, URIRef):
        raise UnsupportedShapes(f"shape {node}: sh:severity is not an IRI")
    targets = [(name, t) for name in _TARGETS for t in params.get(name, [])]
    shape = Shape(node, path, _one(params, "severity") or _SH.Violation,
                  None if message is None else str(message), bool(deactivated and deactivated.value),
                  targets, dict(params))
    _check_params(shape)
    return shape


def _one(params: dict[str, list[Term]], name: str) -> Term | None:
    values = params.get(name)
    return values[0] if values else None


def _check_params(shape: Shape) -> None:
    """Raise UnsupportedShapes for parameter values or combinations this compiler does not handle."""
    from rdflib import RDFS, BNode, Literal, URIRef

    p, node = shape.params, shape.node
    constraints = set(p) - _IGNORED - set(_TARGETS) - {"path", "severity", "message", "deactivated"}
    if constraints - {"property"} and shape.message is None:
        raise UnsupportedShapes(f"shape {node} has no sh:message (pyshacl's generic messages are not reproduced)")
    if "node" in p or "and" in p or "xone" in p:
        raise UnsupportedShapes(f"shape {node}: sh:node, sh:and and sh:xone are not supported")
    if shape.path is None and constraints & {"minCount", "maxCount", "qualifiedValueShape", "qualifiedMinCount",
                                             "qualifiedMaxCount", "qualifiedValueShapesDisjoint"}:
        raise UnsupportedShapes(f"shape {node}: a cardinality constraint on a node shape")
    if shape.path is not None and "property" in p:
        raise UnsupportedShapes(f"shape {node}: sh:property on a property shape")
    for name in ("minCount", "maxCount", "minLength", "qualifiedMinCount", "qualifiedMaxCount"):
        for value in p.get(name, []):
            if not (isinstance(value, Literal) and type(value.value) is int and value.value >= 0):
                raise UnsupportedShapes(f"shape {node}: sh:{name} is not a non-negative integer")
    for name in ("class", "hasValue", "datatype", "targetClass", "targetSubjectsOf", "targetObjectsOf"):
        if any(isinstance(v, BNode) for v in p.get(name, [])):
            raise UnsupportedShapes(f"shape {node}: a blank node as the value of sh:{name}")
    if any(not isinstance(v, URIRef) for n in ("class", "datatype", "targetSubjectsOf", "targetObjectsOf",
                                               "targetClass") for v in p.get(n, [])):
        raise UnsupportedShapes(f"shape {node}: a literal where an IRI is expected")
    kind = _one(p, "nodeKind")
    if kind is not None and (not isinstance(kind, URIRef) or str(kind)[len(SH):] not in _NODE_KINDS
                             or not str(kind).startswith(SH)):
        raise UnsupportedShapes(f"shape {node}: sh:nodeKind {kind}")
    if _one(p, "datatype") in (RDFS.Literal, RDFS.Datatype):
        raise UnsupportedShapes(f"shape {node}: sh:datatype {_one(p, 'datatype')}")
    disjoint = _one(p, "qualifiedValueShapesDisjoint")
    if disjoint is not None and not (isinstance(disjoint, Literal) and disjoint.value is False):
        raise UnsupportedShapes(f"shape {node}: sh:qualifiedValueShapesDisjoint")
    if ("qualifiedValueShape" in p) != bool({"qualifiedMinCount", "qualifiedMaxCount"} & set(p)):
        raise UnsupportedShapes(f"shape {node}: an incomplete qualified cardinality constraint")
    _check_patterns(shape)


def _check_patterns(shape: Shape) -> None:
    from rdflib import Literal

    flags = _one(shape.params, "flags")
    if flags is not None and not (isinstance(flags, Literal) and set(str(flags)) <= set("imIM")):
        raise UnsupportedShapes(f"shape {shape.node}: sh:flags {flags} (only i and m are supported)")
    for pattern in shape.params.get("pattern", []):
        if not isinstance(pattern, Literal):
            raise UnsupportedShapes(f"shape {shape.node}: sh:pattern is not a literal")
        try:
            re.compile(str(pattern))
        except re.error as error:
            raise UnsupportedShapes(f"shape {shape.node}: sh:pattern does not compile ({error})") from error
    for value in shape.params.get("in", []):
        if isinstance(value, Literal):
            raise UnsupportedShapes(f"shape {shape.node}: sh:in is not a list")


def _rdf_list(graph: rdflib.Graph, head: Term) -> list[Term]:
    """The members of a well-formed RDF list; UnsupportedShapes for anything else."""
    from rdflib import RDF

    items, seen = [], set()
    while head != RDF.nil:
        firsts, rests = list(graph.objects(head, RDF.first)), list(graph.objects(head, RDF.rest))
        if head in seen or len(firsts) != 1 or len(rests) != 1:
            raise UnsupportedShapes(f"{head} is not a well-formed RDF list")
        seen.add(head)
        items.append(firsts[0])
        head = rests[0]
    return items


def _link(graph: rdflib.Graph, program: Program, shape: Shape) -> None:
    """Resolve the shapes a shape refers to, and its sh:in list."""
    from rdflib import BNode

    shape.properties = [program.shapes[n] for n in shape.params.get("property", [])]
    shape.members = {
        "or": [[program.shapes[m] for m in _rdf_list(graph, head)] for head in shape.params.get("or", [])],
        "not": [[program.shapes[n]] for n in shape.params.get("not", [])],
        "qualified": [[program.shapes[n]] for n in shape.params.get("qualifiedValueShape", [])],
    }
    if any(not members for members in shape.members["or"]):
        raise UnsupportedShapes(f"shape {shape.node}: an empty sh:or list")
    if "in" in shape.params:
        members = _rdf_list(graph, shape.params["in"][0])
        if any(isinstance(m, BNode) for m in members):
            raise UnsupportedShapes(f"shape {shape.node}: a blank node in sh:in")
        shape.params["in"] = members


def _check_acyclic(shape: Shape, trail: list[Term]) -> None:
    if shape.node in trail:
        raise UnsupportedShapes(f"shape {shape.node} refers to itself (recursive shapes)")
    for child in [*shape.properties, *(m for ms in shape.members.values() for group in ms for m in group)]:
        _check_acyclic(child, [*trail, shape.node])


def _to_oxigraph(program: Program) -> Program:
    """`program` (compiled in rdflib terms) in pyoxigraph terms, each parameter as the runner reads it."""
    from llmrl_kg.rdf.terms import to_ox_term

    shapes: dict[Term, Shape] = {}
    for node, shape in program.shapes.items():
        params: dict[str, list[Any]] = {}
        for name, values in shape.params.items():
            if name in _NUMBERS:
                params[name] = [int(v.value) for v in values]
            elif name in _TEXTS:
                params[name] = [str(v) for v in values]
            elif name in _RUN_PARAMS:
                params[name] = [to_ox_term(v) for v in values]
        shapes[node] = Shape(to_ox_term(node), None if shape.path is None else to_ox_term(shape.path),
                             to_ox_term(shape.severity), shape.message, shape.deactivated,
                             [(kind, to_ox_term(t)) for kind, t in shape.targets], params)
    for node, shape in program.shapes.items():
        shapes[node].properties = [shapes[child.node] for child in shape.properties]
        shapes[node].members = {kind: [[shapes[m.node] for m in group] for group in groups]
                                for kind, groups in shape.members.items()}
    return Program({s.node: s for s in shapes.values()}, [shapes[s.node] for s in program.top])


def _term_json(term: Any) -> list:
    if isinstance(term, ox.NamedNode):
        return ["I", term.value]
    if isinstance(term, ox.BlankNode):
        return ["B", term.value]
    return ["L", term.value, term.datatype.value, term.language or ""]


def _json_term(row: list) -> Any:
    if row[0] == "I":
        return ox.NamedNode(row[1])
    if row[0] == "B":
        return ox.BlankNode(row[1])
    if row[0] == "L":
        return ox.Literal(row[1], language=row[3]) if row[3] else ox.Literal(row[1], datatype=ox.NamedNode(row[2]))
    raise ValueError(f"not a term: {row!r}")


def _program_json(program: Program) -> str:
    """A compiled program as JSON (shapes refer to each other by their index)."""
    index = {node: number for number, node in enumerate(program.shapes)}

    def value(name: str, v: Any) -> Any:
        return v if name in _NUMBERS or name in _TEXTS else _term_json(v)

    return json.dumps({"top": [index[s.node] for s in program.top], "shapes": [{
        "node": _term_json(s.node), "path": None if s.path is None else _term_json(s.path),
        "severity": _term_json(s.severity), "message": s.message, "deactivated": s.deactivated,
        "targets": [[kind, _term_json(t)] for kind, t in s.targets],
        "params": {name: [value(name, v) for v in values] for name, values in s.params.items()},
        "properties": [index[c.node] for c in s.properties],
        "members": {kind: [[index[m.node] for m in group] for group in groups] for kind, groups in s.members.items()},
    } for s in program.shapes.values()]})


def _read_program(path: Any) -> Program:
    """The program `_program_json` wrote to the cache file at `path` (SyntaxError if it is damaged)."""
    try:
        document = json.loads(path.read_bytes().split(b"\n", 1)[1])
        rows = document["shapes"]

        def value(name: str, v: Any) -> Any:
            return v if name in _NUMBERS or name in _TEXTS else _json_term(v)

        shapes = [Shape(_json_term(r["node"]), None if r["path"] is None else _json_term(r["path"]),
                        _json_term(r["severity"]), r["message"], bool(r["deactivated"]),
                        [(kind, _json_term(t)) for kind, t in r["targets"]],
                        {name: [value(name, v) for v in values] for name, values in r["params"].items()})
                  for r in rows]
        for shape, r in zip(shapes, rows):
            shape.properties = [shapes[i] for i in r["properties"]]
            shape.members = {kind: [[shapes[i] for i in group] for group in groups]
                             for kind, groups in r["members"].items()}
        return Program({s.node: s for s in shapes}, [shapes[i] for i in document["top"]])
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise SyntaxError(f"damaged cache file {path}") from error


# ---------------------------------------------------------------------------------------------
# The data: one Store, literals as rdflib sees them
# ---------------------------------------------------------------------------------------------


def data_store(triple_lists: list[list[ox.Triple]]) -> ox.Store:
    """A Store of the data graph, each literal in the lexical form rdflib gives it (see module doc)."""
    store = ox.Store()
    for triples in triple_lists:
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    typed = select(store, "SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && DATATYPE(?o) NOT IN "
                          f"({_STRING_TYPES[0]}, {_STRING_TYPES[1]})) }}")
    for row in list(typed):
        literal = row["o"]
        if _plain(literal):
            continue  # rdflib keeps it as it is
        canonical = _as_rdflib_reads(literal)
        if canonical != literal:
            for quad in list(store.quads_for_pattern(None, None, literal)):
                store.remove(quad)
                store.add(ox.Quad(quad.subject, quad.predicate, canonical, quad.graph_name))
    return store


# ---------------------------------------------------------------------------------------------
# Focus nodes as SPARQL patterns
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Focus:
    """A set of focus nodes: a shape's targets, or the value nodes of a property shape at a parent focus."""

    targets: tuple[tuple[str, Term], ...] = ()
    parent: Focus | None = None
    path: Term | None = None
    only: tuple[Any, ...] | None = None  # pyoxigraph IRIs: the targets restricted to these nodes


# Focus sets and class memberships are computed once and kept as quads `<set> <member> ?node` in a
# named graph of the data store: the data graph is the default graph, so no shape ever sees them.
# Every query of a shape then reads its focus nodes from an index instead of re-evaluating the
# targets (a DISTINCT over `rdf:type/rdfs:subClassOf*`), which at a million triples cost most of
# the time. The node is the object, so literal focus nodes (value nodes) are kept too.
_MARKS = "<urn:llmrl-kg:shacl-sets>"
_MEMBER = "<urn:llmrl-kg:shacl-member>"


def _target_pattern(kind: str, term: Term, var: str, instances) -> str:
    if kind == "targetClass":
        return instances(term, var)
    if kind == "targetSubjectsOf":
        return f"{{ ?{var} {_sparql(term)} [] . }}"
    if kind == "targetObjectsOf":
        return f"{{ [] {_sparql(term)} ?{var} . }}"
    return f"{{ VALUES ?{var} {{ {_sparql(term)} }} }}"


def _sparql(term: Term) -> str:
    """A pyoxigraph term from the shapes graph in SPARQL syntax (pyoxigraph validated and escapes it)."""
    if isinstance(term, ox.BlankNode):
        raise UnsupportedShapes(f"a blank node ({term}) cannot be written in a query")
    return str(term)


# ---------------------------------------------------------------------------------------------
# Running the compiled shapes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Raw:
    focus: Any  # pyoxigraph terms until the end
    value: Any
    shape: Shape
    component: str

    @property
    def severity(self) -> Term:
        return self.shape.severity


def validate_store(program: Program, store: ox.Store, focus_nodes: list[ox.NamedNode] | None = None
                   ) -> list[ShaclResult]:
    """Every validation result of `program` on the data graph in `store` (from `data_store`), in pyoxigraph terms.

    With `focus_nodes` (IRIs), only the results whose focus node is one of them: the
    same results the whole run has for those nodes, since each node's results depend on
    the data graph and the node alone.
    """
    runner = _Runner(store)
    only = None if focus_nodes is None else tuple(sorted(set(focus_nodes), key=str))
    if only is not None and any(not isinstance(node, ox.NamedNode) for node in only):
        raise TypeError("focus nodes are restricted by IRI only")
    raw: list[_Raw] = []
    for shape in program.top:
        focus = Focus(tuple(shape.targets), only=only)
        if only is None or runner.has_nodes(focus):  # a shape with no focus node has no result
            raw += runner.results(shape, focus)
    return [_result(r) for r in raw]


def validate_triples(shapes: list[ox.Triple], triple_lists: list[list[ox.Triple]],
                     focus_nodes: list[ox.NamedNode] | None = None) -> list[ShaclResult]:
    """Compile `shapes` (UnsupportedShapes if it cannot) and validate the union of `triple_lists` with it
    (only at `focus_nodes`, when given; see `validate_store`); the results are in pyoxigraph terms."""
    program = compile_shapes(shapes)
    return validate_store(program, data_store(triple_lists), focus_nodes)


def _result(raw: _Raw) -> ShaclResult:
    return ShaclResult(
        focus=raw.focus, path=raw.shape.path, value=raw.value, source_shape=raw.shape.node,
        component=ox.NamedNode(SH + raw.component + "ConstraintComponent"),
        severity=raw.shape.severity, message=raw.shape.message or "",
    )


class _Runner:
    """Evaluates shapes on one store, remembering each (shape, focus set) it has evaluated."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.memo: dict[tuple[Term, Focus], list[_Raw]] = {}
        self.pair_memo: dict[tuple[Term, Focus], list[tuple[Any, Any]]] = {}
        self.sets: dict[Any, str] = {}  # a Focus, or ("class", term) -> the IRI of its set in _MARKS

    def _set(self, key: Any, var: str, where: str) -> str:
        """The pattern binding ?var to each member of the set `key` (computed by `where`, binding ?m, once)."""
        name = self.sets.get(key)
        if name is None:
            name = f"<urn:llmrl-kg:shacl-set:{len(self.sets)}>"
            self.store.update(f"INSERT {{ GRAPH {_MARKS} {{ {name} {_MEMBER} ?m }} }} WHERE {{ {where} }}")
            self.sets[key] = name
        return f"GRAPH {_MARKS} {{ {name} {_MEMBER} ?{var} }}"

    def instances(self, cls: Term, var: str) -> str:
        """The pattern binding ?var to each SHACL instance of `cls` (rdf:type/rdfs:subClassOf*)."""
        return self._set(("class", cls), var, f"?m <{RDF}type>/<{RDFS}subClassOf>* {_sparql(cls)} .")

    def focus_pattern(self, focus: Focus, var: str = "f") -> str:
        """The pattern binding ?var to each node of `focus` once."""
        if focus.parent is None and focus.only is None and len(focus.targets) == 1 \
                and focus.targets[0][0] == "targetClass":
            return self.instances(focus.targets[0][1], var)
        if focus.parent is not None:
            where = f"{self.focus_pattern(focus.parent, 'p')} ?p {_sparql(focus.path)} ?m ."
        else:
            parts = [_target_pattern(kind, term, "m", self.instances) for kind, term in focus.targets]
            only = "" if focus.only is None else f"VALUES ?m {{ {' '.join(map(str, focus.only))} }} "
            where = only + " UNION ".join(f"{{ {part} }}" for part in parts) if parts else "FILTER(false)"
        return self._set(focus, var, where)

    def results(self, shape: Shape, focus: Focus) -> list[_Raw]:
        """The results of validating every node of `focus` against `shape`."""
        key = (shape.node, focus)
        if key not in self.memo:
            self.memo[key] = [] if shape.deactivated else self._evaluate(shape, focus)
        return self.memo[key]

    def has_nodes(self, focus: Focus) -> bool:
        """True if `focus` holds at least one node."""
        return any(True for _row in select(self.store, f"SELECT ?f WHERE {{ {self.focus_pattern(focus)} }} LIMIT 1"))

    def failing(self, shape: Shape, focus: Focus) -> set:
        """The nodes of `focus` that do not conform to `shape` (pyshacl's rule: a result of a disallowed severity)."""
        if shape.conforms_always:
            return set()
        return {r.focus for r in self.results(shape, focus) if r.severity not in _ALLOWED_SEVERITIES}

    def _evaluate(self, shape: Shape, focus: Focus) -> list[_Raw]:
        found: list[tuple[Any, Any, str]] = []
        found += self._cardinality(shape, focus)
        found += self._value_filters(shape, focus)
        found += self._value_tests(shape, focus)
        found += self._logical(shape, focus)
        found += self._qualified(shape, focus)
        out = [_Raw(f, v, shape, component) for f, v, component in found]
        self.pair_memo.pop((shape.node, focus), None)  # its results are memoised: the pairs are not needed again
        for child in shape.properties:
            out += self.results(child, focus)
        return out

    # --- queries ---------------------------------------------------------------------------

    def _value_pattern(self, shape: Shape, focus: Focus) -> str:
        if shape.path is None:
            return f"{self.focus_pattern(focus)} BIND(?f AS ?v)"
        return f"{self.focus_pattern(focus)} ?f {_sparql(shape.path)} ?v ."

    def _pairs_where(self, shape: Shape, focus: Focus, condition: str) -> list[tuple[Any, Any]]:
        query = f"SELECT ?f ?v WHERE {{ {self._value_pattern(shape, focus)} FILTER({condition}) }}"
        return [(f, v) for f, v in select(self.store, query)]  # unpacked by position: the fastest read

    def _pairs(self, shape: Shape, focus: Focus) -> list[tuple[Any, Any]]:
        key = (shape.node, focus)
        if key not in self.pair_memo:
            self.pair_memo[key] = self._pairs_where(shape, focus, "true")
        return self.pair_memo[key]

    def _focus_where(self, query_body: str) -> list[Any]:
        return [row["f"] for row in select(self.store, f"SELECT ?f WHERE {{ {query_body} }}")]

    def _value_focus(self, shape: Shape, focus: Focus) -> Focus:
        return focus if shape.path is None else Focus(parent=focus, path=shape.path)

    # --- constraints -----------------------------------------------------------------------

    def _cardinality(self, shape: Shape, focus: Focus) -> list[tuple[Any, Any, str]]:
        out: list[tuple[Any, Any, str]] = []
        path = None if shape.path is None else _sparql(shape.path)
        low, high = _one(shape.params, "minCount"), _one(shape.params, "maxCount")
        least = low if low is not None and low > 0 else None
        most = high
        if least is not None or most is not None:  # one query counts the values for both
            tests = [f"?n < {least}"] * (least is not None) + [f"?n > {most}"] * (most is not None)
            query = (f"SELECT ?f ?n WHERE {{ {{ SELECT ?f (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {self.focus_pattern(focus)} "
                     f"OPTIONAL {{ ?f {path} ?v }} }} GROUP BY ?f }} FILTER({' || '.join(tests)}) }}")
            for row in select(self.store, query):
                count = int(row["n"].value)
                if least is not None and count < least:
                    out.append((row["f"], None, "MinCount"))
                if most is not None and count > most:
                    out.append((row["f"], None, "MaxCount"))
        for value in shape.params.get("hasValue", []):
            term = _sparql(value)
            absent = (f"FILTER(!sameTerm(?f, {term}))" if path is None else
                      f"FILTER NOT EXISTS {{ ?f {path} ?h FILTER(sameTerm(?h, {term})) }}")
            out += [(f, None, "HasValue") for f in self._focus_where(f"{self.focus_pattern(focus)} {absent}")]
        return out

    def _value_filters(self, shape: Shape, focus: Focus) -> list[tuple[Any, Any, str]]:
        """The constraints on each value node that SPARQL decides exactly."""
        out: list[tuple[Any, Any, str]] = []
        for cls in shape.params.get("class", []):
            # MINUS, not FILTER NOT EXISTS: Oxigraph runs the latter once per value (a hundred times slower
            # at a million triples). A literal is never an instance, so MINUS keeps it as a result too.
            query = f"SELECT ?f ?v WHERE {{ {self._value_pattern(shape, focus)} MINUS {{ {self.instances(cls, 'v')} }} }}"
            out += [(f, v, "Class") for f, v in select(self.store, query)]
        conditions: list[tuple[str, str]] = []
        datatype = _one(shape.params, "datatype")
        if datatype is not None:
            conditions.append(("Datatype", f"!isLiteral(?v) || DATATYPE(?v) != {_sparql(datatype)}"))
        kind = _one(shape.params, "nodeKind")
        if kind is not None:
            conditions.append(("NodeKind", _NODE_KINDS[kind.value[len(SH):]]))
        for length in shape.params.get("minLength", []):
            if length > 0:
                conditions.append(("MinLength", f"isBlank(?v) || STRLEN(STR(?v)) < {length}"))
        if "in" in shape.params:
            allowed = " || ".join(f"sameTerm(?v, {_sparql(m)})" for m in shape.params["in"]) or "false"
            conditions.append(("In", f"!({allowed})"))
        if not conditions:
            return out
        # One query for all of them: each (focus, value) row comes once per condition it breaks.
        labels = " ".join(f'"{component}"' for component, _ in conditions)
        broken = " || ".join(f'(?k = "{component}" && ({condition}))' for component, condition in conditions)
        query = (f"SELECT ?f ?v ?k WHERE {{ {self._value_pattern(shape, focus)} VALUES ?k {{ {labels} }} "
                 f"FILTER({broken}) }}")
        return out + [(row["f"], row["v"], row["k"].value) for row in select(self.store, query)]

    def _value_tests(self, shape: Shape, focus: Focus) -> list[tuple[Any, Any, str]]:
        """The constraints on each value node whose meaning is rdflib's (or Python's, for sh:pattern)."""
        out: list[tuple[Any, Any, str]] = []
        datatype = _one(shape.params, "datatype")
        patterns = shape.params.get("pattern", [])
        minimums = shape.params.get("minInclusive", [])
        if datatype is not None and datatype not in _STRING_TYPES:
            if patterns or minimums:  # all the values are needed below: test them here too
                same = [(f, v) for f, v in self._pairs(shape, focus)
                        if isinstance(v, ox.Literal) and v.datatype == datatype]
            else:
                same = self._pairs_where(shape, focus, f"isLiteral(?v) && DATATYPE(?v) = {_sparql(datatype)}")
            out += [(f, v, "Datatype") for f, v in same if not _well_typed(v, datatype)]
        if not patterns and not minimums:
            return out
        pairs = self._pairs(shape, focus)
        for pattern in patterns:
            matcher = re.compile(pattern, _flags(_one(shape.params, "flags")))
            out += [(f, v, "Pattern") for f, v in pairs
                    if isinstance(v, ox.BlankNode) or not matcher.search(v.value)]
        for minimum in minimums:
            out += [(f, v, "MinInclusive") for f, v in pairs if not _at_least(v, minimum)]
        return out

    def _logical(self, shape: Shape, focus: Focus) -> list[tuple[Any, Any, str]]:
        out: list[tuple[Any, Any, str]] = []
        if not shape.members["or"] and not shape.members["not"]:
            return out
        values = self._value_focus(shape, focus)
        pairs = self._pairs(shape, focus)
        for members in shape.members["or"]:
            fails = set.intersection(*(self.failing(m, values) for m in members))
            out += [(f, v, "Or") for f, v in pairs if v in fails]
        for (negated,) in shape.members["not"]:
            fails = self.failing(negated, values)
            out += [(f, v, "Not") for f, v in pairs if v not in fails]
        return out

    def _qualified(self, shape: Shape, focus: Focus) -> list[tuple[Any, Any, str]]:
        out: list[tuple[Any, Any, str]] = []
        if not shape.members["qualified"]:
            return out
        (qualifier,) = shape.members["qualified"][0]
        fails = self.failing(qualifier, self._value_focus(shape, focus))
        counts: dict[Any, int] = {f: 0 for f in self._focus_where(self.focus_pattern(focus))}
        for f, v in self._pairs(shape, focus):
            counts[f] += v not in fails
        low, high = _one(shape.params, "qualifiedMinCount"), _one(shape.params, "qualifiedMaxCount")
        for f, count in counts.items():
            if high is not None and count > high:
                out.append((f, None, "QualifiedMaxCount"))
            if low is not None and count < low:
                out.append((f, None, "QualifiedMinCount"))
        return out


# ---------------------------------------------------------------------------------------------
# Literals as pyshacl (through rdflib) sees them
# ---------------------------------------------------------------------------------------------

_VALUE_TYPES = {XSD + "integer": int, XSD + "float": float, XSD + "decimal": Decimal, XSD + "boolean": bool,
                XSD + "date": datetime.date, XSD + "time": datetime.time, XSD + "dateTime": datetime.datetime}
# The canonical lexical forms rdflib keeps as they are and reads as well-typed values (checked
# against rdflib by tests/test_validate_incremental.py); any other literal is given to rdflib.
_PLAIN_FORMS = {XSD + "integer": re.compile(r"0|-?[1-9][0-9]*"), XSD + "boolean": re.compile(r"true|false"),
                XSD + "gYear": re.compile(r"[0-9]{4}")}


def _plain(literal: Any) -> bool:
    """True for a literal in a canonical form of xsd:integer, xsd:boolean or xsd:gYear (see _PLAIN_FORMS)."""
    grammar = _PLAIN_FORMS.get(literal.datatype.value) if isinstance(literal, ox.Literal) else None
    return grammar is not None and grammar.fullmatch(literal.value) is not None


def _as_rdflib_reads(literal: ox.Literal) -> ox.Literal:
    """`literal` in the lexical form rdflib gives it (e.g. "01"^^xsd:integer is "1")."""
    from llmrl_kg.rdf.terms import to_ox_term, to_rdflib_term

    canonical = to_ox_term(to_rdflib_term(literal))
    assert isinstance(canonical, ox.Literal)
    return canonical


def _well_typed(value: Any, datatype: ox.NamedNode) -> bool:
    """pyshacl's test of a literal whose datatype is `datatype`: not ill-typed and of the right Python type."""
    if _plain(value):
        return True
    from rdflib import Literal

    from llmrl_kg.rdf.terms import to_rdflib_term

    literal = to_rdflib_term(value)
    assert isinstance(literal, Literal)  # the query selected literals only
    if getattr(literal, "ill_typed", None) is True:
        return False
    expected = _VALUE_TYPES.get(datatype.value)
    return expected is None or isinstance(literal.value, expected)


def _flags(flags: str | None) -> int:
    text = "" if flags is None else flags.lower()
    return (re.I if "i" in text else 0) | (re.M if "m" in text else 0)


def _at_least(value: Any, minimum: ox.Literal) -> bool:
    """pyshacl's sh:minInclusive test of one value node."""
    if not isinstance(value, ox.Literal):
        return False
    integer = XSD + "integer"
    if value.datatype.value == integer == minimum.datatype.value and _plain(value) and _plain(minimum):
        return int(value.value) >= int(minimum.value)  # what rdflib's comparison of two integers gives
    from rdflib import Literal

    from llmrl_kg.rdf.terms import to_rdflib_term

    literal, lowest = to_rdflib_term(value), to_rdflib_term(minimum)
    assert isinstance(literal, Literal) and isinstance(lowest, Literal)
    if isinstance(lowest.value, str) != isinstance(literal.value, str):
        return False
    try:
        return _compare(literal, lowest) >= 0
    except (TypeError, NotImplementedError):
        return False


def _compare(left: Any, right: Any) -> int:
    """pyshacl.rdfutil.compare.compare_literal (on rdflib literals)."""
    if left.eq(right):
        return 0
    if left.value.__class__ in (datetime.datetime, datetime.time):
        if left.value == right.value:
            return 0
        if left.value > right.value:
            return 1
    elif left > right:
        return 1
    return -1
