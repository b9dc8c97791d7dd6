/**
 * A job kind whose units cost nothing: unit i's line is `{"index":i,"ok":true}`. With it the job bench measures the
 * kernel alone — requests to the object store and wall time per shard — and nothing of an engine.
 */
import { z } from "zod";
import { jobRequestCommonFields } from "../../schemas/jobs.js";
import type { JobKind } from "../../shared/jobs/job-kind.js";

export const InstantRequestSchema = z.object({ ...jobRequestCommonFields, units: z.number().int().min(1) }).strict();
export const InstantSummarySchema = z.object({ version: z.literal(1), partial: z.boolean(), units: z.number().int(), lines: z.number().int() });
type InstantRequest = z.infer<typeof InstantRequestSchema>;
type InstantSummary = z.infer<typeof InstantSummarySchema>;

export const instantKind: JobKind<InstantRequest, { units: number }, { units: number }, null, InstantSummary> = {
  name: "instant",
  idPrefix: "ij",
  title: "instant job",
  requestSchema: InstantRequestSchema,
  specSchema: z.object({ units: z.number().int() }),
  preparedSchema: z.object({ units: z.number().int() }),
  summarySchema: InstantSummarySchema,
  linesFile: "units.jsonl",
  defaultMaxUnitErrors: 0,
  async accept(_deps, _tenant, request) {
    return { spec: { units: request.units }, unitsHint: request.units, costKey: "none", model: "none", assumedUnitsPerSecond: 1e6 };
  },
  async prepare(_deps, job) {
    return { status: "done", units: job.spec.units, context: { units: job.spec.units } };
  },
  async loadContext() {
    return null;
  },
  async processUnit(_ctx, index) {
    return { line: `{"index":${index},"ok":true}`, outcome: "ok" };
  },
  errorLine(_job, index, error) {
    return JSON.stringify({ index, error });
  },
  async aggregator(_deps, job, { partial }) {
    let lines = 0;
    return {
      add() {
        lines++;
      },
      async finish() {
        return { summary: { version: 1, partial, units: job.prepared.units, lines } };
      },
    };
  },
};
