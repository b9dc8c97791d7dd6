/**
 * `assay nuggets score`: golden scores of a candidate file against an anchor file, computed in this process (no
 * queue, no API), one JSON line per candidate. The heavy modules load inside the action so `assay --help` stays fast.
 */
import { readFile } from "node:fs/promises";
import { Command, InvalidArgumentError, Option } from "commander";
import { ValidationError } from "../errors.js";
import type { NuggetsExample, NuggetsPresetName } from "../../schemas/nuggets.js";
import { formatDuration, type ScoringProgress } from "../nuggets/local/progress.js";

/** Parsed options of `assay nuggets score`. */
export interface NuggetsScoreOptions {
  readonly candidates: string;
  readonly anchors: string;
  readonly limit?: number;
  readonly anchorLimit?: number;
  readonly engine?: string;
  readonly preset: NuggetsPresetName;
  readonly maxAnchorTokens?: number;
  readonly out?: string;
  readonly raw?: boolean;
  /** `--select 0.5,0.8`: decide GS > t for each, scoring each candidate only as far as that takes. */
  readonly select?: number[];
  readonly selectSeed: number;
}

/** Commander parser for `--select T[,T…]`: thresholds in [0, 1], at least one, no duplicates kept. */
export function parseThresholdList(value: string): number[] {
  const parts = value.split(",").map((p) => p.trim());
  const numbers = parts.map(Number);
  if (parts.some((p) => p === "") || numbers.some((t) => !(Number.isFinite(t) && t >= 0 && t <= 1))) {
    throw new InvalidArgumentError("expected thresholds in [0, 1], comma-separated (e.g. 0.5,0.8)");
  }
  return [...new Set(numbers)].sort((a, b) => a - b);
}

/** Commander parser for an integer seed. */
export function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("expected an integer");
  return n;
}

/** Commander parser for a positive integer option. */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError("expected a positive integer");
  }
  return n;
}

/**
 * Adds `score` under the `nuggets` command group.
 *
 * @example
 * registerNuggetsScoreCommand(program.command("nuggets"));
 */
export function registerNuggetsScoreCommand(nuggets: Command): Command {
  return nuggets
    .command("score")
    .description("score candidates against anchors in this process (no queue); one JSON line per candidate")
    .requiredOption("--candidates <file>", "the pool to rank: a JSON array or JSONL of {instruction, input?, output}")
    .requiredOption("--anchors <file>", "the anchor (predefined task) set, same format")
    .option("--limit <n>", "score only the first n candidates", parsePositiveInt)
    .option("--anchor-limit <n>", "use only the first n anchors", parsePositiveInt)
    .option("--engine <name|local:file.gguf>", "a configured engine (ASSAY_ENGINES) or local:PATH.gguf (default: local: + the default model)")
    .addOption(new Option("--preset <name>", "scoring preset (REFERENCE.md §1)").choices(["paper", "reference"]).default("paper"))
    .option("--max-anchor-tokens <n>", "cut anchors' query+output at n tokens (overrides the preset's cap)", parsePositiveInt)
    .option("--out <file.jsonl>", "write the lines here, atomically (default: stdout)")
    .option("--raw", "keep the per-anchor one-shot sums (oneShot) in each line")
    .option(
      "--select <T[,T…]>",
      "decide GS > T for each threshold, scoring each candidate only until that is settled (lines carry decisions, bounds, anchorsScored)",
      parseThresholdList,
    )
    .option("--select-seed <n>", "seed of each candidate's anchor order under --select", parseSeed, 0)
    .action(async (opts: NuggetsScoreOptions) => {
      await runNuggetsScore(opts);
    });
}

/** Reads a dataset file; bad records become one {@link ValidationError} naming the file and every bad line. */
export async function readDatasetFile(path: string, flag: string): Promise<NuggetsExample[]> {
  const { parseDataset } = await import("../nuggets/dataset.js");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new ValidationError(`${flag} ${path}: cannot read: ${(cause as Error).message}`, { path }, { cause });
  }
  try {
    return parseDataset(text).examples;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const details = error.details as { records?: { line: number; problems: string[] }[] } | null;
    const records = details?.records ?? [];
    const shown = records.slice(0, 10).map((r) => `  line ${r.line}: ${r.problems.join("; ")}`);
    const more = records.length > shown.length ? [`  … and ${records.length - shown.length} more`] : [];
    throw new ValidationError([`${flag} ${path}: ${error.message}`, ...shown, ...more].join("\n"), error.details);
  }
}

