/**
 * `npm run bench:sirllm`: what SirLLM sessions cost beyond the engine, what their memory costs to store, and what
 * the memory level changes, in one run:
 *
 * 1. **Per-turn overhead on the local stack** (HTTP API, emulated S3, the embedded engine at the `kv` level): each
 *    turn's wall time at the client less the engine's time on memory (the turn's `timings.engineMs`), p50/p95. It
 *    covers the HTTP round trip, reading the session and its config, tokenizing, the eviction step, the
 *    compare-and-swap commit and the transcript write. Target: p50 < 20 ms.
 * 2. **Stored bytes per kept token**: the session's memory object after the run, and encoded states of 1,024 kept
 *    tokens with ids drawn from 32k and 152k vocabularies (ids cost more bytes in a large vocabulary). Target ≤ 8.
 * 3. **`kv` against `token`** on the embedded engine in process: a kv session on an engine of its own and a token
 *    session, fed the same messages, interleaved turn by turn (so a slow phase of this shared machine hits every
 *    session), per-turn latency p50/p95 and the median of per-turn ratios; beside them, a kv session on the token
 *    session's engine in a sequence kept for sessions (`kvBesideOtherWorkMs`), and one of two kv sessions sharing an
 *    engine without such sequences (`kvSharedMs`: each turn finds its sequence taken and rebuilds); and, on one memory
 *    (the same kept indices), how far the levels' entropies drift apart after the first eviction (`compareLevels`).
 *
 *   npm run bench:sirllm                # 100 turns per part (about 2 minutes here)
 *   npm run bench:sirllm -- --quick     # 15 turns, small caches (the smoke test)
 *   npm run bench:sirllm -- --turns 300 --context-size 4096 --cache-size 2048 --out /tmp/results
 *
 * Results go to `bench-results/sirllm-<timestamp>.json` and `bench-results/sirllm-latest.json`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CreateSessionSchema, SendMessageSchema, type TurnResult } from "../schemas/sirllm-sessions.js";
import { repoRoot, sharedFile } from "../shared/config/shared-files.js";
import { startLocalStack } from "../shared/dev/stack.js";
import { createEmbeddedEngine } from "../shared/engines/embedded/index.js";
import { EngineRegistry } from "../shared/engines/registry.js";
import { mulberry32 } from "../shared/random/mulberry32.js";
import { appendTurn } from "../shared/sirllm/memory/append-turn.js";
import { emptyMemoryState } from "../shared/sirllm/memory/memory-state.js";
import { encodeMemorySession } from "../shared/sirllm/memory/state-codec.js";
import { SessionService } from "../shared/sirllm/sessions/session-service.js";
import { compareLevels } from "../shared/sirllm/turns/compare-levels.js";
import { sequenceDriver } from "../shared/sirllm/turns/sequence-driver.js";
import { MemoryObjectStore } from "../shared/store/memory-object-store.js";
import { machineInfo } from "./machine.js";
import { quantile } from "./stats.js";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    turns: { type: "string" },
    "context-size": { type: "string" },
    "cache-size": { type: "string" },
    "max-tokens": { type: "string" },
    out: { type: "string" },
  },
});
const quick = args.quick === true;
const TURNS = Number(args.turns ?? (quick ? 15 : 100));
const CONTEXT = Number(args["context-size"] ?? (quick ? 512 : 2048));
const CACHE = Number(args["cache-size"] ?? (quick ? 200 : 1024));
const MAX_TOKENS = Number(args["max-tokens"] ?? 16);
const MODEL = sharedFile("models/stories260K.gguf");
for (const [name, v] of Object.entries({ TURNS, CONTEXT, CACHE, MAX_TOKENS })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
}

/** The conversation every part plays: short user turns of the kind the test model knows. */
const MESSAGES = [
  "Tell me a story about a dog named Max.",
  "What did Max find in the park?",
  "Was Lily happy to see the ball?",
  "Once upon a time, there was a little girl named Lily.",
  "Why did the bird fly away?",
  "What happened next?",
];
const message = (i: number) => `${MESSAGES[i % MESSAGES.length]} (${i})`;

const stats = (values: readonly number[]) => ({ p50: round(quantile(values, 0.5)), p95: round(quantile(values, 0.95)), n: values.length });
const round = (x: number) => Math.round(x * 1000) / 1000;

