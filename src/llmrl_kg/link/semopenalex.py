"""SemOpenAlex: works, looked up by DOI as a `https://doi.org/…` URL string (arXiv preprints by their DataCite DOI)."""

from __future__ import annotations

import re

import pyoxigraph as ox

from llmrl_kg.link import identifiers as ids
from llmrl_kg.link.aligner import Aligner, Form
from llmrl_kg.link.papers import Lookup

ENDPOINT = "https://semopenalex.org/sparql"
XSD_ANY_URI = ox.NamedNode("http://www.w3.org/2001/XMLSchema#anyURI")


class SemOpenAlexAligner(Aligner):
    """Papers ↔ SemOpenAlex works (`https://semopenalex.org/work/W…`).

    The works script stores OpenAlex's `doi` field (a `https://doi.org/` URL,
    lower-cased by OpenAlex) as a plain string under `datacite:doi`; the ontology
    documents `prism:doi` as `xsd:anyURI`. Both are asked, with the DOI as written
    and in lower case. SemOpenAlex has no arXiv field: arXiv preprints are found
    through their DataCite DOI.
    """

    name = "semopenalex"
    title = "SemOpenAlex"
    endpoint = ENDPOINT
    entity_pattern = re.compile(r"^https://semopenalex\.org/work/W[1-9][0-9]*$")
    entity_kind = "SemOpenAlex work"
    prefixes = ("PREFIX datacite: <http://purl.org/spar/datacite/>\n"
                "PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>\n"
                "PREFIX dcterms: <http://purl.org/dc/terms/>\n")
    branches = {
        "datacite": "?entity datacite:doi ?value .",
        "prism": "?entity prism:doi ?value .",
    }
    title_pattern = "?entity dcterms:title ?title ."

    def forms(self, lookup: Lookup) -> list[Form]:
        """The DOI URL as a plain string and as an xsd:anyURI, as written and lower-cased; no arXiv form."""
        if lookup.scheme == ids.ARXIV:
            return []
        urls = dict.fromkeys([ids.doi_url(lookup.value), ids.doi_url(lookup.value.lower())])
        return ([Form(ox.Literal(url), "datacite") for url in urls]
                + [Form(ox.Literal(url, datatype=XSD_ANY_URI), "prism") for url in urls])
