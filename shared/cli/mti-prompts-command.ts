/**
 * `assay mti prompts`: the first-call prompt of every instance (Batch Prompting: of every pair) as JSON lines
 * `{"uid", "mode", "prompt"}` — rendering alone, no model — to see exactly what an engine would be sent. The modules
 * load inside the action so `assay --help` stays fast.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { ValidationError } from "../errors.js";

/** Parsed options of `assay mti prompts`; mode and template are checked in the action (a bad one exits 2). */
export interface MtiPromptsOptions {
  readonly dataset: string;
  readonly demos: string;
  readonly mode: string;
  readonly template: string;
}

/**
 * Adds `prompts` under the `mti` command group.
 *
 * @example
 * registerMtiPromptsCommand(program.command("mti"));
 */
export function registerMtiPromptsCommand(mti: Command): void {
  mti
    .command("prompts")
    .description("print the first-call prompt of every instance (batch: of every pair) as JSON lines {uid, mode, prompt}; no model")
    .requiredOption("--dataset <file>", "an MTI-Bench file (MTI_BENCH.json, Free_Form_Generation.json or a slice)")
    .requiredOption("--demos <file>", "the per-step demonstrations (cot_breakdown.json)")
    .requiredOption("--mode <mode>", "multi (Multi-Task Inference), single (Single-Task, step 1) or batch (Batch Prompting, step 1)")
    .option("--template <name>", "chat template: tulu or none (the bare content)", "tulu")
    .action(async (opts: MtiPromptsOptions) => {
      await runMtiPrompts(opts);
    });
}

/** The whole command: check the options, read both files, render, write. Errors propagate to `main.ts` (exit 2 / 1). */
export async function runMtiPrompts(opts: MtiPromptsOptions): Promise<void> {
  const [{ MtiModeSchema }, { parseMtiBench }, { parseMtiDemos }, { mtiChatTemplate }, { firstCallPrompts }] = await Promise.all([
    import("../../schemas/mti.js"),
    import("../mti/dataset/parse-bench.js"),
    import("../mti/dataset/parse-demos.js"),
    import("../mti/prompts/chat-template.js"),
    import("../mti/prompts/first-call-prompts.js"),
  ]);
  const mode = MtiModeSchema.safeParse(opts.mode);
  if (!mode.success) throw new ValidationError(`--mode must be multi, single or batch; got "${opts.mode}"`);
  const template = withFlag("--template", () => mtiChatTemplate(opts.template));
  const dataset = await readParsed(opts.dataset, "--dataset", parseMtiBench);
  const demos = await readParsed(opts.demos, "--demos", parseMtiDemos);
  const lines = firstCallPrompts(dataset, demos, mode.data, template);
  // JSON.stringify writes keys in insertion order: uid, mode, prompt.
  const text = lines.map((l) => `${JSON.stringify({ uid: l.uid, mode: l.mode, prompt: l.prompt })}\n`).join("");
  await writeStdout(text);
}

/** Writes to stdout; a reader that stopped early (`… | head`) ends the output quietly instead of with a stack trace. */
async function writeStdout(text: string): Promise<void> {
  const closedEarly = (error: NodeJS.ErrnoException) => error.code === "EPIPE";
  // Left attached: the stream may emit the EPIPE after the write's callback, and the command writes once per process.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (!closedEarly(error)) throw error;
  });
  await new Promise<void>((resolve, reject) =>
    process.stdout.write(text, (error) => (error && !closedEarly(error) ? reject(error) : resolve())),
  );
}

/** Reads and parses one input file; any problem becomes a ValidationError that starts with the flag and the path. */
async function readParsed<T>(path: string, flag: string, parse: (text: string) => T): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new ValidationError(`${flag} ${path}: cannot read: ${(cause as Error).message}`, { path }, { cause });
  }
  return withFlag(`${flag} ${path}`, () => parse(text));
}

/** Runs `f`; a ValidationError it throws is rethrown with `prefix` in front and up to 10 of its problems listed. */
function withFlag<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const problems = (error.details as { problems?: { where: string; message: string }[] } | null)?.problems ?? [];
    const shown = problems.length > 1 ? problems.slice(0, 10).map((p) => `  ${p.where}: ${p.message}`) : [];
    const more = problems.length > 10 ? [`  … and ${problems.length - 10} more`] : [];
    throw new ValidationError([`${prefix}: ${error.message}`, ...shown, ...more].join("\n"), error.details, { cause: error });
  }
}
