"""The site's ontology documentation: pyLODE's page of `llmrl-kg docs` inside the site's frame, and the Turtle file.

pyLODE's page is made deterministic in `export.ontodocs`. Here its body is taken
apart from its head: its stylesheet (a fixed table of contents, colours that fail
contrast, a page that needs a wide screen) gives way to the site's, plus the
small stylesheet below; its "made by pyLODE" sidebar becomes one line of text.
The page loads nothing from elsewhere (pyLODE 3.4 inlines everything it uses).
"""

from __future__ import annotations

import html
import re

from llmrl_kg import locations
from llmrl_kg.export.ontodocs import DocsError, ontology_html, pylode_version
from llmrl_kg.kg.files import read_regular_file
from llmrl_kg.site.template import Page, esc, external, link, render

ONTOLOGY_PAGE = "ontology.html"
ONTOLOGY_TURTLE = "ontology.ttl"
TAXONOMY_PAGE = "ontology/index.html"

STYLE = """<style>
main { max-width: 90em; }
.ontodoc .entity { border: 1px solid var(--line); margin: .75em 0; padding: .5em .75em; }
.ontodoc table { width: 100%; table-layout: fixed; }
.ontodoc .entity th { width: 11em; }
.ontodoc #codelists table { table-layout: auto; }
.ontodoc #codelists th { width: auto; overflow-wrap: anywhere; }
.ontodoc #codelists th, .ontodoc #codelists td { padding: .2em .3em; }
.ontodoc td, .ontodoc code { overflow-wrap: anywhere; }
.ontodoc td p, .ontodoc dd p { margin: 0; }
.ontodoc h3 { border-bottom: 1px solid var(--line); padding-bottom: .2em; }
.ontodoc dt { font-weight: 600; }
.ontodoc dd { margin: 0 0 .5em 1em; }
.ontodoc .entity ul, .ontodoc #metadata ul { list-style: none; padding-left: 0; margin: 0; }
.ontodoc ul.hierarchy { border: 1px solid var(--line); padding: .3em 1.5em; }
.ontodoc .hover_property { text-decoration: none; border-bottom: 1px dashed; }
.ontodoc .cardinality { font-style: italic; color: #8a008a; }
.ontodoc sup { margin-left: 1px; cursor: help; }
.ontodoc .sup-c, .ontodoc .sup-con { color: #8f4600; }
.ontodoc .sup-op { color: #000080; }
.ontodoc .sup-fp { color: #0b5f86; }
.ontodoc .sup-dp { color: #116329; }
.ontodoc .sup-ap, .ontodoc .sup-col { color: #8b0000; }
.ontodoc .sup-ni { color: #7a3e00; }
.ontodoc-toc ul { list-style: none; padding-left: 0; }
.ontodoc-toc .second, .ontodoc-toc .third { padding-left: 1em; }
.ontodoc-toc h3 { margin: .5em 0 0; font-size: 1.1em; }
.ontodoc-toc h4 { margin: .5em 0 0; font-size: 1em; }
@media (min-width: 64em) {
  .ontodoc { display: grid; grid-template-columns: minmax(0, 1fr) 16em; gap: 2em; }
  .ontodoc-toc { position: sticky; top: 0; max-height: 100vh; overflow-y: auto; align-self: start; font-size: .9em; }
}
</style>
"""


def _parts(page: str) -> tuple[str, str, str, str]:
    """pyLODE's page as (title, schema.org JSON-LD script, content, table of contents)."""
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    body = re.search(r"<body>(.*)</body>", page, re.S)
    if title is None or body is None or '<div id="toc">' not in body.group(1):
        raise DocsError("pyLODE's page has no <title>, <body> or table of contents; "
                        "its layout changed (check the installed pyLODE version)")
    schema = re.search(r'<script id="schema\.org" type="application/ld\+json">.*?</script>', page, re.S)
    content, toc = body.group(1).split('<div id="toc">', 1)
    content = re.sub(r'\s*<div id="pylode">.*?</div>', "", content, count=1, flags=re.S)
    return html.unescape(title.group(1)).strip(), schema.group(0) if schema else "", content, '<div id="toc">' + toc


def _downloads() -> str:
    return (f"<p>The ontology as Turtle: {link(ONTOLOGY_PAGE, ONTOLOGY_TURTLE, ONTOLOGY_TURTLE, type='text/turtle')}"
            f" (the KG&rsquo;s file <code>ontology/llmrl.ttl</code>). The classes of methods are also shown as "
            f"{link(ONTOLOGY_PAGE, TAXONOMY_PAGE, 'the taxonomy')}. This page is written by "
            f"{external('https://github.com/RDFLib/pyLODE', 'pyLODE')} {esc(pylode_version())} (OntPub profile), "
            "with the code lists added by <code>llmrl-kg docs</code>.</p>")


def ontology_page() -> str:
    """The ontology documentation page of the site, `ontology.html`."""
    title, schema, content, toc = _parts(ontology_html())
    content = content.replace("</h1>", "</h1>\n" + _downloads(), 1)
    body = (f'<div class="ontodoc">\n{content}\n<nav class="ontodoc-toc" aria-label="Contents of the ontology '
            f'documentation">{toc}</nav>\n</div>')
    page = render(Page(ONTOLOGY_PAGE, title, body))
    return page.replace("</head>", STYLE + schema + "\n</head>", 1)


def ontology_files() -> dict[str, bytes]:
    """The ontology documentation page and the ontology's Turtle file, by their site paths."""
    return {ONTOLOGY_PAGE: ontology_page().encode(), ONTOLOGY_TURTLE: read_regular_file(locations.ontology_file())}
