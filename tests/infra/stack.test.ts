import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forbiddenImports } from "../../infra/bundling.js";
import { WORKERS, type Synthesised, synthAssayStack } from "./synth.js";

/** CloudFormation JSON is untyped; `any` keeps the lookups below readable. */
type Resources = Record<string, { Properties: any }>;

/** The logical id a `{Ref}` or `{Fn::GetAtt: [id, …]}` points at. */
function target(ref: any): string {
  if (typeof ref?.Ref === "string") return ref.Ref;
  if (Array.isArray(ref?.["Fn::GetAtt"])) return ref["Fn::GetAtt"][0];
  throw new Error(`not a reference: ${JSON.stringify(ref)}`);
}

/** Every Allow statement of every inline IAM policy, with the logical id of the policy. */
function allowStatements(template: Template): { policy: string; actions: string[]; resources: any[] }[] {
  const out: { policy: string; actions: string[]; resources: any[] }[] = [];
  for (const [id, policy] of Object.entries(template.findResources("AWS::IAM::Policy") as Resources)) {
    for (const s of policy.Properties.PolicyDocument.Statement) {
      if (s.Effect !== "Allow") continue;
      out.push({ policy: id, actions: [s.Action].flat(), resources: [s.Resource].flat() });
    }
  }
  return out;
}

/** The logical ids of the inline policies attached to a function's role. */
function policiesOfFunction(template: Template, functionId: string): string[] {
  const fn = (template.findResources("AWS::Lambda::Function") as Resources)[functionId]!;
  const roleId = target(fn.Properties.Role);
  return Object.entries(template.findResources("AWS::IAM::Policy") as Resources)
    .filter(([, p]) => p.Properties.Roles.some((r: any) => target(r) === roleId))
    .map(([id]) => id);
}

let synth: Synthesised;
let template: Template;

beforeAll(() => {
  // One real synthesis (with esbuild bundling) shared by every test in this file.
  synth = synthAssayStack();
  template = synth.template;
});

afterAll(() => {
  if (synth) rmSync(synth.outdir, { recursive: true, force: true });
});

describe("data bucket", () => {
  it("should be encrypted and block all public access", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it("should deny every request that is not over TLS", () => {
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Action: "s3:*",
            Principal: { AWS: "*" },
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
        ]),
      },
    });
  });

  it("should expire temporary objects under tmp/ and abandoned multipart uploads", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: "tmp/", ExpirationInDays: 7, Status: "Enabled" }),
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } }),
        ]),
      },
    });
  });
});

