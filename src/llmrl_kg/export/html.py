"""`export html`: one self-contained page with an interactive graph of the methods view.

Everything the page needs is inlined: the graph (the methods view as
Cytoscape.js elements), the vendored Cytoscape.js library (MIT licence, see
assets/README.md), the page's own script and styles. It works offline and from
file://; it never fetches anything.
"""

from __future__ import annotations

import html
import json
from importlib import resources as package_resources

from llmrl_kg.export.graphfiles import clean_graph
from llmrl_kg.export.network import methods_view
from llmrl_kg.export.records import Records
from llmrl_kg.kg import model
from llmrl_kg.query.safe_text import clean_text
from llmrl_kg.rdf.namespaces import curie

CYTOSCAPE_VERSION = "3.34.4"
# Colours of the taxonomy's classes: each role group (in the ontology's order) has a family, its own
# dark shade and lighter ones for its sub-roles in turn; a group without sub-roles takes the first of these.
PALETTE = (
    ("#0550ae", ("#0969da", "#54aeff", "#80ccff", "#218bff")),
    ("#116329", ("#1a7f37", "#4ac26b", "#6fdd8b", "#2da44e")),
    ("#953800", ("#bc4c00", "#fb8f44", "#ffa657", "#e16f24")),
    ("#6639ba", ("#8250df", "#a475f9", "#c297ff", "#d8b9ff")),
    ("#7d4e00", ("#9a6700", "#d4a72c", "#eac54f", "#bf8700")),
)
METHOD_COLOUR = "#24292f"
KIND_STYLES = {
    "method": {"colour": "#0969da", "shape": "ellipse", "label": "Method (coloured by role)"},
    "class": {"colour": "#24292f", "shape": "round-rectangle", "label": "Taxonomy class"},
    "model": {"colour": "#6e7781", "shape": "ellipse", "label": "Foundation models"},
    "benchmark": {"colour": "#d4a72c", "shape": "diamond", "label": "Benchmarks"},
    "metric": {"colour": "#e85aad", "shape": "triangle", "label": "Metrics"},
    "rl-role": {"colour": "#cf222e", "shape": "hexagon", "label": "RL roles"},
    "fm-role": {"colour": "#bf3989", "shape": "vee", "label": "FM roles"},
    "fine-tuning": {"colour": "#57606a", "shape": "rectangle", "label": "Fine-tuning"},
}
OPTIONAL_KINDS = ("model", "benchmark", "metric", "rl-role", "fm-role", "fine-tuning")
DEFAULT_KINDS = ("model",)


def _asset(name: str) -> str:
    return (package_resources.files(__package__) / "assets" / name).read_text(encoding="utf-8")


def _script(code: str) -> str:
    if "</script" in code.lower():
        raise ValueError("inlined script contains '</script'")
    return f"<script>\n{code}\n</script>"


def table_cells(kg: Records, method) -> dict[str, dict[str, str]]:
    """The cells of the method's README and paper rows, in printed order, as the survey writes them."""
    ix = kg.index
    cells = {}
    for document in ("readme", "paper-v1"):
        entry = method.entry(document)
        if entry is None:
            continue

        def codes(iris) -> str:
            return ", ".join(ix.notation(i) for i in iris) or "-"

        cells[document] = {key: clean_text(value) for key, value in {
            "Model(s)": ", ".join(entry.model_labels) or "-",
            "FT": ix.notation(entry.fine_tuning) if entry.fine_tuning else "-",
            "RL role": codes(entry.rl_roles),
            "Metrics": codes(entry.metrics),
            "FM role": codes(entry.fm_roles),
            "RL agent": ix.notation(entry.rl_agent) if entry.rl_agent else "-",
            "RL task": ix.notation(entry.rl_task) if entry.rl_task else "-",
            "RL setting": ix.notation(entry.rl_setting) if entry.rl_setting else "-",
            "Code": entry.code or "-",
        }.items()}
        if document == "readme":  # columns only the paper's Table 1 has
            for column in ("FM role", "RL agent", "RL task", "RL setting"):
                cells[document][column] = ""
    return cells


def role_colours() -> dict[str, str]:
    """A colour for each class of the taxonomy, by CURIE (see PALETTE)."""
    ontology = model.ontology()
    colours = {curie(model.METHOD): METHOD_COLOUR}
    for number, group in enumerate(ontology.groups()):
        own, shades = PALETTE[number % len(PALETTE)]
        below = ontology.below(group.iri)
        colours[curie(group.iri)] = own if below else shades[0]
        leaves = [c for c in below if c in ontology.leaf_groups]
        colours.update({curie(c): own for c in below if c not in ontology.leaf_groups})
        colours.update({curie(leaf): shades[i % len(shades)] for i, leaf in enumerate(leaves)})
    return colours


