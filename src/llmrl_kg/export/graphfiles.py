"""Write a property graph as GraphML, GEXF, Cytoscape.js JSON or Graphviz DOT.

Node ids, attribute names and values are cleaned first (cleaning.clean_text:
no control or bidi-override characters, so the XML is always well formed), and
values are flattened to str, int, float or bool with one type per attribute name,
as GraphML and GEXF need. Numbers stay numbers (GraphML `int`/`double`, GEXF
`integer`/`double`), so Gephi can filter on them and use `year` for a timeline.
Every edge gets a unique, deterministic id (`e0`, `e1`, … in the sorted edge order).

GraphML and GEXF are written by a streaming writer: plain lines, no copy of the graph, no XML
tree, linear in the size of the graph. Its output is byte for byte what networkx's GraphMLWriter
and GEXFWriter write for the cleaned graph (tests/test_export_streaming.py proves it); for the
few inputs it does not reproduce (GEXF's dynamic, hierarchy and viz attributes, graph defaults),
networkx writes the file.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Iterator

from llmrl_kg.export.network import PropertyGraph, gc_paused
from llmrl_kg.query.safe_text import clean_text

NETWORK_FORMATS = ("graphml", "gexf", "cytoscape", "dot")

# What clean_text changes: controls (Unicode category Cc is exactly these 65), bidi controls and
# non-characters. Text without them is returned as it is, without a walk over its characters.
_UNCLEAN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
                      "\ufffe\uffff\ud800-\udfff]")


def _clean(text: str) -> str:
    """clean_text(text), fast for the text it would leave alone."""
    return clean_text(text) if _UNCLEAN.search(text) else text


def _clean_value(value):
    if type(value) is str:
        return _clean(value)
    if isinstance(value, bool) or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)  # NaN and infinities are not valid JSON
    return _clean(str(value))


def _parts(graph) -> tuple[dict, Iterable[tuple], Iterable[tuple]]:
    """Graph attributes, (node, attributes) pairs and (source, target, key, attributes) edges of a
    networkx MultiDiGraph or a network.PropertyGraph."""
    if isinstance(graph, PropertyGraph):
        return graph.attributes, graph.nodes.items(), graph.edges
    return graph.graph, graph.nodes(data=True), graph.edges(keys=True, data=True)


def clean_graph(graph):
    """A networkx copy of `graph` with clean node ids, attribute names and values, one type per attribute."""
    import networkx as nx

    attributes, nodes, edges = _parts(graph)
    nodes = list(nodes)
    ids = {node: _clean(str(node)) for node, _ in nodes}
    clean = nx.MultiDiGraph(**_clean_attributes(attributes))
    for node, data in _clean_nodes(nodes, ids).items():
        clean.add_node(node, **data)
    for number, (source, target, data) in enumerate(_sorted_edges(edges, ids)):
        clean.add_edge(ids[source], ids[target], key=f"e{number}", **_clean_attributes(data))
    _one_type_per_attribute(clean.nodes(data=True))
    _one_type_per_attribute((None, data) for _, _, data in clean.edges(data=True))
    return clean


def _clean_attributes(data: dict) -> dict:
    return {_clean(k): _clean_value(v) for k, v in data.items()}


def _clean_nodes(nodes: Iterable[tuple], ids: dict) -> dict[str, dict]:
    """Clean id -> clean attributes, sorted by id (nodes whose ids clean to the same text are merged)."""
    clean: dict[str, dict] = {}
    # Sorted, so that the same graph is always written the same way.
    for node, data in sorted(nodes, key=lambda item: ids[item[0]]):
        attributes = {_clean(k): _clean_value(v) for k, v in sorted(data.items())}
        if ids[node] in clean:
            clean[ids[node]].update(attributes)
        else:
            clean[ids[node]] = attributes
    return clean


def _sorted_edges(edges: Iterable[tuple], ids: dict) -> list[tuple]:
    """(source, target, attributes) of every edge, sorted by clean source, clean target and key."""
    ordered = sorted(edges, key=lambda e: (ids[e[0]], ids[e[1]], str(e[2])))
    return [(source, target, data) for source, target, _, data in ordered]


def _attribute_types(datas: Iterable[dict]) -> dict[str, set[type]]:
    """Attribute name -> the types of its values, in the order the names first appear."""
    types: dict[str, set[type]] = {}
    for data in datas:
        for name, value in data.items():
            found = types.get(name)
            if found is None:
                types[name] = {type(value)}
            else:
                found.add(type(value))
    return types


def _as_text(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _one_type_per_attribute(items) -> dict[str, set[type]]:
    """Turn the values of an attribute name that has several types into text; the types afterwards."""
    items = list(items)
    types = _attribute_types(data for _, data in items)
    mixed = {name for name, found in types.items() if len(found) > 1}
    if mixed:
        for _, data in items:
            for name in mixed & set(data):
                data[name] = _as_text(data[name])
        for name in mixed:
            types[name] = {str}
    return types


def _notice(fmt: str, view: str) -> str:
    # No "--" here: it may not appear inside an XML comment.
    return f"Generated by llmrl-kg export {fmt} (view: {view}) from the llmrl-kg knowledge graph; do not edit by hand."


def _with_xml_comment(xml: str, comment: str) -> str:
    comment_line = f"<!-- {comment} -->"
    if xml.startswith("<?xml"):
        end = xml.index("?>") + 2
        return xml[:end] + "\n" + comment_line + xml[end:]
    return '<?xml version="1.0" encoding="utf-8"?>\n' + comment_line + "\n" + xml


def write_graph(graph, fmt: str, view: str) -> bytes:
    """The cleaned graph (networkx or PropertyGraph) in `fmt` (one of NETWORK_FORMATS), as UTF-8 bytes."""
    return b"".join(graph_chunks(graph, fmt, view))


def graph_chunks(graph, fmt: str, view: str) -> Iterator[bytes]:
    """`write_graph`'s bytes in chunks: GraphML and GEXF are streamed, never whole in memory."""
    import networkx as nx

    if fmt not in NETWORK_FORMATS:
        raise ValueError(f"unknown network format {fmt!r}; use one of {', '.join(NETWORK_FORMATS)}")
    notice = _notice(fmt, view)
    if fmt in ("graphml", "gexf"):
        yield from _xml_chunks(graph, fmt, notice)
        return
    graph = clean_graph(graph)
    if fmt == "cytoscape":
        graph.graph["generator"] = notice
        data = nx.cytoscape_data(graph)
        yield (json.dumps(data, ensure_ascii=False, allow_nan=False, indent=1) + "\n").encode("utf-8")
        return
    yield dot_text(graph, notice).encode("utf-8")


