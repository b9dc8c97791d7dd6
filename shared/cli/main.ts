import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { AssayError } from "../errors.js";
import { ApiCallError, ApiUnreachableError } from "./api-client.js";
import { registerDatasetCommands } from "./datasets-commands.js";
import { registerMtiCommands } from "./mti-commands.js";
import { registerNuggetsJobCommands } from "./nuggets-jobs-commands.js";
import { registerNuggetsScoreCommand } from "./nuggets-score.js";
import { registerSirllmCommands } from "./sirllm-commands.js";

/** Parses a TCP port option (0 = any free port). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError("a port is an integer 0-65535");
  return port;
}

/** Parses `--context-size`: tokens, 16 to 1,048,576. */
export function parseContextSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 16 || n > 1_048_576) throw new InvalidArgumentError("context size is an integer 16-1048576 (tokens)");
  return n;
}

/** Parses `--workers`: a positive integer. */
export function parseWorkers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError("workers is an integer 1-256");
  return n;
}

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

const program = new Command()
  .name("assay")
  .description("Evaluation API and tools: NUGGETS data selection, SirLLM memory, MTI-Bench sweeps")
  .version(`${version} (node ${process.version})`, "-V, --version", "print assay's version and the Node it runs on")
  .showHelpAfterError();

program
  .command("dev")
  .description("run the local stack: S3+SQS emulator, API, workers and the embedded engine, on 127.0.0.1")
  .option("--port <port>", "API port", parsePort, 8787)
  .option("--model <file>", "GGUF model for the embedded engine (default: $ASSAY_MODEL, ./models/, ../shared/models/stories260K.gguf)")
  .option("--data-dir <dir>", "persist the emulator's S3/SQS state here (default .assay/local)", ".assay/local")
  .option("--ephemeral", "keep no state between runs")
  .option("--workers <n>", "worker threads, each with its own embedded engine (default: cores - 1, at least 1)", parseWorkers)
  .option("--context-size <n>", "the embedded engine's context in tokens (default: the model's, at most 512; MTI-Bench needs ~8192)", parseContextSize)
  .option("--log-level <level>", "debug (adds metrics), info (requests and job events), warn or error", "info")
  .action(async (opts: { port: number; model?: string; dataDir: string; ephemeral?: boolean; workers?: number; contextSize?: number; logLevel: string }) => {
    const { runLocalStack } = await import("../dev/dev-command.js");
    const { parseLogLevel } = await import("../observability/log.js");
    await runLocalStack({
      port: opts.port,
      logLevel: parseLogLevel(opts.logLevel),
      ...(opts.model ? { modelPath: opts.model } : {}),
      ...(opts.ephemeral ? {} : { dataDir: opts.dataDir }),
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      ...(opts.contextSize !== undefined ? { contextSize: opts.contextSize } : {}),
    });
  });

const engine = program.command("engine").description("inference engines");
engine
  .command("serve")
  .description("serve a GGUF model over an OpenAI/vLLM-compatible HTTP API (/v1/completions, /tokenize, ...)")
  .requiredOption("--model <file>", "GGUF model file")
  .option("--port <port>", "port", parsePort, 8000)
  .option("--host <host>", "address to bind", "127.0.0.1")
  .action(async (opts: { model: string; port: number; host: string }) => {
    const { serveEmbeddedModel } = await import("../engines/openai-server/serve-command.js");
    const server = await serveEmbeddedModel({ modelPath: opts.model, port: opts.port, host: opts.host });
    process.stderr.write(`serving ${opts.model} at ${server.url} (try: curl ${server.url}/v1/models)\n`);
    const stop = () => void server.close().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });

const keys = program.command("keys").description("API keys");
keys
  .command("create")
  .description("make a new API key for a tenant; prints the key once and the record to add to ASSAY_API_KEYS")
  .requiredOption("--tenant <id>", "tenant id (its data lives under t/<id>/)")
  .option("--read-only", "the key may only read")
  .action(async (opts: { tenant: string; readOnly?: boolean }) => {
    const { generateApiKey } = await import("../auth/api-keys.js");
    const { key, record } = generateApiKey(opts.tenant, opts.readOnly ? ["read"] : ["read", "write"]);
    process.stdout.write(`${JSON.stringify({ key, record }, null, 2)}\n`);
  });

registerDatasetCommands(program);

const nuggets = program.command("nuggets").description("NUGGETS: golden scores of instruction examples");
registerNuggetsScoreCommand(nuggets);
registerNuggetsJobCommands(nuggets);
registerSirllmCommands(program);
registerMtiCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof AssayError) {
    process.stderr.write(`assay: ${error.message}\n`);
    process.exit(error.status >= 500 ? 1 : 2);
  }
  if (error instanceof ApiUnreachableError) {
    process.stderr.write(`assay: ${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof ApiCallError) {
    const details = error.details ? `\n${JSON.stringify(error.details, null, 2)}` : "";
    process.stderr.write(`assay: the API answered ${error.message}${details}\n`);
    process.exit(error.status >= 500 ? 1 : 2);
  }
  throw error;
}
