import { ArnFormat, CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import type { Construct } from "constructs";
import { AssayFunction } from "./assay-function.js";
import { DataBucket } from "./data-bucket.js";
import { QueueWorker } from "./queue-worker.js";
import { DEFAULT_WORKERS, pascalCase, queueUrlEnvName, type WorkerSpec, workerSpecProblems } from "./worker-spec.js";

/** The API's entry point unless a test or a caller names another. */
export const DEFAULT_API_ENTRY = "functions/api.ts";

export interface AssayStackProps extends StackProps {
  /** The API entry file (a Hono app behind `hono/aws-lambda`'s streaming handler), relative to the repo root. */
  readonly apiEntry?: string;
  /** The queue-fed workers; see {@link DEFAULT_WORKERS}. */
  readonly workers?: readonly WorkerSpec[];
  readonly apiTimeoutSeconds?: number;
  readonly apiMemoryMb?: number;
  /** SSM parameter (SecureString, created outside the stack) holding the API key records as JSON. */
  readonly apiKeysParameterName?: string;
  /** SSM parameter holding the engine registry (names → URL, kind, model, auth). */
  readonly enginesParameterName?: string;
  /** SSM SecureString holding `{tenant: secret}` for signing completion callbacks (created outside the stack). */
  readonly callbackSecretsParameterName?: string;
  /** Days before objects under `tmp/` expire. */
  readonly temporaryObjectDays?: number;
  /** Browser origins allowed to use presigned upload URLs. */
  readonly corsAllowedOrigins?: readonly string[];
  /** Subscribed by email to the alarm topic when given. */
  readonly alarmEmail?: string;
}

/**
 * assay in one stack: the data bucket, the API function behind a streaming Function URL, and one queue + DLQ +
 * worker function + alarm per {@link WorkerSpec}.
 *
 * Environment the functions get: `BUCKET_NAME`; `ASSAY_ENGINES_PARAM`; the API also `ASSAY_API_KEYS_PARAM` and one
 * `<WORKER>_QUEUE_URL` per worker (e.g. `NUGGETS_QUEUE_URL`); a worker gets the URL of each queue it may send to and
 * `MAX_RECEIVE_COUNT`, its queue's redrive count.
 */
export class AssayStack extends Stack {
  readonly dataBucket: DataBucket;
  readonly api: lambda.Function;
  readonly apiUrl: lambda.FunctionUrl;
  readonly workers: ReadonlyMap<string, QueueWorker>;
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: AssayStackProps = {}) {
    super(scope, id, props);
    const specs = props.workers ?? DEFAULT_WORKERS;
    const problems = workerSpecProblems(specs);
    if (problems.length > 0) throw new Error(`invalid worker specs:\n- ${problems.join("\n- ")}`);

    const apiKeysParameter = props.apiKeysParameterName ?? "/assay/api-keys";
    const enginesParameter = props.enginesParameterName ?? "/assay/engines";
    const callbackSecretsParameter = props.callbackSecretsParameterName ?? "/assay/callback-secrets";

    this.dataBucket = new DataBucket(this, "Data", {
      temporaryObjectDays: props.temporaryObjectDays,
      corsAllowedOrigins: props.corsAllowedOrigins,
    });
    this.alarmTopic = new sns.Topic(this, "AlarmTopic", { displayName: "assay alarms", enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const shared = { BUCKET_NAME: this.dataBucket.bucket.bucketName, ASSAY_ENGINES_PARAM: enginesParameter };

    const workers = new Map<string, QueueWorker>();
    for (const spec of specs) {
      const worker = new QueueWorker(this, pascalCase(spec.name), {
        spec,
        environment: { ...shared, ASSAY_CALLBACK_SECRETS_PARAM: callbackSecretsParameter },
        alarmTopic: this.alarmTopic,
      });
      // Workers read datasets/shards and write results and checkpoints. The only thing they delete is a job's
      // failure record once a retried shard succeeds.
      this.dataBucket.grantObjects(worker.fn, "readWrite");
      this.dataBucket.grantDelete(worker.fn, "t/*/jobs/*/failures/*");
      this.grantParameterRead(worker.fn, enginesParameter);
      this.grantParameterRead(worker.fn, callbackSecretsParameter);
      workers.set(spec.name, worker);
    }
    for (const spec of specs) {
      const sender = workers.get(spec.name)!;
      for (const target of spec.enqueuesTo ?? []) {
        const queue = workers.get(target)!.queue;
        queue.grantSendMessages(sender.fn);
        sender.fn.addEnvironment(queueUrlEnvName(target), queue.queueUrl);
      }
    }
    this.workers = workers;

    this.api = new AssayFunction(this, "Api", {
      entry: props.apiEntry ?? DEFAULT_API_ENTRY,
      description: "assay HTTP API (Hono, streaming Function URL)",
      timeoutSeconds: props.apiTimeoutSeconds ?? 300,
      memoryMb: props.apiMemoryMb ?? 1024,
      serviceName: "assay-api",
      // `/docs` serves Swagger UI from these files (shared/api/docs-page.ts), never from a CDN.
      assets: {
        folder: "docs-assets",
        files: ["node_modules/swagger-ui-dist/swagger-ui.css", "node_modules/swagger-ui-dist/swagger-ui-bundle.js"],
      },
      environment: {
        ...shared,
        ASSAY_API_KEYS_PARAM: apiKeysParameter,
        ...Object.fromEntries([...workers].map(([name, w]) => [queueUrlEnvName(name), w.queue.queueUrl])),
      },
    }).fn;
    // The API creates jobs and datasets and signs presigned uploads. It deletes only what it deletes: a staged upload
    // once it is validated (tmp/), a job's failure records once `retry` has re-sent their messages, and SirLLM
    // sessions (memory, config, transcripts) when a caller deletes one.
    this.dataBucket.grantObjects(this.api, "readWrite");
    this.dataBucket.grantDelete(this.api, "tmp/*");
    this.dataBucket.grantDelete(this.api, "t/*/jobs/*/failures/*");
    this.dataBucket.grantDelete(this.api, "t/*/sirllm/*");
    for (const worker of workers.values()) worker.queue.grantSendMessages(this.api);
    this.grantParameterRead(this.api, apiKeysParameter);
    this.grantParameterRead(this.api, enginesParameter);

    // The front door is a Function URL in RESPONSE_STREAM mode: API Gateway REST/HTTP APIs buffer the response, and
    // this is the one HTTPS endpoint Lambda streams through natively. Auth is NONE because the app checks API keys
    // itself (Bearer keys, hashed, per tenant). AWS_IAM behind CloudFront with OAC was the alternative, but OAC to a
    // Function URL makes every client sign POST/PUT bodies (x-amz-content-sha256), which API-key callers and CI
    // pipelines cannot be expected to do; CloudFront (WAF, custom domain) can still be put in front later.
    this.apiUrl = this.api.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
    });

    new CfnOutput(this, "ApiUrl", { value: this.apiUrl.url, description: "HTTPS endpoint of the assay API" });
    new CfnOutput(this, "BucketName", { value: this.dataBucket.bucket.bucketName });
    new CfnOutput(this, "AlarmTopicArn", { value: this.alarmTopic.topicArn });
    for (const [name, worker] of workers) {
      new CfnOutput(this, `${pascalCase(name)}QueueUrl`, { value: worker.queue.queueUrl });
      new CfnOutput(this, `${pascalCase(name)}DeadLetterQueueUrl`, { value: worker.deadLetterQueue.queueUrl });
    }
  }

  /** `ssm:GetParameter` on one parameter, nothing wider. */
  private grantParameterRead(grantee: iam.IGrantable, parameterName: string): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["ssm:GetParameter"],
        resources: [
          this.formatArn({
            service: "ssm",
            resource: "parameter",
            resourceName: parameterName.replace(/^\//, ""),
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ],
      }),
    );
  }
}
