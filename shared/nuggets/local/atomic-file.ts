/**
 * A file written in full or not at all: lines go to a temporary file beside the target, which is renamed over the
 * target only when every line is written and flushed. A crash or an error leaves the old target (or none), never half.
 */
import { randomBytes } from "node:crypto";
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** An open atomic write: `write` appends, `commit` publishes, `abort` throws it all away. */
export interface AtomicFile {
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Open `target` for an atomic write. The temporary file is in the same folder so the rename stays on one file system.
 *
 * @example
 * const file = await openAtomicFile("scores.jsonl");
 * try { await file.write('{"index":0}\n'); await file.commit(); } catch (e) { await file.abort(); throw e; }
 */
export async function openAtomicFile(target: string): Promise<AtomicFile> {
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle: FileHandle = await open(temp, "wx");
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    async write(text) {
      await handle.write(text);
    },
    async commit() {
      await handle.sync();
      await close();
      await rename(temp, target);
    },
    async abort() {
      await close().catch(() => undefined);
      await rm(temp, { force: true });
    },
  };
}
