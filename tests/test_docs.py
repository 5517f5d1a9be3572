"""Every command the documentation shows works as written (issue 14), so the docs cannot drift.

The test reads every shell block (```sh, ```bash, ```console, ```shell) and every
```python block of README.md, CONTRIBUTING.md and docs/*.md, and runs them in
document order, as a new user would, in a scratch copy of the repository (the
package, ontology/, data/ and queries/; the copy's package finds the copy's
data), one copy per document. A command fails the test on a non-zero exit or a
traceback; a query command (`query`, `methods`, `ask`, `sparql`) also fails when
it prints no row, since an example should show something. A line of a Python
block that ends in a comment holding a Python literal
(`kg.methods(...).column("method")   # ['PSL', 'SayTap']`) must evaluate to it.

What the test does for the reader:
- `llmrl-kg ...` runs as `python -m llmrl_kg ...` with the current interpreter.
- Network commands stay on loopback. `llmrl-kg link` asks an Oxigraph server
  started here, holding the fixtures of tests/fixtures/external/ (through
  $LLMRL_KG_ENDPOINTS, as tests/test_link_cli.py does). Servers the documents
  start (`llmrl-kg serve`, `oxigraph serve`, `virtuoso-t`, which the reader runs in a
  second terminal, or any command ending in `&`) run in the background until they
  answer a SPARQL query, and are stopped by PID at the end. Every loopback port a
  document names (7878, 8890, ...) is replaced by a free one, the same one
  throughout that document; `llmrl-kg serve` without `--port` gets one too.
- A file a document asks to save (a block whose first line is the comment
  `; NAME: ...` or `# NAME: ...`, e.g. `; virtuoso.ini: ...`) is written into the copy.
- `--open` opens the page with a recording "browser" ($BROWSER).
- `> FILE` writes the command's output to FILE (an absolute FILE is kept inside the copy).
- The documents run side by side (each in order), and `llmrl-kg validate` on
  identical files is run once and its result reused, to keep the test short.

Commands that cannot run here are listed in NOT_RUN, with the reason.
"""

from __future__ import annotations

import ast
import hashlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
import tokenize
import urllib.error
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from servers import free_port, oxigraph_binary, running_oxigraph, stop

REPO = Path(__file__).resolve().parent.parent
DOCUMENTS = ["README.md", "CONTRIBUTING.md", *sorted(f"docs/{p.name}" for p in (REPO / "docs").glob("*.md"))]
COPIED = ("src", "ontology", "data", "queries")
SHELL_LANGUAGES = {"sh", "bash", "console", "shell"}
QUERY_COMMANDS = {"query", "methods", "ask", "sparql"}
LINK_TARGETS = ("wikidata", "dblp", "semopenalex", "orkg")
PUBLIC_ENDPOINTS = ("https://query-scholarly.wikidata.org/sparql", "https://sparql.dblp.org/sparql",
                    "https://semopenalex.org/sparql", "https://orkg.org/triplestore")
COMMAND_TIMEOUT = 300  # only guards against a hang of the test itself
SERVER_START_TIMEOUT = 120
SERVERS = (("llmrl-kg", "serve"), ("oxigraph", "serve"), ("virtuoso-t",))  # run until stopped
PARALLEL_COMMANDS = 2  # the documents run side by side, at most this many commands at a time

# Documented commands this test does not run: the start of the command (its words
# joined by single spaces) and why. Everything else in a shell block is run.
NOT_RUN = {
    "pip install": "installs packages: the test runs in the environment that is already installed",
    "python -m pytest": "runs the test suite, which this test is part of",
    "git clone": "clones the reader's fork from the network",
    "cd llmrl-kg": "the clone's folder: the test works in a scratch copy instead",
    "python -m venv": "creates a virtual environment: the test runs in the installed one",
    ". .venv/bin/activate": "activates that virtual environment",
    "python bench/run.py": "the benchmark takes minutes; bench/ has its own checks",
    "llmrl-kg serve --host 0.0.0.0": "binds every network interface; tests open loopback servers only",
}


