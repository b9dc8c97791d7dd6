import { firstJobCommands } from "./first-job.js";
import { watchLaunchers } from "./launcher-watch.js";
import { startLocalStack, LOCAL_ENGINE, LOCAL_TENANT, type LocalStackOptions } from "./stack.js";

/** `assay dev` / `npm start`: run the local stack in the foreground until interrupted. */
export async function runLocalStack(opts: LocalStackOptions): Promise<void> {
  const started = Date.now();
  const stack = await startLocalStack({ ...opts, ...(process.env.ASSAY_DEV_API_KEY ? { apiKey: process.env.ASSAY_DEV_API_KEY } : {}) });
  const out = process.stdout;
  const contextSize = stack.engines.describe(LOCAL_ENGINE).contextSize ?? 512;
  out.write(
    [
      `assay local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      `  API        ${stack.apiUrl}   (OpenAPI: ${stack.apiUrl}/openapi.json, docs: ${stack.apiUrl}/docs)`,
      `  S3 + SQS   ${stack.aws.endpoint}   (fauxqs, bucket ${stack.aws.bucket})`,
      `  engine     "${LOCAL_ENGINE}" = embedded llama.cpp on ${stack.modelPath}`,
      `  workers    ${stack.workers} thread${stack.workers === 1 ? "" : "s"}, each with its own engine, fed by the job queues (${stack.queues.join(", ")}; DLQ after 5 receives)`,
      `  API key    ${stack.apiKey}   (tenant "${LOCAL_TENANT}")`,
      `  callbacks  signed with ${stack.callbackSecret}`,
      ``,
      `Try:`,
      `  curl -s ${stack.apiUrl}/v1/engines -H "Authorization: Bearer ${stack.apiKey}"`,
      ``,
      `A first NUGGETS job (40 Alpaca examples × 8 of the authors' anchors; anchors capped at a quarter of the`,
      `model's ${contextSize}-token context so candidates fit beside them), from the repository folder in another terminal:`,
      ...firstJobCommands({ apiUrl: stack.apiUrl, apiKey: stack.apiKey, engine: LOCAL_ENGINE, contextSize }).map((c) => `  ${c}`),
      ``,
    ].join("\n"),
  );
  const reason = await new Promise<string>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => resolve(signal));
    // `npm start` killed with SIGTERM does not pass it on: stop when the launcher has gone.
    watchLaunchers((pid) => resolve(`its launcher (pid ${pid}) exited`));
  });
  out.write(`stopping (${reason})…\n`);
  // A second signal while stopping means now.
  process.once("SIGINT", () => process.exit(130));
  process.once("SIGTERM", () => process.exit(143));
  await stack.stop();
  out.write("stopped\n");
  process.exit(0);
}
