/**
 * A loopback receiver for NUGGETS completion callbacks. The bench waits for a job's callback instead of polling the
 * status endpoint often: on the local stack the API, the worker, the S3/SQS emulator and the embedded engine's
 * per-token work share one event loop, so frequent status polls slow the very scoring being timed.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CallbackReceiver {
  /** The URL to pass as a job's `callbackUrl`. */
  readonly url: string;
  /** Resolves when the callback for `jobId` has arrived (at once if it already has). */
  arrived(jobId: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts the receiver on 127.0.0.1 with a free port. */
export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const seen = new Set<string>();
  const waiters = new Map<string, (() => void)[]>();
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      res.writeHead(204).end();
      let jobId: unknown;
      try {
        jobId = (JSON.parse(body) as { jobId?: unknown }).jobId;
      } catch {
        return;
      }
      if (typeof jobId !== "string") return;
      seen.add(jobId);
      for (const resolve of waiters.get(jobId) ?? []) resolve();
      waiters.delete(jobId);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/nuggets-done`,
    arrived(jobId) {
      if (seen.has(jobId)) return Promise.resolve();
      return new Promise((resolve) => waiters.set(jobId, [...(waiters.get(jobId) ?? []), resolve]));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
