import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../shared/config/shared-files.js";
import { json } from "../helpers/http.js";
import { waitForOutput } from "../helpers/process.js";

const KEY = "assay_test-local-stack-key-0123456789";

/** Runs `npm start` as a user would and waits (at most 30 s) for it to say where the API listens. */
async function startNpm(): Promise<{ child: ChildProcess; apiUrl: string }> {
  const child = spawn("npm", ["start", "--", "--port", "0", "--ephemeral"], {
    cwd: repoRoot,
    env: { ...process.env, ASSAY_DEV_API_KEY: KEY },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  return { child, apiUrl: await waitForOutput(child, /API\s+(http:\/\/127\.0\.0\.1:\d+)/, "npm start") };
}

describe("npm start (the local stack)", () => {
  let child: ChildProcess | undefined;
  let apiUrl: string;

  beforeAll(async () => {
    ({ child, apiUrl } = await startNpm());
  }, 40_000);

  afterAll(() => {
    // npm runs node in a child; signal the whole process group.
    if (child?.pid) process.kill(-child.pid, "SIGTERM");
  });

  it("should serve /health on loopback", async () => {
    const res = await fetch(`${apiUrl}/health`);
    expect(res.status).toBe(200);
  });

  it("should list the embedded engine on /v1/engines", async () => {
    const res = await fetch(`${apiUrl}/v1/engines`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(200);
    const { engines } = await json(res);
    expect(engines).toContainEqual(expect.objectContaining({ name: "local", kind: "embedded" }));
  });

  it("should score text with the embedded engine through the API", async () => {
    const res = await fetch(`${apiUrl}/v1/score`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ engine: "local", text: "Once upon a time there was a little girl." }),
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.tokens[0]).toBe(1);
    expect(body.logprobs.slice(1).every((l: number) => l < 0 && Number.isFinite(l))).toBe(true);
  });
});
