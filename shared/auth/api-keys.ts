import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { TenantIdSchema } from "../../schemas/common.js";
import { ConfigurationError, ForbiddenError, UnauthorizedError } from "../errors.js";

/** What a key may do. `read` covers GET; `write` covers everything that changes state or spends engine time. */
export const ScopeSchema = z.enum(["read", "write"]);
export type Scope = z.infer<typeof ScopeSchema>;

/** One API key as stored: only its SHA-256, never the key itself. */
export const ApiKeyRecordSchema = z.object({
  tenant: TenantIdSchema,
  keyHash: z.string().regex(/^[0-9a-f]{64}$/, "keyHash is the lowercase hex SHA-256 of the key"),
  scopes: z.array(ScopeSchema).min(1).default(["read", "write"]),
  label: z.string().max(200).optional(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecordSchema>;

/** Who is calling, once the key has been checked. */
export interface Principal {
  readonly tenant: string;
  readonly scopes: readonly Scope[];
}

/** SHA-256 hex of a key. Keys are 32 random bytes, so a fast hash is enough (nothing to brute-force). */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/**
 * A new random key and the record to store for it.
 *
 * @example
 * const { key, record } = generateApiKey("acme");
 * // give `key` to the caller once; put `record` in ASSAY_API_KEYS
 */
export function generateApiKey(tenant: string, scopes: Scope[] = ["read", "write"]): { key: string; record: ApiKeyRecord } {
  const key = `assay_${randomBytes(32).toString("base64url")}`;
  return { key, record: ApiKeyRecordSchema.parse({ tenant, keyHash: hashApiKey(key), scopes }) };
}

/** Checks `Authorization: Bearer <key>` headers against the stored hashes. */
export class ApiKeyAuthenticator {
  private readonly byHash: Map<string, ApiKeyRecord>;

  constructor(records: readonly ApiKeyRecord[]) {
    this.byHash = new Map(records.map((r) => [r.keyHash, r]));
  }

  /** The principal behind a header, or {@link UnauthorizedError}. */
  authenticate(authorization: string | undefined | null): Principal {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    if (!match) throw new UnauthorizedError("send the API key as 'Authorization: Bearer <key>'");
    const record = this.byHash.get(hashApiKey(match[1]!));
    if (!record) throw new UnauthorizedError("unknown API key");
    return { tenant: record.tenant, scopes: record.scopes };
  }
}

/** Throws {@link ForbiddenError} unless the principal holds the scope. */
export function requireScope(principal: Principal, scope: Scope): void {
  if (!principal.scopes.includes(scope)) {
    throw new ForbiddenError(`this key lacks the '${scope}' scope`, { required: scope, held: principal.scopes });
  }
}

/**
 * Key records from the environment: `ASSAY_API_KEYS` (a JSON array of records) or `ASSAY_API_KEYS_FILE` (a JSON file
 * holding one). Invalid configuration fails loudly at start-up, never at the first request.
 */
export function loadApiKeyRecords(env: NodeJS.ProcessEnv = process.env): ApiKeyRecord[] {
  let raw: string | undefined = env.ASSAY_API_KEYS;
  let source = "ASSAY_API_KEYS";
  if (!raw && env.ASSAY_API_KEYS_FILE) {
    source = env.ASSAY_API_KEYS_FILE;
    raw = readFileSync(env.ASSAY_API_KEYS_FILE, "utf8");
  }
  if (!raw) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (cause) {
    throw new ConfigurationError(`${source} is not valid JSON`, undefined, { cause });
  }
  const parsed = z.array(ApiKeyRecordSchema).safeParse(json);
  if (!parsed.success) throw new ConfigurationError(`${source} holds invalid key records`, z.treeifyError(parsed.error));
  return parsed.data;
}
