/**
 * Notices when whoever started this process has gone. `npm start` runs the stack as npm → sh → node, and a SIGTERM
 * to npm (a process manager, `kill`) ends npm without passing the signal on: the stack would live on, holding its
 * port. So the stack watches its parent and, where `/proc` tells it, its grandparent (the npm process), and stops
 * when either is gone.
 */
import { readFileSync } from "node:fs";

/** The parent pid of `pid` from `/proc`, or null where there is no `/proc` (macOS) or the process is gone. */
export function parentOf(pid: number): number | null {
  try {
    // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Calls `onGone` once, when the parent or the grandparent of this process has exited (checked every `intervalMs`).
 * Returns a function that stops watching. The timer does not keep the process alive.
 */
export function watchLaunchers(onGone: (pid: number) => void, intervalMs = 500): () => void {
  const parent = process.ppid;
  const grandparent = parentOf(parent);
  const watched = [parent, ...(grandparent !== null && grandparent > 1 ? [grandparent] : [])];
  const timer = setInterval(() => {
    const gone = process.ppid !== parent ? parent : watched.find((pid) => !alive(pid));
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(gone);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
