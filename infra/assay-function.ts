import { Duration } from "aws-cdk-lib";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { BUNDLING, REPO_ROOT, resolveEntry } from "./bundling.js";

export interface AssayFunctionProps {
  /** Entry file, absolute or relative to the repository root. */
  readonly entry: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment?: Record<string, string>;
  readonly reservedConcurrency?: number;
  /** Also the Powertools service name, so logs say which function wrote them. */
  readonly serviceName: string;
  /**
   * Files (relative to the repository root) copied beside the bundle into this folder name, for code that reads
   * them at runtime (the API's documentation page). esbuild bundles code only.
   */
  readonly assets?: { readonly folder: string; readonly files: readonly string[] };
}

/**
 * A Node 22 ARM64 function bundled by the local esbuild, with its own log group (a month of retention rather than the
 * default "forever") and source-mapped stack traces.
 */
export class AssayFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: AssayFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, "Logs", { retention: logs.RetentionDays.ONE_MONTH });
    this.fn = new nodejs.NodejsFunction(this, "Function", {
      entry: resolveEntry(props.entry),
      handler: "handler",
      projectRoot: REPO_ROOT,
      depsLockFilePath: resolveEntry("package-lock.json"),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(props.timeoutSeconds),
      memorySize: props.memoryMb,
      reservedConcurrentExecutions: props.reservedConcurrency,
      logGroup,
      bundling: props.assets ? withCopiedAssets(props.assets) : BUNDLING,
      environment: {
        NODE_OPTIONS: "--enable-source-maps",
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        ...props.environment,
      },
    });
  }
}

/** {@link BUNDLING} plus a step after bundling that copies files beside the bundle (local `cp`, never Docker). */
function withCopiedAssets(assets: NonNullable<AssayFunctionProps["assets"]>): nodejs.BundlingOptions {
  const quote = (p: string) => `"${p.replace(/"/g, '\\"')}"`;
  return {
    ...BUNDLING,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir, outputDir) => [
        `mkdir -p ${quote(`${outputDir}/${assets.folder}`)}`,
        ...assets.files.map((f) => `cp ${quote(`${inputDir}/${f}`)} ${quote(`${outputDir}/${assets.folder}/`)}`),
      ],
    },
  };
}
