"""`llmrl-kg show NAME`: every fact the KG holds about one thing, in one SPARQL query.

A card is a list of facts (field, document, value). Facts of a method's table
rows carry the document that states them (readme, paper), so the two can be
read side by side; other facts have no document. Links (the thing's IRI, code,
arXiv, DOI, external same-as links, web pages) are facts too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llmrl_kg.query.output import ResultTable
from llmrl_kg.rdf import namespaces as ns
from llmrl_kg.store.backends import Backend, plain_value

PREFIXES = "\n".join(f"PREFIX {p}: <{ns.PREFIXES[p]}>" for p in (
    "llmrl", "rdf", "rdfs", "skos", "owl", "dcterms", "foaf", "fabio", "bibo", "schema")) + "\n"
DOCUMENTS = {ns.DOC + "readme": "readme", ns.DOC + "paper-v1": "paper"}
CARD_COLUMNS = ["field", "value", "readme", "paper"]

_LEAF = ("?s a ?c . ?c rdfs:subClassOf llmrl:Method ; rdfs:label ?value . "
         "FILTER NOT EXISTS { ?s a ?below . ?below rdfs:subClassOf ?c . FILTER(?below != ?c) }")
_MODEL_TYPE = ("?s a ?c . ?c rdfs:subClassOf llmrl:FoundationModel ; rdfs:label ?value . "
               "FILTER(?c != llmrl:FoundationModel) "
               "FILTER NOT EXISTS { ?s a ?below . ?below rdfs:subClassOf ?c . FILTER(?below != ?c) }")
_ENTRY = "?e llmrl:entryOf ?s ; a llmrl:MethodEntry ; llmrl:statedIn ?doc . "
# A row of table:beyond-the-survey: its cells are stated by this KG's curation, not by the survey.
_CURATED = (f"?c llmrl:entryOf ?s ; llmrl:statedIn <{ns.DOC}llmrl-kg-curation> . "
            'BIND("llmrl-kg curation (beyond the survey; not stated by the survey\'s README or paper)" AS ?value)')
_CODE = "skos:notation ?value . OPTIONAL { ?o skos:prefLabel ?vlabel }"

# field -> graph pattern binding ?value (and maybe ?vlabel, ?doc) for subject ?s, per kind of thing.
FIELDS: dict[str, list[tuple[str, str]]] = {
    "method": [
        ("name", "?s rdfs:label ?value"),
        ("aliases", "?s skos:altLabel ?value"),
        ("category", _LEAF),
        ("title", "?s llmrl:introducedIn/dcterms:title ?value"),
        ("year", "?s llmrl:introducedIn/fabio:hasPublicationYear ?value"),
        ("venue", "?s llmrl:introducedIn/llmrl:venue ?value"),
        ("authors", "?s llmrl:introducedIn/llmrl:authorList ?value"),
        ("creators", "?s llmrl:introducedIn/dcterms:creator/foaf:name ?value"),
        ("arXiv", "?s llmrl:introducedIn/llmrl:arxivId ?value"),
        ("DOI", "?s llmrl:introducedIn/bibo:doi ?value"),
        ("benchmarks", "?s llmrl:evaluatedOn/rdfs:label ?value"),
        ("section", "?s llmrl:discussedInSection ?value"),
        ("models", _ENTRY + "?e llmrl:usesModel/rdfs:label ?value"),
        ("fine-tuning", _ENTRY + "?e llmrl:fineTuning ?o . ?o " + _CODE),
        ("RL roles", _ENTRY + "?e llmrl:rlRole ?o . ?o " + _CODE),
        ("FM roles", _ENTRY + "?e llmrl:fmRole ?o . ?o " + _CODE),
        ("metrics", _ENTRY + "?e llmrl:improvesMetric ?o . ?o " + _CODE),
        ("RL agent", _ENTRY + "?e llmrl:rlAgent ?o . ?o " + _CODE),
        ("RL task", _ENTRY + "?e llmrl:rlTask ?o . ?o " + _CODE),
        ("RL setting", _ENTRY + "?e llmrl:rlSetting ?o . ?o " + _CODE),
        ("code", _ENTRY + "?e llmrl:codeRepository ?value"),
        ("citation", _ENTRY + "?e llmrl:citation ?value"),
        ("stated by", _CURATED),
        ("note", "?s skos:editorialNote ?value"),
        ("same as", "?s llmrl:introducedIn/owl:sameAs ?value"),
    ],
    "model": [
        ("name", "?s rdfs:label ?value"),
        ("aliases", "?s skos:altLabel ?value"),
        ("type", _MODEL_TYPE),
        ("developer", "?s llmrl:developedBy/rdfs:label ?value"),
        ("open weights", "?s llmrl:openWeights ?value"),
        ("based on", "?s llmrl:basedOn/rdfs:label ?value"),
        ("fine-tuned from", "?s llmrl:fineTunedFrom/rdfs:label ?value"),
        ("derived models", "?d llmrl:basedOn|llmrl:fineTunedFrom ?s . ?d rdfs:label ?value"),
        ("used by", "?e llmrl:usesModel ?s ; llmrl:entryOf/rdfs:label ?value"),
        ("note", "?s skos:editorialNote ?value"),
    ],
    "benchmark": [
        ("name", "?s rdfs:label ?value"),
        ("aliases", "?s skos:altLabel ?value"),
        ("domain", "?s llmrl:domain ?value"),
        ("year", "?s llmrl:year ?value"),
        ("web page", "?s schema:url ?value"),
        ("paper", "?s llmrl:introducedIn/dcterms:title ?value"),
        ("arXiv", "?s llmrl:introducedIn/llmrl:arxivId ?value"),
        ("used by", "?m llmrl:evaluatedOn ?s ; rdfs:label ?value"),
        ("note", "?s skos:editorialNote ?value"),
    ],
    "paper": [
        ("title", "?s dcterms:title ?value"),
        ("year", "?s fabio:hasPublicationYear ?value"),
        ("venue", "?s llmrl:venue ?value"),
        ("authors", "?s llmrl:authorList ?value"),
        ("creators", "?s dcterms:creator/foaf:name ?value"),
        ("arXiv", "?s llmrl:arxivId ?value"),
        ("DOI", "?s bibo:doi ?value"),
        ("pages", "?s llmrl:pages ?value"),
        ("introduces", "?x llmrl:introducedIn ?s ; rdfs:label ?value"),
        ("same as", "?s owl:sameAs ?value"),
    ],
    "person": [
        ("name", "?s foaf:name ?value"),
        ("papers", "?p dcterms:creator ?s ; dcterms:title ?value"),
        ("methods", "?m a llmrl:Method ; llmrl:introducedIn/dcterms:creator ?s ; rdfs:label ?value"),
    ],
    "organisation": [
        ("name", "?s rdfs:label ?value"),
        ("models", "?m llmrl:developedBy ?s ; rdfs:label ?value"),
        ("used by", "?e llmrl:usesModel/llmrl:developedBy ?s ; llmrl:entryOf/rdfs:label ?value"),
    ],
    "code": [
        ("code", "?s skos:notation ?value"),
        ("label", "?s skos:prefLabel ?value"),
        ("aliases", "?s skos:altLabel ?value"),
        ("code list", "?s skos:inScheme/skos:prefLabel ?value"),
        ("definition", "?s skos:definition ?value"),
        ("broader", "?s skos:broader/skos:notation ?value"),
        ("narrower", "?n skos:broader ?s ; skos:notation ?value"),
        ("note", "?s skos:editorialNote ?value"),
        ("used by", "?e llmrl:rlRole|llmrl:fmRole|llmrl:improvesMetric|llmrl:fineTuning|llmrl:rlAgent|"
                    "llmrl:rlTask|llmrl:rlSetting ?s ; llmrl:entryOf/rdfs:label ?value"),
    ],
    "class": [
        ("name", "?s rdfs:label ?value"),
        ("aliases", "?s skos:altLabel ?value"),
        ("definition", "?s skos:definition ?value"),
        ("superclass", "?s rdfs:subClassOf ?c . FILTER(?c != ?s) ?c rdfs:label ?value"),
        ("subclasses", "?c rdfs:subClassOf ?s . FILTER(?c != ?s && isIRI(?c)) ?c rdfs:label ?value"),
        ("members", "?m a ?s ; rdfs:label ?value . FILTER(STRSTARTS(STR(?m), \"https://w3id.org/llmrl-kg/\"))"),
    ],
    "topic": [
        ("name", "?s skos:prefLabel ?value"),
        ("aliases", "?s skos:altLabel ?value"),
        ("kind", "?s a ?c . VALUES ?c { llmrl:Challenge llmrl:ResearchDirection } ?c rdfs:label ?value"),
        ("definition", "?s skos:definition ?value"),
        ("section", "?s llmrl:discussedInSection ?value"),
    ],
}
_PAPER = "llmrl:introducedIn/"
# (card, field) -> (path from ?s to the record that states the value, the property stating it): a value
# is shown "(unconfirmed)" when that record marks the property `llmrl:unconfirmed` (data-model.md).
STATED_BY: dict[tuple[str, str], tuple[str, str]] = {
    **{(card, "name"): ("", "rdfs:label") for card in ("method", "model", "benchmark", "organisation")},
    **{(card, "aliases"): ("", "skos:altLabel") for card in ("method", "model", "benchmark")},
    **{(card, field): (via, prop) for card, via in (("method", _PAPER), ("paper", ""))
       for field, prop in (("title", "dcterms:title"), ("year", "fabio:hasPublicationYear"),
                           ("venue", "llmrl:venue"), ("authors", "llmrl:authorList"), ("creators", "dcterms:creator"),
                           ("arXiv", "llmrl:arxivId"), ("DOI", "bibo:doi"))},
    ("paper", "pages"): ("", "llmrl:pages"),
    ("method", "benchmarks"): ("", "llmrl:evaluatedOn"),
    ("method", "section"): ("", "llmrl:discussedInSection"),
    ("model", "developer"): ("", "llmrl:developedBy"),
    ("model", "open weights"): ("", "llmrl:openWeights"),
    ("model", "based on"): ("", "llmrl:basedOn"),
    ("model", "fine-tuned from"): ("", "llmrl:fineTunedFrom"),
    ("benchmark", "domain"): ("", "llmrl:domain"),
    ("benchmark", "year"): ("", "llmrl:year"),
    ("benchmark", "web page"): ("", "schema:url"),
    ("benchmark", "paper"): ("", "llmrl:introducedIn"),
    ("benchmark", "arXiv"): (_PAPER, "llmrl:arxivId"),
}
UNCONFIRMED = " (unconfirmed)"
# Which card a kind of lexicon sense gets.
CARD_OF = {"method": "method", "model": "model", "benchmark": "benchmark", "paper": "paper",
           "person": "person", "organisation": "organisation", "topic": "topic", "class": "class",
           "role": "class", "modality": "class", "code-model": "class", "any": "class", "code": "class",
           "rl-role": "code", "fm-role": "code", "fine-tuning": "code", "metric": "code", "rl-agent": "code",
           "rl-task": "code", "rl-setting": "code", "open-weights": "class"}


@dataclass(frozen=True)
class Fact:
    """One fact of a card: field, the document that states it (or None) and the value as shown."""

    field: str
    doc: str | None
    value: str


def card_query(iri: str, card: str, fields: list[str] | None = None) -> str:
    """One SELECT query for the facts of `iri` (a validated IRI of the KG) under `fields` (default all)."""
    if any(c in iri for c in '<>"{}|^`\\ \n'):
        raise ValueError(f"not an IRI: {iri!r}")
    # The subject is bound inside every block: bound only outside the UNION, the engine would match
    # each block for every subject first (four times slower on the shipped KG).
    blocks = [f'  {{ VALUES ?s {{ <{iri}> }} BIND("{name}" AS ?field) {pattern}{_mark(card, name)} }}'
              for name, pattern in FIELDS[card] if fields is None or name in fields]
    return (PREFIXES + "SELECT DISTINCT ?field ?doc ?value ?vlabel ?unconfirmed WHERE {\n"
            + "\n  UNION\n".join(blocks) + "\n}\n")


def _mark(card: str, field: str) -> str:
    """The pattern binding ?unconfirmed when the record stating the field marks its property unconfirmed."""
    if (card, field) not in STATED_BY:
        return ""
    via, prop = STATED_BY[card, field]
    return f" OPTIONAL {{ ?s {via}llmrl:unconfirmed {prop} . BIND(true AS ?unconfirmed) }}"


def card_facts(backend: Backend, iri: str, card: str, fields: list[str] | None = None) -> tuple[list[Fact], str]:
    """The facts of one thing, in the order of FIELDS, and the query that found them."""
    query = card_query(iri, card, fields)
    order = {name: i for i, (name, _) in enumerate(FIELDS[card])}
    facts = set()
    for raw in backend.select(query).rows:
        row: dict[str, Any] = {k: plain_value(v) for k, v in raw.items()}
        value = _shown(row["value"])
        if row.get("vlabel"):
            value = f"{value} ({row['vlabel']})"
        if row.get("unconfirmed"):
            value += UNCONFIRMED
        doc = DOCUMENTS.get(str(row["doc"])) if row.get("doc") else None
        facts.add(Fact(str(row["field"]), doc, value))
    ordered = sorted(facts, key=lambda f: (order.get(f.field, 99), f.doc or "", f.value.casefold(), f.value))
    if card in ("method", "paper", "model", "benchmark"):
        ordered += _links(iri, ordered)
    return ordered, query


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _links(iri: str, facts: list[Fact]) -> list[Fact]:
    links = [Fact("link", None, iri)]
    for fact in facts:
        if fact.field == "arXiv":
            links.append(Fact("link", None, f"https://arxiv.org/abs/{fact.value}"))
        elif fact.field == "DOI":
            links.append(Fact("link", None, f"https://doi.org/{fact.value}"))
    return links


def card_table(facts: list[Fact]) -> ResultTable:
    """A card as rows: field, value (facts of the thing), readme and paper (facts of its table rows).

    Several values of one field are joined with " | " (values may themselves contain ";" or ",").
    """
    rows: dict[str, dict] = {}
    for fact in facts:
        row = rows.setdefault(fact.field, {"field": fact.field, "value": None, "readme": None, "paper": None})
        column = fact.doc or "value"
        row[column] = fact.value if row[column] is None else f"{row[column]} | {fact.value}"
    return ResultTable(CARD_COLUMNS, list(rows.values()))


def values_of(facts: list[Fact], field: str, doc: str | None = None) -> list[str]:
    """The values of one field (of one document, when given)."""
    return [f.value for f in facts if f.field == field and (doc is None or f.doc == doc)]


def find_thing(name: str, lexicon):
    """The one sense `name` names (its whole text); QuestionError with the closest names otherwise."""
    from llmrl_kg.query.questions import QuestionError, parse

    items = parse(name, lexicon)
    senses = items[0].senses if len(items) == 1 and items[0].kind == "sense" and items[0].exact else []
    named = [s for s in senses if s.label.casefold() == name.strip().casefold()] or senses
    if not named:
        from rapidfuzz import fuzz, process

        close = process.extract(name.casefold(), list(lexicon.names), scorer=fuzz.WRatio, limit=3, score_cutoff=70)
        hint = f"; closest: {', '.join(lexicon.names[c].label for c, _, _ in close)}" if close else ""
        raise QuestionError(f"{name!r} names nothing in the KG{hint}")
    return named[0], named[1:]


def show_card(name: str, lexicon, backend: Backend):
    """The card of the thing called `name` (a QuestionAnswer: table, read-as line, notes, query)."""
    from llmrl_kg.query.questions.context import QuestionAnswer

    sense, others = find_thing(name, lexicon)
    facts, query = card_facts(backend, sense.iri, CARD_OF[sense.kind])
    notes = [f"{name!r} also names {o.kind} {o.show()}: `llmrl-kg show` it by its full name" for o in others]
    return QuestionAnswer(card_table(facts), f"card · {sense.kind} {sense.show()}",
                          [f"{name!r} -> {sense.kind} {sense.show()}"], [], notes, query, "card")
