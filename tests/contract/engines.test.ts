import type { Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnEngineServer, type EngineServerProcess } from "../../bench/engine-server-process.js";
import { sharedFile } from "../../shared/config/shared-files.js";
import { createEmbeddedEngine, type EmbeddedEngine } from "../../shared/engines/embedded/index.js";
import { logSoftmaxAt, type Engine } from "../../shared/engines/engine.js";
import { createInstantFakeEngine } from "../../shared/engines/fake/instant-fake-engine.js";
import { createVllmEngine } from "../../shared/engines/vllm/index.js";
import { engineContract, OFF_DOMAIN, type LogprobReference } from "./engine.case.js";

const MODEL = sharedFile("models/stories260K.gguf");

let embedded: EmbeddedEngine;
let overHttp: Engine;
/** `assay engine serve` in its own process, as a user would run it (killed even if this process dies). */
let server: EngineServerProcess | undefined;

beforeAll(async () => {
  embedded = await createEmbeddedEngine({ name: "embedded", modelPath: MODEL, threads: 1 });
  server = await spawnEngineServer({ modelPath: MODEL });
  overHttp = createVllmEngine({
    name: "vllm-over-embedded",
    kind: "vllm",
    baseUrl: server.url,
    model: "stories260K",
    contextSize: embedded.contextSize,
    bosToken: embedded.bosToken,
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await embedded?.close();
});

/**
 * The model's own numbers without any engine's scoring code: raw logit rows from llama.cpp on a cleared sequence, one
 * batch, and a float64 log-softmax over each full row (the form DESIGN.md says to pin log-probs against).
 */
async function rawLogSoftmax(tokens: readonly number[], from: number): Promise<number[]> {
  const rows = await embedded.withSequence(async ({ sequence }) => {
    await sequence.clearHistory();
    const out = await sequence.controlledEvaluate(tokens.map((t) => [t as Token, { generateNext: { logits: true } }]));
    return out.map((r) => {
      const logits = r!.next.logits!;
      const row = new Array<number>(Math.max(...logits.keys()) + 1).fill(-Infinity);
      for (const [t, v] of logits) row[t] = v;
      return row;
    });
  });
  const out: number[] = [];
  for (let i = from; i < tokens.length; i++) out.push(logSoftmaxAt(rows[i - 1]!, tokens[i]!));
  return out;
}

/**
 * Both llama.cpp-backed engines are held to {@link rawLogSoftmax}. What differs from it is batch shape: the embedded
 * engine reuses the prefix's KV cache for suffixes (measured here: at most 9.8e-7 on this 260K model), the server
 * scores each full prompt in one batch like the reference (1.8e-15). 1e-4 leaves room for other CPUs' kernels
 * (DESIGN.md) and is still far below what a position error moves (whole nats; see the "able to fail" test).
 */
const llamaReference: LogprobReference = { logprobs: rawLogSoftmax, tolerance: 1e-4 };

/**
 * The instant fake's numbers computed by hand from its documented rule (a token's log-prob depends only on it and
 * the two tokens before it, 7 and 3 standing in for missing ones), not through the engine. Exact: same float64 steps.
 */
const fakeReference: LogprobReference = {
  tolerance: 0,
  async logprobs(tokens, from) {
    const out: number[] = [];
    for (let i = from; i < tokens.length; i++) {
      const a = tokens[i - 2] ?? 7;
      const b = tokens[i - 1] ?? 3;
      const h = Math.imul(a * 31 + b * 17 + tokens[i]! * 13 + 1, 2654435761) >>> 0;
      out.push(-0.05 - (h % 10_000) / 1000);
    }
    return out;
  },
};

engineContract("embedded llama.cpp (in-process)", () => embedded, () => llamaReference);
engineContract("vLLM adapter → assay engine serve (HTTP)", () => overHttp, () => llamaReference);
engineContract("instant fake (test double)", () => fake, () => fakeReference);

const fake = createInstantFakeEngine({ name: "fake" });

describe("the vLLM adapter over assay engine serve", () => {
  it("should return the embedded engine's own log-probs for the same tokens, where the model is often wrong", async () => {
    const tokens = await embedded.tokenize(OFF_DOMAIN, { bos: true });
    expect(await overHttp.tokenize(OFF_DOMAIN, { bos: true })).toEqual(tokens);
    const [direct] = await embedded.score([{ tokens, from: 1 }]);
    const [remote] = await overHttp.score([{ tokens, from: 1 }]);
    expect(remote!.logprobs).toHaveLength(direct!.logprobs.length);
    remote!.logprobs.forEach((lp, i) => expect(Math.abs(lp - direct!.logprobs[i]!)).toBeLessThan(1e-6));
  });

  it("should embed the leading tokens of an over-long text only when asked to truncate, directly and over HTTP", async () => {
    const long = "Once upon a time there was a little girl. ".repeat(80);
    expect((await embedded.tokenize(long)).length).toBeGreaterThan(embedded.contextSize);
    await expect(embedded.embed([long])).rejects.toThrow(/context holds/);
    const [direct] = await embedded.embed([long], { truncate: true });
    const [remote] = await overHttp.embed([long], { truncate: true });
    expect(direct!.length).toBeGreaterThan(0);
    expect(remote).toHaveLength(direct!.length);
    remote!.forEach((v, i) => expect(Math.abs(v - direct![i]!)).toBeLessThan(1e-5));
  });
});
