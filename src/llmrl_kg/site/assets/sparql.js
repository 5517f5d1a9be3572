// The SPARQL page of the llmrl-kg site (part of llmrl-kg, MIT): Oxigraph (WebAssembly) runs the queries.
// Parameter values are bound as N-Triples terms in a VALUES block, each term validated here; never pasted.
import init, * as oxigraph from "./oxigraph/web.js";

const data = JSON.parse(document.getElementById("sparql-data").textContent);
const $ = (id) => document.getElementById(id);
const XSD = "http://www.w3.org/2001/XMLSchema#";
const INTEGER_TYPES = new Set(["integer", "int", "long", "short", "byte", "nonNegativeInteger",
  "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt",
  "unsignedShort", "unsignedByte", "gYear"].map((t) => XSD + t));
const FLOAT_TYPES = new Set(["decimal", "double", "float"].map((t) => XSD + t));
const state = { store: null, saved: null };
window.llmrlSparql = { ready: false, run: null, lastResult: null };

function prefixes() {
  return Object.entries(data.prefixes).map(([p, iri]) => `PREFIX ${p}: <${iri}>`).join("\n") + "\n";
}

// N-Triples terms for the values a user types; null when the value is not acceptable.
function stringTerm(value) {
  return '"' + value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r") + '"';
}
function termFor(parameter, value) {
  switch (parameter.type) {
    case "string": return stringTerm(value);
    case "integer": return /^[+-]?[0-9]{1,18}$/.test(value.trim())
      ? `"${BigInt(value.trim()).toString()}"^^<${XSD}integer>` : null;
    case "boolean": {
      const truth = { true: "true", yes: "true", 1: "true", false: "false", no: "false", 0: "false" };
      const word = truth[value.trim().toLowerCase()];
      return word ? `"${word}"^^<${XSD}boolean>` : null;
    }
    case "iri": return /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]*$/.test(value) ? `<${value}>` : null;
    default: // codes and roles: one of the KG's own IRIs, offered as choices
      return parameter.choices.some((c) => c.term === value) ? value : null;
  }
}

function paramField(parameter) {
  const id = "param-" + parameter.name;
  const wrap = document.createElement("p");
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = `${parameter.name} (${parameter.type})` + (parameter.description ? ` — ${parameter.description}` : "");
  let input;
  if (parameter.choices.length) {
    input = document.createElement("select");
    if (!parameter.defaultTerm) input.append(new Option("(any)", ""));
    for (const choice of parameter.choices) {
      const option = new Option(choice.label, choice.term);
      if (choice.term === parameter.defaultTerm && !input.querySelector("option[selected]")) {
        option.selected = true;
        option.setAttribute("selected", "");
      }
      input.append(option);
    }
  } else {
    input = document.createElement("input");
    input.type = "text";
    input.value = parameter.default ?? "";
  }
  input.id = id;
  input.dataset.param = parameter.name;
  wrap.append(label, document.createElement("br"), input);
  return wrap;
}

function selectSaved(name) {
  const saved = data.queries.find((q) => q.name === name);
  state.saved = saved;
  $("query-text").value = saved.text;
  $("query-about").textContent = `${saved.title}. ${saved.description}` + (saved.question ? ` Example: “${saved.question}”` : "");
  const fields = $("param-fields");
  fields.replaceChildren(...saved.parameters.map(paramField));
  $("params").hidden = saved.parameters.length === 0;
  for (const button of document.querySelectorAll("button.saved")) {
    button.setAttribute("aria-pressed", String(button.dataset.query === name));
  }
}

// The query to run: the saved text with its VALUES block, or the editor's own text.
function queryToRun() {
  const text = $("query-text").value;
  const saved = state.saved;
  if (!saved || text !== saved.text || saved.parameters.length === 0) return { text, hidden: saved && text === saved.text ? saved.parameters.map((p) => p.name) : [] };
  const names = [], terms = [];
  for (const parameter of saved.parameters) {
    const raw = document.querySelector(`[data-param="${parameter.name}"]`).value;
    if (raw === "") {
      if (parameter.required) throw new Error(`the parameter ${parameter.name} needs a value (${parameter.type})`);
      continue;
    }
    const term = termFor(parameter, raw);
    if (term === null) throw new Error(`the parameter ${parameter.name} (${parameter.type}) does not accept ${JSON.stringify(raw)}`);
    names.push("?" + parameter.name);
    terms.push(term);
  }
  const block = names.length ? `\n  VALUES (${names.join(" ")}) { (${terms.join(" ")}) }` : "";
  return { text: text.slice(0, saved.valuesAt) + block + text.slice(saved.valuesAt), hidden: saved.parameters.map((p) => p.name) };
}

