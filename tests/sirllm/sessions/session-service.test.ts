import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateSessionSchema, SendMessageSchema, type CreateSessionInput } from "../../../schemas/sirllm-sessions.js";
import { sharedFile } from "../../../shared/config/shared-files.js";
import { createEmbeddedEngine, type EmbeddedEngine } from "../../../shared/engines/embedded/index.js";
import { createInstantFakeEngine } from "../../../shared/engines/fake/instant-fake-engine.js";
import { EngineRegistry } from "../../../shared/engines/registry.js";
import { ConflictError, EngineError, ValidationError } from "../../../shared/errors.js";
import { SessionService } from "../../../shared/sirllm/sessions/session-service.js";
import { SessionStore } from "../../../shared/sirllm/sessions/session-store.js";
import { MemoryObjectStore } from "../../../shared/store/memory-object-store.js";

const T = "acme";
const create = (input: CreateSessionInput) => CreateSessionSchema.parse(input);
const message = (content: string, extra: Record<string, unknown> = {}) => SendMessageSchema.parse({ content, ...extra });

function setup(opts: { poisonToken?: number } = {}) {
  const store = new MemoryObjectStore();
  const engines = EngineRegistry.fromConfigs([]);
  engines.register(createInstantFakeEngine({ name: "fake", contextSize: 4096, ...(opts.poisonToken ? { faults: { poisonToken: opts.poisonToken } } : {}) }));
  return { store, engines, service: new SessionService({ store, engines }) };
}

