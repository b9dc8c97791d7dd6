/**
 * The job kinds assay runs. Adding a kind: implement `JobKind` (see README "Adding a job kind"), list it here, and add
 * its worker to `infra/worker-spec.ts` — the stack, the local stack and the API pick it up from these two lists.
 */
import type { AnyJobKind } from "./jobs/job-kind.js";
import { JobKinds } from "./jobs/job-kinds.js";
import { mtiSweepKind } from "./mti/jobs/mti-kind.js";
import { nuggetsKind } from "./nuggets/jobs/nuggets-kind.js";
import { sirllmEvalKind } from "./sirllm/jobs/sirllm-eval-kind.js";

export const JOB_KINDS: readonly AnyJobKind[] = [nuggetsKind, mtiSweepKind, sirllmEvalKind];

/** A registry of every kind. */
export const allJobKinds = (): JobKinds => new JobKinds(JOB_KINDS);
