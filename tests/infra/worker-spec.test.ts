import { describe, expect, it } from "vitest";
import { forbiddenImports } from "../../infra/bundling.js";
import {
  DEFAULT_WORKERS,
  pascalCase,
  queueUrlEnvName,
  queueVisibilitySeconds,
  type WorkerSpec,
  workerSpecProblems,
} from "../../infra/worker-spec.js";

const base: WorkerSpec = {
  name: "mti",
  entry: "functions/mti-worker.ts",
  timeoutSeconds: 120,
  memoryMb: 512,
  batchSize: 5,
  maxReceiveCount: 3,
  maxConcurrency: 10,
};

describe("queueVisibilitySeconds", () => {
  it("should be six times the timeout plus the batching window", () => {
    expect(queueVisibilitySeconds({ timeoutSeconds: 900 })).toBe(5400);
    expect(queueVisibilitySeconds({ timeoutSeconds: 120, maxBatchingWindowSeconds: 20 })).toBe(740);
  });
});

describe("queueUrlEnvName / pascalCase", () => {
  it("should derive env and construct names from a worker name", () => {
    expect(queueUrlEnvName("nuggets")).toBe("NUGGETS_QUEUE_URL");
    expect(queueUrlEnvName("sir-llm")).toBe("SIR_LLM_QUEUE_URL");
    expect(pascalCase("sir-llm")).toBe("SirLlm");
  });
});

describe("workerSpecProblems", () => {
  it("should accept the default workers", () => {
    expect(workerSpecProblems(DEFAULT_WORKERS)).toEqual([]);
  });

  it("should give the nuggets worker the Lambda maximum timeout and its own queue to re-enqueue onto", () => {
    const nuggets = DEFAULT_WORKERS.find((w) => w.name === "nuggets");
    expect(nuggets?.timeoutSeconds).toBe(900);
    expect(nuggets?.enqueuesTo).toEqual(["nuggets"]);
  });

  it("should reject a timeout past 15 minutes, a batch over 10 and a too-small event source concurrency", () => {
    const problems = workerSpecProblems([{ ...base, timeoutSeconds: 901, batchSize: 11, maxConcurrency: 1 }]);
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toMatch(/timeoutSeconds/);
    expect(problems.join("\n")).toMatch(/batchSize/);
    expect(problems.join("\n")).toMatch(/maxConcurrency/);
  });

  it("should reject maxConcurrency above the reserved concurrency", () => {
    expect(workerSpecProblems([{ ...base, reservedConcurrency: 5, maxConcurrency: 10 }])).toEqual([
      "worker 'mti': maxConcurrency (10) exceeds reservedConcurrency (5)",
    ]);
  });

  it("should reject duplicate names, bad names and unknown enqueue targets", () => {
    const problems = workerSpecProblems([base, { ...base, enqueuesTo: ["nope"] }, { ...base, name: "Bad_Name" }]);
    expect(problems).toEqual([
      "worker 'mti': declared twice",
      "worker 'Bad_Name': name must be lowercase letters, digits or '-'",
      "worker 'mti': enqueuesTo names unknown worker 'nope'",
    ]);
  });
});

describe("forbiddenImports", () => {
  it("should find static, dynamic, side-effect and require imports of local-only packages", () => {
    expect(forbiddenImports('import{getLlama as a}from"node-llama-cpp";')).toEqual(["node-llama-cpp"]);
    expect(forbiddenImports('const m=await import("fauxqs")')).toEqual(["fauxqs"]);
    expect(forbiddenImports('import"@node-llama-cpp/linux-x64";')).toEqual(["@node-llama-cpp/linux-x64"]);
    expect(forbiddenImports("var x=require('node-llama-cpp/dist/x.js')")).toEqual(["node-llama-cpp"]);
  });

  it("should not flag a mere mention of the name", () => {
    expect(forbiddenImports('const help="install node-llama-cpp locally";import{Hono}from"hono";')).toEqual([]);
  });
});
