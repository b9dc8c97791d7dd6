/**
 * Classifies AWS SDK S3 errors into the cases the store turns into typed outcomes. The SDK names errors by their
 * S3 code (`NoSuchKey`, `PreconditionFailed`, `ConditionalRequestConflict`) but HEAD responses carry no body, so
 * the HTTP status decides too.
 */

/** What a failed S3 call means to the store. */
export type S3ErrorKind = "not-found" | "precondition-failed" | "conflict" | "other";

/** @example s3ErrorKind({ name: "PreconditionFailed", $metadata: { httpStatusCode: 412 } }); // "precondition-failed" */
export function s3ErrorKind(error: unknown): S3ErrorKind {
  if (typeof error !== "object" || error === null) return "other";
  const { name, $metadata } = error as { name?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode;
  if (name === "NoSuchBucket") return "other"; // a misconfiguration, never an outcome
  if (name === "NoSuchKey" || name === "NotFound" || status === 404) return "not-found";
  if (name === "PreconditionFailed" || status === 412) return "precondition-failed";
  if (name === "ConditionalRequestConflict" || status === 409) return "conflict";
  return "other";
}
