"""dblp: publication records, looked up by DOI (`dblp:doi`, an IRI) and by the CoRR record key of arXiv preprints."""

from __future__ import annotations

import re

import pyoxigraph as ox

from llmrl_kg.link import identifiers as ids
from llmrl_kg.link.aligner import Aligner, Form
from llmrl_kg.link.papers import Lookup

ENDPOINT = "https://sparql.dblp.org/sparql"
RECORD_PREFIX = "https://dblp.org/rec/"


class DblpAligner(Aligner):
    """Papers ↔ dblp records (`https://dblp.org/rec/…`).

    dblp keeps a DOI as the IRI `https://doi.org/<doi>`; IRIs compare case-sensitively
    and the case dblp uses is not documented, so the DOI is sent as written, in lower
    case and in upper case. An arXiv preprint is the CoRR record
    `journals/corr/abs-YYMM-NNNNN`, which also carries the arXiv DataCite DOI.
    """

    name = "dblp"
    title = "dblp"
    endpoint = ENDPOINT
    entity_pattern = re.compile(r"^https://dblp\.org/rec/[A-Za-z0-9][A-Za-z0-9/_.:+-]*$")
    entity_kind = "dblp record"
    prefixes = "PREFIX dblp: <https://dblp.org/rdf/schema#>\n"
    branches = {
        "corr": "?entity dblp:title ?recordTitle .",
        "doi": "?entity dblp:doi ?value .",
    }
    title_pattern = "?entity dblp:title ?title ."

    def forms(self, lookup: Lookup) -> list[Form]:
        """The CoRR record of an arXiv ID; the DOI IRI in three cases."""
        if lookup.scheme == ids.ARXIV:
            record = ox.NamedNode(RECORD_PREFIX + ids.dblp_corr_key(lookup.value))
            return [Form(ox.Literal(lookup.value), "corr", entity=record)]
        return [Form(ox.NamedNode(ids.DOI_RESOLVER + variant), "doi")
                for variant in ids.doi_case_variants(lookup.value)]
