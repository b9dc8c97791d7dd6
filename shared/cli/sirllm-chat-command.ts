/**
 * `assay sirllm chat`: an interactive SirLLM session in the terminal, one line per user turn, the reply streamed as it
 * is sampled. Against the API (`--api`/`--key` or `ASSAY_API_URL`/`ASSAY_API_KEY`; `--session` continues one) or
 * in-process (`--engine`, or when no API is configured: the embedded engine on the default model, memory held in this
 * process only). `/memory` prints the memory's summary, `/quit` (or end of input) ends. Piped input works the same,
 * one reply line per input line.
 */
import { createInterface } from "node:readline";
import type { Command } from "commander";
import type { CreateSessionInput, SessionView, TurnResult } from "../../schemas/sirllm-sessions.js";
import { ValidationError } from "../errors.js";
import { ApiClient, apiTarget } from "./api-client.js";

/** The flags as commander hands them over. */
export interface SirllmChatOptions {
  api?: string;
  key?: string;
  engine?: string;
  session?: string;
  policy?: string;
  cacheSize?: string;
  sinks?: string;
  decay?: string;
  seed?: string;
  entropy?: string;
  memoryLevel?: string;
  template?: string;
  maxTokens?: string;
  temperature?: string;
  system?: string;
}

/** One way to talk to a session: over HTTP or in this process. */
interface ChatBackend {
  readonly sessionId: string;
  send(content: string, onText: (delta: string) => void): Promise<TurnResult>;
  view(): Promise<SessionView>;
  close(): Promise<void>;
}

export function registerSirllmChatCommand(sirllm: Command): void {
  sirllm
    .command("chat")
    .description("chat with SirLLM memory, a line per turn (against the API, or in-process with --engine); /memory, /quit")
    .option("--api <url>", "API base URL (default $ASSAY_API_URL)")
    .option("--key <key>", "API key (default $ASSAY_API_KEY)")
    .option("--engine <name>", "run in-process on this engine (local:PATH.gguf or a configured name); default: the API if one is configured, else local")
    .option("--session <id>", "continue this session (API only)")
    .option("--policy <name>", "sirllm, streaming, random, interval or full", "sirllm")
    .option("--cache-size <n>", "tokens memory holds (default: the engine's context, at most 1024)")
    .option("--sinks <n>", "first tokens always kept", "4")
    .option("--decay <d>", "multiplies stored entropies once per turn, 0 < d ≤ 1", "1")
    .option("--seed <n>", "seed of the random policy", "0")
    .option("--entropy <preset>", "paper or reference", "paper")
    .option("--memory-level <level>", "kv or token (default: kv on the embedded engine)")
    .option("--template <name>", "vicuna, tulu, chatml, llama-2 or none", "vicuna")
    .option("--max-tokens <n>", "longest reply", "128")
    .option("--temperature <t>", "0 = greedy", "0")
    .option("--system <text>", "system prompt for the first turn")
    .action(async (opts: SirllmChatOptions) => {
      await runSirllmChat(opts, process.stdin, process.stdout, process.stderr);
    });
}

/**
 * The whole command on streams. Resolves when input ends or `/quit` is read.
 *
 * @example
 * await runSirllmChat({ engine: "local:" }, Readable.from(["hello\n"]), process.stdout, process.stderr);
 */
export async function runSirllmChat(
  opts: SirllmChatOptions,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  log: NodeJS.WritableStream,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const settings = sessionSettings(opts);
  const useApi = opts.engine === undefined && (opts.api !== undefined || env.ASSAY_API_URL !== undefined);
  if (opts.session !== undefined && !useApi) throw new ValidationError("--session continues a session on the API; give --api (or set ASSAY_API_URL)");
  const backend = useApi ? await apiBackend(opts, settings, env) : await inProcessBackend(opts, settings);
  const interactive = (input as { isTTY?: boolean }).isTTY === true;
  log.write(`session ${backend.sessionId}${useApi ? "" : " (in-process: memory lives as long as this process)"}; /memory shows memory, /quit ends\n`);
  const lines = createInterface({ input, terminal: false });
  try {
    if (interactive) output.write("you> ");
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === "/quit") break;
      if (line === "/memory") {
        const v = await backend.view();
        output.write(`turns ${v.turns} · memory ${v.memory.tokens}/${v.memory.cacheSize} tokens · ${v.memory.evicted} evicted in ${v.memory.evictions} steps · entropy mean ${v.entropySummary.mean?.toFixed(3) ?? "-"} (${v.policy}, ${v.memoryLevel}, ${v.entropy})\n`);
      } else if (line !== "") {
        try {
          const result = await backend.send(line, (delta) => output.write(delta));
          output.write(result.evictedTokens > 0 ? `  [${result.evictedTokens} tokens evicted]\n` : "\n");
        } catch (error) {
          output.write("\n");
          log.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        }
      }
      if (interactive) output.write("you> ");
    }
  } finally {
    lines.close();
    await backend.close();
  }
}

