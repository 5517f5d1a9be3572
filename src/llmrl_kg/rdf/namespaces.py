"""IRIs of the project's namespaces and of the reused vocabularies.

Plain strings on purpose: importing this module must stay cheap, because the
command-line tool's start-up time matters.
"""

BASE = "https://w3id.org/llmrl-kg/"
LLMRL = BASE + "ontology#"

RLROLE = BASE + "vocab/rl-role/"
FMROLE = BASE + "vocab/fm-role/"
FT = BASE + "vocab/fine-tuning/"
METRIC = BASE + "vocab/metric/"
RLAGENT = BASE + "vocab/rl-agent/"
RLTASK = BASE + "vocab/rl-task/"
RLSETTING = BASE + "vocab/rl-setting/"

METHOD = BASE + "method/"
PAPER = BASE + "paper/"
MODEL = BASE + "model/"
BENCHMARK = BASE + "benchmark/"
ORG = BASE + "organization/"
PERSON = BASE + "person/"
ENTRY = BASE + "entry/"
TABLE = BASE + "table/"
DOC = BASE + "document/"
TOPIC = BASE + "topic/"
LINK = BASE + "link/"
LINKSET = BASE + "linkset/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
FABIO = "http://purl.org/spar/fabio/"
BIBO = "http://purl.org/ontology/bibo/"
MLS = "http://www.w3.org/ns/mls#"
VANN = "http://purl.org/vocab/vann/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SH = "http://www.w3.org/ns/shacl#"

# The prefixes every canonical file may use, in the order they are written.
PREFIXES: dict[str, str] = {
    "llmrl": LLMRL,
    "rlrole": RLROLE,
    "fmrole": FMROLE,
    "ft": FT,
    "metric": METRIC,
    "rlagent": RLAGENT,
    "rltask": RLTASK,
    "rlsetting": RLSETTING,
    "method": METHOD,
    "paper": PAPER,
    "model": MODEL,
    "benchmark": BENCHMARK,
    "org": ORG,
    "person": PERSON,
    "entry": ENTRY,
    "table": TABLE,
    "doc": DOC,
    "topic": TOPIC,
    "link": LINK,
    "linkset": LINKSET,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "prov": PROV,
    "schema": SCHEMA,
    "fabio": FABIO,
    "bibo": BIBO,
    "mls": MLS,
    "vann": VANN,
    "void": VOID,
    "dcat": DCAT,
    "sh": SH,
}


_BY_LENGTH: list[tuple[str, str]] = []


def _longest_first() -> list[tuple[str, str]]:
    return sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def curie(iri: str) -> str:
    """`prefix:local` for IRIs in the project's namespaces (the longest namespace wins), else the IRI itself."""
    if len(_BY_LENGTH) != len(PREFIXES):  # sorted once (again only if PREFIXES grew)
        _BY_LENGTH[:] = _longest_first()
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def local_name(iri: str) -> str:
    """The part of an IRI after its last `#` or `/`."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
