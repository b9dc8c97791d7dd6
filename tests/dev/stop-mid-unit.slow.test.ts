/**
 * Stopping the local stack while a worker thread is inside a llama.cpp call: the stop waits for the unit in hand, the
 * shard checkpoints and hands its remainder back to the queue (the stop signal spends its budget), nothing aborts the
 * process, and a stack restarted on the same data folder finishes the job with every unit covered once. An MTI-Bench
 * sweep on stories260K makes units of several seconds each (prompts of 2-6k tokens). Part of `npm run test:slow`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sharedFile } from "../../shared/config/shared-files.js";
import { startLocalStack, type LocalStack } from "../../shared/dev/stack.js";
import { json } from "../helpers/http.js";

const dataDir = mkdtempSync(join(tmpdir(), "assay-stop-mid-unit-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function call(stack: LocalStack, method: string, path: string, body?: { json?: unknown; text?: string; query?: string }) {
  const res = await fetch(`${stack.apiUrl}${path}${body?.query ?? ""}`, {
    method,
    headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": body?.json !== undefined ? "application/json" : "application/json" },
    ...(body?.json !== undefined ? { body: JSON.stringify(body.json) } : body?.text !== undefined ? { body: body.text } : {}),
  });
  return { status: res.status, body: (await json(res)) as Record<string, any> };
}

describe("stopping the local stack in the middle of a unit", () => {
  it("should wait for the unit, lose nothing, and let a restarted stack finish the sweep", async () => {
    const first = await startLocalStack({ port: 0, dataDir, contextSize: 8192, workers: 1 });
    let sweepId: string;
    try {
      const upload = async (file: string, kind: string) =>
        (await call(first, "POST", "/v1/datasets", { text: readFileSync(sharedFile(file), "utf8"), query: `?kind=${kind}` })).body.id as string;
      const datasetId = await upload("data/mti_bench/mti_bench_slice.json", "mti-bench");
      const demosDatasetId = await upload("data/mti_bench/cot_breakdown.json", "mti-demos");
      const submitted = await call(first, "POST", "/v1/mti/sweeps", {
        json: { engines: ["local"], datasetId, demosDatasetId, modes: ["single"], tasks: ["001", "013"], decoding: { maxTokens: 8 }, shardSize: 8 },
      });
      expect(submitted.status).toBe(202);
      sweepId = submitted.body.jobId;
      // Wait until the worker is inside the shard: some units done, not all.
      for (let i = 0; i < 600; i++) {
        const s = (await call(first, "GET", `/v1/mti/sweeps/${sweepId}`)).body;
        if ((s.progress?.unitsDone ?? 0) >= 1) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await first.stop(); // must return, and must not abort this process
    }

    const second = await startLocalStack({ port: 0, dataDir, contextSize: 8192, workers: 1 });
    try {
      let status: Record<string, any> = {};
      for (let i = 0; i < 3000 && status.status !== "completed"; i++) {
        status = (await call(second, "GET", `/v1/mti/sweeps/${sweepId}`)).body;
        if (status.status === "failed") break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(status.status).toBe("completed");
      const report = (await call(second, "GET", `/v1/mti/sweeps/${sweepId}/report`)).body;
      expect(report.units).toBe(8);
      expect(report.unitsCovered).toBe(8);
      expect(report.unitErrors).toBe(0);
      const lines = (await (await fetch(`${second.apiUrl}/v1/jobs/${sweepId}/results/units.jsonl`, { headers: { authorization: `Bearer ${second.apiKey}` } })).text()).trim().split("\n");
      expect(lines.map((l) => JSON.parse(l).unit)).toEqual(Array.from({ length: 8 }, (_, i) => i));
    } finally {
      await second.stop();
    }
  }, 1_200_000);
});