// A result term as the CLI's JSON shows it: numbers and years as numbers, booleans, strings.
function plainValue(term) {
  if (term === undefined) return null;
  if (term.type === "bnode") return "_:" + term.value;
  if (term.type === "literal" && term.datatype) {
    if (INTEGER_TYPES.has(term.datatype) && /^[+-]?[0-9]+$/.test(term.value)) return parseInt(term.value, 10);
    if (FLOAT_TYPES.has(term.datatype) && !Number.isNaN(Number(term.value))) return Number(term.value);
    if (term.datatype === XSD + "boolean") return term.value === "true" || term.value === "1";
  }
  return term.value;
}
function cellText(value) {
  return value === null ? "" : typeof value === "boolean" ? (value ? "true" : "false") : String(value);
}
function csvCell(text) {
  return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

function showTable(columns, rows) {
  const table = document.createElement("table");
  table.id = "results-table";
  const caption = table.createCaption();
  caption.textContent = `${rows.length} row${rows.length === 1 ? "" : "s"}`;
  const head = table.createTHead().insertRow();
  for (const column of columns) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = column;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const column of columns) tr.insertCell().textContent = cellText(row[column]);
  }
  $("results").replaceChildren(table);
  const csv = [columns.map(csvCell).join(","), ...rows.map((r) => columns.map((c) => csvCell(cellText(r[c]))).join(","))].join("\n") + "\n";
  const json = JSON.stringify(rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]]))), null, 2) + "\n";
  for (const [id, type, text] of [["download-csv", "text/csv", csv], ["download-json", "application/json", json]]) {
    const anchor = $(id);
    anchor.href = `data:${type};charset=utf-8,` + encodeURIComponent(text);
    anchor.hidden = false;
  }
}

function run() {
  const status = $("query-status");
  try {
    const { text, hidden } = queryToRun();
    const started = performance.now();
    const answer = state.store.query(prefixes() + text, { use_default_graph_as_union: true, results_format: "json" });
    const parsed = typeof answer === "string" && answer.trim().startsWith("{") ? JSON.parse(answer) : null;
    if (parsed && "boolean" in parsed) {
      $("results").replaceChildren(document.createTextNode(`Answer: ${parsed.boolean}`));
      window.llmrlSparql.lastResult = { boolean: parsed.boolean };
    } else if (parsed) {
      const columns = parsed.head.vars.filter((v) => !hidden.includes(v));
      const rows = parsed.results.bindings.map((b) => Object.fromEntries(columns.map((c) => [c, plainValue(b[c])])));
      showTable(columns, rows);
      window.llmrlSparql.lastResult = { columns, rows };
    } else {
      const pre = document.createElement("pre");
      pre.textContent = String(answer);
      $("results").replaceChildren(pre);
      window.llmrlSparql.lastResult = { text: String(answer) };
    }
    status.textContent = `Done in ${Math.round(performance.now() - started)} ms.`;
  } catch (error) {
    $("results").replaceChildren();
    window.llmrlSparql.lastResult = { error: String(error.message || error) };
    status.textContent = "Error: " + (error.message || error);
  }
}

async function start() {
  for (const button of document.querySelectorAll("button.saved")) {
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => selectSaved(button.dataset.query));
  }
  $("query-text").addEventListener("input", () => { if (state.saved && $("query-text").value !== state.saved.text) $("params").hidden = true; });
  $("query-form").addEventListener("submit", (event) => { event.preventDefault(); run(); });
  try {
    await init();
    const response = await fetch(new URL("../" + data.kgFile, import.meta.url));
    if (!response.ok) throw new Error(`cannot read ${data.kgFile} (HTTP ${response.status})`);
    state.store = new oxigraph.Store();
    state.store.load(await response.text(), { format: "application/n-quads" });
    $("engine-status").textContent = `Ready: ${state.store.size} quads loaded.`;
    $("run").disabled = false;
    window.llmrlSparql.run = run;
    window.llmrlSparql.ready = true;
  } catch (error) {
    $("engine-status").textContent = "The query engine could not start: " + (error.message || error) +
      " (open the site over HTTP, e.g. with `llmrl-kg site --serve`)";
  }
}

start();
