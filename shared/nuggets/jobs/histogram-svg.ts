/** The golden-score histogram as a small self-contained SVG (pure: summary in, string out). */
import type { NuggetsJobSummary } from "../../../schemas/nuggets-jobs.js";

const W = 480;
const H = 240;
const PAD = { left: 44, right: 12, top: 24, bottom: 36 };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * @example
 * res.type("image/svg+xml").send(histogramSvg(summary));
 */
export function histogramSvg(summary: Pick<NuggetsJobSummary, "scored" | "model" | "preset"> & { histogram: NonNullable<NuggetsJobSummary["histogram"]> }): string {
  const counts = summary.histogram.counts;
  const bins = counts.length;
  const max = Math.max(1, ...counts);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const barW = plotW / bins;
  const bars = counts
    .map((c, i) => {
      const h = (c / max) * plotH;
      const x = PAD.left + i * barW;
      const lo = (i / bins).toFixed(2);
      const hi = ((i + 1) / bins).toFixed(2);
      return (
        `<rect x="${x.toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${(barW - 1).toFixed(1)}" ` +
        `height="${h.toFixed(1)}" fill="#3b6fb6"><title>GS ${lo}–${hi}: ${c}</title></rect>`
      );
    })
    .join("");
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => {
      const x = PAD.left + t * plotW;
      return `<text x="${x.toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${t}</text>`;
    })
    .join("");
  const title = esc(`Golden scores — ${summary.scored} candidates, ${summary.model}, preset ${summary.preset.name}`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
    `font-family="sans-serif" font-size="11" role="img" aria-label="${title}">` +
    `<title>${title}</title>` +
    `<text x="${PAD.left}" y="14">${title}</text>` +
    `<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${W - PAD.right}" y2="${PAD.top + plotH}" stroke="#333"/>` +
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + plotH}" stroke="#333"/>` +
    `<text x="${PAD.left - 4}" y="${PAD.top + 4}" text-anchor="end">${max}</text>` +
    `<text x="${PAD.left - 4}" y="${PAD.top + plotH}" text-anchor="end">0</text>` +
    bars +
    ticks +
    `<text x="${PAD.left + plotW / 2}" y="${H - 6}" text-anchor="middle">golden score</text>` +
    `</svg>`
  );
}
