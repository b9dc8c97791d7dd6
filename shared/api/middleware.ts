import type { MiddlewareHandler } from "hono";
import type { Log } from "../observability/log.js";
import { bodyLimit } from "hono/body-limit";
import type { ApiKeyAuthenticator } from "../auth/api-keys.js";
import { PayloadTooLargeError } from "../errors.js";
import type { ApiEnv } from "./context.js";

/** 413 with the API's error body when a request body is over the limit (checked while streaming, not just by header). */
export function limitBody(maxBytes: number, hint?: string): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(maxBytes, hint);
    },
  });
}

/** Resolves the caller's tenant from `Authorization: Bearer <key>`; 401 otherwise. */
export function authenticate(auth: ApiKeyAuthenticator): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    c.set("principal", auth.authenticate(c.req.header("authorization")));
    await next();
  };
}

/**
 * One line per request once it is answered: method, the route it matched (`/v1/jobs/:id`, not the id), status,
 * milliseconds, the caller's tenant and the request id (and Lambda's, when there is one).
 */
export function logRequests(log: Log): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = c.req.matchedRoutes.findLast((r) => r.method !== "ALL")?.path ?? c.req.path;
      const status = c.res.status;
      const fields = {
        method: c.req.method,
        route,
        status,
        ms: Math.round(performance.now() - started),
        tenant: c.get("principal")?.tenant,
        requestId: c.get("requestId"),
        awsRequestId: (c.env as { lambdaContext?: { awsRequestId?: string } } | undefined)?.lambdaContext?.awsRequestId,
      };
      if (status >= 500) log.error("request", fields);
      else log.info("request", fields);
    }
  };
}
