"""`llmrl-kg site`: build the whole static site from the graph, deterministically, into a folder.

The site is written to a fresh temporary folder next to the target and then
moved into place, so a failed build never leaves a half-written site. A folder
is only ever replaced when it holds a site this command built (it carries the
marker file `.llmrl-kg-site`); any other non-empty folder is refused.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from importlib import resources as package_resources
from pathlib import Path

import pyoxigraph as ox

from llmrl_kg.errors import UsageError
from llmrl_kg.export.html import html_page
from llmrl_kg.site import kinds
from llmrl_kg.site.cells import printed_columns
from llmrl_kg.site.entities import entity_page, rdf_paths
from llmrl_kg.site.graph import SiteGraph
from llmrl_kg.site.home import home_page
from llmrl_kg.site.methods import method_page
from llmrl_kg.site.ontology import ontology_files
from llmrl_kg.site.rdffiles import entity_jsonld, entity_turtle, nquads
from llmrl_kg.site.sparql import KG_FILE, sparql_page
from llmrl_kg.site.tables import beyond_page, table_page, tables_index
from llmrl_kg.site.template import Page, render

MARKER = ".llmrl-kg-site"
ASSETS = ("site.css", "site.js", "favicon.svg", "sparql.js", "oxigraph/web.js", "oxigraph/web_bg.wasm",
          "oxigraph/LICENSE-MIT", "oxigraph/LICENSE-APACHE", "README.md")


class SiteError(UsageError):
    """The site cannot be written where it was asked to go."""


@dataclass
class BuildSummary:
    """What a build wrote."""

    pages: int
    files: int
    seconds: float


def site_pages(site: SiteGraph) -> list[Page]:
    """Every HTML page of the site but the network view."""
    from llmrl_kg.api import KnowledgeGraph
    from llmrl_kg.store.backends import OxigraphBackend

    printed = printed_columns(site.kg)
    members = kinds.methods_by_class(site)
    methods = {m.iri: m for m in site.kg.methods}
    schemes = {c.scheme: c for c in site.ontology.code_lists}
    pages = []
    for iri in site.pages:
        if iri in methods:
            pages.append(method_page(site, methods[iri], printed))
        elif iri in site.ontology.method_classes():
            pages.append(kinds.class_page(site, iri, members))
        elif iri in schemes:
            pages.append(kinds.scheme_page(site, schemes[iri]))
        elif site.kind(iri) == "table":
            pages.append(table_page(site, iri, printed))
        else:
            pages.append(entity_page(site, iri, []))
    beyond = beyond_page(site, printed)
    pages += [home_page(site, members), tables_index(site, beyond is not None), kinds.legend_page(site),
              kinds.taxonomy_page(site, members), *([beyond] if beyond else []),
              *(kinds.index_page(site, kind) for kind in kinds.INDEX_TITLES)]
    pages.append(sparql_page(KnowledgeGraph(OxigraphBackend(site.store))))
    return pages


def network_page(site: SiteGraph) -> str:
    """The interactive graph of `export html`, with a way back to the site."""
    page = html_page(site.kg)
    back = '<nav aria-label="Site"><p><a href="index.html">&larr; llmrl-kg site: home</a></p></nav>'
    icon = '<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">\n'
    return page.replace("</head>", icon + "</head>", 1).replace("<body>\n", "<body>\n" + back + "\n", 1)


def site_files(site: SiteGraph) -> dict[str, bytes]:
    """Every file of the site by its path: pages, the ontology's documentation and Turtle, per-entity RDF, the KG's
    N-Quads and the assets."""
    files: dict[str, bytes] = {}
    for page in site_pages(site):
        if page.path in files:
            raise SiteError(f"two pages would be written to {page.path}; rename one of the entities")
        files[page.path] = render(page).encode()
    files["network.html"] = network_page(site).encode()
    for path, content in ontology_files().items():
        if path in files:
            raise SiteError(f"the ontology documentation would overwrite the page {path}; rename that entity")
        files[path] = content
    for iri, path in site.pages.items():
        triples = [f.triple for f in site.description(iri)]
        turtle, jsonld = rdf_paths(path)
        files[turtle] = entity_turtle(triples).encode()
        files[jsonld] = entity_jsonld(triples).encode()
    files[KG_FILE] = nquads(site.store.quads_for_pattern(None, None, None, None)).encode()
    assets = package_resources.files(__package__) / "assets"
    for name in ASSETS:
        files[f"assets/{name}"] = (assets / name).read_bytes()
    files[MARKER] = b"Built by llmrl-kg site; the whole folder is replaced by the next build.\n"
    return files


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise SiteError(f"{out} is a file, not a folder", fix="give -o a folder to write the site into")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SiteError(f"{out} is not empty and holds no site built by llmrl-kg",
                        fix="give -o a new or empty folder (a folder with an earlier build is replaced)")


def write_site(files: dict[str, bytes], out: Path) -> None:
    """Write the files into a temporary folder beside `out`, then swap it into place."""
    out = out.resolve()
    _check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for path, content in sorted(files.items()):
            target = temp / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        old = out.with_name(f".{out.name}.old")
        if out.exists():
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
        temp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def build_site(out: Path, store: ox.Store | None = None) -> BuildSummary:
    """Build the site of the shipped KG (or of `store`) into the folder `out`."""
    from llmrl_kg.kg.loader import load_files

    started = time.perf_counter()
    if store is None:
        store = ox.Store()
        load_files(store)  # the fast loader: inferences materialised natively, and cached
    site = SiteGraph(store)
    files = site_files(site)
    write_site(files, out)
    pages = sum(1 for path in files if path.endswith(".html"))
    return BuildSummary(pages=pages, files=len(files), seconds=time.perf_counter() - started)
