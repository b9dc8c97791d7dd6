import { AssayError } from "../errors.js";

/**
 * Messages could not be enqueued (SQS kept failing some batch entries). 503: the caller may try again later.
 * `details.failed` lists the entries SQS refused, with its codes.
 */
export class QueueSendError extends AssayError {
  constructor(message: string, details?: unknown) {
    super(503, "queue_unavailable", message, details);
  }
}