describe("worker queues", () => {
  const mappings = () => Object.values(template.findResources("AWS::Lambda::EventSourceMapping") as Resources);
  const queues = () => template.findResources("AWS::SQS::Queue") as Resources;

  it("should have one event source mapping per worker, reporting partial batch failures with a max concurrency", () => {
    expect(mappings()).toHaveLength(WORKERS.length);
    for (const m of mappings()) {
      expect(m.Properties.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
      expect(m.Properties.ScalingConfig.MaximumConcurrency).toBeGreaterThanOrEqual(2);
    }
  });

  it("should redrive each work queue to its own encrypted 14-day DLQ after maxReceiveCount receives", () => {
    const dlqs = new Set<string>();
    for (const m of mappings()) {
      const queue = queues()[target(m.Properties.EventSourceArn)]!;
      const redrive = queue.Properties.RedrivePolicy;
      expect(redrive.maxReceiveCount).toBe(5);
      const dlqId = target(redrive.deadLetterTargetArn);
      expect(dlqs.has(dlqId)).toBe(false);
      dlqs.add(dlqId);
      const dlq = queues()[dlqId]!;
      expect(dlq.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
      expect(dlq.Properties.SqsManagedSseEnabled).toBe(true);
      expect(dlq.Properties.RedrivePolicy).toBeUndefined();
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    }
  });

  it("should give each work queue a visibility timeout of at least 6 × its function's timeout", () => {
    const functions = template.findResources("AWS::Lambda::Function") as Resources;
    for (const m of mappings()) {
      const fn = functions[target(m.Properties.FunctionName)]!;
      const queue = queues()[target(m.Properties.EventSourceArn)]!;
      const window = m.Properties.MaximumBatchingWindowInSeconds ?? 0;
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Properties.Timeout + window);
    }
  });

  it("should give the nuggets worker the 15-minute Lambda maximum and so a 90-minute visibility", () => {
    const [m] = mappings();
    const fn = (template.findResources("AWS::Lambda::Function") as Resources)[target(m!.Properties.FunctionName)]!;
    expect(fn.Properties.Timeout).toBe(900);
    expect(queues()[target(m!.Properties.EventSourceArn)]!.Properties.VisibilityTimeout).toBe(5400);
    expect(m!.Properties.BatchSize).toBe(1);
  });

  it("should alarm as soon as any DLQ holds a message", () => {
    const alarms = Object.values(template.findResources("AWS::CloudWatch::Alarm") as Resources);
    const dlqIds = Object.entries(queues())
      .filter(([id]) =>
        Object.values(queues()).some((q) => q.Properties.RedrivePolicy && target(q.Properties.RedrivePolicy.deadLetterTargetArn) === id),
      )
      .map(([id]) => id);
    expect(dlqIds.length).toBe(WORKERS.length);
    for (const dlqId of dlqIds) {
      const alarm = alarms.find((a) =>
        a.Properties.Dimensions?.some((d: any) => d.Name === "QueueName" && target(d.Value) === dlqId),
      );
      expect(alarm, `alarm on ${dlqId}`).toBeDefined();
      expect(alarm!.Properties).toMatchObject({
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        ComparisonOperator: "GreaterThanThreshold",
        Threshold: 0,
      });
      expect(alarm!.Properties.AlarmActions).toHaveLength(1);
    }
  });
});

/** The API function's logical id: the target of the one Function URL. */
function apiFunctionId(template: Template): string {
  const [url] = Object.values(template.findResources("AWS::Lambda::Url") as Resources);
  return target(url!.Properties.TargetFunctionArn);
}

describe("functions", () => {
  it("should run every function on Node 22, ARM64, with a bounded-retention log group", () => {
    const functions = Object.values(template.findResources("AWS::Lambda::Function") as Resources);
    expect(functions).toHaveLength(1 + WORKERS.length);
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toBe("nodejs22.x");
      expect(fn.Properties.Architectures).toEqual(["arm64"]);
      expect(fn.Properties.Handler).toBe("index.handler");
    }
    template.allResourcesProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
  });

  it("should put the API behind a streaming Function URL and output its URL", () => {
    template.hasResourceProperties("AWS::Lambda::Url", { InvokeMode: "RESPONSE_STREAM", AuthType: "NONE" });
    const [urlId] = Object.keys(template.findResources("AWS::Lambda::Url"));
    template.hasOutput("ApiUrl", { Value: { "Fn::GetAtt": [urlId, "FunctionUrl"] } });
  });

  it("should tell the API the bucket, every worker queue and where its keys live", () => {
    const env = (template.findResources("AWS::Lambda::Function") as Resources)[apiFunctionId(template)]!.Properties.Environment.Variables;
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining(["BUCKET_NAME", "NUGGETS_QUEUE_URL", "ASSAY_API_KEYS_PARAM", "ASSAY_ENGINES_PARAM"]),
    );
  });
});

