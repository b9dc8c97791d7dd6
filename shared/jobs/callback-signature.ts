/**
 * Signing completion callbacks: `X-Assay-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">` with the
 * tenant's secret, `X-Assay-Timestamp` in Unix seconds. The timestamp is signed so a receiver can refuse replays
 * older than a few minutes.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const TIMESTAMP_HEADER = "X-Assay-Timestamp";
export const SIGNATURE_HEADER = "X-Assay-Signature";

/**
 * @example
 * signCallback("s3cret", '{"jobId":"nj_…"}', 1717200000); // "sha256=5f…"
 */
export function signCallback(secret: string, body: string, timestamp: number): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** The headers for one delivery. */
export function callbackHeaders(secret: string, body: string, timestamp: number): Record<string, string> {
  return {
    "content-type": "application/json",
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signCallback(secret, body, timestamp),
  };
}

/**
 * What a receiver does: recompute and compare in constant time, and refuse stale timestamps.
 *
 * @example
 * verifyCallback(secret, body, headers["x-assay-timestamp"], headers["x-assay-signature"], Date.now() / 1000);
 */
export function verifyCallback(
  secret: string,
  body: string,
  timestamp: string,
  signature: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(signCallback(secret, body, ts));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