@dataclass(frozen=True)
class Step:
    """One thing a document tells the reader to run: a shell command or a Python block."""

    document: str
    line: int
    kind: str  # "shell" or "python"
    argv: tuple[str, ...] = ()
    background: bool = False
    stdout_to: str | None = None
    code: str = ""

    @property
    def text(self) -> str:
        return " ".join(self.argv) if self.kind == "shell" else self.code.strip().splitlines()[0]

    @property
    def test_id(self) -> str:
        return f"{self.document}:{self.line}: {self.text[:70]}"


@dataclass(frozen=True)
class Block:
    """A fenced block of a document: its language, first line number and text."""

    language: str
    line: int
    body: str


FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<language>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ ]*$",
                   re.M | re.S)


def blocks(document: str) -> list[Block]:
    """The fenced blocks of a document, dedented."""
    text = (REPO / document).read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        indent = len(match["indent"])
        body = "".join(line[indent:] if line[:indent].isspace() else line
                       for line in match["body"].splitlines(keepends=True))
        found.append(Block(match["language"].lower(), text[:match.start()].count("\n") + 2, body))
    return found


def _logical_lines(block: Block) -> list[tuple[int, str]]:
    """A shell block's commands with their line numbers: continuations joined, console output dropped."""
    lines, pending, start = [], "", 0
    for number, raw in enumerate(block.body.splitlines(), start=block.line):
        if not pending:
            start = number
            if block.language == "console":
                if not raw.startswith("$ "):
                    continue
                raw = raw[2:]
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        lines.append((start, pending + raw))
        pending = ""
    return lines


def shell_steps(document: str, block: Block) -> list[Step]:
    """The commands of one shell block: `&&`, `;` and `&` separate them; `&` runs one in the background."""
    steps = []
    for number, line in _logical_lines(block):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        words: list[str] = []
        for token in [*lexer, ";"]:
            if token in ("&&", ";", "&"):
                if words:
                    steps.append(_step(document, number, words, background=token == "&"))
                words = []
            else:
                words.append(token)
    return steps


def _step(document: str, line: int, words: list[str], *, background: bool) -> Step:
    stdout_to = None
    if ">" in words[:-1]:
        at = words.index(">")
        stdout_to, words = words[at + 1], words[:at] + words[at + 2:]
    return Step(document, line, "shell", tuple(words), background, stdout_to)


def document_steps(document: str) -> list[Step]:
    """Every shell command and Python block of a document, in document order."""
    steps: list[Step] = []
    for block in blocks(document):
        if block.language in SHELL_LANGUAGES:
            steps += shell_steps(document, block)
        elif block.language == "python":
            steps.append(Step(document, block.line, "python", code=block.body))
    return steps


def saved_files(document: str) -> dict[str, str]:
    """Files a document asks the reader to save: blocks whose first line is `; NAME: ...` or `# NAME: ...`."""
    files = {}
    for block in blocks(document):
        first = block.body.split("\n", 1)[0]
        match = re.match(r"^[;#] ([\w.-]+\.[a-z]+):", first)
        if match and block.language not in SHELL_LANGUAGES | {"python"}:
            files[match[1]] = block.body
    return files


ALL_STEPS = [step for document in DOCUMENTS for step in document_steps(document)]


def not_run_reason(step: Step) -> str | None:
    """Why a documented command is not run here (None: it is run)."""
    if step.kind != "shell":
        return None
    for start, reason in NOT_RUN.items():
        if step.text == start or step.text.startswith(start + " "):
            return reason
    return None


# Running

