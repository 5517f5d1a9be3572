"""The benchmark of issue 11's speed targets: the project against raw pyoxigraph and `import rdflib`.

    pip install ".[bench]"         # optional extras: matplotlib for the plot (skipped, with a message, without it)
    python bench/run.py --quick    # under two minutes on a 2-core machine: size 10000, fewer pairs
    python bench/run.py [--sizes 10000 100000 1000000] [--seed 42] [--repeat 5] [--no-servers]

Every figure is an A/B comparison taken pair by pair (bench/abtest.py): a run of
the reference and a run of the project right next to each other, in alternating
order, the median of the pair ratios reported beside the medians of both. So the
load of a shared machine hits both sides alike.

* commands   whole `llmrl-kg` processes against `python -c "import rdflib"`, interleaved subprocess
             runs on a snapshot of the shipped KG (bench/startup.py): the first call after a cache
             miss, `validate`, `validate FILE` after an edit, warm `methods`/`query`/`ask`/`show`.
* query      per size, in ONE process on ONE store: raw pyoxigraph `Store.query` of a saved query's
             SPARQL text with its default bindings, against the project's path
             (`KnowledgeGraph.query`: binding, `run_saved`, rows as Python values); the same for the
             faceted search (`KnowledgeGraph.methods`). Other stores (on-disk Oxigraph, rdflib,
             Oxigraph's server, Virtuoso) are paired with raw pyoxigraph in their own process.
* load       per size, interleaved processes: pyoxigraph `Store.load` of every file (the reference)
             against the project's loader (`loader.load_files`) and its inference (`materialise`);
             the on-disk store (`build_store`) and the rdflib copy, each paired with a raw load.
* validate   `kg.validate.validate(synthetic files)` without the OWL-RL check (and with it up to
             --owlrl-max), the GraphML and GEXF exports, and load + one query through the
             project's cached store (`KnowledgeGraph.load`): seconds and peak memory.

Peak memory is the ru_maxrss of the fresh process that ran the measurement. The
output: the results per size, then the target table of issue 11 (each row: the
measured figure, the target, met / not met), written to bench/results/results.csv
and bench/results/summary.md (a Markdown table for the README), and the plot
bench/results/scaling.png when matplotlib is installed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH))

from abtest import Pairs, interleave, timed  # noqa: E402

QUERY_STORES = ("oxigraph", "oxigraph-disk", "memory", "oxigraph-server", "virtuoso")
VIRTUOSO_GRAPH = "https://w3id.org/llmrl-kg/graph"
FACETS = {"role": "planner", "fine_tuned": "no", "model": "GPT-4"}
ONE_QUERY = "methods-by-benchmark"  # the query of the load + one query measurement
CSV_FIELDS = ["size", "triples", "store", "operation", "query", "seconds", "reference_seconds", "ratio", "cold",
              "reference_cold", "runs", "rows", "reference_rows", "peak_rss_mb", "stderr_lines", "command",
              "note", "error"]


# ------------------------------------------------------------------------------------------------
# Workers: each runs in its own process and prints one JSON line of measurements.


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _kg_paths(data: Path) -> list[Path]:
    from generate import data_paths

    return data_paths(data)


def worker_load_raw(data: Path, work: Path, args) -> list[dict]:
    """Reference: every Turtle file loaded by pyoxigraph into its default graph, nothing else."""
    import pyoxigraph as ox

    from llmrl_kg import locations

    def load():
        store = ox.Store()
        files = [locations.ontology_file()]
        for root in _kg_paths(data):
            files += sorted(root.rglob("*.ttl"))
        for path in files:
            store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        return store

    seconds, store = timed(load)
    return [{"store": "raw", "operation": "load", "seconds": seconds, "rows": len(store)}]


def worker_load_oxigraph(data: Path, work: Path, args) -> list[dict]:
    """The project's loader and inference in memory; leaves the dataset as N-Quads for the other workers."""
    import pyoxigraph as ox

    from llmrl_kg import locations
    from llmrl_kg.kg import loader
    from llmrl_kg.kg.loader import INFERRED_GRAPH
    from llmrl_kg.reason import materialise

    store = ox.Store()
    seconds, summary = timed(lambda: loader.load_files(store, _kg_paths(data), inferred=False))
    ontology = next(iter(loader.kg_files(_kg_paths(data))))
    triples = [q.triple for q in store.quads_for_pattern(
        None, None, None, ox.NamedNode("urn:llmrl-kg:file:" + ontology[1]))]
    reason, inferred = timed(lambda: materialise.materialise(
        store, triples, INFERRED_GRAPH.value, cache_key=locations.ontology_file().read_text(encoding="utf-8")))
    store.dump(str(work / "loader.nq"), format=ox.RdfFormat.N_QUADS)
    return [{"store": "oxigraph", "operation": "load", "seconds": seconds, "rows": summary.asserted},
            {"store": "oxigraph", "operation": "reason", "seconds": reason, "rows": inferred}]


