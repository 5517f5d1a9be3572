"""Finding the knowledge graph's Turtle files and parsing them strictly.

Parsing uses pyoxigraph, which implements the Turtle grammar exactly and
reports line and column; rdflib's own parser accepts many invalid files.
Each file becomes its own named graph, so every triple can be traced back to
the file that states it.

Reading is guarded: only regular files are opened (a FIFO, a device or a folder is
refused before anything is read), never more than MAX_FILE_BYTES are read, a
symbolic link is followed only to a file inside the link's own folder, and a
folder or file that cannot be read is an error, never a silent skip.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from llmrl_kg import locations
from llmrl_kg.errors import DataError, UsageError
from llmrl_kg.kg.findings import ERROR, Finding, terminal_safe
from llmrl_kg.rdf.lines import LineIndex

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_SYNTAX_MESSAGE = 160  # characters of the parser's message (which may quote the bad line) shown
FILE_GRAPH_PREFIX = "urn:llmrl-kg:file:"
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class FileTooLargeError(DataError):
    """A file holds more than the bytes allowed; `size` is its size when the file states it."""

    def __init__(self, path: Path, size: int | None, limit: int) -> None:
        super().__init__(f"{_shown(path)} is larger than {limit} bytes", fix="split it into one file per record")
        self.size = size
        self.limit = limit


@dataclass
class SourceFile:
    """A Turtle file, how to name it in messages, and what it parsed to."""

    path: Path
    display: str
    triples: list[ox.Triple] = field(default_factory=list)
    text: str = ""
    ok: bool = False
    _lines: LineIndex | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def line_index(self) -> LineIndex:
        """The line index of the file's text (built once: every check that names a line uses it)."""
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines

    @property
    def base_iri(self) -> str:
        """The file's own URI, the base for relative IRIs."""
        return resolved(self.path).as_uri()

    @property
    def graph_name(self) -> ox.NamedNode:
        """The named graph that holds this file's triples."""
        return ox.NamedNode(FILE_GRAPH_PREFIX + self.display.replace(" ", "%20"))


def _shown(path: Path) -> str:
    """`path` as error messages print it: its display name, with control characters escaped."""
    return terminal_safe(display_name(path))


_FOLDERS: dict[str, Path] | None = None  # folder -> its resolved path, inside `folders_resolved_once`


@contextmanager
def folders_resolved_once() -> Iterator[None]:
    """Inside the block, `resolved` resolves each folder once: validating 20,000 files resolved
    their folders 140,000 times, a sixth of the run. Outside it, every call resolves afresh."""
    global _FOLDERS
    outer = _FOLDERS
    _FOLDERS = {} if outer is None else outer
    try:
        yield
    finally:
        _FOLDERS = outer


def resolved(path: Path) -> Path:
    """`path.resolve()`; a file that is not a symbolic link is its resolved folder plus its name."""
    folders = _FOLDERS
    if folders is None or path.name in ("", ".", "..") or path.is_symlink():
        return path.resolve()
    key = str(path.parent)
    folder = folders.get(key)
    if folder is None:
        folder = folders[key] = path.parent.resolve()
    return folder / path.name


def display_name(path: Path) -> str:
    """A short, stable name for `path`: relative to the KG root or to the working directory.

    The folders are resolved but not the file itself, so a symbolic link keeps its own name.
    """
    path = Path(path)
    path = resolved(path.parent) / path.name if path.name not in ("", ".", "..") else path.resolve()
    for base in (locations.kg_root(), Path.cwd()):
        try:
            return path.relative_to(resolved(base)).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def discover(paths: list[Path]) -> list[Path]:
    """All `.ttl` entries under `paths` (files are taken as given), sorted, without repeats.

    Every entry named `*.ttl` is listed, whatever its kind, so that `parse_file`
    refuses a FIFO or a dangling link by name instead of skipping it; a link to a
    file that is listed itself is dropped. A folder that cannot be read, or
    folders that hold no `.ttl` file at all, are a UsageError (exit 2).
    """
    found: list[Path] = []
    for path in paths:
        found.extend(_ttl_entries(path) if path.is_dir() else [path])
    if paths and not found:
        raise UsageError(f"nothing to check: no .ttl file in {', '.join(_shown(p) for p in paths)}",
                         fix="give Turtle files (.ttl) or folders that hold them")
    real = {resolved(p) for p in found if not p.is_symlink()}
    seen: set[Path] = set()
    unique = []
    for path in found:
        key = resolved(path)
        if key in seen or (path.is_symlink() and key in real):
            continue
        seen.add(key)
        unique.append(path)
    return unique


def _ttl_entries(folder: Path) -> list[Path]:
    def refuse(error: OSError) -> None:
        raise UsageError(f"cannot read the folder {_shown(Path(error.filename or folder))}: "
                         f"{_reason(error)}", fix="check the folder's permissions, or leave it out")

    entries: list[Path] = []
    for parent, folders, files in os.walk(folder, onerror=refuse, followlinks=False):
        folders.sort()
        entries.extend(Path(parent) / name for name in files if name.endswith(".ttl"))
    return sorted(entries)


def _reason(error: OSError) -> str:
    reason = error.strerror or str(error)
    return reason[:1].lower() + reason[1:]


