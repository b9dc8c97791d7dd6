/**
 * The callback POST: node's http(s) client, which never follows redirects, with a timeout, connecting to the address
 * the callback policy checked rather than to whatever the host resolves to now (DNS rebinding: a name that resolved
 * to a public address at the check and to 169.254.169.254 a moment later must not reach the metadata service). TLS
 * still verifies the certificate against the URL's host name.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import type { HttpPost, PinnedAddress } from "./ports.js";

const TIMEOUT_MS = 10_000;

/** A `lookup` that answers every query with one fixed address. */
export function pinnedLookup(pinned: PinnedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as unknown as LookupFunction;
}

/**
 * @example
 * await pinnedPost("https://hooks.example.com/x", { headers, body, address: { address: "93.184.215.14", family: 4 } });
 */
export const pinnedPost: HttpPost = (url, init) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: "POST",
        headers: { ...init.headers, "content-length": String(Buffer.byteLength(init.body)) },
        timeout: TIMEOUT_MS,
        ...(init.address ? { lookup: pinnedLookup(init.address) } : {}),
      },
      (res) => {
        res.resume(); // the body is not needed; drain it so the socket is released
        res.once("end", () => resolve({ status: res.statusCode ?? 0 }));
        res.once("error", reject);
      },
    );
    req.once("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.once("error", reject);
    req.end(init.body);
  });