def worker_load_disk(data: Path, work: Path, args) -> list[dict]:
    """`llmrl-kg load --into oxigraph:PATH`: bulk load, inference, compaction."""
    from llmrl_kg.store import disk

    seconds, summary = timed(lambda: disk.build_store(work / "store", _kg_paths(data)))
    return [{"store": "oxigraph-disk", "operation": "load", "seconds": seconds, "rows": summary.triples,
             "note": "includes inference and compaction"}]


def worker_load_memory(data: Path, work: Path, args) -> list[dict]:
    """`--store memory`: the dataset copied into an rdflib Graph."""
    import pyoxigraph as ox

    from llmrl_kg.rdf.terms import to_rdflib_graph

    def load():
        store = ox.Store()
        store.load(path=str(work / "loader.nq"), format=ox.RdfFormat.N_QUADS)
        return to_rdflib_graph(store)

    seconds, graph = timed(load)
    return [{"store": "memory", "operation": "load", "seconds": seconds, "rows": len(graph)}]


def _validate(data: Path, reason: bool) -> list[dict]:
    from llmrl_kg.kg.validate import validate

    seconds, report = timed(lambda: validate([data], reason=reason))
    return [{"store": "project", "operation": "validate" if reason else "validate-no-reasoning",
             "seconds": seconds, "rows": len(report.findings),
             "note": f"{report.summary.get('errors')} errors, {report.summary.get('warnings')} warnings"}]


def worker_validate(data: Path, work: Path, args) -> list[dict]:
    """The project's validation of the synthetic files (with the shipped KG as context), no OWL-RL check."""
    return _validate(data, reason=False)


def worker_validate_reasoning(data: Path, work: Path, args) -> list[dict]:
    """The same with the OWL-RL consistency check (what `llmrl-kg validate PATH` runs)."""
    return _validate(data, reason=True)


def worker_reason_owlrl(data: Path, work: Path, args) -> list[dict]:
    """For comparison: owlrl's OWL-RL closure of the whole graph (what the project avoids doing)."""
    from llmrl_kg.kg import loader
    from llmrl_kg.rdf.terms import to_rdflib_graph
    from llmrl_kg.reason.owl_rl import owl_rl_closure

    sources = loader.reasoning_input(loader.load_sources(_kg_paths(data)))
    graph = to_rdflib_graph(t for s in sources for t in s.triples)
    seconds, (inferred, _errors) = timed(lambda: owl_rl_closure(graph))
    return [{"store": "owlrl", "operation": "reason", "seconds": seconds, "rows": len(inferred)}]


def _export(work: Path, fmt: str) -> list[dict]:
    """The full view projected from the loaded store and streamed into a file, as `export -o` writes it."""
    import pyoxigraph as ox

    from llmrl_kg.export.graphfiles import graph_chunks
    from llmrl_kg.export.network import project_full
    from llmrl_kg.rdf.atomic import write_atomically

    store = ox.Store()
    store.load(path=str(work / "loader.nq"), format=ox.RdfFormat.N_QUADS)
    target = work / f"full.{fmt}"
    seconds, written = timed(lambda: write_atomically(target, graph_chunks(project_full(store), fmt, "full")))
    target.unlink()
    return [{"store": "project", "operation": f"export-{fmt}", "seconds": seconds, "rows": written,
             "note": "rows = bytes written"}]