def read_regular_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of `path`, which must be a regular file of at most `limit` bytes.

    The kind and the stated size are checked before anything is read (a FIFO is
    opened without blocking), and the read stops after `limit` + 1 bytes, since
    some files (in /proc) state a size of 0. Raises UsageError for a file that
    is not regular or cannot be read, FileTooLargeError for one that is too large.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise UsageError(f"cannot read {_shown(path)}: {_reason(error)}",
                         fix="check the path and its permissions") from None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            kind = next((name for test, name in _KINDS if test(status.st_mode)), "a special file")
            raise UsageError(f"{_shown(path)} is not a regular file ({kind}); only regular Turtle "
                             "files are read", fix="give a .ttl file or a folder of them")
        if status.st_size > limit:
            raise FileTooLargeError(path, status.st_size, limit)
        chunks, remaining = [], limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as error:
        raise UsageError(f"cannot read {_shown(path)}: {_reason(error)}",
                         fix="check the path and its permissions") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise FileTooLargeError(path, None, limit)
    return data


def _link_leaves_its_folder(path: Path) -> bool:
    """True when `path` is a symbolic link whose target is not inside the link's own folder."""
    if not path.is_symlink():
        return False
    target, folder = path.resolve(), path.parent.resolve()
    return folder != target and folder not in target.parents


def shipped_data_files() -> list[Path]:
    """The curated instance data that ships with the package."""
    return discover([locations.data_dir()])



def parse_file(path: Path) -> tuple[SourceFile, list[Finding]]:
    """Parse one Turtle file strictly; return it with any syntax findings.

    Raises UsageError for a file that is not a regular file or cannot be read (exit 2).
    """
    source = SourceFile(path=path, display=display_name(path))
    if _link_leaves_its_folder(path):
        return source, [Finding(source.display, None, ERROR, "symlink-outside-tree",
                                "the file is a symbolic link to a file outside its folder; it was not read",
                                "put the file itself in the folder instead of a link to it")]
    try:
        raw = read_regular_file(path)
    except FileTooLargeError as error:
        stated = f"has {error.size} bytes, more than the {error.limit}" if error.size is not None \
            else f"has more than the {error.limit}"
        return source, [Finding(source.display, None, ERROR, "file-too-large",
                                f"the file {stated} bytes allowed", "split it into one file per record")]
    if raw.startswith(b"\xef\xbb\xbf"):
        return source, [Finding(source.display, 1, ERROR, "turtle-syntax",
                                "the file starts with a UTF-8 byte-order mark",
                                "save the file as UTF-8 without BOM")]
    source.text = raw.decode("utf-8", errors="replace")
    try:
        # Relative IRIs resolve against the file's own URI (as the Turtle spec says);
        # the hygiene check then reports them, since curated data must use absolute IRIs.
        source.triples = [q.triple for q in ox.parse(raw, format=ox.RdfFormat.TURTLE,
                                                      base_iri=source.base_iri)]
    except SyntaxError as error:
        message = _plain(str(error.msg or error))
        return source, [Finding(source.display, error.lineno, ERROR, "turtle-syntax", _excerpt(message),
                                _syntax_fix(message))]
    if any(isinstance(t.subject, ox.Triple) or isinstance(t.object, ox.Triple) for t in source.triples):
        source.triples = []  # nothing downstream handles them: the file is refused like a syntax error
        return source, [Finding(source.display, _triple_term_line(source.text), ERROR, "rdf12-term",
                                "RDF 1.2 triple terms are not supported in the KG's files",
                                "state the fact as plain triples, or reify it with rdf:Statement")]
    source.ok = True
    return source, []


_MAY_HIDE_ANGLES = re.compile(r"""
      \#[^\r\n]*                          # a comment
    | "{3}(?:[^"\\]|\\.|"(?!""))*"{3}     # long strings
    | '{3}(?:[^'\\]|\\.|'(?!''))*'{3}
    | "(?:[^"\\\r\n]|\\.)*"               # short strings
    | '(?:[^'\\\r\n]|\\.)*'
    | <[^<>\s]*>                          # an IRI
    | \\.                                 # an escaped character of a local name
    | (?P<open><<|\{\|)                  # a triple term <<( … )>>, a reified triple << … >>, an annotation {| … |}
    """, re.VERBOSE | re.DOTALL)


def _triple_term_line(text: str) -> int | None:
    """The line of the first `<<` or `{|` of `text` (valid Turtle) outside comments, strings and IRIs."""
    for match in _MAY_HIDE_ANGLES.finditer(text):
        if match.group("open"):
            return text.count("\n", 0, match.start()) + 1
    return None


def _excerpt(message: str) -> str:
    """The parser's message, cut short: it may quote a whole line of the file (or of a file it should not read)."""
    return message if len(message) <= MAX_SYNTAX_MESSAGE else message[:MAX_SYNTAX_MESSAGE - 1] + "…"


def _syntax_fix(message: str) -> str:
    prefix = re.search(r"prefix (\S*:) has not been declared", message)
    if prefix:
        return (f"declare it at the top of the file with `@prefix {prefix.group(1)} <IRI> .`; "
                "the project's prefixes are listed in docs/data-model.md")
    return "fix the Turtle syntax at this place; see https://www.w3.org/TR/turtle/"


def _plain(message: str) -> str:
    """pyoxigraph's parser message without its own location prefix (we print ours)."""
    return re.sub(r"^Parser error (at|between) [^:]*: ", "", message)


def parse_files(paths: list[Path]) -> tuple[list[SourceFile], list[Finding]]:
    """Parse every file; return all of them (parsed or not) and the syntax findings."""
    sources, findings = [], []
    for path in paths:
        source, problems = parse_file(path)
        sources.append(source)
        findings.extend(problems)
    return sources, findings
