/**
 * A recursive-descent parser for `eval` input (CPython 3.11 grammar, `eval_input: expressions NEWLINE* ENDMARKER`),
 * restricted to literals, list/tuple/dict/set displays, `not`, unary `+ - ~` and the binary arithmetic and bitwise
 * operators, with Python's precedence and associativity (`**` binds right and tighter than a unary minus on its left,
 * so `-2**2` is -4; `2**-1` is allowed). Names other than True/False/None, calls, attribute access, subscripts,
 * comparisons, `and`/`or`, conditional expressions, lambdas, comprehensions and starred items are not evaluated.
 */
import type { PyBinaryOperator, PyNode } from "./python-ast.js";
import { raises, unsupported } from "./python-evaluation-error.js";
import { tokenizePython, type PyToken } from "./python-tokenizer.js";
import { PY_ELLIPSIS, PY_NONE, pyBool, pyStr } from "./python-value.js";

/** Unary operators nest by recursion; deeper chains than this are not evaluated (CPython accepts them). */
const MAX_NESTING = 250;
const CONSTANTS: Readonly<Record<string, PyNode>> = {
  True: { type: "literal", value: pyBool(true) },
  False: { type: "literal", value: pyBool(false) },
  None: { type: "literal", value: PY_NONE },
};
// Keywords that would continue an expression in ways not evaluated here (comparisons, boolean operators, …).
const STOPPING_KEYWORDS = new Set(["if", "else", "or", "and", "in", "is", "not", "for", "async", "lambda", "await", "yield"]);
const COMPARISONS = new Set(["<", ">", "==", "!=", "<=", ">="]);

class Parser {
  private position = 0;
  private nesting = 0;

  constructor(private readonly tokens: readonly PyToken[]) {}

  private peek(): PyToken {
    return this.tokens[this.position]!;
  }

  private isOp(op: string): boolean {
    const token = this.peek();
    return token.type === "op" && token.op === op;
  }

  private isName(name: string): boolean {
    const token = this.peek();
    return token.type === "name" && token.name === name;
  }

  private accept(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.position += 1;
    return true;
  }

  private expect(op: string): void {
    if (!this.accept(op)) throw this.unexpected();
  }

  private unexpected(): Error {
    const token = this.peek();
    const what = token.type === "op" ? `'${token.op}'` : token.type === "name" ? `name '${token.name}'` : token.type;
    return unsupported(`${what} at ${token.start} is not evaluated`);
  }

  parseEvalInput(): PyNode {
    const node = this.parseExpressions();
    while (this.peek().type === "newline") this.position += 1;
    if (this.peek().type !== "end") throw this.unexpected();
    return node;
  }

  /** `a, b` at the top level is a tuple. */
  private parseExpressions(): PyNode {
    const first = this.parseExpression();
    if (!this.isOp(",")) return first;
    const items = [first];
    while (this.accept(",")) {
      const next = this.peek();
      if (next.type === "newline" || next.type === "end") break;
      items.push(this.parseExpression());
    }
    return { type: "tuple", items };
  }

  private parseExpression(): PyNode {
    const node = this.parseInversion();
    const next = this.peek();
    if ((next.type === "name" && STOPPING_KEYWORDS.has(next.name)) || (next.type === "op" && (COMPARISONS.has(next.op) || next.op === ":="))) {
      throw this.unexpected();
    }
    return node;
  }

  private parseInversion(): PyNode {
    if (!this.isName("not")) return this.parseBinary(0);
    this.position += 1;
    return this.nested(() => ({ type: "unary", operator: "not", operand: this.parseInversion() }));
  }

  /** Left-associative binary levels, loosest first: | ^ & (<< >>) (+ -) (* / // % @). */
  private static readonly LEVELS: readonly (readonly string[])[] = [["|"], ["^"], ["&"], ["<<", ">>"], ["+", "-"], ["*", "/", "//", "%", "@"]];

  private parseBinary(level: number): PyNode {
    if (level === Parser.LEVELS.length) return this.parseFactor();
    const operators = Parser.LEVELS[level]!;
    let left = this.parseBinary(level + 1);
    for (;;) {
      const token = this.peek();
      if (token.type !== "op" || !operators.includes(token.op)) return left;
      if (token.op === "@") throw unsupported("the @ operator is not evaluated");
      this.position += 1;
      const right = this.parseBinary(level + 1);
      left = { type: "binary", operator: token.op as PyBinaryOperator, left, right };
    }
  }

