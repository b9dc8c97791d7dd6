/**
 * A compact, versioned byte format for a SirLLM session's memory and the settings it runs under, so a session can be
 * stored between turns (S3, a KV store) and resumed exactly.
 *
 * Version 1, little-endian, "varint" = unsigned LEB128:
 * - header: magic "SIRM", version 1, policy (u8, its place in MEMORY_POLICY_NAMES), cacheSize varint, sinks varint,
 *   decay f64 (exact: the decay product is taken with this value), seed u32, turnCount varint, tokenCount varint,
 *   evictions varint, n (tokens in memory) varint;
 * - token ids: n varints (a 32k vocabulary costs ≤ 3 bytes a token, most ids 2–3);
 * - entropies: n float32, exactly what memory holds (see `float32-entropy.ts`);
 * - turns: runs of equal turns, each (turn − previous run's turn) varint + length varint: one run per turn in memory;
 * - indices: a mode byte, then whichever is shorter for this memory: 0 = runs of consecutive indices, each
 *   (gap since the previous run's end) varint + length varint, which suits streaming's long runs; 1 = per token
 *   (index − previous index − 1) varint, which suits SirLLM's scattered high-entropy tokens.
 * Decoding checks everything it reads and fails with a {@link MemoryStateDecodeError} naming why.
 */
import { MEMORY_POLICY_NAMES, type MemoryPolicySettings } from "../../../schemas/sirllm-memory.js";
import { ByteReader, ByteWriter } from "./byte-buffer.js";
import { MemoryStateDecodeError } from "./memory-errors.js";
import type { MemoryState } from "./memory-state.js";
import { parseMemoryPolicySettings } from "./policy-settings.js";

/** "SIRM": tells a memory state from any other bytes. */
export const MEMORY_STATE_MAGIC = Uint8Array.of(0x53, 0x49, 0x52, 0x4d);
/** The format version this code writes and the only one it reads. */
export const MEMORY_STATE_VERSION = 1;

/** What is persisted for a session: its settings and its memory. */
export interface MemorySession {
  readonly settings: MemoryPolicySettings;
  readonly state: MemoryState;
}

const INDEX_RUNS = 0;
const INDEX_DELTAS = 1;

/**
 * The session as bytes.
 *
 * @example
 * const bytes = encodeMemorySession({ settings, state });
 * decodeMemorySession(bytes); // deep-equal to { settings, state }
 */
export function encodeMemorySession(session: MemorySession): Uint8Array {
  const { settings, state } = session;
  const n = state.indices.length;
  if (state.tokens.length !== n || state.entropies.length !== n || state.turns.length !== n) {
    throw new RangeError("memory arrays must have the same length");
  }
  const w = new ByteWriter();
  w.raw(MEMORY_STATE_MAGIC);
  w.u8(MEMORY_STATE_VERSION);
  w.u8(MEMORY_POLICY_NAMES.indexOf(settings.policy));
  w.varint(settings.cacheSize);
  w.varint(settings.sinks);
  w.f64(settings.decay);
  w.u32(settings.seed);
  w.varint(state.turnCount);
  w.varint(state.tokenCount);
  w.varint(state.evictions);
  w.varint(n);
  for (const t of state.tokens) w.varint(t);
  for (const e of state.entropies) w.f32(e);
  writeTurnRuns(w, state.turns);
  const runs = indexRuns(state.indices);
  const deltas = indexDeltas(state.indices);
  if (runs.length <= deltas.length) {
    w.u8(INDEX_RUNS);
    w.raw(runs);
  } else {
    w.u8(INDEX_DELTAS);
    w.raw(deltas);
  }
  return w.bytes();
}

/**
 * Reads what {@link encodeMemorySession} wrote. Throws {@link MemoryStateDecodeError} with `reason` "magic", "version",
 * "truncated", "trailing" or "invalid".
 */
