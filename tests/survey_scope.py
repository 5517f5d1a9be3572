"""The survey's methods: those with a table row that the survey's README or paper (arXiv v1) states.

Tests of the survey's facts are scoped to these, so that methods added beyond the survey (rows stated
by doc:llmrl-kg-curation) or by a contributor leave their exact numbers unchanged."""

SURVEY_METHODS = """
PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?method ?label WHERE {
  VALUES ?doc { <https://w3id.org/llmrl-kg/document/readme> <https://w3id.org/llmrl-kg/document/paper-v1> }
  ?entry llmrl:entryOf ?method ; llmrl:statedIn ?doc .
  ?method rdfs:label ?label .
}"""


def survey_labels_of(kg) -> set[str]:
    """The labels of the survey's methods, read through `kg.sparql` (a llmrl_kg.KnowledgeGraph)."""
    return {row["label"] for row in kg.sparql(SURVEY_METHODS).rows}


def survey_iris_in(store) -> set[str]:
    """The IRIs of the survey's methods in a pyoxigraph store of the asserted KG."""
    return {row["method"].value for row in store.query(SURVEY_METHODS, use_default_graph_as_union=True)}


# --- the survey's methods as the fixture copy of its README and its paper list them --------------
# A contributor's method (`llmrl-kg new`) adds a README row to the KG but not to the fixture copy of
# the survey's README: tests that compare the KG with the survey keep to these names.

def fixture_names() -> set[str]:
    """The method names of the six tables of tests/fixtures/survey-readme.md."""
    from pathlib import Path

    from readme_tables import parse_detailed_tables, split_method_cell

    text = (Path(__file__).parent / "fixtures" / "survey-readme.md").read_text(encoding="utf-8")
    return {split_method_cell(row["Method"])[0] for rows in parse_detailed_tables(text).values() for row in rows}


def survey_rows(tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Parsed Markdown tables keeping only the rows of the fixture README's methods."""
    from readme_tables import split_method_cell

    names = fixture_names()
    return {heading: [r for r in rows if split_method_cell(r["Method"])[0] in names] for heading, rows in tables.items()}


PAPER_METHODS = """
PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?label WHERE {
  ?entry llmrl:entryOf ?method ; llmrl:statedIn <https://w3id.org/llmrl-kg/document/paper-v1> .
  ?method rdfs:label ?label .
}"""


class SurveyScoped:
    """A KnowledgeGraph whose `methods(...)` keeps the survey's methods only (the fixture README's and
    the paper's rows); everything else is the KnowledgeGraph's own (`.kg` is the whole KG)."""

    def __init__(self, kg) -> None:
        self.kg = kg
        self.names = fixture_names() | {row["label"] for row in kg.sparql(PAPER_METHODS).rows}

    def methods(self, *args, **kwargs):
        from llmrl_kg.query.output import ResultTable

        table = self.kg.methods(*args, **kwargs)
        return ResultTable(table.columns, [row for row in table.rows if row["method"] in self.names])

    def __getattr__(self, name: str):
        return getattr(self.kg, name)