def _xml_chunks(graph, fmt: str, notice: str) -> Iterator[bytes]:
    """GraphML or GEXF with the notice: streamed, or by networkx for what the stream does not reproduce."""
    with gc_paused():
        try:
            prepared = _Prepared(graph)
            lines = _graphml_lines(prepared) if fmt == "graphml" else _gexf_lines(prepared)
            first = next(lines)  # what the stream cannot write is found before its first line
        except _Unsupported:
            if isinstance(graph, PropertyGraph):
                graph = graph.to_networkx()
            yield _with_xml_comment(_xml_text(clean_graph(graph), fmt), notice).encode("utf-8") + b"\n"
            return
        yield f'<?xml version="1.0" encoding="utf-8"?>\n<!-- {notice} -->\n'.encode()
        yield from _encoded(itertools.chain((first,), lines))
        yield b"\n"


# --- the streaming writer -------------------------------------------------------------------------
# It writes what networkx's writers write for clean_graph(graph): ElementTree's escaping, US-ASCII
# with character references for every other character, networkx's indentation (two spaces a level,
# `<tag ... />` for an element without text or children).


class _Unsupported(Exception):
    """The graph uses something only networkx's writer reproduces exactly."""


def _encoded(lines: Iterable[str], batch: int = 5_000) -> Iterator[bytes]:
    """The lines (or blocks of lines), each ending with a newline, in US-ASCII with character
    references for every other character (as ElementTree writes them)."""
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == batch:
            yield ("\n".join(chunk) + "\n").encode("ascii", "xmlcharrefreplace")
            chunk = []
    yield ("\n".join(chunk) + "\n").encode("ascii", "xmlcharrefreplace")


