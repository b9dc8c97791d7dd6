/**
 * `assay mti run`: a release gate for CI. Submits an MTI-Bench sweep (uploading the dataset files it is given), shows
 * progress, prints the summary, writes JUnit XML and a Markdown summary (appended to `$GITHUB_STEP_SUMMARY` when
 * set), and exits 0 when the gate passes (or there is none), 1 when it fails, 2 when something prevented a verdict:
 * a bad flag or gate file, an unreachable or refusing API, a sweep that failed or was cancelled.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { z } from "zod";
import { MtiGateSchema, MtiModeSchema, type MtiSweepSummary } from "../../schemas/mti-sweeps.js";
import { sharedFile } from "../config/shared-files.js";
import { ValidationError } from "../errors.js";
import { ApiCallError, ApiClient, ApiUnreachableError, apiTarget } from "./api-client.js";

/** What `assay mti run` exits with. */
export const MTI_RUN_EXIT = { pass: 0, fail: 1, error: 2 } as const;

const list = (value: string) => value.split(",").map((s) => s.trim()).filter(Boolean);
const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} is a positive integer`);
  return n;
};
const number = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} is a number`);
  return n;
};

export interface MtiRunOptions {
  engine: string[];
  modes?: string[];
  tasks?: string[];
  dataset?: string;
  demos?: string;
  instances?: number;
  runs?: number;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  template?: string;
  batchScoring?: string;
  lenient?: boolean;
  subsets?: string;
  gate?: string;
  wait?: boolean;
  junit: string;
  markdown?: string;
  pollMs: number;
  idempotencyKey?: string;
  callback?: string;
  api?: string;
  key?: string;
}

interface SweepStatus {
  jobId: string;
  status: string;
  progress?: { unitsDone?: number; units?: number | null; etaSeconds?: number | null; outcomes?: Record<string, number> };
  stop?: { reason?: string; message?: string } | null;
  failures?: { error?: { message?: string } }[];
}

const FINAL = new Set(["completed", "failed", "cancelled"]);

