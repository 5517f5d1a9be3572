"""The HTML export in real headless Chromium: renders every method, filters work, no console errors.

Needs Debian's `chromium` and `chromium-driver` (the test is skipped when /usr/bin/chromium is
absent). The page is opened from file://, offline; a screenshot is kept in test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from llmrl_kg.export import export
from support.chromium import CHROMIUM_MARKS
from survey_scope import fixture_names

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

pytestmark = CHROMIUM_MARKS

SURVEYED = """
PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
SELECT (COUNT(DISTINCT ?m) AS ?n) (COUNT(DISTINCT ?any) AS ?all) WHERE {
  { ?e a llmrl:MethodEntry ; llmrl:entryOf ?m } UNION
  { ?any a ?c . ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* llmrl:Method }
}"""


@pytest.fixture(scope="module")
def browser(chromium):
    with chromium("--window-size=1400,900") as driver:
        yield driver


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    from selenium.webdriver.support.ui import WebDriverWait

    path = tmp_path_factory.mktemp("html") / "methods.html"
    path.write_bytes(export("html"))
    browser.get(path.as_uri())
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return !!(window.llmrl && window.llmrl.ready)"))
    return browser


def _counts(asserted_store) -> tuple[int, int]:
    (row,) = asserted_store.query(SURVEYED, use_default_graph_as_union=True)
    return int(row["n"].value), int(row["all"].value)


def test_page_renders_every_method_without_console_errors(page, asserted_store):
    surveyed, everything = _counts(asserted_store)
    assert surveyed >= len(fixture_names()) == 34  # the survey's rows, and any a contributor adds
    graph = page.execute_script("""
        const cy = window.llmrl.cy, methods = cy.nodes("[kind = 'method']");
        return {surveyed: methods.filter(n => n.data('surveyed')).length, all: methods.length,
                visible: methods.filter(n => n.visible()).length,
                positioned: methods.filter(n => n.renderedPosition().x > 0 && n.renderedPosition().y > 0).length};""")
    assert graph == {"surveyed": surveyed, "all": everything, "visible": everything, "positioned": everything}
    listed = page.execute_script(
        "return document.querySelectorAll('#method-list li.method-item[data-surveyed=\"true\"]').length")
    assert listed == surveyed
    assert page.execute_script("return document.querySelectorAll('#legend-roles li').length") == 7
    problems = [entry for entry in page.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]
    assert problems == []
    # Self-contained: the page loaded no resource at all.
    assert page.execute_script("return performance.getEntriesByType('resource').length") == 0
    ARTIFACTS.mkdir(exist_ok=True)
    assert page.save_screenshot(str(ARTIFACTS / "html-methods-view.png"))


FILTERED = """
PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?label ?surveyed ?ft WHERE {
  ?m a llmrl:RewardModelMethod ; rdfs:label ?label .
  OPTIONAL { ?e llmrl:entryOf ?m ; llmrl:fineTuning ?ft }
  BIND(EXISTS { ?any a llmrl:MethodEntry ; llmrl:entryOf ?m } AS ?surveyed)
}"""


def _reward_model_methods(store, fine_tuning=None) -> tuple[list[str], list[str]]:
    """(all, surveyed) labels of the reward-model methods, optionally those with that fine-tuning code."""
    rows = [r for r in store.query(FILTERED, use_default_graph_as_union=True)
            if fine_tuning is None or (r["ft"] is not None and r["ft"].value == fine_tuning)]
    return (sorted({r["label"].value for r in rows}),
            sorted({r["label"].value for r in rows if r["surveyed"].value == "true"}))


def test_search_and_filters(page, asserted_store):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def shown():
        return sorted(page.execute_script(
            "return window.llmrl.cy.nodes(\"[kind = 'method']\").filter(n => n.visible()).map(n => n.data('label'))"))

    def assert_shown(expected):
        # Cytoscape.js applies style changes on its next frame: wait (up to 5 s) for the expected set.
        try:
            WebDriverWait(page, 5, poll_frequency=0.05).until(lambda _: shown() == sorted(expected))
        except TimeoutException:
            pass
        assert shown() == sorted(expected)

    search = page.find_element(By.ID, "search")
    search.send_keys("agile")
    assert_shown(["AGILE"])
    assert page.find_element(By.ID, "status").text.startswith("Showing 1 of")
    search.clear()
    search.send_keys(" ")  # fire an input event on the emptied field
    Select(page.find_element(By.ID, "role-filter")).select_by_value("llmrl:RewardModelMethod")
    every, surveyed = _reward_model_methods(asserted_store)
    assert surveyed == sorted(["Kwon et al.", "PREDILECT", "ELLM", "RL-VLM-F", "VLM-RM", "MineCLIP"])
    assert_shown(every)
    Select(page.find_element(By.ID, "ft-filter")).select_by_value("ft:peft")
    every, surveyed = _reward_model_methods(asserted_store, "https://w3id.org/llmrl-kg/vocab/fine-tuning/peft")
    assert surveyed == ["MineCLIP"]
    assert_shown(every)
    page.find_element(By.ID, "reset").click()
    Select(page.find_element(By.ID, "model-filter")).select_by_value("model:clip")
    assert_shown(["MineCLIP", "VLM-RM"])
    page.find_element(By.ID, "reset").click()
    assert_shown(page.execute_script("return window.llmrl.cy.nodes(\"[kind = 'method']\").map(n => n.data('label'))"))


def test_clicking_a_method_shows_its_facts_and_links(page):
    from selenium.webdriver.common.by import By

    page.find_element(By.CSS_SELECTOR, "#method-list li[data-id='method:agile']").click()
    details = page.find_element(By.ID, "details")
    assert "AGILE: A Novel Reinforcement Learning Framework of LLM Agents" in details.text
    links = {a.get_attribute("href") for a in details.find_elements(By.TAG_NAME, "a")}
    assert links == {"https://github.com/bytarnish/AGILE", "https://arxiv.org/abs/2405.14751"}
    assert "Meerkat, Vicuna-1.5" in details.text
    # Inner Monologue: the README and the paper print different RL roles; both show, in printed order.
    page.execute_script("window.llmrl.select('method:inner-monologue')")
    rows = {row.find_element(By.TAG_NAME, "th").text: [td.text for td in row.find_elements(By.TAG_NAME, "td")]
            for row in page.find_elements(By.CSS_SELECTOR, "#details table:last-of-type tr")[1:]}
    assert rows["RL role"] == ["π, v", "o"]
    assert rows["Metrics"] == ["sr, rob, al", "sr, rob, al"]


USERS_OF_GPT4 = """
PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?label WHERE {
  VALUES ?row { llmrl:MethodEntry llmrl:CuratedEntry }  # the survey's rows and those beyond it
  ?e a ?row ; llmrl:entryOf ?m ; llmrl:usesModel <https://w3id.org/llmrl-kg/model/gpt-4> .
  ?m rdfs:label ?label
}"""


USERS_OF_GPT4_FAMILY = """
PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?label WHERE {
  VALUES ?row { llmrl:MethodEntry llmrl:CuratedEntry }  # the survey's rows and those beyond it
  ?e a ?row ; llmrl:entryOf ?m ; llmrl:usesModel ?model .
  ?model rdfs:label ?name . FILTER(CONTAINS(LCASE(STR(?name)), "gpt-4"))
  ?m rdfs:label ?label
}"""


def _wait(page, script: str, expected, seconds: float = 5):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(page, seconds, poll_frequency=0.05).until(lambda _: page.execute_script(script) == expected)
    except TimeoutException:
        pass
    return page.execute_script(script)


def test_nodes_are_sized_by_degree(page, asserted_store):
    # Regression (issue 12): GPT-4, used by a dozen methods, was a tiny dot like every other model.
    users = {row["label"].value for row in asserted_store.query(USERS_OF_GPT4, use_default_graph_as_union=True)}
    sizes = page.execute_script("""
        const cy = window.llmrl.cy, gpt4 = cy.getElementById('model:gpt-4');
        const leaves = cy.nodes("[kind = 'model']").filter(n => n.degree() === 1);
        return {users: gpt4.incomers("node[kind = 'method']").map(n => n.data('label')),
                gpt4: gpt4.width(), leaf: leaves.length ? leaves[0].width() : null,
                font: parseFloat(gpt4.style('font-size')), leafFont: leaves.length ? parseFloat(leaves[0].style('font-size')) : null};""")
    assert set(sizes["users"]) == users and len(users) >= 10
    assert sizes["leaf"] is not None and sizes["gpt4"] >= 2 * sizes["leaf"]
    assert sizes["font"] > sizes["leafFont"]


def test_search_finds_models_and_benchmarks(page, asserted_store):
    from selenium.webdriver.common.by import By

    # "gpt-4" matches GPT-4 and the models named GPT-4-something: the methods using any of them show.
    users = {row["label"].value for row in asserted_store.query(USERS_OF_GPT4_FAMILY, use_default_graph_as_union=True)}
    page.find_element(By.ID, "reset").click()
    search = page.find_element(By.ID, "search")
    search.send_keys("gpt-4")
    script = """const cy = window.llmrl.cy;
        return {methods: cy.nodes("[kind = 'method']").filter(n => n.visible()).map(n => n.data('label')).sort(),
                model: cy.getElementById('model:gpt-4').visible() && cy.getElementById('model:gpt-4').hasClass('match')};"""
    named = page.execute_script("return window.llmrl.cy.nodes(\"[kind = 'method']\").filter(n => [n.data('label'),"
                                " n.data('alt_labels'), n.data('citation')].join(' ').toLowerCase().includes('gpt-4'))"
                                ".map(n => n.data('label'))")
    result = _wait(page, script, {"methods": sorted(users | set(named)), "model": True})
    assert result == {"methods": sorted(users | set(named)), "model": True}
    search.clear()
    search.send_keys("alfworld")
    benchmark = _wait(page, "return window.llmrl.cy.getElementById('benchmark:alfworld').visible()", True)
    assert benchmark is True
    page.find_element(By.ID, "reset").click()


def test_reset_clears_the_details_panel(page):
    from selenium.webdriver.common.by import By

    prompt = page.find_element(By.ID, "details").text
    page.execute_script("window.llmrl.select('method:agile')")
    assert "AGILE" in page.find_element(By.ID, "details").text
    page.find_element(By.ID, "reset").click()
    assert page.find_element(By.ID, "details").text == prompt
    assert page.execute_script("return window.llmrl.cy.nodes(':selected').length") == 0


def test_also_show_spreads_the_added_nodes(page):
    # Regression (issue 12): nodes of an "Also show" kind were all drawn at one point.
    from selenium.webdriver.common.by import By

    page.find_element(By.ID, "reset").click()
    boxes = page.execute_script("return Array.from(document.querySelectorAll('#kinds input'))"
                                ".filter(b => !b.checked).map(b => b.value)")
    assert boxes, "every optional kind is already shown"
    kind = boxes[0]
    page.find_element(By.ID, f"kind-{kind}").click()
    positions = _wait(page, f"""return window.llmrl.cy.nodes("[kind = '{kind}']").filter(n => n.visible())
        .map(n => Math.round(n.position('x')) + ',' + Math.round(n.position('y')));""", None, seconds=0.5)
    assert len(positions) > 3
    assert len(set(positions)) == len(positions)
    page.find_element(By.ID, f"kind-{kind}").click()


def test_layout_is_the_same_on_every_load(page):
    from selenium.webdriver.support.ui import WebDriverWait

    script = "return window.llmrl.cy.nodes().map(n => [n.id(), Math.round(n.position('x')), Math.round(n.position('y'))])"
    page.refresh()
    WebDriverWait(page, 30).until(lambda d: d.execute_script("return !!(window.llmrl && window.llmrl.ready)"))
    first = page.execute_script(script)
    page.refresh()
    WebDriverWait(page, 30).until(lambda d: d.execute_script("return !!(window.llmrl && window.llmrl.ready)"))
    assert page.execute_script(script) == first