  private parseFactor(): PyNode {
    const token = this.peek();
    if (token.type === "op" && (token.op === "-" || token.op === "+" || token.op === "~")) {
      this.position += 1;
      return this.nested(() => ({ type: "unary", operator: token.op as "-" | "+" | "~", operand: this.parseFactor() }));
    }
    return this.parsePower();
  }

  private parsePower(): PyNode {
    const base = this.parsePrimary();
    if (!this.accept("**")) return base;
    return this.nested(() => ({ type: "binary", operator: "**", left: base, right: this.parseFactor() }));
  }

  private parsePrimary(): PyNode {
    const atom = this.parseAtom();
    if (this.isOp(".") || this.isOp("(") || this.isOp("[")) throw unsupported("attribute access, calls and subscripts are not evaluated");
    return atom;
  }

  private parseAtom(): PyNode {
    const token = this.peek();
    switch (token.type) {
      case "number":
        this.position += 1;
        return { type: "literal", value: token.value };
      case "string": {
        let value = "";
        // Adjacent literals are one literal: 'a' "b" is 'ab'.
        for (let next = this.peek(); next.type === "string"; next = this.peek()) {
          value += next.value;
          this.position += 1;
        }
        return { type: "literal", value: pyStr(value) };
      }
      case "name": {
        const constant = CONSTANTS[token.name];
        if (!constant) throw unsupported(`name '${token.name}' is not evaluated (Python looks it up)`);
        this.position += 1;
        return constant;
      }
      case "op":
        if (token.op === "...") {
          this.position += 1;
          return { type: "literal", value: PY_ELLIPSIS };
        }
        if (token.op === "(" || token.op === "[" || token.op === "{") {
          this.position += 1;
          return this.nested(() => (token.op === "(" ? this.parseParenthesised() : token.op === "[" ? this.parseList() : this.parseBraced()));
        }
        throw this.unexpected();
      default:
        throw this.unexpected();
    }
  }

  /** After "(": `()`, a group `(x)`, or a tuple `(x,)`, `(x, y)`. */
  private parseParenthesised(): PyNode {
    if (this.accept(")")) return { type: "tuple", items: [] };
    const first = this.parseExpression();
    if (this.accept(")")) return first;
    this.expect(",");
    const items = [first, ...this.parseItemsUntil(")")];
    return { type: "tuple", items };
  }

  private parseList(): PyNode {
    return { type: "list", items: this.parseItemsUntil("]") };
  }

  /** After "{": `{}` (a dict), a dict display or a set display. */
  private parseBraced(): PyNode {
    if (this.accept("}")) return { type: "dict", entries: [] };
    if (this.isOp("**")) throw unsupported("dict unpacking is not evaluated");
    const first = this.parseExpression();
    if (!this.accept(":")) {
      if (this.accept("}")) return { type: "set", items: [first] };
      this.expect(",");
      return { type: "set", items: [first, ...this.parseItemsUntil("}")] };
    }
    const entries: [PyNode, PyNode][] = [[first, this.parseExpression()]];
    while (this.accept(",")) {
      if (this.isOp("}")) break;
      const key = this.parseExpression();
      this.expect(":");
      entries.push([key, this.parseExpression()]);
    }
    this.expect("}");
    return { type: "dict", entries };
  }

  /** Comma-separated expressions up to `close`, a trailing comma allowed; consumes `close`. */
  private parseItemsUntil(close: string): PyNode[] {
    const items: PyNode[] = [];
    while (!this.accept(close)) {
      items.push(this.parseExpression());
      if (this.accept(close)) break;
      this.expect(",");
    }
    return items;
  }

  private nested<T>(parse: () => T): T {
    if (++this.nesting > MAX_NESTING) throw unsupported("expression nested too deeply");
    try {
      return parse();
    } finally {
      this.nesting -= 1;
    }
  }
}

/**
 * Parses `eval` input into a {@link PyNode} tree.
 *
 * @throws PythonEvaluationError when the text is outside the evaluated subset or is not valid Python.
 * @example
 * parsePythonExpression("-2**2"); // unary "-" over binary "**"
 */
export function parsePythonExpression(source: string): PyNode {
  const tokens = tokenizePython(source);
  if (tokens.length === 1) throw raises("empty expression");
  return new Parser(tokens).parseEvalInput();
}
