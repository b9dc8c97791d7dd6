import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runSirllmChat } from "../../shared/cli/sirllm-chat-command.js";

async function chat(opts: Parameters<typeof runSirllmChat>[0], lines: string[], env: NodeJS.ProcessEnv = {}) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = "";
  let stderr = "";
  out.on("data", (d) => (stdout += d));
  err.on("data", (d) => (stderr += d));
  await runSirllmChat(opts, Readable.from(lines.map((l) => `${l}\n`)), out, err, env);
  return { stdout, stderr };
}

describe("assay sirllm chat, in-process", () => {
  it("should answer each line, show memory on /memory and stop at /quit", async () => {
    const { stdout, stderr } = await chat({ engine: "local:", cacheSize: "120", maxTokens: "8", decay: "0.9" }, [
      "Tell me about the dog.",
      "",
      "What did Tim do?",
      "And then?",
      "/memory",
      "/quit",
      "never sent",
    ]);
    expect(stderr).toMatch(/^session ss_[0-9a-f]+ \(in-process/);
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/^turns 3 · memory \d+\/120 tokens · \d+ evicted in \d+ steps · entropy mean [\d.]+ \(sirllm, kv, paper\)$/);
  });

  it("should refuse bad flags before starting", async () => {
    await expect(chat({ engine: "local:", decay: "lots" }, [])).rejects.toThrow(/--decay must be a number/);
    await expect(chat({ engine: "local:", policy: "lru" }, [])).rejects.toThrow(/policy/);
    await expect(chat({ engine: "local:", session: "ss_x" }, [])).rejects.toThrow(/--session continues a session on the API/);
  });
});