def worker_export_graphml(data: Path, work: Path, args) -> list[dict]:
    """GraphML of the full property-graph view (records -> graph -> bytes)."""
    return _export(work, "graphml")


def worker_export_gexf(data: Path, work: Path, args) -> list[dict]:
    """GEXF of the full property-graph view."""
    return _export(work, "gexf")


def worker_load_query(data: Path, work: Path, args) -> list[dict]:
    """`KnowledgeGraph.load(paths)` (the cached store; built when the cache misses) and one saved query."""
    from llmrl_kg.api import KnowledgeGraph

    loaded, kg = timed(lambda: KnowledgeGraph.load(_kg_paths(data)))
    seconds, table = timed(lambda: kg.query(ONE_QUERY))
    return [{"store": "project", "operation": "load-query", "query": ONE_QUERY, "seconds": loaded + seconds,
             "rows": len(table.rows), "note": f"load {loaded:.2f} s, query {seconds:.3f} s"}]


def worker_load_query_raw(data: Path, work: Path, args) -> list[dict]:
    """Reference: raw pyoxigraph holding the same quads as the project's store (each file's named graph
    and the inferences) and running the same query: the memory floor of an in-memory store."""
    import pyoxigraph as ox

    from llmrl_kg.query.catalogue import bind_parameters

    query = next(q for q in _saved_queries() if q.name == ONE_QUERY)

    def run() -> int:
        store = ox.Store()
        store.load(path=str(work / "loader.nq"), format=ox.RdfFormat.N_QUADS)
        bindings = bind_parameters(query, {}, lambda: None)  # its defaults need no vocabulary
        return sum(1 for _ in store.query(query.text, use_default_graph_as_union=True,
                                          substitutions={ox.Variable(k): v for k, v in bindings.items()}))

    seconds, rows = timed(run)
    return [{"store": "raw", "operation": "load-query", "query": ONE_QUERY, "seconds": seconds, "rows": rows}]


def worker_validate_floor(data: Path, work: Path, args) -> list[dict]:
    """What `validate` holds before it checks anything: every file parsed into triples with its text
    (the findings name files and lines), and the one Oxigraph store the shapes run on."""
    from llmrl_kg import locations
    from llmrl_kg.kg.files import discover, parse_file, parse_files
    from llmrl_kg.kg.shacl_sparql import data_store

    def hold():
        ontology, _ = parse_file(locations.ontology_file())
        sources, _ = parse_files(discover([data]))
        return sources, data_store([ontology.triples, *(s.triples for s in sources)])

    seconds, (sources, store) = timed(hold)
    return [{"store": "project", "operation": "validate-floor", "seconds": seconds, "rows": len(store),
             "note": "parse + the SHACL data store, no check"}]


def _saved_queries():
    from llmrl_kg.query.catalogue import Catalogue

    return [q for q in Catalogue().all() if not q.network]


def _raw_runners(store):
    """name -> function running that saved query (and the facet search) on raw pyoxigraph; returns its row count."""
    import pyoxigraph as ox

    from llmrl_kg.query.catalogue import bind_parameters
    from llmrl_kg.query.facets import build_facets, facet_query
    from llmrl_kg.query.vocabulary import Vocabulary
    from llmrl_kg.store.backends import OxigraphBackend

    vocabulary = Vocabulary.load(OxigraphBackend(store))

    def runner(text: str, substitutions: dict):
        def run() -> int:
            solutions = store.query(text, use_default_graph_as_union=True, substitutions=substitutions)
            names = [v.value for v in solutions.variables]
            return len([[solution[n] for n in names] for solution in solutions])
        return run

    runners = {}
    for query in _saved_queries():
        bindings = bind_parameters(query, {}, lambda: vocabulary)
        runners[query.name] = runner(query.text, {ox.Variable(k): v for k, v in bindings.items()})
    facets = build_facets(vocabulary, role=(FACETS["role"],), fine_tuned=(FACETS["fine_tuned"],),
                          model=(FACETS["model"],))
    text = facet_query(facets)

    def facet() -> int:  # rows = methods, as `find_methods` groups the solutions by method
        solutions = store.query(text, use_default_graph_as_union=True)
        return len({solution[0] for solution in solutions})

    runners["methods"] = facet
    return runners


