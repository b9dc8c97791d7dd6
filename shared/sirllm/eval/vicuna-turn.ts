/**
 * How the authors wrap a turn for a non-Yi model (their default, lmsys/vicuna-7b-v1.5): `context = "USER: " +
 * question + "\n\nASSISTANT: "`, scored with each choice as the continuation; `_encode_pair` then moves the context's
 * trailing whitespace onto the continuation (`sir_llm/eval_utils.py`, `Evaluator._encode_pair`). The context is
 * therefore `USER: {q}\n\nASSISTANT:` and the continuation ` {choice}`.
 *
 * `shared/chat/vicuna-template.ts` renders one user message with the generation prompt as exactly that context
 * (`USER: {q}` + `\n\n` + `ASSISTANT:`), so it is reused: one definition of the layout. Only a single message is ever
 * rendered, because each turn is tokenized and appended on its own.
 */
import { vicunaTemplate } from "../../chat/vicuna-template.js";
import type { TurnOption } from "./script-turn.js";

/**
 * The context of a turn.
 *
 * @example
 * vicunaContext("Hi"); // "USER: Hi\n\nASSISTANT:"
 */
export function vicunaContext(userText: string): string {
  return vicunaTemplate.render([{ role: "user", content: userText }], { addGenerationPrompt: true });
}

/**
 * The options for lettered choices (the authors' `choices` list holds the data's labels): each continuation takes the
 * space that `_encode_pair` moved off `"ASSISTANT: "`.
 *
 * @example
 * letterOptions(["A", "B"]); // [{ label: "A", continuation: " A" }, { label: "B", continuation: " B" }]
 */
export function letterOptions(choices: readonly string[]): TurnOption[] {
  return choices.map((label) => ({ label, continuation: ` ${label}` }));
}
