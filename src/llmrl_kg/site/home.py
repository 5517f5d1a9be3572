"""The home page: what the survey and the KG are, the taxonomy with counts as a picture, the newest methods, search.

The picture is inline SVG (a bar per class of the taxonomy, each a link to the
class's page). Search runs in the page over a JSON index of every page,
embedded in the page so that it also works from file://.
"""

from __future__ import annotations

from llmrl_kg.kg.model import METHOD
from llmrl_kg.rdf.namespaces import FABIO, LLMRL, SKOS
from llmrl_kg.site.entities import KIND_NAMES
from llmrl_kg.site.graph import SiteGraph
from llmrl_kg.site.kinds import INDEX_TITLES
from llmrl_kg.site.template import Page, esc, external, href_to, json_script, link

HOME = "index.html"
BAR_HEIGHT, ROW, LABEL_WIDTH, BAR_WIDTH = 18, 26, 260, 360
NEWEST = 10


def taxonomy_rows(site: SiteGraph, members: dict[str, list[str]]) -> list[tuple[str, int, int]]:
    """(class, depth, method count) for every class below Method, depth first in the ontology's order."""
    rows = []

    def walk(iri: str, depth: int) -> None:
        for child in site.ontology.below(iri):
            if iri in site.ontology.classes[child].parents:
                rows.append((child, depth, len(members.get(child, []))))
                walk(child, depth + 1)

    walk(METHOD, 0)
    return rows


def taxonomy_svg(site: SiteGraph, members: dict[str, list[str]]) -> str:
    """The taxonomy with counts: one labelled bar per class, indented by depth, each linking to its page."""
    rows = taxonomy_rows(site, members)
    most = max([count for _, _, count in rows] + [1])
    height = ROW * len(rows) + 10
    parts = []
    for number, (iri, depth, count) in enumerate(rows):
        y = 5 + number * ROW
        width = max(2, round(BAR_WIDTH * count / most))
        name = site.label(iri)
        parts.append(
            f'<a href="{esc(href_to(HOME, site.pages[iri]))}"><title>{esc(name)}: {count} methods</title>'
            f'<text x="{4 + 16 * depth}" y="{y + 14}" class="{"group" if depth == 0 else "sub"}">{esc(name)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" class="bar d{min(depth, 2)}"/>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 14}">{count}</text></a>')
    total = LABEL_WIDTH + BAR_WIDTH + 40
    return (f'<figure><svg class="taxonomy" viewBox="0 0 {total} {height}" aria-labelledby="taxonomy-title">'
            f'<title id="taxonomy-title">The taxonomy of integration roles with the number of methods in each '
            f'class</title>{"".join(parts)}</svg><figcaption>Methods per class of the taxonomy (each bar links to '
            "the class)</figcaption></figure>")


def newest_methods(site: SiteGraph) -> list[tuple[str, str]]:
    """(method, year) of the methods with the most recent papers, newest first, then by name."""
    dated = []
    for method in site.kg.methods:
        year = site.index.value(method.paper, FABIO + "hasPublicationYear") if method.paper else None
        dated.append((-(int(year) if year and year.isdigit() else 0), site.label(method.iri).lower(),
                      method.iri, year or ""))
    return [(iri, year) for _, _, iri, year in sorted(dated)[:NEWEST]]


def search_index(site: SiteGraph) -> list[dict[str, str]]:
    """One entry per page: its name, kind, path and the other names it is known by."""
    entries = []
    for iri, path in site.pages.items():
        names = [o.value for p in (SKOS + "altLabel", SKOS + "notation", LLMRL + "arxivId")
                 for o in site.index.objects(iri, p)]
        entries.append({"label": site.label(iri), "kind": KIND_NAMES.get(site.kind(iri), ""), "path": path,
                        "also": " ".join(names)})
    return sorted(entries, key=lambda e: (e["label"].lower(), e["path"]))


def _about(site: SiteGraph) -> str:
    surveys = site.index.subjects_of_type(LLMRL + "Survey")
    if not surveys:
        return "<p>A knowledge graph of methods that integrate large language or vision-language models with RL.</p>"
    survey = surveys[0]
    ix = site.index
    arxiv = ix.value(survey, LLMRL + "arxivId")
    arxiv_link = f" ({external('https://arxiv.org/abs/' + arxiv, 'arXiv ' + arxiv)})" if arxiv else ""
    return (f"<p>The knowledge graph of the survey {link(HOME, site.pages[survey], site.label(survey))}"
            f" by {esc(ix.value(survey, LLMRL + 'authorList') or '')}, {esc(ix.value(survey, LLMRL + 'venue') or '')}"
            f"{arxiv_link}. Every method of the survey&rsquo;s tables is here with its paper, models, benchmarks "
            "and the cells of its table rows, as the README and the paper print them, with OWL classes, "
            "SKOS code lists and SHACL shapes.</p>")


def home_page(site: SiteGraph, members: dict[str, list[str]]) -> Page:
    """The home page."""
    counts = "".join(f"<li>{link(HOME, f'{kind}/index.html', title)}: "
                     f"{sum(1 for i in site.pages if site.kind(i) == kind)}</li>" for kind, title in INDEX_TITLES.items())
    newest = "".join(f"<li>{link(HOME, site.pages[iri], site.label(iri))} ({esc(year)})</li>"
                     for iri, year in newest_methods(site))
    body = f"""<h1>LLM- and VLM-integrated reinforcement learning: the knowledge graph</h1>
{_about(site)}
<section aria-labelledby="search-heading"><h2 id="search-heading">Search</h2>
<form role="search" id="search-form" onsubmit="return false"><label for="search">Search methods, papers, models, benchmarks, people and codes</label>
<input type="search" id="search" autocomplete="off" placeholder="e.g. GPT-4, Eureka, reward"></form>
<p id="search-status" role="status" aria-live="polite"></p><ul id="search-results"></ul>
{json_script("search-index", search_index(site))}</section>
<section aria-labelledby="taxonomy-heading"><h2 id="taxonomy-heading">The taxonomy</h2>
<p>Methods by the role the foundation model plays ({link(HOME, "ontology/index.html", "the taxonomy as a list")}).</p>
{taxonomy_svg(site, members)}</section>
<section aria-labelledby="newest-heading"><h2 id="newest-heading">Newest methods</h2>
<p>The methods with the most recent papers.</p><ol>{newest}</ol></section>
<section aria-labelledby="contents-heading"><h2 id="contents-heading">What is in the KG</h2><ul>{counts}
<li>{link(HOME, "table/index.html", "The survey's tables")}, {link(HOME, "vocab/index.html", "the codes of the legend")},
{link(HOME, "network.html", "the network view")} and {link(HOME, "sparql.html", "SPARQL in the browser")}</li>
<li>{link(HOME, "ontology.html", "The ontology")}: its classes, properties and code lists documented, and as Turtle</li></ul></section>"""
    return Page(HOME, "Home", body, scripts=("assets/site.js",))