/** The session settings the flags ask for, checked by the API's own schema. */
function sessionSettings(opts: SirllmChatOptions): Omit<CreateSessionInput, "engine"> {
  const num = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n)) throw new ValidationError(`${flag} must be a number, got ${JSON.stringify(v)}`);
    return n;
  };
  const out: Record<string, unknown> = {
    policy: opts.policy,
    sinks: num("--sinks", opts.sinks),
    decay: num("--decay", opts.decay),
    seed: num("--seed", opts.seed),
    entropy: opts.entropy,
    template: opts.template,
    decoding: { maxTokens: num("--max-tokens", opts.maxTokens), temperature: num("--temperature", opts.temperature) },
  };
  if (opts.cacheSize !== undefined) out.cacheSize = num("--cache-size", opts.cacheSize);
  if (opts.memoryLevel !== undefined) out.memoryLevel = opts.memoryLevel;
  if (opts.system !== undefined) out.system = opts.system;
  return out as Omit<CreateSessionInput, "engine">;
}

async function inProcessBackend(opts: SirllmChatOptions, settings: Omit<CreateSessionInput, "engine">): Promise<ChatBackend> {
  const [{ CreateSessionSchema, SendMessageSchema }, { openEngine, parseEngineSpec }, { EngineRegistry }, { SessionService }, { MemoryObjectStore }, { validationErrorFrom }] =
    await Promise.all([
      import("../../schemas/sirllm-sessions.js"),
      import("../nuggets/local/engine-spec.js"),
      import("../engines/registry.js"),
      import("../sirllm/sessions/session-service.js"),
      import("../store/memory-object-store.js"),
      import("../api/errors.js"),
    ]);
  const opened = await openEngine(parseEngineSpec(opts.engine));
  try {
    const engines = EngineRegistry.fromConfigs([]);
    engines.register(opened.engine);
    const service = new SessionService({ store: new MemoryObjectStore(), engines });
    const parsed = CreateSessionSchema.safeParse({ ...settings, engine: opened.engine.name });
    if (!parsed.success) throw validationErrorFrom(parsed.error, "settings");
    const { view } = await service.create("local", parsed.data);
    return {
      sessionId: view.id,
      send: (content, onText) => service.sendMessage("local", view.id, SendMessageSchema.parse({ content }), onText),
      view: () => service.view("local", view.id),
      close: () => opened.close(),
    };
  } catch (error) {
    await opened.close();
    throw error;
  }
}

async function apiBackend(opts: SirllmChatOptions, settings: Omit<CreateSessionInput, "engine">, env: NodeJS.ProcessEnv): Promise<ChatBackend> {
  const target = apiTarget(opts, env);
  const client = new ApiClient(target);
  let sessionId = opts.session;
  if (sessionId === undefined) {
    const engines = await client.json<{ engines: { name: string }[] }>("GET", "/v1/engines");
    const engine = engines.engines[0]?.name;
    if (!engine) throw new ValidationError("the API has no engines configured");
    const view = await client.json<SessionView>("POST", "/v1/sirllm/sessions", { json: { ...settings, engine } });
    sessionId = view.id;
  }
  const id = sessionId;
  return {
    sessionId: id,
    view: () => client.json<SessionView>("GET", `/v1/sirllm/sessions/${id}`),
    async send(content, onText) {
      const res = await fetch(`${target.url}/v1/sirllm/sessions/${id}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${target.key}`, "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ content, stream: true }),
      });
      if (!res.ok || !res.body) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
      }
      return readTurnEvents(res.body, onText);
    },
    close: async () => {},
  };
}

/** Reads a message's server-sent events: `delta` texts go to `onText`; `done` carries the turn; `error` throws. */
async function readTurnEvents(body: ReadableStream<Uint8Array>, onText: (delta: string) => void): Promise<TurnResult> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = frame.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      if (event === "delta") onText((JSON.parse(data) as { text: string }).text);
      else if (event === "done") return JSON.parse(data) as TurnResult;
      else if (event === "error") throw new Error((JSON.parse(data) as { error: { message: string } }).error.message);
    }
  }
  throw new Error("the reply stream ended without a result");
}
