/**
 * Where a SirLLM session's memory lives between requests: one object per session, `t/{tenant}/sirllm/sessions/{id}`,
 * holding the compact memory codec's bytes (`shared/sirllm/memory/state-codec.ts`: ids as integers, entropies as
 * float32, versioned). A turn is read at an ETag, computed, and committed with compare-and-swap on that ETag: of two
 * concurrent turns on one session exactly one is stored, and the other gets a 409 ConflictError and may retry on the
 * new state. Nothing is written before a turn's engine work has succeeded, so a failure mid-turn leaves the stored
 * state as it was.
 */
import { decodeMemorySession, encodeMemorySession, type MemorySession } from "../memory/state-codec.js";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import type { ObjectStore } from "../../store/object-store.js";

const CONTENT_TYPE = "application/vnd.assay.sirllm-memory";

/** A session id: `ss_` and 20-32 lowercase letters or digits. */
export const SESSION_ID = /^ss_[0-9a-z]{20,32}$/;

/** The object key of a session's memory. */
export function sessionKey(tenant: string, sessionId: string): string {
  if (!SESSION_ID.test(sessionId)) throw new ValidationError(`session ids look like ss_ followed by 20-32 lowercase letters or digits; got ${sessionId}`);
  return `t/${tenant}/sirllm/sessions/${sessionId}`;
}

/** A session's memory as read, with the ETag a commit must still find. */
export interface LoadedSession {
  readonly session: MemorySession;
  readonly etag: string;
}

/** Reads, creates and commits sessions' memory. */
export class SessionStore {
  constructor(private readonly store: ObjectStore) {}

  /** Creates a session once; a second create of the same id is a 409. */
  async create(tenant: string, sessionId: string, session: MemorySession): Promise<LoadedSession> {
    const created = await this.store.createOnce(sessionKey(tenant, sessionId), encodeMemorySession(session), { contentType: CONTENT_TYPE });
    if (created.status !== "created") throw new ConflictError(`session ${sessionId} already exists`, { sessionId });
    return { session, etag: created.etag };
  }

  /** The session's memory and its ETag; 404 when there is none. */
  async load(tenant: string, sessionId: string): Promise<LoadedSession> {
    const key = sessionKey(tenant, sessionId);
    let stored;
    try {
      stored = await this.store.getBytes(key);
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError(`session ${sessionId} not found`, { sessionId });
      throw error;
    }
    return { session: decodeMemorySession(stored.body), etag: stored.etag };
  }

  /**
   * Stores `next` if the session is still at `etag` (the state the turn was computed from); otherwise a 409 saying
   * another turn came first, and nothing is written.
   */
  async commit(tenant: string, sessionId: string, etag: string, next: MemorySession): Promise<LoadedSession> {
    const result = await this.store.compareAndSwap(sessionKey(tenant, sessionId), encodeMemorySession(next), etag, { contentType: CONTENT_TYPE });
    if (result.status !== "updated") {
      throw new ConflictError(`session ${sessionId} changed while this turn was computed (another message came first); send it again`, { sessionId });
    }
    return { session: next, etag: result.etag };
  }

  /** Deletes a session; deleting one that does not exist is not an error. */
  async delete(tenant: string, sessionId: string): Promise<void> {
    await this.store.delete(sessionKey(tenant, sessionId));
  }
}
