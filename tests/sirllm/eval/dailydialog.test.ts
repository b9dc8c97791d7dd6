/**
 * DailyDialog: the authors' prompt for one item, written out by hand from the data's first line, and the split into
 * dialogues (memory resets whenever the id's dialogue number changes; the paper keeps the first 2,000 items).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedFile } from "../../../shared/config/shared-files.js";
import { dailyDialogScript } from "../../../shared/sirllm/eval/dailydialog-script.js";
import { loadDailyDialogUnits } from "../../../shared/sirllm/eval/dailydialog-data.js";
import { SirllmEvalDataError } from "../../../shared/sirllm/eval/eval-data-error.js";

const sirllmData = (relative: string) => readFileSync(sharedFile(`data/sirllm/${relative}`), "utf8");

const text = sirllmData("dailydialog/dailydialog.jsonl");

const item = (id: string, answerKey = "A", labels = ["A", "B"]) =>
  JSON.stringify({ id, question: { stem: "s ", choices: labels.map((label) => ({ label, text: " t " })) }, answerKey });

describe("DailyDialog prompts", () => {
  it("should build the first item's turn exactly as the authors do", () => {
    const turn = dailyDialogScript(loadDailyDialogUnits(text)[0]!).turns[0]!;
    // stem.strip(), then " Choices: ", then " (L) " + text per choice, texts unstripped.
    const userText =
      "Choose the best response for the input: Hey man , you wanna buy some weed ? Choices:  (A)  Good . We will make " +
      "the offer tomorrow afternoon . Is that all right ?  (B)  It's defective .  (C)  I'm Frank . Nice to meet you .  " +
      "(D)  Some what ? ";
    expect(turn.userText).toBe(userText);
    expect(turn.context).toBe("USER: " + userText + "\n\nASSISTANT:");
    expect(turn.options).toEqual([
      { label: "A", continuation: " A" },
      { label: "B", continuation: " B" },
      { label: "C", continuation: " C" },
      { label: "D", continuation: " D" },
    ]);
    expect(turn.scoring).toEqual({ metric: "dailydialog", answer: 3 });
    expect(turn.rule).toBe("greedy-match-then-logprob");
    expect(turn).toMatchObject({ id: "0_1", line: 1 });
  });
});

describe("DailyDialog units", () => {
  it("should cut the file to the paper's first 2,000 items: 519 whole dialogues", () => {
    const units = loadDailyDialogUnits(text);
    expect(units).toHaveLength(519);
    expect(units.reduce((n, u) => n + u.items.length, 0)).toBe(2000);
    expect(units[0]!.items.map((i) => i.record.id)).toEqual(["0_1", "0_3", "0_5", "0_7", "0_9", "0_11"]);
    expect(units.at(-1)!.id).toBe("518");
    expect(units.at(-1)!.items.at(-1)!.line).toBe(2000);
  });

  it("should find 1,000 dialogues in all 3,700 items", () => {
    const units = loadDailyDialogUnits(text, { maxItems: 3700 });
    expect(units).toHaveLength(1000);
    expect(units.reduce((n, u) => n + u.items.length, 0)).toBe(3700);
  });

  it("should keep the first N dialogues under a limit, and cut a dialogue short when the item cap falls inside it", () => {
    expect(loadDailyDialogUnits(text, { limit: 2 }).map((u) => u.id)).toEqual(["0", "1"]);
    const cut = loadDailyDialogUnits(text, { maxItems: 7 });
    expect(cut.map((u) => u.items.length)).toEqual([6, 1]);
  });

  it("should start a new unit exactly when the dialogue number changes", () => {
    const units = loadDailyDialogUnits([item("4_1"), item("4_3"), item("7_1"), item("2_1"), item("2_3")].join("\n"));
    expect(units.map((u) => [u.id, u.items.length])).toEqual([["4", 2], ["7", 1], ["2", 2]]);
  });
});

describe("bad DailyDialog data", () => {
  it("should reject bad lines by number", () => {
    const bad = [item("0_1"), item("0-3"), "{not json", item("1_1", "Z"), item("1_3", "A", ["A", "A"])].join("\n");
    const error = (() => {
      try {
        loadDailyDialogUnits(bad);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SirllmEvalDataError);
    expect((error as SirllmEvalDataError).lines).toEqual([2, 3, 4, 5]);
    expect((error as Error).message).toMatch(/^DailyDialog file has 4 bad lines; the first: line 2: id: id must be "\{dialogue\}_\{turn\}"/);
    expect((error as SirllmEvalDataError).status).toBe(400);
  });

  it("should reject a dialogue whose items are not consecutive", () => {
    expect(() => loadDailyDialogUnits([item("0_1"), item("1_1"), item("0_3")].join("\n"))).toThrow(
      "DailyDialog file has 1 bad line; the first: line 3: dialogue 0 (first at line 1) comes back after another dialogue",
    );
  });

  it("should reject an empty file and a non-positive cap", () => {
    expect(() => loadDailyDialogUnits("\n\n")).toThrow("DailyDialog file has 1 bad line; the first: line 1: no records");
    expect(() => loadDailyDialogUnits(item("0_1"), { maxItems: 0 })).toThrow("maxItems must be a positive integer, got 0");
    expect(() => loadDailyDialogUnits(item("0_1"), { limit: 1.5 })).toThrow("limit must be a positive integer");
  });
});
