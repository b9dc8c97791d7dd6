/**
 * `assay sirllm simulate`: one memory policy over a session given as per-token entropies on stdin, no model. Prints
 * one JSON array: for each turn, the stream indices of the tokens in memory after it. Every bad input (a flag, the
 * JSON, a refused turn) is a ValidationError, so `main.ts` exits 2 with the message on stderr.
 */
import type { Command } from "commander";
import { ValidationError } from "../errors.js";

/** The flags as commander hands them over: strings, checked together by the settings schema. */
export interface SirllmSimulateOptions {
  readonly policy: string;
  readonly cacheSize: string;
  readonly sinks: string;
  readonly decay: string;
  readonly seed: string;
}

const FLAGS: Readonly<Record<keyof SirllmSimulateOptions, string>> = {
  policy: "--policy",
  cacheSize: "--cache-size",
  sinks: "--sinks",
  decay: "--decay",
  seed: "--seed",
};

/** Problems shown in one message at most; the rest are counted. */
const MAX_SHOWN_PROBLEMS = 5;

/**
 * Adds `simulate` under the `sirllm` command group.
 *
 * @example
 * registerSirllmSimulateCommand(program.command("sirllm"));
 * // echo '{"turns":[[1,1,5,2,0.5],[3,3,3],[1,1]]}' | assay sirllm simulate --policy sirllm --cache-size 8 --sinks 2
 * // [[0,1,2,3,4],[0,1,2,3,4,5,6,7],[0,1,2,5,6,7,8,9]]
 */
export function registerSirllmSimulateCommand(sirllm: Command): void {
  sirllm
    .command("simulate")
    .description(
      'run a memory policy on {"turns": [[entropy, …], …]} from stdin (no model); prints a JSON array with, per turn, ' +
        "the 0-based stream indices of the tokens in memory after that turn",
    )
    .requiredOption("--policy <name>", "sirllm, streaming, random, interval or full")
    .requiredOption("--cache-size <n>", "tokens memory holds after a turn is appended (for full: the context)")
    .option("--sinks <n>", "the session's first tokens, always kept", "4")
    .option("--decay <d>", "multiplies every stored entropy once per turn, 0 < d ≤ 1", "1")
    .option("--seed <n>", "seed of the random policy, 0 ≤ n < 2^32", "0")
    .action(async (opts: SirllmSimulateOptions) => {
      const output = await runSirllmSimulate(opts, await readStdin());
      await new Promise<void>((resolve, reject) => process.stdout.write(output, (e) => (e ? reject(e) : resolve())));
    });
}

/**
 * The whole command on text: flags and stdin in, the line to print out. Throws ValidationError for bad flags, bad
 * JSON, input that fails the schema, or a refused turn.
 *
 * @example
 * await runSirllmSimulate({ policy: "streaming", cacheSize: "4", sinks: "1", decay: "1", seed: "0" }, '{"turns":[[1,2,3],[4,5]]}');
 * // "[[0,1,2],[0,2,3,4]]\n"
 */
export async function runSirllmSimulate(opts: SirllmSimulateOptions, stdin: string): Promise<string> {
  const [{ MemoryPolicySettingsSchema, SirllmSimulateInputSchema }, { simulateMemory }] = await Promise.all([
    import("../../schemas/sirllm-memory.js"),
    import("../sirllm/memory/simulate.js"),
  ]);

  const settings = MemoryPolicySettingsSchema.safeParse({
    policy: opts.policy,
    cacheSize: flagNumber(opts.cacheSize),
    sinks: flagNumber(opts.sinks),
    decay: flagNumber(opts.decay),
    seed: flagNumber(opts.seed),
  });
  if (!settings.success) {
    const problems = settings.error.issues.map((i) => {
      const key = String(i.path[0] ?? "") as keyof SirllmSimulateOptions;
      const given = opts[key];
      return `${FLAGS[key] ?? key}${given === undefined ? "" : ` ${given}`}: ${i.message}`;
    });
    throw new ValidationError(`bad options: ${problems.join("; ")}`, { problems });
  }

  let json: unknown;
  try {
    json = JSON.parse(stdin);
  } catch (cause) {
    throw new ValidationError(`stdin is not JSON (expected {"turns": [[entropy, …], …]}): ${(cause as Error).message}`, null, { cause });
  }
  const input = SirllmSimulateInputSchema.safeParse(json);
  if (!input.success) {
    const problems = input.error.issues.map((i) => `${jsonPath(i.path)}: ${i.message}`);
    const more = problems.length > MAX_SHOWN_PROBLEMS ? `; … and ${problems.length - MAX_SHOWN_PROBLEMS} more` : "";
    throw new ValidationError(`bad input on stdin: ${problems.slice(0, MAX_SHOWN_PROBLEMS).join("; ")}${more}`, { problems });
  }

  const memory = simulateMemory(settings.data, input.data.turns);
  return `${JSON.stringify(memory)}\n`;
}

/** A flag's text as a number; NaN (which the schema rejects) for anything that is not one, including "". */
function flagNumber(text: string): number {
  return text.trim() === "" ? Number.NaN : Number(text);
}

/** `turns[2][5]` for the path ["turns", 2, 5]. */
function jsonPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(the whole input)";
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
}

async function readStdin(): Promise<string> {
  // A bare `assay sirllm simulate` on a terminal would otherwise look hung.
  if (process.stdin.isTTY) process.stderr.write('reading {"turns": [[entropy, …], …]} from stdin (end with Ctrl-D)\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
