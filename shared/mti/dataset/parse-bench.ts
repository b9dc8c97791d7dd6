/**
 * Loading an MTI-Bench file (`MTI_BENCH.json`, `Free_Form_Generation.json`, or a slice of either) into
 * {@link MtiDataset}: validated whole, every problem named by task, instance and field, and every gold answer kept
 * as its JSON lexeme beside its value.
 *
 * Order is the file's: tasks, instances and contexts come in the order the file writes them, which is the order the
 * authors' Python iterates (`json.load` keeps a dict's insertion order). JS objects keep insertion order too for keys
 * that are not array indices, and no uid ("001_384"), context key ("1_0") or zero-padded task id ("001".."099") is
 * one; instruction keys ("1", "2") are, but they are read by number, never iterated. (A task id of 100 or more would be
 * an array index and come first; MTI-Bench's ids stop at 041.)
 */
import {
  MTI_CONTEXT_KEY,
  MtiBenchFileSchema,
  MtiFreeFormFileSchema,
  type MtiContext,
  type MtiDataset,
  type MtiGold,
  type MtiInstance,
  type MtiTask,
} from "../../../schemas/mti.js";
import { describeBenchPath, fileProblemsError, parseJsonText, problemsOf } from "./file-problems.js";
import { parseJsonLexemes, rawJsonText, type JsonLexemes } from "./json-lexemes.js";

/** Which answers a file carries: any JSON gold (exact match, tasks 001–025) or reference texts (free form, 030–041). */
export type MtiAnswerKind = "exact-match" | "free-form";

/**
 * Parse a benchmark file. Throws a ValidationError naming the first problem (`task 002, instance 002_2854, answers:
 * 2 gold answers for 3 instructions`) with every problem in its details.
 *
 * @example
 * const { tasks } = parseMtiBench(readFileSync("mti_bench_slice.json", "utf8"));
 * tasks[1]!.instances[1]!.answers[2]!.raw; // "1.0" (002_4961), where JSON.parse alone would give 1
 */
export function parseMtiBench(text: string, answers: MtiAnswerKind = "exact-match"): MtiDataset {
  const what = answers === "free-form" ? "free-form MTI-Bench file" : "MTI-Bench file";
  const { body, value } = parseJsonText(text, what);
  const parsed = (answers === "free-form" ? MtiFreeFormFileSchema : MtiBenchFileSchema).safeParse(value);
  if (!parsed.success) throw fileProblemsError(what, problemsOf(parsed.error, describeBenchPath));
  // A second pass over the same text, for the lexemes only: the schema has already vouched for the structure.
  const lexemes = parseJsonLexemes(body) as Record<string, { instance: Record<string, { answers: JsonLexemes[] }> }>;

  const tasks: MtiTask[] = Object.entries(parsed.data).map(([task, t]) => ({
    task,
    sample: t.sample,
    instances: Object.entries(t.instance).map(([uid, inst]): MtiInstance => {
      const raws = lexemes[task]!.instance[uid]!.answers;
      return {
        uid,
        task,
        query: inst.query,
        instructions: Array.from({ length: Object.keys(inst.instruction).length }, (_, i) => inst.instruction[String(i + 1)]!),
        contexts: Object.entries(inst.context).map(([key, text]): MtiContext => ({ key, step: contextStep(key), text })),
        answers: inst.answers.map((value, i): MtiGold => ({ raw: rawJsonText(raws[i]!), value })),
      };
    }),
  }));
  return { tasks };
}

/**
 * Parse a free-form file (tasks 030–041): the same shape, every gold answer a reference text.
 *
 * @example
 * parseMtiFreeForm(readFileSync("free_form_slice.json", "utf8")).tasks[0]!.task; // "034" (file order, not sorted)
 */
export function parseMtiFreeForm(text: string): MtiDataset {
  return parseMtiBench(text, "free-form");
}

/** The step s of a context key `s_j` (the schema has already checked the key's shape). */
function contextStep(key: string): number {
  return Number(MTI_CONTEXT_KEY.exec(key)![1]);
}
