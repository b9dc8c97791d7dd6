import { PutObjectCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { ConfigurationError } from "../errors.js";

/** Hands out URLs a caller can PUT a large body to directly, so it never passes through the API function. */
export interface UploadUrlSigner {
  /** A presigned PUT for `key`, valid for `expiresInSeconds`. */
  presignPut(key: string, opts: { expiresInSeconds: number; contentType?: string }): Promise<string>;
}

/**
 * An S3 client configuration for presigning. Since its default integrity protections, AWS SDK v3 computes a body
 * checksum for every PUT and hoists it into a presigned URL — the CRC32 of an empty body (`x-amz-checksum-crc32=
 * AAAAAA==`), since presigning has no body. R2, MinIO and SeaweedFS then refuse the real upload; `WHEN_REQUIRED`
 * signs no checksum.
 */
export function presignClientConfig(config: S3ClientConfig = {}): S3ClientConfig {
  return { ...config, requestChecksumCalculation: "WHEN_REQUIRED" };
}

/** Presigned S3 PUTs (the emulator's endpoint in the local stack). Builds its own client from `config`. */
export class S3UploadUrlSigner implements UploadUrlSigner {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(opts: { config: S3ClientConfig; bucket: string }) {
    this.#client = new S3Client(presignClientConfig(opts.config));
    this.#bucket = opts.bucket;
  }

  async presignPut(key: string, opts: { expiresInSeconds: number; contentType?: string }): Promise<string> {
    const command = new PutObjectCommand({
      Bucket: this.#bucket,
      Key: key,
      ...(opts.contentType ? { ContentType: opts.contentType } : {}),
    });
    const url = await getSignedUrl(this.#client, command, { expiresIn: opts.expiresInSeconds });
    if ([...new URL(url).searchParams.keys()].some((k) => k.toLowerCase().startsWith("x-amz-checksum"))) {
      throw new ConfigurationError("a presigned upload URL carries a body checksum; S3-compatible stores would refuse the upload");
    }
    return url;
  }

  destroy(): void {
    this.#client.destroy();
  }
}
