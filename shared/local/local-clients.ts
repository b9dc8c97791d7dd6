/**
 * AWS SDK clients for "local mode": the same production code paths, pointed at the loopback emulator.
 * Only the endpoint and the (dummy) credentials differ from a deployment.
 */
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";

/** The region the local emulator answers for. */
export const LOCAL_REGION = "us-east-1";

/** Credentials the emulator accepts (it never checks them); never real ones. */
export const LOCAL_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;

/** Connection facts for a local emulator. */
export interface LocalAwsEndpoint {
  endpoint: string;
  region?: string;
}

/**
 * S3 client settings for the emulator. Path-style addressing because the endpoint is an IP address
 * (`http://127.0.0.1:port/bucket/key`); virtual-host style would need a DNS name per bucket.
 */
export function localS3Config({ endpoint, region = LOCAL_REGION }: LocalAwsEndpoint): S3ClientConfig {
  return { endpoint, region, credentials: LOCAL_CREDENTIALS, forcePathStyle: true };
}

/** SQS client settings for the emulator. */
export function localSqsConfig({ endpoint, region = LOCAL_REGION }: LocalAwsEndpoint): SQSClientConfig {
  return { endpoint, region, credentials: LOCAL_CREDENTIALS };
}

/**
 * Builds an S3 client for the local emulator.
 *
 * @example
 * const s3 = createLocalS3Client({ endpoint: "http://127.0.0.1:4566" });
 */
export function createLocalS3Client(endpoint: LocalAwsEndpoint): S3Client {
  return new S3Client(localS3Config(endpoint));
}

/** Builds an SQS client for the local emulator. */
export function createLocalSqsClient(endpoint: LocalAwsEndpoint): SQSClient {
  return new SQSClient(localSqsConfig(endpoint));
}
