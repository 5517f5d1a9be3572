"""llmrl-kg: the knowledge graph of LLM- and VLM-integrated reinforcement learning research."""

from __future__ import annotations

__all__ = ["KnowledgeGraph", "__version__"]
__version__ = "0.1.0"


def __getattr__(name: str):
    # Imported on first use, so that `import llmrl_kg` (and the CLI's start-up) stays cheap.
    if name == "KnowledgeGraph":
        from .api import KnowledgeGraph

        return KnowledgeGraph
    raise AttributeError(f"module 'llmrl_kg' has no attribute {name!r}")
