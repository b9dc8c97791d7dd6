/**
 * Logging: one narrow port (`Log`) with two faces. On Lambda, Powertools' Logger writes structured JSON with the
 * invocation's request id; on a terminal (the local stack), one readable line per event:
 * `12:04:31.207 info  request method=GET route=/v1/jobs/:id status=200 ms=4 tenant=local`.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { ValidationError } from "../errors.js";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The logger methods the code uses (Powertools' Logger fits). */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

/** `debug|info|warn|error` (any case), or a 400 naming the choices. */
export function parseLogLevel(raw: string): LogLevel {
  const level = raw.toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new ValidationError(`log level "${raw}" is not one of ${LOG_LEVELS.join(", ")}`);
}

/** A value as it reads best on one line: strings bare unless they hold spaces, the rest as JSON. */
function show(value: unknown): string {
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value instanceof Error) return JSON.stringify(value.message);
  return JSON.stringify(value) ?? String(value);
}

/** One line per event: time, level, message, then key=value pairs. */
export function formatLine(level: LogLevel, message: string, extra: Record<string, unknown> | undefined, now: Date, prefix = ""): string {
  const time = now.toISOString().slice(11, 23);
  const fields = Object.entries(extra ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${show(v)}`)
    .join(" ");
  return `${time} ${level.padEnd(5)} ${prefix}${message}${fields ? ` ${fields}` : ""}`;
}

/**
 * @example
 * const log = terminalLog({ level: "info" });
 * log.info("job created", { jobId, kind: "nuggets" });
 */
export function terminalLog(opts: { level: LogLevel; write?: (line: string) => void; prefix?: string; now?: () => Date }): Log {
  const write = opts.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const floor = LOG_LEVELS.indexOf(opts.level);
  const at = (level: LogLevel) => (message: string, extra?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(level) < floor) return;
    write(formatLine(level, message, extra, opts.now?.() ?? new Date(), opts.prefix ?? ""));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

type LogAttributes = Parameters<Logger["appendKeys"]>[0];

/** Powertools' Logger behind {@link Log}: structured JSON, the invocation's request id added by the entry point. */
export function powertoolsLog(logger: Logger): Log {
  const attrs = (extra?: Record<string, unknown>) => (extra ?? {}) as LogAttributes;
  return {
    debug: (message, extra) => logger.debug(message, attrs(extra)),
    info: (message, extra) => logger.info(message, attrs(extra)),
    warn: (message, extra) => logger.warn(message, attrs(extra)),
    error: (message, extra) => logger.error(message, attrs(extra)),
  };
}

/** `ASSAY_LOG_LEVEL` (debug, info, warn, error) as Powertools spells it; INFO by default. */
export function powertoolsLevel(raw: string | undefined): "DEBUG" | "INFO" | "WARN" | "ERROR" {
  const level = (raw ?? "info").toUpperCase();
  return level === "DEBUG" || level === "WARN" || level === "ERROR" ? level : "INFO";
}
