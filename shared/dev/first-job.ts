/**
 * The first job `npm start` suggests: 40 Alpaca examples scored against 8 of the authors' anchors, on whatever model
 * the stack loaded. The anchors' answers run to ~1,400 tokens and the bundled test model holds 512, so the anchors are
 * capped to a quarter of the context: a candidate then has the rest, and nearly every one fits.
 */
import { relative } from "node:path";
import { repoRoot, sharedFile } from "../config/shared-files.js";

/** The anchor cap that leaves room for candidates: a quarter of the context. */
export const firstJobAnchorCap = (contextSize: number): number => Math.max(16, Math.floor(contextSize / 4));

/** A path as the user should type it from the repository root. */
function fromRepo(path: string): string {
  const rel = relative(repoRoot, path);
  return rel.startsWith("..") || rel === "" ? (rel.startsWith("../") ? rel : path) : rel;
}

/** The commands, ready to paste (the key and address filled in). */
export function firstJobCommands(opts: { apiUrl: string; apiKey: string; engine: string; contextSize: number }): string[] {
  const pool = fromRepo(sharedFile("data/alpaca/alpaca_5000.json"));
  const anchors = fromRepo(sharedFile("data/nuggets/alpaca_gpt4_kmeans_100.json"));
  return [
    `export ASSAY_API_URL=${opts.apiUrl} ASSAY_API_KEY=${opts.apiKey}`,
    `POOL=$(npx assay datasets upload ${pool} --limit 40 --name pool --id-only)`,
    `ANCHORS=$(npx assay datasets upload ${anchors} --limit 8 --name anchors --id-only)`,
    `JOB=$(npx assay nuggets submit --dataset $POOL --anchors $ANCHORS --engine ${opts.engine} --max-anchor-tokens ${firstJobAnchorCap(opts.contextSize)} --wait --id-only)`,
    `npx assay nuggets results $JOB --threshold 0.5 --out subset.jsonl`,
  ];
}
