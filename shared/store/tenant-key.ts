/**
 * Builds an object key under a tenant's prefix: `t/{tenant}/part/part/…`.
 * The tenant id is restricted to `[A-Za-z0-9._-]`, and no part may be empty, `.` or `..`, so one tenant's key can
 * never name another tenant's object.
 */
import { ValidationError } from "../errors.js";

const TENANT_ID = /^[A-Za-z0-9._-]+$/;

/**
 * @example
 * tenantKey("acme", "jobs", jobId, "manifest.json"); // "t/acme/jobs/<jobId>/manifest.json"
 * tenantKey("acme", "sessions/s1/state");            // parts may hold slashes; each segment is checked
 */
export function tenantKey(tenant: string, ...parts: string[]): string {
  if (!TENANT_ID.test(tenant) || tenant === "." || tenant === "..") {
    throw new ValidationError(`invalid tenant id ${JSON.stringify(tenant)}: use letters, digits, '.', '_' or '-'`);
  }
  if (parts.length === 0) throw new ValidationError("a tenant key needs at least one part after the tenant");
  for (const part of parts) {
    for (const segment of part.split("/")) {
      if (segment === "" || segment === "." || segment === "..") {
        throw new ValidationError(`invalid key part ${JSON.stringify(part)}: empty, '.' and '..' segments are not allowed`);
      }
    }
  }
  return ["t", tenant, ...parts].join("/");
}
