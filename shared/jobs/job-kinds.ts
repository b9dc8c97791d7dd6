/** The job kinds a deployment runs, by name and by job-id prefix. */
import { ConfigurationError, NotFoundError } from "../errors.js";
import { Registry } from "../registry.js";
import { jobIdPrefix } from "./job-id.js";
import type { AnyJobKind } from "./job-kind.js";

/**
 * @example
 * const kinds = new JobKinds([nuggetsKind]);
 * kinds.get("nuggets"); kinds.forJobId("nj_…");
 */
export class JobKinds extends Registry<AnyJobKind> {
  readonly #byPrefix = new Map<string, AnyJobKind>();

  constructor(kinds: readonly AnyJobKind[] = []) {
    super("job kind");
    for (const kind of kinds) this.add(kind);
  }

  /** Registers a kind under its name; its id prefix must be unique too. */
  add(kind: AnyJobKind): void {
    if (this.#byPrefix.has(kind.idPrefix)) {
      throw new ConfigurationError(`job kinds "${this.#byPrefix.get(kind.idPrefix)!.name}" and "${kind.name}" share the id prefix ${kind.idPrefix}`);
    }
    this.register(kind.name, kind);
    this.#byPrefix.set(kind.idPrefix, kind);
  }

  /** The kind a job id belongs to; 404 for an id no kind here issues. */
  forJobId(jobId: string): AnyJobKind {
    const kind = this.#byPrefix.get(jobIdPrefix(jobId) ?? "");
    if (!kind) throw new NotFoundError(`job ${jobId} not found`, { jobId });
    return kind;
  }
}
