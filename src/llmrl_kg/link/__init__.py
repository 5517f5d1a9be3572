"""Linking the knowledge graph's papers to external scholarly knowledge graphs.

`llmrl-kg link TARGET` looks every paper up by identifier (arXiv ID, DOI) in
Wikidata, dblp, SemOpenAlex or ORKG and writes `owl:sameAs` links with their
provenance to `data/links/TARGET.ttl`. See docs/linking.md.
"""

from __future__ import annotations

import importlib

# target name → (module, aligner class)
TARGETS: dict[str, tuple[str, str]] = {
    "wikidata": ("llmrl_kg.link.wikidata", "WikidataAligner"),
    "dblp": ("llmrl_kg.link.dblp", "DblpAligner"),
    "semopenalex": ("llmrl_kg.link.semopenalex", "SemOpenAlexAligner"),
    "orkg": ("llmrl_kg.link.orkg", "OrkgAligner"),
}


def make_aligner(name: str):
    """A new aligner for the target `name` (one of TARGETS)."""
    module, attribute = TARGETS[name]
    return getattr(importlib.import_module(module), attribute)()
