/**
 * Makes the emulator take an object PUT's body as bytes whatever its content type. `curl --data-binary @file URL`
 * labels the body `application/x-www-form-urlencoded`; fauxqs parses that type as a form (its SQS query API uses it)
 * and then fails the S3 PUT with a 500, where S3 stores the bytes. A PUT is never an SQS call (SQS is POST), so the
 * type is relabelled before fauxqs parses the body; the stored object keeps no content type from it.
 */
import type { FauxqsApp } from "./fauxqs-internals.js";

export function takeObjectPutsAsBytes(app: FauxqsApp): void {
  app.addHook("onRequest", async (request) => {
    if (request.method !== "PUT") return;
    const type = request.headers["content-type"];
    if (typeof type === "string" && type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      request.headers["content-type"] = "application/octet-stream";
    }
  });
}
