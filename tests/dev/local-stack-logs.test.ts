import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../shared/dev/stack.js";
import { json } from "../helpers/http.js";

/** The operator's view: one readable line per request and per job event, from the API and the workers alike. */
let stack: LocalStack;
let receiver: Server;
let hookUrl: string;
const lines: string[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => req.resume().on("end", () => res.writeHead(204).end()));
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  stack = await startLocalStack({
    port: 0,
    workers: 0, // on the main thread, so the workers' lines come through the same writer
    engineConfigs: [{ name: "fake", kind: "fake", contextSize: 1 << 16 }],
    logLevel: "info",
    logWrite: (line) => lines.push(line),
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  receiver?.close();
});

describe("the local stack's log", () => {
  it("should tell a job's story: created, prepared, each shard done, completed, callback delivered — and each request", async () => {
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${stack.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${stack.apiKey}`, ...(init.headers ?? {}) } });
    const rows = Array.from({ length: 12 }, (_, i) => JSON.stringify({ instruction: `Say ${i}.`, output: `${i}` })).join("\n");
    const dataset = await json(await api("/v1/datasets", { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: rows }));
    const created = await json(
      await api("/v1/nuggets/jobs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ datasetId: dataset.id, anchors: { method: "random", size: 3 }, engine: "fake", shardSize: 4, callbackUrl: hookUrl }),
      }),
    );
    const jobId = created.jobId as string;
    for (let i = 0; i < 150 && !lines.some((l) => / callback delivered /.test(l) && l.includes(jobId)); i++) await new Promise((r) => setTimeout(r, 100));
    const mine = lines.filter((l) => l.includes(jobId));
    const events = mine.map((l) => / (?:info|warn|error) +(.+?) jobId=/.exec(l)?.[1]).filter(Boolean);
    expect(events).toEqual(["job created", "job prepared", "shard done", "shard done", "shard done", "job completed", "callback delivered"]);
    expect(mine.find((l) => l.includes("job created"))).toMatch(/kind=nuggets tenant=local units=12/);
    expect(lines.some((l) => /request method=POST route=\/v1\/nuggets\/jobs status=202 ms=\d+ tenant=local requestId=/.test(l))).toBe(true);
    expect(lines.some((l) => /request method=POST route=\/v1\/datasets status=201 /.test(l))).toBe(true);
  }, 60_000);
});
