import { afterEach, describe, expect, it } from "vitest";
import { EngineConfigSchema, EngineDescriptorSchema, type EngineConfig, type EngineConfigInput } from "../../schemas/engines.js";
import { ConfigurationError, EngineError } from "../../shared/errors.js";
import type { Engine } from "../../shared/engines/engine.js";
import { createInstantFakeEngine } from "../../shared/engines/fake/instant-fake-engine.js";
import { replicaConfigs } from "../../shared/engines/pool/replica-configs.js";
import { EngineRegistry, defaultEngineFactories, type EngineFactory } from "../../shared/engines/registry.js";
import { createSagemakerEngine } from "../../shared/engines/sagemaker/index.js";
import { createSglangEngine } from "../../shared/engines/sglang/index.js";
import { createVllmEngine } from "../../shared/engines/vllm/index.js";
import { startStub, type StubServer } from "./vllm-sglang-stub-server.js";
import { vllmScoreTwoPrompts } from "./vllm-recorded.js";

const vllm = (extra: Record<string, unknown>) =>
  ({ name: "pool", kind: "vllm", model: "llama", contextSize: 4096, bosToken: 1, ...extra }) as EngineConfigInput;
const sagemaker = (extra: Record<string, unknown>) =>
  ({
    name: "sm",
    kind: "sagemaker",
    format: "vllm",
    model: "llama",
    contextSize: 4096,
    tokenizerEngine: "tok",
    ...extra,
  }) as EngineConfigInput;

const A = "http://10.0.0.5:8000";
const B = "https://10.0.0.6:8000";

/** Factories that record the configuration each replica was built from and build an instant fake for it. */
function recordingFactories() {
  const built: EngineConfig[] = [];
  const fake: EngineFactory = async (config) => {
    built.push(config);
    return createInstantFakeEngine({ name: config.name });
  };
  return { built, factories: { vllm: fake, sglang: fake, sagemaker: fake } };
}

