import { describe, expect, it } from "vitest";
import { EngineRegistry } from "../shared/engines/registry.js";
import { allJobKinds } from "../shared/job-kinds.js";
import { datasetKinds } from "../shared/datasets/dataset-kinds.js";
import { Registry } from "../shared/registry.js";
import { ValidationError } from "../shared/errors.js";

describe("Registry (engines, job kinds and dataset kinds alike)", () => {
  it("should look up by name and refuse an unknown name with the list of what is available", () => {
    const r = new Registry<number>("widget");
    r.register("a", 1);
    r.register("b", 2);
    expect(r.get("b")).toBe(2);
    let error: unknown;
    try {
      r.get("c");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe('widget "c" is not available; available: a, b');
    expect((error as ValidationError).details).toEqual({ widget: "c", available: ["a", "b"] });
    expect(() => r.register("a", 3)).toThrow(/registered twice/);
  });

  it("should give the same kind of answer for an unknown engine, job kind or dataset kind", () => {
    const engines = EngineRegistry.fromConfigs([{ name: "local", kind: "embedded", modelPath: "x.gguf" }]);
    expect(() => engines.describe("gpu")).toThrow('engine "gpu" is not configured; available: local');
    expect(() => allJobKinds().get("nugets")).toThrow('job kind "nugets" is not available; available: nuggets');
    expect(() => datasetKinds().get("dialog")).toThrow('dataset kind "dialog" is not available; available: instructions');
  });
});
