"""llmrl-kg: the knowledge graph of LLM- and VLM-integrated reinforcement learning research."""

from __future__ import annotations

__all__ = ["__version__"]
__version__ = "0.1.0"
