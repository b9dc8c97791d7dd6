import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalStack } from "../../shared/dev/stack.js";
import { json } from "../helpers/http.js";

describe("the local stack with a data folder", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "assay-stack-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("should keep its datasets and its dev key across a restart", async () => {
    const first = await startLocalStack({ port: 0, dataDir });
    let id: string;
    try {
      const res = await fetch(`${first.apiUrl}/v1/datasets`, {
        method: "POST",
        headers: { authorization: `Bearer ${first.apiKey}`, "content-type": "application/x-ndjson" },
        body: `{"instruction":"Say hi.","output":"hi"}\n`,
      });
      expect(res.status).toBe(201);
      id = (await json(res)).id;
    } finally {
      await first.stop();
    }

    const second = await startLocalStack({ port: 0, dataDir });
    try {
      expect(second.apiKey).toBe(first.apiKey);
      expect(second.callbackSecret).toBe(first.callbackSecret);
      const res = await fetch(`${second.apiUrl}/v1/datasets/${id}/records`, { headers: { authorization: `Bearer ${second.apiKey}` } });
      expect(res.status).toBe(200);
      expect(JSON.parse((await res.text()).trim())).toEqual({ instruction: "Say hi.", output: "hi" });
    } finally {
      await second.stop();
    }
  }, 60_000);
});
