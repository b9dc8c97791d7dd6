/**
 * A DailyDialog dialogue as the turns the model receives. The user text is the authors'
 * (`sir_llm/utils.py`, `dailydialog_dataprocessing`):
 * `"Choose the best response for the input: " + stem.strip() + " Choices: "` followed by `" (" + label + ") " + text`
 * for each choice (texts unstripped, so most options read `(A)  Good . …`); the options are the choice letters, and
 * every item is scored for accuracy.
 */
import { pythonStrip } from "../../chat/python-strip.js";
import type { DailyDialogRecord } from "../../../schemas/sirllm-eval.js";
import type { DailyDialogUnit } from "./dailydialog-data.js";
import type { ScriptTurn, UnitScript } from "./script-turn.js";
import { letterOptions, vicunaContext } from "./vicuna-turn.js";

/**
 * The user text of one item.
 *
 * @example
 * dailyDialogUserText({ id: "0_1", question: { stem: "Hi ", choices: [{ label: "A", text: " Yo " }] }, answerKey: "A" });
 * // "Choose the best response for the input: Hi Choices:  (A)  Yo "
 */
export function dailyDialogUserText(record: DailyDialogRecord): string {
  let question = "Choose the best response for the input: " + pythonStrip(record.question.stem) + " Choices: ";
  for (const choice of record.question.choices) question += " (" + choice.label + ") " + choice.text;
  return question;
}

/**
 * The script of one dialogue.
 *
 * @example
 * dailyDialogScript(loadDailyDialogUnits(text)[0]!).turns.length; // 6: dialogue 0's items
 */
export function dailyDialogScript(unit: DailyDialogUnit): UnitScript {
  const turns: ScriptTurn[] = unit.items.map(({ line, record }) => {
    const userText = dailyDialogUserText(record);
    const labels = record.question.choices.map((c) => c.label);
    return {
      id: record.id,
      line,
      userText,
      context: vicunaContext(userText),
      options: letterOptions(labels),
      rule: "greedy-match-then-logprob",
      scoring: { metric: "dailydialog", answer: labels.indexOf(record.answerKey) },
    };
  });
  return { task: "dailydialog", unit: unit.id, template: "vicuna", turns };
}
