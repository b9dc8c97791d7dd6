/**
 * Dataset kinds: what the records of a dataset are, and how a file of them is read and checked. Every kind is
 * validated the same way — every bad record reported with its line number, nothing stored — and stored the same way
 * (normalised JSONL, content-addressed). Instruction examples (NUGGETS) now; dialogues, episodes and benchmark files
 * are added here as the methods that read them arrive.
 */
import { z } from "zod";
import { MtiTaskIdSchema, MtiTaskSchema } from "../../schemas/mti.js";
import { NuggetsExampleSchema } from "../../schemas/nuggets.js";
import { DailyDialogRecordSchema, GroceryRecordSchema, RpsRecordSchema } from "../../schemas/sirllm-eval.js";
import { parseMtiBench, parseMtiFreeForm } from "../mti/dataset/parse-bench.js";
import { parseMtiDemos } from "../mti/dataset/parse-demos.js";
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

/**
 * MTI-Bench's benchmark file (`MTI_BENCH.json`): one record per task — its multi-task demonstration and its instances,
 * each gold answer with its JSON lexeme kept (`1.0` stays `1.0`), so the scorer prints it as Python would.
 */
export const mtiBenchKind: DatasetKind<z.infer<typeof MtiTaskSchema>> = {
  name: "mti-bench",
  title: "MTI-Bench tasks (exact match)",
  recordSchema: MtiTaskSchema,
  parse: (text) => ({ format: "json", records: parseMtiBench(text).tasks }),
};

/** MTI-Bench's free-form file (`Free_Form_Generation.json`): the same shape, reference texts as answers. */
export const mtiFreeFormKind: DatasetKind<z.infer<typeof MtiTaskSchema>> = {
  name: "mti-free-form",
  title: "MTI-Bench tasks (free form)",
  recordSchema: MtiTaskSchema,
  parse: (text) => ({ format: "json", records: parseMtiFreeForm(text).tasks }),
};

/** One task's per-step demonstrations (`step#1`, `step#2`, … of `cot_breakdown.json`). */
export const MtiDemosRecordSchema = z.object({ task: MtiTaskIdSchema, steps: z.array(z.string().min(1)).min(1) }).strict();
export type MtiDemosRecord = z.infer<typeof MtiDemosRecordSchema>;

/** MTI-Bench's per-step demonstrations (`cot_breakdown.json`): one record per task. */
export const mtiDemosKind: DatasetKind<MtiDemosRecord> = {
  name: "mti-demos",
  title: "MTI-Bench per-step demonstrations",
  recordSchema: MtiDemosRecordSchema,
  parse: (text) => ({ format: "json", records: Object.entries(parseMtiDemos(text)).map(([task, steps]) => ({ task, steps })) }),
};

/** SirLLM's evaluation data, one JSONL file as the authors ship it (`data/sirllm/…`), checked record by record. */
export const sirllmDailyDialogKind = recordsKind("sirllm-dailydialog", "SirLLM DailyDialog items", DailyDialogRecordSchema);
export const sirllmGroceryKind = recordsKind("sirllm-grocery", "SirLLM Grocery Shopping lines", GroceryRecordSchema);
/** One Rock-Paper-Scissors player's rounds. */
export const sirllmRpsKind = recordsKind("sirllm-rps", "SirLLM Rock-Paper-Scissors rounds (one player)", RpsRecordSchema);

export const DEFAULT_DATASET_KIND = "instructions";

/** The dataset kinds this deployment accepts. */
export function datasetKinds(): Registry<DatasetKind> {
  const registry = new Registry<DatasetKind>("dataset kind");
  registry.register(instructionsKind.name, instructionsKind as DatasetKind);
  for (const kind of [mtiBenchKind, mtiFreeFormKind, mtiDemosKind]) registry.register(kind.name, kind as DatasetKind);
  for (const kind of [sirllmDailyDialogKind, sirllmGroceryKind, sirllmRpsKind]) registry.register(kind.name, kind as DatasetKind);
  return registry;
}

export const DatasetKindNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, "dataset kinds are lowercase names, e.g. instructions")
  .default(DEFAULT_DATASET_KIND);
