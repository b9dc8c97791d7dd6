/**
 * A job kind defined only in the tests: unit i "counts" i (its line is {"index": i, "square": i²}). It proves the
 * kernel runs a kind it has never heard of, and lets the kernel's behaviours be tested without an engine. Faults are
 * injected through a per-test {@link CountingFaults} object.
 */
import { z } from "zod";
import { jobRequestCommonFields } from "../../schemas/jobs.js";
import { EngineError, ValidationError } from "../../shared/errors.js";
import type { JobKind } from "../../shared/jobs/job-kind.js";
import { mulberry32 } from "../../shared/random/mulberry32.js";

export const CountingRequestSchema = z.object({ ...jobRequestCommonFields, count: z.number().int().min(0).max(10_000_000) }).strict();
export type CountingRequest = z.infer<typeof CountingRequestSchema>;

export const CountingSummarySchema = z.object({
  version: z.literal(1),
  partial: z.boolean(),
  units: z.number().int(),
  counted: z.number().int(),
  errors: z.number().int(),
  sumOfSquares: z.number(),
  finishedAt: z.string(),
});
export type CountingSummary = z.infer<typeof CountingSummarySchema>;

/** What a test can make go wrong, and what it can observe. */
export interface CountingFaults {
  /** Units that fail for a reason a retry cannot fix (→ error lines). */
  permanent: Set<number>;
  /** Units that fail transiently every time (→ the shard goes to the DLQ). */
  alwaysTransient: Set<number>;
  /** Units that fail transiently this many more times, then succeed. */
  transientTimes: Map<number, number>;
  /** Fraction of unit calls that fail transiently (seeded). */
  transientRate: number;
  /** Called before each unit (a test can cancel mid-run here). */
  beforeUnit?: (index: number) => void | Promise<void>;
  /** Every unit processed, in call order (successes and permanent failures). */
  processed: number[];
  random: () => number;
}

export function makeFaults(seed = 7): CountingFaults {
  return { permanent: new Set(), alwaysTransient: new Set(), transientTimes: new Map(), transientRate: 0, processed: [], random: mulberry32(seed) };
}

export function countingKind(faults: CountingFaults): JobKind<CountingRequest, { count: number }, { count: number }, { count: number }, CountingSummary> {
  return {
    name: "counting",
    idPrefix: "cj",
    title: "counting job",
    requestSchema: CountingRequestSchema,
    specSchema: z.object({ count: z.number().int() }),
    preparedSchema: z.object({ count: z.number().int() }),
    summarySchema: CountingSummarySchema,
    linesFile: "units.jsonl",
    defaultMaxUnitErrors: 0,
    unitConcurrency: 3,
    async accept(_deps, _tenant, request) {
      return { spec: { count: request.count }, unitsHint: request.count, costKey: "none", model: "none", assumedUnitsPerSecond: 1000 };
    },
    async plan(_deps, _tenant, request) {
      return { squaresUpTo: request.count };
    },
    async prepare(_deps, job) {
      return { status: "done", units: job.spec.count, context: { count: job.spec.count } };
    },
    async loadContext(_deps, job) {
      return { count: job.context.count };
    },
    async processUnit(_ctx, index) {
      await faults.beforeUnit?.(index);
      if (faults.alwaysTransient.has(index)) throw new EngineError(`unit ${index} always fails`, { retryable: true });
      const left = faults.transientTimes.get(index) ?? 0;
      if (left > 0) {
        faults.transientTimes.set(index, left - 1);
        throw new EngineError(`unit ${index} fails ${left} more times`, { retryable: true });
      }
      if (faults.transientRate > 0 && faults.random() < faults.transientRate) throw new EngineError("injected transient failure", { retryable: true });
      faults.processed.push(index);
      if (faults.permanent.has(index)) throw new ValidationError(`unit ${index} cannot be counted`);
      return { line: JSON.stringify({ index, square: index * index }), outcome: "counted", work: { squares: 1 } };
    },
    errorLine(_job, index, error) {
      return JSON.stringify({ index, status: "error", error });
    },
    async aggregator(_deps, job, { partial }) {
      let counted = 0;
      let errors = 0;
      let sum = 0;
      let expected = 0;
      return {
        add(line, index) {
          const v = JSON.parse(line) as { index: number; square?: number; status?: string };
          if (v.index !== index || (!partial && index !== expected)) throw new Error(`line ${index} out of order`);
          expected = index + 1;
          if (v.status === "error") errors++;
          else {
            counted++;
            sum += v.square!;
          }
        },
        async finish(facts) {
          return {
            summary: { version: 1, partial, units: job.prepared.units, counted, errors, sumOfSquares: sum, finishedAt: facts.finishedAt },
            files: [{ name: "report.md", contentType: "text/markdown", body: `# counted ${counted} of ${job.prepared.units}\n` }],
          };
        },
      };
    },
    callbackBody(job, summary, status) {
      return { type: `counting.job.${status}`, jobId: job.jobId, counted: summary.counted };
    },
  };
}
