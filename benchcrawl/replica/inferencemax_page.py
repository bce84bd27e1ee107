"""HTML + plain JavaScript of the replica dashboard page."""

from __future__ import annotations

import json
from typing import Any

VARIANTS = ("combobox", "select")

PAGE_TEMPLATE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>InferenceMAX by SemiAnalysis</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#0b0d12;color:#e6e6e6}
header,main{padding:12px 24px}
.controls{display:flex;gap:24px;margin-bottom:16px}
.control{position:relative;display:flex;flex-direction:column;gap:4px}
.control button,.control select{min-width:200px;padding:6px 10px;text-align:left;
  background:#161a22;color:inherit;border:1px solid #333;border-radius:6px}
.control ul{position:absolute;top:100%;left:0;z-index:10;margin:2px 0 0;padding:4px 0;
  list-style:none;min-width:200px;background:#161a22;border:1px solid #333;border-radius:6px}
.control li{padding:6px 10px;cursor:pointer}
.control li[aria-selected="true"]{font-weight:bold}
.control li:hover{background:#262b36}
section{margin:12px 0;padding:12px;border:1px solid #222;border-radius:8px}
.error{color:#ff6b6b}
</style>
</head>
<body>
<header><h1>InferenceMAX</h1><p>Open-source continuous inference benchmark</p></header>
<main id="app"><div class="loading" aria-busy="true">Loading&hellip;</div></main>
<script>
(function () {
  "use strict";
  var CONFIG = /*__CONFIG__*/;
  var state = {model: CONFIG.defaultModel, sequence: CONFIG.defaultSequence, seq: 0};
  var openList = null;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function slugOf(list, label) {
    for (var i = 0; i < list.length; i++) if (list[i][0] === label) return list[i][1];
    return null;
  }
  function dataUrl(kind) {
    return "/data/inference-performance/" + slugOf(CONFIG.models, state.model) + "-" +
      slugOf(CONFIG.sequences, state.sequence) + "-" + kind + ".json";
  }

  function closeList() {
    if (!openList) return;
    openList.button.setAttribute("aria-expanded", "false");
    openList.list.remove();
    openList = null;
  }
  function comboControl(id, label, options, key) {
    var wrap = el("div", {"class": "control"});
    wrap.appendChild(el("span", {id: id + "-label", "class": "label"}, label));
    var button = el("button", {id: id + "-button", type: "button", role: "combobox",
      "aria-haspopup": "listbox", "aria-expanded": "false", "aria-labelledby": id + "-label",
      "aria-controls": id + "-listbox"}, state[key]);
    button.addEventListener("click", function (ev) {
      ev.stopPropagation();
      var wasOpen = openList && openList.button === button;
      closeList();
      if (wasOpen) return;
      var list = el("ul", {id: id + "-listbox", role: "listbox", "aria-labelledby": id + "-label"});
      options.forEach(function (opt) {
        var li = el("li", {role: "option", "aria-selected": String(opt[0] === state[key]),
          "data-value": opt[1]}, opt[0]);
        li.addEventListener("click", function (e) {
          e.stopPropagation();
          closeList();
          button.textContent = opt[0];
          select(key, opt[0]);
          button.focus();
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
  function selectControl(id, label, options, key) {
    var wrap = el("div", {"class": "control"});
    wrap.appendChild(el("label", {"for": id + "-select"}, label));
    var sel = el("select", {id: id + "-select", name: key});
    options.forEach(function (opt) {
      var o = el("option", {value: opt[1]}, opt[0]);
      if (opt[0] === state[key]) o.selected = true;
      sel.appendChild(o);
    });
    sel.addEventListener("change", function () {
      select(key, sel.options[sel.selectedIndex].textContent);
    });
    wrap.appendChild(sel);
    return wrap;
  }

  function select(key, label) {
    if (state[key] === label) return;  // unchanged state: no refetch (like a React effect)
    state[key] = label;
    load();
  }

  function getJson(promise) {
    return promise.then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.text();
    }).then(function (text) {
      var data = JSON.parse(text);
      // Later (Dec 2025) format: [{"data": [...], "gpus": [...]}]
      if (Array.isArray(data) && data.length && data[0] && Array.isArray(data[0].data)) {
        data = data[0].data;
      }
      if (!Array.isArray(data)) throw new Error("unexpected data format");
      return data;
    });
  }
  function load() {
    var token = ++state.seq;
    var title = state.model + " \u2022 " + state.sequence;
    // Both requests start together; interactivity is issued first.
    var inter = getJson(fetch(dataUrl("interactivity"), {cache: "no-store"}));
    var e2e = getJson(fetch(dataUrl("e2e"), {cache: "no-store"}));
    [["interactivity", inter], ["e2e", e2e]].forEach(function (pair) {
      var body = document.getElementById("chart-" + pair[0]);
      body.setAttribute("aria-busy", "true");
      pair[1].then(function (data) {
        if (token === state.seq) render(body, data, title);
      }, function (err) {
        if (token === state.seq) showError(body, err);
      });
    });
  }
  function showError(body, err) {
    body.removeAttribute("aria-busy");
    body.textContent = "";
    body.appendChild(el("p", {"class": "error", role: "alert"},
      "Failed to load data: " + err.message));
  }
  function render(body, data, title) {
    body.removeAttribute("aria-busy");
    body.textContent = "";
    body.appendChild(el("p", {"class": "summary", "data-points": String(data.length)},
      title + ": " + data.length + " points"));
    var W = 640, H = 320, P = 30, NS = "http://www.w3.org/2000/svg";
    var xs = data.map(function (r) { return Number(r.x); }).filter(isFinite);
    var ys = data.map(function (r) { return Number(r.y); }).filter(isFinite);
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = 0, y1 = Math.max.apply(null, ys);
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("width", W); svg.setAttribute("height", H);
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("role", "img");
    data.forEach(function (r) {
      var x = Number(r.x), y = Number(r.y);
      if (!isFinite(x) || !isFinite(y)) return;
      var c = document.createElementNS(NS, "circle");
      c.setAttribute("cx", P + (W - 2 * P) * (x - x0) / ((x1 - x0) || 1));
      c.setAttribute("cy", H - P - (H - 2 * P) * (y - y0) / ((y1 - y0) || 1));
      c.setAttribute("r", 3);
      c.setAttribute("fill", r.tpPerGpu && r.tpPerGpu.roof ? "#4ade80" : "#60a5fa");
      var t = document.createElementNS(NS, "title");
      t.textContent = r.hwKey + " " + r.precision + " tp" + r.tp + " conc" + r.conc;
      c.appendChild(t);
      svg.appendChild(c);
    });
    body.appendChild(svg);
  }

  function hydrate() {
    var app = document.getElementById("app");
    app.textContent = "";
    var controls = el("div", {"class": "controls"});
    var make = CONFIG.variant === "select" ? selectControl : comboControl;
    controls.appendChild(make("model", "Model", CONFIG.models, "model"));
    controls.appendChild(make("sequence", "ISL / OSL", CONFIG.sequences, "sequence"));
    app.appendChild(controls);
    var charts = [["interactivity", "vs. Interactivity"], ["e2e", "vs. End-to-end Latency"]];
    charts.forEach(function (c) {
      var sec = el("section", {id: "section-" + c[0], "aria-labelledby": "heading-" + c[0]});
      sec.appendChild(el("h2", {id: "heading-" + c[0]}, c[1]));
      sec.appendChild(el("div", {id: "chart-" + c[0], "class": "chart"}));
      app.appendChild(sec);
    });
    document.addEventListener("click", closeList);
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") closeList(); });
    if (state.model && state.sequence) load();
  }

  function beacon() {
    try {
      fetch("/_vercel/insights/event", {method: "POST", keepalive: true,
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({o: location.href, ts: Date.now(), type: "pageview"})
      }).catch(function () {});
    } catch (e) { /* analytics must never break the page */ }
  }

  beacon();
  setTimeout(hydrate, CONFIG.hydrateMs);
})();
</script>
</body>
</html>
"""


def render_page(catalog: dict[str, Any], variant: str = "combobox",
                hydrate_delay: float = 0.3) -> str:
    """Page HTML with the catalog (from `data.page_catalog`) embedded in the script."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {VARIANTS}")
    config = {
        "variant": variant,
        "hydrateMs": max(0, round(hydrate_delay * 1000)),
        "models": [list(m) for m in catalog["models"]],
        "sequences": [list(s) for s in catalog["sequences"]],
        "defaultModel": catalog["defaultModel"],
        "defaultSequence": catalog["defaultSequence"],
    }
    # "</" is escaped so catalog labels can never close the script element.
    return PAGE_TEMPLATE.replace("/*__CONFIG__*/", json.dumps(config).replace("</", "<\\/"))
