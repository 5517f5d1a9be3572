"""Wikidata: scholarly articles, looked up by arXiv ID (P818) and DOI (P356, stored in upper case).

Since the graph split of 2025-05-09, scholarly articles are only in the
scholarly graph; the main query service would silently answer nothing.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from llmrl_kg.link import identifiers as ids
from llmrl_kg.link.aligner import Aligner, Form
from llmrl_kg.link.papers import Lookup

SCHOLARLY_ENDPOINT = "https://query-scholarly.wikidata.org/sparql"


class WikidataAligner(Aligner):
    """Papers ↔ Wikidata items (`http://www.wikidata.org/entity/Q…`)."""

    name = "wikidata"
    title = "Wikidata"
    endpoint = SCHOLARLY_ENDPOINT
    entity_pattern = re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$")
    entity_kind = "Wikidata item"
    prefixes = "PREFIX wdt: <http://www.wikidata.org/prop/direct/>\n"
    branches = {
        "arxiv": "?entity wdt:P818 ?value .",
        "doi": "?entity wdt:P356 ?value .",
    }
    title_pattern = "?entity wdt:P1476 ?title ."

    def forms(self, lookup: Lookup) -> list[Form]:
        """P818 holds the bare arXiv ID; P356 the DOI in upper case ("Uppercase DOIs are default in Wikidata"),
        though older items may keep another case, so the DOI as written and in lower case are asked too."""
        if lookup.scheme == ids.ARXIV:
            return [Form(ox.Literal(lookup.value), "arxiv")]
        upper = ids.wikidata_doi(lookup.value)
        return [Form(ox.Literal(text), "doi") for text in dict.fromkeys([upper, *ids.doi_case_variants(lookup.value)])]
