/**
 * What a shard needs in memory — the kind's context (datasets, prepared anchors, an engine) — loaded once per
 * container and job, not once per message: a container handles many shards of the same job.
 */

/** A small LRU of in-flight or loaded contexts; a failed load is forgotten so the next message retries it. */
export class ContextCache {
  readonly #entries = new Map<string, Promise<unknown>>();

  constructor(readonly capacity: number = 4) {}

  get<T>(id: string, load: () => Promise<T>): Promise<T> {
    const hit = this.#entries.get(id);
    if (hit) {
      // Refresh its place: a Map iterates in insertion order, so the first key is the least recently used.
      this.#entries.delete(id);
      this.#entries.set(id, hit);
      return hit as Promise<T>;
    }
    const loading = load();
    this.#entries.set(id, loading);
    loading.catch(() => {
      if (this.#entries.get(id) === loading) this.#entries.delete(id);
    });
    while (this.#entries.size > Math.max(1, this.capacity)) this.#entries.delete(this.#entries.keys().next().value!);
    return loading;
  }
}
