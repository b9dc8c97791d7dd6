/**
 * `assay mti match`: MTI-Bench's exact-match scoring as a filter. JSON lines `{"gold", "output", "step"}` on stdin,
 * one `{"parsed", "normalised", "match"}` line per input line on stdout, scored as the authors' scorer does
 * (REFERENCE.md §3). The scoring modules load inside the action so `assay --help` stays fast.
 */
import type { Command } from "commander";

/** Parsed options of `assay mti match`. */
export interface MtiMatchOptions {
  readonly lenient?: boolean;
}

/**
 * Adds `match` under the `mti` command group.
 *
 * @example
 * registerMtiMatchCommand(program.command("mti"));
 */
export function registerMtiMatchCommand(mti: Command): void {
  mti
    .command("match")
    .description(
      'score outputs the authors\' way: JSON lines {"gold": "<raw JSON>", "output": "…", "step": N} on stdin, ' +
        'one {"parsed", "normalised", "match"} line each on stdout',
    )
    .option("--lenient", "also accept </taskN> as the closing tag when <taskN/> is not found (the authors' parser does not)")
    .action(async (opts: MtiMatchOptions) => {
      await runMtiMatch(opts);
    });
}

/** Reads all of stdin, scores it, writes the lines. A bad line is a `ValidationError` (exit 2 in `main.ts`). */
export async function runMtiMatch(opts: MtiMatchOptions): Promise<void> {
  const { matchLines } = await import("../mti/scoring/match-lines.js");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const results = matchLines(Buffer.concat(chunks).toString("utf8"), { lenient: opts.lenient === true });
  const text = results.map((r) => `${JSON.stringify(r)}\n`).join("");
  await new Promise<void>((resolve, reject) => {
    process.stdout.write(text, (error) => (error ? reject(error) : resolve()));
  });
}
