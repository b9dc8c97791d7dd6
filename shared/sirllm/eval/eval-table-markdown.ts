/**
 * A table as Markdown, policies side by side as columns (the paper's comparison), rates as percentages with the
 * counts behind them so a reader can tell 1/2 from 1000/2000.
 */
import type { AccuracyCell, RpsCounts, SirllmEvalTable } from "../../../schemas/sirllm-eval.js";

/**
 * The Markdown rendering.
 *
 * @example
 * renderEvalTableMarkdown(dailyDialogTable(["sirllm"], outcomes));
 * // "| DailyDialog | sirllm |\n|---|---|\n| accuracy | 41.20% (824/2000) |\n| units (failed) | 519 (0) |\n"
 */
export function renderEvalTableMarkdown(table: SirllmEvalTable): string {
  const header = (title: string) => [`| ${title} | ${table.rows.map((r) => r.policy).join(" | ")} |`, `|---|${table.rows.map(() => "---|").join("")}`];
  const units = `| units (failed) | ${table.rows.map((r) => `${r.units} (${r.failedUnits})`).join(" | ")} |`;
  switch (table.task) {
    case "dailydialog":
      return lines([...header("DailyDialog"), `| accuracy | ${table.rows.map((r) => accuracy(r.accuracy)).join(" | ")} |`, units]);
    case "grocery":
      return lines([
        ...header("Grocery Shopping"),
        `| recall accuracy | ${table.rows.map((r) => accuracy(r.recall)).join(" | ")} |`,
        `| CommonsenseQA accuracy | ${table.rows.map((r) => accuracy(r.csqa)).join(" | ")} |`,
        units,
      ]);
    case "rps": {
      const overall = [
        ...header("Rock-Paper-Scissors"),
        ...(["win", "tie", "lose"] as const).map((k) => `| ${k} rate | ${table.rows.map((r) => rate(r.overall, k)).join(" | ")} |`),
        units,
      ];
      const windowCount = Math.max(0, ...table.rows.map((r) => r.windows.length));
      const windows = [...header(`rounds (per ${table.windowSize}): win / tie / lose`)];
      for (let w = 0; w < windowCount; w++) {
        const any = table.rows.map((r) => r.windows[w]).find((x) => x !== undefined)!;
        const to = Math.max(...table.rows.map((r) => r.windows[w]?.to ?? 0));
        const cells = table.rows.map((r) => {
          const x = r.windows[w];
          return x === undefined || x.rounds === 0 ? "—" : `${pct(x.winRate)} / ${pct(x.tieRate)} / ${pct(x.loseRate)}`;
        });
        windows.push(`| ${any.from}–${to} | ${cells.join(" | ")} |`);
      }
      return lines(overall) + "\n" + lines(windows);
    }
  }
}

function accuracy(c: AccuracyCell): string {
  return c.accuracy === null ? "—" : `${pct(c.accuracy)} (${c.correct}/${c.total})`;
}

function rate(c: RpsCounts, k: "win" | "tie" | "lose"): string {
  const r = k === "win" ? c.winRate : k === "tie" ? c.tieRate : c.loseRate;
  return r === null ? "—" : `${pct(r)} (${c[k]}/${c.rounds})`;
}

function pct(x: number | null): string {
  return x === null ? "—" : `${(x * 100).toFixed(2)}%`;
}

function lines(rows: readonly string[]): string {
  return rows.map((r) => r + "\n").join("");
}
