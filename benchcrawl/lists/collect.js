// Collect the rendered layout of the page for benchcrawl.lists.layout: one call, plain data
// out. Every visible <a href> with its box (page coordinates), font, colour and its DOM
// path (element numbers from <html> down); and the element ancestry of the page's visible
// text, for the content region. Nothing here decides anything: the scoring is Python's.
() => {
  const ids = new Map();
  const nodes = [];
  const idOf = (el) => {
    let id = ids.get(el);
    if (id === undefined) {
      id = nodes.length;
      ids.set(el, id);
      nodes.push(el);
    }
    return id;
  };
  const pathOf = (el) => {
    const path = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) path.push(idOf(e));
    return path.reverse();
  };
  const visible = (el) =>
    typeof el.checkVisibility === "function"
      ? el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })
      : el.getClientRects().length > 0;
  const sx = window.scrollX, sy = window.scrollY;
  const links = [];
  for (const a of document.querySelectorAll("a[href]")) {
    if (!visible(a)) continue;
    const r = a.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    // a link wrapped over lines: its first and last line boxes, beside the union
    const rects = Array.from(a.getClientRects()).filter((q) => q.width >= 1 && q.height >= 1);
    const f = rects.length ? rects[0] : r, l = rects.length ? rects[rects.length - 1] : r;
    const cs = getComputedStyle(a);
    links.push({
      href: a.href,
      text: (a.innerText || a.getAttribute("title") || "").trim().slice(0, 300),
      x: r.left + sx, y: r.top + sy, w: r.width, h: r.height,
      first: [f.left + sx, f.top + sy, f.width, f.height],
      last: [l.left + sx, l.top + sy, l.width, l.height],
      font_size: parseFloat(cs.fontSize) || 0,
      font_weight: parseInt(cs.fontWeight, 10) || 400,
      color: cs.color,
      path: pathOf(a),
    });
  }
  // Visible text, counted up every ancestor: chars in and outside links per element.
  const text = new Map();
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(), seen = 0; n && seen < 200000; n = walker.nextNode(), seen++) {
    const chars = n.data.replace(/\s+/g, " ").trim().length;
    const parent = n.parentElement;
    if (!chars || !parent || !visible(parent)) continue;
    const tag = parent.tagName;
    if (tag === "SCRIPT" || tag === "STYLE" || tag === "NOSCRIPT") continue;
    const inLink = parent.closest("a[href]") !== null;
    for (let e = parent; e && e.nodeType === 1; e = e.parentElement) {
      let t = text.get(e);
      if (!t) { t = [0, 0]; text.set(e, t); }
      t[inLink ? 1 : 0] += chars;
    }
  }
  const blocks = [];
  const root = document.body || document.documentElement;
  const total = (text.get(root) || [0, 0])[0];
  for (const [el, [plain, linked]] of text) {
    if (plain < total * 0.3) continue;
    const r = el.getBoundingClientRect();
    blocks.push({
      path: pathOf(el),
      tag: el.tagName.toLowerCase(),
      css: cssPath(el),
      x: r.left + sx, y: r.top + sy, w: r.width, h: r.height,
      text_chars: plain, link_chars: linked,
    });
  }
  function cssPath(el) {
    const parts = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      if (e.id && /^[A-Za-z][\w-]*$/.test(e.id)) { parts.push(e.tagName.toLowerCase() + "#" + e.id); break; }
      let part = e.tagName.toLowerCase();
      const parent = e.parentElement;
      if (parent) {
        const same = Array.from(parent.children).filter((c) => c.tagName === e.tagName);
        if (same.length > 1) part += ":nth-of-type(" + (same.indexOf(e) + 1) + ")";
      }
      parts.push(part);
    }
    return parts.reverse().join(" > ");
  }
  const de = document.documentElement;
  return {
    url: location.href,
    viewport_width: window.innerWidth,
    viewport_height: window.innerHeight,
    page_width: Math.max(de.scrollWidth, de.clientWidth),
    page_height: Math.max(de.scrollHeight, de.clientHeight),
    links: links,
    blocks: blocks,
  };
}
