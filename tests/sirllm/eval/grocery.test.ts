/**
 * Grocery Shopping: the key line with its forced " OK", a CommonsenseQA question and the recall question, written out
 * by hand from episode 0 of the data; the split into 548 episodes of 22 turns.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedFile } from "../../../shared/config/shared-files.js";
import { loadGroceryUnits } from "../../../shared/sirllm/eval/grocery-data.js";
import { groceryScript } from "../../../shared/sirllm/eval/grocery-script.js";

const sirllmData = (relative: string) => readFileSync(sharedFile(`data/sirllm/${relative}`), "utf8");

const text = sirllmData("grocery_keys/keys.jsonl");
const units = loadGroceryUnits(text);

const key = (e: number, item = "milk") => JSON.stringify({ id: `key_${e}`, question: { stem: `I want you to buy the GROCERY: [${item}]. `, choices: [{ text: "OK", label: "A" }] }, answerKey: "A" });
const q = (id: string) => JSON.stringify({ id, question: { stem: "q?", choices: [{ label: "A", text: "x" }, { label: "B", text: "y" }] }, answerKey: "B" });

describe("Grocery Shopping prompts", () => {
  const script = groceryScript(units[0]!);

  it("should feed the key line with the forced answer \" OK\", unscored", () => {
    expect(script.turns[0]).toEqual({
      id: "key_0",
      line: 1,
      userText: "I want you to buy the GROCERY: [chocolate].",
      context: "USER: I want you to buy the GROCERY: [chocolate].\n\nASSISTANT:",
      options: [{ label: "OK", continuation: " OK" }],
      rule: "forced",
      scoring: { metric: "none" },
    });
  });

  it("should build a CommonsenseQA question as the authors do", () => {
    const userText =
      "A revolving door is convenient for two direction travel, but it also serves as a security measure at a what? " +
      "Choices:  (A) bank (B) library (C) department store (D) mall (E) new york";
    expect(script.turns[1]).toMatchObject({
      id: "0",
      line: 2,
      userText,
      context: "USER: " + userText + "\n\nASSISTANT:",
      options: ["A", "B", "C", "D", "E"].map((l) => ({ label: l, continuation: " " + l })),
      rule: "greedy-match-then-logprob",
      scoring: { metric: "csqa", answer: 0 },
    });
  });

  it("should end with the recall question and its four options", () => {
    const userText = "Which one is the GROCERY that I want you to buy earlier? Choices:  (A) vanilla extract (B) tea (C) chocolate (D) eggs";
    expect(script.turns.at(-1)).toMatchObject({
      id: "answer_0",
      line: 22,
      userText,
      context: "USER: Which one is the GROCERY that I want you to buy earlier? Choices:  (A) vanilla extract (B) tea (C) chocolate (D) eggs\n\nASSISTANT:",
      options: ["A", "B", "C", "D"].map((l) => ({ label: l, continuation: " " + l })),
      scoring: { metric: "recall", answer: 2 },
    });
  });
});

describe("Grocery Shopping units", () => {
  it("should split the file into 548 episodes of a key line, 20 CommonsenseQA questions and a recall question", () => {
    expect(units).toHaveLength(548);
    for (const unit of units) {
      const metrics = groceryScript(unit).turns.map((t) => t.scoring.metric);
      expect(metrics).toEqual(["none", ...Array<string>(20).fill("csqa"), "recall"]);
    }
    expect(units.map((u) => u.id).slice(0, 3)).toEqual(["0", "1", "2"]);
    expect(units.at(-1)!.lines.at(-1)!.line).toBe(12056);
  });

  it("should keep the first N episodes under a limit or a cap", () => {
    expect(loadGroceryUnits(text, { limit: 3 }).map((u) => u.id)).toEqual(["0", "1", "2"]);
    expect(loadGroceryUnits(text, { maxEpisodes: 10, limit: 50 })).toHaveLength(10);
  });
});

describe("bad Grocery Shopping data", () => {
  it("should reject bad lines by number", () => {
    const bad = [key(0), q("0"), JSON.stringify({ id: "shop_0", question: { stem: "", choices: [] }, answerKey: "A" }), q("answer_0")].join("\n");
    expect(() => loadGroceryUnits(bad)).toThrow(/^Grocery Shopping file has 1 bad line; the first: line 3: id: id must be/);
  });

  it("should reject an episode without its key line or recall question, or with them out of place", () => {
    expect(() => loadGroceryUnits([q("0"), q("answer_0")].join("\n"))).toThrow("line 1: episode 0 must start with its key line (key_0)");
    expect(() => loadGroceryUnits([key(0), q("0"), key(1), q("answer_1")].join("\n"))).toThrow("line 2: episode 0 must end with its recall question (answer_0)");
    expect(() => loadGroceryUnits([key(0), q("answer_0"), q("0"), q("answer_0")].join("\n"))).toThrow("line 2: a recall question in the middle of episode 0");
    expect(() => loadGroceryUnits([key(0), q("answer_0"), key(1), q("answer_1"), q("0")].join("\n"))).toThrow(
      "line 5: episode 0 (first at line 1) comes back after another episode",
    );
  });
});