const stubs: StubServer[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

describe("engine configuration with replicas", () => {
  it("should take baseUrl or baseUrls (exactly one) for vLLM and SGLang, validating every URL", () => {
    const ok = (c: EngineConfigInput) => EngineConfigSchema.safeParse(c).success;
    for (const kind of ["vllm", "sglang"]) {
      expect(ok(vllm({ kind, baseUrl: A }))).toBe(true);
      expect(ok(vllm({ kind, baseUrls: [A, B] }))).toBe(true);
      expect(ok(vllm({ kind, baseUrls: [A] }))).toBe(true);
      expect(ok(vllm({ kind }))).toBe(false);
      expect(ok(vllm({ kind, baseUrl: A, baseUrls: [B] }))).toBe(false);
      expect(ok(vllm({ kind, baseUrls: [] }))).toBe(false);
      expect(ok(vllm({ kind, baseUrls: [A, `${B}/v1`] }))).toBe(false);
      expect(ok(vllm({ kind, baseUrls: [A, "ftp://10.0.0.6"] }))).toBe(false);
      expect(ok(vllm({ kind, baseUrls: [A, A] }))).toBe(false);
    }
    const both = EngineConfigSchema.safeParse(vllm({ baseUrl: A, baseUrls: [B] }));
    expect(both.error?.issues[0]).toMatchObject({ path: ["baseUrls"], message: expect.stringMatching(/not both/) });
  });

  it("should take endpointName or endpointNames (exactly one) for SageMaker", () => {
    const ok = (c: EngineConfigInput) => EngineConfigSchema.safeParse(c).success;
    expect(ok(sagemaker({ endpointName: "lmi-a" }))).toBe(true);
    expect(ok(sagemaker({ endpointNames: ["lmi-a", "lmi-b"] }))).toBe(true);
    expect(ok(sagemaker({}))).toBe(false);
    expect(ok(sagemaker({ endpointName: "lmi-a", endpointNames: ["lmi-b"] }))).toBe(false);
    expect(ok(sagemaker({ endpointNames: ["lmi-a", ""] }))).toBe(false);
  });

  it("should split a pool into single-replica configurations that every adapter accepts", () => {
    const parse = (c: EngineConfigInput) => EngineConfigSchema.parse(c);
    const vllmReplicas = replicaConfigs(parse(vllm({ baseUrls: [A, B] })));
    expect(vllmReplicas.map((c) => [("baseUrl" in c && c.baseUrl) || null, "baseUrls" in c])).toEqual([
      [A, false],
      [B, false],
    ]);
    for (const c of vllmReplicas) expect(() => createVllmEngine(c as never)).not.toThrow();
    for (const c of replicaConfigs(parse(vllm({ kind: "sglang", baseUrls: [A, B] })))) {
      expect(() => createSglangEngine(c as never)).not.toThrow();
    }
    const tokenizer = { tokenize: async () => [], detokenize: async () => "" };
    const sm = replicaConfigs(parse(sagemaker({ endpointNames: ["lmi-a", "lmi-b"] })));
    expect(sm.map((c) => ("endpointName" in c ? c.endpointName : null))).toEqual(["lmi-a", "lmi-b"]);
    for (const c of sm) expect(() => createSagemakerEngine(c as never, { tokenizer })).not.toThrow();
    expect(replicaConfigs(parse(vllm({ baseUrl: A })))).toHaveLength(1);
  });

  it("should refuse several replicas given straight to an adapter, pointing at the registry", () => {
    expect(() => createVllmEngine(vllm({ baseUrls: [A, B] }) as never)).toThrow(/2 replicas.*EngineRegistry/);
    expect(() => createVllmEngine(vllm({ baseUrls: [A] }) as never)).not.toThrow();
  });
});

describe("EngineRegistry with replicas", () => {
  it("should build one adapter per replica, behind one pool whose stats name replicas by id only", async () => {
    const { built, factories } = recordingFactories();
    const registry = EngineRegistry.fromConfigs([vllm({ baseUrls: [A, B] })], factories);
    const engine = await registry.get("pool");
    expect(built.map((c) => ("baseUrl" in c ? c.baseUrl : undefined))).toEqual([A, B]);
    await engine.score([{ tokens: [1, 2, 3], from: 1 }]);
    await engine.score([{ tokens: [1, 2, 3], from: 1 }]);
    const stats = engine.stats!();
    expect(stats.replicas.map((r) => [r.id, r.requests, r.circuit])).toEqual([
      ["r0", 1, "closed"],
      ["r1", 1, "closed"],
    ]);
    const text = JSON.stringify(stats);
    expect(text).not.toContain("10.0.0");
    expect(text).not.toContain("http");
  });

  it("should keep the /v1/engines descriptor's shape, with a default concurrency per replica", () => {
    const registry = EngineRegistry.fromConfigs(
      [
        vllm({ name: "one", baseUrl: A }),
        vllm({ name: "two", baseUrls: [A, B] }),
        vllm({ name: "capped", baseUrls: [A, B], concurrency: 5 }),
        sagemaker({ name: "sm", endpointNames: ["lmi-a", "lmi-b", "lmi-c"] }),
      ],
      recordingFactories().factories,
    );
    const list = registry.list();
    for (const d of list) {
      expect(Object.keys(d).sort()).toEqual(["capabilities", "concurrency", "contextSize", "kind", "model", "name"]);
      expect(EngineDescriptorSchema.strict().safeParse(d).success).toBe(true);
    }
    expect(list.map((d) => [d.name, d.concurrency])).toEqual([
      ["one", 16],
      ["two", 32],
      ["capped", 5],
      ["sm", 24],
    ]);
    const text = JSON.stringify(list);
    expect(text).not.toMatch(/10\.0\.0|lmi-/);
  });

  it("should build SageMaker replicas with the same tokenizer engine", async () => {
    const seen: { endpoint: unknown; tokenizer: Engine }[] = [];
    const registry = EngineRegistry.fromConfigs([sagemaker({ endpointNames: ["lmi-a", "lmi-b"] })], {
      sagemaker: async (config, lookup) => {
        const c = config as Extract<EngineConfig, { kind: "sagemaker" }>;
        seen.push({ endpoint: c.endpointName, tokenizer: await lookup(c.tokenizerEngine) });
        return createInstantFakeEngine({ name: c.name });
      },
    });
    registry.register(createInstantFakeEngine({ name: "tok" }));
    await registry.get("sm");
    expect(seen.map((s) => s.endpoint)).toEqual(["lmi-a", "lmi-b"]);
    expect(seen[0]!.tokenizer).toBe(seen[1]!.tokenizer);
  });

  it("should close the replicas it built when another replica fails to build, and try again next time", async () => {
    const closed: string[] = [];
    let fail = true;
    const registry = EngineRegistry.fromConfigs([vllm({ baseUrls: [A, B] })], {
      vllm: async (config) => {
        const url = (config as { baseUrl: string }).baseUrl;
        if (url === B && fail) throw new ConfigurationError("replica B is misconfigured");
        const engine = createInstantFakeEngine({ name: config.name });
        return { ...engine, close: async () => void closed.push(url) };
      },
    });
    await expect(registry.get("pool")).rejects.toThrow("replica B is misconfigured");
    expect(closed).toEqual([A]);
    fail = false;
    expect((await registry.get("pool")).stats!().replicas).toHaveLength(2);
  });

  it("should keep answering through the live vLLM replica while the other refuses connections, and eject the dead one", async () => {
    const live = await startStub(() => ({ json: vllmScoreTwoPrompts }));
    stubs.push(live);
    const dead = await startStub(() => ({ json: {} }));
    const deadUrl = dead.url;
    await dead.close(); // nothing listens there any more: ECONNREFUSED, a retryable failure
    const registry = EngineRegistry.fromConfigs(
      [
        vllm({
          baseUrls: [deadUrl, live.url],
          retry: { maxAttempts: 3, baseDelayMs: 0 },
          breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 },
        }),
      ],
      defaultEngineFactories,
    );
    const engine = await registry.get("pool");
    const TWO = [
      { tokens: [1, 9038, 2501, 263, 931], from: 1 },
      { tokens: [1, 9038, 2501], from: 2 },
    ];
    for (let i = 0; i < 6; i++) expect((await engine.score(TWO)).map((r) => r.logprobs.length)).toEqual([4, 1]);
    expect(live.requests).toHaveLength(6);
    const [r0, r1] = engine.stats!().replicas;
    expect(r0).toMatchObject({ id: "r0", requests: 2, failures: 2, circuit: "open" });
    expect(r1).toMatchObject({ id: "r1", requests: 6, failures: 0, circuit: "closed" });
    await registry.close();
  });

  it("should fail with a retryable error that names no address once every replica is ejected", async () => {
    const dead = await startStub(() => ({ json: {} }));
    const deadUrl = dead.url;
    await dead.close();
    const registry = EngineRegistry.fromConfigs([
      vllm({
        baseUrl: deadUrl,
        retry: { maxAttempts: 3, baseDelayMs: 0 },
        breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 },
      }),
    ]);
    const engine = await registry.get("pool");
    const err = await engine.score([{ tokens: [1, 2], from: 1 }]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).retryable).toBe(true);
    expect((err as EngineError).message).toMatch(/^pool: its only replica is unavailable/);
    expect((err as EngineError).message).not.toContain(deadUrl.replace("http://", ""));
    expect(engine.stats!().replicas).toEqual([
      { id: "r0", requests: 2, failures: 2, inFlight: 0, circuit: "open", busyMs: expect.any(Number) },
    ]);
  });
});
