import { Duration } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";

/** Every tenant's durable data lives under `t/{tenant}/` (jobs, sessions, datasets, results). */
export const TENANT_PREFIX = "t/";

/**
 * Temporary objects (presigned-upload staging, scratch files) live under `tmp/`, which a lifecycle rule empties.
 * A lifecycle filter cannot match `t/{any tenant}/…`, so temporary data gets its own top-level prefix; code writes
 * e.g. `tmp/{tenant}/uploads/{id}` and moves what it keeps under `t/{tenant}/`.
 */
export const TEMPORARY_PREFIX = "tmp/";

/** What a function may do to objects: the S3 actions each level allows, spelled out (no wildcards). */
export const OBJECT_ACTIONS = {
  /** GetObject also covers HeadObject. */
  read: ["s3:GetObject"],
  /** PutObject covers conditional writes, presigned PUTs signed by this role, and multipart uploads. */
  readWrite: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
  readWriteDelete: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"],
} as const;

/** Object access a function can be granted. */
export type ObjectAccess = keyof typeof OBJECT_ACTIONS;

export interface DataBucketProps {
  /** Days before objects under {@link TEMPORARY_PREFIX} expire. */
  readonly temporaryObjectDays?: number;
  /** Browser origins allowed to PUT to presigned URLs and GET objects; no CORS rule when empty. */
  readonly corsAllowedOrigins?: readonly string[];
}

/**
 * The one bucket: S3-managed encryption (no KMS grants to get wrong, and presigned browser uploads just work), all
 * public access blocked, TLS-only, temporary objects and abandoned multipart uploads cleaned up by lifecycle rules.
 */
export class DataBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataBucketProps = {}) {
    super(scope, id);
    const origins = props.corsAllowedOrigins ?? [];
    this.bucket = new s3.Bucket(this, "Bucket", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: false,
      lifecycleRules: [
        {
          id: "expire-temporary-objects",
          prefix: TEMPORARY_PREFIX,
          expiration: Duration.days(props.temporaryObjectDays ?? 7),
        },
        { id: "abort-incomplete-multipart-uploads", abortIncompleteMultipartUploadAfter: Duration.days(2) },
      ],
      cors:
        origins.length > 0
          ? [
              {
                allowedOrigins: [...origins],
                allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
                allowedHeaders: ["*"],
                exposedHeaders: ["ETag"],
                maxAge: 3000,
              },
            ]
          : undefined,
    });
  }

  /**
   * Grants exactly the object actions of `access` on the tenant and temporary prefixes, plus `s3:ListBucket` on the
   * bucket (without it S3 answers 403 instead of 404 for a missing key, and "not found" is a normal answer here).
   */
  /** `s3:DeleteObject` on the keys matching one pattern, nothing wider. */
  grantDelete(grantee: iam.IGrantable, keyPattern: string): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ["s3:DeleteObject"], resources: [this.bucket.arnForObjects(keyPattern)] }),
    );
  }

  grantObjects(grantee: iam.IGrantable, access: ObjectAccess): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...OBJECT_ACTIONS[access]],
        resources: [TENANT_PREFIX, TEMPORARY_PREFIX].map((p) => this.bucket.arnForObjects(`${p}*`)),
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ["s3:ListBucket"], resources: [this.bucket.bucketArn] }),
    );
  }
}
