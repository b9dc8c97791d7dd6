/**
 * Seeded RPS players: reproducible, seed-dependent, shaped like the authors' lines, and drawing the favourite move,
 * the move that beats it and the remaining move with probabilities 0.5 / 0.3 / 0.2.
 */
import { describe, expect, it } from "vitest";
import { RpsRecordSchema } from "../../../schemas/sirllm-eval.js";
import { formatRpsJsonl, loadRpsUnits } from "../../../shared/sirllm/eval/rps-data.js";
import { beatingMove, rpsMoveOf, rpsResult, type RpsMove } from "../../../shared/sirllm/eval/rps-moves.js";
import { drawMove, generateRpsPlayers, generatedRpsUnits } from "../../../shared/sirllm/eval/rps-players.js";
import { rpsScript } from "../../../shared/sirllm/eval/rps-script.js";

describe("generated RPS players", () => {
  it("should be reproducible for a seed and differ for another seed", () => {
    const a = generateRpsPlayers({ count: 3, seed: 42, rounds: 500 });
    expect(generateRpsPlayers({ count: 3, seed: 42, rounds: 500 })).toEqual(a);
    const b = generateRpsPlayers({ count: 3, seed: 43, rounds: 500 });
    for (let i = 0; i < 3; i++) expect(b[i]!.records).not.toEqual(a[i]!.records);
  });

  it("should favour rock, paper, scissors in turn and name players by seed, number and favourite", () => {
    const players = generateRpsPlayers({ count: 4, seed: 7, rounds: 5 });
    expect(players.map((p) => p.name)).toEqual([
      "seed7_player0_dominant_rock",
      "seed7_player1_dominant_paper",
      "seed7_player2_dominant_scissors",
      "seed7_player3_dominant_rock",
    ]);
    // Same favourite, own stream.
    expect(players[3]!.records).not.toEqual(players[0]!.records);
  });

  it("should not change a player when the count or the number of rounds changes", () => {
    const short = generateRpsPlayers({ count: 2, seed: 9, rounds: 100 });
    const long = generateRpsPlayers({ count: 5, seed: 9, rounds: 300 });
    expect(long[1]!.records.slice(0, 100)).toEqual(short[1]!.records);
  });

  it("should write lines the authors' files would hold, which load as the same player", () => {
    const [player] = generateRpsPlayers({ count: 1, seed: 1, rounds: 50 });
    for (const record of player!.records) expect(RpsRecordSchema.parse(record)).toEqual(record);
    expect(player!.records[0]).toMatchObject({ id: 0, question: { stem: "Please play a game of Rock-Paper-Scissors." } });
    const [fromFile] = loadRpsUnits([{ name: player!.name, text: formatRpsJsonl(player!.records) }]);
    const [direct] = generatedRpsUnits([player!]);
    expect(fromFile!.rounds.map((r) => r.userMove)).toEqual(direct!.rounds.map((r) => r.userMove));
    expect(direct!.rounds.every((r) => r.line === null)).toBe(true);
    expect(rpsScript(direct!).turns).toHaveLength(50);
  });

  it("should draw 0.5 / 0.3 / 0.2 over 20,000 rounds, within ±0.015 (over 4 standard errors of a share at 20,000 draws)", () => {
    for (const [i, favourite] of (["rock", "paper", "scissors"] as const).entries()) {
      const player = generateRpsPlayers({ count: 3, seed: 2024, rounds: 20_000 })[i]!;
      const moves = player.records.map((r) => rpsMoveOf(r.user_choice));
      const share = (m: RpsMove) => moves.filter((x) => x === m).length / moves.length;
      const beats = beatingMove(favourite);
      expect(Math.abs(share(favourite) - 0.5)).toBeLessThan(0.015);
      expect(Math.abs(share(beats) - 0.3)).toBeLessThan(0.015);
      expect(Math.abs(share(beatingMove(beats)) - 0.2)).toBeLessThan(0.015);
      // Always countering the favourite wins ≈ 0.50 and ties ≈ 0.30.
      const counter = beatingMove(favourite);
      const wins = moves.filter((m) => rpsResult(counter, m) === "win").length / moves.length;
      expect(Math.abs(wins - 0.5)).toBeLessThan(0.015);
    }
  });

  it("should map the uniform draw to moves at the 0.5 and 0.8 boundaries", () => {
    expect([0, 0.4999, 0.5, 0.7999, 0.8, 0.9999].map((u) => drawMove("rock", u))).toEqual(["rock", "rock", "paper", "paper", "scissors", "scissors"]);
  });

  it("should refuse a count or rounds below 1", () => {
    expect(() => generateRpsPlayers({ count: 0, seed: 1, rounds: 5 })).toThrow("count must be a positive integer");
    expect(() => generateRpsPlayers({ count: 1, seed: 1, rounds: 0 })).toThrow("rounds must be a positive integer");
  });
});
