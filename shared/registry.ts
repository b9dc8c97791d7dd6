/**
 * One registry type for everything looked up by name — engines and job kinds alike (lm-eval's `Registry[T]`):
 * register by name, look up by name, and an unknown name fails with the list of what is available.
 */
import { ConfigurationError, ValidationError } from "./errors.js";

/**
 * @example
 * const kinds = new Registry<JobKind>("job kind");
 * kinds.register("nuggets", nuggetsKind);
 * kinds.get("nugets"); // 400: job kind "nugets" is not available; available: nuggets
 */
export class Registry<T> {
  readonly #items = new Map<string, T>();

  /**
   * `what` names the things held, for error messages ("engine", "job kind"); `absent` says why a name is unknown
   * ("is not configured" for engines, which come from configuration).
   */
  constructor(
    readonly what: string,
    private readonly absent = "is not available",
  ) {}

  /** Adds an item; a name registered twice is a configuration error. */
  register(name: string, item: T): void {
    if (this.#items.has(name)) throw new ConfigurationError(`${this.what} "${name}" is registered twice`);
    this.#items.set(name, item);
  }

  has(name: string): boolean {
    return this.#items.has(name);
  }

  /** The item, or a 400 ValidationError that names what is available. */
  get(name: string): T {
    const item = this.#items.get(name);
    if (item === undefined) {
      const available = this.names();
      throw new ValidationError(
        `${this.what} "${name}" ${this.absent}; available: ${available.length > 0 ? available.join(", ") : "none"}`,
        { [camel(this.what)]: name, available },
      );
    }
    return item;
  }

  /** Names in registration order. */
  names(): string[] {
    return [...this.#items.keys()];
  }

  values(): T[] {
    return [...this.#items.values()];
  }
}

function camel(what: string): string {
  return what.replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase());
}
