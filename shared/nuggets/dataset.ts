/**
 * Instruction datasets: a JSON array or JSONL of `{instruction, input?, output}` (the `instructions` dataset kind).
 * Every bad record is reported by its line number and nothing is returned to store.
 */
import { NuggetsExampleSchema, type NuggetsExample } from "../../schemas/nuggets.js";
import { parseRecords } from "../datasets/parse-records.js";

/** A parsed instruction dataset: `lines[i]` is the line where `examples[i]` starts. */
export interface ParsedDataset {
  readonly format: "json" | "jsonl";
  readonly examples: NuggetsExample[];
  readonly lines: number[];
}

/**
 * @example
 * parseDataset('{"instruction":"a","output":"b"}\n{"output":"c"}'); // throws ValidationError; details.lines = [2]
 */
export function parseDataset(text: string): ParsedDataset {
  const { format, records, lines } = parseRecords(text, NuggetsExampleSchema);
  return { format, examples: records, lines };
}
