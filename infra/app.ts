/**
 * The CDK app (`cdk.json` runs it with tsx on Node 22). The stack is environment-agnostic (no account/region, no
 * lookups), so `cdk synth` needs no credentials and no network.
 *
 * Context:
 * - `assay:functionsDir` — folder holding `api.ts` and each worker's entry file (default `functions`); the infra
 *   tests point it at tiny fixtures.
 * - `assay:alarmEmail` — subscribe this address to the DLQ alarms.
 */
import { basename, join } from "node:path";
import { App } from "aws-cdk-lib";
import { AssayStack, DEFAULT_API_ENTRY } from "./assay-stack.js";
import { DEFAULT_WORKERS } from "./worker-spec.js";

const app = new App();
const functionsDir = app.node.tryGetContext("assay:functionsDir") as string | undefined;
const alarmEmail = app.node.tryGetContext("assay:alarmEmail") as string | undefined;

const relocate = (entry: string): string => (functionsDir ? join(functionsDir, basename(entry)) : entry);

new AssayStack(app, "Assay", {
  description: "assay: serverless LLM evaluation API (NUGGETS, SirLLM, MTI-Bench)",
  apiEntry: relocate(DEFAULT_API_ENTRY),
  workers: DEFAULT_WORKERS.map((w) => ({ ...w, entry: relocate(w.entry) })),
  alarmEmail,
  analyticsReporting: false,
});

app.synth();