/** Reads and checks a JSON file given on the command line; problems name the file. */
function readJsonFile<S extends z.ZodType>(file: string, schema: S, what: string): z.infer<S> {
  if (!existsSync(file)) throw new ValidationError(`${what} ${file} does not exist`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ValidationError(`${what} ${file} is not JSON: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(`${what} ${file} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** `ds_…` ids are used as they are; a file is uploaded as a dataset of `kind`. */
async function datasetFrom(client: ApiClient, value: string, kind: string): Promise<string> {
  if (/^ds_[0-9a-f]{24}$/.test(value)) return value;
  if (!existsSync(value)) throw new ValidationError(`${value} is neither a dataset id nor a file`);
  return client.uploadDataset(value, { kind });
}

/** The shared slice, when this checkout has `../shared` beside it: the default dataset for a first run. */
function defaultFile(relative: string, flag: string): string {
  const file = sharedFile(relative);
  if (!existsSync(file)) throw new ValidationError(`pass ${flag}: the default (${file}) is not here`);
  return file;
}

/** One progress line. */
export function describeSweep(s: SweepStatus): string {
  const p = s.progress ?? {};
  const outcomes = Object.entries(p.outcomes ?? {}).map(([k, v]) => `${v} ${k}`).join(", ");
  const eta = p.etaSeconds && s.status === "running" ? `, ETA ${Math.ceil(p.etaSeconds)} s` : "";
  return `${s.jobId} ${s.status}: ${p.unitsDone ?? 0}/${p.units ?? "?"} units${outcomes ? ` (${outcomes})` : ""}${eta}`;
}

/** The request body the flags describe. */
export function sweepBody(opts: MtiRunOptions, ids: { datasetId: string; demosDatasetId: string }): Record<string, unknown> {
  const modes = opts.modes?.map((m) => {
    const parsed = MtiModeSchema.safeParse(m);
    if (!parsed.success) throw new ValidationError(`--modes takes multi, single and batch; got ${m}`);
    return parsed.data;
  });
  const decoding = {
    ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
    ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
    ...(opts.topP !== undefined ? { topP: opts.topP } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  };
  if (opts.template !== undefined && !["tulu", "none"].includes(opts.template)) throw new ValidationError(`--template is tulu or none; got ${opts.template}`);
  if (opts.batchScoring !== undefined && !["step1", "all"].includes(opts.batchScoring)) throw new ValidationError(`--batch-scoring is step1 or all; got ${opts.batchScoring}`);
  return {
    engines: opts.engine,
    ...ids,
    ...(modes ? { modes } : {}),
    ...(opts.tasks ? { tasks: opts.tasks } : {}),
    ...(opts.instances !== undefined ? { instancesPerTask: opts.instances } : {}),
    ...(opts.runs !== undefined ? { runs: opts.runs } : {}),
    ...(Object.keys(decoding).length > 0 ? { decoding } : {}),
    ...(opts.template ? { template: opts.template } : {}),
    ...(opts.batchScoring ? { batchScoring: opts.batchScoring } : {}),
    ...(opts.lenient ? { lenient: true } : {}),
    ...(opts.subsets ? { subsets: readJsonFile(opts.subsets, z.record(z.string(), z.string()), "the subsets file") } : {}),
    ...(opts.gate ? { gate: readJsonFile(opts.gate, MtiGateSchema, "the gate file") } : {}),
    ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
    ...(opts.callback ? { callbackUrl: opts.callback } : {}),
  };
}

/** Runs the command; resolves with the exit code (never throws). */
export async function runMti(opts: MtiRunOptions, io: { out: (s: string) => void; err: (s: string) => void; env: NodeJS.ProcessEnv } = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  env: process.env,
}): Promise<number> {
  try {
    const client = new ApiClient(apiTarget(opts, io.env));
    const gateGiven = opts.gate !== undefined;
    const ids = {
      datasetId: await datasetFrom(client, opts.dataset ?? defaultFile("data/mti_bench/mti_bench_slice.json", "--dataset"), "mti-bench"),
      demosDatasetId: await datasetFrom(client, opts.demos ?? defaultFile("data/mti_bench/cot_breakdown.json", "--demos"), "mti-demos"),
    };
    const body = sweepBody(opts, ids);
    let status = await client.json<SweepStatus>("POST", "/v1/mti/sweeps", { json: body });
    io.err(`${describeSweep(status)}\n`);
    if (!opts.wait) {
      io.out(`${JSON.stringify(status, null, 2)}\n`);
      return MTI_RUN_EXIT.pass;
    }
    while (!FINAL.has(status.status)) {
      await new Promise((r) => setTimeout(r, opts.pollMs));
      status = await client.json<SweepStatus>("GET", `/v1/mti/sweeps/${status.jobId}`);
      io.err(`${describeSweep(status)}\n`);
    }
    if (status.status !== "completed") {
      const why = status.stop?.message ?? status.failures?.[0]?.error?.message ?? "no reason recorded";
      io.err(`assay: sweep ${status.jobId} ${status.status} (${why}); no verdict\n`);
      return MTI_RUN_EXIT.error;
    }
    const summary = await client.json<MtiSweepSummary>("GET", `/v1/mti/sweeps/${status.jobId}/report`);
    const file = async (name: string) => (await client.request("GET", `/v1/jobs/${status.jobId}/results/${name}`)).text();
    writeFileSync(opts.junit, await file(summary.files.junit));
    const markdown = await file(summary.files.markdown);
    const stepSummary = io.env.GITHUB_STEP_SUMMARY;
    if (opts.markdown) writeFileSync(opts.markdown, markdown);
    else if (stepSummary) appendFileSync(stepSummary, markdown);
    else writeFileSync("mti-summary.md", markdown);
    io.out(`${JSON.stringify(summary, null, 2)}\n`);
    const gate = summary.gate;
    if (gate === null) {
      io.err(gateGiven ? "assay: the sweep has no gate verdict\n" : `sweep ${summary.sweepId} completed (no gate)\n`);
      return gateGiven ? MTI_RUN_EXIT.error : MTI_RUN_EXIT.pass;
    }
    io.err(`gate ${gate.verdict.toUpperCase()}: ${gate.checks.length - gate.failed.length} of ${gate.checks.length} checks passed\n`);
    for (const c of gate.failed) io.err(`  failed: ${c.name}: measured ${c.actual ?? "nothing"}${c.reason ? ` (${c.reason})` : ""}\n`);
    return gate.verdict === "pass" ? MTI_RUN_EXIT.pass : MTI_RUN_EXIT.fail;
  } catch (error) {
    const message =
      error instanceof ApiCallError
        ? `the API answered ${error.message}${error.details ? ` ${JSON.stringify(error.details)}` : ""}`
        : error instanceof ApiUnreachableError || error instanceof ValidationError
          ? error.message
          : String((error as Error)?.stack ?? error);
    io.err(`assay: ${message}\n`);
    return MTI_RUN_EXIT.error;
  }
}

/** Adds `assay mti run` to the `assay mti` group. */
export function registerMtiRunCommand(mti: Command): void {
  mti
    .command("run")
    .description("run an MTI-Bench sweep on the API; with --wait: progress, summary, JUnit XML, Markdown, and exit 0 pass / 1 fail / 2 no verdict")
    .requiredOption("--engine <names>", "configured engine(s), comma-separated (see GET /v1/engines)", list)
    .option("--modes <list>", "multi,single,batch (default all three)", list)
    .option("--tasks <list>", "task ids, e.g. 001,002 (default every task of the dataset)", list)
    .option("--dataset <file|id>", "MTI_BENCH.json or a dataset id (default ../shared's slice)")
    .option("--demos <file|id>", "cot_breakdown.json or a dataset id (default ../shared's)")
    .option("--instances <n>", "the first N instances of each task", positiveInt("--instances"))
    .option("--runs <n>", "repeat every cell; mean and spread are reported (the paper: 3)", positiveInt("--runs"))
    .option("--max-tokens <n>", "new tokens per call (default 2048)", positiveInt("--max-tokens"))
    .option("--temperature <t>", "sampling temperature (default 0.7)", number("--temperature"))
    .option("--top-p <p>", "nucleus sampling (default 1)", number("--top-p"))
    .option("--seed <n>", "base seed of every call (default 0)", positiveIntOrZero)
    .option("--template <name>", "tulu (default) or none")
    .option("--batch-scoring <how>", "step1 (the authors', default) or all")
    .option("--lenient", "also accept </taskN> closing tags (counted separately)")
    .option("--subsets <file>", "JSON task → subset map, e.g. {\"001\": \"MULTI-STEP\"}")
    .option("--gate <file>", "JSON gate: minFinalAccuracy, maxLatencyRatio, baseline")
    .option("--wait", "follow the sweep to the end and give a verdict")
    .option("--junit <file>", "where JUnit XML goes", "mti-junit.xml")
    .option("--markdown <file>", "where the Markdown summary goes (default: appended to $GITHUB_STEP_SUMMARY, else mti-summary.md)")
    .option("--poll-ms <ms>", "status polling interval", positiveInt("--poll-ms"), 2000)
    .option("--idempotency-key <key>", "a retried run with the same key follows the same sweep")
    .option("--callback <url>", "POST a signed summary here when done")
    .option("--api <url>", "the assay API (default $ASSAY_API_URL)")
    .option("--key <key>", "an API key (default $ASSAY_API_KEY)")
    // A flag commander itself refuses prevents a verdict too: exit 2, not commander's 1 (help still exits 0).
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : MTI_RUN_EXIT.error))
    .action(async (opts: MtiRunOptions) => {
      process.exitCode = await runMti(opts);
    });
}

function positiveIntOrZero(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("--seed is an integer ≥ 0");
  return n;
}
