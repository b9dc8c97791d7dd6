/** Job ids: `nj_` + 26 lowercase hex digits; derived from (tenant, idempotency key) when a key is given. */
import { createHash, randomBytes } from "node:crypto";

const ID_DIGITS = 26;

/**
 * The same tenant and key always give the same id, so a retried POST finds the job it already created; different
 * tenants never share an id for the same key.
 *
 * @example
 * jobIdFor("acme", "nightly-2024-06-01"); // "nj_…" (stable)
 */
export function jobIdFor(tenant: string, idempotencyKey: string): string {
  const digest = createHash("sha256").update(`nuggets-job\0${tenant}\0${idempotencyKey}`).digest("hex");
  return `nj_${digest.slice(0, ID_DIGITS)}`;
}

/** A fresh random job id. */
export function randomJobId(): string {
  return `nj_${randomBytes(16).toString("hex").slice(0, ID_DIGITS)}`;
}

/** A stable hash of a JSON value (keys sorted), for fingerprints and cache keys. */
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
