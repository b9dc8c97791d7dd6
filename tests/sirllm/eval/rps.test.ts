/**
 * Rock-Paper-Scissors: the authors' round prompts written out by hand (the rock player's first moves are rock, paper,
 * paper), one unit per player with the paper's 2,000 rounds, and the round rule for all nine move pairs.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedFile } from "../../../shared/config/shared-files.js";
import { loadRpsUnits, RPS_DATA_PLAYERS, rpsDataFileName } from "../../../shared/sirllm/eval/rps-data.js";
import { RPS_MOVES, rpsResult, type RpsMove } from "../../../shared/sirllm/eval/rps-moves.js";
import { rpsScript } from "../../../shared/sirllm/eval/rps-script.js";

const sirllmData = (relative: string) => readFileSync(sharedFile(`data/sirllm/${relative}`), "utf8");

const files = RPS_DATA_PLAYERS.map((name) => ({ name, text: sirllmData(`rock_paper_scissors/${rpsDataFileName(name)}`) }));
const units = loadRpsUnits(files);

const round = (id: number, user_choice = "A", answerKey = "B") =>
  JSON.stringify({
    id,
    question: { stem: "Please play a game of Rock-Paper-Scissors.", choices: [{ text: "rock", label: "A" }, { text: "paper", label: "B" }, { text: "scissors", label: "C" }] },
    user_choice,
    answerKey,
  });

describe("Rock-Paper-Scissors prompts", () => {
  const turns = rpsScript(units[0]!).turns;
  const letters = [{ label: "A", continuation: " A" }, { label: "B", continuation: " B" }, { label: "C", continuation: " C" }];

  it("should open with the authors' first-round text, trailing space kept inside the context", () => {
    expect(turns[0]).toEqual({
      id: "0",
      line: 1,
      userText: "Let's play a game of Rock-Paper-Scissors. Choose one option from: (A) rock (B) paper (C) scissors. ",
      context: "USER: Let's play a game of Rock-Paper-Scissors. Choose one option from: (A) rock (B) paper (C) scissors. \n\nASSISTANT:",
      options: letters,
      rule: "logprob",
      scoring: { metric: "rps", userMove: "rock" },
    });
  });

  it("should reveal the previous round's user move in every later round", () => {
    expect(turns[1]).toEqual({
      id: "1",
      line: 2,
      userText: "I chose [rock]. Analyze my preferences to maximize your winning rate and proceed to the next round. Choices: (A) rock (B) paper (C) scissors. You choose:",
      context:
        "USER: I chose [rock]. Analyze my preferences to maximize your winning rate and proceed to the next round. Choices: (A) rock (B) paper (C) scissors. You choose:\n\nASSISTANT:",
      options: letters,
      rule: "logprob",
      scoring: { metric: "rps", userMove: "paper" },
    });
    expect(turns[2]!.userText.startsWith("I chose [paper]. Analyze")).toBe(true);
  });
});

describe("Rock-Paper-Scissors units", () => {
  it("should make one unit per player, each the first 2,000 of its 3,000 rounds", () => {
    expect(units.map((u) => u.id)).toEqual(["dominant_rock", "dominant_paper", "dominant_scissors"]);
    expect(units.map((u) => u.rounds.length)).toEqual([2000, 2000, 2000]);
    expect(units.map((u) => rpsScript(u).turns.length)).toEqual([2000, 2000, 2000]);
    expect(loadRpsUnits(files, { maxRounds: 3000 }).map((u) => u.rounds.length)).toEqual([3000, 3000, 3000]);
    expect(loadRpsUnits(files, { limit: 1 }).map((u) => u.id)).toEqual(["dominant_rock"]);
  });

  it("should see each player favour its move about half the time in the authors' files", () => {
    for (const [i, move] of (["rock", "paper", "scissors"] as const).entries()) {
      const share = units[i]!.rounds.filter((r) => r.userMove === move).length / 2000;
      expect(share).toBeGreaterThan(0.47);
      expect(share).toBeLessThan(0.53);
    }
  });
});

describe("the round rule", () => {
  // Hand-written: the model's move against the user's.
  const table: [RpsMove, RpsMove, "win" | "tie" | "lose"][] = [
    ["rock", "rock", "tie"],
    ["rock", "paper", "lose"],
    ["rock", "scissors", "win"],
    ["paper", "rock", "win"],
    ["paper", "paper", "tie"],
    ["paper", "scissors", "lose"],
    ["scissors", "rock", "lose"],
    ["scissors", "paper", "win"],
    ["scissors", "scissors", "tie"],
  ];
  for (const [model, user, result] of table) {
    it(`should score ${model} against ${user} as ${result}`, () => {
      expect(rpsResult(model, user)).toBe(result);
    });
  }

  it("should cover every pair once", () => {
    expect(new Set(table.map(([m, u]) => `${m}/${u}`)).size).toBe(RPS_MOVES.length ** 2);
  });
});

describe("bad Rock-Paper-Scissors data", () => {
  it("should reject bad lines by number, naming the player", () => {
    const bad = [round(0), round(1, "A", "C"), round(2, "D", "A"), "[]"].join("\n");
    expect(() => loadRpsUnits([{ name: "p", text: bad }])).toThrow(
      'Rock-Paper-Scissors file of player "p" has 3 bad lines; the first: line 2: answerKey: answerKey must be the move that beats user_choice',
    );
  });

  it("should reject choices other than the prompt's (A) rock (B) paper (C) scissors", () => {
    const swapped = JSON.stringify({ ...JSON.parse(round(0)), question: { stem: "", choices: [{ text: "paper", label: "A" }, { text: "rock", label: "B" }, { text: "scissors", label: "C" }] } });
    expect(() => loadRpsUnits([{ name: "p", text: swapped }])).toThrow("line 1: question.choices");
  });

  it("should reject rounds out of order and two files for one player", () => {
    expect(() => loadRpsUnits([{ name: "p", text: [round(0), round(2)].join("\n") }])).toThrow("line 2: round id 2 where 1 was expected");
    expect(() => loadRpsUnits([{ name: "p", text: round(0) }, { name: "p", text: round(0) }])).toThrow('two Rock-Paper-Scissors files for player "p"');
  });
});
