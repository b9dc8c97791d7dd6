/**
 * Checking a sweep request against what exists — its engines (by name, able to generate), its two datasets, its
 * tasks and its gate's baseline — before anything is stored. Shared by submission and the dry run.
 */
import { MtiTaskSchema, type MtiTask } from "../../../schemas/mti.js";
import { MtiSweepSummarySchema, type CreateMtiSweep, type MtiSweepLayout, type MtiSweepSpec } from "../../../schemas/mti-sweeps.js";
import { MtiDemosRecordSchema, type MtiDemosRecord } from "../../datasets/dataset-kinds.js";
import { getDatasetMeta, loadDatasetRecords } from "../../datasets/dataset-store.js";
import { CapabilityError, NotFoundError, ValidationError } from "../../errors.js";
import { jobKeys } from "../../jobs/job-keys.js";
import type { JobDeps } from "../../jobs/ports.js";
import type { ObjectStore } from "../../store/object-store.js";
import { MtiUnits } from "./unit-layout.js";

/** The tasks a sweep covers, each cut to `instancesPerTask`, in dataset order. */
export function chooseTasks(all: readonly MtiTask[], request: Pick<CreateMtiSweep, "tasks" | "instancesPerTask">): MtiTask[] {
  const byId = new Map(all.map((t) => [t.task, t]));
  const missing = (request.tasks ?? []).filter((t) => !byId.has(t));
  if (missing.length > 0) {
    throw new ValidationError(`the dataset has no task ${missing.join(", ")}; it has ${[...byId.keys()].join(", ")}`, { missing });
  }
  const wanted = request.tasks ? new Set(request.tasks) : null;
  return all
    .filter((t) => wanted === null || wanted.has(t.task))
    .map((t) => ({ ...t, instances: request.instancesPerTask ? t.instances.slice(0, request.instancesPerTask) : t.instances }));
}

/** Loads a finished sweep's summary for a gate's baseline; 404 when it does not exist, 400 when it is not finished. */
export async function readBaselineSummary(store: ObjectStore, tenant: string, sweepId: string) {
  if (!/^ms_[0-9a-z]{20,32}$/.test(sweepId)) throw new ValidationError(`the gate's baseline ${sweepId} is not an MTI sweep id (ms_…)`);
  const summary = await store.getJsonOrNull(jobKeys(tenant, sweepId).summary, MtiSweepSummarySchema);
  if (summary === null) throw new NotFoundError(`the gate's baseline sweep ${sweepId} has no results (no such sweep, or it has not finished)`);
  return summary;
}

/** A request that passed every check, with what it resolved. */
export interface CheckedSweep {
  readonly spec: MtiSweepSpec;
  readonly layout: MtiSweepLayout;
  readonly tasks: readonly MtiTask[];
  readonly demos: readonly MtiDemosRecord[];
}

/** Parses and checks a sweep request; 400/404 errors name what is wrong. */
export async function checkSweepRequest(deps: JobDeps, tenant: string, request: CreateMtiSweep): Promise<CheckedSweep> {
  const engines = [...new Set(request.engines)].map((name) => {
    const d = deps.engines.describe(name);
    if (!d.capabilities.generate && !d.capabilities.chat) throw new CapabilityError(d.name, "generation (or chat completions)");
    return { name: d.name, model: d.model, contextSize: d.contextSize };
  });
  if (new Set(request.modes).size !== request.modes.length) throw new ValidationError(`modes are listed once each; got ${request.modes.join(", ")}`);
  const meta = await getDatasetMeta(deps.store, tenant, request.datasetId);
  if (meta.kind !== "mti-bench" && meta.kind !== "mti-free-form") {
    throw new ValidationError(`dataset ${request.datasetId} holds ${meta.kind}; a sweep takes an mti-bench or mti-free-form dataset`, { kind: meta.kind });
  }
  const datasetKind = meta.kind;
  const [all, demos] = await Promise.all([
    loadDatasetRecords(deps.store, tenant, request.datasetId, datasetKind, MtiTaskSchema),
    loadDatasetRecords(deps.store, tenant, request.demosDatasetId, "mti-demos", MtiDemosRecordSchema),
  ]);
  const tasks = chooseTasks(all, request);
  const needsDemos = request.modes.some((m) => m !== "multi");
  if (needsDemos) {
    const have = new Set(demos.map((d) => d.task));
    const without = tasks.filter((t) => !have.has(t.task)).map((t) => t.task);
    if (without.length > 0) {
      throw new ValidationError(`the demonstrations dataset has no per-step demonstrations for task ${without.join(", ")} (single and batch need them)`, {
        tasks: without,
      });
    }
  }
  if (request.gate?.baseline) await readBaselineSummary(deps.store, tenant, request.gate.baseline.sweepId);
  const layout: MtiSweepLayout = {
    engines: engines.map((e) => e.name),
    modes: request.modes,
    runs: request.runs,
    tasks: tasks.map((t) => ({ task: t.task, uids: t.instances.map((i) => i.uid) })),
  };
  const units = new MtiUnits(layout).count;
  return {
    spec: {
      engines,
      datasetId: request.datasetId,
      datasetKind,
      demosDatasetId: request.demosDatasetId,
      tasks: tasks.map((t) => t.task),
      instances: tasks.reduce((n, t) => n + t.instances.length, 0),
      units,
    },
    layout,
    tasks,
    demos,
  };
}
