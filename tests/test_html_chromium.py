"""The HTML export in real headless Chromium: renders every method, filters work, no console errors.

Needs Debian's `chromium` and `chromium-driver` (the test is skipped when /usr/bin/chromium is
absent). The page is opened from file://, offline; a screenshot is kept in test-artifacts/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from llmrl_kg.export import export

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium chromium-driver)"),
]

SURVEYED = """
PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
SELECT (COUNT(DISTINCT ?m) AS ?n) (COUNT(DISTINCT ?any) AS ?all) WHERE {
  { ?e a llmrl:MethodEntry ; llmrl:entryOf ?m } UNION
  { ?any a ?c . ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* llmrl:Method }
}"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not Path(driver_path).exists():
        pytest.fail("chromium is installed but chromedriver is not: apt-get install chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run", "--window-size=1400,900",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager (which may download drivers) is never used.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    yield driver
    driver.quit()


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
    assert surveyed == 34
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


def test_search_and_filters(page):
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
    assert_shown(["Kwon et al.", "PREDILECT", "ELLM", "RL-VLM-F", "VLM-RM", "MineCLIP"])
    Select(page.find_element(By.ID, "ft-filter")).select_by_value("ft:peft")
    assert_shown(["MineCLIP"])
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
