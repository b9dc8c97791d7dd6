import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CallbackStateSchema } from "../../schemas/jobs.js";
import { deliverCallback } from "../../shared/jobs/callback.js";
import { pinnedPost } from "../../shared/jobs/http-post.js";
import { jobKeys } from "../../shared/jobs/job-keys.js";
import type { JobManifest } from "../../schemas/jobs.js";
import { MemoryObjectStore } from "../../shared/store/memory-object-store.js";

/**
 * DNS rebinding: the callback host is resolved and checked, then the POST must connect to that checked address. A
 * host name under `.invalid` never resolves (RFC 2606), so a POST that resolved the name again could not arrive.
 */
let server: Server;
let port: number;
const received: { host: string | undefined; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      received.push({ host: req.headers.host, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server?.close());

describe("the callback POST", () => {
  it("should connect to the pinned address, whatever the host name resolves to now", async () => {
    const { status } = await pinnedPost(`http://rebinding.invalid:${port}/hook`, {
      headers: { "content-type": "application/json" },
      body: '{"ok":true}',
      address: { address: "127.0.0.1", family: 4 },
    });
    expect(status).toBe(204);
    expect(received.at(-1)).toEqual({ host: `rebinding.invalid:${port}`, body: '{"ok":true}' });
  });

  it("should deliver a job's callback to the address checked at delivery, not to a second resolution", async () => {
    const store = new MemoryObjectStore();
    const lookups: string[] = [];
    const manifest = {
      jobId: "cj_00000000000000000000000001",
      tenant: "acme",
      kind: "counting",
      callbackUrl: `http://hooks.invalid:${port}/done`,
    } as JobManifest;
    await deliverCallback(
      {
        store,
        queue: { send: async () => {} },
        engines: { describe: () => { throw new Error("unused"); }, get: async () => { throw new Error("unused"); } },
        secrets: { callbackSecret: async () => "s3cret" },
        // The one resolution the policy checks; the POST itself must not resolve again.
        lookup: async (host) => (lookups.push(host), [{ address: "127.0.0.1", family: 4 }]),
        options: { allowLoopbackCallbacks: true },
      },
      manifest,
      '{"type":"counting.job.completed"}',
    );
    expect(lookups).toEqual(["hooks.invalid"]);
    expect(received.at(-1)?.body).toBe('{"type":"counting.job.completed"}');
    const state = await store.getJson(jobKeys("acme", manifest.jobId).callback, CallbackStateSchema);
    expect(state).toMatchObject({ status: "delivered", responseStatus: 204 });
  });
});
