/**
 * The `aggregate` message: once every shard is complete (or the job stopped), fix the cut — which pieces, which of
 * their lines — create-once, stream the unit lines in unit order into `results/{linesFile}` (a multipart upload: memory
 * does not grow with the job) while the kind's aggregator reads each line once, write the kind's report files, then
 * `results/summary.json` create-once — last, so its presence means the results are whole — and deliver the callback.
 * Everything written is a function of the cut and the stored pieces, so racing aggregations write the same bytes.
 */
import { ResultsCutSchema, type JobManifest, type ResultsCut } from "../../schemas/jobs.js";
import { ValidationError } from "../errors.js";
import { deliverCallback } from "./callback.js";
import type { AnyJobKind, PreparedJobView } from "./job-kind.js";
import { jobKeys, shardRange } from "./job-keys.js";
import { readManifest, readPreparedView } from "./job-views.js";
import { coverOf, listPieces, type PieceInfo } from "./pieces.js";
import { logOf, type JobDeps } from "./ports.js";
import { readProgress } from "./progress.js";
import { readStop } from "./stop.js";

/** Handles `{type: "aggregate"}`. */
export async function handleAggregate(deps: JobDeps, kind: AnyJobKind, tenant: string, jobId: string): Promise<void> {
  const { store } = deps;
  const keys = jobKeys(tenant, jobId);
  const manifest = await readManifest(store, tenant, jobId, kind);
  const view = await readPreparedView(store, kind, manifest);
  if (!view) {
    logOf(deps).info("aggregate before prepare; nothing to aggregate", { jobId, kind: kind.name });
    return;
  }
  const existing = await store.getJsonOrNull(keys.summary, kind.summarySchema);
  if (existing) {
    await sendCallback(deps, kind, manifest, view, existing);
    return;
  }
  const [stop, progress] = await Promise.all([
    readStop(store, tenant, jobId),
    readProgress(store, { tenant, jobId, shards: view.prepared.shards }),
  ]);
  if (!progress.complete && !stop) {
    logOf(deps).warn("aggregate before every shard was complete; ignored", { jobId, kind: kind.name });
    return;
  }

  const cut = await fixCut(deps, manifest, view.prepared);
  const partial = cut.partial;
  const aggregator = await kind.aggregator(deps, view, { partial });
  let finishedAt = view.prepared.preparedAt;
  let processingMs = 0;
  const headersSeen = new Set<string>();
  const lines = async function* (): AsyncIterable<string> {
    for (const part of cut.pieces) {
      let k = -1; // -1: the header line
      const want = part.to - part.from;
      let taken = 0;
      for await (const line of store.lines(part.key)) {
        if (k === -1) {
          if (!headersSeen.has(part.key)) {
            headersSeen.add(part.key);
            const header = JSON.parse(line) as { processedAt?: string; elapsedMs?: number };
            if (typeof header.processedAt === "string" && header.processedAt > finishedAt) finishedAt = header.processedAt;
            processingMs += typeof header.elapsedMs === "number" ? header.elapsedMs : 0;
          }
          k = 0;
          continue;
        }
        if (k++ < part.skip) continue;
        if (line === "") throw new ValidationError(`${part.key} holds an empty unit line`, { key: part.key });
        await aggregator.add(line, part.from + taken);
        yield `${line}\n`;
        if (++taken >= want) break;
      }
      if (taken < want) throw new ValidationError(`${part.key} holds ${taken} of the ${want} lines it should`, { key: part.key });
    }
  };
  await store.putStream(keys.result(kind.linesFile), lines(), { contentType: "application/x-ndjson" });
  const { summary, files } = await aggregator.finish({
    partial,
    stop,
    units: view.prepared.units,
    unitsCovered: cut.units,
    outcomes: progress.outcomes,
    work: progress.work,
    preparedAt: view.prepared.preparedAt,
    finishedAt,
    processingMs,
  });
  for (const file of files ?? []) await store.putBytes(keys.result(file.name), file.body, { contentType: file.contentType });
  const outcome = await store.createOnceJson(keys.summary, summary, kind.summarySchema);
  const stored = outcome.status === "created" ? summary : await store.getJson(keys.summary, kind.summarySchema);
  if (outcome.status === "created") {
    logOf(deps).info(partial ? "job stopped with partial results" : "job completed", { jobId, kind: kind.name, units: cut.units, of: view.prepared.units });
  }
  await sendCallback(deps, kind, manifest, view, stored);
}

/** The cut already fixed, or this aggregator's, stored create-once so every aggregator uses the same one. */
async function fixCut(deps: JobDeps, manifest: JobManifest, prepared: PreparedJobView<unknown, unknown, unknown>["prepared"]): Promise<ResultsCut> {
  const { store } = deps;
  const keys = jobKeys(manifest.tenant, manifest.jobId);
  const fixed = await store.getJsonOrNull(keys.cut, ResultsCutSchema);
  if (fixed) return fixed;
  const byShard = new Map<number, PieceInfo[]>();
  for (const piece of await listPieces(store, manifest.tenant, manifest.jobId)) {
    const list = byShard.get(piece.shard) ?? [];
    list.push(piece);
    byShard.set(piece.shard, list);
  }
  const parts: ResultsCut["pieces"] = [];
  let units = 0;
  for (let shard = 0; shard < prepared.shards; shard++) {
    for (const part of coverOf(shardRange(shard, prepared.shardSize, prepared.units), byShard.get(shard) ?? [])) {
      parts.push(part);
      units += part.to - part.from;
    }
  }
  const cut: ResultsCut = { version: 1, partial: units < prepared.units, units, pieces: parts };
  const outcome = await store.createOnceJson(keys.cut, cut, ResultsCutSchema);
  return outcome.status === "created" ? cut : await store.getJson(keys.cut, ResultsCutSchema);
}

async function sendCallback(
  deps: JobDeps,
  kind: AnyJobKind,
  manifest: JobManifest,
  view: PreparedJobView<unknown, unknown, unknown>,
  summary: unknown,
): Promise<void> {
  if (!manifest.callbackUrl) return;
  const [stop, cut] = await Promise.all([
    readStop(deps.store, manifest.tenant, manifest.jobId),
    deps.store.getJsonOrNull(jobKeys(manifest.tenant, manifest.jobId).cut, ResultsCutSchema),
  ]);
  const partial = cut?.partial ?? false;
  const status = !partial ? "completed" : stop?.reason === "cancelled" ? "cancelled" : "failed";
  const body = kind.callbackBody
    ? kind.callbackBody(view, summary, status)
    : { type: `${kind.name}.job.${status}`, jobId: manifest.jobId, kind: kind.name, status };
  await deliverCallback(deps, manifest, JSON.stringify(body));
}
