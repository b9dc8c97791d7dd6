import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runBenchQuick } from "./run-bench.js";

// Runs `npm run bench:sirllm -- --quick` end to end (local stack + embedded engine on the test model) and checks the
// record's shape: every figure present and positive where it is a time or a size. Timings are never asserted against
// targets — the verdict is reported, not tested. In `npm run test:slow` (~10 s, but it starts a whole local stack).
let record: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const positive = (x: unknown) => typeof x === "number" && Number.isFinite(x) && x > 0;

beforeAll(async () => {
  const outDir = await mkdtemp(join(tmpdir(), "assay-sirllm-bench-"));
  await runBenchQuick("sirllm.bench.ts", outDir);
  record = JSON.parse(await readFile(join(outDir, "sirllm-latest.json"), "utf8"));
}, 180_000);

describe("npm run bench:sirllm -- --quick", () => {
  it("should report per-turn overhead beside engine time on the local stack", () => {
    const o = record.overhead;
    expect(o.turns).toBe(15);
    for (const k of ["wallMs", "engineMs", "overheadMs", "serverOverheadMs", "storeMs"]) {
      expect(positive(o[k].p50), k).toBe(true);
      expect(o[k].p95).toBeGreaterThanOrEqual(o[k].p50);
      expect(o[k].n).toBe(15);
    }
    expect(o.evictions).toBeGreaterThan(0);
  });

  it("should report stored bytes per kept token for the session and for large vocabularies", () => {
    expect(positive(record.bytes.session.bytesPerKeptToken)).toBe(true);
    expect(record.bytes.session.storedBytes / record.bytes.session.keptTokens).toBeCloseTo(record.bytes.session.bytesPerKeptToken, 2);
    expect(record.bytes.synthetic.map((s: { vocab: number }) => s.vocab)).toEqual([32000, 152064]);
    for (const s of record.bytes.synthetic) expect(s.keptTokens).toBe(1024);
  });

  it("should report kv against token latency and the entropy drift between the levels", () => {
    const l = record.levels;
    expect(positive(l.kvMs.p50)).toBe(true);
    expect(positive(l.tokenMs.p50)).toBe(true);
    expect(positive(l.kvSharedMs.p50)).toBe(true);
    expect(positive(l.kvBesideOtherWorkMs.p50)).toBe(true);
    expect(positive(l.tokenOverKvMedianRatio)).toBe(true);
    expect(l.entropyDrift.turnsBeforeEviction).toBeGreaterThan(0);
    expect(l.entropyDrift.turnsAfterEviction).toBeGreaterThan(0);
    expect(typeof record.verdict.overheadP50Met).toBe("boolean");
  });
});
