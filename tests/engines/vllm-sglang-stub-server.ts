/**
 * A tiny HTTP server on 127.0.0.1 (port 0) for the vLLM and SGLang adapter tests: it records every request and
 * answers from a handler, which can return recorded bodies, fail with a status, or drop the connection.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface StubRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

export type StubReply =
  | { status?: number; json: unknown; delayMs?: number }
  | { status: number; text: string }
  | { drop: true };

export interface StubServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: StubRequest[];
  close(): Promise<void>;
}

export async function startStub(handler: (req: StubRequest, n: number) => StubReply | Promise<StubReply>): Promise<StubServer> {
  const requests: StubRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const rec: StubRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: raw ? (JSON.parse(raw) as unknown) : undefined,
      };
      requests.push(rec);
      const reply = await handler(rec, requests.length);
      if ("drop" in reply) {
        req.socket.destroy();
        return;
      }
      if ("text" in reply) {
        res.writeHead(reply.status, { "content-type": "text/plain" }).end(reply.text);
        return;
      }
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (res.destroyed) return;
      res.writeHead(reply.status ?? 200, { "content-type": "application/json" }).end(JSON.stringify(reply.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
