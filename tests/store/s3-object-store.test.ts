import { afterAll, beforeAll } from "vitest";
import { startLocalAws, type LocalAws } from "../../shared/local/emulator.js";
import { S3ObjectStore } from "../../shared/store/s3-object-store.js";
import { describeObjectStoreContract } from "./object-store.case.js";

let aws: LocalAws;
let store: S3ObjectStore;

beforeAll(async () => {
  aws = await startLocalAws({ bucket: "assay-store-test", queues: [] });
  store = new S3ObjectStore({ client: aws.s3, bucket: aws.bucket });
});

afterAll(async () => {
  await aws?.stop();
});

describeObjectStoreContract("S3ObjectStore on the local emulator", () => store);
