"""The scale benchmark: the same KG and saved queries on every store, against raw pyoxigraph.

    python bench/run.py [--sizes 10000 100000 1000000] [--seed 42] [--no-servers]

For each size, bench/generate.py writes a synthetic KG (the shipped KG grown with
invented papers); then each measurement runs in a fresh Python process (its peak
memory is that process's ru_maxrss):

* load      raw: pyoxigraph `Store.load` of every Turtle file (the reference);
            oxigraph: the project's loader (`stores.load_files`: strict, one named graph per file);
            oxigraph-disk: `stores.build_store` (bulk load + inference + compaction, on disk);
            memory: the KG copied into an rdflib Graph (what `--store memory` does);
            virtuoso: `stores.push` over the Graph Store protocol.
* reason    the project's inference (`materialise`: ontology closed by owlrl, rules run as SPARQL
            Update in Oxigraph); owlrl on the whole graph for comparison, only up to --owlrl-max.
* validate  `llmrl_kg.validate.validate(...)`: syntax, hygiene, vocabulary, duplicates, SHACL (pyshacl).
* query     every saved query (except `# network: required` ones) with its default parameters, and the
            faceted search of `llmrl-kg methods`, on each store: cold = first run in the process,
            warm = median of --repeat further runs. The reference runs the same SPARQL text with
            the same bindings on a raw pyoxigraph store holding the same quads.
* export    GraphML of the full property-graph view (networkx), up to --export-max.

It prints, per size, a table of times with the ratio to the reference, and writes
bench/results/results.csv and bench/results/scaling.png (time against size, log-log).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH))

QUERY_STORES = ("raw", "oxigraph", "oxigraph-disk", "memory", "oxigraph-server", "virtuoso")
VIRTUOSO_GRAPH = "https://w3id.org/llmrl-kg/graph"


# ------------------------------------------------------------------------------------------------
# Workers: each runs in its own process and prints one JSON line of measurements.


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(action):
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _kg_paths(data: Path) -> list[Path]:
    from generate import data_paths

    return data_paths(data)


def worker_load_raw(data: Path, work: Path, args) -> list[dict]:
    """Reference: every Turtle file loaded by pyoxigraph into its default graph, nothing else."""
    import pyoxigraph as ox

    from llmrl_kg import resources

    def load():
        store = ox.Store()
        files = [resources.ontology_file()]
        for root in _kg_paths(data):
            files += sorted(root.rglob("*.ttl"))
        for path in files:
            store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        return store

    seconds, store = _timed(load)
    return [{"store": "raw", "operation": "load", "cold": seconds, "rows": len(store)}]


def worker_load_oxigraph(data: Path, work: Path, args) -> list[dict]:
    """The project's loader and inference in memory; leaves the dataset as N-Quads for the other workers."""
    import pyoxigraph as ox

    from llmrl_kg import materialise, resources, stores
    from llmrl_kg.dataset import INFERRED_GRAPH

    store = ox.Store()
    seconds, summary = _timed(lambda: stores.load_files(store, _kg_paths(data), inferred=False))
    ontology = next(iter(stores.kg_files(_kg_paths(data))))
    triples = [q.triple for q in store.quads_for_pattern(
        None, None, None, ox.NamedNode("urn:llmrl-kg:file:" + ontology[1]))]
    reason, inferred = _timed(lambda: materialise.materialise(
        store, triples, INFERRED_GRAPH.value, cache_key=resources.ontology_file().read_text(encoding="utf-8")))
    store.dump(str(work / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    return [{"store": "oxigraph", "operation": "load", "cold": seconds, "rows": summary.asserted},
            {"store": "oxigraph", "operation": "reason", "cold": reason, "rows": inferred}]


def worker_load_disk(data: Path, work: Path, args) -> list[dict]:
    """`llmrl-kg load --into oxigraph:PATH`: bulk load, inference, compaction."""
    from llmrl_kg import stores

    seconds, summary = _timed(lambda: stores.build_store(work / "store", _kg_paths(data)))
    return [{"store": "oxigraph-disk", "operation": "load", "cold": seconds, "rows": summary.triples,
             "note": "includes inference and compaction"}]


def worker_load_memory(data: Path, work: Path, args) -> list[dict]:
    """`--store memory`: the dataset copied into an rdflib Graph."""
    import pyoxigraph as ox

    from llmrl_kg.bridge import to_rdflib_graph

    def load():
        store = ox.Store()
        store.load(path=str(work / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
        return to_rdflib_graph(store)

    seconds, graph = _timed(load)
    return [{"store": "memory", "operation": "load", "cold": seconds, "rows": len(graph)}]


def worker_validate(data: Path, work: Path, args) -> list[dict]:
    """The project's validation of the synthetic files (in the context of the shipped KG)."""
    from llmrl_kg.validate import validate

    seconds, report = _timed(lambda: validate([data], reason=False))
    return [{"store": "pyshacl", "operation": "validate", "cold": seconds, "rows": len(report.findings),
             "note": f"{report.summary.get('errors')} errors"}]


def worker_reason_owlrl(data: Path, work: Path, args) -> list[dict]:
    """For comparison: owlrl's OWL-RL closure of the whole graph (what dataset.py runs today)."""
    from llmrl_kg import dataset

    sources = dataset.load_sources(_kg_paths(data))
    seconds, triples = _timed(lambda: dataset.compute_inferred(sources))
    return [{"store": "owlrl", "operation": "reason", "cold": seconds, "rows": len(triples)}]


def worker_export(data: Path, work: Path, args) -> list[dict]:
    """GraphML of the full view (records -> networkx -> GraphML bytes)."""
    import pyoxigraph as ox

    from llmrl_kg.export.graphfiles import write_graph
    from llmrl_kg.export.network import full_view
    from llmrl_kg.export.records import KG

    store = ox.Store()
    store.load(path=str(work / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    seconds, output = _timed(lambda: write_graph(full_view(KG(store)), "graphml", "full"))
    return [{"store": "networkx", "operation": "export-graphml", "cold": seconds, "rows": len(output)}]


def _saved_queries():
    from llmrl_kg.querying import Catalogue

    return [q for q in Catalogue().all() if not q.network]


def _bindings(store):
    """Each saved query's default bindings, and the facets of a typical `methods` call."""
    from llmrl_kg.backends import OxigraphBackend
    from llmrl_kg.facets import build_facets
    from llmrl_kg.querying import bind_parameters
    from llmrl_kg.vocabulary import Vocabulary

    vocabulary = Vocabulary.load(OxigraphBackend(store))
    bindings = {q.name: bind_parameters(q, {}, lambda: vocabulary) for q in _saved_queries()}
    facets = build_facets(vocabulary, role=("planner",), fine_tuned=("no",), model=("GPT-4",))
    return bindings, facets


def _measure(run, repeat: int) -> tuple[float, float, int]:
    cold, rows = _timed(run)
    warm = []
    for _ in range(repeat if cold < 1 else 1):
        seconds, rows = _timed(run)
        warm.append(seconds)
    return cold, statistics.median(warm), rows


def worker_queries(data: Path, work: Path, args) -> list[dict]:
    """Every saved query and the facet search on one store (args.store)."""
    import pyoxigraph as ox

    from llmrl_kg.facets import facet_query, find_methods
    from llmrl_kg.querying import run_saved

    name = args.store
    reference = ox.Store()
    reference.load(path=str(work / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    bindings, facets = _bindings(reference)
    server = None
    try:
        if name == "raw":
            def saved(q):
                solutions = reference.query(q.text, use_default_graph_as_union=True, substitutions={
                    ox.Variable(k): v for k, v in bindings[q.name].items()})
                names = [v.value for v in solutions.variables]
                return len([[s[n] for n in names] for s in solutions])

            def facet():  # rows = methods, as `find_methods` groups the solutions by method
                solutions = reference.query(facet_query(facets), use_default_graph_as_union=True)
                names = [v.value for v in solutions.variables]
                return len({tuple(s[n] for n in names)[0] for s in solutions})
        else:
            backend, server = _open_backend(name, reference, work)
            del reference

            def saved(q):
                return len(run_saved(backend, q, bindings[q.name]).rows)

            def facet():
                return len(find_methods(backend, facets).rows)

        results = []
        for query in _saved_queries():
            cold, warm, rows = _measure(lambda: saved(query), args.repeat)
            results.append({"store": name, "operation": "query", "query": query.name, "cold": cold,
                            "warm": warm, "rows": rows})
        cold, warm, rows = _measure(facet, args.repeat)
        results.append({"store": name, "operation": "facets", "query": "methods --role planner "
                        "--fine-tuned no --model GPT-4", "cold": cold, "warm": warm, "rows": rows})
        return results
    finally:
        if server is not None:
            server.__exit__(None, None, None)


def _open_backend(name: str, reference, work: Path):
    """(backend, running server context or None) for a query store."""
    from llmrl_kg.backends import EndpointBackend, OxigraphBackend, OxigraphStoreBackend, RdflibBackend

    if name == "oxigraph":
        return OxigraphBackend(reference), None
    if name == "oxigraph-disk":
        return OxigraphStoreBackend.open(work / "store"), None
    if name == "memory":
        from llmrl_kg.bridge import to_rdflib_graph

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
    from llmrl_kg import stores

    triples = sorted({quad.triple for quad in reference}, key=str)
    seconds, _report = _timed(lambda: stores.push(server.graph_store_url, graph=VIRTUOSO_GRAPH, replace=True,
                                                  protocol="graph-store", triples=triples, timeout=3600))
    print(json.dumps({"store": "virtuoso", "operation": "load", "cold": seconds, "rows": len(triples),
                      "note": "Graph Store protocol, one request"}), file=sys.stderr)
    return EndpointBackend(server.query_url + "?default-graph-uri=" + VIRTUOSO_GRAPH, timeout=600), context


WORKERS = {
    "load-raw": worker_load_raw,
    "load-oxigraph": worker_load_oxigraph,
    "load-disk": worker_load_disk,
    "load-memory": worker_load_memory,
    "validate": worker_validate,
    "reason-owlrl": worker_reason_owlrl,
    "export": worker_export,
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
# The driver: generate, run the workers, print, write CSV and plot.


def spawn(worker: str, size: int, data: Path, work: Path, args, store: str | None = None) -> list[dict]:
    """Run one worker in a fresh process; its results (or one row saying why it failed)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", worker, "--data", str(data),
               "--work", str(work), "--repeat", str(args.repeat)]
    if store:
        command += ["--store", store]
    label = f"{worker}{' ' + store if store else ''}"
    print(f"  {label} ...", end="", flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        print(f" timed out after {args.timeout} s")
        return [{"store": store or worker, "operation": worker, "error": f"timeout {args.timeout} s"}]
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
        return [{"store": store or worker, "operation": worker, "error": reason[:200]}]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    return extra + results


def run_size(size: int, args) -> list[dict]:
    from generate import generate

    data = RESULTS / "data" / f"kg-{size}"
    work = RESULTS / "work" / f"kg-{size}"
    work.mkdir(parents=True, exist_ok=True)
    stats_file = work / "generated.json"
    stats = json.loads(stats_file.read_text()) if stats_file.is_file() else {}
    if stats.get("size") != size or stats.get("seed") != args.seed or not data.is_dir():
        stats = generate(size, data, args.seed)
        stats_file.write_text(json.dumps(stats))
    print(f"size {size}: {stats['total_triples']} asserted triples ({stats['methods']} synthetic methods)")
    rows = []
    rows += spawn("load-raw", size, data, work, args)
    rows += spawn("load-oxigraph", size, data, work, args)
    rows += spawn("load-disk", size, data, work, args)
    if size <= args.rdflib_max:
        rows += spawn("load-memory", size, data, work, args)
    rows += spawn("validate", size, data, work, args)
    if size <= args.owlrl_max:
        rows += spawn("reason-owlrl", size, data, work, args)
    if size <= args.export_max:
        rows += spawn("export", size, data, work, args)
    for store in QUERY_STORES:
        if store == "memory" and size > args.rdflib_max:
            continue
        if store in ("oxigraph-server", "virtuoso") and args.no_servers:
            continue
        rows += spawn("queries", size, data, work, args, store)
    for row in rows:
        row["size"] = size
        row["triples"] = stats["total_triples"]
    return rows


def add_ratios(rows: list[dict]) -> None:
    """ratio = time / the reference's time for the same size, operation and query."""
    reference = {(r["size"], r["operation"], r.get("query", "")): r for r in rows if r.get("store") == "raw"}
    for row in rows:
        ref = reference.get((row["size"], row["operation"], row.get("query", "")))
        if ref is None or "error" in row:
            continue
        for key in ("cold", "warm"):
            if row.get(key) is not None and ref.get(key):
                row[f"ratio_{key}"] = row[key] / ref[key]
        if row["operation"] in ("query", "facets") and row.get("rows") != ref.get("rows"):
            row["note"] = f"{row.get('rows')} rows, the reference has {ref.get('rows')}"


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def print_table(rows: list[dict]) -> None:
    """Per size: one line per operation (and query), one column per store: warm time and ratio."""
    stores = []
    for row in rows:
        if row.get("store") not in stores:
            stores.append(row.get("store"))
    for size in sorted({r["size"] for r in rows}):
        print(f"\n## {size} triples (time, ratio to raw pyoxigraph; queries: warm)")
        lines = {}
        for row in (r for r in rows if r["size"] == size):
            key = (row["operation"], row.get("query", ""))
            if "error" in row:
                cell = row["error"][:20]
            else:
                seconds = row.get("warm", row.get("cold"))
                ratio = row.get("ratio_warm", row.get("ratio_cold"))
                cell = _fmt(seconds) + (f" ×{ratio:.2f}" if ratio is not None and row["store"] != "raw" else "")
                if "rows, the reference has" in row.get("note", ""):
                    cell += " ROWS DIFFER"
            lines.setdefault(key, {})[row["store"]] = cell
        header = ["operation", *stores]
        table = [header] + [[f"{op} {q}".strip()[:42], *(cells.get(s, "") for s in stores)]
                            for (op, q), cells in lines.items()]
        widths = [max(len(str(line[i])) for line in table) for i in range(len(header))]
        for line in table:
            print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)))


def write_csv(rows: list[dict], path: Path) -> None:
    fields = ["size", "triples", "store", "operation", "query", "cold", "warm", "ratio_cold", "ratio_warm",
              "rows", "peak_rss_mb", "note", "error"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})


STORE_COLOURS = {"raw": "black", "oxigraph": "tab:blue", "oxigraph-disk": "tab:cyan", "memory": "tab:red",
                 "oxigraph-server": "tab:green", "virtuoso": "tab:purple", "pyshacl": "tab:orange",
                 "owlrl": "tab:brown", "networkx": "tab:pink"}
OPERATION_STYLES = {"load": ("-", "o"), "reason": ("-.", "s"), "validate": (":", "D"),
                    "export-graphml": ("-", "^"), "query": ("--", "x")}


def plot(rows: list[dict], path: Path) -> None:
    """Log-log time against size: colour = store, line style = operation (queries: all saved ones summed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series: dict[tuple[str, str], dict[int, float]] = {}
    for row in rows:
        if "error" in row or row.get("operation") not in OPERATION_STYLES:
            continue
        points = series.setdefault((row["operation"], row["store"]), {})
        triples = int(row["triples"])
        if row["operation"] == "query":
            points[triples] = points.get(triples, 0.0) + float(row["warm"])
        else:
            points[triples] = float(row["cold"])
    figure, axis = plt.subplots(figsize=(10, 7))
    for (operation, store), points in sorted(series.items()):
        xs = sorted(points)
        style, marker = OPERATION_STYLES[operation]
        label = f"{'all saved queries (warm)' if operation == 'query' else operation}, {store}"
        axis.plot(xs, [points[x] for x in xs], style, marker=marker, color=STORE_COLOURS.get(store, "grey"),
                  label=label)
    sizes = sorted({int(r["triples"]) for r in rows})
    axis.plot(sizes, [1e-5 * s for s in sizes], ":", color="grey", linewidth=0.8, label="linear (10 µs per triple)")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("asserted triples")
    axis.set_ylabel("seconds")
    axis.set_title("llmrl-kg scale benchmark (synthetic KG; colour = store, line = operation)")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=7, loc="upper left", ncol=2)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def read_csv(path: Path) -> list[dict]:
    """The rows of a results.csv, numbers as floats (for --replot)."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            row = {k: v for k, v in row.items() if v != ""}
            for key in ("cold", "warm", "ratio_cold", "ratio_warm"):
                if key in row:
                    row[key] = float(row[key])
            rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per query (median)")
    parser.add_argument("--no-servers", action="store_true", help="skip the Oxigraph server and Virtuoso")
    parser.add_argument("--rdflib-max", type=int, default=10000, help="largest size for --store memory (rdflib)")
    parser.add_argument("--owlrl-max", type=int, default=10000, help="largest size for whole-graph owlrl")
    parser.add_argument("--export-max", type=int, default=1000000, help="largest size for the GraphML export")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per measurement process")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--replot", action="store_true", help="only redraw the plot from OUT/results.csv")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--store", choices=QUERY_STORES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return run_worker(args)

    if args.replot:
        plot(read_csv(args.out / "results.csv"), args.out / "scaling.png")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in sorted(args.sizes):
        rows += run_size(size, args)
    add_ratios(rows)
    print_table(rows)
    write_csv(rows, args.out / "results.csv")
    plot(rows, args.out / "scaling.png")
    print(f"\nwrote {args.out / 'results.csv'} and {args.out / 'scaling.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