async function overheadOnLocalStack() {
  const stack = await startLocalStack({ port: 0, workers: 0, contextSize: CONTEXT, logLevel: "error" });
  try {
    const headers = { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" };
    const created = await fetch(`${stack.apiUrl}/v1/sirllm/sessions`, {
      method: "POST",
      headers,
      body: JSON.stringify({ engine: "local", cacheSize: CACHE, sinks: 4, decay: 0.9, decoding: { maxTokens: MAX_TOKENS } }),
    });
    if (created.status !== 201) throw new Error(`creating the session: ${created.status} ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    const wall: number[] = [];
    const overhead: number[] = [];
    const serverOverhead: number[] = [];
    const engine: number[] = [];
    const store: number[] = [];
    for (let i = 0; i < TURNS; i++) {
      const t0 = performance.now();
      const res = await fetch(`${stack.apiUrl}/v1/sirllm/sessions/${id}/messages`, { method: "POST", headers, body: JSON.stringify({ content: message(i) }) });
      const body = (await res.json()) as TurnResult;
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`turn ${i}: ${res.status} ${JSON.stringify(body)}`);
      const t = body.timings!;
      wall.push(ms);
      engine.push(t.engineMs);
      overhead.push(ms - t.engineMs);
      serverOverhead.push(t.overheadMs);
      store.push(t.storeMs);
    }
    const view = (await (await fetch(`${stack.apiUrl}/v1/sirllm/sessions/${id}`, { headers })).json()) as { memory: { tokens: number; evictions: number } };
    const info = await stack.store.head(`t/local/sirllm/sessions/${id}`);
    return {
      turns: TURNS,
      cacheSize: CACHE,
      contextSize: CONTEXT,
      maxTokens: MAX_TOKENS,
      memoryTokens: view.memory.tokens,
      evictions: view.memory.evictions,
      wallMs: stats(wall),
      engineMs: stats(engine),
      overheadMs: stats(overhead),
      serverOverheadMs: stats(serverOverhead),
      storeMs: stats(store),
      storedBytes: info!.size,
      bytesPerKeptToken: round(info!.size / view.memory.tokens),
    };
  } finally {
    await stack.stop();
  }
}

/** Encoded size of a sirllm memory of `kept` tokens after a long session, ids from a `vocab`-token vocabulary. */
function syntheticBytesPerToken(vocab: number, kept: number) {
  const random = mulberry32(7);
  const settings = { policy: "sirllm", cacheSize: kept, sinks: 4, decay: 0.9, seed: 0 } as const;
  let state = emptyMemoryState();
  for (let turn = 0; turn < 200; turn++) {
    const n = 20 + Math.floor(random() * 40);
    const tokens = Array.from({ length: n }, () => Math.floor(random() * vocab));
    const entropies = tokens.map(() => -Math.log(random() + 1e-9));
    state = appendTurn(settings, state, { tokens, entropies }).state;
  }
  const bytes = encodeMemorySession({ settings, state }).length;
  return { vocab, keptTokens: state.tokens.length, bytes, bytesPerKeptToken: round(bytes / state.tokens.length) };
}

async function kvAgainstToken() {
  // The kv session has an engine of its own. The token session's engine also serves two more kv sessions: `slotted`,
  // in a sequence kept for sessions (sessionSequences 1), and `shared`, which has none and shares the engine's one
  // sequence with the token turns, so it is rebuilt from its stored memory every turn.
  const open = (name: string, sessionSequences: number) =>
    createEmbeddedEngine({ name, modelPath: MODEL, contextSize: CONTEXT, sessionSequences, ...(CONTEXT > 512 ? { flashAttention: false } : {}) });
  const kvEngine = await open("kv-engine", 0);
  const busyEngine = await open("busy-engine", 1);
  const sharedEngine = await open("shared-engine", 0);
  const engine = kvEngine;
  try {
    const engines = EngineRegistry.fromConfigs([]);
    for (const e of [kvEngine, busyEngine, sharedEngine]) engines.register(e);
    const service = new SessionService({ store: new MemoryObjectStore(), engines });
    type Key = "kv" | "token" | "slotted" | "shared" | "sharedOther";
    const sessions: readonly (readonly [Key, string, "kv" | "token"])[] = [
      ["kv", "kv-engine", "kv"],
      ["token", "busy-engine", "token"],
      ["slotted", "busy-engine", "kv"],
      // Two kv sessions on an engine without session sequences: each takes the one sequence from the other.
      ["shared", "shared-engine", "kv"],
      ["sharedOther", "shared-engine", "kv"],
    ];
    const ids = {} as Record<Key, string>;
    for (const [key, engineName, level] of sessions) {
      ids[key] = (await service.create("bench", CreateSessionSchema.parse({ engine: engineName, memoryLevel: level, cacheSize: CACHE, sinks: 4, decay: 0.9, decoding: { maxTokens: MAX_TOKENS } }))).view.id;
    }
    const ms = { kv: [] as number[], token: [] as number[], slotted: [] as number[], shared: [] as number[], sharedOther: [] as number[] };
    const ratios: number[] = [];
    const keys = sessions.map(([k]) => k);
    for (let i = 0; i < TURNS; i++) {
      // Rotate the order, so no session always runs on a warmer (or busier) machine.
      const order = keys.map((_, k) => keys[(k + i) % keys.length]!);
      const turn = {} as Record<Key, number>;
      for (const key of order) {
        const t0 = performance.now();
        await service.sendMessage("bench", ids[key], SendMessageSchema.parse({ content: message(i) }));
        turn[key] = performance.now() - t0;
        ms[key].push(turn[key]);
      }
      ratios.push(turn.token / turn.kv);
    }
    const views = { kv: await service.view("bench", ids.kv), token: await service.view("bench", ids.token) };
    // Entropy drift between the levels on one memory (the kv run's eviction decisions), message turns only.
    const turns = await Promise.all(Array.from({ length: Math.min(TURNS, 60) }, (_, i) => engine.tokenize(`USER: ${message(i)}\n\nASSISTANT: Tim was happy.`)));
    const drift = await compareLevels(sequenceDriver(engine, "kv"), sequenceDriver(engine, "token"), { policy: "sirllm", cacheSize: CACHE, sinks: 4, decay: 0.9, seed: 0 }, "paper", turns);
    const before = drift.filter((r) => !r.afterEviction);
    const after = drift.filter((r) => r.afterEviction);
    return {
      turns: TURNS,
      cacheSize: CACHE,
      contextSize: CONTEXT,
      kvMs: stats(ms.kv),
      tokenMs: stats(ms.token),
      kvBesideOtherWorkMs: stats(ms.slotted),
      kvSharedMs: stats(ms.shared),
      tokenOverKvMedianRatio: round(quantile(ratios, 0.5)),
      evictions: { kv: views.kv.memory.evictions, token: views.token.memory.evictions },
      entropyDrift: {
        turnsBeforeEviction: before.length,
        maxAbsDiffBeforeEviction: before.length ? Math.max(...before.map((r) => r.maxAbsDiff)) : null,
        turnsAfterEviction: after.length,
        maxAbsDiffAfterEviction: after.length ? round(Math.max(...after.map((r) => r.maxAbsDiff))) : null,
        meanAbsDiffAfterEviction: after.length ? round(after.reduce((a, r) => a + r.meanAbsDiff, 0) / after.length) : null,
      },
    };
  } finally {
    for (const e of [kvEngine, busyEngine, sharedEngine]) await e.close();
  }
}

const startedAt = new Date();
const overhead = await overheadOnLocalStack();
const bytes = { session: { bytesPerKeptToken: overhead.bytesPerKeptToken, storedBytes: overhead.storedBytes, keptTokens: overhead.memoryTokens }, synthetic: [32_000, 152_064].map((v) => syntheticBytesPerToken(v, 1024)) };
const levels = await kvAgainstToken();
const result = {
  bench: "sirllm",
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  quick,
  machine: { ...machineInfo(), loadavg: loadavg() },
  model: "stories260K",
  targets: { overheadP50Ms: 20, bytesPerKeptToken: 8 },
  overhead,
  bytes,
  levels,
  verdict: {
    overheadP50Met: overhead.overheadMs.p50 < 20,
    bytesMet: bytes.session.bytesPerKeptToken <= 8 && bytes.synthetic.every((s) => s.bytesPerKeptToken <= 8),
  },
};
const json = JSON.stringify(result, null, 2);
console.log(json);
const outDir = resolve(args.out ?? join(repoRoot, "bench-results"));
await mkdir(outDir, { recursive: true });
const path = join(outDir, `sirllm-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
await writeFile(path, json);
await writeFile(join(outDir, "sirllm-latest.json"), json);
console.error(`wrote ${path}`);
