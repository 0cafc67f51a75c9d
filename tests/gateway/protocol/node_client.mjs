// A protocol-v3 client in Node (undici's WebSocket), shaped like OpenClaw's GatewayClient:
// wait for connect.challenge, connect as the CLI (role, scopes, device block), then call
// methods; `agent` is awaited to its final answer (expectFinal). Prints one JSON line.
const [url, token] = process.argv.slice(2);
const ws = new WebSocket(url);
const pending = new Map();
let next = 1;
const results = {};

function request(method, params, expectFinal = false) {
  const id = `n${next++}`;
  ws.send(JSON.stringify({ type: "req", id, method, params }));
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject, expectFinal }));
}

ws.onmessage = async (ev) => {
  const frame = JSON.parse(ev.data);
  if (frame.type === "event" && frame.event === "connect.challenge") {
    const hello = await request("connect", {
      minProtocol: 3, maxProtocol: 3,
      client: { id: "cli", displayName: "node test", version: "2026.1.24", platform: process.platform, mode: "cli" },
      role: "operator", scopes: ["operator.read", "operator.write", "operator.admin"],
      caps: [], commands: [], permissions: {}, locale: "en-US", userAgent: "openclaw-cli/2026.1.24",
      auth: { token },
      device: { id: "dev-node", publicKey: "AAAA", signature: "sig", signedAt: Date.now(), nonce: frame.payload.nonce },
    });
    results.hello = { type: hello.type, protocol: hello.protocol };
    results.health = (await request("health", {})).ok;
    results.status = typeof (await request("status", {})).version;
    results.configHash = (await request("config.get", {})).hash.length;
    results.sessions = Array.isArray((await request("sessions.list", {})).sessions);
    results.history = Array.isArray((await request("chat.history", { sessionKey: "main" })).messages);
    const agent = await request("agent", { message: "hello from node", idempotencyKey: "node-1" }, true);
    results.agent = { status: agent.status, text: agent.result.payloads[0].text };
    console.log(JSON.stringify(results));
    clearTimeout(timer);
    ws.close();
    return;
  }
  if (frame.type !== "res") return;
  const waiter = pending.get(frame.id);
  if (!waiter) return;
  if (!frame.ok) { pending.delete(frame.id); waiter.reject(new Error(frame.error.message)); return; }
  if (waiter.expectFinal && frame.payload && frame.payload.status === "accepted") return;
  pending.delete(frame.id);
  waiter.resolve(frame.payload);
};
ws.onerror = (e) => { console.error("socket error", e.message); process.exit(2); };
const timer = setTimeout(() => { console.error("timeout", JSON.stringify(results)); process.exit(3); }, 30000);