def _pair_row(store: str, operation: str, name: str, pairs: Pairs) -> dict:
    row = {"store": store, "operation": operation, "query": name, **pairs.row(),
           "rows": pairs.result_b, "reference_rows": pairs.result_a}
    if pairs.result_a != pairs.result_b:
        row["note"] = f"ROWS DIFFER: {pairs.result_b} rows, raw pyoxigraph has {pairs.result_a}"
    return row


def worker_queries(data: Path, work: Path, args) -> list[dict]:
    """Every saved query and the facet search: raw pyoxigraph (A) and the project on args.store (B), paired."""
    import pyoxigraph as ox

    from llmrl_kg.api import KnowledgeGraph

    reference = ox.Store()
    reference.load(path=str(work / "loader.nq"), format=ox.RdfFormat.N_QUADS)
    raw = _raw_runners(reference)
    backend, server = _open_backend(args.store, reference, work)
    try:
        kg = KnowledgeGraph(backend)
        _ = kg.vocabulary  # read once, as a long-running user of the API would
        results = []
        for query in _saved_queries():
            pairs = interleave(raw[query.name], lambda name=query.name: len(kg.query(name).rows), args.repeat,
                               budget=args.pair_budget)
            results.append(_pair_row(args.store, "query", query.name, pairs))
        pairs = interleave(raw["methods"], lambda: len(kg.methods(**FACETS).rows), args.repeat,
                           budget=args.pair_budget)
        label = "methods --role planner --fine-tuned no --model GPT-4"
        results.append(_pair_row(args.store, "facets", label, pairs))
        return results
    finally:
        if server is not None:
            server.__exit__(None, None, None)


def _open_backend(name: str, reference, work: Path):
    """(backend, running server context or None) for a query store."""
    from llmrl_kg.store.backends import (
        EndpointBackend,
        OxigraphBackend,
        OxigraphStoreBackend,
        RdflibBackend,
    )

    if name == "oxigraph":
        return OxigraphBackend(reference), None  # the same store as the reference: a fair comparison
    if name == "oxigraph-disk":
        return OxigraphStoreBackend.open(work / "store"), None
    if name == "memory":
        from llmrl_kg.rdf.terms import to_rdflib_graph

        return RdflibBackend(to_rdflib_graph(reference)), None
    sys.path.insert(0, str(BENCH.parent / "tests"))
    import servers  # the test suite's launchers: loopback, private folders, stopped by PID

    if name == "oxigraph-server":
        context = servers.running_oxigraph(work / "oxigraph-server", work / "store", read_only=True)
        server = context.__enter__()
        return EndpointBackend(server.query_url, timeout=600), context
    import shutil

    shutil.rmtree(work / "virtuoso", ignore_errors=True)  # a fresh database for every run
    context = servers.running_virtuoso(work / "virtuoso")
    server = context.__enter__()
    from llmrl_kg.store import push

    triples = sorted({quad.triple for quad in reference}, key=str)
    seconds, _report = timed(lambda: push.push(server.graph_store_url, graph=VIRTUOSO_GRAPH, replace=True,
                                               protocol="graph-store", triples=triples, timeout=3600))
    print(json.dumps({"store": "virtuoso", "operation": "load", "seconds": seconds, "rows": len(triples),
                      "note": "Graph Store protocol, one request"}), file=sys.stderr)
    return EndpointBackend(server.query_url + "?default-graph-uri=" + VIRTUOSO_GRAPH, timeout=600), context


WORKERS = {
    "load-raw": worker_load_raw,
    "load-oxigraph": worker_load_oxigraph,
    "load-disk": worker_load_disk,
    "load-memory": worker_load_memory,
    "validate": worker_validate,
    "validate-reasoning": worker_validate_reasoning,
    "reason-owlrl": worker_reason_owlrl,
    "export-graphml": worker_export_graphml,
    "export-gexf": worker_export_gexf,
    "load-query": worker_load_query,
    "load-query-raw": worker_load_query_raw,
    "validate-floor": worker_validate_floor,
    "queries": worker_queries,
}


