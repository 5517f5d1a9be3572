"""The static site in real headless Chromium, served by `llmrl-kg site --serve`'s server on 127.0.0.1.

Every page loads without console errors; saved queries run on the SPARQL page (Oxigraph in WebAssembly)
return exactly the rows `llmrl-kg query` returns; the tables sort and filter; axe-core (vendored under
tests/vendor/axe-core, MPL-2.0) finds no serious or critical violation. Skipped without /usr/bin/chromium.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner

from llmrl_kg.cli import cli
from support.chromium import CHROMIUM_MARKS

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

pytestmark = CHROMIUM_MARKS


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    from llmrl_kg.site import build_site
    from llmrl_kg.site.serve import preview_server

    folder = tmp_path_factory.mktemp("site") / "site"
    build_site(folder)
    server = preview_server(folder, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", folder
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(chromium):
    with chromium("--disable-sync", "--window-size=1200,900") as driver:
        yield driver


def _errors(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]


def _open(browser, url: str, ready: str = "document.readyState === 'complete'") -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, 60).until(lambda d: d.execute_script(f"return !!({ready})"))


def _sparql_page(browser, site_url) -> None:
    url, _folder = site_url
    _open(browser, url + "sparql.html", "window.llmrlSparql && window.llmrlSparql.ready")


def test_every_page_loads_without_console_errors(browser, site_url):
    url, folder = site_url
    pages = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))
    assert len(pages) > 400
    browser.get_log("browser")  # start from an empty log
    failures = {}
    for page in pages:
        ready = ("window.llmrlSparql && (window.llmrlSparql.ready || document.getElementById('engine-status')"
                 ".textContent.startsWith('The query engine'))") if page == "sparql.html" else \
            "document.readyState === 'complete'"
        _open(browser, url + urllib.parse.quote(page), ready)
        title = browser.title
        errors = _errors(browser)
        if errors or not title:
            failures[page] = errors or ["no title"]
    assert failures == {}


def _cli_rows(name: str, params: dict[str, str]) -> list[dict]:
    arguments = ["query", name, "--format", "json"]
    for key, value in params.items():
        arguments += ["--param", f"{key}={value}"]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _run_saved(browser, name: str, choices: dict[str, str] | None = None) -> dict:
    browser.execute_script("document.querySelector(`button.saved[data-query='${arguments[0]}']`).click()", name)
    for parameter, label in (choices or {}).items():
        browser.execute_script("""
            const select = document.querySelector(`[data-param='${arguments[0]}']`);
            const option = Array.from(select.options).find(o => o.textContent === arguments[1]);
            select.value = option.value;""", parameter, label)
    browser.execute_script("document.getElementById('run').click()")
    return browser.execute_script("return window.llmrlSparql.lastResult")


def test_every_saved_query_returns_the_cli_rows(browser, site_url):
    from llmrl_kg.api import KnowledgeGraph

    _sparql_page(browser, site_url)
    names = [q.name for q in KnowledgeGraph().saved_queries() if not q.network]
    assert len(names) >= 29
    for name in names:
        result = _run_saved(browser, name)
        assert "error" not in result, (name, result)
        assert result["rows"] == _cli_rows(name, {}), name
    assert _errors(browser) == []


def test_a_saved_query_with_a_chosen_parameter(browser, site_url):
    _sparql_page(browser, site_url)
    result = _run_saved(browser, "role-fine-tuning-model", {"role": "agent", "fine_tuning": "✓ (full fine-tuning)"})
    expected = _cli_rows("role-fine-tuning-model", {"role": "agent", "fine_tuning": "full"})
    assert expected and result["rows"] == expected
    shown = browser.execute_script(
        "return Array.from(document.querySelectorAll('#results-table tbody tr')).map(r => "
        "Array.from(r.cells).map(c => c.textContent))")
    columns = result["columns"]
    assert shown == [["" if row[c] is None else str(row[c]) for c in columns] for row in expected]
    csv_href = browser.execute_script("return document.getElementById('download-csv').href")
    json_href = browser.execute_script("return document.getElementById('download-json').href")
    assert json.loads(urllib.parse.unquote(json_href.split(",", 1)[1])) == expected
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(urllib.parse.unquote(csv_href.split(",", 1)[1]))))
    assert rows == [{c: "" if row[c] is None else str(row[c]) for c in columns} for row in expected]


def test_an_edited_query_and_a_syntax_error(browser, site_url, asserted_store):
    _sparql_page(browser, site_url)
    text = "SELECT ?label WHERE { ?m a llmrl:ParametricAgent ; rdfs:label ?label } ORDER BY ?label"
    browser.execute_script("document.getElementById('query-text').value = arguments[0];"
                           "document.getElementById('run').click()", text)
    result = browser.execute_script("return window.llmrlSparql.lastResult")
    expected = [{"label": r["label"].value} for r in asserted_store.query(
        "PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        + text, use_default_graph_as_union=True)]
    assert expected and result["rows"] == expected
    browser.execute_script("document.getElementById('query-text').value = 'SELECT ?x WHERE { ?x ';"
                           "document.getElementById('run').click()")
    assert "error" in browser.execute_script("return window.llmrlSparql.lastResult")
    assert browser.find_element("id", "query-status").text.startswith("Error:")


def _table_texts(browser, column: int) -> list[str]:
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('#rows-table tbody tr')).filter(r => !r.hidden)"
        ".map(r => r.cells[arguments[0]].textContent.trim())", column)


def test_tables_sort_and_filter(browser, site_url):
    url, _folder = site_url
    _open(browser, url + "table/paper-table-1.html", "window.llmrlSite && window.llmrlSite.ready")
    headers = browser.execute_script(
        "return Array.from(document.querySelectorAll('#rows-table thead th')).map(h => h.textContent)")
    method = headers.index("Method")
    names = _table_texts(browser, method)
    browser.find_elements("css selector", "#rows-table thead th button")[method].click()
    assert _table_texts(browser, method) == sorted(names, key=str.casefold)
    browser.find_elements("css selector", "#rows-table thead th button")[method].click()
    assert _table_texts(browser, method) == sorted(names, key=str.casefold, reverse=True)
    rows = _table_texts(browser, headers.index("Row"))
    browser.find_elements("css selector", "#rows-table thead th button")[headers.index("Row")].click()
    assert _table_texts(browser, headers.index("Row")) == sorted(rows, key=int)
    models = headers.index("Model(s)")
    every = browser.execute_script(
        "return Array.from(document.querySelectorAll('#rows-table tbody tr')).map(r => r.textContent.toLowerCase())")
    box = browser.find_element("id", "rows-table-filter")
    box.send_keys("GPT-4")
    kept = _table_texts(browser, models)
    assert len(kept) == sum("gpt-4" in text for text in every) > 0
    status = browser.find_element("css selector", "[data-count-for='rows-table']").text
    assert status == f"{len(kept)} of {len(every)} rows"


def test_home_search_finds_models_and_methods(browser, site_url):
    url, _folder = site_url
    _open(browser, url + "index.html", "window.llmrlSite && window.llmrlSite.ready")
    browser.find_element("id", "search").send_keys("gpt-4")
    found = browser.execute_script(
        "return Array.from(document.querySelectorAll('#search-results a')).map(a => a.textContent)")
    assert "GPT-4" in found and "GPT-4V" in found
    browser.find_element("link text", "GPT-4").click()
    assert browser.current_url.endswith("/model/gpt-4.html")


def test_keyboard_reaches_the_navigation(browser, site_url):
    from selenium.webdriver.common.keys import Keys

    url, _folder = site_url
    _open(browser, url + "method/agile.html")
    body = browser.find_element("tag name", "body")
    body.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Skip to content"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "main"


AXE_PAGES = ("index.html", "method/agile.html", "paper/agile.html", "model/gpt-4.html", "benchmark/alfworld.html",
             "person/sheila-schoepp.html", "vocab/rl-role/pi.html", "vocab/index.html", "ontology/index.html",
             "ontology/PlannerMethod.html", "table/index.html", "table/paper-table-1.html",
             "table/readme-datasets.html", "sparql.html", "method/index.html", "network.html", "ontology.html")


@pytest.mark.parametrize("page", AXE_PAGES)
def test_axe_finds_no_serious_violation(browser, site_url, page):
    url, folder = site_url
    assert (folder / page).exists()
    ready = "window.llmrlSparql && window.llmrlSparql.ready" if page == "sparql.html" else \
        "document.readyState === 'complete'"
    _open(browser, url + page, ready)
    if page == "sparql.html":
        _run_saved(browser, "role-fine-tuning-model")
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "const brief = v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.html)});"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(brief)));")
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_ontology_page_from_the_navigation(browser, site_url):
    url, folder = site_url
    _open(browser, url + "method/agile.html")
    browser.get_log("browser")
    browser.find_element("css selector", "header.site nav").find_element("link text", "Ontology").click()
    assert browser.current_url == url + "ontology.html"
    _open(browser, browser.current_url)
    assert _errors(browser) == []
    missing = browser.execute_script(
        "return Array.from(document.querySelectorAll('a[href^=\"#\"]')).map(a => a.getAttribute('href').slice(1))"
        ".filter(id => !document.getElementById(decodeURIComponent(id)))")
    assert missing == []
    elsewhere = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(arguments[0]))",
        url)
    assert elsewhere == []
    turtle = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(document.querySelector('a[href=\"ontology.ttl\"]').href).then(r => r.text()).then(done);")
    import rdflib
    from rdflib.compare import isomorphic

    from llmrl_kg import locations

    expected = rdflib.Graph().parse(locations.ontology_file(), format="turtle")
    assert isomorphic(rdflib.Graph().parse(data=turtle, format="turtle"), expected)
