import { Hono, type Context } from "hono";
import type { z } from "zod";
import type { Engine } from "../engine.js";
import { checkModel, createCompletion } from "./completions.js";
import {
  CompletionRequestSchema,
  DetokenizeRequestSchema,
  EmbeddingRequestSchema,
  TokenizeRequestSchema,
} from "./schemas.js";
import { TokenPieces } from "./token-pieces.js";
import { toWireError, WireError } from "./wire-errors.js";

/**
 * vLLM's OpenAI-compatible HTTP face over any {@link Engine}: `POST /v1/completions`, `POST /v1/embeddings`,
 * `POST /tokenize`, `POST /detokenize`, `GET /v1/models`, `GET /health`. Lets the vLLM adapter run against a real server in tests and
 * in the local stack. Errors use vLLM's `{error: {message, type, param, code}}` with 400 for bad input.
 *
 * @example
 * const app = createEngineServerApp(engine);
 * const res = await app.request("/tokenize", { method: "POST", body: JSON.stringify({ prompt: "Once" }) });
 */
export function createEngineServerApp(engine: Engine): Hono {
  const app = new Hono();
  const created = Math.floor(Date.now() / 1000);

  app.onError((error, c) => {
    const { status, body } = toWireError(error);
    return c.json(body, status as 400);
  });
  app.notFound((c) => c.json(toWireError(new WireError(404, `no route ${c.req.method} ${c.req.path}`)).body, 404));

  app.get("/health", (c) => c.body(null, 200));

  app.get("/v1/models", (c) =>
    c.json({
      object: "list",
      data: [
        {
          id: engine.model,
          object: "model",
          created,
          owned_by: "vllm",
          root: engine.model,
          parent: null,
          max_model_len: engine.contextSize,
          permission: [],
        },
      ],
    }),
  );

  app.post("/v1/completions", async (c) => {
    const body = await parseBody(c, CompletionRequestSchema);
    return c.json(await createCompletion(engine, body));
  });

  app.post("/v1/embeddings", async (c) => {
    const body = await parseBody(c, EmbeddingRequestSchema);
    checkModel(engine, body.model);
    if (!engine.capabilities.embeddings) throw new WireError(400, "The model does not support Embeddings API");
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    const vectors = await engine.embed(inputs, { truncate: body.truncate_prompt_tokens != null });
    const promptTokens = (await Promise.all(inputs.map((t) => engine.tokenize(t)))).reduce((n, t) => n + t.length, 0);
    return c.json({
      id: `embd-${crypto.randomUUID().replaceAll("-", "")}`,
      object: "list",
      created: Math.floor(Date.now() / 1000),
      model: engine.model,
      data: vectors.map((embedding, index) => ({ index, object: "embedding", embedding })),
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens, completion_tokens: 0 },
    });
  });

  app.post("/tokenize", async (c) => {
    const body = await parseBody(c, TokenizeRequestSchema);
    checkModel(engine, body.model);
    const tokens = await engine.tokenize(body.prompt, { bos: body.add_special_tokens ?? true });
    const tokenStrs = body.return_token_strs ? await new TokenPieces(engine, tokens).range(0) : null;
    return c.json({ count: tokens.length, max_model_len: engine.contextSize, tokens, token_strs: tokenStrs });
  });

  app.post("/detokenize", async (c) => {
    const body = await parseBody(c, DetokenizeRequestSchema);
    checkModel(engine, body.model);
    return c.json({ prompt: await engine.detokenize(body.tokens) });
  });

  return app;
}

/** Reads and validates a JSON body; anything malformed is a 400 naming the first bad field. */
async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new WireError(400, "request body is not valid JSON");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.join(".") || null;
    const message = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    throw new WireError(400, message, param);
  }
  return parsed.data;
}
