/**
 * The task-specific part of an evaluation request: the paper's per-task memory defaults, the RPS players, and what
 * is refused.
 */
import { describe, expect, it } from "vitest";
import { SirllmEvalRequestSchema } from "../../../schemas/sirllm-eval.js";

describe("SirllmEvalRequestSchema", () => {
  it("should fill in the paper's settings per task", () => {
    expect(SirllmEvalRequestSchema.parse({ task: "dailydialog", policies: ["sirllm"] })).toEqual({
      task: "dailydialog",
      policies: ["sirllm"],
      cacheSize: 512,
      sinks: 4,
      decay: 0.7,
    });
    expect(SirllmEvalRequestSchema.parse({ task: "grocery", policies: ["sirllm", "streaming"], limit: 10 })).toEqual({
      task: "grocery",
      policies: ["sirllm", "streaming"],
      limit: 10,
      cacheSize: 1024,
      sinks: 4,
      decay: 1,
    });
    expect(SirllmEvalRequestSchema.parse({ task: "rps", policies: ["full"] })).toEqual({
      task: "rps",
      policies: ["full"],
      cacheSize: 1024,
      sinks: 4,
      decay: 0.9,
      rps: { players: "data" },
    });
  });

  it("should take generated RPS players, 2,000 rounds unless told", () => {
    const parsed = SirllmEvalRequestSchema.parse({ task: "rps", policies: ["sirllm"], decay: 0.5, rps: { players: { generate: { count: 6, seed: 11 } } } });
    expect(parsed).toMatchObject({ decay: 0.5, rps: { players: { generate: { count: 6, seed: 11, rounds: 2000 } } } });
  });

  it("should refuse what cannot run", () => {
    const bad = (input: unknown) => SirllmEvalRequestSchema.safeParse(input).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(bad({ task: "rps", policies: [] })).toEqual(["policies: name at least one memory policy"]);
    expect(bad({ task: "rps", policies: ["sirllm", "sirllm"] })).toEqual(["policies: memory policies must be distinct"]);
    expect(bad({ task: "rps", policies: ["h2o"] })![0]).toMatch(/^policies\.0: expected one of: sirllm, streaming, random, interval, full/);
    expect(bad({ task: "grocery", policies: ["sirllm"], rps: { players: "data" } })).toEqual(['rps: rps applies only to task "rps"']);
    expect(bad({ task: "dailydialog", policies: ["sirllm"], cacheSize: 4 })).toEqual(["sinks: sinks must be smaller than cacheSize (sinks always stay, so a cache of only sinks has no room for a turn)"]);
    expect(bad({ task: "dailydialog", policies: ["sirllm"], limit: 0 })).toEqual(["limit: limit must be at least 1"]);
    expect(bad({ task: "rps", policies: ["sirllm"], rps: { players: { generate: { count: 1, seed: -1 } } } })).toEqual(["rps.players.generate.seed: seed must be ≥ 0"]);
    expect(bad({ task: "chess", policies: ["sirllm"] })).toHaveLength(1);
  });
});
