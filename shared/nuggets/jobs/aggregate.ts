/**
 * The `aggregate` message: once every shard is covered, merge the pieces into `results/scores.jsonl` (sorted by
 * candidate, duplicates from raced pieces dropped), then write `results/summary.json` create-once — last, so its
 * presence means the results are whole — and deliver the callback. Everything written is a function of the stored
 * pieces alone (times come from the pieces, never from the clock), so two racing aggregations write the same bytes.
 */
import {
  NuggetsJobManifestSchema,
  NuggetsJobPreparedSchema,
  NuggetsJobSummarySchema,
  NuggetsPieceHeaderSchema,
  type NuggetsJobManifest,
  type NuggetsJobSummary,
} from "../../../schemas/nuggets-jobs.js";
import { loadDatasetExamples } from "../../datasets/dataset-store.js";
import { ValidationError } from "../../errors.js";
import { deliverCallback } from "./callback.js";
import { jobKeys, shardRange } from "./job-keys.js";
import { coverage, listPieces, splitPiece, type PieceInfo } from "./pieces.js";
import { logOf, type NuggetsJobDeps } from "./ports.js";
import { SummaryAccumulator } from "./summary-stats.js";

const decoder = new TextDecoder();

/** Handles `{type: "aggregate"}`. */
export async function handleAggregate(deps: NuggetsJobDeps, tenant: string, jobId: string): Promise<void> {
  const { store } = deps;
  const keys = jobKeys(tenant, jobId);
  const manifest = await store.getJson(keys.manifest, NuggetsJobManifestSchema);
  if (await store.head(keys.cancel)) return;
  let summary = await store.getJsonOrNull(keys.summary, NuggetsJobSummarySchema);
  if (!summary) {
    const pieces = await listPieces(store, tenant, jobId);
    if (!coverage(manifest, pieces).complete) {
      logOf(deps).warn("nuggets aggregate before every shard was scored; ignored", { jobId });
      return;
    }
    const built = await buildResults(deps, manifest, pieces);
    await store.putBytes(keys.scores, built.scores, { contentType: "application/x-ndjson" });
    const outcome = await store.createOnce(keys.summary, JSON.stringify(built.summary), { contentType: "application/json" });
    summary = outcome.status === "created" ? built.summary : await store.getJson(keys.summary, NuggetsJobSummarySchema);
    logOf(deps).info("nuggets job aggregated", { jobId, scored: summary.scored, skipped: summary.skipped });
  }
  await deliverCallback(deps, manifest, callbackBody(manifest, summary));
}

/** The callback's JSON body: the summary's headline numbers (deterministic for a given summary). */
export function callbackBody(manifest: NuggetsJobManifest, summary: NuggetsJobSummary): string {
  return JSON.stringify({
    type: "nuggets.job.completed",
    jobId: manifest.jobId,
    status: "completed",
    engine: summary.engine,
    model: summary.model,
    preset: summary.preset.name,
    candidates: summary.candidates,
    anchors: summary.anchors,
    scored: summary.scored,
    skipped: summary.skipped,
    thresholds: summary.thresholds,
    histogram: summary.histogram,
    finishedAt: summary.timings.finishedAt,
    links: { summary: `/v1/nuggets/jobs/${manifest.jobId}/results`, scores: `/v1/nuggets/jobs/${manifest.jobId}/scores` },
  });
}

/** Merges the pieces shard by shard (bounded memory per shard) into scores.jsonl text and the summary. */
async function buildResults(
  deps: NuggetsJobDeps,
  manifest: NuggetsJobManifest,
  pieces: readonly PieceInfo[],
): Promise<{ scores: string; summary: NuggetsJobSummary }> {
  const { store } = deps;
  const keys = jobKeys(manifest.tenant, manifest.jobId);
  const prepared = await store.getJson(keys.prepared, NuggetsJobPreparedSchema);
  const stats = new SummaryAccumulator(prepared.anchors, manifest.thresholds);
  const chunks: string[] = [];
  let finishedAt = prepared.preparedAt;
  let engineMs = 0;
  let pairs = 0;

  for (let shard = 0; shard < manifest.shards; shard++) {
    const range = shardRange(shard, manifest.shardSize, manifest.candidates);
    const lines = new Map<number, { line: string; entry: ParsedLine }>();
    for (const piece of pieces.filter((p) => p.shard === shard)) {
      const { header, lines: pieceLines } = splitPiece(decoder.decode((await store.getBytes(piece.key)).body));
      const h = NuggetsPieceHeaderSchema.parse(JSON.parse(header));
      if (h.scoredAt > finishedAt) finishedAt = h.scoredAt;
      engineMs += h.elapsedMs;
      for (const line of pieceLines) {
        const entry = parseLine(piece.key, line);
        if (!lines.has(entry.index)) lines.set(entry.index, { line, entry });
      }
    }
    for (let index = range.from; index < range.to; index++) {
      const hit = lines.get(index);
      if (!hit) throw new ValidationError(`candidate ${index} is missing from the pieces of shard ${shard}`);
      chunks.push(hit.line, "\n");
      if (hit.entry.status === "scored") {
        stats.add(hit.entry as Required<ParsedLine>);
        pairs += prepared.anchors;
      } else stats.addSkipped();
    }
  }

  const examples = await loadDatasetExamples(store, manifest.tenant, manifest.datasetId);
  const wallSeconds = Math.max(0, (Date.parse(finishedAt) - Date.parse(prepared.preparedAt)) / 1000);
  const summary: NuggetsJobSummary = {
    version: 1,
    jobId: manifest.jobId,
    engine: manifest.engine,
    model: manifest.model,
    preset: manifest.preset,
    candidates: manifest.candidates,
    anchors: prepared.anchors,
    scored: stats.scored,
    skipped: stats.skipped,
    histogram: { bins: stats.histogram.length, counts: stats.histogram },
    winsCounts: stats.winsCounts,
    thresholds: manifest.thresholds.map((threshold, i) => ({ threshold, count: stats.thresholdCounts[i]! })),
    top: stats.top.map((e) => ({
      index: e.index,
      goldenScore: e.goldenScore,
      wins: e.wins,
      instruction: examples[e.index]?.instruction ?? "",
      input: examples[e.index]?.input ?? "",
    })),
    timings: {
      preparedAt: prepared.preparedAt,
      finishedAt,
      wallSeconds,
      engineSeconds: engineMs / 1000,
      pairsPerSecond: wallSeconds > 0 ? pairs / wallSeconds : null,
    },
  };
  return { scores: chunks.join(""), summary: NuggetsJobSummarySchema.parse(summary) };
}

interface ParsedLine {
  index: number;
  status: "scored" | "skipped";
  goldenScore?: number;
  wins?: number;
}

/** The fields the merge needs from one line; one JSON.parse per candidate, never per pair. */
function parseLine(key: string, line: string): ParsedLine {
  const v = JSON.parse(line) as Partial<ParsedLine>;
  const ok =
    Number.isInteger(v.index) &&
    (v.status === "skipped" || (v.status === "scored" && typeof v.goldenScore === "number" && Number.isInteger(v.wins)));
  if (!ok) throw new ValidationError(`${key} holds a malformed score line`, { key });
  return v as ParsedLine;
}
