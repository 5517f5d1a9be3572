"""The knowledge graph as a static website: a page per entity, the survey's tables, the network view and SPARQL
in the browser. `build_site(folder)` writes it; everything is generated from the graph."""

from llmrl_kg.site.build import BuildSummary, build_site

__all__ = ["BuildSummary", "build_site"]
