/* A small Markdown renderer for chat replies. It builds DOM nodes and sets only text, never
   HTML, so a reply cannot inject markup; links keep http(s) and mailto targets only and open
   with rel="noopener noreferrer". Covers what models write: paragraphs, headings, fenced code,
   lists, quotes, rules, inline code, bold, italics, links. */
(function () {
  "use strict";
  const INLINE = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|\b_([^_\s][^_]*)_\b|\[([^\]]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;
  const SAFE_URL = /^(https?:|mailto:)/i;

  function link(text, href, bare) {
    if (!SAFE_URL.test(href)) return document.createTextNode(text);
    const a = document.createElement("a");
    a.href = href;
    a.rel = "noopener noreferrer";
    a.target = "_blank";
    if (bare) a.textContent = text;
    else a.append(...inline(text));
    return a;
  }

  function wrap(tag, text) {
    const node = document.createElement(tag);
    node.append(...inline(text));
    return node;
  }

  function inline(text) {
    const out = [];
    const re = new RegExp(INLINE.source, "g"); // its own: bold and links recurse into inline()
    let last = 0;
    for (let m; (m = re.exec(text)); ) {
      if (m.index > last) out.push(document.createTextNode(text.slice(last, m.index)));
      if (m[2] !== undefined) {
        const code = document.createElement("code");
        code.textContent = m[2];
        out.push(code);
      } else if (m[3] !== undefined || m[4] !== undefined) out.push(wrap("strong", m[3] ?? m[4]));
      else if (m[5] !== undefined || m[6] !== undefined) out.push(wrap("em", m[5] ?? m[6]));
      else if (m[7] !== undefined) out.push(link(m[7], m[8]));
      else out.push(link(m[9], m[9], true));
      last = re.lastIndex;
    }
    if (last < text.length) out.push(document.createTextNode(text.slice(last)));
    return out;
  }

  function lines(node, texts) {
    texts.forEach((t, i) => {
      if (i) node.append(document.createElement("br"));
      node.append(...inline(t));
    });
    return node;
  }

  const LIST_ITEM = /^\s{0,3}([-*+]|\d{1,9}[.)])\s+(.*)$/;

  function render(source) {
    const frag = document.createDocumentFragment();
    const rows = String(source || "").replace(/\r\n?/g, "\n").split("\n");
    let i = 0;
    while (i < rows.length) {
      const row = rows[i];
      const fence = row.match(/^\s{0,3}(```+|~~~+)\s*([\w+#.-]*)/);
      if (fence) {
        const body = [];
        i++;
        while (i < rows.length && !rows[i].trim().startsWith(fence[1])) body.push(rows[i++]);
        i++; // the closing fence (or the end of a reply still streaming)
        const pre = document.createElement("pre");
        const code = document.createElement("code");
        if (fence[2]) code.dataset.lang = fence[2];
        code.textContent = body.join("\n");
        pre.append(code);
        frag.append(pre);
        continue;
      }
      if (!row.trim()) { i++; continue; }
      const heading = row.match(/^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/);
      if (heading) {
        frag.append(wrap("h" + Math.min(6, heading[1].length + 2), heading[2]));
        i++;
        continue;
      }
      if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(row)) {
        frag.append(document.createElement("hr"));
        i++;
        continue;
      }
      if (/^\s{0,3}>/.test(row)) {
        const quoted = [];
        while (i < rows.length && /^\s{0,3}>/.test(rows[i])) quoted.push(rows[i++].replace(/^\s{0,3}>\s?/, ""));
        const q = document.createElement("blockquote");
        q.append(render(quoted.join("\n")));
        frag.append(q);
        continue;
      }
      const item = row.match(LIST_ITEM);
      if (item) {
        const ordered = /\d/.test(item[1]);
        const list = document.createElement(ordered ? "ol" : "ul");
        if (ordered && parseInt(item[1], 10) !== 1) list.start = parseInt(item[1], 10);
        while (i < rows.length) {
          const m = rows[i].match(LIST_ITEM);
          if (m && /\d/.test(m[1]) === ordered) {
            list.append(wrap("li", m[2]));
          } else if (rows[i].trim() && /^\s+/.test(rows[i]) && list.lastChild) {
            list.lastChild.append(document.createElement("br"), ...inline(rows[i].trim()));
          } else break;
          i++;
        }
        frag.append(list);
        continue;
      }
      const para = [];
      while (i < rows.length && rows[i].trim() && !LIST_ITEM.test(rows[i]) &&
             !/^\s{0,3}(```|~~~|#{1,6}\s|>)/.test(rows[i])) para.push(rows[i++]);
      frag.append(lines(document.createElement("p"), para));
    }
    return frag;
  }

  window.EpiloopMarkdown = { render };
})();
