/**
 * S3's rules for conditional writes, as pure logic, so the emulator can enforce what fauxqs ignores.
 *
 * - `If-None-Match: *` — write only if no object exists at the key; otherwise 412 PreconditionFailed.
 * - `If-Match: <etag>` — write only if the current object's ETag matches; 412 on a mismatch, 404 NoSuchKey when
 *   there is no object at all (what S3 answers for a conditional write to a missing key).
 */
import { normalizeEtag } from "../store/etag.js";

/** The outcome of checking a write's preconditions against the object currently stored. */
export type PreconditionVerdict =
  | { ok: true }
  | { ok: false; status: 412; code: "PreconditionFailed"; condition: "If-None-Match" | "If-Match" }
  | { ok: false; status: 404; code: "NoSuchKey"; condition: "If-Match" };


function listMatches(header: string, currentEtag: string): boolean {
  const current = normalizeEtag(currentEtag);
  return header.split(",").some((candidate) => candidate.trim() === "*" || normalizeEtag(candidate) === current);
}

/**
 * Decides whether a write with these headers may proceed.
 *
 * @example
 * evaluateWritePreconditions({ ifNoneMatch: "*", currentEtag: '"x"' }); // → {ok: false, status: 412, …}
 */
export function evaluateWritePreconditions(input: {
  ifNoneMatch?: string | undefined;
  ifMatch?: string | undefined;
  currentEtag: string | null;
}): PreconditionVerdict {
  const { ifNoneMatch, ifMatch, currentEtag } = input;
  if (ifMatch !== undefined) {
    if (currentEtag === null) return { ok: false, status: 404, code: "NoSuchKey", condition: "If-Match" };
    if (!listMatches(ifMatch, currentEtag)) {
      return { ok: false, status: 412, code: "PreconditionFailed", condition: "If-Match" };
    }
  }
  if (ifNoneMatch !== undefined && currentEtag !== null && listMatches(ifNoneMatch, currentEtag)) {
    return { ok: false, status: 412, code: "PreconditionFailed", condition: "If-None-Match" };
  }
  return { ok: true };
}

/** The XML error body S3 sends with a failed precondition (the SDK reads `Code` from it). */
export function preconditionErrorXml(verdict: Exclude<PreconditionVerdict, { ok: true }>, resource: string): string {
  const message =
    verdict.code === "NoSuchKey"
      ? "The specified key does not exist."
      : "At least one of the pre-conditions you specified did not hold";
  const escape = (s: string) =>
    s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${verdict.code}</Code><Message>${message}</Message>` +
    `<Condition>${verdict.condition}</Condition><Resource>${escape(resource)}</Resource></Error>`
  );
}
