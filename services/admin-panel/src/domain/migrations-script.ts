/**
 * The migrations page's one script (served as /admin/assets/migrations.js, so the CSP needs no
 * inline script): opens the page's event stream and writes each row's new cells in place with
 * textContent (never markup), announcing a phase change in the page's aria-live region in the
 * page's language (the region's data-phase-changed: the catalogue's words, {name}, {from} and
 * {to} filled here). A migration that appears or disappears reloads the page (the server renders
 * rows). When the
 * stream cannot be had (refused, signed out, too many pages open) it falls back to what the page
 * does without script: a reload every 5 s, which also takes a signed-out admin to sign-in.
 */
export const MIGRATIONS_SCRIPT = `"use strict";
(function () {
  var section = document.getElementById("migrations");
  var live = document.getElementById("migrations-live");
  if (!section || !window.EventSource) return;
  var source = new EventSource(section.getAttribute("data-events"));
  var reloading = false;
  var phaseChanged = live && live.getAttribute("data-phase-changed") || "{name}: {from} \\u2192 {to}";
  function announce(values) {
    return phaseChanged.replace(/\\{(name|from|to)\\}/g, function (whole, field) { return values[field]; });
  }
  function reload(delay) {
    if (reloading) return;
    reloading = true;
    source.close();
    setTimeout(function () { location.reload(); }, delay);
  }
  function rowOf(key) {
    var rows = section.querySelectorAll("tr[data-key]");
    for (var i = 0; i < rows.length; i++) if (rows[i].getAttribute("data-key") === key) return rows[i];
    return null;
  }
  source.addEventListener("row", function (event) {
    var row = JSON.parse(event.data);
    var tr = rowOf(row.key);
    if (!tr) return reload(1000);
    var cells = tr.querySelectorAll("td[data-field]");
    for (var i = 0; i < cells.length; i++) {
      var cell = cells[i], field = cell.getAttribute("data-field"), text = row[field];
      if (typeof text !== "string" || cell.textContent === text) continue;
      if (field === "phase" && live) live.textContent = announce({ name: row.name, from: cell.textContent, to: text });
      cell.textContent = text;
    }
  });
  source.addEventListener("gone", function () { reload(1000); });
  source.addEventListener("error", function () {
    if (source.readyState === EventSource.CLOSED) reload(5000);
  });
})();
`;
