import { describe, expect, it } from "vitest";
import { createApp } from "../../shared/api/app.js";
import { ApiKeyAuthenticator, generateApiKey } from "../../shared/auth/api-keys.js";
import { EngineRegistry } from "../../shared/engines/registry.js";
import { formatLine, parseLogLevel, terminalLog } from "../../shared/observability/log.js";
import { MemoryObjectStore } from "../../shared/store/memory-object-store.js";

const at = new Date("2026-12-01T12:04:31.207Z");

describe("terminal log lines", () => {
  it("should read as time, level, message, then key=value pairs (strings bare unless they need quotes)", () => {
    expect(formatLine("info", "job created", { jobId: "nj_1", units: 40, note: "two words", skipped: undefined }, at)).toBe(
      '12:04:31.207 info  job created jobId=nj_1 units=40 note="two words"',
    );
  });

  it("should drop lines below the level and refuse an unknown level", () => {
    const lines: string[] = [];
    const log = terminalLog({ level: "warn", write: (l) => lines.push(l), now: () => at });
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e", { x: 1 });
    expect(lines).toEqual(["12:04:31.207 warn  w", "12:04:31.207 error e x=1"]);
    expect(parseLogLevel("DEBUG")).toBe("debug");
    expect(() => parseLogLevel("loud")).toThrow(/debug, info, warn, error/);
  });
});

describe("request logging", () => {
  it("should log each request once answered: method, the route it matched, status, ms, tenant, request id", async () => {
    const key = generateApiKey("acme");
    const lines: string[] = [];
    const app = createApp({
      engines: EngineRegistry.fromConfigs([]),
      auth: new ApiKeyAuthenticator([key.record]),
      store: new MemoryObjectStore(),
      log: terminalLog({ level: "info", write: (l) => lines.push(l) }),
    });
    await app.request("/v1/datasets/ds_0123456789abcdef01234567", { headers: { authorization: `Bearer ${key.key}`, "x-request-id": "req-42" } });
    await app.request("/v1/engines");
    expect(lines[0]).toMatch(/ info  request method=GET route=\/v1\/datasets\/:id status=404 ms=\d+ tenant=acme requestId=req-42$/);
    expect(lines[1]).toMatch(/ info  request method=GET route=\/v1\/engines status=401 ms=\d+ requestId=\S+$/);
  });
});
