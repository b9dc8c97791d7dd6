/**
 * A Grocery Shopping episode as the turns the model receives (`sir_llm/utils.py`, `keys_dataprocessing`):
 * - the key line: the user text is `stem.strip()` ("I want you to buy the GROCERY: [chocolate]."), and the only
 *   choice is the authors' hard-coded `"OK"` (the data's own choice text is ignored). With one option the authors
 *   still run the forward pass and keep its cache, so " OK" enters memory as the model's answer; it is not scored;
 * - every other line: `stem.strip() + " Choices: "` followed by `" (" + label + ") " + text` per choice, options the
 *   letters; CommonsenseQA lines count towards `csqa`, the `answer_` line towards `recall`.
 */
import { pythonStrip } from "../../chat/python-strip.js";
import type { GroceryRecord } from "../../../schemas/sirllm-eval.js";
import type { GroceryLine, GroceryUnit } from "./grocery-data.js";
import type { ScriptTurn, UnitScript } from "./script-turn.js";
import { letterOptions, vicunaContext } from "./vicuna-turn.js";

/** The key line's answer, as the model's turn: the authors' `choices=["OK"]` after `_encode_pair`. */
export const GROCERY_KEY_CONTINUATION = " OK";

/**
 * The user text of a question line (CommonsenseQA or recall).
 *
 * @example
 * groceryQuestionText({ id: "answer_0", question: { stem: "Which one?", choices: [{ label: "A", text: "tea" }, { label: "B", text: "eggs" }] }, answerKey: "A" });
 * // "Which one? Choices:  (A) tea (B) eggs"
 */
export function groceryQuestionText(record: GroceryRecord): string {
  let question = pythonStrip(record.question.stem) + " Choices: ";
  for (const choice of record.question.choices) question += " (" + choice.label + ") " + choice.text;
  return question;
}

/**
 * The script of one episode: 22 turns for the authors' file (key, 20 CommonsenseQA, recall).
 *
 * @example
 * groceryScript(loadGroceryUnits(text)[0]!).turns[0]!.context; // "USER: I want you to buy the GROCERY: [chocolate].\n\nASSISTANT:"
 */
export function groceryScript(unit: GroceryUnit): UnitScript {
  return { task: "grocery", unit: unit.id, template: "vicuna", turns: unit.lines.map(groceryTurn) };
}

function groceryTurn({ line, kind, record }: GroceryLine): ScriptTurn {
  if (kind === "key") {
    const userText = pythonStrip(record.question.stem);
    return {
      id: record.id,
      line,
      userText,
      context: vicunaContext(userText),
      options: [{ label: "OK", continuation: GROCERY_KEY_CONTINUATION }],
      rule: "forced",
      scoring: { metric: "none" },
    };
  }
  const userText = groceryQuestionText(record);
  const labels = record.question.choices.map((c) => c.label);
  return {
    id: record.id,
    line,
    userText,
    context: vicunaContext(userText),
    options: letterOptions(labels),
    rule: "greedy-match-then-logprob",
    scoring: { metric: kind === "recall" ? "recall" : "csqa", answer: labels.indexOf(record.answerKey) },
  };
}
