import { PassThrough, Readable } from "node:stream";
import { runSirllmChat } from "../../shared/cli/sirllm-chat-command.js";

/** Runs `assay sirllm chat` on `lines` as stdin; resolves with what it printed on stdout and stderr. */
export async function chatCli(opts: Parameters<typeof runSirllmChat>[0], lines: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = "";
  let stderr = "";
  out.on("data", (d) => (stdout += d));
  err.on("data", (d) => (stderr += d));
  await runSirllmChat(opts, Readable.from(lines.map((l) => `${l}\n`)), out, err, env);
  return { stdout, stderr };
}