def run_worker(args) -> int:
    os.environ.setdefault("LLMRL_KG_CACHE", str(Path(args.work) / "cache"))
    results = WORKERS[args.worker](Path(args.data), Path(args.work), args)
    rss = _rss_mb()
    for result in results:
        result["peak_rss_mb"] = round(rss, 1)
    print(json.dumps(results))
    return 0


# ------------------------------------------------------------------------------------------------
# The driver: generate, run the workers, pair them, print, write CSV, Markdown and plot.


def spawn(worker: str, data: Path, work: Path, args, store: str | None = None) -> list[dict]:
    """Run one worker in a fresh process; its results (or one row saying why it failed)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", worker, "--data", str(data),
               "--work", str(work), "--repeat", str(args.repeat), "--pair-budget", str(args.pair_budget)]
    if store:
        command += ["--store", store]
    label = f"{worker}{' ' + store if store else ''}"
    print(f"  {label} ...", end="", flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        print(f" timed out after {args.timeout} s")
        return [{"store": store or "project", "operation": worker, "error": f"timeout {args.timeout} s"}]
    print(f" {time.perf_counter() - started:.1f} s")
    extra = []
    for line in done.stderr.splitlines():  # side measurements (Virtuoso's load) come on stderr as JSON
        if line.startswith("{"):
            try:
                extra.append(json.loads(line))
            except ValueError:
                pass
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["?"])[-1]
        if "Skipped" in reason or "is not installed" in done.stderr:
            print(f"    skipped: {reason}")
            return []
        print(f"    failed: {reason}")
        return [{"store": store or "project", "operation": worker, "error": reason[:200]}]
    return extra + json.loads(done.stdout.strip().splitlines()[-1])


def spawn_pairs(reference: str, worker: str, runs: int, data: Path, work: Path, args) -> list[dict]:
    """`runs` interleaved processes of the reference worker and `worker`; the first row of each side paired.

    Returns the reference's row and the worker's rows: the first with the pair figures,
    the others (e.g. `reason`) with the median of their seconds; peak memory is the largest seen.
    """
    sides: dict[str, list[list[dict]]] = {reference: [], worker: []}
    for index in range(max(runs, 1)):
        for name in ((reference, worker) if index % 2 == 0 else (worker, reference)):
            sides[name].append(spawn(name, data, work, args))
    failed = [rows[0] for rows in sides[reference] + sides[worker] if rows and "error" in rows[0]]
    if failed:
        return failed[:1]
    pairs = Pairs()
    for a_rows, b_rows in zip(sides[reference], sides[worker], strict=True):
        pairs.add(a_rows[0]["seconds"], b_rows[0]["seconds"])
    a_row = {**sides[reference][-1][0], "seconds": pairs.median_a, "runs": len(pairs.a)}
    rows = [a_row]
    for position, row in enumerate(sides[worker][-1]):
        seconds = [runs_rows[position]["seconds"] for runs_rows in sides[worker]]
        merged = {**row, "seconds": sorted(seconds)[len(seconds) // 2], "runs": len(seconds),
                  "peak_rss_mb": max(r[position]["peak_rss_mb"] for r in sides[worker])}
        if position == 0:
            merged.update(pairs.row())
            merged["reference_rows"] = a_row.get("rows")
        rows.append(merged)
    return rows


def prepare_size(size: int, args) -> tuple[Path, Path, dict]:
    """The synthetic KG of `size` triples (generated unless already there), its work folder and its stats."""
    from generate import generate

    data = RESULTS / "data" / f"kg-{size}"
    work = RESULTS / "work" / f"kg-{size}"
    work.mkdir(parents=True, exist_ok=True)
    stats_file = work / "generated.json"
    stats = json.loads(stats_file.read_text()) if stats_file.is_file() else {}
    if stats.get("size") != size or stats.get("seed") != args.seed or not data.is_dir():
        stats = generate(size, data, args.seed)
        stats_file.write_text(json.dumps(stats))
    return data, work, stats


def run_size(size: int, args) -> list[dict]:
    """Every per-size measurement (see the module docstring), as result rows."""
    data, work, stats = prepare_size(size, args)
    print(f"size {size}: {stats['total_triples']} asserted triples ({stats['methods']} synthetic methods)")
    load_runs = args.load_runs if size <= 100_000 else 1
    rows = spawn_pairs("load-raw", "load-oxigraph", load_runs, data, work, args)
    rows += spawn_pairs("load-raw", "load-disk", 1, data, work, args)[1:]
    if size <= args.rdflib_max:
        rows += spawn_pairs("load-raw", "load-memory", 1, data, work, args)[1:]
    rows += spawn("validate", data, work, args) + spawn("validate-floor", data, work, args)
    if size <= args.owlrl_max:
        rows += spawn("validate-reasoning", data, work, args)
        rows += spawn("reason-owlrl", data, work, args)
    if size <= args.export_max:
        rows += spawn("export-graphml", data, work, args) + spawn("export-gexf", data, work, args)
    first = spawn("load-query", data, work, args)  # fills the project's cache (a cache miss)
    rows += [{**row, "operation": "first-load-query"} for row in first]
    if not any("error" in row for row in first):
        rows += spawn("load-query", data, work, args) + spawn("load-query-raw", data, work, args)
    for store in QUERY_STORES:
        if store == "memory" and size > args.rdflib_max:
            continue
        if store in ("oxigraph-server", "virtuoso") and (args.no_servers or size > args.servers_max):
            continue
        rows += spawn("queries", data, work, args, store)
    for row in rows:
        row["size"] = size
        row["triples"] = stats["total_triples"]
    return rows


def run_commands(args) -> list[dict]:
    """The whole-command pairs against `import rdflib` (bench/startup.py)."""
    import startup

    print(f"commands on the shipped KG ({args.command_runs} pairs each, {args.slow_runs} for slow ones) ...")
    started = time.perf_counter()
    rows = startup.measure(args.command_runs, args.slow_runs, lambda text: print(f"  {text}", flush=True))
    print(f"  done in {time.perf_counter() - started:.1f} s")
    return rows


def _fmt(seconds) -> str:
    if seconds in (None, ""):
        return "-"
    seconds = float(seconds)
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _cell(row: dict) -> str:
    if "error" in row:
        return "error: " + str(row["error"])[:30]
    cell = _fmt(row.get("seconds"))
    if row.get("ratio") not in (None, ""):
        cell += f" ×{float(row['ratio']):.2f}"
    if "ROWS DIFFER" in str(row.get("note", "")):
        cell += " ROWS DIFFER"
    if row.get("peak_rss_mb") not in (None, "") and row.get("operation") not in ("query", "facets"):
        cell += f", {float(row['peak_rss_mb']):.0f} MB"
    return cell


def size_table(rows: list[dict], size) -> list[list[str]]:
    """One line per operation (and query), one column per store: median time, pair ratio, peak RSS (not for queries)."""
    chosen = [r for r in rows if str(r.get("size")) == str(size)]
    stores = list(dict.fromkeys(str(r.get("store")) for r in chosen))
    lines: dict[tuple[str, str], dict[str, str]] = {}
    for row in chosen:
        key = (str(row["operation"]), str(row.get("query") or ""))
        lines.setdefault(key, {})[str(row.get("store"))] = _cell(row)
        if row.get("reference_seconds") not in (None, "") and str(row.get("store")) in ("oxigraph", "cli"):
            reference = "import rdflib" if row["operation"] == "command" else "raw"
            lines[key].setdefault(reference, _fmt(row["reference_seconds"]))
            if reference not in stores:
                stores.insert(0, reference)
    header = ["operation", *stores]
    return [header] + [[f"{op} {q}".strip()[:48], *(cells.get(s, "") for s in stores)]
                       for (op, q), cells in lines.items()]


def print_table(table: list[list[str]]) -> None:
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


def write_csv(rows: list[dict], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})


def read_csv(path: Path) -> list[dict]:
    """The rows of a results.csv (empty cells left out)."""
    with open(path, encoding="utf-8") as handle:
        return [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(handle)]


def write_summary(rows: list[dict], path: Path, command: str, replotted: bool = False) -> str:
    """bench/results/summary.md: the target table and each size's table, marked as generated."""
    import targets

    origin = "from the results.csv of an earlier run " if replotted else ""
    parts = [f"_Generated {origin}by `{command}` on {time.strftime('%Y-%m-%d')}; do not edit, rerun it._\n\n",
             "### Speed targets (issue 11)\n\n", targets.markdown(targets.all_verdicts(rows))]
    parts.append("\nRatios are medians of pair ratios: each run of the project next to a run of the reference "
                 "(`python -c \"import rdflib\"` for commands, raw pyoxigraph for the rest), in alternating "
                 "order. Memory: peak RSS of the process that ran the measurement.\n")
    sections = [("shipped", "Whole commands on the shipped KG (median time, × `import rdflib`, peak RSS)")]
    for size in sorted({int(r["size"]) for r in rows if str(r.get("size")).isdigit()}):
        triples = next(r["triples"] for r in rows if str(r.get("size")) == str(size))
        sections.append((size, f"{int(triples):,} triples (median time, × raw pyoxigraph, peak RSS)"))
    for size, title in sections:
        table = size_table(rows, size)
        if len(table) > 1:
            parts.append(f"\n### {title}\n\n| " + " | ".join(table[0]) + " |\n|" + "---|" * len(table[0]) + "\n")
            parts += ["| " + " | ".join(line) + " |\n" for line in table[1:]]
    text = "".join(parts)
    path.write_text(text, encoding="utf-8")
    return text


