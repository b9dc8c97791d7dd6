/** Small pieces every route module shares: error responses for the OpenAPI document and streamed bodies. */
import type { Context } from "hono";
import { stream } from "hono/streaming";
import { ErrorBodySchema } from "../../../schemas/common.js";

/** An error response as the OpenAPI document lists it. */
export const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorBodySchema } },
});

/**
 * Streams lines (or byte chunks) as a response body. The route object still documents the body; the handler returns a
 * plain Response, which zod-openapi's typed handlers accept once cast.
 */
export function streamBody(c: Context, contentType: string, chunks: AsyncIterable<string | Uint8Array>, filename?: string): never {
  c.header("content-type", contentType);
  if (filename) c.header("content-disposition", `attachment; filename="${filename}"`);
  return stream(c, async (out) => {
    for await (const chunk of chunks) await out.write(chunk);
  }) as never;
}
