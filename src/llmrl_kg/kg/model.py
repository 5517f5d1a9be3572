"""The taxonomy and the code lists, read from the ontology: the one place that knows the classes.

The method classes (the survey's integration roles and their sub-roles), the
model classes and the code lists (SKOS schemes with their notations) are read
from `ontology/llmrl.ttl`, once per process and again when the file changes.
No other module lists them, so a new leaf class in the ontology reaches
`validate`, `new`, `methods`, `ask` and the exports without a code change.

Command-line names come from the classes' local names: `ParametricAgent` is
`parametric-agent`, `RewardFunctionMethod` is `reward-function` (a trailing
"Method" is dropped). A sub-role also answers to its name without its group's
word (`parametric`, `incremental`), the spelling older versions of `methods`
used; a model class is named by its acronym (`llm`, `vlm`).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import pyoxigraph as ox

from llmrl_kg import locations
from llmrl_kg.errors import DataError, UsageError
from llmrl_kg.rdf.namespaces import FT, LLMRL, OWL, RDF, RDFS, SKOS, local_name

METHOD = LLMRL + "Method"
FOUNDATION_MODEL = LLMRL + "FoundationModel"
# The kinds of record a single file defines; each with every subclass the ontology gives it.
RECORD_ROOTS = tuple(LLMRL + name for name in ("Method", "Paper", "FoundationModel", "Benchmark",
                                               "TableEntry", "SurveyTable"))
# Command-line words for codes whose local name reads badly after the option: `--fine-tuned no`.
CODE_WORDS = {FT + "none": "no"}
YES = "yes"  # `methods --fine-tuned yes`: any fine-tuning at all

V = TypeVar("V")


class TaxonomyError(DataError):
    """The ontology cannot be read, so neither can the taxonomy."""


class UnknownName(UsageError):
    """A name the ontology's vocabulary does not have; the message lists the accepted names."""


@dataclass(frozen=True)
class Term:
    """A class or a code of the ontology, with its command-line name and every label it has."""

    iri: str
    name: str
    label: str | None = None
    alt_labels: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()  # rdfs:subClassOf for classes, skos:broader for codes (IRIs)
    aliases: tuple[str, ...] = ()
    notation: str | None = None

    @property
    def local_name(self) -> str:
        """The part of the IRI after its last `#` or `/`."""
        return local_name(self.iri)


@dataclass(frozen=True)
class CodeList:
    """A SKOS code list: the class of its concepts, its scheme and its codes in scheme order."""

    kind: str  # the command-line name of the class: rl-role, fine-tuning, metric, ...
    iri: str  # the class of the concepts, e.g. llmrl:RLRole
    scheme: str
    label: str  # for messages: "an RL-role", "a fine-tuning"
    codes: tuple[Term, ...]


def _words(local: str) -> list[str]:
    """`RLAgentType` -> RL, Agent, Type; `NonParametricAgent` -> Non, Parametric, Agent."""
    return re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", local)


def class_name(iri: str) -> str:
    """The command-line name of a class: kebab-case local name without a trailing `-method`."""
    words = [w.lower() for w in _words(local_name(iri))]
    if len(words) > 1 and words[-1] == "method":
        words = words[:-1]
    return "-".join(words)


def normalise(name: str) -> str:
    """How names are compared: case-folded, spaces and underscores as hyphens."""
    return re.sub(r"[\s_]+", "-", name.strip()).casefold()


