import { describe, expect, it } from "vitest";
import { pyStrip, renderExample } from "../../shared/nuggets/template.js";

describe("renderExample", () => {
  it("should render the with-input template and cut the query after Response:\\n", () => {
    const r = renderExample({ instruction: "Add.", input: "2 3", output: "5" });
    expect(r.full).toBe("Instruction:\nAdd.\nInput:\n2 3\nResponse:\n5");
    expect(r.query).toBe("Instruction:\nAdd.\nInput:\n2 3\nResponse:\n");
  });

  it("should render the without-input template when input is absent or blank after stripping", () => {
    const expected = "Instruction:\nSay hi.\nResponse:\nhi";
    expect(renderExample({ instruction: "Say hi.", output: "hi" }).full).toBe(expected);
    expect(renderExample({ instruction: "Say hi.", input: " \n\t", output: "hi" }).full).toBe(expected);
  });

  it("should strip every field before rendering", () => {
    const r = renderExample({ instruction: "  Say hi.\n", input: "\tx ", output: "\n hi  " });
    expect(r.full).toBe("Instruction:\nSay hi.\nInput:\nx\nResponse:\nhi");
  });
});

describe("pyStrip", () => {
  it("should strip what Python's str.strip strips, not what JS trim strips", () => {
    expect(pyStrip("\x1c\x1f\x85 a b \u3000")).toBe("a b");
    // Python does not treat U+FEFF as whitespace; JS trim() does.
    expect(pyStrip("\ufeffa\ufeff")).toBe("\ufeffa\ufeff");
    expect("\ufeffa".trim()).toBe("a");
  });
});
