/**
 * `assay datasets head | upload`: the first records of a dataset file (to try a job on a slice), and uploads from a
 * terminal or a script, through the presigned route when the file is large.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { ValidationError } from "../errors.js";
import { ApiClient, apiTarget } from "./api-client.js";

/** The first `n` records of a JSON-array or JSONL file, as JSONL text (records as they are, not validated). */
export function headRecords(text: string, n: number): string {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: unknown[] = body.trimStart().startsWith("[")
    ? (JSON.parse(body) as unknown[]).slice(0, n)
    : body.split(/\r?\n/).filter((l) => l.trim() !== "").slice(0, n).map((l) => JSON.parse(l) as unknown);
  return records.map((r) => JSON.stringify(r)).join("\n") + (records.length > 0 ? "\n" : "");
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ValidationError(`expected a positive integer, got ${value}`);
  return n;
}

export function registerDatasetCommands(program: Command): void {
  const datasets = program.command("datasets").description("datasets: slice a file, upload it");

  datasets
    .command("head <file> <n>")
    .description("print the first N records of a JSON-array or JSONL file as JSONL (e.g. a small pool to try a job on)")
    .action((file: string, n: string) => {
      process.stdout.write(headRecords(readFileSync(file, "utf8"), positiveInt(n)));
    });

  datasets
    .command("upload <file>")
    .description("upload a JSON-array or JSONL dataset (large files through a presigned URL); prints the dataset")
    .option("--name <name>", "a name to know it by")
    .option("--kind <kind>", "what the records are", "instructions")
    .option("--limit <n>", "upload only the first N records", positiveInt)
    .option("--id-only", "print only the dataset's id (for scripts: POOL=$(assay datasets upload … --id-only))")
    .option("--api <url>", "the assay API (default $ASSAY_API_URL)")
    .option("--key <key>", "an API key (default $ASSAY_API_KEY)")
    .action(async (file: string, opts: { name?: string; kind: string; limit?: number; idOnly?: boolean; api?: string; key?: string }) => {
      const client = new ApiClient(apiTarget(opts));
      const meta =
        opts.limit === undefined
          ? await client.uploadDatasetMeta(file, { ...(opts.name ? { name: opts.name } : {}), kind: opts.kind })
          : await client.uploadDatasetText(headRecords(readFileSync(file, "utf8"), opts.limit), { ...(opts.name ? { name: opts.name } : {}), kind: opts.kind });
      process.stdout.write(opts.idOnly ? `${meta.id}\n` : `${JSON.stringify(meta, null, 2)}\n`);
    });
}
