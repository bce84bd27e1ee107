// The monitor page's one script (the CSP allows no other): every few seconds it asks
// /api/live (the session cookie signs it in) and redraws the workers, the open sweeps'
// progress and the schedulers' next ticks in place. Text only (textContent, never HTML):
// what it shows was read from a shared Redis. Without it the page refreshes itself.
"use strict";

(function () {
  const every = Math.max(1, Number(document.body.dataset.poll) || 3) * 1000;
  const status = document.getElementById("live-status");

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function row(cells) {
    const tr = el("tr");
    for (const cell of cells) tr.appendChild(typeof cell === "object" ? cell : el("td", cell));
    return tr;
  }

  function num(value) {
    return el("td", value, "num");
  }

  function workers(nodes) {
    const section = document.getElementById("workers");
    const body = document.getElementById("workers-body");
    body.replaceChildren(
      ...nodes.map((n) => {
        const tr = row([
          n.spider,
          n.node,
          el("td", n.worker_state, "worker-" + n.worker_state),
          el("td", n.doing, "doing"),
          n.for_text,
        ]);
        tr.dataset.node = n.spider + "/" + n.node;
        return tr;
      })
    );
    section.querySelector("table").hidden = nodes.length === 0;
    section.querySelector(".none").hidden = nodes.length > 0;
  }

  function sweeps(list) {
    const box = document.getElementById("sweeps");
    if (!box) return;
    if (list.length === 0) {
      box.replaceChildren(el("p", "No sweep record in Redis.", "muted"));
      return;
    }
    box.replaceChildren(
      ...list.map((s) => {
        const div = el("div", undefined, "sweep");
        const p = el("p", "Sweep " + s.sweep_id + " (" + s.spider + "): ");
        p.appendChild(el("strong", s.status));
        let text = ", " + s.accounted + " of " + (s.planned >= 0 ? s.planned : "?");
        text += " combinations done";
        if (s.failed) text += ", " + s.failed + " failed";
        if (s.detail) text += ": " + s.detail;
        p.appendChild(document.createTextNode(text));
        div.appendChild(p);
        if (s.workers.length) {
          const table = el("table");
          const head = el("thead");
          head.appendChild(row([el("th", "worker"), el("th", "took"), el("th", "finished")]));
          const body = el("tbody");
          for (const w of s.workers) body.appendChild(row([w.worker, num(w.taken), num(w.finished)]));
          table.append(head, body);
          div.appendChild(table);
        }
        return div;
      })
    );
  }

  function nextTicks(list) {
    const box = document.getElementById("next-ticks");
    if (!box || list.length === 0) return; // the server's line stays ("no run recorded")
    box.replaceChildren(
      ...list.map((sc) => {
        const p = el("p", "Scheduler (" + sc.spider + "): ");
        if (sc.next_text) {
          p.appendChild(el("strong", sc.next_text));
          if (sc.cron) p.append(" ", el("span", "cron " + sc.cron, "muted"));
        } else if (sc.next) {
          p.append("next tick ", el("strong", sc.next));
        } else {
          p.appendChild(el("span", "no scheduler running", "muted"));
        }
        return p;
      })
    );
  }

  async function poll() {
    let response;
    try {
      response = await fetch("/api/live", {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch (e) {
      status.textContent = "cannot reach the monitor; trying again";
      setTimeout(poll, every);
      return;
    }
    if (response.status === 401) {
      status.textContent = "signed out: reload the page to sign in again";
      return; // no more polling without a session
    }
    if (response.ok) {
      const live = await response.json();
      workers(live.nodes);
      sweeps(live.sweeps);
      nextTicks(live.schedules);
      status.textContent = "updated " + new Date().toLocaleTimeString();
    } else {
      status.textContent = "the monitor answered " + response.status + "; trying again";
    }
    setTimeout(poll, every);
  }

  setTimeout(poll, every);
})();
