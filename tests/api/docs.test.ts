import { describe, expect, it } from "vitest";
import { createApp } from "../../shared/api/app.js";
import { ApiKeyAuthenticator } from "../../shared/auth/api-keys.js";
import { EngineRegistry } from "../../shared/engines/registry.js";
import { MemoryObjectStore } from "../../shared/store/memory-object-store.js";

const app = createApp({ engines: EngineRegistry.fromConfigs([]), auth: new ApiKeyAuthenticator([]), store: new MemoryObjectStore() });

describe("/docs", () => {
  it("should reference nothing from another origin, and serve everything it references", async () => {
    const page = await app.request("/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await page.text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) {
      // Relative to this API: no scheme, no protocol-relative //host.
      expect(ref, ref).toMatch(/^\/(?!\/)/);
      const res = await app.request(ref);
      expect(res.status, ref).toBe(200);
      expect((await res.arrayBuffer()).byteLength, ref).toBeGreaterThan(0);
    }
    expect(html).not.toMatch(/https?:\/\//);
    expect(await (await app.request("/docs/swagger-ui-bundle.js")).text()).toContain("SwaggerUIBundle");
    expect((await app.request("/docs/init.js")).headers.get("content-type")).toContain("javascript");
  });
});
