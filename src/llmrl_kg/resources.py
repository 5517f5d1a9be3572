"""Where the knowledge graph's files live: a source checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def kg_root() -> Path:
    """Return the folder that holds `ontology/`, `data/` and `queries/`.

    In a source checkout (editable install) that is the repository root; in a
    wheel the three folders are shipped inside the package as `llmrl_kg/kg/`.
    """
    shipped = _PACKAGE_DIR / "kg"
    if (shipped / "ontology").is_dir():
        return shipped
    checkout = _PACKAGE_DIR.parent.parent
    if (checkout / "ontology").is_dir():
        return checkout
    raise FileNotFoundError(
        "the knowledge graph's files (ontology/, data/, queries/) were not found "
        f"next to {_PACKAGE_DIR}; reinstall the package"
    )


def ontology_file() -> Path:
    """The OWL ontology (TBox and code lists)."""
    return kg_root() / "ontology" / "llmrl.ttl"


def shapes_file() -> Path:
    """The SHACL shapes."""
    return kg_root() / "ontology" / "shapes.ttl"


def data_dir() -> Path:
    """The curated instance data."""
    return kg_root() / "data"


def queries_dir() -> Path:
    """The saved SPARQL queries."""
    return kg_root() / "queries"
