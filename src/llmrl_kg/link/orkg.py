"""ORKG: papers, looked up by DOI (`orkgp:P26`, a string as the contributor entered it)."""

from __future__ import annotations

import re

import pyoxigraph as ox

from llmrl_kg.link import identifiers as ids
from llmrl_kg.link.aligner import Aligner, Form
from llmrl_kg.link.papers import Lookup

ENDPOINT = "https://orkg.org/triplestore"


class OrkgAligner(Aligner):
    """Papers ↔ ORKG paper resources (`http://orkg.org/orkg/resource/R…`).

    ORKG keeps the DOI as entered, so it is sent bare and as a `https://doi.org/`
    URL, each as written, in lower case and in upper case. ORKG has no arXiv
    property: preprints are found through their DataCite DOI. ORKG runs
    Virtuoso, whose partial results (HTTP 206) the client refuses.
    """

    name = "orkg"
    title = "ORKG"
    endpoint = ENDPOINT
    entity_pattern = re.compile(r"^http://orkg\.org/orkg/resource/R[1-9][0-9]*$")
    entity_kind = "ORKG resource"
    prefixes = ("PREFIX orkgp: <http://orkg.org/orkg/predicate/>\n"
                "PREFIX orkgc: <http://orkg.org/orkg/class/>\n"
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
    branches = {"doi": "?entity orkgp:P26 ?value ; a orkgc:Paper ."}
    title_pattern = "?entity rdfs:label ?title ."

    def forms(self, lookup: Lookup) -> list[Form]:
        """The DOI bare and as a resolver URL, each in three cases; no arXiv form."""
        if lookup.scheme == ids.ARXIV:
            return []
        variants = ids.doi_case_variants(lookup.value)
        return [Form(ox.Literal(text), "doi")
                for text in dict.fromkeys(variants + [ids.DOI_RESOLVER + v for v in variants])]