export function decodeMemorySession(bytes: Uint8Array): MemorySession {
  const head = bytes.subarray(0, MEMORY_STATE_MAGIC.length);
  if (head.some((b, i) => b !== MEMORY_STATE_MAGIC[i])) throw new MemoryStateDecodeError("magic", "these bytes are not a SirLLM memory state (no \"SIRM\" magic)");
  const r = new ByteReader(bytes);
  r.raw(MEMORY_STATE_MAGIC.length, "the magic");
  const version = r.u8("the version");
  if (version !== MEMORY_STATE_VERSION) {
    throw new MemoryStateDecodeError("version", `format version ${version}; this code reads version ${MEMORY_STATE_VERSION}`);
  }
  const policyCode = r.u8("the policy");
  const policy = MEMORY_POLICY_NAMES[policyCode];
  if (policy === undefined) throw new MemoryStateDecodeError("invalid", `unknown policy number ${policyCode}`);
  const cacheSize = r.varint("cacheSize");
  const sinks = r.varint("sinks");
  const decay = r.f64("decay");
  const seed = r.u32("the seed");
  let settings: MemoryPolicySettings;
  try {
    settings = parseMemoryPolicySettings({ policy, cacheSize, sinks, decay, seed });
  } catch (error) {
    throw new MemoryStateDecodeError("invalid", (error as Error).message);
  }
  const turnCount = r.varint("turnCount");
  const tokenCount = r.varint("tokenCount");
  const evictions = r.varint("evictions");
  const n = r.varint("the memory length");
  if (n > cacheSize) throw new MemoryStateDecodeError("invalid", `${n} tokens in memory exceed cacheSize ${cacheSize}`);
  // Each token takes at least 5 bytes (an id, an entropy): say so before allocating arrays for a corrupt length.
  if (n * 5 > r.remaining) throw new MemoryStateDecodeError("truncated", `${n} tokens need at least ${n * 5} more bytes; ${r.remaining} left`);
  if (evictions > turnCount) throw new MemoryStateDecodeError("invalid", `${evictions} evictions in ${turnCount} turns`);

  const tokens = Array.from({ length: n }, () => r.varint("a token id"));
  if (tokens.some((t) => t > 0xffffffff)) throw new MemoryStateDecodeError("invalid", "a token id exceeds 32 bits");
  const entropies = Array.from({ length: n }, () => r.f32("an entropy") + 0);
  if (entropies.some((e) => !(Number.isFinite(e) && e >= 0))) throw new MemoryStateDecodeError("invalid", "an entropy is negative or not finite");
  const turns = readTurnRuns(r, n);
  if (n > 0 && turns[n - 1]! >= turnCount) throw new MemoryStateDecodeError("invalid", `a token from turn ${turns[n - 1]} but only ${turnCount} turns`);
  const mode = r.u8("the index mode");
  if (mode !== INDEX_RUNS && mode !== INDEX_DELTAS) throw new MemoryStateDecodeError("invalid", `unknown index mode ${mode}`);
  const indices = mode === INDEX_RUNS ? readIndexRuns(r, n) : readIndexDeltas(r, n);
  if (n > 0 && indices[n - 1]! >= tokenCount) {
    throw new MemoryStateDecodeError("invalid", `stream index ${indices[n - 1]} but only ${tokenCount} tokens streamed`);
  }
  if (r.remaining > 0) throw new MemoryStateDecodeError("trailing", `${r.remaining} bytes after the end of the state`);
  return { settings, state: { tokens, entropies, turns, indices, turnCount, tokenCount, evictions } };
}

function writeTurnRuns(w: ByteWriter, turns: readonly number[]): void {
  const runs: [number, number][] = [];
  for (const t of turns) {
    const last = runs.at(-1);
    if (last && last[0] === t) last[1]++;
    else runs.push([t, 1]);
  }
  w.varint(runs.length);
  let previous = 0;
  for (const [turn, length] of runs) {
    if (turn < previous) throw new RangeError("memory turns must not decrease");
    w.varint(turn - previous);
    w.varint(length);
    previous = turn;
  }
}

function readTurnRuns(r: ByteReader, n: number): number[] {
  const count = r.varint("the turn run count");
  if (count > n) throw new MemoryStateDecodeError("invalid", `${count} turn runs for ${n} tokens`);
  const turns: number[] = [];
  let turn = 0;
  for (let i = 0; i < count; i++) {
    turn += r.varint("a turn");
    const length = r.varint("a turn run length");
    if (length < 1 || turns.length + length > n) throw new MemoryStateDecodeError("invalid", "turn runs do not add up to the memory length");
    for (let j = 0; j < length; j++) turns.push(turn);
  }
  if (turns.length !== n) throw new MemoryStateDecodeError("invalid", `turn runs cover ${turns.length} of ${n} tokens`);
  return turns;
}

function indexRuns(indices: readonly number[]): Uint8Array {
  const runs: [number, number][] = [];
  for (const i of indices) {
    const last = runs.at(-1);
    if (last && last[0] + last[1] === i) last[1]++;
    else runs.push([i, 1]);
  }
  const w = new ByteWriter();
  w.varint(runs.length);
  let next = 0;
  for (const [start, length] of runs) {
    if (start < next) throw new RangeError("memory indices must strictly increase");
    w.varint(start - next);
    w.varint(length);
    next = start + length;
  }
  return w.bytes();
}

function readIndexRuns(r: ByteReader, n: number): number[] {
  const count = r.varint("the index run count");
  if (count > n) throw new MemoryStateDecodeError("invalid", `${count} index runs for ${n} tokens`);
  const indices: number[] = [];
  let next = 0;
  for (let i = 0; i < count; i++) {
    const start = next + r.varint("an index gap");
    const length = r.varint("an index run length");
    if (length < 1 || indices.length + length > n) throw new MemoryStateDecodeError("invalid", "index runs do not add up to the memory length");
    for (let j = 0; j < length; j++) indices.push(start + j);
    next = start + length;
  }
  if (indices.length !== n) throw new MemoryStateDecodeError("invalid", `index runs cover ${indices.length} of ${n} tokens`);
  return indices;
}

function indexDeltas(indices: readonly number[]): Uint8Array {
  const w = new ByteWriter();
  let next = 0;
  for (const i of indices) {
    if (i < next) throw new RangeError("memory indices must strictly increase");
    w.varint(i - next);
    next = i + 1;
  }
  return w.bytes();
}

function readIndexDeltas(r: ByteReader, n: number): number[] {
  const indices: number[] = [];
  let next = 0;
  for (let k = 0; k < n; k++) {
    const i = next + r.varint("an index gap");
    indices.push(i);
    next = i + 1;
  }
  return indices;
}
