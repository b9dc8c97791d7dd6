/**
 * The named errors of SirLLM memory. Both are ValidationErrors (400; exit 2 in the CLI): the caller sent a turn or
 * bytes that cannot be used.
 */
import { ValidationError } from "../../errors.js";
import type { MemoryPolicyName } from "../../../schemas/sirllm-memory.js";

/** The sizes behind a refusal, as the error's `details`. */
export interface TurnRefusal {
  readonly policy: MemoryPolicyName;
  /** The 0-based number of the refused turn. */
  readonly turn: number;
  readonly turnLength: number;
  readonly memoryLength: number;
  readonly cacheSize: number;
  /** Sinks in memory, which no eviction removes (0 for `full`, which evicts nothing at all). */
  readonly sinksKept: number;
}

/**
 * A turn that cannot fit even after eviction (or, under `full`, without eviction). It is refused, never truncated:
 * a cut turn would silently drop the user's words or the model's answer.
 *
 * @example
 * throw new MemoryTurnRefusedError({ policy: "sirllm", turn: 3, turnLength: 600, memoryLength: 512, cacheSize: 512, sinksKept: 4 });
 */
export class MemoryTurnRefusedError extends ValidationError {
  constructor(refusal: TurnRefusal) {
    const { policy, turn, turnLength, memoryLength, cacheSize, sinksKept } = refusal;
    super(
      policy === "full"
        ? `turn ${turn} (${turnLength} tokens) would overflow the context: ${memoryLength} tokens in memory + ` +
            `${turnLength} > cache size ${cacheSize}, and policy "full" never evicts; refused, not truncated`
        : `turn ${turn} (${turnLength} tokens) cannot fit even after eviction: cache size ${cacheSize} − ` +
            `${sinksKept} sink${sinksKept === 1 ? "" : "s"} that must stay leaves room for ${cacheSize - sinksKept} ` +
            `(policy "${policy}"); refused, not truncated`,
      refusal,
    );
  }
}

/** Why encoded memory could not be decoded. */
export type MemoryDecodeFailure = "magic" | "version" | "truncated" | "trailing" | "invalid";

/**
 * Bytes that are not a memory state this version can read: another format (`magic`), a version it does not know,
 * cut short (`truncated`), followed by extra bytes (`trailing`), or well-formed but inconsistent (`invalid`).
 *
 * @example
 * try { decodeMemorySession(bytes); } catch (e) { if (e instanceof MemoryStateDecodeError && e.reason === "version") … }
 */
export class MemoryStateDecodeError extends ValidationError {
  readonly reason: MemoryDecodeFailure;

  constructor(reason: MemoryDecodeFailure, message: string) {
    super(`cannot decode SirLLM memory: ${message}`, { reason });
    this.reason = reason;
  }
}
