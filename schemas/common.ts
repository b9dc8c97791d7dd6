import { z } from "@hono/zod-openapi";

/** The body of every 4xx/5xx answer. */
export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_request" }),
      message: z.string().openapi({ example: "engine \"gpu-7\" is not configured" }),
      details: z.unknown().openapi({ example: null }),
    }),
  })
  .openapi("Error");

/** A tenant id: the S3 prefix `t/{tenant}/` isolates its data, so it must be a safe path segment. */
export const TenantIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, "tenant ids are 1-63 letters, digits, '_' or '-'");

/**
 * An engine is named, never addressed: callers pick one of the configured engines, so the server never calls a URL a
 * caller chose (no server-side request forgery).
 */
export const EngineNameSchema = z
  .string()
  .min(1)
  .max(64)
  .refine((s) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(s) && !s.includes("/"), {
    message: "engines are named, not addressed: pass the name of a configured engine, never a URL",
  })
  .refine((s) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(s), {
    message: "engine names are letters, digits, '_', '.' or '-'",
  })
  .openapi({ example: "local" });

export type ErrorBody = z.infer<typeof ErrorBodySchema>;