describe("SessionService on a stateless engine (token level)", () => {
  it("should refuse settings no turn could fit, and kv or reference on a stateless engine", async () => {
    const { service } = setup();
    await expect(service.create(T, create({ engine: "fake", cacheSize: 4, sinks: 4 }))).rejects.toThrow(/sinks \(4\) must be smaller than cacheSize/);
    await expect(service.create(T, create({ engine: "fake", cacheSize: 8192 }))).rejects.toThrow(/exceeds the 4096 tokens a session can hold on engine "fake"/);
    await expect(service.create(T, create({ engine: "fake", cacheSize: 100, decoding: { maxTokens: 96 } }))).rejects.toThrow(/no turn fits/);
    await expect(service.create(T, create({ engine: "fake", memoryLevel: "kv" }))).rejects.toThrow(/only the embedded engine/);
    await expect(service.create(T, create({ engine: "fake", entropy: "reference" }))).rejects.toThrow(/only the embedded engine/);
    await expect(service.create(T, create({ engine: "nope" }))).rejects.toThrow(ValidationError);
  });

  it("should answer a message, store the turn and record level and preset", async () => {
    const { service } = setup();
    const { view, created } = await service.create(T, create({ engine: "fake", cacheSize: 256, decoding: { maxTokens: 8 } }));
    expect(created).toBe(true);
    expect(view).toMatchObject({ memoryLevel: "token", entropy: "paper", policy: "sirllm", cacheSize: 256, turns: 0 });
    const r = await service.sendMessage(T, view.id, message("hello there"));
    expect(r).toMatchObject({ turn: 0, replayed: false, memoryLevel: "token", entropy: "paper", usage: { replyTokens: 8 } });
    expect(r.reply.length).toBeGreaterThan(0);
    const after = await service.view(T, view.id);
    expect(after.turns).toBe(1);
    expect(after.memory.tokens).toBe(r.usage.promptTokens + 8);
  });

  it("should evict before a turn that would overflow, keeping memory within the cache size", async () => {
    const { service } = setup();
    const { view } = await service.create(T, create({ engine: "fake", cacheSize: 120, sinks: 4, decoding: { maxTokens: 10 } }));
    for (let i = 0; i < 12; i++) await service.sendMessage(T, view.id, message(`message number ${i}`));
    const v = await service.view(T, view.id);
    expect(v.turns).toBe(12);
    expect(v.memory.tokens).toBeLessThanOrEqual(120);
    expect(v.memory.evictions).toBeGreaterThan(0);
    const memory = await service.memory(T, view.id);
    expect(memory.tokens.slice(0, 4).map((t) => t.index)).toEqual([0, 1, 2, 3]);
    expect(memory.tokens.every((t) => t.sink === t.index < 4)).toBe(true);
  });

  it("should store exactly one consistent history when 20 messages race on one session", async () => {
    const { service, store } = setup();
    const { view } = await service.create(T, create({ engine: "fake", cacheSize: 4096, decoding: { maxTokens: 4 } }));
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        for (;;) {
          try {
            return await service.sendMessage(T, view.id, message(`racer ${i}`));
          } catch (error) {
            if (!(error instanceof ConflictError)) throw error;
            conflicts++;
          }
        }
      }),
    );
    expect(conflicts).toBeGreaterThan(0);
    const { session } = await new SessionStore(store).load(T, view.id);
    expect(session.state.turnCount).toBe(20);
    // Every racer's message is stored once, and memory is exactly the transcripts' tokens in turn order.
    const transcripts = [];
    for (let turn = 0; turn < 20; turn++) {
      const key = `t/${T}/sirllm/session-turns/${view.id}/${String(turn).padStart(8, "0")}.json`;
      transcripts.push((await store.getJson(key, (await import("../../../schemas/sirllm-sessions.js")).TurnTranscriptSchema)));
    }
    expect(new Set(transcripts.map((t) => t.content)).size).toBe(20);
    expect(session.state.tokens).toEqual(transcripts.flatMap((t) => t.tokens));
    expect(session.state.turns).toEqual(transcripts.flatMap((t) => t.tokens.map(() => t.turn)));
  });

  it("should leave the stored memory untouched when the engine fails mid-turn", async () => {
    const poison = 3 + ("!".charCodeAt(0) % 253);
    const { service, store } = setup({ poisonToken: poison });
    const { view } = await service.create(T, create({ engine: "fake", cacheSize: 512, decoding: { maxTokens: 4 } }));
    await service.sendMessage(T, view.id, message("fine"));
    const key = `t/${T}/sirllm/sessions/${view.id}`;
    const before = await store.getBytes(key);
    await expect(service.sendMessage(T, view.id, message("boom!"))).rejects.toThrow(EngineError);
    const after = await store.getBytes(key);
    expect(after.etag).toBe(before.etag);
    expect(Buffer.from(after.body).equals(Buffer.from(before.body))).toBe(true);
    expect((await service.view(T, view.id)).turns).toBe(1);
  });

  it("should lose nothing stored when the process dies between the engine call and the save", async () => {
    const { service, store } = setup();
    const { view } = await service.create(T, create({ engine: "fake", cacheSize: 512, decoding: { maxTokens: 4 } }));
    await service.sendMessage(T, view.id, message("first"));
    const key = `t/${T}/sirllm/sessions/${view.id}`;
    const before = await store.getBytes(key);
    const original = store.compareAndSwap.bind(store);
    store.compareAndSwap = async () => {
      throw new Error("process killed before the write");
    };
    await expect(service.sendMessage(T, view.id, message("second", { turn: 1 }))).rejects.toThrow(/killed/);
    store.compareAndSwap = original;
    expect((await store.getBytes(key)).etag).toBe(before.etag);
    // The client's retry of the same turn runs it once.
    const retried = await service.sendMessage(T, view.id, message("second", { turn: 1 }));
    expect(retried).toMatchObject({ turn: 1, replayed: false });
    expect((await service.view(T, view.id)).turns).toBe(2);
  });

  it("should answer a retried turn from its transcript instead of running it again", async () => {
    const { service } = setup();
    const { view } = await service.create(T, create({ engine: "fake", cacheSize: 512, decoding: { maxTokens: 4 } }));
    const first = await service.sendMessage(T, view.id, message("once", { turn: 0 }));
    const again = await service.sendMessage(T, view.id, message("once", { turn: 0 }));
    expect(again).toMatchObject({ turn: 0, replayed: true, reply: first.reply });
    expect((await service.view(T, view.id)).turns).toBe(1);
    await expect(service.sendMessage(T, view.id, message("later", { turn: 5 }))).rejects.toThrow(/is at turn 1/);
  });

  it("should make create idempotent under an Idempotency-Key, and list and delete sessions", async () => {
    const { service, store } = setup();
    const a = await service.create(T, create({ engine: "fake", cacheSize: 128, decoding: { maxTokens: 4 } }), "key-1");
    const b = await service.create(T, create({ engine: "fake", cacheSize: 128, decoding: { maxTokens: 4 } }), "key-1");
    expect(b.view.id).toBe(a.view.id);
    expect(b.created).toBe(false);
    await expect(service.create(T, create({ engine: "fake", cacheSize: 256, decoding: { maxTokens: 4 } }), "key-1")).rejects.toThrow(/was used to create session .* with other settings/);
    const c = await service.create(T, create({ engine: "fake", cacheSize: 128, decoding: { maxTokens: 4 } }));
    await service.sendMessage(T, c.view.id, message("hi"));
    const page = await service.list(T, 1);
    expect(page.sessions).toHaveLength(1);
    const rest = await service.list(T, 10, page.nextCursor!);
    expect([...page.sessions, ...rest.sessions].map((s) => s.id).sort()).toEqual([a.view.id, c.view.id].sort());
    await service.delete(T, c.view.id);
    await service.delete(T, c.view.id);
    const keys: string[] = [];
    for await (const o of store.list(`t/${T}/sirllm/`)) keys.push(o.key);
    expect(keys.some((k) => k.includes(c.view.id))).toBe(false);
    await expect(service.view(T, c.view.id)).rejects.toThrow(/not found/);
  });

  it("should render turns with the model's own chat template where the engine carries one, else vicuna", async () => {
    const store = new MemoryObjectStore();
    const engines = EngineRegistry.fromConfigs([]);
    const own = { jinja: "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}{% if add_generation_prompt %}<bot>{% endif %}" };
    engines.register(Object.assign(createInstantFakeEngine({ name: "templated" }), { modelChatTemplate: () => own }));
    engines.register(createInstantFakeEngine({ name: "plain" }));
    const service = new SessionService({ store, engines });
    const templated = await service.create(T, create({ engine: "templated", cacheSize: 256, decoding: { maxTokens: 2 } }));
    expect(templated.view.template).toEqual(own);
    await service.sendMessage(T, templated.view.id, message("hi"));
    const memory = await service.memory(T, templated.view.id);
    expect(memory.tokens.map((t) => t.text).join("")).toMatch(/^<user>hi<bot>/);
    const plain = await service.create(T, create({ engine: "plain", cacheSize: 256, decoding: { maxTokens: 2 } }));
    expect(plain.view.template).toBe("vicuna");
    await expect(service.create(T, create({ engine: "plain", template: "model" }))).rejects.toThrow(/carries no chat template of its own/);
    expect((await service.create(T, create({ engine: "templated", template: "chatml", cacheSize: 256, decoding: { maxTokens: 2 } }))).view.template).toBe("chatml");
  });

  it("should score options by their first token and store the chosen one", async () => {
    const { service } = setup();
    const { view } = await service.create(T, create({ engine: "fake", cacheSize: 512, decoding: { maxTokens: 4 } }));
    const r = await service.sendChoice(T, view.id, { content: "Pick one.", options: [" A", " B", " C"], rule: "logprob" });
    expect(r.scores).toHaveLength(3);
    const best = r.scores!.reduce((b, s, i) => (s.logprob > r.scores![b]!.logprob ? i : b), 0);
    expect(r.chosen).toBe(best);
    expect(r.reply).toBe([" A", " B", " C"][best]);
    const memory = await service.memory(T, view.id);
    expect(memory.tokens.at(-1)!.token).toBe(3 + (r.reply.charCodeAt(1) % 253));
  });
});

