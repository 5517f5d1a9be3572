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
