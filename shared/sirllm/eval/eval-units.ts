/**
 * An evaluation request resolved to its units' scripts: the authors' data files (`data/sirllm/` in the shared folder,
 * or `$ASSAY_SIRLLM_DATA_DIR`) read with the existing loaders and cut by the paper's caps and the request's `limit`,
 * or RPS players generated from a seed. The job and `assay sirllm eval` both resolve units here, so they walk the
 * same scripts.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SirllmEvalRequest } from "../../../schemas/sirllm-eval.js";
import { sharedDir } from "../../config/shared-files.js";
import { ConfigurationError } from "../../errors.js";
import { loadDailyDialogUnits } from "./dailydialog-data.js";
import { dailyDialogScript } from "./dailydialog-script.js";
import { loadGroceryUnits } from "./grocery-data.js";
import { groceryScript } from "./grocery-script.js";
import { firstUnits } from "./paper-caps.js";
import { loadRpsUnits, RPS_DATA_PLAYERS, rpsDataFileName } from "./rps-data.js";
import { generateRpsPlayers, generatedRpsUnits } from "./rps-players.js";
import { rpsScript } from "./rps-script.js";
import type { UnitScript } from "./script-turn.js";

/** The authors' files, relative to the data folder. */
export const SIRLLM_DATA_FILES = {
  dailydialog: "dailydialog/dailydialog.jsonl",
  grocery: "grocery_keys/keys.jsonl",
  rps: (player: (typeof RPS_DATA_PLAYERS)[number]) => `rock_paper_scissors/${rpsDataFileName(player)}`,
} as const;

/**
 * The folder of the authors' data: `$ASSAY_SIRLLM_DATA_DIR`, else `data/sirllm` in the shared folder.
 *
 * @example
 * sirllmDataDir(); // "/work/shared/data/sirllm"
 */
export function sirllmDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ASSAY_SIRLLM_DATA_DIR ?? join(sharedDir(), "data", "sirllm");
}

/** A data file's text; a ConfigurationError naming the file when it is not there (it is not bundled anywhere). */
function readDataFile(dir: string, relative: string): string {
  const path = join(dir, relative);
  if (!existsSync(path)) {
    throw new ConfigurationError(
      `the SirLLM data file ${path} is missing: place the authors' data/ folder (github.com/Zoeyyao27/SirLLM) at ${dir}, or set ASSAY_SIRLLM_DATA_DIR`,
      { file: relative },
    );
  }
  return readFileSync(path, "utf8");
}

/**
 * Where a task's records come from: the authors' files in a folder, or texts already in hand (records of uploaded
 * datasets written back as JSONL). Reading is synchronous; a job loads its datasets first (`preloadedSource`).
 */
export interface EvalDataSource {
  /** DailyDialog's or Grocery's JSONL. */
  text(task: "dailydialog" | "grocery"): string;
  /** The first `limit` RPS players' JSONL (all when undefined), named. */
  rpsPlayers(limit: number | undefined): { name: string; text: string }[];
  /** Where the data came from, recorded with the evaluation (`"files"` or `"dataset:<id>"`). */
  origin(task: "dailydialog" | "grocery" | "rps"): string;
}

/** The authors' files in `dir` (`$ASSAY_SIRLLM_DATA_DIR`, else the shared folder's `data/sirllm`). */
export function dataDirSource(dir: string = sirllmDataDir()): EvalDataSource {
  return {
    text: (task) => readDataFile(dir, SIRLLM_DATA_FILES[task]),
    rpsPlayers: (limit) => firstUnits(RPS_DATA_PLAYERS, limit).map((name) => ({ name, text: readDataFile(dir, SIRLLM_DATA_FILES.rps(name)) })),
    origin: () => "files",
  };
}

/** Texts in hand for some tasks (uploaded datasets); the others from `fallback`. */
export interface PreloadedTexts {
  readonly dailydialog?: { readonly datasetId: string; readonly text: string };
  readonly grocery?: { readonly datasetId: string; readonly text: string };
  /** One dataset per player, named by its dataset id. */
  readonly rps?: readonly { readonly datasetId: string; readonly text: string }[];
}

export function preloadedSource(texts: PreloadedTexts, fallback: EvalDataSource = dataDirSource()): EvalDataSource {
  return {
    text: (task) => texts[task]?.text ?? fallback.text(task),
    rpsPlayers: (limit) => (texts.rps ? firstUnits(texts.rps, limit).map((p) => ({ name: p.datasetId, text: p.text })) : fallback.rpsPlayers(limit)),
    origin: (task) => {
      if (task === "rps") return texts.rps ? `datasets:${texts.rps.map((p) => p.datasetId).join(",")}` : fallback.origin(task);
      const t = texts[task];
      return t ? `dataset:${t.datasetId}` : fallback.origin(task);
    },
  };
}

/**
 * The scripts of one task's units, in order. Only the data the request needs is read (a limited RPS run reads only
 * its players' files; generated players read none).
 *
 * @example
 * evalUnitScripts(SirllmEvalRequestSchema.parse({ task: "grocery", policies: ["sirllm"], limit: 2 })).map((s) => s.unit); // ["0", "1"]
 */
export function evalUnitScripts(request: SirllmEvalRequest, source: EvalDataSource = dataDirSource()): UnitScript[] {
  switch (request.task) {
    case "dailydialog":
      return loadDailyDialogUnits(source.text("dailydialog"), { ...(request.limit ? { limit: request.limit } : {}) }).map(dailyDialogScript);
    case "grocery":
      return loadGroceryUnits(source.text("grocery"), { ...(request.limit ? { limit: request.limit } : {}) }).map(groceryScript);
    case "rps": {
      const players = request.rps.players;
      if (players !== "data") {
        // Player i does not depend on how many are generated, so generating only those kept gives the same players.
        const count = Math.min(players.generate.count, request.limit ?? players.generate.count);
        return generatedRpsUnits(generateRpsPlayers({ ...players.generate, count })).map(rpsScript);
      }
      return loadRpsUnits(source.rpsPlayers(request.limit)).map(rpsScript);
    }
  }
}