STORE_COLOURS = {"raw": "black", "oxigraph": "tab:blue", "oxigraph-disk": "tab:cyan", "memory": "tab:red",
                 "oxigraph-server": "tab:green", "virtuoso": "tab:purple", "project": "tab:orange",
                 "owlrl": "tab:brown"}
OPERATION_STYLES = {"load": ("-", "o"), "reason": ("-.", "s"), "validate-no-reasoning": (":", "D"),
                    "export-graphml": ("-", "^"), "export-gexf": ("-", "v"), "query": ("--", "x")}


def plot(rows: list[dict], path: Path) -> bool:
    """Log-log time against size (colour = store, line = operation; queries summed); False without matplotlib."""
    try:
        import matplotlib
    except ImportError:
        print('plot skipped: matplotlib is not installed (pip install ".[bench]")')
        return False
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series: dict[tuple[str, str], dict[int, float]] = {}
    for row in rows:
        if "error" in row or row.get("operation") not in OPERATION_STYLES or not str(row.get("size")).isdigit():
            continue
        points = series.setdefault((row["operation"], row["store"]), {})
        triples = int(row["triples"])
        points[triples] = points.get(triples, 0.0) + float(row["seconds"]) if row["operation"] == "query" \
            else float(row["seconds"])
        if row["operation"] in ("query", "load") and row.get("reference_seconds") not in (None, ""):
            reference = series.setdefault((row["operation"], "raw"), {})
            if row["store"] == "oxigraph":
                reference[triples] = reference.get(triples, 0.0) + float(row["reference_seconds"]) \
                    if row["operation"] == "query" else float(row["reference_seconds"])
    figure, axis = plt.subplots(figsize=(10, 7))
    for (operation, store), points in sorted(series.items()):
        xs = sorted(points)
        style, marker = OPERATION_STYLES[operation]
        label = f"{'all saved queries (warm)' if operation == 'query' else operation}, {store}"
        axis.plot(xs, [points[x] for x in xs], style, marker=marker, color=STORE_COLOURS.get(store, "grey"),
                  label=label)
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("asserted triples")
    axis.set_ylabel("seconds")
    axis.set_title("llmrl-kg scale benchmark (synthetic KG; colour = store, line = operation)")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=7, loc="upper left", ncol=2)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    return True


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="size 10000, fewer pairs, no servers, no rdflib store, no whole-graph owlrl")
    parser.add_argument("--sizes", type=int, nargs="+", help="synthetic KG sizes (default 10000 100000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, help="pairs per query (default 5; quick 3)")
    parser.add_argument("--pair-budget", type=float, default=20.0,
                        help="seconds of pairs per query at most (slow queries get fewer pairs)")
    parser.add_argument("--command-runs", type=int, help="pairs per fast command (default 11; quick 5)")
    parser.add_argument("--slow-runs", type=int, help="pairs per slow command (default 5; quick 3)")
    parser.add_argument("--load-runs", type=int, help="pairs of load processes up to 100k triples (default 3)")
    parser.add_argument("--no-commands", action="store_true", help="skip the whole-command pairs")
    parser.add_argument("--no-servers", action="store_true", help="skip the Oxigraph server and Virtuoso")
    parser.add_argument("--rdflib-max", type=int, help="largest size for --store memory (default 10000)")
    parser.add_argument("--owlrl-max", type=int, help="largest size for whole-graph owlrl and validate with "
                        "its OWL-RL check (default 10000)")
    parser.add_argument("--export-max", type=int, default=1000000, help="largest size for the exports")
    parser.add_argument("--servers-max", type=int, default=100000,
                        help="largest size for the Oxigraph server and Virtuoso (loading 1M into Virtuoso takes long)")
    parser.add_argument("--readme", type=Path, metavar="FILE",
                        help="also write the target table into FILE between its bench-targets markers")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per measurement process")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where results.csv, summary.md and the plot go")
    parser.add_argument("--replot", action="store_true", help="only redo the tables and plot from OUT/results.csv")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--store", choices=QUERY_STORES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {"sizes": [10000] if quick else [10000, 100000], "repeat": 3 if quick else 5,
                "command_runs": 5 if quick else 11, "slow_runs": 3 if quick else 5, "load_runs": 2 if quick else 3,
                "rdflib_max": 0 if quick else 10000, "owlrl_max": 0 if quick else 10000}
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.no_servers = args.no_servers or quick
    return args


