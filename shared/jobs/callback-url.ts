/**
 * Which completion-callback URLs assay will POST to: https only, no credentials, and no private, loopback,
 * link-local, unique-local or otherwise special address — literally or after DNS resolution — so a caller cannot
 * aim the worker at the cloud metadata service or the VPC (server-side request forgery). The local stack may allow
 * http and loopback (its receivers run on 127.0.0.1); nothing else is relaxed there.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { ValidationError } from "../errors.js";
import type { LookupAll, PinnedAddress } from "./ports.js";

/** The system resolver, every address (what a POST would connect to). */
export const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Options for {@link checkCallbackUrl}. */
export interface CallbackUrlPolicy {
  /** The local stack: http:// and loopback addresses allowed. */
  readonly allowLoopback?: boolean;
}

/** The verdict on a URL: `hostname` is to be resolved and re-checked unless the host is an IP literal. */
export type CallbackUrlVerdict =
  | { ok: true; url: URL; hostname: string; literal: boolean }
  | { ok: false; reason: string };

const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.88.99.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15],
  ["198.51.100.0", 24], ["203.0.113.0", 24], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) blocked.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128], ["fc00::", 7], ["fe80::", 10], ["fec0::", 10], ["ff00::", 8], ["2001:db8::", 32], ["100::", 64],
] as const) blocked.addSubnet(net, prefix, "ipv6");

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/** The IPv4 address inside an IPv4-mapped / -compatible / NAT64 IPv6 address, if any. */
function embeddedIpv4(address: string): string | null {
  const a = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted) return dotted[1]!;
  const hex = /^(?:::ffff:|::|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (!hex) return null;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * Why an IP address may not receive callbacks, or null if it may.
 *
 * @example
 * addressProblem("169.254.169.254", {}); // "a link-local or private address"
 */
export function addressProblem(address: string, policy: CallbackUrlPolicy = {}): string | null {
  const family = isIP(address);
  if (family === 0) return "not an IP address";
  const inner = family === 6 ? embeddedIpv4(address) : null;
  if (inner) return addressProblem(inner, policy);
  const type = family === 4 ? "ipv4" : "ipv6";
  if (loopback.check(address, type)) return policy.allowLoopback ? null : "a loopback address";
  if (blocked.check(address, type)) return "a private, link-local or reserved address";
  return null;
}

/**
 * The checks that need no network: scheme, credentials, and the host when it is an IP literal or `localhost`.
 *
 * @example
 * checkCallbackUrl("http://127.0.0.1/hook").ok;     // false: http, and loopback
 * checkCallbackUrl("https://example.com/hook").ok;  // true (then resolve example.com and check its addresses)
 */
export function checkCallbackUrl(raw: string, policy: CallbackUrlPolicy = {}): CallbackUrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a valid URL" };
  }
  if (url.protocol !== "https:" && !(policy.allowLoopback && url.protocol === "http:")) {
    return { ok: false, reason: "callback URLs must use https" };
  }
  if (url.username || url.password) return { ok: false, reason: "callback URLs may not carry credentials" };
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  if (hostname === "") return { ok: false, reason: "callback URL has no host" };
  if (isIP(hostname)) {
    const problem = addressProblem(hostname, policy);
    return problem ? { ok: false, reason: `callback host is ${problem}` } : { ok: true, url, hostname, literal: true };
  }
  const lower = hostname.toLowerCase().replace(/\.$/, "");
  if ((lower === "localhost" || lower.endsWith(".localhost")) && !policy.allowLoopback) {
    return { ok: false, reason: "callback host is a loopback name" };
  }
  return { ok: true, url, hostname, literal: false };
}

/**
 * {@link checkCallbackUrl}, then every address the host resolves to must pass too. Throws a ValidationError with
 * the reason. Run at submission and again just before each POST (the DNS answer may have changed since); the POST
 * then connects to the returned address, never to a fresh resolution of the host (DNS rebinding).
 */
export async function assertCallbackUrlAllowed(
  raw: string,
  policy: CallbackUrlPolicy,
  lookup: LookupAll,
): Promise<{ url: URL; address: PinnedAddress }> {
  const verdict = checkCallbackUrl(raw, policy);
  if (!verdict.ok) throw new ValidationError(`callback URL refused: ${verdict.reason}`, { callbackUrl: raw });
  if (verdict.literal) return { url: verdict.url, address: { address: verdict.hostname, family: isIP(verdict.hostname) } };
  let addresses: readonly { address: string; family: number }[];
  try {
    addresses = await lookup(verdict.hostname);
  } catch (cause) {
    throw new ValidationError(`callback URL refused: ${verdict.hostname} does not resolve`, {
      callbackUrl: raw,
      reason: (cause as Error).message,
    });
  }
  if (addresses.length === 0) throw new ValidationError(`callback URL refused: ${verdict.hostname} does not resolve`);
  for (const { address } of addresses) {
    const problem = addressProblem(address, policy);
    if (problem) {
      throw new ValidationError(`callback URL refused: ${verdict.hostname} resolves to ${problem}`, {
        callbackUrl: raw,
        address,
      });
    }
  }
  const first = addresses[0]!;
  return { url: verdict.url, address: { address: first.address, family: first.family || isIP(first.address) } };
}
