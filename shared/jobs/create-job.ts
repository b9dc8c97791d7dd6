/**
 * Accepting a job of any kind: validate the request with the kind's schema, let the kind check it against what exists,
 * check the callback URL, then write `manifest.json` once, index the job and enqueue `prepare`. A dry run runs every
 * one of those checks and stores nothing.
 */
import { JobIndexEntrySchema, JobManifestSchema, JobPreparedSchema, type JobManifest, type JobRequestCommon } from "../../schemas/jobs.js";
import { ConflictError, ValidationError } from "../errors.js";
import { validate } from "../store/json-codec.js";
import { assertCallbackUrlAllowed, systemLookup } from "./callback-url.js";
import { jobIdFor, randomJobId, stableHash } from "./job-id.js";
import type { AcceptedJob, AnyJobKind } from "./job-kind.js";
import { jobIndexKey, jobKeys } from "./job-keys.js";
import { logOf, nowOf, type JobDeps } from "./ports.js";
import { readThroughput } from "./throughput.js";
import { chooseShardSize } from "./throughput.js";

/** A request that passed the schema, the kind's checks and the callback policy. */
export interface AcceptedRequest {
  readonly request: JobRequestCommon & Record<string, unknown>;
  readonly accepted: AcceptedJob<unknown>;
}

/** Parses (defaults applied) and checks a request; 400/404 errors name what is wrong. Stores nothing. */
export async function acceptRequest(deps: JobDeps, kind: AnyJobKind, tenant: string, input: unknown): Promise<AcceptedRequest> {
  const parsed = kind.requestSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(`invalid ${kind.title} request`, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    });
  }
  const request = parsed.data as JobRequestCommon & Record<string, unknown>;
  const accepted = await kind.accept(deps, tenant, request);
  if (request.callbackUrl) {
    await assertCallbackUrlAllowed(request.callbackUrl, { allowLoopback: deps.options?.allowLoopbackCallbacks ?? false }, deps.lookup ?? systemLookup);
  }
  return { request, accepted };
}

/** How a job's units would be cut into shards. */
export interface ShardSizing {
  readonly shardSize: number;
  readonly shards: number;
  readonly source: "request" | "history" | "assumed";
  readonly unitsPerSecond: number | null;
  readonly targetShardSeconds: number;
}

/**
 * The shard plan for `units` units: the request's `shardSize` when given, else one from the measured unit cost for
 * (kind, engine) — or the kind's assumption before anything was measured.
 */
export async function planShards(
  deps: JobDeps,
  kind: AnyJobKind,
  tenant: string,
  units: number,
  accepted: Pick<AcceptedJob<unknown>, "costKey" | "model" | "assumedUnitsPerSecond">,
  requestedShardSize: number | undefined,
): Promise<ShardSizing> {
  const targetShardSeconds = deps.options?.targetShardSeconds ?? 300;
  const shardsOf = (size: number) => Math.ceil(units / size);
  if (requestedShardSize !== undefined) {
    return { shardSize: requestedShardSize, shards: shardsOf(requestedShardSize), source: "request", unitsPerSecond: null, targetShardSeconds };
  }
  const history = await readThroughput(deps.store, tenant, kind.name, accepted);
  const unitsPerSecond = history?.unitsPerSecond ?? accepted.assumedUnitsPerSecond;
  const shardSize = chooseShardSize({ units, unitsPerSecond, targetSeconds: targetShardSeconds, minShards: deps.options?.minShards ?? 8 });
  return { shardSize, shards: shardsOf(shardSize), source: history ? "history" : "assumed", unitsPerSecond, targetShardSeconds };
}

/**
 * The dry run: every check a submission runs, then the kind's plan (costs) and the shard plan. Nothing is stored.
 *
 * @example
 * const plan = await planJob(deps, kinds.get("nuggets"), "acme", { ...request, dryRun: true });
 */
