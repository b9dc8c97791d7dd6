import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Engine } from "../engine.js";
import { createEngineServerApp } from "./app.js";

/** A running HTTP face: where it listens and how to stop it. */
export interface RunningEngineServer {
  /** `http://host:port` (with the port actually bound when 0 was asked for). */
  readonly url: string;
  /** Stops listening; the engine is not closed (its owner closes it). */
  close(): Promise<void>;
}

/**
 * Serves {@link createEngineServerApp} on `host:port` (port 0 picks a free port). Binds to loopback by default: the
 * face has no authentication.
 */
export function startEngineServer(options: {
  engine: Engine;
  port: number;
  host?: string;
}): Promise<RunningEngineServer> {
  const host = options.host ?? "127.0.0.1";
  const app = createEngineServerApp(options.engine);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: host }, (info: AddressInfo) => {
      server.off("error", reject);
      const shownHost = info.family === "IPv6" ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${shownHost}:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once("error", reject);
  });
}