def report(rows: list[dict], args, command: str, replotted: bool = False) -> None:
    """Print every table, write results.csv and summary.md, draw the plot."""
    import targets

    for size in sorted({int(r["size"]) for r in rows if str(r.get("size")).isdigit()}):
        triples = next(r["triples"] for r in rows if str(r.get("size")) == str(size))
        print(f"\n## {int(triples):,} triples (median time, × raw pyoxigraph: pairs in one run)")
        print_table(size_table(rows, size))
    commands = [r for r in rows if r.get("operation") == "command"]
    if commands:
        print("\n## whole commands on the shipped KG (× python -c \"import rdflib\", pairs)")
        print_table(size_table(rows, "shipped"))
    print("\n## targets (issue 11; issue 10's ask start-up)")
    print(targets.text(targets.all_verdicts(rows)))
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.replot:
        write_csv(rows, args.out / "results.csv")
    write_summary(rows, args.out / "summary.md", command, replotted)
    drawn = plot(rows, args.out / "scaling.png")
    print(f"\nwrote {args.out / 'results.csv'}, {args.out / 'summary.md'}"
          + (f" and {args.out / 'scaling.png'}" if drawn else ""))
    if args.readme:
        write_readme_block(args.readme, rows, command)
        print(f"wrote the target table into {args.readme}")


README_START = "<!-- bench-targets:start"
README_END = "<!-- bench-targets:end -->"


def readme_block(rows: list[dict], command: str) -> str:
    """The README's target table: generated from the benchmark's rows, with the command that made them."""
    import targets

    return (f"{README_START} (generated by `{command}`; do not edit, rerun it) -->\n"
            + targets.markdown(targets.all_verdicts(rows)) + README_END)


def write_readme_block(path: Path, rows: list[dict], command: str) -> None:
    """Replace the text between the bench-targets markers of `path` (which must have them)."""
    text = path.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise SystemExit(f"{path} has no {README_START} … {README_END} markers")
    path.write_text(text[:start] + readme_block(rows, command) + text[end + len(README_END):], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    command = "python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv)
    if args.replot:
        report(read_csv(args.out / "results.csv"), args, command.strip(), replotted=True)
        return 0
    started = time.perf_counter()
    rows = [] if args.no_commands else run_commands(args)
    for size in sorted(args.sizes):
        rows += run_size(size, args)
    report(rows, args, command.strip())
    print(f"benchmark took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
