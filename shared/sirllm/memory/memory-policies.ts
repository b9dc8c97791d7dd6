/**
 * Each policy's keep selector, by name. A closed record rather than a Registry: the names are the schema's enum and
 * the state codec stores their order, so adding one is a schema change, not a registration.
 */
import type { MemoryPolicyName } from "../../../schemas/sirllm-memory.js";
import { selectInterval } from "./interval-selection.js";
import type { KeepSelector } from "./keep-selector.js";
import { selectRandom } from "./random-selection.js";
import { selectByEntropy } from "./sirllm-selection.js";
import { selectRecent } from "./streaming-selection.js";

/** `null` for `full`, which never evicts. */
export const KEEP_SELECTORS: Readonly<Record<MemoryPolicyName, KeepSelector | null>> = {
  sirllm: selectByEntropy,
  streaming: selectRecent,
  random: selectRandom,
  interval: selectInterval,
  full: null,
};
