import type { MiddlewareHandler } from "hono";
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
