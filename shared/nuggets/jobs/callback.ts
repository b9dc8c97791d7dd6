/**
 * Delivering the completion callback once: a worker claims `callback.json` by compare-and-swap before POSTing, so
 * two racing aggregations send one callback. A claim that was not settled within the lease (its worker died) can be
 * taken over. Transient failures (network, 408, 429, 5xx) are retried with backoff a few times here; if they persist
 * the state says `failed` and the error is rethrown so the aggregate message is retried by the queue.
 */
import { CallbackStateSchema, type CallbackState, type NuggetsJobManifest } from "../../../schemas/nuggets-jobs.js";
import { ConfigurationError, ValidationError } from "../../errors.js";
import { callbackHeaders } from "../../jobs/callback-signature.js";
import { assertCallbackUrlAllowed, systemLookup } from "../../jobs/callback-url.js";
import { jobKeys } from "./job-keys.js";
import { logOf, nowOf, sleepOf, type HttpPost, type NuggetsJobDeps } from "./ports.js";

/** Raised when the receiver kept failing; the aggregate message is retried. */
export class CallbackDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CallbackDeliveryError";
  }
}

/** POST without following redirects (a redirect could point anywhere) and with a timeout. */
export const fetchPost: HttpPost = async (url, init) => {
  const response = await fetch(url, {
    method: "POST",
    headers: init.headers,
    body: init.body,
    redirect: "manual",
    signal: AbortSignal.timeout(10_000),
  });
  await response.body?.cancel();
  return { status: response.status };
};

const retryable = (status: number) => status === 408 || status === 429 || status >= 500 || (status >= 300 && status < 400);

/** Sends `body` to the job's callback URL unless it was delivered (or is being delivered) already. */
export async function deliverCallback(deps: NuggetsJobDeps, manifest: NuggetsJobManifest, body: string): Promise<void> {
  if (!manifest.callbackUrl) return;
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
    const text = JSON.stringify(state);
    const outcome = current
      ? await store.compareAndSwap(key, text, current.etag, { contentType: "application/json" })
      : await store.createOnce(key, text, { contentType: "application/json" });
    if (outcome.status === "created" || outcome.status === "updated") etag = outcome.etag;
  }
  if (etag === null || state === null) return;

  const settle = async (next: Partial<CallbackState>) => {
    state = { ...state!, ...next };
    await store.compareAndSwap(key, JSON.stringify(state), etag!, { contentType: "application/json" });
  };

  if (!deps.secrets) throw new ConfigurationError("no callback secret store configured");
  const secret = await deps.secrets.callbackSecret(manifest.tenant);
  const post = deps.http ?? fetchPost;
  const tries = deps.options?.callbackAttempts ?? 3;
  let lastError = "";
  let attempts = state.attempts;
  for (let i = 1; i <= tries; i++) {
    attempts++;
    try {
      await assertCallbackUrlAllowed(
        manifest.callbackUrl,
        { allowLoopback: deps.options?.allowLoopbackCallbacks ?? false },
        deps.lookup ?? systemLookup,
      );
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await settle({ status: "rejected", attempts, lastError: error.message });
      logOf(deps).warn("nuggets callback refused", { jobId: manifest.jobId, reason: error.message });
      return;
    }
    const timestamp = Math.floor(nowOf(deps).getTime() / 1000);
    try {
      const { status } = await post(manifest.callbackUrl, { headers: callbackHeaders(secret, body, timestamp), body });
      if (status >= 200 && status < 300) {
        await settle({ status: "delivered", attempts, deliveredAt: nowOf(deps).toISOString(), responseStatus: status, lastError: null });
        return;
      }
      lastError = `receiver answered ${status}`;
      if (!retryable(status)) {
        await settle({ status: "rejected", attempts, responseStatus: status, lastError });
        return;
      }
    } catch (error) {
      lastError = `network error: ${(error as Error).message}`;
    }
    if (i < tries) await sleepOf(deps)(Math.min(5_000, 250 * 2 ** (i - 1)));
  }
  await settle({ status: "failed", attempts, lastError });
  throw new CallbackDeliveryError(`callback to the job's URL failed ${tries} times: ${lastError}`);
}
