import { readFileSync, statSync } from "node:fs";
import { ValidationError } from "../errors.js";

/** What the CLI needs to reach a deployed (or local) assay API. */
export interface ApiTarget {
  readonly url: string;
  readonly key: string;
}

/** `--api`/`--key`, else `ASSAY_API_URL`/`ASSAY_API_KEY`. */
export function apiTarget(opts: { api?: string; key?: string }, env: NodeJS.ProcessEnv = process.env): ApiTarget {
  const url = opts.api ?? env.ASSAY_API_URL;
  const key = opts.key ?? env.ASSAY_API_KEY;
  if (!url) throw new ValidationError("no API address: pass --api URL or set ASSAY_API_URL (npm start prints it)");
  if (!key) throw new ValidationError("no API key: pass --key KEY or set ASSAY_API_KEY (npm start prints one)");
  return { url: url.replace(/\/+$/, ""), key };
}

/** An error answer from the API, with its `{error: {code, message, details}}` body. */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = "ApiCallError";
  }
}

/** The API did not answer at all (nothing listening, a wrong address, DNS): one line for the user, exit 2. */
export class ApiUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach the API at ${url}: is \`npm start\` running? (${reason})`);
    this.name = "ApiUnreachableError";
  }
}

/** Why a fetch failed before any answer: the socket error's code when there is one. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}

/** A thin client: JSON in and out, API errors as {@link ApiCallError}. */
export class ApiClient {
  constructor(
    private readonly target: ApiTarget,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async request(method: string, path: string, body?: { json?: unknown; text?: string; contentType?: string }): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.target.key}` };
    let payload: string | undefined;
    if (body?.json !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body.json);
    } else if (body?.text !== undefined) {
      headers["content-type"] = body.contentType ?? "application/x-ndjson";
      payload = body.text;
    }
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.target.url}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
    } catch (error) {
      throw new ApiUnreachableError(this.target.url, networkReason(error));
    }
    if (!res.ok) {
      let parsed: { error?: { code?: string; message?: string; details?: unknown } } = {};
      try {
        parsed = (await res.json()) as typeof parsed;
      } catch {
        // not JSON: keep the status alone
      }
      throw new ApiCallError(res.status, parsed.error?.code ?? `http_${res.status}`, parsed.error?.message ?? res.statusText, parsed.error?.details ?? null);
    }
    return res;
  }

  async json<T = unknown>(method: string, path: string, body?: { json?: unknown; text?: string }): Promise<T> {
    return (await (await this.request(method, path, body)).json()) as T;
  }

  /**
   * Uploads a dataset file: straight in the request when small, else through a presigned URL (the file goes to S3,
   * not through the API). Returns the dataset's id.
   */
  async uploadDataset(path: string, opts: { name?: string; kind?: string; directLimitBytes?: number } = {}): Promise<string> {
    return (await this.uploadDatasetMeta(path, opts)).id;
  }

  /** {@link uploadDataset}, returning the dataset's description. */
  async uploadDatasetMeta(path: string, opts: { name?: string; kind?: string; directLimitBytes?: number } = {}): Promise<DatasetMetaAnswer> {
    const size = statSync(path).size;
    if (size <= (opts.directLimitBytes ?? 5 * 1024 * 1024)) return this.uploadDatasetText(readFileSync(path, "utf8"), opts);
    const upload = await this.json<{ uploadId: string; uploadUrl: string }>("POST", "/v1/datasets/uploads");
    let put: Response;
    try {
      put = await this.fetchImpl(upload.uploadUrl, { method: "PUT", body: readFileSync(path) });
    } catch (error) {
      throw new ApiUnreachableError(new URL(upload.uploadUrl).origin, networkReason(error));
    }
    if (!put.ok) throw new ApiCallError(put.status, "upload_failed", `PUT to the upload URL failed: ${put.statusText}`, null);
    return this.json<DatasetMetaAnswer>("POST", `/v1/datasets/uploads/${upload.uploadId}/complete${datasetQuery(opts)}`);
  }

  /** Uploads dataset text in the request itself (≤ the API's direct limit). */
  async uploadDatasetText(text: string, opts: { name?: string; kind?: string } = {}): Promise<DatasetMetaAnswer> {
    return this.json<DatasetMetaAnswer>("POST", `/v1/datasets${datasetQuery(opts)}`, { text });
  }
}

/** What the API answers for a dataset. */
export interface DatasetMetaAnswer {
  readonly id: string;
  readonly records: number;
  readonly [field: string]: unknown;
}

function datasetQuery(opts: { name?: string; kind?: string }): string {
  const q = new URLSearchParams();
  if (opts.name) q.set("name", opts.name);
  if (opts.kind) q.set("kind", opts.kind);
  const text = q.toString();
  return text ? `?${text}` : "";
}
