"""Validating and normalising the identifiers papers are looked up by: arXiv IDs and DOIs.

Each external knowledge graph stores them differently (Wikidata: DOI upper case;
dblp: DOI as an IRI; SemOpenAlex: DOI as a `https://doi.org/` URL string), so
every aligner turns our identifier into the forms its graph holds, and every
value an endpoint returns is turned back into one comparison key.
"""

from __future__ import annotations

import re

from llmrl_kg.errors import UsageError

ARXIV = "arxiv"
DOI = "doi"

# New-style arXiv identifiers (since 2007), without version: the form docs/data-model.md allows.
_ARXIV_ID = re.compile(r"^[0-9]{4}\.[0-9]{4,5}$")
_ARXIV_PREFIXES = re.compile(r"^(arxiv:|https?://arxiv\.org/(abs|pdf)/)", re.IGNORECASE)
_ARXIV_VERSION = re.compile(r"v[0-9]+$")
# The DOI syntax of docs/data-model.md, plus a ban on characters that cannot appear in an IRI.
_DOI = re.compile(r'^10\.[0-9]{4,9}/[^\s<>"{}|\\^`]+$')
_DOI_PREFIXES = re.compile(r"^(doi:|https?://(dx\.)?doi\.org/)", re.IGNORECASE)
DOI_RESOLVER = "https://doi.org/"
ARXIV_DATACITE_PREFIX = "10.48550/arXiv."


class IdentifierError(UsageError, ValueError):
    """An identifier that is not a valid arXiv ID or DOI."""


def arxiv_id(text: str) -> str:
    """The bare arXiv ID of `text` ("arXiv:2303.11366v2" → "2303.11366"); IdentifierError if invalid."""
    value = _ARXIV_VERSION.sub("", _ARXIV_PREFIXES.sub("", text.strip()))
    if not _ARXIV_ID.match(value):
        raise IdentifierError(f"{text!r} is not a new-style arXiv ID such as 2303.11366")
    return value


def doi(text: str) -> str:
    """The bare DOI of `text` (resolver and `doi:` prefixes removed, case kept); IdentifierError if invalid."""
    value = _DOI_PREFIXES.sub("", text.strip())
    if not _DOI.match(value):
        raise IdentifierError(f"{text!r} is not a DOI such as 10.1145/3610977.3634970")
    return value


def doi_key(value: str) -> str:
    """The comparison key of a DOI: DOIs are case-insensitive, so the lower-case bare DOI."""
    return doi(value).lower()


def arxiv_datacite_doi(arxiv: str) -> str:
    """The DOI arXiv registers with DataCite for a paper: 10.48550/arXiv.<id>."""
    return ARXIV_DATACITE_PREFIX + arxiv_id(arxiv)


def doi_case_variants(value: str) -> list[str]:
    """The DOI as written, in lower case and in upper case (no repeats), for graphs that keep the case."""
    bare = doi(value)
    return list(dict.fromkeys([bare, bare.lower(), bare.upper()]))


def wikidata_doi(value: str) -> str:
    """The DOI as Wikidata's P356 stores it: upper case."""
    return doi(value).upper()


def doi_url(value: str) -> str:
    """The DOI as a resolver URL, `https://doi.org/<doi>` (case kept)."""
    return DOI_RESOLVER + doi(value)


def dblp_corr_key(arxiv: str) -> str:
    """The dblp record key of an arXiv preprint (CoRR): 2303.11366 → journals/corr/abs-2303-11366."""
    return "journals/corr/abs-" + arxiv_id(arxiv).replace(".", "-")


def key_of(text: str) -> tuple[str, str] | None:
    """The (scheme, key) an external value stands for: a DOI (in any form) or an arXiv ID; None if neither."""
    try:
        return DOI, doi_key(text)
    except IdentifierError:
        pass
    try:
        return ARXIV, arxiv_id(text)
    except IdentifierError:
        return None


def display(scheme: str, value: str) -> str:
    """The identifier written with its scheme, as link records and reports show it: `arXiv:…`, `doi:…`."""
    return f"arXiv:{value}" if scheme == ARXIV else f"doi:{value}"
