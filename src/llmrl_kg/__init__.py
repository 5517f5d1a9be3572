"""llmrl-kg: the knowledge graph of LLM- and VLM-integrated reinforcement learning research.

    >>> from llmrl_kg import KnowledgeGraph, open_store, rdflib_graph, validate_kg
    >>> validate_kg().valid
    True
"""

from __future__ import annotations

__all__ = ["KnowledgeGraph", "open_store", "rdflib_graph", "validate_kg", "__version__"]
__version__ = "0.1.0"

# Public name -> module that defines it. Imported on first use, so that `import llmrl_kg`
# (and the CLI's start-up) stays cheap.
_LAZY = {
    "KnowledgeGraph": "api",
    "open_store": "kg.loader",
    "rdflib_graph": "kg.loader",
    "validate_kg": "kg.validate",
}
# The checker is exported as `validate_kg`, a name that says what it validates.
_RENAMED = {"validate_kg": "validate"}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), _RENAMED.get(name, name))
    raise AttributeError(f"module 'llmrl_kg' has no attribute {name!r}")
