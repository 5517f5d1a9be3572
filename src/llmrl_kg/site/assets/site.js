// The llmrl-kg site's own script (part of llmrl-kg, MIT): sortable and filterable tables, and the home page's search.
"use strict";

(function () {
  function cellKey(row, column) {
    const cell = row.cells[column];
    return cell ? cell.textContent.trim() : "";
  }

  function sortBy(table, column, header) {
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    const ascending = header.getAttribute("aria-sort") !== "ascending";
    const numeric = rows.every((r) => /^-?[0-9]+(\.[0-9]+)?$/.test(cellKey(r, column)) || cellKey(r, column) === "");
    rows.sort((a, b) => {
      const x = cellKey(a, column), y = cellKey(b, column);
      const order = numeric ? (parseFloat(x || "0") - parseFloat(y || "0")) : x.localeCompare(y, "en", { sensitivity: "base" });
      return ascending ? order : -order;
    });
    for (const th of table.tHead.rows[0].cells) th.setAttribute("aria-sort", "none");
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    body.append(...rows);
  }

  function setUpTable(table) {
    Array.from(table.tHead.rows[0].cells).forEach((th, column) => {
      const button = th.querySelector("button");
      if (button) button.addEventListener("click", () => sortBy(table, column, th));
    });
  }

  function setUpFilter(input) {
    const table = document.getElementById(input.dataset.filterFor);
    const count = document.querySelector(`[data-count-for="${input.dataset.filterFor}"]`);
    input.addEventListener("input", () => {
      const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      const rows = table.tBodies[0].rows;
      for (const row of rows) {
        const text = row.textContent.toLowerCase();
        const match = words.every((w) => text.includes(w));
        row.hidden = !match;
        if (match) shown += 1;
      }
      if (count) count.textContent = `${shown} of ${rows.length} rows`;
    });
  }

  function setUpSearch() {
    const input = document.getElementById("search");
    const index = document.getElementById("search-index");
    if (!input || !index) return;
    const entries = JSON.parse(index.textContent);
    const results = document.getElementById("search-results");
    const status = document.getElementById("search-status");
    input.addEventListener("input", () => {
      const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      results.replaceChildren();
      if (!words.length) { status.textContent = ""; return; }
      const found = entries.filter((e) => {
        const text = `${e.label} ${e.also} ${e.kind}`.toLowerCase();
        return words.every((w) => text.includes(w));
      });
      for (const entry of found.slice(0, 50)) {
        const item = document.createElement("li");
        const anchor = document.createElement("a");
        anchor.href = entry.path;
        anchor.textContent = entry.label;
        item.append(anchor, document.createTextNode(` (${entry.kind})`));
        results.append(item);
      }
      status.textContent = `${found.length} match${found.length === 1 ? "" : "es"}` + (found.length > 50 ? " (first 50 shown)" : "");
    });
  }

  document.querySelectorAll("table.sortable").forEach(setUpTable);
  document.querySelectorAll("input[data-filter-for]").forEach(setUpFilter);
  setUpSearch();
  window.llmrlSite = { ready: true };
})();