describe("IAM", () => {
  it("should never allow a wildcard action or a wildcard resource", () => {
    const statements = allowStatements(template);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      for (const action of s.actions) expect(action, `${s.policy}: ${action}`).not.toContain("*");
      for (const resource of s.resources) expect(resource, s.policy).not.toBe("*");
    }
  });

  it("should scope object actions to the tenant and temporary prefixes", () => {
    const objectStatements = allowStatements(template).filter((st) =>
      st.actions.some((a) => a.startsWith("s3:") && a !== "s3:ListBucket"),
    );
    expect(objectStatements.length).toBeGreaterThan(0);
    for (const s of objectStatements) {
      if (s.actions.length === 1 && s.actions[0] === "s3:DeleteObject") continue; // the narrow grant below
      const suffixes = s.resources.map((r) => JSON.stringify(r).match(/\/(t|tmp)\/\*"/)?.[1]);
      expect(suffixes.sort()).toEqual(["t", "tmp"]);
    }
  });

  it("should let the nuggets worker send to its own queue and nowhere else", () => {
    const [m] = Object.values(template.findResources("AWS::Lambda::EventSourceMapping") as Resources);
    const fnId = target(m!.Properties.FunctionName);
    const ownQueue = target(m!.Properties.EventSourceArn);
    const policies = new Set(policiesOfFunction(template, fnId));
    const sends = allowStatements(template).filter((s) => policies.has(s.policy) && s.actions.includes("sqs:SendMessage"));
    expect(sends.flatMap((s) => s.resources.map(target))).toEqual([ownQueue]);
    const env = (template.findResources("AWS::Lambda::Function") as Resources)[fnId]!.Properties.Environment.Variables;
    expect(target(env.NUGGETS_QUEUE_URL)).toBe(ownQueue);
    // A permanently failing message is made visible again at once (visibility 0) on its own queue.
    const visibility = allowStatements(template).filter(
      (s) => policies.has(s.policy) && s.actions.includes("sqs:ChangeMessageVisibility"),
    );
    expect(visibility.flatMap((s) => s.resources.map(target))).toEqual([ownQueue]);
  });

  it("should let the API delete nothing but staged uploads and a job's failure records (retry)", () => {
    const policies = new Set(policiesOfFunction(template, apiFunctionId(template)));
    const statements = allowStatements(template).filter((s) => policies.has(s.policy));
    expect(statements.flatMap((s) => s.actions)).toContain("s3:PutObject");
    const deletes = statements.filter((s) => s.actions.includes("s3:DeleteObject"));
    for (const d of deletes) expect(d.actions).toEqual(["s3:DeleteObject"]);
    const patterns = deletes.flatMap((d) => d.resources.map((r) => JSON.stringify(r).match(/\/((?:t|tmp)\/[^"]*)"/)?.[1]));
    expect(patterns.sort()).toEqual(["t/*/jobs/*/failures/*", "t/*/sirllm/*", "tmp/*"]);
  });

  it("should tell each worker the receive count its queue's redrive policy dead-letters at", () => {
    const functions = template.findResources("AWS::Lambda::Function") as Resources;
    const queues = template.findResources("AWS::SQS::Queue") as Resources;
    const mappings = Object.values(template.findResources("AWS::Lambda::EventSourceMapping") as Resources);
    expect(mappings.length).toBeGreaterThan(0);
    for (const m of mappings) {
      const env = functions[target(m.Properties.FunctionName)]!.Properties.Environment.Variables;
      const redrive = queues[target(m.Properties.EventSourceArn)]!.Properties.RedrivePolicy;
      expect(env.MAX_RECEIVE_COUNT).toBe(String(redrive.maxReceiveCount));
    }
  });

  it("should let workers delete nothing but a job's failure records", () => {
    const [m] = Object.values(template.findResources("AWS::Lambda::EventSourceMapping") as Resources);
    const policies = new Set(policiesOfFunction(template, target(m!.Properties.FunctionName)));
    const statements = allowStatements(template).filter((s) => policies.has(s.policy));
    expect(statements.flatMap((s) => s.actions)).toContain("s3:PutObject");
    const deletes = statements.filter((s) => s.actions.includes("s3:DeleteObject"));
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.actions).toEqual(["s3:DeleteObject"]);
    expect(deletes[0]!.resources.map((r) => JSON.stringify(r))).toEqual([expect.stringContaining("/t/*/jobs/*/failures/*")]);
  });
});

describe("bundles", () => {
  /** A function's bundle: its code's S3 key is the asset hash, and the asset folder carries the same hash. */
  const bundleOf = (functionId: string): string => {
    const fn = (template.findResources("AWS::Lambda::Function") as Resources)[functionId]!;
    const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, "");
    return join(synth.outdir, `asset.${hash}`, "index.mjs");
  };
  const bundles = () =>
    readdirSync(synth.outdir)
      .filter((d) => d.startsWith("asset."))
      .map((d) => join(synth.outdir, d, "index.mjs"));

  it("should put the documentation page's viewer files beside the API bundle, where /docs reads them", () => {
    const dir = dirname(bundleOf(apiFunctionId(template)));
    for (const file of ["swagger-ui.css", "swagger-ui-bundle.js"]) {
      expect(readFileSync(join(dir, "docs-assets", file)).byteLength, file).toBeGreaterThan(10_000);
    }
  });

  it("should be ESM bundles built by the local esbuild, one per function", () => {
    expect(bundles()).toHaveLength(1 + WORKERS.length);
    for (const file of bundles()) expect(readFileSync(file, "utf8")).toMatch(/^import \{ createRequire as/);
  });

  it("should not import node-llama-cpp or fauxqs", () => {
    for (const file of bundles()) expect(forbiddenImports(readFileSync(file, "utf8")), file).toEqual([]);
  });

  it("should load on Node 22 and answer an SQS batch through the real worker bundle", () => {
    const [m] = Object.values(template.findResources("AWS::Lambda::EventSourceMapping") as Resources);
    const workerBundle = bundleOf(target(m!.Properties.FunctionName));
    const apiBundle = bundleOf(apiFunctionId(template));
    const event = { Records: [{ messageId: "m-1", body: "{}", eventSource: "aws:sqs", attributes: {}, messageAttributes: {} }] };
    // A plain Node process, as in Lambda, rather than vitest's module loader. streamHandle() needs Lambda's streaming
    // global at import time; a minimal stand-in is enough to load the API bundle.
    const script = `
      globalThis.awslambda = { streamifyResponse: (f) => f, HttpResponseStream: { from: (s) => s } };
      const api = await import(${JSON.stringify(apiBundle)});
      if (typeof api.handler !== "function") throw new Error("the API bundle exports no handler");
      const { handler } = await import(${JSON.stringify(workerBundle)});
      const context = { getRemainingTimeInMillis: () => 60000, awsRequestId: "req-test-1", functionName: "assay-nuggets", functionVersion: "1", invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:assay-nuggets", memoryLimitInMB: "1024" };
      console.log("RESULT " + JSON.stringify(await handler(${JSON.stringify(event)}, context)));`;
    const env = {
      ...process.env,
      BUCKET_NAME: "assay-test",
      NUGGETS_QUEUE_URL: "http://127.0.0.1:9/000000000000/nuggets",
      MAX_RECEIVE_COUNT: "5",
      ASSAY_ENGINES: "[]",
      ASSAY_API_KEYS: "[]",
      ASSAY_CALLBACK_SECRETS: "{}",
      AWS_REGION: "us-east-1",
    };
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env });
    if (run.status !== 0) throw new Error(`the bundle failed:\n${run.stderr}`);
    // "{}" is not a job message: the real worker reports it as a failed item (bound for the DLQ), not a crash.
    // Powertools writes warnings and errors to stderr, the rest to stdout.
    const lines = `${run.stdout}\n${run.stderr}`.trim().split("\n");
    expect(JSON.parse(lines.find((l) => l.startsWith("RESULT "))!.slice(7))).toEqual({ batchItemFailures: [{ itemIdentifier: "m-1" }] });
    // Logs are structured JSON carrying the invocation's request id (Powertools' Logger).
    const logged = lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    if (logged.length === 0) throw new Error(`no JSON log lines in:\nSTDOUT ${run.stdout}\nSTDERR ${run.stderr}`);
    expect(logged).toContainEqual(
      expect.objectContaining({ level: "ERROR", message: "malformed job message", function_request_id: "req-test-1", service: "assay-nuggets-worker" }),
    );
  });
});