describe("SessionService on the embedded engine (kv level)", () => {
  let engine: EmbeddedEngine;
  beforeAll(async () => {
    engine = await createEmbeddedEngine({ name: "local", modelPath: sharedFile("models/stories260K.gguf") });
  });
  afterAll(() => engine.close());

  it("should keep the session's KV cache resident and equal to its stored memory across turns", async () => {
    const store = new MemoryObjectStore();
    const engines = EngineRegistry.fromConfigs([]);
    engines.register(engine);
    const service = new SessionService({ store, engines });
    const { view } = await service.create(T, create({ engine: "local", cacheSize: 160, sinks: 4, decay: 0.9, decoding: { maxTokens: 16 } }));
    expect(view.memoryLevel).toBe("kv");
    expect(view.template).toBe("vicuna"); // stories260K's GGUF carries no chat template
    expect(engine.modelChatTemplate?.()).toBeNull();
    for (let i = 0; i < 8; i++) await service.sendMessage(T, view.id, message(`Tell me about Tim and the ${["dog", "cat", "ball", "tree"][i % 4]}.`));
    const { session } = await new SessionStore(store).load(T, view.id);
    expect(session.state.evictions).toBeGreaterThan(0);
    const held = await engine.withSequence(async (a) => ({ tokens: [...a.sequence.contextTokens], resident: a.resident }), { owner: `${T}/${view.id}` });
    expect(held.resident).toBe(true);
    // The last reply token is evaluated at the next turn; everything before it is in the KV cache, in memory order.
    expect(held.tokens).toEqual(session.state.tokens.slice(0, held.tokens.length));
    expect(held.tokens.length).toBeGreaterThanOrEqual(session.state.tokens.length - 1);
  });
});
