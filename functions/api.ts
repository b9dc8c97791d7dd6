// Lambda entry point for the HTTP API (Function URL, response streaming). Dependencies are built once per container.
import { streamHandle } from "hono/aws-lambda";
import { createApp } from "../shared/api/app.js";
import { apiDepsFromEnv } from "../shared/api/deps-from-env.js";

export const handler = streamHandle(createApp(await apiDepsFromEnv()));
