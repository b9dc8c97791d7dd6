import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../shared/api/app.js";
import { ApiKeyAuthenticator, generateApiKey } from "../../shared/auth/api-keys.js";
import { createInstantFakeEngine } from "../../shared/engines/fake/instant-fake-engine.js";
import { EngineRegistry } from "../../shared/engines/registry.js";
import { MemoryObjectStore } from "../../shared/store/memory-object-store.js";
import { json } from "../helpers/http.js";

const alice = generateApiKey("alice");
const readOnly = generateApiKey("alice", ["read"]);

function buildApp(maxBodyBytes?: number) {
  const engines = EngineRegistry.fromConfigs([
    { name: "remote-vllm", kind: "vllm", baseUrl: "http://10.0.0.7:8000", model: "llama", contextSize: 4096, apiKeyEnv: "VLLM_KEY" },
  ]);
  engines.register(createInstantFakeEngine({ name: "fake" }));
  const auth = new ApiKeyAuthenticator([alice.record, readOnly.record]);
  return createApp({ engines, auth, store: new MemoryObjectStore(), ...(maxBodyBytes ? { maxBodyBytes } : {}) });
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const post = (body: unknown, key = alice.key) => ({
  method: "POST",
  headers: { ...bearer(key), "content-type": "application/json" },
  body: JSON.stringify(body),
});

describe("API skeleton", () => {
  let app: ReturnType<typeof buildApp>;
  beforeAll(() => {
    app = buildApp();
  });

  it("should answer /health without a key", async () => {
    const res = await app.request("/health");
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ status: "ok" });
  });

  it("should reject /v1 requests without a key, or with an unknown one, with a 401 JSON error", async () => {
    for (const headers of [{}, bearer("assay_not-a-real-key"), { authorization: "Basic abc" }]) {
      const res = await app.request("/v1/engines", { headers });
      expect(res.status).toBe(401);
      const body = await json(res);
      expect(body.error.code).toBe("unauthorized");
      expect(typeof body.error.message).toBe("string");
    }
  });

  it("should list engines without URLs, endpoint addresses or key variable names", async () => {
    const res = await app.request("/v1/engines", { headers: bearer(alice.key) });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.engines.map((e: { name: string }) => e.name).sort()).toEqual(["fake", "remote-vllm"]);
    const text = JSON.stringify(body);
    expect(text).not.toContain("10.0.0.7");
    expect(text).not.toContain("VLLM_KEY");
    expect(text).not.toContain("baseUrl");
  });

  it("should score a text with a named engine", async () => {
    const res = await app.request("/v1/score", post({ engine: "fake", text: "hello" }));
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.tokens.length).toBe(6); // BOS + 5 bytes
    expect(body.logprobs[0]).toBeNull();
    expect(body.sum).toBeCloseTo(body.logprobs.slice(1).reduce((a: number, b: number) => a + b, 0), 9);
  });

  it("should refuse an unknown engine with 400 naming the configured ones", async () => {
    const res = await app.request("/v1/score", post({ engine: "gpu-7", text: "hello" }));
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.message).toContain("gpu-7");
    expect(body.error.details.available).toContain("fake");
  });

  it("should refuse a URL in place of an engine name, and a URL field, with 400", async () => {
    for (const body of [
      { engine: "http://169.254.169.254/latest", text: "x" },
      { engine: "https://evil.example/v1", text: "x" },
      { engine: "fake", text: "x", baseUrl: "http://127.0.0.1:9/" },
      { engine: "fake", text: "x", url: "http://127.0.0.1:9/" },
    ]) {
      const res = await app.request("/v1/score", post(body));
      expect(res.status).toBe(400);
      expect((await json(res)).error.code).toBe("invalid_request");
    }
  });

  it("should answer 403 when a read-only key asks for engine time", async () => {
    const res = await app.request("/v1/score", post({ engine: "fake", text: "x" }, readOnly.key));
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("forbidden");
  });

  it("should answer 413 with a JSON error for a body over the limit", async () => {
    const small = buildApp(1024);
    const res = await small.request("/v1/score", post({ engine: "fake", text: "x".repeat(5000) }));
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe("payload_too_large");
  });

  it("should answer 400 with a JSON error for a malformed JSON body", async () => {
    const res = await app.request("/v1/score", {
      method: "POST",
      headers: { ...bearer(alice.key), "content-type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toBeDefined();
  });

  it("should answer unknown routes with a 404 JSON error", async () => {
    const res = await app.request("/v1/nothing-here", { headers: bearer(alice.key) });
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe("not_found");
  });

  it("should publish an OpenAPI document generated from the schemas, and a page for people", async () => {
    const doc = await json(await app.request("/openapi.json"));
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/health", "/v1/engines", "/v1/score"]));
    expect(doc.components.schemas.ScoreRequest.properties.engine).toBeDefined();
    const page = await app.request("/docs");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("/docs/init.js");
    expect(await (await app.request("/docs/init.js")).text()).toContain('url: "/openapi.json"');
  });
});
