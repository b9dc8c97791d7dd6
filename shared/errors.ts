/**
 * Domain errors. Each knows its HTTP status and renders itself as the API's error body
 * `{error: {code, message, details}}`; one Hono `onError` maps them (see `shared/api/app.ts`).
 *
 * @example
 * throw new ValidationError("dataset has bad records", { lines: [3, 17] });
 */
export class AssayError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.details = details ?? null;
  }

  /** The JSON body an API caller sees. */
  toBody(): { error: { code: string; message: string; details: unknown } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** The request is malformed or names something that cannot be used. 400. */
export class ValidationError extends AssayError {
  constructor(message: string, details?: unknown, options?: ErrorOptions) {
    super(400, "invalid_request", message, details, options);
  }
}

/** No credentials, or credentials that match no key. 401. */
export class UnauthorizedError extends AssayError {
  constructor(message = "missing or invalid API key", details?: unknown) {
    super(401, "unauthorized", message, details);
  }
}

/** A valid key that may not touch this resource. 403. */
export class ForbiddenError extends AssayError {
  constructor(message = "this key may not access that resource", details?: unknown) {
    super(403, "forbidden", message, details);
  }
}

/** The thing asked for does not exist (or is not visible to this tenant). 404. */
export class NotFoundError extends AssayError {
  constructor(message: string, details?: unknown) {
    super(404, "not_found", message, details);
  }
}

/** A write lost to another writer or the target already exists. 409. */
export class ConflictError extends AssayError {
  constructor(message: string, details?: unknown) {
    super(409, "conflict", message, details);
  }
}

/** The request body is larger than the configured limit. 413. */
export class PayloadTooLargeError extends AssayError {
  constructor(limitBytes: number, hint?: string) {
    super(413, "payload_too_large", `request body exceeds ${limitBytes} bytes${hint ? `: ${hint}` : ""}`, { limitBytes });
  }
}

/** Configuration is missing or wrong (a model file, an engine, an environment variable). 500 if it reaches the API. */
export class ConfigurationError extends AssayError {
  constructor(message: string, details?: unknown, options?: ErrorOptions) {
    super(500, "configuration_error", message, details, options);
  }
}

/**
 * An inference engine failed. `retryable` says whether the same request may succeed later
 * (429, 5xx, timeouts, connection resets); the caller's retry policy decides what to do with it.
 */
export class EngineError extends AssayError {
  readonly retryable: boolean;
  readonly engineStatus: number | null;

  constructor(
    message: string,
    opts: { retryable: boolean; engineStatus?: number | null; engine?: string; cause?: unknown },
  ) {
    super(502, "engine_error", message, { engine: opts.engine ?? null, engineStatus: opts.engineStatus ?? null }, {
      cause: opts.cause,
    });
    this.retryable = opts.retryable;
    this.engineStatus = opts.engineStatus ?? null;
  }
}

/** An engine was asked for something it declared it cannot do. Raised at configuration time where possible. */
export class CapabilityError extends AssayError {
  constructor(engine: string, capability: string) {
    super(400, "capability_missing", `engine "${engine}" does not support ${capability}`, { engine, capability });
  }
}
