import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // The README's walkthroughs run whole jobs on the test model: `npm run test:readme`, which CI also runs.
    exclude: ["tests/readme/**", "**/node_modules/**"],
    // The embedded engine and the local emulators are real processes' worth of work on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
