/**
 * NUGGETS' aggregator: reads each candidate's line once, in order, and keeps bounded state — the histogram, exact
 * counts per number of wins, counts over thresholds and the top-k — so a million candidates cost what twenty do.
 * The top candidates' texts are read by streaming the dataset, not by loading it.
 */
import type { CreateNuggetsJob, NuggetsJobSpec, NuggetsJobSummary, NuggetsPreparedContext } from "../../../schemas/nuggets-jobs.js";
import { NuggetsJobSummarySchema } from "../../../schemas/nuggets-jobs.js";
import { NuggetsExampleSchema } from "../../../schemas/nuggets.js";
import { datasetKeys } from "../../datasets/dataset-store.js";
import { ValidationError } from "../../errors.js";
import type { Aggregator, PreparedJobView } from "../../jobs/job-kind.js";
import type { JobDeps } from "../../jobs/ports.js";
import { SummaryAccumulator } from "./summary-stats.js";

type NuggetsView = PreparedJobView<CreateNuggetsJob, NuggetsJobSpec, NuggetsPreparedContext>;

interface ParsedLine {
  index: number;
  status: "scored" | "skipped" | "error";
  goldenScore?: number;
  wins?: number;
  goldenScoreRange?: [number, number];
  nearTies?: number[];
}

/** The fields the summary needs from one line; one JSON.parse per candidate, never per pair. */
function parseLine(line: string, index: number): ParsedLine {
  const v = JSON.parse(line) as Partial<ParsedLine>;
  const ok =
    v.index === index &&
    (v.status === "skipped" || v.status === "error" || (v.status === "scored" && typeof v.goldenScore === "number" && Number.isInteger(v.wins)));
  if (!ok) throw new ValidationError(`the line of candidate ${index} is malformed`, { index });
  return v as ParsedLine;
}

export async function nuggetsAggregator(
  deps: JobDeps,
  job: NuggetsView,
  facts: { partial: boolean },
): Promise<Aggregator<NuggetsJobSummary>> {
  const { spec, context } = job;
  const stats = new SummaryAccumulator(context.anchors, spec.thresholds);
  let errors = 0;
  let covered = 0;
  return {
    add(line, index) {
      const entry = parseLine(line, index);
      covered++;
      if (entry.status === "scored") stats.add(entry as Required<ParsedLine>);
      else if (entry.status === "skipped") stats.addSkipped();
      else errors++;
    },
    async finish(f) {
      const wanted = new Map(stats.top.map((e) => [e.index, e]));
      const texts = new Map<number, { instruction: string; input: string }>();
      if (wanted.size > 0) {
        let i = 0;
        const last = Math.max(...wanted.keys());
        for await (const example of deps.store.iterateJsonl(datasetKeys(job.tenant, spec.datasetId).records, NuggetsExampleSchema)) {
          if (wanted.has(i)) texts.set(i, { instruction: example.instruction, input: example.input ?? "" });
          if (++i > last) break;
        }
      }
      const wallSeconds = Math.max(0, (Date.parse(f.finishedAt) - Date.parse(f.preparedAt)) / 1000);
      const pairs = stats.scored * context.anchors;
      const status: NuggetsJobSummary["status"] = !facts.partial ? "completed" : f.stop?.reason === "cancelled" ? "cancelled" : "failed";
      const summary: NuggetsJobSummary = {
        version: 1,
        jobId: job.jobId,
        status,
        partial: facts.partial,
        engine: spec.engine,
        model: spec.model,
        preset: spec.preset,
        candidates: spec.candidates,
        covered,
        anchors: context.anchors,
        scored: stats.scored,
        skipped: stats.skipped,
        errors,
        histogram: { bins: stats.histogram.length, counts: stats.histogram },
        winsCounts: stats.winsCounts,
        thresholds: spec.thresholds.map((threshold, i) => ({ threshold, count: stats.thresholdCounts[i]!, uncertain: stats.thresholdUncertain[i]! })),
        nearTies: { pairs: stats.nearTiePairs, candidates: stats.candidatesWithNearTies },
        top: stats.top.map((e) => ({ index: e.index, goldenScore: e.goldenScore, wins: e.wins, ...(texts.get(e.index) ?? { instruction: "", input: "" }) })),
        timings: {
          preparedAt: f.preparedAt,
          finishedAt: f.finishedAt,
          wallSeconds,
          engineSeconds: f.processingMs / 1000,
          pairsPerSecond: wallSeconds > 0 ? pairs / wallSeconds : null,
        },
      };
      return { summary: NuggetsJobSummarySchema.parse(summary) };
    },
  };
}
