import { describe, expect, it } from "vitest";
import { createApp } from "../../shared/api/app.js";
import { ApiKeyAuthenticator, generateApiKey } from "../../shared/auth/api-keys.js";
import { createJob } from "../../shared/jobs/create-job.js";
import { nuggetsKind } from "../../shared/nuggets/jobs/index.js";
import { countingKind, makeFaults } from "../jobs/counting-kind.js";
import { makeHarness } from "../jobs/harness.js";
import { json } from "../helpers/http.js";

const acme = generateApiKey("acme");
const other = generateApiKey("other");

function setup() {
  const kind = countingKind(makeFaults());
  const h = makeHarness([nuggetsKind, kind]);
  const app = createApp({
    engines: h.deps.engines as never,
    auth: new ApiKeyAuthenticator([acme.record, other.record]),
    store: h.store,
    jobs: { kinds: h.kinds, queue: h.queue, options: { stopGraceSeconds: 0 } },
  });
  const get = (path: string, key = acme.key) => app.request(path, { headers: { authorization: `Bearer ${key}` } });
  const post = (path: string, key = acme.key) => app.request(path, { method: "POST", headers: { authorization: `Bearer ${key}` } });
  return { h, kind, app, get, post };
}

describe("/v1/jobs: the routes every kind shares", () => {
  it("should list a tenant's jobs newest first, filter by kind and page with a cursor", async () => {
    const { h, kind, get } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await createJob(h.deps, kind, "acme", { count: 2 }, new Date(Date.UTC(2026, 0, 1 + i)))).manifest.jobId);
    }
    await createJob(h.deps, kind, "other", { count: 2 });
    const page1 = await json(await get("/v1/jobs?limit=2"));
    expect(page1.jobs.map((j: { jobId: string }) => j.jobId)).toEqual([ids[2], ids[1]]);
    expect(page1.jobs[0]).toMatchObject({ kind: "counting", links: { self: `/v1/jobs/${ids[2]}` } });
    const page2 = await json(await get(`/v1/jobs?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`));
    expect(page2).toEqual({ jobs: [expect.objectContaining({ jobId: ids[0] })], nextCursor: null });
    expect((await json(await get("/v1/jobs?kind=nuggets"))).jobs).toEqual([]);
    const unknown = await get("/v1/jobs?kind=telepathy");
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).error.message).toContain("available: nuggets, counting");
  });

  it("should serve status, results and result files of a kind it has no routes of its own for", async () => {
    const { h, kind, get, post } = setup();
    const { manifest } = await createJob(h.deps, kind, "acme", { count: 12, shardSize: 5 });
    const id = manifest.jobId;
    expect((await get(`/v1/jobs/${id}/results`)).status).toBe(409);
    await h.drain();
    const status = await json(await get(`/v1/jobs/${id}`));
    expect(status).toMatchObject({ jobId: id, kind: "counting", status: "completed", progress: { units: 12, unitsDone: 12, shardsDone: 3 } });
    expect(status.links.lines).toBe(`/v1/jobs/${id}/results/units.jsonl`);
    expect(await json(await get(`/v1/jobs/${id}/results`))).toMatchObject({ counted: 12, partial: false });
    const lines = await get(`/v1/jobs/${id}/results/units.jsonl`);
    expect(lines.headers.get("content-type")).toContain("application/x-ndjson");
    expect((await lines.text()).trim().split("\n")).toHaveLength(12);
    expect(await (await get(`/v1/jobs/${id}/results/report.md`)).text()).toBe("# counted 12 of 12\n");
    expect((await get(`/v1/jobs/${id}/results/cut.json`)).status).toBe(404);
    expect((await get(`/v1/jobs/${id}/results/nope.csv`)).status).toBe(404);
    expect((await get(`/v1/jobs/${id}/results/..%2Fmanifest.json`)).status).toBe(400);
    expect((await post(`/v1/jobs/${id}/cancel`)).status).toBe(409);
    // Another tenant's job, and an id no kind issues: 404, nothing disclosed.
    expect((await get(`/v1/jobs/${id}`, other.key)).status).toBe(404);
    expect((await get("/v1/jobs/zz_00000000000000000000000000")).status).toBe(404);
  });

  it("should cancel a job, say so, and then offer its partial results", async () => {
    const { h, kind, get, post } = setup();
    const { manifest } = await createJob(h.deps, kind, "acme", { count: 40, shardSize: 10 });
    await h.drain({ limit: 2 }); // prepare and one shard
    const cancelled = await post(`/v1/jobs/${manifest.jobId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(await json(cancelled)).toMatchObject({ status: "cancelled", stop: { reason: "cancelled" } });
    const early = await get(`/v1/jobs/${manifest.jobId}/results`);
    expect(early.status).toBe(409);
    expect((await json(early)).error.message).toMatch(/was cancelled; its partial results come/);
    await h.drain();
    expect(await json(await get(`/v1/jobs/${manifest.jobId}`))).toMatchObject({ status: "cancelled", partialResults: true });
    expect(await json(await get(`/v1/jobs/${manifest.jobId}/results`))).toMatchObject({ partial: true, counted: 10 });
  });
});
