import { describe, expect, it } from "vitest";
import { chatCli } from "../helpers/sirllm-chat-cli.js";

const chat = chatCli;

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
