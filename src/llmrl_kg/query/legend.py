"""`llmrl-kg codes [SCHEME]`: the survey's legend, every code with its label and definition.

The code lists are the KG's SKOS concept schemes; a scheme is named by its
label ("RL roles"), its local name (RLRoleScheme) or the short name the CLI
uses for its class (rl-role). A code the paper leaves undefined (π_g, v_g)
says so in its definition, and its editorial note is shown.
"""

from __future__ import annotations

import difflib
import unicodedata
from typing import Any

from llmrl_kg.errors import UsageError
from llmrl_kg.query.output import ResultTable
from llmrl_kg.query.vocabulary import CODE_CLASSES
from llmrl_kg.rdf import namespaces as ns
from llmrl_kg.store.backends import Backend, plain_value

LEGEND_COLUMNS = ["scheme", "code", "label", "definition", "note"]
_QUERY = f"""PREFIX skos: <{ns.SKOS}>
PREFIX rdfs: <{ns.RDFS}>
PREFIX rdf: <{ns.RDF}>
SELECT ?scheme ?scheme_label ?class ?code ?notation ?label ?definition ?note WHERE {{
  ?scheme a skos:ConceptScheme ; skos:prefLabel ?scheme_label .
  ?code skos:inScheme ?scheme ; skos:notation ?notation .
  OPTIONAL {{ ?code skos:prefLabel ?label }}
  OPTIONAL {{ ?code skos:definition ?definition }}
  OPTIONAL {{ ?code skos:editorialNote ?note }}
  OPTIONAL {{ ?code rdf:type ?class . VALUES ?class {{ {' '.join(f'<{c}>' for c in CODE_CLASSES.values())} }} }}
}}"""


class UnknownScheme(UsageError, ValueError):
    """The SCHEME argument names no code list (the message lists them)."""


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().replace("_", "-").replace(" ", "-").strip()


def legend(backend: Backend, scheme: str | None = None) -> tuple[ResultTable, str]:
    """Every code (of one scheme, when given), in the schemes' and codes' KG order; and the query."""
    rows: list[dict[str, Any]] = [{k: plain_value(v) for k, v in raw.items()} for raw in backend.select(_QUERY).rows]
    short = {iri: name for name, iri in CODE_CLASSES.items()}
    names: dict[str, set[str]] = {}
    for row in rows:
        scheme_iri = str(row["scheme"])
        names.setdefault(scheme_iri, set()).update(
            {_key(str(row["scheme_label"])), _key(scheme_iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1])}
            | ({_key(short[row["class"]])} if row.get("class") in short else set()))
    chosen = set(names)
    if scheme is not None:
        chosen = {iri for iri, keys in names.items() if _key(scheme) in keys or _key(scheme) + "s" in keys}
        if not chosen:
            every = sorted({n for keys in names.values() for n in keys})
            close = difflib.get_close_matches(_key(scheme), every, n=3, cutoff=0.5)
            raise UnknownScheme(f"{scheme!r} is not a code list; code lists: "
                                + ", ".join(sorted(short.values()))
                                + (f" (closest: {', '.join(close)})" if close else ""))
    merged: dict[tuple[str, str], dict] = {}
    for row in rows:
        if row["scheme"] not in chosen:
            continue
        found = merged.setdefault((row["scheme"], row["code"]), {
            "scheme": row["scheme_label"], "code": row["notation"], "label": row["label"],
            "definition": row["definition"], "note": row["note"], "_order": _order(str(row["code"]))})
        if row["note"] and found["note"] and row["note"] not in found["note"]:
            found["note"] = f"{found['note']} {row['note']}"
    ordered = sorted(merged.values(), key=lambda r: (r["scheme"].casefold(), r["_order"]))
    table = [{c: r[c] for c in LEGEND_COLUMNS} for r in ordered]
    return ResultTable(LEGEND_COLUMNS, table), _QUERY


def _order(iri: str) -> str:
    # The codes in the order of their IRIs' local names keeps narrower codes next to their broader one
    # (pi, pi_g, pi_l); a stable order, independent of the store.
    return iri.rsplit("/", 1)[-1]
