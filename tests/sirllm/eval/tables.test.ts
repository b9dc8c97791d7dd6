/**
 * Scoring walked scripts into unit outcomes, and the tables built from hand-built outcomes: pooled accuracies, RPS
 * rates overall and per 100-round window, policies side by side, failed units apart, duplicates refused.
 */
import { describe, expect, it } from "vitest";
import type { MemoryPolicyName } from "../../../schemas/sirllm-memory.js";
import { SirllmEvalTableSchema, type SirllmUnitOutcome } from "../../../schemas/sirllm-eval.js";
import { dailyDialogTable, groceryTable } from "../../../shared/sirllm/eval/accuracy-tables.js";
import { buildEvalTable } from "../../../shared/sirllm/eval/eval-table.js";
import { renderEvalTableMarkdown } from "../../../shared/sirllm/eval/eval-table-markdown.js";
import { rpsTable } from "../../../shared/sirllm/eval/rps-table.js";
import { failedUnit, scoreUnit } from "../../../shared/sirllm/eval/score-unit.js";
import type { UnitScript } from "../../../shared/sirllm/eval/script-turn.js";

const dd = (unit: string, policy: MemoryPolicyName, correct: number, total: number): SirllmUnitOutcome => ({
  version: 1,
  task: "dailydialog",
  unit,
  policy,
  result: { status: "ok", accuracy: { correct, total } },
});
const rps = (unit: string, policy: MemoryPolicyName, rounds: string): SirllmUnitOutcome => ({ version: 1, task: "rps", unit, policy, result: { status: "ok", rounds } });

describe("scoreUnit", () => {
  const turn = (scoring: UnitScript["turns"][number]["scoring"], n = 3) => ({
    id: "x",
    line: null,
    userText: "",
    context: "",
    options: Array.from({ length: n }, (_, i) => ({ label: "ABC"[i]!, continuation: ` ${"ABC"[i]}` })),
    rule: "logprob" as const,
    scoring,
  });

  it("should count a Grocery episode's recall and CommonsenseQA answers apart, the key line in neither", () => {
    const script: UnitScript = {
      task: "grocery",
      unit: "5",
      template: "vicuna",
      turns: [turn({ metric: "none" }, 1), turn({ metric: "csqa", answer: 1 }), turn({ metric: "csqa", answer: 2 }), turn({ metric: "recall", answer: 0 })],
    };
    expect(scoreUnit(script, "sirllm", [0, 1, 0, 0])).toEqual({
      version: 1,
      task: "grocery",
      unit: "5",
      policy: "sirllm",
      result: { status: "ok", recall: { correct: 1, total: 1 }, csqa: { correct: 1, total: 2 } },
    });
  });

  it("should write each RPS round's result for the model's move (A rock, B paper, C scissors)", () => {
    const script: UnitScript = {
      task: "rps",
      unit: "p",
      template: "vicuna",
      turns: [turn({ metric: "rps", userMove: "rock" }), turn({ metric: "rps", userMove: "rock" }), turn({ metric: "rps", userMove: "rock" })],
    };
    expect(scoreUnit(script, "streaming", [1, 0, 2]).result).toEqual({ status: "ok", rounds: "WTL" });
  });

  it("should refuse choices that do not fit the script", () => {
    const script: UnitScript = { task: "dailydialog", unit: "0", template: "vicuna", turns: [turn({ metric: "dailydialog", answer: 0 })] };
    expect(() => scoreUnit(script, "sirllm", [])).toThrow("unit 0 has 1 turns but 0 choices");
    expect(() => scoreUnit(script, "sirllm", [3])).toThrow("choice 3 is not one of its 3 options");
    expect(failedUnit(script, "full", "turn 0 would overflow")).toEqual({
      version: 1,
      task: "dailydialog",
      unit: "0",
      policy: "full",
      result: { status: "failed", reason: "turn 0 would overflow" },
    });
  });
});

