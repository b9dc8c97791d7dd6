import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../shared/config/shared-files.js";
import { createApp } from "../../shared/api/app.js";
import { ApiKeyAuthenticator } from "../../shared/auth/api-keys.js";
import { EngineRegistry } from "../../shared/engines/registry.js";
import { allJobKinds } from "../../shared/job-kinds.js";
import { MemoryObjectStore } from "../../shared/store/memory-object-store.js";

/**
 * One way to declare a route: `createRoute` + `app.openapi`, so the object that validates a request is the one that
 * documents it. A route added with a plain `app.get`/`app.post` (and documented by hand, or not at all) fails here.
 */
describe("the route table", () => {
  it("should document every /v1 and /health route in the OpenAPI document, with the same methods", async () => {
    const app = createApp({
      engines: EngineRegistry.fromConfigs([]),
      auth: new ApiKeyAuthenticator([]),
      store: new MemoryObjectStore(),
      jobs: { kinds: allJobKinds(), queue: { send: async () => {} } },
    });
    const doc = (await (await app.request("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`)),
    );
    const served = app.routes
      .filter((r) => r.method !== "ALL" && (r.path.startsWith("/v1") || r.path === "/health"))
      .map((r) => `${r.method} ${r.path}`);
    expect(served.length).toBeGreaterThan(15);
    for (const route of served) expect(documented, route).toContain(route);
    // Plain registrations (registerPath) would be documented but not validated by the same object.
    expect(app.openAPIRegistry.definitions.filter((d) => d.type === "route").length).toBe(new Set(served).size);
  });

  it("should declare every route with createRoute: no hand-written registerPath, no plain app.get/post", () => {
    const dir = join(repoRoot, "shared", "api", "routes");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const source = readFileSync(join(dir, file), "utf8");
      expect(source, file).not.toMatch(/registerPath\(/);
      expect(source, file).not.toMatch(/\bapp\.(get|post|put|delete|patch)\(/);
    }
  });
});
