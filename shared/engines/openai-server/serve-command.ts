import { basename } from "node:path";
import { createEmbeddedEngine } from "../embedded/index.js";
import { startEngineServer, type RunningEngineServer } from "./server.js";

/**
 * `assay engine serve --model FILE --port N`: loads the model into the embedded engine and serves it over the
 * vLLM-compatible face. Closing the server also closes the engine.
 */
export async function serveEmbeddedModel(options: {
  modelPath: string;
  port: number;
  host?: string;
  contextSize?: number;
  threads?: number;
}): Promise<RunningEngineServer> {
  const engine = await createEmbeddedEngine({
    name: basename(options.modelPath, ".gguf"),
    modelPath: options.modelPath,
    ...(options.contextSize === undefined ? {} : { contextSize: options.contextSize }),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
  });
  try {
    const server = await startEngineServer({
      engine,
      port: options.port,
      ...(options.host === undefined ? {} : { host: options.host }),
    });
    return {
      url: server.url,
      close: async () => {
        await server.close();
        await engine.close();
      },
    };
  } catch (error) {
    await engine.close();
    throw error;
  }
}
