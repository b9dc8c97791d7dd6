/**
 * The engine bench's result record and its human table. Pure: samples and facts in, a JSON-ready object and text
 * out, so the format is unit-tested without running an engine.
 */
import type { BenchVariant, Comparison } from "./cases.js";
import type { BenchChecks } from "./checks.js";
import type { VariantSamples } from "./round-robin.js";
import { ratiosPerRound, summarize, type Summary } from "./stats.js";

/** Where and on what the bench ran. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly totalMemoryGiB: number;
  readonly platform: string;
  readonly arch: string;
  /** The bench process (client and direct engine). */
  readonly node: string;
  /** The spawned `assay engine serve` process. */
  readonly serverNode: string;
  readonly nodeLlamaCpp: string;
}

export interface EngineInfo {
  readonly model: string;
  readonly modelPath: string;
  readonly threads: number;
  readonly contextSize: number;
  readonly bosToken: number | null;
}

export interface VariantResult {
  readonly unit: string;
  readonly description: string;
  /** Tokens processed per round (the same every round, except generation that stops early). */
  readonly units: number[];
  readonly seconds: number[];
  /** Tokens per second, one per round. */
  readonly perRound: number[];
  readonly summary: Summary;
}

export interface ComparisonResult {
  readonly numerator: string;
  readonly denominator: string;
  readonly meaning: string;
  readonly perRound: number[];
  readonly summary: Summary;
}

export interface EngineBenchResult {
  readonly version: 1;
  readonly bench: "engine";
  readonly mode: "quick" | "full";
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: MachineInfo;
  readonly engine: EngineInfo;
  readonly workload: Record<string, unknown>;
  readonly checks: BenchChecks;
  readonly variants: Record<string, VariantResult>;
  readonly comparisons: Record<string, ComparisonResult>;
}

/** Per-variant figures and per-round ratios from the round-robin samples. */
export function summarizeRun(
  variants: readonly BenchVariant[],
  comparisons: readonly Comparison[],
  samples: ReadonlyMap<string, VariantSamples>,
): Pick<EngineBenchResult, "variants" | "comparisons"> {
  const get = (id: string) => {
    const s = samples.get(id);
    if (!s) throw new RangeError(`no samples for variant ${id}`);
    return s;
  };
  const variantResults: Record<string, VariantResult> = {};
  for (const v of variants) {
    const s = get(v.id);
    variantResults[v.id] = {
      unit: v.unit,
      description: v.description,
      units: s.units,
      seconds: s.seconds,
      perRound: s.rates,
      summary: summarize(s.rates),
    };
  }
  const comparisonResults: Record<string, ComparisonResult> = {};
  for (const c of comparisons) {
    const perRound = ratiosPerRound(get(c.numerator).rates, get(c.denominator).rates);
    comparisonResults[c.id] = { ...c, perRound, summary: summarize(perRound) };
  }
  return { variants: variantResults, comparisons: comparisonResults };
}

/** `engine-2025-01-31T12-00-00-000Z.json`: a file name from a timestamp, safe on every filesystem. */
export function resultFileName(at: Date): string {
  return `engine-${at.toISOString().replace(/[:.]/g, "-")}.json`;
}

/** The compact table printed at the end of a run. */
export function renderTable(result: Pick<EngineBenchResult, "variants" | "comparisons" | "engine" | "machine">): string {
  const rows: string[][] = [["variant", "unit", "median", "IQR/median", "min–max", "rounds"]];
  for (const [id, v] of Object.entries(result.variants)) {
    const s = v.summary;
    rows.push([id, v.unit, fmt(s.median), `${s.iqrPct.toFixed(1)}%`, `${fmt(s.min)}–${fmt(s.max)}`, String(s.n)]);
  }
  const ratioRows: string[][] = [["ratio (per round)", "median", "p25–p75", "min–max"]];
  for (const [id, c] of Object.entries(result.comparisons)) {
    const s = c.summary;
    ratioRows.push([id, s.median.toFixed(3), `${s.p25.toFixed(3)}–${s.p75.toFixed(3)}`, `${s.min.toFixed(3)}–${s.max.toFixed(3)}`]);
  }
  const { engine, machine } = result;
  const head =
    `engine bench: ${engine.model}, threads ${engine.threads}, context ${engine.contextSize}; ` +
    `${machine.cpus} CPUs, node ${machine.node} (server ${machine.serverNode})`;
  return [head, "", ...align(rows), "", ...align(ratioRows)].join("\n");
}

/** A rate for a table: whole numbers from 100 up, else three significant digits. */
export function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

/** Pads table rows into columns: the first left-aligned, the rest right-aligned. */
export function align(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
}