def with_asserts(code: str) -> str:
    """The block with every `expression  # <Python literal>` line turned into an assertion of that value."""
    lines = code.splitlines()
    comments = {token.start[0]: token.string for token in tokenize.generate_tokens(io.StringIO(code).readline)
                if token.type == tokenize.COMMENT}
    for node in ast.parse(code).body:
        if not isinstance(node, ast.Expr) or node.lineno != node.end_lineno or node.lineno not in comments:
            continue
        try:
            expected = ast.literal_eval(comments[node.lineno].lstrip("#").strip())
        except (ValueError, SyntaxError):
            continue
        expression = ast.get_source_segment(code, node)
        lines[node.lineno - 1] = (f"__value = ({expression})\n"
                                  f"assert __value == {expected!r}, repr(__value)")
    return "\n".join(lines) + "\n"


def tree_digest(root: Path) -> str:
    """A hash of every file of the copy's KG (what `validate` reads)."""
    digest = hashlib.sha256()
    for folder in ("ontology", "data", "queries"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass
class Outcome:
    """What running a step gave."""

    returncode: int
    stdout: str
    stderr: str
    skipped: str | None = None
    seconds: float = 0.0

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Services:
    """Servers shared by all documents (the link fixtures' endpoint), started on first use."""

    folder: Path
    stack: ExitStack = field(default_factory=ExitStack)
    link_endpoint: str | None = None
    validate_results: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    key_locks: dict = field(default_factory=dict)
    slots: threading.BoundedSemaphore = field(default_factory=lambda: threading.BoundedSemaphore(PARALLEL_COMMANDS))

    def validate(self, key, run):
        """`run()`'s outcome, computed once per key (the command and the files it validates)."""
        with self.lock:
            key_lock = self.key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if key not in self.validate_results:
                self.validate_results[key] = run()
            return self.validate_results[key]

    def link_mirrors(self) -> str:
        """$LLMRL_KG_ENDPOINTS sending every link target to a loopback Oxigraph holding the fixtures."""
        with self.lock:
            return self._link_mirrors()

    def _link_mirrors(self) -> str:
        if self.link_endpoint is None:
            server = self.stack.enter_context(running_oxigraph(self.folder / "external-kgs"))
            for target in LINK_TARGETS:
                data = (REPO / "tests" / "fixtures" / "external" / f"{target}.ttl").read_bytes()
                request = urllib.request.Request(server.graph_store_url + "?default", data=data, method="POST",
                                                 headers={"Content-Type": "text/turtle"})
                with urllib.request.urlopen(request, timeout=30) as response:
                    assert response.status in (200, 204)
            self.link_endpoint = server.query_url
        return " ".join(f"{public}={self.link_endpoint}" for public in PUBLIC_ENDPOINTS)


class Session:
    """One document's scratch copy, its ports, its background servers and the outcome of each step."""

    def __init__(self, document: str, folder: Path, services: Services):
        self.document, self.services = document, services
        self.steps = document_steps(document)
        self.root = folder / "repo"
        for name in COPIED:
            shutil.copytree(REPO / name, self.root / name, ignore=shutil.ignore_patterns("__pycache__"))
        self.ports: dict[int, int] = {}
        self.missing_servers: dict[int, str] = {}  # port -> the server program that is not installed
        self.servers: list[subprocess.Popen] = []
        self.outcomes: dict[int, Outcome] = {}
        self.finished = threading.Condition()
        self.worker = threading.Thread(target=self._run_all, name=document, daemon=True)
        self.opened = folder / "opened-url.txt"
        for name, text in saved_files(document).items():
            (self.root / name).write_text(self.map_ports(text), encoding="utf-8")

    # ports

    def port(self, documented: int) -> int:
        if documented not in self.ports:
            self.ports[documented] = free_port()
        return self.ports[documented]

    def map_ports(self, text: str) -> str:
        return re.sub(r"(?<=127\.0\.0\.1:)(\d{2,5})\b", lambda m: str(self.port(int(m[1]))), text)

    def argv(self, step: Step) -> list[str]:
        words = [self.map_ports(word) for word in step.argv]
        for at in range(len(words) - 1):
            if words[at] == "--port":
                words[at + 1] = str(self.port(int(words[at + 1])))
        if words[:2] == ["llmrl-kg", "serve"] and "--port" not in words:
            words += ["--port", str(self.port(7878))]  # the default port
        program = {"llmrl-kg": [sys.executable, "-m", "llmrl_kg"], "oxigraph": [oxigraph_binary() or "oxigraph"]}
        return program.get(words[0], [shutil.which(words[0]) or words[0]]) + words[1:]

    def environment(self, step: Step) -> dict[str, str]:
        names = ("LLMRL_KG_STORE", "LLMRL_KG_ENDPOINT", "LLMRL_KG_ENDPOINTS", "PYTHONPATH")
        env = {k: v for k, v in os.environ.items() if k not in names}
        env.update(PYTHONPATH=str(self.root / "src"), SOURCE_DATE_EPOCH="1767225600", PYTHONUNBUFFERED="1",
                   PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
                   BROWSER=f"{shlex.quote(sys.executable)} -c "
                           f"\"import sys; open({str(self.opened)!r}, 'w').write(sys.argv[1])\" %s")
        if step.argv[:2] == ("llmrl-kg", "link"):
            env["LLMRL_KG_ENDPOINTS"] = self.services.link_mirrors()
        return env

    # running

    def start(self) -> None:
        """Run the document's steps in order, in the background."""
        self.worker.start()

    def _run_all(self) -> None:
        for index, step in enumerate(self.steps):
            began = time.monotonic()
            try:
                outcome = self._run(step)
            except pytest.skip.Exception as skipped:  # e.g. the oxigraph binary is missing
                outcome = Outcome(0, "", "", skipped=str(skipped))
            except Exception as error:  # noqa: BLE001 - reported by the step's test
                outcome = Outcome(-1, "", f"the test could not run this step: {error!r}")
            outcome.seconds = time.monotonic() - began
            with self.finished:
                self.outcomes[index] = outcome
                self.finished.notify_all()

    def outcome(self, index: int) -> Outcome:
        """The outcome of step `index` (the steps before it have run first)."""
        with self.finished:
            if not self.finished.wait_for(lambda: index in self.outcomes, timeout=COMMAND_TIMEOUT * 3):
                raise AssertionError(f"{self.document}: step {index} did not finish")
            return self.outcomes[index]

    def _run(self, step: Step) -> Outcome:
        reason = not_run_reason(step)
        if reason:
            return Outcome(0, "", "", skipped=reason)
        if step.kind == "python":
            script = self.root / f"doc-block-{step.line}.py"
            script.write_text(with_asserts(step.code), encoding="utf-8")
            return self._process([sys.executable, str(script)], step)
        program, argv = step.argv[0], self.argv(step)
        missing = sorted(self.missing_servers.get(port, "") for port in self._ports_named(argv))
        if missing and missing[0]:
            return Outcome(0, "", "", skipped=f"needs {missing[0]}, which is not installed")
        serves = step.background or any(step.argv[:len(server)] == server for server in SERVERS)
        if program not in ("llmrl-kg", "oxigraph") and shutil.which(program) is None:
            if serves:
                self.missing_servers[self._listening_port(argv)] = program
            return Outcome(0, "", "", skipped=f"{program} is not installed")
        if serves:
            return self._serve(step)
        if step.argv[:2] == ("llmrl-kg", "validate"):
            key = (step.argv, tree_digest(self.root))
            return self.services.validate(key, lambda: self._process(self.argv(step), step))
        attempts = 20 if program == "isql-vt" else 1  # Virtuoso's SQL port may open just after its HTTP port
        for _ in range(attempts):
            outcome = self._process(self.argv(step), step)
            if outcome.returncode == 0:
                break
            time.sleep(0.5)
        return outcome

    def _process(self, argv: list[str], step: Step) -> Outcome:
        environment = self.environment(step)
        with self.services.slots:
            result = subprocess.run(argv, cwd=self.root, env=environment, capture_output=True, text=True,
                                    timeout=COMMAND_TIMEOUT, stdin=subprocess.DEVNULL)
        if step.stdout_to:
            target = Path(step.stdout_to)
            target = self.root / (target.name if target.is_absolute() else target)
            target.write_text(result.stdout, encoding="utf-8")
        return Outcome(result.returncode, result.stdout, result.stderr)

    def _serve(self, step: Step) -> Outcome:
        """Start a server in the background and wait until it answers a SPARQL query."""
        argv = self.argv(step)
        log = self.root / f"server-{len(self.servers)}.log"
        with open(log, "wb") as sink:
            process = subprocess.Popen(argv, cwd=self.root, env=self.environment(step), stdout=sink,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.servers.append(process)
        port = self._listening_port(argv)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            if any(_answers(f"http://127.0.0.1:{port}{path}?query=ASK%7B%7D") for path in ("/query", "/sparql")):
                return Outcome(0, log.read_text(errors="replace"), "")
            time.sleep(0.2)
        text = log.read_text(errors="replace")
        return Outcome(process.returncode if process.poll() is not None else -1, text,
                       f"no SPARQL answer on port {port} within {SERVER_START_TIMEOUT} s")

    @staticmethod
    def _ports_named(argv: list[str]) -> set[int]:
        return {int(port) for word in argv for port in re.findall(r"127\.0\.0\.1:(\d+)", word)}

    def _listening_port(self, argv: list[str]) -> int:
        for at, word in enumerate(argv[:-1]):
            if word in ("--port", "--bind"):
                return int(argv[at + 1].rsplit(":", 1)[-1])
            if word == "+configfile":
                ini = (self.root / argv[at + 1]).read_text(encoding="utf-8")
                http = ini[ini.index("[HTTPServer]"):]
                return int(re.search(r"ServerPort\s*=\s*[\d.]*:(\d+)", http)[1])
        raise AssertionError(f"cannot tell which port {argv} listens on")

    def close(self) -> None:
        """Wait for the steps to end, then stop the servers they started, by PID."""
        if self.worker.is_alive():
            self.worker.join()
        for process in self.servers:
            stop(process)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    shared = Services(tmp_path_factory.mktemp("doc-services"))
    with shared.stack:
        yield shared


@pytest.fixture(scope="module")
def sessions(services, tmp_path_factory, request):
    """Each document's session, all started at once for the documents whose tests were selected."""
    selected = {item.callspec.params["step"].document for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec")}
    needed = selected | {"README.md", "docs/stores.md"}  # for the tests of the README's sample output
    opened = {document: Session(document, tmp_path_factory.mktemp("doc"), services)
              for document in DOCUMENTS if document in needed}
    readme = opened["README.md"]  # the copies hold the same files: one reasoning cache serves them all
    subprocess.run([sys.executable, "-m", "llmrl_kg", "sparql", "ASK {}"], cwd=readme.root, capture_output=True,
                   env=readme.environment(Step("README.md", 0, "shell", ("llmrl-kg",))), timeout=COMMAND_TIMEOUT)
    for session in opened.values():
        session.start()
    yield opened
    for session in opened.values():
        session.close()


def _index(step: Step) -> int:
    return [s for s in ALL_STEPS if s.document == step.document].index(step)


@pytest.mark.parametrize("step", ALL_STEPS, ids=[step.test_id for step in ALL_STEPS])
def test_documented_step_works(step, sessions):
    session = sessions[step.document]
    outcome = session.outcome(_index(step))
    if outcome.skipped:
        pytest.skip(f"not run: {outcome.skipped}")
    assert outcome.returncode == 0, f"exit {outcome.returncode}\n{outcome.output[-3000:]}"
    assert "Traceback" not in outcome.output, outcome.output[-3000:]
    if step.kind == "shell" and step.argv[:1] == ("llmrl-kg",) and step.argv[1] in QUERY_COMMANDS \
            and not step.stdout_to:
        rows = [line for line in outcome.stdout.splitlines()[1:] if line.strip()]
        assert rows, f"the documented example prints no row:\n{outcome.output}"
    if "--open" in step.argv:
        page = session.root / step.argv[step.argv.index("-o") + 1]
        assert session.opened.read_text(encoding="utf-8") == page.resolve().as_uri()


@pytest.mark.generated
def test_the_readme_shows_the_summary_validate_prints(sessions, update_expected):
    (shown,) = [b.body.strip() for b in blocks("README.md") if b.language == "" and b.body.startswith("valid:")]
    first = next(s for s in ALL_STEPS if s.document == "README.md" and s.argv[:2] == ("llmrl-kg", "validate"))
    outcome = sessions["README.md"].outcome(_index(first))
    assert outcome.returncode == 0, outcome.output
    printed = outcome.stdout.splitlines()[-1]
    if update_expected and printed != shown:  # the README's example output follows the data
        from llmrl_kg.rdf.atomic import write_atomically

        readme = REPO / "README.md"
        text = readme.read_text(encoding="utf-8")
        assert text.count(shown + "\n") == 1
        write_atomically(readme, text.replace(shown + "\n", printed + "\n"))
        shown = printed
    assert printed == shown


def _first(document: str, *words: str) -> Step:
    return next(s for s in ALL_STEPS if s.document == document and s.argv[:len(words)] == words)


def _numbers(pattern: str, text: str) -> tuple[int, ...]:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in {text!r}"
    return tuple(int(n) for n in match.groups())


def test_the_sizes_relate_as_the_readme_says(sessions):
    """The README's "What the sizes count": validate, load --into, serve and load --endpoint on the same KG."""
    def output(document: str, *words: str) -> str:
        outcome = sessions[document].outcome(_index(_first(document, *words)))
        assert outcome.returncode == 0, outcome.output
        return outcome.output

    files, triples = _numbers(r"checked (\d+) files, .* (\d+) triples;", output("README.md", "llmrl-kg", "validate"))
    asserted, graphs, inferred = _numbers(r"(\d+) asserted triples in (\d+) file graphs and (\d+) inferred",
                                          output("docs/stores.md", "llmrl-kg", "load", "--into"))
    (served,) = _numbers(r"\((\d+) triples\)", output("docs/stores.md", "llmrl-kg", "serve"))
    (pushed,) = _numbers(r"Loaded (\d+) triples", output("docs/stores.md", "llmrl-kg", "load", "--endpoint"))
    assert graphs == files + 1
    assert triples <= asserted
    assert served == asserted + inferred
    assert pushed == triples + inferred


def test_every_command_not_run_is_still_documented():
    documented = {reason for step in ALL_STEPS if (reason := not_run_reason(step))}
    assert documented == set(NOT_RUN.values())


def test_every_shell_command_is_one_the_test_can_run_or_explains():
    runnable = {"llmrl-kg", "oxigraph", "virtuoso-t", "isql-vt"}
    unknown = [step.test_id for step in ALL_STEPS
               if step.kind == "shell" and step.argv[0] not in runnable and not not_run_reason(step)]
    assert unknown == [], "add these to NOT_RUN with the reason, or teach the test to run them"


def test_the_parser_reads_continuations_chains_and_background_jobs():
    block = Block("sh", 10, "llmrl-kg new x --name 'A B' \\\n    --model GPT-4  # a comment\n"
                            "pip install . && llmrl-kg validate\noxigraph serve --bind 127.0.0.1:7878 &\n")
    assert [(s.line, s.argv, s.background) for s in shell_steps("X.md", block)] == [
        (10, ("llmrl-kg", "new", "x", "--name", "A B", "--model", "GPT-4"), False),
        (12, ("pip", "install", "."), False), (12, ("llmrl-kg", "validate"), False),
        (13, ("oxigraph", "serve", "--bind", "127.0.0.1:7878"), True)]
    code = "x = [1, 2]\nx   # [1, 2]\nlen(x)  # with a note\n"
    assert with_asserts(code) == ("x = [1, 2]\n__value = (x)\nassert __value == [1, 2], repr(__value)\n"
                                  "len(x)  # with a note\n")
