import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../infra/bundling.js";

const outdir = mkdtempSync(join(tmpdir(), "assay-cdk-cli-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("cdk synth (the real CLI)", () => {
  it("should keep the CLI from phoning home", () => {
    const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, "cdk.json"), "utf8"));
    expect(cdkJson.notices).toBe(false);
    expect(cdkJson.context["cli-telemetry"]).toBe(false);
    expect(cdkJson.app).toBe("npx tsx infra/app.ts");
  });

  it("should synthesise offline, bundling with the local esbuild, and exit 0", () => {
    const bin = join(REPO_ROOT, "node_modules", ".bin");
    const result = spawnSync(
      join(bin, "cdk"),
      ["synth", "--quiet", "--output", outdir],
      {
        cwd: REPO_ROOT,
        encoding: "utf8",
        timeout: 180_000,
        env: {
          ...process.env,
          // Node 22 (the `node` devDependency) for the CLI and for the app it spawns.
          PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
          // Any attempt to reach the network fails fast instead of hanging: synth must not need it.
          HTTPS_PROXY: "http://127.0.0.1:9",
          HTTP_PROXY: "http://127.0.0.1:9",
          AWS_EC2_METADATA_DISABLED: "true",
          // No docker engine here: if bundling fell back to Docker, synth would fail.
          DOCKER_HOST: "unix:///nonexistent/docker.sock",
        },
      },
    );
    expect(result.error).toBeUndefined();
    expect(result.status, result.stderr).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, "Assay.template.json"), "utf8"));
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types).toEqual(expect.arrayContaining(["AWS::Lambda::Url", "AWS::Lambda::EventSourceMapping", "AWS::S3::Bucket"]));
    const assets = readdirSync(outdir).filter((d) => d.startsWith("asset."));
    expect(assets).toHaveLength(4); // the API and the three workers (nuggets, mti, sirllm-eval)
    for (const a of assets) expect(existsSync(join(outdir, a, "index.mjs"))).toBe(true);
    // Synth bundles the functions with esbuild: well under a minute on an idle 2-core machine, over 60 s on a busy one.
  }, 200_000);
});
