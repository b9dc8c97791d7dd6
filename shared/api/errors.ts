import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { AssayError, ValidationError } from "../errors.js";

/** Renders any thrown error as `{error: {code, message, details}}`; unexpected errors hide their internals. */
export function renderError(error: unknown, c: Context): Response {
  if (error instanceof AssayError) {
    return c.json(error.toBody(), error.status as ContentfulStatusCode);
  }
  if (error instanceof HTTPException) {
    // Hono's own 4xx (malformed JSON body, for one).
    const status = error.status as ContentfulStatusCode;
    const code = status === 400 ? "invalid_request" : `http_${status}`;
    return c.json({ error: { code, message: error.message || "bad request", details: null } }, status);
  }
  console.error(JSON.stringify({ level: "error", msg: "unhandled error", error: String(error), stack: (error as Error)?.stack }));
  return c.json({ error: { code: "internal_error", message: "internal error", details: null } }, 500);
}

/** A zod failure on request input, as a 400 listing each problem with its path. */
export function validationErrorFrom(error: z.ZodError, where: string): ValidationError {
  const issues = error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const first = issues[0];
  const summary = first ? `${first.path ? `${first.path}: ` : ""}${first.message}` : "invalid input";
  return new ValidationError(`invalid ${where}: ${summary}`, { issues });
}
