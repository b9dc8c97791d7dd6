import { startLocalStack, LOCAL_ENGINE, LOCAL_TENANT, type LocalStackOptions } from "./stack.js";

/** `assay dev` / `npm start`: run the local stack in the foreground until interrupted. */
export async function runLocalStack(opts: LocalStackOptions): Promise<void> {
  const started = Date.now();
  const stack = await startLocalStack({ ...opts, ...(process.env.ASSAY_DEV_API_KEY ? { apiKey: process.env.ASSAY_DEV_API_KEY } : {}) });
  const out = process.stdout;
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
      `  curl -s ${stack.apiUrl}/v1/score -H "Authorization: Bearer ${stack.apiKey}" -H 'content-type: application/json' \\`,
      `       -d '{"engine":"${LOCAL_ENGINE}","text":"Once upon a time there was a little girl."}'`,
      ``,
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    const shutdown = () => resolve();
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  });
  out.write("stopping…\n");
  await stack.stop();
}