export async function planJob(deps: JobDeps, kind: AnyJobKind, tenant: string, input: unknown): Promise<Record<string, unknown>> {
  const { request, accepted } = await acceptRequest(deps, kind, tenant, input);
  const sizing =
    accepted.unitsHint === null
      ? null
      : await planShards(deps, kind, tenant, accepted.unitsHint, accepted, request.shardSize);
  const kindPlan = kind.plan ? await kind.plan(deps, tenant, request, accepted) : {};
  return {
    dryRun: true,
    kind: kind.name,
    units: accepted.unitsHint,
    maxUnitErrors: request.maxUnitErrors ?? kind.defaultMaxUnitErrors,
    ...(sizing ? { shardSize: sizing.shardSize, shards: sizing.shards } : {}),
    ...kindPlan,
  };
}

/**
 * Creates a job (or finds the one an earlier POST with the same idempotency key created).
 *
 * @example
 * const { manifest, created } = await createJob(deps, kinds.get("nuggets"), "acme", request);
 */
export async function createJob(
  deps: JobDeps,
  kind: AnyJobKind,
  tenant: string,
  input: unknown,
  now: Date = nowOf(deps),
): Promise<{ manifest: JobManifest; created: boolean }> {
  const { request, accepted } = await acceptRequest(deps, kind, tenant, input);
  if (request.dryRun) throw new ValidationError("a dry run creates no job: plan it with planJob");
  const { idempotencyKey, dryRun: _dryRun, ...fingerprinted } = request;
  const requestHash = stableHash({ kind: kind.name, ...fingerprinted });
  const jobId = idempotencyKey
    ? jobIdFor(kind.idPrefix, kind.name, tenant, idempotencyKey)
    : (deps.newJobId ?? randomJobId)(kind.idPrefix);
  const manifest: JobManifest = {
    version: 2,
    jobId,
    kind: kind.name,
    tenant,
    createdAt: now.toISOString(),
    request: fingerprinted,
    spec: validate(kind.specSchema, accepted.spec, { key: "spec" }) as Record<string, unknown>,
    unitsHint: accepted.unitsHint,
    costKey: accepted.costKey,
    model: accepted.model,
    assumedUnitsPerSecond: accepted.assumedUnitsPerSecond,
    maxUnitErrors: request.maxUnitErrors ?? kind.defaultMaxUnitErrors,
    callbackUrl: request.callbackUrl ?? null,
    requestHash,
  };

  const keys = jobKeys(tenant, jobId);
  const index = () =>
    deps.store.createOnceJson(jobIndexKey(tenant, manifest.createdAt, jobId), { version: 1 as const, jobId, kind: kind.name, createdAt: manifest.createdAt }, JobIndexEntrySchema);
  const outcome = await deps.store.createOnceJson(keys.manifest, manifest, JobManifestSchema);
  if (outcome.status === "created") {
    await index();
    await deps.queue.send([{ type: "prepare", kind: kind.name, tenant, jobId }]);
    logOf(deps).info("job created", { jobId, kind: kind.name, tenant, units: manifest.unitsHint ?? undefined, costKey: manifest.costKey });
    return { manifest, created: true };
  }
  const existing = await deps.store.getJson(keys.manifest, JobManifestSchema);
  if (existing.requestHash !== requestHash || existing.kind !== kind.name) {
    throw new ConflictError("this idempotency key was used for a different job request", { jobId });
  }
  // The first POST may have stored the manifest and died before indexing or enqueueing; both are idempotent.
  await deps.store.createOnceJson(jobIndexKey(tenant, existing.createdAt, jobId), { version: 1 as const, jobId, kind: kind.name, createdAt: existing.createdAt }, JobIndexEntrySchema);
  if (!(await deps.store.getJsonOrNull(keys.prepared, JobPreparedSchema))) {
    await deps.queue.send([{ type: "prepare", kind: kind.name, tenant, jobId }]);
  }
  return { manifest: existing, created: false };
}
