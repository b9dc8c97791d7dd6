import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnEngineServer, type EngineServerProcess } from "../../bench/engine-server-process.js";
import { sharedFile } from "../../shared/config/shared-files.js";
import { createEmbeddedEngine } from "../../shared/engines/embedded/index.js";
import type { Engine } from "../../shared/engines/engine.js";
import { createInstantFakeEngine } from "../../shared/engines/fake/instant-fake-engine.js";
import { createVllmEngine } from "../../shared/engines/vllm/index.js";
import { engineContract, OFF_DOMAIN } from "./engine.case.js";

const MODEL = sharedFile("models/stories260K.gguf");

let embedded: Engine;
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

engineContract("embedded llama.cpp (in-process)", () => embedded);
engineContract("vLLM adapter → assay engine serve (HTTP)", () => overHttp);
engineContract("instant fake (test double)", () => fake);

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
