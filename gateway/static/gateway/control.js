/* Epiloop Control UI: gateway protocol v3 over one WebSocket. No framework, no build step. */
(function () {
  "use strict";
  const TOKEN_KEY = "epiloop.gatewayToken";
  const $ = (sel) => document.querySelector(sel);
  const el = (tag, attrs, ...kids) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null) node.setAttribute(k, v);
    }
    for (const kid of kids) node.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    return node;
  };

  let ws = null, token = "", nextId = 1, backoff = 1000, reconnectTimer = null, authFailed = false;
  let logCursor = null, logLines = [], logTimer = null, connected = false, configHash = null;
  const pending = new Map();
  const runs = new Map(); // runId -> {node, sessionKey}
  let activeRun = null;

  // ---------- token ----------
  function takeTokenFromUrl() {
    const url = new URL(window.location.href);
    const given = url.searchParams.get("token");
    if (given) {
      localStorage.setItem(TOKEN_KEY, given.trim());
      url.searchParams.delete("token");
      window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    }
    return localStorage.getItem(TOKEN_KEY) || "";
  }

  // ---------- state ----------
  function setState(state, text) {
    const node = $("[data-testid=connection-state]");
    node.dataset.state = state;
    node.textContent = text || state;
    $("#auth").hidden = state === "connected";
  }
  function notice(text, kind) {
    const node = $("#notice");
    node.hidden = !text;
    node.textContent = text || "";
    node.className = "ctl-notice" + (kind ? " " + kind : "");
  }

  // ---------- socket ----------
  function connect() {
    clearTimeout(reconnectTimer);
    if (ws) { ws.onclose = null; ws.close(); }
    token = ($("#token-input").value || "").trim() || token;
    if (!token) { setState("disconnected"); notice("Paste the gateway token to connect."); return; }
    authFailed = false;
    setState("connecting", "connecting…");
    const proto = window.location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(proto + "//" + window.location.host + "/");
    ws.onmessage = (ev) => onFrame(JSON.parse(ev.data));
    ws.onclose = (ev) => onClose(ev);
  }

  function onClose(ev) {
    connected = false;
    clearInterval(logTimer);
    for (const [, p] of pending) p.reject(new Error("connection lost"));
    pending.clear();
    if (authFailed || (ev.code === 1008 && /unauthori[sz]ed/.test(ev.reason || ""))) {
      setState("unauthorized", "wrong token");
      notice("The gateway refused this token. Paste the token from the gateway's start-up output (or gateway.auth.token) and connect again.", "error");
      return;
    }
    if (ev.code === 1008 && ev.reason) {
      setState("disconnected");
      notice("The gateway closed the connection: " + ev.reason + ". Reconnecting…", "error");
    } else {
      setState("disconnected", "disconnected");
      notice("Connection to the gateway lost" + (ev.reason ? " (" + ev.reason + ")" : "") +
        ". Reconnecting in " + Math.round(backoff / 1000) + " s…", "error");
    }
    reconnectTimer = setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 30000);
  }

  function send(method, params) {
    const id = String(nextId++);
    ws.send(JSON.stringify({ type: "req", id, method, params: params || {} }));
    return new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
  }
  const call = (method, params) => send(method, params).catch((err) => { showError(method, err); throw err; });
  function showError(method, err) { notice(method + ": " + (err.message || err), "error"); }

  function onFrame(frame) {
    if (frame.type === "event") return onEvent(frame);
    if (frame.type !== "res") return;
    if (frame.id === "connect") return onHello(frame);
    const p = pending.get(String(frame.id));
    if (!p) return;
    // `agent` answers twice; a first "accepted" answer keeps the request open.
    if (frame.ok && frame.payload && frame.payload.status === "accepted" && p.method === "agent") return;
    pending.delete(String(frame.id));
    if (frame.ok) p.resolve(frame.payload);
    else p.reject(new Error(frame.error ? frame.error.message : "failed"));
  }

  function onEvent(frame) {
    const p = frame.payload || {};
    switch (frame.event) {
      case "connect.challenge":
        ws.send(JSON.stringify({
          type: "req", id: "connect", method: "connect",
          params: {
            minProtocol: 3, maxProtocol: 3,
            client: { id: "openclaw-control-ui", displayName: "Epiloop Control", version: "1", platform: "web", mode: "ui" },
            role: "operator", scopes: ["operator.admin"], auth: { token },
            userAgent: navigator.userAgent,
          },
        }));
        break;
      case "chat": onChat(p); break;
      case "agent": onAgent(p); break;
      case "exec.approval.requested": showApproval(p); break;
      case "exec.approval.resolved": removeApproval(p.id); break;
      case "presence": $("#ov-clients").textContent = String((p.count || (p.presence || []).length) - 1); break;
      case "health": break;
      case "shutdown":
        notice("The gateway is stopping (" + (p.reason || "shutdown") + "). Reconnecting when it is back…", "error");
        break;
    }
  }

  function onHello(frame) {
    if (!frame.ok) {
      const msg = frame.error ? frame.error.message : "refused";
      if (/unauthori[sz]ed/.test(msg)) authFailed = true;
      else notice("Handshake refused: " + msg, "error");
      return;
    }
    connected = true;
    backoff = 1000;
    localStorage.setItem(TOKEN_KEY, token);
    $("#token-input").value = "";
    setState("connected", "connected");
    notice("");
    const hello = frame.payload;
    $("#ov-version").textContent = hello.server.version;
    $("#ov-clients").textContent = String((hello.snapshot.presence || []).length - 1);
    uptimeBase = { ms: hello.snapshot.uptimeMs, at: Date.now() };
    refreshAll();
    loadApprovals();
    logCursor = null; logLines = [];
    pollLog();
    logTimer = setInterval(pollLog, 1000);
  }

  // ---------- panels ----------
  let uptimeBase = null;
  function fmtDuration(ms) {
    const s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24,
      m = Math.floor(s / 60) % 60;
    return (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m " + (s % 60) + "s";
  }
  setInterval(() => {
    if (uptimeBase && connected) $("#ov-uptime").textContent = fmtDuration(uptimeBase.ms + Date.now() - uptimeBase.at);
  }, 1000);
  const ago = (ts) => (ts ? fmtDuration(Date.now() - ts).split(" ").slice(0, 2).join(" ") + " ago" : "–");

  function refreshAll() {
    call("status").then(renderStatus).catch(() => {});
    call("channels.status").then(renderChannels).catch(() => {});
    call("agents.list").then(renderAgents).catch(() => {});
    refreshSessions();
    call("config.get").then(renderConfig).catch(() => {});
    send("usage.cost", { days: 14 }).then(renderUsage).catch(() => renderUsage({ days: [] }));
  }

  let statusProblems = [], restartNeeded = [];
  function renderStatus(s) {
    $("#ov-bind").textContent = (s.bind || "?") + " (" + (s.host || "?") + ":" + (s.port || "?") + ")";
    $("#ov-config").textContent = s.configPath + (s.configValid ? " — valid" : " — INVALID");
    statusProblems = s.configProblems || [];
    restartNeeded = s.restartNeeded || [];
    renderConfigStatus();
  }

  function renderChannels(res) {
    const list = $("#channels");
    list.replaceChildren();
    for (const name of res.channelOrder) {
      const c = res.channels[name] || {};
      const state = c.connected ? el("span", { class: "badge ok" }, "connected")
        : c.running ? el("span", { class: "badge bad" }, "not connected")
        : el("span", { class: "badge" }, c.enabled ? "not running" : "off");
      const bot = c.botUser || c.bot_user || c.username || "";
      const meta = [];
      if (bot) meta.push("bot: " + (typeof bot === "string" ? bot : (bot.name || bot.username || JSON.stringify(bot))));
      if (c.lastError) meta.push("last error: " + c.lastError);
      const lastIn = c.lastInboundAt;
      if (lastIn) meta.push("last message: " + (typeof lastIn === "number" ? ago(lastIn) : lastIn));
      list.append(el("li", { "data-channel": name }, el("strong", {}, res.channelLabels[name] || name), " ", state,
        el("span", { class: "meta" }, meta.join(" · ") || (c.configured ? "configured" : "not configured"))));
    }
  }

  function renderAgents(res) {
    const list = $("#agents");
    list.replaceChildren();
    for (const a of res.agents) {
      const model = a.model && a.model.primary ? a.model.primary : "no model set";
      const fallbacks = a.model && a.model.fallbacks && a.model.fallbacks.length ? " → " + a.model.fallbacks.join(", ") : "";
      list.append(el("li", { "data-agent": a.id }, el("strong", {}, (a.identity && a.identity.emoji ? a.identity.emoji + " " : "") + a.name),
        a.id === res.defaultId ? el("span", { class: "badge" }, "default") : "",
        el("span", { class: "meta" }, a.id + " · " + model + fallbacks)));
    }
  }

  function refreshSessions() {
    return call("sessions.list", { limit: 200 }).then(renderSessions).catch(() => {});
  }
  function renderSessions(res) {
    const body = $("#sessions");
    body.replaceChildren();
    const picker = $("#session-picker");
    const chosen = picker.value;
    picker.replaceChildren(el("option", { value: "main" }, "main"));
    for (const s of res.sessions) {
      if (s.key !== res.defaults.mainSessionKey) picker.append(el("option", { value: s.key }, s.key));
      body.append(el("tr", { "data-session": s.key },
        el("td", {}, el("a", { href: "#chat", onclick: () => openSession(s.key) }, s.displayName || s.key)),
        el("td", {}, s.agentId || ""),
        el("td", {}, ago(s.updatedAt)),
        el("td", { class: "actions" },
          el("button", { type: "button", class: "button small", onclick: () => openSession(s.key) }, "Open"), " ",
          el("button", { type: "button", class: "button small", onclick: () => sessionAction("sessions.reset", s.key) }, "Reset"), " ",
          el("button", { type: "button", class: "button small", onclick: () => sessionAction("sessions.delete", s.key) }, "Delete"))));
    }
    if (!res.sessions.length) body.append(el("tr", {}, el("td", { colspan: "4" }, "No sessions yet.")));
    // A session chosen before the list came back (or not answered yet) stays chosen: a chat
    // sent next must not go to "main" instead.
    if (chosen && ![...picker.options].some((o) => o.value === chosen)) picker.append(el("option", { value: chosen }, chosen));
    picker.value = chosen || "main";
  }
  function sessionAction(method, key) {
    const verb = method === "sessions.reset" ? "Reset" : "Delete";
    if (!window.confirm(verb + " session " + key + "?")) return;
    call(method, { key }).then(() => refreshSessions());
  }

  // ---------- chat ----------
  function transcript() { return $("#chat-transcript"); }
  function addMessage(role, text, cls) {
    const node = el("div", { class: "msg " + role + (cls ? " " + cls : "") });
    setText(node, text);
    transcript().append(node);
    transcript().scrollTop = transcript().scrollHeight;
    return node;
  }
  // Assistant replies are Markdown, rendered as DOM nodes (markdown.js); user text stays plain.
  function setText(node, text) {
    if (node.classList.contains("assistant") && window.EpiloopMarkdown) {
      node.classList.add("md");
      node.replaceChildren(window.EpiloopMarkdown.render(text));
    } else node.textContent = text;
  }
  // ---------- tool calls: one collapsible card each ----------
  function toolCard(id, name, args) {
    const card = el("details", { class: "tool-card running", "data-testid": "tool-card", "data-call": id || "" },
      el("summary", {}, el("span", { class: "tool-name" }, name || "tool"), " ",
        el("span", { class: "tool-args" }, args || ""), " ", el("span", { class: "tool-status" }, "running…")),
      el("pre", { class: "tool-detail" }, args || ""));
    return card;
  }
  function finishCard(card, ok, detail, ms) {
    if (!card) return;
    card.classList.remove("running");
    card.classList.add(ok ? "ok" : "failed");
    card.querySelector(".tool-status").textContent = (ok ? "done" : "failed") + (ms !== undefined ? " in " + ms + " ms" : "");
    if (detail) card.append(el("pre", { class: "tool-result" }, detail));
  }
  function onAgent(p) {
    if (p.stream !== "tool" || !p.data) return;
    let run = runs.get(p.runId);
    if (!run) {
      if (!sessionMatches(p.sessionKey || "")) return;
      run = { node: addMessage("assistant", "", "streaming") };
      runs.set(p.runId, run);
    }
    run.cards = run.cards || {};
    const d = p.data;
    if (d.phase === "start") {
      const card = toolCard(d.toolCallId, d.name, d.args);
      run.cards[d.toolCallId] = card;
      transcript().insertBefore(card, run.node);
    } else if (d.phase === "result") {
      finishCard(run.cards[d.toolCallId], d.ok !== false, d.error || "", d.durationMs);
    }
    transcript().scrollTop = transcript().scrollHeight;
  }
  function showHistory(messages) {
    const cards = {};
    for (const m of messages) {
      if (m.role === "toolResult") {
        finishCard(cards[m.toolCallId], !m.isError, textOf(m));
        continue;
      }
      const role = m.role === "user" ? "user" : "assistant";
      for (const c of m.content || []) {
        if (c.type !== "toolCall") continue;
        const card = toolCard(c.id, c.name, JSON.stringify(c.arguments || {}));
        cards[c.id] = card;
        transcript().append(card);
      }
      const text = textOf(m);
      if (text || role === "user") addMessage(role, text);
    }
  }
  function textOf(message) {
    if (!message) return "";
    if (typeof message.content === "string") return message.content;
    return (message.content || []).filter((c) => c.type === "text").map((c) => c.text).join("");
  }
  function sessionMatches(key) {
    const chosen = $("#session-picker").value;
    return key === chosen || key.endsWith(":" + chosen) && chosen === "main";
  }
  function openSession(key) {
    const picker = $("#session-picker");
    if (![...picker.options].some((o) => o.value === key)) picker.append(el("option", { value: key }, key));
    picker.value = key;
    loadHistory();
  }
  function loadHistory() {
    const key = $("#session-picker").value;
    call("chat.history", { sessionKey: key, limit: 200 }).then((res) => {
      transcript().replaceChildren();
      showHistory(res.messages);
      if (!res.messages.length) transcript().append(el("p", { class: "help" }, "No messages in " + res.sessionKey + " yet."));
    }).catch(() => {});
  }
  function onChat(p) {
    let run = runs.get(p.runId);
    if (!run) {
      if (!sessionMatches(p.sessionKey) && !(activeRun === p.runId)) return;
      run = { node: addMessage("assistant", "", "streaming") };
      runs.set(p.runId, run);
    }
    const text = textOf(p.message);
    if (p.state === "delta") {
      setText(run.node, text);
    } else {
      run.node.classList.remove("streaming");
      setText(run.node, text);
      if (p.state === "aborted") {
        run.node.classList.add("aborted");
        run.node.append(el("span", { class: "state" }, "aborted"));
      } else if (p.state === "error") {
        run.node.classList.add("error");
        run.node.append(el("span", { class: "state" }, "error: " + (p.errorMessage || "the run failed")));
      }
      if (activeRun === p.runId) { activeRun = null; $("#chat-abort").disabled = true; }
      runs.delete(p.runId);
      refreshSessions();
    }
    transcript().scrollTop = transcript().scrollHeight;
  }
  function sendChat(ev) {
    if (ev) ev.preventDefault();
    const input = $("#chat-input");
    const message = input.value.trim();
    if (!message || !connected) return;
    input.value = "";
    transcript().querySelectorAll("p.help").forEach((n) => n.remove());
    addMessage("user", message);
    const node = addMessage("assistant", "", "streaming");
    const idempotencyKey = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
    runs.set(idempotencyKey, { node });
    activeRun = idempotencyKey;
    $("#chat-abort").disabled = false;
    call("chat.send", { sessionKey: $("#session-picker").value, message, idempotencyKey }).then((res) => {
      if (res.runId !== idempotencyKey) { runs.set(res.runId, runs.get(idempotencyKey)); runs.delete(idempotencyKey); activeRun = res.runId; }
    }).catch((err) => {
      node.classList.remove("streaming"); node.classList.add("error");
      node.textContent = "Could not send: " + err.message;
      runs.delete(idempotencyKey); activeRun = null; $("#chat-abort").disabled = true;
    });
  }

  // ---------- log ----------
  function pollLog() {
    if (!connected) return;
    send("logs.tail", logCursor === null ? { limit: 300 } : { cursor: logCursor, limit: 500 }).then((res) => {
      if (res.reset) logLines = [];
      logCursor = res.cursor;
      if (res.lines.length) { logLines = logLines.concat(res.lines).slice(-1000); renderLog(); }
    }).catch(() => {});
  }
  function renderLog() {
    const filter = $("#log-filter").value.toLowerCase();
    const pre = $("#log");
    pre.replaceChildren(...logLines.filter((l) => !filter || l.toLowerCase().includes(filter)).map((l) =>
      el("div", { class: / (ERROR|CRITICAL) /.test(l) ? "err" : / WARNING /.test(l) ? "warn" : "" }, l)));
    if ($("#log-follow").checked) pre.scrollTop = pre.scrollHeight;
  }

  // ---------- config ----------
  let configIssues = [], configValid = null;
  function renderConfig(res) {
    configHash = res.hash;
    $("#config-raw").dataset.hash = res.hash || "";
    configIssues = (res.issues || []).map((i) => i.message);
    configValid = res.valid;
    $("#config-raw").value = res.raw || "";
    renderConfigStatus(res);
  }
  function renderConfigStatus() {
    const box = $("#config-status");
    const problems = [...new Set([...configIssues, ...statusProblems])];
    box.replaceChildren();
    const valid = configValid !== false && !problems.length;
    box.dataset.valid = String(valid);
    box.append(el("span", { class: "badge " + (valid ? "ok" : "bad") }, valid ? "config valid" : "config invalid"));
    if (problems.length) {
      box.append(el("p", {}, "The gateway runs on its last valid config until these are fixed:"));
      const ul = el("ul", {});
      for (const p of problems) ul.append(el("li", { class: "problem" }, p));
      box.append(ul);
    }
    if (restartNeeded.length) {
      box.append(el("p", { class: "restart-needed" },
        "Changed since start, applied after a restart: " + restartNeeded.join(", ")));
    }
  }
  function saveConfig() {
    const out = $("#config-save-result");
    out.textContent = "saving…";
    send("config.set", { raw: $("#config-raw").value, baseHash: configHash }).then((res) => {
      out.textContent = "saved" + (res.restartRequired ? " — gateway.* changes need a restart" : "");
      configHash = res.hash;
      refreshAll();
    }).catch((err) => { out.textContent = err.message; });
  }

  // ---------- usage ----------
  const COLORS = ["#417690", "#79aec8", "#e0a800", "#5b8a3c", "#ba2121", "#7a5195"];
  function renderUsage(res) {
    const box = $("#usage-chart");
    box.replaceChildren();
    const rows = res.days || [];
    if (!rows.length) { box.append(el("p", { class: "help" }, "No usage recorded yet.")); return; }
    const dates = [...new Set(rows.map((r) => r.date))].sort();
    const agents = [...new Set(rows.map((r) => r.agentId))];
    const tokens = (r) => (r.inputTokens || 0) + (r.outputTokens || 0);
    const perDay = dates.map((d) => rows.filter((r) => r.date === d).reduce((a, r) => a + tokens(r), 0));
    const max = Math.max(1, ...perDay);
    const W = 640, H = 220, pad = 36, bw = Math.min(48, (W - pad * 2) / dates.length);
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Tokens per agent per day");
    const add = (tag, attrs, text) => {
      const n = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
      if (text !== undefined) n.textContent = text;
      svg.append(n); return n;
    };
    dates.forEach((d, i) => {
      let y = H - pad;
      agents.forEach((a, j) => {
        const r = rows.find((x) => x.date === d && x.agentId === a);
        if (!r) return;
        const h = (tokens(r) / max) * (H - pad * 2);
        y -= h;
        const rect = add("rect", { x: pad + i * bw + 2, y, width: Math.max(1, bw - 4), height: h, fill: COLORS[j % COLORS.length] });
        const t = document.createElementNS(ns, "title");
        t.textContent = a + " " + d + ": " + tokens(r) + " tokens, $" + (r.costUsd || 0).toFixed(4);
        rect.append(t);
      });
      if (dates.length <= 16) add("text", { x: pad + i * bw + bw / 2, y: H - pad + 14, "font-size": 10, "text-anchor": "middle", fill: "currentColor" }, d.slice(5));
    });
    add("text", { x: 2, y: pad - 8, "font-size": 10, fill: "currentColor" }, max + " tokens");
    add("line", { x1: pad, y1: H - pad, x2: W - pad, y2: H - pad, stroke: "currentColor" });
    box.append(svg);
    const cost = rows.reduce((a, r) => a + (r.costUsd || 0), 0);
    const legend = el("div", { class: "legend" });
    agents.forEach((a, j) => legend.append(el("span", {}, el("i", { style: "background:" + COLORS[j % COLORS.length] }), a)));
    legend.append(el("span", {}, "estimated cost: $" + cost.toFixed(4)));
    box.append(legend);
  }

  // ---------- approvals (a card per pending exec approval) ----------
  const approvalTimers = new Map(); // id -> expiry timer
  function loadApprovals() {
    for (const id of [...approvalTimers.keys()]) removeApproval(id);
    send("exec.approvals.list").then((res) => (res.approvals || []).forEach(showApproval)).catch(() => {});
  }
  function approvalCard(id) { return document.querySelector('[data-testid=approval-card][data-approval-id="' + CSS.escape(id) + '"]'); }
  function showApproval(p) {
    if (!p || !p.id || approvalCard(p.id)) return;
    // The server says when a request expires (its `resolved` event removes the card); this
    // countdown only shows it. Whatever the server lists is still open, so when the clocks
    // disagree so much that it looks expired already, count down its whole lifetime.
    const life = Math.max(0, (p.expiresAtMs || 0) - (p.createdAtMs || 0));
    const left0 = (p.expiresAtMs || 0) - Date.now();
    const expiresAt = Date.now() + (left0 > 0 ? Math.min(left0, life) : life);
    const left = el("span", { class: "meta approval-expiry" });
    const button = (testid, label, decision, cls) => el("button", {
      type: "button", class: "button" + (cls ? " " + cls : ""), "data-testid": testid,
      onclick: () => resolveApproval(p.id, decision),
    }, label);
    const card = el("div", { class: "ctl-approval", "data-testid": "approval-card", "data-approval-id": p.id, role: "alert" },
      el("div", {}, el("strong", {}, (p.tool || "exec") + " wants to run"), " ",
        el("span", { class: "meta" }, "agent " + (p.agentId || "?") + " · " + (p.sessionKey || "") + " · id " + p.id)),
      el("pre", { class: "approval-command", "data-testid": "approval-command" }, p.command || ""),
      el("div", { class: "ctl-row" },
        button("approval-approve", "Approve once", "allow-once", "default"),
        button("approval-always", "Always", "allow-always"),
        button("approval-deny", "Deny", "deny", "approval-deny"), left));
    $("#approvals").append(card);
    $("#approvals-panel").hidden = false;
    const tick = () => {
      const ms = expiresAt - Date.now();
      if (ms <= 0) { removeApproval(p.id); return; }
      left.textContent = "expires in " + fmtDuration(ms).replace(/^0m /, "");
      approvalTimers.set(p.id, setTimeout(tick, Math.min(1000, ms)));
    };
    tick();
  }
  function removeApproval(id) {
    clearTimeout(approvalTimers.get(id));
    approvalTimers.delete(id);
    const card = id ? approvalCard(id) : null;
    if (card) card.remove();
    if (!$("#approvals").children.length) $("#approvals-panel").hidden = true;
  }
  function resolveApproval(id, decision) {
    const card = approvalCard(id);
    if (card) card.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    // Through a promise, so a send on a closed socket is an error here like any other.
    Promise.resolve().then(() => send("exec.approval.resolve", { id, decision }))
      .then(() => removeApproval(id))
      .catch((err) => {
        const msg = err.message || String(err);
        if (/unknown or expired/.test(msg)) removeApproval(id);  // answered elsewhere or timed out
        else if (card) card.querySelectorAll("button").forEach((b) => { b.disabled = false; });
        notice("Approval " + id + ": " + msg, "error");
      });
  }

  // ---------- wiring ----------
  document.addEventListener("DOMContentLoaded", () => {
    token = takeTokenFromUrl();
    $("#token-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      token = $("#token-input").value.trim();
      backoff = 1000;
      connect();
    });
    $("#forget-token").addEventListener("click", () => {
      localStorage.removeItem(TOKEN_KEY); token = "";
      if (ws) { ws.onclose = null; ws.close(); }
      setState("disconnected"); notice("Token forgotten.");
    });
    $("#chat-form").addEventListener("submit", sendChat);
    $("#chat-input").addEventListener("keydown", (ev) => { if (ev.key === "Enter" && !ev.shiftKey) sendChat(ev); });
    $("#chat-abort").addEventListener("click", () => {
      if (activeRun) call("chat.abort", { sessionKey: $("#session-picker").value, runId: activeRun }).catch(() => {});
    });
    $("#session-picker").addEventListener("change", loadHistory);
    $("#sessions-refresh").addEventListener("click", refreshSessions);
    $("#log-filter").addEventListener("input", renderLog);
    $("#config-save").addEventListener("click", saveConfig);
    if (token) connect();
    else { setState("disconnected"); notice("Paste the gateway token to connect."); }
  });
})();
