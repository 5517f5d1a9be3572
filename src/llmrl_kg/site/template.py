"""The pages' common frame (header, navigation, footer) and small HTML helpers; every value is escaped here.

Links between pages are always relative (`href_to`), so the site works from any
folder of any static host and from the local preview.
"""

from __future__ import annotations

import html
import json
import posixpath
from dataclasses import dataclass
from urllib.parse import quote

SITE_NAME = "llmrl-kg"
NAV = (("index.html", "Home"), ("method/index.html", "Methods"), ("table/index.html", "Tables"),
       ("network.html", "Network"), ("sparql.html", "SPARQL"), ("vocab/index.html", "Codes"),
       ("ontology/index.html", "Taxonomy"), ("ontology.html", "Ontology"))


@dataclass
class Page:
    """One HTML page of the site: where it goes, its title, its main content and extra scripts."""

    path: str
    title: str
    body: str
    scripts: tuple[str, ...] = ()  # site paths of classic scripts
    modules: tuple[str, ...] = ()  # site paths of ES modules


def esc(text: object) -> str:
    """Text escaped for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def href_to(from_path: str, to_path: str) -> str:
    """The relative, URL-quoted link from one site path to another (`#fragment` kept)."""
    target, _, fragment = to_path.partition("#")
    relative = posixpath.relpath(target, posixpath.dirname(from_path) or ".")
    link = quote(relative, safe="/~._-")
    return f"{link}#{quote(fragment, safe='~._-')}" if fragment else link


def link(from_path: str, to_path: str, text: str, **attributes: str) -> str:
    """An `<a>` to another page of the site."""
    extra = "".join(f' {name.rstrip("_")}="{esc(value)}"' for name, value in attributes.items())
    return f'<a href="{esc(href_to(from_path, to_path))}"{extra}>{esc(text)}</a>'


def external(url: str, text: str | None = None) -> str:
    """A link to another site (only http and https URLs become links)."""
    if not url.startswith(("https://", "http://")):
        return esc(text or url)
    return f'<a href="{esc(url)}" rel="external noopener">{esc(text or url)}</a>'


def json_script(element_id: str, data: object) -> str:
    """Data for the page's script as `<script type="application/json">`, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f'<script type="application/json" id="{esc(element_id)}">{text}</script>'


def render(page: Page) -> str:
    """The whole HTML document of a page."""
    css = href_to(page.path, "assets/site.css")
    nav = "\n".join(
        f'    <li>{link(page.path, target, label, **({"aria_current": "page"} if target == page.path else {}))}</li>'
        for target, label in NAV)
    scripts = "".join(f'\n<script src="{esc(href_to(page.path, s))}"></script>' for s in page.scripts)
    modules = "".join(f'\n<script type="module" src="{esc(href_to(page.path, s))}"></script>'
                      for s in page.modules)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="llmrl-kg site">
<title>{esc(page.title)} · {SITE_NAME}</title>
<link rel="stylesheet" href="{esc(css)}">
<link rel="icon" href="{esc(href_to(page.path, "assets/favicon.svg"))}" type="image/svg+xml">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
  <p class="brand">{link(page.path, "index.html", SITE_NAME)} <span>knowledge graph of LLM/VLM-integrated RL</span></p>
  <nav aria-label="Site">
   <ul>
{nav}
   </ul>
  </nav>
</header>
<main id="main" tabindex="-1">
{page.body}
</main>
<footer class="site">
  <p>Generated from the llmrl-kg knowledge graph by <code>llmrl-kg site</code>; every fact cites the file
  that states it. The data is the survey&rsquo;s (arXiv 2502.15214) as recorded in the KG.</p>
</footer>{scripts}{modules}
</body>
</html>
"""
