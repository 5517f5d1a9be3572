"""The knowledge graph's files: finding, loading and caching them, and checking them (validate, fmt, new)."""
