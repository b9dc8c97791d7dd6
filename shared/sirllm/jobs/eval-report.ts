/**
 * Result lines in, the paper's tables out (one per task, every policy side by side), as JSON and as Markdown. The job's
 * aggregator and `assay sirllm eval` both build their report here, from the same lines, so their tables are equal.
 * State: the lines' outcomes (a few hundred bytes each; an RPS player's 2,000 rounds are 2,000 bytes).
 */
import type { SirllmUnitOutcome } from "../../../schemas/sirllm-eval.js";
import type { SirllmEvalReport, SirllmEvalSpec, SirllmEvalUnitLine, SirllmEvalWork } from "../../../schemas/sirllm-eval-jobs.js";
import { renderEvalTableMarkdown } from "../eval/eval-table-markdown.js";
import { buildEvalTable } from "../eval/eval-table.js";

const TASK_TITLES = { dailydialog: "DailyDialog", grocery: "Grocery Shopping", rps: "Rock-Paper-Scissors" } as const;

/**
 * Collects lines and builds the report.
 *
 * @example
 * const acc = new SirllmEvalAccumulator(spec);
 * for (const line of lines) acc.add(line);
 * acc.report(); // { version: 1, engine, policies, entropy, memoryLevel, seed, evaluations: [{ task, …, table }], work }
 */
export class SirllmEvalAccumulator {
  private readonly outcomes: SirllmUnitOutcome[][];
  private readonly byTask: Map<string, number>;
  private readonly work: { -readonly [K in keyof SirllmEvalWork]: number } = { turns: 0, tokens: 0, evictions: 0, evictedTokens: 0 };
  /** Lines whose result is `failed`. */
  failedUnits = 0;

  constructor(private readonly spec: SirllmEvalSpec) {
    this.outcomes = spec.evaluations.map(() => []);
    this.byTask = new Map(spec.evaluations.map((e, i) => [e.task, i]));
  }

  add(line: SirllmEvalUnitLine): void {
    const at = this.byTask.get(line.task);
    if (at === undefined) throw new Error(`a line for task ${line.task}, which the evaluation does not have`);
    const { version, task, unit, policy, result } = line;
    this.outcomes[at]!.push({ version, task, unit, policy, result } as SirllmUnitOutcome);
    if (result.status === "failed") this.failedUnits++;
    this.work.turns += line.work.turns;
    this.work.tokens += line.work.tokens;
    this.work.evictions += line.work.evictions;
    this.work.evictedTokens += line.work.evictedTokens;
  }

  report(): SirllmEvalReport {
    const { spec } = this;
    return {
      version: 1,
      engine: { name: spec.engine.name, model: spec.engine.model },
      policies: [...spec.policies],
      entropy: spec.entropy,
      memoryLevel: spec.memoryLevel,
      seed: spec.seed,
      evaluations: spec.evaluations.map((e, i) => ({
        ...e,
        table: buildEvalTable({ task: e.task, policies: spec.policies, windowSize: spec.rpsWindow }, this.outcomes[i]!),
      })),
      work: { ...this.work },
    };
  }
}

/**
 * The report as Markdown: what ran, then each task's table (policies as columns).
 *
 * @example
 * renderSirllmEvalMarkdown(report, "SirLLM evaluation `se_…`");
 */
export function renderSirllmEvalMarkdown(report: SirllmEvalReport, title = "SirLLM evaluation"): string {
  const lines = [
    `## ${title}`,
    "",
    `Engine \`${report.engine.name}\` (${report.engine.model}); entropy preset \`${report.entropy}\`; memory level \`${report.memoryLevel}\`; ` +
      `policies ${report.policies.map((p) => `\`${p}\``).join(", ")}${report.policies.includes("random") ? ` (seed ${report.seed})` : ""}.`,
    `Work: ${report.work.turns} turns, ${report.work.tokens} tokens into memory, ${report.work.evictions} eviction steps (${report.work.evictedTokens} tokens evicted).`,
    "",
  ];
  for (const e of report.evaluations) {
    const players =
      e.players === null
        ? ""
        : e.players === "data"
          ? "; the authors' players"
          : `; generated players (seed ${e.players.generate.seed}, ${e.players.generate.rounds} rounds each)`;
    lines.push(`### ${TASK_TITLES[e.task]}`, "", `${plural(e.units, "unit")}${e.limit === null ? "" : ` (limit ${e.limit})`}; cache ${e.cacheSize}, sinks ${e.sinks}, decay ${e.decay}${players}.`, "");
    lines.push(renderEvalTableMarkdown(e.table));
  }
  return lines.join("\n");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
