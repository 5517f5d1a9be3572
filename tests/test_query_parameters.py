"""Saved-query parameters as a reader writes them: unknown names get the closest ones, IRIs as CURIEs or short names."""

from __future__ import annotations

import pytest

from llmrl_kg.query.catalogue import QueryError
from llmrl_kg.rdf.namespaces import LLMRL


@pytest.fixture(scope="module")
def kg():
    from llmrl_kg import KnowledgeGraph

    return KnowledgeGraph.load()


def labels(kg, class_name: str) -> list[str]:
    query = f"SELECT DISTINCT ?l WHERE {{ ?x a <{LLMRL}{class_name}> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    return sorted(row["l"].value for row in kg.backend.select(query).rows)


@pytest.mark.parametrize("query, parameter, typo, meant, kind", [
    ("method-details", "method", "Eurka", "Eureka", "method"),
    ("methods-by-model", "model", "GPT-4q", "GPT-4", "model"),
    ("methods-by-benchmark", "benchmark", "ALFWrld", "ALFWorld", "benchmark"),
])
def test_a_misspelt_name_is_an_error_naming_the_closest(kg, query, parameter, typo, meant, kind):
    class_name = {"method": "Method", "model": "FoundationModel", "benchmark": "Benchmark"}[kind]
    assert meant in labels(kg, class_name) and typo not in labels(kg, class_name)
    with pytest.raises(QueryError) as raised:
        kg.query(query, **{parameter: typo})
    message = str(raised.value)
    assert message.startswith(f"parameter {parameter}: no {kind} named {typo!r} in the KG; closest: ")
    assert meant in message.split("closest: ")[1].split(", ")


def test_a_known_name_with_no_rows_is_an_empty_answer_not_an_error(kg):
    # Planners that use GPT-4V: none in the survey, and GPT-4V is a model the KG knows.
    assert "GPT-4V" in labels(kg, "FoundationModel")
    table = kg.query("role-fine-tuning-model", role="planner", model="GPT-4V")
    planners_with_gpt4v = kg.sparql(
        "SELECT ?m WHERE { ?m a llmrl:PlannerMethod ; llmrl:hasEntry/llmrl:usesModel model:gpt-4v }")
    assert len(table.rows) == len(planners_with_gpt4v.rows) == 0


@pytest.mark.parametrize("written", ["vlm", "VLM", "llmrl:VisionLanguageModel", f"{LLMRL}VisionLanguageModel"])
def test_iri_parameters_take_curies_and_short_names(kg, written):
    expected = kg.query("methods-by-modality", model_type=f"{LLMRL}VisionLanguageModel")
    assert expected.rows
    assert kg.query("methods-by-modality", model_type=written).rows == expected.rows


def test_an_iri_parameter_that_is_none_of_the_forms_is_refused(kg):
    with pytest.raises(QueryError, match="is not an absolute IRI, a CURIE"):
        kg.query("methods-by-modality", model_type="bogus")
