"""HTML + plain JavaScript of the InferenceX (2026) replica page.

Like the real app: controls with visible labels (Model, ISL / OSL, Precision, Run date) that
appear after hydration; state in the URL query (``g_model``, ``g_rundate``, ``i_seq``,
``i_prec``; only non-default values written; a URL with them opens that selection); on load
``/api/v1/availability``, then ``/api/v1/benchmarks?model=<display>&date=<run date>``;
changing ISL / OSL or Precision sends no request, the browser filters the answer itself.
"""

from __future__ import annotations

import json

PAGE_TEMPLATE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>InferenceX by SemiAnalysis</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#0b0d12;color:#e6e6e6}
main{padding:12px 24px}.controls{display:flex;gap:24px;margin-bottom:16px}
.control{position:relative;display:flex;flex-direction:column;gap:4px}
.control button{min-width:180px;padding:6px 10px;text-align:left;background:#161a22;
  color:inherit;border:1px solid #333;border-radius:6px}
.control ul{position:absolute;top:100%;left:0;z-index:10;margin:2px 0 0;padding:4px 0;
  list-style:none;min-width:180px;max-height:320px;overflow:auto;background:#161a22;
  border:1px solid #333;border-radius:6px}
.control li{padding:6px 10px;cursor:pointer}.error{color:#ff6b6b}
</style>
</head>
<body>
<header><h1>InferenceX</h1></header>
<main id="app"><div aria-busy="true">Loading&hellip;</div></main>
<script>
(function () {
  "use strict";
  var CONFIG = /*__CONFIG__*/;
  var SEQS = [["1K / 1K", "1k/1k", 1024, 1024], ["1K / 8K", "1k/8k", 1024, 8192],
              ["8K / 1K", "8k/1k", 8192, 1024], ["Agentic Traces", "agentic-traces", null, null]];
  var PRECS = ["FP8", "FP4", "BF16", "INT4"];
  var q = new URLSearchParams(location.search);
  var state = {model: q.get("g_model") || CONFIG.defaultModel, date: q.get("g_rundate"),
               seq: q.get("i_seq") || "1k/1k", prec: q.get("i_prec") || "fp8",
               dates: {}, token: 0, rows: null, error: null};
  var openList = null, hydrated = false;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function newest(model) { var d = state.dates[model] || []; return d[d.length - 1] || null; }
  function writeUrl() {
    var p = new URLSearchParams();
    if (state.model !== CONFIG.defaultModel) p.set("g_model", state.model);
    if (state.date && state.date !== newest(state.model)) p.set("g_rundate", state.date);
    if (state.seq !== "1k/1k") p.set("i_seq", state.seq);
    if (state.prec !== "fp8") p.set("i_prec", state.prec);
    var s = p.toString();
    history.replaceState(null, "", location.pathname + (s ? "?" + s : ""));
  }
  function closeList() {
    if (!openList) return;
    openList.button.setAttribute("aria-expanded", "false");
    openList.list.remove();
    openList = null;
  }
  function control(id, label, options, current, onPick) {
    var wrap = el("div", {"class": "control"});
    wrap.appendChild(el("span", {id: id + "-label"}, label));
    var button = el("button", {type: "button", role: "combobox", "aria-expanded": "false",
      "aria-haspopup": "listbox", "aria-labelledby": id + "-label"}, current);
    button.addEventListener("click", function (ev) {
      ev.stopPropagation();
      var was = openList && openList.button === button;
      closeList();
      if (was) return;
      var list = el("ul", {role: "listbox", "aria-labelledby": id + "-label"});
      options().forEach(function (o) {
        var li = el("li", {role: "option", "aria-selected": String(o === button.textContent)}, o);
        li.addEventListener("click", function (e) {
          e.stopPropagation();
          closeList();
          button.textContent = o;
          onPick(o);
        });
        list.appendChild(li);
      });
      wrap.appendChild(list);
      button.setAttribute("aria-expanded", "true");
      openList = {button: button, list: list};
    });
    wrap.appendChild(button);
    return wrap;
  }
  function seqLabel() {
    for (var i = 0; i < SEQS.length; i++) if (SEQS[i][1] === state.seq) return SEQS[i][0];
    return SEQS[0][0];
  }
  function load() {
    if (!state.date) return;
    var token = ++state.token, m = state.model, d = state.date;
    fetch("/api/v1/benchmarks?model=" + encodeURIComponent(m) + "&date=" + d)
      .then(function (res) {
        return res.text().then(function (text) {
          if (token !== state.token) return;
          try {
            var data = JSON.parse(text);
            if (!res.ok || !Array.isArray(data)) throw new Error("HTTP " + res.status);
            state.rows = data; state.error = null;
          } catch (e) { state.rows = null; state.error = e.message; }
          render();
        });
      }, function (e) { if (token === state.token) { state.error = e.message; render(); } });
  }
  function render() {
    var out = document.getElementById("chart");
    if (!out) return;
    out.textContent = "";
    if (state.error) {
      out.appendChild(el("p", {"class": "error", role: "alert"}, "Failed: " + state.error));
      return;
    }
    if (!state.rows) { out.setAttribute("aria-busy", "true"); return; }
    out.removeAttribute("aria-busy");
    var seq = SEQS.filter(function (s) { return s[1] === state.seq; })[0] || SEQS[0];
    var shown = state.rows.filter(function (r) {
      return r.isl === seq[2] && r.osl === seq[3] && r.precision === state.prec;
    });
    out.appendChild(el("p", {"class": "summary", "data-points": String(shown.length)},
      state.model + " \u2022 " + state.date + ": " + shown.length + " points"));
  }
  function hydrate() {
    hydrated = true;
    var app = document.getElementById("app");
    app.textContent = "";
    var controls = el("div", {"class": "controls"});
    controls.appendChild(control("model", "Model", function () { return CONFIG.models; },
      state.model, function (m) {
        state.model = m; state.date = newest(m); writeUrl(); rebuild(); load();
      }));
    controls.appendChild(control("seq", "ISL / OSL", function () {
      return SEQS.map(function (s) { return s[0]; });
    }, seqLabel(), function (label) {
      SEQS.forEach(function (s) { if (s[0] === label) state.seq = s[1]; });
      writeUrl(); render();
    }));
    controls.appendChild(control("prec", "Precision", function () { return PRECS; },
      state.prec.toUpperCase(), function (p) {
        state.prec = p.toLowerCase(); writeUrl(); render();
      }));
    controls.appendChild(control("rundate", "Run date", function () {
      return (state.dates[state.model] || []).slice().reverse();
    }, state.date || "", function (d) { state.date = d; writeUrl(); load(); }));
    app.appendChild(controls);
    app.appendChild(el("section", {id: "chart", "aria-busy": "true"}));
    document.addEventListener("click", closeList);
    render();
  }
  function rebuild() {
    var dateButton = document.querySelector("[aria-labelledby=rundate-label][role=combobox]");
    if (dateButton) dateButton.textContent = state.date || "";
  }
  fetch("/api/v1/availability").then(function (r) { return r.json(); }).then(function (list) {
    var sets = {};
    list.forEach(function (e) {
      var display = CONFIG.names[e.model];
      if (!display) return;
      (sets[display] = sets[display] || {})[e.date] = true;
    });
    Object.keys(sets).forEach(function (m) { state.dates[m] = Object.keys(sets[m]).sort(); });
    if (!state.date) state.date = newest(state.model);
    if (hydrated) rebuild();
    load();
  });
  try {
    fetch("/_vercel/insights/event", {method: "POST", keepalive: true,
      body: JSON.stringify({o: location.href})}).catch(function () {});
  } catch (e) { /* analytics never break the page */ }
  setTimeout(hydrate, CONFIG.hydrateMs);
})();
</script>
</body>
</html>
"""


def render_page(
    models: list[str], default_model: str, names: dict[str, str], hydrate_delay: float = 0.3
) -> str:
    """The page, with the Model control's labels and the key -> display table embedded."""
    config = {
        "models": models,
        "defaultModel": default_model,
        "names": names,
        "hydrateMs": max(0, round(hydrate_delay * 1000)),
    }
    # "</" is escaped so no label can close the script element
    return PAGE_TEMPLATE.replace("/*__CONFIG__*/", json.dumps(config).replace("</", "<\\/"))
