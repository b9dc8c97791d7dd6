/**
 * Delivering a job's callback once: a worker claims `callback.json` by compare-and-swap before POSTing, so two racing
 * aggregations send one callback. A claim that was not settled within the lease (its worker died) can be taken over.
 * Before each POST the URL is checked again and the host resolved; the POST connects to that checked address.
 * Transient failures (network, 408, 429, 5xx, redirects) are retried with backoff a few times here; if they persist
 * the state says `failed` and the error is rethrown so the aggregate message is retried by the queue.
 */
import { ExponentialBackoff, handleType, retry } from "cockatiel";
import { CallbackStateSchema, type CallbackState, type JobManifest } from "../../schemas/jobs.js";
import { ConfigurationError, ValidationError } from "../errors.js";
import { callbackHeaders } from "./callback-signature.js";
import { assertCallbackUrlAllowed, systemLookup } from "./callback-url.js";
import { pinnedPost } from "./http-post.js";
import { jobKeys } from "./job-keys.js";
import { logOf, nowOf, type JobDeps } from "./ports.js";

/** Raised when the receiver kept failing; the aggregate message is retried. */
export class CallbackDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CallbackDeliveryError";
  }
}

/** One transient failure inside the retry policy. */
class TransientDelivery extends Error {}

const retryable = (status: number) => status === 408 || status === 429 || status >= 500 || (status >= 300 && status < 400);

/** Sends `body` to the job's callback URL unless it was delivered (or is being delivered) already. */
export async function deliverCallback(deps: JobDeps, manifest: JobManifest, body: string): Promise<void> {
  if (!manifest.callbackUrl) return;
  const callbackUrl = manifest.callbackUrl;
  const { store } = deps;
  const key = jobKeys(manifest.tenant, manifest.jobId).callback;
  const leaseMs = deps.options?.callbackLeaseMs ?? 120_000;

  let etag: string | null = null;
  let state: CallbackState | null = null;
  for (let attempt = 0; attempt < 5 && etag === null; attempt++) {
    const current = await store.getJsonVersioned(key, CallbackStateSchema);
    const now = nowOf(deps);
    if (current?.value.status === "delivered" || current?.value.status === "rejected") return;
    if (current?.value.status === "sending" && now.getTime() - Date.parse(current.value.claimedAt ?? "") < leaseMs) return;
    state = {
      version: 1,
      status: "sending",
      attempts: current?.value.attempts ?? 0,
      claimedAt: now.toISOString(),
      deliveredAt: null,
      responseStatus: current?.value.responseStatus ?? null,
      lastError: current?.value.lastError ?? null,
    };
    const outcome = current
      ? await store.compareAndSwapJson(key, state, CallbackStateSchema, current.etag)
      : await store.createOnceJson(key, state, CallbackStateSchema);
    if (outcome.status === "created" || outcome.status === "updated") etag = outcome.etag;
  }
  if (etag === null || state === null) return;
  let claimed: CallbackState = state;
  const settle = async (next: Partial<CallbackState>) => {
    claimed = { ...claimed, ...next };
    await store.compareAndSwapJson(key, claimed, CallbackStateSchema, etag!);
  };

  if (!deps.secrets) throw new ConfigurationError("no callback secret store configured");
  const secret = await deps.secrets.callbackSecret(manifest.tenant);
  const post = deps.http ?? pinnedPost;
  const tries = Math.max(1, deps.options?.callbackAttempts ?? 3);
  const policy = retry(handleType(TransientDelivery), {
    maxAttempts: tries - 1,
    backoff: new ExponentialBackoff({ initialDelay: deps.options?.callbackBaseDelayMs ?? 250, maxDelay: 5_000 }),
  });
  let attempts = claimed.attempts;
  let lastError = "";
  try {
    await policy.execute(async () => {
      attempts++;
      let address;
      try {
        ({ address } = await assertCallbackUrlAllowed(
          callbackUrl,
          { allowLoopback: deps.options?.allowLoopbackCallbacks ?? false },
          deps.lookup ?? systemLookup,
        ));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        await settle({ status: "rejected", attempts, lastError: error.message });
        logOf(deps).warn("callback refused", { jobId: manifest.jobId, reason: error.message });
        return;
      }
      const timestamp = Math.floor(nowOf(deps).getTime() / 1000);
      let status: number;
      try {
        ({ status } = await post(callbackUrl, { headers: callbackHeaders(secret, body, timestamp), body, address }));
      } catch (error) {
        lastError = `network error: ${(error as Error).message}`;
        throw new TransientDelivery(lastError);
      }
      if (status >= 200 && status < 300) {
        await settle({ status: "delivered", attempts, deliveredAt: nowOf(deps).toISOString(), responseStatus: status, lastError: null });
        logOf(deps).info("callback delivered", { jobId: manifest.jobId, status, attempts });
        return;
      }
      lastError = `receiver answered ${status}`;
      if (!retryable(status)) {
        await settle({ status: "rejected", attempts, responseStatus: status, lastError });
        logOf(deps).warn("callback rejected by its receiver", { jobId: manifest.jobId, status });
        return;
      }
      throw new TransientDelivery(lastError);
    });
  } catch (error) {
    if (!(error instanceof TransientDelivery)) throw error;
    await settle({ status: "failed", attempts, lastError });
    logOf(deps).warn("callback failed", { jobId: manifest.jobId, attempts, error: lastError });
    throw new CallbackDeliveryError(`callback to the job's URL failed ${tries} times: ${lastError}`);
  }
}
