/**
 * JSON with its number lexemes kept. MTI-Bench scores `str(pred) == str(gold)` with Python's `str`, which prints the
 * gold 1.0 as "1.0" and 1e-05 as "1e-05"; JSON.parse turns both into JS numbers that print "1" and "0.00001". So the
 * loader keeps each gold answer's source text, using JSON.parse's source-text access (Node ≥ 21: the reviver's third
 * argument carries `source` for every primitive).
 */
import { ConfigurationError } from "../../errors.js";

/** A JSON value with every primitive replaced by its exact source text; arrays and objects keep their shape. */
export type JsonLexemes = string | JsonLexemes[] | { [key: string]: JsonLexemes };

interface ReviverContext {
  readonly source?: string;
}

/**
 * Parse JSON text into its lexeme tree. Throws JSON.parse's SyntaxError on bad JSON.
 *
 * @example
 * parseJsonLexemes('{"a": [1.0, 1e-05, true, "E"]}'); // { a: ["1.0", "1e-05", "true", "\"E\""] }
 */
export function parseJsonLexemes(text: string): JsonLexemes {
  return JSON.parse(text, (_key: string, value: unknown, context?: ReviverContext) => {
    // Revivers run bottom-up, so a container arrives holding its children's lexemes already; keep it as it is.
    if (value !== null && typeof value === "object") return value;
    if (context?.source === undefined) {
      throw new ConfigurationError(
        `reading MTI-Bench gold answers exactly needs JSON.parse source text access (Node 22); this is Node ${process.version}`,
      );
    }
    return context.source;
  }) as JsonLexemes;
}

/**
 * The JSON text of a lexeme tree. A primitive is its source text, unchanged. A container is rebuilt from its
 * children's exact lexemes with the separators Python's `json.dump` writes by default (`", "` and `": "`), which is
 * how `MTI_BENCH.json` is laid out, so for that file the result is the file's own text; for another layout only the
 * insignificant whitespace differs. Object keys are re-quoted with JSON.stringify (no answer in MTI-Bench is an
 * object).
 *
 * @example
 * rawJsonText(["1", "2", "4"]); // "[1, 2, 4]"
 */
export function rawJsonText(lexemes: JsonLexemes): string {
  if (typeof lexemes === "string") return lexemes;
  if (Array.isArray(lexemes)) return `[${lexemes.map(rawJsonText).join(", ")}]`;
  return `{${Object.entries(lexemes)
    .map(([key, value]) => `${JSON.stringify(key)}: ${rawJsonText(value)}`)
    .join(", ")}}`;
}
