"""Pages of the taxonomy's classes and the legend's code lists, and an index page per kind of entity."""

from __future__ import annotations

from collections import defaultdict

from llmrl_kg.kg.model import METHOD
from llmrl_kg.rdf.namespaces import SKOS
from llmrl_kg.site.entities import KIND_NAMES, entity_page
from llmrl_kg.site.graph import SiteGraph
from llmrl_kg.site.template import Page, esc, link

INDEX_TITLES = {"method": "Methods", "paper": "Papers", "model": "Foundation models", "benchmark": "Benchmarks",
                "organization": "Organisations", "person": "Authors", "topic": "Topics",
                "document": "Source documents"}


def methods_by_class(site: SiteGraph) -> dict[str, list[str]]:
    """Each taxonomy class -> the methods typed with it or a class below it (sorted by label)."""
    direct: dict[str, set[str]] = defaultdict(set)
    for method in site.kg.methods:
        for cls in site.types(method.iri):
            direct[cls].add(method.iri)
    found = {}
    for cls in site.ontology.method_classes():
        members = set(direct.get(cls, ()))
        for below in site.ontology.below(cls):
            members |= direct.get(below, set())
        found[cls] = sorted(members, key=lambda m: (site.label(m).lower(), m))
    return found


def class_page(site: SiteGraph, iri: str, members: dict[str, list[str]]) -> Page:
    """A taxonomy class: its sub-classes (with counts) and its methods."""
    here = site.pages[iri]
    children = [c for c in site.ontology.below(iri) if iri in site.ontology.classes[c].parents]
    subs = "".join(f"<li>{link(here, site.pages[c], site.label(c))} ({len(members.get(c, []))})</li>"
                   for c in children)
    methods = "".join(f"<li>{link(here, site.pages[m], site.label(m))}</li>" for m in members.get(iri, []))
    sections = []
    if subs:
        sections.append(f'<section aria-labelledby="subclasses"><h2 id="subclasses">Sub-classes</h2><ul>{subs}</ul></section>')
    sections.append(f'<section aria-labelledby="members"><h2 id="members">Methods ({len(members.get(iri, []))})</h2>'
                    f'<ul class="columns">{methods}</ul></section>')
    return entity_page(site, iri, sections)


def scheme_page(site: SiteGraph, code_list) -> Page:
    """A code list of the legend: every code with its notation, label and definition."""
    here = site.pages[code_list.scheme]
    return entity_page(site, code_list.scheme, [_codes_table(site, here, code_list)])


def _codes_table(site: SiteGraph, here: str, code_list) -> str:
    rows = "".join(
        f'<tr><td>{link(here, site.pages[c.iri], site.index.notation(c.iri))}</td><td>{esc(site.label(c.iri))}</td>'
        f"<td>{esc(site.index.value(c.iri, SKOS + 'definition') or '')}</td></tr>" for c in code_list.codes)
    return (f'<div class="scroll"><table><caption>{esc(site.label(code_list.scheme))}</caption>'
            f'<thead><tr><th scope="col">Code</th><th scope="col">Label</th><th scope="col">Definition</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


def legend_page(site: SiteGraph) -> Page:
    """vocab/index.html: the survey's legend, every code list with its codes."""
    here = "vocab/index.html"
    parts = [f'<section aria-labelledby="{esc(c.kind)}"><h2 id="{esc(c.kind)}">'
             f"{link(here, site.pages[c.scheme], site.label(c.scheme))}</h2>{_codes_table(site, here, c)}</section>"
             for c in site.ontology.code_lists if c.scheme in site.pages]
    return Page(here, "The survey's codes", "<h1>The survey&rsquo;s codes</h1>\n" + "\n".join(parts))


def taxonomy_page(site: SiteGraph, members: dict[str, list[str]]) -> Page:
    """ontology/index.html: the method taxonomy as nested lists with counts."""
    here = "ontology/index.html"

    def tree(iri: str) -> str:
        children = [c for c in site.ontology.below(iri) if iri in site.ontology.classes[c].parents]
        inner = "".join(tree(c) for c in children)
        return (f"<li>{link(here, site.pages[iri], site.label(iri))} ({len(members.get(iri, []))})"
                f"{f'<ul>{inner}</ul>' if inner else ''}</li>")

    return Page(here, "The taxonomy", "<h1>The taxonomy of integration roles</h1>\n"
                f'<p>Each class with the number of methods in it.</p><ul class="tree">{tree(METHOD)}</ul>')


def index_page(site: SiteGraph, kind: str) -> Page:
    """`kind/index.html`: every entity of one kind, sorted by name."""
    here = f"{kind}/index.html"
    iris = sorted((i for i in site.pages if site.kind(i) == kind), key=lambda i: (site.label(i).lower(), i))
    items = "".join(f"<li>{link(here, site.pages[i], site.label(i))}</li>" for i in iris)
    title = INDEX_TITLES.get(kind, KIND_NAMES.get(kind, kind))
    return Page(here, title, f'<h1>{esc(title)} ({len(iris)})</h1>\n<ul class="columns">{items}</ul>')