class _Facts:
    """Subject -> predicate -> objects of the ontology's triples, in file order."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self.facts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.order: dict[str, int] = {}
        for triple in triples:
            if isinstance(triple.subject, ox.NamedNode):
                self.order.setdefault(triple.subject.value, len(self.order))
                if isinstance(triple.object, (ox.NamedNode, ox.Literal)):
                    self.facts[triple.subject.value][triple.predicate.value].append(triple.object.value)

    def get(self, subject: str, predicate: str) -> list[str]:
        return self.facts.get(subject, {}).get(predicate, [])

    def first(self, subject: str, predicate: str) -> str | None:
        values = self.get(subject, predicate)
        return values[0] if values else None

    def subjects(self, predicate: str, value: str) -> list[str]:
        found = [s for s, props in self.facts.items() if value in props.get(predicate, [])]
        return sorted(found, key=self.order.__getitem__)

    def term(self, iri: str, name: str, parents: str, aliases: tuple[str, ...] = ()) -> Term:
        return Term(iri, name, self.first(iri, RDFS + "label") or self.first(iri, SKOS + "prefLabel"),
                    tuple(self.get(iri, SKOS + "altLabel")), tuple(self.get(iri, parents)), aliases,
                    self.first(iri, SKOS + "notation"))


class Ontology:
    """The classes and code lists of one ontology file."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        facts = _Facts(triples)
        declared = facts.subjects(RDF + "type", OWL + "Class")
        self._children: dict[str, list[str]] = {
            c: [s for s in facts.subjects(RDFS + "subClassOf", c) if s in declared and s != c] for c in declared}
        self.classes: dict[str, Term] = {c: facts.term(c, class_name(c), RDFS + "subClassOf") for c in declared}
        self.code_lists = tuple(self._code_lists(facts))

    def _code_lists(self, facts: _Facts) -> Iterator[CodeList]:
        for scheme in facts.subjects(RDF + "type", SKOS + "ConceptScheme"):
            concepts = facts.subjects(SKOS + "inScheme", scheme)
            classes = [c for c in facts.get(concepts[0], RDF + "type") if c in self.classes
                       and SKOS + "Concept" in self.classes[c].parents] if concepts else []
            if not classes:
                continue
            words = _words(local_name(classes[0]))
            words = words[:-1] if len(words) > 1 and words[-1] == "Type" else words
            spelled = "-".join(w if w.isupper() else w.lower() for w in words)
            # "an RL-role", "an FM-role", "a metric": acronyms are read letter by letter.
            article = "an" if spelled[0] in ("AEFHILMNORSX" if words[0].isupper() else "aeiou") else "a"
            codes = tuple(self._code(facts, c) for c in concepts)
            yield CodeList("-".join(w.lower() for w in words), classes[0], scheme, f"{article} {spelled}", codes)

    @staticmethod
    def _code(facts: _Facts, iri: str) -> Term:
        """A code, named by its local name (or its CODE_WORDS word); its notation is an alias."""
        name = CODE_WORDS.get(iri, local_name(iri))
        aliases = [local_name(iri), *facts.get(iri, SKOS + "notation")]
        return facts.term(iri, name, SKOS + "broader", tuple(dict.fromkeys(a for a in aliases if a != name)))

    def below(self, iri: str) -> list[str]:
        """The classes below `iri` (transitively, not `iri` itself), depth first in file order."""
        out: list[str] = []
        stack = list(reversed(self._children.get(iri, [])))
        while stack:  # iterative, so that a cycle of rdfs:subClassOf cannot recurse forever
            cls = stack.pop()
            if cls != iri and cls not in out:
                out.append(cls)
                stack += reversed(self._children.get(cls, []))
        return out

    def roles(self) -> list[Term]:
        """Every class below llmrl:Method, the groups first (breadth first), with the sub-roles' aliases."""
        ordered, level = [], self._children.get(METHOD, [])
        while level:
            ordered += [c for c in level if c not in ordered]
            level = [g for c in level for g in self._children.get(c, []) if g not in ordered]
        terms = []
        for iri in ordered:
            term = self.classes[iri]
            parents = [self.classes[p].name for p in term.parents if p in self.classes and p != METHOD]
            short = [term.name[: -len(p) - 1] for p in parents if term.name.endswith("-" + p)]
            terms.append(Term(term.iri, term.name, term.label, term.alt_labels, term.parents, tuple(short)))
        return terms

    def leaves(self) -> list[Term]:
        """The sub-roles a method file is typed with (classes below Method with none below them)."""
        by_iri = {t.iri: t for t in self.roles()}
        return [by_iri[c] for c in self.below(METHOD) if not self._children.get(c)]

    def groups(self) -> list[Term]:
        """The role groups: the classes directly below llmrl:Method."""
        return [self.classes[c] for c in self._children.get(METHOD, [])]

    def group_of(self, iri: str) -> str | None:
        """The role group a class below llmrl:Method belongs to (a group is its own)."""
        for group in self.groups():
            if iri == group.iri or iri in self.below(group.iri):
                return group.iri
        return None

    @functools.cached_property
    def leaf_groups(self) -> dict[str, str]:
        """Each leaf class (survey order) -> its role group."""
        return {t.iri: self.group_of(t.iri) or METHOD for t in self.leaves()}

    def method_classes(self) -> set[str]:
        """llmrl:Method and every class below it."""
        return {METHOD, *self.below(METHOD)}

    def model_classes(self) -> set[str]:
        """llmrl:FoundationModel and every class below it."""
        return {FOUNDATION_MODEL, *self.below(FOUNDATION_MODEL)}

    def modalities(self) -> list[Term]:
        """The kinds of model (`llm`, `vlm`): the classes directly below llmrl:FoundationModel."""
        terms = []
        for iri in self._children.get(FOUNDATION_MODEL, []):
            term = self.classes[iri]
            acronyms = [a.lower() for a in term.alt_labels if re.fullmatch(r"[A-Z]{2,6}", a)]
            terms.append(Term(iri, acronyms[0] if acronyms else term.name, term.label, term.alt_labels,
                              term.parents))
        return terms

    def record_classes(self) -> set[str]:
        """The classes of the records one file defines: methods, papers, models, benchmarks, entries, tables."""
        return {c for root in RECORD_ROOTS for c in (root, *self.below(root))}

    def code_list(self, kind: str) -> CodeList:
        """The code list of one kind (`rl-role`, `fine-tuning`, ...)."""
        for code_list in self.code_lists:
            if code_list.kind == kind:
                return code_list
        raise UnknownName(f"{kind!r} is not a code list of the ontology; known: "
                          f"{', '.join(c.kind for c in self.code_lists)}")

    def fine_tuned_words(self) -> list[tuple[Term, tuple[str, ...]]]:
        """`methods --fine-tuned`: `yes` (any fine-tuning), then each code; with the codes' local names."""
        codes = self.code_list("fine-tuning").codes
        fine_tuned = tuple(c.local_name for c in codes if c.name != "no")
        return [(Term("", YES, "any fine-tuning"), fine_tuned), *((c, (c.local_name,)) for c in codes)]


