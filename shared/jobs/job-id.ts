/** Job ids: the kind's prefix, `_`, 26 lowercase hex digits; derived from (kind, tenant, idempotency key) when a key is given. */
import { createHash, randomBytes } from "node:crypto";

const ID_DIGITS = 26;

/**
 * The same kind, tenant and key always give the same id, so a retried POST finds the job it already created;
 * different tenants (or kinds) never share an id for the same key. NUGGETS keeps its original derivation, so an
 * idempotency key used before the kernel still finds its job.
 *
 * @example
 * jobIdFor("nj", "nuggets", "acme", "nightly-2024-06-01"); // "nj_…" (stable)
 */
export function jobIdFor(prefix: string, kind: string, tenant: string, idempotencyKey: string): string {
  const seed = kind === "nuggets" ? `nuggets-job\0${tenant}\0${idempotencyKey}` : `job\0${kind}\0${tenant}\0${idempotencyKey}`;
  return `${prefix}_${createHash("sha256").update(seed).digest("hex").slice(0, ID_DIGITS)}`;
}

/** A fresh random job id. */
export function randomJobId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString("hex").slice(0, ID_DIGITS)}`;
}

/** The prefix of a job id (`nj_…` → `nj`), or null. */
export function jobIdPrefix(jobId: string): string | null {
  const m = /^([a-z]{2,8})_/.exec(jobId);
  return m ? m[1]! : null;
}

/** A stable hash of a JSON value (keys sorted, undefined dropped), for fingerprints and cache keys. */
export function stableHash(value: unknown): string {
  return createHash("sha256").update(stableStringify(value)).digest("hex");
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
