import { AssayError } from "../../errors.js";

/** vLLM's error body: `{error: {message, type, param, code}}` where `code` is the HTTP status. */
export interface WireErrorBody {
  readonly error: { readonly message: string; readonly type: string; readonly param: string | null; readonly code: number };
}

const TYPES: Record<number, string> = {
  400: "BadRequestError",
  404: "NotFoundError",
  500: "InternalServerError",
  501: "NotImplementedError",
  503: "ServiceUnavailableError",
};

/** An error a handler raises to answer with a given status in vLLM's shape. */
export class WireError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = "WireError";
  }
}

/** Maps any thrown value to a status and vLLM's error body: bad input is 400, engine trouble 500 (503 if retryable). */
export function toWireError(error: unknown): { status: number; body: WireErrorBody } {
  let status = 500;
  let message = "internal server error";
  let param: string | null = null;
  if (error instanceof WireError) {
    status = error.status;
    message = error.message;
    param = error.param;
  } else if (error instanceof AssayError) {
    const retryable = (error as { retryable?: unknown }).retryable === true;
    status = error.status >= 500 ? (retryable ? 503 : 500) : error.status;
    message = error.message;
  } else if (error instanceof Error) {
    message = error.message;
  }
  return { status, body: { error: { message, type: TYPES[status] ?? "BadRequestError", param, code: status } } };
}
