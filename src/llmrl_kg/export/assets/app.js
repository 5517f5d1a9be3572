/* The interactive graph of the page written by `llmrl-kg export html` (inlined into the page).
   Reads the methods view (Cytoscape.js elements) from the JSON block #kg-data; nothing is fetched. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var ROLE_COLOURS = data.roleColours;          // role class CURIE -> colour
  var KIND_STYLE = data.kindStyles;             // node kind -> {colour, shape, label}
  var DOCS = { "readme": "README", "paper-v1": "paper v1" };
  var DETAILS_PROMPT = document.getElementById("details").innerHTML;

  function byId(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // A seeded random number generator (mulberry32): the layout is the same on every load.
  function seeded(seed) {
    return function () {
      seed = (seed + 0x6D2B79F5) | 0;
      var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  var degrees = {};
  data.elements.edges.forEach(function (e) {
    degrees[e.data.source] = (degrees[e.data.source] || 0) + 1;
    degrees[e.data.target] = (degrees[e.data.target] || 0) + 1;
  });
  data.elements.nodes.forEach(function (n) { n.data.degree = degrees[n.data.id] || 0; });

  var cy = cytoscape({
    container: byId("cy"),
    elements: data.elements,
    style: [
      { selector: "node", style: {
        "label": "data(label)", "text-valign": "bottom", "text-margin-y": 2,
        // Sized by degree: GPT-4, used by a dozen methods, is a large node with a readable label.
        "width": "mapData(degree, 1, 24, 12, 48)", "height": "mapData(degree, 1, 24, 12, 48)",
        "font-size": "mapData(degree, 1, 24, 8, 16)", "background-color": "data(colour)", "shape": "data(shape)",
        "border-width": 1, "border-color": "#57606a", "border-opacity": 0.5, "color": "#24292f" } },
      { selector: "node[kind = 'method']", style: { "font-weight": "bold" } },
      { selector: "node[kind = 'class']", style: { "width": 28, "height": 28, "font-size": 11, "shape": "round-rectangle" } },
      { selector: "edge", style: { "width": 1, "line-color": "#c4ccd4", "curve-style": "haystack", "opacity": 0.8 } },
      { selector: "edge[predicate = 'rdfs:subClassOf'], edge[predicate = 'rdf:type']",
        style: { "width": 2, "line-color": "#8c959f" } },
      { selector: ".hidden", style: { "display": "none" } },
      { selector: ".match", style: { "border-width": 4, "border-color": "#cf222e" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#0969da" } }
    ]
  });
  window.llmrl = { cy: cy, data: data };

  var methods = cy.nodes("[kind = 'method']").sort(function (a, b) {
    return a.data("label").localeCompare(b.data("label"));
  });

  // --- controls -----------------------------------------------------------------------------
  function fillSelect(select, options) {
    options.forEach(function (o) { select.appendChild(el("option", { value: o[0] }, o[1])); });
  }
  fillSelect(byId("role-filter"), [["", "All roles"]].concat(data.roles.map(function (r) {
    return [r.id, (r.leaf ? "\u2003" : "") + r.label];
  })));
  fillSelect(byId("ft-filter"), [["", "Any fine-tuning"]].concat(cy.nodes("[kind = 'fine-tuning']").map(function (n) {
    return [n.id(), n.data("label") + " " + (n.data("pref_label") || "")];
  })));
  fillSelect(byId("model-filter"), [["", "Any model"]].concat(cy.nodes("[kind = 'model']").sort(function (a, b) {
    return a.data("label").localeCompare(b.data("label"));
  }).map(function (n) { return [n.id(), n.data("label")]; })));

  var kindBoxes = byId("kinds");
  data.optionalKinds.forEach(function (kind) {
    var box = el("input", { type: "checkbox", value: kind, id: "kind-" + kind });
    if (data.defaultKinds.indexOf(kind) >= 0) { box.checked = true; }
    var label = el("label", { "for": "kind-" + kind });
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + KIND_STYLE[kind].label));
    kindBoxes.appendChild(label);
  });

  // --- legend and method list ---------------------------------------------------------------
  var legend = byId("legend-roles");
  data.roles.filter(function (r) { return r.leaf; }).forEach(function (r) {
    var item = el("li");
    var dot = el("span", { "class": "swatch", style: "background:" + ROLE_COLOURS[r.id] });
    item.appendChild(dot);
    item.appendChild(document.createTextNode(r.label));
    legend.appendChild(item);
  });
  var kindLegend = byId("legend-kinds");
  Object.keys(KIND_STYLE).forEach(function (kind) {
    if (kind === "method") { return; }
    var item = el("li");
    item.appendChild(el("span", { "class": "swatch square", style: "background:" + KIND_STYLE[kind].colour }));
    item.appendChild(document.createTextNode(KIND_STYLE[kind].label));
    kindLegend.appendChild(item);
  });
  var list = byId("method-list");
  methods.forEach(function (n) {
    var item = el("li", { "class": "method-item", "data-id": n.id(), "data-surveyed": String(n.data("surveyed")) });
    item.appendChild(el("span", { "class": "swatch", style: "background:" + n.data("colour") }));
    item.appendChild(document.createTextNode(n.data("label")));
    item.addEventListener("click", function () { select(n); });
    list.appendChild(item);
  });

  // --- filtering ----------------------------------------------------------------------------
  function linked(method, target) { return method.edgesTo(cy.getElementById(target)).length > 0; }
  function matchesRole(method, role) {
    return !role || method.data("role_class") === role || data.groupOf[method.data("role_class")] === role;
  }
  function nodeMatches(n, text) {
    var hay = [n.data("label"), n.data("alt_labels"), n.data("citation"), n.data("pref_label"), n.id()]
      .filter(Boolean).join(" ").toLowerCase();
    return hay.indexOf(text) >= 0;
  }
  // A method matches by its own names, or by a model, benchmark or code it is linked to that matches.
  function matchesSearch(method, text, matchedOthers) {
    if (!text) { return true; }
    return nodeMatches(method, text) || method.outgoers("node").some(function (n) { return matchedOthers.has(n.id()); });
  }
  function apply() {
    var text = byId("search").value.trim().toLowerCase();
    var role = byId("role-filter").value, ft = byId("ft-filter").value, model = byId("model-filter").value;
    var kinds = {};
    Array.prototype.forEach.call(kindBoxes.querySelectorAll("input"), function (b) { kinds[b.value] = b.checked; });
    var matchedOthers = new Set();
    if (text) {
      cy.nodes().forEach(function (n) {
        if (n.data("kind") !== "method" && n.data("kind") !== "class" && nodeMatches(n, text)) { matchedOthers.add(n.id()); }
      });
    }
    var wasHidden = cy.nodes(".hidden");
    cy.batch(function () {
      var shown = 0;
      methods.forEach(function (m) {
        var ok = matchesRole(m, role) && (!ft || linked(m, ft)) && (!model || linked(m, model)) &&
          matchesSearch(m, text, matchedOthers);
        m.toggleClass("hidden", !ok);
        m.toggleClass("match", ok && text.length > 0);
        list.querySelector("[data-id='" + CSS.escape(m.id()) + "']").classList.toggle("hidden", !ok);
        if (ok) { shown += 1; }
      });
      cy.nodes().forEach(function (n) {
        var kind = n.data("kind");
        if (kind === "method") { return; }
        if (kind === "class") { n.removeClass("hidden"); return; }
        var visibleMethod = n.incomers("node[kind = 'method']").filter(function (m) { return !m.hasClass("hidden"); });
        var hide = (!kinds[kind] && !matchedOthers.has(n.id())) || visibleMethod.length === 0;
        n.toggleClass("hidden", hide);
        n.toggleClass("match", !hide && matchedOthers.has(n.id()));
      });
      byId("status").textContent = "Showing " + shown + " of " + methods.length + " methods (" +
        methods.filter(function (m) { return m.data("surveyed"); }).length + " in the survey's tables).";
    });
    placeNear(wasHidden.filter(function (n) { return !n.hasClass("hidden"); }));
  }
  // Nodes that "Also show" (or a search) brings in are put on a small circle around the methods
  // they belong to, not all at one point of the layout.
  function placeNear(nodes) {
    nodes.forEach(function (n, i) {
      var around = n.incomers("node[kind = 'method']").filter(function (m) { return !m.hasClass("hidden"); });
      if (!around.length) { return; }
      var x = 0, y = 0;
      around.forEach(function (m) { x += m.position("x"); y += m.position("y"); });
      var angle = 2.399963 * i;  // the golden angle: neighbours do not land on each other
      n.position({ x: x / around.length + 40 * Math.cos(angle), y: y / around.length + 40 * Math.sin(angle) });
    });
  }
  ["search", "role-filter", "ft-filter", "model-filter"].forEach(function (id) {
    byId(id).addEventListener("input", apply);
    byId(id).addEventListener("change", apply);
  });
  kindBoxes.addEventListener("change", apply);
  byId("reset").addEventListener("click", function () {
    byId("search").value = ""; byId("role-filter").value = ""; byId("ft-filter").value = ""; byId("model-filter").value = "";
    cy.elements().unselect();
    byId("details").innerHTML = DETAILS_PROMPT;
    apply(); layout();
  });
  byId("relayout").addEventListener("click", layout);

  // --- details ------------------------------------------------------------------------------
  function link(href, text) {
    if (!/^https?:\/\//.test(href)) { return document.createTextNode(text || href); }  // only web links are clickable
    return el("a", { href: href, target: "_blank", rel: "noopener" }, text || href);
  }
  function row(table, name, value) {
    var tr = el("tr");
    tr.appendChild(el("th", {}, name));
    var td = el("td");
    if (value instanceof Node) { td.appendChild(value); } else { td.textContent = value || "-"; }
    tr.appendChild(td);
    table.appendChild(tr);
  }
  function valuesFor(method, predicate, doc) {
    return method.outgoers("edge[predicate = '" + predicate + "']").filter(function (e) {
      return !doc || (e.data("stated_in") || "").split(" ").indexOf(doc) >= 0;
    }).map(function (e) { return e.target().data("label"); });
  }
  function showMethod(n) {
    var box = byId("details");
    box.innerHTML = "";
    box.appendChild(el("h2", {}, n.data("label")));
    box.appendChild(el("div", { "class": "muted" }, n.data("role_group") + " \u203a " + n.data("role") +
      (n.data("surveyed") ? "" : " (discussed in the text, not a table row)")));
    var facts = el("table");
    row(facts, "Citation", n.data("citation"));
    row(facts, "Paper", n.data("title") + (n.data("year") ? " (" + n.data("year") + ")" : ""));
    row(facts, "Venue", n.data("venue"));
    if (n.data("arxiv")) { row(facts, "arXiv", link("https://arxiv.org/abs/" + n.data("arxiv"), n.data("arxiv"))); }
    if (n.data("doi")) { row(facts, "DOI", link("https://doi.org/" + n.data("doi").split(" | ")[0], n.data("doi"))); }
    if (n.data("code")) {
      var codes = el("span");
      n.data("code").split(" | ").forEach(function (url, i) { if (i) { codes.appendChild(el("br")); } codes.appendChild(link(url)); });
      row(facts, "Code", codes);
    }
    row(facts, "Benchmarks", valuesFor(n, "llmrl:evaluatedOn").join(", "));
    box.appendChild(facts);
    var cells = n.data("cells") || {};
    if (cells.readme || cells["paper-v1"]) {
      box.appendChild(el("h3", {}, "As the survey's tables print it"));
      var table = el("table");
      var head = el("tr");
      ["", "README", "paper v1"].forEach(function (h) { head.appendChild(el("th", {}, h)); });
      table.appendChild(head);
      ["Model(s)", "FT", "RL role", "Metrics", "FM role", "RL agent", "RL task", "RL setting", "Code"].forEach(function (column) {
        var tr = el("tr");
        tr.appendChild(el("th", {}, column));
        ["readme", "paper-v1"].forEach(function (doc) {
          var value = cells[doc] ? cells[doc][column] : "";
          var td = el("td");
          if (column === "Code" && value && value !== "-") { td.appendChild(link(value, "Link")); } else { td.textContent = value || ""; }
          tr.appendChild(td);
        });
        table.appendChild(tr);
      });
      box.appendChild(table);
    }
    box.appendChild(el("p", { "class": "muted" }, n.data("iri")));
  }
  function showOther(n) {
    var box = byId("details");
    box.innerHTML = "";
    box.appendChild(el("h2", {}, n.data("label")));
    box.appendChild(el("div", { "class": "muted" }, (KIND_STYLE[n.data("kind")] || { label: n.data("kind") }).label +
      (n.data("pref_label") ? ": " + n.data("pref_label") : "")));
    if (n.data("definition")) { box.appendChild(el("p", {}, n.data("definition"))); }
    var users = n.incomers("node[kind = 'method']").sort(function (a, b) { return a.data("label").localeCompare(b.data("label")); });
    if (users.length) {
      box.appendChild(el("h3", {}, "Methods (" + users.length + ")"));
      var ul = el("ul");
      users.forEach(function (m) {
        var docs = m.edgesTo(n).map(function (e) { return e.data("stated_in"); }).filter(Boolean).join(" ");
        var li = el("li", {}, m.data("label") + (docs ? " [" + docs.split(" ").map(function (d) { return DOCS[d] || d; }).join(", ") + "]" : ""));
        li.style.cursor = "pointer";
        li.addEventListener("click", function () { select(m); });
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    box.appendChild(el("p", { "class": "muted" }, n.data("iri")));
  }
  function select(n) {
    cy.elements().unselect();
    n.select();
    if (n.data("kind") === "method") { showMethod(n); } else { showOther(n); }
  }
  cy.on("tap", "node", function (evt) { select(evt.target); });
  window.llmrl.select = function (id) { select(cy.getElementById(id)); };

  function layout() {
    var random = Math.random;
    Math.random = seeded(20250221);  // cose draws its start positions from Math.random
    try {
      cy.elements(":visible").layout({ name: "cose", animate: false, randomize: true, padding: 20,
        nodeRepulsion: function () { return 60000; }, idealEdgeLength: function () { return 70; },
        nodeOverlap: 20, gravity: 0.6, numIter: 2500 }).run();
    } finally {
      Math.random = random;
    }
  }
  apply();
  layout();
  window.llmrl.ready = true;
})();