/** The whole command: read, open the engine, score, write, summarise. Errors propagate to `main.ts` (exit 2 / 1). */
export async function runNuggetsScore(opts: NuggetsScoreOptions): Promise<void> {
  const [{ resolvePreset }, { parseEngineSpec, openEngine }, { scoreDatasetInProcess }, { scoreLine }, summary] =
    await Promise.all([
      import("../nuggets/presets.js"),
      import("../nuggets/local/engine-spec.js"),
      import("../nuggets/local/run-local-scoring.js"),
      import("../nuggets/score-line.js"),
      import("../nuggets/local/summary.js"),
    ]);
  const preset = resolvePreset(opts.preset, { maxAnchorTokens: opts.maxAnchorTokens });
  const candidates = (await readDatasetFile(opts.candidates, "--candidates")).slice(0, opts.limit);
  const anchors = (await readDatasetFile(opts.anchors, "--anchors")).slice(0, opts.anchorLimit);
  const spec = parseEngineSpec(opts.engine);

  const opened = await openEngine(spec);
  let sink: Sink;
  try {
    sink = await openSink(opts.out);
  } catch (error) {
    await opened.close();
    throw error;
  }
  const progress = await createProgressReporter(candidates.length);
  const controller = new AbortController();
  const interrupt = () => controller.abort(new Error("interrupted"));
  process.once("SIGINT", interrupt);
  const goldenScores: number[] = [];
  const selected = { decided: 0, above: (opts.select ?? []).map(() => 0), anchorsScored: 0 };
  let last: ScoringProgress | null = null;
  try {
    const records = scoreDatasetInProcess({
      candidates,
      anchors,
      engine: opened.engine,
      preset,
      signal: controller.signal,
      ...(opts.select ? { select: { thresholds: opts.select, seed: opts.selectSeed } } : {}),
      onProgress: (p) => {
        last = p;
        progress.update(p);
      },
    });
    for await (const record of records) {
      if (record.status === "scored") goldenScores.push(record.goldenScore);
      if (record.status === "decided") {
        selected.decided++;
        selected.anchorsScored += record.anchorsScored;
        (opts.select ?? []).forEach((t, i) => (selected.above[i]! += record.decisions[JSON.stringify(t)] === "above" ? 1 : 0));
      }
      await sink.write(`${scoreLine(record, { raw: opts.raw === true })}\n`);
    }
    progress.stop();
    await sink.commit();
  } catch (error) {
    progress.stop();
    await sink.abort();
    throw error;
  } finally {
    process.off("SIGINT", interrupt);
    await opened.close();
  }
  if (last && opts.select) {
    const verdicts = opts.select.map((t, i) => `GS > ${t}: ${selected.above[i]}`).join(", ");
    const exhaustive = selected.decided * anchors.length;
    process.stderr.write(
      `decided ${selected.decided}, skipped ${(last as ScoringProgress).skipped}, ${verdicts}; ` +
        `${selected.anchorsScored} of ${exhaustive} pairs compared, ${summary.summaryLine(last, null).replace(/^.*mean GS n\/a, /, "")}\n`,
    );
  } else if (last) process.stderr.write(`${summary.summaryLine(last, summary.meanGoldenScore(goldenScores))}\n`);
  if (candidates.length > 0 && goldenScores.length === 0 && selected.decided === 0) {
    // The lines were written (each skipped one says why); the run itself produced nothing to select from.
    const { ValidationError } = await import("../errors.js");
    throw new ValidationError(
      `nothing was scored: all ${candidates.length} candidates were skipped (a one-shot prompt does not fit the engine's ` +
        `context beside the anchors); lower --max-anchor-tokens or use an engine with a longer context`,
    );
  }
}

interface Sink {
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

async function openSink(out: string | undefined): Promise<Sink> {
  if (out !== undefined) {
    const { openAtomicFile } = await import("../nuggets/local/atomic-file.js");
    return openAtomicFile(out);
  }
  return {
    write: (text) =>
      new Promise<void>((resolve, reject) => {
        process.stdout.write(text, (error) => (error ? reject(error) : resolve()));
      }),
    commit: async () => undefined,
    abort: async () => undefined,
  };
}

/** Plain progress lines at most this often when stderr is not a terminal (a log file, CI). */
const PLAIN_INTERVAL_MS = 10_000;

interface ProgressReporter {
  update(progress: ScoringProgress): void;
  stop(): void;
}

/** A cli-progress bar on a terminal; otherwise an occasional plain line, so logs are not flooded with redraws. */
async function createProgressReporter(total: number): Promise<ProgressReporter> {
  if (process.stderr.isTTY) {
    const { default: cliProgress } = await import("cli-progress");
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: "scoring {bar} {value}/{total} candidates | {speed} pairs/s | ETA {eta_text}",
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { speed: "0.0", eta_text: "?" });
    return {
      update: (p) => bar.update(p.done, { speed: p.pairsPerSecond.toFixed(1), eta_text: formatDuration(p.etaMs) }),
      stop: () => bar.stop(),
    };
  }
  let lastPlain = -Infinity;
  return {
    update(p) {
      if (p.done === 0 || (p.done < p.total && p.elapsedMs - lastPlain < PLAIN_INTERVAL_MS)) return;
      lastPlain = p.elapsedMs;
      process.stderr.write(
        `scored ${p.done}/${p.total} candidates, ${p.pairsPerSecond.toFixed(1)} pairs/s, ETA ${formatDuration(p.etaMs)}\n`,
      );
    },
    stop: () => undefined,
  };
}
