/** Which {@link MemoryDriver} serves an engine at a memory level, with clear refusals for what it cannot do. */
import { ValidationError } from "../../errors.js";
import type { Engine } from "../../engines/engine.js";
import { hasSequenceAccess } from "../../engines/embedded/sequence-access.js";
import type { MemoryDriver, MemoryLevel } from "./memory-driver.js";
import { sequenceDriver } from "./sequence-driver.js";
import { statelessDriver } from "./stateless-driver.js";
import type { EntropyPreset } from "./turn-entropies.js";

/**
 * The most tokens a session's memory may hold on `engine`: its context, less one on the embedded engine (however it
 * is wrapped), whose llama.cpp sequence shifts its context (dropping the oldest tokens behind memory's back) once it
 * holds contextSize − 1.
 */
export function memoryCapacity(engine: Pick<Engine, "kind" | "contextSize">): number {
  return engine.kind === "embedded" ? engine.contextSize - 1 : engine.contextSize;
}

/** `kv` where the engine gives a live sequence (the embedded engine), `token` elsewhere. */
export function defaultMemoryLevel(engine: Engine): MemoryLevel {
  return hasSequenceAccess(engine) ? "kv" : "token";
}

/**
 * The driver for `engine` at `level`, checked against `preset`. `kv` needs the embedded engine; `reference` needs the
 * probability of an arbitrary token id, which only the embedded engine gives.
 *
 * @example
 * const driver = memoryDriverFor(engine, "kv", "paper");
 */
export function memoryDriverFor(engine: Engine, level: MemoryLevel, preset: EntropyPreset): MemoryDriver {
  const sequence = hasSequenceAccess(engine);
  refuseUnsupportedMemory(engine, sequence, level, preset, "session");
  return sequence ? sequenceDriver(engine, level) : statelessDriver(engine);
}

/**
 * The refusals shared by sessions and evaluations: `kv` and `reference` need the embedded engine's own sequence
 * (`liveSequence`); `what` names what holds the memory in the message.
 */
export function refuseUnsupportedMemory(
  engine: Pick<Engine, "name" | "kind">,
  liveSequence: boolean,
  level: MemoryLevel,
  preset: EntropyPreset,
  what: "session" | "unit",
): void {
  if (level === "kv" && !liveSequence) {
    throw new ValidationError(
      `memoryLevel "kv" needs a live KV cache per ${what}, which only the embedded engine gives; engine "${engine.name}" is ${engine.kind}: use "token"`,
      { engine: engine.name, memoryLevel: level },
    );
  }
  if (preset === "reference" && !liveSequence) {
    throw new ValidationError(
      `entropy "reference" reads the probability of the previous token's id, which only the embedded engine gives; engine "${engine.name}" is ${engine.kind}: use "paper"`,
      { engine: engine.name, entropy: preset },
    );
  }
}
