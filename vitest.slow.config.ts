import { defineConfig } from "vitest/config";

// `npm run test:slow`: checks that run whole jobs several times over on the test model (minutes each on 2 cores),
// kept out of `npm test` for its 10-minute budget; CI runs them too.
export default defineConfig({
  test: {
    include: ["tests/**/*.slow.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: "forks",
  },
});
