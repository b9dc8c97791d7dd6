/**
 * Dataset kinds: what the records of a dataset are, and how a file of them is read and checked. Every kind is
 * validated the same way — every bad record reported with its line number, nothing stored — and stored the same way
 * (normalised JSONL, content-addressed). Instruction examples (NUGGETS) now; dialogues, episodes and benchmark files
 * are added here as the methods that read them arrive.
 */
import { z } from "zod";
import { NuggetsExampleSchema } from "../../schemas/nuggets.js";
import { Registry } from "../registry.js";
import { parseRecords } from "./parse-records.js";

/** A kind of dataset. */
export interface DatasetKind<T = unknown> {
  readonly name: string;
  readonly title: string;
  /** One stored record. */
  readonly recordSchema: z.ZodType<T>;
  /** Reads a whole uploaded file into records, or throws a ValidationError listing every bad record by line. */
  parse(text: string): { format: "json" | "jsonl"; records: T[] };
}

/** A JSON array or JSONL of records matching one schema. */
export function recordsKind<T>(name: string, title: string, recordSchema: z.ZodType<T>): DatasetKind<T> {
  return {
    name,
    title,
    recordSchema,
    parse(text) {
      const { format, records } = parseRecords(text, recordSchema);
      return { format, records };
    },
  };
}

/** NUGGETS' pools and anchor sets: `{instruction, input?, output}` (Alpaca). */
export const instructionsKind = recordsKind("instructions", "instruction examples", NuggetsExampleSchema);

export const DEFAULT_DATASET_KIND = "instructions";

/** The dataset kinds this deployment accepts. */
export function datasetKinds(): Registry<DatasetKind> {
  const registry = new Registry<DatasetKind>("dataset kind");
  registry.register(instructionsKind.name, instructionsKind as DatasetKind);
  return registry;
}

export const DatasetKindNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, "dataset kinds are lowercase names, e.g. instructions")
  .default(DEFAULT_DATASET_KIND);