def _roles(kg: Records) -> list[dict]:
    """The role filter's entries: each group, then its sub-roles (a group without sub-roles once)."""
    ontology = model.ontology()
    roles = []
    for group in ontology.groups():
        leaves = [leaf for leaf, of in ontology.leaf_groups.items() if of == group.iri]
        if leaves != [group.iri]:
            roles.append({"id": curie(group.iri), "label": kg.index.label(group.iri), "leaf": False})
        roles += [{"id": curie(leaf), "label": kg.index.label(leaf), "leaf": True} for leaf in leaves]
    return roles


def page_data(kg: Records) -> dict:
    """What the page's script reads: Cytoscape.js elements plus colours, roles and filters."""
    import networkx as nx

    colours = role_colours()
    graph = clean_graph(methods_view(kg))
    for node, attributes in graph.nodes(data=True):
        kind = attributes.get("kind", "")
        style = KIND_STYLES.get(kind, KIND_STYLES["model"])
        role = attributes.get("role_class") if kind == "method" else node if kind == "class" else None
        attributes["colour"] = colours.get(role or "", style["colour"])
        attributes["shape"] = style["shape"]
    elements = nx.cytoscape_data(graph)["elements"]
    for edge in elements["edges"]:
        edge["data"].pop("id", None)  # Cytoscape.js makes its own unique edge ids
    for node in elements["nodes"]:
        method = kg.method(node["data"].get("iri", ""))
        if method is not None:
            node["data"]["cells"] = table_cells(kg, method)
    return {
        "elements": elements,
        "roleColours": colours,
        "kindStyles": KIND_STYLES,
        "optionalKinds": list(OPTIONAL_KINDS),
        "defaultKinds": list(DEFAULT_KINDS),
        "roles": _roles(kg),
        "groupOf": {curie(leaf): curie(group) for leaf, group in model.ontology().leaf_groups.items()},
    }


# The controls, the graph and the details panel (filled by app.js).
_LAYOUT = """<div id="layout">
  <nav id="controls" aria-label="Search and filters">
    <label class="block" for="search">Search methods, models, benchmarks</label>
    <input type="search" id="search" placeholder="e.g. AGILE, Eureka, Zhai, GPT-4, ALFWorld">
    <label class="block" for="role-filter">Role</label>
    <select id="role-filter"></select>
    <label class="block" for="ft-filter">Fine-tuning</label>
    <select id="ft-filter"></select>
    <label class="block" for="model-filter">Model</label>
    <select id="model-filter"></select>
    <fieldset id="kinds"><legend>Also show</legend></fieldset>
    <button type="button" id="reset">Reset</button><button type="button" id="relayout">Re-layout</button>
    <div id="status" role="status"></div>
    <div id="legend">
      <strong>Roles</strong>
      <ul id="legend-roles"></ul>
      <strong>Other nodes</strong>
      <ul id="legend-kinds"></ul>
    </div>
    <strong>Methods</strong>
    <ul id="method-list"></ul>
  </nav>
  <main id="cy" aria-label="Graph of the methods"></main>
  <aside id="details"><p class="muted">Click a method to see its paper, code and the cells of its table rows.</p></aside>
</div>"""


def html_page(kg: Records) -> str:
    """The whole page as one string."""
    data = json.dumps(page_data(kg), ensure_ascii=False, allow_nan=False, sort_keys=True)
    # Inside <script>, "<" must never start a tag: write it as a JSON escape.
    data = data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    methods = [m for m in kg.methods]
    surveyed = sum(1 for m in methods if m.surveyed)
    licence = html.escape(_asset("cytoscape-LICENSE.txt")).replace("--", "- -")
    survey = "The Evolving Landscape of LLM- and VLM-Integrated Reinforcement Learning"
    return f"""<!DOCTYPE html>
<!-- Generated by llmrl-kg export html from the llmrl-kg knowledge graph; do not edit by hand.
     Self-contained: all JavaScript and CSS are inlined below and nothing is fetched, so the page
     works offline and from file://. It includes Cytoscape.js {CYTOSCAPE_VERSION} (https://js.cytoscape.org),
     used under the MIT licence:

{licence}
-->
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="llmrl-kg export html">
<title>llmrl-kg: methods of the survey of LLM- and VLM-integrated RL</title>
<style>
{_asset("app.css")}
</style>
</head>
<body>
<header>
  <h1>LLM/VLM-integrated reinforcement learning: {len(methods)} methods ({surveyed} in the survey's tables)</h1>
  <p>From the llmrl-kg knowledge graph of the survey &ldquo;{html.escape(survey)}&rdquo; (arXiv 2502.15214, IJCAI 2025).
     Click a node for its facts; drag to pan, scroll to zoom.</p>
</header>
{_LAYOUT}
<script type="application/json" id="kg-data">{data}</script>
{_script(_asset("cytoscape.min.js"))}
{_script(_asset("app.js"))}
</body>
</html>
"""