describe("the worker list", () => {
  it("should turn one more entry into its own queue, DLQ, event source and alarm, and tell the API its queue", () => {
    const extra = { ...WORKERS[0]!, name: "sirllm", timeoutSeconds: 120, batchSize: 5, maxBatchingWindowSeconds: 10, enqueuesTo: [] };
    const { template: t, outdir } = synthAssayStack({ workers: [...WORKERS, extra] }, { bundle: false });
    const n = WORKERS.length + 1;
    try {
      t.resourceCountIs("AWS::Lambda::EventSourceMapping", n);
      t.resourceCountIs("AWS::SQS::Queue", 2 * n);
      t.resourceCountIs("AWS::CloudWatch::Alarm", n);
      t.hasResourceProperties("AWS::SQS::Queue", { VisibilityTimeout: 6 * 120 + 10 });
      t.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        BatchSize: 5,
        MaximumBatchingWindowInSeconds: 10,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
      t.hasResourceProperties("AWS::Lambda::Function", {
        Environment: { Variables: Match.objectLike({ SIRLLM_QUEUE_URL: Match.anyValue(), MTI_QUEUE_URL: Match.anyValue(), NUGGETS_QUEUE_URL: Match.anyValue() }) },
      });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("should refuse to synthesise a worker whose concurrency cap exceeds its reservation", () => {
    const bad = { ...WORKERS[0]!, reservedConcurrency: 4, maxConcurrency: 8 };
    expect(() => synthAssayStack({ workers: [bad] }, { bundle: false })).toThrow(/exceeds reservedConcurrency/);
  });
});
