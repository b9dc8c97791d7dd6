import { describe, expect, it } from "vitest";
import { createApp } from "../../shared/api/app.js";
import { ApiKeyAuthenticator, generateApiKey } from "../../shared/auth/api-keys.js";
import { createInstantFakeEngine } from "../../shared/engines/fake/instant-fake-engine.js";
import { EngineRegistry } from "../../shared/engines/registry.js";
import { MemoryObjectStore } from "../../shared/store/memory-object-store.js";

function setup() {
  const acme = generateApiKey("acme");
  const other = generateApiKey("other");
  const engines = EngineRegistry.fromConfigs([]);
  engines.register(createInstantFakeEngine({ name: "fake", contextSize: 4096 }));
  const app = createApp({ engines, auth: new ApiKeyAuthenticator([acme.record, other.record]), store: new MemoryObjectStore() });
  const call = (method: string, path: string, body?: unknown, key = acme.key, headers: Record<string, string> = {}) =>
    app.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return { call, other };
}

async function created(call: ReturnType<typeof setup>["call"], body: Record<string, unknown> = {}): Promise<string> {
  const res = await call("POST", "/v1/sirllm/sessions", { engine: "fake", cacheSize: 200, decoding: { maxTokens: 6 }, ...body });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe("/v1/sirllm/sessions", () => {
  it("should create, converse, read, list and delete a session", async () => {
    const { call, other } = setup();
    const id = await created(call);
    const reply = await call("POST", `/v1/sirllm/sessions/${id}/messages`, { content: "hello" });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("server-timing")).toMatch(/^engine;dur=[\d.]+, store;dur=[\d.]+, total;dur=[\d.]+$/);
    const turn = (await reply.json()) as { timings: { totalMs: number; engineMs: number; overheadMs: number } };
    expect(turn).toMatchObject({ session: id, turn: 0, replayed: false, memoryLevel: "token", usage: { replyTokens: 6 } });
    expect(turn.timings.overheadMs).toBeCloseTo(turn.timings.totalMs - turn.timings.engineMs, 2);
    const view = (await (await call("GET", `/v1/sirllm/sessions/${id}`)).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ id, turns: 1, policy: "sirllm", entropy: "paper", memory: { cacheSize: 200 } });
    expect((await call("GET", `/v1/sirllm/sessions/${id}`, undefined, other.key)).status).toBe(404);
    const list = (await (await call("GET", "/v1/sirllm/sessions")).json()) as { sessions: { id: string }[] };
    expect(list.sessions.map((s) => s.id)).toEqual([id]);
    expect((await call("DELETE", `/v1/sirllm/sessions/${id}`)).status).toBe(204);
    expect((await call("GET", `/v1/sirllm/sessions/${id}`)).status).toBe(404);
    expect((await call("POST", `/v1/sirllm/sessions/${id}/messages`, { content: "hello" })).status).toBe(404);
  });

  it("should refuse bad settings and bad messages with 400", async () => {
    const { call } = setup();
    const bad = await call("POST", "/v1/sirllm/sessions", { engine: "fake", cacheSize: 8, sinks: 8 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/sinks/);
    expect((await call("POST", "/v1/sirllm/sessions", { engine: "fake", policy: "lru" })).status).toBe(400);
    expect((await call("POST", "/v1/sirllm/sessions", { engine: "fake", memoryLevel: "kv" })).status).toBe(400);
    const id = await created(call, { cacheSize: 40, sinks: 4, decoding: { maxTokens: 6 } });
    const long = await call("POST", `/v1/sirllm/sessions/${id}/messages`, { content: "x".repeat(200) });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { error: { message: string } }).error.message).toMatch(/cannot fit even after eviction.*refused, not truncated/);
    expect((await call("POST", `/v1/sirllm/sessions/${id}/messages`, { content: "" })).status).toBe(400);
  });

  it("should stream a reply as server-sent events ending with done", async () => {
    const { call } = setup();
    const id = await created(call);
    const res = await call("POST", `/v1/sirllm/sessions/${id}/messages`, { content: "hello", stream: true });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const text = await res.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((m) => ({ event: m[1], data: JSON.parse(m[2]!) }));
    expect(events.at(-1)!.event).toBe("done");
    const deltas = events.filter((e) => e.event === "delta").map((e) => e.data.text).join("");
    expect(deltas).toBe(events.at(-1)!.data.reply);
  });

  it("should answer each of 20 racing messages with 200 or 409, and store exactly the ones answered 200", async () => {
    const { call } = setup();
    const id = await created(call, { cacheSize: 4000 });
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => Promise.resolve(call("POST", `/v1/sirllm/sessions/${id}/messages`, { content: `m${i}` })).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s !== 200 && s !== 409)).toEqual([]);
    const stored = statuses.filter((s) => s === 200).length;
    expect(((await (await call("GET", `/v1/sirllm/sessions/${id}`)).json()) as { turns: number }).turns).toBe(stored);
  });

  it("should choose among options and show memory as JSON and as a locked-down page", async () => {
    const { call } = setup();
    const id = await created(call);
    const res = await call("POST", `/v1/sirllm/sessions/${id}/choices`, { content: "Choose: (A) rock (B) paper", options: [" A", " B"] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { chosen: number; scores: { option: string; logprob: number }[]; reply: string };
    expect(body.scores.map((s) => s.option)).toEqual([" A", " B"]);
    expect(body.reply).toBe([" A", " B"][body.chosen]);
    const memory = (await (await call("GET", `/v1/sirllm/sessions/${id}/memory`)).json()) as { tokens: { text: string; turn: number }[] };
    expect(memory.tokens.map((t) => t.text).join("")).toContain("Choose: (A) rock (B) paper");
    for (const path of [`/v1/sirllm/sessions/${id}/memory.html`, `/v1/sirllm/sessions/${id}/memory?format=html`]) {
      const page = await call("GET", path);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/text\/html/);
      expect(page.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'");
      expect(await page.text()).toContain(id);
    }
  });

  it("should make a create retried with the same Idempotency-Key find the same session", async () => {
    const { call } = setup();
    const body = { engine: "fake", cacheSize: 100, decoding: { maxTokens: 4 } };
    const a = await call("POST", "/v1/sirllm/sessions", body, undefined, { "idempotency-key": "abc" });
    const b = await call("POST", "/v1/sirllm/sessions", body, undefined, { "idempotency-key": "abc" });
    expect([a.status, b.status]).toEqual([201, 200]);
    expect(((await a.json()) as { id: string }).id).toBe(((await b.json()) as { id: string }).id);
  });
});
