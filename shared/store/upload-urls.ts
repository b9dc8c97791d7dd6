import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

/** Hands out URLs a caller can PUT a large body to directly, so it never passes through the API function. */
export interface UploadUrlSigner {
  /** A presigned PUT for `key`, valid for `expiresInSeconds`. */
  presignPut(key: string, opts: { expiresInSeconds: number; contentType?: string }): Promise<string>;
}

/** Presigned S3 PUTs (the emulator's endpoint in the local stack). */
export class S3UploadUrlSigner implements UploadUrlSigner {
  constructor(private readonly opts: { client: S3Client; bucket: string }) {}

  presignPut(key: string, opts: { expiresInSeconds: number; contentType?: string }): Promise<string> {
    const command = new PutObjectCommand({
      Bucket: this.opts.bucket,
      Key: key,
      ...(opts.contentType ? { ContentType: opts.contentType } : {}),
    });
    return getSignedUrl(this.opts.client, command, { expiresIn: opts.expiresInSeconds });
  }
}