describe("accuracy tables", () => {
  it("should pool DailyDialog items per policy, in the requested order, failed units apart", () => {
    const table = dailyDialogTable(
      ["streaming", "sirllm"],
      [dd("0", "sirllm", 4, 6), dd("1", "sirllm", 1, 2), dd("0", "streaming", 3, 6), failedUnit({ task: "dailydialog", unit: "1" }, "streaming", "refused")],
    );
    expect(table).toEqual({
      version: 1,
      task: "dailydialog",
      rows: [
        { policy: "streaming", units: 1, failedUnits: 1, accuracy: { correct: 3, total: 6, accuracy: 0.5 } },
        { policy: "sirllm", units: 2, failedUnits: 0, accuracy: { correct: 5, total: 8, accuracy: 0.625 } },
      ],
    });
    expect(SirllmEvalTableSchema.parse(table)).toEqual(table);
    expect(renderEvalTableMarkdown(table)).toBe(
      "| DailyDialog | streaming | sirllm |\n|---|---|---|\n| accuracy | 50.00% (3/6) | 62.50% (5/8) |\n| units (failed) | 1 (1) | 2 (0) |\n",
    );
  });

  it("should give Grocery recall and CommonsenseQA accuracies, null where nothing was scored", () => {
    const g = (unit: string, policy: MemoryPolicyName, recall: number, csqa: number): SirllmUnitOutcome => ({
      version: 1,
      task: "grocery",
      unit,
      policy,
      result: { status: "ok", recall: { correct: recall, total: 1 }, csqa: { correct: csqa, total: 20 } },
    });
    const table = groceryTable(["sirllm", "random"], [g("0", "sirllm", 1, 15), g("1", "sirllm", 0, 12), g("2", "sirllm", 1, 20)]);
    expect(table.rows[0]).toEqual({
      policy: "sirllm",
      units: 3,
      failedUnits: 0,
      recall: { correct: 2, total: 3, accuracy: 2 / 3 },
      csqa: { correct: 47, total: 60, accuracy: 47 / 60 },
    });
    expect(table.rows[1]).toEqual({ policy: "random", units: 0, failedUnits: 0, recall: { correct: 0, total: 0, accuracy: null }, csqa: { correct: 0, total: 0, accuracy: null } });
    expect(renderEvalTableMarkdown(table)).toContain("| recall accuracy | 66.67% (2/3) | — |\n| CommonsenseQA accuracy | 78.33% (47/60) | — |\n");
  });
});

describe("the RPS table", () => {
  // Player a: 100 wins then 100 ties then 50 losses; player b: 150 losses. Windows of 100 pool both players.
  const a = "W".repeat(100) + "T".repeat(100) + "L".repeat(50);
  const b = "L".repeat(150);

  it("should give rates over all rounds and per 100-round window, the last one partial", () => {
    const table = rpsTable(["sirllm"], [rps("a", "sirllm", a), rps("b", "sirllm", b)]);
    const row = table.rows[0]!;
    expect(row.overall).toEqual({ rounds: 400, win: 100, tie: 100, lose: 200, winRate: 0.25, tieRate: 0.25, loseRate: 0.5 });
    expect(row.windows).toEqual([
      { from: 1, to: 100, rounds: 200, win: 100, tie: 0, lose: 100, winRate: 0.5, tieRate: 0, loseRate: 0.5 },
      { from: 101, to: 200, rounds: 150, win: 0, tie: 100, lose: 50, winRate: 0, tieRate: 100 / 150, loseRate: 50 / 150 },
      { from: 201, to: 250, rounds: 50, win: 0, tie: 0, lose: 50, winRate: 0, tieRate: 0, loseRate: 1 },
    ]);
    expect(table.windowSize).toBe(100);
  });

  it("should put policies side by side, in Markdown too", () => {
    const table = buildEvalTable({ task: "rps", policies: ["sirllm", "streaming"], windowSize: 2 }, [rps("a", "sirllm", "WWT"), rps("a", "streaming", "LLLL")]);
    expect(SirllmEvalTableSchema.parse(table)).toEqual(table);
    expect(renderEvalTableMarkdown(table)).toBe(
      "| Rock-Paper-Scissors | sirllm | streaming |\n" +
        "|---|---|---|\n" +
        "| win rate | 66.67% (2/3) | 0.00% (0/4) |\n" +
        "| tie rate | 33.33% (1/3) | 0.00% (0/4) |\n" +
        "| lose rate | 0.00% (0/3) | 100.00% (4/4) |\n" +
        "| units (failed) | 1 (0) | 1 (0) |\n" +
        "\n" +
        "| rounds (per 2): win / tie / lose | sirllm | streaming |\n" +
        "|---|---|---|\n" +
        "| 1–2 | 100.00% / 0.00% / 0.00% | 0.00% / 0.00% / 100.00% |\n" +
        "| 3–4 | 0.00% / 100.00% / 0.00% | 0.00% / 0.00% / 100.00% |\n",
    );
  });
});

describe("outcomes a table refuses", () => {
  it("should refuse a second outcome for the same unit and policy, another task, or an unrequested policy", () => {
    expect(() => dailyDialogTable(["sirllm"], [dd("0", "sirllm", 1, 1), dd("0", "sirllm", 1, 1)])).toThrow('unit 0 under policy "sirllm" has two outcomes');
    expect(() => dailyDialogTable(["sirllm"], [rps("a", "sirllm", "W")])).toThrow('is for task "rps", not "dailydialog"');
    expect(() => dailyDialogTable(["sirllm"], [dd("0", "interval", 1, 1)])).toThrow('is for policy "interval", which the table does not have');
    expect(() => dailyDialogTable(["sirllm"], [{ ...dd("0", "sirllm", 2, 1) }])).toThrow("correct must be ≤ total");
    expect(() => rpsTable(["sirllm"], [rps("a", "sirllm", "WX")])).toThrow("rounds must be W, T and L letters");
    expect(() => dailyDialogTable(["sirllm", "sirllm"], [])).toThrow("memory policies repeat");
  });
});
