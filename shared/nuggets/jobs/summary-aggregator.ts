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
import { SelectAccumulator, SummaryAccumulator } from "./summary-stats.js";

type NuggetsView = PreparedJobView<CreateNuggetsJob, NuggetsJobSpec, NuggetsPreparedContext>;

interface ParsedLine {
  index: number;
  status: "scored" | "skipped" | "error" | "decided";
  goldenScore?: number;
  wins?: number;
  goldenScoreRange?: [number, number];
  nearTies?: number[];
  decisions?: Record<string, "above" | "below">;
  uncertain?: string[];
  anchorsScored?: number;
}

/** The fields the summary needs from one line; one JSON.parse per candidate, never per pair. */
function parseLine(line: string, index: number, mode: NuggetsJobSpec["mode"]): ParsedLine {
  const v = JSON.parse(line) as Partial<ParsedLine>;
  const ok =
    v.index === index &&
    (v.status === "skipped" ||
      v.status === "error" ||
      (mode === "exhaustive" && v.status === "scored" && typeof v.goldenScore === "number" && Number.isInteger(v.wins)) ||
      (mode === "select" && v.status === "decided" && typeof v.decisions === "object" && Array.isArray(v.uncertain) && Number.isInteger(v.anchorsScored)));
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
  const select = new SelectAccumulator(spec.thresholds);
  let errors = 0;
  let covered = 0;
  return {
    add(line, index) {
      const entry = parseLine(line, index, spec.mode);
      covered++;
      if (entry.status === "scored") stats.add(entry as Required<ParsedLine>);
      else if (entry.status === "decided") select.add(entry as Required<ParsedLine>);
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
      const isSelect = spec.mode === "select";
      const scored = isSelect ? select.decided : stats.scored;
      const compared = isSelect ? select.anchorsScored : stats.scored * context.anchors;
      const pairs = compared;
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
        scored,
        skipped: stats.skipped,
        errors,
        mode: spec.mode,
        selectSeed: isSelect ? spec.selectSeed : null,
        pairs: { compared, exhaustive: scored * context.anchors },
        histogram: isSelect ? null : { bins: stats.histogram.length, counts: stats.histogram },
        winsCounts: isSelect ? null : stats.winsCounts,
        thresholds: isSelect
          ? spec.thresholds.map((threshold, i) => ({ threshold, count: select.above[i]!, uncertain: select.uncertain[i]! }))
          : spec.thresholds.map((threshold, i) => ({ threshold, count: stats.thresholdCounts[i]!, uncertain: stats.thresholdUncertain[i]! })),
        nearTies: isSelect
          ? { pairs: select.nearTiePairs, candidates: select.candidatesWithNearTies }
          : { pairs: stats.nearTiePairs, candidates: stats.candidatesWithNearTies },
        top: isSelect ? null : stats.top.map((e) => ({ index: e.index, goldenScore: e.goldenScore, wins: e.wins, ...(texts.get(e.index) ?? { instruction: "", input: "" }) })),
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
