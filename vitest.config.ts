import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // The README's walkthroughs run whole jobs on the test model: `npm run test:readme`; checks that take minutes
    // are `*.slow.test.ts`: `npm run test:slow`. CI runs both.
    exclude: ["tests/readme/**", "tests/**/*.slow.test.ts", "**/node_modules/**"],
    // The embedded engine and the local emulators are real processes' worth of work on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
