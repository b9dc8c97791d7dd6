import { AssayError } from "../errors.js";

/**
 * Messages could not be enqueued (SQS kept failing some batch entries). 503: the caller may try again later.
 * `details.failed` lists the entries SQS refused, with its codes.
 */
export class QueueSendError extends AssayError {
  /**
   * Whether sending the same entries again may succeed: false when SQS blamed the sender (a bad entry fails the
   * same way every time), true when the failure was on SQS's side.
   */
  readonly retryable: boolean;

  constructor(message: string, details?: unknown, opts: { retryable?: boolean } = {}) {
    super(503, "queue_unavailable", message, details);
    this.retryable = opts.retryable ?? false;
  }
}