def _escape_text(text: str) -> str:
    """ElementTree's escaping of character data."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _escape(text: str) -> str:
    """ElementTree's escaping of an attribute value."""
    text = _escape_text(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    for character, reference in (("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;")):
        if character in text:
            text = text.replace(character, reference)
    return text


class _Prepared:
    """The cleaned graph without a graph copy: clean graph attributes, clean sorted nodes, sorted edges.

    Edge attributes are cleaned when they are read (`edge_attributes`); the attribute names with
    their types (in first-appearance order, as networkx numbers its keys) are known up front.
    """

    def __init__(self, graph) -> None:
        attributes, nodes, edges = _parts(graph)
        nodes = list(nodes)
        ids = {node: _clean(str(node)) for node, _ in nodes}
        self.graph = _clean_attributes(attributes)
        self.nodes = _clean_nodes(nodes, ids)
        self.node_types = _one_type_per_attribute(self.nodes.items())
        self.edges = [(ids[source], ids[target], data) for source, target, data in _sorted_edges(edges, ids)]
        # Edges repeat a few names and values (predicates, labels) many times: each is cleaned once,
        # and edges that share one attributes dict (a PropertyGraph's) share its cleaned copy.
        self._names: dict[str, str] = {}
        self._texts: dict[str, str] = {}
        self._mixed: set[str] = set()
        self._shared: dict[int, dict] = {}
        distinct = {id(data): data for _, _, data in self.edges}.values()  # in first-appearance order
        self.edge_types = _attribute_types(self._clean_edge(data) for data in distinct)
        self._mixed = {name for name, types in self.edge_types.items() if len(types) > 1}

    def edge_attributes(self, data: dict) -> dict:
        """An edge's clean attributes, those of several types as text (a new dict: callers change it)."""
        found = self._shared.get(id(data))
        if found is None:
            found = self._clean_edge(data)
            if len(self._shared) < 10_000:
                self._shared[id(data)] = found
        return dict(found)

    def _clean_edge(self, data: dict) -> dict:
        names, texts = self._names, self._texts
        attributes = {}
        for key, value in data.items():
            name = names.get(key)
            if name is None:
                name = names[key] = _clean(key)
            if type(value) is str:
                clean = texts.get(value)
                if clean is None:
                    clean = texts[value] = _clean(value)
                attributes[name] = clean
            else:
                attributes[name] = _clean_value(value)
        if self._mixed:
            for name in self._mixed.intersection(attributes):
                attributes[name] = _as_text(attributes[name])
        return attributes


class _LineCache(dict):
    """Rendered lines of repeated (name, value) pairs; it stops growing at `limit` entries."""

    limit = 100_000

    def line(self, name: str, value, render) -> str:
        key = (name, type(value), value)
        found = self.get(key)
        if found is None:
            found = render(name, value)
            if len(self) < self.limit:
                self[key] = found
        return found


def _single_type(types: set[type]) -> type:
    return next(iter(types)) if len(types) == 1 else str


def _xml_type(value_type: type, names: dict[type, str]) -> str:
    if value_type not in names:
        raise _Unsupported(value_type)
    return names[value_type]


_GRAPHML_TYPES = {bool: "boolean", int: "int", float: "double", str: "string"}
_GRAPHML_ROOT = ('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                 'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">')


def _graphml_keys(graph: dict, prepared: _Prepared) -> dict[tuple[str, str], tuple[str, str]]:
    """(scope, name) -> (key id, attribute type), numbered as networkx does: graph, nodes, edges."""
    keys: dict[tuple[str, str], tuple[str, str]] = {}
    scopes = (("graph", {name: {type(value)} for name, value in graph.items()}),
              ("node", prepared.node_types), ("edge", prepared.edge_types))
    for scope, types in scopes:
        for name, found in types.items():
            keys[(scope, name)] = (f"d{len(keys)}", _xml_type(_single_type(found), _GRAPHML_TYPES))
    return keys


def _graphml_data(indent: str, keys: dict, scope: str):
    """The function that renders one `<data>` line of `scope`."""

    def render(name: str, value) -> str:
        text = _escape_text(str(value))
        key = keys[(scope, name)][0]
        return f'{indent}<data key="{key}">{text}</data>' if text else f'{indent}<data key="{key}" />'

    return render


def _graphml_lines(prepared: _Prepared) -> Iterator[str]:
    """The lines of the GraphML document (GraphMLWriter with `int` for ints, pretty-printed)."""
    graph = dict(prepared.graph)
    graph_id = graph.pop("id", None)
    if "node_default" in graph or "edge_default" in graph or not isinstance(graph_id, (str, type(None))):
        raise _Unsupported("graph defaults or a graph id that is not text")
    keys = _graphml_keys(graph, prepared)
    yield _GRAPHML_ROOT
    for (scope, name), (key, xml_type) in reversed(keys.items()):
        yield f'  <key id="{key}" for="{scope}" attr.name="{_escape(name)}" attr.type="{xml_type}" />'
    opening = '  <graph edgedefault="directed"' + ("" if graph_id is None else f' id="{_escape(graph_id)}"')
    if not (graph or prepared.nodes or prepared.edges):
        yield opening + " />"
        yield "</graphml>"
        return
    yield opening + ">"
    node_data = _graphml_data("      ", keys, "node")
    for node, attributes in prepared.nodes.items():
        children = [node_data(name, value) for name, value in attributes.items()]
        yield _element(f'    <node id="{_escape(node)}"', "node", children)
    edge_data, cache, escaped = _graphml_data("      ", keys, "edge"), _LineCache(), _escaped_ids(prepared)
    for number, (source, target, data) in enumerate(prepared.edges):
        children = [cache.line(name, value, edge_data) for name, value in prepared.edge_attributes(data).items()]
        yield _element(f'    <edge source="{escaped[source]}" target="{escaped[target]}" id="e{number}"',
                       "edge", children)
    graph_data = _graphml_data("    ", keys, "graph")
    yield from (graph_data(name, value) for name, value in graph.items())
    yield "  </graph>"
    yield "</graphml>"


def _escaped_ids(prepared: _Prepared) -> dict[str, str]:
    return {node: _escape(node) for node in prepared.nodes}


def _element(start: str, tag: str, children: list[str]) -> str:
    """The lines of an element whose start tag (without `>`) is `start`: empty, or with its children."""
    if not children:
        return start + " />"
    indent = start[:len(start) - len(start.lstrip())]
    return "\n".join((start + ">", *children, f"{indent}</{tag}>"))


def _section(indent: str, tag: str, elements: Iterator[str], empty: bool) -> Iterator[str]:
    """`<nodes>` or `<edges>` around the elements, streamed; `<tag />` when there are none."""
    if empty:
        yield f"{indent}<{tag} />"
        return
    yield f"{indent}<{tag}>"
    yield from elements
    yield f"{indent}</{tag}>"


_GEXF_TYPES = {bool: "boolean", int: "integer", float: "double", str: "string"}
_GEXF_ROOT = ('<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
              'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" '
              'version="1.2">')
# Attributes networkx's GEXFWriter turns into element attributes (popped from the data), and those
# it turns into structures (time, hierarchy, drawing), which the stream leaves to networkx.
_GEXF_NODE_FIELDS = {"id", "label", "pid", "key"}
_GEXF_EDGE_FIELDS = {"id", "label", "weight", "type", "key"}
_GEXF_NODE_STRUCTURES = {"start", "end", "parents", "spells", "viz"}
_GEXF_EDGE_STRUCTURES = {"start", "end", "spells", "viz"}


def _gexf_attributes(prepared: _Prepared) -> dict[str, dict[str, tuple[str, str]]]:
    """class -> title -> (attribute id, type), numbered as networkx does: nodes first, then edges."""
    if _GEXF_NODE_STRUCTURES.intersection(prepared.node_types) or \
            _GEXF_EDGE_STRUCTURES.intersection(prepared.edge_types) or \
            "node_default" in prepared.graph or "edge_default" in prepared.graph:
        raise _Unsupported("GEXF time, hierarchy or viz attributes, or graph defaults")
    declared: dict[str, dict[str, tuple[str, str]]] = {"node": {}, "edge": {}}
    number = 0
    for scope, types, fields in (("node", prepared.node_types, _GEXF_NODE_FIELDS),
                                 ("edge", prepared.edge_types, _GEXF_EDGE_FIELDS)):
        for title, found in types.items():
            if title not in fields:
                declared[scope][title] = (str(number), _xml_type(_single_type(found), _GEXF_TYPES))
                number += 1
    return declared


def _gexf_attvalue(ids: dict[str, tuple[str, str]]):
    """The function that renders one `<attvalue>` line of a node or edge."""

    def render(name: str, value) -> str:
        return f'          <attvalue for="{ids[name][0]}" value="{_escape(_gexf_text(value))}" />'

    return render


def _gexf_attvalues(values: list[str]) -> list[str]:
    return ["        <attvalues>", *values, "        </attvalues>"] if values else []


def _gexf_text(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _gexf_lines(prepared: _Prepared) -> Iterator[str]:
    """The lines of the GEXF 1.2 document (GEXFWriter with `integer` for ints, no date, creator llmrl-kg)."""
    declared = _gexf_attributes(prepared)
    name = prepared.graph.get("name", "")
    if not isinstance(name, str):
        raise _Unsupported("a graph name that is not text")
    mode = "dynamic" if prepared.graph.get("mode") == "dynamic" else "static"
    yield from (_GEXF_ROOT, "  <meta>", "    <creator>llmrl-kg</creator>", "  </meta>")
    yield f'  <graph defaultedgetype="directed" mode="{mode}" name="{_escape(name)}">'
    for scope in ("edge", "node"):
        if declared[scope]:
            yield f'    <attributes mode="static" class="{scope}">'
            for title, (number, xml_type) in declared[scope].items():
                yield f'      <attribute id="{number}" title="{_escape(title)}" type="{xml_type}" />'
            yield "    </attributes>"
    yield from _section("    ", "nodes", _gexf_nodes(prepared, declared["node"]), not prepared.nodes)
    yield from _section("    ", "edges", _gexf_edges(prepared, declared["edge"]), not prepared.edges)
    yield "  </graph>"
    yield "</gexf>"


def _gexf_nodes(prepared: _Prepared, ids: dict) -> Iterator[str]:
    attvalue = _gexf_attvalue(ids)
    for node, attributes in prepared.nodes.items():
        data = dict(attributes)
        start = f'      <node id="{_escape(str(data.pop("id", node)))}" label="{_escape(str(data.pop("label", node)))}"'
        if "pid" in data:
            start += f' pid="{_escape(str(data.pop("pid")))}"'
        values = [attvalue(name, value) for name, value in data.items() if name != "key"]
        yield _element(start, "node", _gexf_attvalues(values))


def _gexf_edges(prepared: _Prepared, ids: dict) -> Iterator[str]:
    escaped = _escaped_ids(prepared)
    for node, data in prepared.nodes.items():
        if "id" in data:
            escaped[node] = _escape(str(data["id"]))  # an edge names its ends by their GEXF ids
    attvalue, cache = _gexf_attvalue(ids), _LineCache()
    for number, (source, target, data) in enumerate(prepared.edges):
        data = prepared.edge_attributes(data)
        data.pop("id", None)  # an edge's GEXF id is its key, e0, e1, ...
        start = f'      <edge source="{escaped[source]}" target="{escaped[target]}" id="e{number}"'
        for field in ("label", "weight", "type"):
            if field in data:
                start += f' {field}="{_escape(str(data.pop(field)))}"'
        values = [cache.line(name, value, attvalue) for name, value in data.items() if name != "key"]
        yield _element(start, "edge", _gexf_attvalues(values))


def _xml_text(graph, fmt: str) -> str:
    """GraphML or GEXF of a clean graph: edge ids are its keys, ints typed `int` (GraphML) or `integer`."""
    from networkx.readwrite.gexf import GEXFWriter
    from networkx.readwrite.graphml import GraphMLWriter

    if fmt == "graphml":
        writer = GraphMLWriter(encoding="utf-8", prettyprint=True)
        writer.xml_type[int] = "int"
        writer.add_graph_element(graph)
        return str(writer)

    class Writer(GEXFWriter):
        """networkx's GEXF writer without its internal `networkx_key` edge attribute."""

        def add_attributes(self, node_or_edge, xml_obj, data, default):
            data = {k: v for k, v in data.items() if k != "key"}
            return super().add_attributes(node_or_edge, xml_obj, data, default)

    gexf = Writer(encoding="utf-8", prettyprint=True)
    gexf.xml_type[int] = "integer"
    graph = graph.copy()
    for _, _, key, data in graph.edges(keys=True, data=True):
        data["id"] = key  # GEXF has no edge keys: the key is the edge's id
    gexf.add_graph(graph)
    meta = gexf.xml.find("meta")
    if meta is not None:  # the same graph is always written the same way: no date, no library version
        meta.attrib.pop("lastmodifieddate", None)
        for creator in meta.findall("creator"):
            creator.text = "llmrl-kg"
    return str(gexf)


def _dot_id(text) -> str:
    if isinstance(text, bool):
        text = str(text).lower()
    text = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


_DOT_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}


def _dot_name(name: str) -> str:
    """An attribute name: bare when it is a plain DOT identifier, else quoted."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and name.lower() not in _DOT_KEYWORDS:
        return name
    return _dot_id(name)


def _dot_attributes(data: dict) -> str:
    if not data:
        return ""
    return " [" + ", ".join(f"{_dot_name(k)}={_dot_id(v)}" for k, v in sorted(data.items())) + "]"


# Layout hints for Graphviz `dot`: left to right, methods in one cluster per role group, each other
# kind of node in its own rank, the taxonomy's classes ranked by depth. Without them the default
# top-down drawing put every model, code and benchmark in one row tens of thousands of points wide.
DOT_GRAPH_ATTRIBUTES = {"rankdir": "LR", "ranksep": "1.5", "nodesep": "0.1", "newrank": "true",
                        "fontname": "Helvetica", "concentrate": "false"}
DOT_NODE_ATTRIBUTES = {"shape": "box", "style": "rounded", "fontname": "Helvetica", "fontsize": "10",
                       "height": "0.2"}
DOT_EDGE_ATTRIBUTES = {"color": "#00000055", "arrowsize": "0.5"}


def _dot_layout(graph) -> list[str]:
    """Clusters of methods by role group and `rank=same` groups of the other kinds of node."""
    groups: dict[str, list[str]] = {}
    kinds: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        if data.get("kind") == "method" and data.get("role_group"):
            groups.setdefault(str(data["role_group"]), []).append(node)
        elif data.get("kind") not in (None, "method"):
            kinds.setdefault(str(data["kind"]), []).append(node)
    lines = []
    for number, (group, members) in enumerate(sorted(groups.items())):
        lines.append(f"  subgraph cluster_{number} {{ label={_dot_id(group)}; style=rounded; color=grey;")
        lines.extend(f"    {_dot_id(node)};" for node in sorted(members))
        lines.append("  }")
    for depth, classes in sorted(_class_depths(graph, kinds.pop("class", [])).items()):
        lines.append(f"  {{ rank=same; // taxonomy depth {depth}")
        lines.extend(f"    {_dot_id(node)};" for node in sorted(classes))
        lines.append("  }")
    for kind, members in sorted(kinds.items()):
        lines.append(f"  {{ rank=same; // {kind}")
        lines.extend(f"    {_dot_id(node)};" for node in sorted(members))
        lines.append("  }")
    return lines


def _class_depths(graph, classes: list[str]) -> dict[int, list[str]]:
    """The classes by their number of subclass-of steps to a root class (one with no parent class)."""
    parents = {node: [t for _, t, d in graph.out_edges(node, data=True) if d.get("predicate") == "rdfs:subClassOf"]
               for node in classes}
    depth: dict[str, int] = {}

    def depth_of(node: str, seen: frozenset = frozenset()) -> int:
        if node not in depth:
            above = [p for p in parents.get(node, ()) if p in parents and p not in seen]
            depth[node] = 1 + max((depth_of(p, seen | {node}) for p in above), default=-1)
        return depth[node]

    by_depth: dict[int, list[str]] = {}
    for node in classes:
        by_depth.setdefault(depth_of(node), []).append(node)
    return by_depth


def dot_text(graph, notice: str = "") -> str:
    """Graphviz DOT of a (clean) MultiDiGraph: layout hints, then one statement per node and per edge."""
    lines = [f"// {notice}"] if notice else []
    lines.append(f"digraph {_dot_id(graph.graph.get('name', 'llmrl-kg'))} {{")
    lines.append(f"  graph{_dot_attributes(DOT_GRAPH_ATTRIBUTES)};")
    lines.append(f"  node{_dot_attributes(DOT_NODE_ATTRIBUTES)};")
    lines.append(f"  edge{_dot_attributes(DOT_EDGE_ATTRIBUTES)};")
    for node, data in graph.nodes(data=True):
        lines.append(f"  {_dot_id(node)}{_dot_attributes(data)};")
    lines.extend(_dot_layout(graph))
    for source, target, key, data in graph.edges(keys=True, data=True):
        # An edge's readable name is its tooltip: as a `label`, dot lays out 400 labels as if they were
        # nodes and the drawing grows four times taller.
        data = {("tooltip" if name == "label" else name): value for name, value in data.items()}
        lines.append(f"  {_dot_id(source)} -> {_dot_id(target)}{_dot_attributes({'key': key, **data})};")
    lines.append("}")
    return "\n".join(lines) + "\n"