_CACHE: dict[tuple[str, int, int], Ontology] = {}


def ontology(path: Path | None = None) -> Ontology:
    """The ontology of the KG (or the file at `path`), parsed once per process and file version."""
    from llmrl_kg.kg.files import parse_file

    path = Path(path or locations.ontology_file())
    try:
        stat = path.stat()
    except OSError as error:
        raise TaxonomyError(f"{path}: cannot read the ontology: {error.strerror or error}",
                            fix="reinstall the package or restore ontology/llmrl.ttl") from None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        source, problems = parse_file(path)
        if problems:
            raise TaxonomyError(problems[0].format(), fix="fix the ontology; `llmrl-kg validate` lists every finding")
        if len(_CACHE) > 8:  # old versions of the file
            _CACHE.clear()
        _CACHE[key] = Ontology(source.triples)
    return _CACHE[key]


class Choices(Mapping[str, V], Generic[V]):
    """Command-line names -> values, built from the ontology each time it is used.

    Iterating gives the canonical names (for `--help` and error messages); lookups
    also accept each name's aliases, in any case, with spaces for hyphens.
    """

    def __init__(self, build: Callable[[Ontology], list[tuple[Term, V]]]) -> None:
        self._build = build

    def items_now(self) -> list[tuple[Term, V]]:
        """The (term, value) pairs of the current ontology."""
        return self._build(ontology())

    def term(self, name: object) -> Term | None:
        """The term that `name` (canonical or alias) stands for, or None."""
        if not isinstance(name, str):
            return None
        key = normalise(name)
        for term, _value in self.items_now():
            if key in {normalise(n) for n in (term.name, *term.aliases)}:
                return term
        return None

    def canonical(self, name: str) -> str | None:
        """The canonical spelling of `name`, or None when it names nothing."""
        term = self.term(name)
        return term.name if term else None

    def __getitem__(self, name: str) -> V:
        canonical = self.canonical(name)
        for candidate, value in self.items_now():
            if candidate.name == canonical:
                return value
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return self.term(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter([term.name for term, _value in self.items_now()])

    def __len__(self) -> int:
        return len(self.items_now())


class Derived(Mapping[str, V], Generic[V]):
    """A mapping computed from the current ontology whenever it is read: a table that follows the file."""

    def __init__(self, build: Callable[[Ontology], Mapping[str, V]]) -> None:
        self._build = build

    def _now(self) -> Mapping[str, V]:
        return self._build(ontology())

    def __getitem__(self, key: str) -> V:
        return self._now()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._now()))

    def __len__(self) -> int:
        return len(self._now())


def _with_iris(terms: list[Term]) -> list[tuple[Term, str]]:
    return [(t, t.iri) for t in terms]


# The tables every command line and module uses; each follows the ontology file.
ROLES: Choices[str] = Choices(lambda o: _with_iris(o.roles()))  # methods --role: groups and sub-roles
LEAVES: Choices[str] = Choices(lambda o: _with_iris(o.leaves()))  # new --role: the classes a method has
MODALITIES: Choices[str] = Choices(lambda o: _with_iris(o.modalities()))
CODE_KINDS: Choices[str] = Choices(lambda o: [(Term(c.iri, c.kind), c.iri) for c in o.code_lists])
CODE_LABELS: Choices[str] = Choices(lambda o: [(Term(c.iri, c.kind), c.label) for c in o.code_lists])
# --fine-tuned: the codes (full, peft, no) by their local names; `methods` adds `yes`.
FINE_TUNING: Choices[str] = Choices(lambda o: _with_iris(list(o.code_list("fine-tuning").codes)))
FINE_TUNED_WORDS: Choices[tuple[str, ...]] = Choices(lambda o: o.fine_tuned_words())
