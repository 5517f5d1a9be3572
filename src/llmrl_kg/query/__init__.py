"""The semantic query layer: saved queries, the KG's vocabulary, facets, questions and result tables."""
